"""Certificates for learners ready to help residents: PDFs signed with the course's own key,
with a QR code anyone can check (`congdanso certificate verify`).

A *course certificate* only for a learner who has every competency of the framework assessed and
mastered. Before that — some exercises not yet graded, or some competency not mastered — a
learner who mastered at least one competency gets at most a *transcript* ("Bảng kết quả năng
lực"): the competencies measured and mastered so far, saying how many of the framework's were
assessed, and never claiming the course.

The trainer's first ``certificate issue`` makes, in the course folder (``.congdanso/``, never in
the package or the repository), a random signing key, a root certificate for it and an empty
revocation list; every issued number goes into a registry (``so-chung-nhan.json``). A
certificate is genuine only if its signature chains to that course root *and* its number is in
the registry with the same facts. The QR payload is JSON in base64url, so any name (brackets,
semicolons, quotes, NFD input) survives as written.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import io
import json
import os
from dataclasses import dataclass
from pathlib import Path

ISSUER_CN = "Ban tổ chức khoá tập huấn Công Dân Số"
PREFIX = "CDS2"
KEYS = Path(".congdanso")
KEY_FILE, ROOT_FILE, LEAF_FILE, CRL_FILE = ("khoa-ky-chung-nhan.pem", "goc-chung-nhan.crt",
                                            "chung-thu-chung-nhan.crt", "goc-chung-nhan.crl")
REGISTRY = "so-chung-nhan.json"
CERTIFICATE, TRANSCRIPT = "chung-nhan", "bang-ket-qua"  # kinds of paper; also their file names
COURSE = "khoá tập huấn hỗ trợ người dân sử dụng dịch vụ số"


class CertificateError(RuntimeError):
    """Certificates cannot be issued or checked here; the message says why, in Vietnamese."""


@dataclass(frozen=True)
class CertificateFacts:
    number: str
    learner_id: str
    name: str
    place: str
    competencies: tuple[str, ...]  # mastered (a certificate: all of the framework)
    issued: dt.date
    kind: str = CERTIFICATE
    assessed: int = 0  # a transcript: how many competencies of the framework were assessed …
    total: int = 0  # … of how many

    def body(self) -> dict:
        from congdanso.world.core.text import nfc

        body = {"n": self.number, "id": self.learner_id, "ten": nfc(self.name),
                "nl": list(self.competencies), "ngay": self.issued.isoformat()}
        if self.kind == TRANSCRIPT:  # a certificate's payload keeps its first form
            body.update(loai=TRANSCRIPT, dg=f"{self.assessed}/{self.total}")
        return body


@dataclass(frozen=True)
class CourseSigner:
    key: object
    leaf: object
    root: object
    crl: object


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def course_signer(course: str | os.PathLike[str], *, create: bool = False) -> CourseSigner:
    """The course's signing key and certificates; made once, with ``create``, by the trainer."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    from congdanso.world.signatures.pki import build_cert

    folder = Path(course) / KEYS
    if not (folder / KEY_FILE).is_file():
        if not create:
            raise CertificateError(
                f"Khoá học {Path(course)} chưa cấp chứng nhận nào (không có khoá ký trong "
                f"{folder}): không thể xác nhận chứng nhận nào là của khoá này. Hãy dùng --course "
                "để chỉ đúng thư mục khoá học đã cấp chứng nhận.")
        folder.mkdir(parents=True, exist_ok=True)
        folder.chmod(0o700)
        root_key = ec.generate_private_key(ec.SECP256R1())
        key = ec.generate_private_key(ec.SECP256R1())
        start = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
        suffix = _b64(os.urandom(6))
        root_name = x509.Name([x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
                               x509.NameAttribute(NameOID.ORGANIZATION_NAME,
                                                  "Tập huấn Công Dân Số"),
                               x509.NameAttribute(NameOID.COMMON_NAME,
                                                  f"Gốc chứng nhận khoá học {suffix}")])
        name = x509.Name([x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
                          x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Tập huấn Công Dân Số"),
                          x509.NameAttribute(NameOID.COMMON_NAME, ISSUER_CN)])
        root = build_cert(root_name, root_name, root_key.public_key(), root_key,
                          int.from_bytes(os.urandom(8), "big"), ca=True, not_before=start,
                          not_after=start.replace(year=2046))
        leaf = build_cert(name, root_name, key.public_key(), root_key,
                          int.from_bytes(os.urandom(8), "big"), ca=False, not_before=start,
                          not_after=start.replace(year=2036))
        crl = (x509.CertificateRevocationListBuilder().issuer_name(root_name)
               .last_update(start).next_update(start.replace(year=2046))
               .sign(root_key, hashes.SHA256()))
        fd = os.open(folder / KEY_FILE, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as f:
            f.write(key.private_bytes(serialization.Encoding.PEM,
                                      serialization.PrivateFormat.PKCS8,
                                      serialization.NoEncryption()))
        (folder / ROOT_FILE).write_bytes(root.public_bytes(serialization.Encoding.PEM))
        (folder / LEAF_FILE).write_bytes(leaf.public_bytes(serialization.Encoding.PEM))
        (folder / CRL_FILE).write_bytes(crl.public_bytes(serialization.Encoding.PEM))
    key = serialization.load_pem_private_key((folder / KEY_FILE).read_bytes(), None)
    return CourseSigner(key, x509.load_pem_x509_certificate((folder / LEAF_FILE).read_bytes()),
                        x509.load_pem_x509_certificate((folder / ROOT_FILE).read_bytes()),
                        x509.load_pem_x509_crl((folder / CRL_FILE).read_bytes()))


def _registry(course: str | os.PathLike[str]) -> dict[str, dict]:
    path = Path(course) / KEYS / REGISTRY
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as exc:
        raise CertificateError(f"Sổ chứng nhận {path} bị hỏng, không đọc được ({exc}). Hãy lấy "
                               "lại bản sao lưu của thư mục khoá học.") from None


def _register(course: str | os.PathLike[str], facts: CertificateFacts, payload: str) -> None:
    path = Path(course) / KEYS / REGISTRY
    registry = _registry(course)
    registry[facts.number] = {**facts.body(), "sha256": hashlib.sha256(payload.encode())
                              .hexdigest()}
    partial = path.with_suffix(".tmp")
    partial.write_text(json.dumps(registry, ensure_ascii=False, indent=1), encoding="utf-8")
    partial.replace(path)


def next_number(course: str | os.PathLike[str], year: int) -> str:
    taken = [int(n.rsplit("-", 1)[1]) for n in _registry(course) if n.startswith(f"CDS-{year}-")]
    return f"CDS-{year}-{max(taken, default=0) + 1:06d}"


def qr_payload(facts: CertificateFacts, signer: CourseSigner) -> str:
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec

    body = json.dumps(facts.body(), ensure_ascii=False, separators=(",", ":"),
                      sort_keys=True).encode()
    signature = signer.key.sign(body, ec.ECDSA(hashes.SHA256(), deterministic_signing=True))
    return f"{PREFIX}.{_b64(body)}.{_b64(signature)}"


def verify_qr(payload: str, course: str | os.PathLike[str]) -> tuple[bool, str]:
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec

    parts = str(payload).strip().split(".")
    if len(parts) != 3 or parts[0] != PREFIX:
        return False, "Đây không phải mã QR của chứng nhận Công Dân Số."
    try:
        body_bytes, signature = _unb64(parts[1]), _unb64(parts[2])
        body = json.loads(body_bytes)
    except (ValueError, UnicodeDecodeError):
        return False, "Mã QR bị hỏng hoặc không đọc đủ: hãy quét lại."
    signer = course_signer(course)
    try:
        signer.leaf.public_key().verify(signature, body_bytes, ec.ECDSA(hashes.SHA256()))
    except (InvalidSignature, ValueError):
        return False, ("Mã QR không khớp chữ ký của ban tổ chức khoá học này: chứng nhận bị sửa "
                       "hoặc giả mạo.")
    entry = _registry(course).get(str(body.get("n")))
    if entry is None or entry.get("sha256") != hashlib.sha256(
            str(payload).strip().encode()).hexdigest():
        return False, (f"Số chứng nhận {body.get('n')} không có trong sổ chứng nhận của khoá học: "
                       "không phải chứng nhận do khoá học cấp.")
    date = dt.date.fromisoformat(body["ngay"]).strftime("%d/%m/%Y")
    if body.get("loai") == TRANSCRIPT:
        return True, (f"Bảng kết quả năng lực số {body['n']} hợp lệ: {body['ten']} ({body['id']}) "
                      f"đạt các năng lực {', '.join(body['nl'])} (khoá học đã đánh giá "
                      f"{body.get('dg', '?')} năng lực), cấp ngày {date}. Đây là bảng kết quả "
                      "các năng lực đã đánh giá, chưa phải chứng nhận khoá học.")
    return True, (f"Chứng nhận số {body['n']} hợp lệ: {body['ten']} ({body['id']}), năng lực "
                  f"{', '.join(body['nl'])}, cấp ngày {date}.")


def certificate_pdf(facts: CertificateFacts, competency_names: dict[str, str],
                    signer: CourseSigner) -> bytes:
    """The certificate or transcript: landscape A4, large print, QR code, signed by the course's
    key. A transcript names only the competencies measured and mastered."""
    from fpdf import FPDF

    from congdanso.world.core.text import nfc
    from congdanso.world.money.qrimage import to_png
    from congdanso.world.signatures.fonts import font_path
    from congdanso.world.signatures.signing import sign_pdf

    payload = qr_payload(facts, signer)
    pdf = FPDF(orientation="L", unit="mm", format="A4")
    pdf.set_compression(False)
    pdf.set_creation_date(dt.datetime.combine(facts.issued, dt.time(8), tzinfo=dt.UTC))
    pdf.set_keywords(payload)
    pdf.add_font("DejaVu", "", str(font_path()))
    pdf.add_font("DejaVu", "B", str(font_path(bold=True)))
    pdf.set_auto_page_break(auto=False)
    pdf.add_page()
    pdf.set_line_width(1.2)
    pdf.rect(8, 8, 281, 194)
    pdf.set_font("DejaVu", "B", 13)
    pdf.cell(0, 8, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", align="C", new_x="LMARGIN",
             new_y="NEXT")
    pdf.cell(0, 7, "Độc lập – Tự do – Hạnh phúc", align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(8)
    transcript = facts.kind == TRANSCRIPT
    pdf.set_font("DejaVu", "B", 26)
    pdf.cell(0, 14, "BẢNG KẾT QUẢ NĂNG LỰC" if transcript else "GIẤY CHỨNG NHẬN", align="C",
             new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("DejaVu", "", 15)
    pdf.cell(0, 9, f"Các năng lực đã được đánh giá và đạt trong {COURSE}" if transcript
             else f"Hoàn thành {COURSE}", align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(6)
    pdf.set_font("DejaVu", "B", 22)
    pdf.cell(0, 12, nfc(facts.name), align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("DejaVu", "", 14)
    pdf.cell(0, 8, nfc(facts.place), align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    pdf.set_x(30)
    if transcript:
        pdf.multi_cell(170, 7, nfc(
            f"Đạt {len(facts.competencies)} năng lực (khoá học đã đánh giá {facts.assessed}/"
            f"{facts.total} năng lực): " + "; ".join(
                f"{c} {competency_names.get(c, '')}".strip() for c in facts.competencies) + "."),
            new_x="LMARGIN", new_y="NEXT")
        pdf.set_x(30)
        pdf.set_font("DejaVu", "", 12)
        pdf.multi_cell(170, 6, f"Bảng này chỉ ghi các năng lực đã được đánh giá, chưa phải chứng "
                       f"nhận khoá học (cấp khi đạt đủ {facts.total}/{facts.total} năng lực).",
                       new_x="LMARGIN", new_y="NEXT")
    else:
        pdf.multi_cell(170, 7, nfc("Đạt các năng lực: " + "; ".join(
            competency_names.get(c, c) for c in facts.competencies) + "."), new_x="LMARGIN",
            new_y="NEXT")
    pdf.set_xy(30, 170)
    pdf.set_font("DejaVu", "", 12)
    pdf.cell(0, 6, nfc(f"Số: {facts.number} · Cấp ngày {facts.issued:%d/%m/%Y} · Quét mã QR để "
                       "kiểm tra"))
    pdf.set_xy(30, 178)
    pdf.set_font("DejaVu", "", 10)
    pdf.cell(0, 6, ("Bảng kết quả" if transcript else "Chứng nhận") + " của khoá tập huấn (dữ "
             "liệu mô phỏng), không phải văn bằng nhà nước.")
    pdf.image(io.BytesIO(to_png(payload, caption=None, scale=3)), x=228, y=120, w=50)
    data = bytes(pdf.output())
    return sign_pdf(data, signer.leaf, signer.key, [signer.root],
                    reason="Cấp bảng kết quả năng lực" if transcript else "Cấp chứng nhận",
                    box=(420, 140, 640, 205),
                    when=dt.datetime.combine(facts.issued, dt.time(8)))


def verify_certificate_pdf(data: bytes, course: str | os.PathLike[str],
                           moment: dt.datetime | None = None) -> tuple[bool, str]:
    """Signature valid and chained to the course's root, and its QR facts in the registry."""
    import re

    from congdanso.world.signatures.signing import verify_pdf

    signer = course_signer(course)
    moment = moment or dt.datetime.now(dt.UTC)
    verdict = verify_pdf(data, trust_roots=[signer.root], crls=[signer.crl], moment=moment)
    if not verdict.ok:
        return False, f"{verdict.title}. {verdict.explanation}"
    if verdict.signer != ISSUER_CN:
        return False, f"Chứng nhận được ký bởi \"{verdict.signer}\", không phải ban tổ chức."
    match = re.search(rb"/Keywords \((CDS2\.[A-Za-z0-9_\-]+\.[A-Za-z0-9_\-]+)\)", data)
    if not match:
        return False, "Không tìm thấy mã kiểm tra trong chứng nhận."
    return verify_qr(match.group(1).decode("ascii"), course)


@dataclass(frozen=True)
class Issued:
    """What one learner got from ``certificate issue``, and why."""

    learner_id: str
    name: str
    kind: str | None  # CERTIFICATE, TRANSCRIPT, or None: nothing issued
    path: Path | None
    reason: str


def _reason(report, learner_id: str) -> str:
    """Why a learner gets a certificate, a transcript or nothing, in a trainer's words."""
    total = len(report.framework.competencies)
    row = report.mastered.loc[learner_id] if learner_id in report.mastered.index else None
    values = {} if row is None else {c: v for c, v in row.items()
                                     if v is not None and not (isinstance(v, float) and v != v)}
    if len(values) == total and all(values.values()):
        return f"đạt cả {total}/{total} năng lực của khoá"
    if not values:
        return f"chưa có bài nào được chấm (đã đánh giá 0/{total} năng lực)"
    good = sum(bool(v) for v in values.values())
    failed = [c for c, v in values.items() if not v]
    parts = [f"đã đánh giá {len(values)}/{total} năng lực, đạt {good}"]
    if failed:
        parts.append("chưa đạt " + ", ".join(failed))
    if len(values) < total:
        parts.append(f"còn {total - len(values)} năng lực chưa được đánh giá")
    return "; ".join(parts)


def issue(report, out_dir, issued: dt.date | None = None) -> list[Issued]:
    """A course certificate for every learner with every competency of the framework assessed
    and mastered; a transcript of the competencies measured and mastered for every other learner
    who mastered some; nothing for the rest. Each paper gets a new number in the course's
    registry. Returns one entry per learner of the report, with the reason."""
    out = Path(out_dir)
    issued = issued or dt.date.today()
    names = {cid: c.name for cid, c in report.framework.competencies.items()}
    total = len(names)
    learners = report.learners.set_index("id")
    signer = None
    done: list[Issued] = []
    for learner_id in sorted(learners.index):
        row = learners.loc[learner_id]
        name = str(row.get("name")) if isinstance(row.get("name"), str) else learner_id
        reason = _reason(report, learner_id)
        kind = CERTIFICATE if row["ready"] else TRANSCRIPT if row["transcript"] else None
        if kind is None:
            done.append(Issued(learner_id, name, None, None, reason))
            continue
        if signer is None:
            signer = course_signer(report.course, create=True)
            out.mkdir(parents=True, exist_ok=True)
        mastered = report.mastered.loc[learner_id]
        competencies = tuple(c for c, v in mastered.items() if v is not None and v == True)  # noqa: E712
        place = ", ".join(str(x) for x in (row.get("khu_pho"), row.get("ward")) if isinstance(x, str))
        facts = CertificateFacts(next_number(report.course, issued.year), learner_id, name, place,
                                 competencies, issued, kind, int(row["n_assessed"]), total)
        target = out / f"{kind}-{learner_id}.pdf"
        target.write_bytes(certificate_pdf(facts, names, signer))
        _register(report.course, facts, qr_payload(facts, signer))
        done.append(Issued(learner_id, name, kind, target, reason))
    return done
