"""Roster import speed: 10,000 learners into a course's gradebook [target ≤ 5 s].

    python benchmarks/roster_bench.py

Times ``congdanso.cohort.roster.import_roster`` (read and check every row, one gradebook
transaction, ``roster.csv``) on a 10,000-row CSV, into a fresh gradebook and again into the same
one (nothing changed), against nbgrader's own way of adding learners (``Gradebook.
update_or_create_student``, one commit per learner, as ``nbgrader db student import`` does),
measured on 1,000 learners and scaled. nbgrader's import and the creation of a new gradebook
(an ``alembic`` subprocess) are timed apart: they are paid once per process or per course.
"""

from __future__ import annotations

import csv
import sys
import tempfile
import time
from pathlib import Path

LEARNERS, STOCK_SAMPLE = 10_000, 1_000
WARDS = [("Phường Lái Thiêu", "Khu phố Đông Nhì"), ("Phường Phú Lợi", "Khu phố 3"),
         ("Phường Dĩ An", "Khu phố Bình Minh")]
ROLES = ["Tình nguyện viên", "Cán bộ phường", "Tổ công nghệ số cộng đồng"]
FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Võ", "Đặng", "Bùi"]


def write_csv(path: Path, count: int) -> Path:
    with open(path, "w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["Mã học viên", "Họ và tên", "Phường", "Khu phố", "Vai trò"])
        for i in range(count):
            ward, khu = WARDS[i % len(WARDS)]
            writer.writerow([f"hv-{i:05d}", f"{FAMILY[i % len(FAMILY)]} Thị Học Viên {i}", ward,
                             khu, ROLES[i % len(ROLES)]])
    return path


def main() -> None:
    started = time.perf_counter()
    from congdanso.cohort.roster import _tools_on_path, import_roster, read_roster
    from nbgrader.api import Gradebook

    _tools_on_path()
    loading = time.perf_counter() - started
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        roster = write_csv(tmp / "ds.csv", LEARNERS)
        course = tmp / "khoa"
        course.mkdir()
        begun = time.perf_counter()
        with Gradebook(f"sqlite:///{course / 'gradebook.db'}"):
            pass
        creating = time.perf_counter() - begun
        begun = time.perf_counter()
        result = import_roster(roster, course)
        first = time.perf_counter() - begun
        assert len(result.added) == LEARNERS
        begun = time.perf_counter()
        result = import_roster(roster, course)
        again = time.perf_counter() - begun
        assert not result.added and not result.changed
        learners, _ = read_roster(write_csv(tmp / "mau.csv", STOCK_SAMPLE))
        stock_course = tmp / "goc"
        stock_course.mkdir()
        with Gradebook(f"sqlite:///{stock_course / 'gradebook.db'}") as gradebook:
            begun = time.perf_counter()
            for learner in learners:
                gradebook.update_or_create_student(learner.id, first_name=learner.given_names,
                                                   last_name=learner.family_name)
            stock = (time.perf_counter() - begun) * LEARNERS / STOCK_SAMPLE
    print(f"nhập {LEARNERS:,} học viên vào sổ điểm có sẵn: {first:.2f} s "
          f"[mục tiêu ≤ 5 s] {'ĐẠT' if first <= 5 else 'CHƯA ĐẠT'}")
    print(f"nhập lại cùng tệp (không đổi gì): {again:.2f} s")
    print(f"một lần cho mỗi tiến trình / khoá học: nạp nbgrader {loading:.2f} s, tạo sổ điểm mới "
          f"{creating:.2f} s")
    print(f"nbgrader gốc (update_or_create_student, mỗi học viên một commit), đo {STOCK_SAMPLE:,} "
          f"rồi nhân lên: {stock:.1f} s — nhanh gấp {stock / first:.0f} lần")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
