"""`make start` (the README's first command) opens the course in learner mode on 127.0.0.1, with
the course's own Jupyter settings: a user who already has a JupyterLab layout and an nbgrader
cache of their own finds both untouched, and the course still opens as it should."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import time
import unicodedata
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _snapshot(folder: Path) -> dict[str, tuple[int, int]]:
    return {str(p.relative_to(folder)): (p.stat().st_size, p.stat().st_mtime_ns)
            for p in folder.rglob("*") if p.is_file()}


def _users_own_jupyter(home: Path) -> None:
    """A user who used JupyterLab and nbgrader before: a layout with the file panel open, and
    a hand-in in nbgrader's cache."""
    workspaces = home / ".jupyter" / "lab" / "workspaces"
    workspaces.mkdir(parents=True)
    (workspaces / "default-37a8.jupyterlab-workspace").write_text(json.dumps({
        "data": {"layout-restorer:data": {"left": {"collapsed": False, "visible": True,
                                                   "widgets": ["filebrowser"]}}},
        "metadata": {"id": "default"}}))
    cache = home / ".local" / "share" / "jupyter" / "nbgrader_cache" / "congdanso"
    (cache / "someone+tai-khoan-dvc+2026-11-30 10:00:00.000000 UTC").mkdir(parents=True)
    (cache / "someone+tai-khoan-dvc+2026-11-30 10:00:00.000000 UTC" / "a.ipynb").write_text("{}")


def test_make_start_opens_learner_mode_with_the_courses_own_settings(tmp_path):
    course = tmp_path / "khoa"
    course.mkdir()
    for part in ("course", "exercises"):
        shutil.copytree(ROOT / part, course / part, ignore=shutil.ignore_patterns(
            "nhat-ky.jsonl*", "gradebook.db", "exchange", "release", ".congdanso", "submitted"))
    home = tmp_path / "home"
    _users_own_jupyter(home)
    before = _snapshot(home)
    port = _free_port()
    log = tmp_path / "start.log"
    env = {key: value for key, value in os.environ.items()
           if not key.startswith(("JUPYTER", "JUPYTERLAB", "IPYTHONDIR"))}
    env.update(HOME=str(home), BROWSER="true")
    with open(log, "w") as out:
        proc = subprocess.Popen(
            ["make", "-s", "start", f"PORT={port}",
             f"HOC_ARGS=--thu-muc {course} --khong-mo-trinh-duyet"],
            cwd=ROOT, stdout=out, stderr=subprocess.STDOUT, env=env, start_new_session=True)
    try:
        token = None
        deadline = time.time() + 120
        while time.time() < deadline and token is None:
            time.sleep(0.5)
            match = re.search(rf"http://127\.0\.0\.1:{port}/hoc\?token=([\w-]+)", log.read_text())
            token = match and match.group(1)
            assert proc.poll() is None, log.read_text()[-3000:]
        assert token, log.read_text()[-3000:]
        while time.time() < deadline and "is running at" not in log.read_text():
            time.sleep(0.5)

        def get(path: str) -> bytes:
            joiner = "&" if "?" in path else "?"
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/{path}{joiner}token={token}",
                                        timeout=60) as answer:
                return answer.read()

        (course / "course" / "anh.png").write_bytes(b"\x89PNG\r\n\x1a\n")
        for key in ("", f"?token={token}"):  # Voilà's file route asks nobody: it serves none
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/voila/files/course/anh.png{key}",
                                       timeout=30)
                raise AssertionError("a file was served by /voila/files/")
            except urllib.error.HTTPError as refused:
                assert refused.code in (403, 404)
        home_page = get("hoc").decode()
        assert "Bài 00 — Làm quen với thế giới mô phỏng" in home_page
        assert "Bạn là ai? (chỉ hỏi một lần)" in home_page  # a class of one: asks the name once
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/?token={token}",
                                    timeout=30) as answer:
            assert answer.url.split("?")[0].endswith("/hoc")  # the browser lands on the course's home page
        # JupyterLab is one link away, in Vietnamese, larger text ...
        base = "lab/api"
        settings = json.loads(get(f"{base}/settings/@jupyterlab/translation-extension:plugin"))
        assert settings["schema"]["properties"]["locale"]["default"] == "vi_VN"
        catalogue = json.loads(get(f"{base}/translations/vi_VN"))["data"]["jupyterlab"]
        assert [unicodedata.normalize("NFC", t) for t in catalogue["Busy"]] == ["Đang bận"]
        themes = json.loads(get(f"{base}/settings/@jupyterlab/apputils-extension:themes"))
        assert themes["schema"]["properties"]["overrides"]["default"][
            "content-font-size1"] == "18px"
        # ... with the course's first layout (sidebars closed), not the user's own
        layout = json.loads(get(f"{base}/workspaces/default"))["data"]["layout-restorer:data"]
        assert layout["left"]["collapsed"] is True
        assert (course / ".may-hoc" / "lab-workspaces").is_dir()
        assert "@jupyter/nbgrader:validate-assignment" in get("lab").decode()  # turned off
        config = (course / "bai-tap-cua-toi" / "nbgrader_config.py").read_text()
        assert str(course / "bai-tap-cua-toi" / ".nbgrader-cache") in config
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(30)
    assert _snapshot(home) == before  # nothing of the user's was read into or changed
