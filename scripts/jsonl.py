"""Read doccano JSONL strictly: every bad line is reported with its file and line number."""
import json
from pathlib import Path

REQUIRED = {"text": str, "entities": list, "relations": list}


class JsonlError(ValueError):
    """Problems in a JSONL file; str() lists one per line."""

    def __init__(self, problems):
        super().__init__("\n".join(problems))
        self.problems = problems


def read_records(path: Path):
    """Return the records of a doccano JSONL file, or raise JsonlError naming each bad line."""
    records, problems = [], []
    with Path(path).open(encoding="utf8") as f:
        for line_no, line in enumerate(f, start=1):
            if not line.strip():
                continue
            where = f"{path}:{line_no}"
            try:
                record = json.loads(line)
            except json.JSONDecodeError as err:
                problems.append(f"{where}: not valid JSON ({err.msg} at column {err.colno})")
                continue
            if not isinstance(record, dict):
                problems.append(f"{where}: not a JSON object")
                continue
            where += f" article {record.get('id', '?')}"
            record.setdefault("relations", [])
            bad = [k for k, t in REQUIRED.items() if not isinstance(record.get(k), t)]
            if bad:
                problems.append(f"{where}: missing or mistyped {', '.join(bad)}")
                continue
            if "id" not in record:
                problems.append(f"{where}: missing id")
                continue
            records.append(record)
    if problems:
        raise JsonlError(problems)
    return records
