"""The self-check questions of every lesson, in one place (the lessons show them; the tests
answer each one right and wrong). A wrong answer is explained as carefully as a right one: why
that option is wrong and which section of the lesson to read again."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class Check:
    """One self-check. ``why`` is shown with the right answer; ``wrong`` says, for each other
    option, why it is wrong without naming the right one; ``see`` is the lesson's section
    ("## …" heading) to read again after a wrong answer."""

    qid: str
    question: str
    options: tuple[str, ...]
    answer: str
    why: str
    wrong: Mapping[str, str]
    see: str


CHECKS: dict[str, tuple[Check, ...]] = {
    "00": (
        Check("00-cau1", "Ba chữ số đầu của số định danh cá nhân cho biết điều gì?",
              ("Năm sinh", "Tỉnh nơi đăng ký khai sinh", "Giới tính", "Số thứ tự ngẫu nhiên"),
              "Tỉnh nơi đăng ký khai sinh",
              "Ba số đầu là mã tỉnh nơi đăng ký khai sinh (ví dụ Bình Dương 074, TP.HCM 079; "
              "thẻ ở trên là của tỉnh khác); số thứ tư cho biết thế kỷ và giới tính, hai số sau "
              "là năm sinh.",
              {"Năm sinh": "Năm sinh nằm ở chữ số thứ 5 và 6 (hai số cuối của năm sinh), không "
                           "phải ở ba số đầu.",
               "Giới tính": "Giới tính (cùng thế kỷ sinh) nằm ở chữ số thứ 4, ngay sau ba số "
                            "đầu.",
               "Số thứ tự ngẫu nhiên": "Phần ngẫu nhiên là 6 chữ số cuối. Ba số đầu thì giống "
                                       "nhau ở rất nhiều người, không phải số ngẫu nhiên."},
              "Giải thích"),
    ),
    "01": (
        Check("01-cau1", "Người dân nhờ bạn ghi lại mật khẩu VNeID vào sổ của điểm hỗ trợ để "
              "\"lần sau đỡ quên\". Bạn làm gì?",
              ("Ghi vào sổ cho tiện", "Chụp ảnh màn hình lưu lại",
               "Từ chối, hướng dẫn người dân tự ghi nhớ hoặc tự cất giữ"),
              "Từ chối, hướng dẫn người dân tự ghi nhớ hoặc tự cất giữ",
              "Mật khẩu, passcode, OTP là của riêng người dân; điểm hỗ trợ không giữ những thông "
              "tin này (Luật Bảo vệ dữ liệu cá nhân số 91/2025/QH15, hiệu lực 1/1/2026).",
              {"Ghi vào sổ cho tiện": "Sổ của điểm hỗ trợ nhiều người xem được; ai đọc được mật "
                                      "khẩu là vào được tài khoản của người dân.",
               "Chụp ảnh màn hình lưu lại": "Ảnh chụp mật khẩu vẫn là giữ mật khẩu của người "
                                            "dân, lại nằm trong máy của bạn: mất máy là lộ."},
              "Lưu ý an toàn"),
        Check("01-cau2", "Mô hình \"Mỗi hộ dân một tài khoản\" ở phường Phú Lợi nhằm điều gì?",
              ("Mỗi hộ có ít nhất một người có tài khoản dịch vụ công để làm thủ tục cho cả nhà",
               "Cả hộ dùng chung một mật khẩu", "Chỉ chủ hộ được làm thủ tục"),
              "Mỗi hộ có ít nhất một người có tài khoản dịch vụ công để làm thủ tục cho cả nhà",
              "Mục tiêu là mỗi hộ có người dùng được dịch vụ công trực tuyến; mỗi người vẫn giữ "
              "tài khoản và mật khẩu riêng.",
              {"Cả hộ dùng chung một mật khẩu": "Mỗi người có tài khoản và mật khẩu riêng; dùng "
                                                "chung mật khẩu là làm lộ tài khoản.",
               "Chỉ chủ hộ được làm thủ tục": "Mô hình không hạn chế ai trong hộ được làm thủ "
                                              "tục; nó đếm số hộ, không đếm chủ hộ."},
              "Giải thích"),
        # The household the lesson shows: the first one of the course's world where someone uses
        # a SIM in another person's name (tests/test_learner_defects.py keeps the two in step).
        Check("01-cau3", "Trong hộ ở trên, ai cần ra cửa hàng nhà mạng chuẩn hoá SIM trước khi "
              "làm VNeID?",
              ("Ông Nguyễn Hữu Vũ (chủ hộ)", "Bà Nguyễn Thanh Liên (vợ chủ hộ)",
               "Bà Lê Thúy Nhi (mẹ chủ hộ)", "Cháu Nguyễn Bảo Trang (con chủ hộ)"),
              "Bà Lê Thúy Nhi (mẹ chủ hộ)",
              "Bà Nhi dùng SIM đứng tên con trai. Số phải chuyển sang tên bà tại cửa hàng nhà "
              "mạng (bà mang thẻ căn cước, người đang đứng tên đồng ý) thì mã OTP mới về đúng "
              "chủ tài khoản.",
              {"Ông Nguyễn Hữu Vũ (chủ hộ)": "Ông Vũ có SIM chính chủ: số đứng tên ông, mã OTP "
                                             "về đúng người, ông làm VNeID được ngay.",
               "Bà Nguyễn Thanh Liên (vợ chủ hộ)": "Bà Liên cũng có SIM chính chủ nên không cần "
                                                   "ra nhà mạng; bà làm VNeID được ngay.",
               "Cháu Nguyễn Bảo Trang (con chủ hộ)": "Cháu Trang chưa có điện thoại, nên không "
                                                     "có SIM nào để chuẩn hoá."},
              "Thực hành có hướng dẫn"),
    ),
    "02": (
        Check("02-cau1", "Có người gọi điện xưng công an, nói tài khoản của bác cần nâng lên "
              "\"mức 3\". Đúng hay sai?",
              ("Đúng, cần làm ngay",
               "Đúng nếu họ gửi đường link có chữ \"bocongan\" để cài ứng dụng",
               "Sai — VNeID chỉ có mức 1 và mức 2; đây là lừa đảo"),
              "Sai — VNeID chỉ có mức 1 và mức 2; đây là lừa đảo",
              "Không có mức 3. Mức 2 chỉ làm trực tiếp tại công an phường.",
              {"Đúng, cần làm ngay": "Công an không giải quyết tài khoản VNeID qua điện thoại, và "
                                     "lời giục \"làm ngay\" là cách kẻ gian không cho bạn kịp "
                                     "suy nghĩ. Xem lại có những mức tài khoản nào.",
               "Đúng nếu họ gửi đường link có chữ \"bocongan\" để cài ứng dụng":
                   "Ai cũng tạo được đường link có chữ \"bocongan\". Ứng dụng cài từ link là "
                   "ứng dụng giả, đọc trộm mã OTP; VNeID thật chỉ tải từ kho ứng dụng chính "
                   "thức."},
              "Từ khoá"),
        Check("02-cau2", "Khi kích hoạt, bước nào đến ngay sau khi nhập mã OTP?",
              ("Đặt passcode", "Đặt mật khẩu", "Chọn câu hỏi bảo mật"), "Đặt mật khẩu",
              "Thứ tự: OTP → mật khẩu → passcode → 2 câu hỏi bảo mật → đăng nhập lại.",
              {"Đặt passcode": "Passcode 6 số được đặt muộn hơn một bước, chưa phải ngay sau "
                               "OTP.",
               "Chọn câu hỏi bảo mật": "2 câu hỏi bảo mật là bước cuối, ngay trước khi đăng nhập "
                                       "lại."},
              "Giải thích"),
        Check("02-cau3", "Báo lỗi \"số điện thoại không đăng ký chính chủ\". Bạn hướng dẫn gì?",
              ("Dùng số của con cháu cũng được vì cùng hộ",
               "Soạn TTTB gửi 1414 để kiểm tra, rồi ra nhà mạng cập nhật thông tin thuê bao",
               "Bỏ qua bước này"),
              "Soạn TTTB gửi 1414 để kiểm tra, rồi ra nhà mạng cập nhật thông tin thuê bao",
              "Số điện thoại phải đứng tên chính người dân; tin nhắn TTTB đến 1414 cho biết "
              "thuê bao đứng tên ai.",
              {"Dùng số của con cháu cũng được vì cùng hộ":
                   "Cùng hộ không đủ: tài khoản cần số đứng tên chính người dân. Mã OTP gửi về "
                   "số của con thì người con nhận mã, không phải người dân.",
               "Bỏ qua bước này": "Không bỏ qua được: số không đứng tên người dân thì không kích "
                                  "hoạt được tài khoản."},
              "Điểm chính"),
    ),
    "03": (
        Check("03-cau1", "Khi nộp hồ sơ, phần họ tên, ngày sinh, nơi thường trú đã điền sẵn. "
              "Người dân có cần gõ lại không?",
              ("Có, gõ lại cho chắc", "Không — chỉ kiểm tra và xác nhận; nếu sai thì điều chỉnh "
               "tại công an phường"),
              "Không — chỉ kiểm tra và xác nhận; nếu sai thì điều chỉnh tại công an phường",
              "Thông tin lấy từ Cơ sở dữ liệu dân cư: không phải khai lại nhiều lần.",
              {"Có, gõ lại cho chắc": "Phần điền sẵn lấy từ Cơ sở dữ liệu dân cư; gõ lại không "
                                      "làm nó chắc hơn mà dễ gõ sai."},
              "Giải thích"),
        Check("03-cau2", "Người dân muốn biết hồ sơ đến đâu rồi. Cần gì để tra cứu?",
              ("Mã hồ sơ", "Số tài khoản ngân hàng", "Mật khẩu của cán bộ"), "Mã hồ sơ",
              "Mã hồ sơ có trong tin nhắn và mục Quản lý hồ sơ; tra cứu không cần đăng nhập.",
              {"Số tài khoản ngân hàng": "Số tài khoản ngân hàng dùng để trả tiền; nó không cho "
                                         "biết hồ sơ nào nên không tra cứu được.",
               "Mật khẩu của cán bộ": "Không ai được hỏi mật khẩu của cán bộ; người dân tự tra "
                                      "cứu được mà không cần ai."},
              "Từ khoá"),
        Check("03-cau3", "Anh Phúc ở trọ, tạm trú đăng ký đến cuối tháng sau. Anh thuê tiếp thêm "
              "một năm và hỏi có phải làm gì không. Bạn hướng dẫn gì?",
              ("Gia hạn tạm trú trong 15 ngày trước ngày hết hạn, kèm hợp đồng thuê mới",
               "Chủ nhà trọ gửi thông báo lưu trú cho anh",
               "Khai báo tạm vắng ở nơi thường trú của anh",
               "Không làm gì: tạm trú tự gia hạn theo hợp đồng"),
              "Gia hạn tạm trú trong 15 ngày trước ngày hết hạn, kèm hợp đồng thuê mới",
              "Tạm trú có hạn (mỗi lần tối đa 2 năm); còn ở tiếp thì người ở trọ tự gia hạn trong "
              "15 ngày trước khi hết hạn (Luật Cư trú 2020, điều 27–28).",
              {"Chủ nhà trọ gửi thông báo lưu trú cho anh":
                   "Thông báo lưu trú là của chủ nhà, cho người đến ở dưới 30 ngày; anh Phúc ở "
                   "lâu dài, đã có tạm trú.",
               "Khai báo tạm vắng ở nơi thường trú của anh":
                   "Người đã đăng ký tạm trú ở nơi mới thì không phải khai báo tạm vắng.",
               "Không làm gì: tạm trú tự gia hạn theo hợp đồng":
                   "Tạm trú không tự gia hạn: hết hạn mà không gia hạn thì không còn tạm trú ở "
                   "đó."},
              "Giải thích"),
    ),
    "04": (
        Check("04-cau1", "Hợp đồng lao động đã ký số, sau đó ai đó sửa mức lương. Phần mềm kiểm "
              "tra sẽ báo gì?",
              ("Chữ ký hợp lệ", "Tài liệu đã bị sửa sau khi ký", "Chứng thư chữ ký số đã hết hạn"),
              "Tài liệu đã bị sửa sau khi ký",
              "Chữ ký số gắn với đúng nội dung lúc ký; sửa một con số là chữ ký không còn khớp.",
              {"Chữ ký hợp lệ": "Chữ ký số gắn với đúng nội dung lúc ký; nội dung đổi rồi thì "
                                "phần mềm không thể báo hợp lệ.",
               "Chứng thư chữ ký số đã hết hạn": "Hết hạn nói về thời hạn của chứng thư, không "
                                                 "liên quan đến việc ai đó đổi nội dung."},
              "Giải thích"),
        Check("04-cau2", "Ai được nhập mã PIN để ký số cho người dân?",
              ("Tình nguyện viên", "Chính người dân", "Cán bộ phường"), "Chính người dân",
              "Mã PIN xác nhận ý muốn ký của chủ chứng thư; không ai nhập thay.",
              {"Tình nguyện viên": "Tình nguyện viên chỉ hướng dẫn; nhập mã PIN là ký thay người "
                                   "khác.",
               "Cán bộ phường": "Cán bộ phường cũng không ký thay được: mã PIN xác nhận ý muốn "
                                "ký của chủ chứng thư."},
              "Giải thích"),
    ),
    "05": (
        Check("05-cau1", "Trước khi bấm chuyển tiền, điều gì phải đọc cho người dân nghe?",
              ("Số dư tài khoản", "Tên người nhận và số tiền", "Mã OTP"),
              "Tên người nhận và số tiền",
              "Ứng dụng hiện tên người nhận đã đăng ký với ngân hàng: sai tên là dừng lại.",
              {"Số dư tài khoản": "Số dư không cho biết tiền sẽ đi đến đâu, nên không giúp nhận "
                                  "ra chuyển nhầm hay mã QR dán đè.",
               "Mã OTP": "Mã OTP không bao giờ đọc to: người dân tự xem và tự nhập."},
              "Giải thích"),
        Check("05-cau2", "Chuyển 15 triệu đồng một lần thì ứng dụng ngân hàng yêu cầu gì?",
              ("Chỉ cần OTP", "Xác thực khuôn mặt của chủ tài khoản", "Không cần xác thực"),
              "Xác thực khuôn mặt của chủ tài khoản",
              "Theo Quyết định 2345/QĐ-NHNN: trên 10 triệu/lần hoặc 20 triệu/ngày phải xác thực "
              "sinh trắc học.",
              {"Chỉ cần OTP": "Mã OTP chỉ đủ cho khoản nhỏ: không quá 10 triệu đồng một lần "
                              "và 20 triệu đồng một ngày. 15 triệu đồng một lần đã vượt "
                              "ngưỡng (Quyết định 2345/QĐ-NHNN).",
               "Không cần xác thực": "Chuyển tiền trực tuyến lần nào cũng phải xác thực; khoản "
                                     "càng lớn, cách xác thực càng chặt."},
              "Giải thích"),
        Check("05-cau3", "Mã tiền điện PB0403… cho biết điều gì?",
              ("Điện lực Thuận An", "Điện lực Dĩ An", "Số tiền phải trả"), "Điện lực Thuận An",
              "Sáu ký tự đầu là đơn vị điện lực: PB0401 Thủ Dầu Một, PB0402 Dĩ An, PB0403 Thuận "
              "An…",
              {"Điện lực Dĩ An": "Dĩ An là PB0402. So lại từng ký tự của mã với danh sách đơn vị "
                                 "điện lực.",
               "Số tiền phải trả": "Mã khách hàng không chứa số tiền; số tiền chỉ hiện khi tra "
                                   "cứu hoá đơn."},
              "Giải thích"),
        Check("05-cau4", "Với một hoá đơn đã trả rồi, cách trả nào vẫn làm tiền bị trừ lần nữa?",
              ("Nhập mã khách hàng trong mục Thanh toán hoá đơn",
               "Quét mã QR in trên giấy báo của hoá đơn đó", "Cả hai cách đều bị trừ tiền"),
              "Quét mã QR in trên giấy báo của hoá đơn đó",
              "Mã QR chỉ là một lần chuyển khoản vào tài khoản của đơn vị thu: ngân hàng không hỏi "
              "hoá đơn đã trả chưa. Tra cứu bằng mã khách hàng trước khi quét.",
              {"Nhập mã khách hàng trong mục Thanh toán hoá đơn": "Trả bằng mã khách hàng, ngân "
               "hàng hỏi đơn vị thu trước nên ứng dụng báo hoá đơn đã được thanh toán.",
               "Cả hai cách đều bị trừ tiền": "Có một cách ngân hàng hỏi đơn vị thu trước khi trừ "
               "tiền: cách nhập mã khách hàng."},
              "Giải thích"),
        Check("05-cau5", "Bà Út đổi điện thoại mới, cài lại ứng dụng ngân hàng. Đăng nhập đúng mật "
              "khẩu, ứng dụng đòi chụp khuôn mặt. Vì sao?",
              ("Ứng dụng bị lỗi, cần gỡ ra cài lại", "Quy định xác thực khuôn mặt trên thiết bị mới",
               "Tài khoản của bà đã bị kẻ gian chiếm"),
              "Quy định xác thực khuôn mặt trên thiết bị mới",
              "Quyết định 2345/QĐ-NHNN: lần đầu dùng ứng dụng hoặc dùng trên điện thoại mới phải "
              "xác thực khuôn mặt của chủ tài khoản. Bà tự nhìn vào camera.",
              {"Ứng dụng bị lỗi, cần gỡ ra cài lại": "Cài lại vẫn là điện thoại mới: ứng dụng vẫn "
               "sẽ đòi khuôn mặt của chủ tài khoản.",
               "Tài khoản của bà đã bị kẻ gian chiếm": "Chính bà đăng nhập đúng mật khẩu trên máy "
               "mới: đây là bước bảo vệ thường lệ, không phải dấu hiệu bị chiếm."},
              "Sinh trắc học trong ứng dụng ngân hàng"),
    ),
    "06": (
        Check("06-cau1", "Tin nhắn: \"Bạn cần cập nhật địa chỉ trên VNeID, chuyển 22.000đ phí "
              "vào tài khoản sau\". Đây là gì?",
              ("Thông báo thật của công an", "Lừa đảo — không có khoản phí nào như vậy"),
              "Lừa đảo — không có khoản phí nào như vậy",
              "Sau sáp nhập 2025 kẻ gian dùng chiêu này. Công an không thu tiền qua tin nhắn.",
              {"Thông báo thật của công an": "Công an không thu tiền qua tin nhắn, và tên người "
                                             "gửi như \"BoCongAn\" cũng giả được. Đổi thẻ vì "
                                             "sáp nhập còn được miễn phí."},
              "Giải thích"),
        Check("06-cau2", "Ứng dụng VNeID thật được tải ở đâu?",
              ("Đường link trong tin nhắn", "Chỉ từ kho ứng dụng chính thức (App Store, Google "
               "Play)", "Tệp .apk người lạ gửi qua Zalo"),
              "Chỉ từ kho ứng dụng chính thức (App Store, Google Play)",
              "Ứng dụng giả đọc trộm OTP và rút tiền tài khoản ngân hàng.",
              {"Đường link trong tin nhắn": "Ứng dụng cài từ đường link trong tin nhắn là ứng "
                                            "dụng giả: nó đọc trộm tin nhắn, lấy mã OTP để rút "
                                            "tiền.",
               "Tệp .apk người lạ gửi qua Zalo": "Tệp .apk người lạ gửi là cách kẻ gian cài ứng "
                                                 "dụng giả vào máy; cơ quan nhà nước không gửi "
                                                 "ứng dụng qua Zalo."},
              "Từ khoá"),
        Check("06-cau3", "Ai xoá được \"nợ xấu\" ở Trung tâm Thông tin tín dụng (CIC) nếu trả một "
              "khoản phí?",
              ("Dịch vụ xoá nợ có giấy phép", "Không ai: không có phí xoá nợ xấu",
               "Nhân viên CIC gọi điện cho mình"),
              "Không ai: không có phí xoá nợ xấu",
              "Thông tin nợ chỉ được sửa khi có sai sót, theo đề nghị của ngân hàng cho vay. Ai đòi "
              "phí xoá nợ xấu là lừa đảo.",
              {"Dịch vụ xoá nợ có giấy phép": "Không có dịch vụ nào được cấp phép để xoá nợ xấu lấy "
               "phí: đó là lời quảng cáo của kẻ lừa đảo.",
               "Nhân viên CIC gọi điện cho mình": "Người gọi xưng CIC đòi tiền, đòi cài ứng dụng là "
               "kẻ gian mạo danh."},
              "Giải thích"),
        Check("06-cau4", "Anh công nhân làm \"nhiệm vụ\" bấm thích video, đã nhận 40.000 đồng thật; "
              "nay bị đòi nạp 2 triệu để rút tiền. Đây là gì?",
              ("Việc làm thêm thật, nạp để rút", "Lừa đảo: trả ít trước để lấy lòng tin",
               "Lỗi hệ thống, chờ vài hôm sẽ rút được"),
              "Lừa đảo: trả ít trước để lấy lòng tin",
              "Kẻ gian trả vài khoản nhỏ cho người làm tin, rồi đòi nạp ngày càng nhiều. Dừng lại, "
              "giữ tin nhắn, báo công an phường.",
              {"Việc làm thêm thật, nạp để rút": "Việc làm thật trả lương cho người làm, không bắt "
               "người làm nạp tiền mới được rút.",
               "Lỗi hệ thống, chờ vài hôm sẽ rút được": "\"Lỗi hệ thống\" là cớ để đòi nạp thêm; "
               "chờ hay nạp thêm đều không lấy lại được tiền."},
              "Giải thích"),
    ),
    "07": (
        Check("07-cau1", "Khu phố có 40 hộ, 22 hộ đã có ít nhất một tài khoản Cổng DVC. Tỷ lệ "
              "\"mỗi hộ một tài khoản\" là bao nhiêu?",
              ("22%", "55%", "40%"), "55%", "22 / 40 = 0,55 tức 55%.",
              {"22%": "22 là số hộ có tài khoản, chưa phải tỷ lệ: còn phải chia cho tổng số hộ "
                      "rồi nhân 100.",
               "40%": "40 là tổng số hộ, không phải tỷ lệ: lấy số hộ có tài khoản chia cho tổng "
                      "số hộ rồi nhân 100."},
              "Từ khoá"),
        Check("07-cau2", "Sổ theo dõi của điểm hỗ trợ nên ghi những gì?",
              ("Họ tên, hộ, việc đã giúp, kết quả", "Mật khẩu và OTP của người dân",
               "Ảnh chụp thẻ căn cước hai mặt"),
              "Họ tên, hộ, việc đã giúp, kết quả",
              "Chỉ ghi điều cần để theo dõi; không giữ mật khẩu, OTP hay ảnh giấy tờ.",
              {"Mật khẩu và OTP của người dân": "Sổ theo dõi không bao giờ ghi mật khẩu, OTP: ai "
                                                "đọc sổ cũng vào được tài khoản của người dân.",
               "Ảnh chụp thẻ căn cước hai mặt": "Ảnh giấy tờ tuỳ thân là dữ liệu cá nhân nhạy "
                                                "cảm (Nghị định 356/2025/NĐ-CP); điểm hỗ trợ "
                                                "không giữ ảnh giấy tờ."},
              "Lưu ý an toàn"),
        Check("07-cau3", "Ông Kim, người Hàn Quốc, lấy vợ ở khu phố và có thẻ tạm trú. Ông muốn "
              "có tài khoản VNeID. Bạn chỉ ông đến đâu?",
              ("Phòng Quản lý xuất nhập cảnh – Công an Thành phố, mang thẻ tạm trú và hộ chiếu",
               "Công an phường, như người Việt Nam",
               "Nhờ vợ ông đăng ký giúp bằng điện thoại của bà",
               "Không được: VNeID chỉ dành cho công dân Việt Nam"),
              "Phòng Quản lý xuất nhập cảnh – Công an Thành phố, mang thẻ tạm trú và hộ chiếu",
              "Người nước ngoài từ đủ 6 tuổi có thẻ thường trú hoặc thẻ tạm trú đăng ký mức 1 và "
              "mức 2 tại cơ quan quản lý xuất nhập cảnh (Nghị định 69/2024/NĐ-CP).",
              {"Công an phường, như người Việt Nam":
                   "Công an phường thu nhận cho công dân Việt Nam; hồ sơ của người nước ngoài "
                   "thuộc cơ quan quản lý xuất nhập cảnh, nơi có dữ liệu thẻ tạm trú của ông.",
               "Nhờ vợ ông đăng ký giúp bằng điện thoại của bà":
                   "Tài khoản định danh gắn với chính người đó: không ai đăng ký thay, không dùng "
                   "điện thoại của người khác.",
               "Không được: VNeID chỉ dành cho công dân Việt Nam":
                   "Nghị định 69/2024/NĐ-CP cho người nước ngoài có thẻ thường trú, thẻ tạm trú "
                   "có tài khoản định danh điện tử."},
              "Giải thích"),
    ),
    "08": (
        Check("08-cau1", "Một bà cụ quên mật khẩu VNeID, nhập sai nhiều lần nên bị khoá. Bạn "
              "hướng dẫn gì trước tiên?",
              ("Đăng ký một tài khoản VNeID mới cho bà",
               "Quên mật khẩu: mã OTP về số của tài khoản, bà tự chụp mặt và tự đặt mật khẩu mới",
               "Đưa bà ra công an phường đăng ký lại mức 2"),
              "Quên mật khẩu: mã OTP về số của tài khoản, bà tự chụp mặt và tự đặt mật khẩu mới",
              "Bà đã có tài khoản: không đăng ký lại. Đặt mật khẩu mới xong thì khoá do nhập sai "
              "cũng hết.",
              {"Đăng ký một tài khoản VNeID mới cho bà": "Bà đã có tài khoản, và mỗi người chỉ có "
                                                         "một tài khoản: đăng ký lại sẽ bị từ "
                                                         "chối.",
               "Đưa bà ra công an phường đăng ký lại mức 2": "Quên mật khẩu không làm mất mức 2; "
                                                             "công an phường là nơi đến khi tự "
                                                             "lấy lại tài khoản không được."},
              "Giải thích"),
        Check("08-cau2", "Người dân mất điện thoại cùng SIM, lại quên mật khẩu VNeID. Vì sao phải "
              "ra cửa hàng nhà mạng trước?",
              ("Để nhà mạng mở khoá tài khoản VNeID",
               "Mã OTP chỉ gửi về số của tài khoản: cấp lại SIM giữ số thì mới nhận được mã",
               "Để mua gói cước có mạng"),
              "Mã OTP chỉ gửi về số của tài khoản: cấp lại SIM giữ số thì mới nhận được mã",
              "Lấy lại mật khẩu cần mã OTP gửi về đúng số điện thoại của tài khoản; chỉ người "
              "đứng tên thuê bao, mang thẻ căn cước, được cấp lại SIM.",
              {"Để nhà mạng mở khoá tài khoản VNeID": "Nhà mạng không quản lý tài khoản VNeID "
                                                      "nên không mở khoá được.",
               "Để mua gói cước có mạng": "Máy mới dùng Wi-Fi vẫn vào mạng được. Nghĩ xem khi "
                                          "quên mật khẩu, mã xác nhận được gửi đến đâu."},
              "Giải thích"),
        Check("08-cau3", "Khi lấy lại mật khẩu VNeID, ai được chụp khuôn mặt?",
              ("Tình nguyện viên, cho nhanh", "Người con đi cùng", "Chính người dân"),
              "Chính người dân",
              "Ứng dụng so khuôn mặt với ảnh chụp ở công an phường; không ai chụp thay được, kể cả "
              "người thân.",
              {"Tình nguyện viên, cho nhanh": "Ứng dụng so khuôn mặt với ảnh của chủ tài khoản: "
                                              "mặt người khác không khớp, và tình nguyện viên "
                                              "không làm thay việc xác thực.",
               "Người con đi cùng": "Người thân cũng không thay được: tài khoản VNeID, khuôn mặt "
                                    "không uỷ quyền được."},
              "Giải thích"),
    ),
}


def quiz(qid: str, world=None):
    """The self-check widget of question ``qid`` (e.g. "02-cau1")."""
    from congdanso.course.quiz import Quiz

    lesson = qid.split("-")[0]
    check = next(c for c in CHECKS[lesson] if c.qid == qid)
    return Quiz(check.qid, check.question, list(check.options), answer=check.answer,
                why=check.why, wrong=check.wrong, see=check.see, world=world, lesson=lesson)
