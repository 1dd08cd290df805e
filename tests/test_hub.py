"""The class server for real: JupyterHub started by `congdanso hub`, learners logging in with their
codes at once, each on their own server as their own system user under a memory cap; another
learner's server refused; a wrong code refused in Vietnamese; the live view for the trainer only;
Ctrl+C stopping everything.

Needs root (learners are system users) and configurable-http-proxy (`make test` installs it from
npm in deploy/). Folders on the way to Python are opened for traversal (o+x) first, as the hub's
own message asks a trainer to do on a machine where Python lives under /root.
"""

from __future__ import annotations

import os
import re
import signal
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import psutil
import pytest
from hubkit import class_server, login, open_lab

ROOT = Path(__file__).resolve().parents[1]
LEARNERS = ["hv-lop-01", "hv-lop-02", "hv-lop-03"]
PORT = 18600
PG_PORT = 18654
ASSIGNMENT = "tai-khoan-dvc"
ACTIVATION_ONLY = 3  # level 2, activated, logged in: the third learner stops there
CELLS = 13  # tai-khoan-dvc's grade cells: 4 steps and 9 questions (checked below)

pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="the class server runs as root")


@pytest.fixture(scope="module")
def hub():
    with class_server(LEARNERS, port=PORT, pg_port=PG_PORT, release=[ASSIGNMENT]) as running:
        yield running


def _scenario(course: Path, user: str):
    """The test's answer key: the learner's own scenario, recomputed as the grader does."""
    from congdanso import World
    from congdanso.grading.variants import course_secret, derive, token_for

    token = token_for(course_secret(course, create=False), ASSIGNMENT, user)
    return derive(World(), ASSIGNMENT, token, user)


def test_three_browsers_log_in_at_once_then_fetch_work_and_submit(hub):
    """Three learners scan their card's QR (the login page with their id filled in), type the
    code and land on the course's home page (learner mode) at the same time, in Chromium (one on
    a phone-sized screen). The first receives the exercise there, does it on its page and hands it
    in; the other two take the link to JupyterLab and receive it from lesson 00's board or
    nbgrader's Assignments tab, do it in the phone by clicking and typing — one all of it, the
    other only the VNeID activation — save and submit."""
    from browserkit import CHROMIUM, CHROMIUM_ARGS
    from congdanso.world import World
    from playwright.sync_api import expect, sync_playwright

    shots = ROOT / "tests" / "artifacts" / "hub"
    shots.mkdir(parents=True, exist_ok=True)
    sizes = [(390, 844), (1366, 900), (1366, 900)]
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        pages = {}
        for user, (width, height) in zip(LEARNERS, sizes, strict=True):
            page = browser.new_context(viewport={"width": width, "height": height}).new_page()
            page.goto(f"{hub['url']}/hub/login?username={user}")
            expect(page.get_by_label("Mã học viên")).to_have_value(user)
            pages[user] = page
        pages[LEARNERS[0]].screenshot(path=str(shots / "dang-nhap-390.png"))
        for user, page in pages.items():  # all three press "Vào lớp học" before any lands
            page.get_by_label("Mã đăng nhập (8 chữ số)").fill(hub["codes"][user])
        for page in pages.values():
            page.get_by_role("button", name="Vào lớp học").click(no_wait_after=True)
        for user, page in pages.items():  # learner mode: the course's home page
            page.wait_for_url(f"**/user/{user}/hoc**", timeout=180_000)
            expect(page.get_by_role("heading", name=re.compile("Bài học"))).to_be_visible()
        pages[LEARNERS[0]].screenshot(path=str(shots / "trang-chinh-390.png"))
        for user, page in list(pages.items())[1:]:  # JupyterLab is one link away
            page.get_by_role("link", name="mở JupyterLab").click()
            page.goto(f"{hub['url']}/user/{user}/lab/tree/khoa-hoc/00-the-gioi-mo-phong.ipynb")
            expect(page.locator(".jp-RenderedMarkdown h1").first).to_contain_text(
                "Bài 00", timeout=120_000)
            # the trainer's tools are not on a learner's screen
            expect(page.get_by_text("Create Assignment")).to_have_count(0)
        wrong = browser.new_page()
        wrong.goto(f"{hub['url']}/hub/login?username={LEARNERS[1]}")
        wrong.get_by_label("Mã đăng nhập (8 chữ số)").fill("11112222")
        wrong.get_by_role("button", name="Vào lớp học").click()
        expect(wrong.get_by_role("alert")).to_contain_text("chưa đúng")

        world = World()
        try:
            _work_and_submit(pages, world, shots, hub)
        except Exception:
            for user, page in pages.items():  # what each screen showed when it went wrong
                page.screenshot(path=str(shots / f"loi-{user}.png"))
            raise
        browser.close()
    for user in LEARNERS:  # each submission is in the class exchange, owned by its learner
        inbound = [p for p in (hub["exchange"] / "congdanso" / "inbound").iterdir()
                   if p.name.startswith(f"{user}+{ASSIGNMENT}+")]
        assert len(inbound) == 1 and inbound[0].owner() == user


def _do_the_exercise(page, hub, user: str, world, *, everything: bool) -> None:
    """Her own scenario in the phone by clicks and typing (all of it, or only the VNeID
    activation), then "Kiểm tra"."""
    from browserkit import PhoneHands
    from playwright.sync_api import expect

    expect(page.locator(".cds-phone")).to_be_visible(timeout=120_000)
    scenario = _scenario(hub["course"], user)
    person = world.population.require(scenario.resident)
    expect(page.locator(".cds-scenario")).to_contain_text(person.full_name)
    hands = PhoneHands(page, scenario, person)
    hands.activate()
    if everything:
        hands.portal_and_answers(ASSIGNMENT)
    page.get_by_role("button", name="Kiểm tra", exact=True).click()


def _work_and_submit(pages, world, shots: Path, hub) -> None:
    from browserkit import axe
    from congdanso.cohort.classwork import title_of
    from playwright.sync_api import expect

    title = title_of(ASSIGNMENT)
    for index, (user, page) in enumerate(pages.items()):
        size = page.viewport_size["width"]
        fetched = page.locator("#fetched_assignments_list")
        if index == 0:  # learner mode: receive on the home page, do it on the exercise's page
            page.get_by_role("button", name=f"Nhận bài: {title}").click()
            expect(page.get_by_role("status")).to_contain_text("Đã nhận bài", timeout=60_000)
            page.get_by_role("link", name=f"Làm bài: {title}").click()
            _do_the_exercise(page, hub, user, world, everything=True)
            expect(page.locator(".cds-exercise")).to_contain_text(f"{CELLS}/{CELLS} bước đã làm")
            page.get_by_role("button", name="Nộp bài cho giảng viên").click()
            expect(page.locator(".cds-exercise")).to_contain_text(
                f"Đã nộp bài \"{title}\" lúc", timeout=60_000)
            page.screenshot(path=str(shots / f"nop-bai-trong-bai-{size}.png"))
            assert axe(page) == []
            page.get_by_role("link", name="☰ Về trang chính").first.click()
            expect(page.locator("#bai-tap")).to_contain_text("✔ Đã nộp lúc", timeout=60_000)
            page.screenshot(path=str(shots / f"trang-chinh-da-nop-{size}.png"))
            continue
        if index == 1:  # lesson 00's Vietnamese board in JupyterLab: receive, open its link
            board = _class_board(page)
            expect(board).to_contain_text("○ Chưa nhận bài", timeout=120_000)
            page.screenshot(path=str(shots / f"bang-bai-tap-{size}.png"))
            board.get_by_role("button", name=f"Nhận bài {ASSIGNMENT}").press("Enter")
            expect(board).to_contain_text("Đã nhận bài", timeout=60_000)
            # the button pressed is gone: focus is on what happened, not lost to the page
            expect(board.locator(":focus")).to_contain_text("Đã nhận bài")
            expect(board).to_contain_text("● Đã nhận, chưa nộp")
            page.screenshot(path=str(shots / f"bang-bai-tap-da-nhan-{size}.png"))
            assert axe(page, include=".cds-classwork") == []
            board.get_by_role("link", name=f"Làm bài: {ASSIGNMENT}").click()
        else:  # nbgrader's own Assignment List (English)
            page.get_by_role("menuitem", name="Nbgrader").click()
            page.get_by_role("menuitem", name="Assignment List").click()
            released = page.locator("#released_assignments_list")
            expect(released).to_contain_text(ASSIGNMENT, timeout=60_000)
            page.screenshot(path=str(shots / f"nhan-bai-{size}.png"))
            released.get_by_role("button", name="Fetch").click()
            expect(fetched).to_contain_text(ASSIGNMENT, timeout=60_000)
            fetched.get_by_text(ASSIGNMENT).first.click()
            fetched.get_by_text(f"{ASSIGNMENT}.ipynb").or_(
                fetched.get_by_text(ASSIGNMENT).nth(1)).first.click()
        _wait_for_kernel(page, f"{hub['url']}/user/{user}", f"{ASSIGNMENT}/{ASSIGNMENT}.ipynb")
        notebook = page.locator(".jp-NotebookPanel:not(.lm-mod-hidden)")  # the tab in front
        notebook.locator(".jp-CodeCell .jp-InputArea-editor").first.click()  # the exercise
        page.keyboard.press("Shift+Enter")
        _do_the_exercise(page, hub, user, world, everything=index < 2)
        done = CELLS if index < 2 else ACTIVATION_ONLY
        expect(notebook.locator(".cds-exercise")).to_contain_text(f"{done}/{CELLS} bước đã làm")
        page.screenshot(path=str(shots / f"bai-tap-{size}-{user}.png"))
        page.keyboard.press("Control+s")
        expect(page.locator(".lm-TabBar-tab.lm-mod-current.jp-mod-dirty")).to_have_count(
            0, timeout=30_000)
        if index == 1:  # the exercise's own Vietnamese button: nbgrader's submit, as the learner
            page.get_by_role("button", name="Nộp bài cho giảng viên").click()
            expect(notebook.locator(".cds-exercise")).to_contain_text(
                f"Đã nộp bài \"{title}\" lúc", timeout=60_000)
            page.screenshot(path=str(shots / f"nop-bai-trong-bai-{size}.png"))
            page.goto(f"{hub['url']}/user/{user}/lab/tree/khoa-hoc/00-the-gioi-mo-phong.ipynb")
            board = _class_board(page)  # the board says when it was handed in
            expect(board).to_contain_text("✔ Đã nộp lúc", timeout=120_000)
            board.scroll_into_view_if_needed()
            page.screenshot(path=str(shots / f"bang-bai-tap-da-nop-{size}.png"))
        else:
            page.get_by_role("tab", name="Assignments").click()
            fetched.get_by_role("button", name="Submit").click()
            submitted = page.locator("#submitted_assignments_list")
            expect(submitted).to_contain_text(ASSIGNMENT, timeout=60_000)
            page.screenshot(path=str(shots / f"nop-bai-{size}.png"))
        if index > 1:  # lesson 00, only read, is not marked changed: closing it asks nothing
            expect(page.locator(".lm-TabBar-tab.jp-mod-dirty")).to_have_count(0)


def _class_board(page):
    """Lesson 00's "Bài tập của lớp" board, shown by running its cell."""
    from playwright.sync_api import expect

    lesson = page.locator(".jp-NotebookPanel:not(.lm-mod-hidden)")
    expect(lesson.locator(".jp-RenderedMarkdown h1").first).to_contain_text("Bài 00",
                                                                             timeout=60_000)
    cell = lesson.locator(".jp-CodeCell", has_text="BaiTapCuaLop()")
    cell.locator(".jp-InputArea-editor").click()
    page.keyboard.press("Shift+Enter")
    board = lesson.locator(".cds-classwork")
    expect(board).to_be_visible(timeout=120_000)
    return board


def _wait_for_kernel(page, server: str, path: str) -> None:
    """Until the notebook's own kernel is up (the status bar may still show the lesson's)."""
    from playwright.sync_api import expect

    for _ in range(240):
        sessions = page.request.get(f"{server}/api/sessions").json()
        if any(s["path"] == path and s["kernel"]["execution_state"] == "idle" for s in sessions):
            break
        time.sleep(0.5)
    expect(page.get_by_text("Python 3 (ipykernel) | Idle")).to_be_visible(timeout=60_000)


def test_each_learner_is_on_their_own_capped_server(hub):
    def one(user: str):
        session, _ = login(hub["url"], user, hub["codes"][user])
        return session, open_lab(hub["url"], session, user)

    with ThreadPoolExecutor(3) as pool:
        done = dict(zip(LEARNERS, pool.map(one, LEARNERS), strict=True))
    for user, (session, lab) in done.items():
        assert lab.status_code == 200, (user, lab.status_code, lab.url)
        status = session.get(f"{hub['url']}/user/{user}/api/status", timeout=30)
        assert status.status_code == 200
        lessons = session.get(f"{hub['url']}/user/{user}/api/contents/khoa-hoc", timeout=30)
        names = {item["name"] for item in lessons.json()["content"]}
        assert "00-the-gioi-mo-phong.ipynb" in names and "08-go-roi-tai-diem-ho-tro.ipynb" in names
    servers = {}
    for proc in psutil.process_iter(["username", "cmdline"]):
        if proc.info["username"] in LEARNERS and any(
                "singleuser" in part for part in proc.info["cmdline"] or []):
            servers[proc.info["username"]] = proc
    assert set(servers) == set(LEARNERS)  # each runs as the learner's own system user
    for user, proc in servers.items():
        home = Path(f"/home/{user}")
        assert oct(home.stat().st_mode & 0o777) == "0o700" and home.owner() == user
        groups = Path(f"/proc/{proc.pid}/cgroup").read_text()
        assert "congdanso-" in groups and f"-lop-{user}" in groups
        limits = [f for name in ("memory.max", "memory.limit_in_bytes")  # cgroup v2 or v1
                  for f in Path("/sys/fs/cgroup").rglob(f"congdanso-*-lop-{user}/{name}")]
        assert [int(f.read_text()) for f in limits] == [700 * 1024 * 1024]
    hub["sessions"] = {user: session for user, (session, _) in done.items()}


def test_the_gradebook_is_the_class_servers_postgresql_with_the_roster(hub):
    from congdanso.cohort.gradebook import gradebook_url
    from congdanso.cohort.roster import _tools_on_path
    from nbgrader.api import Gradebook

    url = gradebook_url(hub["course"])
    assert url.startswith("postgresql+psycopg2://") and f":{PG_PORT}/" in url
    _tools_on_path()
    with Gradebook(url) as gradebook:
        assert sorted(s.id for s in gradebook.students) == LEARNERS
    hub["gradebook"] = url


def test_the_trainer_collects_and_grades_on_dask_and_hands_back_comments(hub):
    """What the three did in their browsers: collected from the class exchange, graded on a
    2-worker Dask cluster; the report and the live view list all three with their scores; the
    comments go back through the exchange and a learner reads them from lesson 00's board."""
    from congdanso.cohort import grading
    from congdanso.cohort.report import load_report
    from congdanso.hub.codes import TRAINER

    course = hub["course"]
    collected = grading.collect(course, [ASSIGNMENT])
    assert collected.counts[ASSIGNMENT] == 3, collected.notes
    results = {r.student: r for r in grading.autograde(course, [ASSIGNMENT], jobs=2,
                                                       dask="local")}
    assert {u: (r.score, r.max_score) for u, r in results.items()} == {
        LEARNERS[0]: (CELLS, CELLS), LEARNERS[1]: (CELLS, CELLS),
        LEARNERS[2]: (ACTIVATION_ONLY, CELLS)}
    report = load_report(course)
    assert sorted(report.learners["id"]) == LEARNERS
    assert report.matrix.loc[LEARNERS[0]].min() == 1 and report.matrix.loc[LEARNERS[2]].max() < 1
    trainer, _ = login(hub["url"], TRAINER, hub["codes"][TRAINER])
    live = trainer.get(f"{hub['url']}/services/lop-hoc/", timeout=60).content.decode("utf-8")
    rows = {user: live.split(f">{user}<", 1)[1].split("</tr>", 1)[0] for user in LEARNERS}
    assert all("Bài tập tai-khoan-dvc" in rows[u] and f"{CELLS}/{CELLS}" in rows[u]
               for u in LEARNERS[:2])
    assert all(f"{ASSIGNMENT} lúc" in rows[u] for u in LEARNERS)  # handed in, and when
    assert f"{ACTIVATION_ONLY}/{CELLS}" in rows[LEARNERS[2]]
    _trainer_sees_the_live_view(hub)
    grading.feedback(course, [ASSIGNMENT])  # handed back through the class exchange
    _learner_reads_the_feedback(hub, LEARNERS[0])


def _signed_in(browser, hub, user: str, next_url: str, landing: str):
    """A laptop-sized page signed in on the hub's login form, arrived at ``landing``."""
    page = browser.new_page(viewport={"width": 1366, "height": 900})
    page.goto(f"{hub['url']}/hub/login?username={user}" + (f"&next={next_url}" if next_url else ""))
    page.get_by_label("Mã đăng nhập (8 chữ số)").fill(hub["codes"][user])
    page.get_by_role("button", name="Vào lớp học").click()
    page.wait_for_url(landing, timeout=120_000)
    return page


def _learner_reads_the_feedback(hub, user: str) -> None:
    """On the home page: "Nhận nhận xét", then "Xem nhận xét" opens it as a page."""
    from browserkit import CHROMIUM, CHROMIUM_ARGS
    from congdanso.cohort.classwork import title_of
    from playwright.sync_api import expect, sync_playwright

    shots = ROOT / "tests" / "artifacts" / "hub"
    title = title_of(ASSIGNMENT)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = _signed_in(browser, hub, user, "", f"**/user/{user}/hoc**")
        page.get_by_role("button", name=f"Nhận nhận xét của giảng viên: {title}").click()
        expect(page.get_by_role("status")).to_contain_text("Đã nhận nhận xét", timeout=60_000)
        page.screenshot(path=str(shots / "trang-chinh-nhan-xet-1366.png"))
        page.get_by_role("link", name=f"Xem nhận xét: {title}").click()
        expect(page.locator(".tong-diem")).to_contain_text(f"{CELLS}", timeout=60_000)
        page.screenshot(path=str(shots / "nhan-xet-1366.png"))
        browser.close()


def _trainer_sees_the_live_view(hub) -> None:
    """The trainer's live view in Chromium, on a laptop and on a phone: every learner's row
    readable, nothing to scroll sideways but the table's own region, no axe violation."""
    from browserkit import AXE, CHROMIUM, CHROMIUM_ARGS, axe
    from congdanso.hub.codes import TRAINER
    from playwright.sync_api import expect, sync_playwright

    assert AXE.exists(), "axe-core is missing: run `make test` (npm install in tests/)"
    shots = ROOT / "tests" / "artifacts" / "hub"
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = _signed_in(browser, hub, TRAINER, "/services/lop-hoc/", "**/services/lop-hoc/**")
        expect(page.get_by_role("heading", name="Lớp học đang làm gì")).to_be_visible()
        for user in LEARNERS:
            expect(page.get_by_role("rowheader", name=user)).to_be_visible()
        before = page.locator("#luc").inner_text()  # the table refreshes itself in place
        expect(page.locator("#luc")).to_contain_text("Cập nhật lúc", timeout=40_000)
        assert before != page.locator("#luc").inner_text()
        page.get_by_role("button", name="Tạm dừng tự cập nhật").press("Enter")
        expect(page.get_by_role("button", name="Tiếp tục tự cập nhật")).to_have_attribute(
            "aria-pressed", "true")
        for width, height in ((1366, 900), (390, 844)):
            page.set_viewport_size({"width": width, "height": height})
            page.screenshot(path=str(shots / f"lop-hoc-{width}.png"), full_page=True)
            assert axe(page) == []
            assert page.evaluate("document.documentElement.scrollWidth") <= width
        browser.close()


def test_the_trainers_formgrader_reads_the_class_gradebook(hub):
    from congdanso.hub.codes import TRAINER

    trainer, _ = login(hub["url"], TRAINER, hub["codes"][TRAINER])
    assert open_lab(hub["url"], trainer, TRAINER).status_code == 200
    api = f"{hub['url']}/user/{TRAINER}/formgrader/api"
    assignments = trainer.get(f"{api}/assignments", timeout=60)
    assert assignments.status_code == 200, assignments.text[:300]
    found = {a["name"]: a for a in assignments.json()}
    assert found[ASSIGNMENT]["num_submissions"] == 3
    students = {s["id"]: s for s in trainer.get(f"{api}/students", timeout=60).json()}
    assert set(students) == set(LEARNERS)
    assert students[LEARNERS[0]]["score"] == CELLS
    assert students[LEARNERS[2]]["score"] == ACTIVATION_ONLY
    learner = hub["sessions"][LEARNERS[0]]  # a learner's server has no formgrader
    assert learner.get(f"{hub['url']}/user/{LEARNERS[0]}/formgrader/api/students",
                       timeout=30).status_code == 404


def test_a_learner_cannot_reach_another_learners_server(hub):
    intruder = hub["sessions"][LEARNERS[1]]
    page = intruder.get(f"{hub['url']}/user/{LEARNERS[0]}/lab", timeout=30)
    assert page.status_code == 403
    files = intruder.get(f"{hub['url']}/user/{LEARNERS[0]}/api/contents/khoa-hoc", timeout=30)
    assert files.status_code == 403


def test_a_wrong_code_is_refused_in_vietnamese(hub):
    _, response = login(hub["url"], LEARNERS[0], "00000000")
    assert response.status_code == 403
    page = response.content.decode("utf-8")
    assert 'lang="vi"' in page and "Mã học viên hoặc mã đăng nhập chưa đúng" in page
    assert "Invalid username" not in page


def test_the_live_view_is_the_trainers_alone(hub):
    from congdanso.hub.codes import TRAINER

    learner = hub["sessions"][LEARNERS[0]]
    assert learner.get(f"{hub['url']}/services/lop-hoc/", timeout=30).status_code == 403
    trainer, _ = login(hub["url"], TRAINER, hub["codes"][TRAINER])
    page = trainer.get(f"{hub['url']}/services/lop-hoc/", timeout=60)
    assert page.status_code == 200
    text = page.content.decode("utf-8")
    assert all(user in text for user in LEARNERS) and "Lớp học đang làm gì" in text


def test_ctrl_c_stops_every_server_and_the_proxy(hub):
    process = hub["process"]
    children = psutil.Process(process.pid).children(recursive=True)
    assert children
    process.send_signal(signal.SIGINT)
    assert process.wait(90) == 0
    _, alive = psutil.wait_procs(children, timeout=30)
    assert not alive, [p.cmdline() for p in alive]
    assert not any(Path("/sys/fs/cgroup").rglob("congdanso-*-lop-hv-lop-*"))
    log = hub["log"].read_text()
    assert re.search(r"Cleaning up single-user servers", log)
    import psycopg2

    with pytest.raises(psycopg2.OperationalError):  # the gradebook's cluster stopped too
        psycopg2.connect(host="127.0.0.1", port=PG_PORT, user="congdanso", dbname="postgres",
                         connect_timeout=3)


def test_ctrl_c_stops_a_hub_started_in_the_background_within_seconds():
    """A hub started as a shell's background job (SIGINT ignored from the start) passed that on
    to its two services, which JupyterHub starts before its own signal handlers: on Ctrl+C it
    waited 30 s for each at "Cleaning up 2 services" before its SIGTERM (62 s measured)."""
    from browserkit import free_port

    with class_server(["hv-dung-01"], port=free_port(), pg_port=free_port(),
                      background=True) as running:
        process = running["process"]
        services = [p for p in psutil.Process(process.pid).children(recursive=True)
                    if "congdanso.hub.service" in p.cmdline()
                    or "jupyterhub_idle_culler" in p.cmdline()]
        assert len(services) == 2
        started = time.monotonic()
        process.send_signal(signal.SIGINT)
        assert process.wait(90) == 0
        took = time.monotonic() - started
        _, alive = psutil.wait_procs(services, timeout=5)
        assert not alive
        assert took < 10, f"{took:.1f} s to stop"
        log = running["log"].read_text()
        assert "Cleaning up 2 services" in log and "Traceback" not in log
