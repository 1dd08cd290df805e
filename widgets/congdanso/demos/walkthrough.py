"""Presenter mode for a support point: one synthetic resident, from VNeID to a signed contract.

Each step runs the real actions of the simulated world (so the OTP, the QR, the pre-filled form,
the receipt and the signature are the ones the world makes) and shows on the left what the
volunteer says and does, on the right what the resident's phone shows.

>>> show = Walkthrough()
>>> show.next(); show.step
1

The world moves forward only; "Quay lại" shows a step already made, "Làm lại từ đầu" starts a new
world with the same resident, so a presenter can repeat the story as often as needed.
"""

from __future__ import annotations

import base64
from collections.abc import Callable
from dataclasses import dataclass, field

import ipywidgets as widgets

from congdanso.demos.style import (
    OutreachApp,
    banner,
    big_button,
    frame,
    message,
    rows_table,
    side_by_side,
)
from congdanso.ui.base import esc, html
from congdanso.world.core.errors import DomainError

PASSWORD = "TapHuan@2026"
PASSCODE = "258036"
PIN = "258036"
PURPOSE = "Mua bán nhà đất"  # she is married: not "to marry" (kept plausible)
PROCEDURE = "HT-XNHN"  # Giấy xác nhận tình trạng hôn nhân: has a fee, fully online


@dataclass
class Page:
    title: str
    say: list[str]
    screen: str
    done: str = ""  # one line for the summary


@dataclass
class Story:
    """What the steps made, for the steps after them."""

    world: object
    person: object
    vneid: object = None
    portal: object = None
    dossier: object = None
    done: list[str] = field(default_factory=list)


def _sms(text: str) -> str:
    return f'<div class="cdsd-sms">✉ {esc(text)}</div>'


def _png(data: bytes, alt: str, width: int = 260) -> str:
    encoded = base64.b64encode(data).decode()
    return f'<img src="data:image/png;base64,{encoded}" alt="{esc(alt)}" width="{width}">'


def _latest_sms(story: Story) -> str:
    messages = story.world.inbox(story.person.phone).messages
    return str(messages[-1]) if messages else ""


def meet(story: Story) -> Page:
    person, world = story.person, story.world
    household = world.population.household_of(person)
    age = person.age_on(world.now.date())
    return Page(
        "Gặp người dân",
        [f"Chào chị {person.full_name.split()[-1]}, "
         f"{age} tuổi, ở {household.khu_pho}, {household.ward.name}.",
         "Chị cần giấy xác nhận tình trạng hôn nhân để làm thủ tục mua bán nhà đất, và sắp ký "
         "hợp đồng lao động với công ty.",
         "Trước tiên xem chị có đủ ba thứ: thẻ căn cước gắn chip, điện thoại đứng tên mình, "
         "và sẵn sàng tự nhập mật khẩu (người hỗ trợ không giữ hộ)."],
        '<div class="cdsd-card"><h3>Người dân (mô phỏng)</h3>' + rows_table({
            "Họ và tên": person.full_name,
            "Số định danh": person.id_number,
            "Điện thoại": f"{person.phone} (đứng tên chính chủ)",
            "Địa chỉ": household.full_address,
            "Thẻ căn cước gắn chip": "✔ Có" if person.has_chip_card else "✘ Chưa có",
        }) + "</div>" + message("Dữ liệu giả lập: không phải người thật.", "note"),
        "Kiểm tra giấy tờ và điện thoại chính chủ",
    )


def vneid(story: Story) -> Page:
    from congdanso.world.identity.vneid import SECURITY_QUESTIONS

    world, person = story.world, story.person
    with_card = world.vneid.account_of(person.id_number) is not None  # made with the card
    if not with_card:
        world.police.enroll_level2(person.id_number, person.phone)
    world.vneid.activate(person.id_number, person.phone)
    otp_sms = _latest_sms(story)
    world.vneid.verify_otp(person.id_number, world.inbox(person.phone).latest_otp())
    world.vneid.set_password(person.id_number, PASSWORD, PASSWORD)
    world.vneid.set_passcode(person.id_number, PASSCODE, PASSCODE)
    world.vneid.set_security_questions(person.id_number, list(SECURITY_QUESTIONS[:2]),
                                       ["Trường Tiểu học Lái Thiêu", "Bông"])
    story.vneid = world.vneid.login(person.id_number, PASSWORD)
    account = world.vneid.account_of(person.id_number)
    return Page(
        "Tài khoản định danh điện tử (VNeID) mức 2",
        [("Chị đã có tài khoản mức 2 từ khi làm thẻ căn cước: chỉ cần kích hoạt. "
          if with_card else "")
         + "Mức 2 đăng ký tại công an phường, có chụp ảnh khuôn mặt và lấy vân tay. "
         "Không có \"mức 3\"; không ai kích hoạt hộ qua cuộc gọi.",
         "Khi được duyệt, VNeID gửi mã OTP về đúng số điện thoại của chị.",
         "Chị tự nhập mã OTP, tự đặt mật khẩu và passcode 6 số. Người hỗ trợ quay đi "
         "khi chị gõ."],
        "<h3>Điện thoại của chị</h3>" + _sms(otp_sms)
        + rows_table({"Tài khoản": f"Định danh điện tử mức {account.level}",
                 "Trạng thái": "✔ Đã kích hoạt", "Mật khẩu": "•••••••• (chị tự đặt)",
                 "Passcode": "•••••• (chị tự đặt)"}),
        "VNeID mức 2 đã kích hoạt",
    )


def portal(story: Story) -> Page:
    from congdanso.world.money.qrimage import to_png

    world = story.world
    qr = world.portal.start_vneid_login()
    world.vneid.scan_qr(story.vneid.token, qr.payload)
    world.vneid.confirm_qr(story.vneid.token, qr.payload, PASSCODE)
    story.portal = world.portal.finish_vneid_login(qr.token)
    profile = world.portal.profile(story.portal.token)
    return Page(
        "Đăng nhập Cổng Dịch vụ công bằng VNeID",
        ["Không cần đăng ký tài khoản riêng: trên Cổng DVC chọn \"Đăng nhập bằng tài khoản "
         "định danh điện tử\"; Cổng hiện một mã QR.",
         "Chị mở VNeID, quét mã, đọc kỹ ai xin truy cập, rồi nhập passcode để xác nhận.",
         "Cổng lấy sẵn họ tên, ngày sinh, địa chỉ từ Cơ sở dữ liệu dân cư — không phải khai lại."],
        "<h3>Cổng DVC hiện mã QR đăng nhập</h3>"
        + _png(to_png(qr.payload, caption="MÃ ĐĂNG NHẬP TẬP HUẤN"), "Mã QR đăng nhập Cổng DVC",
               200)
        + message("VNeID: đã xác nhận truy cập bằng passcode.", "ok")
        + rows_table({"Xin chào": profile["full_name"], "Số định danh": profile["id_number"],
                 "Nơi thường trú": profile["permanent_address"]}),
        "Đăng nhập Cổng DVC bằng VNeID",
    )


def dossier(story: Story) -> Page:
    world = story.world
    form = world.portal.form(story.portal.token, PROCEDURE)
    story.dossier = world.portal.submit_dossier(story.portal.token, PROCEDURE,
                                                {"purpose": PURPOSE})
    world.advance(hours=1)
    prefilled = "".join(f"<tr><th scope='row'>{esc(k)}</th><td>{esc(v)} "
                        f"<span class='cdsd-badge'>điền sẵn</span></td></tr>"
                        for k, v in form["prefilled"].items())
    label = form["to_fill"][0].label
    return Page(
        f"Nộp hồ sơ: {form['procedure'].name}",
        ["Tìm thủ tục theo tên. Phần thông tin cá nhân đã điền sẵn từ Cơ sở dữ liệu dân cư: chỉ cần "
         "đọc lại và tích \"Tôi xác nhận\".",
         f"Chị chỉ gõ một ô: {label.split(' (')[0]} = \"{PURPOSE}\".",
         f"Nộp xong có mã hồ sơ để tra cứu; lệ phí {form['procedure'].fee_text}, thời hạn "
         f"{form['procedure'].processing_text.rstrip('.')}."],
        f'<table class="cdsd-table">{prefilled}<tr><th scope="row">{esc(label)}</th>'
        f"<td>{esc(PURPOSE)} ✍</td></tr></table>"
        + message(f"Đã nộp hồ sơ. Mã hồ sơ: {story.dossier.code}", "ok")
        + rows_table({"Trạng thái": story.dossier.status_label,
                 "Tiếp theo": "Chờ thanh toán phí"}),
        f"Nộp hồ sơ {story.dossier.code} không khai lại thông tin",
    )


def fee(story: Story) -> Page:
    from congdanso.world.money.qrimage import to_png
    from congdanso.world.money.vietqr import decode

    world, person = story.world, story.person
    request = world.portal.fee_payment(story.portal.token, story.dossier.code)
    account = world.bank.open_account(person.id_number, "999701", "NganHang@1")
    world.bank.deposit_cash("999701", account.number, 500_000)
    session = world.bank.login("999701", account.number, "NganHang@1")
    transfer = world.bank.scan_qr(session.token, request["qr"])
    receiver = transfer.receiver_name
    world.bank.confirm_transfer(session.token, transfer.id, receiver_confirmed=True,
                                otp=world.inbox(person.phone).latest_otp())
    receipt = world.portal.download_receipt(story.portal.token, story.dossier.code)
    shown = dict(decode(request["qr"]).explain())
    return Page(
        "Trả lệ phí không dùng tiền mặt",
        ["Cổng DVC hiện mã QR thanh toán của hồ sơ; chị quét bằng ứng dụng ngân hàng.",
         f"Trước khi bấm chuyển: đọc to tên người nhận \"{receiver}\" và số tiền — "
         "đúng mới chuyển.",
         "Ngân hàng gửi OTP; chị tự nhập. Biên lai điện tử về ngay trên Cổng DVC."],
        _png(to_png(request["qr"]), "Mã QR thanh toán phí (tập huấn)", 220)
        + rows_table({"Ngân hàng": shown["Ngân hàng"], "Số tiền": shown["Số tiền"],
                 "Tên người nhận": receiver})
        + message(f"Đã thanh toán. Biên lai {receipt['Số biên lai']}, "
                  f"{receipt['Số tiền']}.", "ok"),
        f"Trả lệ phí {receipt['Số tiền']} bằng QR, có biên lai",
    )


def sign(story: Story) -> Page:
    world, person = story.world, story.person
    world.kyso.request_certificate(person.id_number, "vneid", story.vneid.token)
    otp_sms = _latest_sms(story)
    world.kyso.activate(person.id_number, world.inbox(person.phone).latest_otp(), PIN, PIN)
    contract = world.kyso.new_document(person.id_number, "hop_dong")
    request = world.kyso.start_signing(person.id_number, contract.id)
    signed = world.kyso.confirm_signing(request.id, PIN)
    verdict = world.kyso.verify(signed["id"])
    return Page(
        "Ký hợp đồng lao động bằng chữ ký số",
        ["Chữ ký số cá nhân: xin chứng thư chữ ký số bằng VNeID mức 2 (không phải đi đâu), kích hoạt "
         "bằng OTP, chị tự đặt mã PIN.",
         "Mở hợp đồng, đặt chữ ký vào trang, xác nhận bằng PIN — chữ ký có giá trị như ký tay.",
         "Kiểm tra lại tệp đã ký: phải thấy \"Chữ ký hợp lệ\" và đúng tên người ký."],
        "<h3>Ứng dụng ký số trên điện thoại</h3>" + _sms(otp_sms)
        + rows_table({"Tài liệu": signed["name"], "Kết luận": "✔ " + verdict["title"],
                 "Người ký": verdict["signer"], "Tổ chức cấp": verdict["issuer"]}),
        "Ký số hợp đồng lao động, chữ ký hợp lệ",
    )


def summary(story: Story) -> Page:
    items = "".join(f"<li>✔ {esc(line)}</li>" for line in story.done)
    return Page(
        "Tổng kết",
        ["Một buổi ở điểm hỗ trợ: chị đã có VNeID mức 2, tài khoản Cổng DVC, chữ ký số, và "
         "làm xong một thủ tục từ nhà.",
         "Nhắc chị: không bao giờ đọc OTP, passcode, mã PIN cho ai — kể cả người xưng là công an "
         "hay cán bộ.",
         "Hướng dẫn chị tra cứu kết quả hồ sơ và nhận giấy xác nhận trên Cổng DVC."],
        f'<div class="cdsd-card"><h3>Đã làm được</h3><ul class="cdsd-say">{items}</ul></div>',
    )


STEPS: tuple[Callable[[Story], Page], ...] = (meet, vneid, portal, dossier, fee, sign, summary)


class Walkthrough(OutreachApp):
    """Step-by-step presenter view; ``next``/``back``/``reset`` mirror its buttons."""

    def __init__(self, *, seed: int = 74):
        self.seed = seed
        self.title = html()
        self.say = html()
        self.screen = html()
        self.notice = html()
        self.back_button = big_button("◀ Quay lại", self.back, tooltip="Về bước trước")
        self.next_button = big_button("Tiếp theo ▶", self.next, style="primary",
                                      tooltip="Làm bước tiếp theo")
        self.reset_button = big_button("↺ Làm lại từ đầu", self.reset,
                                       tooltip="Bắt đầu lại từ bước 1 với cùng người dân")
        left = widgets.VBox([self.say], layout=widgets.Layout(flex="3 1 380px"))
        right = widgets.VBox([self.screen], layout=widgets.Layout(flex="2 1 320px"))
        columns = widgets.HBox([left, right])  # side by side on a projector, stacked on a phone
        columns.add_class("cdsd-columns")
        self.widget = frame([
            banner("Điểm hỗ trợ dịch vụ công trực tuyến",
                   "Trình chiếu: giúp một người dân từ VNeID đến ký hợp đồng bằng chữ ký số"),
            self.title, self.notice, columns,
            # "Tiếp theo" first: after a step, the next Tab goes to it, never to "Làm lại".
            side_by_side([self.next_button, self.back_button, self.reset_button]),
        ], name="walkthrough")
        self.reset()

    # -- what the buttons do -------------------------------------------------------------------
    def reset(self) -> None:
        from congdanso.world import World

        world = World(seed=self.seed)
        # The story is told about one resident, a woman of Khu phố Đông Nhì (as in the seed article).
        self.story = Story(world, world.population.practice_residents()[0])
        self.pages: list[Page] = []
        self.step = 0
        self._make(0)

    def next(self) -> None:
        if self.step + 1 < len(STEPS):
            self._make(self.step + 1)

    def back(self) -> None:
        if self.step > 0:
            self.step -= 1
            self._render()

    def _make(self, index: int) -> None:
        """Show step ``index``, running its actions first if this world has not yet done so."""
        self.notice.value = ""
        if index >= len(self.pages):
            # Not disabled while it runs: a disabled button loses the keyboard focus.
            self.notice.value = message("Đang thực hiện…", "note")
            try:
                page = STEPS[index](self.story)
            except DomainError as exc:  # the world refused: say so and stay on this step
                self.notice.value = message(f"{exc.message} Bấm \"Làm lại từ đầu\".", "error")
                return
            self.pages.append(page)
            if page.done:
                self.story.done.append(page.done)
        self.step = index
        self._render()

    # -- what the screen shows -----------------------------------------------------------------
    def _render(self) -> None:
        page = self.pages[self.step]
        total = len(STEPS)
        dots = " ".join("●" if i <= self.step else "○" for i in range(total))
        self.title.value = (f'<div class="cdsd-step" aria-live="polite">Bước {self.step + 1}/'
                            f"{total} <span aria-hidden='true'>{dots}</span></div>"
                            f"<h2>{esc(page.title)}</h2>")
        items = "".join(f"<li>{esc(line)}</li>" for line in page.say)
        self.say.value = (f'<div class="cdsd-card"><h3>Người hỗ trợ nói và làm</h3>'
                          f'<ol class="cdsd-say">{items}</ol></div>')
        self.screen.value = f'<div class="cdsd-screen">{page.screen}</div>'
        self.notice.value = ""
        self.back_button.disabled = self.step == 0
        self.next_button.disabled = self.step == total - 1
        if self.next_button.disabled:  # the last step: the keyboard goes on to "Làm lại"
            self.reset_button.focus()
        self.next_button.description = ("Tiếp theo ▶" if self.step < total - 1
                                        else "Đã hết các bước")

    @property
    def page(self) -> Page:
        return self.pages[self.step]
