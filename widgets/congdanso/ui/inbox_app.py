"""Messages: the phone's SMS and app notifications (where OTPs arrive)."""

from __future__ import annotations

from congdanso.ui.base import AppView, esc, html, vbox
from congdanso.world.core.clock import format_time


class InboxApp(AppView):
    title = "Tin nhắn"

    def __init__(self, phone):
        super().__init__(phone)
        self.list = html()
        self.screens["list"] = vbox([
            html('<p class="cds-note">Mã OTP, passcode, mã PIN chỉ để chính người dân '
                         "nhập. Không đọc cho ai qua điện thoại — công an, ngân hàng không bao "
                         "giờ hỏi.</p>"), self.list])
        self.show("list")
        self.refresh()

    @property
    def messages(self):
        if not self.person.phone:
            return []
        return list(self.world.inboxes[self.person.phone].messages)

    def latest_otp(self) -> str | None:
        """The code in the newest message that has one, as a person reads it off the screen."""
        return self.world.inboxes[self.person.phone].latest_otp() if self.person.phone else None

    def refresh(self):
        items = []
        for message in reversed(self.messages[-30:]):
            kind = "Thông báo" if message.kind == "app" else "SMS"
            items.append(f'<div class="cds-sms"><b>{esc(message.sender)}</b> · {kind} · '
                         f"<small>{esc(format_time(message.time))}</small><br>"
                         f"{esc(message.text)}</div>")
        self.list.value = "".join(items) or "<p>Chưa có tin nhắn.</p>"
