"""Create the two environments of the doccano loop under .venvs/, skipping what is done.

doccano 1.8.4 (the server) and doccano-client 1.2.8 each pin libraries that spaCy 3.8
cannot share (see the requirement files), so each lives in its own virtual environment
and the project's scripts call into them as subprocesses. An environment is rebuilt only
when its requirement file changed since it was built.
"""
import hashlib
import subprocess
import venv
from pathlib import Path
from typing import List

import typer

ROOT = Path(__file__).resolve().parent.parent
VENVS = ROOT / ".venvs"
REQUIREMENTS = {"doccano": ROOT / "requirements-doccano.txt",
                "annotate": ROOT / "requirements-annotate.txt"}


def python_of(name: str) -> Path:
    return VENVS / name / "bin" / "python"


def ensure(name: str) -> Path:
    """Build .venvs/<name> unless it is up to date with its requirement file; return its python."""
    env_dir = VENVS / name
    requirements = REQUIREMENTS[name]
    digest = hashlib.sha256(requirements.read_bytes()).hexdigest()
    stamp = env_dir / ".requirements.sha256"
    if stamp.exists() and stamp.read_text().strip() == digest and python_of(name).exists():
        return python_of(name)
    typer.echo(f"Building the {name} environment in {env_dir} (a few minutes, once)", err=True)
    # clear=True: a half-built or outdated environment is rebuilt from nothing.
    venv.create(env_dir, clear=True, with_pip=True)
    result = subprocess.run([str(python_of(name)), "-m", "pip", "install", "--quiet",
                             "--disable-pip-version-check", "-r", str(requirements)],
                            capture_output=True, text=True)
    if result.returncode != 0:
        tail = [line for line in result.stderr.splitlines() if "is ignored" not in line][-5:]
        typer.secho(f"Installing {requirements.name} into {env_dir} failed:", fg="red", err=True)
        typer.echo("\n".join(tail), err=True)
        raise typer.Exit(1)
    # Written last, so an interrupted build is redone next time.
    stamp.write_text(digest + "\n")
    return python_of(name)


def main(names: List[str] = typer.Argument(None, help="doccano, annotate, or both when omitted")):
    for name in names or list(REQUIREMENTS):
        if name not in REQUIREMENTS:
            typer.secho(f"Unknown environment {name!r}: choose from {sorted(REQUIREMENTS)}",
                        fg="red", err=True)
            raise typer.Exit(2)
        typer.echo(f"{name}: {ensure(name)}")


if __name__ == "__main__":
    typer.run(main)
