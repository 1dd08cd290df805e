"""The class server under a class's load, on this machine (run as root: `make bench-hub`).

1. 30 learners log in at once (the login form, as a browser posts it) and each starts a lesson's
   kernel: time from login to a ready server (p50/p95), memory of each idle learner server and of
   a learner with a kernel (RSS of their own processes), the hub's latency with 30 servers up.
   Targets on 2 cores: all 30 ready within 60 s; at most 150 MiB per idle learner server.
2. Grading throughput on one synthetic cohort (30 learners × 2 exercises): `congdanso autograde`
   with 1 and 2 local workers, on a Dask LocalCluster of 1 and 2 workers, and stock
   `nbgrader autograde` on the same submissions.
"""

from __future__ import annotations

import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import psutil
import requests

ROOT = Path(__file__).resolve().parents[1]
PORT, PG_PORT = 18700, 18755
LEARNERS = [f"hv-bench-{i:02d}" for i in range(1, 31)]


def _p(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def hub_load() -> None:
    from congdanso.cohort.roster import import_roster
    from congdanso.hub import codes

    for user in LEARNERS:
        subprocess.run(["userdel", "--remove", "--force", user], capture_output=True)
    work = Path(tempfile.mkdtemp(prefix="cds-bench-"))
    work.chmod(0o755)
    course = work / "khoa"
    course.mkdir()
    shutil.copy(ROOT / "exercises/nbgrader_config.py", course)
    shutil.copy(ROOT / "exercises/dap-an.json", course)
    roster = work / "ds.csv"
    roster.write_text("Mã học viên,Họ và tên,Phường,Khu phố,Vai trò\n" + "".join(
        f"{u},Học Viên {i},Phường Lái Thiêu,Khu phố Đông Nhì,Tình nguyện viên\n"
        for i, u in enumerate(LEARNERS, 1)), encoding="utf-8")
    import_roster(roster, course)
    plain = codes.issue(course, LEARNERS)
    log = (work / "hub.log").open("w")
    hub = subprocess.Popen([str(Path(sys.executable).with_name("congdanso")), "hub", "--course",
                            str(course), "--port", str(PORT), "--ip", "127.0.0.1",
                            "--trao-doi", str(work / "trao-doi"), "--thu-muc-so-diem",
                            str(work / "pg"), "--cong-so-diem", str(PG_PORT)],
                           stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{PORT}"
    try:
        for _ in range(240):  # the proxy answers 404 until the hub has added its route
            try:
                if requests.get(base + "/hub/login", timeout=2).status_code == 200:
                    break
            except requests.ConnectionError:
                pass
            time.sleep(0.5)

        def one(user: str) -> tuple[str, float, requests.Session]:
            started = time.perf_counter()
            session = requests.Session()
            session.get(f"{base}/hub/login?username={user}", timeout=60)
            session.post(f"{base}/hub/login", data={"username": user, "password": plain[user],
                                                    "_xsrf": session.cookies.get("_xsrf")},
                         timeout=300)
            # as the browser's "server starting" page does: follow the hub's progress stream
            # until the server is ready (no page reloads while 30 servers start), then open Lab
            xsrf = next((c.value for c in session.cookies if c.name == "_xsrf"), "")
            with session.get(f"{base}/hub/api/users/{user}/server/progress",
                             params={"_xsrf": xsrf}, headers={"Accept": "text/event-stream"},
                             stream=True, timeout=300) as progress:
                for line in progress.iter_lines():
                    if b'"ready": true' in line or b'"failed": true' in line:
                        break
            for _ in range(600):
                page = session.get(f"{base}/user/{user}/lab", timeout=60)
                if page.status_code == 200 and f"/user/{user}/" in page.url:
                    break
                time.sleep(0.5)
            return user, time.perf_counter() - started, session

        hub_process = psutil.Process(hub.pid)
        hub_cpu = sum(hub_process.cpu_times()[:2])
        clock = time.perf_counter()
        with ThreadPoolExecutor(len(LEARNERS)) as pool:
            done = list(pool.map(one, LEARNERS))
        all_ready = time.perf_counter() - clock
        hub_cpu = sum(hub_process.cpu_times()[:2]) - hub_cpu
        server_cpu = [sum(p.cpu_times()[:2]) for p in psutil.process_iter(["username", "cmdline"])
                      if p.info["username"] in LEARNERS
                      and "singleuser" in " ".join(p.info["cmdline"] or [])]
        spawn = [seconds for _, seconds, _ in done]
        time.sleep(3)
        if not any("singleuser" in " ".join(p.info["cmdline"] or [])
                   for p in psutil.process_iter(["cmdline"])):
            lines = (work / "hub.log").read_text().splitlines()
            raise SystemExit("Không máy nào của học viên chạy được; nhật ký hub:\n" + "\n".join(
                [x for x in lines if "POST /hub/login" in x or "[E" in x or "[W" in x][:30]))
        idle, unique = [], []  # RSS counts shared libraries once per process; USS does not
        for proc in psutil.process_iter(["username", "cmdline", "memory_info"]):
            if proc.info["username"] in LEARNERS and "singleuser" in " ".join(
                    proc.info["cmdline"] or []):
                idle.append(proc.info["memory_info"].rss / 2**20)
                unique.append(proc.memory_full_info().uss / 2**20)
        for user, _, session in done:  # start a lesson: one kernel each
            token = next((c.value for c in session.cookies if c.name == "_xsrf"
                          and "/user/" in c.path), "")
            session.post(f"{base}/user/{user}/api/kernels", json={"name": "python3"},
                         headers={"X-XSRFToken": token}, timeout=120)
        time.sleep(15)
        per_learner: dict[str, float] = {}
        for proc in psutil.process_iter(["username", "memory_info"]):
            if proc.info["username"] in LEARNERS:
                per_learner[proc.info["username"]] = per_learner.get(
                    proc.info["username"], 0) + proc.info["memory_info"].rss / 2**20
        latency = []
        for _ in range(50):
            started = time.perf_counter()
            requests.get(base + "/hub/login", timeout=30)
            latency.append((time.perf_counter() - started) * 1000)
        print(f"30 học viên đăng nhập cùng lúc: sẵn sàng sau p50 {_p(spawn, .5):.1f} s, p95 "
              f"{_p(spawn, .95):.1f} s; cả 30 trong {all_ready:.1f} s [mục tiêu ≤ 60 s: "
              f"{'đạt' if all_ready <= 60 else 'CHƯA ĐẠT'}]")
        print(f"CPU trong lúc cả lớp vào: hub {hub_cpu:.1f} s; mỗi máy học viên p50 "
              f"{statistics.median(server_cpu or [0]):.1f} s (tổng {sum(server_cpu):.0f} s, "
              f"{os.cpu_count()} lõi)")
        print(f"bộ nhớ máy của một học viên khi nghỉ: riêng (USS) p50 "
              f"{statistics.median(unique):.0f} MiB, lớn nhất {max(unique):.0f} MiB [mục tiêu ≤ "
              f"150 MiB: {'đạt' if max(unique) <= 150 else 'CHƯA ĐẠT'}]; kể cả thư viện dùng "
              f"chung (RSS) p50 {statistics.median(idle):.0f} MiB ({len(idle)} máy)")
        values = list(per_learner.values()) or [0.0]
        print(f"bộ nhớ một học viên có kernel bài học: p50 {statistics.median(values):.0f} MiB, "
              f"lớn nhất {max(values):.0f} MiB")
        print(f"độ trễ của hub khi 30 máy đang chạy: p50 {_p(latency, .5):.1f} ms, p95 "
              f"{_p(latency, .95):.1f} ms")
    finally:
        hub.send_signal(signal.SIGINT)
        try:
            hub.wait(120)
        except subprocess.TimeoutExpired:
            hub.kill()
        for user in LEARNERS:
            subprocess.run(["userdel", "--remove", "--force", user], capture_output=True)
        shutil.rmtree(work, ignore_errors=True)


def grading_throughput() -> None:
    from congdanso.cohort import grading

    sys.path.insert(0, str(ROOT / "tests"))  # the synthetic cohort's robot lives with the tests
    import synthetic

    work = Path(tempfile.mkdtemp(prefix="cds-cham-"))
    course = work / "khoa"
    course.mkdir()
    shutil.copy(ROOT / "exercises/nbgrader_config.py", course)
    shutil.copy(ROOT / "exercises/dap-an.json", course)
    chosen = ["an-toan-lua-dao", "tai-khoan-dvc"]
    (course / "source").mkdir()
    for name in chosen:
        shutil.copytree(ROOT / "exercises/source" / name, course / "source" / name)
    synthetic.build(course, synthetic.cohort(30), chosen)
    count = 30 * len(chosen)
    runs = {}
    for label, options in (("congdanso, 1 tiến trình", {"jobs": 1}),
                           ("congdanso, 2 tiến trình", {"jobs": 2}),
                           ("Dask, 1 máy chấm", {"jobs": 1, "dask": "local"}),
                           ("Dask, 2 máy chấm", {"jobs": 2, "dask": "local"})):
        started = time.perf_counter()
        grading.autograde(course, chosen, **options)
        runs[label] = time.perf_counter() - started
    started = time.perf_counter()
    for name in chosen:  # stock nbgrader, same course, same submissions
        subprocess.run([str(Path(sys.executable).with_name("nbgrader")), "autograde", name,
                        "--force"], cwd=course, capture_output=True, check=False,
                       env={**os.environ, "PATH": f"{Path(sys.executable).parent}:"
                            + os.environ["PATH"]})
    runs["nbgrader autograde (gốc)"] = time.perf_counter() - started
    stock = runs["nbgrader autograde (gốc)"]
    for label, seconds in runs.items():
        print(f"chấm {count} bài: {label}: {seconds:.1f} s ({count / seconds:.1f} bài/giây; "
              f"{stock / seconds:.1f}× nbgrader gốc)")
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    if os.geteuid() != 0:
        raise SystemExit("Cần quyền root (mỗi học viên là một tài khoản hệ thống).")
    hub_load()
    grading_throughput()
