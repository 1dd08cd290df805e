"""The class server under a class's load, on this machine (run as root: `make bench-hub`).

    python benchmarks/hub_bench.py [--only hub|grading] [--keep-modes] [--timeout 30]

1. 30 learners log in at once (the login form, as a browser posts it) and each starts a lesson's
   kernel: time from login to a ready server (p50/p95), memory of each idle learner server and of
   a learner with a kernel (RSS of their own processes), the hub's latency with 30 servers up.
   Targets on 2 cores: all 30 ready within 60 s; at most 150 MiB per idle learner server.
   The hub is `congdanso hub`, started as the hub tests start it (tests/hubkit.py): folders on
   the way to Python that learners cannot pass through are opened for traversal (o+x) while it
   runs and put back after (``--keep-modes``: left alone, and the hub refuses). If the hub stops
   or never answers, its own message is printed and the benchmark exits non-zero.
2. Grading throughput on one synthetic cohort (30 learners × 2 exercises), each way on its own
   copy of the same course, timed as a command run from the shell (start-up included): stock
   `nbgrader autograde` (the course's nbgrader_config.py cut at "# The grader decides", as
   benchmarks/autograde_bench.py does: nbgrader's own preprocessors, a kernel per submission
   running every cell); `nbgrader autograde` with the course's config (our DecideFromJournal in
   nbgrader's pipeline, no kernel); `congdanso autograde` with 1 and 2 processes, and on a Dask
   LocalCluster of 1 and 2 workers (cluster start included).
"""

from __future__ import annotations

import argparse
import contextlib
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
sys.path.insert(0, str(ROOT / "tests"))  # the hub tests' helpers and the synthetic cohort
import hubkit  # noqa: E402

PORT, PG_PORT = 18700, 18755
LEARNERS = [f"hv-bench-{i:02d}" for i in range(1, 31)]
READY_SECONDS = 120  # the hub's first answer (its PostgreSQL gradebook and proxy start first)
STOCK_MARKER = "# The grader decides"  # where the course's own grading starts in its config


def _p(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


class HubDown(SystemExit):
    """The hub refused, stopped or never answered: its own words were printed above."""


def _hub_said(hub: subprocess.Popen, log: Path, summary: str) -> HubDown:
    """Print what `congdanso hub` wrote (its refusal, in its own words) and return the one-line
    summary to exit with (non-zero)."""
    lines = log.read_text(encoding="utf-8", errors="replace").splitlines()
    shown = lines
    if len(lines) > 40:  # a long log: its errors, then how it ends
        errors = [x for x in lines[:-25] if "error" in x.lower() or x.startswith(("[E ", "[C "))]
        shown = [*errors[:15], "…", *lines[-25:]]
    print(f"--- congdanso hub ({log}) ---", file=sys.stderr)
    print("\n".join(shown) or "(không in gì)", file=sys.stderr)
    print("---", file=sys.stderr)
    code = hub.poll()
    state = f"đã dừng, mã {code}" if code is not None else "vẫn chạy"
    return HubDown(f"hub_bench: {summary} (congdanso hub {state}; thông điệp của nó ở trên).")


def _wait_for_hub(hub: subprocess.Popen, log: Path, base: str) -> None:
    deadline = time.monotonic() + READY_SECONDS
    while time.monotonic() < deadline:  # the proxy answers 404 until the hub adds its route
        if hub.poll() is not None:
            raise _hub_said(hub, log, "máy chủ lớp không chạy")
        try:
            if requests.get(base + "/hub/login", timeout=2).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.5)
    raise _hub_said(hub, log, f"máy chủ lớp không trả lời {base}/hub/login sau "
                              f"{READY_SECONDS} s")


def hub_load(*, keep_modes: bool) -> None:
    from congdanso.cohort.roster import import_roster
    from congdanso.hub import codes
    from congdanso.hub.codes import TRAINER
    from congdanso.hub.launch import REPO, unreachable_for_learners
    from congdanso.hub.spawner import LESSONS

    for user in LEARNERS:  # accounts of an earlier run: their old work would be fetched over
        hubkit.remove_account(user)
    trainer_was_there = hubkit.exists(TRAINER)
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
    blocked = unreachable_for_learners([Path(sys.executable), REPO / "widgets", LESSONS])
    if blocked and not keep_modes:
        print("Mở cho học viên đi qua (o+x) trong lúc đo, trả lại như cũ sau đó, như các kiểm "
              "thử của hub: " + ", ".join(map(str, blocked)))
    log_path = work / "hub.log"
    base = f"http://127.0.0.1:{PORT}"
    opened = contextlib.nullcontext() if keep_modes else hubkit.opened_for_learners()
    try:
        with opened, log_path.open("w") as log:
            hub = subprocess.Popen(
                [str(Path(sys.executable).with_name("congdanso")), "hub", "--course",
                 str(course), "--port", str(PORT), "--ip", "127.0.0.1",
                 "--trao-doi", str(work / "trao-doi"), "--thu-muc-so-diem", str(work / "pg"),
                 "--cong-so-diem", str(PG_PORT)], stdout=log, stderr=subprocess.STDOUT)
            try:
                _wait_for_hub(hub, log_path, base)
                _measure(hub, base, plain, work)
            except requests.RequestException as exc:
                if hub.poll() is None:
                    raise
                raise _hub_said(hub, log_path, "máy chủ lớp dừng giữa chừng "
                                               f"({type(exc).__name__})") from None
            finally:
                _stop(hub)
    finally:
        for user in LEARNERS:
            hubkit.remove_account(user)
        if not trainer_was_there:
            hubkit.remove_account(TRAINER)
        shutil.rmtree(work, ignore_errors=True)


def _stop(hub: subprocess.Popen) -> None:
    """Ctrl+C, as a trainer stops it: JupyterHub stops every learner's server and the proxy,
    then the gradebook's PostgreSQL stops."""
    if hub.poll() is not None:
        return
    hub.send_signal(signal.SIGINT)
    try:
        hub.wait(120)
    except subprocess.TimeoutExpired:
        hub.kill()
        hub.wait()


def _measure(hub: subprocess.Popen, base: str, plain: dict[str, str], work: Path) -> None:
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


def _env() -> dict[str, str]:
    return {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}


def grading_throughput(*, timeout: int) -> None:
    import synthetic
    from congdanso.cohort import grading

    chosen = ["an-toan-lua-dao", "tai-khoan-dvc"]
    with tempfile.TemporaryDirectory(prefix="cds-cham-") as tmp:
        work = Path(tmp)
        course = work / "khoa"
        course.mkdir()
        shutil.copy(ROOT / "exercises/nbgrader_config.py", course)
        shutil.copy(ROOT / "exercises/dap-an.json", course)
        (course / "source").mkdir()
        for name in chosen:
            shutil.copytree(ROOT / "exercises/source" / name, course / "source" / name)
        synthetic.build(course, synthetic.cohort(30), chosen)
        count = sum(len(grading.submissions(course, a)) for a in chosen)
        nbgrader = [sys.executable, "-m", "nbgrader", "autograde", "--force",
                    f"--Execute.timeout={timeout}"]
        ours = [sys.executable, "-m", "congdanso.cli", "autograde", "--timeout", str(timeout)]
        runs = [  # (what ran, command; "{course}" is the run's own copy of the course)
            ("nbgrader autograde, cấu hình gốc (nbgrader_config.py của khoá cắt trước "
             f"\"{STOCK_MARKER}\": bộ tiền xử lý của nbgrader, mỗi bài một kernel chạy mọi ô, "
             "không có bộ quyết định DecideFromJournal, không cách ly, lần lượt từng bài)",
             "stock", [[*nbgrader, name] for name in chosen]),
            ("nbgrader autograde, cấu hình của khoá (DecideFromJournal trong pipeline của "
             "nbgrader, không kernel, 1 tiến trình)", "course", [[*nbgrader, name]
                                                               for name in chosen]),
            ("congdanso autograde --jobs 1 (1 tiến trình, quyết định từ nhật ký)", "ours-1",
             [[*ours, "--course", "{course}", "--jobs", "1", *chosen]]),
            ("congdanso autograde --jobs 2 (2 tiến trình)", "ours-2",
             [[*ours, "--course", "{course}", "--jobs", "2", *chosen]]),
            ("congdanso autograde --dask local --jobs 1 (Dask LocalCluster 1 máy chấm, kể cả "
             "dựng cụm và nạp nbgrader ở máy chấm)", "dask-1",
             [[*ours, "--course", "{course}", "--dask", "local", "--jobs", "1", *chosen]]),
            ("congdanso autograde --dask local --jobs 2 (Dask LocalCluster 2 máy chấm, kể cả "
             "dựng cụm và nạp nbgrader ở mỗi máy chấm)", "dask-2",
             [[*ours, "--course", "{course}", "--dask", "local", "--jobs", "2", *chosen]]),
        ]
        # every copy made before any grading: a stock kernel runs the learners' code, and one
        # kind of learner deletes the gradebook of the course they were built in
        copies = {}
        for _, name, _ in runs:
            copies[name] = work / name
            shutil.copytree(course, copies[name])
        config = copies["stock"] / "nbgrader_config.py"
        config.write_text(config.read_text(encoding="utf-8").split(STOCK_MARKER)[0],
                          encoding="utf-8")
        print(f"chấm {count} bài nộp (30 học viên × {len(chosen)} bài: {', '.join(chosen)}), "
              f"mỗi cách trên một bản sao riêng của cùng khoá học, tính như lệnh gõ từ shell "
              f"(kể cả khởi động Python), tối đa {timeout} s một ô, {os.cpu_count()} lõi:")
        timed = []
        for label, name, commands in runs:
            copy = copies[name]
            started = time.perf_counter()
            errors = 0
            for command in commands:
                done = subprocess.run([part.replace("{course}", str(copy)) for part in command],
                                      cwd=copy, env=_env(), capture_output=True, text=True)
                errors += done.stderr.count("There was an error processing assignment:")
                if name.startswith(("ours", "dask")) and done.returncode not in (0, 1):
                    print(done.stdout, done.stderr, file=sys.stderr)
                    raise SystemExit(f"hub_bench: {' '.join(command[2:])} thất bại "
                                     f"(mã {done.returncode}).")
            seconds = time.perf_counter() - started
            graded = sum(1 for a in chosen for s in grading.submissions(copy, a)
                         if (copy / "autograded" / s / a).is_dir())
            timed.append((label, seconds, graded, errors))
        stock = timed[0][1]
        for index, (label, seconds, graded, errors) in enumerate(timed):
            compared = ("mốc so sánh" if index == 0
                        else f"{stock / seconds:.1f}× nhanh hơn nbgrader cấu hình gốc")
            failed = f", nbgrader báo lỗi ở {errors} bài" if errors else ""
            print(f"  {label}: {seconds:.1f} s ({seconds / count:.2f} s/bài, "
                  f"{count / seconds:.1f} bài/giây; có kết quả {graded}/{count}{failed}; "
                  f"{compared})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", choices=("hub", "grading"),
                        help="only the class server's load, or only grading throughput")
    parser.add_argument("--keep-modes", action="store_true",
                        help="leave folders on the way to Python as they are (the hub then "
                             "refuses if learners cannot pass through them)")
    parser.add_argument("--timeout", type=int, default=30,
                        help="seconds per cell when grading, every grader")
    args = parser.parse_args()
    if os.geteuid() != 0:
        raise SystemExit("Cần quyền root (mỗi học viên là một tài khoản hệ thống).")
    if args.only != "grading":
        hub_load(keep_modes=args.keep_modes)
    if args.only != "hub":
        grading_throughput(timeout=args.timeout)


if __name__ == "__main__":
    main()
