"""Both configs load, resolve with the project's code, and name no machine path."""
import pickle

import pytest
import spacy
from spacy.util import load_config

import quotes


@pytest.mark.parametrize("name", ["cpu", "trf", "trf_uncased"])
def test_config_builds_pipeline(root, name):
    config = load_config(root / "configs" / f"{name}.cfg")
    assert "/root" not in config.to_str() and "site-packages" not in config.to_str()
    nlp = spacy.util.load_model_from_config(config, auto_fill=True, validate=True)
    assert nlp.pipe_names[-1] == "quote_attribution"
    assert {"ner", "textcat_multilabel"} <= set(nlp.pipe_names)
    pickle.dumps(nlp)  # nlp.pipe(n_process=2) pickles the pipeline


def test_encoder_path_resolves_to_the_installed_weights():
    path = quotes.encoder_path()
    assert path.endswith("model") and (__import__("pathlib").Path(path) / "config.json").exists()


def test_encoder_path_falls_back_without_the_package():
    assert quotes.encoder_path(package="no_such_package_here") == "sentence-transformers/all-MiniLM-L6-v2"


def test_trf_config_fine_tunes_the_encoder_and_topics_keep_their_own_rate(root, corpus_records, params_of):
    """configs/trf.cfg trains the transformer: every listener's backward pass (the ner's
    through a concatenation, the linker's) must reach it. The topic classifier steps with
    its own optimizer, so it learns even where the shared rate is 0."""
    from spacy.training import Example
    from spacy.util import load_model_from_config
    from thinc.api import Adam

    from convert import record_to_doc

    nlp = load_model_from_config(load_config(root / "configs" / "trf.cfg"), auto_fill=True)
    gold = [record_to_doc(nlp, r)[0] for r, _ in corpus_records[:2] if r["entities"]]
    examples = [Example(nlp.make_doc(d.text), d) for d in gold]
    nlp.initialize(lambda: examples)
    encoder = next(nlp.get_pipe("transformer").model.transformer.parameters())
    topics = nlp.get_pipe("textcat_multilabel").model

    encoder_before, topics_before = encoder.detach().clone(), params_of(topics)
    nlp.update(examples, sgd=Adam(0.0), exclude=["parser"])
    assert (encoder.detach() == encoder_before).all()
    assert any((a != b).any() for a, b in zip(params_of(topics), topics_before))

    nlp.update(examples, sgd=Adam(0.001), exclude=["parser"])
    assert not (encoder.detach() == encoder_before).all()
