"""PAdES signing and verification of PDFs with pyHanko, usable inside a running Jupyter kernel.

pyHanko's synchronous helpers call ``asyncio.run``, which fails in a kernel or widget callback
(an event loop is already running there). ``run_sync`` runs the async API directly when no loop
is running and in a worker thread with its own loop when one is.

``verify_pdf`` turns pyHanko's findings into one of seven verdicts a volunteer can explain:
valid; changed after signing; certificate expired; certificate revoked; issuer not trusted; not
signed; not a PDF / damaged.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import datetime as dt
import io
import logging
from collections.abc import Coroutine
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, TypeVar

from cryptography import x509
from cryptography.hazmat.primitives import serialization

from congdanso.world.dossiers.documents import SIGNATURE_BOX

T = TypeVar("T")
_POOL: concurrent.futures.ThreadPoolExecutor | None = None

# pyHanko and fontTools log every failed check with a traceback; verdicts are reported here.
for _name in ("pyhanko", "pyhanko_certvalidator", "fontTools"):
    logging.getLogger(_name).setLevel(logging.CRITICAL)


def run_sync(coro: Coroutine[Any, Any, T]) -> T:
    """Run a coroutine to completion from sync code, even inside a running event loop."""
    global _POOL
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coro)
    if _POOL is None:
        _POOL = concurrent.futures.ThreadPoolExecutor(
            max_workers=1, thread_name_prefix="congdanso-kyso"
        )
    return _POOL.submit(asyncio.run, coro).result()


VERDICTS = {
    "hop_le": (
        "Chữ ký hợp lệ",
        "Tài liệu còn nguyên như lúc ký, chứng thư chữ ký số còn hiệu lực, chưa bị thu hồi và do "
        "tổ chức cung cấp dịch vụ được tin cậy cấp.",
    ),
    "bi_sua": (
        "Tài liệu đã bị sửa sau khi ký",
        "Nội dung hiện tại khác với nội dung đã được ký. Không dùng bản này; hãy xin lại "
        "bản gốc từ người ký.",
    ),
    "het_han": (
        "Chứng thư chữ ký số đã hết hạn",
        "Chứng thư chữ ký số của người ký đã hết hiệu lực tại thời điểm kiểm tra và không có dấu "
        "thời gian chứng minh đã ký trước đó. Người ký cần gia hạn chứng thư và ký lại.",
    ),
    "bi_thu_hoi": (
        "Chứng thư chữ ký số đã bị thu hồi",
        "Tổ chức cấp đã thu hồi chứng thư này (ví dụ bị lộ hoặc mất). Chữ ký không còn "
        "giá trị; liên hệ người ký.",
    ),
    "tam_dung": (
        "Chứng thư chữ ký số đang bị tạm dừng",
        "Tổ chức cấp đã tạm dừng chứng thư này (ví dụ khi nghi bị lộ mã PIN; Nghị định "
        "23/2025/NĐ-CP). Trong thời gian tạm dừng, chữ ký không có giá trị: người ký liên hệ "
        "tổ chức cấp để khôi phục chứng thư rồi ký lại.",
    ),
    "khong_tin_cay": (
        "Tổ chức cấp chứng thư không được tin cậy",
        "Chứng thư không do tổ chức cung cấp dịch vụ chữ ký số được cấp phép phát "
        "hành (có thể là chứng thư tự tạo của kẻ gian). Không tin chữ ký này.",
    ),
    "chua_ky": (
        "Tài liệu chưa được ký số",
        "Tệp PDF này không có chữ ký số nào. Hình chữ ký hay con dấu chụp dán vào không "
        "phải chữ ký số.",
    ),
    "hong": (
        "Không phải PDF hoặc tệp bị hỏng",
        "Không đọc được tệp như một tài liệu PDF. Hãy xin lại tệp gốc (đuôi .pdf) từ người gửi.",
    ),
}


@dataclass
class Verdict:
    code: str
    signer: str | None = None
    signer_id: str | None = None
    issuer: str | None = None
    signed_at: str | None = None
    details: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.code == "hop_le"

    @property
    def title(self) -> str:
        return VERDICTS[self.code][0]

    @property
    def explanation(self) -> str:
        return VERDICTS[self.code][1]

    def record(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "title": self.title,
            "signer": self.signer,
            "signer_id": self.signer_id,
            "issuer": self.issuer,
        }


@lru_cache(maxsize=256)
def _asn1(cert: x509.Certificate):
    from asn1crypto import x509 as asn1_x509

    return asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER))


@lru_cache(maxsize=64)
def _signer(cert: x509.Certificate, key, chain: tuple[x509.Certificate, ...]):
    """pyHanko's signer for a certificate, made once: parsing keys and chains is not free."""
    from asn1crypto import keys as asn1_keys
    from pyhanko.sign import signers
    from pyhanko_certvalidator.registry import SimpleCertificateStore

    key_info = asn1_keys.PrivateKeyInfo.load(
        key.private_bytes(
            serialization.Encoding.DER,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return signers.SimpleSigner(
        signing_cert=_asn1(cert),
        signing_key=key_info,
        cert_registry=SimpleCertificateStore.from_certs([_asn1(c) for c in chain]),
    )


async def async_sign_pdf(
    data: bytes,
    cert: x509.Certificate,
    key,
    chain: list[x509.Certificate],
    *,
    field_name: str = "ChuKySo1",
    reason: str = "Ký số",
    box: tuple[int, int, int, int] = SIGNATURE_BOX,
    when: dt.datetime | None = None,
) -> bytes:
    """Sign a PDF as PAdES with a visible stamp in Vietnamese (an incremental update)."""
    from pyhanko import stamp
    from pyhanko.pdf_utils.font.opentype import GlyphAccumulatorFactory
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.pdf_utils.text import TextBoxStyle
    from pyhanko.sign import fields, signers

    from congdanso.world.signatures.fonts import stamp_font_path

    # The glyph engine and the text box must use the same size, or lines drift (pyHanko #733).
    size = 11
    style = stamp.TextStampStyle(
        stamp_text="Ký số bởi: %(signer)s\nNgày ký: %(ngay)s\n(chữ ký số tập huấn)",
        text_box_style=TextBoxStyle(
            font=GlyphAccumulatorFactory(str(stamp_font_path()), font_size=size),
            font_size=size),
        border_width=1)
    writer = IncrementalPdfFileWriter(io.BytesIO(data), strict=False)
    meta = signers.PdfSignatureMetadata(
        field_name=field_name,
        reason=reason,
        subfilter=fields.SigSeedSubFilter.PADES,
        md_algorithm="sha256",
    )
    pdf_signer = signers.PdfSigner(
        meta,
        _signer(cert, key, tuple(chain)),
        stamp_style=style,
        new_field_spec=fields.SigFieldSpec(field_name, on_page=0, box=box),
    )
    shown = (when or dt.datetime.now()).strftime("%d/%m/%Y %H:%M")
    output = await pdf_signer.async_sign_pdf(writer, appearance_text_params={"ngay": shown})
    return output.getvalue()


def sign_pdf(
    data: bytes, cert: x509.Certificate, key, chain: list[x509.Certificate], **kwargs: Any
) -> bytes:
    return run_sync(async_sign_pdf(data, cert, key, chain, **kwargs))


def _subject_parts(cert) -> tuple[str | None, str | None]:
    native = cert.subject.native
    uid = native.get("user_id")
    return native.get("common_name"), (uid.removeprefix("CCCD:") if isinstance(uid, str) else None)


async def async_verify_pdf(
    data: bytes,
    *,
    trust_roots: list[x509.Certificate],
    crls: list[x509.CertificateRevocationList],
    moment: dt.datetime,
) -> Verdict:
    from pyhanko.pdf_utils.misc import PdfReadError
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import async_validate_pdf_signature
    from pyhanko.sign.validation.errors import SignatureValidationError
    from pyhanko_certvalidator import ValidationContext

    if not data.lstrip()[:5].startswith(b"%PDF-"):
        return Verdict("hong", details=["Tệp không bắt đầu bằng %PDF-."])
    try:
        reader = PdfFileReader(io.BytesIO(data), strict=False)
        signatures = reader.embedded_signatures
    except (PdfReadError, ValueError, KeyError, IndexError, TypeError) as exc:
        return Verdict("hong", details=[f"Lỗi đọc PDF: {type(exc).__name__}"])
    if not signatures:
        return Verdict("chua_ky")
    context = ValidationContext(
        trust_roots=[_asn1(c) for c in trust_roots],
        crls=[c.public_bytes(serialization.Encoding.DER) for c in crls],
        allow_fetching=False,
        moment=moment.astimezone(dt.UTC),
        revocation_mode="require",
    )
    embedded = signatures[-1]
    try:
        signer, signer_id = _subject_parts(embedded.signer_cert)
        issuer = embedded.signer_cert.issuer.native.get("common_name")
    except Exception as exc:  # a damaged signature field: nothing to check against
        return Verdict("hong", details=[f"Chữ ký trong tệp bị hỏng: {type(exc).__name__}"])
    try:
        status = await async_validate_pdf_signature(embedded, context)
    except (SignatureValidationError, ValueError, KeyError) as exc:
        return Verdict(
            "bi_sua",
            signer,
            signer_id,
            issuer,
            details=[f"Không kiểm tra được chữ ký: {type(exc).__name__}"],
        )
    except Exception as exc:  # PdfReadError and the like: a field of the signature is damaged
        return Verdict(
            "hong",
            signer,
            signer_id,
            issuer,
            details=[f"Một trường của chữ ký (ví dụ ngày ký) bị hỏng: {type(exc).__name__}"],
        )
    verdict = Verdict(
        "hop_le",
        signer,
        signer_id,
        issuer,
        signed_at=status.signer_reported_dt.astimezone(dt.UTC).isoformat()
        if status.signer_reported_dt
        else None,
    )
    from pyhanko.sign.validation.status import SignatureCoverageLevel

    changed = (
        not status.intact
        or not status.valid
        or (status.coverage != SignatureCoverageLevel.ENTIRE_FILE and not status.docmdp_ok)
    )
    indication = getattr(status.trust_problem_indic, "name", "") or ""
    if changed:
        verdict.code = "bi_sua"
    elif status.revoked or indication.startswith("REVOKED"):
        verdict.code = "tam_dung" if _on_hold(embedded.signer_cert, crls) else "bi_thu_hoi"
    elif indication.startswith(("OUT_OF_BOUNDS", "EXPIRED")):
        verdict.code = "het_han"
    elif not status.trusted:
        verdict.code = "khong_tin_cay"
    if indication:
        verdict.details.append(f"pyHanko: {indication}")
    return verdict


def _on_hold(signer_cert, crls: list[x509.CertificateRevocationList]) -> bool:
    """Whether the signer's certificate is listed as "certificate hold" (suspended)."""
    serial = signer_cert.serial_number
    for crl in crls:
        entry = crl.get_revoked_certificate_by_serial_number(serial)
        if entry is None:
            continue
        try:
            reason = entry.extensions.get_extension_for_class(x509.CRLReason).value.reason
        except x509.ExtensionNotFound:
            continue
        if reason == x509.ReasonFlags.certificate_hold:
            return True
    return False


def verify_pdf(data: bytes, **kwargs: Any) -> Verdict:
    return run_sync(async_verify_pdf(data, **kwargs))


def changed_copy(original: bytes, altered: bytes, signed: bytes) -> bytes:
    """A signed document whose signed content was changed afterwards (e.g. the salary).

    ``original`` and ``altered`` are two renderings of the same document with one figure
    different and the same length; the signed file is ``original`` plus pyHanko's incremental
    update, so splicing in ``altered`` changes bytes the signature covers.
    """
    if len(original) != len(altered) or not signed.startswith(original):
        raise ValueError("the altered rendering must keep the original's length")
    return altered + signed[len(original) :]
