"""Competency report speed at province scale: 20,000 synthetic learners × 10 exercises
[target ≤ 10 s].

    python benchmarks/report_bench.py                      # 20,000 learners × 10 exercises
    python benchmarks/report_bench.py --learners 2000 --assignments 6 --out /tmp/bao-cao

Builds gradebook-shaped scores (each exercise has ``--cells`` graded cells, 4 by default, each
tagged with 1–2 competencies; learners spread over the wards and khu phố of the synthetic
world), vectorised, and times `build_report` + `write_report` (CSV, XLSX and HTML). Prints
the time of each phase (build, and each file's writer), the size of each file and, last, the
line ``report: N learners in X s``: from the start of `build_report` to the end of the last
file. Generating the scores is not timed. From 1,000 learners the report is laid out for a
province (grouped by phường, see `report.LARGE_COHORT`).

Measured on the 2-core machine: 3.4–5.5 s (median of 7: 4.8 s) for 20,000 × 10 × 4; 23.2 s
before the report was vectorised and its workbook written directly. With 13 cells per
exercise, as a real one has (2.6 million graded cells): about 11 s, most of it the item
analysis (`cohort.items`).
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
from congdanso.cohort import report as report_module
from congdanso.grading.competencies import Framework, load_framework
from congdanso.world.society.people import Population

TARGET_S = 10.0


def synthetic_class(learners: int, assignments: int, cells: int, framework: Framework,
                    seed: int = 74) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """(scores, tags, roster) shaped like the gradebook, ``cell_competencies`` and
    ``roster.csv``; scores vectorised (a Python loop of 800,000 dicts takes seconds)."""
    ids = list(framework.competencies)
    rng = random.Random(seed)
    places = [(h.ward.name, h.khu_pho) for h in Population(seed).households]
    roles = ["Tình nguyện viên", "Cán bộ phường", "Công an phường", "Tổ công nghệ số cộng đồng"]
    who = np.array([f"hv{i:05d}" for i in range(learners)], dtype=object)
    at = np.arange(learners) % len(places)
    roster = pd.DataFrame({"id": who, "name": [f"Học viên {i}" for i in range(learners)],
                           "ward": [places[i][0] for i in at],
                           "khu_pho": [places[i][1] for i in at],
                           "role": [rng.choice(roles) for _ in range(learners)]})
    tags = pd.DataFrame([{"assignment": f"bai-{a}", "notebook": f"bai-{a}", "cell": f"o{c}",
                          "competency": comp}
                         for a in range(assignments) for c in range(cells)
                         for comp in rng.sample(ids, rng.choice([1, 2]))])
    generator = np.random.default_rng(seed)
    skill = 0.75 + 0.25 * generator.random(learners)  # some learners are ready
    per = assignments * cells
    bai = np.array([f"bai-{a}" for a in range(assignments)], dtype=object)
    o = np.array([f"o{c}" for c in range(cells)], dtype=object)
    assignment = np.tile(np.repeat(bai, cells), learners)
    right = generator.random(learners * per) < np.repeat(skill, per)
    scores = pd.DataFrame({"learner": np.repeat(who, per), "assignment": assignment,
                           "notebook": assignment, "cell": np.tile(o, learners * assignments),
                           "score": np.where(right, 2.0, 0.0), "max_score": 2.0})
    return scores, tags, roster


def _timed(name: str, spent: dict[str, float]) -> Callable[[Callable], Callable]:
    def wrap(function: Callable) -> Callable:
        def run(*args, **kwargs):
            start = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                spent[name] = spent.get(name, 0.0) + time.perf_counter() - start
        return run
    return wrap


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--learners", type=int, default=20_000)
    parser.add_argument("--assignments", type=int, default=10, help="exercises (nbgrader "
                        "assignments)")
    parser.add_argument("--cells", type=int, default=4, help="graded cells per exercise")
    parser.add_argument("--out", type=Path, help="keep the files here (default: a temporary "
                        "folder, removed)")
    args = parser.parse_args(argv)
    framework = load_framework()
    made = time.perf_counter()
    scores, tags, roster = synthetic_class(args.learners, args.assignments, args.cells,
                                           framework)
    made = time.perf_counter() - made
    spent: dict[str, float] = {}
    for phase in ("csv", "xlsx", "html"):  # each file's writer, timed where write_report calls it
        writer = f"_write_{phase}"
        setattr(report_module, writer, _timed(phase, spent)(getattr(report_module, writer)))
    with tempfile.TemporaryDirectory() as tmp:
        out = args.out or Path(tmp)
        start = time.perf_counter()
        report = report_module.build_report(scores, tags, roster, framework)
        built = time.perf_counter() - start
        paths = report_module.write_report(report, out)
        total = time.perf_counter() - start
        sizes = {kind: path.stat().st_size / 1e6 for kind, path in paths.items()}
    print(f"competency report, {args.learners:,} learners × {args.assignments} exercises × "
          f"{args.cells} cells ({len(scores):,} graded cells, generated in {made:.1f} s)")
    print(f"  build {built:.2f} s; " + "; ".join(
        f"{kind.upper()} {spent.get(kind, 0):.2f} s ({sizes[kind]:.1f} MB)" for kind in sizes))
    print(f"  ready to certify: {len(report.ready):,}; transcript only: "
          f"{len(report.transcript):,}")
    verdict = "within" if total <= TARGET_S else "OVER"
    print(f"  target [≤ {TARGET_S:g} s]: {verdict}")
    print(f"report: {args.learners} learners in {total:.2f} s")


if __name__ == "__main__":
    main()
