"""The outreach apps without a browser: what each button does, and bad input."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pandas as pd
import pytest
from congdanso.demos import checker as checker_module
from congdanso.demos.checker import Checker, sample_kit
from congdanso.demos.dashboard import ALL, SAMPLE, Dashboard, DataError, read_ward_csv, totals
from congdanso.demos.scamgame import CARDS, SAFE, SCAM, ScamGame
from congdanso.demos.walkthrough import STEPS, Walkthrough
from congdanso.world.core.errors import StateError
from congdanso.world.signatures.demokit import KIT
from congdanso.world.signatures.signing import VERDICTS
from test_roster import to_cp1258

HEADER = ("Phường,Khu phố,Số hộ,Hộ có tài khoản DVC,Người trưởng thành,"
          "Người có định danh điện tử,Người dân được hỗ trợ,Có điểm hỗ trợ")


def text(html: str) -> str:
    import html as htmllib

    return " ".join(htmllib.unescape(re.sub(r"<[^>]+>", " ", html)).split())


# -- walkthrough ---------------------------------------------------------------------------------
def test_walkthrough_runs_the_real_flow_step_by_step():
    show = Walkthrough()
    world, person = show.story.world, show.story.person
    assert show.step == 0 and "Bước 1/7" in text(show.title.value)
    assert show.back_button.disabled and f"Chào chị {person.full_name.split()[-1]}" in show.say.value
    show.next()
    otp = world.inbox(person.phone).latest_otp()
    assert otp and otp in show.screen.value  # the very SMS the world sent
    assert world.vneid.account_of(person.id_number).level == 2
    show.next()
    assert "Mã QR đăng nhập Cổng DVC" in show.screen.value
    show.next()
    dossier = show.story.dossier
    assert dossier.procedure.code == "HT-XNHN" and dossier.code in text(show.screen.value)
    assert text(show.screen.value).count("điền sẵn") == 6
    show.next()
    assert dossier.fee_status == "da_thanh_toan"
    assert "Đã thanh toán. Biên lai BLP" in text(show.screen.value)
    show.next()
    assert "✔ Chữ ký hợp lệ" in text(show.screen.value)
    assert person.full_name in text(show.screen.value)
    show.next()
    assert show.step == len(STEPS) - 1 and show.next_button.disabled
    assert len(show.story.done) == 6
    show.next()  # past the end: nothing happens
    assert show.step == len(STEPS) - 1


def test_walkthrough_back_shows_what_was_done_and_reset_starts_a_new_world():
    show = Walkthrough()
    for _ in range(4):
        show.next()
    paid_screen = show.screen.value
    events = len(show.story.world.journal.events) if hasattr(show.story.world.journal, "events") \
        else None
    show.back()
    assert show.step == 3 and "Đã nộp hồ sơ" in text(show.screen.value)
    show.next()  # the fee step is shown again, not paid twice
    assert show.screen.value == paid_screen
    if events is not None:
        assert len(show.story.world.journal.events) == events
    old_world = show.story.world
    show.reset()
    assert show.step == 0 and show.story.world is not old_world and len(show.pages) == 1
    assert show.back_button.disabled and not show.next_button.disabled


def test_a_refused_step_says_why_and_stays(monkeypatch):
    from congdanso.demos import walkthrough

    def refuse(story):
        raise StateError("Hệ thống đang bảo trì.")

    monkeypatch.setattr(walkthrough, "STEPS", (walkthrough.meet, refuse, walkthrough.summary))
    show = Walkthrough()
    show.next()
    assert show.step == 0 and "Hệ thống đang bảo trì" in text(show.notice.value)
    assert "⚠" in show.notice.value and not show.next_button.disabled


# -- checker -------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def checker() -> Checker:
    return Checker()


@pytest.mark.parametrize("payload, expected", [
    ("", "Chưa có nội dung"),
    ("https://vneid-capnhat.com/muc3", "Không phải mã VietQR"),
    ("000201010212", "đừng trả tiền bằng mã này"),
])
def test_checker_explains_broken_qr_text(checker, payload, expected):
    assert checker.check_text(payload) is False
    assert expected in text(checker.qr_result.value) and "⚠" in checker.qr_result.value


def test_checker_names_the_receiver_of_a_training_code(checker):
    world = checker_module._world()
    assert checker.load_sample("dien") is True
    shown = text(checker.qr_result.value)
    biller = world.bank.account("999702", "1000000001")
    assert f"Tên người nhận (ngân hàng mô phỏng): {biller.holder}" in shown
    assert "NH Tập huấn Lái Thiêu" in shown and "đồng" in shown and "MÃ TẬP HUẤN" in shown


def test_checker_warns_that_a_real_code_does_not_carry_the_name(checker):
    assert checker.load_sample("that") is True
    assert "Vietcombank" in text(checker.qr_result.value)
    assert "Mã QR không chứa tên chủ tài khoản" in text(checker.qr_result.value)


def test_checker_catches_a_changed_code(checker):
    assert checker.load_sample("hong") is False
    assert "CRC" in text(checker.qr_result.value)


def test_checker_reads_pictures_and_refuses_what_is_not_one(checker):
    from congdanso.world.money.qrimage import to_png

    assert checker.check_image(to_png(checker.sample_payload("dien"))) is True
    assert checker.check_image(b"GIF89a broken") is False
    assert "không phải ảnh" in text(checker.qr_result.value)
    from PIL import Image

    blank = io.BytesIO()
    Image.new("L", (200, 200), 255).save(blank, format="PNG")
    assert checker.check_image(blank.getvalue()) is False
    assert "Không tìm thấy mã QR" in text(checker.qr_result.value)


def test_checker_upload_handler_takes_the_last_file(checker):
    from congdanso.world.money.qrimage import to_png

    picture = to_png(checker.sample_payload("that"))
    checker._on_qr_image({"new": ({"name": "a.png", "content": memoryview(picture)},)})
    assert "Vietcombank" in text(checker.qr_result.value)


@pytest.mark.parametrize("name, code", [(n, c) for n, c, _ in KIT if c != "hong"])
def test_checker_gives_each_sample_pdf_its_verdict(checker, name, code):
    ok = checker.check_pdf(name, (sample_kit() / name).read_bytes())
    assert ok is (code == "hop_le")
    assert VERDICTS[code][0] in text(checker.pdf_result.value)
    assert ("✔" if ok else "✘") in checker.pdf_result.value


def test_checker_refuses_a_file_that_is_not_a_pdf(checker):
    picture = (sample_kit() / "07-khong-phai-pdf.pdf").read_bytes()
    assert checker.check_pdf("07-khong-phai-pdf.pdf", picture) is False
    assert "không phải PDF" in text(checker.pdf_result.value)
    assert checker.check_pdf("to.pdf", b"%PDF-" + b"x" * (21 * 1024 * 1024)) is False
    assert "quá lớn" in text(checker.pdf_result.value)


def _damaged_signing_date() -> bytes:
    data = (sample_kit() / "01-hop-le.pdf").read_bytes()
    found = re.search(rb"/M \(D\\072(\d{14})Z", data)
    assert found, "the kit's signature carries its signing date"
    return data[:found.start(1)] + b"2026X2" + data[found.start(1) + 6:]


def test_checker_ends_every_bad_file_in_a_message(checker, monkeypatch):
    from PIL import Image

    bomb = io.BytesIO()
    Image.new("1", (20_000, 20_000)).save(bomb, format="PNG")  # 400 million pixels, 50 KB
    assert checker.check_image(bomb.getvalue()) is False
    assert "quá lớn" in text(checker.qr_result.value)
    assert checker.check_pdf("ngay-hong.pdf", _damaged_signing_date()) is False
    shown = text(checker.pdf_result.value)
    assert "Đang kiểm tra" not in shown and "hỏng" in shown.lower()
    checker.pdf_result.value = ""

    def explode(data):
        raise RuntimeError("lỗi không lường trước")

    monkeypatch.setattr(checker_module, "verify", explode)
    assert checker.check_pdf("a.pdf", b"%PDF-1.7\n") is False
    assert "Không kiểm tra được" in text(checker.pdf_result.value)
    assert checker.check_pdf("b.pdf", (sample_kit() / "01-hop-le.pdf").read_bytes()) is False


def test_command_line_says_what_is_wrong_with_a_bad_file_without_a_traceback(tmp_path):
    import subprocess
    import sys

    from PIL import Image

    pdf = tmp_path / "ngay-hong.pdf"
    pdf.write_bytes(_damaged_signing_date())
    picture = tmp_path / "qua-lon.png"
    Image.new("1", (20_000, 20_000)).save(picture)
    for args, words in ((["kyso", "verify", str(pdf)], "hỏng"),
                        (["vietqr", "decode", "--image", str(picture)], "quá lớn"),
                        (["vietqr", "decode", "--image", str(tmp_path / "khong-co.png")],
                         "Không thấy tệp")):
        result = subprocess.run([sys.executable, "-m", "congdanso", *args], capture_output=True,
                                text=True, timeout=120)
        shown = result.stdout + result.stderr
        assert result.returncode != 0 and "Traceback" not in shown, shown
        assert words in shown, shown


# -- dashboard -----------------------------------------------------------------------------------
def test_dashboard_figures_match_the_sample_file():
    frame = pd.read_csv(SAMPLE)
    board = Dashboard()
    shown = text(board.figures.value)
    assert f"{frame['Người dân được hỗ trợ'].sum():,}".replace(",", ".") in shown
    with_point = (frame["Có điểm hỗ trợ"] == "có").sum()
    assert f"Khu phố có điểm hỗ trợ {with_point}/{len(frame)}" in shown
    households = frame["Số hộ"].sum()
    with_account = frame["Hộ có tài khoản DVC"].sum()
    assert f"{with_account:,}/{households:,}".replace(",", ".") in shown
    assert board.ward.options[0] == ALL and len(board.ward.options) == 1 + frame["Phường"].nunique()
    board.ward.value = "Phường Lái Thiêu"
    lai_thieu = frame[frame["Phường"] == "Phường Lái Thiêu"]
    assert f"Khu phố có điểm hỗ trợ {len(lai_thieu)}/{len(lai_thieu)}" in text(board.figures.value)
    assert text(board.table.value).count("Phường Lái Thiêu") == len(lai_thieu)
    assert "alt=" in board.chart.value and "Khu phố Đông Nhì" in board.chart.value


def _csv(*rows: str, encoding: str = "utf-8") -> bytes:
    return ("\n".join([HEADER, *rows]) + "\n").encode(encoding)


@pytest.mark.parametrize("data, expected", [
    (b"", "Tệp trống"),
    (b"   \n\n", "Tệp trống"),
    (HEADER.encode(), "chỉ có dòng tên cột"),
    (b"Ten,Tuoi\nA,1\n", "Thiếu cột: Phường, Khu phố, Số hộ"),
    (_csv("Phường A,KP 1,mười,1,1,1,1,có"), 'Dòng 2 (KP 1): cột "Số hộ"'),
    (_csv("Phường A,KP 1,10,1,5,1,,có"), "(để trống)"),
    (_csv("Phường A,KP 1,10,11,5,1,1,có"), '"Hộ có tài khoản DVC" (11) lớn hơn "Số hộ" (10)'),
    (_csv("Phường A,KP 1,10,1,5,6,1,có"), "lớn hơn"),
    (_csv("Phường A,KP 1,10,1,5,1,1,có lẽ"), "ghi \"có\" hoặc \"không\""),
    (_csv("Phường A,KP 1,10,1,5,1,1,có", "Phường A,KP 1,10,1,5,1,1,có"), "hơn một dòng"),
    (_csv(",KP 1,10,1,5,1,1,có"), "thiếu tên phường"),
    (b"PK\x03\x04\x14\x00\x00\x00garbage", "không phải bảng CSV"),
    (b"\x81\x8d\x8f\x90\x9d", "không phải UTF-8"),
])
def test_bad_ward_files_are_explained(data, expected):
    with pytest.raises(DataError, match=re.escape(expected)):
        read_ward_csv(data)


def test_ward_files_in_other_shapes_are_read():
    semicolons = ("\n".join([HEADER.replace(",", ";"), "Phường A;KP 1;1.200;600;2.500;2.000;40;Có",
                             "Phường A;KP 2;800;100;1.900;1.000;0;không"]) + "\n")
    for data in (semicolons.encode("utf-8-sig"), semicolons.encode("utf-16"),
                 to_cp1258(semicolons)):
        frame = read_ward_csv(data)
        assert list(frame["households"]) == [1200, 800]
        t = totals(frame)
        assert (t.khu_pho, t.with_point, t.helped) == (2, 1, 40)
        assert t.account_share == pytest.approx(700 / 2000)
    no_accents = "Phuong,Khu pho,So ho,Ho co tai khoan DVC,Nguoi truong thanh," \
                 "Nguoi co dinh danh dien tu,Nguoi dan duoc ho tro,Co diem ho tro\nA,B,1,1,1,1,1,x\n"
    assert bool(read_ward_csv(no_accents.encode())["support_point"].iloc[0])


def test_a_bad_upload_keeps_what_is_on_screen():
    board = Dashboard()
    board.ward.value = "Phường Tân Đông Hiệp"
    before = (board.figures.value, board.table.value, board.source)
    assert board.load(b"", "trong.csv") is False
    assert "Tệp trống" in text(board.notice.value) and "⚠" in board.notice.value
    assert (board.figures.value, board.table.value, board.source) == before
    new = _csv("Phường Tân Đông Hiệp,KP 9,100,50,200,150,30,có", "Phường Mới,KP 1,10,1,20,1,0,không")
    board._on_upload({"new": ({"name": "moi.csv", "content": memoryview(new)},)})
    assert board.source == "moi.csv" and board.ward.value == "Phường Tân Đông Hiệp"  # filter kept
    assert "Khu phố có điểm hỗ trợ 1/1" in text(board.figures.value)
    board.ward.value = ALL
    assert "Khu phố có điểm hỗ trợ 1/2" in text(board.figures.value)


def test_training_panel_reads_the_competency_report(monkeypatch, tmp_path):
    from congdanso.cohort import report as report_module
    from congdanso.grading.competencies import load_framework

    framework = load_framework()
    # one cell measuring every competency: a learner who passes it may be certified
    tags = pd.DataFrame([{"assignment": "bai-1", "notebook": "bai-1", "cell": "c1",
                          "competency": competency} for competency in framework.competencies])
    scores = pd.DataFrame([{"learner": f"hv-{i}", "assignment": "bai-1", "notebook": "bai-1",
                            "cell": "c1", "score": s, "max_score": 1.0}
                           for i, s in enumerate([1.0, 1.0, 0.0])])
    roster = pd.DataFrame([
        {"id": "hv-0", "name": "A", "ward": "Phường Lái Thiêu", "khu_pho": "Khu phố Đông Nhì",
         "role": "tình nguyện viên"},
        {"id": "hv-1", "name": "B", "ward": "Phường Phú Lợi", "khu_pho": "Khu phố 3",
         "role": "tình nguyện viên"},
        {"id": "hv-2", "name": "C", "ward": "Phường Lái Thiêu", "khu_pho": "Khu phố Đông Nhì",
         "role": "cán bộ"}])
    made = report_module.build_report(scores, tags, roster, framework)
    monkeypatch.setattr(report_module, "load_report", lambda course: made)
    (tmp_path / "gradebook.db").write_bytes(b"")
    board = Dashboard(course=tmp_path)
    assert "Sẵn sàng hỗ trợ người dân 2/3" in text(board.training.value)
    board.ward.value = "Phường Lái Thiêu"
    shown = text(board.training.value)
    assert "1/2" in shown and "Khu phố Đông Nhì, Phường Lái Thiêu" in shown
    assert "Phú Lợi" not in shown
    board.ward.value = "Phường Dĩ An"
    assert "Chưa có học viên nào của Phường Dĩ An" in text(board.training.value)


def test_training_panel_without_a_gradebook(tmp_path):
    board = Dashboard(course=tmp_path)
    assert "Chưa có sổ điểm" in text(board.training.value)


def test_sample_file_is_what_a_ward_would_fill_in():
    rows = list(csv.reader(io.StringIO(SAMPLE.read_text(encoding="utf-8"))))
    assert rows[0] == HEADER.split(",")
    frame = read_ward_csv(SAMPLE.read_bytes())
    assert len(frame) == 30 and frame["ward"].nunique() == 6
    assert frame.loc[frame["khu_pho"] == "Khu phố Đông Nhì", "helped"].item() == 512


# -- scam game -----------------------------------------------------------------------------------
def test_scam_game_counts_votes_and_reveals():
    game = ScamGame()
    assert CARDS[0].answer == SCAM
    for _ in range(3):
        game.vote(SCAM)
    game.vote(SAFE)
    assert game.votes == {SCAM: 3, SAFE: 1} and "75%" in text(game.tally.value)
    game.next()  # not yet revealed
    assert game.index == 0 and "lật đáp án" in text(game.answer.value)
    game.reveal()
    assert "ĐÂY LÀ LỪA ĐẢO" in text(game.answer.value) and "đã đoán đúng" in game.answer.value
    game.vote(SAFE)  # votes are closed once the answer is out
    assert game.votes[SAFE] == 1 and game.vote_buttons[SAFE].disabled
    with pytest.raises(ValueError):
        game.vote("co_le")


def test_scam_game_ties_empty_votes_and_summary():
    game = ScamGame()
    game.vote(SCAM)
    game.vote(SAFE)
    game.reveal()
    assert "chia đôi" in text(game.answer.value)
    game.next()
    game.reveal()
    assert "Chưa có phiếu nào" in text(game.answer.value)
    for index in range(2, len(CARDS)):
        game.next()
        game.vote(CARDS[index].answer)
        game.reveal()
    assert game.next_button.description == "Xem kết quả ▶"
    game.next()
    right = len(CARDS) - 2
    assert f"Khán giả đoán đúng {right}/{right} thẻ" in text(game.card.value)
    assert game.reveal_button.disabled and game.next_button.disabled
    game.restart()
    assert game.index == 0 and not game.reveal_button.disabled


def test_every_card_has_an_answer_and_advice():
    assert {c.answer for c in CARDS} == {SCAM, SAFE}
    assert all(c.why and c.remember and c.text for c in CARDS)
    texts = " ".join(c.text + c.why for c in CARDS)
    for scam in ("mức 2", "MỨC 3", "22.000", "OTP", "dichvucong.gov.vn"):
        assert scam in texts


# -- notebooks -----------------------------------------------------------------------------------
@pytest.mark.parametrize("notebook", sorted((Path(__file__).parents[1] / "demos").glob("*.ipynb")))
def test_demo_notebooks_are_one_cell_that_shows_an_app(notebook):
    import nbformat

    nb = nbformat.read(notebook, as_version=4)
    assert nb.metadata.title.endswith("— Công Dân Số")
    assert len(nb.cells) == 1 and nb.cells[0].cell_type == "code"
    assert not nb.cells[0].outputs
    namespace: dict = {}
    exec(compile(nb.cells[0].source.rsplit("\n", 1)[0], str(notebook), "exec"), namespace)
    app = eval(nb.cells[0].source.rsplit("\n", 1)[1], namespace)
    assert hasattr(app, "widget") and "cdsd" in app.widget._dom_classes


# -- server --------------------------------------------------------------------------------------
class _Kernels:
    """What the home page and the status read from Voilà's kernel manager."""

    def __init__(self):
        import asyncio

        loop = asyncio.new_event_loop()
        done = loop.create_future()
        done.set_result({"kernel_id": "k1"})
        self._pools = {"04-tro-choi-lua-dao.ipynb": [done]}
        loop.close()

    def list_kernel_ids(self):
        return ["k1", "k2"]


class _Request:
    def __init__(self, host: str, **headers: str):
        self.host, self.headers = host, headers


class _Handler:
    def __init__(self, request):
        self.request = request


@pytest.mark.parametrize("headers, same", [
    ({"Origin": "http://127.0.0.1:8866"}, True),
    ({"Referer": "http://127.0.0.1:8866/voila/render/01-diem-ho-tro.ipynb"}, True),
    ({"Origin": "http://evil.example"}, False),
    ({"Origin": "http://127.0.0.1:9999"}, False),
    ({}, False),
])
def test_the_shutdown_route_takes_only_this_servers_pages(headers, same):
    from congdanso.demos.server import _same_origin

    assert _same_origin(_Handler(_Request("127.0.0.1:8866", **headers))) is same


def test_home_page_lists_our_apps_then_a_trainers_own(tmp_path):
    import tornado.testing
    import tornado.web
    from congdanso.demos.server import APPS, HomeHandler, StatusHandler

    for app in APPS[:2]:
        (tmp_path / app.notebook).write_text("{}")
    (tmp_path / "99-cua-toi.ipynb").write_text("{}")

    class Case(tornado.testing.AsyncHTTPTestCase):
        def get_app(self):
            return tornado.web.Application(
                [(r"/", HomeHandler, {"apps": APPS, "root": tmp_path, "base_url": "/"}),
                 (r"/congdanso/trang-thai", StatusHandler)], kernel_manager=_Kernels())

        def runTest(self):
            page = self.fetch("/").body.decode()
            assert page.index(APPS[0].title) < page.index(APPS[1].title) < page.index("99-cua-toi")
            assert APPS[2].title not in page  # its notebook is not in the folder
            assert 'href="/voila/render/01-diem-ho-tro.ipynb"' in page
            assert "2 kernel đang chạy (1 chờ sẵn" in page
            import json

            status = json.loads(self.fetch("/congdanso/trang-thai").body)
            assert status["kernels"] == 2 and status["ready"] == {"04-tro-choi-lua-dao.ipynb": 1}
            assert status["memory_mib"] >= status["server_mib"] > 0

    result = Case().run()
    assert result.wasSuccessful(), result.failures + result.errors
