import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))


@pytest.fixture(scope="session")
def root():
    return ROOT


@pytest.fixture(scope="session")
def corpus_records():
    """The whole authored corpus, compiled in memory."""
    from markup import parse_article

    return [parse_article(p) for p in sorted((ROOT / "corpus" / "articles").glob("*.txt"))]


@pytest.fixture(scope="session")
def project_run(tmp_path_factory):
    """Run the whole weasel workflow with the small CPU config on a slice of the corpus."""
    import shutil
    import subprocess

    work = tmp_path_factory.mktemp("project")
    for name in ("project.yml", "configs", "scripts"):
        src = ROOT / name
        (shutil.copytree if src.is_dir() else shutil.copy)(src, work / name)
    articles = sorted((ROOT / "corpus" / "articles").glob("*.txt"))[::8]
    (work / "corpus" / "articles").mkdir(parents=True)
    for path in articles:
        shutil.copy(path, work / "corpus" / "articles" / path.name)
    result = subprocess.run(
        [sys.executable, "-m", "weasel", "run", "all", str(work), "--vars.config", "cpu", "--vars.epochs", "3"],
        capture_output=True, text=True, timeout=1200)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return work, result.stdout


@pytest.fixture(scope="session")
def params_of():
    """A copy of every parameter array of a thinc model, to compare before and after an update."""
    def params(model):
        return [node.get_param(name).copy() for node in model.walk() for name in node.param_names
                if node.has_param(name)]
    return params
