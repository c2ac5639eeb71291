"""Push doccano JSONL into a doccano project, or export a project's finished articles.

Runs inside .venvs/annotate with doccano-client 1.2.8 (which needs pydantic<2, so it cannot
share spaCy's environment); annotate_push.py and annotate_pull.py call it and exchange
JSONL files with it. It imports nothing from the project and uses argparse, not typer,
because that environment holds only the client. The password comes in $DOCCANO_PASSWORD.
Every failure ends in one line on stderr and exit code 1; results go to stdout as JSON.
"""
import argparse
import json
import os
import sys
import tempfile
import zipfile
from pathlib import Path

import requests
from doccano_client import DoccanoClient
from doccano_client.exceptions import DoccanoAPIError

GUIDELINE = """Annotate as corpus/GUIDELINES.md says.
Spans: SPEAKER (s), CUE (c), QUOTE (q). Relations: said_by (QUOTE -> SPEAKER), cue (QUOTE -> CUE),
same_as (SPEAKER -> the head mention of its source).
Topics: in the list after the article, mark the name of each topic of the article with its own label.
When an article is finished, mark it done (the check box): annotate-pull takes finished articles only."""


class Failure(Exception):
    pass


def connect(url, user):
    client = DoccanoClient(url)
    try:
        client.login(user, os.environ.get("DOCCANO_PASSWORD", ""))
    except requests.ConnectionError:
        raise Failure(f"cannot reach doccano at {url}: is the server running? "
                      "(python scripts/doccano_server.py start)")
    except DoccanoAPIError as err:
        if err.response.status_code in (400, 401, 403):
            raise Failure(f"doccano at {url} refused the login of {user!r}: wrong user name or password")
        raise
    return client


def find_project(client, url, name):
    found = [p for p in client.list_projects() if p.name == name]
    if len(found) > 1:
        raise Failure(f"doccano at {url} has {len(found)} projects named {name!r}; rename all but one")
    if not found:
        return None
    project = found[0]
    if project.project_type.value != "SequenceLabeling" or not project.use_relation:
        raise Failure(f"doccano project {name!r} is a {project.project_type.value} project without the "
                      "relations this loop needs; push to a new project name")
    return project


def ensure_project(client, url, name, scheme):
    """The project, created when missing, with every label type of the scheme."""
    project = find_project(client, url, name)
    if project is None:
        # Collaborative: annotators see and correct the pre-annotations, which belong to the
        # user who pushed them (doccano shows each user only their own labels otherwise).
        project = client.create_project(name, "SequenceLabeling", "Who said what, and about which topic",
                                        guideline=GUIDELINE, collaborative_annotation=True, use_relation=True)
    for kind in ("span", "relation"):
        have = {t.text for t in client.list_label_types(project.id, kind)}
        for text, (color, key) in scheme[kind].items():
            if text not in have:
                client.create_label_type(project.id, kind, text, suffix_key=key, color=color)
    return project


def push(client, args):
    scheme = json.loads(Path(args.scheme).read_text(encoding="utf8"))
    project = ensure_project(client, args.url, args.project, scheme)
    present = {(e.meta or {}).get("article_id") for e in client.list_examples(project.id)}
    records = [json.loads(line) for line in Path(args.records).read_text(encoding="utf8").splitlines() if line]
    new = [r for r in records if r["article_id"] not in present]
    if new:
        with tempfile.TemporaryDirectory() as tmp:
            upload = Path(tmp) / "articles.jsonl"
            # doccano guesses an upload's encoding with chardet, which takes short UTF-8
            # text with curly quotes for cp1252, and the client cannot name the encoding.
            # A byte order mark is the one sign chardet always follows.
            upload.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in new),
                              encoding="utf-8-sig")
            status = client.upload(project.id, [str(upload)], "RelationExtraction", "JSONL")
        errors = (status.result or {}).get("error") or ([status.error] if status.error else [])
        if errors:
            raise Failure(f"doccano could not import the articles: {errors[:3]}")
    return {"project_id": project.id, "pushed": [r["article_id"] for r in new],
            "skipped": [r["article_id"] for r in records if r["article_id"] in present]}


def pull(client, args):
    project = find_project(client, args.url, args.project)
    if project is None:
        raise Failure(f"doccano at {args.url} has no project named {args.project!r}")
    with tempfile.TemporaryDirectory() as tmp:
        # only_approved: the articles an annotator marked done, never work in progress.
        archive = client.download(project.id, "JSONL", only_approved=True, dir_name=tmp)
        if not zipfile.is_zipfile(archive):
            raise Failure(f"doccano at {args.url} sent no export archive for {args.project!r}")
        with zipfile.ZipFile(archive) as z:
            lines = [line for name in z.namelist() for line in z.read(name).decode("utf8").splitlines()
                     if line.strip()]
    Path(args.output).write_text("".join(line + "\n" for line in lines), encoding="utf8")
    return {"project_id": project.id, "done": len(lines), "total": client.count_examples(project.id)}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    for name, extra in (("push", ("--scheme", "--records")), ("pull", ("--output",))):
        sub = commands.add_parser(name)
        for option in ("--url", "--user", "--project", *extra):
            sub.add_argument(option, required=True)
    args = parser.parse_args()
    try:
        client = connect(args.url, args.user)
        result = push(client, args) if args.command == "push" else pull(client, args)
    except Failure as err:
        sys.exit(str(err))
    except requests.ConnectionError:
        sys.exit(f"lost the connection to doccano at {args.url}")
    except DoccanoAPIError as err:
        sys.exit(f"doccano at {args.url} answered {err.response.status_code}: {str(err)[:200]}")
    print(json.dumps(result))


if __name__ == "__main__":
    main()
