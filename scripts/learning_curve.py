"""Retrain on growing fractions of the training articles and score each model on test.

Answers "will more annotation pay?": if test scores still climb between 75% and 100% of
the articles, more articles should help; if they have flattened, they will help less
than better guidelines or a better model.

Subsets are nested and stable: within each region (the article id's prefix) articles are
ordered by a hash of their id, and a fraction takes the first part of every region, so
25% is inside 50% and every region keeps its share. Each fraction trains with the same
number of updates as the full set by default (more epochs over fewer articles), so the
curve measures data, not training time. The default config is the small CPU one to keep
it affordable; the shipped model is configs/trf.cfg (`--config configs/trf.cfg`).
"""
import hashlib
import json
import math
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # no display on servers; must precede pyplot
import matplotlib.pyplot as plt  # noqa: E402
import spacy  # noqa: E402
import typer  # noqa: E402
from spacy.tokens import DocBin  # noqa: E402

import quotes  # noqa: E402,F401  (registers the custom components for loading from a path)
from scoring import link_scores, span_scores, topic_scores, topic_threshold  # noqa: E402

SCRIPTS = Path(__file__).resolve().parent


def stable_subset(docs, fraction):
    """The first `fraction` of each region's articles in hash order (nested across fractions)."""
    by_region = defaultdict(list)
    for doc in docs:
        article = str(doc.user_data.get("article_id", doc.text[:50]))
        by_region[article.split("-")[0]].append((hashlib.sha1(article.encode()).hexdigest(), doc))
    subset = []
    for region in sorted(by_region):
        ranked = [doc for _, doc in sorted(by_region[region], key=lambda x: x[0])]
        subset += ranked[:math.ceil(fraction * len(ranked))]
    return subset


def train(config, train_path, dev_path, out_dir, epochs, gpu_id):
    """spacy train in a subprocess, with a JSONL log of the dev scores."""
    log = out_dir / "train_log.jsonl"
    log.unlink(missing_ok=True)  # spaCy's logger refuses to overwrite an existing log
    cmd = [sys.executable, "-m", "spacy", "train", str(config), "--output", str(out_dir),
           "--code", str(SCRIPTS / "quotes.py"), "--paths.train", str(train_path), "--paths.dev", str(dev_path),
           "--training.max_epochs", str(epochs), "--gpu-id", str(gpu_id),
           "--training.logger.@loggers", "spacy.ConsoleLogger.v2", "--training.logger.output_file", str(log)]
    with (out_dir / "train_console.txt").open("w", encoding="utf8") as console:
        subprocess.run(cmd, check=True, stdout=console, stderr=subprocess.STDOUT)


def evaluate(model_dir, gold_docs):
    nlp = spacy.load(model_dir)
    pairs = list(zip(nlp.pipe(d.text for d in gold_docs), gold_docs))
    spans, links = span_scores(pairs), link_scores(pairs)
    topics = topic_scores(pairs, topic_threshold(nlp))
    scores = {f"{label} exact F": s["f"] for label, s in spans["exact"].items()}
    scores.update({f"{label} overlap F": s["f"] for label, s in spans["overlap"].items()})
    scores["spans exact F (macro)"] = sum(s["f"] for s in spans["exact"].values()) / len(spans["exact"])
    scores["said_by F"] = links["said_by"]["f"]
    scores["cue F"] = links["cue"]["f"]
    scores["canonical-name accuracy"] = links["canonical_name_accuracy"]
    scores["topics micro F"] = topics["micro"]["f"]
    return scores


PLOTTED = ("spans exact F (macro)", "SPEAKER exact F", "CUE exact F", "QUOTE exact F",
           "said_by F", "canonical-name accuracy", "topics micro F")


def plot(points, path, title):
    fig, ax = plt.subplots(figsize=(8, 4.5))
    xs = [p["articles"] for p in points]
    for key in PLOTTED:
        ax.plot(xs, [p["scores"][key] for p in points], marker="o", linewidth=2.5 if "macro" in key else 1.2,
                label=key)
    ax.set_xlabel("training articles")
    ax.set_ylabel("test score")
    ax.set_ylim(0, 1)
    ax.set_xticks(xs)
    ax.set_xticklabels([f"{p['articles']}\n({p['fraction']:.0%})" for p in points])
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8, loc="lower right")
    ax.set_title(title)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def main(
    train_path: Path = typer.Argument(Path("corpus/train.spacy"), help="Training articles"),
    dev_path: Path = typer.Argument(Path("corpus/dev.spacy"), help="Dev articles (model selection)"),
    test_path: Path = typer.Argument(Path("corpus/test.spacy"), help="Test articles (the scores plotted)"),
    output: Path = typer.Argument(Path("training/learning_curve.json"), help="JSON of the scores per fraction"),
    plot_path: Path = typer.Option(Path("training/learning_curve.png"), "--plot", help="PNG of the curve"),
    models_dir: Path = typer.Option(Path("training/learning_curve"), help="Folder for the subsets and models"),
    config: Path = typer.Option(Path("configs/cpu.cfg"), help="Training config (trf is the shipped model)"),
    fractions: str = typer.Option("0.25,0.5,0.75,1.0", help="Comma-separated fractions of the articles"),
    epochs: int = typer.Option(20, help="Epochs of the full set"),
    equal_updates: bool = typer.Option(True, help="Scale epochs by 1/fraction, so each run makes as many updates"),
    gpu_id: int = typer.Option(-1),
    reuse: bool = typer.Option(False, help="Keep models already trained in models_dir"),
):
    vocab = spacy.blank("en").vocab
    train_docs = list(DocBin().from_disk(train_path).get_docs(vocab))
    test_docs = list(DocBin().from_disk(test_path).get_docs(vocab))
    points = []
    for fraction in sorted(float(f) for f in fractions.split(",")):
        subset = stable_subset(train_docs, fraction)
        run_dir = models_dir / f"{config.stem}-{round(fraction * 100)}"
        run_dir.mkdir(parents=True, exist_ok=True)
        n_epochs = math.ceil(epochs / fraction) if equal_updates else epochs
        if not (reuse and (run_dir / "model-best").exists()):
            db = DocBin(store_user_data=True)
            for doc in subset:
                db.add(doc)
            db.to_disk(run_dir / "train.spacy")
            typer.echo(f"{fraction:.0%}: {len(subset)} articles, {n_epochs} epochs -> {run_dir}")
            train(config, run_dir / "train.spacy", dev_path, run_dir, n_epochs, gpu_id)
        scores = evaluate(run_dir / "model-best", test_docs)
        points.append({"fraction": fraction, "articles": len(subset),
                       "words": sum(len(d.text.split()) for d in subset), "epochs": n_epochs,
                       "scores": scores})
        typer.echo("  " + ", ".join(f"{k} {scores[k]:.3f}" for k in PLOTTED))
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps({"config": str(config), "epochs_full": epochs, "equal_updates": equal_updates,
                                  "test": str(test_path), "points": points}, indent=2), encoding="utf8")
    plot(points, plot_path, f"Learning curve ({config.stem} config, test articles)")
    typer.echo(f"Learning curve -> {output}, {plot_path}")


if __name__ == "__main__":
    typer.run(main)
