"""The ``congdanso`` command: trainer and helper tools, in Vietnamese.

Only argparse and the world are imported at start, so ``congdanso --help`` answers at once.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from congdanso import __version__
from congdanso.world.core.clock import VIETNAM, vietnam_time
from congdanso.world.core.errors import os_error_vi


def _cmd_journal_check(args: argparse.Namespace) -> int:
    from congdanso.world.core.check import check_journal
    from congdanso.world.core.describe import describe, masked_args

    report = check_journal(args.path)
    if args.json:
        data = report.record()
        data["actions"] = [
            {
                "seq": i + 1,
                "time": b["t"],
                "action": b["action"],
                "ok": b.get("ok"),
                "args": masked_args(b["action"], b.get("args", {})),  # passwords, OTPs hidden
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
    elif report.unreadable:
        print(f"KẾT LUẬN: CHƯA KIỂM TRA ĐƯỢC: {report.problem}", file=sys.stderr)
    else:
        where = f" (dòng {report.problem_line})" if report.problem_line else ""
        print(f"KẾT LUẬN: KHÔNG TIN CẬY ĐƯỢC{where}: {report.problem}", file=sys.stderr)
    return report.exit_code


def _cmd_world_info(args: argparse.Namespace) -> int:
    from congdanso.world.society.people import Population
    from congdanso.world.society.places import WARDS

    population = Population(args.seed)
    print(
        f"Thế giới mô phỏng — hạt giống {args.seed}: {len(population)} người dân, "
        f"{len(population.households)} hộ, {len(WARDS)} phường của Thành phố Hồ Chí Minh (thuộc Bình "
        "Dương trước 1/7/2025)."
    )
    for ward in WARDS:
        people = population.residents_of(ward.code)
        before = ", ".join(unit.name if unit.whole else f"một phần {unit.name}"
                           for unit in ward.former) or ward.name
        print(
            f"  {ward.name} (trước 1/7/2025: {before}, {ward.former_city}): "
            f"{len(ward.khu_pho)} khu phố, {len(people)} người"
        )
    if args.people:
        for person in population.people[: args.people]:
            print(
                f"  {person.id_number}  {person.full_name:<28} {person.birth_date_text}  "
                f"{person.gender:<3} {person.phone or '—'}"
            )
    return 0


def _cmd_procedures(args: argparse.Namespace) -> int:
    from congdanso.world.dossiers.procedures import CATALOGUE

    for p in CATALOGUE:
        print(
            f"{p.code:<14} {p.name}\n{'':<14} {p.agency} · {p.online} · {p.fee_text} · "
            f"{p.processing_text}"
        )
    return 0


def _print_rows(rows: list[tuple[str, str]]) -> None:
    width = max(len(k) for k, _ in rows)
    for key, value in rows:
        print(f"  {key:<{width}}  {value}")


def _cmd_vietqr_decode(args: argparse.Namespace) -> int:
    from congdanso.world.core.errors import ValidationError
    from congdanso.world.money.vietqr import VietQRError, decode

    try:
        if args.image:
            from congdanso.world.money.qrimage import read_image

            payload = read_image(args.image)
        elif args.payload:
            payload = args.payload
        else:
            print("Cần một chuỗi mã QR hoặc --image ẢNH.", file=sys.stderr)
            return 2
        qr = decode(payload)
    except VietQRError as exc:
        if args.json:
            print(
                json.dumps(
                    {"ok": False, "tag": exc.tag, "message": exc.message},
                    ensure_ascii=False,
                    indent=2,
                )
            )
        else:
            where = f" (trường {exc.tag})" if exc.tag else ""
            print(f"Mã QR không hợp lệ{where}: {exc.message}", file=sys.stderr)
        return 1
    except ValidationError as exc:
        print(exc.message, file=sys.stderr)
        return 2
    if args.json:
        print(
            json.dumps(
                {"ok": True, "payload": payload, **qr.record()}, ensure_ascii=False, indent=2
            )
        )
    else:
        print("Mã VietQR hợp lệ:")
        _print_rows(qr.explain())
    return 0


def _cmd_vietqr_encode(args: argparse.Namespace) -> int:
    from congdanso.world.money.vietqr import VietQRError, encode, training_qr

    try:
        payload = encode(
            training_qr(
                args.bank,
                args.account,
                amount=args.amount,
                message=args.message,
                bill_number=args.bill,
            )
        )
    except VietQRError as exc:
        print(f"Không tạo được mã (trường {exc.tag}): {exc.message}", file=sys.stderr)
        return 1
    print(payload)
    if args.png or args.svg:
        from congdanso.world import qrimage

        if args.png:
            Path(args.png).write_bytes(qrimage.to_png(payload))
            print(f"Đã lưu ảnh: {args.png}", file=sys.stderr)
        if args.svg:
            Path(args.svg).write_text(qrimage.to_svg(payload), encoding="utf-8")
            print(f"Đã lưu ảnh: {args.svg}", file=sys.stderr)
    return 0


def _load_crls(paths: list[Path]) -> tuple[list, list[str]]:
    from cryptography import x509

    crls, notes = [], []
    for path in paths:
        try:
            data = path.read_bytes()
            crl = (x509.load_pem_x509_crl(data) if data.lstrip().startswith(b"-----")
                   else x509.load_der_x509_crl(data))
        except (OSError, ValueError) as exc:
            notes.append(f"Bỏ qua {path.name}: không đọc được danh sách thu hồi ({exc}).")
            continue
        crls.append(crl)
        notes.append(f"Danh sách thu hồi: {path.name} (cập nhật "
                     f"{vietnam_time(crl.last_update_utc)}, {len(list(crl))} chứng thư).")
    return crls, notes


def _cmd_kyso_verify(args: argparse.Namespace) -> int:
    import datetime as dt

    from congdanso.world.signatures.pki import TrainingPKI
    from congdanso.world.signatures.signing import verify_pdf

    path = Path(args.file)
    try:
        data = path.read_bytes()
    except OSError as exc:
        print(f"Không đọc được tệp {path}: {os_error_vi(exc)}.", file=sys.stderr)
        return 2
    if args.at:
        from congdanso.world.core.errors import ValidationError
        from congdanso.world.core.validate import parse_date

        try:
            day = parse_date(args.at, field="at")
        except ValidationError as exc:
            print(exc.message, file=sys.stderr)
            return 2
        moment = dt.datetime(day.year, day.month, day.day, 12, tzinfo=dt.UTC)
    else:
        moment = dt.datetime.now(dt.UTC)
    pki = TrainingPKI(args.seed)
    found = sorted(path.parent.glob("*.crl")) + [Path(p) for p in args.crl or []]
    crls, notes = _load_crls(found)
    revocation_checked = pki.ca.subject in {c.issuer for c in crls}
    if not revocation_checked:
        notes.append("Không có danh sách thu hồi (.crl) của CA công cộng mô phỏng cạnh tài liệu "
                     "hay qua --crl: chưa biết chứng thư có bị thu hồi hay không.")
    verdict = verify_pdf(data, trust_roots=[pki.root], crls=pki.with_fresh_crls(crls),
                         moment=moment)
    # A signature that checks out but whose certificate could not be checked against the CA's
    # revocation list is not "valid": it may have been revoked.
    unchecked = verdict.ok and not revocation_checked
    title, explanation = verdict.title, verdict.explanation
    if unchecked:
        title = "Chưa kiểm tra được việc thu hồi chứng thư"
        explanation = ("Chữ ký khớp với tài liệu và chứng thư do CA tin cậy cấp, nhưng chưa có "
                       "danh sách thu hồi của CA nên chưa thể nói chữ ký hợp lệ. Đặt tệp .crl "
                       "của CA cạnh tệp PDF (bộ tài liệu mẫu có ca-cong-cong-mo-phong.crl) hoặc "
                       "chạy lại với --crl TỆP.crl.")
    if args.json:
        print(json.dumps({**verdict.record(), "ok": verdict.ok and not unchecked,
                          "revocation_checked": revocation_checked, "title": title,
                          "explanation": explanation, "file": str(path),
                          "checked_at": moment.astimezone(VIETNAM).isoformat(),
                          "notes": notes, "details": verdict.details},
                         ensure_ascii=False, indent=2))
    else:
        mark = "⚠" if unchecked else ("✔" if verdict.ok else "✘")
        print(f"{mark} {title.upper()}")
        print(f"  {explanation}")
        rows = [("Tệp", str(path))]
        if verdict.signer:
            rows.append(("Người ký", verdict.signer + (f" (số định danh {verdict.signer_id})"
                                                       if verdict.signer_id else "")))
        if verdict.issuer:
            rows.append(("Tổ chức cấp chứng thư", verdict.issuer))
        rows.append(("Thời điểm kiểm tra", vietnam_time(moment)))
        _print_rows(rows)
        for note in notes:
            print(f"  · {note}")
    if unchecked:
        return 3
    return 0 if verdict.ok else 1


def _cmd_kyso_demo_kit(args: argparse.Namespace) -> int:
    from congdanso.world.signatures.demokit import KIT, build_demo_kit
    from congdanso.world.signatures.signing import VERDICTS

    written = build_demo_kit(args.dir)
    print(f"Đã tạo bộ tài liệu mẫu trong {args.dir}:")
    for path, (_, code, _) in zip(written, KIT, strict=True):
        print(f"  {path.name:<30} → {VERDICTS[code][0]}")
    print("Xem HUONG-DAN.txt; kiểm tra bằng: congdanso kyso verify TỆP.pdf")
    return 0


def _cmd_course_build(args: argparse.Namespace) -> int:
    from congdanso.course.build import COURSE, build_notebooks
    from congdanso.course.handouts import write_handout_data
    from congdanso.course.timetable import GUIDE, build_guide

    for path in build_notebooks():
        print(f"Đã tạo {path.name}")
    print(f"Đã lưu nội dung tờ hướng dẫn vào gói: {write_handout_data(COURSE / 'src').name}")
    found = build_guide()
    if found:
        print(f"Chưa viết lại lịch tập huấn trong {GUIDE.name}: course/lich-hoc.json cần sửa",
              file=sys.stderr)
        for problem in found:
            print(f"  - {problem}", file=sys.stderr)
        return 1
    print(f"Đã viết lại lịch tập huấn và các con số trong {GUIDE.name}")
    return 0


def _cmd_course_handouts(args: argparse.Namespace) -> int:
    from congdanso.course.build import COURSE
    from congdanso.course.handouts import SupportPoint, build_handouts

    point = SupportPoint(args.point or "", args.address or "", args.hours or "", args.phone or "")
    written = build_handouts(COURSE / "src", Path(args.dir), point)
    for path in written:
        print(f"Đã tạo {path}")
    if not any((args.point, args.address, args.hours, args.phone)):
        print("Ô \"Điểm hỗ trợ gần bạn\" để trống để viết tay; thêm --diem-ho-tro, --dia-chi, "
              "--gio-mo-cua, --dien-thoai để in sẵn.")
    return 0


def _cmd_roster_import(args: argparse.Namespace) -> int:
    from congdanso.cohort.roster import RosterError, import_roster

    try:
        result = import_roster(args.file, args.course, apply_changes=args.apply)
    except RosterError as exc:
        print(str(exc), file=sys.stderr)
        return 1
    learners = result.learners
    print(f"Đã nhập {len(learners)} học viên từ {args.file} ({result.how}) vào sổ điểm "
          f"{args.course}: {len(result.added)} mới, {len(result.changed)} sửa thông tin.")
    for line in result.changed[:20]:
        print(f"  đã sửa {line}")
    if result.not_in_file:
        print(f"{len(result.not_in_file)} học viên đã có không nằm trong tệp này, vẫn giữ nguyên: "
              + ", ".join(result.not_in_file[:10]) + (" …" if len(result.not_in_file) > 10
                                                       else ""))
    by_place: dict[str, int] = {}
    for learner in learners:
        key = f"{learner.ward} – {learner.khu_pho}"
        by_place[key] = by_place.get(key, 0) + 1
    for place, count in sorted(by_place.items()):
        print(f"  {place}: {count}")
    return 0


def _graded_course(course_dir: str) -> Path | None:
    """The course folder if it has a gradebook; otherwise say so in Vietnamese."""
    from congdanso.cohort.gradebook import has_gradebook

    course = Path(course_dir)
    if not has_gradebook(course):
        print(f"Chưa có sổ điểm {course / 'gradebook.db'}: hãy nhập danh sách học viên và chấm "
              "bài trước.", file=sys.stderr)
        return None
    return course


def _cmd_report(args: argparse.Namespace) -> int:
    import time

    from congdanso.cohort.report import load_report, write_report

    course = _graded_course(args.course)
    if course is None:
        return 1
    start = time.perf_counter()
    report = load_report(course)
    paths = write_report(report, args.out)
    print(f"Báo cáo năng lực ({len(report.learners)} học viên, "
          f"{time.perf_counter() - start:.2f} s):")
    for kind, path in paths.items():
        print(f"  {kind.upper():<5} {path}")
    total = len(report.framework.competencies)
    print(f"Khoá học đã đánh giá {len(report.assessed)}/{total} năng lực.")
    print(f"Sẵn sàng cấp chứng nhận khoá học (đạt cả {total}/{total} năng lực): "
          f"{len(report.ready)} học viên; chỉ cấp được bảng kết quả năng lực: "
          f"{len(report.transcript)} học viên.")
    if report.items is not None and len(report.items.items):
        flagged = report.items.flagged
        print(f"Phân tích ô chấm: {len(flagged)}/{len(report.items.items)} ô cần xem lại"
              + (" (" + ", ".join(f"số {n} {c}" for n, c in zip(
                  flagged["number"], flagged["cell"], strict=True)) + ")" if len(flagged) else "")
              + "." + ("" if report.items.has_responses else " Chưa có tệp câu trả lời "
                       "(.congdanso/tra-loi.csv): chưa đếm được lựa chọn của học viên."))
    return 0


def _cmd_certificate_issue(args: argparse.Namespace) -> int:
    from congdanso.cohort.certificates import CERTIFICATE, TRANSCRIPT, issue
    from congdanso.cohort.report import load_report

    course = _graded_course(args.course)
    if course is None:
        return 1
    report = load_report(course)
    total = len(report.framework.competencies)
    done = issue(report, args.out)
    assessed = len(report.assessed)
    if assessed < total:
        print(f"Khoá học mới đánh giá {assessed}/{total} năng lực: chưa ai nhận được chứng nhận "
              f"khoá học (cần đạt đủ {total}/{total} năng lực); học viên đã đạt năng lực nào thì "
              "nhận bảng kết quả năng lực ghi các năng lực đó.")
    groups = [(CERTIFICATE, f"Chứng nhận khoá học (đạt cả {total}/{total} năng lực)"),
              (TRANSCRIPT, "Bảng kết quả năng lực (chưa đủ điều kiện chứng nhận khoá học)"),
              (None, "Không cấp")]
    for kind, title in groups:
        chosen = [d for d in done if d.kind == kind]
        print(f"{title}: {len(chosen)} học viên.")
        for d in chosen:
            where = f"{d.path.name}  " if d.path else ""
            print(f"  {where}{d.name} ({d.learner_id}): {d.reason}")
    if any(d.path for d in done):
        print(f"Các tệp PDF (có chữ ký số và mã QR) ở {args.out}.")
    return 0


def _cmd_certificate_verify(args: argparse.Namespace) -> int:
    from congdanso.cohort.certificates import (
        CertificateError,
        verify_certificate_pdf,
        verify_qr,
    )

    try:
        if args.qr:
            ok, message = verify_qr(args.qr, args.course)
        elif args.file:
            try:
                data = Path(args.file).read_bytes()
            except OSError as exc:
                print(f"Không đọc được tệp {args.file}: {os_error_vi(exc)}.", file=sys.stderr)
                return 2
            ok, message = verify_certificate_pdf(data, args.course)
        else:
            print("Cần tệp chứng nhận (PDF) hoặc --qr NỘI-DUNG-MÃ-QR.", file=sys.stderr)
            return 2
    except CertificateError as exc:
        print(f"✘ {exc}", file=sys.stderr)
        return 2
    print(("✔ " if ok else "✘ ") + message)
    return 0 if ok else 1


def _grading_step(step):
    """Run a trainer step; a problem is a Vietnamese message and exit code 1, not a traceback."""
    def run(args: argparse.Namespace) -> int:
        from congdanso.cohort.grading import GradingError
        from congdanso.grading.sandbox import SandboxUnavailable

        try:
            return step(args)
        except (GradingError, SandboxUnavailable) as exc:
            print(str(exc), file=sys.stderr)
            return 1
    return run


@_grading_step
def _cmd_generate(args: argparse.Namespace) -> int:
    from congdanso.cohort.grading import generate

    done = generate(args.course, args.assignments)
    print(f"Đã tạo bản phát (bỏ lời giải và kiểm tra ẩn) cho {len(done)} bài trong "
          f"{Path(args.course) / 'release'}: {', '.join(done)}.")
    return 0


@_grading_step
def _cmd_release(args: argparse.Namespace) -> int:
    from congdanso.cohort.grading import release

    done = release(args.course, args.assignments, force=args.force)
    now = [name for name, fresh in done.items() if fresh]
    before = [name for name, fresh in done.items() if not fresh]
    if now:
        print(f"Đã phát {len(now)} bài cho học viên: {', '.join(now)}.")
    if before:
        print(f"Đã phát từ trước, giữ nguyên: {', '.join(before)} (thêm --force để phát lại bản "
              "mới sau khi sửa bài).")
    return 0


@_grading_step
def _cmd_collect(args: argparse.Namespace) -> int:
    from congdanso.cohort.grading import collect

    collected = collect(args.course, args.assignments)
    for name, count in collected.counts.items():
        print(f"  {name}: {count} bài nộp")
    refused = [n for n in collected.notes if not n.collected]
    if refused:
        print(f"Không thu ({len(refused)}) — các bài khác vẫn được thu:")
        for note in refused:
            print(f"  {note}")
    remarks = [n for n in collected.notes if n.collected]
    if remarks:
        print("Cần biết:")
        for note in remarks:
            print(f"  {note}")
    return 0


@_grading_step
def _cmd_autograde(args: argparse.Namespace) -> int:
    import time

    from congdanso.cohort.grading import RESULTS_DIR, autograde
    from congdanso.grading.sandbox import Limits

    limits = Limits(cell_timeout=args.timeout, memory_mb=args.memory)
    if args.no_sandbox:
        print("CHÚ Ý: chấm KHÔNG cách ly — mã của học viên chạy với quyền của bạn. Chỉ dùng với "
              "bài của chính mình.", file=sys.stderr)
    started = time.perf_counter()
    results = autograde(args.course, args.assignments, students=args.student, jobs=args.jobs,
                        limits=limits, sandboxed=not args.no_sandbox, dask=args.dask)
    elapsed = time.perf_counter() - started
    print(f"Đã chấm {len(results)} bài nộp trong {elapsed:.1f} giây "
          f"({elapsed / len(results):.2f} giây/bài; giới hạn: {limits.describe()}).")
    by_assignment: dict[str, list] = {}
    for r in results:
        by_assignment.setdefault(r.assignment, []).append(r)
    for name, items in by_assignment.items():
        graded = [r for r in items if r.ok]
        mean = sum(r.score for r in graded) / len(graded) if graded else 0
        top = graded[0].max_score if graded else 0
        print(f"  {name}: {len(items)} bài, điểm trung bình {mean:.1f}/{top:g}")
    flagged = [r for r in results if not r.ok or r.journal_trusted is False or r.incidents
               or r.edited_cells or r.flags]
    if flagged:
        print(f"Cần giảng viên xem lại ({len(flagged)}):")
        for r in flagged:
            notes = []
            if not r.ok:
                notes.append(f"không chấm được: {r.error}")
            if r.journal_trusted is False:
                notes.append("nhật ký bị sửa, các ô đọc nhật ký tính 0")
            notes += r.flags
            notes += [f"{i['cell']}: {i['kind']}" for i in r.incidents]
            if r.edited_cells:
                notes.append("sửa ô không được sửa: " + ", ".join(r.edited_cells))
            print(f"  {r.student} · {r.assignment}: " + "; ".join(notes))
    print(f"Chi tiết: {Path(args.course) / RESULTS_DIR}/<bài>.csv")
    return 0 if all(r.ok for r in results) else 1


@_grading_step
def _cmd_feedback(args: argparse.Namespace) -> int:
    from congdanso.cohort.grading import feedback

    counts = feedback(args.course, args.assignments, publish=not args.no_release)
    for name, count in counts.items():
        print(f"  {name}: {count} phản hồi" + ("" if args.no_release else " (đã trả cho học viên)"))
    print(f"Tệp phản hồi (HTML): {Path(args.course) / 'feedback'}")
    from congdanso.cohort.exchange import NOTES

    if NOTES and not args.no_release:
        print(f"Chưa trả được ({len(NOTES)}):")
        for note in NOTES:
            print(f"  {note}")
    return 0


# argparse's own words, in Vietnamese (it has no Vietnamese catalogue of its own).
ARGPARSE_VI = {
    "usage: ": "cách dùng: ",
    "positional arguments": "tham số",
    "options": "tuỳ chọn",
    "show this help message and exit": "hiện hướng dẫn này rồi thoát",
    "%(prog)s: error: %(message)s\n": "%(prog)s: lỗi: %(message)s\n",
    "the following arguments are required: %s": "thiếu tham số bắt buộc: %s",
    "unrecognized arguments: %s": "không hiểu tham số: %s",
    "invalid choice: %(value)r (choose from %(choices)s)":
        "lựa chọn không có: %(value)r (chọn một trong: %(choices)s)",
    "invalid %(type)s value: %(value)r": "giá trị không hợp lệ: %(value)r (cần kiểu %(type)s)",
    "argument %(argument_name)s: %(message)s": "tham số %(argument_name)s: %(message)s",
    "expected one argument": "cần một giá trị",
    "expected at most one argument": "cần nhiều nhất một giá trị",
    "expected at least one argument": "cần ít nhất một giá trị",
    "expected %s argument": "cần %s giá trị",
    "expected %s arguments": "cần %s giá trị",
    "ambiguous option: %(option)s could match %(matches)s":
        "tuỳ chọn chưa rõ: %(option)s có thể là %(matches)s",
    "not allowed with argument %s": "không dùng cùng tham số %s",
    "one of the arguments %s is required": "cần một trong các tham số %s",
    "ignored explicit argument %r": "bỏ qua giá trị %r",
    "unexpected option string: %s": "tuỳ chọn không mong đợi: %s",
    "unknown parser %(parser_name)r (choices: %(choices)s)":
        "không có lệnh %(parser_name)r (các lệnh: %(choices)s)",
    "can't open '%(filename)s': %(error)s": "không mở được '%(filename)s': %(error)s",
    "subcommands": "lệnh",
}


def _argparse_in_vietnamese() -> None:
    """argparse looks its words up through its module's ``_`` and ``ngettext`` at each use."""
    argparse._ = lambda text: ARGPARSE_VI.get(text, text)  # type: ignore[attr-defined]
    argparse.ngettext = (lambda one, many, n:  # type: ignore[attr-defined]
                         ARGPARSE_VI.get(one if n == 1 else many, one if n == 1 else many))


def build_parser() -> argparse.ArgumentParser:
    _argparse_in_vietnamese()
    parser = argparse.ArgumentParser(
        prog="congdanso",
        description="Công Dân Số — công cụ cho tình nguyện viên và giảng viên khoá học "
        "dịch vụ công trực tuyến (dữ liệu mô phỏng, không kết nối dịch vụ thật).",
    )
    parser.add_argument("--version", action="version", version=f"congdanso {__version__}",
                        help="hiện số phiên bản rồi thoát")
    sub = parser.add_subparsers(dest="command", metavar="LỆNH")

    journal = sub.add_parser("journal", help="kiểm tra nhật ký thao tác của người học")
    journal_sub = journal.add_subparsers(dest="journal_command", metavar="LỆNH")
    check = journal_sub.add_parser(
        "check",
        help="kiểm tra chuỗi băm, chạy lại nhật ký và in ra người học đã làm gì",
        description="Thoát với mã 0 nếu nhật ký toàn vẹn, 1 nếu có sự kiện bị sửa, xoá, chèn "
        "hoặc đảo thứ tự, 2 nếu không đọc được tệp.",
    )
    check.add_argument("path", metavar="TỆP_NHẬT_KÝ", help="đường dẫn tệp nhật ký (ví dụ nhat-ky.jsonl)")
    check.add_argument("--json", action="store_true", help="in kết quả dạng JSON")
    check.set_defaults(func=_cmd_journal_check)

    world = sub.add_parser("world", help="xem thế giới mô phỏng (dân cư, phường, khu phố)")
    world.add_argument("--seed", type=int, default=74, help="hạt giống (mặc định 74)")
    world.add_argument("--people", type=int, default=0, metavar="N", help="in N người đầu tiên")
    world.set_defaults(func=_cmd_world_info)

    vietqr = sub.add_parser("vietqr", help="đọc hoặc tạo mã VietQR")
    vietqr_sub = vietqr.add_subparsers(dest="vietqr_command", metavar="LỆNH")
    decode = vietqr_sub.add_parser(
        "decode",
        help="đọc mã VietQR (chuỗi hoặc ảnh): ngân hàng, tài khoản, số tiền",
        description="Thoát với mã 0 nếu mã hợp lệ, 1 nếu mã sai (nói rõ trường nào sai), 2 nếu "
        "không đọc được đầu vào.",
    )
    decode.add_argument("payload", nargs="?", metavar="CHUỖI_MÃ", help="chuỗi mã QR (bắt đầu bằng 000201)")
    decode.add_argument("--image", metavar="ẢNH", help="đọc mã từ ảnh PNG/JPG")
    decode.add_argument("--json", action="store_true", help="in kết quả dạng JSON")
    decode.set_defaults(func=_cmd_vietqr_decode)
    encode = vietqr_sub.add_parser(
        "encode", help="tạo mã VietQR TẬP HUẤN (ngân hàng mô phỏng, không chuyển tiền thật)"
    )
    encode.add_argument("--bank", default="999701", help="BIN ngân hàng mô phỏng (9997xx)")
    encode.add_argument("--account", required=True, help="số tài khoản người nhận")
    encode.add_argument("--amount", type=int, help="số tiền (đồng); bỏ trống = mã tĩnh")
    encode.add_argument("--message", help="nội dung chuyển khoản")
    encode.add_argument("--bill", help="số hoá đơn (trường 62.01)")
    encode.add_argument("--png", metavar="TỆP", help="lưu ảnh PNG")
    encode.add_argument("--svg", metavar="TỆP", help="lưu ảnh SVG")
    encode.set_defaults(func=_cmd_vietqr_encode)

    kyso = sub.add_parser("kyso", help="chữ ký số: kiểm tra tài liệu đã ký, bộ tài liệu mẫu")
    kyso_sub = kyso.add_subparsers(dest="kyso_command", metavar="LỆNH")
    verify = kyso_sub.add_parser(
        "verify", help="kiểm tra chữ ký số của một tệp PDF và giải thích kết quả",
        description="Thoát với mã 0 chỉ khi chữ ký hợp lệ; 1 với mọi kết quả khác (bị sửa, hết "
                    "hạn, bị thu hồi, không tin cậy, chưa ký, không phải PDF); 2 nếu không đọc "
                    "được tệp; 3 nếu chữ ký khớp nhưng chưa có danh sách thu hồi (.crl) của CA "
                    "để kiểm tra. Tự đọc các tệp .crl nằm cùng thư mục với tài liệu, hoặc "
                    "dùng --crl.")
    verify.add_argument("file", metavar="TỆP_PDF", help="tệp PDF cần kiểm tra")
    verify.add_argument("--json", action="store_true", help="in kết quả dạng JSON")
    verify.add_argument("--crl", action="append", metavar="TỆP",
                        help="thêm danh sách chứng thư bị thu hồi (.crl)")
    verify.add_argument("--at", metavar="NGÀY", help="kiểm tra tại ngày dd/mm/yyyy (mặc định: "
                                                     "bây giờ)")
    verify.add_argument("--seed", type=int, default=74, help="hạt giống của thế giới (CA gốc)")
    verify.set_defaults(func=_cmd_kyso_verify)
    kit = kyso_sub.add_parser("demo-kit", help="tạo bộ tài liệu mẫu, mỗi tệp một kết quả kiểm "
                                               "tra, cho giảng viên")
    kit.add_argument("dir", metavar="THƯ_MỤC", help="thư mục để ghi bộ tài liệu")
    kit.set_defaults(func=_cmd_kyso_demo_kit)

    course = sub.add_parser("course", help="bài học: tạo notebook từ bản nguồn, in tờ hướng dẫn")
    course_sub = course.add_subparsers(dest="course_command", metavar="LỆNH")
    build = course_sub.add_parser("build", help="tạo lại course/*.ipynb từ course/src/*.md, và lịch "
                                  "tập huấn trong hướng dẫn giảng viên từ course/lich-hoc.json")
    build.set_defaults(func=_cmd_course_build)
    handouts = course_sub.add_parser(
        "handouts", help="in tờ hướng dẫn một trang, chữ to, cho người dân (PDF), mỗi bài một tờ")
    handouts.add_argument("dir", metavar="THƯ_MỤC", help="thư mục để ghi các tệp PDF")
    handouts.add_argument("--diem-ho-tro", dest="point", metavar="TÊN",
                          help="tên điểm hỗ trợ in trên tờ hướng dẫn")
    handouts.add_argument("--dia-chi", dest="address", metavar="ĐỊA_CHỈ", help="địa chỉ điểm hỗ trợ")
    handouts.add_argument("--gio-mo-cua", dest="hours", metavar="GIỜ",
                          help="giờ mở cửa, ví dụ \"7:30–11:00 thứ Hai đến thứ Bảy\"")
    handouts.add_argument("--dien-thoai", dest="phone", metavar="SỐ", help="số điện thoại liên hệ")
    handouts.set_defaults(func=_cmd_course_handouts)

    roster = sub.add_parser("roster", help="danh sách học viên của khoá")
    roster_sub = roster.add_subparsers(dest="roster_command", metavar="LỆNH")
    roster_import = roster_sub.add_parser(
        "import", help="nhập danh sách học viên (CSV hoặc XLSX; UTF-8, UTF-8 có BOM, "
                       "Windows-1258) vào sổ điểm nbgrader",
        description="Cột cần có: Họ và tên, Phường, Khu phố, Vai trò (có thể thêm Mã học viên). "
                    "Tệp có dòng lỗi thì không nhập gì và liệt kê mọi lỗi kèm số dòng.")
    roster_import.add_argument("file", metavar="TỆP", help="tệp danh sách (.csv hoặc .xlsx)")
    roster_import.add_argument("--course", default="exercises",
                               help="thư mục khoá học nbgrader (mặc định: exercises)")
    roster_import.add_argument("--ap-dung", dest="apply", action="store_true",
                               help="áp dụng thay đổi họ tên, phường, khu phố hoặc vai trò của "
                               "học viên đã có (không có tuỳ chọn này thì chỉ liệt kê)")
    roster_import.set_defaults(func=_cmd_roster_import)

    course_help = "thư mục khoá học nbgrader (mặc định: exercises)"
    steps = (
        ("generate", _cmd_generate, "tạo bản phát của bài tập (bỏ lời giải, kiểm tra ẩn)"),
        ("release", _cmd_release, "phát bài cho học viên qua thư mục trao đổi"),
        ("collect", _cmd_collect, "thu bài học viên đã nộp"),
        ("autograde", _cmd_autograde, "chấm tự động trong vùng cách ly, nhiều bài cùng lúc"),
        ("feedback", _cmd_feedback, "tạo phản hồi (HTML) và trả cho học viên"),
    )
    for name, func, text in steps:
        step = sub.add_parser(name, help=text, description=text[0].upper() + text[1:] + ".")
        step.add_argument("assignments", nargs="*", metavar="BÀI",
                          help="tên bài (thư mục trong source/); bỏ trống = mọi bài")
        step.add_argument("--course", default="exercises", help=course_help)
        step.set_defaults(func=func)
        if name == "autograde":
            step.add_argument("--student", action="append", metavar="MÃ",
                              help="chỉ chấm học viên này (lặp lại được)")
            step.add_argument("--jobs", type=int, metavar="N",
                              help="số bài chấm cùng lúc (mặc định: số lõi CPU)")
            step.add_argument("--timeout", type=int, default=30, metavar="GIÂY",
                              help="thời gian tối đa của một ô (mặc định 30)")
            step.add_argument("--memory", type=int, default=2048, metavar="MB",
                              help="bộ nhớ tối đa của kernel một bài (mặc định 2048)")
            step.add_argument("--khong-cach-ly", dest="no_sandbox", action="store_true",
                              help="chạy mã học viên không cách ly (chỉ với bài của chính mình)")
            step.add_argument("--dask", metavar="ĐỊA-CHỈ",
                              help="chấm trên cụm Dask, mỗi bài nộp một tác vụ: địa chỉ bộ lập "
                                   "lịch (tls://máy:8786) hoặc \"local\" (--jobs tiến trình trên "
                                   "máy này); các máy chấm phải thấy thư mục khoá học")
        if name == "release":
            step.add_argument("--force", action="store_true",
                              help="phát lại, thay bản đã phát trước (sau khi sửa bài)")
        if name == "feedback":
            step.add_argument("--khong-tra", dest="no_release", action="store_true",
                              help="chỉ tạo tệp phản hồi, chưa trả cho học viên")

    report = sub.add_parser("report", help="báo cáo năng lực: ma trận học viên × năng lực, theo "
                                           "khu phố, theo vai trò (CSV, XLSX, HTML có biểu đồ)")
    report.add_argument("--course", default="exercises", help="thư mục khoá học nbgrader")
    report.add_argument("--out", default="bao-cao", help="thư mục ghi báo cáo")
    report.set_defaults(func=_cmd_report)

    certificate = sub.add_parser("certificate", help="giấy chứng nhận cho học viên đạt năng lực")
    certificate_sub = certificate.add_subparsers(dest="certificate_command", metavar="LỆNH")
    issue = certificate_sub.add_parser("issue", help="cấp chứng nhận khoá học (PDF ký số, có mã "
                                                     "QR) cho học viên đạt đủ mọi năng lực; bảng "
                                                     "kết quả năng lực cho học viên mới đạt một "
                                                     "phần")
    issue.add_argument("--course", default="exercises", help="thư mục khoá học nbgrader")
    issue.add_argument("--out", default="chung-nhan", help="thư mục ghi chứng nhận")
    issue.set_defaults(func=_cmd_certificate_issue)
    check_cert = certificate_sub.add_parser(
        "verify", help="kiểm tra một giấy chứng nhận (tệp PDF hoặc nội dung mã QR đã quét)",
        description="Thoát với mã 0 nếu chứng nhận hợp lệ, 1 nếu bị sửa hoặc giả, 2 nếu không "
                    "đọc được đầu vào.")
    check_cert.add_argument("file", nargs="?", metavar="TỆP_PDF", help="tệp chứng nhận PDF")
    check_cert.add_argument("--qr", help="nội dung mã QR in trên chứng nhận")
    check_cert.add_argument("--course", default="exercises",
                            help="thư mục khoá học đã cấp chứng nhận (có khoá ký và sổ chứng nhận)")
    check_cert.set_defaults(func=_cmd_certificate_verify)

    learn = sub.add_parser("hoc", help="mở khoá học trên máy này cho người học (make start): "
                                       "trang chính, bài học, bài tập")
    learn.add_argument("--port", type=int, default=8888, help="cổng (mặc định 8888)")
    learn.add_argument("--thu-muc", dest="folder", default=".",
                       help="thư mục khoá học (mặc định thư mục hiện tại)")
    learn.add_argument("--dien-thoai", dest="phone", action="store_true",
                       help="mở cho cả điện thoại cùng mạng Wi-Fi (in địa chỉ và mã QR)")
    learn.add_argument("--khong-mo-trinh-duyet", dest="no_browser", action="store_true",
                       help="không tự mở trình duyệt")
    learn.set_defaults(func=_cmd_learn)

    demos = sub.add_parser("demos", help="mở các ứng dụng trình chiếu (Voilà) tại "
                                         "http://127.0.0.1:8866/ cho buổi hỗ trợ, sự kiện")
    demos.add_argument("folder", nargs="?", help=argparse.SUPPRESS)
    demos.add_argument("--port", type=int, default=8866, help="cổng (mặc định 8866)")
    demos.add_argument("--khoa-hoc", dest="course", default=None,
                       help="thư mục khoá học nbgrader cho phần tiến độ tập huấn "
                            "(mặc định exercises/)")
    demos.add_argument("--khong-mo-trinh-duyet", dest="no_browser", action="store_true",
                       help="không tự mở trình duyệt")
    demos.add_argument("--khong-khoi-dong-truoc", dest="no_prestart", action="store_true",
                       help="không chạy sẵn kernel cho từng ứng dụng (tiết kiệm bộ nhớ, mở chậm "
                            "hơn)")
    demos.add_argument("--nghi-toi-da", dest="cull_after", type=int, default=900, metavar="GIÂY",
                       help="tắt kernel của trang không còn ai mở sau chừng ấy giây (mặc định "
                            "900)")
    demos.add_argument("--cho-ket-noi", dest="unconnected_after", type=int, default=60,
                       metavar="GIÂY", help="tắt kernel của trang mở ra mà không kết nối sau "
                       "chừng này giây (mặc định 60)")
    demos.add_argument("--ten-may", dest="hosts", action="append", default=[], metavar="TÊN",
                       help="tên máy khác được phép mở trang (mặc định chỉ 127.0.0.1 và "
                       "localhost); dùng nhiều lần cho nhiều tên")
    demos.add_argument("--stock-shutdown", action="store_true", help=argparse.SUPPRESS)
    demos.set_defaults(func=_cmd_demos)

    hub = sub.add_parser("hub", help="máy chủ lớp học (JupyterHub): học viên đăng nhập bằng mã "
                                     "riêng, mỗi người một JupyterLab; trang theo dõi lớp",
                         description="Mở máy chủ lớp học trên máy này (cần quyền root). Ctrl+C để "
                                     "tắt: máy chủ của mọi học viên được dừng gọn.")
    hub.add_argument("--course", default="exercises", help="thư mục khoá học nbgrader")
    hub.add_argument("--port", type=int, default=8000, help="cổng (mặc định 8000)")
    hub.add_argument("--ip", default="0.0.0.0",
                     help="địa chỉ nghe (mặc định mọi mạng của máy, để điện thoại trong phòng vào "
                          "được)")
    hub.add_argument("--bo-nho", dest="memory_mb", type=int, default=1536, metavar="MB",
                     help="bộ nhớ tối đa của mỗi học viên (mặc định 1536)")
    hub.add_argument("--nghi", dest="idle_minutes", type=int, default=30, metavar="PHÚT",
                     help="tắt máy của học viên không dùng sau chừng ấy phút (mặc định 30)")
    hub.add_argument("--trao-doi", dest="exchange", default=None, metavar="THƯ-MỤC",
                     help="thư mục trao đổi bài của nbgrader (mặc định "
                          "/srv/congdanso/trao-doi/<mã lớp>, mỗi lớp một thư mục)")
    hub.add_argument("--dia", dest="disk_mb", type=int, default=1024, metavar="MB",
                     help="dung lượng đĩa tối đa của mỗi học viên (thư mục riêng, /tmp, bài nộp; "
                          "mặc định 1024; 0: không giới hạn)")
    hub.add_argument("--chung-chi", dest="certificate", default=None, metavar="TỆP",
                     help="chứng chỉ HTTPS (PEM) của máy chủ lớp; đi cùng --khoa")
    hub.add_argument("--khoa", dest="key", default=None, metavar="TỆP",
                     help="khoá riêng (PEM, chmod 600) của chứng chỉ HTTPS")
    hub.add_argument("--so-diem", dest="gradebook", default=None, metavar="URL",
                     help="sổ điểm PostgreSQL có sẵn (postgresql+psycopg2://người-dùng@máy/csdl, "
                          "không kèm mật khẩu); mặc định máy chủ lớp tự chạy một cụm riêng")
    hub.add_argument("--mat-khau-so-diem", dest="gradebook_password", default=None,
                     metavar="TỆP", help="tệp (chmod 600) chứa mật khẩu của --so-diem")
    hub.add_argument("--thu-muc-so-diem", dest="gradebook_dir", default=None, metavar="THƯ-MỤC",
                     help="thư mục dữ liệu của cụm PostgreSQL riêng (mặc định "
                          "/var/lib/congdanso/so-diem)")
    hub.add_argument("--cong-so-diem", dest="gradebook_port", type=int, default=None,
                     metavar="CỔNG", help="cổng của cụm PostgreSQL riêng (mặc định 5544)")
    hub.add_argument("--cong-hub", dest="hub_port", type=int, default=None, metavar="CỔNG",
                     help="cổng nội bộ của hub (127.0.0.1) mà proxy và máy của học viên gọi tới "
                          "(mặc định: một cổng còn trống, chọn lúc mở)")
    hub.add_argument("--cong-proxy-api", dest="proxy_api_port", type=int, default=None,
                     metavar="CỔNG", help="cổng nội bộ để hub điều khiển proxy (127.0.0.1; mặc "
                                          "định: một cổng còn trống, chọn lúc mở)")
    hub.set_defaults(func=_cmd_hub)
    hub_sub = hub.add_subparsers(dest="hub_command", metavar="LỆNH")
    codes = hub_sub.add_parser("ma", help="cấp mã đăng nhập cho mọi học viên trong danh sách lớp "
                                          "và in phiếu (PDF, mỗi người một thẻ có mã QR)")
    # given before or after ``ma``: after it wins, and only the hub's default fills in when it
    # is given nowhere (a subcommand's own default would override ``hub --course X ma``)
    codes.add_argument("--course", default=argparse.SUPPRESS, help=course_help)
    codes.add_argument("--dia-chi", dest="url", default=None, metavar="URL",
                       help="địa chỉ máy chủ lớp mà học viên mở, ví dụ http://192.168.1.10:8000 "
                            "(cần khi in phiếu cho cả lớp)")
    codes.add_argument("--out", default="phieu-dang-nhap.pdf", help="tệp phiếu PDF")
    codes.add_argument("--ngay", dest="days", type=int, default=7,
                       help="số ngày mã còn dùng được (mặc định 7)")
    codes.add_argument("--giang-vien", dest="trainer_only", action="store_true",
                       help="chỉ cấp mã mới cho giảng viên, hiện trên màn hình (mã của học viên "
                            "giữ nguyên); mở luôn khoá đăng nhập của giảng viên nếu có ai nhập "
                            "sai mã nhiều lần")
    codes.set_defaults(func=_cmd_hub_codes)
    end = hub_sub.add_parser("ket-thuc", help="kết thúc phiên đăng nhập của một học viên: cấp "
                                              "mã mới cho riêng người đó, mã người khác giữ "
                                              "nguyên")
    end.add_argument("learner", metavar="MÃ-HỌC-VIÊN", help="ví dụ hv-01 (hoặc giang-vien)")
    end.add_argument("--course", default=argparse.SUPPRESS, help=course_help)
    end.set_defaults(func=_cmd_hub_end)

    procedures = sub.add_parser("thutuc", help="danh mục thủ tục hành chính cấp xã mô phỏng")
    procedures.set_defaults(func=_cmd_procedures)
    return parser


def _cmd_hub(args: argparse.Namespace) -> int:
    from congdanso.hub.launch import HubError, run

    course = Path(args.course)
    if not (course / "nbgrader_config.py").is_file():
        print(f"Không thấy khoá học nbgrader ở {course} (thiếu nbgrader_config.py).",
              file=sys.stderr)
        return 2
    try:
        run(course, ip=args.ip, port=args.port, memory_mb=args.memory_mb,
            idle_minutes=args.idle_minutes, disk_mb=args.disk_mb,
            exchange=Path(args.exchange) if args.exchange else None,
            certificate=Path(args.certificate) if args.certificate else None,
            key=Path(args.key) if args.key else None,
            gradebook=args.gradebook, gradebook_port=args.gradebook_port,
            gradebook_password=Path(args.gradebook_password) if args.gradebook_password else None,
            gradebook_dir=Path(args.gradebook_dir) if args.gradebook_dir else None,
            hub_port=args.hub_port, proxy_api_port=args.proxy_api_port)
    except HubError as exc:
        print(exc, file=sys.stderr)
        return 2
    return 0


def _cmd_hub_codes(args: argparse.Namespace) -> int:
    from nbgrader.api import Gradebook

    from congdanso.cohort.gradebook import gradebook_url
    from congdanso.hub import codes

    course = Path(args.course)
    if args.trainer_only:
        return _one_new_code(course, codes.TRAINER)
    if not args.url:
        print("Cần địa chỉ máy chủ lớp để in lên phiếu: --dia-chi http://192.168.1.10:8000 (địa "
              "chỉ học viên mở). Chỉ cấp mã mới cho giảng viên: --giang-vien.", file=sys.stderr)
        return 2
    if not args.url.startswith(("http://", "https://")):
        print("Địa chỉ phải bắt đầu bằng http:// hoặc https://, ví dụ http://192.168.1.10:8000",
              file=sys.stderr)
        return 2
    with Gradebook(gradebook_url(course)) as gradebook:
        people = [(s.id, f"{s.last_name or ''} {s.first_name or ''}".strip() or s.id)
                  for s in gradebook.students]
    if not people:
        print("Danh sách lớp trống: nhập danh sách trước (congdanso roster import).",
              file=sys.stderr)
        return 1
    try:
        plain = codes.issue(course, [learner for learner, _ in people], days=args.days)
    except codes.CodeError as exc:
        print(f"{exc} Sửa mã trong danh sách lớp rồi nhập lại.", file=sys.stderr)
        return 1
    cards = [(codes.username(learner), name) for learner, name in people]
    cards.append((codes.TRAINER, "Giảng viên"))
    Path(args.out).write_bytes(codes.sheet_pdf(cards, plain, args.url))
    print(f"Đã cấp mã cho {len(people)} học viên và giảng viên ({codes.TRAINER}); phiếu: "
          f"{args.out}. Mã cũ (nếu có) không còn dùng được; phiên đang mở bằng mã cũ (của mọi "
          "người, cả giảng viên) kết thúc trong khoảng 1 phút, ai cũng đăng nhập lại bằng mã mới. "
          f"Mã hết hạn sau {args.days} ngày.")
    return 0


def _cmd_hub_end(args: argparse.Namespace) -> int:
    return _one_new_code(Path(args.course), args.learner)


def _one_new_code(course: Path, learner: str) -> int:
    """A new code for one person (``hub ket-thuc``, ``hub ma --giang-vien``), shown this once."""
    from congdanso.hub import codes

    try:
        name = codes.username(learner)
        code = codes.reissue(course, name)
    except codes.CodeError as exc:
        print(exc, file=sys.stderr)
        return 1
    who = f"giảng viên ({name})" if name == codes.TRAINER else name
    print(f"Mã đăng nhập mới của {who}: {codes.pretty(code)}\n"
          "Mã chỉ hiện một lần này: chép lại và đưa tận tay, không gửi qua nhóm chat.\n"
          f"- Mã cũ của {name} hết dùng được ngay từ bây giờ; mã của những người khác không đổi.\n"
          f"- Nếu {name} đang bị khoá đăng nhập vì ai đó nhập sai mã nhiều lần, khoá được mở "
          "ngay.\n"
          f"- Phiên đang mở bằng mã cũ (trang đang mở, cookie, khoá API) bị từ chối trong khoảng "
          f"1 phút, ở lần dùng tiếp theo; khi đó máy của {name} trên máy chủ lớp được tắt (bài đã "
          "lưu vẫn còn). Đăng nhập lại bằng mã mới để dùng tiếp.")
    return 0


def _cmd_learn(args: argparse.Namespace) -> int:
    from congdanso.learner.start import run

    return run(args.folder, port=args.port, phone=args.phone, open_browser=not args.no_browser)


def _cmd_demos(args: argparse.Namespace) -> int:
    from congdanso.demos.server import DEMOS, serve

    root = Path(args.folder) if args.folder else DEMOS
    if not root.is_dir() or not any(root.glob("*.ipynb")):
        print(f"Không thấy ứng dụng nào (tệp .ipynb) trong {root}.", file=sys.stderr)
        return 1
    serve(root=root, port=args.port, open_browser=not args.no_browser,
          prestart=not args.no_prestart, cull_after=args.cull_after, course=args.course,
          page_closed_fix=not args.stock_shutdown, hosts=args.hosts,
          unconnected_after=args.unconnected_after)
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    func = getattr(args, "func", None)
    if func is None:
        parser.print_help()
        return 0 if args.command is None else 2
    try:
        return func(args)
    except BrokenPipeError:  # output piped into `head` and closed early: not an error
        sys.stdout = open(os.devnull, "w")  # noqa: SIM115 — silence the interpreter's flush
        return 0
    except OSError as exc:  # a file that cannot be read or written: say which, in Vietnamese
        print(f"Lỗi: {os_error_vi(exc)}.", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("Đã dừng theo yêu cầu (Ctrl+C).", file=sys.stderr)
        return 130
    except Exception as exc:
        from sqlalchemy.exc import OperationalError

        if not isinstance(exc, OperationalError) or "postgresql" not in str(exc.statement or
                                                                         "") + repr(exc):
            raise
        print("Không kết nối được sổ điểm PostgreSQL của máy chủ lớp: hãy mở máy chủ lớp "
              "(congdanso hub) rồi chạy lại lệnh.", file=sys.stderr)
        return 2


if __name__ == "__main__":
    raise SystemExit(main())
