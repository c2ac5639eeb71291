"""The committed corpus passes validation, and validation catches each kind of error."""
import copy

import pytest
import spacy

from validate_corpus import check_record, validate

MAKE_DOC = spacy.blank("en").make_doc


def test_whole_corpus_is_valid(corpus_records):
    records = [r for r, _ in corpus_records]
    raws = {r["id"]: raw for r, raw in corpus_records if raw is not None}
    errors, (n_repeated, n_sentences) = validate(records, raws)
    assert errors == {}
    assert n_repeated / n_sentences < 0.01


def test_split_is_fixed_and_covers_every_article(root, corpus_records):
    from split_corpus import read_split

    split = read_split(root / "corpus" / "split.tsv")
    ids = {r["id"] for r, _ in corpus_records}
    assert ids <= set(split)
    assert set(split.values()) == {"train", "dev", "test"}


@pytest.fixture()
def record():
    text = "Ana Robles said that talks would resume."
    return {"id": "x", "text": text, "cats": ["TRADE"], "meta": {"published": "2024-01-02"},
            "entities": [{"id": 1, "label": "SPEAKER", "start_offset": 0, "end_offset": 10},
                         {"id": 2, "label": "CUE", "start_offset": 11, "end_offset": 15},
                         {"id": 3, "label": "QUOTE", "start_offset": 21, "end_offset": 39}],
            "relations": [{"id": 1, "from_id": 3, "to_id": 1, "type": "said_by"},
                          {"id": 2, "from_id": 3, "to_id": 2, "type": "cue"}]}


def test_valid_record_has_no_problems(record):
    assert check_record(record, MAKE_DOC) == []


@pytest.mark.parametrize("mutate, message", [
    (lambda r: r["entities"][2].update(start_offset=22), "not on token boundaries"),
    (lambda r: r["entities"][2].update(start_offset=20), "outer whitespace"),
    (lambda r: r["entities"][2].update(end_offset=400), "out of range"),
    (lambda r: r["entities"][1].update(end_offset=25), "spans cross"),
    (lambda r: r["relations"].pop(0), "0 said_by"),
    (lambda r: r["relations"][1].update(to_id=1), "cue links QUOTE to SPEAKER"),
    (lambda r: r["relations"][0].update(to_id=99), "missing entity"),
    (lambda r: r["entities"][0].update(label="SOURCE"), "unknown label"),
    (lambda r: r["cats"].append("SPORT"), "unknown topics"),
    (lambda r: r["meta"].update(published="2 Jan 2024"), "not an ISO date"),
    (lambda r: r["relations"].pop(1), "the cue of no QUOTE"),
    (lambda r: r.update(text="Ana Robles has said talks would resume.") or r["entities"][1].update(end_offset=19)
     or r["entities"][2].update(start_offset=20), "the auxiliary stays outside"),
])
def test_each_error_is_reported(record, mutate, message):
    bad = copy.deepcopy(record)
    mutate(bad)
    assert any(message in p for p in check_record(bad, MAKE_DOC))


def test_a_speaker_must_be_a_source_or_in_a_chain(record):
    bad = copy.deepcopy(record)
    bad["entities"].append({"id": 4, "label": "SPEAKER", "start_offset": 31, "end_offset": 39})
    assert any("the source of no QUOTE and in no chain" in p for p in check_record(bad, MAKE_DOC))
    bad["relations"].append({"id": 3, "from_id": 4, "to_id": 1, "type": "same_as"})
    assert not any("no chain" in p for p in check_record(bad, MAKE_DOC))


def test_a_name_outside_the_attributions_may_not_head_a_chain_that_an_attribution_names(record):
    text = "Ana Robles spoke first. Robles said that talks would resume."
    bad = copy.deepcopy(record)
    bad["text"] = text
    bad["entities"] = [{"id": 1, "label": "SPEAKER", "start_offset": 24, "end_offset": 30},
                       {"id": 2, "label": "CUE", "start_offset": 31, "end_offset": 35},
                       {"id": 3, "label": "QUOTE", "start_offset": 41, "end_offset": 59},
                       {"id": 4, "label": "SPEAKER", "start_offset": 0, "end_offset": 10}]
    bad["relations"].append({"id": 3, "from_id": 1, "to_id": 4, "type": "same_as"})
    assert any("outside any attribution but heads a chain" in p for p in check_record(bad, MAKE_DOC))
    bad["relations"][-1] = {"id": 3, "from_id": 4, "to_id": 1, "type": "same_as"}
    assert check_record(bad, MAKE_DOC) == []


def two_attributions(record, text, first, second):
    """`record` with `text` holding two attributions, each (speaker, cue, quote), the
    second speaker pointing to the first with same_as."""
    made = copy.deepcopy(record)
    made["text"] = text

    def at(piece, label, i):
        start = text.index(piece)
        return {"id": i, "label": label, "start_offset": start, "end_offset": start + len(piece)}
    made["entities"] = [at(piece, label, i) for i, (piece, label) in enumerate(
        zip(first + second, ["SPEAKER", "CUE", "QUOTE"] * 2), start=1)]
    made["relations"] = [{"id": 1, "from_id": 3, "to_id": 1, "type": "said_by"},
                         {"id": 2, "from_id": 3, "to_id": 2, "type": "cue"},
                         {"id": 3, "from_id": 6, "to_id": 4, "type": "said_by"},
                         {"id": 4, "from_id": 6, "to_id": 5, "type": "cue"},
                         {"id": 5, "from_id": 4, "to_id": 1, "type": "same_as"}]
    return made


def test_a_pronoun_may_not_head_a_chain_that_an_attribution_names(record):
    bad = two_attributions(record, "He said talks would resume. Ortega added that aid would flow.",
                           ("He", "said", "talks would resume"), ("Ortega", "added", "aid would flow"))
    assert any("is a pronoun but heads a chain" in p for p in check_record(bad, MAKE_DOC))
    bad["relations"][-1] = {"id": 5, "from_id": 1, "to_id": 4, "type": "same_as"}  # `@ortega!`
    assert check_record(bad, MAKE_DOC) == []


def test_a_headline_description_may_not_head_a_chain_that_the_body_names(record):
    bad = two_attributions(record, "Banks barred, central bank confirms\nThe lenders were cut off, the Central Bank "
                           "of Iraq said.", ("central bank", "confirms", "Banks barred"),
                           ("the Central Bank of Iraq", "said", "The lenders were cut off"))
    assert any("in the headline does not name its source" in p for p in check_record(bad, MAKE_DOC))
    bad["relations"][-1] = {"id": 5, "from_id": 1, "to_id": 4, "type": "same_as"}  # `@cbi!` in the body
    assert check_record(bad, MAKE_DOC) == []


def test_a_title_left_outside_its_name_is_reported(record):
    bad = copy.deepcopy(record)
    bad["text"] = "Trade Minister " + record["text"]
    for e in bad["entities"]:
        e.update(start_offset=e["start_offset"] + 15, end_offset=e["end_offset"] + 15)
    assert any("title before the name" in p for p in check_record(bad, MAKE_DOC))
    bad["entities"][0]["start_offset"] = 0
    assert check_record(bad, MAKE_DOC) == []


def test_a_relative_clause_inside_a_speaker_is_reported(record):
    bad = copy.deepcopy(record)
    bad["text"] = "A lawyer who advises carmakers said that talks would resume."
    bad["entities"] = [{"id": 1, "label": "SPEAKER", "start_offset": 0, "end_offset": 30},
                       {"id": 2, "label": "CUE", "start_offset": 31, "end_offset": 35},
                       {"id": 3, "label": "QUOTE", "start_offset": 41, "end_offset": 59}]
    assert any("relative clause stays outside" in p for p in check_record(bad, MAKE_DOC))
    bad["entities"][0]["end_offset"] = 8
    assert check_record(bad, MAKE_DOC) == []


def test_a_quote_across_paragraphs_and_a_modifier_outside_its_speaker_are_reported():
    text = "An official involved in the talks said that\n\ntalks would resume."
    record = {"id": "y", "text": text, "cats": [], "meta": {"published": "2024-01-02"},
              "entities": [{"id": 1, "label": "SPEAKER", "start_offset": 0, "end_offset": 11},
                           {"id": 2, "label": "CUE", "start_offset": 34, "end_offset": 38},
                           {"id": 3, "label": "QUOTE", "start_offset": 39, "end_offset": 64}],
              "relations": [{"id": 1, "from_id": 3, "to_id": 1, "type": "said_by"},
                            {"id": 2, "from_id": 3, "to_id": 2, "type": "cue"}]}
    problems = check_record(record, MAKE_DOC)
    assert any("crosses a paragraph" in p for p in problems)
    assert any("restrictive modifier is outside" in p for p in problems)


def test_same_as_chain_must_end_in_a_head(record):
    bad = copy.deepcopy(record)
    bad["text"] = "Ana Robles said that talks would resume. She and she agreed."
    bad["entities"] += [{"id": 4, "label": "SPEAKER", "start_offset": 41, "end_offset": 44},
                        {"id": 5, "label": "SPEAKER", "start_offset": 49, "end_offset": 52}]
    bad["relations"] += [{"id": 3, "from_id": 5, "to_id": 4, "type": "same_as"},
                         {"id": 4, "from_id": 4, "to_id": 1, "type": "same_as"}]
    assert any("does not end in a head" in p for p in check_record(bad, MAKE_DOC))


def test_repeated_sentences_are_caught(record):
    a = copy.deepcopy(record)
    b = copy.deepcopy(record)
    b["id"] = "y"
    a["text"] = b["text"] = "Ana Robles said that the talks would resume in Lima next week."
    for r in (a, b):
        r["entities"], r["relations"] = [], []
    errors, (n_repeated, _) = validate([a, b], {})
    assert n_repeated == 1 and any("repeated" in p for p in errors["x"])
