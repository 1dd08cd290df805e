"""A learner does a graded exercise in a real browser with clicks and typing only.

The trainer imports a roster of two and releases ``tai-khoan-dvc``; both learners fetch it from the
exchange. One opens it in JupyterLab (Debian's chromium, driven by Playwright), runs the first
cell, and works through their own scenario: the police desk when needed, VNeID activation with the
OTP read off the phone's inbox, the portal login by scanning its QR, the four questions, the
Kiểm tra checklist; saves and submits. The other submits without doing anything. ``congdanso
autograde`` gives the first full marks and the second zero. Screenshots: tests/artifacts/browser/.
"""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

import pytest
from browserkit import CHROMIUM, CHROMIUM_ARGS, PhoneHands, jupyter_lab

ROOT = Path(__file__).resolve().parents[1]
SHOTS = ROOT / "tests" / "artifacts" / "browser"
ASSIGNMENT = "tai-khoan-dvc"
CLICKER, IDLE = "hv-trinh-duyet", "hv-khong-lam"

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    from congdanso.cohort import grading
    from congdanso.cohort.roster import import_roster
    from synthetic import _exchange_step

    base = tmp_path_factory.mktemp("lop")
    course = base / "khoa"
    (course / "source").mkdir(parents=True)
    shutil.copy(ROOT / "exercises/nbgrader_config.py", course)
    shutil.copy(ROOT / "exercises/dap-an.json", course)
    shutil.copytree(ROOT / "exercises/source" / ASSIGNMENT, course / "source" / ASSIGNMENT)
    roster = base / "danh-sach.csv"
    roster.write_text("Mã học viên,Họ và tên,Phường,Khu phố,Vai trò\n"
                      f"{CLICKER},Nguyễn Thị Hoa,Phường Lái Thiêu,Khu phố Đông Nhì,Tình nguyện viên\n"
                      f"{IDLE},Trần Văn Lâm,Phường Lái Thiêu,Khu phố Đông Nhì,Cán bộ phường\n",
                      encoding="utf-8")
    import_roster(roster, course)
    _secret_for_the_longest_path(course)
    grading.generate(course, [ASSIGNMENT])
    grading.release(course, [ASSIGNMENT])
    homes = {}
    for learner in (CLICKER, IDLE):
        homes[learner] = base / learner
        homes[learner].mkdir()
        _exchange_step("fetch", course, homes[learner], learner, ASSIGNMENT)
    return {"course": course, "homes": homes}


def _secret_for_the_longest_path(course: Path) -> None:
    """A course secret under which the clicker's scenario is the longest one: the resident's SIM
    is in a child's name (carrier shop, then police desk, activation, portal). Variants are
    random per course otherwise, and a browser test must be repeatable."""
    from congdanso import World
    from congdanso.grading.variants import SECRET_FILE, derive, token_for

    world = World()
    for _ in range(200):
        secret = os.urandom(32)
        token = token_for(secret, ASSIGNMENT, CLICKER)
        if derive(world, ASSIGNMENT, token, CLICKER).values["situation"] == "sim-nguoi-khac":
            path = course / SECRET_FILE
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(secret.hex() + "\n", encoding="ascii")
            path.chmod(0o600)
            return
    raise AssertionError("no secret gives the SIM scenario: is it still in the catalogue?")


@pytest.fixture(scope="module")
def lab(course):
    root, token = course["homes"][CLICKER], "congdanso-bai-tap"
    with jupyter_lab(root, log=root.parent / "lab.log", token=token,
                     env={"CONGDANSO_LEARNER": CLICKER}) as url:
        yield {"url": url, "token": token}


def _scenario(course: Path):
    """The test's answer key: the clicker's own scenario, recomputed as the grader does."""
    from congdanso import World
    from congdanso.grading.variants import course_secret, derive, token_for

    token = token_for(course_secret(course, create=False), ASSIGNMENT, CLICKER)
    return derive(World(), ASSIGNMENT, token, CLICKER)


def test_clicks_and_typing_earn_full_marks_and_nothing_earns_zero(course, lab):
    from congdanso.cohort import grading
    from congdanso.world import World
    from playwright.sync_api import expect, sync_playwright
    from synthetic import _exchange_step

    scenario = _scenario(course["course"])
    person = World().population.require(scenario.resident)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1366, "height": 900})
        page.goto(f"{lab['url']}/lab/tree/{ASSIGNMENT}/{ASSIGNMENT}.ipynb?token={lab['token']}")
        expect(page.get_by_text("Python 3 (ipykernel) | Idle")).to_be_visible(timeout=90_000)
        page.locator(".jp-Notebook .jp-CodeCell .jp-InputArea-editor").first.click()
        page.keyboard.press("Shift+Enter")
        phone = page.locator(".cds-phone")
        expect(phone).to_be_visible(timeout=90_000)
        card = page.locator(".cds-scenario")
        expect(card).to_contain_text(person.full_name)
        expect(card).not_to_contain_text("phương án tự luyện")

        hands = PhoneHands(page, scenario, person)
        hands.activate()
        hands.portal_and_answers(ASSIGNMENT)
        page.get_by_role("button", name="Kiểm tra", exact=True).click()
        expect(page.locator(".cds-exercise")).to_contain_text("13/13 bước đã làm")
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / "bai-tap-kiem-tra-1366.png"))
        card.scroll_into_view_if_needed()
        page.screenshot(path=str(SHOTS / "bai-tap-tinh-huong-1366.png"))
        page.set_viewport_size({"width": 390, "height": 844})
        expect(page.locator(".jp-FileBrowser")).to_be_hidden()  # sidebars closed, as make start
        card.scroll_into_view_if_needed()
        page.screenshot(path=str(SHOTS / "bai-tap-tinh-huong-390.png"))
        page.locator(".cds-answer").first.scroll_into_view_if_needed()
        page.screenshot(path=str(SHOTS / "bai-tap-cau-hoi-390.png"))
        page.keyboard.press("Control+s")
        time.sleep(1)
        browser.close()

    course_dir = course["course"]
    for learner in (CLICKER, IDLE):
        _exchange_step("submit", course_dir, course["homes"][learner], learner, ASSIGNMENT)
    grading.collect(course_dir, [ASSIGNMENT])
    results = {r.student: r for r in grading.autograde(course_dir, jobs=1)}
    assert (results[CLICKER].score, results[CLICKER].max_score) == (13, 13)  # 4 steps, 9 answers
    assert results[IDLE].score == 0 and results[IDLE].max_score == 13
