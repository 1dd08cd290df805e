"""One-time passwords, CAPTCHA and attempt limits, shared by VNeID and the portal.

OTP codes are real HOTP codes (RFC 4226, via pyotp) from a secret derived from the world's seed
and a counter, so replaying a journal sends the very same codes again.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
from dataclasses import dataclass

from congdanso.world.core.errors import AuthError, LockedError, StateError
from congdanso.world.core.validate import check_otp

OTP_VALID_FOR = dt.timedelta(minutes=5)
MAX_OTP_ATTEMPTS = 5
MAX_PASSWORD_ATTEMPTS = 5
LOCK_FOR = dt.timedelta(minutes=30)
CAPTCHA_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no O/0, I/1: readable for older eyes


def derive_secret(seed: int, purpose: str) -> str:
    digest = hashlib.sha256(f"congdanso:{seed}:{purpose}".encode()).digest()
    return base64.b32encode(digest[:20]).decode()


def hash_secret(seed: int, value: str) -> str:
    """Passwords and passcodes are kept hashed in world state (as a real service would)."""
    return hashlib.sha256(f"{seed}:{value}".encode()).hexdigest()


def lock_text(until: dt.datetime) -> str:
    return f"{until:%H:%M} ngày {until:%d/%m/%Y}"


@dataclass(slots=True)
class OtpChallenge:
    phone: str
    purpose: str
    code: str
    expires: dt.datetime
    attempts: int = 0
    used: bool = False

    def verify(self, typed: str, now: dt.datetime) -> None:
        """Check a typed code; raise a DomainError saying what happened and what to do."""
        value = check_otp(typed)
        if self.used:
            raise StateError(
                'Mã OTP này đã được dùng. Hãy bấm "Gửi lại mã" để nhận mã mới.', field="otp"
            )
        if self.attempts >= MAX_OTP_ATTEMPTS:
            raise LockedError(
                f'Đã nhập sai OTP {MAX_OTP_ATTEMPTS} lần. Hãy bấm "Gửi lại mã" để nhận mã mới.',
                field="otp",
            )
        if now > self.expires:
            raise AuthError(
                "Mã OTP đã hết hạn (mỗi mã chỉ dùng được trong 5 phút). "
                'Hãy bấm "Gửi lại mã" và nhập mã mới nhất.',
                field="otp",
                code="otp_het_han",
            )
        if value != self.code:
            self.attempts += 1
            left = MAX_OTP_ATTEMPTS - self.attempts
            if left == 0:
                raise LockedError(
                    f"Sai mã OTP {MAX_OTP_ATTEMPTS} lần, mã này đã bị huỷ. "
                    'Hãy bấm "Gửi lại mã" để nhận mã mới.',
                    field="otp",
                )
            raise AuthError(
                f"Mã OTP không đúng. Còn {left} lần thử. Hãy đọc kỹ tin nhắn mới "
                "nhất (mã cũ không còn dùng được).",
                field="otp",
            )
        self.used = True


@dataclass(slots=True)
class AttemptLimiter:
    """Counts wrong passwords; locks for ``LOCK_FOR`` after ``MAX_PASSWORD_ATTEMPTS``."""

    failures: int = 0
    locked_until: dt.datetime | None = None

    def check_open(self, now: dt.datetime, what: str) -> None:
        if self.locked_until is not None:
            if now < self.locked_until:
                raise LockedError(
                    f"{what} đang tạm khoá vì nhập sai quá {MAX_PASSWORD_ATTEMPTS} "
                    f"lần. Hãy thử lại sau {lock_text(self.locked_until)}."
                )
            self.locked_until = None
            self.failures = 0

    def fail(
        self, now: dt.datetime, what: str, *, secret: str = "Mật khẩu", field: str = "password"
    ) -> LockedError | AuthError:
        """Count a wrong ``secret`` for ``what`` and return the error to raise."""
        self.failures += 1
        if self.failures >= MAX_PASSWORD_ATTEMPTS:
            self.locked_until = now + LOCK_FOR
            return LockedError(
                f"Sai {secret.lower()} {MAX_PASSWORD_ATTEMPTS} lần: {what} bị tạm "
                f"khoá đến {lock_text(self.locked_until)}.",
                field=field,
            )
        left = MAX_PASSWORD_ATTEMPTS - self.failures
        return AuthError(
            f"{secret} không đúng. Còn {left} lần thử trước khi {what} bị tạm khoá.", field=field
        )

    def succeed(self) -> None:
        self.failures = 0
