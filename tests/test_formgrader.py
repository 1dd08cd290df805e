"""The trainer's formgrader with the course's own nbgrader configuration: a learner's submission
opens on nbgrader's grading page, and the feedback the formgrader writes is still ours.

The course sets our Vietnamese feedback template; set for every nbconvert exporter, it also
replaced the formgrader's own page ("formgrade"), which then failed without a score (HTTP 500 on
``/formgrader/submissions/<id>/``). A real ``jupyter server`` with the formgrader runs on the
course here, with its Jupyter folders and home in the test's temporary folder.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest
import requests

ROOT = Path(__file__).resolve().parents[1]
ASSIGNMENT = "tai-khoan-dvc"
LEARNER = "hv-01"
TOKEN = "ma-thu-formgrader"
# A cell only this learner's notebook has: the grading page must show the learner's own work.
NOTE = "Ghi chú riêng của hv-01: đã gọi lại cho bà Trinh."

pytestmark = pytest.mark.nbgrader


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _env(base: Path) -> dict[str, str]:
    """Nothing of the machine's ~/.jupyter is read or written."""
    folders = {name: base / name.lower() for name in (
        "HOME", "JUPYTER_CONFIG_DIR", "JUPYTER_DATA_DIR", "JUPYTER_RUNTIME_DIR")}
    for folder in folders.values():
        folder.mkdir(parents=True, exist_ok=True)
    return {**os.environ, **{name: str(folder) for name, folder in folders.items()},
            "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}


def _nbgrader(course: Path, env: dict[str, str], *args: str) -> None:
    done = subprocess.run([sys.executable, "-m", "nbgrader", *args], cwd=course, env=env,
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.fixture(scope="module")
def formgrader(tmp_path_factory):
    """A course with one autograded submission and the formgrader serving it."""
    from congdanso.grading.variants import write_variant_table
    from nbgrader.api import Gradebook

    base = tmp_path_factory.mktemp("formgrader")
    env = _env(base / "nha")
    course = base / "khoa"
    course.mkdir()
    shutil.copy(ROOT / "exercises/nbgrader_config.py", course)
    shutil.copy(ROOT / "exercises/dap-an.json", course)
    shutil.copytree(ROOT / "exercises/source" / ASSIGNMENT, course / "source" / ASSIGNMENT)
    _nbgrader(course, env, "generate_assignment", ASSIGNMENT, "--force")
    write_variant_table(course, ASSIGNMENT, [LEARNER])
    submitted = course / "submitted" / LEARNER / ASSIGNMENT
    shutil.copytree(course / "release" / ASSIGNMENT, submitted)
    notebook = submitted / f"{ASSIGNMENT}.ipynb"
    nb = nbformat.read(notebook, as_version=4)
    nb.cells.insert(2, nbformat.v4.new_markdown_cell(NOTE))
    nbformat.write(nb, notebook)
    _nbgrader(course, env, "autograde", ASSIGNMENT, "--create")
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gradebook:
        submission = gradebook.find_submission_notebook(ASSIGNMENT, ASSIGNMENT, LEARNER).id
    port = _free_port()
    log = (base / "server.log").open("w", encoding="utf-8")
    server = subprocess.Popen(
        [sys.executable, "-m", "jupyter", "server", "--no-browser", "--allow-root",
         "--ip=127.0.0.1", f"--port={port}", f"--IdentityProvider.token={TOKEN}",
         '--ServerApp.jpserver_extensions={"nbgrader.server_extensions.formgrader": True}'],
        cwd=course, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    session = requests.Session()
    session.headers["Authorization"] = f"token {TOKEN}"
    try:
        deadline = time.monotonic() + 120
        while True:
            assert server.poll() is None, (base / "server.log").read_text("utf-8")[-3000:]
            assert time.monotonic() < deadline, "jupyter server không sẵn sàng sau 120 giây"
            try:
                if session.get(f"{url}/api/status", timeout=5).status_code == 200:
                    break
            except requests.ConnectionError:
                pass
            time.sleep(0.5)
        yield {"url": url, "session": session, "submission": submission, "course": course,
               "log": base / "server.log"}
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        log.close()


def test_a_submission_opens_on_the_formgraders_own_page(formgrader):
    page = formgrader["session"].get(
        f"{formgrader['url']}/formgrader/submissions/{formgrader['submission']}/", timeout=60)
    assert page.status_code == 200, formgrader["log"].read_text("utf-8")[-3000:]
    assert "Open live notebook" in page.text  # nbgrader's grading page, not the feedback page
    assert "Phản hồi bài" not in page.text
    assert NOTE in page.text  # the learner's own cell
    assert '<span class="s2">"vneid-muc-2"</span>' in page.text  # a grade cell, highlighted


def test_feedback_written_from_the_formgrader_is_still_ours(formgrader):
    done = formgrader["session"].post(
        f"{formgrader['url']}/formgrader/api/assignment/{ASSIGNMENT}/{LEARNER}/generate_feedback",
        timeout=120)
    assert done.status_code == 200 and done.json()["success"], done.text[-3000:]
    page = (formgrader["course"] / "feedback" / LEARNER / ASSIGNMENT / f"{ASSIGNMENT}.html"
            ).read_text("utf-8")
    assert '<html lang="vi">' in page and "Phản hồi bài: Tạo tài khoản VNeID và Cổng Dịch vụ công" in page
    assert NOTE in page and "Open live notebook" not in page


def test_only_nbgraders_feedback_step_gets_our_template():
    from congdanso.grading.feedback import TEMPLATES, use_our_feedback
    from nbconvert import HTMLExporter
    from nbgrader.converters import GenerateFeedback
    from traitlets.config import Config

    config = Config()
    use_our_feedback(config)
    assert HTMLExporter(config=config).template_name == "lab"  # nbconvert's own, untouched
    step = GenerateFeedback(config=config)
    exporter = HTMLExporter(parent=step, config=step.config)
    assert exporter.template_name == "feedback"
    assert exporter.template_paths[0] == str(TEMPLATES / "feedback")
