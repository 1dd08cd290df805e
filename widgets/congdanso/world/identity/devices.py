"""VNeID on a new phone: one device at a time, the code on the old phone, NFC with the chip card,
the device list, the hotline that locks a lost phone's account.

What the real app does (vietnam.vn, plo.vn 19/8/2025, znews.vn; BRIEF "2026 facts"): an account is
logged in on one device at a time. Logging in on a new phone asks for a code that the app shows
on the *old* phone. Old phone lost or broken: on the new phone choose "Xác thực NFC bằng thẻ căn
cước gắn chip" and hold the chip card to the phone; the code then comes to the new phone. A phone
without NFC: borrow one with NFC (then unlink it: Cá nhân → Quản lý thiết bị) or go to the ward
police. Lost phone: call 1900 0368 to lock the account first. The SIM is not what proves the new
device.

What only this simulation decides (say so in lessons): the code lives 5 minutes and allows 5
wrong tries; the hotline checks full name and date of birth; a lock from the hotline ends when
the new phone passes the NFC check or the ward police confirm the phone in person.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

from congdanso.world.core.actions import action
from congdanso.world.core.errors import (
    AuthError,
    LockedError,
    NotFoundError,
    PermissionDeniedError,
    StateError,
    ValidationError,
)
from congdanso.world.core.text import clean_name
from congdanso.world.core.validate import check_otp
from congdanso.world.identity.security import MAX_OTP_ATTEMPTS, derive_secret

if TYPE_CHECKING:
    from congdanso.world.identity.vneid import VneidAccount, VneidSession
    from congdanso.world.world import World

HOTLINE = "1900 0368"  # VNeID's switchboard (Trung tâm dữ liệu quốc gia về dân cư)
CODE_VALID_FOR = dt.timedelta(minutes=5)  # a simulation setting, like the SMS OTPs
NFC_CHOICE = "Xác thực NFC bằng thẻ căn cước gắn chip"


@dataclass(slots=True)
class Handset:
    """A phone the VNeID app runs on. Whether it reads NFC matters on a new phone."""

    id: str
    label: str
    owner: str  # ID number of the phone's owner (a borrowed phone belongs to someone else)
    nfc: bool = True
    lost: bool = False

    def record(self) -> dict:
        return {"id": self.id, "label": self.label, "owner": self.owner, "nfc": self.nfc,
                "lost": self.lost}


@dataclass(slots=True)
class DeviceCode:
    """The code that lets a new phone in: shown on the old phone, or after NFC on the new one."""

    code: str
    for_device: str  # the new phone waiting for it
    shown_on: str  # the phone whose VNeID app shows it
    expires: dt.datetime
    by_nfc: bool = False
    attempts: int = 0


def own_handset_id(id_number: str) -> str:
    return f"dt-{id_number}"


class DeviceFeatures:
    """Mixed into ``VneidService``: devices of the accounts and what a new phone needs."""

    world: World
    accounts: dict[str, VneidAccount]
    sessions: dict[str, VneidSession]
    handsets: dict[str, Handset]

    # -- phones ------------------------------------------------------------------------------
    def own_handset(self, id_number: str) -> Handset:
        """The phone a resident has used until now (NFC: yes): made on first use."""
        person = self.world.population.require(id_number)
        key = own_handset_id(person.id_number)
        if key not in self.handsets:
            self.handsets[key] = Handset(key, f"Điện thoại đang dùng của {person.full_name}",
                                         person.id_number)
        return self.handsets[key]

    def handset(self, device: str | None, id_number: str) -> Handset:
        if device is None or device == "":
            return self.own_handset(id_number)
        found = self.handsets.get(str(device))
        if found is None:
            raise NotFoundError("Không có điện thoại này trong tình huống.", field="device")
        return found

    @action("vneid.add_handset")
    def add_handset(self, handset_id: str, owner: str, label: str, nfc: bool = True) -> Handset:
        """A phone enters the story: a new phone bought, a relative's phone borrowed."""
        person = self.world.population.require(owner)
        if handset_id in self.handsets:
            raise StateError("Điện thoại này đã có trong tình huống.")
        self.handsets[handset_id] = Handset(handset_id, label, person.id_number, bool(nfc))
        return self.handsets[handset_id]

    @action("vneid.lose_handset")
    def lose_handset(self, handset_id: str) -> Handset:
        """The phone is lost or broken: nobody reads its screen any more."""
        found = self.handsets.get(handset_id)
        if found is None:
            raise NotFoundError("Không có điện thoại này trong tình huống.", field="device")
        found.lost = True
        return found

    # -- logging in on a phone ------------------------------------------------------------------
    def _new_code(self, account: VneidAccount, new: Handset, shown_on: str, *,
                  by_nfc: bool) -> DeviceCode:
        import pyotp

        code = pyotp.HOTP(derive_secret(self.world.seed, "vneid-device")).at(
            self.world.counter("vneid-device"))
        account.device_code = DeviceCode(code, new.id, shown_on,
                                         self.world.now + CODE_VALID_FOR, by_nfc)
        return account.device_code

    def _enter_on(self, account: VneidAccount, handset: Handset) -> VneidSession:
        """Open a session on ``handset`` (called after the password is right). The account's
        own phone goes straight in; another phone waits for a code."""
        if handset.lost:
            raise StateError("Điện thoại này đã báo mất hoặc hỏng: không dùng được nữa.",
                             field="device")
        first = account.device is None
        if first or (account.device == handset.id and not account.hotline_locked):
            return self._switch_to(account, handset)
        account.device_code = None
        account.pending_device = handset.id
        if account.hotline_locked:
            raise StateError(
                f"Tài khoản đang tạm khoá theo yêu cầu qua tổng đài {HOTLINE}. Để dùng lại trên "
                f'điện thoại này: chọn "{NFC_CHOICE}" và áp thẻ căn cước vào máy, hoặc đến '
                "công an phường.", code="thiet_bi_moi", field="device_code")
        old = self.handsets.get(account.device or "")
        self._new_code(account, handset, account.device or "", by_nfc=False)
        raise StateError(
            "Tài khoản VNeID chỉ đăng nhập trên một điện thoại. Mở VNeID trên điện thoại cũ ("
            f"{old.label if old else 'máy đang đăng nhập'}) để xem mã xác thực, rồi nhập mã "
            f'vào đây. Không còn điện thoại cũ (mất, hỏng): chọn "{NFC_CHOICE}".',
            code="thiet_bi_moi", field="device_code")

    def _switch_to(self, account: VneidAccount, handset: Handset) -> VneidSession:
        """Only one phone is logged in: every session on another phone ends."""
        for token in [t for t, s in self.sessions.items()
                      if s.id_number == account.id_number and s.device != handset.id]:
            del self.sessions[token]
        account.device = handset.id
        if handset.id not in account.devices:
            account.devices.append(handset.id)
        account.pending_device = None
        account.device_code = None
        return self._open_session(account, handset.id)  # type: ignore[attr-defined]

    def code_shown_on(self, device: str) -> str | None:
        """Read-only: the code the VNeID app on ``device`` shows now, if any (the old phone
        while logged in there, or the new phone after the NFC check)."""
        handset = self.handsets.get(device)
        if handset is None or handset.lost:
            return None
        for account in self.accounts.values():
            pending = account.device_code
            if pending is None or pending.shown_on != device or self.world.now > pending.expires:
                continue
            if pending.by_nfc or any(s.id_number == account.id_number and s.device == device
                                     for s in self.sessions.values()):
                return pending.code
        return None

    @action("vneid.confirm_device", secret=("code",))
    def confirm_device(self, id_number: str, code: str, device: str | None = None
                       ) -> VneidSession:
        """Type the code (from the old phone, or the one NFC brought) on the new phone."""
        account = self._account(id_number)  # type: ignore[attr-defined]
        handset = self.handset(device, account.id_number)
        pending = account.device_code
        if account.pending_device != handset.id or pending is None \
                or pending.for_device != handset.id:
            raise StateError("Chưa có lần đăng nhập nào trên điện thoại này đang chờ mã. Hãy "
                             "đăng nhập bằng số định danh và mật khẩu trước.",
                             field="device_code")
        value = check_otp(code)
        where = "điện thoại này" if pending.by_nfc else "điện thoại cũ"
        if self.world.now > pending.expires:
            account.device_code = None
            raise AuthError("Mã xác thực đã hết hạn. Hãy đăng nhập lại để nhận mã mới.",
                            field="device_code")
        if value != pending.code:
            pending.attempts += 1
            if pending.attempts >= MAX_OTP_ATTEMPTS:
                account.device_code = None
                raise LockedError(f"Sai mã {MAX_OTP_ATTEMPTS} lần, mã này đã bị huỷ. Hãy đăng "
                                  "nhập lại để nhận mã mới.", field="device_code")
            raise AuthError(f"Mã xác thực không đúng. Còn {MAX_OTP_ATTEMPTS - pending.attempts} "
                            f"lần thử. Đọc lại mã đang hiện trên {where}.", field="device_code")
        if pending.by_nfc:  # the chip card proved the person: a hotline lock ends (simulation)
            account.hotline_locked = False
        elif account.hotline_locked:
            raise StateError(f'Tài khoản đang tạm khoá qua tổng đài {HOTLINE}: chọn "'
                             f'{NFC_CHOICE}" hoặc đến công an phường.', field="device_code")
        return self._switch_to(account, handset)

    @action("vneid.verify_nfc")
    def verify_nfc(self, id_number: str, card_held: bool, device: str | None = None) -> dict:
        """"Xác thực NFC bằng thẻ căn cước gắn chip" on the new phone: the chip is read, then
        the code comes to this phone."""
        account = self._account(id_number)  # type: ignore[attr-defined]
        handset = self.handset(device, account.id_number)
        person = self.world.population.require(account.id_number)
        if account.pending_device != handset.id:
            raise StateError("Hãy đăng nhập bằng số định danh và mật khẩu trên điện thoại này "
                             "trước; ứng dụng báo thiết bị mới thì mới chọn xác thực NFC.")
        if not handset.nfc:
            raise PermissionDeniedError(
                "Điện thoại này không có NFC nên không đọc được chip thẻ căn cước. Cách khác: "
                "mượn một điện thoại có NFC để xác thực (xong thì gỡ máy mượn: Cá nhân → Quản lý "
                "thiết bị), hoặc đến công an phường.", field="nfc", code="khong_nfc")
        if not person.has_chip_card:
            raise PermissionDeniedError(
                "Người dân chưa có thẻ căn cước gắn chip: đến công an phường để được hỗ trợ.",
                field="nfc")
        if not card_held:
            raise ValidationError(
                "Chưa đọc được chip. Áp thẻ căn cước gắn chip của chính chủ tài khoản sát mặt "
                "sau điện thoại, giữ yên đến khi máy báo xong (bỏ ốp lưng dày nếu cần).",
                field="nfc")
        pending = self._new_code(account, handset, handset.id, by_nfc=True)
        return {"id_number": account.id_number, "device": handset.id,
                "expires": pending.expires.isoformat(),
                "message": "Đã đọc chip thẻ căn cước. Mã xác thực đã gửi đến ứng dụng VNeID "
                           "trên điện thoại này."}

    # -- the device list ----------------------------------------------------------------------
    def devices_of(self, token: str) -> list[dict]:
        """"Cá nhân → Quản lý thiết bị": the phones linked to the account."""
        session, account = self._session(token)  # type: ignore[attr-defined]
        return [{"id": d, "label": self.handsets[d].label if d in self.handsets else d,
                 "current": d == session.device} for d in account.devices]

    @action("vneid.unlink_device")
    def unlink_device(self, token: str, device: str) -> dict:
        """Remove a phone (a borrowed one) from the account's device list."""
        session, account = self._session(token)  # type: ignore[attr-defined]
        if device not in account.devices:
            raise NotFoundError("Điện thoại này không có trong danh sách thiết bị của tài "
                                "khoản.", field="device")
        if device == session.device:
            raise StateError("Đây là điện thoại đang dùng: không gỡ được. Gỡ máy mượn từ "
                             "điện thoại của chính người dân.", field="device")
        account.devices.remove(device)
        for token_ in [t for t, s in self.sessions.items()
                       if s.id_number == account.id_number and s.device == device]:
            del self.sessions[token_]
        return {"id_number": account.id_number, "device": device, "devices": list(account.devices)}

    # -- a lost phone ---------------------------------------------------------------------------
    @action("vneid.hotline_lock")
    def hotline_lock(self, id_number: str, full_name: str, birth_date: str) -> dict:
        """Call 1900 0368 and ask to lock the account of a lost phone. The operator checks full
        name and date of birth (what is asked is this simulation's choice)."""
        account = self._account(id_number)  # type: ignore[attr-defined]
        person = self.world.population.require(account.id_number)
        from congdanso.world.core.normalize import date as normal_date

        if clean_name(str(full_name)).casefold() != person.full_name.casefold():
            raise AuthError("Tổng đài viên: họ tên chưa khớp với số định danh. Người gọi phải là "
                            "chính chủ tài khoản, đọc đủ họ tên có dấu như trên thẻ căn cước.",
                            field="full_name")
        if normal_date(str(birth_date)) != person.birth_date.strftime("%d/%m/%Y"):
            raise AuthError("Tổng đài viên: ngày sinh chưa khớp với số định danh. Đọc ngày sinh "
                            "trên thẻ căn cước theo ngày/tháng/năm, ví dụ 05/09/1968.",
                            field="birth_date")
        if account.hotline_locked:
            raise StateError("Tài khoản này đã được khoá qua tổng đài rồi.")
        account.hotline_locked = True
        for token in [t for t, s in self.sessions.items() if s.id_number == account.id_number]:
            del self.sessions[token]
        return {"id_number": account.id_number, "locked": True,
                "message": "Đã tạm khoá tài khoản VNeID: điện thoại bị mất không dùng được "
                           "tài khoản nữa. Mở lại trên máy mới bằng xác thực NFC với thẻ căn "
                           "cước gắn chip, hoặc tại công an phường."}

    def is_hotline_locked(self, id_number: str) -> bool:
        account = self.accounts.get(id_number)
        return bool(account and account.hotline_locked)


def police_confirm_device(world: World, id_number: str, device: str | None,
                          present: bool) -> VneidAccount:
    """At the ward police, in person: the officer links the resident's new phone (a phone
    without NFC, a card the phone cannot read) and lifts a hotline lock (simulation)."""
    vneid = world.vneid
    if not present:
        raise PermissionDeniedError("Công an phường chỉ xác thực thiết bị mới khi chính chủ tài "
                                    "khoản có mặt, mang thẻ căn cước.", field="present")
    account = vneid._account(id_number)
    handset = vneid.handset(device, account.id_number)
    if handset.owner != account.id_number:
        raise PermissionDeniedError("Chỉ liên kết điện thoại của chính người dân, không liên kết "
                                    "máy của người khác.", field="device")
    account.hotline_locked = False
    account.pending_device = None
    account.device_code = None
    for token in [t for t, s in vneid.sessions.items() if s.id_number == account.id_number]:
        del vneid.sessions[token]
    account.device = handset.id
    if handset.id not in account.devices:
        account.devices.append(handset.id)
    return account
