"""Write a doccano record back as article markup (corpus/GUIDELINES.md §7): markup.py reversed.

The record has spans and relations; the markup has attribution numbers (S<n>, C<n>, Q<n>,
Q<n>+) and source keys (@key). Quotes with the same speaker and cue form one attribution; a
quote with no cue continues an attribution of its speaker when there is one (Q<n>+), and
a same_as chain becomes one @key, named after its head. `canonical` is the id-free form
in which compile(decompile(record)) equals the record.
"""
import re

from markup import MarkupError, parse_article

HEADER_ORDER = ("published", "style", "source")


class DecompileError(ValueError):
    """A record that the markup cannot express."""


def canonical(record):
    """The record without ids: what a round trip through the markup must preserve."""
    spans = {e["id"]: (e["start_offset"], e["end_offset"]) for e in record["entities"]}
    return {
        "text": record["text"],
        "entities": sorted((e["start_offset"], e["end_offset"], e["label"]) for e in record["entities"]),
        "relations": sorted((spans[r["from_id"]], spans[r["to_id"]], r["type"]) for r in record["relations"]),
        "cats": sorted(set(record.get("cats", []))),
        "meta": {key: (record.get("meta") or {}).get(key) for key in HEADER_ORDER},
    }


def _attributions(record):
    """Tags (S1, C1, Q1, Q1+ ...) of each entity id."""
    ents = {e["id"]: e for e in record["entities"]}
    links = {"said_by": {}, "cue": {}}
    for r in record["relations"]:
        if r["type"] in links:
            links[r["type"]][r["from_id"]] = r["to_id"]
    said_by, cue = links["said_by"], links["cue"]

    def pos(i):
        return ents[i]["start_offset"], ents[i]["end_offset"]

    quotes = sorted((i for i, e in ents.items() if e["label"] == "QUOTE"), key=pos)
    groups, continuation = {}, set()
    for q in quotes:
        if q in cue:
            groups.setdefault((said_by[q], cue[q]), []).append(q)
    for q in quotes:
        if q in cue:
            continue
        own = [key for key in groups if key[0] == said_by[q] and key[1] is not None]
        if own:
            # Continue the speaker's attribution with the last quote before this one.
            def last_before(key):
                return max((pos(m) for m in groups[key] if pos(m) < pos(q)), default=(-1, -1))

            groups[max(own, key=last_before)].append(q)
            continuation.add(q)
        else:
            groups.setdefault((said_by[q], None), []).append(q)
    in_groups = {s for s, _ in groups} | {c for _, c in groups}
    for i, e in ents.items():
        if i not in in_groups and e["label"] == "SPEAKER":
            groups[(i, None)] = []
        elif i not in in_groups and e["label"] == "CUE":
            groups[(None, i)] = []

    def first(key):
        members = [m for m in (key[0], key[1], *groups[key]) if m is not None]
        return min(pos(m) for m in members)

    tags = {i: [] for i in ents}
    for n, key in enumerate(sorted(groups, key=first), start=1):
        speaker, cue_id = key
        if speaker is not None:
            tags[speaker].append(f"S{n}")
        if cue_id is not None:
            tags[cue_id].append(f"C{n}")
        for q in groups[key]:
            tags[q].append(f"Q{n}+" if q in continuation else f"Q{n}")
    return tags


def _source_keys(record):
    """@key tags of speaker mentions in same_as chains, the head marked ! when it is not first."""
    ents = {e["id"]: e for e in record["entities"]}
    heads = {}
    for r in record["relations"]:
        if r["type"] == "same_as":
            heads.setdefault(r["to_id"], []).append(r["from_id"])
    keys, used = {}, set()
    for head in sorted(heads, key=lambda i: ents[i]["start_offset"]):
        e = ents[head]
        # Named after the head's last word, as the authors do (@robles, @treasury).
        words = record["text"][e["start_offset"]:e["end_offset"]].split() or [""]
        base = re.sub(r"[^\w.-]+", "_", words[-1].lower()).strip("_")
        key, n = base or "source", 2
        while key in used:
            key, n = f"{base or 'source'}_{n}", n + 1
        used.add(key)
        mentions = sorted([head, *heads[head]], key=lambda i: ents[i]["start_offset"])
        for m in mentions:
            keys[m] = f"@{key}!" if m == head and mentions[0] != head else f"@{key}"
    return keys


def _escape(text):
    return text.replace("[", "\\[").replace("]", "\\]")


def _paragraph_lines(record):
    tags = _attributions(record)
    keys = _source_keys(record)
    ents = sorted(record["entities"], key=lambda e: e["start_offset"])
    text, lines, start = record["text"], [], 0
    for paragraph in text.split("\n\n"):
        end = start + len(paragraph)
        parts, pos = [], start
        for e in ents:
            if e["start_offset"] < start or e["start_offset"] >= end:
                continue
            if e["end_offset"] > end:
                raise DecompileError(f"{e['label']} [{e['start_offset']}:{e['end_offset']}] runs across "
                                     "a paragraph break, which the markup cannot hold")
            parts.append(_escape(text[pos:e["start_offset"]]))
            span_tags = " ".join(tags[e["id"]] + ([keys[e["id"]]] if e["id"] in keys else []))
            parts.append(f"[{_escape(text[e['start_offset']:e['end_offset']])}]{{{span_tags}}}")
            pos = e["end_offset"]
        parts.append(_escape(text[pos:end]))
        lines.append("".join(parts))
        start = end + 2
    return lines


def _body_layout(template):
    """The body lines of an existing article file, with None where a paragraph goes."""
    lines = template.splitlines()
    if "---" not in lines[1:]:
        return None
    close = lines.index("---", 1)
    return [None if line.strip() and not line.startswith("~") else line for line in lines[close + 1:]]


def decompile(record, template=None):
    """Markup for a valid record. `template`, the article's current file, lends its layout
    (furniture lines, blank lines) when it has as many paragraphs as the record."""
    meta = record.get("meta") or {}
    header = ["---", f"id: {record['id']}", *(f"{key}: {meta.get(key) or ''}" for key in HEADER_ORDER),
              f"topics: {', '.join(record.get('cats', []))}", "---"]
    paragraphs = _paragraph_lines(record)
    layout = _body_layout(template) if template else None
    if layout is None or layout.count(None) != len(paragraphs):
        layout = [None, ""] * len(paragraphs)
    fill = iter(paragraphs)
    body = [next(fill) if line is None else line for line in layout]
    return "\n".join(header + body).rstrip("\n") + "\n"


def roundtrip_problem(path, record):
    """Compile the markup file at `path` and name what differs from `record`, or None."""
    try:
        compiled, raw = parse_article(path)
    except MarkupError as err:
        return f"does not compile: {err}"
    ours, theirs = canonical(compiled), canonical(record)
    for field in ours:
        if ours[field] != theirs[field]:
            return f"compiles to other {field} than doccano holds"
    return None
