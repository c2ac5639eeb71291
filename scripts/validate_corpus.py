"""Validate the doccano JSONL corpus against the annotation scheme and print its statistics.

Fails, naming the article and the reason, on: offsets off token boundaries or with outer
whitespace, crossing spans, a QUOTE without said_by, relations between the wrong labels,
a title left outside the name it stands before, a relative clause inside a SPEAKER, an
auxiliary inside a CUE, same_as chains that do not end in a head, a chain headed outside
the attributions or by a pronoun when an attribution names its source (3.25), unknown
topics, a raw page that does not clean back to the annotated text, and sentences repeated
across articles.
"""
import json
import re
from collections import Counter
from pathlib import Path

import spacy
import typer

from cleaning import clean_page
from corpus_stats import corpus_stats, print_stats
from jsonl import JsonlError, read_records
from quotes import LABELS, TOPICS, gives_name, is_pronoun, names_source

RELATION_LABELS = {"said_by": ("QUOTE", "SPEAKER"), "cue": ("QUOTE", "CUE"),
                   "same_as": ("SPEAKER", "SPEAKER")}
MAX_REPEATED_SHARE = 0.01


# `Energy Commissioner [Kadri Simson]`: a capitalised title just before a name (§2).
TITLE_BEFORE = re.compile(r"\b(?:[A-Z][\w-]*[-\s])?(?:Minister|President|Secretary|Commissioner|Chancellor|"
                          r"Premier|Governor|Ambassador|Envoy|Spokesperson|Secretary-General|General) $")
AUXILIARIES = {"has", "have", "had", "will", "would", "was", "is", "were", "are", "did", "does", "can",
               "could", "should", "may", "might"}
RESTRICTIVE = re.compile(r" (involved in|familiar with|issued by) ")  # belong to a description (3.20)


def check_record(record, make_doc):
    """Return a list of problems in one article (empty when it is valid)."""
    problems = []
    text = record.get("text") or ""
    if not text.strip():
        return ["empty text"]
    doc = make_doc(text)
    ents = {}
    for e in record.get("entities", []):
        s, t, label = e.get("start_offset"), e.get("end_offset"), e.get("label")
        where = f"{label} [{s}:{t}]"
        if label not in LABELS:
            problems.append(f"{where}: unknown label")
        if not (isinstance(s, int) and isinstance(t, int) and 0 <= s < t <= len(text)):
            problems.append(f"{where}: offsets out of range")
            continue
        span_text = text[s:t]
        if span_text != span_text.strip():
            problems.append(f"{where} {span_text!r}: outer whitespace")
        elif doc.char_span(s, t) is None:
            problems.append(f"{where} {span_text!r}: not on token boundaries")
        ents[e.get("id")] = e
    spans = sorted(ents.values(), key=lambda e: (e["start_offset"], e["end_offset"]))
    for a, b in zip(spans, spans[1:]):
        if b["start_offset"] < a["end_offset"]:
            problems.append(f"spans cross: {text[a['start_offset']:a['end_offset']][:40]!r} "
                            f"and {text[b['start_offset']:b['end_offset']][:40]!r}")
    said_by, cues, same_as, targets, sources = Counter(), Counter(), {}, set(), set()
    for r in record.get("relations", []):
        typ, src, dst = r.get("type"), ents.get(r.get("from_id")), ents.get(r.get("to_id"))
        if typ not in RELATION_LABELS:
            problems.append(f"relation {r.get('id')}: unknown type {typ!r}")
            continue
        if src is None or dst is None:
            problems.append(f"relation {r.get('id')}: links a missing entity id")
            continue
        if (src["label"], dst["label"]) != RELATION_LABELS[typ]:
            problems.append(f"relation {r.get('id')}: {typ} links {src['label']} to {dst['label']}")
            continue
        targets.add(dst["id"])
        if typ == "said_by":
            said_by[src["id"]] += 1
            sources.add(dst["id"])
        elif typ == "cue":
            cues[src["id"]] += 1
        else:
            if src["id"] in same_as or src["id"] == dst["id"]:
                problems.append(f"SPEAKER {text[src['start_offset']:src['end_offset']]!r}: bad same_as")
            same_as[src["id"]] = dst["id"]
    for e in ents.values():
        quote = text[e["start_offset"]:e["end_offset"]][:40]
        if e["label"] == "QUOTE" and said_by[e["id"]] != 1:
            problems.append(f"QUOTE {quote!r}: {said_by[e['id']]} said_by relations (need 1)")
        if cues[e["id"]] > 1:
            problems.append(f"QUOTE {quote!r}: more than one cue")
        # A CUE always ties some content to its source; a SPEAKER is a quote's source or
        # at least a mention in a chain (a naming mention outside attributions, 3.25).
        if e["label"] == "CUE" and e["id"] not in targets:
            problems.append(f"CUE {quote!r}: the cue of no QUOTE")
        if e["label"] == "SPEAKER" and e["id"] not in targets and e["id"] not in same_as:
            problems.append(f"SPEAKER {quote!r}: the source of no QUOTE and in no chain")
        if e["label"] == "QUOTE" and re.search(r"\n\s*\n", text[e["start_offset"]:e["end_offset"]]):
            problems.append(f"QUOTE {quote!r}: crosses a paragraph (one QUOTE per paragraph, 3.6)")
        if e["label"] == "SPEAKER" and TITLE_BEFORE.search(text, 0, e["start_offset"]) and quote[:1].isupper():
            problems.append(f"SPEAKER {quote!r}: the title before the name belongs to it (§2)")
        if e["label"] == "CUE" and quote.split()[0].lower() in AUXILIARIES and len(quote.split()) > 1:
            problems.append(f"CUE {quote!r}: the auxiliary stays outside (3.26)")
        if e["label"] == "SPEAKER" and re.search(r" (who|that|which|whose) ", text[e["start_offset"]:e["end_offset"]]):
            problems.append(f"SPEAKER {quote!r}: a relative clause stays outside (3.20)")
        if e["label"] == "SPEAKER" and RESTRICTIVE.match(text, e["end_offset"]):
            problems.append(f"SPEAKER {quote!r}: its restrictive modifier is outside it (3.20)")
    for src, dst in same_as.items():
        if dst in same_as:
            problems.append(f"same_as chain from {ents[src]['id']} does not end in a head")
    def span_of(i):
        return doc.char_span(ents[i]["start_offset"], ents[i]["end_offset"]) or doc[:0]
    def text_of(i):
        return text[ents[i]["start_offset"]:ents[i]["end_offset"]]
    headline_end = text.find("\n") if "\n" in text else len(text)
    for head in set(same_as.values()) & set(ents):
        attributed = [m for m, h in same_as.items() if h == head and m in sources]
        head_span, head_text = span_of(head), text_of(head)
        if ents[head]["end_offset"] <= headline_end and not is_pronoun(head_span) and not names_source(head_span):
            body = [m for m in attributed if ents[m]["start_offset"] > headline_end and names_source(span_of(m))
                    and any(w[:1].isupper() for w in span_of(m).text.split()[1:])]  # not `Ministers from ...`
            if body:
                problems.append(f"SPEAKER {head_text!r} in the headline does not name its source but heads a "
                                f"chain that the body names ({text_of(body[0])!r}): mark that mention @key! (3.14)")
        named = [m for m in attributed if gives_name(span_of(m))]
        if not named:
            continue
        name = text_of(named[0])
        if head not in sources:
            problems.append(f"SPEAKER {head_text!r} is outside any attribution but heads a chain that "
                            f"an attribution names ({name!r}), 3.25")
        elif is_pronoun(head_span):  # the scheme's head is the first mention that names the source
            problems.append(f"SPEAKER {head_text!r} is a pronoun but heads a chain that an attribution "
                            f"names ({name!r}): mark that mention @key!")
    unknown = set(record.get("cats", [])) - set(TOPICS)
    if unknown:
        problems.append(f"unknown topics {sorted(unknown)}")
    published = (record.get("meta") or {}).get("published", "")
    if not re.fullmatch(r"\d{4}-\d\d-\d\d", str(published)):
        problems.append(f"meta.published {published!r} is not an ISO date")
    return problems


def check_raw_page(record, raw_page):
    cleaned = clean_page(raw_page)
    problems = []
    if cleaned["text"] != record["text"]:
        ours, theirs = cleaned["text"].split("\n\n"), record["text"].split("\n\n")
        extra = [p for p in ours if p not in theirs][:2]
        lost = [p for p in theirs if p not in ours][:2]
        problems.append(f"raw page cleans to other text: kept furniture {extra}, dropped {lost}")
    if cleaned["meta"]["published"] != record["meta"]["published"]:
        problems.append(f"raw page date {cleaned['meta']['published']} != {record['meta']['published']}")
    return problems


def repeated_sentences(records):
    """Sentences of 8+ words that occur in more than one article."""
    seen = {}
    for r in records:
        for sent in re.split(r"(?<=[.!?”\"])\s+|\n\n", r["text"]):
            key = re.sub(r"\W+", " ", sent).strip().lower()
            if len(key.split()) >= 8:
                seen.setdefault(key, set()).add(r["id"])
    total = len(seen)
    repeated = {k: v for k, v in seen.items() if len(v) > 1}
    return repeated, total


def validate(records, raw_pages):
    """Return {article id: [problems]} over the whole corpus."""
    make_doc = spacy.blank("en").make_doc
    errors = {}
    ids = Counter(r.get("id") for r in records)
    for r in records:
        problems = check_record(r, make_doc)
        if ids[r.get("id")] > 1:
            problems.append("duplicate article id")
        if r.get("id") in raw_pages and not problems:
            problems += check_raw_page(r, raw_pages[r["id"]])
        if problems:
            errors[r.get("id")] = problems
    repeated, total = repeated_sentences(records)
    if total and len(repeated) / total >= MAX_REPEATED_SHARE:
        for sent, arts in list(repeated.items())[:20]:
            errors.setdefault(sorted(arts)[0], []).append(
                f"sentence repeated in {sorted(arts)}: {sent[:60]!r}")
    return errors, (len(repeated), total)


def main(
    corpus: Path = typer.Argument(..., help="doccano JSONL corpus"),
    raw_dir: Path = typer.Argument(..., help="Folder of raw scraped pages <id>.txt"),
    stats_out: Path = typer.Option(None, help="Write the statistics as JSON here"),
):
    try:
        records = read_records(corpus)
    except JsonlError as err:
        typer.secho(str(err), fg="red", err=True)
        raise typer.Exit(1)
    raw_pages = {p.stem: p.read_text(encoding="utf8") for p in raw_dir.glob("*.txt")}
    errors, (n_rep, n_sents) = validate(records, raw_pages)
    stats = corpus_stats(records, raw_pages)
    stats["repeated_sentences"] = f"{n_rep} of {n_sents}"
    print_stats(stats)
    if stats_out:
        stats_out.write_text(json.dumps(stats, indent=2, ensure_ascii=False), encoding="utf8")
    if errors:
        for art_id, problems in errors.items():
            for p in problems:
                typer.secho(f"{art_id}: {p}", fg="red", err=True)
        typer.secho(f"{len(errors)} of {len(records)} articles are invalid", fg="red", err=True)
        raise typer.Exit(1)
    typer.secho(f"All {len(records)} articles are valid", fg="green")


if __name__ == "__main__":
    typer.run(main)
