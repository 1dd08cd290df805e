"""The learner's board of class exercises (lesson 00, "Bài tập của lớp"): nbgrader's Assignment
List in Vietnamese — receive, open, hand in, read the trainer's comments — with nbgrader's own
exchange code, as the learner, on a class exchange."""

from __future__ import annotations

import shutil
from pathlib import Path
from urllib.parse import unquote

import pytest

ROOT = Path(__file__).resolve().parents[1]
ASSIGNMENT, LEARNER = "an-toan-lua-dao", "hv-bang-bai"


@pytest.fixture
def klass(tmp_path, monkeypatch):
    """A course that has handed out one exercise, a learner's home (the server's root) with the
    settings the class server writes there, and the lesson folder the board is shown from."""
    from congdanso.cohort import grading
    from congdanso.cohort.roster import import_roster

    course, home = tmp_path / "khoa", tmp_path / "nha"
    (course / "source").mkdir(parents=True)
    (home / "khoa-hoc").mkdir(parents=True)
    shutil.copy(ROOT / "exercises/nbgrader_config.py", course)
    shutil.copy(ROOT / "exercises/dap-an.json", course)
    shutil.copytree(ROOT / "exercises/source" / ASSIGNMENT, course / "source" / ASSIGNMENT)
    roster = tmp_path / "ds.csv"
    roster.write_text("Mã học viên,Họ và tên,Phường,Khu phố,Vai trò\n"
                      f"{LEARNER},Lê Thị Na,Phường Lái Thiêu,Khu phố Đông Nhì,Tình nguyện viên\n",
                      encoding="utf-8")
    import_roster(roster, course)
    grading.generate(course, [ASSIGNMENT])
    settings = tmp_path / "jupyter"
    settings.mkdir()
    monkeypatch.setenv("JUPYTER_CONFIG_DIR", str(settings))
    monkeypatch.setenv("JUPYTER_DATA_DIR", str(tmp_path / "du-lieu"))  # nbgrader's hand-in cache
    return {"course": course, "home": home, "settings": settings,
            "exchange": course / "exchange", "lesson": home / "khoa-hoc"}


def _join_class(klass) -> None:
    klass["exchange"].mkdir(exist_ok=True)  # the class server makes it before anyone logs in
    (klass["settings"] / "nbgrader_config.py").write_text(
        "c = get_config()\n"
        "c.CourseDirectory.course_id = 'congdanso'\n"
        f"c.Exchange.root = {str(klass['exchange'])!r}\n"
        f"c.CourseDirectory.student_id = {LEARNER!r}\n", encoding="utf-8")


def _buttons(board) -> dict:
    found = {}
    for row in board.list.children:
        for part in row.children:
            if hasattr(part, "description") and hasattr(part, "click"):
                found[part.description] = part
    return found


def test_receive_open_hand_in_and_read_the_comments_all_in_vietnamese(klass):
    from congdanso.cohort import grading
    from congdanso.ui.classwork import ClassWork
    from congdanso.ui.exercise import Exercise
    from hands import do_exercise

    _join_class(klass)
    board = ClassWork(klass["home"], here=klass["lesson"])
    assert board.works == [] and "chưa phát bài nào" in board.status.value
    grading.release(klass["course"], [ASSIGNMENT])
    board.refresh()
    [work] = board.works
    assert work.title.startswith("Nhận diện lừa đảo") and not work.received
    assert ClassWork.state(work) == "○ Chưa nhận bài"
    pressed = _buttons(board)[f"Nhận bài {ASSIGNMENT}"]
    assert pressed.comm is not None
    pressed.click()
    assert "✔ Đã nhận bài" in board.status.value, board.status.value
    assert pressed.comm is None  # the redrawn list let the old row's widgets go
    notebook = klass["home"] / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
    assert notebook.is_file()
    assert ClassWork.state(board.works[0]) == "● Đã nhận, chưa nộp"
    assert board.links == [(f"Làm bài: {ASSIGNMENT}", f"../{ASSIGNMENT}/{ASSIGNMENT}.ipynb")]
    assert f"Nhận bài {ASSIGNMENT}" not in _buttons(board)  # received: only "Làm bài" now

    work_done = notebook.read_bytes() + b"\n"
    notebook.write_bytes(work_done)
    again = board.fetch(ASSIGNMENT)  # a second press never overwrites the learner's work
    assert again.ok and "đã nhận bài này rồi" in again.message
    assert notebook.read_bytes() == work_done

    ex = Exercise(ASSIGNMENT, folder=notebook.parent, learner=LEARNER)
    do_exercise(ex)
    assert ex.submit().ok
    board.refresh()
    state = ClassWork.state(board.works[0])
    assert state.startswith("✔ Đã nộp lúc ") and "ngày" in state, state

    grading.collect(klass["course"], [ASSIGNMENT])
    [result] = grading.autograde(klass["course"], [ASSIGNMENT], jobs=1)
    assert result.score == result.max_score > 0
    grading.feedback(klass["course"], [ASSIGNMENT])
    board.refresh()
    assert board.works[0].feedback_ready
    _buttons(board)[f"Nhận nhận xét bài {ASSIGNMENT}"].click()
    assert "✔ Đã nhận nhận xét" in board.status.value, board.status.value
    [comments] = board.works[0].feedback
    assert comments.is_file() and comments.suffix == ".html"
    text, href = board.links[-1]
    assert text == f"Xem nhận xét: {ASSIGNMENT}"
    assert (klass["lesson"] / unquote(href)).resolve() == comments.resolve()
    assert f"Nhận nhận xét bài {ASSIGNMENT}" not in _buttons(board)


def test_outside_a_class_or_with_broken_settings_it_explains_and_keeps_running(klass, capfd):
    from congdanso.ui.classwork import ClassWork

    board = ClassWork(klass["home"], here=klass["lesson"])  # no class exchange on this machine
    assert "chưa nối với lớp học" in board.status.value and board.works == []
    assert "✘" not in board.status.value  # a note, not an error: lessons work without a class
    refused = board.fetch(ASSIGNMENT)
    assert not refused.ok and "chưa nối với lớp học" in refused.message
    (klass["settings"] / "nbgrader_config.py").write_text("c = get_config(\n", encoding="utf-8")
    board.refresh()  # unreadable class settings: the same advice, nothing else on the lesson
    assert "chưa nối với lớp học" in board.status.value
    assert capfd.readouterr().err == ""  # nbgrader's English warnings stay off the lesson
    assert Path.cwd() != klass["home"]  # the kernel's folder is where it was


def test_the_exercise_hands_itself_in_through_nbgrader_and_says_so_in_vietnamese(klass):
    """"Nộp bài cho giảng viên" at the end of an exercise: nbgrader's own submit with the
    learner's class settings; without a class exchange it explains and submits nothing."""
    from congdanso.cohort import grading
    from congdanso.ui.exercise import Exercise
    from synthetic import _exchange_step

    grading.release(klass["course"], [ASSIGNMENT])
    _exchange_step("fetch", klass["course"], klass["home"], LEARNER, ASSIGNMENT)
    folder = klass["home"] / ASSIGNMENT
    ex = Exercise(ASSIGNMENT, folder=folder, learner=LEARNER)
    outside = ex.submit()  # no class configured on this machine yet
    assert not outside.ok and "chưa nối với lớp học" in outside.message
    assert "✘" in ex.submit_note.value
    _join_class(klass)
    before = Path.cwd()
    done = ex.submit()
    assert done.ok, done.message
    assert Path.cwd() == before  # the kernel's folder is where it was
    from congdanso.cohort.classwork import title_of

    assert f"Đã nộp bài \"{title_of(ASSIGNMENT)}\" lúc" in done.message
    assert "✔" in ex.submit_note.value
    inbound = list((klass["exchange"] / "congdanso" / "inbound").glob(f"{LEARNER}+{ASSIGNMENT}+*"))
    assert len(inbound) == 1 and (inbound[0] / f"{ASSIGNMENT}.ipynb").is_file()
    assert (inbound[0] / "nhat-ky.jsonl").is_file()  # the journal the grader decides from
    elsewhere = Exercise(ASSIGNMENT, folder=klass["home"], learner=LEARNER)
    assert "phải nằm trong thư mục tên" in elsewhere.submit().message


def test_the_board_lists_exercises_in_the_order_of_the_timetable(klass, monkeypatch):
    """The board listed exercises by code, so the first of the day came far down: it follows
    the course timetable (course/lich-hoc.json), exercises not in it after, by name; without
    the repository it reads the learner's copy of the lessons (khoa-hoc/lich-hoc.json)."""
    import json

    from congdanso.cohort import classwork, grading
    from congdanso.course import timetable

    _join_class(klass)
    grading.release(klass["course"], [ASSIGNMENT])
    outbound = klass["exchange"] / "congdanso" / "outbound"
    own = ["bai-rieng-cua-lop", "a-bai-them"]  # a trainer's own exercises: not in the timetable
    planned = [slot.ref for session in timetable.sessions(timetable.load())
               for slot in session.slots if slot.kind == "exercise"]
    assert len(planned) == 7 and planned != sorted(planned)
    for name in [*planned, *own]:
        if name != ASSIGNMENT:  # handed out as the release did, one notebook each
            (outbound / name).mkdir()
            shutil.copy(outbound / ASSIGNMENT / f"{ASSIGNMENT}.ipynb",
                        outbound / name / f"{name}.ipynb")
    listing = classwork.works(klass["home"])
    assert listing.ok, listing.message
    assert [w.name for w in listing.works] == [*planned, "a-bai-them", "bai-rieng-cua-lop"]
    # the package without the repository: the lessons copied into the learner's folder
    monkeypatch.setattr(timetable, "DATA", klass["home"] / "khong-co" / "lich-hoc.json")
    assert [w.name for w in classwork.works(klass["home"]).works] == sorted([*planned, *own])
    mine = {"sessions": [{"name": "Buổi 1", "when": "Ngày 1", "start": "7:30", "slots": [
        {"minutes": 30, "exercise": "tai-khoan-dvc"}, {"minutes": 30, "lesson": "00"},
        {"minutes": 30, "exercise": "bai-rieng-cua-lop"}]}]}
    (klass["lesson"] / "lich-hoc.json").write_text(json.dumps(mine), encoding="utf-8")
    names = [w.name for w in classwork.works(klass["home"]).works]
    assert names[:3] == ["tai-khoan-dvc", "bai-rieng-cua-lop", "a-bai-them"]
    assert names[3:] == sorted(set(planned) - {"tai-khoan-dvc"})
