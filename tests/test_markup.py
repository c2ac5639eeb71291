import pytest

from markup import MarkupError, parse_article

ARTICLE = """---
id: {id}
published: 2025-01-14
style: wire
source: test
topics: TRADE, DIPLOMATIC_RELATIONS
---
[Chile and Vietnam]{{S1}} [pledge]{{C1}} [to widen trade pact]{{Q1}}

~ Published Tue, Jan 14, 2025 · 09:12 AM

Chile's foreign minister, [Ana Robles]{{S2 @robles}}, [said]{{C2}} on Tuesday that [the talks would open]{{Q2}}.

[“We have done well,”]{{Q3}} [she]{{S3 @robles}} [told]{{C3}} reporters. [“Now we want more.”]{{Q3+}}

~ SIGN UP FOR OUR BRIEFING
"""


def write(tmp_path, body, art_id="t-001"):
    path = tmp_path / f"{art_id}.txt"
    path.write_text(body.format(id=art_id), encoding="utf8")
    return path


def span(record, label, n=0):
    ents = [e for e in record["entities"] if e["label"] == label]
    e = ents[n]
    return record["text"][e["start_offset"]:e["end_offset"]]


def test_compiles_text_spans_and_relations(tmp_path):
    record, raw = parse_article(write(tmp_path, ARTICLE))
    assert record["text"].startswith("Chile and Vietnam pledge to widen trade pact\n\nChile's")
    assert "Published" not in record["text"] and "SIGN UP" not in record["text"]
    assert span(record, "SPEAKER", 1) == "Ana Robles"
    assert span(record, "QUOTE", 1) == "the talks would open"
    assert span(record, "QUOTE", 3) == "“Now we want more.”"
    rels = {(r["from_id"], r["to_id"], r["type"]) for r in record["relations"]}
    by_text = {record["text"][e["start_offset"]:e["end_offset"]]: e["id"] for e in record["entities"]}
    assert (by_text["she"], by_text["Ana Robles"], "same_as") in rels
    # the continuation links to the speaker of the quote it continues, with no cue
    assert (by_text["“Now we want more.”"], by_text["she"], "said_by") in rels
    assert not any(r[0] == by_text["“Now we want more.”"] and r[2] == "cue" for r in rels)
    assert record["cats"] == ["TRADE", "DIPLOMATIC_RELATIONS"]
    assert "Published Tue, Jan 14, 2025" in raw and "SIGN UP FOR OUR BRIEFING" in raw


def test_explicit_head_wins_over_first_mention(tmp_path):
    body = ARTICLE.replace("[Ana Robles]{{S2 @robles}}", "[Ana Robles]{{S2 @robles!}}")
    body = body.replace("[Chile and Vietnam]{{S1}}", "[Chile's minister]{{S1 @robles}}")
    record, _ = parse_article(write(tmp_path, body))
    ids = {record["text"][e["start_offset"]:e["end_offset"]]: e["id"] for e in record["entities"]}
    same = {(r["from_id"], r["to_id"]) for r in record["relations"] if r["type"] == "same_as"}
    assert same == {(ids["Chile's minister"], ids["Ana Robles"]), (ids["she"], ids["Ana Robles"])}


@pytest.mark.parametrize("bad, message", [
    ("[pledge]{{C1}} [x]{{Q9}}", "no S9 speaker"),
    ("[pledge]{{X1}}", "bad tag"),
    ("[pledge]{{C1 S1}}", "mixes labels"),
    ("pledge] to", "stray bracket"),
])
def test_bad_markup_names_file_and_line(tmp_path, bad, message):
    body = ARTICLE.replace("[pledge]{{C1}}", bad)
    with pytest.raises(MarkupError, match=message) as err:
        parse_article(write(tmp_path, body))
    assert "t-001.txt:8" in str(err.value)


def test_id_must_match_file_name(tmp_path):
    path = write(tmp_path, ARTICLE)
    path.rename(tmp_path / "other.txt")
    with pytest.raises(MarkupError, match="differs from file name"):
        parse_article(tmp_path / "other.txt")
