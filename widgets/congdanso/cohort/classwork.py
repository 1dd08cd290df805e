"""The learner's side of the class exchange, in Vietnamese: see the exercises the trainer handed
out, receive one, hand it in, receive the trainer's comments.

nbgrader's Assignment List (menu Nbgrader) does this in English and cannot be translated (its Lab
extension has no translations). These functions run nbgrader's own code — the Assignment List's
``list_assignments``, ``fetch_assignment``, ``submit_assignment`` and ``fetch_feedback``, as the
learner, in their kernel, with the course and exchange of their nbgrader configuration — and say
in Vietnamese what happened. Nothing here decides a grade: the trainer collects and grades.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import logging
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from congdanso.world.core.clock import VIETNAM


@dataclass
class HandIn:
    """What one action on the exchange did: ``ok`` and the sentence the learner reads."""

    ok: bool
    message: str


@dataclass
class Work:
    """One exercise of the class, as the learner's board shows it."""

    name: str
    title: str
    released: bool = False          # the trainer has handed it out (still in the exchange)
    notebooks: list[Path] = field(default_factory=list)  # the learner's copy, once received
    submitted_at: dt.datetime | None = None              # the last hand-in, Vietnam time
    submissions: int = 0
    feedback_ready: bool = False    # the trainer's comments wait in the exchange
    feedback: list[Path] = field(default_factory=list)   # comments already received

    @property
    def received(self) -> bool:
        return bool(self.notebooks)

    def words(self) -> str:
        """The work's state in words (a symbol too, never colour alone)."""
        if self.submitted_at is not None:
            times = f" (lần nộp thứ {self.submissions})" if self.submissions > 1 else ""
            return f"✔ Đã nộp lúc {self.submitted_at:%H:%M ngày %d/%m/%Y}{times}"
        if self.submissions:
            return "✔ Đã nộp"
        if self.received:
            return "● Đã nhận, chưa nộp"
        return "○ Chưa nhận bài"


@dataclass
class Listing:
    ok: bool
    message: str
    works: list[Work] = field(default_factory=list)


AGAIN = "Thử lại sau ít phút; nếu vẫn không được, nhờ giảng viên."
NOT_IN_CLASS = ("Máy này chưa nối với lớp học (chưa có thư mục trao đổi bài của lớp), nên chưa nhận "
                "hay nộp bài được. Khi học trên máy chủ lớp, bấm lại; nếu vẫn vậy, nhờ giảng viên.")


class NotInClass(Exception):
    pass


def _root(root: str | os.PathLike[str] | None) -> Path:
    """The folder the learner's JupyterLab shows, where received exercises go: on the class
    server (one machine or Kubernetes) the learner's home."""
    return Path(root or Path.home()).resolve()


def exchange_time(stamp: str) -> dt.datetime | None:
    """nbgrader's timestamp of a hand-in ("2026-12-02 06:50:01.123456 UTC"), as an aware time."""
    try:
        return dt.datetime.fromisoformat(stamp.removesuffix(" UTC")).replace(tzinfo=dt.UTC)
    except ValueError:
        return None


def _last_line(text: str) -> str:
    lines = [line.strip() for line in str(text).splitlines() if line.strip()]
    return lines[-1][:200] if lines else ""


def _quiet() -> logging.Logger:
    """nbgrader logs each failure with its traceback; the learner reads our sentence instead."""
    log = logging.getLogger("congdanso.classwork")
    log.propagate = False
    if not log.handlers:
        log.addHandler(logging.NullHandler())
    return log


@contextlib.contextmanager
def _exchange(root: Path) -> Iterator[tuple[object, str]]:
    """nbgrader's Assignment List for the learner's folder ``root``, and the class's course id.
    nbgrader's English log lines are kept off the learner's lesson; the kernel's folder is put
    back."""
    from nbgrader.server_extensions.assignment_list.handlers import AssignmentList

    here = os.getcwd()
    said = io.StringIO()
    try:
        with contextlib.redirect_stderr(said), contextlib.redirect_stdout(said):
            os.chdir(root)
            manager = AssignmentList(log=_quiet())
            manager.root_dir = str(root)
            config = manager.load_config()
            course = config.CourseDirectory.get("course_id", "")
            exchange = config.Exchange.get("root", "")
            if not course or not exchange or not Path(exchange).is_dir():
                raise NotInClass
            yield manager, course
    finally:
        os.chdir(here)


def _run(root: Path, action: str, assignment: str, failed: str) -> HandIn:
    """One of nbgrader's actions on the exchange; ``HandIn(False, why)`` when it failed
    (``failed`` begins the sentence: "Chưa nộp được")."""
    try:
        with _exchange(root) as (manager, course):
            result = getattr(manager, action)(course, assignment)
    except NotInClass:
        return HandIn(False, NOT_IN_CLASS)
    except Exception as exc:  # nbgrader's own errors, or an unreadable configuration
        return HandIn(False, f"{failed} ({_last_line(str(exc)) or type(exc).__name__}). " + AGAIN)
    if not result.get("success"):
        return HandIn(False, f"{failed} ({_last_line(result.get('value', ''))}). " + AGAIN)
    return HandIn(True, "")


def _now() -> str:
    return dt.datetime.now(VIETNAM).strftime("%H:%M ngày %d/%m/%Y")


def title_of(assignment: str, known: dict | None = None) -> str:
    """The exercise's Vietnamese title (its name for an exercise of the trainer's own);
    ``known``: the scenario catalogue, when the caller already read it."""
    from congdanso.grading import variants

    known = variants.catalogue() if known is None else known
    return str(known.get(assignment, {}).get("title") or assignment)


def timetable_order(root: str | os.PathLike[str] | None = None) -> list[str]:
    """The exercises in the order the course timetable (``course/lich-hoc.json``) has them;
    the copy of the lessons in the learner's folder (``khoa-hoc/``) when the package runs
    without the repository. Empty when neither can be read."""
    from congdanso.course import timetable

    for path in (timetable.DATA, _root(root) / "khoa-hoc" / timetable.DATA.name):
        try:
            data = timetable.load(path)
            return [slot.ref for session in timetable.sessions(data)
                    for slot in session.slots if slot.kind == "exercise"]
        except (OSError, ValueError, KeyError, TypeError, StopIteration):
            continue
    return []


def works(root: str | os.PathLike[str] | None = None) -> Listing:
    """Every exercise the trainer handed out or the learner handed in, in the order of the
    course timetable (the first of the day first); exercises it does not have after, by name."""
    from congdanso.grading import variants

    root = _root(root)
    try:
        with _exchange(root) as (manager, course):
            result = manager.list_assignments(course_id=course)
    except NotInClass:
        return Listing(False, NOT_IN_CLASS)
    except Exception as exc:
        return Listing(False, f"Chưa xem được danh sách bài tập ({_last_line(str(exc))}). "
                              + AGAIN)
    if not result.get("success"):
        return Listing(False, f"Chưa xem được danh sách bài tập "
                              f"({_last_line(result.get('value', ''))}). " + AGAIN)
    found: dict[str, Work] = {}
    known = variants.catalogue()
    for info in result["value"]:
        name = str(info.get("assignment_id", ""))
        if name not in found:
            found[name] = Work(name, title_of(name, known))
        work = found[name]
        status = info.get("status")
        if status == "released":
            work.released = True
        elif status == "fetched":
            work.released = True
            work.notebooks = [root / nb["path"] for nb in info.get("notebooks", [])]
        elif status == "submitted":
            submissions = info.get("submissions", [])
            work.submissions = len(submissions)
            if submissions:
                last = submissions[-1]
                when = exchange_time(str(last.get("timestamp", "")))
                work.submitted_at = when.astimezone(VIETNAM) if when else None
                work.feedback_ready = bool(last.get("has_exchange_feedback")) and (
                    not last.get("has_local_feedback") or bool(last.get("feedback_updated")))
                if last.get("has_local_feedback") and last.get("local_feedback_path"):
                    folder = root / last["local_feedback_path"]
                    work.feedback = sorted(folder.glob("*.html"))
    order = {name: i for i, name in enumerate(dict.fromkeys(timetable_order(root)))}
    return Listing(True, "", sorted(found.values(),
                                    key=lambda w: (order.get(w.name, len(order)), w.name)))


def fetch(assignment: str, root: str | os.PathLike[str] | None = None) -> HandIn:
    """Receive a handed-out exercise into the learner's folder (nbgrader's Fetch)."""
    root = _root(root)
    if (root / assignment).exists():
        return HandIn(True, f"Bạn đã nhận bài này rồi: mở thư mục {assignment} để làm tiếp.")
    done = _run(root, "fetch_assignment", assignment, "Chưa nhận được bài")
    if not done.ok:
        return done
    return HandIn(True, f"Đã nhận bài \"{title_of(assignment)}\" lúc {_now()}. Bấm \"Làm bài\" "
                        "để làm.")


def fetch_feedback(assignment: str, root: str | os.PathLike[str] | None = None) -> HandIn:
    """Receive the trainer's comments on the learner's hand-ins (nbgrader's Fetch Feedback)."""
    root = _root(root)
    done = _run(root, "fetch_feedback", assignment, "Chưa nhận được nhận xét")
    if not done.ok:
        return done
    return HandIn(True, f"Đã nhận nhận xét của giảng viên cho bài \"{title_of(assignment)}\". "
                        "Bấm \"Xem nhận xét\" để đọc.")


def submit(folder: str | os.PathLike[str], assignment: str) -> HandIn:
    """Hand in the received exercise in ``folder`` (named after the assignment): nbgrader's
    Submit. The learner may hand in again; the trainer grades the last one."""
    folder = Path(folder).resolve()
    if folder.name != assignment:
        return HandIn(False, f"Bài này phải nằm trong thư mục tên \"{assignment}\" (thư mục nhận "
                             "được khi bấm Nhận bài) mới nộp được. Mở bài từ thư mục đó rồi nộp.")
    done = _run(folder.parent, "submit_assignment", assignment, "Chưa nộp được")
    if not done.ok:
        return done
    return HandIn(True, f"Đã nộp bài \"{title_of(assignment)}\" lúc {_now()}. Nộp lại được bao "
                        "nhiêu lần cũng được; giảng viên chấm lần nộp cuối.")
