"""The public-service portal as a browser page on the phone: log in (VNeID QR or the legacy
registration), search procedures, see pre-filled data, submit, pay fees, look up, download."""

from __future__ import annotations

import ipywidgets as widgets

from congdanso.ui.base import AppView, Field, button, esc, html, picture, table, vbox
from congdanso.world.core.errors import StateError
from congdanso.world.dossiers.procedures import CATALOGUE

# Practice files a learner can attach: the "camera roll" of the phone.
GALLERY = {
    "giay-chung-sinh.jpg (rõ nét)": ("giay_chung_sinh", "giay-chung-sinh.jpg", "ro"),
    "giay-chung-sinh-mo.jpg (bị mờ)": ("giay_chung_sinh", "giay-chung-sinh-mo.jpg", "mo"),
    "giay-bao-tu.pdf": ("giay_bao_tu", "giay-bao-tu.pdf", "ro"),
    "hop-dong-thue-nha.pdf": ("hop_dong_thue", "hop-dong-thue-nha.pdf", "ro"),
    "so-hong-nha-o.jpg": ("cho_o_hop_phap", "so-hong-nha-o.jpg", "ro"),
    "ban-chup-bang-tot-nghiep.jpg": ("ban_chup", "ban-chup-bang-tot-nghiep.jpg", "ro"),
}
# What a picker shows before the learner chooses: nothing is chosen for them.
CHOOSE_FILE = "— chọn tệp —"


def captcha_png(text: str) -> bytes:
    """The CAPTCHA picture: the characters drawn large with light noise (readable, not easy)."""
    import io
    import random

    from PIL import Image, ImageDraw, ImageFont

    from congdanso.world.signatures.fonts import font_path

    rng = random.Random(text)
    image = Image.new("L", (220, 70), 245)
    draw = ImageDraw.Draw(image)
    for _ in range(6):
        draw.line([(rng.randrange(220), rng.randrange(70)), (rng.randrange(220), rng.randrange(70))],
                  fill=170, width=2)
    font = ImageFont.truetype(str(font_path(bold=True)), 40)
    for i, ch in enumerate(text):
        draw.text((14 + i * 40, 10 + rng.randrange(-5, 6)), ch, fill=20, font=font)
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


RESULT_LABELS = {"title": "Kết quả", "dossier": "Mã hồ sơ", "issued_by": "Cơ quan cấp",
                 "issued_at": "Thời điểm cấp", "note": "Ghi chú"}


def result_rows(document: dict) -> list[tuple[str, object]]:
    """A dossier's result as a resident reads it: Vietnamese labels, not the world's keys."""
    return [(RESULT_LABELS.get(key, key), value) for key, value in document.items()]


class PortalApp(AppView):
    title = "Cổng Dịch vụ công quốc gia"

    def __init__(self, phone):
        super().__init__(phone)
        self.session = None
        self.qr = None
        self.registration = None
        self.captcha = None
        self.procedure = None
        # login
        self.qr_image = widgets.HTML(layout=widgets.Layout(width="auto"))
        self.qr_image.layout.display = "none"
        self.qr_help = html()
        self.f_pw_id = Field("Số định danh cá nhân")
        self.f_pw_pw = Field("Mật khẩu", kind="password")
        self.screens["login"] = vbox([
            html('<p class="cds-note">Địa chỉ thật: <b>dichvucong.gov.vn</b>. Cẩn thận '
                         'trang giả có tên gần giống.</p>'),
            button("Đăng nhập bằng tài khoản định danh điện tử (VNeID)", self._click_vneid_login,
                   primary=True),
            self.qr_image, self.qr_help,
            button("Tôi đã xác nhận trên VNeID", self._click_finish_vneid),
            html("<hr><p>Tài khoản cũ (đăng ký trước 1/7/2024):</p>"),
            self.f_pw_id.box, self.f_pw_pw.box,
            button("Đăng nhập bằng mật khẩu", self._click_password_login),
            button("Đăng ký tài khoản (cách cũ)", self._open_register)])
        # home: search + my dossiers + look-up
        self.who = html()
        self.f_search = Field("Tìm thủ tục", placeholder="ví dụ: khai sinh, tạm trú")
        self.results = vbox()
        self.f_lookup = Field("Tra cứu hồ sơ theo mã")
        self.lookup_view = html()
        self.dossier_list = vbox()
        self._supplement_fields: dict[str, Field] = {}
        self.notes = html()
        self.screens["home"] = vbox([
            self.who, self.f_search.box, button("Tìm", self._click_search), self.results,
            html("<hr><b>Quản lý hồ sơ</b>"), self.dossier_list,
            html("<hr>"), self.f_lookup.box, button("Tra cứu", self._click_lookup),
            self.lookup_view, html("<hr><b>Thông báo</b>"), self.notes,
            button("Đăng xuất", self._click_logout)])
        # dossier form
        self.form_head = html()
        self.prefilled = html()
        self.f_confirm = Field("Tôi xác nhận thông tin lấy từ Cơ sở dữ liệu dân cư ở trên là đúng",
                               kind="check")
        self.extra = vbox()
        self.f_attach = Field("Đính kèm giấy tờ (chọn trong thư viện ảnh)", kind="choice",
                              options=["(không đính kèm)", *GALLERY])
        self.attached: list[dict] = []
        self.attached_view = html()
        self.f_delivery = Field("Nhận kết quả", kind="choice",
                                options=["Trực tuyến", "Qua bưu điện tại nhà"])
        self.attach_error = html()
        # A refused "Nộp hồ sơ" is said here, right under the button just pressed, and focus
        # moves to it: the box it names may be a screen or two above (the confirmation tick).
        self.submit_error = html()
        self.screens["form"] = vbox([
            self.form_head, self.prefilled, self.f_confirm.box, self.extra,
            self.f_attach.box, button("Thêm tệp", self._click_attach), self.attached_view,
            self.attach_error, self.f_delivery.box,
            button("Nộp hồ sơ", self._click_submit, primary=True), self.submit_error,
            button("Quay lại", self._back_home)])
        self.extra_fields: dict[str, Field] = {}
        self.show("login")

    def _build_registration(self) -> None:
        """The legacy registration screens, built the first time they are opened."""
        if "register" in self.screens:
            return
        self.captcha_image = html()
        self.f_r_id = Field("Số định danh cá nhân")
        self.f_r_name = Field("Họ và tên (có dấu, như trên thẻ)")
        self.f_r_birth = Field("Ngày sinh", placeholder="ngày/tháng/năm, ví dụ 05/09/1968")
        self.f_r_phone = Field("Số điện thoại đăng ký chính chủ")
        self.f_r_captcha = Field("Mã xác nhận (các ký tự trong ảnh)")
        self.f_r_otp = Field("Mã OTP")
        self.f_r_pw = Field("Mật khẩu (≥ 8 ký tự: hoa, thường, số, đặc biệt)", kind="password")
        self.f_r_pw2 = Field("Nhập lại mật khẩu", kind="password")
        self.screens["register"] = vbox([
            self.f_r_id.box, self.f_r_name.box, self.f_r_birth.box, self.f_r_phone.box,
            self.captcha_image, button("Đổi ảnh khác", self._new_captcha), self.f_r_captcha.box,
            button("Đăng ký – gửi OTP", self._click_register, primary=True),
            button("Quay lại", lambda: self.show("login"))])
        self.screens["register_otp"] = vbox([
            self.f_r_otp.box, self.f_r_pw.box, self.f_r_pw2.box,
            button("Hoàn tất đăng ký", self._click_confirm_registration, primary=True)])

    # -- methods ------------------------------------------------------------------------------
    def start_vneid_login(self):
        return self._click_vneid_login()

    def finish_vneid_login(self):
        return self._click_finish_vneid()

    def login_with_password(self, id_number: str, password: str):
        self.f_pw_id.value, self.f_pw_pw.value = id_number, password
        return self._click_password_login()

    def open_registration(self):
        return self._open_register()

    def register(self, id_number: str, full_name: str, birth_date: str, phone: str,
                 captcha_answer: str):
        self._build_registration()
        self.f_r_id.value, self.f_r_name.value, self.f_r_birth.value = id_number, full_name, \
            birth_date
        self.f_r_phone.value, self.f_r_captcha.value = phone, captcha_answer
        return self._click_register()

    def confirm_registration(self, otp: str, password: str, confirm: str | None = None):
        self._build_registration()
        self.f_r_otp.value, self.f_r_pw.value = otp, password
        self.f_r_pw2.value = password if confirm is None else confirm
        return self._click_confirm_registration()

    def search(self, text: str) -> list[str]:
        self.f_search.value = text
        return self._click_search()

    def open_procedure(self, code: str):
        return self._open_form(code)

    def fill(self, **values: str):
        for key, value in values.items():
            self.extra_fields[key].value = value

    def confirm_prefilled(self, yes: bool = True):
        self.f_confirm.value = yes

    def attach(self, gallery_item: str):
        self.f_attach.value = gallery_item
        return self._click_attach()

    def choose_delivery(self, label: str):
        self.f_delivery.value = label

    def submit(self):
        return self._click_submit()

    def lookup(self, code: str):
        self.f_lookup.value = code
        return self._click_lookup()

    def pay_fee(self, code: str):
        return self._click_pay(code)

    def download_result(self, code: str):
        return self._click_result(code)

    def supplement(self, code: str, gallery_item: str):
        """"Gửi bổ sung" under a dossier the desk sent back, with a file from the gallery."""
        self._refresh_home()
        self._supplement_field(code).value = gallery_item
        return self._click_supplement(code)

    def download_receipt(self, code: str):
        return self._click_receipt(code)

    def logout(self):
        return self._click_logout()

    # -- buttons ------------------------------------------------------------------------------
    def _token(self) -> str:
        if self.session is None:
            raise StateError("Hãy đăng nhập Cổng DVC trước.")
        return self.session.token

    def _click_vneid_login(self):
        from congdanso.world.money.qrimage import to_png

        qr = self.attempt(self.world.portal.start_vneid_login)
        if qr is not None:
            self.qr = qr
            self.qr_image.value = picture(
                to_png(qr.payload, caption=None, scale=4),
                "Mã QR đăng nhập Cổng Dịch vụ công: mở ứng dụng VNeID trên điện thoại, chọn "
                "Quét mã QR rồi xác nhận bằng passcode.")
            self.qr_image.layout.display = ""
            self.qr_help.value = ('<p>Mở ứng dụng <b>VNeID</b> → <b>Quét QR</b>, quét mã này rồi '
                                  'nhập passcode để xác nhận. Mã có hiệu lực 5 phút.</p>')
        return qr

    def _click_finish_vneid(self):
        if self.qr is None:
            self.say("Hãy bấm “Đăng nhập bằng tài khoản định danh điện tử (VNeID)” để hiện mã "
                     "QR trước.", error=True)
            return None
        session = self.attempt(lambda: self.world.portal.finish_vneid_login(self.qr.token))
        if session is not None:
            self._logged_in(session)
            self.qr = None
            self.qr_image.layout.display = "none"
            self.qr_help.value = ""
        return session

    def _click_password_login(self):
        session = self.attempt(lambda: self.world.portal.login(self.f_pw_id.value,
                                                               self.f_pw_pw.value),
                               {"id_number": self.f_pw_id, "password": self.f_pw_pw})
        if session is not None:
            self._logged_in(session)
        return session

    def _logged_in(self, session):
        self.session = session
        self.phone.portal_session = session
        person = self.world.population.get(session.id_number)
        first = " Tài khoản mới đã được tạo từ danh tính điện tử." if session.new_account else ""
        self.who.value = f'<div class="cds-card">Xin chào <b>{esc(person.full_name)}</b>.{first}</div>'
        self._refresh_home()
        self.show("home")
        self.say("Đăng nhập thành công.", ok=True)

    def _open_register(self):
        self._build_registration()
        self._new_captcha()
        self.show("register")

    def _new_captcha(self):
        captcha = self.attempt(self.world.portal.new_captcha)
        if captcha is not None:
            self.captcha = captcha
            self.captcha_image.value = picture(
                captcha_png(captcha.text),
                "Ảnh mã kiểm tra gồm chữ và số méo; nếu không đọc được, bấm Đổi ảnh khác.")
        return captcha

    def _click_register(self):
        fields = {"id_number": self.f_r_id, "full_name": self.f_r_name,
                  "birth_date": self.f_r_birth, "phone": self.f_r_phone,
                  "captcha": self.f_r_captcha}
        captcha_id = self.captcha.id if self.captcha else ""
        registration = self.attempt(lambda: self.world.portal.register(
            self.f_r_id.value, self.f_r_name.value, self.f_r_birth.value, self.f_r_phone.value,
            captcha_id, self.f_r_captcha.value), fields)
        if registration is None:
            if self.last_error is not None:
                # Each try uses up the CAPTCHA, as on the real site: show a fresh picture and
                # keep everything else the learner typed.
                error, self.f_r_captcha.value = self.last_error, ""
                self._new_captcha()
                self.last_error = error
            return None
        self.registration = registration
        self.show("register_otp")
        self.say("Đã gửi mã OTP đến số điện thoại.")
        return registration

    def _click_confirm_registration(self):
        account = self.attempt(lambda: self.world.portal.confirm_registration(
            self.registration.id if self.registration else "", self.f_r_otp.value,
            self.f_r_pw.value, self.f_r_pw2.value),
            {"otp": self.f_r_otp, "password": self.f_r_pw, "confirm": self.f_r_pw2})
        if account is not None:
            self.show("login")
            self.f_pw_id.value = account.id_number
            self.say("Đăng ký thành công. Hãy đăng nhập bằng mật khẩu vừa đặt.", ok=True)
        return account

    def _click_search(self) -> list[str]:
        found = self.world.portal.search(self.f_search.value) if self.f_search.value.strip() \
            else list(CATALOGUE)
        items = []
        for procedure in found:
            items.append(button(f"{procedure.name} · {procedure.fee_text}",
                                lambda code=procedure.code: self._open_form(code)))
        self.results.children = items or [html("<p>Không tìm thấy thủ tục phù hợp.</p>")]
        return [p.code for p in found]

    def _open_form(self, code: str):
        form = self.attempt(lambda: self.world.portal.form(self._token(), code))
        if form is None:
            return None
        procedure = form["procedure"]
        self.procedure = procedure
        self.form_head.value = (f"<h3>{esc(procedure.name)}</h3><p>{esc(procedure.agency)} · "
                                f"{esc(procedure.online)} · Phí: {esc(procedure.fee_text)} · "
                                f"{esc(procedure.processing_text)}</p>")
        self.prefilled.value = ('<div class="cds-card"><b>Thông tin điền sẵn từ Cơ sở dữ liệu dân cư — '
                                'không cần khai lại</b>' + table(form["prefilled"]) + "</div>")
        self.extra_fields = {}
        for spec in procedure.extra_fields:
            hint = "ngày/tháng/năm" if spec.kind == "date" else ""
            if spec.kind == "choice":
                field_ = Field(spec.label, kind="choice", options=spec.choices)
            else:
                field_ = Field(spec.label, placeholder=hint)
            self.extra_fields[spec.key] = field_
        self.extra.children = [f.box for f in self.extra_fields.values()]
        needed = ", ".join(d.label for d in procedure.documents) or "không cần"
        self.attached = []
        self.attached_view.value = f"<p>Giấy tờ cần đính kèm: {esc(needed)}.</p>"
        self.f_confirm.value = False
        self.show("form")
        return form

    def _click_attach(self):
        choice = self.f_attach.value
        if choice not in GALLERY:
            return None
        kind, file, quality = GALLERY[choice]
        self.attached.append({"kind": kind, "file": file, "quality": quality})
        names = ", ".join(a["file"] for a in self.attached)
        self.attached_view.value = f"<p>Đã đính kèm: {esc(names)}</p>"
        return list(self.attached)

    def _click_submit(self):
        if self.procedure is None:
            return None
        values = {k: f.value for k, f in self.extra_fields.items()}
        delivery = "online" if self.f_delivery.value == "Trực tuyến" else "post"
        fields = {**self.extra_fields, "confirm_prefilled": self.f_confirm,
                  "delivery": self.f_delivery}
        self.attach_error.value = self.submit_error.value = ""
        dossier = self.attempt(lambda: self.world.portal.submit_dossier(
            self._token(), self.procedure.code, values, list(self.attached), delivery,
            bool(self.f_confirm.value)), fields)
        error = self.last_error if dossier is None else None
        if error is not None:
            if error.field == "attachments":
                self.attach_error.value = (f'<div class="cds-error" role="alert">⚠ Lỗi: '
                                           f"{esc(error.message)}</div>")
            target = fields.get(error.field or "")
            label = target.input.description if target is not None else ""
            where = (f" Ô cần sửa ở phía trên: “{label}”."
                     if label and label not in error.message else "")
            self.notice.value = ""  # said next to the button instead, not at the top
            self.say_near(self.submit_error, f"Chưa nộp được hồ sơ. {error.message}{where}")
        if dossier is not None:
            self._refresh_home()
            self.show("home")
            self.say(f"Đã nộp hồ sơ. Mã hồ sơ: {dossier.code} — ghi lại mã này để tra cứu.",
                     ok=True)
        return dossier

    def _back_home(self):
        self._refresh_home()
        self.show("home")

    def _refresh_home(self):
        if self.session is None:
            return
        rows = []
        for dossier in self.world.portal.my_dossiers(self.session.token):
            label = dossier.status_label + (" – chờ thanh toán phí"
                                            if dossier.fee_status == "cho_thanh_toan" else "")
            items = [html(f'<div class="cds-card"><b>{esc(dossier.code)}</b><br>'
                                  f"{esc(dossier.procedure.name)}<br>Trạng thái: {esc(label)}"
                                  "</div>")]
            if dossier.fee_status == "cho_thanh_toan":
                items.append(button(f"Thanh toán {dossier.procedure.fee_text}",
                                    lambda c=dossier.code: self._click_pay(c)))
            if dossier.fee_receipt is not None:
                items.append(button("Tải biên lai", lambda c=dossier.code: self._click_receipt(c)))
            if dossier.status == "yeu_cau_bo_sung":
                field_ = self._supplement_field(dossier.code)
                items += [html(f'<div class="cds-note">ℹ Cần bổ sung: '
                               f"{esc(dossier.supplement_reason or '')}</div>"), field_.box,
                          button("Gửi bổ sung", lambda c=dossier.code: self._click_supplement(c),
                                 primary=True)]
            if dossier.status in {"co_ket_qua", "da_tra_ket_qua"} and dossier.delivery == "online":
                items.append(button("Tải kết quả", lambda c=dossier.code: self._click_result(c)))
            rows.append(vbox(items))
        self.dossier_list.children = rows or [html("<p>Chưa có hồ sơ nào.</p>")]
        notes = self.world.portal.notifications(self.session.token)[-5:]
        self.notes.value = "".join(f'<div class="cds-sms">{esc(n)}</div>' for n in reversed(notes))

    def _click_lookup(self):
        view = self.attempt(lambda: self.world.portal.lookup(self.f_lookup.value),
                            {"code": self.f_lookup})
        if view is not None:
            steps = "".join(f"<li>{esc(s)}</li>" for s in view["Quá trình xử lý"])
            rest = {k: v for k, v in view.items() if k != "Quá trình xử lý"}
            self.lookup_view.value = f'<div class="cds-card">{table(rest)}<ol>{steps}</ol></div>'
        return view

    def _click_pay(self, code: str):
        request = self.attempt(lambda: self.world.portal.fee_payment(self._token(), code))
        if request is not None:
            self.phone.pending_payment_qr = request["qr"]
            self.say(f"Yêu cầu thanh toán {request['amount']:,} đồng cho hồ sơ {code}. Mở ứng "
                     "dụng Ngân hàng → Quét QR → chọn \"Mã thanh toán phí trên Cổng DVC\".")
        return request

    def _supplement_field(self, code: str) -> Field:
        """One picker per dossier, kept across refreshes (a refresh runs on every event)."""
        fields = self._supplement_fields
        if code not in fields:
            fields[code] = Field(f"Giấy tờ bổ sung cho hồ sơ {code} (chọn trong thư viện ảnh)",
                                 kind="choice", options=[CHOOSE_FILE, *GALLERY])
        return fields[code]

    def _click_supplement(self, code: str):
        field_ = self._supplement_field(code)
        if field_.value not in GALLERY:  # nothing chosen yet: nothing is sent
            field_.show_error("Chưa chọn tệp nào. Hãy chọn ảnh giấy tờ cần bổ sung trong danh "
                              "sách ở trên rồi bấm lại “Gửi bổ sung”.")
            return None
        kind, file, quality = GALLERY[field_.value]
        dossier = self.attempt(lambda: self.world.portal.supplement(
            self._token(), code, [{"kind": kind, "file": file, "quality": quality}]),
            {"attachments": field_})
        if dossier is not None:
            self._refresh_home()
            self.say(f"Đã gửi bổ sung cho hồ sơ {code}; hồ sơ được xử lý tiếp.", ok=True)
        return dossier

    def _click_result(self, code: str):
        document = self.attempt(lambda: self.world.portal.download_result(self._token(), code))
        if document is not None:
            self._refresh_home()
            self.lookup_view.value = f'<div class="cds-card">{table(result_rows(document))}</div>'
            self.say("Đã tải kết quả (bản điện tử).", ok=True)
        return document

    def _click_receipt(self, code: str):
        receipt = self.attempt(lambda: self.world.portal.download_receipt(self._token(), code))
        if receipt is not None:
            self.lookup_view.value = f'<div class="cds-card">{table(receipt)}</div>'
        return receipt

    def _click_logout(self):
        if self.session is not None:
            self.attempt(lambda: self.world.portal.logout(self.session.token))
        self.session = None
        self.phone.portal_session = None
        self.show("login")

    def refresh(self):
        """Called by the phone on every world event, so statuses stay current."""
        if self.session is not None and self.screen == "home":
            self._refresh_home()

