"""The learner-side small defects of issue 24, each checked on the widgets' state (what the
browser is sent) and the world: an error said next to the button pressed, "Làm lại từ đầu", a
refused password, the security questions, the "Kiểm tra" words, the hints' button names, lesson
01's household question, the portal's search, the supplement picker, the account's date and the
feedback page. The layout of the same things in a real browser is tests/test_learner_layout.py.
"""

from __future__ import annotations

import ast
import re
import unicodedata
from pathlib import Path

import ipywidgets as widgets
import nbformat
import pytest
from congdanso.ui import Phone
from congdanso.ui.exercise import Exercise
from congdanso.world import World
from congdanso.world.scenarios import PRACTICE_PASSCODE, PRACTICE_PASSWORD

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "widgets" / "congdanso"


def _text(html: str) -> str:
    import html as htmllib

    return htmllib.unescape(re.sub(r"<[^>]+>", "", html))


def _practice(tmp_path, assignment: str = "thuc-hanh-03") -> Exercise:
    return Exercise(assignment, world=World(), learner="hv-01", folder=tmp_path)


def _portal_form(ex: Exercise, procedure: str = "HT-TLBS"):
    """The resident of lesson 03's practice logged in to the portal by VNeID, a form open."""
    phone, person = ex.phones[0], ex.person()
    vneid = phone.open("vneid")
    vneid.login(person.id_number, PRACTICE_PASSWORD)
    portal = phone.open("portal")
    portal.start_vneid_login()
    vneid.scan_portal()
    vneid.confirm_scan(PRACTICE_PASSCODE)
    portal = phone.open("portal")
    assert portal.open_procedure(procedure) is not None
    return portal


# -- 1. the unticked confirmation is said under "Nộp hồ sơ", and takes the focus ---------------
def test_a_refused_dossier_is_said_under_the_button_pressed_and_takes_the_focus(tmp_path):
    portal = _portal_form(_practice(tmp_path))
    form = list(portal.screens["form"].children)
    submit = next(w for w in form if isinstance(w, widgets.Button)
                  and w.description == "Nộp hồ sơ")
    assert form[form.index(submit) + 1] is portal.submit_error  # right under the button
    portal.fill(record_kind="Khai sinh", copies="1")
    assert portal.submit() is None  # the confirmation box is not ticked
    said = portal.submit_error.value
    assert 'role="alert"' in said and 'tabindex="-1"' in said and "data-cds-focus=" in said
    assert "Chưa nộp được hồ sơ" in _text(said)
    assert "“Tôi xác nhận thông tin lấy từ Cơ sở dữ liệu dân cư ở trên là đúng”" in _text(said)
    assert portal.f_confirm.input.description in _text(said)  # the box named as it is labelled
    assert portal.notice_text == ""  # not at the top of the app, a screen away
    first = re.search(r'data-cds-focus="([^"]+)"', said).group(1)
    portal.submit()  # pressed again: a new element, so focus moves to it again
    assert re.search(r'data-cds-focus="([^"]+)"', portal.submit_error.value).group(1) != first
    portal.confirm_prefilled()
    assert portal.submit() is not None and portal.submit_error.value == ""


def test_the_focus_helper_moves_focus_to_marked_elements_and_keeps_them_in_view():
    from congdanso.ui.theme import FOCUS_JS

    assert "[data-cds-focus]:not([data-cds-focused])" in FOCUS_JS
    assert "scrollIntoView" in FOCUS_JS and "preventScroll" in FOCUS_JS


# -- 2. "Làm lại từ đầu": the note takes the focus and goes with the next action -----------------
def test_restart_note_takes_the_focus_and_is_cleared_by_the_next_action(tmp_path):
    ex = _practice(tmp_path)
    ex._click_restart()  # asks to confirm; focus stays on the button
    assert "lần nữa để xác nhận" in _text(ex.restart_note.value)
    assert "data-cds-focus" not in ex.restart_note.value
    ex.answer("tra-cuu", "Mã hồ sơ")  # the learner goes on: no restart is pending any more
    assert ex.restart_note.value == "" and not ex._confirm_restart
    ex._click_restart()
    ex._click_restart()
    note = ex.restart_note.value
    assert "Đã bắt đầu lại" in _text(note)
    assert 'tabindex="-1"' in note and "data-cds-focus=" in note and 'role="status"' in note
    assert ex.restart_note in ex.root.children  # the rebuilt page's own note
    ex.show_checklist()  # "Kiểm tra" is an action too
    assert ex.restart_note.value == ""
    ex._click_restart()
    ex._click_restart()
    assert "Đã bắt đầu lại" in _text(ex.restart_note.value)
    ex.phones[0].open("vneid").login(ex.person().id_number, PRACTICE_PASSWORD)
    assert ex.restart_note.value == ""
    ex.world.advance(hours=1)  # later events find nothing left to clear
    assert ex.restart_note.value == ""


# -- 3. a refused password leaves its hidden field empty ---------------------------------------
def test_a_refused_password_or_pin_is_not_left_in_its_hidden_field(world):
    person = world.population.practice_residents()[0]
    world.police.enroll_level2(person.id_number, person.phone)
    phone = Phone(world, person)
    app = phone.open("vneid")
    app.activate(person.id_number, person.phone)
    app.enter_otp(phone.open("inbox").latest_otp())
    app.set_password("TapHuan@2026-rat-dai-qua-muc", "TapHuan@2026-rat-dai-qua-muc")
    assert "20 ký tự" in app.f_pw.error_text
    assert app.f_pw.value == "" and app.f_pw2.value == ""  # the next one is typed alone
    app.f_pw.input.value += PRACTICE_PASSWORD  # what typing into the field adds
    app.f_pw2.input.value += PRACTICE_PASSWORD
    assert app._click_password() is not None and app.screen == "passcode"
    app.set_passcode("111111")
    assert "dễ đoán" in app.f_pass.error_text and app.f_pass.value == app.f_pass2.value == ""
    portal = phone.open("portal")
    portal.login_with_password(person.id_number, "Sai@2026")
    assert portal.f_pw_pw.value == ""


# -- 4. the security questions in full --------------------------------------------------------
def test_security_questions_are_a_list_of_every_question_in_full(world):
    from congdanso.world.identity.vneid import SECURITY_QUESTIONS

    app = Phone(world, world.population.practice_residents()[0]).open("vneid")
    for field_ in (app.f_q1, app.f_q2):
        assert isinstance(field_.input, widgets.RadioButtons)  # no closed box that cuts them
        assert field_.input.options == SECURITY_QUESTIONS
    assert app.f_q1.value != app.f_q2.value


# -- 6. "Kiểm tra" says nothing about saving or handing in where nothing is handed in -----------
@pytest.mark.parametrize("assignment, handed_in", [("thuc-hanh-03", False),
                                                   ("tai-khoan-dvc", True)])
def test_done_checklist_says_hand_in_only_for_a_graded_exercise(tmp_path, monkeypatch,
                                                                assignment, handed_in):
    from congdanso.grading import requirements as req

    ex = Exercise(assignment, world=World(), learner="hv-01", folder=tmp_path)
    monkeypatch.setattr(req, "evaluate", lambda *a, **k: None)  # every step done
    ex.show_checklist()
    said = _text(ex.checklist.value)
    assert "lưu notebook" not in said.lower() and "Ctrl" not in said
    tip = _text(re.search(r'<div class="cds-ok">(.*?)</div>', ex.checklist.value).group(1))
    assert tip.startswith("✔ Đã làm đủ các bước.")
    assert ("Bấm Nộp bài cho giảng viên" in tip) is handed_in
    assert ("nộp" in tip.lower()) is handed_in  # a practice is handed in nowhere


# -- 7. every hint names its button exactly ----------------------------------------------------
def _strings(path: Path) -> list[str]:
    """Every string of a module, implicit concatenations joined, f-string parts as {}."""
    found = []
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            found.append(node.value)
        elif isinstance(node, ast.JoinedStr):
            found.append("".join(v.value if isinstance(v, ast.Constant) else "{}"
                                 for v in node.values))
    return found


def _button_labels() -> set[str]:
    labels = set()
    for path in (PACKAGE / "ui").glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            name = getattr(node.func, "id", getattr(node.func, "attr", ""))
            if name == "button" and node.args and isinstance(node.args[0], ast.Constant):
                labels.add(node.args[0].value)
            for kw in node.keywords:
                if kw.arg == "description" and isinstance(kw.value, ast.Constant) \
                        and name in {"Button", "ToggleButton", "FileUpload"}:
                    labels.add(kw.value.value)
    return labels


def test_every_hint_names_the_button_exactly_as_it_is_labelled():
    labels = _button_labels()
    assert "Lưu câu trả lời" in labels and "Đổi ảnh khác" in labels
    quoted = re.compile(r'(?:[Bb]ấm|[Nn]út)(?: lại)? (?:“([^”]+)”|"([^"]+)"|\*\*([^*]+)\*\*'
                        r"|<b>([^<]+)</b>)")
    bare = re.compile(r"(?:[Bb]ấm|[Nn]út)(?: lại)? ([A-ZĐÂÊÔƠƯÁÀẢÃẠ][^\s.,;:)]*(?: [^\s.,;:)]+)*)")
    sources = [*(PACKAGE / "world").glob("*.py"), PACKAGE / "grading" / "requirements.py",
               PACKAGE / "course" / "checks.py",
               *[PACKAGE / "ui" / f"{n}.py" for n in ("base", "phone", "vneid_app", "portal_app",
                                                       "bank_app", "kyso_app", "inbox_app")]]
    wrong = []
    for path in sources:
        for text in _strings(path):
            for match in quoted.finditer(text):
                name = next(g for g in match.groups() if g)
                if name not in labels:
                    wrong.append((path.name, name, text))
            for match in bare.finditer(text):
                if not any(match.group(1).startswith(label) for label in labels):
                    wrong.append((path.name, match.group(1), text))
    assert wrong == []


def test_saving_an_empty_answer_names_the_button_lu_cau_tra_loi(tmp_path):
    ex = _practice(tmp_path)
    assert ex.answers["tra-cuu"].save() is False  # nothing chosen yet
    assert "“Lưu câu trả lời”" in _text(ex.answers["tra-cuu"].status.value)


# -- 8. lesson 01's household question has an answer and somewhere to give it -----------------
def _lesson_01_household_card(tmp_path, monkeypatch):
    """Run lesson 01's first code cell (as the lesson does, in a scratch folder)."""
    source = (ROOT / "course" / "src" / "01-vai-tro-tinh-nguyen-vien.md").read_text("utf-8")
    first = re.search(r"```\{code-cell\} ipython3\n(.*?)```", source, re.S).group(1)
    monkeypatch.chdir(tmp_path)
    scope: dict = {}
    exec(compile(first, "bai-01", "exec"), scope)  # the lesson's own cell
    return scope


def test_lesson_01_asks_about_a_household_where_one_sim_needs_fixing(tmp_path, monkeypatch):
    from congdanso.course.checks import CHECKS

    scope = _lesson_01_household_card(tmp_path, monkeypatch)
    ho, items = scope["ho"], scope["thanh_vien_ho"]
    others = [m for m in ho.members if m.phone and m.phone_registered_to != m.id_number]
    own = [m for m in ho.members if m.phone and m.phone_registered_to == m.id_number]
    assert len(others) == 1 and own  # one to fix, and some who need nothing
    check = next(c for c in CHECKS["01"] if c.qid == "01-cau3")
    assert others[0].full_name in check.answer
    by_name = {m.full_name: line for m in ho.members for line in items
               if line.startswith(m.full_name)}
    assert "dùng SIM đứng tên" in by_name[others[0].full_name]
    for option in check.options:
        member = next(m for m in ho.members if m.full_name in option)
        if option != check.answer:
            assert "dùng SIM đứng tên" not in by_name[member.full_name]
    source = (ROOT / "course" / "src" / "01-vai-tro-tinh-nguyen-vien.md").read_text("utf-8")
    asked = source.index("Ai cần ra nhà mạng chuẩn hoá SIM trước?")
    assert asked < source.index('quiz("01-cau3", world)') < source.index("## Tự kiểm tra")
    built = nbformat.read(ROOT / "course" / "01-vai-tro-tinh-nguyen-vien.ipynb", as_version=4)
    assert any(c.source == 'quiz("01-cau3", world)' for c in built.cells)


# -- 9. the portal's search finds the procedure the scenario needs -----------------------------
@pytest.mark.parametrize("typed", ["khai sinh", "Khai Sinh", "KHAI SINH", "khai sinh ",
                                   unicodedata.normalize("NFD", "khai sinh"), "khai sính",
                                   "bản sao khai sinh", "ban sao khai sinh"])
def test_portal_search_lists_the_birth_certificate_copy_lesson_03_needs(world, typed):
    from congdanso.grading.variants import spec

    found = [p.code for p in world.portal.search(typed)]
    for need in spec("thuc-hanh-03")["needs"]:  # "bản sao trích lục khai sinh"
        assert need["procedure"] in found, typed
    if "ban" not in typed and "bản" not in typed:
        assert found[0] == "HT-KS"  # a name that holds every word comes first


def test_portal_search_without_diacritics_and_in_any_case(world):
    assert "HT-KS" in [p.code for p in world.portal.search("DANG KY KHAI SINH")]
    assert "CT-DKTTR" in [p.code for p in world.portal.search("tam tru")]
    assert "HT-XNHN" in [p.code for p in world.portal.search("hon nhan")]
    assert world.portal.search("không có thủ tục này") == []


def test_portal_search_button_lists_the_copy_procedure(world):
    phone = Phone(world, world.population.practice_residents()[0])
    portal = phone.open("portal")
    assert "HT-TLBS" in portal.search("khai sinh")
    labels = [b.description for b in portal.results.children]
    assert any(label.startswith("Cấp bản sao trích lục hộ tịch") for label in labels)


# -- 10. the supplement picker starts with nothing chosen ------------------------------------
def test_supplement_picker_starts_empty_and_refuses_to_send_nothing(tmp_path):
    from congdanso.ui.portal_app import CHOOSE_FILE

    ex = _practice(tmp_path)
    code = ex.scenario.values["supplement_code"]
    portal = _portal_form(ex)
    portal._back_home()
    picker = portal._supplement_fields[code]
    assert picker.input.options[0] == CHOOSE_FILE == "— chọn tệp —"
    assert picker.value == CHOOSE_FILE  # the right photo is not chosen for the learner
    before = len(ex.world.journal.data())
    assert portal._click_supplement(code) is None
    assert "Chưa chọn tệp nào" in picker.error_text and "“Gửi bổ sung”" in picker.error_text
    assert len(ex.world.journal.data()) == before  # nothing was sent
    assert ex.world.portal.dossiers[code].status == "yeu_cau_bo_sung"
    assert portal.supplement(code, "giay-chung-sinh.jpg (rõ nét)") is not None


# -- 11. the account is as old as the dossier filed from it ----------------------------------
@pytest.mark.parametrize("assignment", ["thuc-hanh-03", "ho-so-truc-tuyen"])
def test_a_portal_account_is_dated_when_it_was_made_not_when_the_scenario_was_set_up(
        tmp_path, assignment):
    from congdanso.world.core.clock import format_time

    ex = Exercise(assignment, world=World(), learner="hv-01", folder=tmp_path)
    code = ex.scenario.values.get("supplement_code")
    if code is None:
        pytest.skip("this learner's variant has no earlier dossier")
    world, person = ex.world, ex.person()
    dossier = world.portal.dossiers[code]
    account = world.portal.account_of(person.id_number)
    assert account.created_at <= dossier.submitted_at < world.now - __import__(
        "datetime").timedelta(days=5)
    made = [n for n in account.notifications if "đã được tạo" in n]
    assert made == [account.notifications[0]]  # said first, at the time it was made
    assert made[0].startswith(f"[{format_time(account.created_at)}]")
    inbox = world.inboxes[person.phone].messages
    said = next(m for m in inbox if "Tài khoản Cổng DVC" in m.text)
    assert said.time == account.created_at
    assert inbox.index(said) < next(i for i, m in enumerate(inbox) if code in m.text)
    # the journal replays to the same world
    again = World.from_journal_bytes(world.journal.data())
    assert again.portal.account_of(person.id_number).created_at == account.created_at


# -- 12. the feedback page: Vietnamese titles, no code, one upright font ------------------------
def feedback_page(tmp_path) -> Path:
    """The feedback page of a graded tai-khoan-dvc, as nbgrader's feedback step renders it with
    the course's template: outputs as the grader writes them, one check failed, a comment."""
    from congdanso.grading.feedback import use_our_feedback
    from nbconvert import HTMLExporter
    from nbformat.v4 import new_output
    from nbgrader.converters import GenerateFeedback
    from traitlets.config import Config

    nb = nbformat.read(ROOT / "exercises" / "source" / "tai-khoan-dvc" / "tai-khoan-dvc.ipynb",
                       as_version=4)
    for cell in nb.cells:
        meta = cell.metadata.get("nbgrader", {})
        if cell.cell_type == "code" and meta.get("grade"):
            failed = meta["grade_id"] == "kiem-tra-cau-thu-tu"
            meta["score"] = 0.0 if failed else float(meta["points"])
            cell.outputs = [new_output("error", ename="Chưa đạt", evalue="Chưa đúng.",
                                       traceback=["✘ Câu trả lời chưa đúng. Xem lại bài 02."])
                            if failed else new_output("stream", name="stdout",
                                                      text="✔ Đạt: Kiểm tra tiến độ\n")]
            if failed:
                meta["comment"] = "Xem lại *thứ tự* các bước kích hoạt."
        elif cell.cell_type == "code":  # the cell that opens the exercise: a widget
            cell.outputs = [new_output("display_data", data={
                "text/plain": "VBox(children=(HTML(value='<style>')))",
                "application/vnd.jupyter.widget-view+json": {"model_id": "ab12",
                                                             "version_major": 2,
                                                             "version_minor": 0}})]
    config = Config()
    use_our_feedback(config)
    step = GenerateFeedback(config=config)
    page, _ = HTMLExporter(parent=step, config=step.config).from_notebook_node(nb, resources={
        "nbgrader": {"notebook": "tai-khoan-dvc", "score": 10.0, "max_score": 11.0,
                     "late_penalty": 0}})
    path = tmp_path / "phan-hoi.html"
    path.write_text(page, encoding="utf-8")
    return path


def test_feedback_titles_each_check_in_vietnamese_and_shows_no_code(tmp_path):
    import html as htmllib

    page = feedback_page(tmp_path).read_text("utf-8")
    body = page[page.index("<body"):]
    visible = htmllib.unescape(re.sub(r"<[^>]+>", " ", re.sub(
        r"<(script|style)\b.*?</\1>", " ", body, flags=re.S)))
    assert "Kiểm tra câu trả lời: thứ tự các bước kích hoạt." in visible
    assert visible.count("Kiểm tra câu trả lời: thứ tự các bước kích hoạt.") == 2  # list + cell
    assert "kiem-tra-cau-thu-tu" not in visible and "kiem-tra-" not in visible
    for code in ("bai_tap", "kiem_tra(", "Exercise", "import", '"""', "VBox"):
        assert code not in visible, code
    assert "✘ Câu trả lời chưa đúng" in visible and "✔ Đạt" in visible
    assert "Nhận xét của giảng viên" in visible
    assert 'class="highlight' not in body  # no highlighted source anywhere
