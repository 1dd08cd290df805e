"""End to end: a synthetic cohort of 30 learners in five khu phố goes through the whole pipeline.

The trainer generates and releases the six exercises; each learner fetches them from the exchange,
works by driving the world and the phone apps (all right, partly right, empty, wrong, tampered
journal, crashing and escaping code), and submits; the trainer collects, autogrades in the sandbox,
writes feedback, the competency report and the certificates. Every number below comes from what
each kind of learner did, written out by hand here, not from the code under test.
"""

from __future__ import annotations

import csv
import json
import sqlite3
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar

import pytest
from congdanso.cohort import grading, synthetic
from congdanso.grading.sandbox import Limits

ROOT = Path(__file__).resolve().parents[1]
ASSIGNMENTS = ["an-toan-lua-dao", "ho-so-truc-tuyen", "ho-tro-nguoi-dan", "ky-so-hop-dong",
               "tai-khoan-dvc", "thanh-toan-hoa-don"]

pytestmark = pytest.mark.nbgrader

# (assignment, grade cell) → (points, competencies), as the exercises are written.
CELLS = {
    ("tai-khoan-dvc", "kiem-tra-tai-khoan"): (2, ["TK2"]),
    ("ky-so-hop-dong", "kiem-tra-ky"): (2, ["KS1"]),
    ("ky-so-hop-dong", "kiem-tra-phat-hien"): (2, ["KS2"]),
    ("thanh-toan-hoa-don", "kiem-tra-tien-dien"): (2, ["TT1"]),
    ("thanh-toan-hoa-don", "kiem-tra-doc-qr"): (1, ["TT2"]),
    ("ho-so-truc-tuyen", "kiem-tra-nop"): (2, ["TK2", "HS1"]),
    ("ho-so-truc-tuyen", "kiem-tra-phi"): (2, ["TT1", "HS2"]),
    ("an-toan-lua-dao", "kiem-tra-cau-1"): (1, ["AT1"]),
    ("an-toan-lua-dao", "kiem-tra-cau-2"): (1, ["AT2"]),
    ("ho-tro-nguoi-dan", "kiem-tra-tai-khoan"): (2, ["TK2", "HT1"]),
    ("ho-tro-nguoi-dan", "kiem-tra-ty-le"): (2, ["HT2"]),
}
FULL = {cell: points for cell, (points, _) in CELLS.items()}
# What each kind of learner earns in each grade cell (cells not listed: 0).
EARNED = {
    "dung-het": FULL,
    # signed but did not check the changed copy; paid the bill but read the BIN as the account;
    # submitted without paying the fee; one scam question right; accounts made, ratio wrong;
    # VNeID activation unfinished, so no portal account.
    "dung-mot-phan": {("ky-so-hop-dong", "kiem-tra-ky"): 2,
                      ("thanh-toan-hoa-don", "kiem-tra-tien-dien"): 2,
                      ("ho-so-truc-tuyen", "kiem-tra-nop"): 2,
                      ("an-toan-lua-dao", "kiem-tra-cau-1"): 1,
                      ("ho-tro-nguoi-dan", "kiem-tra-tai-khoan"): 2},
    "bo-trong": {},
    "sai": {},
    # the journal was edited: nothing read from it counts (the patched checker included); the
    # answers that do not depend on it stand.
    "sua-nhat-ky": {("thanh-toan-hoa-don", "kiem-tra-doc-qr"): 1,
                    ("an-toan-lua-dao", "kiem-tra-cau-1"): 1,
                    ("an-toan-lua-dao", "kiem-tra-cau-2"): 1},
    # the work was done; only the scam answer written after an endless print loop is lost.
    "loi-chay": {cell: points for cell, points in FULL.items()
                 if cell != ("an-toan-lua-dao", "kiem-tra-cau-2")},
}


class _Probe(BaseHTTPRequestHandler):
    hits: ClassVar[list[str]] = []

    def do_GET(self):
        _Probe.hits.append(self.path)
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b"mang")

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    base = tmp_path_factory.mktemp("dot-tap-huan")
    course = base / "khoa"
    course.mkdir()
    (course / "nbgrader_config.py").write_bytes((ROOT / "exercises/nbgrader_config.py").read_bytes())
    import shutil

    shutil.copytree(ROOT / "exercises/source", course / "source")
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Probe)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_port}/bi-mat"
    learners = synthetic.cohort(30)
    seconds = {}
    clock = time.perf_counter()

    def lap(name: str) -> None:
        nonlocal clock
        seconds[name] = round(time.perf_counter() - clock, 1)
        clock = time.perf_counter()

    targets = synthetic.build(course, learners, ASSIGNMENTS, probe_url=url)
    lap("phat-bai-lam-bai-nop-bai-thu-bai")
    victim = targets["other"].read_bytes()
    results = grading.autograde(course, limits=Limits(cell_timeout=10), jobs=2)
    lap("cham-180-bai")
    feedback = grading.feedback(course)
    lap("phan-hoi")
    server.shutdown()
    from congdanso.cohort.certificates import issue_for_ready
    from congdanso.cohort.report import load_report, write_report

    out = ROOT / "tests" / "artifacts" / "dot-tap-huan"
    report = load_report(course)
    files = write_report(report, out)
    lap("bao-cao-nang-luc")
    certificates = issue_for_ready(report, out / "chung-nhan")
    lap("chung-nhan")
    (out / "thoi-gian.json").write_text(json.dumps(seconds, indent=2) + "\n", encoding="utf-8")
    return {"course": course, "learners": learners, "results": results, "targets": targets,
            "victim": victim, "feedback": feedback, "report": report, "files": files,
            "certificates": certificates}


def test_cohort_shape(run):
    learners = run["learners"]
    assert len(learners) == 30
    assert len({x.khu_pho for x in learners}) == 5 and len({x.ward for x in learners}) == 4
    assert {x.profile for x in learners} == set(synthetic.PROFILES)
    assert len(run["results"]) == 30 * 6 and all(r.ok for r in run["results"])


def test_every_submission_has_the_exact_score(run):
    kinds = {x.id: x.profile for x in run["learners"]}
    for r in run["results"]:
        expected = sum(EARNED[kinds[r.student]].get((r.assignment, cell), 0)
                       for (a, cell) in CELLS if a == r.assignment)
        assert (r.student, r.assignment, r.score) == (r.student, r.assignment, expected)
        assert r.max_score == sum(p for (a, _), p in FULL.items() if a == r.assignment)


def test_competency_matrix_is_exact(run):
    kinds = {x.id: x.profile for x in run["learners"]}
    matrix = run["report"].matrix
    assert "TK1" not in matrix.columns  # no exercise assesses it yet
    for learner, kind in kinds.items():
        for competency in matrix.columns:
            cells = [c for c, (_, tags) in CELLS.items() if competency in tags]
            expected = (sum(EARNED[kind].get(c, 0) for c in cells)
                        / sum(FULL[c] for c in cells))
            assert matrix.loc[learner, competency] == pytest.approx(expected), (learner,
                                                                                 competency)


def test_only_learners_who_mastered_everything_are_certified(run):
    ready = sorted(x.id for x in run["learners"] if x.profile == "dung-het")
    assert run["report"].ready == ready
    assert [p.name for p in run["certificates"]] == [f"chung-nhan-{x}.pdf" for x in ready]
    from congdanso.cohort.certificates import verify_certificate_pdf

    ok, message = verify_certificate_pdf(run["certificates"][0].read_bytes())
    assert ok, message
    by_place = run["report"].by_khu_pho["ready"].to_dict()
    assert by_place == {"Khu phố Đông Nhì, Phường Lái Thiêu": 6,
                        "Khu phố Đông Tư, Phường Lái Thiêu": 4, "Khu phố 3, Phường Phú Lợi": 0,
                        "Khu phố Bình Minh, Phường Dĩ An": 0,
                        "Khu phố Hòa Lân, Phường Thuận Giao": 0}
    loi_chay = next(x.id for x in run["learners"] if x.profile == "loi-chay")
    learners = run["report"].learners.set_index("id")
    assert learners.loc[loi_chay, "to_practise"] == \
        run["report"].framework.competencies["AT2"].name


def _results(run, kind: str, assignment: str):
    ids = {x.id for x in run["learners"] if x.profile == kind}
    return [r for r in run["results"] if r.student in ids and r.assignment == assignment]


def test_crashes_loops_and_memory_score_only_their_cell_zero(run):
    kinds = {"tai-khoan-dvc": {"kernel-chet"}, "ky-so-hop-dong": {"qua-gio"},
             "thanh-toan-hoa-don": {"bo-nho"}, "an-toan-lua-dao": {"dau-ra", "qua-gio"}}
    for assignment, expected in kinds.items():
        for r in _results(run, "loi-chay", assignment):
            assert {i["kind"] for i in r.incidents} == expected, r
    graded = run["course"] / "autograded"
    student = _results(run, "loi-chay", "an-toan-lua-dao")[0].student
    path = graded / student / "an-toan-lua-dao" / "an-toan-lua-dao.ipynb"
    shown = _outputs(path)
    assert "phần sau đã bị cắt" in shown and "Ô chạy quá 10 giây" in shown
    assert path.stat().st_size < 600_000  # the print loop did not reach the file
    others = [r for r in run["results"] if r.incidents and not r.student.startswith(
        tuple(x.id for x in run["learners"] if x.profile == "loi-chay"))]
    assert others == []


def test_learner_code_cannot_reach_the_gradebook_other_learners_or_the_network(run):
    course = run["course"]
    assert run["targets"]["other"].read_bytes() == run["victim"]
    with sqlite3.connect(course / "gradebook.db") as db:
        assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert db.execute("SELECT COUNT(*) FROM student").fetchone() == (30,)
    assert _Probe.hits == []
    student = _results(run, "loi-chay", "ho-so-truc-tuyen")[0].student
    shown = _outputs(course / "autograded" / student / "ho-so-truc-tuyen" /
                     "ho-so-truc-tuyen.ipynb")
    assert shown.count("không xoá được") == 2 and "ĐÃ XOÁ" not in shown
    assert "FileNotFoundError" in shown and "URLError" in shown


def _outputs(path: Path) -> str:
    import nbformat

    nb = nbformat.read(path, as_version=4)
    return "\n".join(str(o.get("text", "")) + str(o.get("ename", "")) + str(o.get("evalue", ""))
                     for c in nb.cells if c.cell_type == "code" for o in c.outputs)


def test_tampered_journals_are_reported_and_not_believed(run):
    for assignment in ASSIGNMENTS:
        for r in _results(run, "sua-nhat-ky", assignment):
            if assignment == "an-toan-lua-dao":
                assert r.journal_trusted is None
                continue
            assert r.journal_trusted is False and r.journal.startswith("KHÔNG TIN CẬY")
    # the learner who patched the checker in the kernel passed there; the grader zeroed it
    for r in _results(run, "sua-nhat-ky", "tai-khoan-dvc"):
        assert r.zeroed_cells == ["kiem-tra-tai-khoan"] and r.score == 0
    assert all(r.journal_trusted for r in _results(run, "dung-het", "ky-so-hop-dong"))


def test_edited_and_deleted_grade_cells_are_restored_and_reported(run):
    for r in _results(run, "sai", "an-toan-lua-dao"):
        assert r.edited_cells == ["kiem-tra-cau-1", "kiem-tra-cau-2 (đã xoá)"] and r.score == 0
    assert all(not r.edited_cells for r in _results(run, "dung-het", "an-toan-lua-dao"))


def test_results_csv_feedback_and_report_files(run):
    course = run["course"]
    for assignment in ASSIGNMENTS:
        with open(course / "cham-bai" / f"{assignment}.csv", encoding="utf-8-sig") as f:
            rows = list(csv.DictReader(f))
        assert len(rows) == 30 and {"Học viên", "Điểm", "Nhật ký"} <= set(rows[0])
    assert run["feedback"] == dict.fromkeys(ASSIGNMENTS, 30)
    html = (course / "feedback" / "hv-01" / "tai-khoan-dvc" / "tai-khoan-dvc.html")
    assert "Đạt" in html.read_text(encoding="utf-8")
    released = list((course / "exchange" / "congdanso" / "feedback").glob("*.html"))
    assert len(released) == 30 * 6
    page = run["files"]["html"].read_text(encoding="utf-8")
    assert "Sẵn sàng cấp chứng nhận (10)" in page
    review = run["report"].review
    kinds = {x.id: x.profile for x in run["learners"]}
    assert {kinds[s] for s in review["Học viên"]} == {"sai", "sua-nhat-ky", "loi-chay"}
    # 3 tampering learners × 5 journals, 4 crashing learners × 4 incidents, 4 editing learners
    assert len(review) == 3 * 5 + 4 * 4 + 4
    assert f"Bài cần giảng viên xem lại ({len(review)})" in page
    import pandas as pd

    assert "Cần xem lại" in pd.read_excel(run["files"]["xlsx"], sheet_name=None)
