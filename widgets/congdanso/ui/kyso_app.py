"""The remote-signing app (ký số từ xa) and a verifier where a learner drops a PDF."""

from __future__ import annotations

import ipywidgets as widgets

from congdanso.ui.base import FULL, AppView, Field, button, esc, html, vbox

STATES = {"hop_dong": "chưa ký", "to_khai": "chưa ký", "tai_len": "tải lên", "da_ky": "đã ký",
          "bi_sua": "đã bị sửa"}


def document_choices(docs) -> list[tuple[str, str]]:
    """Dropdown labels that tell documents apart: state, and a number when names repeat."""
    seen: dict[str, int] = {}
    choices = []
    for doc in docs:
        seen[doc.name] = seen.get(doc.name, 0) + 1
        number = f" — bản {seen[doc.name]}" if sum(d.name == doc.name for d in docs) > 1 else ""
        state = "đã ký" if doc.signed_by else STATES.get(doc.kind, "chưa ký")
        choices.append((f"{doc.name}{number} ({state})", doc.id))
    return choices


class KysoApp(AppView):
    title = "Ký số từ xa"

    def __init__(self, phone):
        super().__init__(phone)
        self.request = None
        self.last_signed = None
        self.f_present = Field("Người dân có mặt, mang thẻ căn cước bản gốc", kind="check")
        self.f_otp = Field("Mã kích hoạt (trong tin nhắn)")
        self.f_pin = Field("Đặt mã PIN ký số (6 số)", kind="password")
        self.f_pin2 = Field("Nhập lại mã PIN", kind="password")
        self.screens["start"] = vbox([
            html("<p>Đăng ký chứng thư chữ ký số cá nhân (tập huấn). Cần tài khoản VNeID mức 2 "
                         "đã đăng nhập trên điện thoại, hoặc thẻ căn cước tại điểm đăng ký.</p>"),
            button("Đăng ký bằng VNeID mức 2", self._click_request_vneid, primary=True),
            self.f_present.box, button("Đăng ký bằng thẻ căn cước", self._click_request_cccd),
            html("<hr>"), self.f_otp.box, self.f_pin.box, self.f_pin2.box,
            button("Kích hoạt ứng dụng ký số", self._click_activate)])
        self.doc_list = vbox()
        self.f_doc = Field("Tài liệu", kind="choice", options=[])
        self.f_doc.input.observe(lambda change: self._forget_verdict(), names="value")
        self.f_sign_pin = Field("Mã PIN để xác nhận ký", kind="password")
        self.upload = widgets.FileUpload(accept=".pdf", multiple=False,
                                         description="Tải PDF lên", layout=FULL)
        self.verdict = html()
        self.verify_upload = widgets.FileUpload(accept=".pdf,application/pdf,*", multiple=False,
                                                description="Chọn tệp để kiểm tra", layout=FULL)
        self.screens["home"] = vbox([
            button("Tạo hợp đồng lao động mẫu", self._click_new_contract),
            self.upload, button("Dùng tệp vừa chọn", self._click_upload),
            self.f_doc.box,
            button("Đặt chữ ký (trang 1, góc dưới phải)", self._click_place, primary=True),
            self.f_sign_pin.box, button("Xác nhận ký bằng mã PIN", self._click_confirm),
            html("<hr><b>Kiểm tra chữ ký của một tài liệu</b>"),
            button("Kiểm tra tài liệu đang chọn", self._click_verify_selected),
            self.verify_upload, button("Kiểm tra tệp vừa chọn", self._click_verify_upload),
            self.verdict])
        self.show("home" if self._account() else "start")

    def _account(self):
        return self.world.kyso.accounts.get(self.person.id_number)

    # -- methods ------------------------------------------------------------------------------
    def request_with_vneid(self):
        return self._click_request_vneid()

    def request_with_id_card(self, present: bool = True):
        self.f_present.value = present
        return self._click_request_cccd()

    def activate(self, otp: str, pin: str, confirm: str | None = None):
        self.f_otp.value, self.f_pin.value = otp, pin
        self.f_pin2.value = pin if confirm is None else confirm
        return self._click_activate()

    def new_contract(self):
        return self._click_new_contract()

    def upload_file(self, name: str, content: bytes):
        """What dropping a file on the upload button does."""
        return self._use_upload(name, content)

    def place_signature(self, document_id: str | None = None):
        if document_id is not None:
            self._refresh_docs(document_id)
        return self._click_place()

    def confirm(self, pin: str):
        self.f_sign_pin.value = pin
        return self._click_confirm()

    def verify(self, document_id: str | None = None):
        if document_id is not None:
            self._refresh_docs(document_id)
        return self._click_verify_selected()

    def verify_file(self, name: str, content: bytes):
        return self._verify_bytes(name, content)

    # -- buttons ------------------------------------------------------------------------------
    def _click_request_vneid(self):
        session = self.phone.vneid_session
        token = session.token if session is not None else ""
        issued = self.attempt(lambda: self.world.kyso.request_certificate(
            self.person.id_number, "vneid", token))
        if issued is not None:
            self.say("Đã cấp chứng thư chữ ký số tập huấn. Nhập mã kích hoạt trong tin nhắn và đặt mã "
                     "PIN.", ok=True)
        return issued

    def _click_request_cccd(self):
        issued = self.attempt(lambda: self.world.kyso.request_certificate(
            self.person.id_number, "cccd", present=bool(self.f_present.value)))
        if issued is not None:
            self.say("Đã cấp chứng thư chữ ký số tập huấn. Nhập mã kích hoạt và đặt mã PIN.", ok=True)
        return issued

    def _click_activate(self):
        account = self.attempt(lambda: self.world.kyso.activate(
            self.person.id_number, self.f_otp.value, self.f_pin.value, self.f_pin2.value),
            {"otp": self.f_otp, "passcode": self.f_pin, "confirm": self.f_pin2})
        if account is not None:
            self._refresh_docs()
            self.show("home")
            self.say("Ứng dụng ký số đã sẵn sàng.", ok=True)
        return account

    def _refresh_docs(self, select: str | None = None):
        docs = [d for d in self.world.kyso.documents.values()
                if d.owner_id == self.person.id_number]
        self.f_doc.input.options = document_choices(docs)
        if select is not None:
            self.f_doc.value = select

    def _click_new_contract(self):
        doc = self.attempt(lambda: self.world.kyso.new_document(self.person.id_number, "hop_dong"))
        if doc is not None:
            self._refresh_docs(doc.id)
            self._forget_verdict()
            self.say(f"Đã tạo {doc.name}.", ok=True)
        return doc

    def _click_upload(self):
        if not self.upload.value:
            self.say("Hãy bấm \"Tải PDF lên\" và chọn một tệp trước.", error=True)
            return None
        item = self.upload.value[0]
        return self._use_upload(item["name"], bytes(item["content"]))

    def _use_upload(self, name: str, content: bytes):
        import tempfile
        from pathlib import Path

        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / Path(name).name
            path.write_bytes(content)
            doc = self.attempt(lambda: self.world.kyso.upload(self.person.id_number, path))
        if doc is not None:
            self._refresh_docs(doc.id)
            self._forget_verdict()
            self.say(f"Đã tải lên {doc.name}.", ok=True)
        return doc

    def _click_place(self):
        document_id = self.f_doc.value or ""
        request = self.attempt(lambda: self.world.kyso.start_signing(self.person.id_number,
                                                                     document_id))
        if request is not None:
            self.request = request
            self.say("Đã đặt chữ ký. Nhập mã PIN để xác nhận ký.")
        return request

    def _click_confirm(self):
        if self.request is None:
            self.say("Hãy đặt chữ ký lên tài liệu trước.", error=True)
            return None
        signed = self.attempt(lambda: self.world.kyso.confirm_signing(
            self.request.id, self.f_sign_pin.value), {"pin": self.f_sign_pin})
        if signed is not None:
            self.request = None
            self.last_signed = signed
            self._refresh_docs(signed["id"])
            self._forget_verdict()
            self.say(f"Đã ký số: {signed['name']}.", ok=True)
        return signed

    def _forget_verdict(self, change=None) -> None:
        """A verdict belongs to one document: another document, or a new one, clears it."""
        self.verdict.value = ""

    def _show_verdict(self, result: dict):
        mark = "✔" if result["code"] == "hop_le" else "✘"
        from congdanso.world.signatures.signing import VERDICTS

        title, explanation = VERDICTS[result["code"]]
        who = f"<br>Người ký: {esc(result['signer'])}" if result.get("signer") else ""
        self.verdict.value = (f'<div class="cds-card" role="status"><b>{mark} {esc(title)}</b>'
                              f"<br>{esc(explanation)}{who}</div>")

    def _click_verify_selected(self):
        document_id = self.f_doc.value or ""
        result = self.attempt(lambda: self.world.kyso.verify(document_id))
        if result is not None:
            self._show_verdict(result)
        return result

    def _click_verify_upload(self):
        if not self.verify_upload.value:
            self.say("Hãy chọn một tệp để kiểm tra.", error=True)
            return None
        item = self.verify_upload.value[0]
        return self._verify_bytes(item["name"], bytes(item["content"]))

    def _verify_bytes(self, name: str, content: bytes):
        """A dropped file is checked as it is — even if it is not a PDF (that is a verdict)."""
        result = self.attempt(lambda: self.world.kyso.check_file(name, content))
        if result is not None:
            self._show_verdict(result)
        return result
