"""Issue 24's learner-side defects where the layout or the focus is the point, in a real browser
(Debian's chromium via Playwright) through Voilà at 390×844 and 1366×900: choice lists whose
options wrap with every round button inside the box (self-checks, answers, the phone's security
questions); a refused "Nộp hồ sơ" said under the button, with the focus on it; "Làm lại từ đầu"
that keeps the learner where she was; the feedback page in one upright sans font.

Screenshots go to tests/artifacts/issue24/ (look at them: both sizes).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest
from browserkit import free_port, wait_for_port
from jupyterkit import jupyter_env

ROOT = Path(__file__).resolve().parents[1]
SHOTS = ROOT / "tests" / "artifacts" / "issue24"
SIZES = ((390, 844), (1366, 900))

pytestmark = pytest.mark.browser

CHOICES = '''from congdanso import World
from congdanso.course.checks import quiz
from congdanso.ui import Phone
from congdanso.ui.exercise import Exercise

world = World()
display(quiz("01-cau3", world), quiz("02-cau1", world))
nguoi = world.population.practice_residents()[0]
world.police.enroll_level2(nguoi.id_number, nguoi.phone)
phone = Phone(world, nguoi)
app = phone.open("vneid")  # activation up to step 5/5: the security questions
app.activate(nguoi.id_number, nguoi.phone)
app.enter_otp(world.inbox(nguoi.phone).latest_otp())
app.set_password("TapHuan@2026")
app.set_passcode("258036")
display(phone)
Exercise.open("thuc-hanh-03", world=World(), learner="hv-01", folder=".")'''

FORM = '''from congdanso import World
from congdanso.ui.exercise import Exercise
from congdanso.world.scenarios import PRACTICE_PASSCODE, PRACTICE_PASSWORD

bai = Exercise.open("thuc-hanh-03", world=World(), learner="hv-01", folder=".")
nguoi, phone = bai.person(), bai.phones[0]
vneid = phone.open("vneid")
vneid.login(nguoi.id_number, PRACTICE_PASSWORD)
portal = phone.open("portal")
portal.start_vneid_login()
vneid.scan_portal()
vneid.confirm_scan(PRACTICE_PASSCODE)
phone.open("portal").open_procedure("HT-TLBS")  # the form, its confirmation not ticked
bai'''


@pytest.fixture(scope="module")
def voila(tmp_path_factory):
    folder = tmp_path_factory.mktemp("trang")
    for name, source in (("lua-chon.ipynb", CHOICES), ("nop-ho-so.ipynb", FORM)):
        nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(source)])
        nb.metadata.kernelspec = {"name": "python3", "display_name": "Python 3",
                                  "language": "python"}
        nbformat.write(nb, folder / name)
    port = free_port()
    log = folder / "voila.log"
    with open(log, "w") as out:
        server = subprocess.Popen(
            [sys.executable, "-m", "voila", "--no-browser", f"--port={port}",
             "--Voila.ip=127.0.0.1", f"--Voila.root_dir={folder}"],
            cwd=folder, env=jupyter_env(folder), stdout=out, stderr=subprocess.STDOUT,
            start_new_session=True)
    try:
        wait_for_port(port, server, log)
        yield f"http://127.0.0.1:{port}/voila/render"
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(30)




def _open(browser, url: str, width: int, height: int, ready: str):
    page = browser.new_page(viewport={"width": width, "height": height})
    page.goto(url, timeout=120_000)
    page.wait_for_selector(ready, timeout=180_000)
    time.sleep(1.5)  # fonts and the last widget messages
    return page


# What a person sees of every choice list: each option's box, its round button and its text.
MEASURE = """() => {
  const lists = [];
  document.querySelectorAll('.cds-quiz-box .widget-radio-box, .cds-answer .widget-radio-box,'
                            + ' .cds-phone .widget-radio-box').forEach(box => {
    const b = box.getBoundingClientRect();
    const options = [...box.querySelectorAll('label')].map(label => {
      const l = label.getBoundingClientRect();
      const r = label.querySelector('input').getBoundingClientRect();
      return {text: label.textContent.trim(), top: l.top, bottom: l.bottom, left: l.left,
              right: l.right, radio: [r.left, r.right, r.top, r.bottom],
              cut: label.scrollWidth > label.clientWidth + 1};
    });
    lists.push({where: box.closest('.cds-quiz-box') ? 'quiz' : box.closest('.cds-answer')
                ? 'answer' : 'phone', left: b.left, right: b.right, options});
  });
  return {lists, width: window.innerWidth,
          wide: Math.max(document.documentElement.scrollWidth, document.body.scrollWidth)};
}"""


@pytest.mark.parametrize("width, height", SIZES)
def test_choice_lists_wrap_with_every_round_button_inside(voila, browser, width, height):
    """Self-checks, the exercise's answers and the security questions at 390 and 1366 px: no
    option runs into the next, no round button is hidden or cut at the left edge, every
    security question is shown in full."""
    from congdanso.world.identity.vneid import SECURITY_QUESTIONS

    page = _open(browser, f"{voila}/lua-chon.ipynb", width, height, ".cds-exercise")
    SHOTS.mkdir(parents=True, exist_ok=True)
    for n, box in enumerate(page.locator(".cds-quiz-box").all()):
        box.screenshot(path=str(SHOTS / f"tu-kiem-tra-{n + 1}-{width}.png"))
    page.locator(".cds-phone").first.screenshot(path=str(SHOTS / f"cau-hoi-bao-mat-{width}.png"))
    page.locator(".cds-phone input[type=radio]").last.scroll_into_view_if_needed()
    page.screenshot(path=str(SHOTS / f"cau-hoi-bao-mat-2-{width}.png"))
    page.locator(".cds-answer").first.screenshot(path=str(SHOTS / f"cau-tra-loi-{width}.png"))
    seen = page.evaluate(MEASURE)
    page.close()
    assert seen["wide"] <= seen["width"]  # nothing to scroll sideways
    kinds = [lst["where"] for lst in seen["lists"]]
    assert kinds.count("quiz") == 2 and kinds.count("phone") == 2 and kinds.count("answer") >= 2
    for lst in seen["lists"]:
        assert lst["left"] >= 0 and lst["right"] <= seen["width"] + 0.5, lst
        above = None
        for option in lst["options"]:
            left, right, top, bottom = option["radio"]
            assert right - left >= 16 and bottom - top >= 16, option  # a button to see and tap
            assert left >= lst["left"] - 0.5 and right <= lst["right"] + 0.5, option
            assert option["left"] >= lst["left"] - 0.5 and option["right"] <= lst["right"] + 0.5
            assert top >= option["top"] - 0.5 and bottom <= option["bottom"] + 0.5, option
            assert not option["cut"], option
            if above is not None:
                assert option["top"] >= above["bottom"] - 0.5, (above, option)  # no overlap
            above = option
    questions = [[o["text"] for o in lst["options"]] for lst in seen["lists"]
                 if lst["where"] == "phone"]
    assert questions == [list(SECURITY_QUESTIONS)] * 2
    if width == 390:  # the long ones wrap onto a second line inside the phone
        tall = [o["bottom"] - o["top"] for lst in seen["lists"] if lst["where"] == "phone"
                for o in lst["options"]]
        assert max(tall) > 1.5 * min(tall)


@pytest.mark.parametrize("width, height", SIZES)
def test_refused_dossier_is_said_under_the_button_and_restart_keeps_the_place(
        voila, browser, width, height):
    from playwright.sync_api import expect

    page = _open(browser, f"{voila}/nop-ho-so.ipynb", width, height, ".cds-exercise")
    submit = page.locator(".cds-phone button", has_text="Nộp hồ sơ")
    submit.scroll_into_view_if_needed()
    submit.click()
    page.wait_for_function("document.activeElement.textContent.includes('Chưa nộp được')",
                           timeout=30_000)
    where = page.evaluate("""() => {
        const said = document.activeElement.getBoundingClientRect();
        const button = [...document.querySelectorAll('.cds-phone button')]
            .find(b => b.textContent.includes('Nộp hồ sơ')).getBoundingClientRect();
        const tick = document.querySelector('.cds-phone .widget-checkbox').getBoundingClientRect();
        return {said: [said.top, said.bottom], button: [button.top, button.bottom],
                tick: tick.top, height: innerHeight,
                role: document.activeElement.getAttribute('role')};
    }""")
    page.screenshot(path=str(SHOTS / f"nop-ho-so-chua-tich-{width}.png"))
    assert where["role"] == "alert"
    assert 0 <= where["said"][0] - where["button"][1] <= 24  # just under the button pressed
    assert where["said"][1] <= where["height"]  # and on screen
    assert where["button"][0] - where["tick"] > 300  # the box it names is far above
    restart = page.locator("button", has_text="Làm lại từ đầu")
    restart.scroll_into_view_if_needed()
    restart.click()
    expect(page.get_by_text("lần nữa để xác nhận")).to_be_visible(timeout=30_000)
    assert page.evaluate("document.activeElement.textContent").strip() == "Làm lại từ đầu"
    time.sleep(0.6)  # she reads the note first (a press within a double-click's is not taken)
    restart.click()
    page.wait_for_function("document.activeElement.textContent.includes('Đã bắt đầu lại')",
                           timeout=60_000)
    time.sleep(2.5)  # the rebuilt page has finished drawing above the note
    note = page.evaluate("""() => { const e = document.activeElement.getBoundingClientRect();
        const b = [...document.querySelectorAll('button')]
            .find(x => x.textContent.includes('Làm lại từ đầu')).getBoundingClientRect();
        return {note: [e.top, e.bottom], button: [b.top, b.bottom], height: innerHeight}; }""")
    page.screenshot(path=str(SHOTS / f"lam-lai-tu-dau-{width}.png"))
    assert note["note"][0] >= 0 and note["note"][1] <= note["height"] + 1  # still in view
    assert note["button"][0] >= 0 and note["note"][0] - note["button"][1] <= 24
    page.locator("button", has_text="Kiểm tra").last.click()  # the next action
    expect(page.get_by_text("Đã bắt đầu lại")).to_have_count(0, timeout=30_000)
    page.close()


def test_feedback_page_is_one_upright_sans_font(tmp_path, browser):
    """Every piece of text of the feedback page (titles, what the grader said, comments) in the
    page's sans font, upright: the code highlighter's monospace italic split "Kiể m tra"."""
    from test_learner_defects import feedback_page

    path = feedback_page(tmp_path)
    for width, height in SIZES:
        page = browser.new_page(viewport={"width": width, "height": height})
        page.goto(path.as_uri())
        fonts = page.evaluate("""() => [...document.querySelectorAll('body *')]
            .filter(e => e.offsetParent !== null && [...e.childNodes].some(
                n => n.nodeType === 3 && n.textContent.trim()))
            .map(e => { const s = getComputedStyle(e);
                        return [e.tagName, s.fontFamily, s.fontStyle,
                                e.textContent.trim().slice(0, 30)]; })""")
        page.screenshot(path=str(SHOTS / f"phan-hoi-{width}.png"), full_page=True)
        page.close()
        assert fonts
        for tag, family, style, text in fonts:
            assert style == "normal", (tag, text)
            assert family.startswith('"DejaVu Sans"') and "Mono" not in family, (tag, family,
                                                                                  text)
