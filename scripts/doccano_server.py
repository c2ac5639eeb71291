"""Start, stop or check a local doccano server for the annotation loop, on 127.0.0.1 only.

`doccano webserver` binds every interface and `doccano task` is a second process to keep
track of, so this runs the two itself: gunicorn on the loopback address and the celery
worker that doccano needs for uploads and exports, both on SQLite in a data folder, each
with a pid file for `stop`. `start` creates the environment and the admin user when they
are missing and returns once the server answers healthy, worker included.
"""
import json
import os
import secrets
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

import typer

from doccano_env import VENVS, ensure

app = typer.Typer(help=__doc__.splitlines()[0], no_args_is_help=True)
PROCESSES = ("web", "task")
DATA_OPT = typer.Option(VENVS / "doccano-data", "--data-dir", envvar="DOCCANO_DATA", help="SQLite database, uploads, logs, pid files")
PORT_OPT = typer.Option(8000, envvar="DOCCANO_PORT", help="Port on 127.0.0.1")


def _server_env(data_dir: Path):
    secret = data_dir / "secret_key"
    if not secret.exists():
        secret.write_text(secrets.token_urlsafe(50))  # doccano's default key is public
    return {**os.environ,
            "DOCCANO_HOME": str(data_dir),
            "DATABASE_URL": f"sqlite:///{data_dir / 'db.sqlite3'}",
            "MEDIA_ROOT": str(data_dir / "media"),
            "SECRET_KEY": secret.read_text(),
            "STANDALONE": "True",  # serve the web app's own files too
            "DJANGO_SETTINGS_MODULE": "config.settings.production",
            # The worker reads uploads with open(); without UTF-8 mode a C locale breaks them.
            "PYTHONUTF8": "1"}


def _pid(data_dir: Path, name: str):
    """The pid in a pid file, if that process is still alive."""
    path = data_dir / f"{name}.pid"
    if not path.exists():
        return None
    pid = int(path.read_text())
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return None
    # After a reboot the number may belong to another program: it must run from .venvs/doccano.
    cmdline = Path(f"/proc/{pid}/cmdline")
    if cmdline.exists() and str(VENVS / "doccano") not in cmdline.read_bytes().decode(errors="replace"):
        return None
    return pid


def _health(port: int):
    """doccano's health report ({check: "OK" ...}, the worker included), or None."""
    request = urllib.request.Request(f"http://127.0.0.1:{port}/v1/health/", headers={"Accept": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return json.loads(response.read())
    except (urllib.error.URLError, OSError, ValueError):
        return None


def _healthy(port: int):
    report = _health(port)
    return bool(report) and all(v == "OK" for v in report.values())


def _stop(data_dir: Path):
    for name in PROCESSES:
        pid = _pid(data_dir, name)
        if pid is not None:
            # Each was started as the leader of its own process group: end it with its workers.
            os.killpg(pid, signal.SIGTERM)
            for _ in range(100):
                if _pid(data_dir, name) is None:
                    break
                time.sleep(0.2)
            else:
                os.killpg(pid, signal.SIGKILL)
        (data_dir / f"{name}.pid").unlink(missing_ok=True)


@app.command()
def start(
    port: int = PORT_OPT,
    data_dir: Path = DATA_OPT,
    user: str = typer.Option("admin", envvar="DOCCANO_USER", help="Admin user to create"),
    password: str = typer.Option("password", envvar="DOCCANO_PASSWORD", help="Its password"),
    timeout: int = typer.Option(180, help="Seconds to wait for the server to be healthy"),
):
    """Start the server (and build its environment on first use)."""
    data_dir = data_dir.resolve()
    if all(_pid(data_dir, name) for name in PROCESSES) and _healthy(port):
        typer.echo(f"doccano is already running at http://127.0.0.1:{port}")
        return
    _stop(data_dir)  # whatever is left of a server that half-died
    with socket.socket() as probe:
        if probe.connect_ex(("127.0.0.1", port)) == 0:
            typer.secho(f"Port {port} on 127.0.0.1 is taken by another program; choose another with --port",
                        fg="red", err=True)
            raise typer.Exit(1)
    python = ensure("doccano")
    bin_dir = python.parent
    data_dir.mkdir(parents=True, exist_ok=True)
    env = _server_env(data_dir)
    log = data_dir / "setup.log"
    with log.open("w") as out:
        for args in (["init"], ["createuser", "--username", user, "--password", password]):
            if subprocess.run([str(bin_dir / "doccano"), *args], env=env, stdout=out, stderr=out).returncode:
                typer.secho(f"doccano {args[0]} failed; see {log}", fg="red", err=True)
                raise typer.Exit(1)
    (backend,) = (python.parent.parent / "lib").glob("python*/site-packages/backend")
    commands = {
        "web": [str(bin_dir / "gunicorn"), "--bind", f"127.0.0.1:{port}", "--workers", "2",
                "--chdir", str(backend), "config.wsgi"],
        "task": [str(bin_dir / "doccano"), "task", "--concurrency", "1"],
    }
    processes = {}
    for name, command in commands.items():
        with (data_dir / f"{name}.log").open("a") as out:
            processes[name] = subprocess.Popen(command, env=env, stdout=out, stderr=out,
                                               stdin=subprocess.DEVNULL, start_new_session=True)
        (data_dir / f"{name}.pid").write_text(str(processes[name].pid))
    deadline = time.time() + timeout
    while not _healthy(port):
        dead = [name for name, process in processes.items() if process.poll() is not None]
        if dead or time.time() > deadline:
            _stop(data_dir)
            reason = f"the {dead[0]} process died" if dead else f"not healthy after {timeout}s"
            typer.secho(f"doccano did not start: {reason}; see {data_dir}/{(dead or ['web'])[0]}.log",
                        fg="red", err=True)
            raise typer.Exit(1)
        time.sleep(1)
    typer.echo(f"doccano is running at http://127.0.0.1:{port} (user {user!r}; data in {data_dir})")


@app.command()
def stop(data_dir: Path = DATA_OPT):
    """Stop the server started with this data folder."""
    data_dir = data_dir.resolve()
    running = [name for name in PROCESSES if _pid(data_dir, name)]
    _stop(data_dir)
    typer.echo("doccano stopped" if running else "doccano was not running")


@app.command()
def status(port: int = PORT_OPT, data_dir: Path = DATA_OPT):
    """Say whether the server runs and is healthy (exit code 1 when not)."""
    data_dir = data_dir.resolve()
    pids = {name: _pid(data_dir, name) for name in PROCESSES}
    report = _health(port)
    typer.echo(f"processes: {pids}; health at http://127.0.0.1:{port}: {report or 'no answer'}")
    if not (all(pids.values()) and _healthy(port)):
        raise typer.Exit(1)


if __name__ == "__main__":
    app()
