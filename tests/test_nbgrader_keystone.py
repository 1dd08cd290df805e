"""The keystone: stock ``nbgrader autograde`` with the course's configuration decides each grade
cell from the learner's journal and own scenario, outside the learner's kernel.

generate_assignment → the per-learner token table → learners who work by the exercise's buttons
(then run the notebook in a real kernel, as a learner checking progress does) → autograde. Also:
each cheat of the issue (patched checker, shadow package, classmate's journal, hand-edited
journal) scores 0, and certificates cannot be forged.
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
from jupyterkit import jupyter_env, own_jupyter
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]
ASSIGNMENT = "tai-khoan-dvc"
SOURCE = ROOT / "exercises/source" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
LEARNERS = ["hv-dat", "hv-chua-lam", "hv-sua-nhat-ky", "hv-chep-bai", "hv-gian-lan",
            "hv-chi-tra-loi"]
LATE = "hv-vao-sau"  # joined after the release: not in the table of scenarios

pytestmark = pytest.mark.nbgrader


def _nbgrader(course: Path, *args: str) -> subprocess.CompletedProcess:
    # nbgrader reads ~/.jupyter/nbgrader_config.py too: the course's settings only
    env = jupyter_env(course.parent / f"{course.name}-jupyter",
                      PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}")
    result = subprocess.run([sys.executable, "-m", "nbgrader", *args], cwd=course, env=env,
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout + result.stderr
    return result


def _work(folder: Path, learner: str, way: str) -> None:
    from congdanso.ui.exercise import Exercise
    from hands import do_exercise

    exercise = Exercise.open(ASSIGNMENT, folder=folder, learner=learner)
    do_exercise(exercise, way)
    exercise.close()


def _run_in_kernel(notebook: Path, learner: str) -> None:
    """Run All in a real kernel, as the learner does to see their progress."""
    nb = nbformat.read(notebook, as_version=4)
    os.environ["CONGDANSO_LEARNER"] = learner
    try:
        with own_jupyter(notebook.parent.parent / f".jupyter-{learner}"):
            NotebookClient(nb, timeout=120, allow_errors=True,
                           resources={"metadata": {"path": str(notebook.parent)}}).execute()
    finally:
        del os.environ["CONGDANSO_LEARNER"]
    nbformat.write(nb, notebook)


@pytest.fixture(scope="module")
def graded(tmp_path_factory) -> dict:
    from congdanso.grading.variants import write_variant_table
    from synthetic import CHEAT, SHADOW

    course = tmp_path_factory.mktemp("khoa-hoc")
    shutil.copy(ROOT / "exercises/nbgrader_config.py", course)
    shutil.copy(ROOT / "exercises/dap-an.json", course)
    shutil.copytree(SOURCE.parent, course / "source" / ASSIGNMENT)
    _nbgrader(course, "generate_assignment", ASSIGNMENT, "--force")
    write_variant_table(course, ASSIGNMENT, LEARNERS)
    release = course / "release" / ASSIGNMENT
    folders = {}
    for learner in [*LEARNERS, LATE]:
        folder = course / "submitted" / learner / ASSIGNMENT
        shutil.copytree(release, folder)
        folders[learner] = folder
    _work(folders["hv-dat"], "hv-dat", "dung-het")
    _work(folders["hv-sua-nhat-ky"], "hv-sua-nhat-ky", "dung-het")
    _work(folders["hv-chi-tra-loi"], "hv-chi-tra-loi", "chi-tra-loi")
    _work(folders[LATE], LATE, "dung-het")
    for item in folders["hv-dat"].glob("nhat-ky.jsonl*"):  # a classmate's finished journal
        (shutil.copytree if item.is_dir() else shutil.copy2)(item, folders["hv-chep-bai"]
                                                            / item.name)
    journal = folders["hv-sua-nhat-ky"] / "nhat-ky.jsonl"
    lines = journal.read_text(encoding="utf-8").splitlines()
    forged = json.loads(lines[-1])
    forged["e"]["ok"] = not forged["e"]["ok"]  # "I did answer that one"
    lines[-1] = json.dumps(forged, ensure_ascii=False, separators=(",", ":"))
    journal.write_text("\n".join(lines) + "\n", encoding="utf-8")
    cheat = folders["hv-gian-lan"]
    nb = nbformat.read(cheat / f"{ASSIGNMENT}.ipynb", as_version=4)
    nb.cells.insert(2, nbformat.v4.new_code_cell(CHEAT))
    nbformat.write(nb, cheat / f"{ASSIGNMENT}.ipynb")
    (cheat / "congdanso" / "ui").mkdir(parents=True)
    (cheat / "congdanso" / "__init__.py").write_text(SHADOW, encoding="utf-8")
    (cheat / "congdanso" / "ui" / "__init__.py").write_text("", encoding="utf-8")
    (cheat / "congdanso" / "ui" / "exercise.py").write_text(SHADOW, encoding="utf-8")
    _run_in_kernel(folders["hv-gian-lan"] / f"{ASSIGNMENT}.ipynb", "hv-gian-lan")
    _run_in_kernel(folders["hv-dat"] / f"{ASSIGNMENT}.ipynb", "hv-dat")

    _nbgrader(course, "autograde", ASSIGNMENT, "--create")
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gradebook:
        scores = {learner: gradebook.find_submission(ASSIGNMENT, learner).score
                  for learner in [*LEARNERS, LATE]}
        max_score = gradebook.find_assignment(ASSIGNMENT).max_score
    outputs = {learner: _grade_outputs(course / "autograded" / learner / ASSIGNMENT
                                       / f"{ASSIGNMENT}.ipynb") for learner in [*LEARNERS, LATE]}
    roster = ("id,name,ward,khu_pho,role\n"
              "hv-dat,Nguyễn Thị Ánh (Út); \"Bé\",Phường Lái Thiêu,Khu phố Đông Nhì,Tình nguyện viên\n"
              "hv-chua-lam,Trần Văn Bảy,Phường Lái Thiêu,Khu phố Đông Nhì,Cán bộ phường\n"
              "hv-sua-nhat-ky,Lê Thị Cúc,Phường Phú Lợi,Khu phố 3,Tình nguyện viên\n"
              "hv-chep-bai,Phạm Văn Dũng,Phường Phú Lợi,Khu phố 3,Công an phường\n"
              "hv-gian-lan,Võ Văn Em,Phường Phú Lợi,Khu phố 3,Công an phường\n"
              "hv-chi-tra-loi,Đỗ Thị Gấm,Phường Lái Thiêu,Khu phố Đông Nhì,Tình nguyện viên\n")
    (course / "roster.csv").write_text(roster, encoding="utf-8")
    from congdanso.cohort.report import load_report, write_report

    report = load_report(course)
    files = write_report(report, ROOT / "tests" / "artifacts" / "report")
    return {"course": course, "max": max_score, "scores": scores, "outputs": outputs,
            "report": report, "files": files, "release": release}


def _grade_outputs(notebook: Path) -> dict[str, str]:
    nb = nbformat.read(notebook, as_version=4)
    return {c.metadata["nbgrader"]["grade_id"]: "\n".join(
        o.get("text", "") + o.get("evalue", "") for o in c.outputs)
        for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade")}


def test_released_notebook_gives_nothing_away(graded):
    text = (graded["release"] / f"{ASSIGNMENT}.ipynb").read_text(encoding="utf-8")
    nb = nbformat.reads(text, as_version=4)
    assert not any(c.metadata.get("nbgrader", {}).get("solution") for c in nb.cells)
    from congdanso.grading.key import load_key

    for question in load_key().spec(ASSIGNMENT)["questions"].values():
        for answer in question.get("answers", {"": question.get("answer")}).values():
            if not answer.startswith(("$", "@")):
                # the options are shown in the phone, never marked; the notebook holds none
                assert answer not in text
    table = json.loads((graded["release"] / "phuong-an.json").read_text(encoding="utf-8"))
    assert set(table["tokens"]) == set(LEARNERS) and len(set(table["tokens"].values())) == 6


def test_learner_who_did_it_scores_full_marks(graded):
    assert graded["max"] == 13
    assert graded["scores"]["hv-dat"] == 13
    assert all(text.startswith("✔ Đạt") for text in graded["outputs"]["hv-dat"].values())


def test_doing_nothing_scores_zero(graded):
    assert graded["scores"]["hv-chua-lam"] == 0
    assert "chưa làm bước nào" in graded["outputs"]["hv-chua-lam"]["kiem-tra-vneid-kich-hoat"]


def test_answers_without_the_work_score_only_the_answers(graded):
    assert graded["scores"]["hv-chi-tra-loi"] == 9  # the nine answers, none of the four steps
    assert "chưa được kích hoạt" in \
        graded["outputs"]["hv-chi-tra-loi"]["kiem-tra-vneid-kich-hoat"]


def test_cheats_score_zero(graded):
    scores, outputs = graded["scores"], graded["outputs"]
    assert scores["hv-sua-nhat-ky"] == 0
    assert "không tin cậy" in outputs["hv-sua-nhat-ky"]["kiem-tra-vneid-kich-hoat"]
    assert scores["hv-chep-bai"] == 0
    assert "phương án của người khác (học viên hv-dat)" in \
        outputs["hv-chep-bai"]["kiem-tra-vneid-kich-hoat"]
    # the patched checker and the shadow package passed in the learner's own kernel...
    submitted = nbformat.read(graded["course"] / "submitted/hv-gian-lan" / ASSIGNMENT
                              / f"{ASSIGNMENT}.ipynb", as_version=4)
    assert any("Đạt" in str(o.get("text", "")) for c in submitted.cells
               for o in c.get("outputs", []))
    # ...and earned nothing from the grader
    assert scores["hv-gian-lan"] == 0


def test_work_on_a_practice_scenario_is_not_graded_and_says_why(graded):
    assert graded["scores"][LATE] == 0
    assert "phương án tự luyện" in graded["outputs"][LATE]["kiem-tra-vneid-kich-hoat"]


def test_competency_report_from_the_gradebook(graded):
    report = graded["report"]
    assert set(report.matrix.columns) == {"TK1", "TK2", "HT1", "HS1", "AT1", "AT2"}
    assert report.matrix.loc["hv-dat"].eq(1.0).all()
    assert report.matrix.loc[["hv-chua-lam", "hv-sua-nhat-ky", "hv-gian-lan"]].eq(0).all().all()
    # chi-tra-loi: TK1 from 4 of its 7 items (the answers), TK2 from 4 of 5 (not the portal)
    assert report.matrix.loc["hv-chi-tra-loi", "TK1"] == pytest.approx(4 / 7)
    assert report.matrix.loc["hv-chi-tra-loi", "TK2"] == pytest.approx(4 / 5)
    # one exercise of seven measures 6 of the 12 competencies: no course certificate yet,
    # at most a transcript of what was measured
    assert report.ready == [] and "hv-dat" in report.transcript
    page = graded["files"]["html"].read_text(encoding="utf-8")
    assert "Khoá học đã đánh giá 6/12 năng lực" in page
    assert "Sẵn sàng cấp chứng nhận khoá học (0)" in page


def test_certificates_verify_resist_edits_and_forgery(graded, tmp_path, capsys):
    import datetime as dt
    import re

    from congdanso.cli import main as cli
    from congdanso.cohort import certificates
    from congdanso.cohort.certificates import TRANSCRIPT, issue

    course = str(graded["course"])
    done = {d.learner_id: d for d in issue(graded["report"], tmp_path / "chung-nhan")}
    assert done["hv-dat"].kind == TRANSCRIPT  # after 1 of 7 exercises: a transcript only
    assert done["hv-chua-lam"].kind is None
    written = [done["hv-dat"].path]
    assert written[0].name == "bang-ket-qua-hv-dat.pdf"
    assert oct((graded["course"] / ".congdanso" / "khoa-ky-chung-nhan.pem").stat().st_mode)[-3:] \
        == "600"
    assert cli(["certificate", "verify", str(written[0]), "--course", course]) == 0
    out = capsys.readouterr().out
    assert "✔ Bảng kết quả năng lực số CDS-" in out
    assert "Nguyễn Thị Ánh (Út); \"Bé\" (hv-dat)" in out
    data = written[0].read_bytes()
    payload = re.search(rb"/Keywords \((CDS2\.[^)]*)\)", data).group(1).decode()
    assert cli(["certificate", "verify", "--qr", payload, "--course", course]) == 0
    # A forger with the published package: a fresh key, a valid-looking payload, another number.
    other = tmp_path / "khoa-gia"
    signer = certificates.course_signer(other, create=True)
    facts = certificates.CertificateFacts("CDS-2026-000777", "hv-gian-lan", "Võ Văn Em", "",
                                          ("TK1", "TK2"), dt.date(2026, 12, 1))
    fake_pdf = tmp_path / "gia.pdf"
    fake_pdf.write_bytes(certificates.certificate_pdf(facts, {}, signer))
    assert cli(["certificate", "verify", str(fake_pdf), "--course", course]) == 1
    fake_qr = certificates.qr_payload(facts, signer)
    assert cli(["certificate", "verify", "--qr", fake_qr, "--course", course]) == 1
    assert "giả mạo" in capsys.readouterr().out
    changed = tmp_path / "sua.pdf"
    changed.write_bytes(data.replace(b"CDS-2026", b"CDS-2027", 1) if b"CDS-2026" in data
                        else data[:-200])
    assert cli(["certificate", "verify", str(changed), "--course", course]) == 1
    assert cli(["certificate", "verify", "--qr", payload, "--course", str(other)]) == 1
