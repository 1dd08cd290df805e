"""Learner mode (congdanso.learner): the home page, lesson progress from the journal, the pages'
lesson bar, what an exercise page leaves out, and one machine as a class of one."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from types import SimpleNamespace

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
LESSONS = ["00-the-gioi-mo-phong.ipynb", "01-vai-tro-tinh-nguyen-vien.ipynb",
           "02-dinh-danh-dien-tu-vneid.ipynb"]


@pytest.fixture
def lessons(tmp_path):
    folder = tmp_path / "course"
    folder.mkdir()
    for name in LESSONS:
        shutil.copy(ROOT / "course" / name, folder / name)
    return folder


def test_progress_comes_from_the_journals_self_checks(lessons):
    from congdanso import World
    from congdanso.course.checks import CHECKS
    from congdanso.learner import progress

    world = World.open(lessons / "nhat-ky.jsonl")
    for check in CHECKS["00"]:  # lesson 00: every self-check right, one after a wrong try
        world.course.self_check("00", check.qid, "sai", False)
        world.course.self_check("00", check.qid, check.answer, True)
    first = CHECKS["01"][0]
    world.course.self_check("01", first.qid, "sai", False)  # lesson 01: one answered, wrong
    with open(lessons / "nhat-ky.jsonl", "ab") as f:  # a torn last line is skipped
        f.write(b'{"h":"x","e":{"action":"course.self_check","args":')
    states = progress.states(lessons)
    assert [s.lesson.code for s in states] == ["00", "01", "02"]
    assert states[0].lesson.title == "Làm quen với thế giới mô phỏng"
    assert states[0].lesson.minutes == 20
    assert states[0].done and states[0].words() == "✔ Đã học xong"
    assert not states[1].done and states[1].started
    assert states[1].words() == f"● Đang học: đúng 0/{len(CHECKS['01'])} câu tự kiểm tra"
    assert states[2].words() == "○ Chưa học"
    assert progress.next_lesson(states).lesson.code == "01"


def test_lesson_bar_leads_back_home_and_on_to_the_next_lesson(lessons):
    from congdanso.learner import pages, progress

    states = progress.states(lessons)
    urls = pages.Urls("/user/hv-01/", "khoa-hoc")
    first = pages.lesson_bar(states, 0, urls)
    assert "Bài trước" not in first
    assert 'href="/user/hv-01/hoc"' in first
    assert 'href="/user/hv-01/voila/render/khoa-hoc/01-vai-tro-tinh-nguyen-vien.ipynb"' in first
    assert "Bài 00 (bài 1 trong 3)" in first
    last = pages.lesson_bar(states, 2, urls, where="cuoi")
    assert "Bài tiếp" not in last and "Bài tập của lớp →" in last and "Bài trước" in last


def _handler(path: str):
    return SimpleNamespace(base_url="/", request=SimpleNamespace(path=path))


def test_a_lesson_page_has_the_bar_and_no_jupyterlab_only_cells(lessons, tmp_path):
    from congdanso.learner.server import Context, LearnerMode, prepare_page

    context = Context(LearnerMode(lessons="course"), tmp_path)
    nb = nbformat.read(lessons / LESSONS[0], as_version=4)
    assert any("jupyterlab" in c.metadata.get("tags", []) for c in nb.cells)
    page = prepare_page(_handler(f"/voila/render/course/{LESSONS[0]}"), nb, str(lessons),
                        context=context)
    assert not any("jupyterlab" in c.metadata.get("tags", []) for c in page.cells)
    assert "cds-bar" in page.cells[0].source and "cds-bar" in page.cells[-1].source
    assert page.metadata["title"] == "Bài 00 — Làm quen với thế giới mô phỏng · Công Dân Số"
    text = "\n".join(c.source for c in page.cells if c.cell_type == "markdown")
    assert "Shift" not in text and "BaiTapCuaLop" not in "\n".join(
        c.source for c in page.cells if c.cell_type == "code")


def test_an_exercise_page_leaves_the_grade_cells_to_the_grader(tmp_path):
    from congdanso.learner.server import Context, LearnerMode, prepare_page

    folder = tmp_path / "tai-khoan-dvc"
    folder.mkdir()
    source = ROOT / "exercises" / "source" / "tai-khoan-dvc" / "tai-khoan-dvc.ipynb"
    nb = nbformat.read(source, as_version=4)
    graded = sum(1 for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade"))
    assert graded == 13
    page = prepare_page(_handler("/voila/render/tai-khoan-dvc/tai-khoan-dvc.ipynb"), nb,
                        str(folder), context=Context(LearnerMode(lessons="course"), tmp_path))
    assert not any(c.metadata.get("nbgrader", {}).get("grade") for c in page.cells)
    ids = [c.metadata.get("nbgrader", {}).get("grade_id") for c in page.cells]
    assert "o-cham" not in ids and "mo-bai" in ids  # the exercise itself stays
    assert "Về trang chính" in page.cells[0].source
    assert "Tạo tài khoản VNeID và Cổng Dịch vụ công" in page.metadata["title"]


@pytest.fixture
def course(tmp_path):
    target = tmp_path / "exercises"
    shutil.copytree(ROOT / "exercises", target, ignore=shutil.ignore_patterns(
        "gradebook.db", "exchange", "release", ".congdanso", "submitted", "autograded",
        "feedback", "cham-bai", "roster.csv"))
    return target


def test_one_machine_registers_the_learner_once_under_a_roster_id(course, tmp_path):
    from congdanso.cohort.roster import read_table
    from congdanso.grading.variants import OWN_TOKENS, tokens_of
    from congdanso.learner.machine import Machine, NotRegistered, choices

    machine = Machine(course, tmp_path / "bai")
    ward, khu = choices()[0][0], choices()[0][1][0]
    with pytest.raises(NotRegistered, match="đủ họ và tên"):
        machine.register("Lan", khu, "Tình nguyện viên")
    with pytest.raises(NotRegistered, match="khu phố"):
        machine.register("Nguyễn Thị Lan", "Khu phố không có", "Tình nguyện viên")
    with pytest.raises(NotRegistered, match="vai trò"):
        machine.register("Nguyễn Thị Lan", khu, "Giám đốc")
    assert machine.learner() is None and not (course / "roster.csv").exists()
    who = machine.register("  nguyễn   thị LAN ", khu, "Tình nguyện viên")
    assert who.id == "hv-nguyen-thi-lan" and who.name == "Nguyễn Thị Lan" and who.ward == ward
    assert read_table(course)["hv-nguyen-thi-lan"]["khu_pho"] == khu
    config = (tmp_path / "bai" / "nbgrader_config.py").read_text()
    assert "c.CourseDirectory.student_id = 'hv-nguyen-thi-lan'" in config
    own = json.loads((tmp_path / "bai" / OWN_TOKENS).read_text())
    assert own == {"learner": who.id, "tokens": tokens_of(course, who.id)}
    assert machine.environment() == {"CONGDANSO_HOME": str(tmp_path / "bai"),
                                     "CONGDANSO_LEARNER": who.id}
    with pytest.raises(NotRegistered, match="đã lưu tên Nguyễn Thị Lan"):  # not taken over
        machine.register("Trần Văn Bình", khu, "Tình nguyện viên")
    # the same person on another machine of the class, in any case: the same id; a name that
    # differs only by its marks is someone else
    again = Machine(course, tmp_path / "may-khac").register("NGUYỄN THỊ LAN", khu,
                                                            "Tình nguyện viên")
    assert again.id == who.id
    other = Machine(course, tmp_path / "may-ba").register("Nguyễn Thị Lân", khu,
                                                          "Tình nguyện viên")
    assert other.id == "hv-nguyen-thi-lan-2"
    assert set(read_table(course)) == {"hv-nguyen-thi-lan", "hv-nguyen-thi-lan-2"}
    for bad in ("=cmd|' /C calc'!A0", "Nguyễn Thị\u202eLan", "Lan 123"):
        with pytest.raises(NotRegistered, match="chữ cái"):
            Machine(course, tmp_path / "may-bon").register(bad, khu, "Tình nguyện viên")


# -- the journey, in Chromium, clicks and typing only ---------------------------------------------
# Words of an interface in English (and program code) a learner must not meet. Names such as
# VNeID, VietQR, PDF, OTP, QR, JupyterLab are allowed.
ENGLISH = {"loading", "running", "executing", "reading", "error", "validate", "notebook",
           "submit", "fetch", "cancel", "save", "restart", "kernel", "settings", "help",
           "assignment", "assignments", "modified", "create", "download", "upload", "select",
           "next", "previous", "home", "back", "widget", "python", "import", "print", "none",
           "true", "false", "title", "dossier", "issued", "note", "close", "delete", "feedback",
           "score", "points", "grade", "submitted", "released", "fetched", "there", "when",
           "cell", "traceback", "exception", "undefined", "null", "pandas", "dataframe"}
CODE = r"\w+_\w+\(|\b[a-z]+_[a-z_]+\b|\.ipynb\b|\.jsonl\b|\bdef\s|=\s*\w+\("


def english_in(text: str) -> list[str]:
    """English interface words and program code in a text."""
    import re

    words = {w for w in re.findall(r"[A-Za-z]{3,}", text) if w.lower() in ENGLISH}
    return sorted(words | set(re.findall(CODE, text)))


def english_on(page) -> list[str]:
    """English interface words and program code in what the page shows."""
    return english_in(page.evaluate("document.body.innerText"))


def test_the_english_scan_finds_what_it_is_for():
    assert english_in("Bấm Submit để nộp") == ["Submit"]
    assert english_in("Kernel đang bận") == ["Kernel"]
    assert "issued_by" in english_in("Có lỗi: issued_by")
    assert "print" in english_in("print(world.portal)")
    assert english_in("Mở VNeID, quét mã VietQR, tải PDF, nhập OTP, mở JupyterLab") == []


def look(page, name: str, shots: Path) -> None:
    """Screenshot, axe-core (0 serious) and the English scan of the page as it is now."""
    from browserkit import axe

    page.screenshot(path=str(shots / f"{name}.png"))
    assert axe(page) == [], name
    assert english_on(page) == [], name


@pytest.fixture
def one_machine(tmp_path):
    """``congdanso hoc`` on a copy of the course, as ``make start`` runs it, HOME in tmp."""
    import os
    import re
    import signal
    import subprocess
    import sys
    import time

    from browserkit import free_port

    khoa = tmp_path / "khoa"
    for part in ("course", "exercises"):
        shutil.copytree(ROOT / part, khoa / part, ignore=shutil.ignore_patterns(
            "nhat-ky.jsonl*", "gradebook.db", "exchange", "release", ".congdanso", "submitted",
            "autograded", "feedback", "cham-bai", "roster.csv", "src"))
    port = free_port()
    log = tmp_path / "hoc.log"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("JUPYTER", "IPYTHONDIR"))}
    env["HOME"] = str(tmp_path / "home")
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env['PATH']}"
    with open(log, "w") as out:
        server = subprocess.Popen(
            [sys.executable, "-m", "congdanso", "hoc", "--thu-muc", str(khoa), "--port",
             str(port), "--khong-mo-trinh-duyet"],
            stdout=out, stderr=subprocess.STDOUT, env=env, start_new_session=True)
    try:
        deadline = time.time() + 120
        while "is running at" not in log.read_text():
            assert server.poll() is None and time.time() < deadline, log.read_text()[-3000:]
            time.sleep(0.5)
        token = re.search(r"/hoc\?token=([\w-]+)", log.read_text()).group(1)
        yield SimpleNamespace(url=f"http://127.0.0.1:{port}", token=token, khoa=khoa, env=env,
                              log=log)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(30)
        except subprocess.TimeoutExpired:  # a busy machine: its kernels too slow to stop
            os.killpg(server.pid, signal.SIGKILL)
            server.wait(30)


@pytest.mark.browser
def test_a_learner_goes_from_home_to_a_graded_exercise_and_reads_the_feedback(one_machine):
    """At 390×844 by clicks and typing only: home → lesson 00 (its self-check) → Bài tiếp →
    lesson 02's practice with the ID number typed in groups of three → home shows the progress →
    gives her name once → receives, does and hands in an exercise → the trainer's commands on
    the machine collect and grade it → she reads the feedback. Then the same pages on a laptop
    at 1366×768 zoomed to 125 %. axe-core and the English scan on every page."""
    import re
    import subprocess
    import sys

    from browserkit import CHROMIUM, CHROMIUM_ARGS, PhoneHands
    from congdanso import World
    from congdanso.course.checks import CHECKS
    from congdanso.grading.variants import course_secret, derive, token_for
    from playwright.sync_api import expect, sync_playwright

    shots = ROOT / "tests" / "artifacts" / "hoc"
    shots.mkdir(parents=True, exist_ok=True)
    srv = one_machine
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        # bypass_csp: axe-core is injected into the feedback page too, which allows no script
        page = browser.new_context(viewport={"width": 390, "height": 844},
                                   bypass_csp=True).new_page()
        page.set_default_timeout(60_000)
        page.goto(f"{srv.url}/hoc?token={srv.token}")
        expect(page.get_by_role("heading", name="Bài học (đã học xong 0/9)")).to_be_visible()
        look(page, "trang-chinh-390", shots)

        page.get_by_role("link", name=re.compile("Bắt đầu học: Bài 00")).click()
        phone = page.locator(".cds-phone").first  # a lesson may have two practices
        expect(phone).to_be_visible(timeout=120_000)
        expect(page.locator("nav.cds-bar").first).to_contain_text("Bài 00 (bài 1 trong 9)")
        # the page scrolls as a person scrolls it: the wheel (or a finger), not a script
        page.mouse.move(200, 500)
        for _ in range(6):
            page.mouse.wheel(0, 700)
        page.wait_for_function("document.getElementById('rendered_cells').scrollTop > 1500")
        check = CHECKS["00"][0]
        quiz = page.locator(".cds-quiz-box").first
        quiz.get_by_text(check.answer, exact=True).click()
        quiz.get_by_role("button", name="Kiểm tra").click()
        expect(quiz).to_contain_text("Đúng")
        look(page, "bai-00-390", shots)

        page.locator("nav.cds-bar").first.get_by_role("link", name=re.compile("Bài tiếp")).click()
        expect(page).to_have_title(re.compile("Bài 01"))
        expect(page.locator(".cds-quiz-box").first).to_be_visible(timeout=120_000)
        look(page, "bai-01-390", shots)
        page.locator("nav.cds-bar").first.get_by_role("link", name=re.compile("Bài tiếp")).click()
        expect(page).to_have_title(re.compile("Bài 02"))
        expect(phone).to_be_visible(timeout=120_000)
        # lesson 02's practice: the ID number typed as it is read off a card, in groups of three
        resident = re.search(r"\b(\d{12})\b", page.locator(".cds-scenario").first.inner_text())
        hands = PhoneHands(page, None, None)
        hands.open_app("VNeID", phone.locator("button", has_text="Kích hoạt tài khoản"))
        hands.tap("Kích hoạt tài khoản")
        number = resident.group(1)
        hands.fill("Số định danh cá nhân", " ".join(number[i:i + 3] for i in range(0, 12, 3)))
        hands.tap("Tiếp tục – gửi mã OTP")
        expect(phone).to_contain_text("Bước 2/5")
        look(page, "bai-02-390", shots)

        page.locator("nav.cds-bar").first.get_by_role("link", name="☰ Mục lục").click()
        expect(page.get_by_role("heading", name=re.compile("Bài học"))).to_be_visible()
        lessons = page.locator("ol.lessons > li")
        expect(lessons.nth(0)).to_contain_text("✔ Đã học xong")  # lesson 00's one self-check
        expect(lessons.nth(1)).to_contain_text("○ Chưa học")

        # a one-word name: said in the form, in Vietnamese, and what she chose is kept
        page.get_by_label("Họ và tên").fill("Hà")
        page.get_by_label("Khu phố nơi bạn hỗ trợ người dân").select_option(index=1)
        page.get_by_role("button", name="Lưu tên của tôi").click()
        form = page.locator("form#dang-ky")
        expect(form.get_by_role("alert")).to_contain_text("đủ họ và tên")
        expect(page.get_by_label("Họ và tên")).to_have_value("Hà")
        assert page.get_by_label("Khu phố nơi bạn hỗ trợ người dân").evaluate(
            "s => s.selectedIndex") == 1
        page.get_by_label("Họ và tên").fill("Trần Thị Thu Hà")
        page.get_by_label("Vai trò").select_option("Tình nguyện viên")
        page.get_by_role("button", name="Lưu tên của tôi").click()
        expect(page.get_by_role("status")).to_contain_text("mã học viên hv-tran-thi-thu-ha")
        look(page, "da-luu-ten-390", shots)
        title = "Tạo tài khoản VNeID và Cổng Dịch vụ công"
        page.get_by_role("button", name=f"Nhận bài: {title}").click()
        card = page.locator("#bt-tai-khoan-dvc")  # said on the exercise's card, in view
        expect(card.get_by_role("status")).to_contain_text("Đã nhận bài")
        expect(card.get_by_role("link", name=f"Làm bài: {title}")).to_be_in_viewport()
        page.get_by_role("link", name=f"Làm bài: {title}").click()
        expect(phone).to_be_visible(timeout=120_000)
        learner = "hv-tran-thi-thu-ha"
        course = srv.khoa / "exercises"
        scenario = derive(World(), "tai-khoan-dvc",
                          token_for(course_secret(course, create=False), "tai-khoan-dvc",
                                    learner), learner)
        person = World().population.require(scenario.resident)
        expect(page.locator(".cds-scenario")).to_contain_text(person.full_name)
        assert "phương án tự luyện" not in page.locator(".cds-exercise").inner_text()
        hands = PhoneHands(page, scenario, person)
        hands.activate()
        hands.portal_and_answers("tai-khoan-dvc")
        page.get_by_role("button", name="Kiểm tra", exact=True).click()
        expect(page.locator(".cds-exercise")).to_contain_text("13/13 bước đã làm")
        page.get_by_role("button", name="Nộp bài cho giảng viên").click()
        expect(page.locator(".cds-exercise")).to_contain_text(f"Đã nộp bài \"{title}\" lúc")
        look(page, "bai-tap-da-nop-390", shots)

        for step in (["collect"], ["autograde"], ["feedback"]):  # the trainer, same machine
            done = subprocess.run([sys.executable, "-m", "congdanso", *step, "--course",
                                   str(course), "tai-khoan-dvc"], env=srv.env,
                                  capture_output=True, text=True, timeout=600)
            assert done.returncode == 0, done.stdout + done.stderr
        assert f"{learner},tai-khoan-dvc,13,13" in (
            course / "cham-bai" / "tai-khoan-dvc.csv").read_text("utf-8-sig")

        page.goto(f"{srv.url}/hoc")
        page.get_by_role("button", name=f"Nhận nhận xét của giảng viên: {title}").click()
        expect(page.get_by_role("status")).to_contain_text("Đã nhận nhận xét")
        page.get_by_role("link", name=f"Xem nhận xét: {title}").click()
        expect(page.get_by_role("heading", level=1).first).to_contain_text(
            f"Phản hồi bài: {title}")
        expect(page.locator("body")).to_contain_text("13")
        look(page, "nhan-xet-390", shots)
        page.get_by_role("link", name="☰ Về trang chính").click()
        expect(page.locator("#bai-tap")).to_be_visible()

        # A laptop at 1366×768 zoomed to 125 %: the same pages; coming back to the exercise
        # shows where she was (the world replays the journal).
        laptop = browser.new_context(viewport={"width": 1093, "height": 614},
                                     device_scale_factor=1.25).new_page()
        laptop.set_default_timeout(60_000)
        laptop.goto(f"{srv.url}/hoc?token={srv.token}")
        look(laptop, "trang-chinh-1366-125", shots)
        laptop.get_by_role("link", name=f"Làm bài: {title}").click(no_wait_after=True)
        expect(laptop.locator(".cds-phone")).to_be_visible(timeout=120_000)
        laptop.get_by_role("button", name="Kiểm tra", exact=True).click()
        expect(laptop.locator(".cds-exercise")).to_contain_text("13/13 bước đã làm")
        look(laptop, "bai-tap-1366-125", shots)
        # the portal lesson and the one with tables and a chart (every lesson's text and every
        # exercise's widgets are scanned without a browser below)
        for lesson in ("03-cong-dich-vu-cong.ipynb", "07-van-hanh-diem-ho-tro.ipynb"):
            laptop.goto(f"{srv.url}/voila/render/course/{lesson}", wait_until="commit")
            expect(laptop.locator(".cds-quiz-box").last).to_be_visible(timeout=120_000)
            look(laptop, f"bai-{lesson[:2]}-1366-125", shots)
        # every page left for the home page has freed its kernel (the page's beacon); any
        # left over (a laptop put to sleep) is culled after 5 minutes with no page connected
        laptop.goto(f"{srv.url}/hoc")
        assert _kernels_left(srv) == []
        browser.close()
    assert "Culling kernels with idle durations > 300 seconds" in srv.log.read_text()


def _kernels_left(srv, wait: float = 30) -> list:
    import json as jsonlib
    import time
    import urllib.request

    deadline = time.time() + wait
    while True:
        with urllib.request.urlopen(f"{srv.url}/api/kernels?token={srv.token}") as answer:
            left = jsonlib.load(answer)
        if not left or time.time() > deadline:
            return left
        time.sleep(1)


def _texts(widget, seen=None) -> list[str]:
    """Every text a widget tree shows or reads out: HTML, labels, buttons, options, tooltips."""
    import html as htmllib
    import re

    seen = set() if seen is None else seen
    if id(widget) in seen:
        return []
    seen.add(id(widget))
    out = []
    for name in ("value", "description", "tooltip", "placeholder"):
        value = getattr(widget, name, None)
        if (isinstance(value, str) and name != "value") or (
                name == "value" and type(widget).__name__ in ("HTML", "Label", "HTMLMath")):
            text = re.sub(r"<style.*?</style>|<script.*?</script>", " ", value or "", flags=re.S)
            out.append(htmllib.unescape(re.sub(r"<[^>]+>", " ", text)))
    out += [str(o) for o in getattr(widget, "options", ()) or ()]
    for child in getattr(widget, "children", ()) or ():
        out += _texts(child, seen)
    for i in range(len(getattr(widget, "children", ()) or ())):
        if hasattr(widget, "get_title"):
            out.append(str(widget.get_title(i) or ""))
    return out


def test_no_english_or_code_in_any_lessons_text():
    """What every lesson page shows of its own text (markdown; cells only for JupyterLab left
    out, as the page leaves them out): Vietnamese only, and no key to press in JupyterLab."""
    import nbformat

    lessons = sorted((ROOT / "course").glob("[0-9][0-9]-*.ipynb"))
    assert len(lessons) == 9
    for path in lessons:
        nb = nbformat.read(path, as_version=4)
        shown = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown"
                          and "jupyterlab" not in c.metadata.get("tags", []))
        assert english_in(shown) == [], path.name
        assert "Shift" not in shown and "Ctrl + S" not in shown, path.name


def test_no_english_or_code_on_any_exercise_page(tmp_path, monkeypatch):
    """Every graded exercise and every lesson's practice as its page shows it, before and after
    "Kiểm tra": Vietnamese only (the same scan as the browser journey's, on the widgets' own
    text)."""
    from congdanso import World
    from congdanso.grading.variants import catalogue
    from congdanso.ui.exercise import Exercise

    monkeypatch.setenv("CONGDANSO_HOME", str(tmp_path))
    graded = [name for name, spec in catalogue().items() if not spec.get("practice")]
    practices = [name for name, spec in catalogue().items() if spec.get("practice")]
    assert len(graded) == 7 and len(practices) >= 6
    for name in graded + practices:
        ex = Exercise(name, world=World(), folder=tmp_path, learner="hv-quet-chu")
        ex.show_checklist()
        text = "\n".join(_texts(ex.root))
        assert "bước đã làm" in text, name
        assert ("Nộp bài cho giảng viên" in text) == (name in graded), name
        assert english_in(text) == [], name
        ex.close()


def test_flow_diagram_is_text_in_order():
    from congdanso.course.diagrams import flow_html

    shown = flow_html(["Nhập mã OTP", "Đặt mật khẩu <8–20>"], title="Kích hoạt")
    assert shown.index("Nhập mã OTP") < shown.index("Đặt mật khẩu &lt;8–20&gt;")
    assert "<ol" in shown and "<figcaption" in shown and "<img" not in shown


def test_a_replayed_contract_is_read_back_and_a_grader_makes_its_own(tmp_path):
    """A lesson that replays the journal reads the practice contract back instead of loading
    fpdf2 again; a read-only checker never trusts the recipe file a learner could edit."""
    from congdanso.world.core.files import FileStore

    made = []

    def make():
        made.append(1)
        return b"%PDF-1.7 hop dong"

    store = FileStore(tmp_path / "files")
    recipe = {"document": "hop_dong", "person": "074186012345", "salary": 9_000_000}
    assert store.made(recipe, make) == b"%PDF-1.7 hop dong" and len(made) == 1
    assert FileStore(tmp_path / "files").made(recipe, make) == b"%PDF-1.7 hop dong"
    assert len(made) == 1  # read back
    (ref,) = (tmp_path / "files").glob("cong-thuc-*.ref")
    forged = FileStore(tmp_path / "files").put(b"%PDF-1.7 hop dong khac")
    ref.write_text(forged)
    checker = FileStore(tmp_path / "files", read_only=True)
    assert checker.made(recipe, make) == b"%PDF-1.7 hop dong" and len(made) == 2


def test_a_double_click_hands_in_once_but_code_always_acts(monkeypatch):
    """Two presses from the screen within a double-click's window act once on a ``once``
    button (hand in, start again, send a code); a press from code always acts."""
    import congdanso.ui.base as base

    pressed = []
    guarded = base.button("Nộp bài cho giảng viên", lambda: pressed.append(1), once=True)
    plain = base.button("Màn hình chính", lambda: pressed.append(2))
    clock = iter([100.0, 100.2, 101.0])
    monkeypatch.setattr("time.monotonic", lambda: next(clock))
    for _ in range(2):
        guarded._handle_button_msg(None, {"event": "click"}, [])
    assert pressed == [1]
    guarded._handle_button_msg(None, {"event": "click"}, [])  # a second press, a second later
    assert pressed == [1, 1]
    for _ in range(2):
        plain._handle_button_msg(None, {"event": "click"}, [])
    guarded.click()
    assert pressed == [1, 1, 2, 2, 1]


def test_a_phone_on_the_same_wifi_is_served_only_when_asked(tmp_path):
    from congdanso.learner.start import command

    here = command(tmp_path, port=8888, ip="127.0.0.1", open_browser=False)
    assert "--ServerApp.ip=127.0.0.1" in here and "--LabApp.default_url=/hoc" in here
    phone = command(tmp_path, port=8888, ip="0.0.0.0", open_browser=False)
    assert "--ServerApp.ip=0.0.0.0" in phone
    assert "--ServerApp.terminals_enabled=False" in phone  # no shell for the Wi-Fi
    assert not any("token" in arg.lower() for arg in phone)  # the key is not on `ps`
