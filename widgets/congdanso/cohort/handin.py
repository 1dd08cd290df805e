"""The learner's side of the exchange: "Nộp bài" from the exercise itself, in Vietnamese.

nbgrader's Assignment List (menu Nbgrader) speaks English; the exercise's own button does the same
thing with nbgrader's own code — the Assignment List's ``submit_assignment``, run as the learner
(in their kernel, as their server would), with the course and exchange of their nbgrader
configuration — and says in Vietnamese what happened. Submitting decides no grade: the trainer
collects and grades.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from pathlib import Path

from congdanso.world.clock import VIETNAM


@dataclass
class HandIn:
    ok: bool
    message: str


AGAIN = ("Thử lại sau ít phút hoặc nộp ở menu Nbgrader → Assignment List; nếu vẫn không được, "
         "nhờ giảng viên.")
NOT_IN_CLASS = ("Máy này chưa nối với lớp học (chưa có thư mục trao đổi bài của lớp), nên chưa nộp "
                "được. Khi học trên máy chủ lớp, bấm lại nút này; nếu vẫn vậy, nhờ giảng viên.")


def _last_line(text: str) -> str:
    lines = [line.strip() for line in str(text).splitlines() if line.strip()]
    return lines[-1][:200] if lines else ""


def submit(folder: Path, assignment: str) -> HandIn:
    """Submit the fetched exercise in ``folder`` (named after the assignment) to the class."""
    folder = Path(folder).resolve()
    if folder.name != assignment:
        return HandIn(False, f"Bài này phải nằm trong thư mục tên \"{assignment}\" (thư mục nhận "
                             "được khi bấm Fetch) mới nộp được. Mở bài từ thư mục đó rồi nộp.")
    here = os.getcwd()
    try:
        from nbgrader.server_extensions.assignment_list.handlers import AssignmentList

        manager = AssignmentList()
        manager.root_dir = str(folder.parent)
        os.chdir(folder.parent)
        config = manager.load_config()
        course = config.CourseDirectory.get("course_id", "")
        exchange = config.Exchange.get("root", "")
        if not course or not exchange or not Path(exchange).is_dir():
            return HandIn(False, NOT_IN_CLASS)
        result = manager.submit_assignment(course, assignment)
    except Exception as exc:  # nbgrader's own errors, or an unreadable configuration
        return HandIn(False, f"Chưa nộp được ({_last_line(str(exc)) or type(exc).__name__}). "
                             + AGAIN)
    finally:
        os.chdir(here)
    if not result.get("success"):
        return HandIn(False, f"Chưa nộp được ({_last_line(result.get('value', ''))}). " + AGAIN)
    when = dt.datetime.now(VIETNAM).strftime("%H:%M ngày %d/%m/%Y")
    return HandIn(True, f"Đã nộp bài {assignment} lúc {when}. Nộp lại được bao nhiêu lần cũng "
                        "được; giảng viên chấm lần nộp cuối.")
