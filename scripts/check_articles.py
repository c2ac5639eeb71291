"""Check authored article files one by one while writing them (annotators' quick check)."""
from pathlib import Path
from typing import List

import spacy
import typer

from corpus_stats import corpus_stats, print_stats
from markup import MarkupError, parse_article
from validate_corpus import check_raw_page, check_record, repeated_sentences


def main(files: List[Path] = typer.Argument(..., help="Article markup files")):
    make_doc = spacy.blank("en").make_doc
    records, raws, failed = [], {}, 0
    for path in files:
        try:
            record, raw = parse_article(path)
            problems = check_record(record, make_doc)
            if raw is not None and not problems:
                problems = check_raw_page(record, raw)
        except MarkupError as err:
            record, raw, problems = None, None, [str(err)]
        for p in problems:
            typer.secho(f"{path.name}: {p}", fg="red")
        failed += bool(problems)
        if record:
            records.append(record)
            if raw is not None:
                raws[record["id"]] = raw
    repeated, total = repeated_sentences(records)
    for sent, arts in repeated.items():
        typer.secho(f"repeated sentence in {sorted(arts)}: {sent[:70]!r}", fg="yellow")
    print_stats(corpus_stats(records, raws))
    typer.secho(f"{len(files) - failed} of {len(files)} files pass", fg="red" if failed else "green")
    raise typer.Exit(1 if failed else 0)


if __name__ == "__main__":
    typer.run(main)
