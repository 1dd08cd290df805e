"""A learner's (or the trainer's) home readied for JupyterLab, run *as that account*.

The spawner runs as root, and a home belongs to someone who can type any code: a link in place
of ``~/.jupyter`` or ``~/khoa-hoc`` would make root write, or change the owner of, whatever it
points to. So root never touches a home: it starts this module with the account's own uid, gid
and no other group (``python -m congdanso.hub.home``, a JSON job on stdin), and whatever a link
points to, the writes land only where that account could write anyway.

The job: ``lessons`` (a folder of notebooks copied once into ``~/khoa-hoc``: the learner's work
is never overwritten), ``layout`` (JupyterLab's first layout, copied once), ``page_config``
(Lab plugins turned off for a learner) and ``nbgrader_config`` (the text of
``~/.jupyter/nbgrader_config.py``, rewritten on every start) and ``tokens`` (the learner's own
exercise tokens, ``~/.congdanso/phuong-an.json``). Standard library only: it runs
before every server starts.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
from pathlib import Path


def prepare(job: dict) -> None:
    home = Path(os.path.expanduser("~"))
    os.chmod(home, 0o700)  # nobody else reads the learner's work
    config = home / ".jupyter"
    layout = job.get("layout")
    workspaces = config / "lab" / "workspaces"
    if layout and not workspaces.exists():
        workspaces.mkdir(parents=True)
        (workspaces / layout["name"]).write_text(layout["text"], encoding="utf-8")
    lessons = home / "khoa-hoc"
    source = job.get("lessons")
    if source and not lessons.exists():
        lessons.mkdir()
        found = [*sorted(Path(source).glob("*.ipynb")), Path(source) / "README.md"]
        for item in found:
            if item.is_file():
                shutil.copy2(item, lessons / item.name)
    config.mkdir(exist_ok=True)
    if job.get("page_config") is not None:
        (config / "labconfig").mkdir(exist_ok=True)
        (config / "labconfig" / "page_config.json").write_text(
            json.dumps(job["page_config"], indent=1), encoding="utf-8")
    if job.get("tokens"):  # this learner's own exercise tokens (never a classmate's)
        own = home / ".congdanso"
        own.mkdir(mode=0o700, exist_ok=True)
        tmp = own / ".phuong-an.json.tmp"
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump(job["tokens"], f, ensure_ascii=False)
        os.replace(tmp, own / "phuong-an.json")
    if job.get("nbgrader_config"):
        target = config / "nbgrader_config.py"
        tmp = config / ".nbgrader_config.py.tmp"
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(job["nbgrader_config"])
        os.replace(tmp, target)


def main() -> int:
    try:
        prepare(json.loads(sys.stdin.read()))
    except (OSError, ValueError) as exc:
        print(f"{type(exc).__name__}: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
