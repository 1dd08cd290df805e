"""The class server's own parts, without a hub: login codes and their sheet, the login page's
Vietnamese refusal, and the trainer's live view of the learners' journals."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from pathlib import Path

import pytest
from congdanso.hub import codes

NOW = dt.datetime(2026, 12, 2, 8, 0, tzinfo=dt.UTC)


def test_codes_are_stored_hashed_checked_and_locked_after_five_wrong(tmp_path):
    plain = codes.issue(tmp_path, ["HV-01", "hv-02"], now=NOW)
    assert set(plain) == {"hv-01", "hv-02", codes.TRAINER}
    assert all(len(c) == 8 and c.isdigit() for c in plain.values())
    stored = (tmp_path / codes.CODES_FILE)
    assert oct(stored.stat().st_mode & 0o777) == "0o600"
    assert not any(c in stored.read_text() for c in plain.values())  # only hashes are kept
    checker = codes.Checker(tmp_path)
    assert checker.check(" HV-01 ", codes.pretty(plain["hv-01"]), NOW) == "hv-01"
    with pytest.raises(codes.CodeError, match="chưa đúng") as known:
        checker.check("hv-02", plain["hv-01"], NOW)
    with pytest.raises(codes.CodeError) as unknown:
        checker.check("hv-99", "12345678", NOW)
    assert str(unknown.value) == str(known.value)  # unknown learners get the same answer
    with pytest.raises(codes.CodeError, match="chữ không dấu"):
        checker.check("../etc", "1", NOW)
    for _ in range(4):
        with pytest.raises(codes.CodeError):
            checker.check("hv-02", "00000000", NOW)
    with pytest.raises(codes.CodeError, match="Chờ"):  # locked, even with the right code
        checker.check("hv-02", plain["hv-02"], NOW + dt.timedelta(minutes=1))
    assert checker.check("hv-02", plain["hv-02"], NOW + dt.timedelta(minutes=6)) == "hv-02"
    with pytest.raises(codes.CodeError, match="hết hạn"):
        checker.check("hv-01", plain["hv-01"], NOW + dt.timedelta(days=8))
    again = codes.issue(tmp_path, ["hv-01"], now=NOW)  # a new sheet replaces the old codes
    with pytest.raises(codes.CodeError):
        codes.Checker(tmp_path).check("hv-01", plain["hv-01"], NOW)
    assert codes.Checker(tmp_path).check("hv-01", again["hv-01"], NOW) == "hv-01"


def test_the_sheet_has_a_card_per_learner_with_a_qr_to_the_login_page(tmp_path):
    import pypdfium2
    import zxingcpp

    plain = codes.issue(tmp_path, ["hv-01", "hv-02", "hv-03"], now=NOW)
    people = [("hv-01", "Nguyễn Thị Hoa"), ("hv-02", "Trần Văn Lâm"), ("hv-03", "Lê Thu")]
    data = codes.sheet_pdf(people, plain, "http://192.168.1.10:8000")
    page = pypdfium2.PdfDocument(data)[0]
    text = page.get_textpage().get_text_range()
    for learner, name in people:
        assert name in text and codes.pretty(plain[learner]) in text
    image = page.render(scale=3).to_pil()
    found = sorted(r.text for r in zxingcpp.read_barcodes(image))
    assert found == [f"http://192.168.1.10:8000/hub/login?username={x}" for x, _ in people]
    sizes = [float(s) for s in __import__("re").findall(rb"/F\d+ ([\d.]+) Tf", data)]
    assert min(sizes) >= 11


def test_a_refused_login_is_explained_in_vietnamese(tmp_path):
    import asyncio

    from congdanso.hub.auth import CodeAuthenticator, CodeLoginHandler

    plain = codes.issue(tmp_path, ["hv-01"], now=dt.datetime.now(dt.UTC))
    auth = CodeAuthenticator(course=str(tmp_path))

    class Handler:
        request = type("Request", (), {"remote_ip": "192.168.1.21"})

        def find_user(self, name):
            return None  # logging in for the first time

    handler = Handler()
    assert asyncio.run(auth.authenticate(handler, {"username": "hv-01", "password": "1"})) is None
    assert "chưa đúng" in handler._congdanso_error
    user = asyncio.run(auth.authenticate(Handler(), {"username": "hv-01",
                                                     "password": plain["hv-01"]}))
    assert {k: user[k] for k in ("name", "admin")} == {"name": "hv-01", "admin": False}
    assert set(user["auth_state"]) == {"issued", "salt"}  # which sheet and code: ends with them
    trainer = asyncio.run(auth.authenticate(None, {"username": codes.TRAINER,
                                                   "password": plain[codes.TRAINER]}))
    assert trainer["admin"] is True
    assert auth.get_handlers(None) == [(r"/login", CodeLoginHandler)]
    template = (Path(codes.__file__).parent / "templates" / "login.html").read_text("utf-8")
    assert 'lang="vi"' in template and "Mã đăng nhập (8 chữ số)" in template
    assert "Sign in" not in template


def _snapshot(folder: Path) -> dict[str, tuple[int, int]]:
    return {str(p): (p.stat().st_mtime_ns, p.stat().st_size) for p in folder.rglob("*")}


def test_live_view_shows_each_learner_without_writing_to_their_folders(tmp_path):
    from congdanso import World
    from congdanso.hub.liveview import ClassView, page
    from congdanso.ui.exercise import Exercise

    homes = {name: tmp_path / name for name in ("hv-01", "hv-02", "hv-03", "hv-04")}
    for home in homes.values():
        (home / "khoa-hoc").mkdir(parents=True)
    # hv-01: lesson 02's practice, activation done and logged in (2 of 3 steps)
    folder = homes["hv-01"] / "khoa-hoc"
    ex = Exercise("thuc-hanh-02", world=World.open(folder / "nhat-ky.jsonl"), folder=folder,
                  learner="hv-01")
    person = ex.person()
    vneid = ex.phones[0].open("vneid")
    vneid.activate(person.id_number, person.phone)
    vneid.enter_otp(ex.world.inbox(person.phone).latest_otp())
    vneid.set_password("TapHuan@2026")
    vneid.set_passcode("258036")
    from congdanso.world.identity.vneid import SECURITY_QUESTIONS

    vneid.choose_questions(SECURITY_QUESTIONS[0], "Tiểu học", SECURITY_QUESTIONS[1], "Bông")
    vneid.login(person.id_number, "SaiMatKhau@1")  # an error the learner saw
    # hv-02: opened the practice long ago and did nothing since
    folder = homes["hv-02"] / "khoa-hoc"
    Exercise("thuc-hanh-02", world=World.open(folder / "nhat-ky.jsonl"), folder=folder,
             learner="hv-02")
    # hv-03: a tampered journal; hv-04: nothing yet
    folder = homes["hv-03"] / "khoa-hoc"
    World.open(folder / "nhat-ky.jsonl").advance(hours=1)
    journal = folder / "nhat-ky.jsonl"
    journal.write_text(journal.read_text("utf-8").replace('"hours":1', '"hours":9'), "utf-8")
    inbound = tmp_path / "trao-doi" / "congdanso" / "inbound"  # what nbgrader's submit leaves
    for name in ("hv-01+tai-khoan-dvc+2026-12-02 06:41:07.123456 UTC+a1b2",
                 "hv-01+tai-khoan-dvc+2026-12-02 06:50:01.000001 UTC+c3d4",
                 "hv-01+an-toan-lua-dao+2026-12-02 07:05:00.5 UTC+e5f6",
                 "hv-02+tai-khoan-dvc+khong-phai-gio+0000", "ten-la"):
        (inbound / name).mkdir(parents=True)
    before = {name: _snapshot(home) for name, home in homes.items()}
    view = ClassView(homes, exchange=tmp_path / "trao-doi")
    soon = dt.datetime.now(dt.UTC) + dt.timedelta(minutes=1)
    rows = {r["Học viên"]: r for r in view.rows(soon)}
    assert rows["hv-01"]["Đang làm"].startswith("Bài học 02")
    assert rows["hv-01"]["Bước đã làm"] == "1/3"  # activated; the login failed; no answer yet
    assert "Mật khẩu không đúng" in rows["hv-01"]["Lỗi gần nhất"]
    assert rows["hv-01"]["Thao tác gần nhất"].startswith("Đăng nhập VNeID")
    assert rows["hv-02"]["Bước đã làm"] == "0/3" and rows["hv-02"]["Lỗi gần nhất"] == "—"
    assert rows["hv-03"]["Ghi chú"] == "nhật ký bị sửa hoặc hỏng"
    assert rows["hv-04"]["Đang làm"] == "Chưa bắt đầu"
    assert rows["hv-01"]["Đã nộp"] == "an-toan-lua-dao lúc 14:05; tai-khoan-dvc lúc 13:50"
    assert rows["hv-02"]["Đã nộp"] == rows["hv-04"]["Đã nộp"] == "—"  # a malformed name counts not
    assert all(r["Cần giúp?"] == "Không" for r in rows.values())
    later = {r["Học viên"]: r for r in view.rows(soon + dt.timedelta(minutes=11))}
    assert [n for n, r in sorted(later.items()) if r["Cần giúp?"].startswith("Có")] == [
        "hv-01", "hv-02"]  # unfinished and still for more than 10 minutes
    assert {name: _snapshot(home) for name, home in homes.items()} == before  # read-only
    html = page(list(later.values()))
    assert 'lang="vi"' in html and 'http-equiv="refresh"' not in html  # refreshed in place
    assert "?phan=bang" in html and "Tạm dừng tự cập nhật" in html
    assert html.index("hv-02") < html.index("hv-04")  # who needs help comes first
    assert "⚠ Có — đứng yên" in html


def test_learner_servers_load_the_iri_parsers_only_when_an_iri_is_checked():
    """congdanso-singleuser (and any process that imports congdanso) defers rfc3987_syntax (35
    parsers compiled on import); jsonschema's "iri" format still checks IRIs, with the real module,
    on first use."""
    script = """
import sys
import congdanso  # defers on import
import nbformat, jupyter_events, jsonschema  # what our processes import at start
from congdanso.startup import defer_iri_parsers
assert sys.modules["rfc3987_syntax"].__doc__.startswith("deferred"), "parsers compiled at start"
checker = jsonschema.Draft7Validator.FORMAT_CHECKER
assert checker.conforms("http://phường.vn/hồ-sơ?mã=1", "iri")
assert not checker.conforms("http://[không hợp lệ", "iri")
assert "deferred" not in (sys.modules["rfc3987_syntax"].__doc__ or "")
assert not defer_iri_parsers()  # already the real one
print("ok")
"""
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0 and done.stdout.strip() == "ok", done.stderr[-2000:]


def test_the_hubs_internal_ports_are_the_ones_given_or_free_ones(tmp_path, monkeypatch):
    """The hub's own API and the proxy's API: as given (``--cong-hub``, ``--cong-proxy-api``),
    or ports free now, so two classes (or a test) run side by side on one machine."""
    import socket

    from congdanso.cli import build_parser
    from congdanso.hub import launch, spawner

    monkeypatch.setattr(launch, "proxy_command", lambda: "/usr/bin/configurable-http-proxy")
    monkeypatch.setattr(spawner, "first_layout", lambda folder: None)  # no Lab needed here
    monkeypatch.setenv("CONFIGPROXY_AUTH_TOKEN", "thu")  # hub_config sets it when missing
    course, exchange = tmp_path / "khoa", tmp_path / "trao-doi"
    course.mkdir()
    given = launch.hub_config(course, port=8000, exchange=exchange, hub_port=18181,
                              proxy_api_port=18101)
    assert given.JupyterHub.hub_port == 18181
    assert given.ConfigurableHTTPProxy.api_url == "http://127.0.0.1:18101"
    picked = launch.hub_config(course, port=8000, exchange=exchange)
    url = picked.ConfigurableHTTPProxy.api_url
    assert url.startswith("http://127.0.0.1:")
    ports = [picked.JupyterHub.hub_port, int(url.rsplit(":", 1)[1])]
    assert len({*ports, 8000, 8007}) == 4  # not each other, the hub's or the live view's port
    for port in ports:  # nothing listens there: the hub and the proxy can take them
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", port))
    # the command passes its options through to the hub
    (course / "nbgrader_config.py").write_text("c = get_config()  # noqa: F821\n", "utf-8")
    seen = {}
    monkeypatch.setattr(launch, "run", lambda course, **options: seen.update(options))
    args = build_parser().parse_args(["hub", "--course", str(course), "--cong-hub", "18181",
                                      "--cong-proxy-api", "18101"])
    assert args.func(args) == 0
    assert (seen["hub_port"], seen["proxy_api_port"]) == (18181, 18101)
    args = build_parser().parse_args(["hub", "--course", str(course)])
    assert args.func(args) == 0 and seen["hub_port"] is seen["proxy_api_port"] is None


def test_hub_subcommands_use_the_course_given_before_them(tmp_path, monkeypatch, capsys):
    """``congdanso hub --course X ma`` (and ``ket-thuc``) work on X, not on the default course:
    a subcommand's own default used to override the course given to ``hub``."""
    import json

    from congdanso.cli import build_parser, main

    monkeypatch.chdir(tmp_path)  # the default course, ./exercises, must stay untouched
    course = tmp_path / "lop-x"
    codes.issue(course, ["hv-01"])
    before = json.loads((course / codes.CODES_FILE).read_text("utf-8"))["codes"]
    assert main(["hub", "--course", str(course), "ma", "--giang-vien"]) == 0
    assert main(["hub", "--course", str(course), "ket-thuc", "hv-01"]) == 0
    after = json.loads((course / codes.CODES_FILE).read_text("utf-8"))["codes"]
    assert after[codes.TRAINER] != before[codes.TRAINER] and after["hv-01"] != before["hv-01"]
    assert not (tmp_path / "exercises").exists()
    assert "Mã đăng nhập mới" in capsys.readouterr().out
    parse = build_parser().parse_args
    assert parse(["hub", "--course", "X", "ma"]).course == "X"
    assert parse(["hub", "ma", "--course", "Y"]).course == "Y"
    assert parse(["hub", "--course", "X", "ma", "--course", "Y"]).course == "Y"
    assert parse(["hub", "ma"]).course == "exercises"
    assert parse(["hub", "ket-thuc", "hv-01"]).course == "exercises"


def test_the_hub_heeds_ctrl_c_even_when_started_with_it_ignored():
    """What the hub's services inherit: SIGINT and SIGTERM not ignored (a shell's background
    job starts with SIGINT ignored; the services then ignored JupyterHub's SIGINT for 30 s
    each). The real hub is timed in test_hub.py."""
    import signal

    from congdanso.hub.launch import heed_stop_signals

    before = signal.getsignal(signal.SIGINT), signal.getsignal(signal.SIGTERM)
    try:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        heed_stop_signals()
        assert signal.getsignal(signal.SIGINT) is signal.default_int_handler
        assert signal.getsignal(signal.SIGTERM) is signal.SIG_DFL
        mine = lambda *_: None  # noqa: E731 — a handler someone set is left alone
        signal.signal(signal.SIGTERM, mine)
        heed_stop_signals()
        assert signal.getsignal(signal.SIGTERM) is mine
    finally:
        signal.signal(signal.SIGINT, before[0])
        signal.signal(signal.SIGTERM, before[1])


def test_the_trainers_card_reads_giang_vien_in_vietnamese_clear_of_its_qr(tmp_path):
    """The trainer's card showed the id "giang-vien" (running over its QR code): it reads
    "Giảng viên", which the login page takes as the trainer's id; no card's text runs into
    its QR code."""
    import pypdfium2
    import zxingcpp

    plain = codes.issue(tmp_path, ["hv-01", "hv-rat-dai-ten-khu-pho-01"], now=NOW)
    people = [("hv-01", "Nguyễn Thị Hoa"), ("hv-rat-dai-ten-khu-pho-01", "Trần Văn Lâm"),
              (codes.TRAINER, "Giảng viên")]
    data = codes.sheet_pdf(people, plain, "http://192.168.1.10:8000")
    page = pypdfium2.PdfDocument(data)[0]
    textpage = page.get_textpage()
    text = textpage.get_text_range()
    assert "giang-vien" not in text and "Tên đăng nhập: Giảng viên" in " ".join(text.split())
    assert codes.pretty(plain[codes.TRAINER]) in text
    # the QR codes (mm from the top left, as sheet_pdf places them) and every character's box
    mm = 72 / 25.4
    height = page.get_height()
    qrs = [(10 + col * 95 + 95 - 5 - 34, 12 + row * 69 + 4) for row in (0, 1) for col in (0, 1)]
    for i in range(textpage.count_chars()):
        left, bottom, right, top = textpage.get_charbox(i)
        if right - left <= 0:
            continue  # spaces, line breaks
        box = (left / mm, (height - top) / mm, right / mm, (height - bottom) / mm)
        for qx, qy in qrs:
            assert not (box[0] < qx + 30 and box[2] > qx and box[1] < qy + 30 and box[3] > qy), \
                (textpage.get_text_range(i, 1), box)
    found = sorted(r.text for r in zxingcpp.read_barcodes(page.render(scale=3).to_pil()))
    assert found == sorted(f"http://192.168.1.10:8000/hub/login?username={x}" for x, _ in people)
    # typed as the card reads, with or without marks: the trainer
    for typed in ("Giảng viên", " giảng  viên ", "GIANG VIEN", "giang-vien"):
        assert codes.username(typed) == codes.TRAINER
    assert codes.Checker(tmp_path).check("Giảng viên", plain[codes.TRAINER], NOW) == codes.TRAINER
    with pytest.raises(codes.CodeError):
        codes.username("Nguyễn Văn A")  # a name is not an id
