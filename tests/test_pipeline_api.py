"""The API contract: spans, span extensions, doc._.quotes, and their survival."""
import pytest
import spacy
from spacy.tokens import Doc, DocBin

import quotes
from quotes import SPANS_KEY, link_by_rules, quote_type, set_links

TEXT = ("Chile's foreign minister, Ana Robles, said on Tuesday that talks would open.\n\n"
        "“We have done well,” she told reporters. “Now we want more.”")
ENTS = [("Ana Robles", "SPEAKER"), ("said", "CUE"), ("talks would open", "QUOTE"),
        ("“We have done well,”", "QUOTE"), ("she", "SPEAKER"), ("told", "CUE"),
        ("“Now we want more.”", "QUOTE")]


@pytest.fixture(scope="module")
def nlp():
    return spacy.blank("en")


def annotate(nlp, text=TEXT):
    doc = nlp.make_doc(text)
    spans, pos = [], 0
    for snippet, label in ENTS:
        start = text.index(snippet, pos)
        spans.append(doc.char_span(start, start + len(snippet), label=label))
        pos = start + len(snippet)
    doc.spans[SPANS_KEY] = spans
    doc.cats = {t: 0.0 for t in quotes.TOPICS}
    doc.cats["TRADE"] = 0.9
    # The rule-based linker stands in for the trained one: the contract is the same.
    set_links(doc, link_by_rules(doc, spans))
    return doc


def test_spans_and_extensions(nlp):
    doc = annotate(nlp)
    assert [s.label_ for s in doc.spans[SPANS_KEY]] == [label for _, label in ENTS]
    q1, q2, q3 = [s for s in doc.spans[SPANS_KEY] if s.label_ == "QUOTE"]
    assert q1._.speaker.text == "Ana Robles" and q1._.cue.text == "said"
    assert q1._.quote_type == "INDIRECT" and q2._.quote_type == "DIRECT"
    assert q2._.speaker.text == "she" and q2._.speaker_name == "Ana Robles"
    assert q3._.speaker_name == "Ana Robles"
    assert isinstance(q1._.speaker, spacy.tokens.Span)


def test_quotes_records(nlp):
    records = annotate(nlp)._.quotes
    assert [r["quote"] for r in records] == ["talks would open", "“We have done well,”", "“Now we want more.”"]
    assert records[1] == {"speaker_name": "Ana Robles", "speaker": "she", "cue": "told",
                          "quote": "“We have done well,”", "quote_type": "DIRECT",
                          "start": TEXT.index("“We"), "end": TEXT.index("“We") + 20, "topics": ["TRADE"]}


def test_survives_docbin_and_bytes(nlp):
    doc = annotate(nlp)
    db = DocBin(store_user_data=True)
    db.add(doc)
    (back,) = DocBin().from_bytes(db.to_bytes()).get_docs(nlp.vocab)
    assert back._.quotes == doc._.quotes
    assert Doc(nlp.vocab).from_bytes(doc.to_bytes())._.quotes == doc._.quotes


def test_docs_without_links(nlp):
    doc = nlp("No one said anything here.")
    assert doc._.quotes == []
    span = doc[0:2]
    assert span._.speaker is None and span._.cue is None and span._.speaker_name is None


@pytest.mark.parametrize("text, expected", [
    ("“We will respond.”", "DIRECT"),
    ("\"We will respond,\"", "DIRECT"),
    ("“We will continue into the next paragraph", "DIRECT"),
    ("the move was “deeply regrettable” and urged restraint", "MIXED"),
    ("“A” is not the same as “B”", "MIXED"),
    ("China’s position had not changed", "INDIRECT"),
    ("‘We will,’ he said", "MIXED"),
])
def test_quote_type(text, expected):
    assert quote_type(text) == expected
