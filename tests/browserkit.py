"""What the browser tests share: Debian's chromium for Playwright, free ports, server start-up."""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from jupyterkit import jupyter_env

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
AXE = ROOT / "tests" / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM_ARGS = ["--no-sandbox", "--headless=new", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]


def axe(page, *, include: str | None = None) -> list[dict]:
    """Serious and critical WCAG 2.1 A/AA violations (optionally within one element)."""
    page.add_script_tag(path=str(AXE))
    found = page.evaluate("""async (include) => {
        const result = await axe.run(include ? {include: [include]} : document,
            {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}});
        return result.violations
            .filter(v => v.impact === 'serious' || v.impact === 'critical')
            .map(v => ({rule: v.id, impact: v.impact, help: v.help,
                        where: v.nodes.slice(0, 4).map(n => n.target.join(' '))}));
    }""", include)
    return found


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_port(port: int, server, log: Path, timeout: float = 90) -> None:
    """Wait until something listens on ``port``; fail with the server's log if it died."""
    deadline = time.time() + timeout
    while True:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            assert server.poll() is None, log.read_text()[-3000:]
            assert time.time() < deadline, log.read_text()[-3000:]
            time.sleep(0.3)


@contextlib.contextmanager
def jupyter_lab(root: Path, *, log: Path, token: str, env: dict[str, str] | None = None):
    """JupyterLab on 127.0.0.1 serving ``root``, stopped (with its kernels) on exit. Yields the
    base URL. Fails the test, with the server's log, if it dies or is not up within 90 s."""
    if not Path(CHROMIUM).exists():
        raise AssertionError("Debian's chromium is needed for browser tests: "
                             "apt-get install -y chromium")
    port = free_port()
    # settings, workspaces, data (notebook signatures, nbgrader's cache) in the test's folder
    environment = jupyter_env(root, config=root / ".jupyter", runtime=root / ".runtime",
                              PATH=f"{Path(sys.executable).parent}{os.pathsep}"
                                   f"{os.environ['PATH']}", **(env or {}))
    subprocess.run([sys.executable, "-m", "jupyter", "lab", "workspaces", "import",  # as make start
                    str(ROOT / "widgets/jupyter-config/workspaces/hoc-vien.jupyterlab-workspace")],
                   env=environment, capture_output=True, check=True, timeout=120)
    with open(log, "w") as out:
        server = subprocess.Popen(
            [sys.executable, "-m", "jupyter", "lab", "--no-browser", "--allow-root",
             f"--ServerApp.port={port}", "--ServerApp.ip=127.0.0.1",
             f"--ServerApp.token={token}", f"--ServerApp.root_dir={root}",
             "--LabApp.news_url=", "--ServerApp.open_browser=False",
             # what `make start` gives learners: Vietnamese, larger text
             f"--LabApp.app_settings_dir={ROOT / 'widgets' / 'jupyter-config'}"],
            cwd=root, env=environment, stdout=out, stderr=subprocess.STDOUT,
            start_new_session=True)
        try:
            deadline = time.time() + 90
            while "is running at" not in log.read_text() and not re.search(
                    r"http://127\.0\.0\.1:\d+/lab", log.read_text()):
                assert server.poll() is None and time.time() < deadline, log.read_text()[-3000:]
                time.sleep(0.5)
            yield f"http://127.0.0.1:{port}"
        finally:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(30)


class PhoneHands:
    """A learner's clicks and typing in the simulated phone and the desks of an exercise page
    (Playwright). ``activate`` does the police/carrier desk when the scenario needs it and VNeID
    activation with the OTP read off the phone's inbox; ``portal_and_answers`` logs in to the
    portal by scanning its QR and answers the exercise's questions."""

    PASSWORD, PASSCODE = "TapHuan@2026", "258036"

    def __init__(self, page, scenario, person):
        self.page, self.scenario, self.person = page, scenario, person
        self.phone = page.locator(".cds-phone")

    def tap(self, text: str) -> None:
        self.phone.locator("button", has_text=text).first.click()

    def open_app(self, label: str, ready) -> None:
        """Tap an app on the home screen until ``ready`` shows: a tap that lands while the page
        is still laying out an update (a desk's answer growing above the phone) can miss."""
        from playwright.sync_api import expect

        icon = self.phone.locator(".cds-launcher button", has_text=label)
        for _ in range(3):
            if ready.first.is_visible():
                return
            if icon.first.is_visible():
                icon.first.click()
            try:
                expect(ready.first).to_be_visible(timeout=10_000)
                return
            except AssertionError:
                continue
        expect(ready.first).to_be_visible()

    def home(self) -> None:
        from playwright.sync_api import expect

        self.tap("Màn hình chính")
        expect(self.phone.locator(".cds-launcher")).to_be_visible()

    def fill(self, label: str, value: str, where=None) -> None:
        where = self.phone if where is None else where
        box = where.locator(".cds-field", has=self.page.locator(f"label:text-is('{label}')"))
        box.locator("input").fill(value)

    def activate(self) -> None:
        from playwright.sync_api import expect

        page, person, phone, situation = (self.page, self.person, self.phone,
                                          self.scenario.values["situation"])
        if situation == "sim-nguoi-khac":  # the SIM is in a child's name
            shop = page.locator(".cds-carrier")
            self.fill("Số điện thoại cần kiểm tra, chuẩn hoá hoặc cấp lại SIM", person.phone, shop)
            shop.locator("button", has_text="Kiểm tra thuê bao").click()
            expect(shop).to_contain_text("Đã gửi TTTB")
            self.fill("Số định danh của người sẽ đứng tên thuê bao", person.id_number, shop)
            shop.get_by_text("Người đứng tên có mặt, mang thẻ căn cước bản gốc").click()
            shop.get_by_text("Người đang đứng tên đồng ý chuyển").click()
            shop.locator("button", has_text="Chuẩn hoá").click()
            expect(shop).to_contain_text("Thuê bao đã đứng tên người dân")
        if situation != "muc2-co-san":
            desk = page.locator(".cds-police")
            self.fill("Số định danh cá nhân (trên thẻ căn cước)", person.id_number, desk)
            self.fill("Số điện thoại đứng tên người dân", person.phone, desk)
            desk.get_by_text("Người dân có mặt, mang thẻ căn cước gắn chip bản gốc").click()
            desk.locator("button", has_text="Đăng ký tài khoản mức 2").click()
            expect(desk).to_contain_text("Đã thu nhận")
        self.open_app("VNeID", phone.locator("button", has_text="Kích hoạt tài khoản"))
        self.tap("Kích hoạt tài khoản")
        self.tap("Tiếp tục – gửi mã OTP")
        expect(phone).to_contain_text("Bước 2/5")
        self.home()
        self.open_app("Tin nhắn", phone.locator(".cds-sms"))
        expect(phone.locator(".cds-sms").first).to_contain_text("OTP")
        otp = re.search(r"\b(\d{6})\b", phone.locator(".cds-sms").first.inner_text()).group(1)
        self.home()
        self.open_app("VNeID", phone.locator("label:text-is('Mã OTP (6 số trong tin nhắn)')"))
        self.fill("Mã OTP (6 số trong tin nhắn)", otp)
        self.tap("Xác nhận")
        self.fill("Mật khẩu (8–20 ký tự: hoa, thường, số, ký tự đặc biệt)", self.PASSWORD)
        self.fill("Nhập lại mật khẩu", self.PASSWORD)
        self.tap("Tiếp tục")
        expect(phone).to_contain_text("Bước 4/5")
        self.fill("Passcode (6 số)", self.PASSCODE)
        self.fill("Nhập lại passcode", self.PASSCODE)
        self.tap("Tiếp tục")
        self.fill("Câu trả lời 1", "Tiểu học Lái Thiêu")
        self.fill("Câu trả lời 2", "Bông")
        self.tap("Hoàn tất kích hoạt")
        expect(phone).to_contain_text("Kích hoạt thành công")
        self.fill("Mật khẩu", self.PASSWORD)
        phone.locator("button", has_text="Đăng nhập").last.click()
        expect(phone).to_contain_text("Tài khoản định danh điện tử mức 2")

    def portal_and_answers(self, assignment: str) -> None:
        from congdanso.grading.key import load_key
        from congdanso.grading.variants import spec
        from playwright.sync_api import expect

        page, phone = self.page, self.phone
        self.home()
        login = "Đăng nhập bằng tài khoản định danh điện tử (VNeID)"
        self.open_app("Cổng DVC", phone.locator("button", has_text=login))
        expect(phone).to_contain_text("Cổng Dịch vụ công quốc gia")
        self.tap(login)
        expect(phone.locator("img").first).to_be_visible()
        self.home()
        scan = "Quét mã đang hiện trên Cổng DVC"
        self.open_app("VNeID", phone.locator("button", has_text=scan))
        self.tap(scan)
        self.fill("Passcode để xác nhận", self.PASSCODE)
        self.tap("Xác nhận truy cập")
        self.home()
        self.open_app("Cổng DVC", phone.locator("button", has_text="Đăng xuất"))
        expect(phone).to_contain_text(f"Xin chào {self.person.full_name}")
        for i, question in enumerate(spec(assignment)["questions"]):
            box = page.locator(".cds-answer").nth(i)
            box.get_by_text(load_key().expected(None, self.scenario, question),
                            exact=True).click()
            box.locator("button", has_text="Lưu câu trả lời").click()
            expect(box).to_contain_text("Đã lưu")
