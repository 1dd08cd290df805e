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
from dataclasses import dataclass, field
from pathlib import Path

from congdanso.cohort.sheets import defuse_row, restore_row
from congdanso.world.core.errors import os_error_vi
from congdanso.world.core.text import clean_name, nfc, strip_diacritics
from congdanso.world.society.places import city_ward

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


MAX_SHOWN = 30  # errors listed at once: a wrong column makes one per row


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


def khu_pho_name(written: str, ward: str) -> str:
    """A khu phố (phường) or ấp (xã) as reports show it: "3", "KP3", "kp. 3" → "Khu phố 3"."""
    text = " ".join(written.split())
    plain = text.casefold()
    for prefix in ("khu phố", "kp.", "kp", "ấp", "tổ dân phố", "tổ"):
        if plain.startswith(prefix):
            rest = text[len(prefix):].strip(" .")
            label = {"kp.": "Khu phố", "kp": "Khu phố"}.get(prefix, prefix.capitalize())
            return f"{label} {rest}".strip() if rest else text
    return f"{'Ấp' if ward.startswith('Xã') else 'Khu phố'} {text}"


def _slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", strip_diacritics(name).lower()).strip("-")


def read_roster(path: str | Path) -> tuple[list[Learner], str]:
    """Read and check a roster; returns the learners and a note on how the file was read."""
    source = Path(path)
    try:
        data = source.read_bytes()
    except OSError as exc:
        raise RosterError(f"Không mở được tệp {source.name}: {os_error_vi(exc)}.") from None
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
    mapped: dict[str, list[int]] = {}  # note on an old ward name → rows that used it
    for number, row in enumerate(rows, start=2):  # row 1 is the header
        value = {k: clean_name(str(row.get(h) or "")) for k, h in columns.items()}
        if not any(value.values()):
            continue  # blank line at the end of a spreadsheet
        if len(value["name"].split(" ")) < 2:
            problems.append(f"Dòng {number}: họ và tên \"{value['name']}\" chưa đủ họ và tên.")
        match = city_ward(value["ward"])
        if match.note:
            mapped.setdefault(match.note, []).append(number)
        if match.problem:
            problems.append(f"Dòng {number}: {match.problem}")
        ward, khu = match.ward, ""
        if not value["khu_pho"]:
            problems.append(f"Dòng {number}: chưa ghi khu phố.")
        elif match.name:
            # a simulated ward's own khu phố by its name in the world ("Đông Nhì" → "Khu phố
            # Đông Nhì"); any other, as the ward's roster writes it (real khu phố are not simulated)
            khu = next((k for k in ward.khu_pho if value["khu_pho"].casefold() in k.casefold()),
                       None) if ward is not None else None
            khu = khu or khu_pho_name(value["khu_pho"], match.name)
        role = next((r for r in ROLES if r.casefold() == value["role"].casefold()), None)
        if role is None:
            problems.append(f"Dòng {number}: vai trò \"{value['role']}\" chưa đúng; chọn một "
                            "trong: " + ", ".join(ROLES) + ".")
        given = _slug(value.get("id") or "")
        learner_id = given or f"hv-{_slug(value['name'])}"
        if learner_id in seen:
            problems.append(
                f"Dòng {number}: mã học viên \"{learner_id}\" trùng với dòng {seen[learner_id]}"
                + (". Mỗi học viên cần một mã riêng." if given else
                   " (mã tự tạo từ họ tên: hai người trùng tên). Thêm cột \"Mã học viên\" "
                   "với mã riêng cho từng người."))
        else:
            seen[learner_id] = number
        if match.name and khu and role is not None and not problems:
            learners.append(Learner(learner_id, value["name"], match.name, khu, role))
    if problems:
        shown = problems[:MAX_SHOWN]
        more = (f"\n… và {len(problems) - len(shown)} lỗi khác (sửa các lỗi trên rồi nhập lại "
                "để xem tiếp)." if len(problems) > len(shown) else "")
        raise RosterError(f"Chưa nhập được danh sách ({len(problems)} lỗi, không học viên nào "
                          "được thêm):\n" + "\n".join(shown) + more)
    for note, rows in mapped.items():
        how += f"; {note} (dòng {', '.join(map(str, rows[:10]))}{' …' if len(rows) > 10 else ''})"
    return learners, how


def _tools_on_path() -> None:
    """nbgrader runs the `alembic` command to create a gradebook; when congdanso is started as
    .venv/bin/congdanso without activating the environment, that command is not on PATH."""
    import os
    import sys

    bin_dir = str(Path(sys.executable).parent)
    if bin_dir not in os.environ.get("PATH", "").split(os.pathsep):
        os.environ["PATH"] = bin_dir + os.pathsep + os.environ.get("PATH", "")
    _alembic_in_process()


def _alembic_in_process() -> None:
    """A new gradebook asks alembic for the schema's version: nbgrader runs ``alembic heads``
    as a subprocess (3 s here, most of a new course's first import); alembic's own API gives
    the same answer in the running process (0.2 s)."""
    import nbgrader.api

    if getattr(nbgrader.api.get_alembic_version, "in_process", False):
        return

    def get_alembic_version() -> str:
        from alembic.config import Config
        from alembic.script import ScriptDirectory
        from nbgrader.dbutil import _temp_alembic_ini

        with _temp_alembic_ini("sqlite:////tmp/gradebook.db") as ini:
            return ScriptDirectory.from_config(Config(ini)).get_current_head()

    get_alembic_version.in_process = True  # type: ignore[attr-defined]
    nbgrader.api.get_alembic_version = get_alembic_version


FIELDS = ["id", "name", "ward", "khu_pho", "role"]
LABELS = {"name": "họ tên", "ward": "phường", "khu_pho": "khu phố", "role": "vai trò"}


class RosterChanges(RosterError):
    """The new roster changes learners already imported; nothing was written."""


@dataclass
class ImportResult:
    learners: list[Learner]
    how: str
    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)  # "id: họ tên A → B" lines
    not_in_file: list[str] = field(default_factory=list)  # kept as they were

    def __iter__(self):  # ``learners, how = import_roster(...)`` as before
        return iter((self.learners, self.how))


def read_table(course: Path) -> dict[str, dict[str, str]]:
    table = course / "roster.csv"
    if not table.exists():
        return {}
    with open(table, encoding="utf-8", newline="") as f:
        return {row["id"]: restore_row(row) for row in csv.DictReader(f)}


def import_roster(path: str | Path, course_dir: str | Path, *,
                  apply_changes: bool = False) -> ImportResult:
    """Add new learners to the gradebook and ``roster.csv``; all or nothing.

    A learner already imported whose name, ward, khu phố or role differs in the new file is a
    change: all changes are listed (:class:`RosterChanges`) and written only with
    ``apply_changes``. Learners missing from the new file are kept, and listed. One gradebook
    transaction for the whole file (10,000 learners in about a second)."""
    from nbgrader.api import Gradebook, Student

    _tools_on_path()
    learners, how = read_roster(path)
    course = Path(course_dir)
    existing = read_table(course)
    result = ImportResult(learners, how)
    for learner in learners:
        new = {"id": learner.id, "name": learner.name, "ward": learner.ward,
               "khu_pho": learner.khu_pho, "role": learner.role}
        old = existing.get(learner.id)
        if old is None:
            result.added.append(learner.id)
            continue
        diffs = [f"{LABELS[k]} \"{old.get(k, '')}\" → \"{new[k]}\"" for k in LABELS
                 if old.get(k, "") != new[k]]
        if diffs:
            result.changed.append(f"{learner.id}: " + "; ".join(diffs))
    in_file = {learner.id for learner in learners}
    result.not_in_file = sorted(set(existing) - in_file)
    if result.changed and not apply_changes:
        shown = result.changed[:20]
        raise RosterChanges(
            f"Danh sách mới thay đổi {len(result.changed)} học viên đã có trong sổ điểm (chưa "
            "nhập gì):\n" + "\n".join(f"  {line}" for line in shown)
            + (f"\n  … và {len(result.changed) - len(shown)} học viên khác" if
               len(result.changed) > len(shown) else "")
            + "\nNếu đúng là cần sửa, chạy lại với --ap-dung để áp dụng các thay đổi này.")
    from congdanso.cohort.gradebook import gradebook_url

    with Gradebook(gradebook_url(course)) as gradebook:
        session = gradebook.db
        stored = {s.id: s for s in session.query(Student).all()}
        for learner in learners:
            student = stored.get(learner.id)
            if student is None:
                session.add(Student(id=learner.id, first_name=learner.given_names,
                                    last_name=learner.family_name))
            else:
                student.first_name, student.last_name = learner.given_names, learner.family_name
        session.commit()
    for learner in learners:
        existing[learner.id] = {"id": learner.id, "name": learner.name, "ward": learner.ward,
                                "khu_pho": learner.khu_pho, "role": learner.role}
    table = course / "roster.csv"
    partial = table.with_suffix(".tmp")
    with open(partial, "w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=FIELDS)
        writer.writeheader()
        writer.writerows(defuse_row(row) for row in existing.values())
    partial.replace(table)
    return result
