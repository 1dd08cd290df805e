"""Rosters from wards: CSV in UTF-8, UTF-8 with BOM, legacy Windows-1258, or XLSX."""

from __future__ import annotations

import csv
import unicodedata

import pytest
from congdanso.cli import main as cli
from congdanso.cohort.roster import RosterError, import_roster, read_roster
from congdanso.grading.competencies import FrameworkError, load_framework

ROWS = [("Nguyễn Thị Ánh", "Lái Thiêu", "Đông Nhì", "Tình nguyện viên"),
        ("Trần Văn Bảy", "Phường Phú Lợi", "Khu phố 3", "Cán bộ phường"),
        ("Lê Hoàng Yến", "Tân Bình (Dĩ An)", "Khu phố Tân Lập", "Tổ công nghệ số cộng đồng")]
TONES = {"\u0300": 0xCC, "\u0301": 0xEC, "\u0303": 0xDE, "\u0309": 0xD2, "\u0323": 0xF2}


def to_cp1258(text: str) -> bytes:
    """What an old Windows program writes: base letter (maybe with its hat) + a tone byte."""
    out = bytearray()
    for ch in unicodedata.normalize("NFC", text):
        try:
            out += ch.encode("cp1258")
            continue
        except UnicodeEncodeError:
            pass
        parts = unicodedata.normalize("NFD", ch)
        tone = next(p for p in parts if p in TONES)
        base = unicodedata.normalize("NFC", "".join(p for p in parts if p != tone))
        out += base.encode("cp1258") + bytes([TONES[tone]])
    return bytes(out)


def _csv(rows, header=("Họ và tên", "Phường", "Khu phố", "Vai trò"), sep=","):
    lines = [sep.join(header)] + [sep.join(r) for r in rows]
    return "\r\n".join(lines) + "\r\n"


@pytest.mark.parametrize(("encoding", "how"), [
    ("utf-8", "UTF-8"), ("utf-8-sig", "UTF-8 có BOM"), ("cp1258", "Windows-1258")])
def test_csv_in_every_encoding_gives_the_same_nfc_names(tmp_path, encoding, how):
    text = _csv(ROWS, sep=";" if encoding == "cp1258" else ",")
    data = to_cp1258(text) if encoding == "cp1258" else text.encode(encoding)
    assert (encoding != "cp1258") or b"\xde" in data  # really tone marks as separate bytes
    path = tmp_path / "ds.csv"
    path.write_bytes(data)
    learners, read_as = read_roster(path)
    assert how in read_as
    assert [lr.name for lr in learners] == [r[0] for r in ROWS]
    assert all(unicodedata.is_normalized("NFC", lr.name) for lr in learners)
    assert learners[0].ward == "Phường Lái Thiêu" and learners[0].khu_pho == "Khu phố Đông Nhì"
    assert learners[0].id == "hv-nguyen-thi-anh"


def test_xlsx_with_english_headers(tmp_path):
    import pandas as pd

    path = tmp_path / "ds.xlsx"
    pd.DataFrame(ROWS, columns=["Name", "Ward", "Khu pho", "Role"]).to_excel(path, index=False)
    learners, how = read_roster(path)
    assert how.startswith("Excel (XLSX)") and learners[2].khu_pho == "Khu phố Tân Lập"
    # "Tân Bình (Dĩ An)" is a ward of before 1/7/2025: accepted, mapped, and said so
    assert learners[2].ward == "Phường Tân Đông Hiệp"
    assert ("Phường Tân Bình (TP. Dĩ An, trước 1/7/2025) nay thuộc Phường Tân Đông Hiệp "
            "(dòng 4)") in how


def test_bad_rows_import_nothing_and_say_where(tmp_path):
    path = tmp_path / "ds.csv"
    rows = [*ROWS, ("Bảy", "Lái Thiêu", "Đông Nhì", "Tình nguyện viên"),
            ("Phạm Văn Tư", "Bến Nghé", "Khu phố 1", "Tình nguyện viên"),
            ("Võ Thị Hai", "Phú Lợi", "Khu phố 9", "Giám đốc")]
    path.write_text(_csv(rows), encoding="utf-8")
    course = tmp_path / "khoa"
    course.mkdir()
    with pytest.raises(RosterError) as err:
        import_roster(path, course)
    message = str(err.value)
    assert "Dòng 5" in message and "Dòng 6" in message and "Dòng 7" in message
    assert "không học viên nào được thêm" in message and "Giám đốc" in message
    assert not (course / "roster.csv").exists()


# The seed's places and their neighbours, as Resolution 1685/NQ-UBTVQH15 finally decided (the
# March 2025 draft put An Thạnh, Hưng Định, An Sơn in Lái Thiêu and An Phú in Tân Đông Hiệp).
SEED_OLD_TO_NEW = {
    "Lái Thiêu": "Phường Lái Thiêu", "Bình Nhâm": "Phường Lái Thiêu",
    "An Thạnh": "Phường Thuận An", "Hưng Định": "Phường Thuận An", "xã An Sơn": "Phường Thuận An",
    "An Phú": "Phường An Phú", "Bình Hòa": "Phường Bình Hòa",
    "Thuận Giao": "Phường Thuận Giao", "Bình Chuẩn": "Phường Thuận Giao",
    "Tân Bình (Dĩ An)": "Phường Tân Đông Hiệp", "Phú Lợi": "Phường Phú Lợi",
    "Phú Cường": "Phường Thủ Dầu Một", "Chánh Nghĩa": "Phường Thủ Dầu Một",
    "Hòa Phú": "Phường Bình Dương",
}


def test_roster_maps_every_old_ward_of_the_seed_to_its_final_ward(tmp_path):
    path = tmp_path / "ds.csv"
    rows = [(f"Học Viên {chr(65 + i)}", old, "3", "Tình nguyện viên")
            for i, old in enumerate(SEED_OLD_TO_NEW)]
    path.write_text(_csv(rows), encoding="utf-8")
    learners, how = read_roster(path)
    assert [learner.ward for learner in learners] == list(SEED_OLD_TO_NEW.values())
    assert "Xã An Sơn (TP. Thuận An, trước 1/7/2025) nay thuộc Phường Thuận An" in how
    # a ward the course does not simulate keeps the khu phố as written, named as reports name it
    by_ward = {learner.ward: learner.khu_pho for learner in learners}
    assert by_ward["Phường Thuận An"] == "Khu phố 3"


def test_roster_accepts_every_ward_and_xa_of_the_city(tmp_path):
    from congdanso.world.society.places import CITY_UNITS

    assert len(CITY_UNITS) == 168 == len(set(CITY_UNITS))
    kinds = [name.split(" ")[0] for name in CITY_UNITS]
    assert (kinds.count("Phường"), kinds.count("Xã"), kinds.count("Đặc")) == (113, 54, 1)
    path = tmp_path / "ds.csv"
    rows = [(f"Học Viên Số {i}", name, "2", "Tình nguyện viên") for i, name in enumerate(CITY_UNITS)]
    path.write_text(_csv(rows), encoding="utf-8")
    learners, _ = read_roster(path)
    assert [learner.ward for learner in learners] == list(CITY_UNITS)
    assert {learner.khu_pho for learner in learners if learner.ward.startswith("Xã")} == {"Ấp 2"}
    # two xã differ only by an accent: each is found by its own name
    assert next(x for x in learners if x.ward == "Xã Thạnh An") and "Xã Thanh An" in {
        x.ward for x in learners}


def test_roster_says_what_an_old_or_unknown_ward_means(tmp_path):
    path = tmp_path / "ds.csv"
    rows = [("Trần Thị Mai", "Tân Bình", "Khu phố 1", "Tình nguyện viên"),
            ("Lê Văn Năm", "Vĩnh Phú", "Khu phố 1", "Tình nguyện viên"),
            ("Đỗ Thị Sáu", "Lái Thiu", "Khu phố 1", "Tình nguyện viên")]
    path.write_text(_csv(rows), encoding="utf-8")
    with pytest.raises(RosterError) as err:
        read_roster(path)
    message = str(err.value)
    assert "(2 lỗi" in message  # Tân Bình of today is a ward
    assert "Phường Vĩnh Phú (TP. Thuận An, trước 1/7/2025) đã chia" in message
    assert "Có phải: Phường Lái Thiêu?" in message
    from congdanso.world.society.places import city_ward

    assert "dài quá" in city_ward("Lái Thiêu " * 10_000).problem  # no fuzzy search of a megabyte
    path.write_text(_csv(rows[:1]), encoding="utf-8")
    learners, how = read_roster(path)
    assert learners[0].ward == "Phường Tân Bình"
    assert "nếu là Phường Tân Bình cũ (TP. Dĩ An) thì ghi \"Tân Bình (Dĩ An)\"" in how


def test_missing_columns_and_damaged_files(tmp_path):
    path = tmp_path / "ds.csv"
    path.write_text("Họ và tên,Phường\nNguyễn Văn A,Lái Thiêu\n", encoding="utf-8")
    with pytest.raises(RosterError, match="Thiếu cột: Khu phố, Vai trò"):
        read_roster(path)
    broken = tmp_path / "hong.xlsx"
    broken.write_bytes(b"PK\x03\x04 not really a spreadsheet")
    with pytest.raises(RosterError, match="Excel bị hỏng"):
        read_roster(broken)
    empty = tmp_path / "rong.csv"
    empty.write_bytes(b"")
    with pytest.raises(RosterError, match="rỗng"):
        read_roster(empty)


def test_import_into_the_gradebook_and_the_roster_table(tmp_path, capsys):
    from nbgrader.api import Gradebook

    path = tmp_path / "ds.csv"
    path.write_text(_csv(ROWS), encoding="utf-8-sig")
    course = tmp_path / "khoa"
    course.mkdir()
    assert cli(["roster", "import", str(path), "--course", str(course)]) == 0
    assert "Đã nhập 3 học viên" in capsys.readouterr().out
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gradebook:
        student = gradebook.find_student("hv-tran-van-bay")
        assert (student.last_name, student.first_name) == ("Trần", "Văn Bảy")
    with open(course / "roster.csv", encoding="utf-8") as f:
        table = list(csv.DictReader(f))
    assert {r["role"] for r in table} == {r[3] for r in ROWS}
    assert cli(["roster", "import", str(path), "--course", str(course)]) == 0  # idempotent
    with open(course / "roster.csv", encoding="utf-8") as f:
        assert len(list(csv.DictReader(f))) == 3


def test_competency_framework_is_valid_and_checked(tmp_path):
    framework = load_framework()
    assert framework.mastery == 0.85 and len(framework.groups) == 6
    assert len(framework.competencies) >= 12
    assert framework.mastered(0.85) and not framework.mastered(0.84)
    assert all(c.digcomp for c in framework.competencies.values())
    bad = tmp_path / "khung.json"
    bad.write_text('{"mastery": 0.85, "groups": [{"id": "a", "name": "A"}], "competencies": '
                   '[{"id": "X", "group": "a", "name": "x", "description": "x", '
                   '"digcomp": ["9.9"]}]}', encoding="utf-8")
    with pytest.raises(FrameworkError, match="DigComp"):
        load_framework(bad)


def test_report_keeps_same_named_khu_pho_of_two_wards_apart():
    """"Khu phố 3" is in Phú Lợi and in Thủ Dầu Một: the report must not add them together."""
    import pandas as pd
    from congdanso.cohort.report import build_report

    cell = {"assignment": "bai", "notebook": "bai", "cell": "kiem-tra", "max_score": 2}
    scores = pd.DataFrame([{**cell, "learner": "hv-a", "score": 2},
                           {**cell, "learner": "hv-b", "score": 0}])
    tags = pd.DataFrame([{"assignment": "bai", "notebook": "bai", "cell": "kiem-tra",
                          "competency": "TK2"}])
    roster = pd.DataFrame([
        {"id": "hv-a", "name": "Lê Thị A", "ward": "Phường Phú Lợi", "khu_pho": "Khu phố 3",
         "role": "Tình nguyện viên"},
        {"id": "hv-b", "name": "Lê Văn B", "ward": "Phường Thủ Dầu Một", "khu_pho": "Khu phố 3",
         "role": "Tình nguyện viên"}])
    summary = build_report(scores, tags, roster).by_khu_pho
    assert summary["learners"].to_dict() == {"Khu phố 3, Phường Thủ Dầu Một": 1,
                                             "Khu phố 3, Phường Phú Lợi": 1}
    # one competency of twelve measured: a transcript for hv-a, no course certificate
    assert summary["transcript"].to_dict() == {"Khu phố 3, Phường Thủ Dầu Một": 0,
                                               "Khu phố 3, Phường Phú Lợi": 1}
    assert summary["TK2"].to_dict() == {"Khu phố 3, Phường Thủ Dầu Một": 0,
                                        "Khu phố 3, Phường Phú Lợi": 100}


def test_duplicate_ids_are_errors_with_their_rows(tmp_path):
    path = tmp_path / "ds.csv"
    rows = [*ROWS, ("Nguyễn Thị Ánh", "Phú Lợi", "Khu phố 3", "Tình nguyện viên")]
    path.write_text(_csv(rows), encoding="utf-8")
    with pytest.raises(RosterError) as err:
        read_roster(path)
    assert "Dòng 5" in str(err.value) and "trùng với dòng 2" in str(err.value)
    assert "Mã học viên" in str(err.value)  # what to do: give each person an id
    given = tmp_path / "co-ma.csv"
    given.write_text("Mã học viên,Họ và tên,Phường,Khu phố,Vai trò\n"
                     "hv-1,Nguyễn Văn An,Lái Thiêu,Đông Nhì,Tình nguyện viên\n"
                     "hv-1,Trần Văn Bình,Lái Thiêu,Đông Nhì,Tình nguyện viên\n", encoding="utf-8")
    with pytest.raises(RosterError, match="Dòng 3: mã học viên \"hv-1\" trùng với dòng 2"):
        read_roster(given)


def test_a_later_roster_lists_its_changes_and_applies_them_only_when_asked(tmp_path, capsys):
    from congdanso.cli import main as cli

    course = tmp_path / "khoa"
    course.mkdir()
    first = tmp_path / "dot-1.csv"
    first.write_text(_csv(ROWS), encoding="utf-8")
    assert cli(["roster", "import", str(first), "--course", str(course)]) == 0
    before = (course / "roster.csv").read_bytes()
    second = tmp_path / "dot-2.csv"
    second.write_text(_csv([("Nguyễn Thị Ánh", "Phú Lợi", "Khu phố 3", "Cán bộ phường"),
                            ROWS[1]]), encoding="utf-8")
    assert cli(["roster", "import", str(second), "--course", str(course)]) == 1
    err = capsys.readouterr().err
    assert "thay đổi 1 học viên" in err and "hv-nguyen-thi-anh" in err
    assert "\"Phường Lái Thiêu\" → \"Phường Phú Lợi\"" in err and "--ap-dung" in err
    assert (course / "roster.csv").read_bytes() == before  # nothing written
    assert cli(["roster", "import", str(second), "--course", str(course), "--ap-dung"]) == 0
    out = capsys.readouterr().out
    assert "1 sửa thông tin" in out and "vẫn giữ nguyên: hv-le-hoang-yen" in out
    with open(course / "roster.csv", encoding="utf-8") as f:
        table = {r["id"]: r for r in csv.DictReader(f)}
    assert table["hv-nguyen-thi-anh"]["role"] == "Cán bộ phường"
    assert "hv-le-hoang-yen" in table  # not in the second file: kept, never dropped


def test_text_that_looks_like_a_formula_stays_text_in_every_report(tmp_path):
    import openpyxl
    import pandas as pd
    from congdanso.cohort import grading
    from congdanso.cohort.report import build_report, write_report

    evil = ["=HYPERLINK(\"http://x\";\"bấm\") An", "+1+2 Bình", "-3+4 Cường", "@SUM(A1) Dũng",
            "\tTab Em"]
    cell = {"assignment": "bai", "notebook": "bai", "cell": "c1", "max_score": 1}
    scores = pd.DataFrame([{**cell, "learner": f"hv-{i}", "score": 1}
                           for i in range(len(evil))])
    tags = pd.DataFrame([{"assignment": "bai", "notebook": "bai", "cell": "c1",
                          "competency": "TK2"}])
    roster = pd.DataFrame([{"id": f"hv-{i}", "name": name, "ward": "Phường Lái Thiêu",
                            "khu_pho": "=cmd|' /C calc'!A0", "role": "Tình nguyện viên"}
                           for i, name in enumerate(evil)])
    paths = write_report(build_report(scores, tags, roster), tmp_path / "bao-cao")
    book = openpyxl.load_workbook(paths["xlsx"])
    texts = [c for sheet in book.worksheets for row in sheet.iter_rows() for c in row
             if isinstance(c.value, str) and c.value[:1] in "=+-@\t"]
    assert len(texts) >= len(evil)
    assert all(c.data_type == "s" and c.quotePrefix for c in texts)
    assert not any(c.data_type == "f" for sheet in book.worksheets for row in sheet.iter_rows()
                   for c in row)
    results = [grading.SubmissionResult(name, "bai", ok=True, flags=["=1+1"]) for name in evil]
    [path] = grading.write_results(tmp_path, results)
    with open(path, encoding="utf-8-sig") as f:
        rows = list(csv.reader(f))[1:]
    assert all(row[0].startswith("'") for row in rows)
    assert all(row[7] == "'=1+1" for row in rows)
    grading.write_results(tmp_path, results[:1])  # merged with what is there: read back as text
    with open(path, encoding="utf-8-sig") as f:
        again = list(csv.reader(f))[1:]
    assert again == rows
