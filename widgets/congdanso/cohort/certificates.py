"""Certificates for learners ready to help residents: PDFs signed by the training CA, with a QR
code anyone can check (`congdanso certificate verify`).

The QR holds the certificate's facts plus a deterministic ECDSA signature by the course's own key
(issued by the training root), so a phone photo of the certificate can be verified without any
server. The PDF itself is PAdES-signed by the same key: changing a name or a competency breaks it.
"""

from __future__ import annotations

import base64
import datetime as dt
import io
from dataclasses import dataclass

from congdanso.world.text import strip_diacritics

ISSUER_CN = "Ban tổ chức khoá tập huấn Công Dân Số"
PREFIX = "CDS1"
SEED = 74


@dataclass(frozen=True)
class CertificateFacts:
    number: str
    learner_id: str
    name: str
    place: str
    competencies: tuple[str, ...]
    issued: dt.date

    def payload_body(self) -> str:
        name = strip_diacritics(self.name).upper()
        return ";".join([PREFIX, self.number, self.learner_id, name, ",".join(self.competencies),
                         self.issued.strftime("%Y%m%d")])


def _issuer(seed: int = SEED):
    from cryptography import x509
    from cryptography.x509.oid import NameOID

    from congdanso.world.pki import TrainingPKI, build_cert, derive_key

    pki = TrainingPKI(seed)
    key = derive_key(seed, "course-certificates")
    name = x509.Name([x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
                      x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Tập huấn Công Dân Số"),
                      x509.NameAttribute(NameOID.COMMON_NAME, ISSUER_CN)])
    start = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    cert = build_cert(name, pki.ca.subject, key.public_key(), pki.ca_key, 50, ca=False,
                      not_before=start, not_after=start.replace(year=2036))
    return pki, cert, key


def qr_payload(facts: CertificateFacts, seed: int = SEED) -> str:
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec

    _, _, key = _issuer(seed)
    body = facts.payload_body()
    signature = key.sign(body.encode(), ec.ECDSA(hashes.SHA256(), deterministic_signing=True))
    return body + ";" + base64.urlsafe_b64encode(signature).decode().rstrip("=")


def verify_qr(payload: str, seed: int = SEED) -> tuple[bool, str]:
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec

    parts = str(payload).strip().split(";")
    if len(parts) != 7 or parts[0] != PREFIX:
        return False, "Đây không phải mã QR của chứng nhận Công Dân Số."
    body, signature = ";".join(parts[:6]), parts[6]
    try:
        raw = base64.urlsafe_b64decode(signature + "=" * (-len(signature) % 4))
        _, cert, _ = _issuer(seed)
        cert.public_key().verify(raw, body.encode(), ec.ECDSA(hashes.SHA256()))
    except (InvalidSignature, ValueError):
        return False, ("Mã QR không khớp chữ ký của ban tổ chức: chứng nhận bị sửa hoặc giả "
                       "mạo.")
    date = dt.datetime.strptime(parts[5], "%Y%m%d").strftime("%d/%m/%Y")
    return True, (f"Chứng nhận số {parts[1]} hợp lệ: {parts[3]} ({parts[2]}), năng lực "
                  f"{parts[4].replace(',', ', ')}, cấp ngày {date}.")


def certificate_pdf(facts: CertificateFacts, competency_names: dict[str, str],
                    seed: int = SEED) -> bytes:
    """The certificate: landscape A4, large print, QR code, signed by the course's key."""
    from fpdf import FPDF

    from congdanso.world.fonts import font_path
    from congdanso.world.qrimage import to_png
    from congdanso.world.signing import sign_pdf
    from congdanso.world.text import nfc

    payload = qr_payload(facts, seed)
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
    pdf.set_font("DejaVu", "B", 26)
    pdf.cell(0, 14, "GIẤY CHỨNG NHẬN", align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("DejaVu", "", 15)
    pdf.cell(0, 9, "Hoàn thành khoá tập huấn hỗ trợ người dân sử dụng dịch vụ số", align="C",
             new_x="LMARGIN", new_y="NEXT")
    pdf.ln(6)
    pdf.set_font("DejaVu", "B", 22)
    pdf.cell(0, 12, nfc(facts.name), align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("DejaVu", "", 14)
    pdf.cell(0, 8, nfc(facts.place), align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    pdf.set_x(30)
    pdf.multi_cell(170, 7, nfc("Đạt các năng lực: " + "; ".join(
        competency_names.get(c, c) for c in facts.competencies) + "."), new_x="LMARGIN",
        new_y="NEXT")
    pdf.set_xy(30, 170)
    pdf.set_font("DejaVu", "", 12)
    pdf.cell(0, 6, nfc(f"Số: {facts.number} · Cấp ngày {facts.issued:%d/%m/%Y} · Quét mã QR để "
                       "kiểm tra"))
    pdf.set_xy(30, 178)
    pdf.set_font("DejaVu", "", 10)
    pdf.cell(0, 6, "Chứng nhận của khoá tập huấn (dữ liệu mô phỏng), không phải văn bằng nhà nước.")
    pdf.image(io.BytesIO(to_png(payload, caption=None, scale=3)), x=228, y=120, w=50)
    data = bytes(pdf.output())
    pki, cert, key = _issuer(seed)
    return sign_pdf(data, cert, key, [pki.ca, pki.root], reason="Cấp chứng nhận",
                    box=(420, 140, 640, 205),
                    when=dt.datetime.combine(facts.issued, dt.time(8)))


def verify_certificate_pdf(data: bytes, seed: int = SEED,
                           moment: dt.datetime | None = None) -> tuple[bool, str]:
    """Signature valid, signed by the course's key, and its QR facts signed too."""
    import re

    from congdanso.world.pki import TrainingPKI
    from congdanso.world.signing import verify_pdf

    pki = TrainingPKI(seed)
    moment = moment or dt.datetime.now(dt.UTC)
    verdict = verify_pdf(data, trust_roots=[pki.root], crls=pki.crls(pki.epoch), moment=moment)
    if not verdict.ok:
        return False, f"{verdict.title}. {verdict.explanation}"
    if verdict.signer != ISSUER_CN:
        return False, f"Chứng nhận được ký bởi \"{verdict.signer}\", không phải ban tổ chức."
    match = re.search(rb"/Keywords \((CDS1;[^)]*)\)", data)
    if not match:
        return False, "Không tìm thấy mã kiểm tra trong chứng nhận."
    return verify_qr(match.group(1).decode("latin-1"), seed)


def issue_for_ready(report, out_dir, issued: dt.date | None = None) -> list:
    """A certificate for every learner the report says is ready; returns the files written."""
    from pathlib import Path

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    issued = issued or dt.date.today()
    names = {cid: c.name for cid, c in report.framework.competencies.items()}
    learners = report.learners.set_index("id")
    written = []
    for number, learner_id in enumerate(report.ready, start=1):
        row = learners.loc[learner_id]
        mastered = report.mastered.loc[learner_id]
        competencies = tuple(c for c, v in mastered.items() if v is not None and v == True)  # noqa: E712
        place = ", ".join(str(x) for x in (row.get("khu_pho"), row.get("ward")) if isinstance(x, str))
        facts = CertificateFacts(f"CDS-{issued.year}-{number:06d}", learner_id,
                                 str(row.get("name") or learner_id), place, competencies, issued)
        target = out / f"chung-nhan-{learner_id}.pdf"
        target.write_bytes(certificate_pdf(facts, names))
        written.append(target)
    return written
