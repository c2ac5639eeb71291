"""The doccano loop against a real doccano server, started by scripts/doccano_server.py.

Articles are pushed, annotated through doccano's REST API (the one its web app calls) by an
annotator, pulled, and compared with what was pushed plus the annotator's edits. Then every
way a push or pull can fail: each names the problem in one line, and the corpus stays as
it was. Each test works on copies of corpus articles in its own folder and doccano project.
"""
import copy
import json
import os
import re
import shutil
import socket
import subprocess
import sys

import pytest
import requests
import spacy

from decompile import canonical
from doccano_records import TOPIC_LIST, topic_span
from markup import parse_article
from quotes import SPANS_KEY, TOPICS

PASSWORD = "loop-test-admin"
ANNOTATOR_PASSWORD = "loop-test-annotator-1"
# Nothing from the caller's environment may point the scripts at another server.
ENV = {k: v for k, v in os.environ.items() if not k.startswith("DOCCANO_")}
RAW_PAGE = """Peru and Japan agree to study a fisheries pact
Published Mon, Mar 4, 2024 · 10:00 AM
Peru's fisheries minister, Rosa Quispe, said on Monday that the two countries would study a joint pact for the Pacific fleets.
“We want our fleets to work together, not against each other,” she told reporters in Lima.
SIGN UP FOR OUR LATIN AMERICA NEWSLETTER
"""


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def annotate_env(root):
    """The client's environment, built on first use."""
    command = [sys.executable, str(root / "scripts" / "doccano_env.py"), "annotate"]
    result = subprocess.run(command, capture_output=True, text=True, timeout=600, env=ENV)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.fixture(scope="session")
def doccano(root, annotate_env, tmp_path_factory):
    """A doccano server on a free loopback port; its environment is built on first use."""
    data = tmp_path_factory.mktemp("doccano-data")
    server = [sys.executable, str(root / "scripts" / "doccano_server.py")]
    result = subprocess.run(server + ["start", "--port", str(_free_port()), "--data-dir", str(data),
                                      "--password", PASSWORD], capture_output=True, text=True, timeout=900, env=ENV)
    assert result.returncode == 0, result.stdout + result.stderr
    yield result.stdout.split("running at ")[1].split()[0]
    subprocess.run(server + ["stop", "--data-dir", str(data)], timeout=120, env=ENV)


@pytest.fixture(scope="session")
def picked(corpus_records):
    """Three corpus articles fit for the edits below: a speaker of several words, two or
    more speakers, a quote with a cue, some topic left to add."""
    def fits(record):
        text, ents = record["text"], record["entities"]
        speakers = [e for e in ents if e["label"] == "SPEAKER"]
        return (len(speakers) >= 2 and any(" " in text[e["start_offset"]:e["end_offset"]] for e in speakers)
                and any(r["type"] == "cue" for r in record["relations"])
                and len(record["cats"]) < len(TOPICS) and all(ord(c) <= 0xFFFF for c in text))

    return [r for r, _ in corpus_records if fits(r)][:3]


class Loop:
    """Runs annotate_push.py and annotate_pull.py on a workspace's corpus folder."""

    def __init__(self, root, url, workspace, project):
        self.root, self.url, self.project = root, url, project
        self.articles = workspace / "corpus" / "articles"
        self.state = workspace / "corpus" / "doccano_state.json"

    def run(self, script, *args, url=None, password=PASSWORD):
        command = [sys.executable, str(self.root / "scripts" / script), *map(str, args),
                   "--url", url or self.url, "--user", "admin", "--password", password,
                   "--project", self.project, "--articles-dir", str(self.articles), "--state-file", str(self.state)]
        return subprocess.run(command, capture_output=True, text=True, timeout=300, env=ENV)

    def push(self, *inputs, **kwargs):
        return self.run("annotate_push.py", *inputs, **kwargs)

    def pull(self, *args, **kwargs):
        return self.run("annotate_pull.py", *args, **kwargs)

    def snapshot(self):
        return {p.name: p.read_bytes() for p in self.articles.parent.rglob("*") if p.is_file()}


@pytest.fixture()
def workspace(root, tmp_path, picked):
    articles = tmp_path / "corpus" / "articles"
    articles.mkdir(parents=True)
    for record in picked:
        shutil.copy(root / "corpus" / "articles" / f"{record['id']}.txt", articles)
    return tmp_path


def _session(url, user, password):
    session = requests.Session()
    session.post(f"{url}/v1/auth/login/", json={"username": user, "password": password}).raise_for_status()
    session.headers["X-CSRFToken"] = session.cookies["csrftoken"]
    return session


class Annotator:
    """Annotates through doccano's REST API, as its web app does for an annotator."""

    def __init__(self, url, project):
        self.admin = _session(url, "admin", PASSWORD)
        pid = next(p["id"] for p in self.admin.get(f"{url}/v1/projects").json()["results"] if p["name"] == project)
        self.api = f"{url}/v1/projects/{pid}"
        name = f"annotator-{pid}"
        user = self.admin.post(f"{url}/v1/users/create", json={
            "username": name, "email": f"{name}@example.com",
            "password1": ANNOTATOR_PASSWORD, "password2": ANNOTATOR_PASSWORD}).json()
        role = next(r["id"] for r in self.admin.get(f"{url}/v1/roles").json() if r["name"] == "annotator")
        self.admin.post(f"{self.api}/members", json={"user": user["id"], "role": role}).raise_for_status()
        self.session = _session(url, name, ANNOTATOR_PASSWORD)
        self.examples = {e["meta"]["article_id"]: e for e in self.call("get", "examples?limit=100")["results"]}
        self.span_types = {t["text"]: t["id"] for t in self.call("get", "span-types")}
        self.relation_types = {t["text"]: t["id"] for t in self.call("get", "relation-types")}

    def call(self, method, path, **kwargs):
        response = getattr(self.session, method)(f"{self.api}/{path}", **kwargs)
        response.raise_for_status()
        return response.json() if response.content else None

    def _example(self, art_id):
        return f"examples/{self.examples[art_id]['id']}"

    def span_id(self, art_id, label, start, end):
        return next(s["id"] for s in self.call("get", f"{self._example(art_id)}/spans")
                    if (s["label"], s["start_offset"], s["end_offset"]) == (self.span_types[label], start, end))

    def add_span(self, art_id, label, start, end):
        return self.call("post", f"{self._example(art_id)}/spans", json={
            "label": self.span_types[label], "start_offset": start, "end_offset": end})["id"]

    def delete_span(self, art_id, span_id):
        self.call("delete", f"{self._example(art_id)}/spans/{span_id}")

    def relations(self, art_id):
        types = {v: k for k, v in self.relation_types.items()}
        return [{**r, "type": types[r["type"]]} for r in self.call("get", f"{self._example(art_id)}/relations")]

    def add_relation(self, art_id, from_id, to_id, rel_type):
        self.call("post", f"{self._example(art_id)}/relations", json={
            "from_id": from_id, "to_id": to_id, "type": self.relation_types[rel_type]})

    def delete_relation(self, art_id, relation_id):
        self.call("delete", f"{self._example(art_id)}/relations/{relation_id}")

    def done(self, art_id):
        self.call("post", f"{self._example(art_id)}/states", json={})


def _entity(record, entity_id):
    return next(e for e in record["entities"] if e["id"] == entity_id)


def _offsets(e):
    return e["label"], e["start_offset"], e["end_offset"]


def redraw_speaker(ann, record):
    """Delete a speaker mention of several words and draw it again without its first word,
    linked as before."""
    text = record["text"]
    e = next(e for e in record["entities"] if e["label"] == "SPEAKER"
             and " " in text[e["start_offset"]:e["end_offset"]])
    old = ann.span_id(record["id"], *_offsets(e))
    links = [r for r in ann.relations(record["id"]) if old in (r["from_id"], r["to_id"])]
    for r in links:
        ann.delete_relation(record["id"], r["id"])
    ann.delete_span(record["id"], old)
    e["start_offset"] = text.index(" ", e["start_offset"]) + 1
    new = ann.add_span(record["id"], *_offsets(e))
    for r in links:
        ann.add_relation(record["id"], new if r["from_id"] == old else r["from_id"],
                         new if r["to_id"] == old else r["to_id"], r["type"])


def swap_topics(ann, record):
    """Add a topic the article lacks and take away one it has."""
    added = next(t for t in TOPICS if t not in record["cats"])
    ann.add_span(record["id"], added, *topic_span(record["text"], added))
    if record["cats"]:
        removed = record["cats"].pop(0)
        ann.delete_span(record["id"], ann.span_id(record["id"], removed, *topic_span(record["text"], removed)))
    record["cats"].append(added)


def relink_quote(ann, record):
    """Give a quote another speaker, and take a quote's cue away."""
    said_by = next(r for r in record["relations"] if r["type"] == "said_by")
    other = next(e for e in record["entities"] if e["label"] == "SPEAKER" and e["id"] != said_by["to_id"])
    quote, speaker = _entity(record, said_by["from_id"]), _entity(record, said_by["to_id"])
    ids = {k: ann.span_id(record["id"], *_offsets(e)) for k, e in (("q", quote), ("s", speaker), ("o", other))}
    old = next(r for r in ann.relations(record["id"]) if (r["from_id"], r["to_id"]) == (ids["q"], ids["s"]))
    ann.delete_relation(record["id"], old["id"])
    ann.add_relation(record["id"], ids["q"], ids["o"], "said_by")
    said_by["to_id"] = other["id"]
    cue = next(r for r in record["relations"] if r["type"] == "cue")
    q_id, c_id = (ann.span_id(record["id"], *_offsets(_entity(record, cue[k]))) for k in ("from_id", "to_id"))
    ann.delete_relation(record["id"], next(r["id"] for r in ann.relations(record["id"])
                                           if (r["from_id"], r["to_id"], r["type"]) == (q_id, c_id, "cue")))
    record["relations"].remove(cue)
    for entity in (speaker, _entity(record, cue["to_id"])):
        drop_if_orphaned(ann, record, entity)


def drop_if_orphaned(ann, record, entity):
    """A careful annotator deletes a SPEAKER or CUE that no relation touches any more (3.25)."""
    if not any(entity["id"] in (r["from_id"], r["to_id"]) for r in record["relations"]):
        ann.delete_span(record["id"], ann.span_id(record["id"], *_offsets(entity)))
        record["entities"].remove(entity)


def annotate_new_article(ann, art_id, text):
    """Annotate an unannotated article from scratch; return what it now holds."""
    ids, entities = {}, []
    for key, label, snippet in (("s1", "SPEAKER", "Rosa Quispe"), ("c1", "CUE", "said"),
                                ("q1", "QUOTE", "the two countries would study a joint pact for the Pacific fleets"),
                                ("q2", "QUOTE", "“We want our fleets to work together, not against each other,”"),
                                ("s2", "SPEAKER", "she"), ("c2", "CUE", "told")):
        start = re.search(rf"(?<!\w){re.escape(snippet)}(?!\w)", text).start()
        ids[key] = ann.add_span(art_id, label, start, start + len(snippet))
        entities.append({"id": key, "label": label, "start_offset": start, "end_offset": start + len(snippet)})
    relations = [("q1", "s1", "said_by"), ("q1", "c1", "cue"), ("q2", "s2", "said_by"), ("q2", "c2", "cue"),
                 ("s2", "s1", "same_as")]
    for source, target, rel_type in relations:
        ann.add_relation(art_id, ids[source], ids[target], rel_type)
    ann.add_span(art_id, "DIPLOMATIC_RELATIONS", *topic_span(text, "DIPLOMATIC_RELATIONS"))
    return {"id": art_id, "text": text, "entities": entities, "cats": ["DIPLOMATIC_RELATIONS"],
            "relations": [{"id": i, "from_id": f, "to_id": t, "type": typ} for i, (f, t, typ) in enumerate(relations)],
            "meta": {"published": "2024-03-04", "style": "scraped", "source": "peru-fisheries.txt"}}


def test_push_annotate_pull_round_trip(root, doccano, workspace, picked, tmp_path):
    loop = Loop(root, doccano, workspace, "round-trip")
    page, jsonl = tmp_path / "peru-fisheries.txt", tmp_path / "more.jsonl"
    page.write_text(RAW_PAGE, encoding="utf8")
    unedited = {"id": "new-002", "text": "Oslo hosts talks on Arctic shipping\n\nNorway opened the talks.",
                "meta": {"published": "2024-05-06", "style": "scraped", "source": "wire.jsonl:7"},
                "entities": [], "relations": [], "cats": []}
    jsonl.write_text(json.dumps({"text": unedited["text"], "meta": unedited["meta"]}) + "\n", encoding="utf8")
    a, b, c = (copy.deepcopy(r) for r in picked)
    originals = {r["id"]: parse_article(loop.articles / f"{r['id']}.txt") for r in (a, b, c)}
    pushed = loop.push(*(loop.articles / f"{r['id']}.txt" for r in (a, b, c)), page, jsonl)
    assert pushed.returncode == 0, pushed.stderr
    assert "new-001: new article from peru-fisheries.txt" in pushed.stdout
    assert "new-002: new article from wire.jsonl:7" in pushed.stdout

    ann = Annotator(doccano, "round-trip")
    redraw_speaker(ann, a)
    swap_topics(ann, a)
    relink_quote(ann, b)
    swap_topics(ann, copy.deepcopy(c))  # c is edited but not marked done: it must not come back
    new_text = ann.examples["new-001"]["text"][:-len(TOPIC_LIST)]
    new = annotate_new_article(ann, "new-001", new_text)
    for art_id in (a["id"], b["id"], "new-001", "new-002"):  # new-002 as pushed, unedited
        ann.done(art_id)
    c_before = (loop.articles / f"{c['id']}.txt").read_bytes()

    pulled = loop.pull()
    assert pulled.returncode == 0, pulled.stderr
    assert f"{a['id']}: updated from doccano" in pulled.stdout and "new-001: added from doccano" in pulled.stdout
    assert "1 not marked done yet" in pulled.stdout
    for expected in (a, b, new, unedited):
        record, raw = parse_article(loop.articles / f"{expected['id']}.txt")
        assert canonical(record) == canonical(expected), expected["id"]
        if expected["id"] in originals:  # the page furniture lines stay in the file
            assert raw == originals[expected["id"]][1]
    assert (loop.articles / f"{c['id']}.txt").read_bytes() == c_before

    again = loop.pull()
    assert again.returncode == 0 and "0 written" in again.stdout, again.stdout + again.stderr


def _free_word(record):
    """Offsets of the first word that no span covers."""
    return next(m.span() for m in re.finditer(r"\b[A-Za-z]{3,}\b", record["text"])
                if all(m.end() <= e["start_offset"] or m.start() >= e["end_offset"] for e in record["entities"]))


def _one_line_error(result, message):
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert any(message in line for line in lines), result.stderr
    return lines


def test_unreachable_server(root, annotate_env, workspace):
    loop = Loop(root, f"http://127.0.0.1:{_free_port()}", workspace, "unreachable")
    before = loop.snapshot()
    lines = _one_line_error(loop.push(loop.articles), "cannot reach doccano at http://127.0.0.1:")
    assert len(lines) == 1
    _one_line_error(loop.pull(), "cannot reach doccano")
    assert loop.snapshot() == before


def test_wrong_password_and_missing_project(root, doccano, workspace):
    loop = Loop(root, doccano, workspace, "no-such-project")
    _one_line_error(loop.push(loop.articles, password="wrong"), "refused the login of 'admin'")
    lines = _one_line_error(loop.pull(), "has no project named 'no-such-project'")
    assert len(lines) == 1 and not loop.state.exists()


def test_label_outside_the_scheme_fails_the_whole_pull(root, doccano, workspace, picked):
    loop = Loop(root, doccano, workspace, "outside-scheme")
    a, b = picked[:2]
    assert loop.push(loop.articles).returncode == 0
    ann = Annotator(doccano, "outside-scheme")
    ann.admin.post(f"{ann.api}/span-types", json={"text": "LOCATION", "background_color": "#000000",
                                                  "text_color": "#ffffff"}).raise_for_status()
    ann.span_types = {t["text"]: t["id"] for t in ann.call("get", "span-types")}
    start, end = _free_word(a)
    ann.add_span(a["id"], "LOCATION", start, end)
    swap_topics(ann, copy.deepcopy(b))  # a valid change, which must not be written either
    ann.done(a["id"])
    ann.done(b["id"])
    before = loop.snapshot()
    lines = _one_line_error(loop.pull(), f"{a['id']}: LOCATION [{start}:{end}]: label 'LOCATION' is not in the scheme")
    assert "nothing was written" in lines[-1]
    assert loop.snapshot() == before


def test_offsets_that_no_longer_match_the_text(root, doccano, workspace, picked):
    loop = Loop(root, doccano, workspace, "offsets")
    a, b = picked[:2]
    assert loop.push(loop.articles).returncode == 0
    ann = Annotator(doccano, "offsets")
    edited = ann.examples[a["id"]]
    ann.admin.patch(f"{ann.api}/examples/{edited['id']}", json={"text": "UPDATE: " + edited["text"]}).raise_for_status()
    end = len(ann.examples[b["id"]]["text"])
    ann.add_span(b["id"], "CUE", end + 5, end + 9)
    ann.done(a["id"])
    ann.done(b["id"])
    before = loop.snapshot()
    result = loop.pull()
    _one_line_error(result, f"{a['id']}: its text was edited in doccano after the push")
    _one_line_error(result, f"{b['id']}: CUE [{end + 5}:{end + 9}]: offsets do not match the text")
    assert loop.snapshot() == before


def test_conflict_with_a_newer_local_edit(root, doccano, workspace, picked):
    loop = Loop(root, doccano, workspace, "conflict")
    a, b = picked[:2]
    assert loop.push(loop.articles).returncode == 0
    ann = Annotator(doccano, "conflict")
    theirs = {}
    for record in (a, b):
        path = loop.articles / f"{record['id']}.txt"
        path.write_text(re.sub(r"(?m)^topics:.*$", "topics:", path.read_text(encoding="utf8")), encoding="utf8")
        theirs[record["id"]] = copy.deepcopy(record)
        swap_topics(ann, theirs[record["id"]])
        ann.done(record["id"])
    local = loop.snapshot()

    result = loop.pull()
    for record in (a, b):
        _one_line_error(result, f"{record['id']}: conflict: changed in doccano, and "
                        f"{loop.articles / (record['id'] + '.txt')} was edited since the push")
    assert loop.snapshot() == local

    settled = loop.pull("--keep-local", a["id"], "--take-doccano", b["id"])
    assert settled.returncode == 0, settled.stderr
    assert (loop.articles / f"{a['id']}.txt").read_bytes() == local[f"{a['id']}.txt"]
    assert canonical(parse_article(loop.articles / f"{b['id']}.txt")[0]) == canonical(theirs[b["id"]])
    assert loop.pull().returncode == 0  # settled: no conflict any more


def test_new_articles_are_pre_annotated_by_a_model(root, doccano, workspace, tmp_path):
    nlp = spacy.blank("en")
    ruler = nlp.add_pipe("span_ruler", config={"spans_key": SPANS_KEY, "annotate_ents": False})
    ruler.add_patterns([{"label": "SPEAKER", "pattern": "Rosa Quispe"}, {"label": "CUE", "pattern": "said"}])
    nlp.to_disk(tmp_path / "model")
    page = tmp_path / "peru-fisheries.txt"
    page.write_text(RAW_PAGE, encoding="utf8")
    loop = Loop(root, doccano, workspace, "pre-annotated")
    assert loop.push(page, "--model", tmp_path / "model").returncode == 0
    ann = Annotator(doccano, "pre-annotated")
    text = ann.examples["new-001"]["text"]
    labels = {v: k for k, v in ann.span_types.items()}
    spans = {(labels[s["label"]], text[s["start_offset"]:s["end_offset"]])
             for s in ann.call("get", f"{ann._example('new-001')}/spans")}
    assert spans == {("SPEAKER", "Rosa Quispe"), ("CUE", "said")}


def test_model_predictions_become_spans_links_and_topics():
    from annotate_push import predicted_record
    from quotes import link_by_rules, set_links

    nlp = spacy.blank("en")
    text = "Ana Robles said talks would open.\n\n“We are ready,” she told reporters."
    doc = nlp.make_doc(text)
    spans = [doc.char_span(text.index(s), text.index(s) + len(s), label=label) for s, label in (
        ("Ana Robles", "SPEAKER"), ("said", "CUE"), ("talks would open", "QUOTE"),
        ("“We are ready,”", "QUOTE"), ("she", "SPEAKER"), ("told", "CUE"))]
    doc.spans[SPANS_KEY] = spans
    set_links(doc, link_by_rules(doc, spans))
    doc.cats = {t: float(t == "TRADE") for t in TOPICS}
    record = predicted_record(doc, {"id": "new-001", "text": text, "meta": {"published": "2024-01-02"}})
    by_text = {text[e["start_offset"]:e["end_offset"]]: e["id"] for e in record["entities"]}
    assert {(r["from_id"], r["to_id"], r["type"]) for r in record["relations"]} == {
        (by_text["talks would open"], by_text["Ana Robles"], "said_by"), (by_text["talks would open"], by_text["said"], "cue"),
        (by_text["“We are ready,”"], by_text["she"], "said_by"), (by_text["“We are ready,”"], by_text["told"], "cue"),
        (by_text["she"], by_text["Ana Robles"], "same_as")}
    assert record["cats"] == ["TRADE"]


def test_a_failed_write_restores_the_corpus(tmp_path, monkeypatch):
    import annotate_pull
    from doccano_loop import LoopError

    articles, staging = tmp_path / "articles", tmp_path / "staging"
    articles.mkdir()
    staging.mkdir()
    (articles / "x-001.txt").write_text("old", encoding="utf8")
    for name in ("x-001", "x-002"):
        (staging / f"{name}.txt").write_text("new", encoding="utf8")
    real_replace, calls = os.replace, []

    def failing_replace(src, dst):
        calls.append(dst)
        if len(calls) == 2:
            raise OSError("disk full")
        real_replace(src, dst)

    monkeypatch.setattr(annotate_pull.os, "replace", failing_replace)
    with pytest.raises(LoopError, match="restored"):
        annotate_pull.commit({"x-001": {}, "x-002": {}}, articles, staging, tmp_path / "state.json", {})
    assert (articles / "x-001.txt").read_text(encoding="utf8") == "old"
    assert not (articles / "x-002.txt").exists() and not (tmp_path / "state.json").exists()
