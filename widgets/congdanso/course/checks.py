"""The self-check questions of every lesson, in one place (the lessons show them; the tests
answer each one right and wrong)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Check:
    qid: str
    question: str
    options: tuple[str, ...]
    answer: str
    why: str


CHECKS: dict[str, tuple[Check, ...]] = {
    "00": (
        Check("00-cau1", "Ba chữ số đầu của số định danh cá nhân cho biết điều gì?",
              ("Năm sinh", "Tỉnh nơi đăng ký khai sinh", "Giới tính", "Số thứ tự ngẫu nhiên"),
              "Tỉnh nơi đăng ký khai sinh",
              "Ba số đầu là mã tỉnh (Bình Dương 074); số thứ tư cho biết thế kỷ và giới tính, hai "
              "số sau là năm sinh."),
    ),
    "01": (
        Check("01-cau1", "Người dân nhờ bạn ghi lại mật khẩu VNeID vào sổ của điểm hỗ trợ để "
              "\"lần sau đỡ quên\". Bạn làm gì?",
              ("Ghi vào sổ cho tiện", "Chụp ảnh màn hình lưu lại",
               "Từ chối, hướng dẫn người dân tự ghi nhớ hoặc tự cất giữ"),
              "Từ chối, hướng dẫn người dân tự ghi nhớ hoặc tự cất giữ",
              "Mật khẩu, passcode, OTP là của riêng người dân; điểm hỗ trợ không giữ những thông "
              "tin này (Luật Bảo vệ dữ liệu cá nhân số 91/2025/QH15, hiệu lực 1/1/2026)."),
        Check("01-cau2", "Mô hình \"Mỗi hộ dân một tài khoản\" ở phường Phú Lợi nhằm điều gì?",
              ("Mỗi hộ có ít nhất một người có tài khoản dịch vụ công để làm thủ tục cho cả nhà",
               "Cả hộ dùng chung một mật khẩu", "Chỉ chủ hộ được làm thủ tục"),
              "Mỗi hộ có ít nhất một người có tài khoản dịch vụ công để làm thủ tục cho cả nhà",
              "Mục tiêu là mỗi hộ có người dùng được dịch vụ công trực tuyến; mỗi người vẫn giữ "
              "tài khoản và mật khẩu riêng."),
    ),
    "02": (
        Check("02-cau1", "Có người gọi điện xưng công an, nói tài khoản của bác cần nâng lên "
              "\"mức 3\". Đúng hay sai?",
              ("Đúng, cần làm ngay",
               "Đúng nếu họ gửi đường link có chữ \"bocongan\" để cài ứng dụng",
               "Sai — VNeID chỉ có mức 1 và mức 2; đây là lừa đảo"),
              "Sai — VNeID chỉ có mức 1 và mức 2; đây là lừa đảo",
              "Không có mức 3. Mức 2 chỉ làm trực tiếp tại công an phường."),
        Check("02-cau2", "Khi kích hoạt, bước nào đến ngay sau khi nhập mã OTP?",
              ("Đặt passcode", "Đặt mật khẩu", "Chọn câu hỏi bảo mật"), "Đặt mật khẩu",
              "Thứ tự: OTP → mật khẩu → passcode → 2 câu hỏi bảo mật → đăng nhập lại."),
        Check("02-cau3", "Báo lỗi \"số điện thoại không đăng ký chính chủ\". Bạn hướng dẫn gì?",
              ("Dùng số của con cháu cũng được vì cùng hộ",
               "Soạn TTTB gửi 1414 để kiểm tra, rồi ra nhà mạng cập nhật thông tin thuê bao",
               "Bỏ qua bước này"),
              "Soạn TTTB gửi 1414 để kiểm tra, rồi ra nhà mạng cập nhật thông tin thuê bao",
              "Số điện thoại phải đứng tên chính người dân; tin nhắn TTTB đến 1414 cho biết "
              "thuê bao đứng tên ai."),
    ),
    "03": (
        Check("03-cau1", "Khi nộp hồ sơ, phần họ tên, ngày sinh, nơi thường trú đã điền sẵn. "
              "Người dân có cần gõ lại không?",
              ("Có, gõ lại cho chắc", "Không — chỉ kiểm tra và xác nhận; nếu sai thì điều chỉnh "
               "tại công an phường"),
              "Không — chỉ kiểm tra và xác nhận; nếu sai thì điều chỉnh tại công an phường",
              "Thông tin lấy từ Cơ sở dữ liệu dân cư: không phải khai lại nhiều lần."),
        Check("03-cau2", "Người dân muốn biết hồ sơ đến đâu rồi. Cần gì để tra cứu?",
              ("Mã hồ sơ", "Số tài khoản ngân hàng", "Mật khẩu của cán bộ"), "Mã hồ sơ",
              "Mã hồ sơ có trong tin nhắn và mục Quản lý hồ sơ; tra cứu không cần đăng nhập."),
    ),
    "04": (
        Check("04-cau1", "Hợp đồng lao động đã ký số, sau đó ai đó sửa mức lương. Phần mềm kiểm "
              "tra sẽ báo gì?",
              ("Chữ ký hợp lệ", "Tài liệu đã bị sửa sau khi ký", "Chứng thư số hết hạn"),
              "Tài liệu đã bị sửa sau khi ký",
              "Chữ ký số gắn với đúng nội dung lúc ký; sửa một con số là chữ ký không còn khớp."),
        Check("04-cau2", "Ai được nhập mã PIN để ký số cho người dân?",
              ("Tình nguyện viên", "Chính người dân", "Cán bộ phường"), "Chính người dân",
              "Mã PIN xác nhận ý muốn ký của chủ chứng thư; không ai nhập thay."),
    ),
    "05": (
        Check("05-cau1", "Trước khi bấm chuyển tiền, điều gì phải đọc cho người dân nghe?",
              ("Số dư tài khoản", "Tên người nhận và số tiền", "Mã OTP"),
              "Tên người nhận và số tiền",
              "Ứng dụng hiện tên người nhận đã đăng ký với ngân hàng: sai tên là dừng lại."),
        Check("05-cau2", "Chuyển 15 triệu đồng một lần thì ứng dụng ngân hàng yêu cầu gì?",
              ("Chỉ cần OTP", "Xác thực khuôn mặt của chủ tài khoản", "Không cần xác thực"),
              "Xác thực khuôn mặt của chủ tài khoản",
              "Theo Quyết định 2345/QĐ-NHNN: trên 10 triệu/lần hoặc 20 triệu/ngày phải xác thực "
              "sinh trắc học."),
        Check("05-cau3", "Mã tiền điện PB0403… cho biết điều gì?",
              ("Điện lực Thuận An", "Điện lực Dĩ An", "Số tiền phải trả"), "Điện lực Thuận An",
              "Sáu ký tự đầu là đơn vị điện lực: PB0401 Thủ Dầu Một, PB0402 Dĩ An, PB0403 Thuận "
              "An…"),
    ),
    "06": (
        Check("06-cau1", "Tin nhắn: \"Bạn cần cập nhật địa chỉ trên VNeID, chuyển 22.000đ phí "
              "vào tài khoản sau\". Đây là gì?",
              ("Thông báo thật của công an", "Lừa đảo — không có khoản phí nào như vậy"),
              "Lừa đảo — không có khoản phí nào như vậy",
              "Sau sáp nhập 2025 kẻ gian dùng chiêu này. Công an không thu tiền qua tin nhắn."),
        Check("06-cau2", "Ứng dụng VNeID thật được tải ở đâu?",
              ("Đường link trong tin nhắn", "Chỉ từ kho ứng dụng chính thức (App Store, Google "
               "Play)", "Tệp .apk người lạ gửi qua Zalo"),
              "Chỉ từ kho ứng dụng chính thức (App Store, Google Play)",
              "Ứng dụng giả đọc trộm OTP và rút tiền tài khoản ngân hàng."),
    ),
    "07": (
        Check("07-cau1", "Khu phố có 40 hộ, 22 hộ đã có ít nhất một tài khoản Cổng DVC. Tỷ lệ "
              "\"mỗi hộ một tài khoản\" là bao nhiêu?",
              ("22%", "55%", "40%"), "55%", "22 / 40 = 0,55 tức 55%."),
        Check("07-cau2", "Sổ theo dõi của điểm hỗ trợ nên ghi những gì?",
              ("Họ tên, hộ, việc đã giúp, kết quả", "Mật khẩu và OTP của người dân",
               "Ảnh chụp thẻ căn cước hai mặt"),
              "Họ tên, hộ, việc đã giúp, kết quả",
              "Chỉ ghi điều cần để theo dõi; không giữ mật khẩu, OTP hay ảnh giấy tờ."),
    ),
    "08": (
        Check("08-cau1", "Một bà cụ quên mật khẩu VNeID, nhập sai nhiều lần nên bị khoá. Bạn "
              "hướng dẫn gì trước tiên?",
              ("Đăng ký một tài khoản VNeID mới cho bà",
               "Quên mật khẩu: mã OTP về số của tài khoản, bà tự chụp mặt và tự đặt mật khẩu mới",
               "Đưa bà ra công an phường đăng ký lại mức 2"),
              "Quên mật khẩu: mã OTP về số của tài khoản, bà tự chụp mặt và tự đặt mật khẩu mới",
              "Bà đã có tài khoản: không đăng ký lại. Đặt mật khẩu mới xong thì khoá do nhập sai "
              "cũng hết."),
        Check("08-cau2", "Người dân mất điện thoại cùng SIM, vừa mua máy mới. Vì sao phải ra cửa "
              "hàng nhà mạng trước?",
              ("Để nhà mạng mở khoá tài khoản VNeID",
               "Mã OTP chỉ gửi về số của tài khoản: cấp lại SIM giữ số thì mới nhận được mã",
               "Để mua gói cước có mạng"),
              "Mã OTP chỉ gửi về số của tài khoản: cấp lại SIM giữ số thì mới nhận được mã",
              "Lấy lại mật khẩu và xác thực máy mới đều cần mã OTP gửi về đúng số đã đăng ký; chỉ "
              "người đứng tên thuê bao, mang thẻ căn cước, được cấp lại SIM."),
        Check("08-cau3", "Khi lấy lại mật khẩu VNeID, ai được chụp khuôn mặt?",
              ("Tình nguyện viên, cho nhanh", "Người con đi cùng", "Chính người dân"),
              "Chính người dân",
              "Ứng dụng so khuôn mặt với ảnh chụp ở công an phường; không ai chụp thay được, kể cả "
              "người thân."),
    ),
}


def quiz(qid: str, world=None):
    """The self-check widget of question ``qid`` (e.g. "02-cau1")."""
    from congdanso.course.quiz import Quiz

    lesson = qid.split("-")[0]
    check = next(c for c in CHECKS[lesson] if c.qid == qid)
    return Quiz(check.qid, check.question, list(check.options), answer=check.answer,
                why=check.why, world=world, lesson=lesson)
