"""Accessibility in a real browser: axe-core (npm, tests/package.json) over the phone in Voilà and
in JupyterLab, the four outreach apps, their home page and the competency report; the VNeID
activation done with the keyboard alone; no page wider than a 390 px phone.

Screenshots (both sizes, "Chữ to", a focused input) go to tests/artifacts/a11y/.
"""

from __future__ import annotations

import contextlib
import re
import shutil
import time
from pathlib import Path

import nbformat
import pytest
from browserkit import AXE, axe
from test_demos_browser import start_server, stop_server, wait_status

ROOT = Path(__file__).resolve().parents[1]
SHOTS = ROOT / "tests" / "artifacts" / "a11y"
APPS = ["01-diem-ho-tro.ipynb", "02-bang-theo-doi.ipynb", "03-kiem-tra-truoc-khi-tra-tien.ipynb",
        "04-tro-choi-lua-dao.ipynb"]
PHONE = "dien-thoai.ipynb"
PHONE_CELL = """from congdanso import World
from congdanso.ui import Phone

world = World()
nguoi_dan = world.population.practice_residents()[0]
world.police.enroll_level2(nguoi_dan.id_number, nguoi_dan.phone)  # đã làm ở công an phường
Phone(world, nguoi_dan)"""
PRACTICE = "go-roi.ipynb"  # lesson 08's practice: the phone beside the carrier shop's desk
PRACTICE_CELL = """from congdanso.ui.exercise import Exercise

Exercise.open("thuc-hanh-08", learner="hv-01")"""

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    if not AXE.exists():
        raise AssertionError("axe-core is missing: run `make test` (npm install in tests/)")
    folder = tmp_path_factory.mktemp("ung-dung")
    for app in APPS:
        shutil.copy(ROOT / "demos" / app, folder / app)
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(PHONE_CELL)])
    nb.metadata.kernelspec = {"name": "python3", "display_name": "Python 3",
                              "language": "python"}
    nbformat.write(nb, folder / PHONE)
    practice = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(PRACTICE_CELL)])
    practice.metadata.kernelspec = nb.metadata.kernelspec
    nbformat.write(practice, folder / PRACTICE)
    process, url, _ = start_server(tmp_path_factory.mktemp("may-chu"), str(folder))
    wait_status(url, lambda s: len(s["pooled"]) == len(APPS) + 2 and all(s["ready"].values()),
                240)
    yield url
    stop_server(process)




def no_sideways_scroll(page) -> int:
    """How many pixels the page is wider than the screen (0: nothing to scroll sideways)."""
    return page.evaluate("""() => {
        const widest = Math.max(document.documentElement.scrollWidth,
                                document.body ? document.body.scrollWidth : 0);
        return Math.max(0, widest - window.innerWidth);
    }""")


def open_page(browser, url: str, *, width: int = 1366, height: int = 900, ready: str = ".cdsd"):
    page = browser.new_page(viewport={"width": width, "height": height})
    page.goto(url)
    page.wait_for_selector(ready, timeout=120_000)
    time.sleep(1.0)  # fonts and the last widget messages
    return page


def shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / name), full_page=True)


@pytest.mark.parametrize("app", APPS)
def test_outreach_apps_pass_axe_and_fit_a_phone(server, browser, app):
    page = open_page(browser, f"{server}/voila/render/{app}")
    assert page.locator("main").count() == 1
    assert axe(page) == []
    page.close()
    narrow = open_page(browser, f"{server}/voila/render/{app}", width=390, height=844)
    shot(narrow, app.replace(".ipynb", "-390.png"))
    assert no_sideways_scroll(narrow) == 0
    narrow.close()


def test_home_page_passes_axe_and_fits_a_phone(server, browser):
    for width, height in ((1366, 900), (390, 844)):
        page = open_page(browser, server + "/", width=width, height=height, ready="main")
        assert axe(page) == [] and no_sideways_scroll(page) == 0
        page.close()


def test_phone_in_voila_large_text_and_focus(server, browser):
    for width, height in ((1366, 900), (390, 844)):
        page = open_page(browser, f"{server}/voila/render/{PHONE}", width=width, height=height,
                         ready=".cds-phone")
        assert axe(page) == []
        assert no_sideways_scroll(page) == 0
        shot(page, f"dien-thoai-{width}.png")
        large = page.get_by_role("button", name="Chữ to: đang tắt")
        large.click()
        page.get_by_role("button", name="Chữ to: đang bật").wait_for()
        sizes = page.evaluate("""() => [...document.querySelectorAll(
            '.cds-phone .widget-html-content, .cds-phone button, .cds-statusbar')]
            .filter(e => e.offsetParent !== null && e.textContent.trim())
            .map(e => parseFloat(getComputedStyle(e).fontSize))""")
        assert sizes and min(sizes) >= 20, sizes
        shot(page, f"dien-thoai-{width}-chu-to.png")
        page.get_by_role("button", name="Ngân hàng").click()
        account = page.get_by_role("textbox", name="Số tài khoản")
        account.focus()
        ring = page.evaluate("""() => { const s = getComputedStyle(document.activeElement);
            return [s.outlineStyle, parseFloat(s.outlineWidth), s.outlineColor]; }""")
        assert ring[0] == "solid" and ring[1] >= 3 and ring[2] == "rgb(11, 61, 145)", ring
        shot(page, f"dien-thoai-{width}-o-dang-nhap.png")
        page.close()


def test_practice_with_a_desk_beside_the_phone_passes_axe_and_fits(server, browser):
    """The carrier shop's fields are full-width inputs with their labels above (a label that
    took the whole line once squeezed its input to nothing)."""
    for width, height in ((1366, 900), (390, 844)):
        page = open_page(browser, f"{server}/voila/render/{PRACTICE}", width=width,
                         height=height, ready=".cds-carrier")
        assert axe(page) == []
        assert no_sideways_scroll(page) == 0
        widths = page.evaluate("""() => [...document.querySelectorAll(
            '.cds-desk input[type=text]')].map(e => e.getBoundingClientRect().width)""")
        assert len(widths) >= 2 and min(widths) >= min(300, width - 60), widths
        page.locator(".cds-launcher button", has_text="VNeID").click()
        page.get_by_role("button", name="Quên mật khẩu").click()
        page.get_by_role("textbox", name="Số điện thoại của tài khoản").wait_for()
        shot(page, f"go-roi-{width}.png")
        page.close()


def _focused(page) -> str:
    """What a screen reader would name the focused element."""
    return page.evaluate("""() => { const e = document.activeElement;
        const label = e.labels && e.labels.length ? e.labels[0].textContent : '';
        return (label || e.getAttribute('aria-label') || e.textContent || e.title || '').trim();
    }""")


def tab_to(page, name: str, *, presses: int = 60) -> None:
    for _ in range(presses):
        page.keyboard.press("Tab")
        if name in _focused(page):
            return
    raise AssertionError(f"Tab never reached \"{name}\" (last: \"{_focused(page)}\")")


def test_vneid_activation_with_the_keyboard_alone(server, browser):
    """Tab, Enter and typing only, as a volunteer who cannot use a mouse: open VNeID, start the
    activation, read the OTP in the messages app, and finish all five steps. After each Enter
    the test waits, as a person does, for the next screen (whose heading takes the focus)."""
    page = open_page(browser, f"{server}/voila/render/{PHONE}", ready=".cds-phone")
    phone = page.locator(".cds-phone")

    def press(name: str, then: str) -> None:
        tab_to(page, name)
        page.keyboard.press("Enter")
        phone.get_by_text(then).first.wait_for(timeout=30_000)
        page.wait_for_function("document.activeElement.tagName === 'H2'")

    def fill(name: str, value: str) -> None:
        tab_to(page, name)
        page.keyboard.type(value, delay=40)  # a person's pace, not a machine's
        # and a person's glance at what they typed: the field's last keystroke reaches the
        # kernel before the button's press (a loaded machine once sent the click first)
        page.wait_for_timeout(500)

    press("VNeID", "Kích hoạt tài khoản")
    press("Kích hoạt tài khoản", "Bước 1/5")
    press("Tiếp tục – gửi mã OTP", "Bước 2/5")  # the ID and the phone number are filled in
    press("Màn hình chính", "Điện thoại của")
    press("Tin nhắn", "OTP kích hoạt")
    messages = phone.locator(".cds-sms").all_inner_texts()
    otp = next(m.group(0) for text in messages if "OTP kích hoạt" in text
               for m in [re.search(r"\b\d{6}\b", text)] if m)
    press("Màn hình chính", "Điện thoại của")
    press("VNeID", "Bước 2/5")  # the app kept its place
    try:
        fill("Mã OTP", otp)
        press("Xác nhận", "Bước 3/5")
        fill("Mật khẩu (8–20", "TapHuan@2026")
        fill("Nhập lại mật khẩu", "TapHuan@2026")
        press("Tiếp tục", "Bước 4/5")
        fill("Passcode (6 số)", "258036")
        fill("Nhập lại passcode", "258036")
        press("Tiếp tục", "Bước 5/5")
        fill("Câu trả lời 1", "Lái Thiêu")
        fill("Câu trả lời 2", "Bánh bèo")
        press("Hoàn tất kích hoạt", "Kích hoạt thành công")
    except Exception:
        shot(page, "kich-hoat-bang-ban-phim-loi.png")
        raise
    shot(page, "kich-hoat-bang-ban-phim.png")
    page.close()


@contextlib.contextmanager
def _first_cell_run_in_lab(tmp_path, browser, name: str, source: str):
    """A one-cell notebook opened in JupyterLab at 1366×900, its cell run with Shift+Enter."""
    from browserkit import jupyter_lab
    from playwright.sync_api import expect

    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(source)])
    nb.metadata.kernelspec = {"name": "python3", "display_name": "Python 3 (ipykernel)",
                              "language": "python"}
    nbformat.write(nb, tmp_path / name)
    with jupyter_lab(tmp_path, log=tmp_path / "lab.log", token="a11y") as url:
        page = browser.new_page(viewport={"width": 1366, "height": 900})
        page.goto(f"{url}/lab/tree/{name}?token=a11y")
        expect(page.get_by_text("Python 3 (ipykernel) | Idle")).to_be_visible(timeout=90_000)
        page.locator(".jp-Notebook").click()
        page.keyboard.press("Shift+Enter")
        yield page
        page.close()


def test_phone_in_jupyterlab_passes_axe(tmp_path, browser):
    with _first_cell_run_in_lab(tmp_path, browser, PHONE, PHONE_CELL) as page:
        page.wait_for_selector(".cds-phone", timeout=90_000)
        time.sleep(1)
        assert axe(page, include=".cds-phone") == []  # JupyterLab's own chrome is not ours
        shot(page, "dien-thoai-jupyterlab-1366.png")


def test_self_check_wrong_answer_by_keyboard_in_jupyterlab(tmp_path, browser):
    """A lesson's self-check answered wrong with the keyboard alone (Tab, Space, Enter): the
    feedback is an alert in words (✘ Chưa đúng, why, the section to read again), never the right
    option; then the right answer keeps its explanation."""
    from congdanso.course.checks import CHECKS
    from playwright.sync_api import expect

    check = next(c for c in CHECKS["05"] if c.qid == "05-cau1")
    first = check.options[0]
    assert first != check.answer
    source = 'from congdanso.course.checks import quiz\n\nquiz("05-cau1")'
    with _first_cell_run_in_lab(tmp_path, browser, "tu-kiem-tra.ipynb", source) as page:
        box = page.locator(".cds-quiz-box")
        box.locator("input[type=radio]").first.wait_for(timeout=90_000)
        box.locator("input[type=radio]").first.focus()
        page.keyboard.press("Space")  # the first option: a wrong one
        for _ in check.options:  # ipywidgets' radios are one tab stop each, then the button
            page.keyboard.press("Tab")
            if page.evaluate("document.activeElement.textContent").strip() == "Kiểm tra":
                break
        assert page.evaluate("document.activeElement.textContent").strip() == "Kiểm tra"
        page.keyboard.press("Enter")
        alert = box.locator("[role=alert]")
        expect(alert).to_contain_text("✘ Chưa đúng", timeout=30_000)
        said = alert.inner_text()
        assert check.wrong[first] in said and "Xem lại mục “Giải thích”" in said
        assert check.answer not in said
        assert axe(page, include=".cds-quiz-box") == []
        SHOTS.mkdir(parents=True, exist_ok=True)
        box.screenshot(path=str(SHOTS / "tu-kiem-tra-sai.png"))
        box.locator("input[type=radio]").nth(check.options.index(check.answer)).check()
        box.get_by_role("button", name="Kiểm tra").press("Enter")
        expect(box.locator("[role=status]")).to_contain_text("✔ Đúng", timeout=30_000)
        box.screenshot(path=str(SHOTS / "tu-kiem-tra-dung.png"))


def test_competency_report_passes_axe(tmp_path, browser):
    import pandas as pd
    from congdanso.cohort.report import build_report, write_report

    cell = {"assignment": "bai", "notebook": "bai", "cell": "c1", "max_score": 1}
    scores = pd.DataFrame([{**cell, "learner": f"hv-{i}", "score": i % 2} for i in range(6)])
    tags = pd.DataFrame([{"assignment": "bai", "notebook": "bai", "cell": "c1",
                          "competency": "TK2"}])
    roster = pd.DataFrame([{"id": f"hv-{i}", "name": f"Học viên {i}", "ward": "Phường Lái Thiêu",
                            "khu_pho": "Khu phố Đông Nhì", "role": "Tình nguyện viên"}
                           for i in range(6)])
    paths = write_report(build_report(scores, tags, roster), tmp_path)
    for width, height in ((1366, 900), (390, 844)):
        page = browser.new_page(viewport={"width": width, "height": height})
        page.goto(paths["html"].as_uri())
        assert page.locator("main").count() == 1 and page.get_attribute("html", "lang") == "vi"
        assert axe(page) == [] and no_sideways_scroll(page) == 0
        page.close()


def test_feedback_page_is_vietnamese_large_and_passes_axe(tmp_path, browser):
    """What nbgrader's feedback step renders with the course's template (the same exporter
    settings), for a graded cell with a trainer's comment."""
    from congdanso.grading.feedback import use_our_feedback
    from nbconvert import HTMLExporter
    from nbgrader.converters import GenerateFeedback
    from traitlets.config import Config

    grade = {"grade": True, "grade_id": "vneid-kich-hoat", "locked": True, "points": 1,
             "score": 1.0, "solution": False, "task": False, "schema_version": 3,
             "comment": "Làm đúng: nhớ dặn người dân **không đọc OTP** cho ai."}
    nb = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_markdown_cell("# Tài khoản dịch vụ công\nGiúp bà Trinh kích hoạt VNeID."),
        nbformat.v4.new_code_cell('bai_tap.kiem_tra("vneid-kich-hoat")',
                                  metadata={"nbgrader": grade})])
    config = Config()
    use_our_feedback(config)
    step = GenerateFeedback(config=config)  # our template is the feedback step's only
    page_html, _ = HTMLExporter(parent=step, config=step.config).from_notebook_node(nb, resources={
        "nbgrader": {"notebook": "tai-khoan-dvc", "score": 1.0, "max_score": 1.0,
                     "late_penalty": 0}})
    path = tmp_path / "phan-hoi.html"
    path.write_text(page_html, encoding="utf-8")
    assert '<html lang="vi">' in page_html and "Điểm: 1.0 /" in page_html
    assert "Score" not in page_html and "Student" not in page_html
    for width, height in ((1366, 900), (390, 844)):
        page = browser.new_page(viewport={"width": width, "height": height})
        page.goto(path.as_uri())
        assert page.locator("main").count() == 1
        assert float(page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)")) >= 17
        assert axe(page) == [] and no_sideways_scroll(page) == 0
        shot(page, f"phan-hoi-{width}.png")
        page.close()
