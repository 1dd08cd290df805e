"""Verify a journal file end to end: the hash chain, the head anchor, and a full replay."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from congdanso.world.core.errors import os_error_vi
from congdanso.world.core.journal import GENESIS, JournalError, parse_lines


@dataclass
class CheckReport:
    path: str
    ok: bool = True
    problem: str | None = None  # why the journal cannot be trusted
    problem_line: int | None = None
    warnings: list[str] = field(default_factory=list)
    events: list[dict] = field(default_factory=list)  # bodies of every verified event
    unreadable: bool = False
    head_hash: str | None = None  # hash of the last event (identical journals share it)
    world: Any = None  # the replayed world, when the journal could be trusted

    @property
    def exit_code(self) -> int:
        if self.unreadable:
            return 2
        return 0 if self.ok else 1

    def record(self) -> dict:
        return {
            "path": self.path,
            "ok": self.ok,
            "problem": self.problem,
            "problem_line": self.problem_line,
            "warnings": self.warnings,
            "events": len(self.events),
        }


def check_journal(path: str | os.PathLike[str]) -> CheckReport:
    from congdanso.world.world import World

    report = CheckReport(str(path))
    journal_path = Path(path)
    try:
        data = journal_path.read_bytes()
    except OSError as exc:
        report.ok, report.unreadable = False, True
        report.problem = f"Không đọc được tệp nhật ký {journal_path}: {os_error_vi(exc)}."
        return report
    try:
        parsed = parse_lines(data, start_seq=0, prev=GENESIS)
    except JournalError as exc:
        report.ok, report.problem, report.problem_line = False, exc.message, exc.line
        # Keep what came before the break, so the trainer sees how far the work is genuine.
        good = data[: _offset_of_line(data, (exc.line or 1) - 1)]
        try:
            report.events = [e.body for e in parse_lines(good, start_seq=0, prev=GENESIS).events]
        except JournalError:
            report.events = []
        return report
    report.events = [e.body for e in parsed.events]
    report.head_hash = parsed.events[-1].hash if parsed.events else None
    if not parsed.events:
        report.ok, report.problem = False, "Nhật ký rỗng: chưa có sự kiện nào."
        return report
    if parsed.torn:
        report.warnings.append(
            f"Dòng cuối (dòng {len(parsed.events) + 1}) bị ghi dở — kernel hoặc máy dừng giữa "
            "chừng. Các sự kiện trước đó vẫn nguyên vẹn và được tính."
        )
    head_path = journal_path.with_name(journal_path.name + ".head")
    try:
        head_text = head_path.read_text()
        head = json.loads(head_text) if head_text.strip() else None
        if head is not None and not isinstance(head, dict):
            raise ValueError
        if head is None:
            report.warnings.append(
                "Tệp .head đi kèm bị rỗng (thường do kernel hoặc máy dừng đột ngột lúc đang ghi): "
                "chuỗi sự kiện vẫn được kiểm tra đầy đủ, chỉ không kiểm tra được việc xoá sự kiện "
                "ở cuối nhật ký."
            )
    except FileNotFoundError:
        head = None
        report.warnings.append(
            "Không có tệp .head đi kèm, nên không kiểm tra được việc xoá sự kiện ở cuối nhật ký."
        )
    except (OSError, ValueError, RecursionError):
        report.ok, report.problem = False, "Tệp .head đi kèm nhật ký bị hỏng hoặc bị sửa."
        return report
    if head is not None:
        seq, digest = head.get("seq"), head.get("hash")
        if not isinstance(seq, int) or seq < 1:
            report.ok, report.problem = False, "Tệp .head đi kèm nhật ký bị hỏng hoặc bị sửa."
            return report
        if seq > len(parsed.events):
            report.ok = False
            report.problem = (
                f"Nhật ký từng có {seq} sự kiện nhưng nay chỉ còn "
                f"{len(parsed.events)}: có sự kiện ở cuối đã bị xoá."
            )
            report.problem_line = len(parsed.events) + 1
            return report
        if parsed.events[seq - 1].hash != digest:
            report.ok = False
            report.problem = f"Sự kiện số {seq} không khớp với dấu kiểm tra (.head): đã bị sửa."
            report.problem_line = seq
            return report
    from congdanso.world.core.files import FileStore

    companion = journal_path.with_name(journal_path.name + ".files")
    files = FileStore(companion, read_only=True)  # checking never writes anything
    try:
        report.world = World.from_journal_bytes(data, path=journal_path, files=files)
    except JournalError as exc:
        if files.missing:  # copied without its folder: a copying mistake, not tampering
            report.ok, report.unreadable = False, True
            report.problem = (
                f"Thiếu {len(files.missing)} tệp PDF (đã tải lên hoặc đã ký) mà nhật ký cần: "
                f"chúng nằm trong thư mục {companion.name} cạnh nhật ký. Hãy chép cả thư mục "
                f"{companion.name} (và tệp {journal_path.name}.head) cùng với {journal_path.name} "
                "rồi kiểm tra lại."
            )
            report.problem_line = exc.line
            return report
        report.ok, report.problem, report.problem_line = False, exc.message, exc.line
    except Exception as exc:  # a replay that crashes is a journal we cannot trust
        report.ok = False
        report.problem = f"Không chạy lại được nhật ký ({type(exc).__name__}): {exc}"
    return report


def _offset_of_line(data: bytes, lines: int) -> int:
    offset = 0
    for _ in range(max(0, lines)):
        nxt = data.find(b"\n", offset)
        if nxt < 0:
            return offset
        offset = nxt + 1
    return offset
