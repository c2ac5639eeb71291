"""extract_archive on Dask: the same rows, from a local cluster or an existing one.

The driver cuts the input into partitions (runs of JSONL lines found by one scan of
byte offsets, or Parquet row groups); each partition is one task. A task reads only its
own slice with extract_archive's readers, runs nlp.pipe with the model its worker
process loaded once, and writes its rows to its own part file (temp + rename) and then
a small ".done.json" summary. Rerunning after an interruption skips the partitions that
have a summary, so finished work is not redone and nothing is written twice. When every
partition is done the driver merges the parts in input order into the output.

Dask was picked over Ray Data and PySpark by install weight and local-mode overhead
(measured figures in the README). On a real cluster, pass --scheduler tcp://host:8786:
the workers need this project's scripts importable (a shared folder, or PYTHONPATH in
their image), the model (an installed package, or a path they can all read) and the
input and output folders on storage they share with the driver.
"""
import json
import shutil
from functools import partial
from pathlib import Path
from typing import List, Optional

import typer

from extract_quotes import check_output, exit_on_failures
from extract_archive import (SUFFIXES, article_pieces, atomic_write, fingerprint, input_files,
                             iter_jsonl, iter_parquet, load_model, merge_parts, rows_for, start_run,
                             write_rows)

SCRIPTS = Path(__file__).resolve().parent
_MODELS = {}  # per worker process: the model is loaded by its first task, reused by the rest


def _add_to_path(folder: str) -> None:
    import os
    import sys

    if os.path.isdir(folder) and folder not in sys.path:
        sys.path.insert(0, folder)


def plan_tasks(files: List[Path], partition_size: int) -> List[dict]:
    """Partitions of about partition_size records each, in input order."""
    import pyarrow.parquet as pq

    tasks = []
    for file_no, path in enumerate(files):
        base = {"file_no": file_no, "path": str(path)}
        try:
            if path.suffix == ".parquet":
                meta = pq.ParquetFile(path).metadata
                group, rows = [], 0
                for rg in range(meta.num_row_groups):
                    group.append(rg)
                    rows += meta.row_group(rg).num_rows
                    if rows >= partition_size:
                        tasks.append({**base, "row_groups": group})
                        group, rows = [], 0
                if group:
                    tasks.append({**base, "row_groups": group})
            elif path.suffix == ".jsonl":
                # One pass over the bytes (no JSON parsing) to find line boundaries.
                start, line, offset, first_line = 0, 0, 0, 0
                with path.open("rb") as f:
                    for raw in f:
                        line += 1
                        offset += len(raw)
                        if line - first_line >= partition_size:
                            tasks.append({**base, "start": start, "end": offset, "first": first_line})
                            start, first_line = offset, line
                if offset > start:
                    tasks.append({**base, "start": start, "end": offset, "first": first_line})
            else:
                raise ValueError(f"not .jsonl or .parquet: {path.suffix!r}")
        except Exception as err:  # an unreadable file is reported, the rest go on
            tasks.append({**base, "error": f"{type(err).__name__}: {err}"})
    for i, task in enumerate(tasks, start=1):
        task["part"] = f"part-{i:06d}"
    return tasks


def run_task(task: dict, model: str, batch_size: int, parts_dir: str, suffix: str) -> dict:
    """Process one partition on a worker; return its summary (also written to disk)."""
    parts = Path(parts_dir)
    done = parts / f"{task['part']}.done.json"
    if done.exists():  # finished before an interruption
        return json.loads(done.read_text(encoding="utf8"))
    path = Path(task["path"])
    failures = []
    if "error" in task:
        items = iter([("failure", None, str(path), task["error"])])
    elif "row_groups" in task:
        items = iter_parquet(path, task["file_no"], row_groups=task["row_groups"])
    else:
        items = iter_jsonl(path, task["file_no"], record=task["first"], offset=task["start"], end=task["end"])

    def texts():
        for kind, _, a, b in items:
            if kind == "failure":
                failures.append([a, b])
            else:
                yield from article_pieces(a, b, None)

    if model not in _MODELS:
        _MODELS[model] = load_model(model)
    rows, n_articles = [], 0
    for doc, (_, art_id, offset, last) in _MODELS[model].pipe(texts(), as_tuples=True, batch_size=batch_size):
        rows.extend(rows_for(art_id, doc, offset))
        n_articles += last
    summary = {"part": task["part"], "articles": n_articles, "quotes": len(rows), "failures": failures,
               "file": task["part"] + suffix if rows else None}
    if rows:
        write_rows(parts / summary["file"], rows)
    atomic_write(done, lambda tmp: tmp.write_text(json.dumps(summary), encoding="utf8"))
    return summary


def extract_distributed(files: List[Path], output: Path, model: str, workers: int = 2,
                        batch_size: int = 16, partition_size: int = 1000, scheduler: Optional[str] = None,
                        overwrite: bool = False, progress: bool = True) -> dict:
    """Run (or resume) the extraction on Dask; return totals and failures."""
    parts_dir, lock = start_run(output, overwrite)
    try:
        return _run(files, output, parts_dir, model, workers, batch_size, partition_size, scheduler, progress)
    finally:
        lock.close()


def _run(files, output, parts_dir, model, workers, batch_size, partition_size, scheduler, progress):
    from dask.distributed import Client, LocalCluster, as_completed
    from tqdm import tqdm

    tasks = plan_tasks(files, partition_size)
    # The partitions must be the same ones on a resume, or parts would overlap.
    plan = {"inputs": fingerprint(files), "model": model, "partition_size": partition_size,
            "parts": [t["part"] for t in tasks]}
    plan_path = parts_dir / "plan.json"
    if plan_path.exists() and json.loads(plan_path.read_text(encoding="utf8")) != plan:
        raise ValueError(f"{parts_dir} belongs to a run over other inputs, model or partition size; "
                         "rerun with --overwrite to start again")
    atomic_write(plan_path, lambda tmp: tmp.write_text(json.dumps(plan), encoding="utf8"))

    if scheduler:
        client, cluster = Client(scheduler), None
        # The workers import this project's scripts by name. Where they see this folder
        # (a shared filesystem) it is put on their path; elsewhere their image must carry
        # the scripts on PYTHONPATH. (Client.upload_file would also import them into the
        # scheduler, which clashes with a scheduler that already imported quotes.py.)
        client.run(_add_to_path, str(SCRIPTS))
    else:
        # One thread per worker process: spaCy's CPU inference holds the GIL.
        cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                               dashboard_address=None)
        client = Client(cluster)
    # By reference, from the importable module (not __main__): by value, the model cache
    # would travel with every task and the model be loaded once per partition.
    import extract_distributed as module

    try:
        # A partial, not keyword arguments: Client.map has a batch_size of its own.
        task_fn = partial(module.run_task, model=model, batch_size=batch_size,
                          parts_dir=str(parts_dir.resolve()), suffix=output.suffix)
        futures = client.map(task_fn, tasks, pure=False)
        summaries = {}
        for future in tqdm(as_completed(futures), total=len(futures), desc="partitions",
                           disable=not progress):
            summary = future.result()
            summaries[summary["part"]] = summary
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
    ordered = [summaries[t["part"]] for t in tasks]
    merge_parts([parts_dir / s["file"] for s in ordered if s["file"]], output)
    shutil.rmtree(parts_dir)
    return {"articles": sum(s["articles"] for s in ordered), "quotes": sum(s["quotes"] for s in ordered),
            "partitions": len(tasks), "failures": [f for s in ordered for f in s["failures"]]}


def main(
    inputs: List[Path] = typer.Argument(..., help="JSONL or Parquet files, or folders of them"),
    output: Path = typer.Option(..., help="Output .jsonl or .parquet, one row per quote"),
    model: str = typer.Option("en_diplomatic_quotes", help="Package name or path every worker can load"),
    workers: int = typer.Option(2, help="Worker processes of the local cluster"),
    scheduler: Optional[str] = typer.Option(None, help="Address of an existing Dask scheduler instead"),
    batch_size: int = typer.Option(16, help="Articles per nlp.pipe batch"),
    partition_size: int = typer.Option(1000, help="Records (lines or rows) per partition / task"),
    overwrite: bool = typer.Option(False, help="Discard an unfinished run or an existing output"),
):
    check_output(output, SUFFIXES)
    try:
        result = extract_distributed(input_files(inputs), output, model, workers, batch_size,
                                     partition_size, scheduler, overwrite)
    except (FileExistsError, ValueError) as err:
        typer.secho(str(err), fg="red", err=True)
        raise typer.Exit(2)
    typer.echo(f"{result['quotes']} quotes from {result['articles']} articles "
               f"in {result['partitions']} partitions -> {output}")
    exit_on_failures(result["failures"])


if __name__ == "__main__":
    typer.run(main)
