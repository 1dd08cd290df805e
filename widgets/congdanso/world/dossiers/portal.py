"""The National Public Service Portal (Cổng Dịch vụ công quốc gia), simulated.

Two ways in: the VNeID QR flow (the way since 1/7/2024: a QR appears, the level-2 VNeID app scans
and confirms it) and the legacy registration (ID, name, birth date, a phone registered to that
ID, CAPTCHA, SMS OTP, password). The citizen profile comes from the population database, so
forms are pre-filled and nothing is declared twice. Dossiers move through the portal's states on
the simulated clock, driven by the ward's one-stop desk (``tick``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from congdanso.world import normalize
from congdanso.world.core.actions import action
from congdanso.world.core.clock import add_working_days, format_time
from congdanso.world.core.errors import (
    AuthError,
    NotFoundError,
    PermissionDeniedError,
    StateError,
    ValidationError,
)
from congdanso.world.core.text import has_diacritics, name_key
from congdanso.world.core.validate import check_full_name, check_password, format_date, parse_date
from congdanso.world.dossiers.procedures import BY_CODE, CATALOGUE, PROFILE_LABELS, Procedure
from congdanso.world.identity.idnumber import clean_id_number, parse_id_number
from congdanso.world.identity.phone import parse_phone
from congdanso.world.identity.security import CAPTCHA_ALPHABET, AttemptLimiter, hash_secret
from congdanso.world.society.people import Person

if TYPE_CHECKING:
    from congdanso.world.world import World

SENDER = "DVCQG"
SERVICE_NAME = "Cổng Dịch vụ công quốc gia"
QR_VALID_FOR = dt.timedelta(minutes=5)
ALLOWED_EXTENSIONS = (".pdf", ".jpg", ".jpeg", ".png")
MAX_ATTACHMENT_KB = 10 * 1024

# Dossier states, in the order of the portal's "Quản lý hồ sơ".
SUBMITTED = "da_nop"
RECEIVED = "da_tiep_nhan"
PROCESSING = "dang_xu_ly"
SUPPLEMENT = "yeu_cau_bo_sung"
RESULT_READY = "co_ket_qua"
RETURNED = "da_tra_ket_qua"
STATUS_LABELS = {
    SUBMITTED: "Đã nộp – chờ tiếp nhận",
    RECEIVED: "Đã tiếp nhận",
    PROCESSING: "Đang xử lý",
    SUPPLEMENT: "Yêu cầu bổ sung hồ sơ",
    RESULT_READY: "Có kết quả",
    RETURNED: "Đã trả kết quả",
}
DELIVERY = {"online": "Nhận kết quả trực tuyến", "post": "Nhận kết quả qua bưu điện tại nhà"}

# What the portal says when an account is made (on the portal and on the phone).
CREATED_BY_VNEID = ("Tài khoản Cổng DVC của bạn đã được tạo bằng danh tính điện tử VNeID. "
                    "Thông tin cá nhân được lấy từ Cơ sở dữ liệu dân cư.")
CREATED_BY_REGISTRATION = "Đăng ký tài khoản Cổng DVC thành công."

# Words people search with besides a procedure's name: the paper it gives or is about. A copy of
# a birth certificate is issued by "Cấp bản sao trích lục hộ tịch", whose name says neither
# "khai sinh" nor "bản sao giấy khai sinh", so a search for "khai sinh" must find it too.
SEARCH_WORDS = {
    "HT-KS": "giấy khai sinh cho trẻ mới sinh",
    "LT-KS-TT-BHYT": "giấy khai sinh, thẻ bảo hiểm y tế cho trẻ em",
    "HT-KT": "giấy chứng tử, người mất",
    "HT-KH": "giấy chứng nhận kết hôn",
    "HT-TLBS": "bản sao giấy khai sinh, bản sao trích lục khai sinh, kết hôn, khai tử",
    "CT-BS": "sao y bản chính",
    "CT-DKTT": "hộ khẩu",
    "CT-DKTTR": "thuê nhà, phòng trọ",
    "CT-GHTTR": "tạm trú sắp hết hạn, thêm thời gian tạm trú",
    "CT-TBLT": "khách đến ở, nhà trọ có người mới đến, chủ nhà trọ báo",
    "CT-KBTV": "đi làm ăn xa, vắng nhà lâu ngày",
}


@dataclass(frozen=True, slots=True)
class TemporaryResidence:
    address: str
    until: dt.date
    dossier: str  # the code of the dossier that set ``until``


def _add_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29/2
        return day.replace(year=day.year + years, day=28)


@dataclass(slots=True)
class PortalAccount:
    id_number: str
    created_via: str  # "vneid" or "legacy"
    created_at: dt.datetime
    password_hash: str | None = None
    logins: AttemptLimiter = field(default_factory=AttemptLimiter)
    notifications: list[str] = field(default_factory=list)

    def record(self) -> dict:
        return {"id_number": self.id_number, "created_via": self.created_via}


@dataclass(slots=True)
class PortalSession:
    token: str
    id_number: str
    via: str
    new_account: bool = False

    def record(self) -> dict:
        return {
            "token": self.token,
            "id_number": self.id_number,
            "via": self.via,
            "new_account": self.new_account,
        }


@dataclass(slots=True)
class LoginQr:
    token: str
    payload: str
    expires: dt.datetime
    service: str = SERVICE_NAME
    confirmed_by: str | None = None
    used: bool = False

    def record(self) -> dict:
        return {"token": self.token, "payload": self.payload, "expires": self.expires.isoformat()}


@dataclass(slots=True)
class Captcha:
    id: str
    text: str  # what the picture shows; a view draws it, a test reads it

    def record(self) -> dict:
        return {"id": self.id, "text": self.text}


@dataclass(slots=True)
class Registration:
    id: str
    id_number: str
    phone: str
    email: str | None

    def record(self) -> dict:
        return {"id": self.id, "id_number": self.id_number, "phone": self.phone}


@dataclass(slots=True)
class Attachment:
    kind: str
    file: str
    quality: str = "ro"  # "ro" (clear) or "mo" (blurred: the desk will ask for it again)
    size_kb: int = 300

    def record(self) -> dict:
        return {
            "kind": self.kind,
            "file": self.file,
            "quality": self.quality,
            "size_kb": self.size_kb,
        }


@dataclass(slots=True)
class Dossier:
    code: str
    procedure: Procedure
    id_number: str
    ward_code: str
    submitted_at: dt.datetime
    data: dict[str, Any]
    attachments: list[Attachment]
    delivery: str
    status: str = SUBMITTED
    due: dt.datetime | None = None
    next_change: dt.datetime | None = None
    supplement_reason: str | None = None
    fee_status: str | None = None  # None (free), "cho_thanh_toan", "da_thanh_toan"
    fee_receipt: dict[str, str] | None = None
    result_document: dict[str, str] | None = None
    history: list[tuple[str, str, str]] = field(default_factory=list)  # (time, status, note)

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.status]

    @property
    def fee(self) -> int:
        return self.procedure.fee

    @property
    def fee_reference(self) -> str:
        return f"PHI-{self.code}"

    def record(self) -> dict:
        return {
            "code": self.code,
            "procedure": self.procedure.code,
            "status": self.status,
            "id_number": self.id_number,
            "delivery": self.delivery,
        }

    def lookup_view(self) -> dict[str, Any]:
        """What "Tra cứu hồ sơ" shows: procedure, status, dates, history — no personal data."""
        return {
            "Mã hồ sơ": self.code,
            "Thủ tục": self.procedure.name,
            "Cơ quan giải quyết": self.procedure.agency,
            "Trạng thái": self.status_label
            + (" – chờ thanh toán phí" if self.fee_status == "cho_thanh_toan" else ""),
            "Ngày nộp": format_time(self.submitted_at),
            "Hạn trả kết quả": format_time(self.due) if self.due else "Chưa xác định",
            "Quá trình xử lý": [
                f"{t} — {label}" + (f": {note}" if note else "") for t, label, note in self.history
            ],
        }


class PortalService:
    def __init__(self, world: World):
        self.world = world
        self.accounts: dict[str, PortalAccount] = {}
        self.sessions: dict[str, PortalSession] = {}
        self.login_qrs: dict[str, LoginQr] = {}
        self.captchas: dict[str, Captcha] = {}
        self.registrations: dict[str, Registration] = {}
        self.dossiers: dict[str, Dossier] = {}

    # -- reading (not journaled: nothing changes) ---------------------------------------------
    @property
    def catalogue(self) -> tuple[Procedure, ...]:
        return CATALOGUE

    def search(self, text: str) -> list[Procedure]:
        """Search procedures by the words of their name, field or the papers they give
        (``SEARCH_WORDS``), typed with or without diacritics, in any case. Procedures whose name
        holds every word come first."""
        words = normalize.fold(text).replace(",", " ").split()

        def has_all(haystack: str) -> bool:
            folded = normalize.fold(haystack)
            return all(w in folded for w in words)

        by_name = [p for p in CATALOGUE if has_all(p.name)]
        rest = [p for p in CATALOGUE if p not in by_name and has_all(
            f"{p.name} {p.field_area} {SEARCH_WORDS.get(p.code, '')}")]
        return by_name + rest

    def procedure(self, code: str) -> Procedure:
        try:
            return BY_CODE[code]
        except KeyError:
            raise NotFoundError(
                f"Không có thủ tục mã {code!r} trong danh mục.", field="procedure"
            ) from None

    def _session(self, token: str) -> tuple[PortalSession, PortalAccount]:
        session = self.sessions.get(token)
        if session is None:
            raise StateError("Phiên đăng nhập Cổng DVC đã hết hoặc không đúng. Hãy đăng nhập lại.")
        return session, self.accounts[session.id_number]

    def profile(self, token: str) -> dict[str, str]:
        """The citizen's profile, pre-filled from the population database."""
        session, _ = self._session(token)
        return self._profile(self._person(session.id_number))

    def _person(self, id_number: str) -> Person:
        return self.world.population.require(id_number)

    def _profile(self, person: Person) -> dict[str, str]:
        household = self.world.population.household_of(person)
        return {
            "full_name": person.full_name,
            "birth_date": person.birth_date_text,
            "gender": person.gender,
            "id_number": person.id_number,
            "phone": person.phone or "",
            "email": person.email or "",
            "permanent_address": household.full_address,
            "household_head": household.head.full_name,
            "relation_to_head": person.relation,
        }

    def form(self, token: str, procedure_code: str) -> dict[str, Any]:
        """The dossier form: pre-filled part (to confirm) and what the citizen must add."""
        procedure = self.procedure(procedure_code)
        profile = self.profile(token)
        return {
            "procedure": procedure,
            "prefilled": {PROFILE_LABELS[k]: profile[k] for k in procedure.prefilled},
            "to_fill": procedure.extra_fields,
            "documents": procedure.documents,
        }

    def notifications(self, token: str) -> list[str]:
        _, account = self._session(token)
        return list(account.notifications)

    def my_dossiers(self, token: str) -> list[Dossier]:
        session, _ = self._session(token)
        return [d for d in self.dossiers.values() if d.id_number == session.id_number]

    def account_of(self, id_number: str) -> PortalAccount | None:
        return self.accounts.get(clean_id_number(id_number))

    # -- logging in with VNeID (QR) -----------------------------------------------------------
    @action("portal.start_vneid_login")
    def start_vneid_login(self) -> LoginQr:
        """ "Đăng nhập" → "Tài khoản định danh điện tử cấp bởi Bộ Công an": a QR appears."""
        token = self.world.token("portal-qr")
        qr = LoginQr(token, f"DVCQG-VNEID-LOGIN:{token}", self.world.now + QR_VALID_FOR)
        self.login_qrs[token] = qr
        return qr

    def login_qr_by_payload(self, payload: str) -> LoginQr:
        text = str(payload).strip()
        if not text.startswith("DVCQG-VNEID-LOGIN:"):
            raise ValidationError(
                "Mã QR này không phải mã đăng nhập của Cổng Dịch vụ công. Chỉ "
                "quét mã hiện trên trang dichvucong.gov.vn; mã lạ có thể là "
                "lừa đảo.",
                field="qr",
            )
        qr = self.login_qrs.get(text.split(":", 1)[1])
        if qr is None:
            raise NotFoundError(
                "Mã QR không còn hợp lệ. Trên Cổng DVC, bấm lại “Đăng nhập bằng tài khoản "
                "định danh điện tử (VNeID)” để lấy mã mới.", field="qr"
            )
        if qr.used:
            raise StateError(
                "Mã QR này đã được dùng để đăng nhập. Trên Cổng DVC, bấm lại “Đăng nhập bằng "
                "tài khoản định danh điện tử (VNeID)” để lấy mã mới.", field="qr"
            )
        if self.world.now > qr.expires:
            raise StateError(
                "Mã QR đã hết hạn (5 phút). Trên Cổng DVC, bấm lại “Đăng nhập bằng tài khoản "
                "định danh điện tử (VNeID)” rồi quét mã mới.",
                field="qr",
            )
        return qr

    def confirm_login_qr(self, token: str, id_number: str) -> None:
        self.login_qrs[token].confirmed_by = id_number

    @action("portal.finish_vneid_login")
    def finish_vneid_login(self, qr_token: str) -> PortalSession:
        """The portal page notices the confirmation and logs the citizen in (first time: the
        account is created from the VNeID identity, nothing to type)."""
        qr = self.login_qrs.get(qr_token)
        if qr is None:
            raise NotFoundError("Không có phiên đăng nhập bằng mã QR này.", field="qr")
        if qr.used:
            raise StateError("Mã QR này đã được dùng. Hãy bấm lại “Đăng nhập bằng tài khoản "
                             "định danh điện tử (VNeID)” để lấy mã mới.", field="qr")
        if qr.confirmed_by is None:
            if self.world.now > qr.expires:
                raise StateError(
                    "Mã QR đã hết hạn trước khi được xác nhận. Hãy lấy mã mới.", field="qr"
                )
            raise StateError(
                "Chưa xác nhận trên ứng dụng VNeID. Hãy quét mã bằng VNeID và nhập "
                "passcode để xác nhận.",
                field="qr",
            )
        qr.used = True
        id_number = qr.confirmed_by
        new = id_number not in self.accounts
        if new:
            self.accounts[id_number] = PortalAccount(id_number, "vneid", self.world.now)
            self._notify(id_number, CREATED_BY_VNEID)
        session = PortalSession(self.world.token("portal-session"), id_number, "vneid", new)
        self.sessions[session.token] = session
        return session

    # -- legacy registration ------------------------------------------------------------------
    @action("portal.new_captcha")
    def new_captcha(self) -> Captcha:
        n = self.world.counter("captcha")
        rng = __import__("random").Random(f"{self.world.seed}:captcha:{n}")
        captcha = Captcha(f"cap{n}", "".join(rng.choice(CAPTCHA_ALPHABET) for _ in range(5)))
        self.captchas[captcha.id] = captcha
        return captcha

    @action("portal.register")
    def register(
        self,
        id_number: str,
        full_name: str,
        birth_date: str,
        phone: str,
        captcha_id: str,
        captcha_answer: str,
        email: str | None = None,
    ) -> Registration:
        """Legacy "Đăng ký → Công dân": checked against the population database; sends an OTP."""
        captcha = self.captchas.pop(captcha_id, None)
        if captcha is None:
            raise StateError(
                "Mã xác nhận (CAPTCHA) đã hết hạn. Hãy bấm “Đổi ảnh khác” và nhập mã mới.",
                field="captcha",
            )
        if str(captcha_answer).strip().upper() != captcha.text:
            raise AuthError(
                "Mã xác nhận không đúng. Hãy nhập lại các ký tự trong ảnh mới "
                "(không phân biệt chữ hoa, chữ thường).",
                field="captcha",
            )
        parse_id_number(id_number)
        name = check_full_name(full_name)
        birth = parse_date(birth_date, today=self.world.now.date())
        number = parse_phone(phone)
        person = self._person(id_number)
        if not has_diacritics(name) and has_diacritics(person.full_name):
            raise ValidationError(
                "Họ tên phải viết tiếng Việt có dấu, đúng như trên thẻ căn cước.", field="full_name"
            )
        if name_key(name) != name_key(person.full_name):
            raise ValidationError(
                "Họ tên không khớp với số định danh trong Cơ sở dữ liệu dân cư. Hãy chép "
                "đúng từng chữ trên thẻ căn cước.",
                field="full_name",
            )
        if birth != person.birth_date:
            parts = parse_id_number(person.id_number)
            raise ValidationError(
                "Ngày sinh không khớp với Cơ sở dữ liệu dân cư (năm sinh mã hoá trong số định danh là "
                f"{parts.birth_year}). Hãy xem ngày sinh trên thẻ căn cước (ngày/tháng/năm).",
                field="birth_date")
        if self.world.carrier.owner_of(number) != person.id_number:
            raise PermissionDeniedError(
                "Số điện thoại này chưa đăng ký thuê bao chính chủ cho số định danh trên. Soạn TTTB "
                "gửi 1414 để xem thuê bao đứng tên ai; nếu không đúng, ra cửa hàng nhà mạng để cập "
                "nhật.",
                field="phone",
            )
        if person.id_number in self.accounts:
            raise StateError(
                "Số định danh này đã có tài khoản Cổng DVC. Hãy đăng nhập (hoặc dùng "
                '"Quên mật khẩu").',
                field="id_number",
            )
        if email:
            email = email.strip()
            if "@" not in email or "." not in email.rsplit("@", 1)[-1]:
                raise ValidationError(
                    "Địa chỉ thư điện tử chưa đúng dạng (ví dụ ten@example.vn).", field="email"
                )
        registration = Registration(
            self.world.token("registration"), person.id_number, number, email or None
        )
        self.registrations[registration.id] = registration
        self.world.issue_otp(
            number,
            "portal-register",
            SENDER,
            "Mã OTP đăng ký tài khoản Cổng DVC quốc gia là {code}. Mã có hiệu "
            "lực 5 phút. Không cung cấp mã này cho bất kỳ ai.",
        )
        return registration

    @action("portal.confirm_registration", secret=("otp", "password", "confirm"))
    def confirm_registration(
        self, registration_id: str, otp: str, password: str, confirm: str
    ) -> PortalAccount:
        registration = self.registrations.get(registration_id)
        if registration is None:
            raise StateError("Không có yêu cầu đăng ký nào đang chờ. Hãy đăng ký lại từ đầu.")
        check_password(password)
        if password != confirm:
            raise ValidationError("Hai lần nhập mật khẩu không giống nhau.", field="confirm")
        self.world.otps[f"portal-register:{registration.phone}"].verify(otp, self.world.now)
        account = PortalAccount(
            registration.id_number, "legacy", self.world.now, hash_secret(self.world.seed, password)
        )
        self.accounts[registration.id_number] = account
        del self.registrations[registration_id]
        self._notify(registration.id_number, CREATED_BY_REGISTRATION)
        return account

    @action("portal.login", secret=("password",))
    def login(self, id_number: str, password: str) -> PortalSession:
        """Log in with ID number and password (accounts made by the legacy registration)."""
        parse_id_number(id_number)
        account = self.accounts.get(clean_id_number(id_number))
        if account is None:
            raise NotFoundError(
                "Số định danh này chưa có tài khoản Cổng DVC. Hãy đăng nhập bằng "
                "VNeID (tài khoản được tạo tự động).",
                field="id_number",
            )
        if account.password_hash is None:
            raise StateError(
                'Tài khoản này được tạo bằng VNeID: hãy chọn "Đăng nhập bằng tài '
                'khoản định danh điện tử" và quét mã QR.',
                field="password",
            )
        account.logins.check_open(self.world.now, "Tài khoản Cổng DVC")
        if hash_secret(self.world.seed, password) != account.password_hash:
            raise account.logins.fail(self.world.now, "tài khoản Cổng DVC")
        account.logins.succeed()
        session = PortalSession(self.world.token("portal-session"), account.id_number, "password")
        self.sessions[session.token] = session
        return session

    @action("portal.logout")
    def logout(self, token: str) -> None:
        self._session(token)
        del self.sessions[token]

    # -- dossiers -----------------------------------------------------------------------------
    def _check_field(self, spec, value: Any) -> Any:
        if value is None or (isinstance(value, str) and not value.strip()):
            if spec.required:
                raise ValidationError(f'Chưa nhập "{spec.label}".', field=spec.key)
            return None
        if spec.kind == "date":
            return format_date(parse_date(value, field=spec.key))
        if spec.kind == "id_number":
            parse_id_number(value)
            return clean_id_number(value)
        if spec.kind == "choice":
            if str(value).strip().casefold() not in {c.casefold() for c in spec.choices}:
                raise ValidationError(
                    f'"{spec.label}" phải là một trong: ' + ", ".join(spec.choices) + ".",
                    field=spec.key,
                )
            return str(value).strip()
        if spec.kind == "int":
            try:
                number = int(value)
            except (TypeError, ValueError):
                raise ValidationError(f'"{spec.label}" phải là một số.', field=spec.key) from None
            if not 1 <= number <= 50:
                raise ValidationError(f'"{spec.label}" phải từ 1 đến 50.', field=spec.key)
            return number
        return " ".join(str(value).split())

    @staticmethod
    def _check_stay_elsewhere(home, stay_address: str) -> None:
        """Tạm trú is registered at a place outside the ward of thường trú (Luật Cư trú 2020,
        art. 27): a stay in one's own ward needs no registration."""
        from congdanso.world.society.places import ward_for

        for part in (p.strip() for p in stay_address.split(",")):
            ward, _ = ward_for(part)  # "Phường Lái Thiêu", "Lái Thiêu", an old name too
            if ward is not None and ward.code == home.code:
                raise ValidationError(
                    f"Nơi tạm trú ở cùng {home.name} với nơi thường trú. Tạm trú chỉ đăng ký ở "
                    "nơi ngoài phường, xã nơi thường trú (Luật Cư trú 2020, điều 27); ở trong "
                    "phường mình thì không cần đăng ký tạm trú.",
                    field="stay_address",
                )

    def temporary_residence(self, id_number: str) -> TemporaryResidence | None:
        """The person's tạm trú as the police confirmed it: the place of the last registration
        with a result, until the date of its last confirmed extension."""
        done = (RESULT_READY, RETURNED)
        mine = sorted((d for d in self.dossiers.values()
                       if d.id_number == id_number and d.status in done
                       and d.procedure.code in ("CT-DKTTR", "CT-GHTTR")),
                      key=lambda d: d.submitted_at)
        registrations = [d for d in mine if d.procedure.code == "CT-DKTTR"]
        if not registrations:
            return None
        first = registrations[-1]
        extensions = [d for d in mine if d.procedure.code == "CT-GHTTR"
                      and d.submitted_at >= first.submitted_at]
        last = extensions[-1] if extensions else first
        return TemporaryResidence(first.data["stay_address"],
                                  parse_date(last.data["stay_until"]), last.code)

    def _check_extension(self, person: Person, data: dict[str, Any]) -> None:
        """Gia hạn tạm trú (Luật Cư trú 2020, art. 27–28): for a tạm trú still running, asked in
        the 15 days before it ends, for at most 2 years at a time."""
        current = self.temporary_residence(person.id_number)
        if current is None:
            raise ValidationError(
                "Người này chưa có tạm trú nào đã được công an xác nhận, nên chưa có gì để gia "
                "hạn. Hãy làm thủ tục Đăng ký tạm trú.", field="stay_until")
        today = self.world.now.date()
        if current.until < today:
            raise ValidationError(
                f"Tạm trú đã hết hạn ngày {format_date(current.until)}. Gia hạn phải làm trong "
                "15 ngày trước khi hết hạn (Luật Cư trú 2020, điều 28); trong mô phỏng này, hết "
                "hạn rồi thì làm lại thủ tục Đăng ký tạm trú.", field="stay_until")
        wanted = parse_date(data["stay_until"], field="stay_until")
        if wanted <= current.until:
            raise ValidationError(
                f"Tạm trú hiện còn đến {format_date(current.until)}: ngày gia hạn đến phải sau "
                "ngày đó.", field="stay_until")
        limit = _add_years(current.until, 2)
        if wanted > limit:
            raise ValidationError(
                "Mỗi lần đăng ký hoặc gia hạn, tạm trú được tối đa 2 năm (Luật Cư trú 2020, điều "
                f"27): chọn ngày không quá {format_date(limit)}.", field="stay_until")

    def _check_notice_of_stay(self, host: Person, data: dict[str, Any]) -> None:
        """Thông báo lưu trú (Luật Cư trú 2020, art. 2 and 30): the host reports a guest who
        stays less than 30 days; from 30 days on the guest registers tạm trú."""
        start = parse_date(data["stay_from"], field="stay_from")
        end = parse_date(data["stay_to"], field="stay_to")
        if clean_id_number(data["guest_id_number"]) == host.id_number:
            raise ValidationError(
                "Người gửi thông báo là chủ nhà (chủ nhà trọ); ô này ghi số định danh của người "
                "đến ở.", field="guest_id_number")
        if end < start:
            raise ValidationError("Ngày đến phải trước ngày đi.", field="stay_to")
        if (end - start).days >= 30:
            raise ValidationError(
                "Lưu trú là ở dưới 30 ngày (Luật Cư trú 2020, điều 2). Người đến ở từ 30 ngày "
                "trở lên thì tự làm thủ tục Đăng ký tạm trú; chủ nhà đồng ý cho ở.",
                field="stay_to")

    def _check_absence(self, person: Person, home, data: dict[str, Any]) -> None:
        """Khai báo tạm vắng (Luật Cư trú 2020, art. 31.1.d): someone leaving the ward of
        thường trú for 12 months or more, unless they registered tạm trú at the new place."""
        from congdanso.world.society.places import ward_for

        start = parse_date(data["away_from"], field="away_from")
        end = parse_date(data["away_until"], field="away_until")
        if end <= start:
            raise ValidationError("Ngày về phải sau ngày đi.", field="away_until")
        going = [ward_for(part)[0] for part in data["destination"].split(",")]
        if any(w is not None and w.code == home.code for w in going):
            raise ValidationError(
                f"Nơi đến vẫn ở {home.name}, nơi thường trú: không phải khai báo tạm vắng.",
                field="destination")
        stay = self.temporary_residence(person.id_number)
        if stay is not None and stay.until >= start:
            raise ValidationError(
                f"Người dân đã đăng ký tạm trú ở nơi ở mới ({stay.address}) nên không phải khai "
                "báo tạm vắng (Luật Cư trú 2020, điều 31).", field="destination")
        if _add_years(start, 1) > end:
            raise ValidationError(
                "Người dân chỉ phải khai báo tạm vắng khi đi khỏi phường, xã nơi thường trú từ 12 "
                "tháng liên tục trở lên mà chưa đăng ký tạm trú ở nơi mới (Luật Cư trú 2020, điều "
                "31). Người đang tại ngoại, chấp hành án, trong độ tuổi nghĩa vụ quân sự… có quy "
                "định riêng: hỏi công an phường. (Mô phỏng này không nhận khai báo ngắn hơn.)",
                field="away_until")

    def _attachments(self, procedure: Procedure, attachments: list[dict]) -> list[Attachment]:
        result = []
        for item in attachments:
            try:
                attachment = Attachment(**item)
            except TypeError:
                raise ValidationError("Tệp đính kèm không hợp lệ.", field="attachments") from None
            if not attachment.file.lower().endswith(ALLOWED_EXTENSIONS):
                raise ValidationError(
                    f'Tệp "{attachment.file}" không đúng định dạng: chỉ nhận PDF, JPG hoặc PNG.',
                    field="attachments",
                )
            if attachment.size_kb > MAX_ATTACHMENT_KB:
                raise ValidationError(
                    f'Tệp "{attachment.file}" quá lớn (tối đa 10 MB). Hãy chụp '
                    "lại với độ phân giải thấp hơn.",
                    field="attachments",
                )
            result.append(attachment)
        kinds = {a.kind for a in result}
        for spec in procedure.documents:
            if spec.required and spec.kind not in kinds:
                raise ValidationError(f"Thiếu giấy tờ bắt buộc: {spec.label}.", field="attachments")
        return result

    @action("portal.submit_dossier")
    def submit_dossier(
        self,
        token: str,
        procedure_code: str,
        fields: dict[str, Any],
        attachments: list[dict] | None = None,
        delivery: str = "online",
        confirm_prefilled: bool = True,
    ) -> Dossier:
        """Submit a dossier: pre-filled data confirmed, extra fields, attachments, delivery."""
        session, _ = self._session(token)
        return self.submit_for(session.id_number, procedure_code, fields, attachments, delivery,
                               confirm_prefilled)

    def submit_for(
        self,
        id_number: str,
        procedure_code: str,
        fields: dict[str, Any],
        attachments: list[dict] | None = None,
        delivery: str = "online",
        confirm_prefilled: bool = True,
        channel: str = "Cổng DVC",
    ) -> Dossier:
        """A dossier of an identified citizen (a portal session, or the VNeID app's own
        procedures); the checks are the same whichever way it comes."""
        procedure = self.procedure(procedure_code)
        if not confirm_prefilled:
            raise ValidationError(
                "Hãy đọc lại phần thông tin lấy từ Cơ sở dữ liệu dân cư rồi tích ô “Tôi xác nhận "
                "thông tin lấy từ Cơ sở dữ liệu dân cư ở trên là đúng”.",
                field="confirm_prefilled",
            )
        retyped = sorted(set(fields) & set(PROFILE_LABELS))
        if retyped:
            labels = ", ".join(PROFILE_LABELS[k] for k in retyped)
            raise ValidationError(
                f"Không cần khai lại: {labels} — đã có sẵn từ Cơ sở dữ liệu dân cư. Nếu "
                "thông tin sai, người dân cần điều chỉnh tại công an phường.",
                field=retyped[0],
            )
        unknown = set(fields) - {s.key for s in procedure.extra_fields}
        if unknown:
            raise ValidationError(
                "Biểu mẫu không có ô: " + ", ".join(sorted(unknown)) + ".", field=sorted(unknown)[0]
            )
        data = {
            spec.key: self._check_field(spec, fields.get(spec.key))
            for spec in procedure.extra_fields
        }
        files = self._attachments(procedure, attachments or [])
        if delivery not in DELIVERY:
            raise ValidationError(
                "Hãy chọn cách nhận kết quả: trực tuyến hoặc qua bưu điện.", field="delivery"
            )
        person = self._person(id_number)
        ward = self.world.population.household_of(person).ward
        if procedure.code == "CT-DKTTR":
            self._check_stay_elsewhere(ward, data.get("stay_address") or "")
        elif procedure.code == "CT-GHTTR":
            self._check_extension(person, data)
        elif procedure.code == "CT-TBLT":
            self._check_notice_of_stay(person, data)
        elif procedure.code == "CT-KBTV":
            self._check_absence(person, ward, data)
        n = self.world.counter("dossier")
        code = f"H74.{ward.code}-{self.world.now:%y%m%d}-{n:04d}"
        dossier = Dossier(
            code,
            procedure,
            person.id_number,
            ward.code,
            self.world.now,
            {**self._profile(person), **data},
            files,
            delivery,
        )
        dossier.next_change = self.world.now + dt.timedelta(minutes=30)
        self._log(dossier, "Người dân nộp hồ sơ trực tuyến"
                  + ("" if channel == "Cổng DVC" else f" qua {channel}"))
        self.dossiers[code] = dossier
        self._notify(person.id_number, f"Hồ sơ {code} ({procedure.name}) đã được nộp.")
        if person.phone:
            self.world.send_sms(
                person.phone,
                SENDER,
                f"Hồ sơ {code} đã được nộp thành công. Tra "
                "cứu tình trạng trên Cổng DVC bằng mã hồ sơ.",
            )
        return dossier

    def submitted_earlier(self, id_number: str, procedure_code: str, fields: dict[str, Any],
                          attachments: list[dict], *, days_ago: int) -> Dossier:
        """A dossier the citizen sent some days ago, processed by the desk since (a scenario's
        starting state, inside its journaled action): the clock runs from then to now."""
        now = self.world.clock.now
        then = now - dt.timedelta(days=days_ago)
        account = self.accounts.get(id_number)
        if account is not None and account.created_at > then:
            # The citizen filed it from her account, so the account is older than the dossier:
            # made (in the same sitting) just before it, not when the scenario was set up.
            self._date_account(account, then - dt.timedelta(minutes=10))
        self.world.clock.now = then
        try:
            dossier = self.submit_for(id_number, procedure_code, fields, attachments)
        finally:
            self.world.clock.now = now
        self.tick(now)
        return dossier

    def registered_earlier(self, id_number: str, stay_address: str, stay_until: str, *,
                           days_ago: int) -> Dossier:
        """A tạm trú the resident registered some days ago and the police confirmed (fee paid,
        result received): a scenario's starting state, inside its journaled action."""
        contract = [{"kind": "hop_dong_thue", "file": "hop-dong-thue-nha-cu.pdf", "quality": "ro"}]
        dossier = self.submitted_earlier(id_number, "CT-DKTTR",
                                         {"stay_address": stay_address, "stay_until": stay_until},
                                         contract, days_ago=days_ago)
        then = self.world.now - dt.timedelta(days=days_ago - 3)
        dossier.fee_status, dossier.status, dossier.next_change = "da_thanh_toan", RETURNED, None
        self._log(dossier, "Công an phường xác nhận đăng ký tạm trú; người dân đã nhận kết quả",
                  then)
        return dossier

    @action("portal.lookup")
    def lookup(self, code: str) -> dict[str, Any]:
        """ "Tra cứu hồ sơ" by its code (no login needed)."""
        dossier = self.dossiers.get(normalize.code(code))
        if dossier is None:
            raise NotFoundError(
                "Không tìm thấy hồ sơ có mã này. Hãy chép đúng mã trong tin nhắn "
                'hoặc trong mục "Quản lý hồ sơ" (gồm chữ, số và dấu gạch).',
                field="code",
            )
        return dossier.lookup_view()

    @action("portal.supplement")
    def supplement(self, token: str, code: str, attachments: list[dict]) -> Dossier:
        """Send the documents the desk asked for; the dossier goes back to processing."""
        session, _ = self._session(token)
        dossier = self._own_dossier(session, code)
        if dossier.status != SUPPLEMENT:
            raise StateError("Hồ sơ này không có yêu cầu bổ sung.")
        files = self._attachments(dossier.procedure, attachments)
        if any(a.quality != "ro" for a in files):
            raise ValidationError(
                "Ảnh giấy tờ vẫn bị mờ. Hãy chụp lại nơi đủ sáng, giữ máy "
                "thẳng, thấy rõ bốn góc giấy.",
                field="attachments",
            )
        kinds = {a.kind for a in files}
        dossier.attachments = [a for a in dossier.attachments if a.kind not in kinds] + files
        dossier.status = PROCESSING
        dossier.supplement_reason = None
        dossier.next_change = self._result_time(dossier, self.world.now)
        dossier.due = dossier.next_change
        self._log(dossier, "Người dân đã bổ sung hồ sơ")
        return dossier

    @action("portal.download_result")
    def download_result(self, token: str, code: str) -> dict[str, str]:
        session, _ = self._session(token)
        dossier = self._own_dossier(session, code)
        if dossier.status not in {RESULT_READY, RETURNED}:
            raise StateError(f"Hồ sơ chưa có kết quả (trạng thái: {dossier.status_label}).")
        if dossier.delivery != "online":
            raise StateError(
                "Hồ sơ này chọn nhận kết quả qua bưu điện; kết quả sẽ được gửi về nhà."
            )
        assert dossier.result_document is not None
        if dossier.status == RESULT_READY:
            dossier.status = RETURNED
            self._log(dossier, "Người dân đã tải kết quả trực tuyến")
        return dossier.result_document

    # -- fees (Nền tảng thanh toán) --------------------------------------------------------------
    def dossier_by_fee_reference(self, reference: str) -> Dossier | None:
        return self.dossiers.get(reference.removeprefix("PHI-"))

    @action("portal.fee_payment")
    def fee_payment(self, token: str, code: str) -> dict[str, Any]:
        """ "Yêu cầu thanh toán": the amount and a payment QR of the payment platform."""
        from congdanso.world.money.vietqr import VietQR, encode

        session, _ = self._session(token)
        dossier = self._own_dossier(session, code)
        if dossier.fee_status is None:
            raise StateError(
                "Hồ sơ này không có yêu cầu thanh toán (thủ tục miễn phí hoặc chưa được tiếp nhận)."
            )
        if dossier.fee_status == "da_thanh_toan":
            raise StateError(
                'Phí của hồ sơ này đã được thanh toán. Xem biên lai ở mục "Đã thanh toán".',
                code="da_thanh_toan",
            )
        platform = self.world.bank.billers["phi_dvc"]
        payload = encode(
            VietQR(
                platform.bank_bin,
                platform.number,
                amount=dossier.fee,
                dynamic=True,
                additional={"05": dossier.fee_reference, "08": "TAP HUAN PHI DVC"},
            )
        )
        return {
            "code": dossier.code,
            "amount": dossier.fee,
            "payee": platform.holder,
            "reference": dossier.fee_reference,
            "qr": payload,
        }

    def fee_paid(self, reference: str, transfer: Any) -> None:
        """Called by the bank when the platform receives a fee payment."""
        dossier = self.dossier_by_fee_reference(reference)
        if dossier is None or dossier.fee_status != "cho_thanh_toan":
            return
        if transfer.amount != dossier.fee:
            return
        now = self.world.now
        dossier.fee_status = "da_thanh_toan"
        dossier.fee_receipt = {
            "Số biên lai": f"BLP{self.world.counter('fee-receipt'):07d}",
            "Đơn vị thu": dossier.procedure.agency + " " + self._ward_name(dossier),
            "Người nộp": self._person(dossier.id_number).full_name,
            "Nội dung": f"{dossier.procedure.name} – hồ sơ {dossier.code}",
            "Số tiền": dossier.procedure.fee_text,
            "Mã giao dịch": transfer.id,
            "Thời gian": format_time(now),
            "Ghi chú": "Biên lai mô phỏng dùng để tập huấn",
        }
        dossier.status = PROCESSING
        dossier.due = self._result_time(dossier, now)
        dossier.next_change = dossier.due
        self._log(dossier, f"Đã thanh toán {dossier.procedure.fee_text}; chuyển xử lý")
        self._notify(dossier.id_number, f"Hồ sơ {dossier.code}: đã nhận thanh toán phí, lệ phí.")

    @action("portal.download_receipt")
    def download_receipt(self, token: str, code: str) -> dict[str, str]:
        """The e-receipt (biên lai) under "Đã thanh toán"."""
        session, _ = self._session(token)
        dossier = self._own_dossier(session, code)
        if dossier.fee_receipt is None:
            raise StateError("Hồ sơ chưa được thanh toán nên chưa có biên lai.")
        return dossier.fee_receipt

    def receipt_pdf(self, token: str, code: str) -> bytes:
        """The fee receipt (biên lai) as a PDF, as downloaded under "Đã thanh toán"."""
        from congdanso.world.dossiers.documents import receipt

        session, _ = self._session(token)
        dossier = self._own_dossier(session, code)
        if dossier.fee_receipt is None:
            raise StateError("Hồ sơ chưa được thanh toán nên chưa có biên lai.")
        return receipt(title="Biên lai thu phí, lệ phí", rows=dossier.fee_receipt,
                       when=self.world.now)

    def _own_dossier(self, session: PortalSession, code: str) -> Dossier:
        dossier = self.dossiers.get(normalize.code(code))
        if dossier is None or dossier.id_number != session.id_number:
            raise NotFoundError(
                "Không tìm thấy hồ sơ này trong tài khoản đang đăng nhập.", field="code"
            )
        return dossier

    # -- the ward's Trung tâm Phục vụ hành chính công (the one-stop desk), driven by the clock --
    def _result_time(self, dossier: Dossier, start: dt.datetime) -> dt.datetime:
        days = dossier.procedure.processing_days
        return add_working_days(start, days) if days else start + dt.timedelta(hours=3)

    def tick(self, now: dt.datetime) -> None:
        for dossier in self.dossiers.values():
            while dossier.next_change is not None and dossier.next_change <= now:
                self._step(dossier, dossier.next_change)

    def _step(self, dossier: Dossier, when: dt.datetime) -> None:
        if dossier.status == SUBMITTED:
            dossier.status = RECEIVED
            dossier.due = self._result_time(dossier, when)
            self._log(
                dossier, "Trung tâm Phục vụ hành chính công phường đã tiếp nhận; hẹn trả "
                f"{format_time(dossier.due)}", when
            )
            dossier.next_change = when + dt.timedelta(minutes=30)
            if dossier.fee > 0:
                dossier.fee_status = "cho_thanh_toan"
                dossier.next_change = None  # processing starts once the fee is paid
                self._log(
                    dossier, f"Yêu cầu thanh toán phí, lệ phí {dossier.procedure.fee_text}", when
                )
                self._notify(
                    dossier.id_number,
                    f"Hồ sơ {dossier.code}: yêu cầu thanh toán "
                    f"{dossier.procedure.fee_text}. Vào Quản lý hồ sơ → Yêu cầu thanh "
                    "toán.",
                    when,
                )
        elif dossier.status == RECEIVED:
            dossier.status = PROCESSING
            self._log(dossier, "Chuyển cán bộ chuyên môn xử lý", when)
            blurred = [a for a in dossier.attachments if a.quality != "ro"]
            if blurred:
                dossier.next_change = when + dt.timedelta(hours=2)
            else:
                dossier.next_change = dossier.due
        elif dossier.status == PROCESSING:
            blurred = [a for a in dossier.attachments if a.quality != "ro"]
            if blurred:
                dossier.status = SUPPLEMENT
                dossier.supplement_reason = (
                    f'Ảnh "{blurred[0].file}" bị mờ, không đọc được. '
                    "Đề nghị chụp lại rõ nét và bổ sung."
                )
                dossier.next_change = None
                self._log(dossier, dossier.supplement_reason, when)
                self._notify(
                    dossier.id_number,
                    f"Hồ sơ {dossier.code} cần bổ sung: {dossier.supplement_reason}",
                    when,
                )
                return
            dossier.status = RESULT_READY
            dossier.result_document = {
                "title": dossier.procedure.result,
                "dossier": dossier.code,
                "issued_by": f"{dossier.procedure.agency} {self._ward_name(dossier)}",
                "issued_at": format_time(when),
                "note": "Tài liệu mô phỏng dùng để tập huấn",
            }
            self._log(dossier, "Đã có kết quả", when)
            self._notify(dossier.id_number, f"Hồ sơ {dossier.code} đã có kết quả.", when)
            if dossier.delivery == "post":
                dossier.next_change = add_working_days(when, 2)
            else:
                dossier.next_change = None
        elif dossier.status == RESULT_READY:  # only reached for delivery by post
            dossier.status = RETURNED
            dossier.next_change = None
            self._log(dossier, "Bưu điện đã giao kết quả đến địa chỉ của người dân", when)
            self._notify(
                dossier.id_number, f"Kết quả hồ sơ {dossier.code} đã được giao qua bưu điện.", when
            )

    def _ward_name(self, dossier: Dossier) -> str:
        from congdanso.world.society.places import WARDS_BY_CODE

        return WARDS_BY_CODE[dossier.ward_code].name.removeprefix("Phường ")

    def _log(self, dossier: Dossier, note: str, when: dt.datetime | None = None) -> None:
        dossier.history.append((format_time(when or self.world.now), dossier.status_label, note))

    def _date_account(self, account: PortalAccount, when: dt.datetime) -> None:
        """Give an account the world time it was made at, with the message that said so (on
        the portal and on the phone) moved to that time."""
        made = account.created_at
        account.created_at = when
        for text in (CREATED_BY_VNEID, CREATED_BY_REGISTRATION):
            stamped = f"[{format_time(made)}] {text}"
            if stamped in account.notifications:
                account.notifications.remove(stamped)
                account.notifications.insert(0, f"[{format_time(when)}] {text}")
            person = self.world.population.get(account.id_number)
            if person is None or not person.phone:
                continue
            messages = self.world.inboxes[person.phone].messages
            found = next((m for m in messages if m.sender == SENDER and m.text == text
                          and m.time == made), None)
            if found is not None:
                messages.remove(found)
                later = next((i for i, m in enumerate(messages) if m.time > when),
                             len(messages))
                messages.insert(later, replace(found, time=when))

    def _notify(self, id_number: str, text: str, when: dt.datetime | None = None) -> None:
        account = self.accounts.get(id_number)
        if account is not None:
            account.notifications.append(f"[{format_time(when or self.world.now)}] {text}")
        person = self.world.population.get(id_number)
        if person is not None and person.phone:
            self.world.inboxes.send(person.phone, SENDER, text, when or self.world.now, kind="app")
