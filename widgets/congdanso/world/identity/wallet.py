"""Two VNeID features residents ask about at a support point: the documents wallet ("Ví giấy
tờ": health-insurance card, driving licence, the electronic health book) and the bank account
for social payments ("An sinh xã hội → Tài khoản hưởng an sinh xã hội").

Real rules, with sources (cited in lesson 02):
- BHYT: from 1/6/2025 paper health-insurance cards are no longer issued as a rule (Công văn
  168/BHXH-QLT, 26/3/2025); the card is integrated in VNeID level 2: Ví giấy tờ → Tích hợp thông
  tin → Thẻ bảo hiểm y tế → card number → confirm → Gửi yêu cầu (kenh14.vn 12/1/2026,
  nghean24h.vn 11/8/2025). Documents integrated in VNeID level 2 stand for the paper ones, the
  driving licence included (vnexpress.net 10/8/2025).
- Sổ sức khỏe điện tử: equal in law to the paper health book (QĐ 2733/QĐ-BYT); clinics and
  agencies do not ask for paper when the data show in full on VNeID (QĐ 31/QĐ-BYT, 2026;
  suckhoedoisong.vn 11/1/2026), as agencies may not ask again for data integrated in VNeID
  (159/TTg-CĐS, BRIEF §1).
- Social payments: VNeID → An sinh xã hội → Tài khoản hưởng an sinh xã hội → passcode → bank →
  account number; the account must be a VND bank account in the holder's own name, active and not
  restricted (BIDV, Vietcombank, VietinBank, Agribank… guidance; huengaynay.vn / Vietnam+
  17/8/2025).

What only this simulation does (say so in lessons): card and licence numbers are made up from
the ID number; who holds a licence is drawn from the seed; requests are approved at once (the
real ones take from seconds to a few days); the health book appears once the BHYT card is in.
"""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING

from congdanso.world.core.actions import action
from congdanso.world.core.errors import (
    NotFoundError,
    PermissionDeniedError,
    StateError,
    ValidationError,
)

if TYPE_CHECKING:
    from congdanso.world.society.people import Person
    from congdanso.world.world import World

BHYT = "bhyt"
GPLX = "gplx"
HEALTH_BOOK = "so-suc-khoe"
DOCUMENTS = {BHYT: "Thẻ bảo hiểm y tế", GPLX: "Giấy phép lái xe",
             HEALTH_BOOK: "Sổ sức khỏe điện tử"}
INTEGRABLE = (BHYT, GPLX)  # what the resident asks to integrate; the health book follows BHYT
PLACES = {"phong_kham": "Cơ sở khám bệnh, chữa bệnh", "csgt": "Cảnh sát giao thông"}
WANTED_AT = {"phong_kham": (BHYT, HEALTH_BOOK), "csgt": (GPLX,)}


def bhyt_number(person: Person) -> str:
    """A made-up 15-character card number: 2 letters, a benefit digit, 79 (TP.HCM) and the last
    10 digits of the ID number (the social-insurance code now follows the ID number)."""
    return ("HT3" if person.birth_date.year <= 1965 else "DN4") + "79" + person.id_number[-10:]


def gplx_number(person: Person) -> str | None:
    """A made-up 12-digit licence number, for about six adults in ten (simulation)."""
    digest = hashlib.sha256(f"gplx:{person.id_number}".encode()).hexdigest()
    if person.birth_date.year > 2007 or int(digest[:2], 16) % 10 >= 6:
        return None
    return "79" + str(int(digest[2:14], 16))[-10:].zfill(10)


class WalletFeatures:
    """Mixed into ``VneidService``: the documents wallet and the social-payment account."""

    world: World

    def _level2_session(self, token: str, passcode: str, what: str):
        _session, account = self._session(token)  # type: ignore[attr-defined]
        if account.level < 2:
            raise PermissionDeniedError(f"{what} cần tài khoản VNeID mức 2 (đăng ký tại công an "
                                        "phường, mang thẻ căn cước gắn chip).")
        self._check_passcode(account, passcode)  # type: ignore[attr-defined]
        return account, self.world.population.require(account.id_number)

    # -- Ví giấy tờ -----------------------------------------------------------------------------
    def documents_of(self, id_number: str) -> list[str]:
        """Read-only: the documents integrated in the account's wallet."""
        account = self.accounts.get(id_number)  # type: ignore[attr-defined]
        return list(account.documents) if account else []

    @action("vneid.integrate_document", secret=("passcode",))
    def integrate_document(self, token: str, passcode: str, kind: str, number: str) -> dict:
        """Ví giấy tờ → Tích hợp thông tin: the card's or licence's number, checked against the
        agency's database."""
        if kind not in INTEGRABLE:
            raise ValidationError("Chọn loại giấy tờ cần tích hợp: " + ", ".join(
                DOCUMENTS[k] for k in INTEGRABLE) + ".", field="kind")
        account, person = self._level2_session(token, passcode, "Tích hợp giấy tờ")
        typed = "".join(str(number).split()).upper()
        expected = bhyt_number(person) if kind == BHYT else gplx_number(person)
        if expected is None:
            raise NotFoundError(f"Không tìm thấy giấy phép lái xe nào của {person.full_name} "
                                "trong cơ sở dữ liệu: người dân chưa có bằng lái, không có gì "
                                "để tích hợp.", field="number")
        if not typed:
            raise ValidationError(f"Nhập số {DOCUMENTS[kind].lower()} (in trên thẻ, hoặc xem "
                                  "trong ứng dụng VssID với thẻ BHYT).", field="number")
        if typed != expected:
            raise NotFoundError(f"Số {DOCUMENTS[kind].lower()} không khớp với dữ liệu của "
                                f"{person.full_name}. Đọc lại từng ký tự trên giấy tờ của chính "
                                "người dân rồi nhập lại.", field="number")
        if kind in account.documents:
            raise StateError(f"{DOCUMENTS[kind]} đã có trong Ví giấy tờ rồi.")
        account.documents.append(kind)
        if kind == BHYT:
            account.documents.append(HEALTH_BOOK)
        return {"id_number": account.id_number, "kind": kind, "documents": list(account.documents),
                "message": f"Đã tích hợp {DOCUMENTS[kind].lower()} vào Ví giấy tờ."}

    @action("vneid.present_document", secret=("passcode",))
    def present_document(self, token: str, passcode: str, kind: str, place: str) -> dict:
        """Show a document from the wallet where it is asked for: it stands for the paper."""
        if place not in PLACES:
            raise ValidationError("Chọn nơi xuất trình: " + ", ".join(PLACES.values()) + ".",
                                  field="place")
        if kind not in DOCUMENTS:
            raise ValidationError("Chọn giấy tờ cần xuất trình.", field="kind")
        account, person = self._level2_session(token, passcode, "Xuất trình giấy tờ")
        if kind not in account.documents:
            how = ("Ví giấy tờ → Tích hợp thông tin → Thẻ bảo hiểm y tế"
                   if kind != GPLX else "Ví giấy tờ → Tích hợp thông tin → Giấy phép lái xe")
            raise StateError(f"{DOCUMENTS[kind]} chưa có trong Ví giấy tờ: tích hợp trước ({how}).",
                             field="kind")
        if kind not in WANTED_AT[place]:
            raise ValidationError(f"{PLACES[place]} không hỏi {DOCUMENTS[kind].lower()}: chọn "
                                  "đúng giấy tờ nơi đó cần.", field="kind")
        data = {"Họ và tên": person.full_name, "Ngày sinh": person.birth_date.strftime("%d/%m/%Y"),
                "Số định danh cá nhân": person.id_number}
        if kind == BHYT:
            data["Số thẻ BHYT (mô phỏng)"] = bhyt_number(person)
        elif kind == GPLX:
            data["Số giấy phép lái xe (mô phỏng)"] = gplx_number(person) or ""
        else:
            data["Sổ sức khỏe"] = "tiền sử khám, đơn thuốc, kết quả xét nghiệm đã liên thông"
        return {"id_number": account.id_number, "kind": kind, "place": place,
                "document": DOCUMENTS[kind], "data": data,
                "message": f"{PLACES[place]} đã xem {DOCUMENTS[kind].lower()} trên VNeID: có giá "
                           "trị như bản giấy, không cần nộp thêm bản giấy hay bản sao."}

    # -- An sinh xã hội ------------------------------------------------------------------------
    def social_account_of(self, id_number: str) -> dict | None:
        account = self.accounts.get(id_number)  # type: ignore[attr-defined]
        return dict(account.social_account) if account and account.social_account else None

    @action("vneid.link_social_account", secret=("passcode",))
    def link_social_account(self, token: str, passcode: str, bank_bin: str,
                            account_number: str) -> dict:
        """An sinh xã hội → Tài khoản hưởng an sinh xã hội: the bank account pensions and
        allowances are paid to. It must be a bank account in the resident's own name."""
        from congdanso.world.money.banks import bank_of

        number = "".join(str(account_number).split())
        if not number:  # said before the passcode is tried: an empty form costs no try
            raise ValidationError("Hãy nhập số tài khoản ngân hàng đứng tên người hưởng.",
                                  field="account_number")
        if not number.isdigit():
            raise ValidationError("Số tài khoản chỉ gồm chữ số: đọc trên thẻ ngân hàng hoặc "
                                  "trong ứng dụng ngân hàng của người dân.", field="account_number")
        account, person = self._level2_session(token, passcode, "Tài khoản hưởng an sinh xã hội")
        bank_account = self.world.bank.account(str(bank_bin), number)
        if bank_account is None:
            name = bank_of(str(bank_bin)).short_name if bank_of(str(bank_bin)) else "ngân hàng này"
            raise NotFoundError(f"Không tìm thấy tài khoản {number} ở {name}: kiểm tra lại ngân "
                                "hàng và số tài khoản.", field="account_number")
        if bank_account.kind != "bank":
            raise PermissionDeniedError("Chỉ nhận tài khoản thanh toán bằng đồng Việt Nam mở tại "
                                        "ngân hàng, không nhận ví điện tử.",
                                        field="account_number")
        if bank_account.owner_id != person.id_number:
            raise PermissionDeniedError(
                f"Tài khoản này đứng tên {bank_account.holder}, không phải {person.full_name}. "
                "Tiền an sinh xã hội chỉ chi vào tài khoản đứng tên chính người hưởng (trùng họ "
                "tên và số định danh): không dùng tài khoản của con cháu.",
                field="account_number")
        if not bank_account.biometrics:
            raise PermissionDeniedError(
                "Tài khoản đang bị hạn chế vì chưa đối chiếu sinh trắc học với thẻ căn cước (Thông "
                "tư 17/2024/TT-NHNN): làm trong ứng dụng ngân hàng hoặc tại quầy trước.",
                field="account_number")
        account.social_account = {"bank_bin": bank_account.bank_bin, "number": number,
                                  "bank": bank_account.bank_name, "holder": bank_account.holder}
        return {"id_number": account.id_number, **account.social_account,
                "status": "Đã liên kết",
                "message": f"Đã đăng ký tài khoản hưởng an sinh xã hội: {bank_account.bank_name} "
                           f"{number} ({bank_account.holder})."}
