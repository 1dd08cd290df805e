"""Speed and memory of the world and its journal (issue targets in brackets).

    python benchmarks/world_bench.py            # or: make bench

Prints: replay of a 10,000-event journal [≤ 1 s]; append of one event with its fsync [≤ 5 ms];
import congdanso + a default world in a fresh process [≤ 30 MiB, ≤ 0.5 s]. Each figure is set
beside the stock way of doing the same I/O (plain json parsing; plain append + fsync) as a floor.
"""

from __future__ import annotations

import contextlib
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from congdanso.world import DomainError, World
from congdanso.world.scenarios import activate_vneid, portal_login_with_vneid

TARGET_EVENTS = 10_000


def build_journal(path: Path) -> int:
    """A realistic 10,000-event journal: whole flows, dossiers, mistakes and waiting."""
    world = World.open(path, pace="manual")
    residents = world.population.practice_residents()
    i = 0
    while world.journal.seq < TARGET_EVENTS - 20:
        person = residents[i % len(residents)]
        i += 1
        if i % len(residents) == 0:
            world.start_over()
        try:
            session = portal_login_with_vneid(world, activate_vneid(world, person))
            dossier = world.portal.submit_dossier(session.token, "HT-XNHN", {"purpose": "Kết hôn"})
            world.portal.lookup(dossier.code)
        except DomainError:
            pass
        for _ in range(3):
            with contextlib.suppress(DomainError):
                world.vneid.login(person.id_number, "Sai@00000")
        world.advance(minutes=45)
    while world.journal.seq < TARGET_EVENTS:
        world.advance(minutes=1)
    return world.journal.seq


def bench_replay(path: Path) -> None:
    times = []
    for _ in range(3):
        start = time.perf_counter()
        world = World.open(path, pace="manual")
        times.append(time.perf_counter() - start)
    assert world.journal.seq == TARGET_EVENTS
    from congdanso.world.society.people import Population

    start = time.perf_counter()
    Population(world.seed)
    population_s = time.perf_counter() - start
    start = time.perf_counter()
    with open(path, "rb") as f:
        for line in f:
            json.loads(line)
    floor = time.perf_counter() - start
    best = min(times)
    print(f"replay {TARGET_EVENTS:,} events: {best:.3f} s total (of which building the population "
          f"{population_s:.3f} s, verify + replay {best - population_s:.3f} s) [≤ 1 s]")
    print(f"   stock floor, json.loads of every line (no hash check, no replay): {floor:.3f} s "
          f"→ ours is {best / floor:.1f}× the bare parse")


def bench_append(path: Path) -> None:
    world = World.open(path, pace="manual")
    durations = []
    for _ in range(500):
        start = time.perf_counter()
        world.advance(minutes=1)
        durations.append(time.perf_counter() - start)
    durations.sort()
    p50, p95 = statistics.median(durations) * 1000, durations[int(len(durations) * 0.95)] * 1000
    plain = path.with_name("plain.jsonl")
    raw = []
    with open(plain, "ab") as f:
        for _ in range(500):
            start = time.perf_counter()
            f.write(b'{"x": 1}\n')
            f.flush()
            os.fsync(f.fileno())
            raw.append(time.perf_counter() - start)
    raw.sort()
    raw95 = raw[int(len(raw) * 0.95)] * 1000
    print(f"append one event (lock, catch up, act, hash, write, fsync): median {p50:.2f} ms, "
          f"p95 {p95:.2f} ms [≤ 5 ms]")
    print(f"   stock floor, plain append + fsync: p95 {raw95:.2f} ms → ours is "
          f"{p95 / raw95:.1f}× the bare durable write")


PROBE = r"""
import json, sys, time
def rss():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS"):
                return int(line.split()[1]) / 1024
import ipykernel.kernelapp  # a fresh kernel has this loaded before any cell runs
base, start = rss(), time.perf_counter()
import congdanso
from congdanso import World
world = World()
print(json.dumps({"mib": rss() - base, "s": time.perf_counter() - start}))
"""


def bench_kernel_footprint() -> None:
    runs = [json.loads(subprocess.run([sys.executable, "-c", PROBE], capture_output=True,
                                      text=True, check=True).stdout) for _ in range(3)]
    mib = statistics.median(r["mib"] for r in runs)
    seconds = statistics.median(r["s"] for r in runs)
    heavy = subprocess.run([sys.executable, "-c", "import sys, congdanso; "
                            "from congdanso import World; World(); "
                            "print(sorted(m for m in ('pandas','nbgrader','ipywidgets','numpy') "
                            "if m in sys.modules))"], capture_output=True, text=True, check=True)
    print(f"import congdanso + default world in a fresh kernel: +{mib:.1f} MiB, {seconds:.3f} s "
          f"[≤ 30 MiB, ≤ 0.5 s]; heavy libraries loaded: {heavy.stdout.strip()}")


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "nhat-ky.jsonl"
        start = time.perf_counter()
        count = build_journal(path)
        print(f"(built a {count:,}-event journal, {path.stat().st_size / 1e6:.1f} MB, "
              f"in {time.perf_counter() - start:.1f} s)")
        bench_replay(path)
        bench_append(Path(tmp) / "append.jsonl")
    bench_kernel_footprint()


if __name__ == "__main__":
    main()
