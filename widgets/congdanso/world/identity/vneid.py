"""VNeID, the electronic-identification app (Decree 69/2024/NĐ-CP), and the ward police desk.

Level 1 is registered in the app (ID number, phone, face photo). Level 2 needs the citizen in
person at the ward police (photo and fingerprints) — nobody can do it for someone else, and
there is no "level 3". After approval an SMS arrives and the citizen activates: ID + phone → SMS
OTP → password (8–20 characters, four kinds) → 6-digit passcode → two security questions → log
in again. Wrong-attempt limits and lock times are this simulation's choices (the real ones are
not published); the steps are the real ones. A new phone, the device list and the hotline are in
``devices``; the documents wallet and the social-payment account in ``wallet``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from congdanso.world.core.actions import action
from congdanso.world.core.errors import (
    AuthError,
    NotFoundError,
    PermissionDeniedError,
    StateError,
    ValidationError,
)
from congdanso.world.core.text import clean_name
from congdanso.world.core.validate import check_passcode, check_vneid_password
from congdanso.world.identity.devices import DeviceCode, DeviceFeatures, Handset
from congdanso.world.identity.phone import parse_phone
from congdanso.world.identity.security import AttemptLimiter, hash_secret
from congdanso.world.identity.wallet import WalletFeatures
from congdanso.world.society.people import Person

if TYPE_CHECKING:
    from congdanso.world.world import World

SENDER = "VNeID"
RESET = "vneid-reset"  # OTP purpose: forgotten password
RESIDENCE_PROCEDURES = {"CT-DKTTR": "Đăng ký tạm trú", "CT-GHTTR": "Gia hạn tạm trú",
                        "CT-TBLT": "Thông báo lưu trú"}
SECURITY_QUESTIONS = (
    "Tên trường tiểu học đầu tiên của bạn là gì?",
    "Tên người bạn thân nhất thời thơ ấu của bạn là gì?",
    "Món ăn bạn thích nhất là gì?",
    "Tên con vật nuôi đầu tiên của bạn là gì?",
    "Bạn sinh ra ở bệnh viện/xã nào?",
)
MIN_AGE = 14  # an own account without a parent (Decree 69/2024/NĐ-CP, art. 7)
CHILD_LEVEL2_AGE = 6  # from 6 a child may have level 2, when a parent asks

# Account statuses, in the order a citizen meets them.
PENDING = "cho_duyet"  # registered, waiting for approval
APPROVED = "da_duyet"  # approval SMS sent: ready to activate
ACTIVATING = "dang_kich_hoat"  # activation started (OTP, password, passcode, questions)
ACTIVE = "hoat_dong"
STATUS_LABELS = {
    PENDING: "Chờ phê duyệt",
    APPROVED: "Đã phê duyệt — chờ kích hoạt",
    ACTIVATING: "Đang kích hoạt",
    ACTIVE: "Đang hoạt động",
}
ACTIVATION_STEPS = ("otp", "password", "passcode", "questions")


@dataclass(slots=True)
class VneidAccount:
    id_number: str
    phone: str
    level: int
    status: str
    registered_at: dt.datetime
    registered_via: str  # "app" (level 1 in the app) or "cong_an" (in person at ward police)
    step: str | None = None  # next activation step
    password_hash: str | None = None
    passcode_hash: str | None = None
    questions: list[str] = field(default_factory=list)
    answers_hash: list[str] = field(default_factory=list)
    logins: AttemptLimiter = field(default_factory=AttemptLimiter)
    passcode_attempts: AttemptLimiter = field(default_factory=AttemptLimiter)
    answer_attempts: AttemptLimiter = field(default_factory=AttemptLimiter)
    device: str | None = None  # the one phone logged in (None until the first login)
    devices: list[str] = field(default_factory=list)  # "Quản lý thiết bị"
    pending_device: str | None = None  # a new phone whose password was right: waiting
    device_code: DeviceCode | None = None  # the code that lets it in
    hotline_locked: bool = False  # locked through 1900 0368 (a lost phone)
    documents: list[str] = field(default_factory=list)  # "Ví giấy tờ" (wallet.DOCUMENTS)
    social_account: dict | None = None  # "Tài khoản hưởng an sinh xã hội"
    reset_step: str | None = None  # "Quên mật khẩu": "otp" → "face" → "password"

    def record(self) -> dict:
        return {
            "id_number": self.id_number,
            "phone": self.phone,
            "level": self.level,
            "status": self.status,
            "step": self.step,
            "registered_via": self.registered_via,
        }

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.status]


@dataclass(slots=True)
class VneidSession:
    token: str
    id_number: str
    level: int
    device: str = ""  # the phone this session is on

    def record(self) -> dict:
        return {"token": self.token, "id_number": self.id_number, "level": self.level,
                "device": self.device}


@dataclass(slots=True)
class PendingScan:
    """A portal login QR scanned in the app, waiting for the citizen's confirmation."""

    qr_token: str
    id_number: str
    service: str


class VneidService(DeviceFeatures, WalletFeatures):
    """The VNeID app and its back end."""

    def __init__(self, world: World):
        self.world = world
        self.accounts: dict[str, VneidAccount] = {}
        self.sessions: dict[str, VneidSession] = {}
        self.handsets: dict[str, Handset] = {}
        self.pending_scans: dict[str, PendingScan] = {}
        self._accounts_made_with_cards()

    def _accounts_made_with_cards(self) -> None:
        """Most adults' level-2 account already exists: the ward police made it when the chip
        card was issued, and the approval SMS has been waiting in the phone since. It still has
        to be activated in the app (BRIEF, "2026 facts")."""
        today = self.world.now.date()
        for person in self.world.population.people:
            if not (person.level2_with_card and person.has_chip_card and person.phone
                    and person.phone_registered_to == person.id_number
                    and person.age_on(today) >= MIN_AGE):
                continue
            issued = dt.datetime.combine(person.card_issued_on, dt.time(9, 30))
            account = VneidAccount(person.id_number, person.phone, 2, APPROVED, issued,
                                   "cong_an")
            self.accounts[person.id_number] = account
            self.world.inboxes.send(person.phone, SENDER, _approval_text(2), issued, "sms")

    # -- helpers ------------------------------------------------------------------------------
    def _person(self, id_number: str) -> Person:
        return self.world.population.require(id_number)

    def _account(self, id_number: str) -> VneidAccount:
        person = self._person(id_number)
        account = self.accounts.get(person.id_number)
        if account is None:
            raise NotFoundError(
                "Số định danh này chưa có tài khoản VNeID. Hãy đăng ký trong ứng "
                "dụng (mức 1) hoặc đến công an phường (mức 2).",
                field="id_number",
            )
        return account

    def _session(self, token: str) -> tuple[VneidSession, VneidAccount]:
        session = self.sessions.get(token)
        if session is None:
            raise StateError("Phiên đăng nhập VNeID đã hết hoặc không đúng. Hãy đăng nhập lại.")
        return session, self.accounts[session.id_number]

    def _check_age(self, person: Person, *, level: int, guardian: str | None = None
                   ) -> Person | None:
        """Who may have an own account (Decree 69/2024/NĐ-CP, art. 7): from 14 on their own;
        from 6 to under 14 (level 1 or 2) and under 6 (level 1 only) when a parent or guardian
        asks and comes along; a child needs a căn cước card. Returns the guardian, if any."""
        age = person.age_on(self.world.now.date())
        if age >= MIN_AGE:
            return None
        kinds = "mức 1 hoặc mức 2" if age >= CHILD_LEVEL2_AGE else "chỉ mức 1"
        if guardian is None:
            raise PermissionDeniedError(
                f"{person.full_name} mới {age} tuổi. Trẻ dưới {MIN_AGE} tuổi vẫn có tài khoản "
                f"riêng ({kinds}, Nghị định 69/2024/NĐ-CP, điều 7) nhưng phải do cha, mẹ hoặc "
                "người giám hộ đề nghị và đi cùng. Cha mẹ cũng có thể tích hợp thông tin của "
                "con vào tài khoản của mình.",
                field="guardian",
            )
        adult = self._person(guardian)
        household = self.world.population.household_of(person)
        if (adult not in household.members or adult.id_number == person.id_number
                or adult.age_on(self.world.now.date()) < 18):
            raise PermissionDeniedError(
                f"{adult.full_name} không phải cha, mẹ hay người giám hộ (người lớn cùng hộ) "
                f"của {person.full_name}: hãy nhờ đúng cha, mẹ hoặc người giám hộ đi cùng.",
                field="guardian",
            )
        if level == 2 and age < CHILD_LEVEL2_AGE:
            raise PermissionDeniedError(
                f"{person.full_name} mới {age} tuổi: trẻ dưới {CHILD_LEVEL2_AGE} tuổi chỉ đăng "
                "ký được tài khoản mức 1 (Nghị định 69/2024/NĐ-CP, điều 7), do cha mẹ đề nghị."
            )
        if not person.has_chip_card:
            raise PermissionDeniedError(
                f"{person.full_name} chưa có thẻ căn cước: trẻ em cần có thẻ căn cước trước khi "
                "cha mẹ đề nghị tài khoản riêng cho con."
            )
        return adult

    def _phone_owner_ok(self, number: str, person: Person, guardian: Person | None) -> bool:
        """The number is the person's own — or, for a child, the parent's who came along."""
        owner = self.world.carrier.owner_of(number)
        return owner == person.id_number or (guardian is not None
                                             and owner == guardian.id_number)

    def _approve(self, account: VneidAccount) -> None:
        account.status = APPROVED
        self.world.send_sms(account.phone, SENDER, _approval_text(account.level))

    def account_of(self, id_number: str) -> VneidAccount | None:
        """Read-only: the account of an ID number, if any."""
        try:
            return self.accounts.get(self._person(id_number).id_number)
        except (ValidationError, NotFoundError):
            return None

    # -- level 1 registration in the app ------------------------------------------------------
    @action("vneid.register")
    def register(self, id_number: str, phone: str, face_photo: bool = True,
                 guardian: str | None = None) -> VneidAccount:
        """Register a level-1 account in the app with ID number, phone and a face photo (for a
        child under 14, ``guardian`` is the parent who asks, whose phone may be used)."""
        person = self._person(id_number)
        number = parse_phone(phone)
        adult = self._check_age(person, level=1, guardian=guardian)
        if person.id_number in self.accounts:
            account = self.accounts[person.id_number]
            raise StateError(
                f"Số định danh này đã có tài khoản VNeID mức {account.level} "
                f"({account.status_label.lower()}). Không đăng ký lại; hãy kích hoạt "
                "hoặc đăng nhập.",
                field="id_number",
            )
        if not self._phone_owner_ok(number, person, adult):
            raise PermissionDeniedError(
                "Số điện thoại này không đăng ký chính chủ cho số định danh trên (kiểm tra bằng "
                "cách soạn TTTB gửi 1414). Hãy dùng số đứng tên người dân, hoặc ra cửa hàng nhà "
                "mạng để chuẩn hoá thông tin thuê bao.",
                field="phone",
            )
        if not face_photo:
            raise ValidationError(
                "Cần chụp ảnh chân dung của chính người đăng ký (đủ sáng, "
                "không đeo kính, nhìn thẳng).",
                field="face_photo",
            )
        account = VneidAccount(person.id_number, number, 1, PENDING, self.world.now, "app")
        self.accounts[person.id_number] = account
        self.world.send_sms(
            number,
            SENDER,
            "Đã tiếp nhận yêu cầu đăng ký tài khoản định danh "
            "điện tử mức 1. Kết quả sẽ được gửi qua tin nhắn.",
        )
        self._approve(account)  # the simulation approves level 1 at once
        return account

    # -- activation ---------------------------------------------------------------------------
    @action("vneid.activate")
    def activate(self, id_number: str, phone: str) -> VneidAccount:
        """ "Kích hoạt tài khoản": ID number + phone; an OTP is sent by SMS."""
        account = self._account(id_number)
        number = parse_phone(phone)
        if account.status == ACTIVE:
            raise StateError(
                "Tài khoản đã kích hoạt rồi. Hãy đăng nhập bằng số định danh và mật khẩu."
            )
        if account.status == PENDING:
            raise StateError("Hồ sơ chưa được phê duyệt. Hãy chờ tin nhắn phê duyệt rồi kích hoạt.")
        if number != account.phone:
            raise AuthError(
                "Số điện thoại không khớp với số đã đăng ký tài khoản VNeID. Hãy nhập "
                "đúng số đã khai khi đăng ký.",
                field="phone",
            )
        account.status = ACTIVATING
        account.step = "otp"
        self.world.issue_otp(
            number,
            "vneid",
            SENDER,
            "Mã OTP kích hoạt tài khoản VNeID của bạn là {code}. Mã có hiệu lực "
            "5 phút. TUYỆT ĐỐI KHÔNG cung cấp mã này cho bất kỳ ai, kể cả người "
            "xưng là công an.",
        )
        return account

    @action("vneid.resend_otp")
    def resend_otp(self, id_number: str) -> VneidAccount:
        account = self._account(id_number)
        if account.status != ACTIVATING or account.step != "otp":
            raise StateError("Không có mã OTP nào đang chờ nhập.")
        self.world.issue_otp(
            account.phone,
            "vneid",
            SENDER,
            "Mã OTP kích hoạt tài khoản VNeID của bạn là {code}. Mã có hiệu lực "
            "5 phút. Không cung cấp mã này cho bất kỳ ai.",
        )
        return account

    def _new_password(self, password: str, confirm: str) -> str:
        """The hash of a new password that follows the rules and was typed twice the same."""
        check_vneid_password(password)
        if password != confirm:
            raise ValidationError(
                "Hai lần nhập mật khẩu không giống nhau. Hãy nhập lại cả hai ô.", field="confirm")
        return hash_secret(self.world.seed, password)

    def _new_passcode(self, account: VneidAccount, passcode: str, confirm: str) -> str:
        """The hash of a new 6-digit passcode that is not easy to guess, typed twice the same."""
        value = check_passcode(passcode)
        person = self._person(account.id_number)
        if value in {person.birth_date.strftime("%d%m%y"), person.id_number[-6:]}:
            raise ValidationError("Không dùng ngày sinh hay 6 số cuối số định danh làm passcode: "
                                  "kẻ gian dễ đoán. Hãy chọn 6 số khác.", field="passcode")
        if value != str(confirm).strip():
            raise ValidationError("Hai lần nhập passcode không giống nhau.", field="confirm")
        return hash_secret(self.world.seed, value)

    def _expect_step(self, account: VneidAccount, step: str) -> None:
        if account.status == ACTIVE:
            raise StateError("Tài khoản đã kích hoạt rồi. Hãy đăng nhập.")
        if account.status != ACTIVATING:
            raise StateError(
                'Hãy bấm "Kích hoạt tài khoản" và nhập số định danh, số điện thoại trước.'
            )
        if account.step != step:
            index = ACTIVATION_STEPS.index(account.step or "otp") + 1
            raise StateError(
                f"Chưa đến bước này. Bước đang chờ là bước {index}/4 "
                f"({_STEP_LABELS[account.step or 'otp']})."
            )

    @action("vneid.verify_otp", secret=("otp",))
    def verify_otp(self, id_number: str, otp: str) -> VneidAccount:
        account = self._account(id_number)
        self._expect_step(account, "otp")
        challenge = self.world.otps[f"vneid:{account.phone}"]
        challenge.verify(otp, self.world.now)
        account.step = "password"
        return account

    @action("vneid.set_password", secret=("password", "confirm"))
    def set_password(self, id_number: str, password: str, confirm: str) -> VneidAccount:
        account = self._account(id_number)
        self._expect_step(account, "password")
        account.password_hash = self._new_password(password, confirm)
        account.step = "passcode"
        return account

    @action("vneid.set_passcode", secret=("passcode", "confirm"))
    def set_passcode(self, id_number: str, passcode: str, confirm: str) -> VneidAccount:
        account = self._account(id_number)
        self._expect_step(account, "passcode")
        account.passcode_hash = self._new_passcode(account, passcode, confirm)
        account.step = "questions"
        return account

    @action("vneid.set_security_questions", secret=("answers",))
    def set_security_questions(
        self, id_number: str, questions: list[str], answers: list[str]
    ) -> VneidAccount:
        account = self._account(id_number)
        self._expect_step(account, "questions")
        if len(questions) != 2 or len(answers) != 2:
            raise ValidationError(
                "Cần chọn đúng 2 câu hỏi bảo mật và trả lời cả hai.", field="questions"
            )
        if questions[0] == questions[1]:
            raise ValidationError("Hai câu hỏi bảo mật phải khác nhau.", field="questions")
        for question in questions:
            if question not in SECURITY_QUESTIONS:
                raise ValidationError(
                    "Hãy chọn câu hỏi trong danh sách của ứng dụng.", field="questions"
                )
        cleaned = [clean_name(a).casefold() for a in answers]
        if any(len(a) < 2 for a in cleaned):
            raise ValidationError(
                "Câu trả lời bảo mật phải có ít nhất 2 ký tự; hãy chọn câu trả "
                "lời người dân nhớ lâu.",
                field="answers",
            )
        account.questions = list(questions)
        account.answers_hash = [hash_secret(self.world.seed, a) for a in cleaned]
        account.status = ACTIVE
        account.step = None
        self.world.send_sms(
            account.phone,
            SENDER,
            "Tài khoản VNeID đã được kích hoạt thành công. Vui lòng đăng nhập lại để sử dụng.",
        )
        return account

    # -- using the account --------------------------------------------------------------------
    @action("vneid.login", secret=("password",))
    def login(self, id_number: str, password: str, device: str | None = None) -> VneidSession:
        """Log in on a phone (``device``; the resident's own phone when not given). On another
        phone than the one logged in, the login waits for a code (``devices``)."""
        account = self._account(id_number)
        if account.status != ACTIVE:
            raise StateError(
                "Tài khoản chưa kích hoạt xong. Hãy hoàn tất các bước kích hoạt "
                "trước khi đăng nhập."
            )
        account.logins.check_open(self.world.now, "Tài khoản VNeID")
        if hash_secret(self.world.seed, password) != account.password_hash:
            raise account.logins.fail(self.world.now, "tài khoản VNeID")
        account.logins.succeed()
        return self._enter_on(account, self.handset(device, account.id_number))

    def _open_session(self, account: VneidAccount, device: str = "") -> VneidSession:
        session = VneidSession(self.world.token("vneid-session"), account.id_number, account.level,
                               device)
        self.sessions[session.token] = session
        return session

    # -- recovery: forgotten password, forgotten passcode ----------------------------------------
    @action("vneid.forgot_password")
    def forgot_password(self, id_number: str, phone: str) -> VneidAccount:
        """"Quên mật khẩu": ID number + the account's phone → an SMS code; then (level 2) the
        face is checked in the app; then a new password."""
        account = self._account(id_number)
        number = parse_phone(phone)
        if account.status != ACTIVE:
            raise StateError("Tài khoản chưa kích hoạt nên chưa có mật khẩu: hãy chọn \"Kích "
                             "hoạt tài khoản\".")
        if number != account.phone:
            raise AuthError(
                "Số điện thoại không khớp với số của tài khoản VNeID. Nếu người dân đã đổi sang "
                "số khác, cần cập nhật số điện thoại của tài khoản (ứng dụng VNeID hoặc công an "
                "phường) trước khi lấy lại mật khẩu.", field="phone")
        account.reset_step = "otp"
        self.world.issue_otp(number, RESET, SENDER,
                             "Mã OTP đặt lại mật khẩu VNeID của bạn là {code}. Không cung cấp "
                             "mã này cho bất kỳ ai, kể cả người xưng là công an.")
        return account

    def _expect_reset(self, account: VneidAccount, step: str) -> None:
        if account.reset_step is None:
            raise StateError("Hãy bấm \"Quên mật khẩu\" và nhập số định danh, số điện thoại "
                             "trước.")
        if account.reset_step != step:
            raise StateError(f"Chưa đến bước này: bước đang chờ là "
                             f"{_RESET_LABELS[account.reset_step]}.")

    @action("vneid.verify_reset_otp", secret=("otp",))
    def verify_reset_otp(self, id_number: str, otp: str) -> VneidAccount:
        account = self._account(id_number)
        self._expect_reset(account, "otp")
        self.world.otps[f"{RESET}:{account.phone}"].verify(otp, self.world.now)
        account.reset_step = "face" if account.level == 2 else "password"
        return account

    @action("vneid.capture_face")
    def capture_face(self, id_number: str, enough_light: bool, glasses_off: bool,
                     facing_camera: bool) -> VneidAccount:
        """Face check of a level-2 account before a new password (the app compares the face
        with the photo taken at the police). Fails, saying what to fix, until the capture is
        good: light, no glasses or mask, face straight and still."""
        account = self._account(id_number)
        self._expect_reset(account, "face")
        fixes = [text for ok, text in (
            (enough_light, "ra chỗ đủ sáng (không ngược sáng)"),
            (glasses_off, "bỏ kính, khẩu trang, mũ"),
            (facing_camera, "nhìn thẳng vào camera, giữ yên điện thoại ngang mặt"),
        ) if not ok]
        if fixes:
            raise ValidationError("Không nhận diện được khuôn mặt. Hãy " + "; ".join(fixes)
                                  + " rồi chụp lại. Người lớn tuổi thường cần vài lần; nếu vẫn "
                                  "không được, đến công an phường để được hỗ trợ.",
                                  field="face")
        account.reset_step = "password"
        return account

    @action("vneid.reset_password", secret=("password", "confirm"))
    def reset_password(self, id_number: str, password: str, confirm: str) -> VneidAccount:
        account = self._account(id_number)
        self._expect_reset(account, "password")
        account.password_hash = self._new_password(password, confirm)
        account.reset_step = None
        account.logins = AttemptLimiter()  # a lock from wrong passwords ends with the new one
        self.world.send_sms(account.phone, SENDER,
                            "Mật khẩu tài khoản VNeID của bạn vừa được đặt lại. Nếu không phải "
                            "bạn thực hiện, hãy liên hệ công an phường ngay.")
        return account

    @action("vneid.reset_passcode", secret=("answers", "passcode", "confirm"))
    def reset_passcode(self, token: str, answers: list[str], passcode: str,
                       confirm: str) -> VneidAccount:
        """"Quên passcode" (logged in): the two security-question answers, then a new passcode."""
        _session, account = self._session(token)
        account.answer_attempts.check_open(self.world.now, "Lấy lại passcode")
        given = [hash_secret(self.world.seed, clean_name(str(a)).casefold())
                 for a in [*list(answers), "", ""][:2]]
        if given != account.answers_hash:
            raise account.answer_attempts.fail(self.world.now, "lấy lại passcode",
                                               secret="Câu trả lời bảo mật", field="answers")
        account.answer_attempts.succeed()
        account.passcode_hash = self._new_passcode(account, passcode, confirm)
        account.passcode_attempts.succeed()
        return account

    @action("vneid.submit_residence", secret=("passcode",))
    def submit_residence(self, token: str, passcode: str, procedure_code: str,
                         fields: dict, attachments: list[dict] | None = None) -> dict:
        """"Thủ tục hành chính" in the app: residence procedures (tạm trú, lưu trú) sent with
        the level-2 identity and the passcode; the data of the population database is filled in
        and nothing is typed twice. The dossier is looked up by its code like any other."""
        _session, account = self._session(token)
        if account.level < 2:
            raise PermissionDeniedError("Thủ tục cư trú trên VNeID cần tài khoản mức 2.")
        if procedure_code not in RESIDENCE_PROCEDURES:
            raise ValidationError("Trên VNeID, mục này chỉ có thủ tục cư trú: "
                                  + ", ".join(RESIDENCE_PROCEDURES.values()) + ".",
                                  field="procedure")
        self._check_passcode(account, passcode)
        dossier = self.world.portal.submit_for(account.id_number, procedure_code, dict(fields),
                                               attachments or [], channel="ứng dụng VNeID")
        return {"code": dossier.code, "procedure": dossier.procedure.name,
                "status": dossier.status_label}

    def questions_of(self, id_number: str) -> list[str]:
        """The two security questions the resident chose (what "Quên passcode" asks)."""
        return list(self._account(id_number).questions)

    @action("vneid.logout")
    def logout(self, token: str) -> None:
        self._session(token)
        del self.sessions[token]

    def _check_passcode(self, account: VneidAccount, passcode: str) -> None:
        account.passcode_attempts.check_open(self.world.now, "Passcode")
        if hash_secret(self.world.seed, str(passcode).strip()) != account.passcode_hash:
            raise account.passcode_attempts.fail(
                self.world.now, "passcode", secret="Passcode", field="passcode"
            )
        account.passcode_attempts.succeed()

    @action("vneid.show_card", secret=("passcode",))
    def show_card(self, token: str, passcode: str) -> dict[str, str]:
        """The e-ID card (căn cước điện tử) shown after the passcode."""
        _session, account = self._session(token)
        self._check_passcode(account, passcode)
        person = self.world.population.get(account.id_number)
        assert person is not None
        household = self.world.population.household_of(person)
        return {
            **person.card(),
            "Nơi thường trú": household.full_address,
            "Mức tài khoản": f"Mức {account.level}",
        }

    @action("vneid.scan_qr")
    def scan_qr(self, token: str, payload: str) -> dict[str, str]:
        """Scan a QR in the app. A portal login QR asks for confirmation; anything else is refused."""
        _session, account = self._session(token)
        qr = self.world.portal.login_qr_by_payload(payload)
        if account.level < 2:
            raise PermissionDeniedError(
                "Đăng nhập Cổng Dịch vụ công bằng VNeID cần tài khoản mức 2. Người dân cần đến "
                "công an phường (mang thẻ căn cước gắn chip) để nâng lên mức 2."
            )
        self.pending_scans[qr.token] = PendingScan(qr.token, account.id_number, qr.service)
        return {
            "service": qr.service,
            "message": f"{qr.service} đề nghị truy cập thông tin định "
            "danh của bạn. Nhập passcode để xác nhận.",
        }

    @action("vneid.confirm_qr", secret=("passcode",))
    def confirm_qr(self, token: str, payload: str, passcode: str) -> None:
        _session, account = self._session(token)
        qr = self.world.portal.login_qr_by_payload(payload)
        scan = self.pending_scans.get(qr.token)
        if scan is None or scan.id_number != account.id_number:
            raise StateError("Hãy quét mã QR trước khi xác nhận.")
        self._check_passcode(account, passcode)
        del self.pending_scans[qr.token]
        self.world.portal.confirm_login_qr(qr.token, account.id_number)


def _approval_text(level: int) -> str:
    return (f"Tài khoản định danh điện tử mức {level} của bạn đã được phê duyệt. Vui lòng mở "
            'ứng dụng VNeID, chọn "Kích hoạt tài khoản". Không cung cấp mã OTP cho bất kỳ ai.')


_RESET_LABELS = {
    "otp": "nhập mã OTP trong tin nhắn",
    "face": "chụp khuôn mặt",
    "password": "đặt mật khẩu mới",
}

_STEP_LABELS = {
    "otp": "nhập mã OTP",
    "password": "đặt mật khẩu",
    "passcode": "đặt passcode",
    "questions": "chọn câu hỏi bảo mật",
}


class PoliceService:
    """The ward police desk, where a level-2 account is registered in person."""

    def __init__(self, world: World):
        from congdanso.world.identity.homevisit import HomeVisit

        self.world = world
        self.home_visits: dict[str, HomeVisit] = {}

    @action("police.request_home_visit")
    def request_home_visit(self, id_number: str, reason: str, contact_phone: str):
        """A relative asks the ward police to come to a resident who cannot come (old, bedridden,
        with a disability): the police book a visit and say when by SMS."""
        from congdanso.world.identity.homevisit import book

        return book(self.world, self.home_visits, id_number, reason, contact_phone)

    @action("police.visit_home")
    def visit_home(self, visit_id: str, phone: str):
        """The officers come at the booked time and enrol the resident at home (level 2)."""
        from congdanso.world.identity.homevisit import visit_home

        return visit_home(self.world, self.home_visits, visit_id, phone)

    @action("police.confirm_device")
    def confirm_device(self, id_number: str, device: str | None = None,
                       present: bool = True) -> VneidAccount:
        """A new phone linked at the desk, the resident present with the chip card (a phone
        without NFC, a lost phone whose account was locked through 1900 0368)."""
        from congdanso.world.identity.devices import police_confirm_device

        return police_confirm_device(self.world, id_number, device, present)

    @action("police.enroll_level2")
    def enroll_level2(
        self,
        id_number: str,
        phone: str,
        present: bool = True,
        officer: str = "Cán bộ công an phường",
        guardian: str | None = None,
    ) -> VneidAccount:
        """Collect photo and fingerprints of a citizen who is present, for a level-2 account
        (a child from 6 to under 14 comes with the parent, ``guardian``)."""
        return self._enroll(id_number, phone, present, officer, guardian)

    def _enroll(self, id_number: str, phone: str, present: bool = True,
                officer: str = "Cán bộ công an phường",
                guardian: str | None = None) -> VneidAccount:
        vneid = self.world.vneid
        person = vneid._person(id_number)
        number = parse_phone(phone)
        if not present:
            raise PermissionDeniedError(
                "Tài khoản mức 2 phải do chính người dân đến công an phường để chụp ảnh, lấy vân "
                "tay. Không ai làm thay được — người nhận làm hộ qua điện thoại là kẻ lừa đảo. "
                "Người già yếu, nằm liệt giường, khuyết tật không đến được: người nhà đăng ký "
                "công an đến nhà."
            )
        adult = vneid._check_age(person, level=2, guardian=guardian)
        if not person.has_chip_card:
            raise PermissionDeniedError(
                f"{person.full_name} chưa có thẻ căn cước gắn chip. Hãy làm thủ tục cấp thẻ căn "
                "cước trước, rồi đăng ký tài khoản mức 2 cùng lúc hoặc sau đó."
            )
        if not vneid._phone_owner_ok(number, person, adult):
            raise PermissionDeniedError(
                "Số điện thoại phải đứng tên chính người dân (kiểm tra: soạn TTTB gửi 1414). Hãy "
                "chuẩn hoá thuê bao tại nhà mạng trước.",
                field="phone",
            )
        account = vneid.accounts.get(person.id_number)
        if account is not None and account.level == 2:
            raise StateError("Người dân này đã có tài khoản mức 2.")
        if account is None:
            account = VneidAccount(person.id_number, number, 2, PENDING, self.world.now, "cong_an")
            vneid.accounts[person.id_number] = account
            vneid._approve(account)
        else:
            account.level = 2
            account.phone = number if account.status != ACTIVE else account.phone
            if account.status == ACTIVE:
                self.world.send_sms(
                    account.phone,
                    SENDER,
                    "Tài khoản của bạn đã được nâng lên "
                    "mức 2. Đăng nhập lại ứng dụng VNeID để sử dụng.",
                )
                for session in vneid.sessions.values():
                    if session.id_number == account.id_number:
                        session.level = 2
            elif account.status == PENDING:
                vneid._approve(account)
        return account
