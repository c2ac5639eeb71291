"""What annotate-push and annotate-pull share: the state file and the call into the client.

The state file (corpus/doccano_state.json, committed) remembers, per doccano project and
article, what was pushed: the hash of the article's markup file (None for an article that
was new), of its record and of its text. A pull compares both sides with it, so an article
edited locally since the push is never overwritten without being asked.
"""
import hashlib
import json
import os
import subprocess
import tempfile
from pathlib import Path

from doccano_env import python_of

CLIENT = Path(__file__).resolve().parent / "doccano_transfer.py"


class LoopError(Exception):
    """A failure of push or pull, told in one line."""


def file_hash(path):
    path = Path(path)
    return hashlib.sha256(path.read_bytes()).hexdigest() if path.exists() else None


def load_state(path):
    path = Path(path)
    if not path.exists():
        return {}
    try:
        return json.loads(path.read_text(encoding="utf8"))
    except json.JSONDecodeError as err:
        raise LoopError(f"{path} is not valid JSON ({err}); restore it from git") from err


def save_state(path, state):
    """Write the state file atomically: a temporary file beside it, then a rename."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    with os.fdopen(fd, "w", encoding="utf8") as f:
        f.write(json.dumps(state, indent=1, sort_keys=True, ensure_ascii=False) + "\n")
    os.replace(tmp, path)


def run_client(command, url, user, password, *args):
    """Run doccano_transfer.py in the annotation environment; return what it printed as JSON."""
    python = python_of("annotate")
    if not python.exists():
        raise LoopError("the annotation environment is missing: run `python scripts/doccano_env.py annotate`")
    env = {**os.environ, "DOCCANO_PASSWORD": password}  # kept off the command line, which ps shows
    result = subprocess.run([str(python), str(CLIENT), command, "--url", url, "--user", user, *map(str, args)],
                            capture_output=True, text=True, env=env)
    if result.returncode != 0:
        lines = result.stderr.strip().splitlines() or [f"doccano client exited with {result.returncode}"]
        raise LoopError(lines[-1])
    return json.loads(result.stdout)
