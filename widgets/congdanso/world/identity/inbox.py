"""SMS and app notifications, per phone number: where OTPs and approval messages arrive."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from congdanso.world.core.clock import format_time

_OTP = re.compile(r"\b(\d{6})\b")


@dataclass(frozen=True, slots=True)
class Message:
    time: dt.datetime
    sender: str  # "VNeID", "DVCQG", a short code...
    text: str
    kind: str = "sms"  # "sms" or "app"

    def otp(self) -> str | None:
        match = _OTP.search(self.text)
        return match.group(1) if match else None

    def record(self) -> dict[str, str]:
        return {
            "time": self.time.isoformat(),
            "sender": self.sender,
            "text": self.text,
            "kind": self.kind,
        }

    def __str__(self) -> str:
        return f"[{format_time(self.time)}] {self.sender}: {self.text}"


@dataclass(slots=True)
class Inbox:
    phone: str
    messages: list[Message] = field(default_factory=list)

    def latest(self, sender: str | None = None) -> Message | None:
        for message in reversed(self.messages):
            if sender is None or message.sender == sender:
                return message
        return None

    def latest_otp(self, sender: str | None = None) -> str | None:
        """The code in the newest message that carries one (what a person reads off the SMS)."""
        for message in reversed(self.messages):
            if (sender is None or message.sender == sender) and message.otp():
                return message.otp()
        return None

    def __len__(self) -> int:
        return len(self.messages)


class Inboxes:
    """All inboxes of the world, created on first use."""

    def __init__(self) -> None:
        self._by_phone: dict[str, Inbox] = {}

    def __getitem__(self, phone: str) -> Inbox:
        if phone not in self._by_phone:
            self._by_phone[phone] = Inbox(phone)
        return self._by_phone[phone]

    def send(
        self, phone: str, sender: str, text: str, when: dt.datetime, kind: str = "sms"
    ) -> None:
        self[phone].messages.append(Message(when, sender, text, kind))
