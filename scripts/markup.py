"""Parse the corpus authoring markup (corpus/GUIDELINES.md §7) into doccano records.

An article file compiles to two things: the annotated record in the interchange format
(text without furniture, entity offsets, relations, cats, meta) and, when the file has
furniture lines, the raw scraped page that `prepare` must clean back to the same text.
"""
import re
from pathlib import Path

SPAN_RE = re.compile(r"(?<!\\)\[((?:[^\[\]\\]|\\.)+?)\]\{([^{}]*)\}")
TAG_RE = re.compile(r"^(?:(?P<kind>[SCQ])(?P<group>\d+)(?P<cont>\+?)|@(?P<key>[\w.-]+)(?P<head>!?))$")
LABELS = {"S": "SPEAKER", "C": "CUE", "Q": "QUOTE"}
HEADER_KEYS = {"id", "published", "style", "source", "topics"}


class MarkupError(ValueError):
    """A problem in an article file, reported with the file and line."""

    def __init__(self, path, line_no, message):
        super().__init__(f"{path}:{line_no}: {message}")


def _unescape(text):
    return text.replace("\\[", "[").replace("\\]", "]")


def _parse_header(lines, path):
    if not lines or lines[0].strip() != "---":
        raise MarkupError(path, 1, "article must start with a '---' header")
    header = {}
    for i, line in enumerate(lines[1:], start=2):
        if line.strip() == "---":
            missing = HEADER_KEYS - set(header)
            if missing:
                raise MarkupError(path, i, f"header lacks {sorted(missing)}")
            return header, i
        key, sep, value = line.partition(":")
        if not sep or key.strip() not in HEADER_KEYS:
            raise MarkupError(path, i, f"unknown header line {line!r}")
        header[key.strip()] = value.strip()
    raise MarkupError(path, len(lines), "header is not closed with '---'")


def _check_plain(segment, path, line_no):
    if re.search(r"(?<!\\)[\[\]{}]", segment):
        raise MarkupError(path, line_no, f"stray bracket or brace near {segment[-40:]!r}")


def _parse_line(line, path, line_no):
    """Strip the markup from one line; return the plain text and its spans."""
    plain, spans, pos = [], [], 0
    offset = 0
    for m in SPAN_RE.finditer(line):
        _check_plain(line[pos : m.start()], path, line_no)
        before = _unescape(line[pos : m.start()])
        plain.append(before)
        offset += len(before)
        inner = _unescape(m.group(1))
        tags = m.group(2).split()
        span = {"start": offset, "end": offset + len(inner), "text": inner,
                "groups": [], "cont": False, "key": None, "head": False, "kind": None}
        for tag in tags:
            t = TAG_RE.match(tag)
            if not t:
                raise MarkupError(path, line_no, f"bad tag {tag!r} on span {inner!r}")
            if t.group("key"):
                span["key"], span["head"] = t.group("key"), bool(t.group("head"))
                continue
            if span["kind"] and span["kind"] != t.group("kind"):
                raise MarkupError(path, line_no, f"span {inner!r} mixes labels")
            span["kind"] = t.group("kind")
            span["groups"].append(int(t.group("group")))
            span["cont"] = span["cont"] or bool(t.group("cont"))
        if not span["kind"]:
            raise MarkupError(path, line_no, f"span {inner!r} has no S/C/Q tag")
        if span["key"] and span["kind"] != "S":
            raise MarkupError(path, line_no, f"@key on a non-SPEAKER span {inner!r}")
        span["line"] = line_no
        spans.append(span)
        plain.append(inner)
        offset += len(inner)
        pos = m.end()
    _check_plain(line[pos:], path, line_no)
    plain.append(_unescape(line[pos:]))
    return "".join(plain), spans


def parse_article(path):
    """Return (record, raw_page or None) for one markup file."""
    path = Path(path)
    lines = path.read_text(encoding="utf8").splitlines()
    header, body_start = _parse_header(lines, path)
    if header["id"] != path.stem:
        raise MarkupError(path, 2, f"id {header['id']!r} differs from file name")
    paragraphs, raw_lines, spans = [], [], []
    offset = 0
    for line_no, line in enumerate(lines[body_start:], start=body_start + 1):
        if line.startswith("~ ") or line == "~":
            raw_lines.append(_parse_line(line[2:], path, line_no)[0])
            continue
        plain, line_spans = _parse_line(line.strip(), path, line_no)
        raw_lines.append(plain)
        if not plain:
            continue
        if paragraphs:
            offset += 2  # the "\n\n" that joins paragraphs
        for s in line_spans:
            s["start"] += offset
            s["end"] += offset
        spans.extend(line_spans)
        paragraphs.append(plain)
        offset += len(plain)
    text = "\n\n".join(paragraphs)
    record = {
        "id": header["id"],
        "text": text,
        **_entities_and_relations(spans, path),
        "cats": [c.strip() for c in header["topics"].split(",") if c.strip()],
        "meta": {"published": header["published"], "style": header["style"],
                 "source": header["source"]},
    }
    has_furniture = any(line.startswith("~") for line in lines[body_start:])
    raw = "\n".join(raw_lines).strip() + "\n" if has_furniture else None
    return record, raw


def _entities_and_relations(spans, path):
    entities, relations = [], []
    for i, s in enumerate(spans):
        s["id"] = i
        entities.append({"id": i, "label": LABELS[s["kind"]],
                         "start_offset": s["start"], "end_offset": s["end"]})
    speakers, cues = {}, {}
    for s in spans:
        table = {"S": speakers, "C": cues}.get(s["kind"])
        for g in s["groups"] if table is not None else []:
            if g in table:
                raise MarkupError(path, s["line"], f"attribution {g} has two {LABELS[s['kind']]} spans")
            table[g] = s
    for s in spans:
        if s["kind"] != "Q":
            continue
        if len(s["groups"]) != 1:
            raise MarkupError(path, s["line"], f"quote {s['text'][:30]!r} needs exactly one group")
        g = s["groups"][0]
        if g not in speakers:
            raise MarkupError(path, s["line"], f"quote of attribution {g} has no S{g} speaker")
        relations.append((s["id"], speakers[g]["id"], "said_by"))
        if g in cues and not s["cont"]:
            relations.append((s["id"], cues[g]["id"], "cue"))
    chains = {}
    for s in spans:
        if s["key"]:
            chains.setdefault(s["key"], []).append(s)
    for key, mentions in chains.items():
        heads = [m for m in mentions if m["head"]] or mentions[:1]
        if len(heads) > 1:
            raise MarkupError(path, heads[1]["line"], f"@{key} has more than one head")
        for m in mentions:
            if m is not heads[0]:
                relations.append((m["id"], heads[0]["id"], "same_as"))
    return {"entities": entities,
            "relations": [{"id": i, "from_id": f, "to_id": t, "type": typ}
                          for i, (f, t, typ) in enumerate(relations)]}
