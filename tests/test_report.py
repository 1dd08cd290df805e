"""`congdanso report` and `congdanso certificate issue` on a course folder, end to end.

The gradebook is built with nbgrader's own API (no submission is graded: that is the pipeline
tests' job, and slow), the tags come from source notebooks, the answers from the course's
``.congdanso/tra-loi.csv``. Two courses: one whose exercises measure all 12 competencies of the
framework, and one after the first exercise only (the real ``tai-khoan-dvc`` notebook), where
nobody may get a course certificate.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import nbformat
import pandas as pd
import pytest
from congdanso.cli import main as cli
from congdanso.cohort import responses
from congdanso.cohort.certificates import verify_certificate_pdf
from congdanso.grading.competencies import load_framework

ROOT = Path(__file__).resolve().parents[1]
FRAMEWORK = load_framework()
ALL = list(FRAMEWORK.competencies)
OPTIONS = ["Hỏi số điện thoại trên giấy báo", "Bấm vào đường link trong tin nhắn",
           "Đọc mã OTP cho người gọi", "Chuyển khoản ngay cho chắc"]  # the last: nobody picks it


def _notebook(path: Path, cells: list[tuple[str, list[str]]]) -> None:
    nb = nbformat.v4.new_notebook()
    for grade_id, competencies in cells:
        cell = nbformat.v4.new_code_cell(f'"""Kiểm tra {grade_id}."""\nbai_tap.kiem_tra("x")')
        cell.metadata["nbgrader"] = {"grade": True, "grade_id": grade_id, "locked": True,
                                     "points": 1, "schema_version": 3, "solution": False}
        cell.metadata["congdanso"] = {"competencies": competencies}
        nb.cells.append(cell)
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, path)


def _gradebook(course: Path, cells: dict[str, list[str]], scores: dict[tuple[str, str, str], float],
               learners: list[str]) -> None:
    import warnings

    from congdanso.cohort.roster import _tools_on_path
    from nbgrader.api import Gradebook
    from sqlalchemy.exc import SAWarning

    _tools_on_path()
    warnings.filterwarnings("ignore", category=SAWarning)
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gradebook:
        for assignment, ids in cells.items():
            gradebook.add_assignment(assignment)
            gradebook.add_notebook(assignment, assignment)
            for grade_id in ids:
                gradebook.add_grade_cell(grade_id, assignment, assignment, max_score=1,
                                         cell_type="code")
        for learner in learners:
            gradebook.add_student(learner)
            for assignment, ids in cells.items():
                gradebook.add_submission(assignment, learner)
                for grade_id in ids:
                    grade = gradebook.find_grade(grade_id, assignment, assignment, learner)
                    grade.auto_score = scores.get((learner, assignment, grade_id), 0.0)
        gradebook.db.commit()


def _roster(course: Path, learners: list[str]) -> None:
    names = {"hv-vung": "Nguyễn Thị Ánh (Út)", "hv-mot-phan": "Trần Văn Bảy",
             "hv-chua-lam": "Lê Thị Cúc"}
    rows = [{"id": x, "name": names.get(x, f"Học viên {x[-2:]}"), "ward": "Phường Lái Thiêu",
             "khu_pho": "Khu phố Đông Nhì" if i % 2 else "Khu phố Đông Tư",
             "role": "Tình nguyện viên"} for i, x in enumerate(learners)]
    pd.DataFrame(rows).to_csv(course / "roster.csv", index=False)


@pytest.fixture(scope="module")
def full_course(tmp_path_factory) -> Path:
    """Two exercises measuring all 12 competencies, 30 learners: one masters everything, one
    misses a single competency, one fails all but the item everyone passes, the rest by ability
    (none of them passes the twelfth cell); a choice item whose fourth option nobody picks."""
    course = tmp_path_factory.mktemp("du-12-nang-luc")
    (course / "nbgrader_config.py").write_text("c = get_config()\n", encoding="utf-8")
    first = [(f"o-{c.lower()}", [c]) for c in ALL]  # one cell per competency
    second = [("o-chon-cach-xu-ly", ["AT1"]), ("o-ai-cung-dat", ["HT1"]),
              ("o-them-tk1", ["TK1"]), ("o-them-hs1", ["HS1"])]
    cells = {"bai-mot": first, "bai-hai": second}
    for assignment, listed in cells.items():
        _notebook(course / "source" / assignment / f"{assignment}.ipynb", listed)
    learners = ["hv-vung", "hv-mot-phan", "hv-chua-lam"] + [f"hv-{i:02d}" for i in range(27)]
    scores: dict[tuple[str, str, str], float] = {}
    records = []
    wrong = 0  # wrong answers to the choice item alternate between two distractors
    for rank, learner in enumerate(learners):
        ability = {"hv-vung": 99, "hv-mot-phan": 98, "hv-chua-lam": -1}.get(learner, rank % 11)
        for assignment, listed in cells.items():
            for position, (grade_id, _) in enumerate(listed):
                if grade_id == "o-ai-cung-dat":
                    right = True
                elif grade_id == "o-chon-cach-xu-ly":
                    right = ability >= 5  # some ten learners pick a distractor
                elif learner == "hv-mot-phan":
                    right = grade_id != "o-ks2"  # KS2 not mastered
                else:
                    right = ability >= position
                scores[(learner, assignment, grade_id)] = float(right)
        right = scores[(learner, "bai-hai", "o-chon-cach-xu-ly")] == 1
        records.append({"student": learner, "assignment": "bai-hai", "cell": "o-chon-cach-xu-ly",
                        "question": "cach-xu-ly", "correct": right, "options": OPTIONS,
                        "value": OPTIONS[0] if right else OPTIONS[1 + wrong % 2]})
        wrong += not right
    _gradebook(course, {a: [g for g, _ in listed] for a, listed in cells.items()}, scores,
               learners)
    _roster(course, learners)
    responses.merge(course, records, {(r["student"], "bai-hai") for r in records})
    return course


@pytest.fixture(scope="module")
def first_exercise_only(tmp_path_factory) -> Path:
    """After 1 of 7 exercises: the real tai-khoan-dvc notebook, every learner all right."""
    course = tmp_path_factory.mktemp("sau-bai-dau")
    (course / "nbgrader_config.py").write_text("c = get_config()\n", encoding="utf-8")
    assignment = "tai-khoan-dvc"
    source = course / "source" / assignment
    shutil.copytree(ROOT / "exercises/source" / assignment, source)
    nb = json.loads((source / f"{assignment}.ipynb").read_text(encoding="utf-8"))
    ids = [c["metadata"]["nbgrader"]["grade_id"] for c in nb["cells"]
           if c.get("metadata", {}).get("nbgrader", {}).get("grade")]
    learners = ["hv-vung", "hv-chua-lam"] + [f"hv-{i:02d}" for i in range(10)]
    scores = {(x, assignment, g): float(x != "hv-chua-lam") for x in learners for g in ids}
    _gradebook(course, {assignment: ids}, scores, learners)
    _roster(course, learners)
    return course


def _pdf_text(path: Path) -> str:
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(path.read_bytes())
    try:
        return " ".join(document[0].get_textpage().get_text_range().split())
    finally:
        document.close()


def test_report_writes_the_item_analysis_sheet_and_section(full_course, tmp_path, capsys):
    out = tmp_path / "bao-cao"
    assert cli(["report", "--course", str(full_course), "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "Khoá học đã đánh giá 12/12 năng lực." in printed
    assert "Sẵn sàng cấp chứng nhận khoá học (đạt cả 12/12 năng lực): 1 học viên" in printed
    sheets = pd.read_excel(out / "bao-cao-nang-luc.xlsx", sheet_name=None)
    items = sheets["Phân tích ô chấm"]
    assert list(items.columns) == ["Số", "Bài", "Ô chấm", "Năng lực", "Số bài làm",
                                   "Độ khó p (% điểm đạt)", "Độ phân biệt r", "Cảnh báo",
                                   "Phương án nhiễu không ai chọn"]
    assert len(items) == 16 and list(items["Số"]) == list(range(1, 17))
    # assignments by name (bai-hai first), cells in notebook order
    assert list(items["Ô chấm"][:5]) == ["o-chon-cach-xu-ly", "o-ai-cung-dat", "o-them-tk1",
                                         "o-them-hs1", "o-tk1"]
    by_cell = items.set_index("Ô chấm")
    assert by_cell.loc["o-ai-cung-dat", "Độ khó p (% điểm đạt)"] == 100
    assert by_cell.loc["o-ai-cung-dat", "Cảnh báo"] == "⚠\u00a0Ai cũng đạt"
    assert "⚠\u00a0Phương án nhiễu không ai chọn" in by_cell.loc["o-chon-cach-xu-ly", "Cảnh báo"]
    assert by_cell.loc["o-chon-cach-xu-ly", "Phương án nhiễu không ai chọn"] == f"“{OPTIONS[3]}”"
    assert by_cell.loc["o-tk1", "Độ phân biệt r"] > 0.3 and by_cell.loc["o-tk1", "Số bài làm"] == 30
    picked = sheets["Lựa chọn của học viên"]
    assert list(picked["Lựa chọn"]) == OPTIONS
    assert picked["Số người chọn"].sum() == 30 and list(picked["Số người chọn"])[3] == 0
    assert list(picked["Cảnh báo"].fillna("")) == ["", "", "", "⚠\u00a0Không ai chọn"]
    learners = sheets["Học viên"].set_index("Mã học viên")
    assert learners.loc["hv-vung", "Được cấp"] == "Chứng nhận khoá học"
    assert learners.loc["hv-mot-phan", "Được cấp"] == "Bảng kết quả năng lực"
    assert learners.loc["hv-chua-lam", "Được cấp"] == "Chưa cấp"
    assert learners.loc["hv-mot-phan", "Tiến độ đánh giá"] == "đã đánh giá 12/12 năng lực"
    assert learners.loc["hv-mot-phan", "Năng lực đã đạt"] == 11
    page = (out / "bao-cao-nang-luc.html").read_text(encoding="utf-8")
    assert '<h2 id="phan-tich-o-cham">Phân tích ô chấm (16 ô)</h2>' in page
    assert "Chỉ kết luận khi ô có từ 10 bài làm" in page and "⚠\u00a0Phân biệt ngược" in page
    assert "Sẵn sàng cấp chứng nhận khoá học (1)" in page
    assert "Chỉ cấp được bảng kết quả năng lực (" in page
    assert page.count("data:image/png;base64,") == 3  # khu phố; items, wide and narrow


def test_report_without_the_answer_file_says_so(full_course, tmp_path):
    course = tmp_path / "khoa"
    shutil.copytree(full_course, course)
    (course / responses.FILE).unlink()
    out = tmp_path / "bao-cao"
    assert cli(["report", "--course", str(course), "--out", str(out)]) == 0
    items = pd.read_excel(out / "bao-cao-nang-luc.xlsx", sheet_name="Phân tích ô chấm")
    assert items["Phương án nhiễu không ai chọn"].isna().all()
    assert not items["Cảnh báo"].fillna("").str.contains("nhiễu").any()
    page = (out / "bao-cao-nang-luc.html").read_text(encoding="utf-8")
    assert "Chưa có tệp câu trả lời của học viên" in page


def test_certificate_only_with_all_12_transcript_otherwise(full_course, tmp_path, capsys):
    out = tmp_path / "giay"
    assert cli(["certificate", "issue", "--course", str(full_course), "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "Chứng nhận khoá học (đạt cả 12/12 năng lực): 1 học viên." in printed
    assert ("chung-nhan-hv-vung.pdf  Nguyễn Thị Ánh (Út) (hv-vung): đạt cả 12/12 năng lực của "
            "khoá") in printed
    assert ("bang-ket-qua-hv-mot-phan.pdf  Trần Văn Bảy (hv-mot-phan): đã đánh giá 12/12 năng "
            "lực, đạt 11; chưa đạt KS2") in printed
    assert "Không cấp: " in printed
    assert "  Lê Thị Cúc (hv-chua-lam): đã đánh giá 12/12 năng lực, đạt 0; chưa đạt TK1" in printed
    certificate = _pdf_text(out / "chung-nhan-hv-vung.pdf")
    assert "GIẤY CHỨNG NHẬN" in certificate and "Hoàn thành khoá tập huấn" in certificate
    transcript = _pdf_text(out / "bang-ket-qua-hv-mot-phan.pdf")
    assert "BẢNG KẾT QUẢ NĂNG LỰC" in transcript and "hoàn thành" not in transcript.lower()
    assert "GIẤY CHỨNG NHẬN" not in transcript
    assert "Đạt 11 năng lực (khoá học đã đánh giá 12/12 năng lực)" in transcript
    assert "KS1 Ký số tài liệu" in transcript and "KS2" not in transcript
    ok, message = verify_certificate_pdf((out / "bang-ket-qua-hv-mot-phan.pdf").read_bytes(),
                                         full_course)
    assert ok and message.startswith("Bảng kết quả năng lực số CDS-"), message
    assert "chưa phải chứng nhận khoá học" in message


def test_after_one_exercise_no_course_certificate(first_exercise_only, tmp_path, capsys):
    """The issue's case: after 1 of 7 exercises a perfect learner is not 'ready to certify'."""
    course = first_exercise_only
    out = tmp_path / "bao-cao"
    assert cli(["report", "--course", str(course), "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assessed = re.search(r"Khoá học đã đánh giá (\d+)/12 năng lực", printed)
    assert assessed and 0 < int(assessed.group(1)) < len(FRAMEWORK.competencies) == 12
    assert "Sẵn sàng cấp chứng nhận khoá học (đạt cả 12/12 năng lực): 0 học viên" in printed
    page = (out / "bao-cao-nang-luc.html").read_text(encoding="utf-8")
    assert "Sẵn sàng cấp chứng nhận (" not in page
    assert "Sẵn sàng cấp chứng nhận khoá học (0)" in page
    assert f"chưa có: khoá học mới đánh giá {assessed.group(1)}/12 năng lực." in page
    assert f"đã đánh giá {assessed.group(1)}/12 năng lực" in page
    papers = tmp_path / "giay"
    assert cli(["certificate", "issue", "--course", str(course), "--out", str(papers)]) == 0
    printed = capsys.readouterr().out
    assert f"Khoá học mới đánh giá {assessed.group(1)}/12 năng lực" in printed
    assert "Chứng nhận khoá học (đạt cả 12/12 năng lực): 0 học viên." in printed
    assert "Bảng kết quả năng lực (chưa đủ điều kiện chứng nhận khoá học): 11 học viên." \
        in printed
    assert "Không cấp: 1 học viên." in printed
    assert "Hoàn thành khoá" not in printed
    assert sorted(p.name for p in papers.iterdir()) == sorted(
        f"bang-ket-qua-hv-{x}.pdf" for x in ["vung", *(f"{i:02d}" for i in range(10))])
    text = _pdf_text(papers / "bang-ket-qua-hv-vung.pdf")
    assert "Hoàn thành khoá tập huấn" not in text and "BẢNG KẾT QUẢ NĂNG LỰC" in text
    assert f"khoá học đã đánh giá {assessed.group(1)}/12 năng lực" in text


def test_report_with_a_learner_who_handed_nothing_in_prints_no_pandas_warning(full_course,
                                                                              tmp_path, capfd):
    """A learner in the roster with no graded submission (not assessed: None in the frame of
    mastered competencies) made pandas print an English FutureWarning about downcasting on
    ``fillna``; the report must run clean and count that learner as not assessed."""
    import warnings

    course = tmp_path / "khoa"
    shutil.copytree(full_course, course)
    roster = pd.read_csv(course / "roster.csv", dtype=str)
    late = {"id": "hv-chua-nop", "name": "Phạm Thị Duyên", "ward": "Phường Lái Thiêu",
            "khu_pho": "Khu phố Đông Nhì", "role": "Tình nguyện viên"}
    pd.concat([roster, pd.DataFrame([late])]).to_csv(course / "roster.csv", index=False)
    out = tmp_path / "bao-cao"
    with warnings.catch_warnings():
        warnings.simplefilter("error", FutureWarning)
        assert cli(["report", "--course", str(course), "--out", str(out)]) == 0
        # an answer record the grader could not judge (correct: None) is not right
        from congdanso.cohort.items import responses_frame

        frame = responses_frame([{"student": "hv-01", "assignment": "bai-hai", "cell": "o",
                                  "question": "q", "value": None, "correct": None,
                                  "options": OPTIONS},
                                 {"student": "hv-02", "assignment": "bai-hai", "cell": "o",
                                  "question": "q", "value": OPTIONS[0], "correct": True,
                                  "options": OPTIONS}])
        assert list(frame["correct"]) == [False, True] and frame["correct"].dtype == bool
    captured = capfd.readouterr()
    assert "Warning" not in captured.err + captured.out
    learners = pd.read_excel(out / "bao-cao-nang-luc.xlsx", sheet_name="Học viên")
    row = learners.set_index("Mã học viên").loc["hv-chua-nop"]
    assert row["Được cấp"] == "Chưa cấp" and row["Năng lực đã đạt"] == 0


def _province(learners: int, places: int = 6) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """``learners`` over three wards (``places`` khu phố in all), one exercise with a cell per
    competency: every fourth learner masters everything, the others all but AT1."""
    cells = [(f"o-{c.lower()}", c) for c in ALL]
    tags = pd.DataFrame([{"assignment": "bai", "notebook": "bai", "cell": g, "competency": c}
                         for g, c in cells])
    wards = ["Phường Lái Thiêu", "Phường Phú Lợi", "Phường Dĩ An"]
    roster = pd.DataFrame([{"id": f"hv-{i:05d}", "name": "=Học viên" if i == 7 else f"Học viên {i}",
                            "ward": wards[i % 3], "khu_pho": f"Khu phố {i % places + 1}",
                            "role": "Tình nguyện viên"} for i in range(learners)])
    scores = pd.DataFrame([{"learner": f"hv-{i:05d}", "assignment": "bai", "notebook": "bai",
                            "cell": g, "score": float(i % 4 == 0 or c != "AT1"), "max_score": 1.0}
                           for i in range(learners) for g, c in cells])
    return scores, tags, roster


def test_a_province_report_is_grouped_by_ward_and_a_class_keeps_its_page(tmp_path):
    """From LARGE_COHORT learners the page does not list 20,000 names in a paragraph nor put
    them in one table: a summary per phường, and each phường's learners in a section that opens
    on a click; the workbook gets a sheet per phường. A smaller class keeps the page it had."""
    import openpyxl
    from congdanso.cohort.report import LARGE_COHORT, MAX_BARS, build_report, write_report

    class_paths = write_report(build_report(*_province(LARGE_COHORT - 1)), tmp_path / "lop")
    page = class_paths["html"].read_text(encoding="utf-8")
    assert "<details>" not in page and "<h2>Theo phường</h2>" not in page
    assert "Học viên 4 (hv-00004)" in page  # the names of those ready, as always
    assert "Theo phường" not in pd.read_excel(class_paths["xlsx"], sheet_name=None)

    n = LARGE_COHORT + 2
    paths = write_report(build_report(*_province(n)), tmp_path / "tinh")
    page = paths["html"].read_text(encoding="utf-8")
    ready = len(range(0, n, 4))
    assert f"<h3>Sẵn sàng cấp chứng nhận khoá học ({ready})</h3>" in page
    assert (f"<p>{ready} học viên: tên từng người ở mục “Học viên” bên dưới (theo phường, cột "
            "“Được cấp”)") in page
    assert "Học viên 4 (hv-00004)" not in page  # no paragraph of names
    assert f"<h3>Chỉ cấp được bảng kết quả năng lực ({n - ready:,})</h3>".replace(",", ".") \
        in page
    assert "<h2>Theo phường</h2>" in page
    assert 'alt="Tỷ lệ học viên đủ điều kiện chứng nhận khoá học theo phường"' in page
    assert 'alt="Tỷ lệ học viên đủ điều kiện chứng nhận khoá học theo khu phố"' in page
    # learners, then the matrix: one section per ward, ward by name, each learner once
    sections = re.findall(r"<details><summary>([^<]*)</summary>(.*?)</details>", page, re.S)
    assert [s for s, _ in sections[:3]] == [
        "Phường Dĩ An: 334 học viên, 83 sẵn sàng cấp chứng nhận khoá học",
        "Phường Lái Thiêu: 334 học viên, 84 sẵn sàng cấp chứng nhận khoá học",
        "Phường Phú Lợi: 334 học viên, 84 sẵn sàng cấp chứng nhận khoá học"]
    assert [s for s, _ in sections[3:]] == [s for s, _ in sections[:3]] and len(sections) == 6
    for (summary, table), (_, matrix) in zip(sections[:3], sections[3:], strict=True):
        ward = summary.split(":")[0]
        shown = re.findall(r"<td>(hv-\d{5})</td>", table)
        assert shown == re.findall(r"<th>(hv-\d{5})</th>", matrix)  # the same learners
        assert len(shown) == 334 and table.count(f"<td>{ward}</td>") == 334
    assert sorted(re.findall(r"<td>(hv-\d{5})</td>", page)) == [f"hv-{i:05d}" for i in range(n)]
    sheets = pd.read_excel(paths["xlsx"], sheet_name=None)
    assert list(sheets)[:5] == ["Học viên", "Ma trận năng lực", "Theo phường", "Theo khu phố",
                                "Theo vai trò"]
    by_ward = sheets["Theo phường"].set_index("Phường")
    assert by_ward["Số học viên"].to_dict() == {"Phường Dĩ An": 334, "Phường Lái Thiêu": 334,
                                                "Phường Phú Lợi": 334}
    assert by_ward["Sẵn sàng cấp chứng nhận khoá học"].sum() == ready
    assert len(sheets["Học viên"]) == n  # everyone in one sheet
    book = openpyxl.load_workbook(paths["xlsx"], read_only=True)
    risky = [c for row in book["Học viên"].iter_rows() for c in row if c.value == "=Học viên"]
    assert len(risky) == 1 and risky[0].data_type == "s"  # text, never a formula
    # a province's hundreds of khu phố: their table, the chart is the wards'
    page = write_report(build_report(*_province(n, places=MAX_BARS + 3)),
                        tmp_path / "nhieu-khu-pho")["html"].read_text(encoding="utf-8")
    assert f"{MAX_BARS + 3} khu phố: quá nhiều cho một biểu đồ" in page
    assert "khoá học theo khu phố" not in page and "khoá học theo phường" in page
    assert page.count("<tr><th>Khu phố ") == MAX_BARS + 3
