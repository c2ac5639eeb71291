"""The trainable quote linker learns links, handles empty docs, and survives serialisation."""
import random

import pytest
import spacy
from spacy.training import Example

from convert import record_to_doc
from quotes import SPANS_KEY

TOK2VEC = {"@architectures": "spacy.HashEmbedCNN.v2", "width": 64, "depth": 2, "embed_size": 2000,
           "window_size": 1, "maxout_pieces": 2, "subword_features": True, "pretrained_vectors": None}


def make_nlp():
    nlp = spacy.blank("en")
    nlp.add_pipe("quote_attribution", config={"linker": "model", "model": {
        "@architectures": "diplomatic.PairScorer.v1", "hidden_width": 32, "tok2vec": TOK2VEC}})
    return nlp


@pytest.fixture(scope="module")
def trained(corpus_records):
    nlp = make_nlp()
    gold = [record_to_doc(nlp, r)[0] for r, _ in corpus_records[:6] if r["entities"]]
    examples = []
    for doc in gold:
        pred = nlp.make_doc(doc.text)
        pred.spans[SPANS_KEY] = [pred.char_span(s.start_char, s.end_char, label=s.label_)
                                 for s in doc.spans[SPANS_KEY]]
        examples.append(Example(pred, doc))
    optimizer = nlp.initialize(lambda: examples)
    random.seed(0)
    for _ in range(30):
        random.shuffle(examples)
        nlp.update(examples, sgd=optimizer)
    return nlp, examples


def test_learns_the_training_links(trained):
    nlp, examples = trained
    scores = nlp.evaluate(examples)
    assert scores["said_by_f"] > 0.9 and scores["speaker_name_acc"] > 0.8


def test_rules_are_the_default_and_a_bad_linker_is_refused():
    nlp = spacy.blank("en")
    assert nlp.add_pipe("quote_attribution", config={"model": {
        "@architectures": "diplomatic.PairScorer.v1", "tok2vec": TOK2VEC}}).cfg["linker"] == "rules"
    with pytest.raises(ValueError, match="linker must be one of"):
        spacy.blank("en").add_pipe("quote_attribution", config={"linker": "magic", "model": {
            "@architectures": "diplomatic.PairScorer.v1", "tok2vec": TOK2VEC}})


def test_empty_docs_and_docs_without_spans(trained):
    nlp, _ = trained
    docs = list(nlp.pipe(["", "Nothing was said.", "Another plain sentence."]))
    assert all(doc._.quotes == [] for doc in docs)


def test_round_trip_keeps_predictions(trained, tmp_path):
    nlp, examples = trained
    nlp.to_disk(tmp_path / "model")
    again = spacy.load(tmp_path / "model")
    for eg in examples[:2]:
        doc1, doc2 = eg.predicted.copy(), eg.predicted.copy()
        assert nlp.get_pipe("quote_attribution")(doc1)._.quotes == \
            again.get_pipe("quote_attribution")(doc2)._.quotes


def test_rules_linker_lets_a_shared_tok2vec_learn(root, corpus_records, params_of):
    """A tok2vec updates only when its last listener backpropagates: with linker="rules"
    the unused scorer must still pass a gradient, or the shared tok2vec never trains
    (configs/cpu.cfg, where ner and the linker listen to one tok2vec)."""
    from spacy.util import load_config, load_model_from_config

    nlp = load_model_from_config(load_config(root / "configs" / "cpu.cfg"), auto_fill=True)
    gold = [record_to_doc(nlp, r)[0] for r, _ in corpus_records[:3] if r["entities"]]
    examples = [Example(nlp.make_doc(d.text), d) for d in gold]
    optimizer = nlp.initialize(lambda: examples)
    nlp.update(examples, sgd=optimizer)  # the parser's zero-initialised layer sends no gradient yet
    before = params_of(nlp.get_pipe("tok2vec").model)
    nlp.update(examples, sgd=optimizer)
    after = params_of(nlp.get_pipe("tok2vec").model)
    assert any((a != b).any() for a, b in zip(after, before))
