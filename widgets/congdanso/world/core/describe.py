"""Say in plain Vietnamese what each journal event means: "what the learner did"."""

from __future__ import annotations

import datetime as dt
from typing import Any

from congdanso.world.core.actions import SECRETS
from congdanso.world.core.clock import format_time

TITLES: dict[str, str] = {
    "world.created": "Tạo thế giới mô phỏng",
    "world.advance": "Cho thời gian trôi",
    "world.start_over": "Làm lại từ đầu",
    "vneid.register": "Đăng ký tài khoản VNeID mức 1 trên ứng dụng",
    "vneid.activate": "Bắt đầu kích hoạt tài khoản VNeID (gửi OTP)",
    "vneid.resend_otp": "Gửi lại mã OTP VNeID",
    "vneid.verify_otp": "Nhập mã OTP kích hoạt VNeID",
    "vneid.set_password": "Đặt mật khẩu VNeID",
    "vneid.set_passcode": "Đặt passcode VNeID",
    "vneid.set_security_questions": "Chọn câu hỏi bảo mật VNeID",
    "vneid.login": "Đăng nhập VNeID",
    "vneid.logout": "Đăng xuất VNeID",
    "vneid.show_card": "Xem căn cước điện tử",
    "vneid.scan_qr": "Quét mã QR bằng VNeID",
    "vneid.confirm_qr": "Xác nhận đăng nhập bằng VNeID",
    "police.enroll_level2": "Đăng ký tài khoản VNeID mức 2 tại công an phường",
    "police.request_home_visit": "Đăng ký công an đến nhà cho người không đến được",
    "police.visit_home": "Công an đến nhà thu nhận hồ sơ tài khoản mức 2",
    "portal.start_vneid_login": "Mở trang đăng nhập Cổng DVC bằng VNeID (hiện mã QR)",
    "portal.finish_vneid_login": "Vào Cổng DVC bằng VNeID",
    "portal.new_captcha": "Lấy mã xác nhận (CAPTCHA)",
    "portal.register": "Đăng ký tài khoản Cổng DVC (cách cũ)",
    "portal.confirm_registration": "Xác nhận đăng ký Cổng DVC bằng OTP",
    "portal.login": "Đăng nhập Cổng DVC bằng mật khẩu",
    "portal.logout": "Đăng xuất Cổng DVC",
    "portal.submit_dossier": "Nộp hồ sơ trực tuyến",
    "portal.lookup": "Tra cứu hồ sơ",
    "portal.supplement": "Bổ sung hồ sơ",
    "portal.download_result": "Tải kết quả hồ sơ",
    "portal.fee_payment": "Mở yêu cầu thanh toán phí hồ sơ",
    "portal.download_receipt": "Tải biên lai phí, lệ phí",
    "bills.lookup": "Tra cứu hoá đơn",
    "bank.open_account": "Mở tài khoản ngân hàng",
    "bank.deposit_cash": "Nộp tiền mặt vào tài khoản",
    "bank.open_wallet": "Mở ví điện tử liên kết ngân hàng",
    "bank.top_up_wallet": "Nạp tiền vào ví",
    "bank.login": "Đăng nhập ứng dụng ngân hàng/ví",
    "bank.prepare_transfer": "Tạo lệnh chuyển tiền (xem tên người nhận)",
    "bank.confirm_transfer": "Xác nhận chuyển tiền",
    "bank.scan_qr": "Quét mã VietQR để trả tiền",
    "bank.pay_bill": "Thanh toán hoá đơn bằng mã khách hàng",
    "bank.match_biometrics": "Đối chiếu sinh trắc học với thẻ căn cước (ứng dụng ngân hàng)",
    "bank.set_nfc": "Bật hoặc tắt NFC trên điện thoại",
    "bank.remove_case": "Tháo ốp lưng điện thoại để đọc chip thẻ căn cước",
    "bank.update_id_paper": "Cập nhật giấy tờ tuỳ thân bằng thẻ căn cước trong ứng dụng ngân hàng",
    "bank.counter_update": "Cập nhật thông tin tại quầy giao dịch ngân hàng",
    "bank.verify_device": "Xác thực khuôn mặt cho ứng dụng ngân hàng trên điện thoại mới",
    "kyso.request_certificate": "Đăng ký chứng thư chữ ký số cá nhân",
    "kyso.activate": "Kích hoạt ứng dụng ký số (đặt mã PIN)",
    "kyso.revoke": "Thu hồi chứng thư chữ ký số",
    "kyso.suspend": "Tạm dừng chứng thư chữ ký số",
    "kyso.new_document": "Tạo tài liệu để ký",
    "kyso.upload_file": "Tải tài liệu PDF lên ứng dụng ký số",
    "kyso.start_signing": "Đặt chữ ký lên tài liệu (gửi yêu cầu ký)",
    "kyso.confirm_signing": "Xác nhận ký bằng mã PIN",
    "kyso.change_after_signing": "Tạo bản hợp đồng bị sửa sau khi ký (bài tập)",
    "kyso.verify": "Kiểm tra chữ ký số của tài liệu",
    "kyso.verify_file": "Kiểm tra chữ ký số của một tệp tải lên",
    "course.self_check": "Trả lời câu tự kiểm tra trong bài học",
    "carrier.check_subscriber": "Kiểm tra thuê bao đứng tên ai (TTTB gửi 1414)",
    "carrier.update_subscriber": "Chuẩn hoá thông tin thuê bao tại cửa hàng nhà mạng",
    "course.begin_exercise": "Mở tình huống của bài tập (hoặc làm lại từ đầu)",
    "course.answer": "Lưu câu trả lời trong bài tập",
    "course.receive_copies": "Nhận các bản hợp đồng công ty gửi lại",
    "vneid.add_handset": "Có thêm một điện thoại trong tình huống (máy mới, máy mượn)",
    "vneid.lose_handset": "Điện thoại bị mất hoặc hỏng",
    "vneid.confirm_device": "Nhập mã xác thực để đăng nhập VNeID trên điện thoại mới",
    "vneid.verify_nfc": "Xác thực NFC bằng thẻ căn cước gắn chip trên điện thoại mới",
    "vneid.unlink_device": "Gỡ một điện thoại khỏi danh sách thiết bị VNeID",
    "vneid.hotline_lock": "Gọi tổng đài 1900 0368 khoá tài khoản VNeID (mất điện thoại)",
    "police.confirm_device": "Công an phường xác thực điện thoại mới cho tài khoản VNeID",
    "vneid.link_social_account": "Đăng ký tài khoản hưởng an sinh xã hội trên VNeID",
    "vneid.integrate_document": "Tích hợp giấy tờ vào Ví giấy tờ của VNeID",
    "vneid.present_document": "Xuất trình giấy tờ trên VNeID (cơ sở khám bệnh, CSGT)",
    "vneid.forgot_password": "Quên mật khẩu VNeID (gửi OTP)",
    "vneid.verify_reset_otp": "Nhập mã OTP đặt lại mật khẩu VNeID",
    "vneid.capture_face": "Chụp khuôn mặt để đặt lại mật khẩu VNeID",
    "vneid.reset_password": "Đặt mật khẩu VNeID mới",
    "vneid.reset_passcode": "Đặt lại passcode VNeID bằng câu hỏi bảo mật",
    "vneid.submit_residence": "Gửi hồ sơ cư trú trên ứng dụng VNeID",
    "carrier.replace_sim": "Cấp lại SIM giữ số tại cửa hàng nhà mạng",
    "support.log_visit": "Ghi một lượt hỗ trợ vào sổ theo dõi",
    "support.erase": "Xoá thông tin của người dân khỏi sổ theo dõi (theo yêu cầu)",
}


def masked_args(action: str, args: dict[str, Any]) -> dict[str, Any]:
    secret = SECRETS.get(action, ())
    return {k: ("•••" if k in secret else v) for k, v in args.items()}


def _detail(body: dict[str, Any]) -> str:
    action, args, result = body["action"], body.get("args", {}), body.get("result") or {}
    if action == "world.created":
        return f"hạt giống {args.get('seed')}"
    if action == "world.advance":
        parts = [
            f"{args[k]} {u}"
            for k, u in (("days", "ngày"), ("hours", "giờ"), ("minutes", "phút"))
            if args.get(k)
        ]
        return ", ".join(parts) or "0 phút"
    if action == "portal.submit_dossier" and isinstance(result, dict):
        return f"thủ tục {args.get('procedure_code')}, mã hồ sơ {result.get('code')}"
    if action == "portal.finish_vneid_login" and isinstance(result, dict):
        return "tài khoản mới được tạo" if result.get("new_account") else "tài khoản đã có"
    if (
        action
        in {"bank.prepare_transfer", "bank.confirm_transfer", "bank.scan_qr", "bank.pay_bill"}
        and isinstance(result, dict)
        and result.get("amount")
    ):
        return (
            f"{result['amount']:,} đồng đến {result.get('receiver_name', '')}, "
            f"{'đã chuyển' if result.get('status') == 'thanh_cong' else 'chờ xác nhận'}"
        ).replace(",", ".")
    if action == "kyso.verify" and isinstance(result, dict):
        return f"tài liệu {args.get('document_id')}: {result.get('title')}"
    if action == "kyso.verify_file" and isinstance(result, dict):
        return f"tệp {args.get('name')}: {result.get('title')}"
    if action == "course.self_check":
        return f"bài {args.get('lesson')}, câu {args.get('question')}: " + (
            "đúng" if args.get("correct") else "chưa đúng")
    if action == "course.begin_exercise":
        return f"bài {args.get('assignment')}, học viên {args.get('learner')}"
    if action == "course.answer":
        return f"câu {args.get('question')}: \"{args.get('value')}\""
    if action == "bills.lookup":
        return f"mã khách hàng {args.get('customer_code')}"
    if "id_number" in args:
        return f"số định danh {args['id_number']}"
    if "code" in args:
        return f"mã hồ sơ {args['code']}"
    return ""


def describe(body: dict[str, Any]) -> str:
    """One line: time, what was done, and whether it worked (with the message if not)."""
    when = format_time(dt.datetime.fromisoformat(body["t"]))
    title = TITLES.get(body["action"], body["action"])
    detail = _detail(body)
    line = f"{when} — {title}" + (f" ({detail})" if detail else "")
    if body.get("ok", True):
        return line + ": thành công"
    error = body.get("error") or {}
    return line + f": không thành công — {error.get('message', '')}"
