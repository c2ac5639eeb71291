"""Assign articles to train/dev/test once and for all.

Existing assignments in the split file never change, so test articles stay unseen.
New articles fill dev and test first where those splits still lack one of the article's
topics or quote types (stratification), then by a stable hash of the id (80/10/10).
"""
import hashlib
import json
from collections import Counter
from pathlib import Path

import typer

from quotes import TOPICS, quote_type

SHARES = {"dev": 0.1, "test": 0.1}


def features(record):
    types = {quote_type(record["text"][e["start_offset"]:e["end_offset"]])
             for e in record["entities"] if e["label"] == "QUOTE"}
    return set(record.get("cats", [])) | types


def read_split(path):
    if not path.exists():
        return {}
    rows = [line.split("\t") for line in path.read_text(encoding="utf8").splitlines() if line.strip()]
    return {art_id: split for art_id, split in rows}


def _hash(art_id):
    return hashlib.sha1(art_id.encode()).hexdigest()


def assign(records, split):
    """Extend the split: new articles go where dev/test still lack one of their features,
    then fill dev and test up to 10% each in a stable pseudo-random (hash) order."""
    split = dict(split)
    counts = Counter(split.values())
    covered = {name: set() for name in ("train", "dev", "test")}
    by_id = {r["id"]: r for r in records}
    for art_id, name in split.items():
        if art_id in by_id:
            covered[name] |= features(by_id[art_id])
    new = sorted((r for r in records if r["id"] not in split), key=lambda r: _hash(r["id"]))
    total = len(split) + len(new)
    quota = {name: round(share * total) for name, share in SHARES.items()}
    rest = []
    for r in new:
        feats = features(r)
        name = next((n for n in quota if counts[n] < quota[n] and feats - covered[n]), None)
        if name is None:
            rest.append(r)
            continue
        split[r["id"]] = name
        counts[name] += 1
        covered[name] |= feats
    for r in rest:
        name = next((n for n in quota if counts[n] < quota[n]), "train")
        split[r["id"]] = name
        counts[name] += 1
        covered[name] |= features(r)
    return split, covered


def main(
    corpus: Path = typer.Argument(..., help="doccano JSONL corpus"),
    split_file: Path = typer.Argument(..., help="TSV of article id and split (kept, extended)"),
):
    records = [json.loads(line) for line in corpus.read_text(encoding="utf8").splitlines() if line.strip()]
    split, covered = assign(records, read_split(split_file))
    known = {r["id"] for r in records}
    # Entries of articles that are gone stay, so an article that comes back keeps its split.
    split_file.write_text("".join(f"{i}\t{s}\n" for i, s in sorted(split.items())), encoding="utf8")
    counts = Counter(s for i, s in split.items() if i in known)
    typer.echo(f"Split: {dict(counts)}")
    wanted = set(TOPICS) | {"DIRECT", "INDIRECT", "MIXED"}
    for name in ("dev", "test"):
        missing = wanted - covered[name]
        if missing:
            typer.secho(f"{name} lacks {sorted(missing)}", fg="yellow")


if __name__ == "__main__":
    typer.run(main)
