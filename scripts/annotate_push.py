"""Push articles into a doccano project for annotation (the project is created when missing).

Inputs: corpus article files (corpus/articles/<id>.txt, pushed with their annotations and
their id), raw scraped pages (.txt, cleaned as `prepare` does) and JSONL of
{"text", "meta": {"published", "source"}} (new articles, which get new ids and, with
--model, the model's annotations to correct). Folders are read for .txt and .jsonl files.
Articles already in the project are left alone there. What was pushed is recorded in the
state file, against which annotate_pull.py recognises newer local edits.
"""
import json
import re
import tempfile
from pathlib import Path
from typing import List, Optional

import typer

from cleaning import clean_page, decode
from decompile import DecompileError, decompile, roundtrip_problem
from doccano_loop import LoopError, file_hash, load_state, run_client, save_state
from doccano_records import SCHEME, record_hash, text_hash, to_doccano
from markup import MarkupError, parse_article
from quotes import SPANS_KEY, TOPICS


def _input_files(inputs):
    for path in inputs:
        if path.is_dir():
            yield from sorted(p for p in path.iterdir() if p.suffix in (".txt", ".jsonl"))
        else:
            yield path


def _new_article(text, meta, source):
    """A record for an article without annotations, its paragraphs as the markup keeps them."""
    paragraphs = [" ".join(p.split()) for p in re.split(r"\n\s*\n", text) if p.strip()]
    published = str(meta.get("published") or "")
    if not re.fullmatch(r"\d{4}-\d\d-\d\d", published):
        raise ValueError("no publication date: give the page a dateline, or the JSONL line meta.published")
    # One line each: they become header lines of the article file.
    style, source = (" ".join(str(v).split()) for v in (meta.get("style") or "scraped", meta.get("source") or source))
    return {"id": None, "text": "\n\n".join(paragraphs), "entities": [], "relations": [], "cats": [],
            "meta": {"published": published, "style": style, "source": source}}


def read_inputs(inputs, articles_dir):
    """([(record, is_new)], errors) from the input files."""
    articles, errors = [], []
    for path in _input_files(inputs):
        try:
            if path.suffix == ".jsonl":
                for n, line in enumerate(path.read_text(encoding="utf8").splitlines(), start=1):
                    if line.strip():
                        try:
                            data = json.loads(line)
                            if not (isinstance(data, dict) and isinstance(data.get("text"), str)
                                    and isinstance(data.get("meta") or {}, dict)):
                                raise ValueError('not a JSON object with a "text" (and a "meta" object)')
                            articles.append((_new_article(data["text"], data.get("meta") or {},
                                                          f"{path.name}:{n}"), True))
                        except ValueError as err:  # JSONDecodeError is one
                            errors.append(f"{path}:{n}: {err}")
                continue
            raw = decode(path.read_bytes())
            if raw.startswith("---\n"):
                if path.resolve().parent != articles_dir.resolve():
                    raise ValueError(f"an article file outside {articles_dir}: move it there first")
                articles.append((parse_article(path)[0], False))
            else:
                cleaned = clean_page(raw)
                articles.append((_new_article(cleaned["text"], cleaned["meta"], path.name), True))
        except (OSError, ValueError, MarkupError) as err:
            errors.append(f"{path}: {err}")
    return articles, errors


def assign_ids(records, taken, prefix):
    """Give new articles ids <prefix>-NNN after the highest taken one."""
    numbers = [int(m.group(1)) for i in taken if (m := re.fullmatch(rf"{re.escape(prefix)}-(\d+)", i))]
    for n, record in enumerate(records, start=max(numbers, default=0) + 1):
        record["id"] = f"{prefix}-{n:03d}"


def markup_problems(records, tmp_dir):
    """Errors for new articles whose text the markup could not hold once annotated."""
    errors = []
    for record in records:
        path = Path(tmp_dir) / f"{record['id']}.txt"
        try:
            path.write_text(decompile(record), encoding="utf8")
            problem = roundtrip_problem(path, record)
        except DecompileError as err:
            problem = str(err)
        if problem:
            errors.append(f"{record['meta']['source']}: its text cannot be written as article markup: {problem}")
    return errors


def predicted_record(doc, record):
    """The model's spans, links and topics on a new article, as a corpus record."""
    spans = sorted(doc.spans.get(SPANS_KEY, []), key=lambda s: (s.start_char, s.end_char))
    ids = {(s.start_char, s.end_char): i for i, s in enumerate(spans)}
    relations, names = [], {}
    for s in spans:
        if s.label_ != "QUOTE":
            continue
        for rel, target in (("said_by", s._.speaker), ("cue", s._.cue)):
            if target is not None:
                relations.append((ids[(s.start_char, s.end_char)], ids[(target.start_char, target.end_char)], rel))
        if s._.speaker is not None and s._.speaker_name and s._.speaker_name != s._.speaker.text:
            names.setdefault(ids[(s._.speaker.start_char, s._.speaker.end_char)], s._.speaker_name)
    # same_as: a mention whose source the model names points to the first mention of that name.
    first = {}
    for s in spans:
        if s.label_ == "SPEAKER":
            first.setdefault(s.text, ids[(s.start_char, s.end_char)])
    for mention, name in names.items():
        head = first.get(name)
        if head is not None and head != mention and head not in names:
            relations.append((mention, head, "same_as"))
    return {**record,
            "entities": [{"id": i, "label": s.label_, "start_offset": s.start_char, "end_offset": s.end_char}
                         for i, s in enumerate(spans)],
            "relations": [{"id": i, "from_id": f, "to_id": t, "type": typ} for i, (f, t, typ) in enumerate(relations)],
            "cats": [t for t in TOPICS if doc.cats.get(t, 0.0) >= 0.5]}


def main(
    inputs: List[Path] = typer.Argument(..., help="Article files, raw pages, JSONL, or folders of them"),
    project: str = typer.Option("diplomatic-quotes", envvar="DOCCANO_PROJECT", help="doccano project name"),
    url: str = typer.Option("http://127.0.0.1:8000", envvar="DOCCANO_URL", help="doccano server"),
    user: str = typer.Option("admin", envvar="DOCCANO_USER"),
    password: str = typer.Option("password", envvar="DOCCANO_PASSWORD", show_default=False),
    model: Optional[str] = typer.Option(None, help="Pre-annotate new articles with this pipeline"),
    articles_dir: Path = typer.Option(Path("corpus/articles"), help="The corpus's article files"),
    state_file: Path = typer.Option(Path("corpus/doccano_state.json"), help="What was pushed where"),
    id_prefix: str = typer.Option("new", help="New articles are named <prefix>-001, -002 ..."),
):
    try:
        if not re.fullmatch(r"[a-z0-9][a-z0-9_-]*", id_prefix):
            raise LoopError(f"id prefix {id_prefix!r}: use lower-case letters, digits, _ and -")
        state = load_state(state_file)
        articles, errors = read_inputs(inputs, articles_dir)
        new = [record for record, is_new in articles if is_new]
        taken = {p.stem for p in articles_dir.glob("*.txt")} | {i for arts in state.values() for i in arts}
        assign_ids(new, taken, id_prefix)
        with tempfile.TemporaryDirectory() as tmp:
            errors += markup_problems(new, tmp)
            ids = [record["id"] for record, _ in articles]
            errors += [f"{i}: given twice" for i in sorted({i for i in ids if ids.count(i) > 1})]
            if errors:
                raise LoopError("\n".join(errors) + f"\n{len(errors)} inputs cannot be pushed; nothing was pushed")
            if not articles:
                raise LoopError("no articles in the inputs")
            if model and new:
                import spacy

                nlp = spacy.load(model)
                predicted = {r["id"]: predicted_record(doc, r) for doc, r in zip(nlp.pipe(r["text"] for r in new), new)}
                articles = [(predicted.get(r["id"], r), is_new) for r, is_new in articles]
            records_file, scheme_file = Path(tmp) / "push.jsonl", Path(tmp) / "scheme.json"
            records_file.write_text("".join(json.dumps(to_doccano(r), ensure_ascii=False) + "\n"
                                            for r, _ in articles), encoding="utf8")
            scheme_file.write_text(json.dumps(SCHEME), encoding="utf8")
            result = run_client("push", url, user, password, "--project", project,
                                "--scheme", scheme_file, "--records", records_file)
    except LoopError as err:
        typer.secho(str(err), fg="red", err=True)
        raise typer.Exit(1)
    pushed = set(result["pushed"])
    entries = state.setdefault(project, {})
    for record, _ in articles:
        if record["id"] in pushed:
            entries[record["id"]] = {"markup": file_hash(articles_dir / f"{record['id']}.txt"),
                                     "record": record_hash(record), "text": text_hash(record["text"])}
    save_state(state_file, state)
    for record, is_new in articles:
        if record["id"] in pushed and is_new:
            typer.echo(f"{record['id']}: new article from {record['meta']['source']}")
    if result["skipped"]:
        typer.secho(f"Already in the project, not pushed again: {', '.join(result['skipped'])}", fg="yellow")
    typer.secho(f"Pushed {len(pushed)} articles to doccano project {project!r} at {url}", fg="green")


if __name__ == "__main__":
    typer.run(main)
