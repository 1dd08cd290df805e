"""Every graded answer, kept for the trainer's item analysis: ``.congdanso/tra-loi.csv``.

The grader publishes one record per graded answer (:data:`congdanso.grading.decide.RESPONSES`):
who, which assignment, grade cell and question, the text given, whether it was right, and the
options of a choice question in catalogue order (none for a typed answer). ``autograde`` keeps
here the latest grading of each learner's assignment — its rows replace the older ones of that
learner and assignment — so the report can count how many learners picked each option.

What learners answered is the trainer's data: the file lives in the course's private folder,
readable by its owner only (0600), and is replaced at once, never left half-written. Plain
``csv`` rather than pandas: the grader writes it and need not load pandas for that.
"""

from __future__ import annotations

import contextlib
import csv
import fcntl
import io
import json
import os
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from congdanso.cohort.gradebook import write_private
from congdanso.cohort.sheets import defuse_row, restore_row

FILE = Path(".congdanso") / "tra-loi.csv"
# record key → column of the file (Vietnamese: a trainer may open it in a spreadsheet)
COLUMNS = {"student": "Học viên", "assignment": "Bài", "cell": "Ô chấm", "question": "Câu hỏi",
           "value": "Câu trả lời", "correct": "Đúng", "options": "Các lựa chọn"}
YES, NO = "có", "không"


def path(course: str | os.PathLike[str]) -> Path:
    return Path(course) / FILE


def _key(record: dict[str, Any]) -> tuple[str, str, str, str]:
    return (str(record["student"]), str(record["assignment"]), str(record.get("cell", "")),
            str(record.get("question", "")))


def _row(record: dict[str, Any]) -> dict[str, str]:
    options = [str(o) for o in record.get("options") or []]
    return defuse_row({
        COLUMNS["student"]: str(record["student"]),
        COLUMNS["assignment"]: str(record["assignment"]),
        COLUMNS["cell"]: str(record.get("cell", "")),
        COLUMNS["question"]: str(record.get("question", "")),
        COLUMNS["value"]: "" if record.get("value") is None else str(record["value"]),
        COLUMNS["correct"]: YES if record.get("correct") else NO,
        COLUMNS["options"]: json.dumps(options, ensure_ascii=False) if options else ""})


def _record(row: dict[str, str]) -> dict[str, Any]:
    row = restore_row(row)
    options = row.get(COLUMNS["options"]) or ""
    return {"student": row[COLUMNS["student"]], "assignment": row[COLUMNS["assignment"]],
            "cell": row[COLUMNS["cell"]], "question": row[COLUMNS["question"]],
            "value": row[COLUMNS["value"]], "correct": row[COLUMNS["correct"]] == YES,
            "options": json.loads(options) if options else []}


def read(course: str | os.PathLike[str]) -> list[dict[str, Any]] | None:
    """The kept records (``None``: no grading has written the file yet)."""
    try:
        with open(path(course), encoding="utf-8-sig", newline="") as f:
            return [_record(row) for row in csv.DictReader(f)]
    except FileNotFoundError:
        return None


@contextlib.contextmanager
def _locked(course: str | os.PathLike[str]) -> Iterator[None]:
    """Two grading runs at once must not each drop the other's rows."""
    lock = path(course).with_suffix(".lock")
    lock.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(lock, os.O_WRONLY | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


def merge(course: str | os.PathLike[str], records: Iterable[dict[str, Any]],
          graded: Iterable[tuple[str, str]]) -> Path | None:
    """Keep ``records`` as the answers of the (student, assignment) pairs in ``graded``: their
    older rows go, other learners' and assignments' rows stay. Returns the file (``None`` when
    there is nothing to keep and no file yet)."""
    graded = set(graded)
    fresh = {_key(r): r for r in records if (str(r["student"]), str(r["assignment"])) in graded}
    target = path(course)
    if not fresh and not target.exists():
        return None
    with _locked(course):
        kept = {_key(r): r for r in read(course) or []
                if (r["student"], r["assignment"]) not in graded}
        kept.update(fresh)
        out = io.StringIO(newline="")
        writer = csv.DictWriter(out, fieldnames=list(COLUMNS.values()), lineterminator="\r\n")
        writer.writeheader()
        writer.writerows(_row(kept[k]) for k in sorted(kept))
        write_private(target, "\ufeff" + out.getvalue())  # BOM: Excel reads Vietnamese
    return target
