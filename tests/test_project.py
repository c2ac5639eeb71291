"""End to end: weasel workflow -> wheel -> install -> load by name in a fresh process."""
import json
import subprocess
import sys
import venv


def test_workflow_writes_every_output(project_run):
    work, log = project_run
    for path in ("corpus/annotations.jsonl", "corpus/prepared.jsonl", "corpus/stats.json",
                 "corpus/split.tsv", "corpus/train.spacy", "corpus/dev.spacy", "corpus/test.spacy",
                 "training/cpu/model-best", "training/evaluation.json", "training/quotes.csv"):
        assert (work / path).exists(), path
    metrics = json.loads((work / "training" / "evaluation.json").read_text())
    assert set(metrics["spans"]["exact"]) == {"SPEAKER", "CUE", "QUOTE"}
    assert metrics["speed"]["words_per_second"] > 0
    assert list((work / "training" / "displacy").glob("*.html"))
    assert "words per second" in log


def test_rerun_skips_what_is_up_to_date(project_run):
    work, _ = project_run
    result = subprocess.run([sys.executable, "-m", "weasel", "run", "convert", str(work)],
                            capture_output=True, text=True)
    assert result.returncode == 0 and "Skipping 'convert'" in result.stdout


def test_wheel_installs_and_loads_by_name_in_a_fresh_process(project_run, tmp_path):
    work, _ = project_run
    (wheel,) = (work / "packages").glob("en_diplomatic_quotes-*/dist/*.whl")
    env_dir = tmp_path / "venv"
    # System site packages provide spaCy; the model itself comes only from its wheel.
    venv.create(env_dir, system_site_packages=True, with_pip=True)
    python = env_dir / "bin" / "python"
    subprocess.run([str(python), "-m", "pip", "install", "-q", "--no-deps", str(wheel)], check=True)
    code = (
        "import spacy, json\n"
        "nlp = spacy.load('en_diplomatic_quotes')\n"
        "doc = nlp('“We will respond,” the minister said on Friday.')\n"
        "print(json.dumps({'pipes': nlp.pipe_names, 'cats': sorted(doc.cats),"
        " 'quotes': doc._.quotes, 'has_spans': 'attribution' in doc.spans}))\n")
    out = subprocess.run([str(python), "-c", code], cwd=tmp_path, capture_output=True, text=True,
                         env={"PATH": "/usr/bin:/bin", "HF_HUB_OFFLINE": "1"})
    assert out.returncode == 0, out.stderr[-2000:]
    result = json.loads(out.stdout.strip().splitlines()[-1])
    assert result["pipes"][-1] == "quote_attribution" and result["has_spans"]
    assert len(result["cats"]) == 12
