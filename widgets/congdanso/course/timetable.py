"""The training timetable as data (``course/lich-hoc.json``), checked against the course itself.

A timetable is sessions of slots (a lesson, a graded exercise, a break, or another activity) and
a table of what each exercise needs taught first. The rules it must keep, read from the lesson
sources, the exercise notebooks and the scenario catalogue (nothing is copied by hand):

- every lesson (``course/src``) and every exercise (``exercises/source``) has exactly one slot;
- an exercise comes after every lesson in its ``needs``; ``needs`` are the lessons of the
  skills it uses; a skill's lesson is where its words first appear in the lessons; an exercise
  that grades an item a lesson's practice (``thuc-hanh-NN``) or a skill lists needs that lesson;
  every graded step in the world (not a question) is claimed by a practice or a skill;
- a lesson's slot is at least its "Thời gian"; an exercise's at least its stated minutes, and
  those at least ``min_minutes_per_grade_cell`` per grade cell;
- a session is at most ``max_session_minutes`` long, has a break of ``min_break_minutes``, and
  never goes ``max_minutes_without_break`` without one.

``problems()`` lists what breaks a rule; ``render_guide()`` writes the trainer guide's timetable
and course counts from the data (``congdanso course build``), so the guide cannot drift."""

from __future__ import annotations

import json
import re
import textwrap
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from congdanso.course.build import COURSE

DATA = COURSE / "lich-hoc.json"
GUIDE = COURSE / "HUONG-DAN-GIANG-VIEN.md"
EXERCISES = COURSE.parent / "exercises"
CATALOGUE = Path(__file__).resolve().parents[1] / "grading" / "data" / "bai-tap.json"


@dataclass(frozen=True)
class Lesson:
    id: str  # "00" … "08"
    title: str  # "Bài 03 — Cổng Dịch vụ công" (the heading up to its first colon)
    minutes: int
    text: str  # the MyST source, whitespace collapsed, for finding where words first appear


@dataclass(frozen=True)
class GradedExercise:
    name: str
    cells: int  # grade cells
    items: tuple[str, ...]  # what its grade cells check ("ho-so-nop", "cau:ma-ho-so"); a cell
    # that calls no check is named by its grade id
    competencies: tuple[str, ...]  # one entry per (grade cell, competency)


@dataclass(frozen=True)
class Course:
    """What the timetable is checked against, read from the files."""

    lessons: dict[str, Lesson]
    exercises: dict[str, GradedExercise]
    practised: dict[str, frozenset[str]]  # lesson id → items its practice's checklist has
    competencies: tuple[str, ...]
    verdicts: int  # signature-check conclusions a learner meets (lesson 04, the demo kit)

    @property
    def grade_cells(self) -> int:
        return sum(e.cells for e in self.exercises.values())

    def min_cells_per_competency(self) -> int:
        counts = {c: 0 for c in self.competencies}
        for exercise in self.exercises.values():
            for c in exercise.competencies:
                counts[c] = counts.get(c, 0) + 1
        return min(counts.values())


@dataclass(frozen=True)
class Slot:
    start: int  # minutes since midnight
    minutes: int
    kind: str  # "lesson", "exercise", "break", "activity"
    ref: str  # lesson id, exercise name, or the activity's words

    @property
    def end(self) -> int:
        return self.start + self.minutes


@dataclass(frozen=True)
class Session:
    name: str
    when: str
    slots: tuple[Slot, ...]

    @property
    def minutes(self) -> int:
        return sum(s.minutes for s in self.slots)


def _flat(text: str) -> str:
    return re.sub(r"\s+", " ", unicodedata.normalize("NFC", text))


def read_course(course: Path = COURSE, exercises: Path = EXERCISES,
                catalogue: Path = CATALOGUE) -> Course:
    import nbformat

    from congdanso.world.signatures.signing import VERDICTS

    lessons = {}
    for source in sorted((course / "src").glob("*.md")):
        text = source.read_text(encoding="utf-8")
        heading = re.search(r"^# (Bài \d\d — [^:\n]+)", text, re.M).group(1).strip()
        minutes = int(re.search(r"\*\*Thời gian:\*\* (\d+) phút", text).group(1))
        lessons[source.stem[:2]] = Lesson(source.stem[:2], heading, minutes, _flat(text))
    graded = {}
    for folder in sorted(p for p in (exercises / "source").iterdir() if p.is_dir()):
        nb = nbformat.read(folder / f"{folder.name}.ipynb", as_version=4)
        cells = [c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade")]
        items, competencies = [], []
        for cell in cells:
            calls = re.findall(r"kiem_tra\(([^)]*)\)", cell.source)
            names = [n for call in calls for n in re.findall(r"\"([^\"]+)\"", call)]
            items += names or [cell.metadata["nbgrader"]["grade_id"]]
            competencies += cell.metadata.get("congdanso", {}).get("competencies", [])
        graded[folder.name] = GradedExercise(folder.name, len(cells), tuple(items),
                                             tuple(competencies))
    practices = json.loads(catalogue.read_text(encoding="utf-8"))["assignments"]
    practised = {name.removeprefix("thuc-hanh-"): frozenset(spec["checklist"])
                 for name, spec in practices.items() if spec.get("practice")}
    framework = json.loads((exercises / "competencies.json").read_text(encoding="utf-8"))
    return Course(lessons, graded, practised,
                  tuple(c["id"] for c in framework["competencies"]), len(VERDICTS))


def _clock(text: str) -> int:
    hours, minutes = text.split(":")
    return int(hours) * 60 + int(minutes)


def clock(minutes: int) -> str:
    return f"{minutes // 60}:{minutes % 60:02d}"


def load(path: Path = DATA) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def sessions(data: dict) -> list[Session]:
    out = []
    for session in data["sessions"]:
        at, slots = _clock(session["start"]), []
        for slot in session["slots"]:
            kind = next(k for k in ("lesson", "exercise", "break", "activity") if k in slot)
            ref = "" if kind == "break" else slot[kind]
            slots.append(Slot(at, slot["minutes"], kind, ref))
            at += slot["minutes"]
        out.append(Session(session["name"], session["when"], tuple(slots)))
    return out


def problems(data: dict, course: Course) -> list[str]:
    """Every rule the timetable breaks, in words a maintainer can act on (empty: all is well)."""
    found: list[str] = []
    rules, skills = data["rules"], {s["id"]: s for s in data["skills"]}
    table = data["exercises"]
    order = [s for session in sessions(data) for s in session.slots]
    place: dict[tuple[str, str], int] = {}
    for index, s in enumerate(order):
        place.setdefault((s.kind, s.ref), index)
    for kind, word, names in (("lesson", "bài", course.lessons),
                              ("exercise", "bài tập", course.exercises)):
        for name in names:
            count = sum(1 for s in order if s.kind == kind and s.ref == name)
            if count != 1:
                found.append(f"{word} {name} có {count} chỗ trong lịch (cần đúng 1)")
        found += [f"{word} {s.ref} có trong lịch nhưng không có trong khoá học"
                  for s in order if s.kind == kind and s.ref not in names]
    if set(table) != set(course.exercises):
        found.append(f"bảng bài tập của lịch có {sorted(table)}, khoá học có "
                     f"{sorted(course.exercises)}")
    if len(skills) != len(data["skills"]):
        found.append("hai kỹ năng trùng mã (id)")
    for skill in skills.values():
        lesson, taught = skill["lesson"], _flat(skill["taught"])
        if lesson not in course.lessons:
            found.append(f"kỹ năng {skill['id']}: không có bài {lesson}")
            continue
        if taught not in course.lessons[lesson].text:
            found.append(f"kỹ năng {skill['id']}: bài {lesson} không có chữ \"{taught}\"")
        earlier = [i for i in sorted(course.lessons) if i < lesson
                   and taught in course.lessons[i].text]
        if earlier:
            found.append(f"kỹ năng {skill['id']}: chữ \"{taught}\" có từ bài {earlier[0]}, "
                         f"không phải bài {lesson}")
    claimed = {item for s in skills.values() for item in s["items"]}
    claimed |= {item for items in course.practised.values() for item in items}
    for name, exercise in course.exercises.items():
        spec = table.get(name)
        if spec is None:
            continue
        needs, used = set(spec["needs"]), spec["skills"]
        unknown = [u for u in used if u not in skills]
        if unknown:
            found.append(f"{name}: không có kỹ năng {unknown}")
        from_skills = {skills[u]["lesson"] for u in used if u in skills}
        if needs != from_skills:
            found.append(f"{name}: \"needs\" là {sorted(needs)} nhưng các kỹ năng của bài tập "
                         f"được dạy ở bài {sorted(from_skills)}")
        for item in exercise.items:
            first = min((lesson for lesson, items in course.practised.items() if item in items),
                        default=None)
            if first is not None and first not in needs:
                found.append(f"{name} chấm {item}, thực hành lần đầu ở bài {first}; thêm bài "
                             f"{first} vào \"needs\"")
            found += [f"{name} chấm {item}: thêm kỹ năng {skill['id']} (bài {skill['lesson']})"
                      for skill in skills.values()
                      if item in skill["items"] and skill["id"] not in used]
            if not item.startswith("cau:") and item not in claimed:
                found.append(f"{name} chấm {item} mà không bài thực hành, kỹ năng nào dạy: thêm "
                             "vào \"items\" của một kỹ năng trong course/lich-hoc.json")
        at = place.get(("exercise", name))
        for lesson in sorted(needs):
            before = place.get(("lesson", lesson))
            if at is not None and before is not None and before > at:
                found.append(f"{name} đứng trước bài {lesson} mà nó cần")
        least = max(spec["minutes"], rules["min_minutes_per_grade_cell"] * exercise.cells)
        found += [f"{name} có {s.minutes} phút, cần ít nhất {least} ({exercise.cells} ô chấm)"
                  for s in order if s.kind == "exercise" and s.ref == name and s.minutes < least]
    found += [f"bài {s.ref} có {s.minutes} phút, thời gian của bài là "
              f"{course.lessons[s.ref].minutes} phút" for s in order
              if s.kind == "lesson" and s.ref in course.lessons
              and s.minutes < course.lessons[s.ref].minutes]
    for session in sessions(data):
        if session.minutes > rules["max_session_minutes"]:
            found.append(f"{session.name} dài {session.minutes} phút, quá "
                         f"{rules['max_session_minutes']} phút")
        if not any(s.kind == "break" and s.minutes >= rules["min_break_minutes"]
                   for s in session.slots):
            found.append(f"{session.name} không có lần nghỉ {rules['min_break_minutes']} phút")
        stretch = 0
        for s in session.slots:
            stretch = 0 if s.kind == "break" else stretch + s.minutes
            if stretch > rules["max_minutes_without_break"]:
                found.append(f"{session.name}: {stretch} phút liền không nghỉ (đến "
                             f"{clock(s.end)})")
                break
    return found


def _lessons_of(ids: list[str]) -> str:
    return "Bài " + ", ".join(sorted(ids))


def _wrap(text: str) -> str:
    return textwrap.fill(text, width=100, break_long_words=False, break_on_hyphens=False)


def _hours(minutes: int) -> str:
    hours, rest = divmod(minutes, 60)
    return f"{hours} giờ" + (f" {rest} phút" if rest else "")


def render_counts(course: Course) -> str:
    """The counts the guide states, from the files (the test compares them with the guide)."""
    total = sum(lesson.minutes for lesson in course.lessons.values())
    return _wrap(f"Khoá học gồm **{len(course.lessons)} bài học** (cộng lại {_hours(total)}) và "
            f"**{len(course.exercises)} bài tập có chấm** với **{course.grade_cells} ô chấm**, đo "
            f"**{len(course.competencies)} năng lực** (năng lực ít ô nhất được đo bằng "
            f"{course.min_cells_per_competency()} ô). Bài 04 dạy đọc **{course.verdicts} kết "
            "luận** kiểm tra chữ ký số.")


def render_timetable(data: dict, course: Course) -> str:
    rules = data["rules"]
    parts = [_wrap(f"Mỗi buổi không quá {_hours(rules['max_session_minutes'])}, nghỉ giải lao ít "
                   f"nhất {rules['min_break_minutes']} phút sau tối đa "
                   f"{rules['max_minutes_without_break']} phút học. Bài tập có chấm chỉ đến sau "
                   "mọi bài học nó cần (cột \"cần học trước\").")]
    for session in sessions(data):
        first, last = session.slots[0].start, session.slots[-1].end
        rows = ["| giờ | nội dung | bài tập có chấm | cần học trước |", "|---|---|---|---|"]
        for s in session.slots:
            when = f"{clock(s.start)}–{clock(s.end)}"
            if s.kind == "lesson":
                rows.append(f"| {when} | {course.lessons[s.ref].title} | | |")
            elif s.kind == "exercise":
                needs = data["exercises"][s.ref]["needs"]
                rows.append(f"| {when} | Bài tập **{s.ref}** ({s.minutes} phút) | {s.ref} | "
                            f"{_lessons_of(needs)} |")
            elif s.kind == "break":
                rows.append(f"| {when} | **Nghỉ giải lao** | | |")
            else:
                rows.append(f"| {when} | {s.ref} | | |")
        parts.append(f"### {session.name} — {session.when}, {clock(first)}–{clock(last)} "
                     f"({_hours(session.minutes)})\n\n" + "\n".join(rows))
    skills = {s["id"]: s for s in data["skills"]}
    rows = ["| bài tập | cần học trước | vì sao |", "|---|---|---|"]
    for name, spec in data["exercises"].items():
        why = "; ".join(f"{skills[u]['what']} (Bài {skills[u]['lesson']})"
                        for u in spec["skills"] if skills[u]["lesson"] != "00")
        rows.append(f"| **{name}** | {_lessons_of(spec['needs'])} | {why} |")
    parts.append("### Vì sao bài tập đặt ở đó\n\n" + "\n".join(rows))
    return "\n\n".join(parts)


def _block(text: str, name: str) -> re.Match[str]:
    match = re.search(rf"<!-- {name}\b[^>]*-->\n(.*?)\n<!-- /{name} -->", text, re.S)
    if match is None:
        raise ValueError(f"hướng dẫn giảng viên thiếu đoạn <!-- {name} --> … <!-- /{name} -->")
    return match


def block(text: str, name: str) -> str:
    """The generated part ``name`` of the guide (between its two marker comments)."""
    return _block(text, name).group(1)


def render_guide(text: str, data: dict, course: Course) -> str:
    """The guide with its generated parts rewritten from the data and the course."""
    for name, body in (("so-lieu", render_counts(course)),
                       ("lich-hoc", render_timetable(data, course))):
        match = _block(text, name)
        text = text[:match.start(1)] + body + text[match.end(1):]
    return text


def build_guide(guide: Path = GUIDE, data_path: Path = DATA) -> list[str]:
    """Rewrite the guide's timetable and counts; refuse (returning the problems) when the
    timetable breaks a rule."""
    data, course = load(data_path), read_course()
    found = problems(data, course)
    if not found:
        text = guide.read_text(encoding="utf-8")
        new = render_guide(text, data, course)
        if new != text:
            guide.write_text(new, encoding="utf-8")
    return found
