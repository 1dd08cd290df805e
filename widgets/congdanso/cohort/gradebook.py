"""Where a course's gradebook and exchange are: the embedded SQLite file (``gradebook.db``) and
the course's own ``exchange/``, or the class server's PostgreSQL and shared exchange once
``congdanso hub`` has written them in the course's private folder (``.congdanso/so-diem-url``,
0600; ``.congdanso/trao-doi``). Every trainer command asks here, so they all use the same ones.
"""

from __future__ import annotations

import os
from pathlib import Path

URL_FILE = Path(".congdanso") / "so-diem-url"
EXCHANGE_FILE = Path(".congdanso") / "trao-doi"


def gradebook_url(course: str | os.PathLike[str], *, busy_timeout: int | None = None) -> str:
    folder = Path(course)
    try:
        url = (folder / URL_FILE).read_text("utf-8").strip()
    except OSError:
        url = ""
    if url:
        return url
    suffix = f"?timeout={busy_timeout}" if busy_timeout else ""
    return f"sqlite:///{folder.resolve() / 'gradebook.db'}{suffix}"


def has_gradebook(course: str | os.PathLike[str]) -> bool:
    folder = Path(course)
    return (folder / URL_FILE).is_file() or (folder / "gradebook.db").is_file()


def write_private(path: Path, text: str) -> None:
    """Replace a file of the course's private folder at once, readable by its owner only."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.parent.chmod(0o700)
    tmp = path.with_name(path.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(text)
    os.replace(tmp, path)


def use_gradebook(course: str | os.PathLike[str], url: str) -> None:
    """Point the course's commands at ``url`` (written 0600: it may hold a password)."""
    write_private(Path(course) / URL_FILE, url + "\n")


def exchange_root(course: str | os.PathLike[str]) -> str | None:
    """The class server's exchange, if the course is on one (None: nbgrader_config.py's)."""
    try:
        return (Path(course) / EXCHANGE_FILE).read_text("utf-8").strip() or None
    except OSError:
        return None


def use_exchange(course: str | os.PathLike[str], folder: str | os.PathLike[str]) -> None:
    path = Path(course) / EXCHANGE_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(str(folder) + "\n", encoding="utf-8")
