"""Importing a cohort's roster (CSV or XLSX) into the nbgrader gradebook.

Rosters arrive from wards in many shapes: Excel files, CSV saved as UTF-8, UTF-8 with a BOM, or
legacy Windows-1258 (which stores Vietnamese tones as combining marks). Every name is normalised to
NFC. Headers may be Vietnamese or English. A file with any bad row imports nothing and the message
lists every problem with its row number, so the trainer fixes the file once.

The gradebook keeps names; ward, khu phố and role (which nbgrader has no column for) are kept in
``roster.csv`` beside it, keyed by the learner id nbgrader uses.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from pathlib import Path

from congdanso.world.places import ward_by_name
from congdanso.world.text import clean_name, nfc, strip_diacritics

HEADERS = {
    "name": ("họ và tên", "họ tên", "ho va ten", "ho ten", "name", "full name", "full_name"),
    "ward": ("phường", "phuong", "phường/xã", "ward"),
    "khu_pho": ("khu phố", "khu pho", "khu phố/ấp", "ấp", "khu_pho", "neighbourhood"),
    "role": ("vai trò", "vai tro", "chức danh", "role"),
    "id": ("mã học viên", "ma hoc vien", "mã", "id", "learner id", "student id"),
}
REQUIRED = ("name", "ward", "khu_pho", "role")
ROLES = ("Tình nguyện viên", "Tổ công nghệ số cộng đồng", "Cán bộ phường", "Công an phường",
         "Trưởng khu phố", "Đoàn viên thanh niên", "Khác")


class RosterError(ValueError):
    """The roster cannot be imported; the message lists what to fix."""


@dataclass(frozen=True)
class Learner:
    id: str
    name: str
    ward: str
    khu_pho: str
    role: str

    @property
    def family_name(self) -> str:
        return self.name.split(" ")[0]

    @property
    def given_names(self) -> str:
        return " ".join(self.name.split(" ")[1:])


def decode(data: bytes) -> tuple[str, str]:
    """Text of a CSV file and the encoding that read it (UTF-8, UTF-8 with BOM, Windows-1258)."""
    if data.startswith(b"\xef\xbb\xbf"):
        return nfc(data[3:].decode("utf-8")), "UTF-8 có BOM"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):  # Excel's "Unicode Text"
        try:
            return nfc(data.decode("utf-16")), "UTF-16"
        except UnicodeDecodeError:
            pass
    try:
        return nfc(data.decode("utf-8")), "UTF-8"
    except UnicodeDecodeError:
        pass
    try:
        return nfc(data.decode("cp1258")), "Windows-1258"
    except UnicodeDecodeError:
        raise RosterError("Không đọc được bảng chữ của tệp (không phải UTF-8 hay Windows-1258). "
                          "Hãy mở tệp bằng Excel và lưu lại dạng \"CSV UTF-8\".") from None


def column_key(header: str, headers: dict[str, tuple[str, ...]] = HEADERS) -> str | None:
    """The column a header names, with or without diacritics, whatever its case and spacing."""
    text = " ".join(nfc(str(header)).strip().casefold().split())
    for key, names in headers.items():
        if text in names or strip_diacritics(text) in {strip_diacritics(n) for n in names}:
            return key
    return None


def sniff_dialect(text: str) -> type[csv.Dialect] | csv.Dialect:
    """Comma, semicolon (Excel in a Vietnamese locale) or tab, from the first lines."""
    try:
        return csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        return csv.excel


def _rows_from_csv(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text), dialect=sniff_dialect(text)))


def _rows_from_xlsx(data: bytes) -> list[dict[str, str]]:
    import pandas as pd

    try:
        frame = pd.read_excel(io.BytesIO(data), dtype=str).fillna("")
    except Exception as exc:  # openpyxl raises many kinds for a damaged file
        raise RosterError(f"Tệp Excel bị hỏng hoặc không đọc được ({type(exc).__name__}). Hãy mở "
                          "bằng Excel, kiểm tra rồi lưu lại.") from None
    return frame.to_dict(orient="records")


def _slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", strip_diacritics(name).lower()).strip("-")


def read_roster(path: str | Path) -> tuple[list[Learner], str]:
    """Read and check a roster; returns the learners and a note on how the file was read."""
    source = Path(path)
    try:
        data = source.read_bytes()
    except OSError as exc:
        raise RosterError(f"Không mở được tệp {source.name}: {exc.strerror}.") from None
    if not data.strip():
        raise RosterError(f"Tệp {source.name} rỗng.")
    if data[:2] == b"PK":
        rows, how = _rows_from_xlsx(data), "Excel (XLSX)"
    else:
        text, encoding = decode(data)
        rows, how = _rows_from_csv(text), f"CSV, bảng chữ {encoding}"
    if not rows:
        raise RosterError(f"Tệp {source.name} chỉ có dòng tiêu đề, chưa có học viên nào.")
    columns = {column_key(h): h for h in rows[0] if column_key(h)}
    missing = [k for k in REQUIRED if k not in columns]
    if missing:
        labels = {"name": "Họ và tên", "ward": "Phường", "khu_pho": "Khu phố", "role": "Vai trò"}
        raise RosterError("Thiếu cột: " + ", ".join(labels[k] for k in missing) + ". Các cột có "
                          "trong tệp: " + ", ".join(str(h) for h in rows[0]) + ".")
    learners: list[Learner] = []
    problems: list[str] = []
    seen: dict[str, int] = {}
    for number, row in enumerate(rows, start=2):  # row 1 is the header
        value = {k: clean_name(str(row.get(h) or "")) for k, h in columns.items()}
        if not any(value.values()):
            continue  # blank line at the end of a spreadsheet
        if len(value["name"].split(" ")) < 2:
            problems.append(f"Dòng {number}: họ và tên \"{value['name']}\" chưa đủ họ và tên.")
        ward = ward_by_name(value["ward"]) if value["ward"] else None
        if not value["ward"]:
            problems.append(f"Dòng {number}: chưa ghi phường.")
        elif ward is None:
            problems.append(f"Dòng {number}: không có phường \"{value['ward']}\" trong danh sách "
                            "(Lái Thiêu, Phú Lợi, Tân Bình, Phú Cường, Dĩ An, Thuận Giao).")
        if not value["khu_pho"]:
            problems.append(f"Dòng {number}: chưa ghi khu phố.")
        elif ward is not None and not any(value["khu_pho"].casefold() in k.casefold()
                                          for k in ward.khu_pho):
            problems.append(f"Dòng {number}: {ward.name} không có \"{value['khu_pho']}\".")
        role = next((r for r in ROLES if r.casefold() == value["role"].casefold()), None)
        if role is None:
            problems.append(f"Dòng {number}: vai trò \"{value['role']}\" chưa đúng; chọn một "
                            "trong: " + ", ".join(ROLES) + ".")
        learner_id = _slug(value.get("id") or "") or f"hv-{_slug(value['name'])}"
        if learner_id in seen:
            learner_id = f"{learner_id}-{number}"
        seen[learner_id] = number
        if ward is not None and role is not None and not problems:
            khu = next(k for k in ward.khu_pho if value["khu_pho"].casefold() in k.casefold())
            learners.append(Learner(learner_id, value["name"], ward.name, khu, role))
    if problems:
        raise RosterError(f"Chưa nhập được danh sách ({len(problems)} lỗi, không học viên nào "
                          "được thêm):\n" + "\n".join(problems))
    return learners, how


def _tools_on_path() -> None:
    """nbgrader runs the `alembic` command to create a gradebook; when congdanso is started as
    .venv/bin/congdanso without activating the environment, that command is not on PATH."""
    import os
    import sys

    bin_dir = str(Path(sys.executable).parent)
    if bin_dir not in os.environ.get("PATH", "").split(os.pathsep):
        os.environ["PATH"] = bin_dir + os.pathsep + os.environ.get("PATH", "")


def import_roster(path: str | Path, course_dir: str | Path) -> tuple[list[Learner], str]:
    """Add (or update) every learner in the gradebook and in roster.csv; all or nothing."""
    from nbgrader.api import Gradebook

    _tools_on_path()
    learners, how = read_roster(path)
    course = Path(course_dir)
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gradebook:
        for learner in learners:
            gradebook.update_or_create_student(learner.id, first_name=learner.given_names,
                                               last_name=learner.family_name)
    table = course / "roster.csv"
    existing: dict[str, dict[str, str]] = {}
    if table.exists():
        with open(table, encoding="utf-8", newline="") as f:
            existing = {row["id"]: row for row in csv.DictReader(f)}
    for learner in learners:
        existing[learner.id] = {"id": learner.id, "name": learner.name, "ward": learner.ward,
                                "khu_pho": learner.khu_pho, "role": learner.role}
    partial = table.with_suffix(".tmp")
    with open(partial, "w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=["id", "name", "ward", "khu_pho", "role"])
        writer.writeheader()
        writer.writerows(existing.values())
    partial.replace(table)
    return learners, how
