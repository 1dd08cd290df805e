"""Grading at province scale on Dask: a cohort at 1/100 of a province, with 1 and 2 workers.

    python benchmarks/dask_bench.py [--learners 200] [--keep DIR]

A province trains about 20,000 helpers; 7 graded exercises each make 140,000 submissions. This
builds the synthetic cohort of the end-to-end test at 1/100 of that (200 learners by default,
all eight kinds of work; built two learners at a time, or reused from ``--keep DIR``), then
grades the same submissions with ``congdanso autograde --dask local`` (TLS, a new certificate
authority per run) on 1 and on 2 workers, each time from a fresh copy of the course. It prints
the cost per submission and per worker, and how many workers grade 140,000 submissions in an
hour at that cost — the figure ``deploy/dask/cum-cham.yaml`` is sized from.
"""

from __future__ import annotations

import argparse
import contextlib
import math
import shutil
import sys
import tempfile
import time
from pathlib import Path

from congdanso.cohort import grading

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))  # the synthetic cohort's robot lives with the tests
import synthetic  # noqa: E402

PROVINCE_LEARNERS = 20_000
HOUR = 3600.0


def _course(folder: Path, learners: int) -> Path:
    course = folder / "khoa"
    if (course / "submitted").is_dir():
        print(f"cohort: reused from {folder}")
        return course
    synthetic.new_course(course)
    started = time.perf_counter()
    synthetic.build(course, synthetic.cohort(learners), grading.assignments(course), jobs=2)
    print(f"cohort: built in {time.perf_counter() - started:.0f} s (fetch, work in the world, "
          "submit, collect; 2 learners at a time)")
    return course


def _cluster_start() -> float:
    """What starting and stopping the local TLS cluster costs, apart from grading."""
    started = time.perf_counter()
    with contextlib.ExitStack() as stack:
        grading._dask_client(stack, "local", 2)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--learners", type=int, default=PROVINCE_LEARNERS // 100)
    parser.add_argument("--keep", type=Path, help="build the cohort here once and reuse it")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="bench-dask-") as tmp:
        course = _course(args.keep or Path(tmp), args.learners)
        assignments = grading.assignments(course)
        count = sum(len(grading.submissions(course, a)) for a in assignments)
        province = PROVINCE_LEARNERS * len(assignments)
        print(f"cohort: {args.learners} learners × {len(assignments)} exercises = {count} "
              f"submissions (1/{PROVINCE_LEARNERS // args.learners} of a province: "
              f"{PROVINCE_LEARNERS:,} × {len(assignments)} = {province:,})".replace(",", "."))
        start = _cluster_start()
        print(f"local Dask cluster (TLS, 2 worker processes): started and stopped in {start:.1f} s")
        costs = {}
        for workers in (1, 2):
            copy = Path(tmp) / f"cham-{workers}"
            shutil.copytree(course, copy, symlinks=True)
            started = time.perf_counter()
            results = grading.autograde(copy, jobs=workers, dask="local")
            wall = time.perf_counter() - started
            graded = sum(r.ok for r in results)
            costs[workers] = (wall - start) * workers / graded  # one worker's seconds a submission
            hourly = f"{HOUR / costs[workers]:,.0f}".replace(",", ".")
            print(f"dask, {workers} worker{'s' if workers > 1 else ' '}: {graded}/{count} graded "
                  f"in {wall:.1f} s (with the cluster's start) → {wall / count:.3f} s per "
                  f"submission; per worker {costs[workers]:.3f} s a submission, "
                  f"{hourly} submissions an hour")
            shutil.rmtree(copy)
        speedup = costs[1] / costs[2] * 2
        print(f"2 workers against 1: {speedup:.2f}× the throughput")
        per_worker = max(costs.values())  # the dearer of the two: a cluster pays coordination
        needed = math.ceil(province * per_worker / HOUR)
        total = f"{province:,}".replace(",", ".")
        print(f"workers to grade {total} submissions in an hour: {needed} (at "
              f"{per_worker:.3f} s a submission per worker, one core each)")


if __name__ == "__main__":
    main()
