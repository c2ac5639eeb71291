"""Convert doccano JSONL into spaCy DocBin files, with gold spans, links and topics.

With a split file, writes train/dev/test.spacy by article; without, one <name>.spacy
(for evaluating a user's own doccano export). A span that does not align with tokens
is reported with its article and offsets and nothing is written.
"""
from pathlib import Path
from typing import Optional

import spacy
import typer
from spacy.tokens import DocBin

from jsonl import JsonlError, read_records
from quotes import LABELS, SPANS_KEY, TOPICS, set_links
from split_corpus import read_split

CANDIDATES_KEY = "attribution_candidates"


def gold_links(record, spans):
    """said_by/cue/same_as relations as the link records the pipeline predicts."""
    rels = record.get("relations", [])
    head = {r["from_id"]: r["to_id"] for r in rels if r["type"] == "same_as"}
    offsets = {i: [s.start_char, s.end_char] for i, s in spans.items()}
    links = []
    for qid, q in spans.items():
        if q.label_ != "QUOTE":
            continue
        speaker = next((r["to_id"] for r in rels if r["from_id"] == qid and r["type"] == "said_by"), None)
        cue = next((r["to_id"] for r in rels if r["from_id"] == qid and r["type"] == "cue"), None)
        name_id = head.get(speaker, speaker)
        links.append({"quote": offsets[qid], "speaker": offsets.get(speaker), "cue": offsets.get(cue),
                      "name": spans[name_id].text if name_id in spans else None})
    links.sort(key=lambda link: link["quote"])
    return links


def record_to_doc(nlp, record):
    """Return (doc, problems) for one doccano record."""
    doc = nlp.make_doc(record["text"])
    spans, problems = {}, []
    for e in record.get("entities", []):
        if e["label"] not in LABELS:
            problems.append(f"unknown label {e['label']!r}")
            continue
        if not (0 <= e["start_offset"] < e["end_offset"] <= len(record["text"])):
            problems.append(f"{e['label']} [{e['start_offset']}:{e['end_offset']}]: offsets out of range "
                            f"for a text of {len(record['text'])} characters")
            continue
        span = doc.char_span(e["start_offset"], e["end_offset"], label=e["label"])
        if span is None:
            text = record["text"][e["start_offset"]:e["end_offset"]]
            problems.append(f"{e['label']} [{e['start_offset']}:{e['end_offset']}] {text[:40]!r} "
                            "does not align with token boundaries")
            continue
        spans[e["id"]] = span
    known = {e["id"] for e in record.get("entities", [])}
    for r in record.get("relations", []):
        if r.get("from_id") not in known or r.get("to_id") not in known:
            problems.append(f"relation {r.get('id')} ({r.get('type')}) links a missing entity id")
    ordered = sorted(spans.values(), key=lambda s: s.start)
    try:
        doc.ents = ordered
    except ValueError as err:
        problems.append(f"overlapping spans: {err}")
    doc.spans[SPANS_KEY] = ordered
    # The span_finder of configs/spans_stage1.cfg learns from its own key (see that config).
    doc.spans[CANDIDATES_KEY] = ordered
    doc.cats = {t: float(t in record.get("cats", [])) for t in TOPICS}
    set_links(doc, gold_links(record, spans))
    doc.user_data["article_id"] = str(record["id"])
    return doc, problems


def main(
    corpus: Path = typer.Argument(..., help="doccano JSONL"),
    output_dir: Path = typer.Argument(..., help="Folder for the .spacy files"),
    split_file: Optional[Path] = typer.Option(None, help="TSV of article id and split"),
):
    nlp = spacy.blank("en")
    split = read_split(split_file) if split_file else None
    try:
        records = read_records(corpus)
    except JsonlError as err:
        typer.secho(f"{err}\nno .spacy file written", fg="red", err=True)
        raise typer.Exit(1)
    bins, problems = {}, []
    for record in records:
        doc, doc_problems = record_to_doc(nlp, record)
        problems += [f"{corpus} article {record['id']}: {p}" for p in doc_problems]
        if split is None:
            name = corpus.stem
        elif str(record["id"]) in split:
            name = split[str(record["id"])]
        else:
            problems.append(f"{corpus} article {record['id']}: not in {split_file}; run split")
            continue
        bins.setdefault(name, DocBin(store_user_data=True)).add(doc)
    if problems:
        for p in problems:
            typer.secho(p, fg="red", err=True)
        typer.secho(f"{len(problems)} problems; no .spacy file written", fg="red", err=True)
        raise typer.Exit(1)
    output_dir.mkdir(parents=True, exist_ok=True)
    for name, db in sorted(bins.items()):
        db.to_disk(output_dir / f"{name}.spacy")
        typer.echo(f"{name}: {len(db)} articles -> {output_dir / name}.spacy")


if __name__ == "__main__":
    typer.run(main)
