"""How much disk each learner uses on the class server, and what stops them filling it.

A learner's home, ``/tmp``, ``/var/tmp``, ``/dev/shm`` and the exchange's inbound folder usually
sit on the same filesystem as the course, the hub's database and the gradebook: one learner who
writes 2 GiB in a loop would stop the whole class. Where the filesystem has user quotas turned on
(mounted with ``usrquota``, the ``quota`` package installed), each learner gets a hard quota
(``setquota``). Otherwise — the usual case on a laptop or a rented server — a watchdog counts,
every half minute, the blocks of the files each account owns in those folders (metadata only:
nothing is opened, no link followed, hard links counted once in bytes), and the spawner stops a
server past its limit — in bytes, or in files (inodes run out too) — and refuses to start it again
until the trainer has made room.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import stat
import subprocess
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

MAX_FILES = 100_000  # files and folders one learner may make (a course needs a few hundred)
MAX_ENTRIES = 5_000_000  # the whole scan stops there, whatever happens


@dataclass
class Usage:
    """uid → bytes on disk, and → files and folders (hard links each count as an entry, once
    in bytes). ``over`` holds the uids whose entries passed the per-account limit: the scan
    stopped counting them and did not enter their folders (a learner who makes millions of
    empty files cannot make the scan miss the rest of the machine)."""

    bytes: Counter = field(default_factory=Counter)
    entries: Counter = field(default_factory=Counter)
    over: set[int] = field(default_factory=set)


def usage_by_owner(roots: list[Path], *, max_files: int = MAX_FILES,
                   max_entries: int = MAX_ENTRIES) -> Usage:
    """What each account owns under ``roots``, the first roots first (homes before /tmp)."""
    usage = Usage()
    seen: set[tuple[int, int]] = set()
    stack: list[tuple[str, int]] = [(str(root), 0) for root in reversed(roots)]
    count = 0
    while stack and count < max_entries:
        folder, owner = stack.pop()
        try:
            with os.scandir(folder) as entries:
                for entry in entries:
                    if owner in usage.over:
                        break  # the rest of an over-limit account's folder is theirs to lose
                    count += 1
                    try:
                        info = entry.stat(follow_symlinks=False)
                    except OSError:
                        continue
                    uid = info.st_uid
                    if uid in usage.over:
                        continue
                    usage.entries[uid] += 1
                    if uid and usage.entries[uid] > max_files:
                        usage.over.add(uid)
                        continue
                    key = (info.st_dev, info.st_ino)
                    if key not in seen:
                        seen.add(key)
                        usage.bytes[uid] += info.st_blocks * 512
                    if stat.S_ISDIR(info.st_mode):
                        stack.append((entry.path, uid))
        except OSError:
            continue
    return usage


class Watchdog:
    """One scan shared by every learner's poll, at most every ``every`` seconds."""

    def __init__(self, roots: list[Path], every: float = 25.0) -> None:
        self.roots, self.every = roots, every
        self._lock = threading.Lock()
        self._at: float | None = None  # when the last scan was made (None: never)
        self._usage = Usage()

    def used(self, uid: int) -> tuple[int, int]:
        """Bytes and files of ``uid`` (files past :data:`MAX_FILES` if it made too many)."""
        with self._lock:
            if self._at is None or time.monotonic() - self._at > self.every:
                self._usage = usage_by_owner(self.roots)
                self._at = time.monotonic()
            usage = self._usage
            return usage.bytes.get(uid, 0), usage.entries.get(uid, 0)

    def forget(self) -> None:
        """The next question scans again (after the trainer made room, at a server's start)."""
        with self._lock:
            self._at = None


def quota_mount(path: Path) -> str | None:
    """The mount point of ``path`` if user quotas are on there and ``setquota`` exists."""
    if not shutil.which("setquota"):
        return None
    best, options = "", ""
    try:
        mounts = Path("/proc/mounts").read_text().splitlines()
    except OSError:
        return None
    real = str(path.resolve())
    for line in mounts:
        parts = line.split()
        if len(parts) >= 4 and (real == parts[1] or real.startswith(parts[1].rstrip("/") + "/")) \
                and len(parts[1]) >= len(best):
            best, options = parts[1], parts[3]
    opts = set(options.split(","))
    return best if best and opts & {"usrquota", "usrjquota", "quota", "uquota"} else None


def set_quota(name: str, limit_mb: int, path: Path) -> bool:
    """Hard block and file quotas for ``name`` on the filesystem of ``path``; False if not
    supported."""
    mount = quota_mount(path)
    if mount is None:
        return False
    blocks = limit_mb * 1024  # setquota counts 1 KiB blocks
    files = str(MAX_FILES)
    done = subprocess.run(["setquota", "-u", name, str(blocks), str(blocks), files, files, mount],
                          capture_output=True, check=False)
    return done.returncode == 0


def number(value: float) -> str:
    """Vietnamese thousands: 100.000."""
    return f"{value:,.0f}".replace(",", ".")


def megabytes(size: int) -> str:
    return number(size / 1024 / 1024) + " MB"


NOTES_FILE = Path(".congdanso") / "hub" / "canh-bao.json"


def now_text() -> str:
    from congdanso.world.core.clock import VIETNAM

    return dt.datetime.now(VIETNAM).strftime("%H:%M ngày %d/%m/%Y")


def read_notes(course: Path) -> dict[str, str]:
    """Learner → what the class server did to their server and why (for the live view)."""
    try:
        found = json.loads((Path(course) / NOTES_FILE).read_text("utf-8"))
    except (OSError, ValueError):
        return {}
    return {str(k): str(v) for k, v in found.items()} if isinstance(found, dict) else {}


def _write_notes(course: Path, notes: dict[str, str]) -> None:
    from congdanso.cohort.gradebook import write_private

    write_private(Path(course) / NOTES_FILE, json.dumps(notes, ensure_ascii=False, indent=1))


def record_note(course: Path, learner: str, text: str) -> None:
    notes = read_notes(course)
    notes[learner] = text
    _write_notes(course, notes)


def clear_note(course: Path, learner: str) -> None:
    notes = read_notes(course)
    if notes.pop(learner, None) is not None:
        _write_notes(course, notes)
