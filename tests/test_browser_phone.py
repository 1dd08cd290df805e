"""A real browser (Debian's chromium, driven by Playwright) uses the phone in JupyterLab:
log in to the portal with VNeID by scanning the QR in the VNeID app, then submit a dossier.

Screenshots go to tests/artifacts/browser/. Needs /usr/bin/chromium (``make test`` installs it
where it can; CI installs it with apt).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest
from browserkit import CHROMIUM, CHROMIUM_ARGS, free_port, jupyter_lab, wait_for_port
from jupyterkit import jupyter_env

ROOT = Path(__file__).resolve().parents[1]
SHOTS = ROOT / "tests" / "artifacts" / "browser"

pytestmark = pytest.mark.browser

NOTEBOOK_CELL = """from congdanso import World
from congdanso.ui import Phone
from congdanso.world.scenarios import activate_vneid

world = World.open()
nguoi_dan = world.population.practice_residents()[0]
activate_vneid(world, nguoi_dan)  # VNeID mức 2 đã kích hoạt (bài trước)
phone = Phone(world, nguoi_dan)
phone"""


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    root = tmp_path_factory.mktemp("lab")
    nb = nbformat.v4.new_notebook()
    nb.metadata.kernelspec = {"name": "python3", "display_name": "Python 3 (ipykernel)",
                              "language": "python"}
    nb.cells = [nbformat.v4.new_code_cell(NOTEBOOK_CELL)]
    nbformat.write(nb, root / "dien-thoai.ipynb")
    token = "congdanso-browser-test"
    with jupyter_lab(root, log=root / "lab.log", token=token) as url:
        yield {"url": url, "token": token, "root": root}


def _shot(page, name: str) -> Path:
    SHOTS.mkdir(parents=True, exist_ok=True)
    path = SHOTS / name
    page.locator(".cds-phone").screenshot(path=str(path))
    return path


def test_login_with_vneid_and_submit_a_dossier_in_jupyterlab(lab):
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 1000})
        page.goto(f"{lab['url']}/lab/tree/dien-thoai.ipynb?token={lab['token']}")
        page.locator(".jp-Notebook").wait_for(timeout=90_000)
        expect(page.get_by_text("Python 3 (ipykernel) | Idle")).to_be_visible(timeout=90_000)
        news = page.get_by_role("button", name="No")
        if news.count():
            news.first.click()
        page.locator(".jp-Notebook .jp-Cell .jp-InputArea-editor").first.click()
        started = time.perf_counter()
        page.keyboard.press("Shift+Enter")
        phone = page.locator(".cds-phone")
        try:
            expect(phone).to_be_visible(timeout=90_000)
        except AssertionError:
            SHOTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(SHOTS / "loi-khong-thay-dien-thoai.png"))
            raise
        shown = time.perf_counter() - started
        print(f"\nphone frame visible {shown:.2f} s after running the cell (fresh kernel)")
        expect(phone).to_contain_text("Điện thoại của")
        shots = [_shot(page, "00-man-hinh-chinh.png")]

        def tap(text: str) -> None:
            phone.locator("button", has_text=text).first.click()

        def fill(label: str, value: str) -> None:
            box = phone.locator(".cds-field", has=page.locator(f"label:text-is('{label}')"))
            box.locator("input").fill(value)

        tap("Cổng DVC")
        expect(phone).to_contain_text("Cổng Dịch vụ công quốc gia")
        tap("Đăng nhập bằng tài khoản định danh điện tử (VNeID)")
        expect(phone.locator("img").first).to_be_visible()
        shots.append(_shot(page, "01-cong-dvc-hien-ma-qr.png"))

        tap("Màn hình chính")
        tap("VNeID")
        tap("Đăng nhập")
        fill("Mật khẩu", "TapHuan@2026")
        phone.locator("button", has_text="Đăng nhập").last.click()
        expect(phone).to_contain_text("Tài khoản định danh điện tử mức 2")
        tap("Quét mã đang hiện trên Cổng DVC")
        expect(phone).to_contain_text("đề nghị truy cập thông tin định danh")
        fill("Passcode để xác nhận", "000000")
        tap("Xác nhận truy cập")
        expect(phone).to_contain_text("Passcode không đúng")
        shots.append(_shot(page, "02-vneid-sai-passcode.png"))
        fill("Passcode để xác nhận", "258036")
        tap("Xác nhận truy cập")
        expect(phone).to_contain_text("Đã xác nhận")
        shots.append(_shot(page, "03-vneid-da-xac-nhan.png"))

        tap("Màn hình chính")
        tap("Cổng DVC")
        expect(phone).to_contain_text("Xin chào")
        fill("Tìm thủ tục", "tạm trú")
        tap("Tìm")
        tap("Đăng ký tạm trú")
        expect(phone).to_contain_text("Thông tin điền sẵn từ Cơ sở dữ liệu dân cư")
        phone.locator(".cds-field", has_text="Tôi xác nhận").locator("input").check()
        fill("Địa chỉ nơi tạm trú", "Số 12 Đường Trần Hưng Đạo, Khu phố Bình Minh, Phường Dĩ An")
        fill("Tạm trú đến ngày", "31/12/2026")
        phone.locator(".cds-field", has=page.locator("label:text-is('Đính kèm giấy tờ (chọn "
                                                      "trong thư viện ảnh)')")).locator(
            "select").select_option(label="hop-dong-thue-nha.pdf")
        tap("Thêm tệp")
        expect(phone).to_contain_text("Đã đính kèm: hop-dong-thue-nha.pdf")
        tap("Nộp hồ sơ")
        expect(phone).to_contain_text("Đã nộp hồ sơ. Mã hồ sơ: H74.", timeout=30_000)
        shots.append(_shot(page, "04-nop-ho-so-thanh-cong.png"))

        large = phone.locator("button", has_text="Chữ to")
        large.focus()
        page.keyboard.press("Space")  # keyboard only
        expect(phone).to_have_class(re.compile("cds-large"))
        shots.append(_shot(page, "05-chu-to.png"))
        browser.close()

    from congdanso.world.core.check import check_journal

    report = check_journal(lab["root"] / "nhat-ky.jsonl")
    assert report.ok, report.problem
    done = [(b["action"], b["ok"]) for b in report.events]
    assert ("portal.finish_vneid_login", True) in done
    assert ("vneid.confirm_qr", False) in done  # the wrong passcode is in the record too
    assert ("portal.submit_dossier", True) in done
    assert all(s.exists() and s.stat().st_size > 5_000 for s in shots)
    (SHOTS / "ket-qua.json").write_text(json.dumps({
        "phone_visible_s": round(shown, 2), "screenshots": [s.name for s in shots]},
        ensure_ascii=False, indent=2), encoding="utf-8")


def test_the_same_phone_works_in_voila(lab):
    """Voilà renders the notebook as an app (no code shown); the phone answers taps there too."""
    from playwright.sync_api import expect, sync_playwright

    root = lab["root"]
    port = free_port()
    env = jupyter_env(root, config=root / ".jupyter", runtime=root / ".runtime-voila")
    voila_root = root / "voila"
    voila_root.mkdir(exist_ok=True)
    shutil.copy(root / "dien-thoai.ipynb", voila_root / "dien-thoai.ipynb")
    with open(root / "voila.log", "w") as log:
        server = subprocess.Popen(
            [sys.executable, "-m", "voila", "dien-thoai.ipynb", "--no-browser",
             f"--port={port}", "--Voila.ip=127.0.0.1"],
            cwd=voila_root, env=env, stdout=log, stderr=subprocess.STDOUT,
            start_new_session=True)
        try:
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
                page = browser.new_page(viewport={"width": 900, "height": 1000})
                wait_for_port(port, server, root / "voila.log")
                page.goto(f"http://127.0.0.1:{port}/", timeout=90_000)
                phone = page.locator(".cds-phone")
                expect(phone).to_be_visible(timeout=90_000)
                expect(page.locator(".jp-InputArea")).to_have_count(0)  # no source cells
                phone.locator("button", has_text="Tin nhắn").click()
                expect(phone).to_contain_text("Tài khoản VNeID đã được kích hoạt thành công")
                _shot(page, "06-voila-tin-nhan.png")
                browser.close()
        finally:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(30)
