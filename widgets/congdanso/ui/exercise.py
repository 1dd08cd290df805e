"""A graded exercise as the learner sees it: the scenario card, the phone, answer boxes, and a
"Kiểm tra" checklist. The learner clicks and types; nothing here performs a step for them.

>>> bai_tap = Exercise.open("thanh-toan-hoa-don")   # the released notebook's first cell
>>> bai_tap                                          # card, phone, questions, checklist

Every answer is a journaled action (``course.answer``), so the grader reads it from the journal
like any other step. ``kiem_tra`` is what grade cells call: in the learner's kernel it only shows
progress (answers count once given, right or wrong); the grade is decided by the grader.
"""

from __future__ import annotations

import base64
import os
from pathlib import Path

import ipywidgets as widgets

from congdanso.grading import requirements as req
from congdanso.grading import variants
from congdanso.ui.base import FULL, Field, button, close_tree, esc, html, shared, vbox
from congdanso.ui.phone import Phone
from congdanso.ui.theme import CSS
from congdanso.world.core.errors import DomainError
from congdanso.world.core.journal import DEFAULT_NAME
from congdanso.world.scenarios import PRACTICE_PASSCODE, PRACTICE_PASSWORD


class NotDoneYet(AssertionError):
    """A step of the exercise is still to do. IPython shows only the message (no traceback: the
    learners are not programmers); nbgrader's Validate still counts it as a failing cell."""

    def _render_traceback_(self) -> list[str]:
        return [f"○ Chưa xong: {self}"]


class AnswerBox:
    """One question: a choice list or a text box, a "Lưu" button, and what was saved."""

    def __init__(self, exercise: Exercise, question: str, number: int):
        self.exercise, self.question = exercise, question
        spec = exercise.scenario.question(question)
        self.kind = spec["kind"]
        prompt = exercise.scenario.prompt(question)
        self.label = html(f'<div class="cds-question"><b>Câu {number}.</b> {esc(prompt)}</div>')
        if self.kind == "choice":
            self.input: widgets.ValueWidget = widgets.RadioButtons(
                options=exercise.scenario.options(question), value=None, layout={"width": "auto"},
                style=shared().description)
        else:
            self.input = widgets.Text(placeholder="Gõ câu trả lời", layout=FULL,
                                      continuous_update=False,
                                      style=shared().text)
        self.save_button = button("Lưu câu trả lời", self.save)
        self.status = html()
        self.widget = vbox([self.label, self.input, self.save_button, self.status])
        self.widget.add_class("cds-answer")
        self.show_saved()

    def save(self, value: str | None = None) -> bool:
        """Save an answer (what picking or typing, then "Lưu", does)."""
        if value is not None:
            self.input.value = value
        try:
            self.exercise.world.course.answer(self.exercise.assignment, self.question,
                                              self.input.value or "")
        except DomainError as exc:
            self.status.value = f'<div class="cds-error" role="alert">⚠ {esc(exc.message)}</div>'
            return False
        self.show_saved()
        return True

    def show_saved(self) -> None:
        state = self.exercise.world.course.exercises.get(self.exercise.assignment)
        given = state.answers.get(self.question) if state else None
        if given is None:
            self.status.value = '<div class="cds-note">○ Chưa trả lời.</div>'
            return
        if self.input.value in (None, ""):
            self.input.value = given.value
        self.status.value = (f'<div class="cds-ok" role="status">✔ Đã lưu: '
                             f"{esc(given.value)}</div>")


class Desk:
    """A counter beside the phone (police, carrier shop): fields, one status line, and world
    actions whose failures show under the field they name, as in the phone's apps."""

    def __init__(self, world):
        self.world = world
        self.status = html()

    def attempt(self, call, fields: dict, done: str):
        for item in fields.values():
            item.clear()
        try:
            result = call()
        except DomainError as exc:
            target = fields.get(exc.field or "")
            if target is not None:
                target.show_error(exc.message)
                self.status.value = ""
            else:
                self.status.value = (f'<div class="cds-error" role="alert">⚠ {esc(exc.message)}'
                                     "</div>")
            return None
        self.status.value = f'<div class="cds-ok" role="status">✔ {esc(done)}</div>'
        return result


class PoliceDesk(Desk):
    """The ward police desk where a resident who is present registers a level-2 account."""

    def __init__(self, world):
        super().__init__(world)
        self.f_id = Field("Số định danh cá nhân (trên thẻ căn cước)")
        self.f_phone = Field("Số điện thoại đứng tên người dân")
        self.f_present = Field("Người dân có mặt, mang thẻ căn cước gắn chip bản gốc", kind="check")
        self.widget = vbox([
            html('<div class="cds-card"><h3>Quầy công an phường</h3><p>Đăng ký tài khoản '
                 "định danh điện tử <b>mức 2</b>: cán bộ chụp ảnh, lấy vân tay người dân.</p></div>"),
            self.f_id.box, self.f_phone.box, self.f_present.box,
            button("Đăng ký tài khoản mức 2", self._click_enroll, primary=True), self.status])
        self.widget.add_class("cds-police")
        self.widget.add_class("cds-desk")

    def enroll(self, id_number: str, phone: str, present: bool = True):
        self.f_id.value, self.f_phone.value, self.f_present.value = id_number, phone, present
        return self._click_enroll()

    def with_home_visits(self) -> PoliceDesk:
        """Add "Người dân không đến được?": a relative books the police's visit to the home, and
        the visit itself when its time has come."""
        from congdanso.world.identity.homevisit import REASONS

        self.f_home_id = Field("Số định danh của người không đến được")
        self.f_reason = Field("Lý do không đến được", kind="radio", options=REASONS)
        self.f_contact = Field("Số điện thoại của người nhà (công an nhắn ngày đến)")
        self.f_reason.input.value = None  # nothing chosen for the learner
        self.f_visit_phone = Field("Số điện thoại đứng tên người được đến nhà")
        self.visits = html()
        self.book_status = html()
        self.home_status = html()
        self.widget.children = (*self.widget.children, html(
            '<div class="cds-card"><h3>Người dân không đến được?</h3><p>Người già yếu, nằm liệt '
            "giường, người khuyết tật: người nhà <b>đăng ký công an đến nhà</b>. Công an đến "
            "tận giường chụp ảnh, lấy vân tay; không ai làm thay được. Đăng ký lại trước ngày "
            "hẹn là sửa được lý do hay số điện thoại.</p></div>"),
            self.f_home_id.box, self.f_reason.box, self.f_contact.box,
            button("Đăng ký công an đến nhà", self._click_book, primary=True), self.book_status,
            self.visits, self.f_visit_phone.box,
            button("Công an đến nhà theo lịch hẹn", self._click_visit), self.home_status)
        self._show_visits()
        return self

    def _show_visits(self) -> None:
        rows = [f"<li>{esc(self.world.population.require(v.id_number).full_name)} — sáng ngày "
                f"{v.due:%d/%m/%Y}, lý do: {esc(v.reason.lower())}; "
                f"{'✔ công an đã đến' if v.done else 'chờ công an đến'}</li>"
                for v in self.world.police.home_visits.values()]
        self.visits.value = (f'<div class="cds-card" role="status"><b>Lịch công an đến nhà'
                             f"</b><ul>{''.join(rows)}</ul></div>" if rows else "")

    def book_home_visit(self, id_number: str, reason: str, contact: str):
        self.f_home_id.value, self.f_reason.value, self.f_contact.value = id_number, reason, \
            contact
        return self._click_book()

    def _click_book(self):
        self.home_status.value = ""
        result = self._attempt_home(
            lambda: self.world.police.request_home_visit(
                self.f_home_id.value, self.f_reason.value or "", self.f_contact.value),
            {"id_number": self.f_home_id, "reason": self.f_reason, "phone": self.f_contact},
            "Đã đăng ký. Công an nhắn ngày đến vào điện thoại của người nhà.", self.book_status)
        self._show_visits()
        return result

    def visit(self, phone: str):
        self.f_visit_phone.value = phone
        return self._click_visit()

    def _click_visit(self):
        self.book_status.value = ""
        waiting = [v for v in self.world.police.home_visits.values() if not v.done]
        if not waiting:
            self.home_status.value = ('<div class="cds-error" role="alert">⚠ Chưa có lịch hẹn '
                                      "công an đến nhà nào đang chờ.</div>")
            return None
        result = self._attempt_home(
            lambda: self.world.police.visit_home(waiting[0].id, self.f_visit_phone.value),
            {"phone": self.f_visit_phone},
            "Công an đã đến nhà thu nhận. Tài khoản mức 2 được duyệt; tin nhắn hướng dẫn kích "
            "hoạt đã gửi về điện thoại của người dân.", self.home_status)
        self._show_visits()
        return result

    def _attempt_home(self, call, fields: dict, done: str, where):
        """The desk's attempt, its word said under the button pressed."""
        status, self.status = self.status, where
        try:
            return self.attempt(call, fields, done)
        finally:
            self.status = status

    def _click_enroll(self):
        return self.attempt(
            lambda: self.world.police.enroll_level2(self.f_id.value, self.f_phone.value,
                                                    present=bool(self.f_present.value)),
            {"id_number": self.f_id, "phone": self.f_phone},
            "Đã thu nhận. Tài khoản mức 2 được duyệt; tin nhắn hướng dẫn kích hoạt đã gửi về "
            "điện thoại.")


class CarrierDesk(Desk):
    """The mobile carrier's shop: check who a SIM is registered to, move it to the user's name."""

    def __init__(self, world):
        super().__init__(world)
        self.f_phone = Field("Số điện thoại cần kiểm tra, chuẩn hoá hoặc cấp lại SIM")
        self.f_id = Field("Số định danh của người sẽ đứng tên thuê bao")
        self.f_present = Field("Người đứng tên có mặt, mang thẻ căn cước bản gốc", kind="check")
        self.f_agrees = Field("Người đang đứng tên đồng ý chuyển (có mặt hoặc có giấy uỷ quyền)",
                              kind="check")
        self.widget = vbox([
            html('<div class="cds-card"><h3>Cửa hàng nhà mạng</h3><p>Kiểm tra thuê bao đứng tên '
                 "ai (như soạn <b>TTTB</b> gửi <b>1414</b>: câu trả lời về tin nhắn của điện "
                 "thoại) và chuẩn hoá thông tin thuê bao cho đúng người dùng.</p></div>"),
            self.f_phone.box,
            button("Kiểm tra thuê bao (TTTB gửi 1414)", self._click_check),
            self.f_id.box, self.f_present.box, self.f_agrees.box,
            button("Chuẩn hoá: đăng ký thuê bao đứng tên người này", self._click_update),
            button("Cấp lại SIM giữ số (mất hoặc hỏng SIM)", self._click_replace),
            self.status])
        self.widget.add_class("cds-carrier")
        self.widget.add_class("cds-desk")

    def check(self, phone: str):
        self.f_phone.value = phone
        return self._click_check()

    def update(self, phone: str, id_number: str, present: bool = True, agrees: bool = True):
        self.f_phone.value, self.f_id.value = phone, id_number
        self.f_present.value, self.f_agrees.value = present, agrees
        return self._click_update()

    def replace_sim(self, phone: str, id_number: str, present: bool = True):
        self.f_phone.value, self.f_id.value, self.f_present.value = phone, id_number, present
        return self._click_replace()

    def _click_replace(self):
        return self.attempt(lambda: self.world.carrier.replace_sim(
            self.f_phone.value, self.f_id.value, bool(self.f_present.value)),
            {"phone": self.f_phone, "id_number": self.f_id, "present": self.f_present},
            "Đã cấp SIM mới, giữ nguyên số: tin nhắn lại về điện thoại.")

    def _click_check(self):
        return self.attempt(lambda: self.world.carrier.check_subscriber(self.f_phone.value),
                            {"phone": self.f_phone},
                            "Đã gửi TTTB tới 1414: đọc tin trả lời trong hộp Tin nhắn của điện "
                            "thoại.")

    def _click_update(self):
        return self.attempt(lambda: self.world.carrier.update_subscriber(
            self.f_phone.value, self.f_id.value, bool(self.f_present.value),
            bool(self.f_agrees.value)), {"phone": self.f_phone, "id_number": self.f_id},
            "Thuê bao đã đứng tên người dân.")


class HotlineDesk(Desk):
    """A call to VNeID's switchboard 1900 0368 to lock the account of a lost phone. The resident
    calls and answers; the operator checks name and date of birth (simulation)."""

    def __init__(self, world):
        from congdanso.world.identity.devices import HOTLINE

        super().__init__(world)
        self.f_id = Field("Số định danh cá nhân của chủ tài khoản")
        self.f_name = Field("Họ và tên (như trên thẻ căn cước)")
        self.f_birth = Field("Ngày sinh (ngày/tháng/năm)", placeholder="ví dụ 05/09/1968")
        self.widget = vbox([
            html(f'<div class="cds-card"><h3>Gọi tổng đài VNeID {HOTLINE}</h3><p>Mất điện thoại '
                 "đang đăng nhập VNeID: <b>chính người dân</b> gọi ngay để khoá tài khoản, kẻ "
                 "nhặt được máy không dùng được. Tổng đài viên hỏi họ tên, ngày sinh (mô phỏng); "
                 "không bao giờ hỏi mật khẩu, passcode hay mã OTP.</p></div>"),
            self.f_id.box, self.f_name.box, self.f_birth.box,
            button("Gọi: yêu cầu khoá tài khoản VNeID", self._click_lock, primary=True),
            self.status])
        self.widget.add_class("cds-desk")

    def lock(self, id_number: str, full_name: str, birth_date: str):
        self.f_id.value, self.f_name.value, self.f_birth.value = id_number, full_name, birth_date
        return self._click_lock()

    def _click_lock(self):
        return self.attempt(lambda: self.world.vneid.hotline_lock(
            self.f_id.value, self.f_name.value, self.f_birth.value),
            {"id_number": self.f_id, "full_name": self.f_name, "birth_date": self.f_birth},
            "Tổng đài đã khoá tài khoản VNeID. Mở lại trên máy mới: xác thực NFC bằng thẻ căn "
            "cước gắn chip, hoặc tại công an phường.")


class PoliceDeviceDesk(Desk):
    """The ward police link a resident's new phone in person (no NFC, a card that will not read)."""

    def __init__(self, world, phone):
        super().__init__(world)
        self.phone = phone
        self.f_id = Field("Số định danh cá nhân (trên thẻ căn cước)")
        self.f_present = Field("Người dân có mặt, mang thẻ căn cước gắn chip và điện thoại mới",
                               kind="check")
        self.widget = vbox([
            html('<div class="cds-card"><h3>Quầy công an phường</h3><p>Xác thực <b>điện thoại '
                 "đang cầm</b> cho tài khoản VNeID của người dân, khi máy không đọc được chip "
                 "(không có NFC) và không mượn được máy khác. Người dân phải có mặt.</p></div>"),
            self.f_id.box, self.f_present.box,
            button("Xác thực điện thoại mới cho tài khoản VNeID", self._click_confirm),
            self.status])
        self.widget.add_class("cds-police")
        self.widget.add_class("cds-desk")

    def confirm_device(self, id_number: str, present: bool = True):
        self.f_id.value, self.f_present.value = id_number, present
        return self._click_confirm()

    def _click_confirm(self):
        return self.attempt(lambda: self.world.police.confirm_device(
            self.f_id.value, self.phone.device, bool(self.f_present.value)),
            {"id_number": self.f_id, "present": self.f_present, "device": self.f_present},
            "Đã xác thực điện thoại này cho tài khoản VNeID: người dân đăng nhập lại bằng mật "
            "khẩu trên máy này.")


class VisitLogDesk(Desk):
    """The support point's visit log: a line with the resident's name only when they agree
    (Law 91/2025/QH15), erased when they ask; otherwise the visit is only counted."""

    def __init__(self, world):
        from congdanso.world.society.support import PURPOSE, RESULTS, TASKS

        super().__init__(world)
        self.f_id = Field("Số định danh của người dân vừa được giúp")
        self.f_task = Field("Việc đã giúp", kind="choice", options=TASKS)
        self.f_result = Field("Kết quả", kind="choice", options=RESULTS)
        self.f_consent = Field(f"Đã hỏi và người dân đồng ý ghi tên vào sổ (để {PURPOSE})",
                               kind="check")
        self.table = html()
        self.widget = vbox([
            html('<div class="cds-card"><h3>Sổ theo dõi của điểm hỗ trợ</h3><p>Chỉ ghi họ tên, '
                 "hộ, việc đã giúp, kết quả — <b>không</b> ghi mật khẩu, OTP, ảnh giấy tờ. Hỏi "
                 "người dân trước; người dân không đồng ý thì chỉ đếm lượt (Luật Bảo vệ dữ liệu cá "
                 "nhân số 91/2025/QH15).</p></div>"),
            self.f_id.box, self.f_task.box, self.f_result.box, self.f_consent.box,
            button("Ghi vào sổ", self._click_log, primary=True),
            button("Xoá thông tin của người này khỏi sổ (người dân yêu cầu)", self._click_erase),
            self.status, self.table])
        self.widget.add_class("cds-desk")
        self._show()

    def log(self, id_number: str, task: str, result: str, consent: bool = True):
        self.f_id.value, self.f_task.value, self.f_result.value = id_number, task, result
        self.f_consent.value = consent
        return self._click_log()

    def erase(self, id_number: str):
        self.f_id.value = id_number
        return self._click_erase()

    def _click_log(self):
        consent = bool(self.f_consent.value)
        done = self.attempt(lambda: self.world.support.log_visit(
            self.f_id.value, self.f_task.value, self.f_result.value, consent),
            {"id_number": self.f_id, "task": self.f_task, "result": self.f_result},
            "Đã ghi vào sổ." if consent else "Người dân không đồng ý: chỉ đếm một lượt.")
        self.f_consent.value = False  # asked again for the next resident
        self._show()
        return done

    def _click_erase(self):
        done = self.attempt(lambda: self.world.support.erase(self.f_id.value),
                            {"id_number": self.f_id}, "Đã xoá mọi dòng về người dân này.")
        self._show()
        return done

    def _show(self):
        rows = self.world.support.rows()
        body = "".join("<tr>" + "".join(f"<td>{esc(v)}</td>" for v in r.values()) + "</tr>"
                       for r in rows)
        head = "".join(f"<th>{esc(k)}</th>" for k in (rows[0] if rows else {}))
        self.table.value = (f"<p>{self.world.support.total} lượt hỗ trợ, {len(rows)} dòng có "
                            "tên.</p>" + ('<div class="cds-scroll" tabindex="0" role="region" '
                                          'aria-label="Sổ theo dõi"><table class="cds-table">'
                                          f"<tr>{head}</tr>{body}</table></div>"
                                          if rows else ""))


class Exercise:
    """The learner's own scenario of one graded exercise."""

    def __init__(self, assignment: str, *, world=None, folder: str | os.PathLike[str] = ".",
                 learner: str | None = None):
        from congdanso import World

        self.assignment = assignment
        self.spec = variants.spec(assignment)
        self.kind = variants.kind_of(assignment)
        self.folder = Path(folder)
        self.world = world if world is not None else World.open(self.folder / DEFAULT_NAME)
        self.learner = learner or variants.learner_id()
        self.token, self.official = variants.token_in_folder(self.folder, assignment,
                                                             self.learner)
        self._begin()
        self.root = vbox()
        self.root.add_class("cds-exercise")
        self._build()
        self.world.subscribe(self._on_event)

    @classmethod
    def open(cls, assignment: str, **kwargs) -> Exercise:
        return cls(assignment, **kwargs)

    def _ipython_display_(self):
        from IPython.display import Javascript, display

        from congdanso.ui.theme import FOCUS_JS

        display(self.root)
        display(Javascript(FOCUS_JS))

    # -- scenario -----------------------------------------------------------------------------
    def _begin(self) -> None:
        state = self.world.course.exercises.get(self.assignment)
        if state is None or state.scenario.token != self.token:
            self.world.course.begin_exercise(self.assignment, self.learner, self.token)

    @property
    def scenario(self) -> variants.Scenario:
        return self.world.course.exercise(self.assignment).scenario

    def person(self, index: int = 0):
        return self.world.population.require(self.scenario.residents[index])

    def restart(self) -> None:
        """"Làm lại": the scenario starts again from the beginning (the journal keeps all)."""
        for phone in self.phones:
            phone.world.unsubscribe(phone._on_event)
        old = list(self.root.children)
        self.world.start_over()
        self.world.course.begin_exercise(self.assignment, self.learner, self.token)
        self._build()
        for widget in old:
            close_tree(widget)

    def close(self) -> None:
        """Stop following the world and close every widget (the journal keeps everything)."""
        self.world.unsubscribe(self._on_event)
        for phone in self.phones:
            phone.close()
        close_tree(self.root)

    # -- building the screen --------------------------------------------------------------------
    def _build(self) -> None:
        scenario = self.scenario
        self.phones = [Phone(self.world, self.world.population.require(r))
                       for r in scenario.residents]
        if self.kind == "go-roi-vneid":
            self._put_handsets()
        if self.kind == "thanh-toan-hoa-don":
            self.phones[0].extra_qr = {"Mã QR \"tiền rác\" người dân đưa":
                                       scenario.values["qr_payload"]}
        self.answers = {q: AnswerBox(self, q, i)
                        for i, q in enumerate(self.spec["questions"], 1)}
        self.checklist = html()
        self.restart_note = html()
        self._confirm_restart = False
        parts: list[widgets.Widget] = [html(CSS), html(self._card())]
        parts += self._extras()
        if len(self.phones) == 1:
            parts.append(self.phones[0].frame)
        elif self.phones:
            tabs = widgets.Tab(children=[p.frame for p in self.phones], layout=FULL)
            for i, phone in enumerate(self.phones):
                tabs.set_title(i, f"Điện thoại của {phone.person.full_name}")
            parts.append(tabs)
        parts.append(html("<h3>Câu hỏi</h3><p>Chọn hoặc gõ câu trả lời, rồi bấm "
                          "<b>Lưu câu trả lời</b>. Câu trả lời sau cùng được tính.</p>"))
        parts += [box.widget for box in self.answers.values()]
        parts += [html("<h3>Kiểm tra tiến độ</h3>"),
                  button("Kiểm tra", self.show_checklist, primary=True,
                         tooltip="Xem các bước đã làm và bước còn thiếu"),
                  self.checklist,
                  button("Làm lại từ đầu", self._click_restart, once=True,
                         tooltip="Bắt đầu lại tình huống (nhật ký vẫn giữ mọi thao tác)"),
                  self.restart_note]
        self.submit_note = html()
        if not self.spec.get("practice"):  # a graded exercise goes to the trainer from here too
            parts += [html("<h3>Nộp bài</h3><p>Làm xong, bấm <b>Nộp bài cho giảng viên</b>. "
                           "Bài được chấm từ nhật ký các thao tác của bạn, đã tự lưu sau mỗi "
                           "thao tác. Nộp lại được; giảng viên chấm lần nộp cuối.</p>"),
                      button("Nộp bài cho giảng viên", self.submit, primary=True, once=True,
                             tooltip="Gửi bài cho giảng viên chấm"),
                      self.submit_note]
        self.root.children = parts

    def _card(self) -> str:
        s, v = self.scenario, self.scenario.values
        rows = []
        for id_number in s.residents:
            p = self.world.population.require(id_number)
            home = self.world.population.household_of(p)
            rows.append(f"<li><b>{esc(p.full_name)}</b>, {p.age_on(self.world.now.date())} tuổi, "
                        f"số định danh {esc(p.id_number)}, điện thoại {esc(p.phone)}, "
                        f"{esc(home.khu_pho)}, {esc(home.ward.name)}</li>")
        people = f"<ul>{''.join(rows)}</ul>" if rows else ""
        task = {
            "tai-khoan-dvc": lambda: (f"<p>{esc(v['situation_text'])}</p><p><b>Việc của bạn:</b> "
            f"{esc(v['need'])}. Khi đặt, dùng mật khẩu <code>{PRACTICE_PASSWORD}</code> và "
            f"passcode <code>{PRACTICE_PASSCODE}</code> (chỉ trong tập huấn; ngoài đời người "
            "dân tự đặt và tự giữ).</p>" + self._own_papers()),
            "ho-so-truc-tuyen": lambda: (f"<p>Người dân {esc(v['need_text'])}. Người dân đã có VNeID mức 2 "
            f"(mật khẩu <code>{PRACTICE_PASSWORD}</code>, passcode <code>{PRACTICE_PASSCODE}"
            f"</code>) và tài khoản ngân hàng (mật khẩu ứng dụng <code>{variants.BANK_PASSWORD}"
            "</code>).</p><p><b>Việc của bạn:</b> chọn đúng thủ tục, nộp hồ sơ dùng thông tin "
            + ("điền sẵn và tra cứu bằng mã hồ sơ (trả phí, lệ phí học ở bài 05).</p>"
               if self.spec.get("practice") else
               "điền sẵn, trả phí, tra cứu và nhận kết quả trực tuyến.</p>")
            + (f"<p><b>Thêm một việc:</b> {esc(v['supplement_text'])} Hồ sơ khai sinh của bé "
               f"<b>{esc(v['child_name'])}</b> có mã <code>{esc(v['supplement_code'])}</code>: "
               "giúp người dân bổ sung và tải kết quả.</p>" if "supplement_code" in v else "")),
            "ky-so-hop-dong": lambda: ("<p>Người dân vừa được nhận vào làm; công ty gửi hợp đồng lao động "
            f"để ký số. VNeID mức 2 đã có (mật khẩu <code>{PRACTICE_PASSWORD}</code>). Mã PIN ký "
            "số người dân chọn: <code>258036</code>.</p><p><b>Việc của bạn:</b> đăng ký và kích "
            "hoạt chứng thư chữ ký số, ký hợp đồng công ty gửi, rồi kiểm tra "
            f"{v.get('copies_sent', 2)} bản công ty gửi lại và cho người dân biết bản nào dùng "
            "được.</p>"),
            "thanh-toan-hoa-don": lambda: ("<p>Người dân nhờ trả hoá đơn "
            f"{'tiền điện' if v['service'] == 'dien' else 'tiền nước'} tháng này (mã khách hàng "
            f"<code>{esc(v['bill_code'])}</code>) bằng ứng dụng ngân hàng (mật khẩu "
            f"<code>{variants.BANK_PASSWORD}</code>). {esc(v['trap_text'])} Người dân nhờ bạn "
            "trả luôn tiền rác bằng mã đó. Đơn vị thu gom rác của phường là <b>"
            f"{esc(self.world.bank.billers['moi_truong'].holder)}</b>.</p><p><b>Việc của bạn:</b> "
            "trả hoá đơn; quét mã QR trong ứng dụng (mục Quét mã VietQR), đọc kỹ rồi trả lời; chỉ "
            "trả tiền rác nếu đúng người nhận.</p>"),
            "go-roi-vneid": lambda: (f"<p>{esc(v['problem_text'])}</p><p>Ngày sinh trên thẻ căn "
            f"cước: <b>{esc(self.person().birth_date.strftime('%d/%m/%Y'))}</b>. Người dân vừa thuê "
            f"phòng ở <b>{esc(v['stay_address'])}</b> đến ngày {esc(v['stay_until'])} (hợp "
            "đồng thuê nhà có trong thư viện ảnh của điện thoại).</p><p><b>Việc của bạn:</b> "
            f"{esc(v['need'])}; rồi đăng ký tạm trú ngay trên ứng dụng VNeID.</p><p>Người dân "
            + ("" if "quen-mat-khau" in v["covers"] else
               f"nhớ mật khẩu <code>{PRACTICE_PASSWORD}</code>; ")
            + ("" if "quen-passcode" in v["covers"] else
               f"nhớ passcode <code>{PRACTICE_PASSCODE}</code>; ")
            + "nhớ câu trả lời bảo mật: <code>Trường Tiểu học Lái Thiêu</code> và <code>Bông"
            "</code>. Khi người dân đặt mật khẩu hay passcode mới trong tập huấn, dùng "
            f"<code>{PRACTICE_PASSWORD}</code> và <code>417293</code> (ngoài đời người dân tự "
            "chọn, tự giữ; tình nguyện viên quay đi khi người dân gõ).</p>"),
            "sinh-trac-ngan-hang": lambda: (f"<p>{esc(v['trouble_text'])}</p><p>Người dân "
            "nhờ trả tiền nước tháng này (mã khách hàng "
            f"<code>{esc(v['bill_code'])}</code>) bằng ứng dụng ngân hàng (mật khẩu "
            f"<code>{variants.BANK_PASSWORD}</code>).</p><p><b>Việc của bạn:</b> tìm chỗ vướng "
            "(đọc kỹ thông báo của ứng dụng), hướng dẫn người dân gỡ — trong ứng dụng, hoặc tại "
            "quầy (nút ở màn hình đăng nhập) khi ứng dụng không làm được — rồi trả tiền nước. "
            "Người dân tự áp thẻ, tự nhìn vào camera; bạn chỉ hướng dẫn. Xem cả mục Tin nhắn "
            "của người dân.</p>"),
            "an-toan-lua-dao": lambda: ("<p>Người dân đưa bạn xem 4 tin nhắn (hoặc cuộc gọi) gần đây. Đọc từng "
            "tin và trả lời.</p>"),
            "ho-tro-nguoi-dan": lambda: (f"<p>Buổi hỗ trợ ở {esc(v['khu_pho'])}. Hai người dân dưới đây "
            "chưa có tài khoản Cổng DVC (mật khẩu tập huấn khi đặt: "
            f"<code>{PRACTICE_PASSWORD}</code>, passcode <code>{PRACTICE_PASSCODE}</code>).</p>"
            "<p><b>Việc của bạn:</b> giúp cả hai có tài khoản (nhiều người đã có VNeID mức 2 từ "
            "khi làm căn cước, chỉ cần kích hoạt; ai chưa có thì đưa đến quầy công an phường → "
            "kích hoạt → Cổng DVC bằng VNeID); hỏi đồng ý rồi ghi từng người vào sổ theo dõi; "
            "dùng bảng hộ của khu phố để tính tỷ lệ \"mỗi hộ một tài khoản\".</p>"
            + (f"<p><b>Thêm một việc:</b> {esc(v['homebound_text'])}</p>"
               if "homebound" in v else "")),
        }[self.kind]()
        note = "" if self.official or self.spec.get("practice") else (
            '<div class="cds-error" role="alert">⚠ Bạn chưa có tên trong danh sách lớp của bài '
            f"này (mã học viên: {esc(self.learner)}), nên đây là <b>phương án tự luyện</b>, không "
            "được chấm. Hãy báo giảng viên để được thêm vào danh sách rồi tải lại bài.</div>")
        return (f'<div class="cds-card cds-scenario"><h2>{esc(self.spec["title"])}</h2>{note}'
                f"{people}{task}<p><small>Mọi người và số liệu đều là mô phỏng.</small></p></div>")

    def _extras(self) -> list[widgets.Widget]:
        v = self.scenario.values
        if self.kind == "thanh-toan-hoa-don":
            from congdanso.world.money.qrimage import to_png

            png = base64.b64encode(to_png(v["qr_payload"])).decode()
            return [html(f'<div class="cds-card"><b>Mã QR \"tiền rác\" người dân đưa</b><br>'
                         f'<img src="data:image/png;base64,{png}" width="220" height="220" '
                         'alt="Mã QR tiền rác người dân đưa; quét bằng ứng dụng ngân hàng để '
                         'đọc người nhận"></div>')]
        if self.kind == "an-toan-lua-dao":
            messages = {m["id"]: m for m in self.spec["messages"]}
            items = []
            for i in range(1, 5):
                m = messages[v[f"message_{i}"]]
                context = f"<br><i>{esc(m['context'])}</i>" if m.get("context") else ""
                sender = m["from"] if m["from"].startswith("Cuộc gọi") else "từ " + m["from"]
                items.append(f'<div class="cds-sms"><b>Tin số {i}</b> — <b>{esc(sender)}'
                             f"</b>:<br>{esc(m['text'])}{context}</div>")
            return [html("".join(items))]
        if self.kind == "ho-so-truc-tuyen":
            return [html("<p>Hồ sơ được xử lý theo thời gian mô phỏng:</p>"),
                    widgets.HBox([button("Thời gian trôi 1 giờ", lambda: self.wait(hours=1)),
                                  button("Thời gian trôi 1 ngày", lambda: self.wait(days=1))])]
        if self.kind == "ky-so-hop-dong":
            self.copies_note = html()
            return [button("Nhận bản công ty gửi lại", self.receive_copies), self.copies_note]
        if self.kind == "ho-tro-nguoi-dan":
            self.households = html(self._households())
            self.police = PoliceDesk(self.world)
            if "homebound" in v:
                self.police.with_home_visits()
            self.visit_log = VisitLogDesk(self.world)
            extra = [html("<p>Công an đến nhà theo lịch hẹn, theo thời gian mô phỏng:</p>"),
                     widgets.HBox([button("Thời gian trôi 1 ngày", lambda: self.wait(days=1))])
                     ] if "homebound" in v else []
            return [self.households, self.police.widget, *extra, self.visit_log.widget]
        if self.kind == "tai-khoan-dvc":
            self.police = PoliceDesk(self.world)
            self.carrier = CarrierDesk(self.world)
            return [self.carrier.widget, self.police.widget]
        if self.kind == "go-roi-vneid":
            self.carrier = CarrierDesk(self.world)
            self.hotline = HotlineDesk(self.world)
            self.police = PoliceDeviceDesk(self.world, self.phones[0])
            return [self.hotline.widget, self.carrier.widget, self.police.widget]
        return []

    def _own_papers(self) -> str:
        """What the resident hands over when a VNeID feature needs a number: the BHYT card and
        the bank card of their own account (made-up numbers of the simulation)."""
        if self.scenario.values.get("situation") != "tien-ich":
            return ""
        from congdanso.world.identity.wallet import bhyt_number

        person = self.person()
        own = self.world.bank.accounts_of(person.id_number)
        bank = (f"; thẻ ngân hàng của chính người dân: <b>{esc(own[0].bank_name)}</b>, số tài "
                f"khoản <code>{esc(own[0].number)}</code>") if own else ""
        return (f"<p>Người dân đưa: thẻ BHYT cũ số <code>{esc(bhyt_number(person))}</code>{bank}. "
                "Số liệu là mô phỏng.</p>")

    def _put_handsets(self) -> None:
        """The phones of a new-phone problem, the new one in the hand (a lost one is gone)."""
        v, phone = self.scenario.values, self.phones[0]
        vneid = self.world.vneid
        own = vneid.own_handset(phone.person.id_number)
        choices = [] if own.lost else [("Điện thoại cũ của người dân", own.id)]
        for key, label in ((v.get("new_device"), "Điện thoại mới của người dân"),
                           (v.get("borrowed_device"), "Điện thoại mượn của người nhà")):
            handset = vneid.handsets.get(key or "")
            if handset is not None:
                choices.append((label + ("" if handset.nfc else " (không có NFC)"), handset.id))
        phone.set_handsets(choices, v.get("new_device") if v.get("new_device") in
                           vneid.handsets else own.id)

    def _households(self) -> str:
        v = self.scenario.values
        rows = []
        for home in self.world.population.households:
            if home.ward.code != v["ward"] or home.khu_pho != v["khu_pho"]:
                continue
            people = ", ".join(
                f"{esc(p.full_name)} ({'có tài khoản' if self.world.portal.account_of(p.id_number) else 'chưa có'})"
                for p in home.members)
            rows.append(f"<tr><td>{esc(home.id)}</td><td>{esc(home.address)}</td>"
                        f"<td>{people}</td></tr>")
        return (f'<div class="cds-card"><b>Bảng hộ của {esc(v["khu_pho"])}</b> (tài khoản Cổng '
                'DVC của từng người)<table class="cds-table"><tr><th>Hộ</th><th>Địa chỉ</th>'
                f"<th>Thành viên</th></tr>{''.join(rows)}</table></div>")

    # -- actions of the exercise (each also a button) -------------------------------------------
    def wait(self, *, days: int = 0, hours: int = 0) -> None:
        self.world.advance(days=days, hours=hours)

    def receive_copies(self) -> None:
        try:
            self.world.course.receive_copies(self.assignment)
        except DomainError as exc:
            self.copies_note.value = f'<div class="cds-error" role="alert">⚠ {esc(exc.message)}</div>'
            return
        sent = self.scenario.values.get("copies_sent", 2)
        self.copies_note.value = (f'<div class="cds-ok" role="status">✔ Công ty đã gửi lại {sent} '
                                  "bản: xem trong ứng dụng Ký số, mục Tài liệu.</div>")

    def answer(self, question: str, value: str) -> bool:
        return self.answers[question].save(value)

    def _click_restart(self) -> None:
        if not self._confirm_restart:
            self._confirm_restart = True
            # Focus stays on the button: pressing it again is the confirmation.
            self.restart_note.value = ('<div class="cds-note" role="status">ℹ Bấm “Làm lại từ '
                                       'đầu” lần nữa để xác nhận. Mọi việc đã làm trong tình huống '
                                       "sẽ bắt đầu lại.</div>")
            self._forget_restart_note_on_next_action()
            return
        self.restart()
        # The page was rebuilt and the button pressed is gone: the note takes the focus, which
        # brings the page back to where the learner was (theme.FOCUS_JS) instead of the top.
        self._restarts = getattr(self, "_restarts", 0) + 1
        self.restart_note.value = (f'<div class="cds-ok" role="status" tabindex="-1" '
                                   f'data-cds-focus="lam-lai-{self._restarts}">✔ Đã bắt đầu lại '
                                   "từ đầu: tình huống như lúc mới mở bài.</div>")
        self._forget_restart_note_on_next_action()

    def _forget_restart_note_on_next_action(self) -> None:
        """The note under "Làm lại từ đầu" (and a confirmation not given) lasts until the
        learner's next step: any action in the world, or "Kiểm tra"."""
        self.world.unsubscribe(self._forget_restart_note)
        self.world.subscribe(self._forget_restart_note)

    def _forget_restart_note(self, event=None) -> None:
        self.world.unsubscribe(self._forget_restart_note)
        self.restart_note.value = ""
        self._confirm_restart = False

    def _on_event(self, event) -> None:
        if self.assignment not in self.world.course.exercises:  # between Làm lại and restart
            return
        if self.kind == "ho-tro-nguoi-dan" and hasattr(self, "households"):
            self.households.value = self._households()

    # -- progress -------------------------------------------------------------------------------
    def _context(self) -> req.Context:
        """What the checklist looks at. A lesson's practice judges with its own answers; a graded
        exercise has no answer key here (the grader holds it)."""
        from congdanso.grading.key import PRACTICE_ONLY

        _, events = req.events_since_begin(req.journal_bodies(self.world), self.assignment)
        return req.Context(self.world, events, self.scenario,
                           PRACTICE_ONLY if self.spec.get("practice") else None)

    def progress(self) -> list[tuple[str, str, str | None]]:
        """(requirement, title, what to do or None) for each visible step of the checklist."""
        ctx = self._context()
        judge = bool(self.spec.get("practice"))  # a lesson's practice says right or wrong at once
        return [(name, req.title_of(name, self.scenario), req.evaluate(ctx, name, judge=judge))
                for name in self.spec["checklist"]]

    def show_checklist(self) -> list[tuple[str, str, str | None]]:
        self._forget_restart_note()
        rows = self.progress()
        items, hint = [], None
        for _, title, todo in rows:
            mark = "✔ Đã làm" if todo is None else "○ Chưa làm"
            items.append(f"<li>{mark}: {esc(title)}</li>")
            if todo is not None and hint is None:
                hint = todo
        done = sum(1 for row in rows if row[2] is None)
        later = "" if self.spec.get("practice") else (
            "<small>Câu trả lời đúng hay sai sẽ biết khi giảng viên chấm.</small>")
        # A lesson's practice is handed in nowhere; a graded exercise is, with the button at
        # the bottom of the page (learners no longer save notebooks).
        done_text = "✔ Đã làm đủ các bước." if self.spec.get("practice") else (
            "✔ Đã làm đủ các bước. Bấm <b>Nộp bài cho giảng viên</b> ở cuối trang.")
        tip = (f'<div class="cds-note">ℹ Gợi ý cho bước còn thiếu đầu tiên: {esc(hint)}</div>'
               if hint else f'<div class="cds-ok">{done_text}</div>')
        self.checklist.value = (f'<div class="cds-card" role="status"><b>{done}/{len(rows)} bước '
                                f"đã làm</b><ul class=\"cds-checklist\">{''.join(items)}</ul>"
                                f"{tip}{later}</div>")
        return rows

    def submit(self):
        """"Nộp bài cho giảng viên": nbgrader's submit, as the learner, said in Vietnamese."""
        from congdanso.cohort.classwork import submit

        self.submit_note.value = '<div class="cds-note" role="status">Đang nộp bài…</div>'
        result = submit(self.folder, self.assignment)
        mark, kind = ("✔", "cds-ok") if result.ok else ("✘", "cds-error")
        self.submit_note.value = (f'<div class="{kind}" role="status">{mark} '
                                  f"{esc(result.message)}</div>")
        return result

    def kiem_tra(self, *names: str) -> None:
        """What a grade cell calls: in the learner's kernel, progress only (the grader decides)."""
        ctx = self._context()
        for name in names:
            todo = req.evaluate(ctx, name, judge=False)
            if todo is not None:
                raise NotDoneYet(todo)
        print("✔ Đã làm bước này. Điểm do hệ thống chấm quyết định khi nộp bài.")
