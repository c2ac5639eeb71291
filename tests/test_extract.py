"""extract_quotes on a sample: rows per quote, and bad inputs named, not fatal."""
import csv
import json
import subprocess
import sys


def run_extract(root, model, inputs, output):
    return subprocess.run([sys.executable, str(root / "scripts" / "extract_quotes.py"), *map(str, inputs),
                           "--model", str(model), "--output", str(output)],
                          capture_output=True, text=True)


def test_extract_rows_and_bad_inputs(project_run, root, tmp_path):
    work, _ = project_run
    model = work / "training" / "cpu" / "model-best"
    pages = tmp_path / "pages"
    pages.mkdir()
    good = sorted((work / "corpus" / "raw").glob("*.txt"))[:2]
    for page in good:
        (pages / page.name).write_bytes(page.read_bytes())
    (pages / "empty.txt").write_text("")
    (pages / "blank.txt").write_text("  \n\n ")
    (pages / "image.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    jsonl = tmp_path / "more.jsonl"
    jsonl.write_text(json.dumps({"id": "j1", "text": "“We will respond,” the minister said."}) + "\n"
                     + "{broken\n" + json.dumps({"id": "j2"}) + "\n")
    out = tmp_path / "quotes.csv"
    result = run_extract(root, model, [pages, jsonl], out)
    assert result.returncode == 1  # some inputs failed, and the run says so at the end
    for name in ("empty.txt", "blank.txt", "image.txt", "more.jsonl:2", "more.jsonl:3"):
        assert name in result.stderr
    assert "5 inputs failed" in result.stderr
    assert "from 3 articles" in result.stdout  # two pages and one JSONL line
    rows = list(csv.DictReader(out.open(encoding="utf8")))
    assert rows and set(rows[0]) == {"article_id", "speaker_name", "speaker", "cue", "quote",
                                     "quote_type", "start", "end", "topics"}
    assert {r["quote_type"] for r in rows} <= {"DIRECT", "INDIRECT", "MIXED"}
    texts = {p.stem: None for p in good}
    assert {r["article_id"] for r in rows} <= set(texts) | {"j1"}


def test_extract_jsonl_output_and_bad_suffix(project_run, root, tmp_path):
    work, _ = project_run
    model = work / "training" / "cpu" / "model-best"
    out = tmp_path / "quotes.jsonl"
    result = run_extract(root, model, [work / "corpus" / "raw"], out)
    assert result.returncode == 0, result.stderr[-2000:]
    rows = [json.loads(line) for line in out.read_text(encoding="utf8").splitlines()]
    assert all(isinstance(r["start"], int) and r["end"] > r["start"] for r in rows)
    bad = run_extract(root, model, [work / "corpus" / "raw"], tmp_path / "quotes.xlsx")
    assert bad.returncode == 2 and "must end in .jsonl or .csv" in bad.stderr


def test_non_english_and_10000_article_jsonl(project_run, root, tmp_path):
    work, _ = project_run
    model = work / "training" / "cpu" / "model-best"
    pages = tmp_path / "pages"
    pages.mkdir()
    (pages / "fr.txt").write_text("Paris et Berlin s'accordent\n\n« Nous répondrons », a déclaré la ministre.",
                                  encoding="utf8")
    (pages / "zh.txt").write_text("中国外交部发言人表示\n\n“我们将作出回应，”发言人说。", encoding="utf8")
    archive = tmp_path / "archive.jsonl"
    with archive.open("w", encoding="utf8") as f:
        for i in range(10_000):
            f.write(json.dumps({"id": f"a{i}", "text": f"“We will respond {i},” the minister said."}) + "\n")
    out = tmp_path / "quotes.jsonl"
    result = run_extract(root, model, [pages, archive], out)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "from 10002 articles" in result.stdout
    rows = [json.loads(line) for line in out.read_text(encoding="utf8").splitlines()]
    assert all(r["article_id"] in {"fr", "zh"} or r["article_id"].startswith("a") for r in rows)
