"""The course: every lesson runs top to bottom (nbval) in a scratch copy, has the common shape,
its notebook matches its MyST source, its self-checks answer right and wrong, its handout fits on
one page.

Lessons write a journal next to themselves, so they run in a copy: a learner's own journal in
course/ is never touched by the tests.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import unicodedata
from pathlib import Path

import nbformat
import pytest
from congdanso.course.build import notebook_from_markdown
from congdanso.course.checks import CHECKS, quiz
from congdanso.course.handouts import handout_pdf, handout_text, pages
from congdanso.ui.base import esc
from jupyterkit import jupyter_env, own_jupyter

ROOT = Path(__file__).resolve().parents[1]
SOURCES = sorted((ROOT / "course" / "src").glob("*.md"))
LESSONS = sorted((ROOT / "course").glob("*.ipynb"))
SECTIONS = ("**Thời gian:**", "**Mục tiêu:**", "## Từ khoá", "## Giải thích",
            "## Thực hành có hướng dẫn", "## Tự kiểm tra", "## Người dân hỏi – bạn trả lời",
            "## Lưu ý an toàn", "## Điểm chính", "## Tờ hướng dẫn cho người dân")

pytestmark = pytest.mark.notebooks


def test_there_are_nine_lessons_in_order():
    assert [s.stem[:2] for s in SOURCES] == [f"{i:02d}" for i in range(9)]
    assert [n.stem for n in LESSONS] == [s.stem for s in SOURCES]


@pytest.mark.parametrize("source", SOURCES, ids=lambda p: p.stem)
def test_lesson_has_the_common_shape_and_clean_text(source):
    text = source.read_text(encoding="utf-8")
    positions = [text.find(section) for section in SECTIONS]
    assert all(p >= 0 for p in positions), [s for s, p in zip(SECTIONS, positions, strict=False) if p < 0]
    assert positions == sorted(positions), "sections out of order"
    assert unicodedata.is_normalized("NFC", text)
    minutes = int(re.search(r"Thời gian:\*\* (\d+) phút", text).group(1))
    assert 15 <= minutes <= 45


@pytest.mark.parametrize("source", SOURCES, ids=lambda p: p.stem)
def test_notebook_matches_its_source(source):
    built = notebook_from_markdown(source)
    committed = nbformat.read(ROOT / "course" / f"{source.stem}.ipynb", as_version=4)
    assert [(c.cell_type, c.source) for c in committed.cells] == [
        (c.cell_type, c.source) for c in built.cells], "run `congdanso course build`"
    for cell in committed.cells:
        if cell.cell_type == "code":
            assert not cell.outputs and cell.execution_count is None


@pytest.mark.parametrize("lesson", LESSONS, ids=lambda p: p.name)
def test_lesson_runs_clean(lesson, tmp_path):
    learner_journal = lesson.parent / "nhat-ky.jsonl"
    before = learner_journal.read_bytes() if learner_journal.exists() else None
    shutil.copy(lesson, tmp_path)
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "--nbval-lax", "-q", "-p", "no:cacheprovider",
         "--rootdir", str(tmp_path), str(tmp_path / lesson.name)],
        cwd=tmp_path, capture_output=True, text=True, timeout=600,
        env=jupyter_env(tmp_path))  # lesson 00's class board: not the user's nbgrader settings
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert (tmp_path / "nhat-ky.jsonl").exists()
    after = learner_journal.read_bytes() if learner_journal.exists() else None
    assert after == before  # a learner's own journal in course/ is never touched


@pytest.mark.parametrize("source", SOURCES, ids=lambda p: p.stem)
def test_every_self_check_is_in_its_lesson(source):
    used = set(re.findall(r'quiz\("([0-9]{2}-cau\d+)"', source.read_text(encoding="utf-8")))
    lesson = source.stem[:2]
    assert used == {c.qid for c in CHECKS[lesson]}


@pytest.mark.parametrize("check", [c for cs in CHECKS.values() for c in cs], ids=lambda c: c.qid)
def test_self_checks_answer_right_and_wrong(check, world):
    """Each wrong option says why it is wrong and which section to read again, without the right
    option or its explanation; the right one keeps its explanation; every answer is journaled."""
    from congdanso.world.core.journal import GENESIS, parse_lines

    widget = quiz(check.qid, world)
    wrong = [o for o in check.options if o != check.answer]
    assert set(check.wrong) == set(wrong)
    for option in wrong:
        assert widget.check(option) is False
        shown = widget.feedback.value
        assert shown.startswith('<div class="cds-error" role="alert">✘ Chưa đúng. ')
        assert esc(check.wrong[option]) in shown and f"Xem lại mục “{check.see}”" in shown
        assert check.answer.casefold() not in check.wrong[option].casefold()
        assert esc(check.why) not in shown
    assert len(set(check.wrong.values())) == len(wrong)  # each option its own reason
    assert widget.check(check.answer) is True
    assert widget.feedback.value == (f'<div class="cds-ok" role="status">✔ Đúng. '
                                     f"{esc(check.why)}</div>")
    assert widget.check(None) is False and "Hãy chọn" in widget.feedback.value
    widget.button.click()  # the button checks what is selected
    assert "✔ Đúng" in widget.feedback.value
    events = parse_lines(world.journal.data(), start_seq=0, prev=GENESIS).events
    answers = [e.body["args"] for e in events if e.action == "course.self_check"]
    assert [a["correct"] for a in answers] == [False] * len(wrong) + [True, True]
    assert [a["question"] for a in answers] == [check.qid] * (len(wrong) + 2)


@pytest.mark.parametrize("check", [c for cs in CHECKS.values() for c in cs], ids=lambda c: c.qid)
def test_a_wrong_answer_points_to_a_real_section_in_plain_vietnamese(check):
    source = next(s for s in SOURCES if s.stem.startswith(check.qid[:2]))
    assert f"\n## {check.see}\n" in source.read_text(encoding="utf-8")
    for text in (check.question, check.why, *check.options, *check.wrong.values()):
        assert unicodedata.is_normalized("NFC", text)
    for reason in check.wrong.values():
        assert not reason[0].islower() and reason.endswith(".") and len(reason) <= 220


def test_a_self_check_without_a_reason_for_each_wrong_option_is_refused():
    from congdanso.course.quiz import Quiz

    with pytest.raises(ValueError, match="missing: \\['Có'\\]"):
        Quiz("x-cau1", "VNeID có mức 3 không?", ["Có", "Không"], answer="Không", why="Không có.",
             wrong={}, see="Từ khoá")
    with pytest.raises(ValueError):
        Quiz("x-cau1", "?", ["Có", "Không"], answer="Không", why=".",
             wrong={"Có": "Sai.", "Không": "Không phải."}, see="Từ khoá")


@pytest.mark.parametrize("source", SOURCES, ids=lambda p: p.stem)
def test_handout_is_one_large_print_page_titled_by_the_task(source):
    import re

    import pypdfium2
    from congdanso.course.handouts import SupportPoint, glossary_for

    title, lines = handout_text(source.read_text(encoding="utf-8"))
    assert not title.startswith("Bài") and "mô phỏng" not in title  # the resident's task
    point = SupportPoint("Điểm hỗ trợ khu phố Đông Nhì", "Nhà văn hoá khu phố Đông Nhì, phường "
                         "Lái Thiêu", "7:30–11:00, thứ Hai đến thứ Bảy", "0900 000 000")
    data = handout_pdf(title, lines, point)
    assert data.startswith(b"%PDF-") and pages(data) == 1
    assert b"DejaVu" in data and len(lines) >= 4
    sizes = [float(size) for size in re.findall(rb"/F\d+ ([\d.]+) Tf", data)]
    assert sizes and min(sizes) >= 14, sizes  # large print throughout, the safety line too
    document = pypdfium2.PdfDocument(data)
    text = document[0].get_textpage().get_text_range()
    assert "Điểm hỗ trợ khu phố Đông Nhì" in text and "0900 000 000" in text
    assert "Không ai được hỏi mã OTP" in text
    for jargon in ("PAdES", "CSDL", "CRL", ".crl"):
        assert jargon not in text
    if "OTP" in " ".join(lines):
        assert "Mã OTP: mã số gửi qua tin nhắn" in text and glossary_for(lines)
    image = document[0].render(scale=1.2).to_pil()
    shots = ROOT / "tests" / "artifacts" / "to-huong-dan"
    shots.mkdir(parents=True, exist_ok=True)
    image.save(shots / f"{source.stem}.png")
    width, height = image.size  # nothing runs past the margins: the edges stay white
    edge = [image.getpixel((x, y)) for x in (2, width - 3) for y in range(0, height, 7)]
    assert all(pixel == (255, 255, 255) for pixel in edge)


def test_handouts_print_from_an_installed_package_too(tmp_path, capsys):
    """Installed without the lessons (not editable), the packaged texts are used; they are the
    lessons' own (congdanso course build writes them)."""
    import json

    from congdanso.cli import main
    from congdanso.course import handouts

    assert handouts.handout_texts(ROOT / "course" / "src") == json.loads(
        handouts.DATA.read_text(encoding="utf-8")), "run: congdanso course build"
    written = handouts.build_handouts(tmp_path / "khong-co-bai-hoc", tmp_path / "to")
    assert len(written) == len(SOURCES) and all(pages(p.read_bytes()) == 1 for p in written)
    assert main(["course", "handouts", str(tmp_path / "cli")]) == 0
    assert "để trống để viết tay" in capsys.readouterr().out
    assert len(list((tmp_path / "cli").glob("*.pdf"))) == len(SOURCES)


def test_instructor_notes_cover_every_lesson():
    notes = (ROOT / "course" / "HUONG-DAN-GIANG-VIEN.md").read_text(encoding="utf-8")
    for source in SOURCES:
        assert f"Bài {source.stem[:2]}" in notes


PRACTICE = [lesson for lesson in LESSONS if "Exercise.open(" in lesson.read_text("utf-8")]


@pytest.mark.parametrize("lesson", PRACTICE, ids=lambda p: p.name)
def test_run_all_leaves_every_practice_task_to_do(lesson, tmp_path):
    """"Run All" only sets up and displays: the practice is still entirely the learner's to do,
    and the journal holds no step but the scenario's start."""
    import json

    from nbclient import NotebookClient

    assert {"02", "03", "04", "05"} <= {p.name[:2] for p in PRACTICE}
    nb = nbformat.read(lesson, as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell(
        "import json\nprint(json.dumps([todo is None for _, _, todo in thuc_hanh.progress()]))"))
    with own_jupyter(tmp_path):
        NotebookClient(nb, timeout=300, resources={"metadata": {"path": str(tmp_path)}}).execute()
    done = json.loads(nb.cells[-1].outputs[0]["text"])
    assert done and not any(done)
    actions = {json.loads(line)["e"]["action"]
               for line in (tmp_path / "nhat-ky.jsonl").read_text("utf-8").splitlines()}
    assert actions == {"world.created", "course.begin_exercise"}


def test_instructor_timetable_has_graded_work_breaks_and_role_plays():
    import json

    notes = (ROOT / "course" / "HUONG-DAN-GIANG-VIEN.md").read_text(encoding="utf-8")
    catalogue = json.loads((ROOT / "widgets/congdanso/grading/data/bai-tap.json")
                           .read_text(encoding="utf-8"))["assignments"]
    graded = [name for name, spec in catalogue.items() if not spec.get("practice")]
    timetable = notes.split("## Lịch tập huấn", 1)[1].split("\n## ", 1)[0]
    assert all(f"**{name}**" in timetable for name in graded), graded
    assert timetable.count("Nghỉ") >= 3
    role_plays = notes.split("## Kịch bản đóng vai", 1)[1].split("\n## ", 1)[0]
    for source in SOURCES[1:]:
        assert f"**Bài {source.stem[:2]}**" in role_plays
