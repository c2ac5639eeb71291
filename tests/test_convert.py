import pytest
import spacy

from convert import record_to_doc
from quotes import SPANS_KEY, TOPICS


@pytest.fixture(scope="module")
def nlp():
    return spacy.blank("en")


def test_every_span_and_link_is_converted(nlp, corpus_records):
    for record, _ in corpus_records[:60]:
        doc, problems = record_to_doc(nlp, record)
        assert problems == [], record["id"]
        gold = sorted((e["start_offset"], e["end_offset"], e["label"]) for e in record["entities"])
        got = sorted((s.start_char, s.end_char, s.label_) for s in doc.spans[SPANS_KEY])
        assert got == gold
        assert len(doc.user_data["attribution_links"]) == sum(e["label"] == "QUOTE" for e in record["entities"])
        assert {t for t, v in doc.cats.items() if v} == set(record["cats"])
        assert set(doc.cats) == set(TOPICS)


def test_misaligned_span_is_reported_not_dropped(nlp):
    record = {"id": 9, "text": "Robles said talks resume.", "cats": [], "relations": [],
              "entities": [{"id": 1, "label": "SPEAKER", "start_offset": 0, "end_offset": 4}]}
    doc, problems = record_to_doc(nlp, record)
    assert len(problems) == 1 and "[0:4] 'Robl'" in problems[0]


def test_gold_name_is_the_head_of_the_chain(nlp):
    text = "Ana Robles spoke first. “Yes,” she said."
    record = {"id": 1, "text": text, "cats": [],
              "entities": [{"id": 1, "label": "SPEAKER", "start_offset": 0, "end_offset": 10},
                           {"id": 2, "label": "QUOTE", "start_offset": 24, "end_offset": 30},
                           {"id": 3, "label": "SPEAKER", "start_offset": 31, "end_offset": 34},
                           {"id": 4, "label": "CUE", "start_offset": 35, "end_offset": 39}],
              "relations": [{"id": 1, "from_id": 2, "to_id": 3, "type": "said_by"},
                            {"id": 2, "from_id": 2, "to_id": 4, "type": "cue"},
                            {"id": 3, "from_id": 3, "to_id": 1, "type": "same_as"}]}
    doc, problems = record_to_doc(nlp, record)
    assert problems == []
    (quote,) = [s for s in doc.spans[SPANS_KEY] if s.label_ == "QUOTE"]
    assert quote._.speaker.text == "she" and quote._.cue.text == "said"
    assert quote._.speaker_name == "Ana Robles" and quote._.quote_type == "DIRECT"
