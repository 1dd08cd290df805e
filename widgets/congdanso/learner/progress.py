"""Where the learner is in the course, read from the journal of the lessons' folder.

A lesson is done when every self-check of it ("Tự kiểm tra") has been answered right at least
once; started when one was answered. The journal is read line by line, without replaying the
world: only ``course.self_check`` events count, and a torn or foreign line is skipped (the
lesson page itself says what is wrong with a broken journal).
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from congdanso.world.core.journal import DEFAULT_NAME

LESSON_NAME = re.compile(r"^(\d\d)-[a-z0-9-]+\.ipynb$")
TITLE = re.compile(r"^#\s*Bài\s*(\d\d)\s*[—–-]\s*(.+)$", re.MULTILINE)
MINUTES = re.compile(r"\*\*Thời gian:\*\*\s*(\d+)\s*phút")
READ_LIMIT = 20 * 2**20  # a journal larger than this is not the lessons' (the page says so)


@dataclass(frozen=True)
class Lesson:
    code: str      # "02"
    file: str      # "02-dinh-danh-dien-tu-vneid.ipynb"
    title: str     # "Định danh điện tử VNeID"
    minutes: int | None = None

    @property
    def label(self) -> str:
        return f"Bài {self.code} — {self.title}"


@dataclass
class LessonState:
    lesson: Lesson
    total: int                       # self-checks in the lesson
    right: set[str] = field(default_factory=set)
    answered: set[str] = field(default_factory=set)

    @property
    def done(self) -> bool:
        return self.total > 0 and len(self.right) >= self.total

    @property
    def started(self) -> bool:
        return bool(self.answered)

    def words(self) -> str:
        """The state in words, with a symbol (never colour alone)."""
        if self.done:
            return "✔ Đã học xong"
        if self.started:
            return f"● Đang học: đúng {len(self.right)}/{self.total} câu tự kiểm tra"
        return "○ Chưa học"


_cache: dict[str, tuple[float, Lesson]] = {}


def _lesson(path: Path) -> Lesson | None:
    match = LESSON_NAME.match(path.name)
    if not match:
        return None
    try:
        stamp = path.stat().st_mtime
    except OSError:
        return None
    known = _cache.get(str(path))
    if known and known[0] == stamp:
        return known[1]
    title, minutes = path.stem, None
    try:
        nb = json.loads(path.read_text("utf-8"))
        text = "".join(nb["cells"][0]["source"])
        found = TITLE.search(text)
        if found:
            title = found.group(2).strip()
        spent = MINUTES.search(text)
        minutes = int(spent.group(1)) if spent else None
    except (OSError, ValueError, KeyError, IndexError, TypeError):
        pass  # a lesson the learner broke still has a name and a place
    lesson = Lesson(match.group(1), path.name, title, minutes)
    _cache[str(path)] = (stamp, lesson)
    return lesson


def lessons(folder: str | os.PathLike[str]) -> list[Lesson]:
    """The course's lessons in order (``NN-ten-bai.ipynb``)."""
    folder = Path(folder)
    if not folder.is_dir():
        return []
    found = (_lesson(path) for path in sorted(folder.glob("[0-9][0-9]-*.ipynb")))
    return [lesson for lesson in found if lesson is not None]


def self_checks(journal: str | os.PathLike[str]) -> dict[str, tuple[set[str], set[str]]]:
    """Lesson code → (questions answered right, questions answered), from the journal."""
    result: dict[str, tuple[set[str], set[str]]] = {}
    try:
        with open(journal, "rb") as f:
            data = f.read(READ_LIMIT)
    except OSError:
        return result
    for line in data.splitlines():
        if b"course.self_check" not in line:
            continue
        try:
            event = json.loads(line)["e"]
            if event.get("action") != "course.self_check" or not event.get("ok", True):
                continue
            args = event["args"]
            lesson, question = str(args["lesson"]), str(args["question"])
        except (ValueError, KeyError, TypeError, RecursionError):
            continue
        right, answered = result.setdefault(lesson, (set(), set()))
        answered.add(question)
        if args.get("correct") is True:
            right.add(question)
    return result


def states(folder: str | os.PathLike[str]) -> list[LessonState]:
    """Every lesson with where the learner is in it."""
    from congdanso.course.checks import CHECKS

    seen = self_checks(Path(folder) / DEFAULT_NAME)
    out = []
    for lesson in lessons(folder):
        known = {check.qid for check in CHECKS.get(lesson.code, ())}
        right, answered = seen.get(lesson.code, (set(), set()))
        out.append(LessonState(lesson, len(known), right & known, answered & known))
    return out


def next_lesson(all_states: list[LessonState]) -> LessonState | None:
    """The lesson to go on with: the first not done after the last one started."""
    last = max((i for i, s in enumerate(all_states) if s.started), default=-1)
    for state in all_states[last:] if last >= 0 else all_states:
        if not state.done:
            return state
    return next((s for s in all_states if not s.done), None)
