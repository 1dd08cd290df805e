"""The ``congdanso`` command: trainer and helper tools, in Vietnamese.

Only argparse and the world are imported at start, so ``congdanso --help`` answers at once.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence

from congdanso import __version__


def _cmd_journal_check(args: argparse.Namespace) -> int:
    from congdanso.world.check import check_journal
    from congdanso.world.describe import describe

    report = check_journal(args.path)
    if args.json:
        data = report.record()
        data["actions"] = [
            {
                "seq": i + 1,
                "time": b["t"],
                "action": b["action"],
                "ok": b.get("ok"),
                "description": describe(b),
            }
            for i, b in enumerate(report.events)
        ]
        print(json.dumps(data, ensure_ascii=False, indent=2))
        return report.exit_code
    print(f"Nhật ký: {report.path}")
    if report.events:
        print(f"Những gì người học đã làm ({len(report.events)} sự kiện):")
        for i, body in enumerate(report.events, 1):
            print(f"  {i:>4}. {describe(body)}")
    for warning in report.warnings:
        print(f"Lưu ý: {warning}")
    if report.ok:
        print("KẾT LUẬN: Nhật ký toàn vẹn — chuỗi băm đúng và chạy lại cho đúng mọi kết quả.")
    else:
        where = f" (dòng {report.problem_line})" if report.problem_line else ""
        print(f"KẾT LUẬN: KHÔNG TIN CẬY ĐƯỢC{where}: {report.problem}", file=sys.stderr)
    return report.exit_code


def _cmd_world_info(args: argparse.Namespace) -> int:
    from congdanso.world.people import Population
    from congdanso.world.places import WARDS

    population = Population(args.seed)
    print(
        f"Thế giới mô phỏng — hạt giống {args.seed}: {len(population)} người dân, "
        f"{len(population.households)} hộ, {len(WARDS)} phường (Bình Dương cũ)."
    )
    for ward in WARDS:
        people = population.residents_of(ward.code)
        print(
            f"  {ward.name} ({ward.former_city} cũ): {len(ward.khu_pho)} khu phố, "
            f"{len(people)} người"
        )
    if args.people:
        for person in population.people[: args.people]:
            print(
                f"  {person.id_number}  {person.full_name:<28} {person.birth_date_text}  "
                f"{person.gender:<3} {person.phone or '—'}"
            )
    return 0


def _cmd_procedures(args: argparse.Namespace) -> int:
    from congdanso.world.procedures import CATALOGUE

    for p in CATALOGUE:
        print(
            f"{p.code:<14} {p.name}\n{'':<14} {p.agency} · {p.online} · {p.fee_text} · "
            f"{p.processing_text}"
        )
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="congdanso",
        description="Công Dân Số — công cụ cho tình nguyện viên và giảng viên khoá học "
        "dịch vụ công trực tuyến (dữ liệu mô phỏng, không kết nối dịch vụ thật).",
    )
    parser.add_argument("--version", action="version", version=f"congdanso {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="LỆNH")

    journal = sub.add_parser("journal", help="kiểm tra nhật ký thao tác của người học")
    journal_sub = journal.add_subparsers(dest="journal_command", metavar="LỆNH")
    check = journal_sub.add_parser(
        "check",
        help="kiểm tra chuỗi băm, chạy lại nhật ký và in ra người học đã làm gì",
        description="Thoát với mã 0 nếu nhật ký toàn vẹn, 1 nếu có sự kiện bị sửa, xoá, chèn "
        "hoặc đảo thứ tự, 2 nếu không đọc được tệp.",
    )
    check.add_argument("path", help="đường dẫn tệp nhật ký (ví dụ nhat-ky.jsonl)")
    check.add_argument("--json", action="store_true", help="in kết quả dạng JSON")
    check.set_defaults(func=_cmd_journal_check)

    world = sub.add_parser("world", help="xem thế giới mô phỏng (dân cư, phường, khu phố)")
    world.add_argument("--seed", type=int, default=74, help="hạt giống (mặc định 74)")
    world.add_argument("--people", type=int, default=0, metavar="N", help="in N người đầu tiên")
    world.set_defaults(func=_cmd_world_info)

    procedures = sub.add_parser("thutuc", help="danh mục thủ tục hành chính cấp xã mô phỏng")
    procedures.set_defaults(func=_cmd_procedures)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    func = getattr(args, "func", None)
    if func is None:
        parser.print_help()
        return 0 if args.command is None else 2
    return func(args)


if __name__ == "__main__":
    raise SystemExit(main())
