"""extract_archive and extract_distributed: the same rows as extract_quotes, however run.

The model is the CPU config initialised but not trained (built in seconds), without the
boundary repair: these tests compare the output of different ways of running it, not its
accuracy.
"""
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest
import typer

from extract_archive import extract, read_rows
from extract_distributed import extract_distributed


@pytest.fixture(scope="session")
def tiny_model(tmp_path_factory, root, corpus_records):
    import spacy
    from spacy.training import Example

    import quotes  # noqa: F401  (registers the pipeline's components)
    from convert import record_to_doc

    spacy.util.fix_random_seed(0)
    config = spacy.util.load_config(root / "configs" / "cpu.cfg")
    # An untrained ner tags each article as one QUOTE across its paragraphs, which the
    # boundary repair rightly drops; without the repair those spans still give rows.
    config["components"]["quote_attribution"]["repair"] = False
    nlp = spacy.util.load_model_from_config(config, auto_fill=True, validate=True)
    blank = spacy.blank("en")
    examples = [Example(nlp.make_doc(r["text"]), record_to_doc(blank, r)[0]) for r, _ in corpus_records[:12]]
    nlp.initialize(lambda: examples)
    path = tmp_path_factory.mktemp("model") / "tiny"
    nlp.to_disk(path)
    return str(path)


def write_jsonl(path, records, extra_lines=()):
    """Records as JSONL; extra_lines are (index, raw line) inserted before record index."""
    extra = dict(extra_lines)
    with path.open("w", encoding="utf8") as f:
        for i, rec in enumerate(records):
            if i in extra:
                f.write(extra[i] + "\n")
            f.write(json.dumps(rec, ensure_ascii=False) + "\n")
    return path


def archive_records(corpus_records, n, shorten=False):
    """n articles made from corpus texts, repeated with new ids."""
    texts = [r["text"] for r, _ in corpus_records]
    if shorten:  # first two paragraphs: small articles, quick to run
        texts = ["\n\n".join(t.split("\n\n")[:2]) for t in texts]
    return [{"id": f"art-{i:05d}", "text": texts[i % len(texts)]} for i in range(n)]


BAD_LINES = [(3, "{broken"), (5, json.dumps({"id": "no-text"})), (8, ""), (9, json.dumps({"id": "e", "text": "  "}))]


@pytest.fixture(scope="session")
def archive(tmp_path_factory, corpus_records):
    """61 articles as JSONL (with bad lines) and as Parquet (small row groups, a null text).

    One article is longer than extract_quotes.MAX_CHARS, so it goes through in pieces."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    folder = tmp_path_factory.mktemp("archive")
    records = archive_records(corpus_records, 60)
    long_text = ""
    for r, _ in corpus_records:  # just over MAX_CHARS: two pieces
        long_text = f"{long_text}\n\n{r['text']}" if long_text else r["text"]
        if len(long_text) > 110_000:
            break
    records.insert(30, {"id": "long", "text": long_text})
    jsonl = write_jsonl(folder / "articles.jsonl", records, BAD_LINES)
    parquet = folder / "articles.parquet"
    table = pa.Table.from_pylist(records[:20] + [{"id": "null-text", "text": None}] + records[20:])
    pq.write_table(table, parquet, row_group_size=16)
    return folder, records, jsonl, parquet


@pytest.fixture(scope="session")
def reference_rows(archive, tiny_model, tmp_path_factory):
    """extract_quotes' own output on the JSONL archive."""
    import extract_quotes

    _, _, jsonl, _ = archive
    out = tmp_path_factory.mktemp("ref") / "quotes.jsonl"
    with pytest.raises(typer.Exit):  # exit code 1: the bad lines are reported
        extract_quotes.main(inputs=[jsonl], model=tiny_model, output=out, batch_size=16)
    rows = read_rows(out)
    assert rows, "the untrained model should still predict some quotes"
    return rows


def failures_of(state):
    return [f for part in state["parts"] for f in part["failures"]]


def test_streaming_jsonl_and_parquet_equal_extract_quotes(archive, tiny_model, reference_rows, tmp_path):
    _, records, jsonl, parquet = archive
    state = extract([jsonl], tmp_path / "q.jsonl", tiny_model, chunk_size=7, progress=False)
    assert read_rows(tmp_path / "q.jsonl") == reference_rows
    assert state["articles"] == len(records)  # articles without quotes count as done too
    sources = [source for source, _ in failures_of(state)]
    assert sources == [f"{jsonl}:{n}" for n in (4, 7, 13)]  # by line; the blank line is skipped
    assert not (tmp_path / "q.jsonl.parts").exists()

    state = extract([parquet], tmp_path / "q.parquet", tiny_model, chunk_size=7, progress=False)
    rows = read_rows(tmp_path / "q.parquet")
    assert rows == reference_rows
    assert isinstance(rows[0]["topics"], list) and isinstance(rows[0]["start"], int)
    assert [s for s, _ in failures_of(state)] == [f"{parquet}:row 21"]


def test_n_process_2_equals_1(archive, tiny_model, reference_rows, tmp_path):
    _, _, jsonl, _ = archive
    extract([jsonl], tmp_path / "q.jsonl", tiny_model, n_process=2, batch_size=4, chunk_size=10,
            progress=False)
    assert read_rows(tmp_path / "q.jsonl") == reference_rows


def test_distributed_local_equals_single_process(archive, tiny_model, reference_rows, tmp_path):
    _, records, jsonl, parquet = archive
    key = lambda r: json.dumps(r, sort_keys=True)  # noqa: E731
    result = extract_distributed([jsonl], tmp_path / "d.jsonl", tiny_model, workers=2,
                                 partition_size=9, progress=False)
    assert sorted(read_rows(tmp_path / "d.jsonl"), key=key) == sorted(reference_rows, key=key)
    assert result["partitions"] == 8 and result["articles"] == len(records)
    assert [s for s, _ in result["failures"]] == [f"{jsonl}:{n}" for n in (4, 7, 13)]


def test_distributed_on_existing_cluster_skips_finished_partitions(archive, tiny_model, reference_rows,
                                                                   tmp_path):
    from dask.distributed import LocalCluster

    from extract_distributed import plan_tasks, run_task
    from extract_archive import write_rows

    _, records, _, parquet = archive
    out = tmp_path / "d.parquet"
    # What an interrupted run leaves: the first partition finished. Its rows are marked so
    # that the output shows whether they were reused or computed again.
    parts = out.with_name(out.name + ".parts")
    parts.mkdir()
    first = run_task(plan_tasks([parquet], 30)[0], tiny_model, 16, str(parts), ".parquet")
    marked = [{**r, "cue": "MARK"} for r in read_rows(parts / first["file"])]
    write_rows(parts / first["file"], marked)

    # An existing cluster, as on a real one (here local): only its address is passed.
    with LocalCluster(n_workers=1, threads_per_worker=1, dashboard_address=None) as cluster:
        result = extract_distributed([parquet], out, tiny_model, partition_size=30,
                                     scheduler=cluster.scheduler_address, progress=False)
    assert result["partitions"] == 2  # row groups of 16 gathered into partitions of >= 30 rows
    assert result["articles"] == len(records)
    rows = read_rows(out)
    assert sum(r["cue"] == "MARK" for r in rows) == len(marked) > 0  # reused, not redone
    unmarked = lambda rows: sorted(json.dumps({**r, "cue": None}, sort_keys=True) for r in rows)  # noqa: E731
    assert unmarked(rows) == unmarked(reference_rows)  # nothing lost or doubled


def run_cli(root, *args):
    return subprocess.Popen([sys.executable, str(root / "scripts" / "extract_archive.py"), *map(str, args)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def test_killed_run_resumes_without_loss_or_duplicates(root, corpus_records, tiny_model, tmp_path):
    records = archive_records(corpus_records, 200, shorten=True)
    jsonl = write_jsonl(tmp_path / "articles.jsonl", records)
    expected_state = extract([jsonl], tmp_path / "whole.jsonl", tiny_model, chunk_size=10, progress=False)
    expected = read_rows(tmp_path / "whole.jsonl")

    out = tmp_path / "q.jsonl"
    manifest = tmp_path / "q.jsonl.parts" / "manifest.json"
    args = (jsonl, "--output", out, "--model", tiny_model, "--chunk-size", 10, "--batch-size", 2)
    # Killed with two nlp.pipe workers, resumed with none: the checkpoint does not care.
    proc = run_cli(root, *args, "--n-process", 2)
    deadline = time.time() + 120
    while time.time() < deadline and proc.poll() is None:
        if manifest.exists() and json.loads(manifest.read_text())["parts"]:
            break
        time.sleep(0.005)
    workers = psutil.Process(proc.pid).children(recursive=True)
    os.kill(proc.pid, signal.SIGKILL)
    _, orphans = psutil.wait_procs(workers, timeout=20)
    for orphan in orphans:  # clean up before failing
        orphan.kill()
    assert workers and not orphans, "nlp.pipe workers must not outlive a killed run"
    proc.communicate(timeout=30)
    state = json.loads(manifest.read_text())
    assert 0 < state["articles"] < len(records), "the kill must land mid-run"
    assert not out.exists()
    # What a kill between writing a part and recording it would leave behind.
    (manifest.parent / "part-999999.jsonl").write_text('{"article_id": "ghost"}\n')
    (manifest.parent / "manifest.json.tmp").write_text("{")

    resumed = run_cli(root, *args)
    stdout, stderr = resumed.communicate(timeout=300)
    assert resumed.returncode == 0, stderr[-2000:]
    assert f"from {len(records)} articles" in stdout
    rows = read_rows(out)
    assert rows == expected  # every article's rows, once, in input order
    assert expected_state["articles"] == len(records)
    ids = {r["article_id"] for r in rows}
    assert ids and "ghost" not in ids
    assert not out.with_name(out.name + ".parts").exists()


def test_one_run_at_a_time_per_output(tmp_path):
    from extract_archive import start_run

    out = tmp_path / "q.jsonl"
    _, lock = start_run(out, overwrite=False)
    with pytest.raises(ValueError, match="another run"):
        start_run(out, overwrite=True)  # not even to overwrite it
    lock.close()
    _, lock = start_run(out, overwrite=False)  # free again once the first run let go
    lock.close()


def test_existing_output_is_not_overwritten_silently(archive, tiny_model, root, tmp_path):
    _, _, jsonl, _ = archive
    out = tmp_path / "q.jsonl"
    out.write_text("keep\n")
    proc = run_cli(root, jsonl, "--output", out, "--model", tiny_model)
    _, stderr = proc.communicate(timeout=120)
    assert proc.returncode == 2 and "--overwrite" in stderr
    assert out.read_text() == "keep\n"
