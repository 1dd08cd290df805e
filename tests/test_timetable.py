"""The training timetable (course/lich-hoc.json) against the course itself: every lesson and
exercise once, each exercise after the lessons it needs, time enough for each, short sessions
with breaks; and the trainer guide's table and counts equal to what the files say.

The counts are worked out here from the files (lesson notebooks, exercise folders, grade cells),
not taken from the module under test, so the guide is checked twice over. Each rule is also
shown to fail on a timetable broken the way it guards against."""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path

import nbformat
import pytest
from congdanso.course import timetable
from congdanso.world.signatures.signing import VERDICTS

ROOT = Path(__file__).resolve().parents[1]
GUIDE = ROOT / "course" / "HUONG-DAN-GIANG-VIEN.md"
LESSONS = sorted(p.stem[:2] for p in (ROOT / "course").glob("*.ipynb"))
EXERCISES = sorted(p.name for p in (ROOT / "exercises" / "source").iterdir() if p.is_dir())


def grade_cells() -> int:
    return sum(1 for folder in EXERCISES
               for cell in nbformat.read(ROOT / "exercises" / "source" / folder /
                                         f"{folder}.ipynb", as_version=4).cells
               if cell.metadata.get("nbgrader", {}).get("grade"))


@pytest.fixture(scope="module")
def course():
    return timetable.read_course()


@pytest.fixture()
def data():
    return timetable.load()


def order(data) -> list[tuple[str, str]]:
    return [(kind, slot[kind]) for session in data["sessions"] for slot in session["slots"]
            for kind in ("lesson", "exercise") if kind in slot]


def test_the_timetable_keeps_every_rule(data, course):
    assert timetable.problems(data, course) == []


def test_every_lesson_and_exercise_has_exactly_one_slot(data, course):
    slots = order(data)
    assert sorted(ref for kind, ref in slots if kind == "lesson") == LESSONS
    assert sorted(ref for kind, ref in slots if kind == "exercise") == EXERCISES
    assert sorted(course.lessons) == LESSONS and sorted(course.exercises) == EXERCISES
    assert sorted(data["exercises"]) == EXERCISES


def test_each_exercise_comes_after_every_lesson_it_needs(data):
    slots = order(data)
    for name, spec in data["exercises"].items():
        at = slots.index(("exercise", name))
        assert spec["needs"], name
        for lesson in spec["needs"]:
            assert slots.index(("lesson", lesson)) < at, (name, lesson)


def test_what_the_issue_found_is_fixed(data):
    """tai-khoan-dvc grades the portal's QR login (lesson 03) and the police and carrier desks
    (lessons 07, 08); ho-so-truc-tuyen grades the fee payment (lesson 05)."""
    assert {"03", "07", "08"} <= set(data["exercises"]["tai-khoan-dvc"]["needs"])
    assert "05" in data["exercises"]["ho-so-truc-tuyen"]["needs"]


def test_every_slot_is_long_enough(data, course):
    lesson_minutes = {}
    for source in (ROOT / "course" / "src").glob("*.md"):
        found = re.search(r"\*\*Thời gian:\*\* (\d+) phút", source.read_text("utf-8"))
        lesson_minutes[source.stem[:2]] = int(found.group(1))
    per_cell = data["rules"]["min_minutes_per_grade_cell"]
    # most grade cells are one situation and its options (about a minute to read and answer);
    # two minutes a cell, on top of an exercise's own minimum, leaves room for the phone's steps
    assert per_cell >= 2
    for session in data["sessions"]:
        for slot in session["slots"]:
            if "lesson" in slot:
                assert slot["minutes"] >= lesson_minutes[slot["lesson"]], slot
            if "exercise" in slot:
                name = slot["exercise"]
                assert slot["minutes"] >= data["exercises"][name]["minutes"], slot
                assert slot["minutes"] >= per_cell * course.exercises[name].cells, slot


def test_sessions_fit_older_volunteers(data):
    rules = data["rules"]
    assert rules["max_session_minutes"] <= 210 and rules["min_break_minutes"] >= 15
    assert 2 <= len(data["sessions"]) <= 4
    for session in data["sessions"]:
        slots = session["slots"]
        assert sum(s["minutes"] for s in slots) <= rules["max_session_minutes"], session["name"]
        assert any(s.get("break") and s["minutes"] >= rules["min_break_minutes"] for s in slots)
        stretch = 0
        for slot in slots:
            stretch = 0 if slot.get("break") else stretch + slot["minutes"]
            assert stretch <= rules["max_minutes_without_break"], session["name"]


def _swap(data, first: str, second: str) -> None:
    slots = [(s, i) for s in data["sessions"] for i, x in enumerate(s["slots"])
             if first in x.values() or second in x.values()]
    (a, i), (b, j) = slots
    a["slots"][i], b["slots"][j] = b["slots"][j], a["slots"][i]


def _drop_need(data, exercise: str, lesson: str, skill: str) -> None:
    spec = data["exercises"][exercise]
    spec["needs"].remove(lesson)
    spec["skills"].remove(skill)


def _skill(data, skill: str, **change) -> None:
    next(s for s in data["skills"] if s["id"] == skill).update(change)


def _slot(data, ref: str, minutes: int) -> None:
    next(x for s in data["sessions"] for x in s["slots"] if ref in x.values())["minutes"] = minutes


BROKEN = {
    "exercise-before-its-lesson": (lambda d: _swap(d, "tai-khoan-dvc", "08"),
                                   ["tai-khoan-dvc đứng trước bài 08 mà nó cần"]),
    "fee-graded-before-taught": (lambda d: _swap(d, "ho-so-truc-tuyen", "ky-so-hop-dong"),
                                 ["ho-so-truc-tuyen đứng trước bài 05 mà nó cần",
                                  "ho-so-truc-tuyen đứng trước bài 06 mà nó cần"]),
    "need-left-out": (lambda d: _drop_need(d, "tai-khoan-dvc", "07", "quay-cong-an"),
                      ["tai-khoan-dvc chấm vneid-muc-2: thêm kỹ năng quay-cong-an (bài 07)"]),
    "practised-lesson-left-out": (
        lambda d: d["exercises"]["go-roi-vneid"].update(needs=["00", "02", "03"],
                                                        skills=["mo-phong", "vneid", "ho-so"]),
        ["go-roi-vneid chấm go-roi-buoc-chinh, thực hành lần đầu ở bài 08"]),
    "skill-in-the-wrong-lesson": (lambda d: _skill(d, "quay-cong-an", lesson="02"),
                                  ["kỹ năng quay-cong-an: bài 02 không có chữ \"Quầy công an phường\""]),
    "skill-taught-earlier": (lambda d: _skill(d, "nha-mang", taught="TTTB"),
                             ["kỹ năng nha-mang: chữ \"TTTB\" có từ bài 02, không phải bài 08"]),
    "lesson-cut-short": (lambda d: _slot(d, "03", 30),
                         ["bài 03 có 30 phút, thời gian của bài là 45 phút"]),
    "exercise-cut-short": (lambda d: _slot(d, "ho-so-truc-tuyen", 20),
                           ["ho-so-truc-tuyen có 20 phút, cần ít nhất"]),
    "no-break": (lambda d: d["sessions"][3]["slots"].pop(3),
                 ["Buổi 4 không có lần nghỉ 15 phút", "Buổi 4: 115 phút liền không nghỉ"]),
    "exercise-twice": (lambda d: d["sessions"][0]["slots"].append(
        {"minutes": 25, "exercise": "thanh-toan-hoa-don"}),
                       ["bài tập thanh-toan-hoa-don có 2 chỗ trong lịch (cần đúng 1)"]),
    "lesson-missing": (lambda d: d["sessions"][2]["slots"].pop(1),
                       ["bài 06 có 0 chỗ trong lịch (cần đúng 1)"]),
}


@pytest.mark.parametrize("case", BROKEN, ids=str)
def test_a_broken_timetable_is_caught(case, data, course):
    breaks, expected = BROKEN[case]
    broken = copy.deepcopy(data)
    breaks(broken)
    found = timetable.problems(broken, course)
    for words in expected:
        assert any(problem.startswith(words) for problem in found), (words, found)


def test_moving_an_exercise_before_its_lesson_is_the_only_problem(data, course):
    broken = copy.deepcopy(data)
    _swap(broken, "tai-khoan-dvc", "08")
    assert timetable.problems(broken, course) == ["tai-khoan-dvc đứng trước bài 08 mà nó cần"]


def test_the_guide_counts_equal_the_course():
    """The marked counts line states what the files hold, and no other sentence of the guide
    names a different number of lessons, exercises, grade cells or verdicts."""
    text = GUIDE.read_text(encoding="utf-8")
    counts = timetable.block(text, "so-lieu")
    expected = {"bài học": len(LESSONS), "bài tập có chấm": len(EXERCISES),
                "ô chấm": grade_cells(), "kết luận": len(VERDICTS),
                "năng lực": len(json.loads((ROOT / "exercises" / "competencies.json")
                                           .read_text("utf-8"))["competencies"])}
    assert len(list((ROOT / "course" / "src").glob("*.md"))) == len(LESSONS) == 9
    for noun, value in expected.items():
        pattern = r"\s+".join(noun.split())
        assert re.search(rf"\*\*(\d+)\s+{pattern}\*\*", counts).group(1) == str(value), noun
    prose = re.sub(r"<!--.*?-->", "", text, flags=re.S)
    prose = re.sub(r"\s+", " ", prose)
    for number, noun in re.findall(r"\b(\d+) (bài học|bài tập|ô chấm|kết luận)\b", prose):
        key = "bài tập có chấm" if noun == "bài tập" else noun
        assert int(number) == expected[key], f"{number} {noun}"
    for number in re.findall(r"\b(\d+) bài\b(?! (?:học|tập))", prose):
        assert int(number) == len(LESSONS), f"{number} bài"
    words = r"(?:hai|ba|bốn|năm|sáu|bảy|tám|chín|mười)"  # "mỗi tệp một kết luận" is no count
    assert not re.search(rf"\b{words} (?:bài học|bài tập|ô chấm|kết luận)\b", prose, re.I)


def test_the_guide_table_is_the_data(data, course):
    text = GUIDE.read_text(encoding="utf-8")
    assert timetable.block(text, "lich-hoc") == timetable.render_timetable(data, course), \
        "run: congdanso course build"
    assert timetable.block(text, "so-lieu") == timetable.render_counts(course), \
        "run: congdanso course build"
    table = timetable.block(text, "lich-hoc")
    for name in EXERCISES:  # each exercise once in the timetable rows, once in "vì sao"
        assert table.count(f"Bài tập **{name}**") == 1
    for lesson in LESSONS:
        assert len(re.findall(rf"^\| [\d:–]+ \| Bài {lesson} — ", table, re.M)) == 1


def test_the_guide_lesson_times_are_the_lessons(course):
    text = GUIDE.read_text(encoding="utf-8")
    rows = dict(re.findall(r"^\| Bài (\d\d) — [^|]+\| (\d+) phút \|", text, re.M))
    assert {k: int(v) for k, v in rows.items()} == {
        lesson.id: lesson.minutes for lesson in course.lessons.values()}


def test_build_rewrites_a_stale_guide_and_refuses_a_broken_timetable(tmp_path, data, course):
    guide = tmp_path / "huong-dan.md"
    stale = GUIDE.read_text(encoding="utf-8").replace(
        timetable.block(GUIDE.read_text(encoding="utf-8"), "lich-hoc"), "| 7:30 | cũ |")
    guide.write_text(stale, encoding="utf-8")
    good = tmp_path / "lich-hoc.json"
    good.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    assert timetable.build_guide(guide, good) == []
    assert guide.read_text(encoding="utf-8") == GUIDE.read_text(encoding="utf-8")
    broken = copy.deepcopy(data)
    _swap(broken, "tai-khoan-dvc", "08")
    bad = tmp_path / "hong.json"
    bad.write_text(json.dumps(broken, ensure_ascii=False), encoding="utf-8")
    guide.write_text(stale, encoding="utf-8")
    assert timetable.build_guide(guide, bad) == ["tai-khoan-dvc đứng trước bài 08 mà nó cần"]
    assert guide.read_text(encoding="utf-8") == stale
