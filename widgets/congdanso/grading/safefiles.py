"""Moving a learner's files without following anything they point to.

A submission, an exchange folder and everything a learner's kernel wrote are untrusted: a
symbolic link in them may point at the gradebook, at ``source/<bài>``, at a classmate's notebook
or at a host file, and a naive ``copy`` or ``chmod`` acts on the target with the trainer's rights.
Here only **regular files** leave such a folder: folders are walked with ``os.fwalk`` (each one
opened with ``O_NOFOLLOW`` and read through its own descriptor, so a folder swapped for a link
half way is not followed either), each file is opened with ``O_NOFOLLOW`` and checked again on the
open descriptor. Links, hard links to files elsewhere, pipes, sockets and devices are refused and
listed, with the reason in Vietnamese, for the trainer.
"""

from __future__ import annotations

import fnmatch
import os
import shutil
import stat
from dataclasses import dataclass, field
from pathlib import Path

_CHUNK = 1 << 20


@dataclass(frozen=True)
class Refused:
    path: str  # relative to the folder it was found in
    reason: str

    def __str__(self) -> str:
        return f"{self.path} ({self.reason})"


@dataclass
class CopyReport:
    copied: list[str] = field(default_factory=list)
    refused: list[Refused] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # ignored by pattern or over the file limit
    size: int = 0  # bytes of regular files copied


class TooBig(RuntimeError):
    """The folder holds more than allowed; nothing was copied."""


def _why(mode: int, nlink: int) -> str | None:
    if stat.S_ISLNK(mode):
        return "liên kết tượng trưng (symlink) — không được theo"
    if stat.S_ISDIR(mode):
        return None
    if not stat.S_ISREG(mode):
        return "không phải tệp thường (ống, socket hoặc thiết bị)"
    if nlink > 1:
        return "liên kết cứng tới một tệp khác — không được theo"
    return None


def read_regular(path: str | os.PathLike[str], max_bytes: int) -> bytes:
    """The bytes of one regular file, for a reader with more rights than the file's owner (root
    reading a learner's journal): no link followed, no FIFO or device opened for reading (it
    would block forever), no hard link to someone else's file, at most ``max_bytes``. Raises
    :class:`OSError` (Vietnamese) or :class:`TooBig`."""
    fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_NOCTTY)
    with os.fdopen(fd, "rb") as f:
        info = os.fstat(f.fileno())
        why = _why(info.st_mode, info.st_nlink)
        if why:
            raise OSError(f"{os.fspath(path)}: {why}")
        if info.st_size > max_bytes:
            raise TooBig(f"{os.fspath(path)} lớn hơn {max_bytes} byte")
        data = f.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise TooBig(f"{os.fspath(path)} lớn hơn {max_bytes} byte")
    return data


def _ignored(relpath: str, patterns: list[str]) -> bool:
    parts = relpath.split(os.sep)
    return any(fnmatch.fnmatch(part, p) for part in parts for p in patterns)


def _accepted(dirfd: int, rel_dir: str, name: str, patterns: list[str],
              refused: list[Refused]) -> tuple[str, os.stat_result] | None:
    """A folder entry to keep (not ignored; a folder or a regular file), or None — and a link or
    special file is added to ``refused``."""
    rel = os.path.normpath(os.path.join(rel_dir, name))
    if _ignored(rel, patterns):
        return None
    info = os.stat(name, dir_fd=dirfd, follow_symlinks=False)
    reason = _why(info.st_mode, info.st_nlink)
    if reason:
        refused.append(Refused(rel, reason))
        return None
    return rel, info


def scan(root: str | os.PathLike[str], ignore: list[str] | None = None
         ) -> tuple[list[tuple[str, int]], list[Refused]]:
    """Regular files under ``root`` (relative path, size) and what must be refused.

    ``root`` itself being a link is refused as a whole."""
    root = os.fspath(root)
    patterns = list(ignore or [])
    top = os.lstat(root)
    if not stat.S_ISDIR(top.st_mode):
        return [], [Refused(".", _why(top.st_mode, top.st_nlink) or "không phải thư mục")]
    files: list[tuple[str, int]] = []
    refused: list[Refused] = []
    for dirpath, dirnames, filenames, dirfd in os.fwalk(root, follow_symlinks=False):
        rel_dir = os.path.relpath(dirpath, root)
        # fwalk lists a link to a folder among the folders (and never enters it)
        dirnames[:] = [name for name in dirnames
                       if _accepted(dirfd, rel_dir, name, patterns, refused)]
        for name in filenames:
            kept = _accepted(dirfd, rel_dir, name, patterns, refused)
            if kept:
                files.append((kept[0], kept[1].st_size))
    return files, refused


def _open_regular(root_fd: int, relpath: str) -> int:
    """Open a file under a folder descriptor, never following a link on the way."""
    parts = relpath.split(os.sep)
    fds = []
    try:
        current = root_fd
        for part in parts[:-1]:
            current = os.open(part, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW, dir_fd=current)
            fds.append(current)
        fd = os.open(parts[-1], os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK, dir_fd=current)
    finally:
        for d in fds:
            os.close(d)
    info = os.fstat(fd)
    if _why(info.st_mode, info.st_nlink):
        os.close(fd)
        raise OSError(f"{relpath} đã bị đổi thành liên kết hoặc tệp đặc biệt trong lúc chép")
    return fd


def copy_regular(src: str | os.PathLike[str], dest: str | os.PathLike[str], *,
                 ignore: list[str] | None = None, max_file_bytes: int | None = None,
                 max_total_bytes: int | None = None, mode: int = 0o644) -> CopyReport:
    """Copy the regular files of ``src`` into ``dest`` (created), and nothing else.

    Files over ``max_file_bytes`` are skipped and listed; over ``max_total_bytes`` in all, nothing
    is copied and :class:`TooBig` says how large the folder is."""
    report = CopyReport()
    files, report.refused = scan(src, ignore)
    chosen = []
    for rel, size in files:
        if max_file_bytes is not None and size > max_file_bytes:
            report.skipped.append(f"{rel} ({size / 1e6:.1f} MB, quá giới hạn một tệp)")
        else:
            chosen.append((rel, size))
    total = sum(size for _, size in chosen)
    if max_total_bytes is not None and total > max_total_bytes:
        raise TooBig(f"thư mục nặng {total / 1e6:.1f} MB, quá giới hạn "
                     f"{max_total_bytes / 1e6:.0f} MB")
    dest = Path(dest)
    dest.mkdir(parents=True, exist_ok=True)
    root_fd = os.open(os.fspath(src), os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW)
    try:
        for rel, _ in chosen:
            fd = _open_regular(root_fd, rel)
            target = dest / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            with os.fdopen(fd, "rb") as source:
                out = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW, mode)
                with os.fdopen(out, "wb") as sink:
                    shutil.copyfileobj(source, sink, _CHUNK)
                    report.size += sink.tell()
            report.copied.append(rel)
    finally:
        os.close(root_fd)
    return report


def set_aside(root: str | os.PathLike[str], refused: list[Refused],
              aside: str | os.PathLike[str]) -> list[str]:
    """Move refused entries (the links themselves, never their targets) out of ``root`` into
    ``aside``, so that no later step can follow them. Returns what was moved."""
    moved = []
    for item in refused:
        if item.path == ".":
            continue
        source = Path(root) / item.path
        target = Path(aside) / item.path
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.rename(source, target)  # rename acts on the link, not on what it points to
        except OSError:
            try:
                os.unlink(source)
            except OSError:
                continue
        moved.append(item.path)
    return moved


def sanitize(root: str | os.PathLike[str], aside: str | os.PathLike[str]) -> list[Refused]:
    """Make ``root`` hold only folders and regular files: the rest goes to ``aside``."""
    if not os.path.isdir(root) or os.path.islink(root):
        return []
    _, refused = scan(root)
    set_aside(root, refused, aside)
    return refused
