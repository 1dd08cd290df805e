"""`make start` (the README's first command) serves the course on 127.0.0.1 with JupyterLab."""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import time
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
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(30)
