"""Evaluate a trained pipeline on held-out articles: spans, links, topics and speed.

Writes the metrics as JSON, prints a table, and renders the predicted spans of every
article as displaCy HTML.
"""
import json
import os
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")

import spacy  # noqa: E402
import typer  # noqa: E402
from spacy import displacy  # noqa: E402
from spacy.tokens import DocBin  # noqa: E402

import quotes  # noqa: E402,F401  (registers the custom components when loading from a path)
from convert import record_to_doc  # noqa: E402
from jsonl import JsonlError, read_records  # noqa: E402
from quotes import SPANS_KEY, link_by_rules, set_links  # noqa: E402
from scoring import (CASES, link_cases, link_scores, overlap_link_scores, span_scores,  # noqa: E402
                     topic_scores, topic_threshold)

COLORS = {"SPEAKER": "#7aecec", "CUE": "#feca74", "QUOTE": "#c887fb"}


def table(rows, header):
    widths = [max(len(str(x)) for x in col) for col in zip(header, *rows)]
    line = lambda r: "  ".join(str(x).ljust(w) for x, w in zip(r, widths))  # noqa: E731
    return "\n".join([line(header), line(["-" * w for w in widths])] + [line(r) for r in rows])


def report(metrics):
    rows = []
    for mode in ("exact", "overlap"):
        for label, s in metrics["spans"][mode].items():
            rows.append([mode, label, f"{s['p']:.3f}", f"{s['r']:.3f}", f"{s['f']:.3f}", s["n_gold"]])
    for key in ("said_by", "cue"):
        s = metrics["links"][key]
        rows.append(["link", key, f"{s['p']:.3f}", f"{s['r']:.3f}", f"{s['f']:.3f}", s["n_gold"]])
    for label, s in metrics["topics"]["per_label"].items():
        rows.append(["topic", label, f"{s['p']:.3f}", f"{s['r']:.3f}", f"{s['f']:.3f}", s["n_gold"]])
    s = metrics["topics"]["micro"]
    rows.append(["topic", "micro", f"{s['p']:.3f}", f"{s['r']:.3f}", f"{s['f']:.3f}", s["n_gold"]])
    out = table(rows, ["match", "label", "P", "R", "F", "gold"])
    rows = []
    for case in CASES:
        row = [case, metrics["link_cases"]["end_to_end"][case]["quotes"]]
        for mode in ("end_to_end", "gold_spans", "rules_gold_spans"):
            c = metrics["link_cases"][mode][case]
            row += [f"{c['said_by_acc']:.3f}", f"{c['name_acc']:.3f}"]
        rows.append(row)
    out += "\n\nQuote links per case (said_by accuracy, canonical-name accuracy):\n" + table(
        rows, ["case", "quotes", "e2e said_by", "e2e name", "gold-span said_by", "gold-span name",
               "rules said_by", "rules name"])
    loose = metrics["links_overlap"]
    out += (f"\n\ncanonical-name accuracy: {metrics['links']['canonical_name_accuracy']:.3f} "
            f"over {metrics['links']['n_quotes']} quotes"
            f"\nwith quotes and speakers matched by overlap: said_by F {loose['said_by']['f']:.3f}, "
            f"canonical-name accuracy {loose['canonical_name_accuracy']:.3f}"
            f"\nwords per second: {metrics['speed']['words_per_second']:.0f} "
            f"({metrics['speed']['words']} words, {metrics['speed']['seconds']:.1f} s)")
    return out


def read_gold(data, nlp):
    if data.suffix != ".jsonl":
        return list(DocBin().from_disk(data).get_docs(nlp.vocab))
    docs, problems = [], []
    try:
        records = read_records(data)
    except JsonlError as err:
        records, problems = [], err.problems
    for record in records:
        doc, doc_problems = record_to_doc(nlp, record)
        problems += [f"{data} article {record['id']}: {p}" for p in doc_problems]
        docs.append(doc)
    if problems:
        typer.secho("\n".join(problems), fg="red", err=True)
        raise typer.Exit(1)
    return docs


def link_on_gold_spans(nlp, gold_docs):
    """Run the pipeline with the gold spans in place of the span model's, so the linker is
    measured on its own; also link the same spans with the rule baseline."""
    linked, ruled = [], []
    for gold in gold_docs:
        doc = nlp.make_doc(gold.text)
        for name, proc in nlp.pipeline:
            if name == "quote_attribution":
                doc.spans[SPANS_KEY] = [doc.char_span(s.start_char, s.end_char, label=s.label_)
                                        for s in gold.spans[SPANS_KEY]]
            if name != "ner":
                doc = proc(doc)
        linked.append(doc)
        rule_doc = nlp.make_doc(gold.text)
        spans = [rule_doc.char_span(s.start_char, s.end_char, label=s.label_) for s in gold.spans[SPANS_KEY]]
        set_links(rule_doc, link_by_rules(rule_doc, spans))
        ruled.append(rule_doc)
    return linked, ruled


def main(
    model: str = typer.Argument(..., help="Package name or path of the trained pipeline"),
    data: Path = typer.Argument(..., help="Held-out gold articles: .spacy, or a doccano .jsonl export"),
    output: Path = typer.Argument(..., help="JSON file for the metrics"),
    displacy_dir: Path = typer.Option(None, help="Folder for displaCy HTML of the predictions"),
    predictions: Path = typer.Option(None, help="Write the predicted docs here (.spacy)"),
):
    nlp = spacy.load(model)
    gold_docs = read_gold(data, nlp)
    if not gold_docs:
        typer.secho(f"{data} holds no articles", fg="red", err=True)
        raise typer.Exit(1)
    start = time.perf_counter()
    pred_docs = list(nlp.pipe(d.text for d in gold_docs))
    seconds = time.perf_counter() - start
    words = sum(len(d.text.split()) for d in gold_docs)
    pairs = list(zip(pred_docs, gold_docs))
    threshold = topic_threshold(nlp)  # a topic is assigned as the model assigns it
    linked, ruled = link_on_gold_spans(nlp, gold_docs)
    metrics = {
        "model": model, "data": str(data), "articles": len(gold_docs),
        "spans": span_scores(pairs), "links": link_scores(pairs),
        "topics": {**topic_scores(pairs, threshold), "threshold": threshold},
        "links_overlap": overlap_link_scores(pairs),
        "links_gold_spans": link_scores(list(zip(linked, gold_docs))),
        "links_rules_gold_spans": link_scores(list(zip(ruled, gold_docs))),
        "link_cases": {"end_to_end": link_cases(pairs),
                       "gold_spans": link_cases(list(zip(linked, gold_docs))),
                       "rules_gold_spans": link_cases(list(zip(ruled, gold_docs)))},
        "speed": {"words": words, "seconds": seconds, "words_per_second": words / seconds},
    }
    print(report(metrics))
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(metrics, indent=2), encoding="utf8")
    if predictions:
        db = DocBin(store_user_data=True)
        for pred, gold in pairs:
            # Keep the links and the id; the transformer's output would make the file huge.
            pred.user_data = {k: v for k, v in pred.user_data.items() if isinstance(k, str)}
            pred.user_data["article_id"] = gold.user_data.get("article_id")
            db.add(pred)
        db.to_disk(predictions)
    if displacy_dir:
        displacy_dir.mkdir(parents=True, exist_ok=True)
        for i, (pred, gold) in enumerate(pairs):
            name = gold.user_data.get("article_id", f"article-{i}")
            html = displacy.render(pred, style="span", page=True,
                                   options={"spans_key": quotes.SPANS_KEY, "colors": COLORS})
            (displacy_dir / f"{name}.html").write_text(html, encoding="utf8")
    typer.echo(f"Metrics -> {output}")


if __name__ == "__main__":
    typer.run(main)
