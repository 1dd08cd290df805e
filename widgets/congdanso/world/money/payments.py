"""Banks, e-wallets and transfers of the simulated world, with fake money only.

A double-entry ledger: every transfer moves an amount from one account to another, so the sum
of all balances never changes (cash enters only from the bank's vault account). A transfer is
prepared (the receiver's registered name is looked up and shown), then confirmed: the citizen
must confirm the name, then authenticate — an SMS OTP, or a face check when the transfer is over
10 million VND or the day's total would pass 20 million (Decision 2345/QĐ-NHNN, from 1/7/2024).
A reference makes a transfer idempotent: confirming twice, or re-sending the same reference,
never moves the money twice. Paying a bill or a public-service fee is a transfer whose QR or
reference names what it pays; the biller is told when the money arrives. Paying by customer code
asks the biller first, so a bill already paid is refused; a VietQR is only a transfer to the
biller's account, so scanning the QR of a paid bill moves the money again (the biller keeps it as
an overpayment). Biometric matching and its failures: :mod:`congdanso.world.money.biometrics`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from congdanso.world.core.actions import action
from congdanso.world.core.errors import (
    AuthError,
    NotFoundError,
    PermissionDeniedError,
    StateError,
    ValidationError,
)
from congdanso.world.core.text import strip_diacritics
from congdanso.world.core.validate import check_password
from congdanso.world.identity.idnumber import clean_id_number
from congdanso.world.identity.security import AttemptLimiter, hash_secret
from congdanso.world.money.banks import TRAINING_BANKS, bank_of
from congdanso.world.money.biometrics import MISMATCH_WORDS, NFC_SPOTS, Handset

if TYPE_CHECKING:
    from congdanso.world.money.bills import Bill
    from congdanso.world.society.people import Person
    from congdanso.world.world import World

SENDER = "NH Tap huan"
FACE_SINGLE = 10_000_000  # VND: above this, one transfer needs a face check
FACE_DAILY = 20_000_000  # VND: above this in a day, transfers need a face check
MAX_TRANSFER = 500_000_000
DAILY_LIMIT = 1_000_000_000
VAULT_BALANCE = 10**15  # the banks' vault: where cash deposits come from
BANK_BIN, BANK2_BIN, WALLET_BIN = (b.bin for b in TRAINING_BANKS)
FEE_PLATFORM = "NEN TANG THANH TOAN DVCQG (MO PHONG)"


def money(amount: int) -> str:
    return f"{amount:,} đồng".replace(",", ".")


@dataclass(slots=True)
class Account:
    number: str
    bank_bin: str
    holder: str  # the name the bank shows on name inquiry: upper case, no diacritics
    owner_id: str | None  # ID number of a citizen, None for billers and the vault
    kind: str = "bank"  # "bank", "wallet", "biller", "vault"
    balance: int = 0
    linked: str | None = None  # a wallet's linked bank account
    password_hash: str | None = None
    logins: AttemptLimiter = field(default_factory=AttemptLimiter)
    # Thông tư 17/2024/TT-NHNN: from 1/1/2025 no online transaction until the owner's face is
    # matched with the chip of their căn cước card (in the app by NFC, or at the counter).
    biometrics: bool = True
    id_paper: str = "can_cuoc"  # "cmnd": the bank's record still holds an old 9-digit CMND
    mismatch: str | None = None  # "ho_ten" / "ngay_sinh": the record differs from the chip
    device_ok: bool = True  # False: the next login is on a new phone and needs the owner's face
    device_pending: bool = False  # the password was right on the new phone: waiting for the face

    @property
    def bank_name(self) -> str:
        bank = bank_of(self.bank_bin)
        return bank.short_name if bank else self.bank_bin

    def record(self) -> dict:
        return {
            "number": self.number,
            "bank_bin": self.bank_bin,
            "holder": self.holder,
            "kind": self.kind,
            "balance": self.balance,
        }


@dataclass(slots=True)
class BankSession:
    token: str
    account: str

    def record(self) -> dict:
        return {"token": self.token, "account": self.account}


@dataclass(slots=True)
class Transfer:
    id: str
    source: str
    target_bin: str
    target: str
    receiver_name: str
    amount: int
    message: str
    reference: str
    needs: str  # "otp" or "face"
    status: str = "cho_xac_nhan"  # → "thanh_cong" (or "huy")
    created: dt.datetime | None = None
    done_at: dt.datetime | None = None
    purpose: dict[str, str] = field(default_factory=dict)  # {"bill": ...} or {"fee": ...}

    def record(self) -> dict:
        return {
            "id": self.id,
            "source": self.source,
            "target": self.target,
            "target_bin": self.target_bin,
            "receiver_name": self.receiver_name,
            "amount": self.amount,
            "reference": self.reference,
            "needs": self.needs,
            "status": self.status,
            "purpose": dict(self.purpose),
        }

    def _repr_html_(self) -> str:
        """Shown in a notebook as a receipt card, never as a raw dict or dataclass."""
        from congdanso.ui.cards import Card

        title = "Biên lai giao dịch" if self.status == "thanh_cong" else "Giao dịch chưa hoàn tất"
        return Card(self.receipt(), title=title)._repr_html_()

    def receipt(self) -> dict[str, str]:
        return {
            "Mã giao dịch": self.id,
            "Từ tài khoản": self.source,
            "Đến tài khoản": f"{self.target} ({bank_of(self.target_bin).short_name})"
            if bank_of(self.target_bin)
            else self.target,
            "Tên người nhận": self.receiver_name,
            "Số tiền": money(self.amount),
            "Nội dung": self.message,
            "Thời gian": self.done_at.strftime("%H:%M %d/%m/%Y") if self.done_at else "",
            "Trạng thái": "Thành công" if self.status == "thanh_cong" else "Chưa hoàn tất",
        }


def holder_name(full_name: str) -> str:
    return strip_diacritics(full_name).upper()


class BankService:
    """All simulated banks and the e-wallet: accounts, the ledger, transfers, bills, fees."""

    def __init__(self, world: World):
        self.world = world
        self.accounts: dict[tuple[str, str], Account] = {}
        self.sessions: dict[str, BankSession] = {}
        self.transfers: dict[str, Transfer] = {}
        self.by_reference: dict[tuple[str, str], str] = {}
        self.ledger: list[tuple[str, str, str, int]] = []  # (transfer id, from, to, amount)
        self.daily: dict[tuple[str, str], int] = {}  # (account, yyyy-mm-dd) → amount sent
        self.handsets: dict[str, Handset] = {}  # owner's ID number → their phone's NFC state
        vault = Account(
            "0000000000", BANK_BIN, "KHO QUY NGAN HANG TAP HUAN", None, "vault", VAULT_BALANCE
        )
        self._add(vault)
        self.billers: dict[str, Account] = {}
        for key, number, name in (
            ("dien", "1000000001", "EVNSPC BINH DUONG (MO PHONG)"),
            ("nuoc", "1000000002", "BIWASE (MO PHONG)"),
            ("moi_truong", "1000000003", "THU GOM RAC PHUONG (MO PHONG)"),
            ("phi_dvc", "1000000004", FEE_PLATFORM),
        ):
            self.billers[key] = self._add(Account(number, BANK2_BIN, name, None, "biller"))

    # -- accounts -----------------------------------------------------------------------------
    def _add(self, account: Account) -> Account:
        self.accounts[(account.bank_bin, account.number)] = account
        return account

    @property
    def total(self) -> int:
        """Sum of every balance: constant, whatever happens (the ledger invariant)."""
        return sum(a.balance for a in self.accounts.values())

    def account(self, bank_bin: str, number: str) -> Account | None:
        return self.accounts.get((bank_bin, str(number).strip()))

    def accounts_of(self, id_number: str) -> list[Account]:
        return [a for a in self.accounts.values() if a.owner_id == clean_id_number(id_number)]

    def _person(self, id_number: str) -> Person:
        return self.world.population.require(id_number)

    @action("bank.open_account", secret=("app_password",))
    def open_account(self, id_number: str, bank_bin: str, app_password: str,
                     biometrics: bool = True) -> Account:
        """Open an account at a simulated bank, with the ID card at the counter or by eKYC
        (biometrics matched then). ``biometrics=False`` stands for an account opened years ago
        whose owner never matched their biometrics (Thông tư 17/2024/TT-NHNN)."""
        person = self._person(id_number)
        if bank_bin not in {BANK_BIN, BANK2_BIN}:
            raise ValidationError(
                "Trong thế giới mô phỏng chỉ mở tài khoản ở ngân hàng tập huấn "
                f"({BANK_BIN} hoặc {BANK2_BIN}).",
                field="bank_bin",
            )
        if person.age_on(self.world.now.date()) < 15:
            raise PermissionDeniedError("Người dưới 15 tuổi cần cha mẹ mở tài khoản cùng.")
        if not person.phone:
            raise PermissionDeniedError(
                "Cần một số điện thoại để nhận OTP trước khi mở tài khoản.", field="phone"
            )
        if any(a.bank_bin == bank_bin and a.kind == "bank" for a in self.accounts_of(id_number)):
            raise StateError("Người dân đã có tài khoản ở ngân hàng này.")
        check_password(app_password, system="ứng dụng ngân hàng", field="app_password")
        number = f"{bank_bin[-1]}{self.world.counter('account'):03d}{person.id_number[-6:]}"
        account = self._add(
            Account(
                number,
                bank_bin,
                holder_name(person.full_name),
                person.id_number,
                "bank",
                password_hash=hash_secret(self.world.seed, app_password),
                biometrics=bool(biometrics),
            )
        )
        self.world.send_sms(
            person.phone,
            SENDER,
            f"Tài khoản {number} tại {account.bank_name} đã "
            "được mở. Không cung cấp mật khẩu, OTP cho bất kỳ ai.",
        )
        return account

    @action("bank.deposit_cash")
    def deposit_cash(self, bank_bin: str, number: str, amount: int) -> Account:
        """Cash paid in at the counter: money comes from the vault (fake money)."""
        account = self._require(bank_bin, number)
        amount = self._check_amount(amount)
        self._move("NOP-" + str(self.world.counter("cash")), self._vault(), account, amount)
        return account

    @action("bank.open_wallet", secret=("app_password",))
    def open_wallet(self, id_number: str, linked_account: str, app_password: str) -> Account:
        """An e-wallet linked to the citizen's own bank account (top-ups come from it)."""
        person = self._person(id_number)
        linked = next(
            (
                a
                for a in self.accounts_of(id_number)
                if a.number == str(linked_account).strip() and a.kind == "bank"
            ),
            None,
        )
        if linked is None:
            raise PermissionDeniedError(
                "Ví điện tử chỉ liên kết được với tài khoản ngân hàng đứng tên chính người dân.",
                field="linked_account",
            )
        if any(a.kind == "wallet" for a in self.accounts_of(id_number)):
            raise StateError("Người dân đã có ví điện tử.")
        check_password(app_password, system="ví điện tử", field="app_password")
        wallet = self._add(
            Account(
                person.phone or person.id_number,
                WALLET_BIN,
                holder_name(person.full_name),
                person.id_number,
                "wallet",
                linked=linked.number,
                password_hash=hash_secret(self.world.seed, app_password),
            )
        )
        return wallet

    @action("bank.top_up_wallet")
    def top_up_wallet(self, token: str, amount: int) -> Account:
        """Move money from the linked bank account into the wallet (authorised when linking)."""
        wallet = self._session_account(token)
        if wallet.kind != "wallet" or wallet.linked is None:
            raise StateError("Chỉ nạp tiền được vào ví điện tử đã liên kết ngân hàng.")
        value = self._check_amount(amount)
        linked = next(
            a
            for a in self.accounts_of(wallet.owner_id or "")
            if a.number == wallet.linked and a.kind == "bank"
        )
        self._move(f"NAP{self.world.counter('topup'):06d}", linked, wallet, value)
        return wallet

    # -- biometrics (Thông tư 17/2024/TT-NHNN, Quyết định 2345/QĐ-NHNN) ------------------------
    def handset(self, id_number: str) -> Handset:
        """The owner's phone as the NFC read meets it (a phone with NFC on and no case unless a
        scenario says otherwise)."""
        return self.handsets.setdefault(clean_id_number(id_number), Handset())

    @action("bank.set_nfc")
    def set_nfc(self, id_number: str, on: bool = True) -> Handset:
        """The phone's Settings → Kết nối → NFC: the switch many Android phones have."""
        handset = self.handset(id_number)
        if not handset.has_nfc:
            raise StateError("Điện thoại này không có NFC nên không có nút bật NFC.",
                             code="khong_co_nfc")
        handset.nfc_on = bool(on)
        return handset

    @action("bank.remove_case")
    def remove_case(self, id_number: str) -> Handset:
        """Take off a thick or metal case (or a wallet case holding other cards)."""
        handset = self.handset(id_number)
        handset.thick_case = False
        return handset

    def _read_chip(self, account: Account, card_of: str, card_spot: str) -> None:
        """Read the chip of the card laid on the phone (NFC): the phone, then whose card."""
        owner = self.world.population.require(account.owner_id or "")
        handset = self.handset(owner.id_number)
        if not handset.has_nfc:
            raise PermissionDeniedError(
                "Điện thoại này không có NFC nên không đọc được chip thẻ căn cước. Chủ tài khoản "
                "mang thẻ căn cước ra quầy ngân hàng để làm.", code="khong_co_nfc", field="nfc")
        if not handset.nfc_on:
            raise StateError(
                "Chưa đọc được chip: NFC của điện thoại đang tắt. Vào Cài đặt → Kết nối → bật "
                "NFC, rồi áp thẻ lại.", code="nfc_tat", field="nfc")
        if handset.thick_case:
            raise StateError(
                "Chưa đọc được chip thẻ căn cước. Ốp lưng dày (hoặc ốp có kim loại, ví kẹp thẻ) "
                "chặn sóng NFC: tháo ốp, áp thẻ sát mặt lưng, giữ yên đến khi ứng dụng báo xong.",
                code="chip_khong_doc", field="nfc")
        if card_spot != handset.nfc_spot:
            raise StateError(
                f"Chưa đọc được chip: thẻ đang đặt ở {NFC_SPOTS.get(card_spot, card_spot)}, chưa "
                "trúng vùng NFC của máy này. Vùng NFC mỗi máy một chỗ (giữa mặt lưng hoặc gần "
                "camera): áp thẻ sát mặt lưng ở chỗ khác, giữ yên 3–5 giây. Thử vài lần không được "
                "thì ra quầy ngân hàng.", code="chip_khong_doc", field="card_spot")
        if not owner.has_chip_card:
            raise PermissionDeniedError(
                "Chủ tài khoản chưa có thẻ căn cước gắn chip: làm thẻ tại công an trước, hoặc ra "
                "quầy ngân hàng hỏi cách đối chiếu.", code="chua_co_the_chip", field="card_of")
        if clean_id_number(card_of) != owner.id_number:
            raise PermissionDeniedError(
                "Thẻ căn cước vừa áp vào không phải của chủ tài khoản. Chỉ dùng thẻ của chính "
                "chủ tài khoản.", field="card_of")

    def _mismatch_text(self, account: Account) -> str:
        what = MISMATCH_WORDS.get(account.mismatch or "", "thông tin")
        return (f"Chip thẻ căn cước đọc được, nhưng {what} trong hồ sơ ngân hàng khác với dữ liệu "
                "trên chip (Cơ sở dữ liệu quốc gia về dân cư). Không sửa được trong ứng dụng: "
                "chủ tài khoản mang thẻ căn cước ra quầy ngân hàng để cập nhật rồi đối chiếu "
                "sinh trắc học tại quầy.")

    @action("bank.match_biometrics")
    def match_biometrics(self, token: str, card_of: str, face_of: str,
                         card_spot: str = "giua") -> Account:
        """In the app: read the chip of a căn cước card (NFC) and take a face photo; the card,
        the face and the bank's record must all be the account owner's (Thông tư 17/2024)."""
        account = self._session_account(token)
        self._read_chip(account, card_of, card_spot)
        if account.id_paper == "cmnd":
            raise StateError(
                "Hồ sơ ngân hàng của chủ tài khoản còn ghi chứng minh nhân dân 9 số, hết giá trị "
                "từ 1/1/2025. Cập nhật thẻ căn cước trước: trong ứng dụng (nút Cập nhật giấy tờ "
                "tuỳ thân) nếu ngân hàng cho làm, không thì tại quầy.", code="giay_to_cu")
        if account.mismatch:
            raise PermissionDeniedError(self._mismatch_text(account), code="lech_du_lieu")
        if clean_id_number(face_of) != account.owner_id:
            raise PermissionDeniedError(
                "Khuôn mặt không khớp ảnh trong chip thẻ căn cước. Chủ tài khoản phải tự chụp; "
                "nếu vẫn không được (ảnh thẻ cũ, đủ sáng?), ra quầy ngân hàng.", field="face_of")
        account.biometrics = True
        return account

    @action("bank.update_id_paper")
    def update_id_paper(self, token: str, card_of: str, card_spot: str = "giua") -> Account:
        """In the app: replace an old CMND on record with the căn cước card read by NFC, where
        the bank allows it (in the simulation: the first training bank only)."""
        account = self._session_account(token)
        if account.id_paper != "cmnd":
            raise StateError("Hồ sơ ngân hàng đã ghi thẻ căn cước: không cần cập nhật giấy tờ.",
                             code="khong_can")
        if account.bank_bin != BANK_BIN:
            raise PermissionDeniedError(
                f"{account.bank_name} chưa cho cập nhật giấy tờ tuỳ thân trong ứng dụng (mô "
                "phỏng): chủ tài khoản mang thẻ căn cước ra quầy.", code="chi_tai_quay")
        self._read_chip(account, card_of, card_spot)
        if account.mismatch:
            raise PermissionDeniedError(self._mismatch_text(account), code="lech_du_lieu")
        account.id_paper = "can_cuoc"
        return account

    @action("bank.counter_update")
    def counter_update(self, bank_bin: str, number: str, card_of: str, face_of: str) -> Account:
        """At the counter: the owner comes with their chip card; the clerk reads it, updates the
        record from the population database (ID paper, name, birth date) and matches the face."""
        account = self._require(bank_bin, number)
        if account.owner_id is None:
            raise PermissionDeniedError("Tài khoản này không thuộc một người dân.")
        owner = self.world.population.require(account.owner_id)
        if clean_id_number(face_of) != owner.id_number:
            raise PermissionDeniedError(
                "Chủ tài khoản phải tự đến quầy: người nhà, tình nguyện viên không làm thay.",
                field="face_of")
        if clean_id_number(card_of) != owner.id_number:
            raise PermissionDeniedError(
                "Mang đúng thẻ căn cước của chủ tài khoản.", field="card_of")
        if not owner.has_chip_card:
            raise PermissionDeniedError(
                "Chủ tài khoản chưa có thẻ căn cước gắn chip: làm thẻ tại công an trước.",
                code="chua_co_the_chip", field="card_of")
        account.id_paper, account.mismatch = "can_cuoc", None
        account.holder = holder_name(owner.full_name)
        account.biometrics = True
        return account

    @action("bank.verify_device")
    def verify_device(self, bank_bin: str, number: str, face_of: str) -> BankSession:
        """A new phone: after the right password, the owner's face (QĐ 2345/QĐ-NHNN)."""
        account = self._require(bank_bin, number)
        if not account.device_pending:
            raise StateError("Chưa có lần đăng nhập nào trên thiết bị mới đang chờ xác thực. "
                             "Hãy đăng nhập bằng mật khẩu trước.")
        if not account.biometrics:
            raise PermissionDeniedError(
                "Tài khoản chưa có dữ liệu sinh trắc học để so khuôn mặt: chủ tài khoản mang thẻ "
                "căn cước ra quầy ngân hàng.", code="chua_sinh_trac_hoc")
        if clean_id_number(face_of) != account.owner_id:
            raise AuthError(
                "Khuôn mặt không khớp với chủ tài khoản. Chỉ chính chủ tài khoản tự nhìn vào "
                "camera — không ai làm thay.", field="face")
        account.device_ok, account.device_pending = True, False
        return self._open_session(account)

    @action("bank.login", secret=("password",))
    def login(self, bank_bin: str, number: str, password: str) -> BankSession:
        account = self._require(bank_bin, number)
        if account.owner_id is None:
            raise PermissionDeniedError("Tài khoản này không đăng nhập ứng dụng được.")
        account.logins.check_open(self.world.now, "Ứng dụng")
        if hash_secret(self.world.seed, password) != account.password_hash:
            raise account.logins.fail(self.world.now, "ứng dụng")
        account.logins.succeed()
        if not account.device_ok:
            account.device_pending = True
            raise AuthError(
                "Đăng nhập trên điện thoại mới: ngân hàng cần xác thực khuôn mặt của chủ tài "
                "khoản (Quyết định 2345/QĐ-NHNN). Chủ tài khoản tự nhìn vào camera.",
                code="thiet_bi_moi", field="face")
        return self._open_session(account)

    def _open_session(self, account: Account) -> BankSession:
        session = BankSession(self.world.token("bank-session"),
                              f"{account.bank_bin}:{account.number}")
        self.sessions[session.token] = session
        return session

    def _session_account(self, token: str) -> Account:
        session = self.sessions.get(token)
        if session is None:
            raise StateError("Phiên đăng nhập ứng dụng đã hết. Hãy đăng nhập lại.")
        bank_bin, number = session.account.split(":")
        return self.accounts[(bank_bin, number)]

    def balance(self, token: str) -> int:
        return self._session_account(token).balance

    def history(self, token: str) -> list[Transfer]:
        account = self._session_account(token)
        return [
            t
            for t in self.transfers.values()
            if t.status == "thanh_cong"
            and (t.source == account.number or t.target == account.number)
        ]

    def _require(self, bank_bin: str, number: str) -> Account:
        account = self.account(bank_bin, number)
        if account is None:
            raise NotFoundError(
                "Không tìm thấy tài khoản này. Hãy kiểm tra ngân hàng và số tài khoản.",
                field="account",
            )
        return account

    def _vault(self) -> Account:
        return self.accounts[(BANK_BIN, "0000000000")]

    def _check_amount(self, amount: Any) -> int:
        if isinstance(amount, bool) or not isinstance(amount, int | str):
            raise ValidationError("Số tiền phải là số nguyên (đồng).", field="amount")
        text = str(amount).strip().replace(".", "").replace(",", "").replace(" ", "")
        if not text.isdigit():
            raise ValidationError(
                "Số tiền chỉ gồm chữ số, không có chữ hay số lẻ (đồng không có xu).", field="amount"
            )
        value = int(text)
        if value <= 0:
            raise ValidationError("Số tiền phải lớn hơn 0.", field="amount")
        if value > MAX_TRANSFER:
            raise ValidationError(f"Mỗi giao dịch tối đa {money(MAX_TRANSFER)}.", field="amount")
        return value

    # -- the ledger ---------------------------------------------------------------------------
    def _move(self, transfer_id: str, source: Account, target: Account, amount: int) -> None:
        if source.balance < amount:
            raise StateError(
                f"Số dư không đủ: tài khoản còn {money(source.balance)}, cần "
                f"{money(amount)}. Hãy nạp thêm tiền hoặc giảm số tiền.",
                field="amount",
                code="so_du_khong_du",
            )
        source.balance -= amount
        target.balance += amount
        self.ledger.append((transfer_id, source.number, target.number, amount))

    # -- transfers ----------------------------------------------------------------------------
    @action("bank.prepare_transfer")
    def prepare_transfer(
        self,
        token: str,
        to_bank_bin: str,
        to_account: str,
        amount: int,
        message: str = "",
        reference: str | None = None,
        purpose: dict[str, str] | None = None,
    ) -> Transfer:
        """Step 1: look up the receiver and show their registered name; nothing moves yet."""
        source = self._session_account(token)
        if source.kind == "bank" and not source.biometrics:
            raise PermissionDeniedError(
                "Tài khoản chưa đối chiếu sinh trắc học với thẻ căn cước nên chưa chuyển tiền, "
                "thanh toán trực tuyến được (Thông tư 17/2024/TT-NHNN, từ 1/1/2025). Chủ tài "
                "khoản tự làm trong ứng dụng: áp thẻ căn cước gắn chip vào điện thoại (NFC) rồi "
                "chụp khuôn mặt — hoặc mang thẻ ra quầy ngân hàng.",
                code="chua_sinh_trac_hoc",
            )
        value = self._check_amount(amount)
        bank = bank_of(str(to_bank_bin))
        if bank is None:
            raise ValidationError(
                f"Không có ngân hàng mang mã BIN {to_bank_bin}.", field="to_bank_bin"
            )
        if not bank.training:
            raise PermissionDeniedError(
                f"Đây là {bank.short_name} — ngân hàng thật. Thế giới mô phỏng không bao giờ "
                "chuyển tiền đến ngân hàng thật.",
                field="to_bank_bin",
            )
        target = self.account(bank.bin, to_account)
        if target is None:
            raise NotFoundError(
                "Không tìm thấy tài khoản người nhận. Hãy kiểm tra lại số tài "
                "khoản và ngân hàng — đừng chuyển khi chưa thấy tên người nhận.",
                field="to_account",
            )
        if target is source:
            raise ValidationError(
                "Không chuyển tiền cho chính tài khoản đang dùng.", field="to_account"
            )
        reference = (reference or f"GD{self.world.counter('transfer-ref'):06d}").strip()
        done_id = self.by_reference.get((source.number, reference))
        if done_id is not None and self.transfers[done_id].status == "thanh_cong":
            return self.transfers[done_id]  # the same payment again: nothing new happens
        day_key = (source.number, self.world.now.date().isoformat())
        spent_today = self.daily.get(day_key, 0)
        if spent_today + value > DAILY_LIMIT:
            raise PermissionDeniedError("Vượt hạn mức chuyển tiền trong ngày.", field="amount")
        needs = "face" if value > FACE_SINGLE or spent_today + value > FACE_DAILY else "otp"
        if source.balance < value:
            raise StateError(
                f"Số dư không đủ: tài khoản còn {money(source.balance)}, cần {money(value)}.",
                field="amount",
                code="so_du_khong_du",
            )
        transfer = Transfer(
            f"FT{self.world.counter('transfer'):08d}",
            source.number,
            bank.bin,
            target.number,
            target.holder,
            value,
            " ".join(str(message).split()),
            reference,
            needs,
            created=self.world.now,
            purpose=dict(purpose or {}),
        )
        self.transfers[transfer.id] = transfer
        self.by_reference[(source.number, reference)] = transfer.id
        if needs == "otp":
            owner = self.world.population.get(source.owner_id or "")
            if owner is not None and owner.phone:
                self.world.issue_otp(
                    owner.phone,
                    f"bank:{transfer.id}",
                    SENDER,
                    f"Mã OTP xác thực giao dịch {money(value)} đến "
                    f"{target.holder} là {{code}}. KHÔNG chia sẻ mã này.",
                )
        return transfer

    @action("bank.confirm_transfer", secret=("otp",))
    def confirm_transfer(
        self,
        token: str,
        transfer_id: str,
        receiver_confirmed: bool = False,
        otp: str | None = None,
        face_of: str | None = None,
    ) -> Transfer:
        """Step 2: the citizen confirms the receiver's name, then OTP or face; money moves."""
        source = self._session_account(token)
        transfer = self.transfers.get(transfer_id)
        if transfer is None or transfer.source != source.number:
            raise NotFoundError("Không có giao dịch này trong tài khoản đang đăng nhập.")
        if transfer.status == "thanh_cong":
            return transfer  # idempotent: pressing "confirm" twice moves money once
        if not receiver_confirmed:
            raise ValidationError(
                f"Hãy đọc tên người nhận ({transfer.receiver_name}) cho người "
                "dân nghe và chỉ xác nhận khi đúng người cần trả tiền.",
                field="receiver_confirmed",
            )
        if transfer.needs == "face":
            if face_of is None:
                raise AuthError(
                    f"Giao dịch trên {money(FACE_SINGLE)} (hoặc tổng trong ngày trên "
                    f"{money(FACE_DAILY)}) cần xác thực khuôn mặt của chủ tài khoản "
                    "(Quyết định 2345/QĐ-NHNN).",
                    field="face",
                    code="can_khuon_mat",
                )
            if clean_id_number(face_of) != source.owner_id:
                raise AuthError(
                    "Khuôn mặt không khớp với chủ tài khoản. Chỉ chính chủ tài khoản "
                    "được xác thực — không ai làm thay.",
                    field="face",
                )
        else:
            owner = self.world.population.get(source.owner_id or "")
            challenge = self.world.otps.get(f"bank:{transfer.id}:{owner.phone}") if owner else None
            if challenge is None:
                raise StateError("Không có mã OTP cho giao dịch này.")
            challenge.verify(otp or "", self.world.now)
        target = self.accounts[(transfer.target_bin, transfer.target)]
        self._move(transfer.id, source, target, transfer.amount)
        transfer.status = "thanh_cong"
        transfer.done_at = self.world.now
        day_key = (source.number, self.world.now.date().isoformat())
        self.daily[day_key] = self.daily.get(day_key, 0) + transfer.amount
        self._settle(transfer)
        owner = self.world.population.get(source.owner_id or "")
        if owner is not None and owner.phone:
            self.world.send_sms(
                owner.phone,
                SENDER,
                f"TK {source.number} -{money(transfer.amount)}"
                f" lúc {self.world.now:%H:%M %d/%m/%Y}. Số dư "
                f"{money(source.balance)}. ND: {transfer.message}",
                kind="app",
            )
        return transfer

    # -- paying by QR, bills and fees ---------------------------------------------------------
    @action("bank.scan_qr")
    def scan_qr(
        self, token: str, payload: str, amount: int | None = None, message: str | None = None
    ) -> Transfer:
        """Scan a VietQR: decoded, checked, then prepared like a transfer (name shown first)."""
        from congdanso.world.money.vietqr import decode

        qr = decode(payload)
        if qr.amount is None and amount is None:
            raise ValidationError(
                "Mã QR tĩnh không ghi số tiền: hãy hỏi người nhận số tiền và nhập vào.",
                field="amount",
            )
        if amount is not None:
            amount = self._check_amount(amount)
        if qr.amount is not None and amount is not None and amount != qr.amount:
            raise ValidationError(
                f"Mã QR động đã ghi sẵn số tiền {money(qr.amount)}; không sửa được.", field="amount"
            )
        purpose: dict[str, str] = {}
        if qr.bill_number:  # a transfer to the biller's account: the bank does not ask the
            purpose = {"bill": qr.bill_number}  # biller, so a paid bill's QR still sends money
        reference = qr.additional.get("05")
        if reference and reference.startswith("PHI-"):
            purpose = {"fee": reference}
            dossier = self.world.portal.dossier_by_fee_reference(reference)
            if dossier is not None and dossier.fee_status == "da_thanh_toan":
                raise StateError(
                    f"Phí của hồ sơ {dossier.code} đã được thanh toán. Không trả "
                    'lần nữa; tải biên lai trong mục "Đã thanh toán".',
                    code="da_thanh_toan",
                )
        return self.prepare_transfer(
            token,
            qr.bank_bin,
            qr.account,
            qr.amount or amount,
            message or qr.message or "",
            reference=reference,
            purpose=purpose,
        )

    def _paid_text(self, bill: Bill) -> str:
        return (
            f"Hoá đơn {bill.service_name.lower()} kỳ {bill.period} của mã {bill.customer_code}"
            f" đã được thanh toán lúc {bill.paid_at:%H:%M %d/%m/%Y}. Không trả lần nữa."
        )

    @action("bank.pay_bill")
    def pay_bill(self, token: str, service: str, customer_code: str) -> Transfer:
        """Pay a bill by customer code in the app: the bill is looked up, then prepared."""
        bill = self.world.bills.find(service, customer_code)
        if bill.paid_at is not None:
            raise StateError(self._paid_text(bill), code="da_thanh_toan")
        biller = self.billers[service]
        return self.prepare_transfer(
            token,
            biller.bank_bin,
            biller.number,
            bill.amount,
            f"{bill.service_name} {bill.customer_code} ky {bill.period}",
            reference=f"HD-{bill.bill_number}",
            purpose={"bill": bill.bill_number},
        )

    def bill_qr(self, bill: Bill) -> str:
        """The dynamic training VietQR printed on a bill (amount and bill number inside)."""
        from congdanso.world.money.vietqr import encode, training_qr

        biller = self.billers[bill.service]
        return encode(
            training_qr(
                biller.bank_bin,
                biller.number,
                amount=bill.amount,
                message=f"{bill.service_name} {bill.period}",
                bill_number=bill.bill_number,
            )
        )

    def _settle(self, transfer: Transfer) -> None:
        """Tell the biller or the portal that their money has arrived."""
        if "bill" in transfer.purpose:
            bill = self.world.bills.by_bill_number(transfer.purpose["bill"])
            if bill is not None and bill.paid_at is None and bill.amount == transfer.amount:
                bill.paid_at = self.world.now
                bill.paid_by = transfer.id
                bill.receipt_no = f"BL{self.world.counter('receipt'):07d}"
            elif bill is not None:  # paid already (or a wrong amount): the biller keeps it
                bill.overpaid.append(transfer.id)
                bill.overpaid_amount += transfer.amount
        if "fee" in transfer.purpose:
            self.world.portal.fee_paid(transfer.purpose["fee"], transfer)

    def bill_receipt(self, bill: Bill) -> dict[str, str]:
        if bill.paid_at is None or bill.paid_by is None:
            raise StateError("Hoá đơn chưa được thanh toán nên chưa có biên nhận.")
        transfer = self.transfers[bill.paid_by]
        return {
            "Số biên nhận": bill.receipt_no or "",
            "Đơn vị thu": bill.biller,
            "Khách hàng": f"{bill.customer_name} ({bill.customer_code})",
            "Nội dung": f"{bill.service_name} kỳ {bill.period}",
            "Số tiền": money(bill.amount),
            "Mã giao dịch": transfer.id,
            "Thời gian": f"{bill.paid_at:%H:%M %d/%m/%Y}",
            "Ghi chú": "Biên nhận mô phỏng dùng để tập huấn",
        }

    def bill_receipt_pdf(self, bill: Bill) -> bytes:
        """The e-receipt as a PDF with Vietnamese text (can be signed, printed or sent)."""
        from congdanso.world.dossiers.documents import receipt

        rows = self.bill_receipt(bill)
        return receipt(title="Biên nhận thanh toán", rows=rows, when=bill.paid_at or self.world.now)
