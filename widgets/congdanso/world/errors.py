"""Domain errors: every failure a citizen can meet, with a Vietnamese message saying what to do.

A ``DomainError`` is an expected outcome (wrong OTP, bad ID number), not a bug: views show its
``message`` next to the field named by ``field``, the journal records its ``code``, and replay
must reproduce it exactly.
"""

from __future__ import annotations


class DomainError(Exception):
    """An expected failure of a citizen's action, explained in Vietnamese."""

    code: str = "loi"

    def __init__(self, message: str, *, code: str | None = None, field: str | None = None):
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code
        self.field = field

    def record(self) -> dict[str, str | None]:
        """What the journal stores about this failure (and what replay must reproduce)."""
        return {
            "type": type(self).__name__,
            "code": self.code,
            "field": self.field,
            "message": self.message,
        }


class ValidationError(DomainError):
    """A typed value is malformed: wrong length, wrong characters, impossible date."""

    code = "du_lieu_sai"


class NotFoundError(DomainError):
    """The thing asked for does not exist in the world (no such person, dossier, account)."""

    code = "khong_tim_thay"


class StateError(DomainError):
    """The action is not possible now (already activated, not yet approved, wrong step)."""

    code = "sai_buoc"


class AuthError(DomainError):
    """Wrong password, OTP, passcode or CAPTCHA."""

    code = "xac_thuc_sai"


class LockedError(DomainError):
    """Too many wrong attempts: the account or challenge is locked for a while."""

    code = "bi_khoa"


class PermissionDeniedError(DomainError):
    """The account's level or the person's situation does not allow this action."""

    code = "khong_du_quyen"
