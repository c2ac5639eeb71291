"""Pull the finished articles of a doccano project into the corpus's article files.

Only articles marked done in doccano are pulled. Each is checked against the scheme (labels,
relation types, offsets, and the corpus validation) and written back as article markup.
An article changed in doccano and also locally since its push is a conflict: the conflicts
are listed, one line each, and nothing is written until each is settled with --keep-local
or --take-doccano. Any error or conflict leaves the corpus as it was: files are staged
and checked first, then moved into place, the state file last.
"""
import json
import os
import re
import shutil
import tempfile
from pathlib import Path
from typing import List

import spacy
import typer

from decompile import DecompileError, decompile, roundtrip_problem
from doccano_loop import LoopError, file_hash, load_state, run_client, save_state
from doccano_records import from_doccano, record_hash, text_hash
from markup import MarkupError, parse_article
from validate_corpus import check_raw_page, check_record


def _local_record_hash(path):
    try:
        return record_hash(parse_article(path)[0])
    except (MarkupError, OSError, UnicodeDecodeError):
        return None


def plan_merge(examples, pushed, articles_dir, keep_local, take_doccano):
    """Decide per article. Returns (writes, keeps, errors, conflicts, notes): writes and
    keeps are {article id: doccano record}; errors and conflicts are one-line messages."""
    make_doc = spacy.blank("en").make_doc
    writes, keeps, errors, conflicts, notes = {}, {}, [], [], []
    for example in examples:
        art_id = example.get("article_id")
        if not isinstance(art_id, str) or not re.fullmatch(r"[\w.-]+", art_id):
            notes.append(f"doccano example {example.get('id')} has no article id (it was not pushed with "
                         "annotate-push): skipped")
            continue
        record, problems = from_doccano(example)
        entry = pushed.get(art_id)
        if record is not None and entry and text_hash(record["text"]) != entry["text"]:
            # The cause of every other problem it may show: report that alone.
            problems = ["its text was edited in doccano after the push, so its spans no longer match "
                        "the words they were put on; restore the text in doccano"]
        elif record is not None and not problems:
            problems = check_record(record, make_doc)
        if problems:
            errors += [f"{art_id}: {p}" for p in problems]
            continue
        path = articles_dir / f"{art_id}.txt"
        theirs, local = record_hash(record), file_hash(path)
        new_article = entry is not None and entry["markup"] is None and local is None
        if entry and theirs == entry["record"] and not new_article:
            continue  # unchanged in doccano: whatever was done locally stands
        if local == (entry["markup"] if entry else None) or art_id in take_doccano:
            writes[art_id] = record
        elif (local is not None and _local_record_hash(path) == theirs) or art_id in keep_local:
            keeps[art_id] = record
        else:
            why = (f"changed in doccano, and {path} was {'deleted' if local is None else 'edited'} since the push"
                   if entry else f"not pushed from here (the state file does not know it) and differs from {path}")
            conflicts.append(f"{art_id}: conflict: {why}; rerun with --keep-local {art_id} or --take-doccano {art_id}")
    return writes, keeps, errors, conflicts, notes


def stage(writes, articles_dir, staging):
    """Write each article's markup under `staging` and check it; return the problems."""
    problems = []
    for art_id, record in writes.items():
        current = articles_dir / f"{art_id}.txt"
        template = current.read_text(encoding="utf8") if current.exists() else None
        staged = staging / f"{art_id}.txt"
        try:
            staged.write_text(decompile(record, template), encoding="utf8")
        except DecompileError as err:
            problems.append(f"{art_id}: {err}")
            continue
        problem = roundtrip_problem(staged, record)
        if problem:
            problems.append(f"{art_id}: the markup written for it {problem}")
            continue
        raw = parse_article(staged)[1]
        problems += [f"{art_id}: {p}" for p in (check_raw_page(record, raw) if raw else [])]
    return problems


def commit(writes, articles_dir, staging, state_file, state):
    """Move the staged files into place and write the state; undo the moves if one fails."""
    originals = {}
    try:
        for art_id in writes:
            target = articles_dir / f"{art_id}.txt"
            originals[target] = target.read_bytes() if target.exists() else None
            os.replace(staging / f"{art_id}.txt", target)
        save_state(state_file, state)
    except OSError as err:
        for target, content in originals.items():
            if content is None:
                target.unlink(missing_ok=True)
            else:
                target.write_bytes(content)
        raise LoopError(f"writing the corpus failed ({err}); it was restored as it was") from err


def main(
    project: str = typer.Option("diplomatic-quotes", envvar="DOCCANO_PROJECT", help="doccano project name"),
    url: str = typer.Option("http://127.0.0.1:8000", envvar="DOCCANO_URL", help="doccano server"),
    user: str = typer.Option("admin", envvar="DOCCANO_USER"),
    password: str = typer.Option("password", envvar="DOCCANO_PASSWORD", show_default=False),
    articles_dir: Path = typer.Option(Path("corpus/articles"), help="The corpus's article files"),
    state_file: Path = typer.Option(Path("corpus/doccano_state.json"), help="What was pushed where"),
    keep_local: List[str] = typer.Option([], help="Settle a conflict: keep the local article file"),
    take_doccano: List[str] = typer.Option([], help="Settle a conflict: overwrite it with doccano's"),
):
    try:
        state = load_state(state_file)
        pushed = state.get(project, {})
        with tempfile.TemporaryDirectory() as tmp:
            export = Path(tmp) / "export.jsonl"
            summary = run_client("pull", url, user, password, "--project", project, "--output", export)
            examples = [json.loads(line) for line in export.read_text(encoding="utf8").splitlines() if line]
        writes, keeps, errors, conflicts, notes = plan_merge(examples, pushed, articles_dir,
                                                            set(keep_local), set(take_doccano))
        for note in notes:
            typer.secho(note, fg="yellow")
        if errors or conflicts:
            raise LoopError("\n".join(errors + conflicts) + f"\n{len(errors)} errors, {len(conflicts)} "
                            "conflicts; nothing was written")
        staging = Path(tempfile.mkdtemp(dir=articles_dir.parent, prefix=".annotate-pull-"))
        try:
            problems = stage(writes, articles_dir, staging)
            if problems:
                raise LoopError("\n".join(problems) + f"\n{len(problems)} errors; nothing was written")
            entries = state.setdefault(project, {})
            for art_id, record in {**keeps, **writes}.items():
                markup = staging / f"{art_id}.txt" if art_id in writes else articles_dir / f"{art_id}.txt"
                entries[art_id] = {"markup": file_hash(markup), "record": record_hash(record),
                                   "text": text_hash(record["text"])}
            created = {art_id for art_id in writes if not (articles_dir / f"{art_id}.txt").exists()}
            commit(writes, articles_dir, staging, state_file, state)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
    except LoopError as err:
        typer.secho(str(err), fg="red", err=True)
        raise typer.Exit(1)
    for art_id in writes:
        typer.echo(f"{art_id}: {'added' if art_id in created else 'updated'} from doccano")
    for art_id in keeps:
        typer.echo(f"{art_id}: local version kept")
    waiting = summary["total"] - summary["done"]
    typer.secho(f"Pulled {summary['done']} finished articles from {project!r}: {len(writes)} written to "
                f"{articles_dir}, {summary['done'] - len(writes) - len(keeps)} unchanged"
                + (f"; {waiting} not marked done yet" if waiting else ""), fg="green")
    if writes:
        typer.echo("Next: weasel run compile, validate and split take the new annotations into the corpus")


if __name__ == "__main__":
    typer.run(main)
