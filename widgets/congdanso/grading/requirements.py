"""The requirements a grade cell can declare, as small named checks of what the learner did.

A grade cell says ``bai_tap.kiem_tra("hoa-don-da-tra")``. The grader (outside the learner's
kernel) evaluates the same name against the verified journal, replayed, and the learner's own
scenario; in the learner's kernel the same check only shows progress. A check returns ``None``
when the requirement is met, otherwise a message in Vietnamese that says what to do next.

Answers (``"cau:<question>"``) are judged only by the grader; in the kernel they count as done
once answered, so the self-check never gives an answer away. A check that needs the answer key
(which procedure, whether the QR should be paid) reads ``ctx.key``; in the learner's kernel there is
no key (``None``), and such a check says only whether the step was done.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from congdanso.world import normalize

if TYPE_CHECKING:
    from congdanso.grading.key import AnswerKey
    from congdanso.grading.variants import Scenario
    from congdanso.world.world import World

ANSWER = "cau:"


@dataclass
class Context:
    """What a check looks at: the world after the learner's work, the learner's events since
    the scenario began (oldest first), and the scenario."""

    world: World
    events: list[dict[str, Any]]
    scenario: Scenario
    key: AnswerKey | None = None  # the grader's; None in the learner's kernel

    def expected_values(self) -> dict[str, Any] | None:
        """The scenario's values with what the key says (None without a key)."""
        if self.key is None:
            return None
        cached = getattr(self, "_expected_values", None)
        if cached is None:
            cached = self.key.values(self.world, self.scenario)
            self._expected_values = cached
        return cached

    @property
    def resident(self) -> str:
        return self.scenario.resident or ""

    def did(self, name: str, **args: Any) -> list[dict[str, Any]]:
        """Successful ``name`` actions with these arguments, compared as the world reads them
        ("087 062 514 932" is the ID number 087062514932; a code in lower case is that code)."""
        return [e for e in self.tried(name, **args) if e.get("ok")]

    def tried(self, name: str, **args: Any) -> list[dict[str, Any]]:
        wanted = {k: normalize.argument(k, v) for k, v in args.items()}
        return [e for e in self.events if e["action"] == name
                and all(normalize.argument(k, e["args"].get(k)) == v for k, v in wanted.items())]


@dataclass(frozen=True)
class Requirement:
    name: str
    title: str  # what the checklist shows, in Vietnamese
    check: Callable[[Context], str | None]


REQUIREMENTS: dict[str, Requirement] = {}


def requirement(name: str, title: str):
    def register(fn: Callable[[Context], str | None]):
        REQUIREMENTS[name] = Requirement(name, title, fn)
        return fn
    return register


# -- VNeID and the portal ---------------------------------------------------------------------------
def _vneid_account(ctx: Context):
    return ctx.world.vneid.account_of(ctx.resident)


@requirement("vneid-muc-2", "Người dân có tài khoản VNeID mức 2 (đăng ký tại công an phường "
             "nếu chưa có, không đăng ký trùng)")
def _level2(ctx: Context) -> str | None:
    account = _vneid_account(ctx)
    if ctx.scenario.values.get("situation") == "muc2-co-san":
        repeated = ctx.tried("police.enroll_level2", id_number=ctx.resident) + \
            ctx.tried("vneid.register", id_number=ctx.resident)
        if repeated:
            return ("Người dân đã có sẵn tài khoản mức 2 từ khi làm căn cước: không đăng ký lại. "
                    "Hãy chọn kích hoạt tài khoản trong ứng dụng VNeID.")
        return _activated(ctx)  # recognised only by going on to activate the existing account
    if ctx.scenario.values.get("situation") == "sim-nguoi-khac":
        person = ctx.world.population.require(ctx.resident)
        if not ctx.did("carrier.update_subscriber", phone=person.phone, id_number=ctx.resident):
            return ("Số điện thoại của người dân chưa đứng tên chính người dân: kiểm tra (TTTB gửi "
                    "1414) rồi chuẩn hoá thuê bao tại cửa hàng nhà mạng trước khi đăng ký mức 2.")
    if account is None or account.level < 2:
        return ("Người dân chưa có tài khoản mức 2: đưa người dân đến quầy công an phường, mang "
                "thẻ căn cước và điện thoại đứng tên mình.")
    if not ctx.did("police.enroll_level2", id_number=ctx.resident):
        return "Tài khoản mức 2 phải được đăng ký tại công an phường."
    return None


@requirement("vneid-kich-hoat", "Kích hoạt VNeID: OTP → mật khẩu → passcode → câu hỏi bảo mật")
def _activated(ctx: Context) -> str | None:
    from congdanso.world.identity.vneid import ACTIVE

    account = _vneid_account(ctx)
    if account is None or account.status != ACTIVE:
        return ("Tài khoản VNeID của người dân chưa được kích hoạt xong. Trong ứng dụng VNeID: "
                "kích hoạt → nhập mã OTP trong tin nhắn → mật khẩu → passcode → câu hỏi bảo mật.")
    return None


@requirement("vneid-dang-nhap", "Đăng nhập VNeID bằng mật khẩu vừa đặt")
def _vneid_login(ctx: Context) -> str | None:
    if not ctx.did("vneid.login", id_number=ctx.resident):
        return "Hãy đăng nhập ứng dụng VNeID bằng số định danh và mật khẩu vừa đặt."
    return None


def _portal_via_vneid(ctx: Context, id_number: str) -> str | None:
    made = [e for e in ctx.did("portal.finish_vneid_login")
            if e["result"].get("id_number") == id_number]
    if not made:
        person = ctx.world.population.get(id_number)
        name = person.full_name if person else id_number
        return (f"{name} chưa đăng nhập Cổng DVC bằng VNeID. Trong ứng dụng Cổng DVC chọn "
                "\"Đăng nhập bằng tài khoản định danh điện tử\", rồi quét mã QR bằng ứng dụng "
                "VNeID và xác nhận bằng passcode.")
    return None


@requirement("cong-dvc-vneid", "Tạo tài khoản Cổng DVC bằng cách đăng nhập với VNeID (quét QR)")
def _portal(ctx: Context) -> str | None:
    return _portal_via_vneid(ctx, ctx.resident)


@requirement("tai-khoan-nguoi-1", "Người dân thứ nhất có tài khoản Cổng DVC qua VNeID")
def _helped_1(ctx: Context) -> str | None:
    return _portal_via_vneid(ctx, ctx.scenario.residents[0])


@requirement("tai-khoan-nguoi-2", "Người dân thứ hai có tài khoản Cổng DVC qua VNeID")
def _helped_2(ctx: Context) -> str | None:
    return _portal_via_vneid(ctx, ctx.scenario.residents[1])


@requirement("so-theo-doi", "Hỏi đồng ý rồi ghi từng người dân đã giúp vào sổ theo dõi")
def _visit_log(ctx: Context) -> str | None:
    logged = {v.id_number for v in ctx.world.support.visits}
    for id_number in ctx.scenario.residents:
        if id_number not in logged:
            person = ctx.world.population.get(id_number)
            name = person.full_name if person else id_number
            return (f"{name} chưa có trong sổ theo dõi. Hỏi người dân có đồng ý ghi tên không "
                    "(nói rõ để làm gì), tích ô đồng ý, chọn việc đã giúp và kết quả → Ghi vào sổ.")
    return None


@requirement("den-nha", "Người không đến được: đăng ký công an đến nhà, công an đến thu nhận")
def _home_visit(ctx: Context) -> str | None:
    who = ctx.scenario.values.get("homebound")
    visits = [v for v in ctx.world.police.home_visits.values() if v.id_number == who]
    if not visits:
        return ("Chưa đăng ký công an đến nhà cho người không đến được. Ở quầy công an phường: "
                "số định danh của người đó, lý do, số điện thoại của người nhà → Đăng ký công an "
                "đến nhà.")
    values = ctx.expected_values()  # the grader's (or a practice's) to judge
    if values is not None and visits[-1].reason != values["homebound_reason"]:
        return "Lý do đăng ký chưa đúng với tình trạng người dân trong tình huống."
    relative = ctx.world.population.get(ctx.scenario.values.get("homebound_relative", ""))
    if relative is not None and visits[-1].contact != relative.phone:
        return ("Số điện thoại đăng ký chưa phải của người nhà trong tình huống: công an nhắn "
                "ngày đến cho người nhà, người chăm sóc người không đến được.")
    account = ctx.world.vneid.account_of(who or "")
    if not any(v.done for v in visits) or account is None or account.level < 2:
        return ("Công an chưa đến nhà. Bấm “Thời gian trôi 1 ngày” đến giờ hẹn, rồi “Công an đến "
                "nhà theo lịch hẹn” với số điện thoại đứng tên người được đến nhà.")
    return None


# -- dossiers ---------------------------------------------------------------------------------------
def _earlier(ctx: Context) -> set[str]:
    """Dossiers the resident filed before the scenario began (not the learner's work)."""
    values = ctx.scenario.values
    return {values[k] for k in ("supplement_code", "tam_tru_code") if k in values}


def _dossier(ctx: Context):
    """The resident's dossier for the procedure their need calls for (with the key); without the
    key (learner's kernel), the latest dossier the learner filed for the resident."""
    values = ctx.expected_values()
    earlier = _earlier(ctx)
    mine = [d for d in ctx.world.portal.dossiers.values()
            if d.id_number == ctx.scenario.resident and d.code not in earlier
            and (values is None or d.procedure.code == values.get("procedure"))]
    return mine[-1] if mine else None


@requirement("ho-so-nop", "Nộp hồ sơ đúng thủ tục người dân cần, dùng thông tin điền sẵn")
def _submitted(ctx: Context) -> str | None:
    if _dossier(ctx) is None:
        return ("Chưa có hồ sơ nào đúng thủ tục người dân cần. Trên Cổng DVC: tìm thủ tục → kiểm "
                "tra thông tin điền sẵn → khai phần còn thiếu → nộp.")
    earlier = _earlier(ctx)
    filed = {d.procedure.code for d in ctx.world.portal.dossiers.values()
             if d.id_number == ctx.scenario.resident and d.code not in earlier}
    if ctx.key is not None and len(filed) > 1:  # one dossier for each guess is not choosing
        return ("Đã nộp hồ sơ cho nhiều thủ tục khác nhau thay người dân: mỗi hồ sơ là một yêu "
                "cầu thật gửi cơ quan. Chọn đúng một thủ tục người dân cần rồi mới nộp.")
    return None


@requirement("ho-so-dung-thong-tin", "Phần khai thêm của hồ sơ đúng nhu cầu của người dân")
def _fields(ctx: Context) -> str | None:
    dossier = _dossier(ctx)
    if dossier is None:
        return "Chưa có hồ sơ để xem phần khai thêm."
    values = ctx.expected_values()
    if values is None:  # right or wrong is the grader's to say
        return None
    for key, wanted in values["fields"].items():
        given = dossier.data.get(key)
        if isinstance(wanted, dict):  # free text: the words that matter, in any wording
            words = [normalize.fold(w) for w in wanted.get("contains", [])]
            if all(w in normalize.fold(given).split() for w in words):
                continue
            return ("Phần khai thêm của hồ sơ chưa khớp với điều người dân cần (đọc lại tình "
                    "huống: mục đích, loại giấy tờ, số bản).")
        if _norm(given) != _norm(wanted):
            return ("Phần khai thêm của hồ sơ chưa khớp với điều người dân cần (đọc lại tình "
                    "huống: mục đích, loại giấy tờ, số bản).")
    return None


@requirement("phi-da-tra", "Trả phí, lệ phí của hồ sơ qua ứng dụng ngân hàng")
def _fee(ctx: Context) -> str | None:
    dossier = _dossier(ctx)
    if dossier is None or dossier.fee_status != "da_thanh_toan":
        return ("Phí của hồ sơ chưa được trả. Khi hồ sơ đã được tiếp nhận: Quản lý hồ sơ → Yêu "
                "cầu thanh toán → quét mã bằng ứng dụng ngân hàng → kiểm tra tên người nhận → OTP.")
    return None


@requirement("ho-so-tra-cuu", "Tra cứu tình trạng hồ sơ bằng mã hồ sơ")
def _looked_up(ctx: Context) -> str | None:
    dossier = _dossier(ctx)
    if dossier is None or not ctx.did("portal.lookup", code=dossier.code):
        return "Hãy tra cứu hồ sơ bằng mã hồ sơ (ô \"Tra cứu hồ sơ\" trên Cổng DVC)."
    return None


@requirement("ho-so-ket-qua", "Nhận kết quả hồ sơ trực tuyến (tải về khi đã có)")
def _result(ctx: Context) -> str | None:
    dossier = _dossier(ctx)
    if dossier is None or not ctx.did("portal.download_result", code=dossier.code):
        return ("Chưa tải kết quả hồ sơ. Bấm “Thời gian trôi 1 ngày” đến khi hồ sơ có "
                "kết quả, rồi vào Quản lý hồ sơ → Tải kết quả.")
    return None


@requirement("ho-so-bo-sung", "Bổ sung hồ sơ bị yêu cầu bổ sung (ảnh rõ nét)")
def _supplemented(ctx: Context) -> str | None:
    code = ctx.scenario.values.get("supplement_code")
    if not code or not ctx.did("portal.supplement", code=code):
        return (f"Hồ sơ {code} đang chờ bổ sung. Trên Cổng DVC: Quản lý hồ sơ → đọc lý do → chọn "
                "ảnh giấy chứng sinh rõ nét trong thư viện ảnh → Gửi bổ sung.")
    return None


@requirement("ho-so-bo-sung-ket-qua", "Tải kết quả của hồ sơ đã bổ sung")
def _supplemented_result(ctx: Context) -> str | None:
    code = ctx.scenario.values.get("supplement_code")
    if not code or not ctx.did("portal.download_result", code=code):
        return (f"Chưa tải kết quả hồ sơ {code}. Sau khi bổ sung, cho thời gian trôi đến khi hồ sơ "
                "có kết quả, rồi vào Quản lý hồ sơ → Tải kết quả.")
    return None


# -- signatures -------------------------------------------------------------------------------------
@requirement("chung-thu-dang-ky", "Đăng ký chứng thư chữ ký số bằng VNeID mức 2")
def _cert_requested(ctx: Context) -> str | None:
    if ctx.world.kyso.accounts.get(ctx.resident) is None:
        return "Trong ứng dụng Ký số: \"Đăng ký bằng VNeID mức 2\" (người dân đã đăng nhập VNeID)."
    return None


@requirement("chung-thu-kich-hoat", "Kích hoạt ứng dụng ký số bằng mã trong tin nhắn và mã PIN")
def _cert_active(ctx: Context) -> str | None:
    account = ctx.world.kyso.accounts.get(ctx.resident)
    if account is None or account.status != "hoat_dong":
        return "Hãy kích hoạt ứng dụng ký số: mã kích hoạt trong tin nhắn, rồi đặt mã PIN 6 số."
    return None


@requirement("hop-dong-da-ky", "Ký số hợp đồng lao động công ty gửi (đặt chữ ký, xác nhận PIN)")
def _contract_signed(ctx: Context) -> str | None:
    contract = ctx.scenario.values.get("contract")
    kyso = ctx.world.kyso
    name = kyso.documents[contract].name if contract in kyso.documents else None
    if not any(d.kind == "da_ky" and d.signed_by == ctx.resident
               and name and d.name == name.removesuffix(".pdf") + "-da-ky.pdf"
               for d in kyso.documents.values()):
        return ("Chưa ký hợp đồng công ty gửi. Trong ứng dụng Ký số: chọn hợp đồng → đặt chữ ký "
                "→ người dân nhập mã PIN.")
    return None


def _copy_verified(ctx: Context, n: int) -> str | None:
    state = ctx.world.course.exercises.get(ctx.scenario.assignment)
    copies = state.copies if state else []
    if len(copies) < n:
        return ("Công ty chưa gửi lại hợp đồng: sau khi ký, bấm \"Nhận bản công ty gửi lại\", "
                "rồi kiểm tra chữ ký từng bản.")
    if not ctx.did("kyso.verify", document_id=copies[n - 1]):
        return f"Chưa kiểm tra chữ ký của bản số {n} (ứng dụng Ký số → chọn bản → Kiểm tra)."
    return None


@requirement("kiem-tra-ban-1", "Kiểm tra chữ ký bản số 1 công ty gửi lại")
def _copy_1(ctx: Context) -> str | None:
    return _copy_verified(ctx, 1)


@requirement("kiem-tra-ban-2", "Kiểm tra chữ ký bản số 2 công ty gửi lại")
def _copy_2(ctx: Context) -> str | None:
    return _copy_verified(ctx, 2)


@requirement("kiem-tra-tat-ca", "Kiểm tra chữ ký của mọi bản công ty gửi lại")
def _every_copy(ctx: Context) -> str | None:
    for n in range(1, ctx.scenario.values.get("copies_sent", 2) + 1):
        todo = _copy_verified(ctx, n)
        if todo is not None:
            return todo
    return None


# -- payments ---------------------------------------------------------------------------------------
def _bill(world: World, scenario: Scenario):
    return world.bills.find(scenario.values["service"], scenario.values["bill_code"])


@requirement("hoa-don-da-tra", "Trả hoá đơn của hộ bằng mã khách hàng, đọc tên người nhận trước")
def _bill_paid(ctx: Context) -> str | None:
    bill = _bill(ctx.world, ctx.scenario)
    if bill.paid_at is None:
        return (f"Hoá đơn {bill.service_name.lower()} mã {bill.customer_code} chưa được trả. Ứng "
                "dụng ngân hàng → Thanh toán hoá đơn → tra cứu → kiểm tra tên → OTP.")
    return None


@requirement("doc-ma-qr", "Quét mã QR \"tiền rác\" bằng ứng dụng ngân hàng để xem người nhận")
def _qr_scanned(ctx: Context) -> str | None:
    if not ctx.tried("bank.scan_qr", payload=ctx.scenario.values["qr_payload"]):
        return ("Hãy quét mã QR \"tiền rác\" trong ứng dụng ngân hàng (Quét mã VietQR → chọn mã "
                "có sẵn) để xem tên người nhận trước khi trả.")
    return None


@requirement("tien-rac-dung-cach", "Quét mã QR tiền rác rồi quyết định trả hay không (đúng "
             "sai do hệ thống chấm)")
def _qr_handled(ctx: Context) -> str | None:
    values = ctx.scenario.values
    if ctx.key is None:  # pay or not is the grader's to say: here, only whether it was read
        return _qr_scanned(ctx)
    target = _qr_target(values["qr_payload"])
    paid = [e for e in ctx.did("bank.confirm_transfer")
            if e["result"].get("status") == "thanh_cong" and e["result"].get("target") == target]
    if values["trap"] == "nguoi-la":
        if paid:
            return "Đã chuyển tiền vào tài khoản của một người lạ qua mã QR trên giấy báo."
        return _qr_scanned(ctx)  # not paying counts only after reading who the code pays
    if not paid:
        return "Mã QR đúng của đơn vị thu gom rác mà tiền rác chưa được trả."
    return None


def _qr_target(payload: str) -> str:
    from congdanso.world.money.vietqr import decode

    return decode(payload).account


@requirement("sinh-trac-xong", "Tài khoản ngân hàng của người dân giao dịch lại được: gỡ đúng "
             "chỗ (trong ứng dụng hoặc tại quầy), chính chủ tài khoản làm")
def _biometrics_done(ctx: Context) -> str | None:
    from congdanso.world.money.payments import BANK_BIN

    account = next((a for a in ctx.world.bank.accounts_of(ctx.resident)
                    if a.kind == "bank" and a.bank_bin == BANK_BIN), None)
    if account is None:
        return "Người dân chưa có tài khoản ngân hàng trong tình huống này: bấm “Làm lại từ đầu”."
    if not account.device_ok:
        return ("Ứng dụng ngân hàng trên điện thoại mới chưa xác thực khuôn mặt: đăng nhập, rồi "
                "để chủ tài khoản tự nhìn vào camera.")
    if account.id_paper == "cmnd":
        return ("Hồ sơ ngân hàng còn ghi chứng minh nhân dân 9 số: cập nhật thẻ căn cước, trong "
                "ứng dụng bằng nút “Cập nhật giấy tờ tuỳ thân bằng thẻ căn cước (NFC)” hoặc tại "
                "quầy.")
    if account.mismatch:
        return ("Hồ sơ ngân hàng khác dữ liệu trên thẻ căn cước: việc này chỉ sửa tại quầy (nút "
                "\"Cập nhật thông tin và sinh trắc học tại quầy\" ở màn hình đăng nhập).")
    if not account.biometrics:
        return ("Tài khoản chưa đối chiếu sinh trắc học: trong ứng dụng, áp thẻ căn cước (NFC) "
                "rồi chụp khuôn mặt; chip không đọc được thì bật NFC, tháo ốp lưng, đổi chỗ "
                "đặt thẻ.")
    return None


# -- troubleshooting at the support point ------------------------------------------------------------
def _for_resident(ctx: Context, name: str, key: str = "id_number") -> list[int]:
    """Positions (in the learner's events) of successful ``name`` actions about the resident."""
    return [i for i, e in enumerate(ctx.events) if e["action"] == name and e.get("ok")
            and isinstance(e.get("result"), dict) and e["result"].get(key) == ctx.resident]


_FIXES = {
    "quen-mat-khau": ("vneid.reset_password", "id_number",
                      "Chưa lấy lại mật khẩu: VNeID → Quên mật khẩu → mã OTP → chụp khuôn mặt "
                      "(đủ sáng, bỏ kính, nhìn thẳng) → người dân tự đặt mật khẩu mới."),
    "quen-passcode": ("vneid.reset_passcode", "id_number",
                      "Chưa đặt lại passcode: đăng nhập VNeID → Quên passcode → người dân tự trả "
                      "lời 2 câu hỏi bảo mật → đặt passcode mới."),
}
# A new phone is in when a code let it in (from the old phone, or after NFC) or the ward police
# linked it: what the hint says depends on the path.
_NEW_PHONE = {
    "may-moi": "Chưa đăng nhập được VNeID trên máy mới: đăng nhập trên máy mới, mở VNeID trên "
               "máy cũ để xem mã xác thực, người dân tự nhập mã vào máy mới.",
    "mat-dien-thoai": "Chưa đăng nhập được VNeID trên máy mới: đăng nhập trên máy mới → chọn "
                      "\"Xác thực NFC bằng thẻ căn cước gắn chip\" → áp thẻ vào máy → nhập mã "
                      "vừa hiện trên máy mới.",
    "may-khong-nfc": "Máy mới không có NFC: đăng nhập và xác thực NFC trên máy mượn, rồi đăng "
                     "nhập máy của người dân bằng mã hiện trên máy mượn (hoặc đến công an phường).",
}


def _new_phone_in(ctx: Context) -> list[int]:
    wanted = ctx.scenario.values.get("new_device")
    return [i for i in (_for_resident(ctx, "vneid.confirm_device")
                        + _for_resident(ctx, "police.confirm_device"))
            if (ctx.events[i]["result"].get("device") or ctx.events[i]["args"].get("device"))
            == wanted]


def _fix_positions(ctx: Context) -> dict[str, list[int]]:
    covers = ctx.scenario.values.get("covers", [])
    found = {p: _for_resident(ctx, _FIXES[p][0], _FIXES[p][1]) for p in covers if p in _FIXES}
    for problem in _NEW_PHONE:
        if problem in covers:
            found[problem] = _new_phone_in(ctx)
    return found


def _hint(problem: str) -> str:
    return _FIXES[problem][2] if problem in _FIXES else _NEW_PHONE[problem]


@requirement("go-roi-buoc-chinh", "Gỡ đúng vấn đề của người dân (điện thoại mới, mật khẩu, "
             "passcode) mà không đăng ký tài khoản mới")
def _troubleshot(ctx: Context) -> str | None:
    if ctx.tried("vneid.register", id_number=ctx.resident) or \
            ctx.tried("police.enroll_level2", id_number=ctx.resident):
        return ("Người dân đã có tài khoản VNeID đang hoạt động: không đăng ký lại, chỉ lấy lại "
                "quyền dùng tài khoản đó.")
    fixes = _fix_positions(ctx)
    covers = ctx.scenario.values.get("covers", [])
    if "mat-dien-thoai" in covers:
        locks = _for_resident(ctx, "vneid.hotline_lock")
        if not locks:
            return ("Điện thoại bị mất: việc đầu tiên là gọi tổng đài 1900 0368 để khoá tài "
                    "khoản VNeID (người dân tự gọi, tự đọc họ tên, ngày sinh).")
        if fixes["mat-dien-thoai"] and min(locks) > max(fixes["mat-dien-thoai"]):
            return "Gọi 1900 0368 khoá tài khoản trước, rồi mới đăng nhập trên máy mới."
    for problem, done in fixes.items():
        if not done:
            return _hint(problem)
    if "may-khong-nfc" in covers:
        borrowed = ctx.scenario.values.get("borrowed_device")
        account = ctx.world.vneid.account_of(ctx.resident or "")
        if account is not None and borrowed in account.devices:
            return ("Máy mượn vẫn còn trong danh sách thiết bị của người dân: trên máy của người "
                    "dân, vào Cá nhân → Quản lý thiết bị → gỡ máy mượn.")
    return None


@requirement("go-roi-vao-lai", "Người dân dùng lại được VNeID sau khi gỡ rối (đăng nhập, mở thẻ "
             "bằng passcode mới)")
def _back_in(ctx: Context) -> str | None:
    fixes = _fix_positions(ctx)
    if not fixes or any(not done for done in fixes.values()):
        return "Gỡ xong vấn đề của người dân trước, rồi cho người dân đăng nhập lại."
    access = [max(done) for p, done in fixes.items() if p != "quen-passcode"]
    if access:  # a password or a phone was the problem: a login after it was fixed
        logins = _for_resident(ctx, "vneid.login") + _for_resident(ctx, "vneid.confirm_device")
        if not any(i >= max(access) and ctx.events[i]["action"] != "police.confirm_device"
                   for i in logins):
            return ("Người dân chưa đăng nhập lại VNeID sau khi gỡ rối (trên máy mới, ứng dụng "
                    "hỏi mã xác thực: từ máy cũ, hoặc qua NFC với thẻ căn cước).")
    if "quen-passcode" in fixes:
        cards = [i for i, e in enumerate(ctx.events) if e["action"] == "vneid.show_card"
                 and e.get("ok") and isinstance(e.get("result"), dict)
                 and e["result"].get("Số định danh cá nhân") == ctx.resident]
        if not any(i > max(fixes["quen-passcode"]) for i in cards):
            return "Hãy cho người dân mở căn cước điện tử bằng passcode mới để thử."
    return None


@requirement("an-sinh-lien-ket", "Đăng ký tài khoản hưởng an sinh xã hội trên VNeID (tài khoản "
             "ngân hàng đứng tên chính người dân)")
def _social_account(ctx: Context) -> str | None:
    if _for_resident(ctx, "vneid.link_social_account"):
        return None
    return ("Chưa đăng ký tài khoản nhận tiền an sinh: VNeID → An sinh xã hội → chọn ngân hàng, "
            "nhập số tài khoản đứng tên chính người dân → passcode → Gửi đăng ký.")


@requirement("bhyt-xuat-trinh", "Tích hợp thẻ BHYT vào Ví giấy tờ rồi xuất trình ở cơ sở khám "
             "bệnh")
def _health_card_shown(ctx: Context) -> str | None:
    if not any(ctx.events[i]["result"].get("kind") == "bhyt"
               for i in _for_resident(ctx, "vneid.integrate_document")):
        return ("Chưa tích hợp thẻ BHYT: VNeID → Ví giấy tờ → Tích hợp thông tin → Thẻ bảo hiểm "
                "y tế → số thẻ (trong khung tình huống) → passcode.")
    if not any(ctx.events[i]["result"].get("place") == "phong_kham"
               for i in _for_resident(ctx, "vneid.present_document")):
        return ("Chưa xuất trình ở cơ sở khám bệnh: Ví giấy tờ → Xuất trình → Thẻ bảo hiểm y tế "
                "(hoặc Sổ sức khỏe điện tử) → Cơ sở khám bệnh, chữa bệnh → passcode.")
    return None


@requirement("tam-tru-vneid", "Đăng ký tạm trú ngay trên ứng dụng VNeID, đúng nơi ở mới")
def _stay_in_vneid(ctx: Context) -> str | None:
    wanted = " ".join(_fold(ctx.scenario.values["stay_address"]).split())
    for e in ctx.did("vneid.submit_residence", procedure_code="CT-DKTTR"):
        dossier = ctx.world.portal.dossiers.get(e["result"].get("code", ""))
        if dossier is None or dossier.id_number != ctx.resident:
            continue
        if " ".join(_fold(str(dossier.data.get("stay_address", ""))).split()) == wanted:
            return None
        return ("Hồ sơ tạm trú đã gửi nhưng địa chỉ nơi tạm trú chưa đúng nơi người dân thuê "
                "(đọc lại tình huống).")
    return ("Chưa đăng ký tạm trú trên VNeID: đăng nhập → Thủ tục hành chính (cư trú) → Đăng ký "
            "tạm trú → địa chỉ nơi thuê, ngày hết hạn, hợp đồng thuê nhà → passcode → Gửi.")


# -- answers ----------------------------------------------------------------------------------------
def _norm(value: Any) -> str:
    return normalize.text(value)


def _fold(text: str) -> str:
    return normalize.fold(text)


def same_answer(given: str, expected: Any, match: str | None) -> bool:
    return normalize.same(match, given, expected)


def answer_now(world: World, scenario: Scenario, question: str, key: AnswerKey) -> Any:
    """The value an "@" answer expects, in the world as it is at this moment (grader only)."""
    answer = key.answer(scenario, question)
    if not (isinstance(answer, str) and answer.startswith("@")):
        return None
    name = answer[1:]
    values = scenario.values
    if name in ("households", "households_without", "coverage_percent"):
        homes = [h for h in world.population.households
                 if h.ward.code == values["ward"] and h.khu_pho == values["khu_pho"]]
        covered = sum(any(world.portal.account_of(p.id_number) for p in h.members) for h in homes)
        if name == "households":
            return len(homes)
        if name == "households_without":
            return len(homes) - covered
        return round(100 * covered / len(homes)) if homes else 0
    if name.startswith("verdict_"):  # what the signing app says of returned copy n
        state = world.course.exercises.get(scenario.assignment)
        n = int(name.removeprefix("verdict_"))
        if state is None or len(state.copies) < n:
            return None
        kyso = world.kyso
        return kyso.verdict_of(kyso.content(state.copies[n - 1])).title
    if name == "qr_pay":  # options: [pay, do not pay, …]; pay only the waste collector
        from congdanso.world.money.vietqr import decode

        pays_collector = decode(values["qr_payload"]).account == \
            world.bank.billers["moi_truong"].number
        return scenario.question(question)["options"][0 if pays_collector else 1]
    if name.startswith("qr_"):
        from congdanso.world.money.vietqr import decode

        qr = decode(values["qr_payload"])
        target = world.bank.account(qr.bank_bin, qr.account)
        return {"qr_account": qr.account, "qr_amount": qr.amount or values.get("qr_amount"),
                "qr_name": target.holder if target is not None else ""}[name]
    dossier = _dossier(Context(world, [], scenario, key))
    if dossier is None:
        return None
    if name == "due_date":
        return dossier.due.strftime("%d/%m/%Y") if dossier.due else None
    return dossier.code if name == "dossier_code" else dossier.fee


def check_answer(ctx: Context, question: str, *, judge: bool) -> str | None:
    from congdanso.grading.variants import spec

    questions = spec(ctx.scenario.assignment)["questions"]
    if question not in questions:
        return f"Bài này không có câu hỏi \"{question}\"."
    state = ctx.world.course.exercises.get(ctx.scenario.assignment)
    given = state.answers.get(question) if state else None
    prompt = ctx.scenario.prompt(question)
    if given is None:
        return (f"Chưa trả lời câu: “{prompt}”. Chọn hoặc gõ câu trả lời rồi bấm "
                "“Lưu câu trả lời”.")
    if not judge:
        return None
    if ctx.key is None:
        return "Không có đáp án để chấm câu này."
    q = ctx.scenario.question(question)
    answer = ctx.key.answer(ctx.scenario, question)
    expected = given.expected_now if str(answer).startswith("@") \
        else ctx.key.expected(ctx.world, ctx.scenario, question)
    if not same_answer(given.value, expected, q.get("match")):
        return wrong_answer(ctx, question, given.value)
    return None


def wrong_answer(ctx: Context, question: str, value: str) -> str:
    """What the grader says for a wrong answer: what to check, never the answer itself."""
    prompt = ctx.scenario.prompt(question)
    hint = ctx.key.check(ctx.scenario, question) if ctx.key else None
    return (f"Câu “{prompt}”: câu trả lời “{value}” chưa đúng."
            + (f" Xem lại: {hint}" if hint else ""))


def title_of(name: str, scenario: Scenario) -> str:
    if name.startswith(ANSWER):
        return "Trả lời: " + scenario.prompt(name[len(ANSWER):])
    return REQUIREMENTS[name].title


def evaluate(ctx: Context, name: str, *, judge: bool = True) -> str | None:
    """``None`` when the requirement is met; otherwise what to do next. ``judge=False`` (the
    learner's kernel) counts an answer as done once given, without saying if it is right."""
    if name.startswith(ANSWER):
        return check_answer(ctx, name[len(ANSWER):], judge=judge)
    requirement_ = REQUIREMENTS.get(name)
    if requirement_ is None:
        return f"Yêu cầu \"{name}\" không có trong hệ thống chấm."
    return requirement_.check(ctx)


def journal_bodies(world: World) -> list[dict[str, Any]]:
    """Every verified event body of a world's journal (file or memory), oldest first. Lives here,
    not in :mod:`decide`, so the learner's kernel never imports nbgrader to show progress."""
    from congdanso.world.core.journal import GENESIS, JournalError, parse_lines

    journal = world.journal
    data = journal.path.read_bytes() if journal.path is not None and journal.path.exists() \
        else getattr(journal, "data", lambda: b"")()
    try:
        return [e.body for e in parse_lines(data, start_seq=0, prev=GENESIS).events]
    except JournalError:
        return []


def events_since_begin(bodies: list[dict[str, Any]], assignment: str) -> tuple[
        dict[str, Any] | None, list[dict[str, Any]]]:
    """(the last ``course.begin_exercise`` of this assignment, the events after it)."""
    last = None
    for i, body in enumerate(bodies):
        if body.get("action") == "course.begin_exercise" and body.get("ok") \
                and body["args"].get("assignment") == assignment:
            last = i
    if last is None:
        return None, []
    return bodies[last], bodies[last + 1:]
