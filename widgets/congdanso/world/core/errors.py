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


# What the operating system says, in Vietnamese (its own words are English whatever the locale).
_OS_ERRORS = {
    "ENOENT": "không có tệp hay thư mục này",
    "EACCES": "không có quyền đọc hoặc ghi",
    "EPERM": "không được phép",
    "EISDIR": "đây là một thư mục, không phải tệp",
    "ENOTDIR": "một phần của đường dẫn không phải thư mục",
    "ENOSPC": "ổ đĩa đã đầy",
    "EDQUOT": "đã hết dung lượng được cấp",
    "EROFS": "ổ đĩa chỉ cho đọc",
    "EEXIST": "tệp đã có",
    "ENAMETOOLONG": "tên tệp quá dài",
    "EMFILE": "mở quá nhiều tệp cùng lúc",
    "EBUSY": "tệp đang được dùng",
    "ELOOP": "đường dẫn vòng lặp liên kết",
    "EIO": "lỗi đọc ghi ổ đĩa",
    "EFBIG": "tệp quá lớn",
    "ENOTEMPTY": "thư mục không trống",
    "EXDEV": "không chuyển được sang ổ đĩa khác",
    "ETIMEDOUT": "hết thời gian chờ",
    "ECONNREFUSED": "máy kia từ chối kết nối",
}


def os_error_vi(exc: OSError) -> str:
    """An ``OSError`` said in Vietnamese, with the file it is about."""
    import errno

    name = errno.errorcode.get(exc.errno or 0, "")
    what = _OS_ERRORS.get(name, f"lỗi hệ điều hành {name or exc.errno}".strip())
    where = exc.filename if exc.filename is not None else ""
    return f"{what} ({where})" if where else what
