"""Both configs load, resolve with the project's code, and name no machine path."""
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


def test_encoder_path_resolves_to_the_installed_weights():
    path = quotes.encoder_path()
    assert path.endswith("model") and (__import__("pathlib").Path(path) / "config.json").exists()


def test_encoder_path_falls_back_without_the_package():
    assert quotes.encoder_path(package="no_such_package_here") == "sentence-transformers/all-MiniLM-L6-v2"
