"""What the browser tests share: Debian's chromium for Playwright, free ports, server start-up."""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--headless=new", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_port(port: int, server, log: Path, timeout: float = 90) -> None:
    """Wait until something listens on ``port``; fail with the server's log if it died."""
    deadline = time.time() + timeout
    while True:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            assert server.poll() is None, log.read_text()[-3000:]
            assert time.time() < deadline, log.read_text()[-3000:]
            time.sleep(0.3)


@contextlib.contextmanager
def jupyter_lab(root: Path, *, log: Path, token: str, env: dict[str, str] | None = None):
    """JupyterLab on 127.0.0.1 serving ``root``, stopped (with its kernels) on exit. Yields the
    base URL. Fails the test, with the server's log, if it dies or is not up within 90 s."""
    if not Path(CHROMIUM).exists():
        raise AssertionError("Debian's chromium is needed for browser tests: "
                             "apt-get install -y chromium")
    port = free_port()
    environment = {**os.environ, "JUPYTER_CONFIG_DIR": str(root / ".jupyter"),
                   "JUPYTER_RUNTIME_DIR": str(root / ".runtime"),
                   "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
                   **(env or {})}
    subprocess.run([sys.executable, "-m", "jupyter", "lab", "workspaces", "import",  # as make start
                    str(ROOT / "widgets/jupyter-config/workspaces/hoc-vien.jupyterlab-workspace")],
                   env=environment, capture_output=True, check=True, timeout=120)
    with open(log, "w") as out:
        server = subprocess.Popen(
            [sys.executable, "-m", "jupyter", "lab", "--no-browser", "--allow-root",
             f"--ServerApp.port={port}", "--ServerApp.ip=127.0.0.1",
             f"--ServerApp.token={token}", f"--ServerApp.root_dir={root}",
             "--LabApp.news_url=", "--ServerApp.open_browser=False",
             # what `make start` gives learners: Vietnamese, larger text
             f"--LabApp.app_settings_dir={ROOT / 'widgets' / 'jupyter-config'}"],
            cwd=root, env=environment, stdout=out, stderr=subprocess.STDOUT,
            start_new_session=True)
        try:
            deadline = time.time() + 90
            while "is running at" not in log.read_text() and not re.search(
                    r"http://127\.0\.0\.1:\d+/lab", log.read_text()):
                assert server.poll() is None and time.time() < deadline, log.read_text()[-3000:]
                time.sleep(0.5)
            yield f"http://127.0.0.1:{port}"
        finally:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(30)
