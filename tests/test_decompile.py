"""Records back to markup, and corpus records to doccano's and back: both round trips hold."""
import copy

import pytest

from decompile import DecompileError, canonical, decompile, roundtrip_problem
from doccano_records import TOPIC_LIST, from_doccano, to_doccano, topic_span
from markup import parse_article


def test_every_corpus_article_survives_decompile_then_compile(root, corpus_records, tmp_path):
    """compile(decompile(record)) == record up to ids, with and without the file's layout."""
    for record, raw in corpus_records:
        source = root / "corpus" / "articles" / f"{record['id']}.txt"
        for template in (None, source.read_text(encoding="utf8")):
            path = tmp_path / f"{record['id']}.txt"
            path.write_text(decompile(record, template), encoding="utf8")
            assert roundtrip_problem(path, record) is None, record["id"]
            if template:  # the furniture lines stay, so the raw page does too
                assert parse_article(path)[1] == raw, record["id"]


def _record(text, entities, relations, cats=()):
    return {"id": "t-001", "text": text, "cats": list(cats),
            "meta": {"published": "2024-01-02", "style": "wire", "source": "test"},
            "entities": [{"id": i, "label": label, "start_offset": s, "end_offset": e}
                         for i, (label, s, e) in enumerate(entities)],
            "relations": [{"id": i, "from_id": f, "to_id": t, "type": typ}
                          for i, (f, t, typ) in enumerate(relations)]}


def test_continuations_heads_and_brackets(tmp_path):
    text = "“We will,” she said of the [draft]. “Soon.”\n\nAna Robles said it."
    record = _record(text, [("QUOTE", 0, 10), ("SPEAKER", 11, 14), ("CUE", 15, 19), ("QUOTE", 36, 43),
                            ("SPEAKER", 45, 55), ("CUE", 56, 60), ("QUOTE", 61, 63)],
                     [(0, 1, "said_by"), (0, 2, "cue"), (3, 1, "said_by"), (6, 4, "said_by"),
                      (6, 5, "cue"), (1, 4, "same_as")], ["TRADE"])
    markup = decompile(record)
    assert "[“Soon.”]{Q1+}" in markup  # a cue-less quote continues its speaker's attribution
    assert "[she]{S1 @robles}" in markup and "[Ana Robles]{S2 @robles!}" in markup
    assert "\\[draft\\]" in markup
    path = tmp_path / "t-001.txt"
    path.write_text(markup, encoding="utf8")
    assert roundtrip_problem(path, record) is None


def test_a_span_across_paragraphs_cannot_be_markup():
    record = _record("One said.\n\nTwo.", [("SPEAKER", 0, 3), ("QUOTE", 4, 15)], [(1, 0, "said_by")])
    with pytest.raises(DecompileError, match="paragraph break"):
        decompile(record)


def test_doccano_record_round_trip_with_topics_and_astral_characters():
    text = "Ana 😀 Robles said talks would resume."
    record = _record(text, [("SPEAKER", 0, 12), ("CUE", 13, 17), ("QUOTE", 18, 37)],
                     [(2, 0, "said_by"), (2, 1, "cue")], ["TRADE", "HEALTH"])
    line = to_doccano(record)
    assert line["text"] == text + TOPIC_LIST and line["article_id"] == "t-001"
    # doccano counts UTF-16 code units: the emoji is two of them
    assert [e["end_offset"] for e in line["entities"][:3]] == [13, 18, 38]
    topics = {e["label"]: line["text"][e["start_offset"] - 1:e["end_offset"] - 1] for e in line["entities"][3:]}
    assert topics == {"TRADE": "TRADE", "HEALTH": "HEALTH"}
    back, problems = from_doccano(line)
    assert problems == [] and canonical(back) == canonical(record)


@pytest.mark.parametrize("mutate, message", [
    (lambda line: line["entities"].append({"id": 9, "label": "LOCATION", "start_offset": 0, "end_offset": 3}),
     "label 'LOCATION' is not in the scheme"),
    (lambda line: line["entities"].append({"id": 9, "label": "CUE", "start_offset": 3, "end_offset": 9999}),
     "offsets do not match the text"),
    (lambda line: line["entities"].append({"id": 9, "label": "CUE", "start_offset": 4, "end_offset": 5}),
     "inside a character"),
    (lambda line: line["entities"][3].update(label="HEALTH"), "must mark the name HEALTH"),
    (lambda line: line["relations"].append({"id": 9, "from_id": 2, "to_id": 0, "type": "quoted"}),
     "relation type 'quoted' is not in the scheme"),
    (lambda line: line.update(text=line["text"].replace("TRADE", "TRADES")), "topic list"),
])
def test_doccano_record_errors(mutate, message):
    record = _record("Ana 😀 Robles said talks would resume.",
                     [("SPEAKER", 0, 12), ("CUE", 13, 17), ("QUOTE", 18, 37)],
                     [(2, 0, "said_by"), (2, 1, "cue")], ["TRADE"])
    line = copy.deepcopy(to_doccano(record))
    mutate(line)
    _, problems = from_doccano(line)
    assert any(message in p for p in problems), problems


def test_topic_span_points_at_the_topic_name():
    start, end = topic_span("Some text.", "CYBER_DATA")
    assert ("Some text." + TOPIC_LIST)[start:end] == "CYBER_DATA"
