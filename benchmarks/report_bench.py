"""Competency report speed: 2,000 synthetic learners × 6 assignments [target ≤ 5 s].

    python benchmarks/report_bench.py

Builds gradebook-shaped scores (6 assignments × 4 graded cells, each tagged with 1–2
competencies) and times `build_report` + writing CSV, XLSX and HTML.
"""

from __future__ import annotations

import random
import tempfile
import time

import pandas as pd
from congdanso.cohort.report import build_report, write_report
from congdanso.grading.competencies import load_framework
from congdanso.world.society.people import Population

LEARNERS, ASSIGNMENTS, CELLS = 2_000, 6, 4


def main() -> None:
    framework = load_framework()
    ids = list(framework.competencies)
    rng = random.Random(74)
    places = [(h.ward.name, h.khu_pho) for h in Population(74).households]
    roles = ["Tình nguyện viên", "Cán bộ phường", "Công an phường", "Tổ công nghệ số cộng đồng"]
    roster = pd.DataFrame([{"id": f"hv{i:05d}", "name": f"Học viên {i}",
                            "ward": places[i % len(places)][0],
                            "khu_pho": places[i % len(places)][1], "role": rng.choice(roles)}
                           for i in range(LEARNERS)])
    tags = pd.DataFrame([{"assignment": f"bai-{a}", "notebook": f"bai-{a}", "cell": f"o{c}",
                          "competency": comp}
                         for a in range(ASSIGNMENTS) for c in range(CELLS)
                         for comp in rng.sample(ids, rng.choice([1, 2]))])
    skill = [0.75 + 0.25 * rng.random() for _ in range(LEARNERS)]  # some learners are ready
    scores = pd.DataFrame([{"learner": f"hv{i:05d}", "assignment": f"bai-{a}",
                            "notebook": f"bai-{a}", "cell": f"o{c}",
                            "score": 2 if rng.random() < skill[i] else 0, "max_score": 2}
                           for i in range(LEARNERS) for a in range(ASSIGNMENTS)
                           for c in range(CELLS)])
    start = time.perf_counter()
    report = build_report(scores, tags, roster, framework)
    built = time.perf_counter() - start
    with tempfile.TemporaryDirectory() as tmp:
        write_report(report, tmp)
    total = time.perf_counter() - start
    print(f"competency report, {LEARNERS:,} learners × {ASSIGNMENTS} assignments "
          f"({len(scores):,} graded cells): build {built:.2f} s, with CSV + XLSX + HTML "
          f"{total:.2f} s [≤ 5 s]; ready to certify: {len(report.ready)}")


if __name__ == "__main__":
    main()
