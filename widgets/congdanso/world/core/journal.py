"""The journal: an append-only, hash-chained record of everything a learner did in the world.

nbgrader re-executes notebooks and keeps no widget state, so the journal is what makes widget
work gradable (see DESIGN.md). Each line is ``{"h": <sha256 of body>, "e": <body>}`` where the
body carries ``seq`` and the previous event's hash (``prev``); the hash covers the exact body
bytes, so verifying needs no re-serialisation and replaying 10,000 events stays well under a
second. A small ``.head`` file beside the journal remembers the last sequence number and hash,
which catches events removed from the end (a chain alone cannot).

Writes take an exclusive ``flock`` and ``fsync`` the line before releasing it, so two kernels
appending at once interleave whole events; a line cut short by a crash is reported, moved aside
to ``<journal>.torn`` (never deleted) and every complete event before it is kept.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

GENESIS = "0" * 64
_PREFIX = b'{"h":"'
_MIDDLE = b'","e":'
_BODY_START = len(_PREFIX) + 64 + len(_MIDDLE)
DEFAULT_NAME = "nhat-ky.jsonl"


class JournalError(Exception):
    """The journal cannot be trusted: an event was changed, removed, reordered or inserted."""

    def __init__(self, message: str, *, line: int | None = None, kind: str = "tampered"):
        super().__init__(message)
        self.message = message
        self.line = line
        self.kind = kind


@dataclass(frozen=True, slots=True)
class Event:
    seq: int
    hash: str
    body: dict

    @property
    def action(self) -> str:
        return self.body["action"]


def encode(body: dict) -> tuple[str, bytes]:
    """Serialise a body and return (hash, line)."""
    raw = json.dumps(body, ensure_ascii=False, separators=(",", ":"), sort_keys=False).encode()
    digest = hashlib.sha256(raw).hexdigest()
    return digest, _PREFIX + digest.encode() + _MIDDLE + raw + b"}\n"


@dataclass(slots=True)
class ReadResult:
    events: list[Event]
    end_offset: int  # byte offset just after the last complete, valid line
    torn: bytes  # bytes of an unfinished last line (empty if none)


def parse_lines(data: bytes, *, start_seq: int, prev: str, first_line: int = 1) -> ReadResult:
    """Verify and decode journal bytes; raise ``JournalError`` at the first broken link."""
    events: list[Event] = []
    offset = 0
    n = len(data)
    line_no = first_line
    while offset < n:
        end = data.find(b"\n", offset)
        if end < 0:  # last line has no newline: a write was interrupted
            return ReadResult(events, offset, data[offset:])
        line = data[offset : end + 1]
        if not (
            line.startswith(_PREFIX) and line[70:_BODY_START] == _MIDDLE and line.endswith(b"}\n")
        ):
            raise JournalError(
                f"Dòng {line_no} của nhật ký bị hỏng hoặc bị sửa bằng tay (không đúng định dạng).",
                line=line_no,
            )
        digest = line[6:70].decode("ascii", "replace")
        raw = line[_BODY_START:-2]
        if hashlib.sha256(raw).hexdigest() != digest:
            raise JournalError(
                f"Sự kiện ở dòng {line_no} đã bị sửa sau khi ghi (mã băm không khớp nội dung).",
                line=line_no,
            )
        try:
            body = json.loads(raw)
            if not isinstance(body, dict):
                raise ValueError
        except (ValueError, RecursionError):  # not JSON, or nested deep enough to crash a reader
            raise JournalError(
                f"Dòng {line_no} của nhật ký không đọc được.", line=line_no
            ) from None
        expected = start_seq + len(events) + 1
        if body.get("seq") != expected:
            seq = body.get("seq")
            what = (
                "bị xoá"
                if isinstance(seq, int) and seq > expected
                else "bị chèn thêm hoặc đảo thứ tự"
            )
            raise JournalError(
                f"Dòng {line_no}: chờ sự kiện số {expected} nhưng gặp số {seq} — "
                f"có sự kiện {what}.",
                line=line_no,
            )
        if body.get("prev") != prev:
            raise JournalError(
                f"Dòng {line_no}: sự kiện không nối tiếp sự kiện trước "
                "(chuỗi băm bị đứt) — có sự kiện bị sửa, xoá, chèn hoặc đảo thứ "
                "tự.",
                line=line_no,
            )
        events.append(Event(expected, digest, body))
        prev = digest
        offset = end + 1
        line_no += 1
    return ReadResult(events, offset, b"")


class Journal:
    """Common interface of the file journal and the in-memory one (used by tests and demos)."""

    path: Path | None = None

    def __init__(self) -> None:
        self.seq = 0
        self.last_hash = GENESIS
        self.torn_reported: bytes = b""

    @contextmanager
    def locked(self) -> Iterator[None]:
        yield

    def read_new(self) -> list[Event]:
        return []

    def append(self, body: dict) -> Event:
        raise NotImplementedError

    def _next_body(self, body: dict) -> dict:
        return {"seq": self.seq + 1, "prev": self.last_hash, **body}


class MemoryJournal(Journal):
    """A journal that lives only in memory: same chain, no file."""

    def __init__(self) -> None:
        super().__init__()
        self.lines: list[bytes] = []

    def append(self, body: dict) -> Event:
        full = self._next_body(body)
        digest, line = encode(full)
        self.lines.append(line)
        self.seq += 1
        self.last_hash = digest
        return Event(self.seq, digest, full)

    def data(self) -> bytes:
        return b"".join(self.lines)


class FileJournal(Journal):
    """A journal file next to the notebook, shared safely by every kernel that opens it."""

    def __init__(self, path: str | os.PathLike[str]):
        super().__init__()
        self.path = Path(path)
        self.head_path = self.path.with_name(self.path.name + ".head")
        self.offset = 0
        self._fd: int | None = None
        self._depth = 0

    @contextmanager
    def locked(self) -> Iterator[None]:
        if self._depth:
            self._depth += 1
            try:
                yield
            finally:
                self._depth -= 1
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            self._fd, self._depth = fd, 1
            yield
        finally:
            self._fd, self._depth = None, 0
            fcntl.flock(fd, fcntl.LOCK_UN)
            os.close(fd)

    def read_new(self) -> list[Event]:
        """Events appended since we last looked (by us or by another kernel), verified."""
        if not self.path.exists():
            return []
        with open(self.path, "rb") as f:
            f.seek(self.offset)
            data = f.read()
        result = parse_lines(data, start_seq=self.seq, prev=self.last_hash, first_line=self.seq + 1)
        self.offset += result.end_offset
        if result.events:
            self.seq = result.events[-1].seq
            self.last_hash = result.events[-1].hash
        self.torn_reported = result.torn
        return result.events

    def _set_aside_torn(self, fd: int) -> None:
        """Move an interrupted last line to ``<journal>.torn`` and cut it from the journal."""
        size = os.fstat(fd).st_size
        if size <= self.offset:
            return
        os.lseek(fd, self.offset, os.SEEK_SET)
        torn = os.read(fd, size - self.offset)
        with open(self.path.with_name(self.path.name + ".torn"), "ab") as aside:
            aside.write(torn + b"\n")
            aside.flush()
            os.fsync(aside.fileno())
        os.ftruncate(fd, self.offset)

    def append(self, body: dict) -> Event:
        if self._fd is None:
            raise RuntimeError("append() needs the journal lock; use `with journal.locked()`")
        fd = self._fd
        self._set_aside_torn(fd)
        full = self._next_body(body)
        digest, line = encode(full)
        os.lseek(fd, 0, os.SEEK_END)
        os.write(fd, line)
        os.fsync(fd)
        self.offset += len(line)
        self.seq += 1
        self.last_hash = digest
        self._write_head()
        return Event(self.seq, digest, full)

    def _write_head(self) -> None:
        # Written whole or not at all (a new file renamed over the old one, under the journal's
        # lock), so a kernel killed here leaves the previous head, which merely lags the
        # journal — allowed — never an empty or half-written one. Not fsynced for speed.
        partial = self.head_path.with_name(self.head_path.name + ".moi")
        partial.write_text(json.dumps({"seq": self.seq, "hash": self.last_hash}))
        os.replace(partial, self.head_path)
