"""Build the evaluation report: HTML pages and PNG plots from evaluate's (and baseline's) output.

Reads the metrics JSON files and the predicted docs that evaluate and baseline wrote,
re-reads the gold articles, and writes into one folder:

- index.html: model vs baseline metrics, the worst errors grouped by kind, article list
- articles/<id>.html: gold and predicted spans side by side (displaCy), links, errors
- per_label_f1.png, topics_pr.png, topic_confusion.png, training_curve.png

Nothing is re-predicted here, so the report always shows exactly what was scored.
"""
import html
import json
import re
import warnings
from collections import defaultdict
from pathlib import Path
from typing import Optional

import matplotlib

matplotlib.use("Agg")  # no display on CI or servers; must precede pyplot
import matplotlib.pyplot as plt  # noqa: E402
import spacy  # noqa: E402
import typer  # noqa: E402
from spacy import displacy  # noqa: E402
from spacy.tokens import DocBin  # noqa: E402

from quotes import LABELS, LINKS_KEY, TOPICS, same_name  # noqa: E402
from scoring import overlaps, spans_of  # noqa: E402

COLORS = {"SPEAKER": "#7aecec", "CUE": "#feca74", "QUOTE": "#c887fb"}
EXAMPLES_PER_GROUP = 15
CONTEXT = 60  # characters of article text shown either side of an error


# --- Errors ----------------------------------------------------------------------------

def _snippet(text, start, end):
    """The error's text in a bit of context, with the erroneous stretch marked by [[ ]]."""
    left = text[max(0, start - CONTEXT):start]
    right = text[end:end + CONTEXT]
    return " ".join(f"…{left}[[{text[start:end]}]]{right}…".split())


def span_errors(pred, gold):
    """Span errors of one article, per label: `boundary` when a predicted span overlaps a
    gold span of its label without matching it exactly, `missed` for a gold span that no
    prediction of its label touches, `spurious` for a prediction that touches no gold span
    of its label. Severity orders the worst first: characters wrong."""
    errors = []
    p_spans, g_spans = spans_of(pred), spans_of(gold)
    for label in LABELS:
        ps = sorted({s[:2] for s in p_spans if s[2] == label})
        gs = sorted({s[:2] for s in g_spans if s[2] == label})
        exact = set(ps) & set(gs)
        touching = lambda a, b: min(a[1], b[1]) > max(a[0], b[0])  # noqa: E731
        for g in gs:
            if g in exact:
                continue
            near = [p for p in ps if p not in exact and touching(p, g)]
            if not near:
                errors.append({"kind": "missed", "label": label, "gold": g, "pred": None,
                               "severity": g[1] - g[0]})
            for p in near:
                errors.append({"kind": "boundary", "label": label, "gold": g, "pred": p,
                               "overlap_match": overlaps(p, g),
                               "severity": abs(p[0] - g[0]) + abs(p[1] - g[1])})
        for p in ps:
            if p not in exact and not any(touching(p, g) for g in gs):
                errors.append({"kind": "spurious", "label": label, "gold": None, "pred": p,
                               "severity": p[1] - p[0]})
    return errors


def link_errors(pred, gold):
    """Link errors on quotes the model found exactly (a quote it missed is a span error
    already): `wrong_speaker` when its speaker is not the gold one (or missing),
    `wrong_cue` likewise for the cue, `wrong_name` when the canonical name differs."""
    errors = []
    p_links = {tuple(link["quote"]): link for link in pred.user_data.get(LINKS_KEY, [])}
    for g in gold.user_data.get(LINKS_KEY, []):
        q = tuple(g["quote"])
        p = p_links.get(q)
        if p is None:
            continue
        for kind, key in (("wrong_speaker", "speaker"), ("wrong_cue", "cue")):
            g_off = tuple(g[key]) if g[key] else None
            p_off = tuple(p[key]) if p[key] else None
            if g_off != p_off and g_off is not None:
                errors.append({"kind": kind, "label": "QUOTE", "gold": g_off, "pred": p_off, "quote": q,
                               "severity": abs((p_off or (q[0], q[0]))[0] - g_off[0])})
        if g["name"] and not same_name(p.get("name"), g["name"]):
            errors.append({"kind": "wrong_name", "label": "QUOTE", "gold": g["name"], "pred": p.get("name"),
                           "quote": q, "severity": 1})
    return errors


def article_errors(pred, gold):
    return span_errors(pred, gold) + link_errors(pred, gold)


def group_errors(pairs):
    """{(kind, label): [error, ...]} over (pred, gold, article id) triples, worst first."""
    groups = defaultdict(list)
    for pred, gold, article in pairs:
        for err in article_errors(pred, gold):
            groups[(err["kind"], err["label"])].append(dict(err, article=article))
    for errs in groups.values():
        errs.sort(key=lambda e: -e["severity"])
    return dict(sorted(groups.items(), key=lambda kv: -len(kv[1])))


def describe(err, text):
    """One line of HTML for an error."""
    def at(off):
        return html.escape(_snippet(text, *off)) if off else "<i>none</i>"

    kind = err["kind"]
    if kind == "missed":
        return f"gold: {at(err['gold'])}"
    if kind == "spurious":
        return f"predicted: {at(err['pred'])}"
    if kind == "boundary":
        g, p = err["gold"], err["pred"]
        return (f"gold: <q>{html.escape(text[g[0]:g[1]])}</q><br>predicted: <q>{html.escape(text[p[0]:p[1]])}</q>"
                + (" (counts as an overlap match)" if err.get("overlap_match") else ""))
    q = err["quote"]
    head = f"quote: <q>{html.escape(text[q[0]:q[1]][:120])}</q><br>"
    if kind == "wrong_name":
        return head + f"gold name: <b>{html.escape(err['gold'])}</b>, predicted: <b>{html.escape(err['pred'] or 'none')}</b>"
    return head + f"gold: {at(err['gold'])}<br>predicted: {at(err['pred'])}"


# --- Metrics tables ----------------------------------------------------------------------

def metric_rows(metrics):
    """Flatten an evaluation JSON into (name, {"p", "r", "f"}) rows; an accuracy gives a row
    with only "f". Walks unknown keys too, so metrics that evaluate adds later (per-case
    link accuracies, say) show up without a change here."""
    rows = []

    def walk(prefix, node):
        if isinstance(node, dict) and {"p", "r", "f"} <= node.keys():
            rows.append((prefix, {k: node[k] for k in ("p", "r", "f")}))
        elif isinstance(node, dict):
            for key, value in node.items():
                walk(f"{prefix} {key}".strip(), value)
        elif isinstance(node, (int, float)) and not isinstance(node, bool) \
                and prefix.endswith(("accuracy", "_acc")):
            rows.append((prefix, {"f": node}))

    first = ("spans", "links", "topics")
    rest = [k for k, v in metrics.items() if isinstance(v, dict) and k not in first and k != "speed"]
    for section in (*first, *rest):
        walk(section, metrics.get(section, {}))
    return rows


def summary_table(model, baseline):
    """Model and baseline side by side: P, R, F (or accuracy in the F column), and ΔF."""
    base = dict(metric_rows(baseline)) if baseline else {}
    fmt = lambda row, k: f"{row[k]:.3f}" if row and k in row else ""  # noqa: E731
    head = "<th>metric</th><th>P</th><th>R</th><th>F / acc.</th>"
    if baseline:
        head += "<th>baseline P</th><th>baseline R</th><th>baseline F / acc.</th><th>ΔF</th>"
    out = [f"<table class='metrics'><tr>{head}</tr>"]
    for name, row in metric_rows(model):
        cells = "".join(f"<td>{fmt(row, k)}</td>" for k in "prf")
        if baseline:
            b = base.get(name)
            cells += "".join(f"<td>{fmt(b, k) if b else '–'}</td>" for k in "prf")
            cells += f"<td>{row['f'] - b['f']:+.3f}</td>" if b else "<td></td>"
        out.append(f"<tr><td>{html.escape(name)}</td>{cells}</tr>")
    return "\n".join(out + ["</table>"])


# --- Plots -------------------------------------------------------------------------------

def _bars(ax, names, series, title):
    width = 0.8 / max(len(series), 1)
    for k, (label, values) in enumerate(series.items()):
        xs = [i + (k - (len(series) - 1) / 2) * width for i in range(len(names))]
        ax.bar(xs, values, width, label=label)
    ax.set_xticks(range(len(names)))
    ax.set_xticklabels(names, rotation=35, ha="right")
    ax.set_ylim(0, 1)
    ax.set_title(title)
    ax.legend()


def plot_f1(model, baseline, path):
    names, series = [], defaultdict(list)
    for label in LABELS:
        for mode in ("exact", "overlap"):
            names.append(f"{label} {mode}")
            series["model"].append(model["spans"][mode][label]["f"])
            if baseline:
                series["baseline"].append(baseline["spans"][mode][label]["f"])
    for key, title in (("said_by", "link said_by"), ("cue", "link cue")):
        names.append(title)
        series["model"].append(model["links"][key]["f"])
        if baseline:
            series["baseline"].append(baseline["links"][key]["f"])
    names.append("canonical name acc.")
    series["model"].append(model["links"]["canonical_name_accuracy"])
    if baseline:
        series["baseline"].append(baseline["links"]["canonical_name_accuracy"])
    fig, ax = plt.subplots(figsize=(10, 4.5))
    _bars(ax, names, series, "F1 per label (link F1, name accuracy)")
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def plot_topics(model, path):
    per = model["topics"]["per_label"]
    names = list(per)
    fig, ax = plt.subplots(figsize=(10, 4.5))
    _bars(ax, [f"{n} ({per[n]['n_gold']})" for n in names],
          {"precision": [per[n]["p"] for n in names], "recall": [per[n]["r"] for n in names],
           "F1": [per[n]["f"] for n in names]}, "Topics: precision and recall per label (gold articles)")
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def plot_topic_confusion(pairs, path, threshold=0.5):
    """Multi-label confusion: cell (gold t, predicted u) counts articles labelled t that
    the model labels u; the diagonal is the hits, off-diagonal shows which topics bleed."""
    import numpy

    matrix = numpy.zeros((len(TOPICS), len(TOPICS) + 1))
    for pred, gold, _ in pairs:
        predicted = [u for u in TOPICS if pred.cats.get(u, 0.0) >= threshold]
        for i, t in enumerate(TOPICS):
            if gold.cats.get(t, 0.0) >= 0.5:
                for u in predicted:
                    matrix[i, TOPICS.index(u)] += 1
                if not predicted:
                    matrix[i, -1] += 1
    fig, ax = plt.subplots(figsize=(8.5, 7))
    ax.imshow(matrix, cmap="Blues")
    ax.set_xticks(range(len(TOPICS) + 1))
    ax.set_xticklabels(list(TOPICS) + ["(none)"], rotation=60, ha="right", fontsize=8)
    ax.set_yticks(range(len(TOPICS)))
    ax.set_yticklabels(TOPICS, fontsize=8)
    ax.set_xlabel("predicted topic")
    ax.set_ylabel("gold topic")
    for (i, j), v in numpy.ndenumerate(matrix):
        if v:
            ax.text(j, i, int(v), ha="center", va="center", fontsize=7)
    ax.set_title("Topic confusion (articles)")
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def read_training_log(log: Optional[Path], model_dir: Optional[Path]):
    """Evaluation points of the training run as [{"step", "epoch", "score", "scores"}].

    Sources, best first: a JSONL log (ConsoleLogger.v2/v3 with output_file), a saved copy
    of spaCy's console table (`spacy train ... | tee log.txt`), or, failing both, the
    single final point in model-best/meta.json ("performance")."""
    if log and log.exists():
        text = log.read_text(encoding="utf8")
        if log.suffix == ".jsonl":
            points = [json.loads(line) for line in text.splitlines() if line.strip()]
            return [{"step": p["step"], "epoch": p["epoch"], "score": p["score"],
                     "scores": {k: v / 100 for k, v in p.get("scores", {}).items()}} for p in points], "log"
        return parse_console_table(text), "console"
    if model_dir and (model_dir / "meta.json").exists():
        perf = json.loads((model_dir / "meta.json").read_text(encoding="utf8")).get("performance", {})
        scores = {k: v for k, v in perf.items()
                  if isinstance(v, (int, float)) and k != "speed" and not k.endswith("_loss")}
        return [{"step": 0, "epoch": 0, "score": None, "scores": scores}], "meta"
    return [], None


def parse_console_table(text):
    """Rows of spaCy's training table: `E  #  LOSS ...  ENTS_F ...  SCORE`, scores in %."""
    text = re.sub(r"\x1b\[[0-9;]*m", "", text)
    header, points = None, []
    for line in text.splitlines():
        cols = re.split(r"\s{2,}", line.strip())
        if cols[:2] == ["E", "#"]:
            header = [c.lower() for c in cols]
        elif header and len(cols) == len(header) and re.fullmatch(r"\d+", cols[0]):
            values = dict(zip(header, cols))
            scores = {k: float(v) / 100 for k, v in values.items()
                      if k not in ("e", "#", "score") and not k.startswith("loss") and re.fullmatch(r"[\d.]+", v)}
            points.append({"step": int(values["#"]), "epoch": int(values["e"]),
                           "score": float(values["score"]), "scores": scores})
    return points


def plot_training_curve(points, source, path):
    fig, ax = plt.subplots(figsize=(8, 4.5))
    if source in ("log", "console") and points:
        steps = [p["step"] for p in points]
        ax.plot(steps, [p["score"] for p in points], "k-", linewidth=2, label="score (weighted)")
        for key in sorted(points[-1]["scores"]):
            if key.endswith(("_p", "_r")):
                continue
            ax.plot(steps, [p["scores"].get(key, 0.0) for p in points], label=key)
        ax.set_xlabel("training step")
        ax.set_title("Dev scores during training")
    else:
        scores = points[0]["scores"] if points else {}
        ax.bar(range(len(scores)), list(scores.values()))
        ax.set_xticks(range(len(scores)))
        ax.set_xticklabels(list(scores), rotation=35, ha="right", fontsize=8)
        ax.set_title("No training log: final dev scores from model-best/meta.json")
    ax.set_ylim(0, 1)
    ax.legend(fontsize=8) if source in ("log", "console") and points else None
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


# --- HTML --------------------------------------------------------------------------------

STYLE = """<style>
body { font-family: sans-serif; margin: 1.5em; }
table { border-collapse: collapse; margin: 1em 0; }
td, th { border: 1px solid #ccc; padding: 3px 8px; text-align: left; vertical-align: top; }
.side { display: grid; grid-template-columns: repeat(var(--cols), 1fr); gap: 1em; }
.side > div { border: 1px solid #ddd; padding: 0.5em; overflow-x: auto; }
q { background: #f4f4f4; }
img { max-width: 100%; }
</style>"""


def render_spans(doc):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # displaCy warns about docs without spans
        return displacy.render(doc, style="span", page=False, jupyter=False,
                               options={"spans_key": "attribution", "colors": COLORS})


def links_table(doc):
    rows = ["<table><tr><th>quote</th><th>speaker</th><th>cue</th><th>name</th></tr>"]
    for link in doc.user_data.get(LINKS_KEY, []):
        cell = lambda off: html.escape(doc.text[off[0]:off[1]]) if off else "–"  # noqa: E731
        rows.append(f"<tr><td>{cell(link['quote'])[:160]}</td><td>{cell(link['speaker'])}</td>"
                    f"<td>{cell(link['cue'])}</td><td>{html.escape(link['name'] or '–')}</td></tr>")
    return "\n".join(rows + ["</table>"])


def article_page(article, gold, pred, base, errors):
    columns = [("Gold", gold), ("Model", pred)] + ([("Baseline", base)] if base is not None else [])
    side = "".join(f"<div><h2>{title}</h2>{render_spans(doc)}</div>" for title, doc in columns)
    link_side = "".join(f"<div><h3>{title}: links</h3>{links_table(doc)}</div>" for title, doc in columns)
    err_rows = "".join(f"<tr><td>{e['kind']}</td><td>{e['label']}</td><td>{describe(e, gold.text)}</td></tr>"
                       for e in errors)
    topics = lambda doc: ", ".join(t for t in TOPICS if doc.cats.get(t, 0.0) >= 0.5) or "–"  # noqa: E731
    return (f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{html.escape(article)}</title>{STYLE}</head>"
            f"<body><p><a href='../index.html'>← report</a></p><h1>{html.escape(article)}</h1>"
            f"<p>Gold topics: {topics(gold)}<br>Predicted topics: {topics(pred)}</p>"
            f"<div class='side' style='--cols:{len(columns)}'>{side}</div>"
            f"<div class='side' style='--cols:{len(columns)}'>{link_side}</div>"
            f"<h2>Model errors ({len(errors)})</h2><table><tr><th>kind</th><th>label</th><th>where</th></tr>"
            f"{err_rows}</table></body></html>")


def errors_section(groups, texts):
    out = []
    for (kind, label), errs in groups.items():
        items = "".join(f"<li><a href='articles/{_file(e['article'])}'>{html.escape(e['article'])}</a>: "
                        f"{describe(e, texts[e['article']])}</li>" for e in errs[:EXAMPLES_PER_GROUP])
        out.append(f"<details><summary><b>{kind}</b> {label}: {len(errs)}</summary><ol>{items}</ol></details>")
    return "\n".join(out)


def _file(article):
    return re.sub(r"[^\w.-]", "_", str(article)) + ".html"


def align(gold_docs, pred_docs):
    """Pair predictions with gold by article id when both carry one, else by order."""
    by_id = {d.user_data.get("article_id"): d for d in pred_docs}
    if all(g.user_data.get("article_id") in by_id for g in gold_docs) and None not in by_id:
        return [by_id[g.user_data["article_id"]] for g in gold_docs]
    if len(pred_docs) != len(gold_docs):
        raise typer.BadParameter(f"{len(pred_docs)} predicted docs for {len(gold_docs)} gold articles")
    return pred_docs


def build_report(metrics, baseline, gold_docs, pred_docs, base_docs, out_dir, log_points=(), log_source=None):
    """Write index.html, the article pages and the plots; return the error groups."""
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "articles").mkdir(exist_ok=True)
    pred_docs = align(gold_docs, pred_docs)
    base_docs = align(gold_docs, base_docs) if base_docs else [None] * len(gold_docs)
    ids = [str(g.user_data.get("article_id", f"article-{i}")) for i, g in enumerate(gold_docs)]
    triples = list(zip(pred_docs, gold_docs, ids))
    groups = group_errors(triples)
    base_groups = group_errors([(b, g, a) for b, g, a in zip(base_docs, gold_docs, ids)]) if base_docs[0] else {}
    per_article = defaultdict(list)
    for errs in groups.values():
        for e in errs:
            per_article[e["article"]].append(e)
    for (pred, gold, article), base in zip(triples, base_docs):
        page = article_page(article, gold, pred, base, per_article[article])
        (out_dir / "articles" / _file(article)).write_text(page, encoding="utf8")

    plot_f1(metrics, baseline, out_dir / "per_label_f1.png")
    plot_topics(metrics, out_dir / "topics_pr.png")
    plot_topic_confusion(triples, out_dir / "topic_confusion.png", metrics["topics"].get("threshold", 0.5))
    plot_training_curve(list(log_points), log_source, out_dir / "training_curve.png")

    texts = dict(zip(ids, (g.text for g in gold_docs)))
    counts = "".join(f"<tr><td>{k}</td><td>{label}</td><td>{len(errs)}</td>"
                     f"<td>{len(base_groups.get((k, label), [])) if base_groups else '–'}</td></tr>"
                     for (k, label), errs in groups.items())
    article_rows = "".join(
        f"<tr><td><a href='articles/{_file(a)}'>{html.escape(a)}</a></td>"
        f"<td>{sum(1 for s in spans_of(g) if s[2] == 'QUOTE')}</td><td>{len(per_article[a])}</td></tr>"
        for a, g in sorted(zip(ids, gold_docs), key=lambda x: -len(per_article[x[0]])))
    curve_note = {"log": "from the training log", "console": "from the saved console table",
                  "meta": "no training log was found, so only the final dev scores of model-best "
                          "are shown; train with <code>--training.logger.@loggers spacy.ConsoleLogger.v2 "
                          "--training.logger.output_file training/&lt;config&gt;/train_log.jsonl</code> "
                          "to get the curve",
                  None: "no training log or model meta found"}[log_source]
    index = f"""<!DOCTYPE html><html><head><meta charset='utf-8'><title>Evaluation report</title>{STYLE}</head><body>
<h1>Evaluation report</h1>
<p>Model: <code>{html.escape(str(metrics.get('model')))}</code> on <code>{html.escape(str(metrics.get('data')))}</code>
({len(gold_docs)} articles).{' Baseline: ' + html.escape(str(baseline.get('model'))) + '.' if baseline else ''}</p>
<p>Exact: a predicted span matches a gold span of its label character for character. Overlap: it
shares at least 50% of the longer span's characters. Links count when the quote and its target
both match exactly; canonical-name accuracy is per gold quote.</p>
<h2>Metrics</h2>{summary_table(metrics, baseline)}
<h2>Plots</h2>
<p><img src='per_label_f1.png' alt='per-label F1'></p>
<p><img src='topics_pr.png' alt='topic precision and recall'> <img src='topic_confusion.png' alt='topic confusion'></p>
<p><img src='training_curve.png' alt='training curve'><br>Training curve {curve_note}.</p>
<h2>Errors by kind (model; baseline count beside)</h2>
<table><tr><th>kind</th><th>label</th><th>model</th><th>baseline</th></tr>{counts}</table>
<p>boundary: overlaps a gold span of its label but not exactly; missed: no prediction of the
label touches the gold span; spurious: the prediction touches no gold span of its label;
wrong_speaker / wrong_cue / wrong_name: on quotes found exactly. Worst first (most characters
wrong), {EXAMPLES_PER_GROUP} per group.</p>
{errors_section(groups, texts)}
<h2>Articles</h2><table><tr><th>article</th><th>gold quotes</th><th>model errors</th></tr>{article_rows}</table>
</body></html>"""
    (out_dir / "index.html").write_text(index, encoding="utf8")
    summary = {f"{k} {label}": len(v) for (k, label), v in groups.items()}
    (out_dir / "errors.json").write_text(json.dumps(
        {"model": summary, "baseline": {f"{k} {label}": len(v) for (k, label), v in base_groups.items()}},
        indent=2), encoding="utf8")
    return groups


def main(
    evaluation: Path = typer.Argument(..., help="evaluate's metrics JSON"),
    gold: Path = typer.Argument(..., help="The gold articles evaluate scored (.spacy or doccano .jsonl)"),
    predictions: Path = typer.Argument(..., help="evaluate's predicted docs (.spacy)"),
    output_dir: Path = typer.Argument(..., help="Folder for index.html, article pages and PNGs"),
    baseline: Optional[Path] = typer.Option(None, help="baseline's metrics JSON, if any"),
    baseline_predictions: Optional[Path] = typer.Option(None, help="baseline's predicted docs, if any"),
    model_dir: Optional[Path] = typer.Option(None, help="Trained model folder (meta.json: fallback curve)"),
    train_log: Optional[Path] = typer.Option(None, help="Training log: JSONL from the console logger, or its console table"),
):
    from baseline import read_gold

    nlp = spacy.blank("en")
    metrics = json.loads(evaluation.read_text(encoding="utf8"))
    base = json.loads(baseline.read_text(encoding="utf8")) if baseline and baseline.exists() else None
    gold_docs = read_gold(gold, nlp)
    pred_docs = list(DocBin().from_disk(predictions).get_docs(nlp.vocab))
    base_docs = (list(DocBin().from_disk(baseline_predictions).get_docs(nlp.vocab))
                 if baseline_predictions and baseline_predictions.exists() else None)
    points, source = read_training_log(train_log, model_dir)
    groups = build_report(metrics, base, gold_docs, pred_docs, base_docs, output_dir, points, source)
    for (kind, label), errs in groups.items():
        typer.echo(f"{kind:14} {label:8} {len(errs)}")
    typer.echo(f"Report -> {output_dir / 'index.html'}")


if __name__ == "__main__":
    typer.run(main)
