"""Extract who said what from raw articles: one row per quote, as JSONL or CSV.

Inputs are files or folders of scraped `.txt` pages (cleaned as `prepare` does) or JSONL
with a "text" (and optionally "id") per line. A bad file or line is reported by name and
skipped; every good article is processed; a summary of failures ends the run.
"""
import csv
import json
import os
from pathlib import Path
from typing import Iterator, List, Tuple

os.environ.setdefault("HF_HUB_OFFLINE", "1")

import spacy  # noqa: E402
import typer  # noqa: E402
from tqdm import tqdm  # noqa: E402

from cleaning import clean_file  # noqa: E402

SUFFIXES = (".txt", ".jsonl", ".html", ".htm")
FIELDS = ["article_id", "speaker_name", "speaker", "cue", "quote", "quote_type", "start", "end", "topics"]


def iter_files(inputs: List[Path]) -> Iterator[Path]:
    for path in inputs:
        if path.is_dir():
            yield from sorted(p for p in path.rglob("*") if p.suffix.lower() in SUFFIXES)
        else:
            yield path


def read_articles(inputs: List[Path], failures: list) -> Iterator[Tuple[str, str]]:
    """Yield (article id, clean text); append (source, reason) to failures for bad input."""
    for path in iter_files(inputs):
        try:
            if not path.exists():
                raise ValueError("no such file")
            if path.suffix == ".jsonl":
                with path.open(encoding="utf8") as f:
                    for line_no, line in enumerate(f, start=1):
                        if not line.strip():
                            continue
                        try:
                            record = json.loads(line)
                            text = record["text"]
                        except (json.JSONDecodeError, KeyError, TypeError) as err:
                            failures.append((f"{path}:{line_no}", f"not a JSON object with 'text' ({err})"))
                            continue
                        if not str(text).strip():
                            failures.append((f"{path}:{line_no}", "empty text"))
                            continue
                        yield str(record.get("id", f"{path.stem}:{line_no}")), str(text)
            else:
                text = clean_file(path)["text"]
                if not text.strip():
                    raise ValueError("empty or whitespace-only article")
                yield path.stem, text
        except (OSError, ValueError, UnicodeDecodeError) as err:
            failures.append((str(path), str(err)))


# Longer articles are processed in pieces cut at paragraph breaks, which bounds memory and
# keeps under spaCy's max_length; quotes never cross paragraphs, and offsets are shifted
# back so they refer to the whole article.
MAX_CHARS = 100_000


def chunks(text, max_chars=MAX_CHARS):
    """Yield (offset, piece) covering text, cut at paragraph breaks (else at a space)."""
    start = 0
    while start < len(text):
        end = min(start + max_chars, len(text))
        if end < len(text):
            cut = text.rfind("\n\n", start + 1, end)
            if cut <= start:
                cut = text.rfind(" ", start + 1, end)
            end = cut if cut > start else end
        yield start, text[start:end]
        start = end


def rows_for(article_id, doc, offset=0):
    for record in doc._.quotes:
        yield {"article_id": article_id, **record,
               "start": record["start"] + offset, "end": record["end"] + offset}


def extract_rows(nlp, articles, batch_size=16):
    """Stream (article id, piece offset, rows) for (id, text) articles, piece by piece."""
    pieces = ((piece, (art_id, offset)) for art_id, text in articles for offset, piece in chunks(text))
    for doc, (art_id, offset) in tqdm(nlp.pipe(pieces, as_tuples=True, batch_size=batch_size),
                                      desc="article pieces", unit="piece"):
        yield art_id, offset, list(rows_for(art_id, doc, offset))


def check_output(output: Path, suffixes=(".jsonl", ".csv")):
    """Exit with code 2 and a message unless the output file has one of the suffixes."""
    if output.suffix not in suffixes:
        typer.secho(f"--output must end in {' or '.join(suffixes)}, not {output.suffix!r}", fg="red", err=True)
        raise typer.Exit(2)


def exit_on_failures(failures):
    """End a run that skipped bad inputs with their list and exit code 1."""
    if failures:
        typer.secho(f"{len(failures)} inputs failed:", fg="red", err=True)
        for source, reason in failures:
            typer.secho(f"  {source}: {reason}", fg="red", err=True)
        raise typer.Exit(1)


def main(
    inputs: List[Path] = typer.Argument(..., help="Files or folders of .txt pages or .jsonl"),
    model: str = typer.Option("en_diplomatic_quotes", help="Package name or path of the pipeline"),
    output: Path = typer.Option(..., help="Output .jsonl or .csv"),
    batch_size: int = typer.Option(16, help="Articles per nlp.pipe batch"),
):
    check_output(output)
    import quotes  # noqa: F401  (registers the components when the model is a training folder)

    nlp = spacy.load(model)
    failures, n_articles, n_quotes = [], 0, 0
    output.parent.mkdir(parents=True, exist_ok=True)
    tmp = output.with_name(output.name + ".part")
    with tmp.open("w", encoding="utf8", newline="") as f:
        writer = csv.DictWriter(f, FIELDS) if output.suffix == ".csv" else None
        if writer:
            writer.writeheader()
        for _, offset, rows in extract_rows(nlp, read_articles(inputs, failures), batch_size):
            n_articles += offset == 0
            for row in rows:
                n_quotes += 1
                if writer:
                    writer.writerow({**row, "topics": ";".join(row["topics"])})
                else:
                    f.write(json.dumps(row, ensure_ascii=False) + "\n")
    tmp.replace(output)
    typer.echo(f"{n_quotes} quotes from {n_articles} articles -> {output}")
    exit_on_failures(failures)


if __name__ == "__main__":
    typer.run(main)
