"""Extract who said what from a whole news archive: streamed, batched, resumable.

Input: JSONL files ({"id": ..., "text": ...} a line) and/or Parquet files (columns "text"
and optionally "id"), or folders of them. JSONL is read line by line and Parquet by
record batches, so the archive is never held in memory. Output: one row per quote (the
fields of extract_quotes.FIELDS) as JSONL or Parquet.

Resumable: rows are committed in chunks. Each chunk is written to its own part file
(temp file, fsync, rename) and only then recorded in a manifest (same dance), together
with the input position just after the chunk's last record. A kill at any moment
leaves at most a part file the manifest does not know, which a restart deletes; the
restart seeks to the recorded position, so no article is lost or written twice. When
the whole input is done the parts are merged into the output and the parts folder goes.
"""
import json
import os
import shutil
import sys
from collections import deque
from pathlib import Path
from typing import Iterator, List, Optional

import typer

# chunks: long articles go through the pipeline in paragraph-aligned pieces, and rows_for
# shifts each piece's offsets back onto the whole article, exactly as extract_quotes does.
from extract_quotes import FIELDS, check_output, chunks, exit_on_failures, rows_for  # noqa: F401

SUFFIXES = (".jsonl", ".parquet")
MANIFEST = "manifest.json"
LOCK = "lock"


# --- Reading: one record at a time, with a position to resume from --------------------
# A position is [file index, records consumed in that file, byte offset in it (JSONL)].
# Every item the readers yield carries the position just after it.

def input_files(inputs: List[Path]) -> List[Path]:
    files = []
    for path in inputs:
        if path.is_dir():
            files += sorted(p for p in path.rglob("*") if p.suffix in SUFFIXES)
        else:
            files.append(path)
    return files


def check_record(record) -> str:
    """The text of a record, or ValueError saying why it is not an article.

    The rules of extract_quotes.read_articles, except that a non-string text (null, a
    number) is refused rather than turned into the string "None"."""
    if not isinstance(record, dict) or "text" not in record:
        raise ValueError("not a JSON object with 'text'")
    text = record["text"]
    if not isinstance(text, str):
        raise ValueError(f"'text' is {type(text).__name__}, not a string")
    if not text.strip():
        raise ValueError("empty text")
    return text


def article_id(record, path: Path, number: int) -> str:
    """The record's id, else "<file stem>:<line or row number>" as extract_quotes does."""
    value = record.get("id")
    return str(value) if value is not None else f"{path.stem}:{number}"


def iter_jsonl(path: Path, file_no: int, record: int = 0, offset: int = 0,
               end: Optional[int] = None) -> Iterator[tuple]:
    """Yield ("article", pos, id, text) or ("failure", pos, source, reason) per line.

    Starts at byte `offset`, which is line `record` + 1, and stops before byte `end`.
    Lines are read as bytes so that one line with bad UTF-8 is reported, not the file."""
    with path.open("rb") as f:
        f.seek(offset)
        while end is None or offset < end:
            raw = f.readline()
            if not raw:
                break
            offset += len(raw)
            record += 1
            pos = [file_no, record, offset]
            if record == 1:
                raw = raw.removeprefix(b"\xef\xbb\xbf")  # a UTF-8 byte order mark
            if not raw.strip():
                continue
            source = f"{path}:{record}"
            try:
                obj = json.loads(raw.decode("utf8"))
                text = check_record(obj)
            except UnicodeDecodeError as err:
                yield "failure", pos, source, f"not UTF-8 ({err})"
                continue
            except json.JSONDecodeError as err:
                yield "failure", pos, source, f"not a JSON object with 'text' ({err})"
                continue
            except ValueError as err:
                yield "failure", pos, source, str(err)
                continue
            yield "article", pos, article_id(obj, path, record), text


def iter_parquet(path: Path, file_no: int, record: int = 0, batch_size: int = 1024,
                 row_groups: Optional[List[int]] = None) -> Iterator[tuple]:
    """Yield items as iter_jsonl does, reading record batches; rows are numbered from 1.

    Starts after `record` rows: whole row groups before it are not read at all."""
    import pyarrow.parquet as pq

    pf = pq.ParquetFile(path)
    names = pf.schema_arrow.names
    if "text" not in names:
        yield "failure", [file_no + 1, 0, 0], str(path), "no 'text' column"
        return
    columns = ["text"] + (["id"] if "id" in names else [])
    starts, total = [], 0
    for i in range(pf.num_row_groups):
        starts.append(total)
        total += pf.metadata.row_group(i).num_rows
    if row_groups is None:
        row_groups = [i for i in range(pf.num_row_groups)
                      if starts[i] + pf.metadata.row_group(i).num_rows > record]
    if not row_groups:
        return
    row = starts[row_groups[0]]
    for batch in pf.iter_batches(batch_size=batch_size, row_groups=row_groups, columns=columns):
        for obj in batch.to_pylist():
            row += 1
            if row <= record:
                continue
            pos = [file_no, row, 0]
            try:
                text = check_record(obj)
            except ValueError as err:
                yield "failure", pos, f"{path}:row {row}", str(err)
                continue
            yield "article", pos, article_id(obj, path, row), text


def read_items(files: List[Path], start=(0, 0, 0)) -> Iterator[tuple]:
    """Every item of every file, from position `start` on; bad files are failures too."""
    for file_no in range(start[0], len(files)):
        path = files[file_no]
        record, offset = (start[1], start[2]) if file_no == start[0] else (0, 0)
        try:
            if path.suffix == ".parquet":
                yield from iter_parquet(path, file_no, record)
            elif path.suffix == ".jsonl":
                yield from iter_jsonl(path, file_no, record, offset)
            else:
                raise ValueError(f"not .jsonl or .parquet: {path.suffix!r}")
        except Exception as err:  # an unreadable file is reported, the rest go on
            yield "failure", [file_no + 1, 0, 0], str(path), f"{type(err).__name__}: {err}"


# --- Writing: part files and the manifest, each replaced atomically --------------------

def parquet_schema():
    import pyarrow as pa

    return pa.schema([("article_id", pa.string()), ("speaker_name", pa.string()),
                      ("speaker", pa.string()), ("cue", pa.string()), ("quote", pa.string()),
                      ("quote_type", pa.string()), ("start", pa.int64()), ("end", pa.int64()),
                      ("topics", pa.list_(pa.string()))])


def atomic_write(path: Path, write) -> None:
    """Call write(tmp_path), fsync it and rename it onto path: readers see all or nothing."""
    tmp = path.with_name(path.name + ".tmp")
    write(tmp)
    with tmp.open("rb+") as f:
        os.fsync(f.fileno())
    tmp.replace(path)
    dir_fd = os.open(path.parent, os.O_RDONLY)  # make the rename itself durable
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)


def write_rows(path: Path, rows: List[dict]) -> None:
    if path.suffix == ".parquet":
        import pyarrow as pa
        import pyarrow.parquet as pq

        atomic_write(path, lambda tmp: pq.write_table(
            pa.Table.from_pylist(rows, schema=parquet_schema()), tmp))
    else:
        def write(tmp):
            with tmp.open("w", encoding="utf8") as f:
                for row in rows:
                    f.write(json.dumps(row, ensure_ascii=False) + "\n")
        atomic_write(path, write)


def read_rows(path: Path) -> List[dict]:
    """All rows of an output file (for tests and small outputs)."""
    if path.suffix == ".parquet":
        import pyarrow.parquet as pq

        return pq.read_table(path).to_pylist()
    with path.open(encoding="utf8") as f:
        return [json.loads(line) for line in f if line.strip()]


def merge_parts(part_paths: List[Path], output: Path) -> None:
    """Concatenate the parts, in order, into output, one part in memory at a time."""
    if output.suffix == ".parquet":
        import pyarrow.parquet as pq

        def write(tmp):
            with pq.ParquetWriter(tmp, parquet_schema()) as writer:
                for part in part_paths:
                    writer.write_table(pq.read_table(part, schema=parquet_schema()))
    else:
        def write(tmp):
            with tmp.open("wb") as out:
                for part in part_paths:
                    with part.open("rb") as f:
                        shutil.copyfileobj(f, out, 1 << 20)
    atomic_write(output, write)


def fingerprint(files: List[Path]) -> List[dict]:
    return [{"path": str(p.resolve()), "size": p.stat().st_size if p.exists() else None} for p in files]


class Checkpoint:
    """The parts folder of one run: its manifest and its committed part files."""

    def __init__(self, parts_dir: Path, suffix: str):
        self.dir, self.suffix = parts_dir, suffix
        self.path = parts_dir / MANIFEST

    def load_or_start(self, files: List[Path], model: str) -> dict:
        inputs = fingerprint(files)
        if self.path.exists():
            state = json.loads(self.path.read_text(encoding="utf8"))
            if state["inputs"] != inputs or state["model"] != model:
                raise ValueError(f"{self.dir} belongs to a run over other inputs or another model; "
                                 "rerun with --overwrite to start again")
        else:
            self.dir.mkdir(parents=True, exist_ok=True)
            state = {"inputs": inputs, "model": model, "position": [0, 0, 0], "articles": 0,
                     "quotes": 0, "parts": [], "complete": False}
            self.save(state)
        # A part written after the last manifest update was never committed: drop it.
        known = {p["name"] for p in state["parts"]}
        for path in self.dir.iterdir():
            if path.name not in (MANIFEST, LOCK) and path.name not in known:
                path.unlink()
        return state

    def save(self, state: dict) -> None:
        atomic_write(self.path, lambda tmp: tmp.write_text(json.dumps(state, indent=1), encoding="utf8"))

    def commit(self, state: dict, rows: List[dict], n_articles: int, failures: list, position) -> None:
        """Write a chunk's rows, then record them and the position after them."""
        name = None
        if rows:  # a chunk of articles without quotes still moves the position on
            name = f"part-{len(state['parts']) + 1:06d}{self.suffix}"
            write_rows(self.dir / name, rows)
        state["parts"].append({"name": name, "articles": n_articles, "quotes": len(rows),
                               "failures": failures})
        state["articles"] += n_articles
        state["quotes"] += len(rows)
        state["position"] = list(position)
        self.save(state)

    def part_paths(self, state: dict) -> List[Path]:
        return [self.dir / p["name"] for p in state["parts"] if p["name"]]


_fork_parent = None


def _remember_parent():
    global _fork_parent
    _fork_parent = os.getpid()


def _die_with_parent():
    # Linux only: ask the kernel to kill this forked worker when its parent dies. Without
    # it, nlp.pipe workers of a killed run wait forever, each holding a model in memory.
    try:
        import ctypes
        import signal

        ctypes.CDLL(None).prctl(1, signal.SIGKILL)  # 1 = PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        return
    if os.getppid() != _fork_parent:  # the parent died before the request took hold
        os._exit(1)


def workers_die_with_parent():
    if sys.platform.startswith("linux") and not getattr(workers_die_with_parent, "done", False):
        os.register_at_fork(before=_remember_parent, after_in_child=_die_with_parent)
        workers_die_with_parent.done = True


def load_model(model: str):
    import spacy

    import quotes  # noqa: F401  (registers the components when the model is a training folder)

    return spacy.load(model)


def start_run(output: Path, overwrite: bool):
    """Create and lock the parts folder of output; return (folder, open lock file).

    The lock is exclusive: two runs on one output would commit the same articles twice.
    The kernel drops it when the process dies, however it dies."""
    import fcntl

    parts_dir = output.with_name(output.name + ".parts")
    if not overwrite and output.exists() and not parts_dir.exists():
        raise FileExistsError(f"{output} exists and no unfinished run is in {parts_dir}; "
                              "use --overwrite to run again")
    parts_dir.mkdir(parents=True, exist_ok=True)
    lock = (parts_dir / LOCK).open("a")
    try:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        lock.close()
        raise ValueError(f"another run is writing {parts_dir}; wait for it or stop it first")
    if overwrite:
        for path in parts_dir.iterdir():
            if path.name != LOCK:
                path.unlink()
    return parts_dir, lock


def extract(files: List[Path], output: Path, model: str, n_process: int = 1, batch_size: int = 16,
            chunk_size: int = 1000, overwrite: bool = False, progress: bool = True,
            nlp=None) -> dict:
    """Run (or resume) the extraction; return the final manifest state."""
    parts_dir, lock = start_run(output, overwrite)
    try:
        checkpoint = Checkpoint(parts_dir, output.suffix)
        state = checkpoint.load_or_start(files, model)
        if not state["complete"]:
            nlp = nlp or load_model(model)
            run_chunks(nlp, files, checkpoint, state, n_process, batch_size, chunk_size, progress)
        merge_parts(checkpoint.part_paths(state), output)
        shutil.rmtree(parts_dir)
    finally:
        lock.close()
    return state


def article_pieces(art_id: str, text: str, context):
    """(piece, (context, id, offset, is last piece)) for nlp.pipe(as_tuples=True)."""
    pieces = list(chunks(text))
    for i, (offset, piece) in enumerate(pieces):
        yield piece, (context, art_id, offset, i == len(pieces) - 1)


def run_chunks(nlp, files, checkpoint, state, n_process, batch_size, chunk_size, progress):
    from tqdm import tqdm

    failures = deque()  # (position, source, reason), read but not yet committed

    def texts():
        # Runs in this process, also with n_process > 1: spaCy feeds its workers from here.
        for kind, pos, a, b in read_items(files, state["position"]):
            if kind == "failure":
                failures.append((pos, a, b))
            else:
                yield from article_pieces(a, b, pos)

    def take_failures(upto=None):
        taken = []
        while failures and (upto is None or failures[0][0] < upto):
            pos, source, reason = failures.popleft()
            typer.secho(f"skipped {source}: {reason}", fg="red", err=True)
            taken.append([source, reason])
        return taken

    if n_process > 1:
        workers_die_with_parent()
        # Share the cores: forked workers inherit torch's thread count, and its default
        # of one thread per core in each worker would oversubscribe the CPU.
        try:
            import torch

            torch.set_num_threads(max(1, (os.cpu_count() or 1) // n_process))
        except ImportError:
            pass
    rows, n_articles = [], 0
    bar = tqdm(desc="articles", unit="art", initial=state["articles"], disable=not progress, mininterval=2)
    for doc, (pos, art_id, offset, last) in nlp.pipe(texts(), as_tuples=True, batch_size=batch_size,
                                                     n_process=n_process):
        rows.extend(rows_for(art_id, doc, offset))
        if not last:  # a chunk only ever ends with the last piece of an article
            continue
        n_articles += 1
        bar.update()
        if n_articles >= chunk_size:
            # Failures read before this article belong to the chunk; later ones wait.
            checkpoint.commit(state, rows, n_articles, take_failures(pos), pos)
            rows, n_articles = [], 0
    bar.close()
    # The input is exhausted: whatever is left, and every failure, closes the run.
    state["complete"] = True
    checkpoint.commit(state, rows, n_articles, take_failures(), [len(files), 0, 0])


def main(
    inputs: List[Path] = typer.Argument(..., help="JSONL or Parquet files, or folders of them"),
    output: Path = typer.Option(..., help="Output .jsonl or .parquet, one row per quote"),
    model: str = typer.Option("en_diplomatic_quotes", help="Package name or path of the pipeline"),
    n_process: int = typer.Option(1, help="Processes for nlp.pipe on this machine"),
    batch_size: int = typer.Option(16, help="Articles per nlp.pipe batch"),
    chunk_size: int = typer.Option(1000, help="Articles per committed chunk (checkpoint)"),
    overwrite: bool = typer.Option(False, help="Discard an unfinished run or an existing output"),
):
    check_output(output, SUFFIXES)
    files = input_files(inputs)
    try:
        state = extract(files, output, model, n_process, batch_size, chunk_size, overwrite)
    except (FileExistsError, ValueError) as err:
        typer.secho(str(err), fg="red", err=True)
        raise typer.Exit(2)
    failed = [f for part in state["parts"] for f in part["failures"]]
    typer.echo(f"{state['quotes']} quotes from {state['articles']} articles -> {output}")
    exit_on_failures(failed)


if __name__ == "__main__":
    typer.run(main)
