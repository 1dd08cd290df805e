"""Scam-spotting game for an audience: a card, a show of hands, the answer and why.

The presenter reads a card aloud, counts hands for "Lừa đảo" and "An toàn" (one click per vote),
then reveals the answer with the explanation and the advice to remember. The cards follow the
scams named by police warnings (fake police asking to "activate level 2 at home", the made-up
"level 3", "update your address and pay 22,000 đồng" after the 2025 merger, look-alike portals,
deepfake video calls from a "grandchild", "bad debt at CIC" fees, paid "tasks" aimed at factory
workers) and mix in safe situations, so the audience learns what the real thing looks like too.
"""

from __future__ import annotations

from dataclasses import dataclass

from congdanso.demos.style import OutreachApp, banner, big_button, frame, message, side_by_side
from congdanso.ui.base import esc, html

SCAM, SAFE = "lua_dao", "an_toan"
LABELS = {SCAM: "⚑ Lừa đảo", SAFE: "✔ An toàn"}


@dataclass(frozen=True)
class Card:
    channel: str
    text: str
    answer: str
    why: str
    remember: str


CARDS: tuple[Card, ...] = (
    Card("☎ Cuộc gọi", "Một người xưng là công an phường gọi: \"Tài khoản định danh mức 2 của "
         "bác bị lỗi. Bác tải ứng dụng VNeID mới theo đường link tôi gửi qua Zalo để đồng bộ tại "
         "nhà, khỏi phải lên phường.\"", SCAM,
         "Mức 2 chỉ đăng ký trực tiếp tại công an, có chụp ảnh và lấy vân tay. Ứng dụng tải từ "
         "đường link lạ là phần mềm gián điệp: nó đọc mã OTP và rút tiền trong tài khoản.",
         "Công an không giải quyết giấy tờ qua cuộc gọi. Chỉ cài VNeID từ CH Play / App Store."),
    Card("✉ Tin nhắn", "\"Vân tay của quý khách bị mờ. Để giữ tài khoản ngân hàng, hãy nâng cấp "
         "lên định danh điện tử MỨC 3 tại vneid-capnhat.com trước 17 giờ hôm nay.\"", SCAM,
         "Định danh điện tử chỉ có mức 1 và mức 2; không có \"mức 3\". Hạn chót gấp và đường link "
         "lạ là dấu hiệu lừa đảo.", "Ai nói \"mức 3\" là kẻ lừa đảo. Không bấm link."),
    Card("✉ Tin nhắn", "\"Do sắp xếp lại đơn vị hành chính, công dân phải cập nhật địa chỉ mới "
         "trên VNeID và nộp lệ phí 22.000 đồng qua đường link sau.\"", SCAM,
         "Sau khi sáp nhập, dữ liệu dân cư được cơ quan nhà nước cập nhật; người dân không phải "
         "trả phí qua link để \"cập nhật\".",
         "Không trả tiền theo tin nhắn lạ. Hỏi lại công an phường hoặc tổ công nghệ số."),
    Card("✉ Tin nhắn", "Chị vừa bấm \"Kích hoạt\" trên ứng dụng VNeID tại điểm hỗ trợ. Một phút "
         "sau tin nhắn đến: \"Mã OTP kích hoạt tài khoản VNeID của bạn là 760282… TUYỆT ĐỐI KHÔNG "
         "cung cấp mã này cho bất kỳ ai.\"", SAFE,
         "Chính chị vừa yêu cầu mã, tin đến từ VNeID, và tin nhắc không đưa mã cho ai. Chị tự "
         "nhập mã vào ứng dụng.",
         "OTP chỉ để chính mình nhập. Người hỗ trợ không đọc, không nhập hộ."),
    Card("☎ Cuộc gọi", "\"Tôi gọi từ ngân hàng. Giao dịch của anh bị lỗi, tôi sẽ hoàn tiền: anh "
         "đọc giúp tôi mã OTP vừa gửi về máy.\"", SCAM,
         "Ngân hàng không bao giờ hỏi mã OTP. Đọc mã là cho người khác lấy tiền của mình.",
         "Không đọc OTP, mật khẩu, mã PIN cho ai. Gác máy, gọi tổng đài in trên thẻ."),
    Card("₫ Ứng dụng ngân hàng", "Anh quét mã QR trên trang hồ sơ của Cổng Dịch vụ công để "
         "trả lệ phí. Ứng dụng hiện: người nhận \"NỀN TẢNG THANH TOÁN DỊCH VỤ CÔNG QUỐC GIA\", số "
         "tiền 15.000 đồng, đúng như Cổng ghi.", SAFE,
         "Mã lấy từ chính trang hồ sơ trên Cổng DVC, tên người nhận là đơn vị thu và số tiền khớp "
         "với lệ phí.", "Trước khi chuyển: đọc tên người nhận và số tiền, đúng mới bấm."),
    Card("₫ Ứng dụng ngân hàng", "Một người ở chợ đưa mã QR: \"Quét trả tiền điện tháng này cho "
         "nhanh.\" Ứng dụng hiện người nhận: \"NGUYEN VAN B\", số tiền 1.250.000 đồng.", SCAM,
         "Tiền điện trả cho Điện lực (hoặc qua mục Hoá đơn của ngân hàng, theo mã khách hàng "
         "PB…), không trả cho một cá nhân.",
         "Tên người nhận là tên người lạ → dừng lại. Trả hoá đơn trong mục Hoá đơn của ứng dụng."),
    Card("↗ Trang web", "Tin nhắn dẫn tới trang \"dichvucong-gov.vn.com\", trông giống Cổng DVC, "
         "xin nhập số định danh, mật khẩu VNeID và mã OTP.", SCAM,
         "Cổng thật là dichvucong.gov.vn; tên miền giả thêm chữ để trông giống. Cổng thật đăng "
         "nhập bằng cách quét mã QR bằng VNeID, không xin OTP qua tin nhắn lạ.",
         "Tự gõ địa chỉ dichvucong.gov.vn, không bấm link trong tin nhắn."),
    Card("⌂ Tại điểm hỗ trợ", "Cán bộ công an tại trụ sở phường xem thẻ căn cước, chụp ảnh khuôn "
         "mặt và lấy vân tay để đăng ký định danh điện tử mức 2 cho bác.", SAFE,
         "Đây đúng là cách đăng ký mức 2: trực tiếp, tại công an, có thu nhận sinh trắc học.",
         "Giấy tờ định danh làm trực tiếp tại công an; việc gì \"làm hộ qua cuộc gọi\" là lừa."),
    Card("▶ Cuộc gọi video", "Bà nhận cuộc gọi video Zalo: hình và giọng giống hệt cháu trai, hình "
         "hơi mờ. \"Bà ơi cháu bị tai nạn, bà chuyển gấp 15 triệu vào số tài khoản này giúp "
         "cháu.\" Cuộc gọi tắt sau vài giây.", SCAM,
         "Hình và giọng nói giả được bằng máy tính (deepfake) từ video cũ trên mạng. Cuộc gọi "
         "ngắn, hình mờ, đòi tiền gấp vào tài khoản lạ là dấu hiệu lừa đảo.",
         "Tắt máy, gọi lại vào số quen của cháu, hỏi một chuyện chỉ người nhà biết."),
    Card("☎ Cuộc gọi", "\"Tôi gọi từ Trung tâm tín dụng CIC. Anh có nợ xấu, muốn vay được thì "
         "chuyển 2 triệu phí xoá nợ, hoặc cài ứng dụng theo đường link tôi gửi.\"", SCAM,
         "Không ai xoá được nợ xấu bằng tiền: thông tin nợ chỉ được sửa khi có sai sót, theo đề "
         "nghị của ngân hàng cho vay. Ứng dụng từ đường link lạ đọc trộm tin nhắn.",
         "Không trả \"phí xoá nợ xấu\", không cài ứng dụng từ đường link."),
    Card("✉ Zalo", "\"Tuyển công nhân làm thêm ngoài giờ: bấm thích video 20.000 đồng/lượt, trả "
         "ngay.\" Chị làm 5 lượt, nhận 100.000 đồng thật. Nhóm bảo nạp 2 triệu để nhận "
         "\"nhiệm vụ VIP\" hoa hồng 30%.", SCAM,
         "Trả vài khoản nhỏ trước để lấy lòng tin, rồi đòi nạp tiền ngày càng nhiều: đó là lừa "
         "\"làm nhiệm vụ\". Việc làm thật không bắt người làm nạp tiền.",
         "Việc làm đòi nạp tiền trước là lừa đảo. Dừng lại, báo công an phường."),
    Card("✉ Tin nhắn", "Tin từ ngân hàng của ông: \"Tài khoản chưa đối chiếu sinh trắc học sẽ "
         "tạm dừng giao dịch trực tuyến. Quý khách cập nhật trên ứng dụng chính thức của ngân "
         "hàng hoặc tại quầy. Ngân hàng không gửi đường link.\"", SAFE,
         "Tin không có đường link, không đòi mã hay tiền, chỉ nhắc làm trong ứng dụng chính thức "
         "hoặc tại quầy: đúng quy định từ 1/1/2025 (Thông tư 17/2024/TT-NHNN).",
         "Sinh trắc học chỉ làm trong ứng dụng ngân hàng chính thức hoặc tại quầy."),
)


class ScamGame(OutreachApp):
    """One card at a time; ``vote``/``reveal``/``next``/``restart`` mirror the buttons."""

    def __init__(self, cards: tuple[Card, ...] = CARDS):
        self.cards = cards
        self.counter = html()
        self.card = html()
        self.tally = html()
        self.answer = html()
        self.vote_buttons = {
            choice: big_button(f"{label} (+1 phiếu)", lambda c=choice: self.vote(c),
                               style="danger" if choice == SCAM else "success",
                               tooltip=f"Thêm một phiếu \"{label[2:]}\"")
            for choice, label in LABELS.items()}
        self.reveal_button = big_button("Lật đáp án ▼", self.reveal, style="primary")
        self.next_button = big_button("Thẻ tiếp ▶", self.next)
        self.restart_button = big_button("↺ Chơi lại", self.restart)
        self.widget = frame([
            banner("Trò chơi: nhận diện lừa đảo",
                   "Đọc tình huống — giơ tay: lừa đảo hay an toàn? — rồi lật đáp án"),
            self.counter, self.card,
            side_by_side(list(self.vote_buttons.values())),
            self.tally,
            side_by_side([self.reveal_button, self.next_button, self.restart_button]),
            self.answer], name="scamgame")
        self.restart()

    def restart(self) -> None:
        self.index = 0
        self.results: list[bool | None] = []  # did the audience's majority get each card right
        self._show()

    def _show(self) -> None:
        self.votes = {SCAM: 0, SAFE: 0}
        self.revealed = False
        card = self.cards[self.index]
        self.counter.value = (f'<div class="cdsd-step" aria-live="polite">Thẻ {self.index + 1}/'
                              f"{len(self.cards)}</div>")
        self.card.value = (f'<div class="cdsd-card cdsd-scenario"><h2>{esc(card.channel)}</h2>'
                           f'<p class="cdsd-big" style="font-weight:400">{esc(card.text)}</p>'
                           "</div>")
        self.answer.value = ""
        for button in self.vote_buttons.values():
            button.disabled = False
        self.reveal_button.disabled = False
        self.next_button.disabled = True
        self._tally()

    def _tally(self) -> None:
        total = sum(self.votes.values())
        rows = []
        for choice, label in LABELS.items():
            count = self.votes[choice]
            share = round(100 * count / total) if total else 0
            bar = "█" * round(share / 5)
            rows.append(f"<tr><th scope='row'>{label}</th><td class='num'>{count} phiếu</td>"
                        f"<td class='num'>{share}%</td><td aria-hidden='true'>{bar}</td></tr>")
        self.tally.value = f'<table class="cdsd-table cdsd-tally">{"".join(rows)}</table>'

    def vote(self, choice: str) -> None:
        if choice not in self.votes:
            raise ValueError(f"unknown choice {choice!r}")
        if not self.revealed:
            self.votes[choice] += 1
            self._tally()

    def reveal(self) -> None:
        if self.revealed:
            return
        self.revealed = True
        card = self.cards[self.index]
        total = sum(self.votes.values())
        if total:
            majority = max(self.votes, key=self.votes.get)
            tie = self.votes[SCAM] == self.votes[SAFE]
            right = None if tie else majority == card.answer
            crowd = ("Khán giả chia đôi." if tie else
                     "✔ Đa số khán giả đã đoán đúng!" if right else
                     "✘ Đa số khán giả đoán chưa đúng — rất dễ nhầm, nên càng cần nhớ.")
        else:
            right, crowd = None, "Chưa có phiếu nào."
        self.results.append(right)
        verdict = ("⚑ ĐÂY LÀ LỪA ĐẢO" if card.answer == SCAM else "✔ ĐÂY LÀ TÌNH HUỐNG AN TOÀN")
        self.answer.value = (
            f'<div class="cdsd-card cdsd-reveal" role="status"><h2>Đáp án: {verdict}</h2>'
            f"<p>{esc(crowd)}</p><p><b>Vì sao:</b> {esc(card.why)}</p>"
            f'<p class="cdsd-note"><b>Ghi nhớ:</b> {esc(card.remember)}</p></div>')
        for button in self.vote_buttons.values():
            button.disabled = True
        self.reveal_button.disabled = True
        self.next_button.disabled = False
        self.next_button.description = ("Thẻ tiếp ▶" if self.index + 1 < len(self.cards)
                                        else "Xem kết quả ▶")

    def next(self) -> None:
        if not self.revealed:
            self.answer.value = message("Hãy lật đáp án của thẻ này trước.", "warn")
            return
        if self.index + 1 < len(self.cards):
            self.index += 1
            self._show()
        else:
            self._finish()

    def _finish(self) -> None:
        right = sum(1 for r in self.results if r)
        counted = sum(1 for r in self.results if r is not None)
        scams = sum(1 for c in self.cards if c.answer == SCAM)
        lines = "".join(f"<li>{esc(c.remember)}</li>" for c in self.cards if c.answer == SCAM)
        self.counter.value = '<div class="cdsd-step" aria-live="polite">Kết thúc</div>'
        self.card.value = (
            f'<div class="cdsd-card cdsd-summary"><h2>Khán giả đoán đúng {right}/{counted} thẻ có '
            f"bỏ phiếu</h2><p>{scams} trong {len(self.cards)} tình huống là lừa đảo. "
            f"Những điều cần nhớ:</p><ul>{lines}</ul></div>")
        self.tally.value = self.answer.value = ""
        for button in self.vote_buttons.values():
            button.disabled = True
        self.reveal_button.disabled = self.next_button.disabled = True
