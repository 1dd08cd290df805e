"""End to end: a synthetic cohort of 30 learners in five khu phố goes through the whole pipeline.

The trainer imports the roster, generates and releases the six exercises (one scenario per
learner); each learner fetches them from the exchange, works through the exercise apps by their
buttons (all right, answers only, wrong answers, nothing, tampered or copied journal, a patched
checker with a shadow package, crashing cells) and submits; the trainer collects, autogrades,
writes feedback, the competency report and the certificates. Which item each kind of learner
earns is written out by hand below, not taken from the code under test.
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

import nbformat
import pytest
import synthetic
from congdanso.cohort import grading
from congdanso.grading.decide import declared

ROOT = Path(__file__).resolve().parents[1]
ASSIGNMENTS = ["an-toan-lua-dao", "go-roi-vneid", "ho-so-truc-tuyen", "ho-tro-nguoi-dan",
               "ky-so-hop-dong", "tai-khoan-dvc", "thanh-toan-hoa-don"]

pytestmark = pytest.mark.nbgrader


def _items() -> dict[tuple[str, str], tuple[str, list[str]]]:
    """(assignment, grade cell) → (its requirement, its competencies), as the exercises say."""
    items = {}
    for assignment in ASSIGNMENTS:
        source = ROOT / "exercises/source" / assignment / f"{assignment}.ipynb"
        names, _ = declared(source)
        for cell in nbformat.read(source, as_version=4).cells:
            grading_ = cell.metadata.get("nbgrader", {})
            if grading_.get("grade"):
                (requirement,) = names[grading_["grade_id"]]
                items[(assignment, grading_["grade_id"])] = (
                    requirement, cell.metadata["congdanso"]["competencies"])
    return items


ITEMS = _items()
# Answers that need the learner's own dossier: right only after submitting it.
NEEDS_DOSSIER = {"cau:ma-ho-so", "cau:so-tien-phi", "cau:hen-ngay",
                 # and the copies' verdicts, which only the returned copies can say
                 "cau:ket-luan-1", "cau:ket-luan-2"}


def earned(kind: str, requirement: str) -> bool:
    """Whether a kind of learner earns an item (every item is worth 1 point)."""
    answer = requirement.startswith("cau:")
    if kind in ("dung-het", "loi-chay"):  # crashing cells never run: no kernel is started
        return True
    if kind == "chi-tra-loi":
        return answer and requirement not in NEEDS_DOSSIER
    if kind == "sai":
        return not answer
    return False  # bo-trong, sua-nhat-ky, chep-bai, gian-lan


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
    (course / "dap-an.json").write_bytes((ROOT / "exercises/dap-an.json").read_bytes())
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

    targets = synthetic.build(course, learners, ASSIGNMENTS, probe_url=url, jobs=2)
    lap("phat-bai-lam-bai-nop-bai-thu-bai")
    victim = targets["other"].read_bytes()
    results = grading.autograde(course, jobs=2)
    lap("cham-180-bai")
    feedback = grading.feedback(course)
    lap("phan-hoi")
    server.shutdown()
    from congdanso.cohort.certificates import issue
    from congdanso.cohort.report import load_report, write_report

    out = ROOT / "tests" / "artifacts" / "dot-tap-huan"
    report = load_report(course)
    files = write_report(report, out)
    lap("bao-cao-nang-luc")
    certificates = issue(report, out / "chung-nhan")
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
    assert len(run["results"]) == 30 * len(ASSIGNMENTS) and all(r.ok for r in run["results"])
    assert len(ITEMS) == 93


def test_every_submission_has_the_exact_score(run):
    kinds = {x.id: x.profile for x in run["learners"]}
    for r in run["results"]:
        cells = [req for (a, _), (req, _) in ITEMS.items() if a == r.assignment]
        expected = sum(earned(kinds[r.student], req) for req in cells)
        assert (r.student, r.assignment, r.score) == (r.student, r.assignment, expected)
        assert r.max_score == len(cells)


def test_competency_matrix_is_exact(run):
    kinds = {x.id: x.profile for x in run["learners"]}
    matrix = run["report"].matrix
    assert set(matrix.columns) == {t for _, tags in ITEMS.values() for t in tags}
    for learner, kind in kinds.items():
        for competency in matrix.columns:
            cells = [req for req, tags in ITEMS.values() if competency in tags]
            expected = sum(earned(kind, req) for req in cells) / len(cells)
            assert matrix.loc[learner, competency] == pytest.approx(expected), (learner,
                                                                                 competency)


def test_only_learners_who_mastered_everything_are_certified(run):
    from congdanso.cohort.certificates import CERTIFICATE, TRANSCRIPT, verify_certificate_pdf

    ready = sorted(x.id for x in run["learners"] if x.profile in ("dung-het", "loi-chay"))
    assert run["report"].assessed == list(run["report"].framework.competencies)  # all 12
    assert run["report"].ready == ready
    papers = {d.learner_id: d for d in run["certificates"]}
    assert sorted(x for x, d in papers.items() if d.kind == CERTIFICATE) == ready
    assert [papers[x].path.name for x in ready] == [f"chung-nhan-{x}.pdf" for x in ready]
    kinds = {x.id: x.profile for x in run["learners"]}
    assert {kinds[x] for x, d in papers.items() if d.kind is None} >= {"bo-trong", "gian-lan"}
    assert all(d.path.name.startswith("bang-ket-qua-") for d in papers.values()
               if d.kind == TRANSCRIPT)
    ok, message = verify_certificate_pdf(papers[ready[0]].path.read_bytes(), run["course"])
    assert ok, message
    by_place = run["report"].by_khu_pho["ready"].to_dict()
    expected: dict[str, int] = {}
    for x in run["learners"]:
        key = f"{x.khu_pho}, {x.ward}"
        expected[key] = expected.get(key, 0) + (x.id in ready)
    assert by_place == expected


def _results(run, kind: str, assignment: str):
    ids = {x.id for x in run["learners"] if x.profile == kind}
    return [r for r in run["results"] if r.student in ids and r.assignment == assignment]


def test_no_learner_code_runs_so_nothing_escapes(run):
    course = run["course"]
    assert all(not r.incidents for r in run["results"])
    assert run["targets"]["other"].read_bytes() == run["victim"]
    with sqlite3.connect(course / "gradebook.db") as db:
        assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert db.execute("SELECT COUNT(*) FROM student").fetchone() == (30,)
    assert _Probe.hits == []


def test_tampered_and_copied_journals_are_reported_and_not_believed(run):
    for assignment in ASSIGNMENTS:
        for r in _results(run, "sua-nhat-ky", assignment):
            assert r.journal_trusted is False and r.journal.startswith("KHÔNG TIN CẬY")
        model = next(x.id for x in run["learners"] if x.profile == "dung-het")
        copiers = _results(run, "chep-bai", assignment)
        for r in copiers:
            assert any(f"phương án khác (của \"{model}\")" in f for f in r.flags), r.flags
            assert any(f.startswith("nhật ký giống hệt bài của") and model in f for f in r.flags)
        (original,) = [r for r in run["results"] if r.student == model
                       and r.assignment == assignment]
        same = [f for f in original.flags if f.startswith("nhật ký giống hệt bài của")]
        assert same and all(c.student in same[0] for c in copiers)
    assert all(r.journal_trusted for r in _results(run, "dung-het", "ky-so-hop-dong"))


def test_edited_and_deleted_grade_cells_are_restored_and_reported(run):
    for assignment in ASSIGNMENTS:
        first, second = [cell for (a, cell) in ITEMS if a == assignment][:2]
        for r in _results(run, "sai", assignment):
            assert r.edited_cells == [first, f"{second} (đã xoá)"]
    assert all(not r.edited_cells for r in _results(run, "dung-het", "an-toan-lua-dao"))


def test_results_csv_feedback_and_report_files(run):
    course = run["course"]
    for assignment in ASSIGNMENTS:
        with open(course / "cham-bai" / f"{assignment}.csv", encoding="utf-8-sig") as f:
            rows = list(csv.DictReader(f))
        assert len(rows) == 30 and {"Học viên", "Điểm", "Nhật ký", "Cần xem (gian lận?)"} \
            <= set(rows[0])
    assert run["feedback"] == dict.fromkeys(ASSIGNMENTS, 30)
    html = (course / "feedback" / "hv-01" / "tai-khoan-dvc" / "tai-khoan-dvc.html")
    assert "Đạt" in html.read_text(encoding="utf-8")
    released = list((course / "exchange" / "congdanso" / "feedback").glob("*.html"))
    assert len(released) == 30 * len(ASSIGNMENTS)
    page = run["files"]["html"].read_text(encoding="utf-8")
    assert f"Sẵn sàng cấp chứng nhận khoá học ({len(run['report'].ready)})" in page
    assert "Khoá học đã đánh giá 12/12 năng lực" in page
    review = run["report"].review
    kinds = {x.id: x.profile for x in run["learners"]}
    # the synthetic learners' hands work in milliseconds: every exercise done with steps is
    # listed as faster than a person could; the other reasons are checked without that flag
    speed = review["Cần xem (gian lận?)"].str.contains("nhanh hơn một người làm được")
    assert {kinds[s] for s in review.loc[speed, "Học viên"]} >= {"dung-het", "sai", "loi-chay"}
    review = _without_speed(review)
    model = next(x.id for x in run["learners"] if x.profile == "dung-het")
    assert {kinds[s] for s in review["Học viên"]} == {"sai", "sua-nhat-ky", "chep-bai",
                                                      "dung-het", "gian-lan", "loi-chay"}
    assert set(review.loc[review["Học viên"].map(kinds) == "dung-het", "Học viên"]) == {model}
    # 3 editing, 2 tampering, 2 copying learners and the copied one, 2 checker-patching and 2
    # crashing learners (code added, never run), in each of 6 assignments
    assert len(review) == (3 + 2 + 2 + 1 + 2 + 2) * len(ASSIGNMENTS)
    flagged = review.set_index(["Học viên", "Bài"])["Cần xem (gian lận?)"]
    for x in run["learners"]:
        if x.profile == "gian-lan":
            note = flagged[(x.id, "tai-khoan-dvc")]
            assert "1 ô mã tự thêm" in note and "congdanso/__init__.py" in note
        if x.profile == "loi-chay":
            assert "4 ô mã tự thêm" in flagged[(x.id, "ky-so-hop-dong")]
    assert f"Bài cần giảng viên xem lại ({len(run['report'].review)})" in page
    import pandas as pd

    assert "Cần xem lại" in pd.read_excel(run["files"]["xlsx"], sheet_name=None)


def _without_speed(review):
    from congdanso.cohort.report import REVIEW_COLUMNS

    review = review.copy()
    review["Cần xem (gian lận?)"] = review["Cần xem (gian lận?)"].map(
        lambda text: "; ".join(p for p in text.split("; ") if "nhanh hơn một người" not in p))
    kept = (review["Nhật ký"].str.startswith("KHÔNG TIN CẬY")
            | review[REVIEW_COLUMNS[1:]].ne("").any(axis=1))
    return review.loc[kept].reset_index(drop=True)


def test_grading_on_a_two_worker_dask_cluster_gives_the_same_results(run):
    """`congdanso autograde --dask local`: one submission per task on 2 Dask workers, with the
    same rules and results as the local pool (one learner of each kind, every exercise)."""
    one_of_each = {}
    for learner in run["learners"]:
        one_of_each.setdefault(learner.profile, learner.id)
    chosen = sorted(one_of_each.values())

    def key(results):  # copies are flagged across a run: this one grades fewer learners
        return sorted((r.student, r.assignment, r.ok, r.score, r.max_score, r.journal_trusted,
                       tuple(f for f in r.flags if not f.startswith("nhật ký giống hệt")),
                       tuple(r.incidents), tuple(r.edited_cells))
                      for r in results if r.student in chosen)

    on_dask = grading.autograde(run["course"], students=chosen, jobs=2, dask="local")
    assert len(on_dask) == len(chosen) * len(ASSIGNMENTS)
    assert key(on_dask) == key(run["results"])


def test_every_graded_answer_is_kept_for_the_item_analysis(run):
    """autograde keeps each learner's answers (.congdanso/tra-loi.csv, the trainer's only); the
    report counts the options picked and weighs every grade cell as an item."""
    import stat

    import pandas as pd
    from congdanso.cohort import responses

    course = run["course"]
    path = course / responses.FILE
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    kept = responses.read(course)
    kinds = {x.id: x.profile for x in run["learners"]}
    answered = {(r["student"], r["assignment"]) for r in kept}
    # every learner whose journal was graded has their answers kept, one row per question
    assert {kinds[s] for s, _ in answered} >= {"dung-het", "chi-tra-loi", "sai"}
    assert len({(r["student"], r["assignment"], r["question"]) for r in kept}) == len(kept)
    for r in kept:
        if kinds[r["student"]] in ("dung-het", "loi-chay"):
            assert r["correct"], r
        if kinds[r["student"]] == "sai" and r["options"]:
            assert not r["correct"] and r["value"] in r["options"], r
    items = run["report"].items
    assert items.has_responses and len(items.items) == len(ITEMS)
    options = items.options
    assert not options.empty and (options.groupby(["cell", "question", "version"])["picks"]
                                  .sum() == options.groupby(["cell", "question", "version"])
                                  ["answers"].first()).all()
    sheets = pd.read_excel(run["files"]["xlsx"], sheet_name=None)
    assert len(sheets["Phân tích ô chấm"]) == len(ITEMS)
    assert "Lựa chọn của học viên" in sheets
    page = run["files"]["html"].read_text(encoding="utf-8")
    assert f"Phân tích ô chấm ({len(ITEMS)} ô)" in page


def _fresh_ids(autograded: Path, released: Path) -> set[bytes]:
    """A grade cell the learner deleted is put back by nbgrader's OverwriteCells without a cell
    id, and nbformat gives it a random one (two runs of stock nbgrader differ there too)."""
    fresh = set()
    for nb in autograded.glob("*/*.ipynb"):
        known = {c.get("id") for c in json.loads(
            (released / nb.parent.name / nb.name).read_text("utf-8"))["cells"]}
        fresh |= {c["id"].encode() for c in json.loads(nb.read_text("utf-8"))["cells"]
                  if c.get("id") and c.get("id") not in known}
    return fresh


def _tree(folder: Path, fresh: set[bytes], released: Path) -> dict[str, tuple[bytes, int]]:
    """Each file's bytes (the random ids of restored cells read "(moi)", also in a feedback
    page, where a cell without an id gets a new random one each time it is rendered) and mode."""
    import re

    known = {c["id"].encode() for nb in released.glob("*/*.ipynb")
             for c in json.loads(nb.read_text("utf-8"))["cells"] if "id" in c}
    files = {}
    for p in sorted(folder.rglob("*")):
        if p.is_file():
            data = p.read_bytes()
            for cell_id in fresh:
                data = data.replace(cell_id, b"(moi)")
            data = re.sub(rb'id="cell-id=([^"]*)"', lambda m: m[0] if m[1] in known
                          else b'id="cell-id=(moi)"', data)
            files[str(p.relative_to(folder))] = (data, p.stat().st_mode)
    return files


def _gradebook_rows(course: Path, students: list[str]) -> dict[str, list[tuple]]:
    """Every row a grade, comment or submission has, by names (not by the random row ids)."""
    joins = ("join base_cell c on c.id = g.cell_id "
             "join submitted_notebook sn on sn.id = g.notebook_id "
             "join notebook n on n.id = sn.notebook_id "
             "join submitted_assignment sa on sa.id = sn.assignment_id "
             "join assignment a on a.id = sa.assignment_id ")
    where = f"where sa.student_id in ({', '.join('?' * len(students))})"
    queries = {
        "grade": "select sa.student_id, a.name, n.name, c.name, g.auto_score, g.manual_score, "
                 "g.extra_credit, g.needs_manual_grade from grade g " + joins + where,
        "comment": "select sa.student_id, a.name, n.name, c.name, g.auto_comment, "
                   "g.manual_comment from comment g " + joins + where,
        "submission": "select sa.student_id, a.name, n.name, sa.timestamp, "
                      "sn.late_submission_penalty, sn.flagged from submitted_notebook sn "
                      "join notebook n on n.id = sn.notebook_id join submitted_assignment sa "
                      "on sa.id = sn.assignment_id join assignment a on a.id = "
                      "sa.assignment_id " + where}
    with sqlite3.connect(course / "gradebook.db") as db:
        return {name: sorted(db.execute(sql, students).fetchall())
                for name, sql in queries.items()}


def _formgrader_view(course: Path, students: list[str]) -> list:
    """What the formgrader's pages are made of (nbgrader's API), without row ids and paths."""
    api = grading._api(grading.course_config(course))

    def plain(value):
        if isinstance(value, dict):
            return {k: plain(v) for k, v in sorted(value.items())
                    if k not in ("id", "submission_id") and not k.endswith("path")}
        if isinstance(value, list):
            return [plain(v) for v in value]
        return value

    return [plain([api.get_submission(a, s), api.get_student_notebook_submissions(s, a)])
            for a in ASSIGNMENTS for s in students]


def test_in_process_grading_writes_what_nbgrader_writes(run, tmp_path):
    """Widget-only submissions are graded in the worker's own process (one gradebook session,
    nbgrader's preprocessors without its converter). Graded again through nbgrader's converter,
    one learner of each kind (edited and deleted grade cells, added code, an untouched notebook,
    a tampered journal…) gets the same autograded files, byte for byte and mode for mode, the
    same gradebook rows, the same formgrader view and the same feedback pages."""
    import shutil

    one_of_each = {}
    for learner in run["learners"]:
        one_of_each.setdefault(learner.profile, learner.id)
    chosen = sorted(one_of_each.values())
    course = run["course"]
    stock = tmp_path / "khoa"
    shutil.copytree(course, stock, symlinks=True)
    for folder in ("autograded", "feedback"):
        for student in chosen:
            shutil.rmtree(stock / folder / student, ignore_errors=True)
    again = grading.autograde(stock, students=chosen, jobs=2, inprocess=False)
    assert len(again) == len(chosen) * len(ASSIGNMENTS) and all(r.ok for r in again)
    grading.feedback(stock, students=chosen, publish=False)
    for student in chosen:
        for folder in ("autograded", "feedback"):
            ours = _tree(course / folder / student,
                         _fresh_ids(course / "autograded" / student, course / "release"),
                         course / "release")
            theirs = _tree(stock / folder / student,
                           _fresh_ids(stock / "autograded" / student, course / "release"),
                           course / "release")
            assert ours.keys() == theirs.keys(), (folder, student)
            for name in ours:
                assert ours[name] == theirs[name], (folder, student, name)
    assert _gradebook_rows(course, chosen) == _gradebook_rows(stock, chosen)
    assert _formgrader_view(course, chosen) == _formgrader_view(stock, chosen)
    mine = {(r.student, r.assignment): (r.score, r.max_score, r.edited_cells, r.incidents)
            for r in run["results"] if r.student in chosen}
    assert mine == {(r.student, r.assignment): (r.score, r.max_score, r.edited_cells, r.incidents)
                    for r in again}
