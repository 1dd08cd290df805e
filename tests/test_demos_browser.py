"""The outreach apps in a real browser (Debian's chromium via Playwright) through our Voilà server.

Each test opens an app from the home page, clicks and types as a presenter would, and checks what
appears; screenshots go to tests/artifacts/demos/. The last tests show that a closed page's
kernel is shut down (Voilà's own route refuses the page's request, voila#1458) and that an idle
kernel is culled.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from browserkit import free_port, wait_for_port
from jupyterkit import jupyter_env

ROOT = Path(__file__).resolve().parents[1]
SHOTS = ROOT / "tests" / "artifacts" / "demos"

pytestmark = pytest.mark.browser


def start_server(tmp: Path, *extra: str):
    port = free_port()
    env = jupyter_env(tmp, config=tmp / "cfg", runtime=tmp / "rt",
                      PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}")
    log = tmp / f"server-{port}.log"
    with open(log, "w") as out:
        server = subprocess.Popen(
            [sys.executable, "-m", "congdanso", "demos", f"--port={port}",
             "--khong-mo-trinh-duyet", f"--khoa-hoc={tmp / 'khong-co-khoa-hoc'}", *extra],
            env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    wait_for_port(port, server, log)
    return server, f"http://127.0.0.1:{port}", log


def stop_server(server) -> None:
    os.killpg(server.pid, signal.SIGTERM)
    try:
        server.wait(30)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)


def status(url: str) -> dict:
    with urllib.request.urlopen(f"{url}/congdanso/trang-thai", timeout=10) as answer:
        return json.load(answer)


def wait_status(url: str, test, timeout: float = 60) -> dict:
    deadline = time.time() + timeout
    while True:
        now = status(url)
        if test(now) or time.time() > deadline:
            return now
        time.sleep(0.5)


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("demos")
    process, url, _ = start_server(tmp)
    # every app's kernel is ready before the first page opens
    wait_status(url, lambda s: len(s["pooled"]) == 4 and s["kernels"] >= 4, 120)
    yield url
    stop_server(process)




def shot(page, name: str) -> Path:
    SHOTS.mkdir(parents=True, exist_ok=True)
    path = SHOTS / name
    page.screenshot(path=str(path), full_page=True)
    assert path.stat().st_size > 10_000
    return path


def open_app(browser, url: str, title: str, app: str):
    """Open the home page, follow the app's link, wait until its widgets answer."""
    from playwright.sync_api import expect

    page = browser.new_page(viewport={"width": 1366, "height": 900})
    page.goto(url + "/")
    page.get_by_role("link", name=title).click()
    box = page.locator(f".cdsd-app-{app}")
    expect(box).to_be_visible(timeout=60_000)
    expect(page.locator(".jp-InputArea")).to_have_count(0)  # no source shown
    expect(page.get_by_text("from congdanso")).to_have_count(0)
    return page, box


def upload(page, box, button: str, path: Path) -> None:
    """Pick a file through the upload button, as a presenter does."""
    with page.expect_file_chooser() as chooser:
        box.get_by_role("button", name=button).click()
    chooser.value.set_files(str(path))


def leave(page, url: str) -> None:
    """Back to the list of apps, then close the tab: the app's page sends its shutdown beacon."""
    page.goto(url + "/")
    page.close()


def test_home_page_lists_every_app(server, browser):
    from playwright.sync_api import expect

    page = browser.new_page(viewport={"width": 1366, "height": 900})
    page.goto(server + "/")
    expect(page).to_have_title("Công Dân Số — ứng dụng trình chiếu")
    links = page.locator("ul.apps a")
    expect(links).to_have_count(4)
    assert [links.nth(i).inner_text() for i in range(4)] == [
        "Trình chiếu điểm hỗ trợ", "Bảng theo dõi theo khu phố",
        "Kiểm tra trước khi trả tiền / ký", "Trò chơi nhận diện lừa đảo"]
    expect(page.locator("footer")).to_contain_text("kernel đang chạy")
    page.keyboard.press("Tab")  # keyboard: the first link takes the focus
    assert page.evaluate("document.activeElement.textContent") == "Trình chiếu điểm hỗ trợ"
    shot(page, "00-trang-chu.png")
    leave(page, server)


def test_walkthrough_next_back_reset(server, browser):
    from playwright.sync_api import expect

    page, box = open_app(browser, server, "Trình chiếu điểm hỗ trợ", "walkthrough")
    expect(box).to_contain_text("Bước 1/7")
    expect(box).to_contain_text("Chào chị")
    back = box.get_by_role("button", name="◀ Quay lại")
    expect(back).to_be_disabled()
    shot(page, "01-trinh-chieu-buoc-1.png")
    forward = box.get_by_role("button", name="Tiếp theo ▶")
    forward.click()
    expect(box).to_contain_text("Bước 2/7")
    expect(box).to_contain_text("Mã OTP kích hoạt tài khoản VNeID")
    expect(box).to_contain_text("Đã kích hoạt")
    forward.focus()
    page.keyboard.press("Enter")  # keyboard works the same as a click
    expect(box).to_contain_text("Bước 3/7")
    expect(box.locator("img[alt='Mã QR đăng nhập Cổng DVC']")).to_be_visible()
    forward.click()
    expect(box).to_contain_text("Bước 4/7")
    expect(box).to_contain_text("Đã nộp hồ sơ. Mã hồ sơ: H74.")
    expect(box.locator(".cdsd-badge").first).to_have_text("điền sẵn")
    shot(page, "02-trinh-chieu-ho-so-dien-san.png")
    forward.click()
    expect(box).to_contain_text("Bước 5/7")
    expect(box).to_contain_text("Đã thanh toán. Biên lai BLP")
    expect(box).to_contain_text("15.000 đồng")
    forward.click()
    expect(box).to_contain_text("Bước 6/7", timeout=30_000)
    expect(box).to_contain_text("✔ Chữ ký hợp lệ")
    shot(page, "03-trinh-chieu-ky-so.png")
    back.click()
    expect(box).to_contain_text("Bước 5/7")
    expect(box).to_contain_text("Đã thanh toán")
    forward.click()
    forward.click()
    expect(box).to_contain_text("Bước 7/7")
    expect(box.locator(".cdsd-screen li")).to_have_count(6)
    expect(box.get_by_role("button", name="Đã hết các bước")).to_be_disabled()
    shot(page, "04-trinh-chieu-tong-ket.png")
    box.get_by_role("button", name="↺ Làm lại từ đầu").click()
    expect(box).to_contain_text("Bước 1/7")
    expect(back).to_be_disabled()
    leave(page, server)


def test_dashboard_filters_by_ward_and_survives_bad_files(server, browser, tmp_path):
    from playwright.sync_api import expect

    page, box = open_app(browser, server, "Bảng theo dõi theo khu phố", "dashboard")
    expect(box).to_contain_text("Đang xem: bao-cao-phuong-mau.csv — 30 khu phố, 6 phường")
    figures = box.locator(".cdsd-figure")
    expect(figures.nth(2)).to_contain_text("21/30")  # khu phố with a support point
    expect(box.locator("img.cdsd-chart")).to_be_visible()
    expect(box).to_contain_text("Chưa có sổ điểm")
    shot(page, "05-bang-theo-doi-tat-ca.png")
    box.locator("select").select_option("Phường Lái Thiêu")
    expect(figures.nth(2)).to_contain_text("7/7")
    expect(box.locator("table.cdsd-adoption tr")).to_have_count(8)  # heading + 7 khu phố
    shot(page, "06-bang-theo-doi-lai-thieu.png")
    pick = "Tải báo cáo của phường (CSV)"
    empty = tmp_path / "trong.csv"
    empty.write_bytes(b"")
    upload(page, box, pick, empty)
    expect(box.locator(".cdsd-error")).to_contain_text("Tệp trống")
    expect(figures.nth(2)).to_contain_text("7/7")  # what was on screen stays
    broken = tmp_path / "sai-so.csv"
    sample = (ROOT / "demos" / "du-lieu" / "bao-cao-phuong-mau.csv").read_text(encoding="utf-8")
    lines = sample.splitlines()
    lines[3] = lines[3].replace(lines[3].split(",")[2], "mười", 1)
    broken.write_text("\n".join(lines), encoding="utf-8")
    upload(page, box, pick, broken)
    expect(box.locator(".cdsd-error")).to_contain_text("Dòng 4")
    expect(box.locator(".cdsd-error")).to_contain_text("mười")
    shot(page, "07-bang-theo-doi-tep-loi.png")
    mine = tmp_path / "phuong-moi.csv"
    mine.write_text(lines[0] + "\nPhường Lái Thiêu,Khu phố Đông Nhì,100,56,250,240,80,có\n"
                    "Phường Lái Thiêu,Khu phố Đông Tư,200,20,500,300,10,không\n",
                    encoding="utf-8-sig")
    upload(page, box, pick, mine)
    expect(box.locator(".cdsd-ok")).to_contain_text("phuong-moi.csv — 2 khu phố, 1 phường")
    expect(figures.nth(1)).to_contain_text("76/300")
    expect(figures.nth(2)).to_contain_text("1/2")
    leave(page, server)


def test_checker_reads_qr_text_and_images_and_checks_pdfs(server, browser, tmp_path):
    from congdanso.demos.checker import Checker, sample_kit
    from congdanso.world.money.qrimage import to_png
    from playwright.sync_api import expect

    page, box = open_app(browser, server, "Kiểm tra trước khi trả tiền / ký", "checker")
    text = box.locator("textarea")
    text.fill("https://vneid-capnhat.com/muc3")
    box.get_by_role("button", name="Kiểm tra mã").click()
    result = box.locator(".cdsd-qr-result")
    expect(result).to_contain_text("Không phải mã VietQR")
    payload = Checker().sample_payload("dien")
    text.fill(payload)
    box.get_by_role("button", name="Kiểm tra mã").click()
    expect(result).to_contain_text("NH Tập huấn Lái Thiêu")
    expect(result).to_contain_text("Tên người nhận (ngân hàng mô phỏng)")
    shot(page, "08-kiem-tra-ma-qr.png")
    picture = tmp_path / "ma-qr.png"
    picture.write_bytes(to_png(Checker().sample_payload("that")))
    upload(page, box, "Tải ảnh mã QR lên", picture)
    expect(result).to_contain_text("Vietcombank")
    expect(result).to_contain_text("Mã QR không chứa tên chủ tài khoản")
    not_picture = tmp_path / "khong-phai-anh.png"
    not_picture.write_bytes(b"day khong phai anh")
    upload(page, box, "Tải ảnh mã QR lên", not_picture)
    expect(result).to_contain_text("không phải ảnh")
    box.get_by_role("tab", name="Trước khi ký: tệp PDF").click()
    pick = "Chọn tệp PDF cần kiểm tra"
    upload(page, box, pick, sample_kit() / "01-hop-le.pdf")
    verdict = box.locator(".cdsd-pdf-result")
    expect(verdict).to_contain_text("✔ Chữ ký hợp lệ", timeout=30_000)
    shot(page, "09-kiem-tra-pdf-hop-le.png")
    upload(page, box, pick, sample_kit() / "02-bi-sua-sau-khi-ky.pdf")
    expect(verdict).to_contain_text("✘ Tài liệu đã bị sửa sau khi ký", timeout=30_000)
    word = tmp_path / "hop-dong.docx"
    word.write_bytes(b"PK\x03\x04 not a pdf")
    upload(page, box, pick, word)
    expect(verdict).to_contain_text("không phải PDF")
    box.locator("select").select_option(index=3)
    box.get_by_role("button", name="Kiểm tra tài liệu mẫu").click()
    expect(verdict).to_contain_text("Chứng thư chữ ký số đã bị thu hồi", timeout=30_000)
    shot(page, "10-kiem-tra-pdf-thu-hoi.png")
    leave(page, server)


def test_scam_game_vote_reveal_and_finish(server, browser):
    from congdanso.demos.scamgame import CARDS, SCAM
    from playwright.sync_api import expect

    page, box = open_app(browser, server, "Trò chơi nhận diện lừa đảo", "scamgame")
    expect(box).to_contain_text(f"Thẻ 1/{len(CARDS)}")
    scam = box.get_by_role("button", name="⚑ Lừa đảo (+1 phiếu)")
    safe = box.get_by_role("button", name="✔ An toàn (+1 phiếu)")
    for _ in range(3):
        scam.click()
    safe.click()
    tally = box.locator(".cdsd-tally")
    expect(tally).to_contain_text("3 phiếu")
    expect(tally).to_contain_text("75%")
    box.get_by_role("button", name="Lật đáp án ▼").click()
    expect(box.locator(".cdsd-reveal")).to_contain_text("ĐÂY LÀ LỪA ĐẢO")
    expect(box.locator(".cdsd-reveal")).to_contain_text("Đa số khán giả đã đoán đúng")
    expect(scam).to_be_disabled()
    shot(page, "11-tro-choi-lat-dap-an.png")
    for index in range(1, len(CARDS)):
        box.get_by_role("button", name="Thẻ tiếp ▶").click()
        expect(box).to_contain_text(f"Thẻ {index + 1}/{len(CARDS)}")
        (safe if CARDS[index].answer == SCAM else scam).click()  # the crowd is always wrong
        box.get_by_role("button", name="Lật đáp án ▼").click()
        expect(box.locator(".cdsd-reveal")).to_contain_text("Đa số khán giả đoán chưa đúng")
    box.get_by_role("button", name="Xem kết quả ▶").click()
    expect(box.locator(".cdsd-summary")).to_contain_text(f"đúng 1/{len(CARDS)} thẻ")
    shot(page, "12-tro-choi-ket-qua.png")
    leave(page, server)


def test_closing_pages_shuts_their_kernels_down(server, browser):
    """Ten visits, each in a new browser session, leave no kernel behind.

    A page opened without Voilà's ``_xsrf`` cookie (the first page of a browser session) sends
    its shutdown beacon without the token, and stock Voilà 0.5 refuses it (voila#1458).
    """
    from playwright.sync_api import expect

    # the pages the other tests left have shut their kernels: only the four waiting ones remain
    before = wait_status(server, lambda s: sum(s["ready"].values()) == 4 and s["kernels"] == 4)
    assert before["kernels"] == 4, before
    for _ in range(5):
        for app in ("04-tro-choi-lua-dao.ipynb", "03-kiem-tra-truoc-khi-tra-tien.ipynb"):
            context = browser.new_context()
            page = context.new_page()
            page.goto(f"{server}/voila/render/{app}")
            expect(page.locator(".cdsd button:enabled").first).to_be_visible(timeout=60_000)
            page.goto(server + "/")  # the presenter goes back to the list of apps
            context.close()
    after = wait_status(server, lambda s: s["kernels"] == 4 and sum(s["ready"].values()) == 4,
                        90)
    assert after["kernels"] == 4, after


def test_with_voilas_own_route_a_closed_page_keeps_its_kernel_until_culled(browser, tmp_path):
    """The trap we fixed, and the safety net: stock shutdown route + a 6 s idle cull."""
    from playwright.sync_api import expect

    process, url, log = start_server(tmp_path, "--stock-shutdown", "--nghi-toi-da=6",
                                     "--khong-khoi-dong-truoc")
    try:
        context = browser.new_context()
        page = context.new_page()
        page.goto(url + "/voila/render/04-tro-choi-lua-dao.ipynb")
        expect(page.locator(".cdsd-app-scamgame")).to_be_visible(timeout=60_000)
        assert status(url)["kernels"] == 1
        page.goto(url + "/")
        context.close()
        time.sleep(1.5)
        assert status(url)["kernels"] == 1  # refused: "'_xsrf' argument missing from POST"
        assert "'_xsrf' argument missing from POST" in log.read_text()
        culled = wait_status(url, lambda s: s["kernels"] == 0, 60)
        assert culled["kernels"] == 0, log.read_text()[-2000:]
        assert "Culling kernel" in log.read_text() or "culling" in log.read_text().lower()
    finally:
        stop_server(process)


def _get(url: str, host: str | None = None, method: str = "GET") -> tuple[int, str]:
    import urllib.error

    request = urllib.request.Request(url, method=method,
                                     headers={"Host": host} if host else {})
    try:
        with urllib.request.urlopen(request, timeout=30) as answer:
            return answer.status, answer.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode("utf-8", "replace")


def test_server_refuses_foreign_hosts_reaps_unconnected_pages_and_escapes_names(tmp_path):
    """No browser: what a rebinding page, a link preview and a hostile file name can do."""
    folder = tmp_path / "ung-dung"
    folder.mkdir()
    game = ROOT / "demos" / "04-tro-choi-lua-dao.ipynb"
    shutil.copy(game, folder / game.name)
    odd = 'x" onmouseover="alert(1) <b>.ipynb'
    shutil.copy(game, folder / odd)
    process, url, log = start_server(tmp_path, str(folder), "--cho-ket-noi=6",
                                     "--ten-may=may-giang-vien.local")
    try:
        wait_status(url, lambda s: s["kernels"] >= 2 and all(s["ready"].values()), 120)
        port = url.rsplit(":", 1)[1]
        for path in ("/", "/congdanso/trang-thai", "/api/kernels"):
            code, body = _get(url + path, host=f"ke-la.example:{port}")
            assert code == 403 and "Không được phép" in body, (path, code)
        code, _ = _get(url + "/voila/api/shutdown/abc", host=f"ke-la.example:{port}",
                       method="POST")
        assert code == 403
        assert _get(url + "/", host=f"may-giang-vien.local:{port}")[0] == 200
        code, home = _get(url + "/")
        assert code == 200 and 'onmouseover="alert' not in home and "alert(1) <b>" not in home
        assert "alert(1) &lt;b&gt;" in home  # its name, shown as text
        assert "x%22%20onmouseover" in home  # the link still opens that notebook
        before = status(url)["kernels"]
        code, _ = _get(f"{url}/voila/render/{game.name}")  # a page that never connects
        assert code == 200
        grown = wait_status(url, lambda s: s["kernels"] > before, 30)  # the pool refills
        assert grown["kernels"] > before
        back = wait_status(url, lambda s: s["kernels"] == before, 40)
        assert back["kernels"] == before, log.read_text()[-2000:]
        assert "không kết nối" in log.read_text()
    finally:
        stop_server(process)
