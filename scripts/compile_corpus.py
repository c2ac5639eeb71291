"""Compile the authored article files into the doccano JSONL corpus and raw pages."""
import json
import sys
from pathlib import Path

import typer

from markup import MarkupError, parse_article


def main(
    articles_dir: Path = typer.Argument(..., help="Folder of <id>.txt markup files"),
    output: Path = typer.Argument(..., help="doccano JSONL to write"),
    raw_dir: Path = typer.Argument(..., help="Folder for the raw scraped pages"),
):
    files = sorted(articles_dir.glob("*.txt"))
    if not files:
        typer.secho(f"No article files in {articles_dir}", fg="red", err=True)
        raise typer.Exit(1)
    records, raws, errors = [], {}, []
    for path in files:
        try:
            record, raw = parse_article(path)
        except (MarkupError, UnicodeDecodeError) as err:
            errors.append(str(err))
            continue
        records.append(record)
        if raw is not None:
            raws[record["id"]] = raw
    if errors:
        for err in errors:
            typer.secho(err, fg="red", err=True)
        typer.secho(f"{len(errors)} of {len(files)} articles failed to compile; nothing written",
                    fg="red", err=True)
        raise typer.Exit(1)
    # Write to temporary names first so a failure never leaves half a corpus.
    output.parent.mkdir(parents=True, exist_ok=True)
    tmp = output.with_suffix(".tmp")
    with tmp.open("w", encoding="utf8") as f:
        for record in records:
            f.write(json.dumps(record, ensure_ascii=False) + "\n")
    tmp.replace(output)
    raw_dir.mkdir(parents=True, exist_ok=True)
    for stale in raw_dir.glob("*.txt"):
        if stale.stem not in raws:
            stale.unlink()
    for art_id, raw in raws.items():
        (raw_dir / f"{art_id}.txt").write_text(raw, encoding="utf8")
    typer.echo(f"Compiled {len(records)} articles ({len(raws)} with raw pages) -> {output}")


if __name__ == "__main__":
    typer.run(main)
