"""`make start` (the README's first command) serves the course on 127.0.0.1 with JupyterLab."""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import time
import unicodedata
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_make_start_serves_the_first_lesson(tmp_path):
    port = _free_port()
    log = tmp_path / "start.log"
    env = {**os.environ, "JUPYTER_RUNTIME_DIR": str(tmp_path / "runtime"), "BROWSER": "true"}
    with open(log, "w") as out:
        proc = subprocess.Popen(["make", "-s", "start", f"PORT={port}"], cwd=ROOT, stdout=out,
                                stderr=subprocess.STDOUT, env=env, start_new_session=True)
    try:
        url = None
        deadline = time.time() + 90
        while time.time() < deadline and url is None:
            time.sleep(0.5)
            match = re.search(rf"http://127\.0\.0\.1:{port}/lab/tree/course/\S+\?token=(\w+)",
                              log.read_text())
            url = match and match.group(0)
            assert proc.poll() is None, log.read_text()[-3000:]
        assert url, log.read_text()[-3000:]
        token = url.rsplit("=", 1)[1]
        api = (f"http://127.0.0.1:{port}/api/contents/course/00-the-gioi-mo-phong.ipynb"
               f"?token={token}&content=0")
        with urllib.request.urlopen(api, timeout=30) as response:
            model = json.load(response)
        assert model["type"] == "notebook" and model["name"] == "00-the-gioi-mo-phong.ipynb"
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/kernelspecs?token={token}",
                                    timeout=30) as response:
            assert "python3" in json.load(response)["kernelspecs"]
        base = f"http://127.0.0.1:{port}/lab/api"

        def get(path: str) -> dict:
            with urllib.request.urlopen(f"{base}/{path}?token={token}", timeout=30) as answer:
                return json.load(answer)

        # In Vietnamese (the language pack from PyPI, chosen by the course's overrides) ...
        def default(plugin: str, key: str):  # overrides become the schema's defaults
            return get(f"settings/{plugin}")["schema"]["properties"][key]["default"]

        assert default("@jupyterlab/translation-extension:plugin", "locale") == "vi_VN"
        catalogue = get("translations/vi_VN")["data"]["jupyterlab"]
        assert [unicodedata.normalize("NFC", t) for t in catalogue["Busy"]] == ["Đang bận"]
        themes = default("@jupyterlab/apputils-extension:themes", "overrides")
        assert themes["content-font-size1"] == "18px"
        # ... and on first start with the sidebars closed, so a phone shows the lesson
        layout = get("workspaces/default")["data"]["layout-restorer:data"]
        assert layout["left"]["collapsed"] is True
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(30)
