"""Autograding speed: `congdanso autograde` against stock `nbgrader autograde` on the same work.

    python benchmarks/autograde_bench.py [--learners 10 30] [--timeout 30]

Builds the synthetic cohort of the end-to-end test once (learners who fetch, work through the
exercise apps, submit; eight kinds of work), and for each size grades the first N learners'
submissions both ways, from fresh copies of the course: stock nbgrader with its own
preprocessors (a kernel per submission runs every cell; the course's config is cut before our
decision preprocessor) and ``congdanso autograde``, which decides from the journal in the
grader's process for widget-only exercises. The first 10 learners all do ordinary work (every
step done, none that hangs); 30 adds the other seven kinds, hanging cells included. Prints
wall-clock seconds per submission, whole commands. [targets: ≥ 10× stock with 10 learners,
≥ 30× with 30; ≤ 0.05 s per ordinary submission]
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from congdanso.cohort import grading

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))  # the synthetic cohort's robot lives with the tests
import synthetic  # noqa: E402


def _env() -> dict[str, str]:
    return {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}


def _run(command: list[str], cwd: Path) -> tuple[float, subprocess.CompletedProcess]:
    started = time.perf_counter()
    result = subprocess.run(command, cwd=cwd, env=_env(), capture_output=True, text=True)
    return time.perf_counter() - started, result


def _graded(course: Path, assignments: list[str]) -> int:
    return sum(1 for a in assignments for s in grading.submissions(course, a)
               if (course / "autograded" / s / a).is_dir())


def _keep_only(course: Path, learners: set[str]) -> None:
    """The course as if only these learners had handed in (the others' work is removed)."""
    for folder in (course / "submitted").iterdir():
        if folder.name not in learners:
            shutil.rmtree(folder)


def compare(base: Path, course: Path, learners: list, timeout: int) -> float:
    """Grade the same submissions with stock nbgrader and with congdanso; print and return the
    ratio of their wall-clock times."""
    assignments = grading.assignments(course)
    size = len(learners)
    stock, ours = base / f"stock-{size}", base / f"ours-{size}"
    shutil.copytree(course, stock)
    shutil.copytree(course, ours)
    for copy in (stock, ours):
        _keep_only(copy, {x.id for x in learners})
    count = sum(len(grading.submissions(ours, a)) for a in assignments)
    kinds = sorted({x.profile for x in learners})
    print(f"\n{size} learners × {len(assignments)} exercises = {count} submissions; kinds of "
          f"work: {', '.join(kinds)}")
    config = (stock / "nbgrader_config.py").read_text(encoding="utf-8")
    marker = "# The grader decides"  # stock nbgrader: its own preprocessors, not ours
    (stock / "nbgrader_config.py").write_text(config.split(marker)[0], encoding="utf-8")

    stock_s, stock_run = _run([sys.executable, "-m", "nbgrader", "autograde", "*",
                               f"--Execute.timeout={timeout}", "--force"], stock)
    stock_failed = stock_run.stderr.count("There was an error processing assignment:")
    ours_s, ours_run = _run([sys.executable, "-m", "congdanso.cli", "autograde", "--course",
                             str(ours), "--timeout", str(timeout)], base)
    if ours_run.returncode not in (0, 1):
        print(ours_run.stdout, ours_run.stderr)
        raise SystemExit("congdanso autograde failed")
    loop = re.search(r"trong ([\d.]+) giây \(([\d.]+) giây/bài", ours_run.stdout)
    print(f"stock nbgrader autograde : {stock_s:7.1f} s  {stock_s / count:5.2f} s/submission"
          f"  graded {_graded(stock, assignments)}/{count} ({stock_failed} failed: crash or "
          "unstoppable loop); nbgrader's own config (a kernel runs every cell), one at a time")
    print(f"congdanso autograde      : {ours_s:7.1f} s  {ours_s / count:5.2f} s/submission"
          f"  graded {_graded(ours, assignments)}/{count}; decided from journals in the "
          f"grader's process, {os.cpu_count()} at a time; whole command, start included")
    if loop:
        print(f"  of which grading        : {float(loop[1]):7.1f} s  {float(loop[2]):5.2f} "
              "s/submission (the command's own figure, without starting Python and nbgrader)")
    ratio = stock_s / ours_s
    print(f"ratio stock/ours: {ratio:.1f}× ({size} learners)")
    return ratio


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--learners", type=int, nargs="+", default=[10, 30],
                        help="cohort sizes, graded in one run (the first N learners of one "
                        "cohort; the first 10 all do ordinary work)")
    parser.add_argument("--timeout", type=int, default=30, help="seconds per cell, both graders")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="bench-cham-") as tmp:
        base = Path(tmp)
        course = synthetic.new_course(base / "khoa")
        learners = synthetic.cohort(max(args.learners))
        assignments = grading.assignments(course)
        started = time.perf_counter()
        synthetic.build(course, learners, assignments, jobs=2)
        print(f"cohort: {len(learners)} learners × {len(assignments)} exercises built in "
              f"{time.perf_counter() - started:.1f} s (fetch, work in the world, submit, collect)")
        targets = {10: 10, 30: 30}
        for size in args.learners:
            ratio = compare(base, course, learners[:size], args.timeout)
            target = targets.get(size, 10)
            print(f"  target ≥ {target}×: {'met' if ratio >= target else 'NOT MET'}")


if __name__ == "__main__":
    main()
