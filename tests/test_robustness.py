"""Bad input gets a clear error and loses nothing: properties and malformed files."""
import json
import subprocess
import sys

import spacy
from hypothesis import given, settings
from hypothesis import strategies as st

from cleaning import clean_file, clean_page
from convert import record_to_doc
from extract_quotes import chunks, extract_rows
from quotes import LINKS_KEY, SPANS_KEY, link_by_rules, set_links

NLP = spacy.blank("en")
WORD = st.text(alphabet="abcdefghijklmnopqrstuvwxyzABCDEFGHIJ'’-", min_size=1, max_size=9)
FURNITURE = ["READ MORE: Another story here", "SIGN UP FOR THE MORNING BRIEFING",
             "Share this story: Facebook | X | Email", "ADVERTISEMENT", "— AFP",
             "Published Sat, Mar 2, 2024 · 02:24 PM", "Subscribe for unlimited access to our journalism."]


@st.composite
def attributed_paragraph(draw):
    words = draw(st.lists(WORD, min_size=4, max_size=15))
    speaker = draw(st.sampled_from(["the minister", "Ana Robles", "a senior official", "she"]))
    return f"“{' '.join(words)},” {speaker} said."


@given(st.text(alphabet="abcdefghij ", min_size=3, max_size=40).filter(lambda t: len(t.split()) >= 2),
       st.lists(st.one_of(attributed_paragraph(), st.sampled_from(FURNITURE)), min_size=1, max_size=12))
@settings(max_examples=150, deadline=None)
def test_cleaning_keeps_attributions_in_order_and_invents_nothing(headline, lines):
    page = "\n\n".join([headline.strip()] + lines)
    kept = clean_page(page)["text"].split("\n\n")
    attributed = [line for line in lines if line not in FURNITURE]
    body = kept[1:]
    assert body == attributed  # every attribution kept, in order, and no furniture
    assert all(" ".join(k.split()) in " ".join(page.split()) for k in kept)


@st.composite
def text_and_spans(draw):
    words = draw(st.lists(WORD, min_size=3, max_size=40))
    text = " ".join(words)
    starts = [0]
    for w in words[:-1]:
        starts.append(starts[-1] + len(w) + 1)
    # random char offsets: some on word boundaries, some inside words
    n = draw(st.integers(0, 6))
    spans = []
    for i in range(n):
        a = draw(st.integers(0, len(text) - 1))
        b = draw(st.integers(a + 1, len(text)))
        spans.append((a, b))
    return text, spans


@given(text_and_spans())
@settings(max_examples=200, deadline=None)
def test_conversion_keeps_or_reports_every_span(data):
    text, offsets = data
    entities = [{"id": i, "label": "QUOTE", "start_offset": a, "end_offset": b}
                for i, (a, b) in enumerate(offsets)]
    doc, problems = record_to_doc(NLP, {"id": "h", "text": text, "entities": entities, "relations": []})
    converted = {(s.start_char, s.end_char) for s in doc.spans[SPANS_KEY]}
    for a, b in offsets:
        if (a, b) in converted:
            assert doc.text[a:b] == text[a:b]
    reported = sum("does not align" in p or "out of range" in p for p in problems)
    overlap_reported = any("overlapping" in p for p in problems)
    assert len(converted) + reported == len(set(offsets)) or overlap_reported or len(set(offsets)) < len(offsets)


def test_chunks_cover_long_text_exactly():
    text = "\n\n".join(f"Paragraph {i} says “quote {i}” plainly." for i in range(20000))
    pieces = list(chunks(text, max_chars=10_000))
    assert "".join(p for _, p in pieces) == text
    assert all(text[o:o + len(p)] == p and len(p) <= 10_000 for o, p in pieces)


def quote_marker(doc):
    """Stand-in for the model in offset tests: every “...” is a QUOTE."""
    import re

    spans = [doc.char_span(m.start(), m.end(), label="QUOTE") for m in re.finditer(r"“[^”]*”", doc.text)]
    spans = [s for s in spans if s is not None]
    doc.spans[SPANS_KEY] = spans
    set_links(doc, link_by_rules(doc, spans))
    return doc


def test_offsets_stay_right_on_a_5mb_article():
    nlp = spacy.blank("en")
    nlp.add_pipe("quote_marker_for_tests") if "quote_marker_for_tests" in nlp.factory_names else None
    text = "\n\n".join(f"Paragraph {i} says “quote {i}” plainly." for i in range(130_000))
    assert len(text) > 5_000_000
    pieces = ((art_id, offset, rows) for art_id, offset, rows in
              extract_rows(_Marker(nlp), [("big", text)], batch_size=64))
    n = 0
    for _, _, rows in pieces:
        for row in rows:
            assert text[row["start"]:row["end"]] == row["quote"]
            n += 1
    assert n == 130_000


class _Marker:
    """Minimal nlp: tokenise and mark quotes, with the pipe() signature extract uses."""

    def __init__(self, nlp):
        self.nlp = nlp

    def pipe(self, items, as_tuples=True, batch_size=16):
        for text, context in items:
            yield quote_marker(self.nlp.make_doc(text)), context


def test_html_page_is_cleaned(tmp_path):
    page = tmp_path / "page.html"
    page.write_text(
        "<html><head><title>Kenya and Japan agree geothermal deal</title>"
        '<meta property="article:published_time" content="2024-03-02T14:24:00Z"></head><body>'
        "<nav><a href='/'>Home</a> | <a href='/world'>World</a></nav><article>"
        "<h1>Kenya and Japan agree geothermal deal</h1>"
        "<p>Kenya and Japan on Monday agreed to widen their cooperation on geothermal power.</p>"
        "<p>“This is a partnership for the next decade,” Energy Cabinet Secretary Opiyo Wandayi told reporters.</p>"
        "<div>SIGN UP FOR OUR AFRICA NEWSLETTER</div>"
        "<p>Japan's ambassador said Tokyo would fund two new drilling rigs.</p></article>"
        "<footer>© 2024 Example Media. All rights reserved.</footer></body></html>", encoding="utf8")
    cleaned = clean_file(page)
    assert cleaned["text"].split("\n\n") == [
        "Kenya and Japan agree geothermal deal",
        "Kenya and Japan on Monday agreed to widen their cooperation on geothermal power.",
        "“This is a partnership for the next decade,” Energy Cabinet Secretary Opiyo Wandayi told reporters.",
        "Japan's ambassador said Tokyo would fund two new drilling rigs."]
    assert cleaned["meta"]["published"] == "2024-03-02"


def test_guillemets_and_straight_quotes_keep_attribution():
    page = "Headline here\n\n«Nous répondrons», a déclaré la ministre.\n\n\"We will,\" he said."
    assert clean_page(page)["text"].count("\n\n") == 2


def run_script(root, name, *args):
    return subprocess.run([sys.executable, str(root / "scripts" / name), *map(str, args)],
                          capture_output=True, text=True)


def malformed(tmp_path):
    good = {"id": "a1", "text": "Ana Robles said talks resume.", "cats": [], "meta": {"published": "2024-01-01"},
            "entities": [{"id": 1, "label": "SPEAKER", "start_offset": 0, "end_offset": 10}], "relations": []}
    lines = [json.dumps(good), "{broken", json.dumps({"id": "a2", "text": "x"}),
             json.dumps({**good, "id": "a3", "entities": [{"id": 1, "label": "SPEAKER", "start_offset": 0, "end_offset": 99}]}),
             json.dumps({**good, "id": "a4", "entities": [{"id": 1, "label": "SPEAKER", "start_offset": 0, "end_offset": 2}]}),
             json.dumps({**good, "id": "a5", "entities": [{"id": 1, "label": "SOURCE", "start_offset": 0, "end_offset": 10}]}),
             json.dumps({**good, "id": "a6", "relations": [{"id": 1, "from_id": 1, "to_id": 7, "type": "same_as"}]})]
    path = tmp_path / "export.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf8")
    return path


def test_convert_names_file_line_and_article_and_writes_nothing(root, tmp_path):
    result = run_script(root, "convert.py", malformed(tmp_path), tmp_path / "out")
    assert result.returncode == 1
    assert "export.jsonl:2: not valid JSON" in result.stderr
    assert "export.jsonl:3 article a2: missing or mistyped entities" in result.stderr
    assert not (tmp_path / "out").exists()


def test_convert_reports_bad_spans_per_article(root, tmp_path):
    path = malformed(tmp_path)
    lines = path.read_text().splitlines()
    path.write_text("\n".join(lines[:1] + lines[3:]) + "\n")
    result = run_script(root, "convert.py", path, tmp_path / "out")
    assert result.returncode == 1
    for expected in ("article a3: SPEAKER [0:99]: offsets out of range",
                     "article a4: SPEAKER [0:2] 'An' does not align",
                     "article a5: unknown label 'SOURCE'",
                     "article a6: relation 1 (same_as) links a missing entity id"):
        assert expected in result.stderr
    assert not (tmp_path / "out").exists()


def test_validate_names_bad_lines(root, tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    result = run_script(root, "validate_corpus.py", malformed(tmp_path), raw)
    assert result.returncode == 1 and "export.jsonl:2: not valid JSON" in result.stderr
    assert "Traceback" not in result.stderr
