"""Autograding speed: `congdanso autograde` against stock `nbgrader autograde` on the same work.

    python benchmarks/autograde_bench.py [--learners 30] [--timeout 30]

Builds the synthetic cohort of the end-to-end test (learners who fetch, work through the
exercise apps, submit; eight kinds of work), copies the course twice, and grades the same
submissions both ways: stock nbgrader with its own preprocessors (a kernel per submission runs
every cell) and ours, which decides from the journal without starting a kernel for widget-only
exercises. Prints wall-clock seconds per submission. [target: at least 10× stock]
"""

from __future__ import annotations

import argparse
import os
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--learners", type=int, default=30)
    parser.add_argument("--timeout", type=int, default=30, help="seconds per cell, both graders")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="bench-cham-") as tmp:
        base = Path(tmp)
        course = base / "khoa"
        course.mkdir()
        shutil.copy(ROOT / "exercises/nbgrader_config.py", course)
        shutil.copy(ROOT / "exercises/dap-an.json", course)
        shutil.copytree(ROOT / "exercises/source", course / "source")
        learners = synthetic.cohort(args.learners)
        assignments = grading.assignments(course)
        started = time.perf_counter()
        synthetic.build(course, learners, assignments)
        built = time.perf_counter() - started
        count = sum(len(grading.submissions(course, a)) for a in assignments)
        print(f"cohort: {len(learners)} learners × {len(assignments)} assignments = {count} "
              f"submissions, built in {built:.1f} s (fetch, work in the world, submit, collect)")

        stock, ours = base / "stock", base / "ours"
        shutil.copytree(course, stock)
        shutil.copytree(course, ours)
        config = (stock / "nbgrader_config.py").read_text(encoding="utf-8")
        marker = "# The grader decides"
        (stock / "nbgrader_config.py").write_text(config.split(marker)[0], encoding="utf-8")

        stock_s, stock_run = _run([sys.executable, "-m", "nbgrader", "autograde", "*",
                                   f"--Execute.timeout={args.timeout}", "--force"], stock)
        stock_failed = stock_run.stderr.count("There was an error processing assignment:")
        stock_graded = sum(1 for a in assignments for s in grading.submissions(stock, a)
                           if (stock / "autograded" / s / a).is_dir())

        ours_s, ours_run = _run([sys.executable, "-m", "congdanso.cli", "autograde", "--course",
                                 str(ours), "--timeout", str(args.timeout)], base)
        if ours_run.returncode not in (0, 1):
            print(ours_run.stdout, ours_run.stderr)
            raise SystemExit("congdanso autograde failed")
        ours_graded = sum(1 for a in assignments for s in grading.submissions(ours, a)
                          if (ours / "autograded" / s / a).is_dir())

        print(f"stock nbgrader autograde : {stock_s:7.1f} s  {stock_s / count:5.2f} s/submission"
              f"  graded {stock_graded}/{count} ({stock_failed} failed: crash or unstoppable "
              "loop), no isolation, one at a time")
        print(f"congdanso autograde      : {ours_s:7.1f} s  {ours_s / count:5.2f} s/submission"
              f"  graded {ours_graded}/{count}, decided from journals, {os.cpu_count()} at a "
              "time")
        ratio = stock_s / ours_s
        print(f"ratio stock/ours: {ratio:.1f}× ({'target met' if ratio >= 10 else 'BELOW 10×'})")
        print(ours_run.stdout.splitlines()[0] if ours_run.stdout else "")


if __name__ == "__main__":
    main()
