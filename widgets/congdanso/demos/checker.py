""""Kiểm tra trước khi trả tiền / trước khi ký": read a VietQR or check a signed PDF.

A VietQR pasted as text or uploaded as a picture is read field by field (bank, account, amount,
content) and the receiver is named where the simulated banks know the account; a PDF dropped on
the page gets the same seven verdicts as ``congdanso kyso verify``. Anything else (garbage text, a
photo with no code, a Word file) gets a message in Vietnamese and the app stays as it was.

Every method mirrors a button, so tests and trainers can drive it from code:

>>> app = Checker()
>>> app.check_text("000201...")  # shows what is wrong with it
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from pathlib import Path

import ipywidgets as widgets

from congdanso.demos.style import (
    OutreachApp,
    banner,
    big_button,
    frame,
    message,
    rows_table,
    side_by_side,
    uploaded_file,
)
from congdanso.ui.base import esc, html
from congdanso.world.core.errors import DomainError

MAX_UPLOAD = 20 * 1024 * 1024
SEED = 74


@lru_cache(maxsize=1)
def _world():
    """The simulated banks whose accounts a training code can name (billers, the fee platform)."""
    from congdanso.world import World

    return World(seed=SEED)


@lru_cache(maxsize=1)
def sample_kit() -> Path:
    """The trainer's demo kit (one PDF per verdict and the CA's revocation list), made once."""
    from congdanso.world.signatures.demokit import CRL_NAME, KIT, build_demo_kit
    from congdanso.world.signatures.fonts import _cache_dir

    folder = _cache_dir() / f"bo-mau-ky-so-{SEED}"
    if not all((folder / name).exists() for name, _, _ in KIT) or \
            not (folder / CRL_NAME).exists():
        build_demo_kit(folder)
    return folder


@lru_cache(maxsize=1)
def _trust() -> tuple:
    """The training CA's root and revocation lists (the kit's), read once per kernel."""
    from cryptography import x509

    from congdanso.world.signatures.demokit import CRL_NAME
    from congdanso.world.signatures.pki import TrainingPKI

    pki = TrainingPKI(SEED)
    crl = x509.load_der_x509_crl((sample_kit() / CRL_NAME).read_bytes())
    return pki.root, pki.with_fresh_crls([crl])


def verify(data: bytes):
    """The verdict on a file, checked against the training CA and the kit's revocation list."""
    from congdanso.world.signatures.signing import verify_pdf

    root, crls = _trust()
    return verify_pdf(data, trust_roots=[root], crls=crls, moment=dt.datetime.now(dt.UTC))


def _never_stuck(result: str):
    """Whatever goes wrong while checking ends in a Vietnamese message on the page (never a
    "Đang kiểm tra…" that stays), and the app keeps working."""
    import functools

    def wrap(method):
        @functools.wraps(method)
        def checked(self, *args, **kwargs):
            try:
                return method(self, *args, **kwargs)
            except Exception as exc:
                getattr(self, result).value = message(
                    "Không kiểm tra được tệp hoặc mã này (lỗi "
                    f"{type(exc).__name__}). Tệp có thể bị hỏng: hãy xin tệp gốc hoặc chụp lại "
                    "ảnh rồi thử lại.", "error")
                return False
        return checked
    return wrap


def _when(stamp: str) -> str:
    """An ISO time as a resident reads it: 08:30 ngày 02/03/2026 (giờ Việt Nam)."""
    from congdanso.world.core.clock import vietnam_time

    try:
        return vietnam_time(dt.datetime.fromisoformat(stamp))
    except ValueError:
        return stamp


class Checker(OutreachApp):
    def __init__(self):
        # -- VietQR
        self.qr_text = widgets.Textarea(
            description="Dán nội dung mã QR (chuỗi bắt đầu bằng 000201)",
            placeholder="000201010212…", layout=widgets.Layout(width="100%"),
            style={"description_width": "initial"})
        self.qr_text.add_class("cdsd-qr-text")
        self.qr_image = widgets.FileUpload(accept="image/*", multiple=False,
                                           description="Tải ảnh mã QR lên",
                                           layout=widgets.Layout(width="auto"))
        self.qr_image.observe(self._on_qr_image, "value")
        self.qr_result = html()
        self.qr_result.add_class("cdsd-qr-result")
        qr_samples = side_by_side([
            big_button("Mẫu: hoá đơn điện", lambda: self.load_sample("dien")),
            big_button("Mẫu: mã ngân hàng thật", lambda: self.load_sample("that")),
            big_button("Mẫu: mã bị sửa", lambda: self.load_sample("hong")),
        ])
        qr_tab = widgets.VBox([
            html(message("Mã QR tập huấn không chuyển được tiền thật. Ứng dụng này chỉ "
                                 "đọc mã, không gửi đi đâu.", "note")),
            self.qr_text,
            side_by_side([big_button("Kiểm tra mã", self._check_typed, style="primary"),
                          self.qr_image]),
            html("<b>Hoặc thử một mã mẫu:</b>"), qr_samples, self.qr_result])
        # -- PDF
        self.pdf_file = widgets.FileUpload(accept=".pdf,application/pdf", multiple=False,
                                           description="Chọn tệp PDF cần kiểm tra",
                                           layout=widgets.Layout(width="auto"))
        self.pdf_file.observe(self._on_pdf, "value")
        self.pdf_result = html()
        self.pdf_result.add_class("cdsd-pdf-result")
        from congdanso.world.signatures.demokit import KIT

        self.samples = widgets.Dropdown(
            description="Hoặc chọn tài liệu mẫu",
            options=[(f"{name} — {story}", name) for name, _, story in KIT],
            style={"description_width": "initial"}, layout=widgets.Layout(width="70%"))
        pdf_tab = widgets.VBox([
            html(message("Chỉ chữ ký số mới kiểm tra được; hình chữ ký hay con dấu chụp "
                                 "dán vào không phải chữ ký số.", "note")),
            self.pdf_file,
            side_by_side([self.samples, big_button("Kiểm tra tài liệu mẫu",
                                                   self._check_sample_pdf)]),
            self.pdf_result])
        self.tabs = widgets.Tab(children=[qr_tab, pdf_tab],
                                titles=("Trước khi trả tiền: mã QR", "Trước khi ký: tệp PDF"))
        self.widget = frame([banner("Kiểm tra trước khi trả tiền / trước khi ký",
                                    "Đọc mã VietQR hoặc kiểm tra chữ ký số của tệp PDF"),
                             self.tabs], name="checker")

    # -- VietQR --------------------------------------------------------------------------------
    def _check_typed(self) -> None:
        self.check_text(self.qr_text.value)

    @_never_stuck("qr_result")
    def check_text(self, text: str) -> bool:
        """Read a VietQR payload and show what a helper reads out; False (and why) if broken."""
        from congdanso.world.money.vietqr import decode

        text = (text or "").strip()
        if text != self.qr_text.value:
            self.qr_text.value = text
        if not text:
            self.qr_result.value = message("Chưa có nội dung: dán chuỗi của mã QR vào ô trên, "
                                           "hoặc tải ảnh mã QR lên.", "error")
            return False
        try:
            qr = decode(text)
        except DomainError as exc:
            self.qr_result.value = message(
                f"{exc.message} Đây không phải mã VietQR hợp lệ — đừng trả tiền bằng mã này; "
                "xin người nhận mã khác hoặc số tài khoản.", "error")
            return False
        rows = list(qr.explain())
        receiver = self._receiver(qr)
        self.qr_result.value = (
            "<h3>Mã này chuyển tiền đến</h3>" + rows_table(rows) + receiver
            + '<div class="cdsd-card"><b>Trước khi bấm chuyển, đọc to và hỏi lại:</b><ol>'
              "<li>Tên người nhận mà ứng dụng ngân hàng hiện có đúng người/đơn vị mình định trả?"
              "</li><li>Số tiền có đúng không?</li><li>Nội dung có ghi đúng hoá đơn, hồ sơ?</li>"
              "</ol></div>")
        return True

    def _receiver(self, qr) -> str:
        named = f"Mã ghi tên điểm bán: {qr.merchant_name}." if qr.merchant_name else ""
        if qr.is_training:
            account = _world().bank.account(qr.bank_bin, qr.account)
            if account is None:
                return message(f"{named} Ngân hàng mô phỏng không có tài khoản {qr.account}: "
                               "không chuyển được. Hỏi lại người nhận.", "warn")
            return message(f"Tên người nhận (ngân hàng mô phỏng): {account.holder}", "ok")
        return message(
            f"{named} Mã QR không chứa tên chủ tài khoản. Khi quét bằng ứng dụng ngân hàng, "
            "ứng dụng hiện tên người nhận: đọc to, so với người hoặc đơn vị mình định trả. "
            "Tên lạ, tên cá nhân thay cho tên cơ quan → dừng lại, gọi hỏi.", "warn")

    @_never_stuck("qr_result")
    def check_image(self, data: bytes) -> bool:
        from congdanso.world.money.qrimage import read_image

        if len(data) > MAX_UPLOAD:
            self.qr_result.value = message("Ảnh quá lớn (trên 20 MB). Hãy chụp lại hoặc thu nhỏ "
                                           "ảnh rồi tải lên.", "error")
            return False
        try:
            text = read_image(data)
        except DomainError as exc:
            self.qr_result.value = message(exc.message, "error")
            return False
        return self.check_text(text)

    def _on_qr_image(self, change) -> None:
        upload = uploaded_file(change["new"])
        if upload is not None:
            self.check_image(upload[1])

    def sample_payload(self, kind: str) -> str:
        from congdanso.world.money.vietqr import VietQR, encode

        world = _world()
        if kind == "dien":
            household = world.population.household_of(world.population.practice_residents()[0])
            bill = next(b for b in world.bills.of_household(household.id) if b.service == "dien")
            return world.bank.bill_qr(bill)
        if kind == "that":  # a real bank's BIN: the app reads it but it cannot move money here
            return encode(VietQR("970436", "0071000123456", additional={"08": "CHUYEN TIEN"}))
        # a code whose figures were changed after it was made: its checksum no longer matches
        good = self.sample_payload("dien")
        at = next(i for i in range(len(good) // 2, len(good)) if good[i].isdigit())
        return good[:at] + str((int(good[at]) + 1) % 10) + good[at + 1:]

    def load_sample(self, kind: str) -> bool:
        self.qr_text.value = self.sample_payload(kind)
        return self.check_text(self.qr_text.value)

    # -- PDF -----------------------------------------------------------------------------------
    @_never_stuck("pdf_result")
    def check_pdf(self, name: str, data: bytes) -> bool:
        """Verify a file's signature and show the verdict; True when the signature is valid."""
        if len(data) > MAX_UPLOAD:
            self.pdf_result.value = message("Tệp quá lớn (trên 20 MB) để kiểm tra ở đây.",
                                            "error")
            return False
        if not data.lstrip()[:5].startswith(b"%PDF-"):
            self.pdf_result.value = message(
                f"Tệp \"{name}\" không phải PDF (có thể là ảnh, tệp Word hoặc tệp bị đổi đuôi). "
                "Chỉ tệp PDF mới có chữ ký số để kiểm tra: xin người gửi tệp PDF gốc.", "error")
            return False
        self.pdf_result.value = message("Đang kiểm tra chữ ký…", "note")
        verdict = verify(data)
        rows = [("Tệp", name)]
        if verdict.signer:
            rows.append(("Người ký", verdict.signer + (f" (số định danh {verdict.signer_id})"
                                                       if verdict.signer_id else "")))
        if verdict.issuer:
            rows.append(("Tổ chức cấp chứng thư", verdict.issuer))
        if verdict.signed_at:
            rows.append(("Thời điểm ký", _when(verdict.signed_at)))
        head = (f'<div class="cdsd-ok cdsd-big" role="status">✔ {esc(verdict.title)}</div>'
                if verdict.ok else
                f'<div class="cdsd-error cdsd-big" role="alert">✘ {esc(verdict.title)}</div>')
        advice = ("Có thể ký tiếp hoặc nộp tài liệu này." if verdict.ok else
                  "Không ký tiếp và không dùng tài liệu này; liên hệ người gửi để có bản đúng.")
        self.pdf_result.value = (head + f"<p>{esc(verdict.explanation)}</p>" + rows_table(rows)
                                 + message(advice, "ok" if verdict.ok else "warn"))
        return verdict.ok

    def _on_pdf(self, change) -> None:
        upload = uploaded_file(change["new"])
        if upload is not None:
            self.check_pdf(*upload)

    def _check_sample_pdf(self) -> None:
        name = self.samples.value
        self.check_pdf(name, (sample_kit() / name).read_bytes())
