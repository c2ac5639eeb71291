"""Articles and words per second of archive extraction, by processes and Dask workers.

Builds a synthetic archive from the corpus texts (repeated with new ids), then runs the
real command lines, each in a fresh process so that start-up (imports, model loading,
worker start) is paid as a user pays it:

  extract_archive.py      --n-process 1 and 2   (nlp.pipe on one machine)
  extract_distributed.py  --workers 1 and 2     (Dask local cluster)

Each mode also runs on a handful of articles, which estimates its fixed start-up cost;
the steady rate is the difference. CPU seconds (all the mode's processes together) are
recorded beside wall time: on a shared machine they are the steadier measure of cost.
"""
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import typer

SCRIPTS = Path(__file__).resolve().parent


def make_archive(corpus: Path, n: int, path: Path) -> int:
    """Write n articles from the corpus texts to path; return their word count."""
    texts = [json.loads(line)["text"] for line in corpus.open(encoding="utf8") if line.strip()]
    words = 0
    with path.open("w", encoding="utf8") as f:
        for i in range(n):
            text = texts[i % len(texts)]
            words += len(text.split())
            f.write(json.dumps({"id": f"bench-{i:07d}", "text": text}, ensure_ascii=False) + "\n")
    return words


def timed(cmd) -> dict:
    """Run a command; its wall time and the CPU time of it and all its (reaped) children."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    load = os.getloadavg()[0]
    start = time.perf_counter()
    result = subprocess.run(cmd, capture_output=True, text=True)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if result.returncode != 0:
        raise RuntimeError(f"{' '.join(map(str, cmd))} failed:\n{result.stderr[-3000:]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return {"wall_s": round(wall, 2), "cpu_s": round(cpu, 2), "loadavg_1m_before": round(load, 2)}


def command(engine: str, k: int, archive: Path, out: Path, model: str, batch_size: int, partition_size: int):
    if engine == "nlp.pipe":
        return [sys.executable, str(SCRIPTS / "extract_archive.py"), str(archive), "--output", str(out),
                "--model", model, "--n-process", str(k), "--batch-size", str(batch_size), "--overwrite"]
    return [sys.executable, str(SCRIPTS / "extract_distributed.py"), str(archive), "--output", str(out),
            "--model", model, "--workers", str(k), "--batch-size", str(batch_size),
            "--partition-size", str(partition_size), "--overwrite"]


def sorted_rows(path: Path):
    with path.open(encoding="utf8") as f:
        return sorted(f.read().splitlines())


def main(
    model: str = typer.Option(..., help="Package name or path of the pipeline"),
    corpus: Path = typer.Option(Path("corpus/annotations.jsonl"), help="JSONL whose texts make the archive"),
    output: Path = typer.Option(Path("training/archive_benchmark.json"), help="Where the figures go"),
    n_articles: int = typer.Option(2000, help="Articles in the synthetic archive"),
    n_startup: int = typer.Option(16, help="Articles in the run that measures start-up"),
    batch_size: int = typer.Option(16, help="Articles per nlp.pipe batch"),
    partition_size: int = typer.Option(250, help="Articles per Dask partition"),
):
    import spacy

    modes = [("nlp.pipe", 1), ("nlp.pipe", 2), ("dask", 1), ("dask", 2)]
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        words = make_archive(corpus, n_articles, tmp / "archive.jsonl")
        make_archive(corpus, n_startup, tmp / "small.jsonl")
        runs, reference = [], None
        for engine, k in modes:
            label = f"{engine} x{k}"
            typer.echo(f"{label}: start-up run ({n_startup} articles)")
            small = timed(command(engine, k, tmp / "small.jsonl", tmp / "small_out.jsonl", model,
                                  batch_size, partition_size))
            typer.echo(f"{label}: {n_articles} articles")
            out = tmp / f"out_{engine}_{k}.jsonl"
            full = timed(command(engine, k, tmp / "archive.jsonl", out, model, batch_size, partition_size))
            rows = sorted_rows(out)
            reference = rows if reference is None else reference
            # Start-up subtracted out; None when the noise of a shared machine swamps it.
            steady_s = full["wall_s"] - small["wall_s"]
            steady = (n_articles - n_startup) / steady_s if steady_s > 0 else None
            run = {"engine": engine, "workers": k, **full,
                   "articles_per_s": round(n_articles / full["wall_s"], 2),
                   "words_per_s": round(words / full["wall_s"], 1),
                   "startup_wall_s": small["wall_s"], "startup_cpu_s": small["cpu_s"],
                   "steady_articles_per_s": round(steady, 2) if steady else None,
                   "steady_words_per_s": round(steady * words / n_articles, 1) if steady else None,
                   "steady_cpu_ms_per_article": round(1000 * (full["cpu_s"] - small["cpu_s"])
                                                      / (n_articles - n_startup), 1),
                   "quotes": len(rows), "same_rows_as_first": rows == reference}
            typer.echo(f"  {run['wall_s']}s wall, {run['cpu_s']}s CPU, {run['articles_per_s']} art/s, "
                       f"{run['words_per_s']} words/s (start-up {run['startup_wall_s']}s)")
            runs.append(run)
    from extract_archive import load_model

    nlp = load_model(model)
    result = {
        "model": model, "pipeline": nlp.pipe_names,
        "articles": n_articles, "words": words, "words_per_article": round(words / n_articles, 1),
        "batch_size": batch_size, "partition_size": partition_size,
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "spacy": spacy.__version__,
                    "loadavg_1m_at_end": round(os.getloadavg()[0], 2)},
        "runs": runs,
    }
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(result, indent=2) + "\n", encoding="utf8")
    typer.echo(f"-> {output}")


if __name__ == "__main__":
    typer.run(main)
