"""The keystone: a grade cell that reads the journal goes through real nbgrader.

generate_assignment → learner folders holding a notebook and its journal → autograde; a learner
who created a portal account through VNeID scores full marks, one who did not scores zero, and a
hand-edited journal is not trusted.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]
ASSIGNMENT = "tai-khoan-dvc"
SOLUTION = (ROOT / "exercises/source" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb")

pytestmark = pytest.mark.nbgrader


def _nbgrader(course: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    result = subprocess.run([sys.executable, "-m", "nbgrader", *args], cwd=course, env=env,
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout + result.stderr
    return result


def _solution_code() -> str:
    from congdanso.cohort.synthetic import solution

    return solution(ROOT / "exercises", ASSIGNMENT)


def _learner_runs(notebook: Path, answer: str | None) -> None:
    """Do what a learner does: type an answer (or nothing) and run the notebook top to bottom."""
    nb = nbformat.read(notebook, as_version=4)
    if answer is not None:
        cell = next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("solution"))
        cell.source = answer
    NotebookClient(nb, timeout=120, allow_errors=True,
                   resources={"metadata": {"path": str(notebook.parent)}}).execute()
    nbformat.write(nb, notebook)


@pytest.fixture(scope="module")
def graded(tmp_path_factory) -> dict[str, float]:
    course = tmp_path_factory.mktemp("khoa-hoc")
    shutil.copy(ROOT / "exercises/nbgrader_config.py", course)
    shutil.copytree(ROOT / "exercises/source" / ASSIGNMENT, course / "source" / ASSIGNMENT)
    _nbgrader(course, "generate_assignment", ASSIGNMENT, "--force")
    release = course / "release" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
    assert "raise NotImplementedError" in release.read_text()  # the answer is not given away

    learners = {"hv-dat": _solution_code(), "hv-chua-lam": None, "hv-sua-nhat-ky": _solution_code(),
                "hv-lam-do-dang": "world.police.enroll_level2(nguoi_dan.id_number, nguoi_dan.phone)"}
    for learner, answer in learners.items():
        folder = course / "submitted" / learner / ASSIGNMENT
        folder.mkdir(parents=True)
        shutil.copy(release, folder)
        _learner_runs(folder / release.name, answer)
    journal = course / "submitted/hv-sua-nhat-ky" / ASSIGNMENT / "nhat-ky.jsonl"
    lines = journal.read_text(encoding="utf-8").splitlines()
    # The learner edits the police step out of the record by hand (it "failed"):
    forged = json.loads(lines[1])
    assert forged["e"]["action"] == "police.enroll_level2"
    forged["e"]["ok"] = False
    lines[1] = json.dumps(forged, ensure_ascii=False, separators=(",", ":"))
    journal.write_text("\n".join(lines) + "\n", encoding="utf-8")

    _nbgrader(course, "autograde", ASSIGNMENT, "--create")
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gradebook:
        scores = {learner: gradebook.find_submission(ASSIGNMENT, learner).score
                  for learner in learners}
        max_score = gradebook.find_assignment(ASSIGNMENT).max_score
    assert (course / "autograded/hv-dat" / ASSIGNMENT / "nhat-ky.jsonl").exists()
    messages = {learner: _grade_output(course / "autograded" / learner / ASSIGNMENT / release.name)
                for learner in learners}
    roster = ("id,name,ward,khu_pho,role\n"
              "hv-dat,Nguyễn Thị Ánh,Phường Lái Thiêu,Khu phố Đông Nhì,Tình nguyện viên\n"
              "hv-chua-lam,Trần Văn Bảy,Phường Lái Thiêu,Khu phố Đông Nhì,Cán bộ phường\n"
              "hv-sua-nhat-ky,Lê Thị Cúc,Phường Phú Lợi,Khu phố 3,Tình nguyện viên\n"
              "hv-lam-do-dang,Phạm Văn Dũng,Phường Phú Lợi,Khu phố 3,Công an phường\n")
    (course / "roster.csv").write_text(roster, encoding="utf-8")
    from congdanso.cohort.report import load_report, write_report

    report = load_report(course)
    files = write_report(report, ROOT / "tests" / "artifacts" / "report")
    return {"max": max_score, **scores, "messages": messages, "report": report, "files": files}


def _grade_output(notebook: Path) -> str:
    nb = nbformat.read(notebook, as_version=4)
    cell = next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade"))
    return "\n".join(o.get("text", "") + o.get("evalue", "") for o in cell.outputs)


def test_learner_who_did_it_scores_full_marks(graded):
    assert graded["max"] == 2
    assert graded["hv-dat"] == 2


def test_learner_who_did_nothing_scores_zero(graded):
    assert graded["hv-chua-lam"] == 0
    assert "thiếu: đăng ký tài khoản VNeID mức 2" in graded["messages"]["hv-chua-lam"]


def test_partial_work_scores_zero(graded):
    assert graded["hv-lam-do-dang"] == 0
    assert "Bước còn thiếu: kích hoạt VNeID" in graded["messages"]["hv-lam-do-dang"]


def test_hand_edited_journal_is_not_trusted(graded):
    assert graded["hv-sua-nhat-ky"] == 0
    assert "không tin cậy" in graded["messages"]["hv-sua-nhat-ky"]
    assert "Đạt" in graded["messages"]["hv-dat"]


def test_competency_report_from_the_gradebook(graded):
    report = graded["report"]
    assert list(report.matrix.columns) == ["TK2"]
    assert report.matrix.loc["hv-dat", "TK2"] == 1.0
    assert report.matrix.loc[["hv-chua-lam", "hv-sua-nhat-ky", "hv-lam-do-dang"], "TK2"].eq(0).all()
    assert report.ready == ["hv-dat"]
    learners = report.learners.set_index("id")
    assert learners.loc["hv-lam-do-dang", "to_practise"] == "Tạo tài khoản Cổng DVC bằng VNeID"
    dong_nhi = "Khu phố Đông Nhì, Phường Lái Thiêu"
    assert report.by_khu_pho.loc[dong_nhi, "learners"] == 2
    assert report.by_khu_pho.loc[dong_nhi, "ready"] == 1
    assert report.by_khu_pho.loc[dong_nhi, "TK2"] == 50
    assert report.by_role.loc["Công an phường", "TK2"] == 0
    page = graded["files"]["html"].read_text(encoding="utf-8")
    assert "data:image/png;base64," in page and "Sẵn sàng cấp chứng nhận (1)" in page
    assert "Nguyễn Thị Ánh (hv-dat)" in page and "<th>Số học viên</th>" in page
    assert "learners" not in page and "khu_pho" not in page  # everything a trainer reads is Vietnamese
    import pandas as pd

    sheets = pd.read_excel(graded["files"]["xlsx"], sheet_name=None)
    assert set(sheets) == {"Học viên", "Ma trận năng lực", "Theo khu phố", "Theo vai trò"}
    assert graded["files"]["csv"].read_bytes().startswith(b"\xef\xbb\xbf")


def test_certificates_for_ready_learners_verify_and_resist_edits(graded, tmp_path, capsys):
    import re

    from congdanso.cli import main as cli
    from congdanso.cohort.certificates import issue_for_ready

    written = issue_for_ready(graded["report"], ROOT / "tests" / "artifacts" / "chung-nhan")
    assert [p.name for p in written] == ["chung-nhan-hv-dat.pdf"]
    assert cli(["certificate", "verify", str(written[0])]) == 0
    out = capsys.readouterr().out
    assert "✔ Chứng nhận số CDS-" in out and "NGUYEN THI ANH (hv-dat)" in out
    data = written[0].read_bytes()
    payload = re.search(rb"/Keywords \((CDS1;[^)]*)\)", data).group(1).decode()
    assert cli(["certificate", "verify", "--qr", payload]) == 0
    forged = payload.replace(";TK2;", ";TK1,TK2;")
    assert cli(["certificate", "verify", "--qr", forged]) == 1
    assert "giả mạo" in capsys.readouterr().out
    changed = tmp_path / "sua.pdf"
    changed.write_bytes(data.replace(b"CDS-2026", b"CDS-2027", 1) if b"CDS-2026" in data
                        else data[:-200])
    assert cli(["certificate", "verify", str(changed)]) == 1


def test_solution_notebook_passes_and_empty_attempt_fails(tmp_path):
    """The source notebook with its solution passes its own grade cell; the release fails."""
    folder = tmp_path / "nguon"
    shutil.copytree(SOLUTION.parent, folder)
    nb_path = folder / SOLUTION.name
    nb = nbformat.read(nb_path, as_version=4)
    NotebookClient(nb, timeout=120, resources={"metadata": {"path": str(folder)}}).execute()
    grade = next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade"))
    assert "Đạt" in grade.outputs[0]["text"]
