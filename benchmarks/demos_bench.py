"""The outreach apps under Voilà: time to the first usable widget, and a day of page loads.

    python benchmarks/demos_bench.py [--loads 200] [--repeat 7] [--stock-loads 30]

1. **Time from request to first interactive widget** (the first enabled button of the app visible
   in Debian's chromium), per app, median of ``--repeat`` loads in one browser (its cache
   warm after the first load, as on a presenter's laptop), for:
   - stock Voilà 0.5 (``voila demos/``: kernel started and notebook run on request);
   - ``congdanso demos`` without pre-started kernels;
   - ``congdanso demos`` (pre-started kernels) [target ≤ 1.2 s median].
   Between loads the benchmark waits until the server is idle again (pool refilled), so each load
   is measured alone.
2. **Kernels and memory over ``--loads`` page loads**, each visit in a new browser session (app
   → back to the list of apps → browser closed; the four apps in turn) with ``congdanso demos``:
   kernel count and memory of the server and its kernels every 20 loads [must stay flat]; the
   same with stock Voilà for ``--stock-loads`` loads. A page opened without Voilà's ``_xsrf``
   cookie sends its shutdown request without the token and stock Voilà refuses it (voila#1458),
   so every visit leaves a kernel behind.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
from browserkit import CHROMIUM, CHROMIUM_ARGS, free_port, wait_for_port  # noqa: E402
from congdanso.demos.server import tree_memory  # noqa: E402
from jupyterkit import jupyter_env  # noqa: E402

APPS = ["01-diem-ho-tro.ipynb", "02-bang-theo-doi.ipynb", "03-kiem-tra-truoc-khi-tra-tien.ipynb",
        "04-tro-choi-lua-dao.ipynb"]


class Server:
    def __init__(self, kind: str, tmp: Path):
        self.kind, self.port = kind, free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        env = jupyter_env(tmp, config=tmp / "cfg", runtime=tmp / "rt",
                          PATH=f"{Path(sys.executable).parent}{os.pathsep}"
                               f"{os.environ['PATH']}")
        if kind == "stock":
            command = [sys.executable, "-m", "voila", str(ROOT / "demos"), "--no-browser",
                       f"--port={self.port}", "--Voila.ip=127.0.0.1"]
        else:
            command = [sys.executable, "-m", "congdanso", "demos", f"--port={self.port}",
                       "--khong-mo-trinh-duyet", f"--khoa-hoc={tmp / 'khoa-hoc'}"]
            if kind == "ours-cold":
                command.append("--khong-khoi-dong-truoc")
        self.home = f"{self.url}/voila/tree" if kind == "stock" else f"{self.url}/"
        self.log = tmp / f"{kind}.log"
        with open(self.log, "w") as out:
            self.process = subprocess.Popen(command, env=env, stdout=out,
                                            stderr=subprocess.STDOUT, start_new_session=True)
        wait_for_port(self.port, self.process, self.log)
        self.settle(180)

    def kernels(self) -> list[psutil.Process]:
        kernels = []
        for child in psutil.Process(self.process.pid).children(recursive=True):
            try:
                if "ipykernel_launcher" in " ".join(child.cmdline()):
                    kernels.append(child)
            except psutil.Error:  # ended meanwhile (a kernel being shut down)
                continue
        return kernels

    def memory_mib(self) -> float:
        return tree_memory(psutil.Process(self.process.pid))[0] / 2**20

    def own_memory_mib(self) -> float:
        """The server process alone, without its kernels."""
        return psutil.Process(self.process.pid).memory_info().rss / 2**20

    def settle(self, timeout: float = 60) -> None:
        """Wait until no kernel is starting: the pool is full (ours) and the machine is quiet."""
        deadline = time.time() + timeout
        if self.kind == "ours":
            while time.time() < deadline:
                with urllib.request.urlopen(f"{self.url}/congdanso/trang-thai") as answer:
                    status = json.load(answer)
                if len(status["ready"]) == len(APPS) and all(
                        v >= 1 for v in status["ready"].values()):
                    break
                time.sleep(0.3)
        quiet = 0
        while time.time() < deadline and quiet < 3:  # three quiet half-seconds in a row
            quiet = quiet + 1 if psutil.cpu_percent(interval=0.5) < 15 else 0

    def stop(self) -> None:
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)


def first_widget(page, url: str) -> float:
    started = time.perf_counter()
    page.goto(url, wait_until="commit")
    page.locator(".cdsd button:enabled").first.wait_for(state="visible", timeout=120_000)
    return time.perf_counter() - started


def time_to_widget(browser, server: Server, repeat: int) -> dict[str, list[float]]:
    context = browser.new_context(viewport={"width": 1366, "height": 900})
    page = context.new_page()
    times: dict[str, list[float]] = {}
    for app in APPS:
        for _ in range(repeat):
            times.setdefault(app, []).append(first_widget(page, f"{server.url}/voila/render/{app}"))
            page.goto(server.home)  # back to the list of apps: the app's page closes
            server.settle()
    context.close()
    return times


def day_of_loads(browser, server: Server, loads: int, every: int = 20) -> list[dict]:
    """Each visit in a new browser session: open an app, go back to the list, close."""
    rows = [{"loads": 0, "kernels": len(server.kernels()),
             "memory_mib": round(server.memory_mib(), 1),
             "server_mib": round(server.own_memory_mib(), 1)}]
    for n in range(1, loads + 1):
        context = browser.new_context(viewport={"width": 1366, "height": 900})
        page = context.new_page()
        first_widget(page, f"{server.url}/voila/render/{APPS[(n - 1) % len(APPS)]}")
        page.goto(server.home)
        context.close()
        if n % every == 0 or n == loads:
            time.sleep(3)  # let the last page's shutdown land
            rows.append({"loads": n, "kernels": len(server.kernels()),
                         "memory_mib": round(server.memory_mib(), 1),
                         "server_mib": round(server.own_memory_mib(), 1)})
            print(f"    {server.kind}: {rows[-1]}", flush=True)
    return rows


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--loads", type=int, default=200)
    parser.add_argument("--stock-loads", type=int, default=30)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--only", choices=("stock", "ours-cold", "ours"), action="append",
                        help="measure only these servers (default: all three)")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    results: dict = {"time_to_widget_s": {}, "loads": {}}
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        for kind in args.only or ("stock", "ours-cold", "ours"):
            folder = Path(tmp) / kind
            folder.mkdir()
            server = Server(kind, folder)
            try:
                times = time_to_widget(browser, server, args.repeat)
                results["time_to_widget_s"][kind] = {
                    app: {"median": round(statistics.median(t), 2), "min": round(min(t), 2),
                          "max": round(max(t), 2)} for app, t in times.items()}
                every = [x for t in times.values() for x in t]
                results["time_to_widget_s"][kind]["all"] = {
                    "median": round(statistics.median(every), 2)}
                print(f"{kind}: time to first widget, median per app "
                      + ", ".join(f"{a[:2]} {v['median']:.2f} s" for a, v in
                                  results["time_to_widget_s"][kind].items() if a != "all")
                      + f"; all {statistics.median(every):.2f} s", flush=True)
                if kind in ("ours", "stock"):
                    loads = args.loads if kind == "ours" else args.stock_loads
                    results["loads"][kind] = day_of_loads(browser, server, loads)
            finally:
                server.stop()
        browser.close()
    medians = {k: v["all"]["median"] for k, v in results["time_to_widget_s"].items()}
    print("\nmedian time to first widget: " + ", ".join(f"{k} {v:.2f} s" for k, v in
                                                      medians.items()) + " [target ≤ 1.2 s]")
    if "stock" in medians and "ours" in medians:
        print(f"stock/ours = {medians['stock'] / medians['ours']:.2f}×")
    for kind, rows in results["loads"].items():
        first, last = rows[0], rows[-1]
        print(f"{kind}: after {last['loads']} page loads {last['kernels']} kernels (started with "
              f"{first['kernels']}), memory {first['memory_mib']:.0f} → "
              f"{last['memory_mib']:.0f} MiB")
    out = ROOT / "tests" / "artifacts" / "demos" / "ket-qua-bench.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, ensure_ascii=False, indent=2), encoding="utf-8")
    print(f"figures: {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
