"""Clean raw scraped article pages (.txt or .html) into JSONL: {"id", "text", "meta": {"published", "source"}}."""
import json
from pathlib import Path

import typer

from cleaning import clean_file


def main(
    raw_dir: Path = typer.Argument(..., help="Folder of scraped pages (.txt, .html)"),
    output: Path = typer.Argument(..., help="JSONL of cleaned articles"),
):
    pages = sorted(p for p in raw_dir.iterdir() if p.suffix.lower() in (".txt", ".html", ".htm"))
    records, failures = [], []
    for path in pages:
        try:
            cleaned = clean_file(path)
        except ValueError as err:
            failures.append(f"{path}: {err}")
            continue
        if not cleaned["text"].strip():
            failures.append(f"{path}: no article text left after cleaning")
            continue
        cleaned["meta"]["source"] = path.name
        records.append({"id": path.stem, "text": cleaned["text"], "meta": cleaned["meta"]})
    output.parent.mkdir(parents=True, exist_ok=True)
    tmp = output.with_suffix(".tmp")
    tmp.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf8")
    tmp.replace(output)
    for failure in failures:
        typer.secho(failure, fg="red", err=True)
    undated = sum(1 for r in records if not r["meta"]["published"])
    typer.echo(f"Prepared {len(records)} of {len(pages)} pages -> {output} "
               f"({undated} without a dateline, {len(failures)} failed)")


if __name__ == "__main__":
    typer.run(main)
