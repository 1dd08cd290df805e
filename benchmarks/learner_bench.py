"""Memory of learner mode: each lesson's kernel after its page has run, and a learner's server.

    python benchmarks/learner_bench.py

Serves a copy of the course with ``congdanso hoc`` (learner mode, as ``make start``), opens each
lesson as its page (Voilà runs every cell on the server) and reads that kernel's resident memory
[target ≤ 90 MiB], then shuts the kernel down. Then the server itself, idle with no page open:
started with the extensions a learner's server has on the class server (learner mode and Voilà;
no terminal, language server, jupytext, notebook, formgrader) [target ≤ 150 MiB], against stock
JupyterLab with every installed extension on the same machine.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parents[1]
MIB = 2**20


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _serve(args: list[str], log: Path, env: dict[str, str], ready: str) -> subprocess.Popen:
    with open(log, "w") as out:
        server = subprocess.Popen(args, stdout=out, stderr=subprocess.STDOUT, env=env,
                                  start_new_session=True)
    deadline = time.time() + 120
    while ready not in log.read_text():
        if server.poll() is not None or time.time() > deadline:
            raise SystemExit(log.read_text()[-3000:])
        time.sleep(0.3)
    return server


def _get(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=300) as answer:
        return answer.read()


def _kernels(server: subprocess.Popen) -> dict[int, float]:
    found = {}
    for process in psutil.Process(server.pid).children(recursive=True):
        try:
            if "ipykernel" in " ".join(process.cmdline()):
                found[process.pid] = process.memory_info().rss / MIB
        except psutil.Error:  # a kernel shut down a moment ago
            continue
    return found


def _server_rss(server: subprocess.Popen) -> float:
    """The Jupyter server process (make's and congdanso's exec leave it as this pid)."""
    return psutil.Process(server.pid).memory_info().rss / MIB


def main() -> None:
    work = Path(tempfile.mkdtemp(prefix="learner-bench-"))
    try:
        khoa = work / "khoa"
        for part in ("course", "exercises"):
            shutil.copytree(ROOT / part, khoa / part, ignore=shutil.ignore_patterns(
                "nhat-ky.jsonl*", "gradebook.db", "exchange", "release", ".congdanso", "src"))
        env = {k: v for k, v in os.environ.items() if not k.startswith("JUPYTER")}
        env["HOME"] = str(work / "home")
        port = _free_port()
        server = _serve([sys.executable, "-m", "congdanso", "hoc", "--thu-muc", str(khoa),
                         "--port", str(port), "--khong-mo-trinh-duyet"], work / "hoc.log", env,
                        "is running at")
        token = re.search(r"token=([\w-]+)", (work / "hoc.log").read_text()).group(1)
        base = f"http://127.0.0.1:{port}"
        print("Bộ nhớ kernel của từng bài học sau khi trang đã chạy (mục tiêu ≤ 90 MiB):")
        worst = 0.0
        try:
            for lesson in sorted((khoa / "course").glob("[0-9][0-9]-*.ipynb")):
                before = set(_kernels(server))
                t0 = time.perf_counter()
                _get(f"{base}/voila/render/course/{lesson.name}?token={token}")
                seconds = time.perf_counter() - t0
                time.sleep(1)
                new = {pid: rss for pid, rss in _kernels(server).items() if pid not in before}
                rss = max(new.values(), default=0.0)
                worst = max(worst, rss)
                mark = "✔" if rss <= 90 else "✘"
                print(f"  {mark} {lesson.stem:34s} {rss:6.1f} MiB   (trang chạy trong "
                      f"{seconds:4.1f} s)")
                for pid in new:
                    os.kill(pid, signal.SIGTERM)
            time.sleep(2)
            idle_one_machine = _server_rss(server)
        finally:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(30)
        print(f"  lớn nhất: {worst:.1f} MiB")

        # A learner's server as the class server starts it, and stock JupyterLab, both idle
        # after their first page.
        from congdanso.hub.spawner import LEARNER_OFF, LEARNER_ON

        chosen = {**dict.fromkeys(LEARNER_OFF, False), **dict.fromkeys(LEARNER_ON, True)}
        common = [sys.executable, "-m", "jupyterlab", "--no-browser", "--allow-root",
                  "--ServerApp.ip=127.0.0.1", f"--ServerApp.root_dir={khoa}",
                  "--IdentityProvider.token=do-bo-nho"]
        runs = {
            "máy học viên trên máy chủ lớp (chế độ học viên)": [
                *common, "--ServerApp.terminals_enabled=False",
                f"--ServerApp.jpserver_extensions={chosen!r}", "--LearnerMode.lessons=course",
                "--LearnerMode.work="],
            "JupyterLab gốc, mọi tiện ích đã cài": common,
        }
        figures = {}
        for label, args in runs.items():
            port = _free_port()
            server = _serve([*args, f"--ServerApp.port={port}"], work / "lab.log", env,
                            "is running at")
            try:
                first = "hoc" if "LearnerMode" in " ".join(args) else "lab"
                _get(f"http://127.0.0.1:{port}/{first}?token=do-bo-nho")
                time.sleep(3)
                figures[label] = _server_rss(server)
            finally:
                os.killpg(server.pid, signal.SIGTERM)
                server.wait(30)
        print("Máy chủ Jupyter khi không mở trang nào (mục tiêu ≤ 150 MiB):")
        print(f"  make start (một máy, có JupyterLab đầy đủ cho giảng viên): "
              f"{idle_one_machine:6.1f} MiB")
        stock = figures["JupyterLab gốc, mọi tiện ích đã cài"]
        for label, rss in figures.items():
            mark = "✔" if rss <= 150 or label.startswith("JupyterLab gốc") else "✘"
            print(f"  {mark} {label}: {rss:6.1f} MiB ({rss / stock:.2f}× JupyterLab gốc)")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
