"""The class server's login (issue 22): sessions end with their codes, and wrong tries cannot be
turned against a classmate or the trainer (the server itself is one address; a browser that
logged in once keeps a device cookie that others' wrong tries do not lock). Checker and
CodeAuthenticator are driven directly with fake handlers (tornado's own request handler, so the
device cookie is signed and checked as in the hub); one test runs a real `congdanso hub` (root,
PostgreSQL) end to end."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import logging
import os
import socket
import threading
import time
from pathlib import Path
from types import SimpleNamespace

import pytest
from congdanso.hub import codes
from congdanso.hub.auth import (
    DEVICE_COOKIE,
    SERVER,
    CodeAuthenticator,
    client_address,
    crypt_key,
    socket_owner,
)
from tornado.httputil import HTTPHeaders, HTTPServerRequest, RequestStartLine
from tornado.web import Application, RequestHandler, create_signed_value, decode_signed_value

NOW = dt.datetime(2026, 12, 2, 8, 0, tzinfo=dt.UTC)
HUB_SECRET = os.urandom(32)  # the hub's cookie secret, for these tests


def _refused(check, *args, **kwargs) -> str:
    with pytest.raises(codes.CodeError) as refused:
        check(*args, **kwargs)
    return str(refused.value)


class FakeSpawner:
    def __init__(self, *, active: bool, pending: str | None = None) -> None:
        self.active, self.pending = active, pending


class FakeUser:
    """What JupyterHub's User gives an authenticator: name, auth_state, the ORM row, spawners."""

    def __init__(self, name: str, auth_state, orm_user=None, spawners=None) -> None:
        self.name, self.auth_state, self.orm_user = name, auth_state, orm_user
        self.spawners = spawners or {}

    async def get_auth_state(self):
        return self.auth_state


class FakeHandler(RequestHandler):
    """A request handler as far as the authenticator uses it: tornado's own (cookies signed and
    checked with the hub's secret), for a request whose address the hub found to be
    ``remote_ip`` (an in-process request, no connection)."""

    def __init__(self, remote_ip: str, users=(), db=None, cookies=None, protocol="http",
                 secret=HUB_SECRET) -> None:
        headers = HTTPHeaders({"Host": "192.168.1.10:8000"})
        if cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in cookies.items())
        request = HTTPServerRequest(
            start_line=RequestStartLine("POST", "/hub/login", "HTTP/1.1"), headers=headers,
            connection=SimpleNamespace(set_close_callback=print))
        super().__init__(Application(cookie_secret=secret), request)
        request.connection, request.remote_ip, request.protocol = None, remote_ip, protocol
        self.hub = SimpleNamespace(base_url="/hub/")
        self.users = {u.name: u for u in users}
        self.db = db
        self.log = logging.getLogger("test_hub_login")
        self.stopped: list[tuple[str, str]] = []

    def find_user(self, name):
        return self.users.get(name)

    async def stop_single_user(self, user, server_name=""):
        await asyncio.sleep(0)
        self.stopped.append((user.name, server_name))

    def set_cookies(self) -> dict:
        """The cookies this response sets (name -> Morsel)."""
        return dict(getattr(self, "_new_cookie", {}))


def _login(auth, user, code, address, jar=None, **kwargs):
    """One login through the authenticator; ``jar``: the browser's cookies (sent, and updated
    with what the answer sets)."""
    handler = FakeHandler(address, cookies=jar, **kwargs)
    model = asyncio.run(auth.authenticate(handler, {"username": user, "password": code}))
    if jar is not None:
        jar.update({name: morsel.value for name, morsel in handler.set_cookies().items()})
    return model, getattr(handler, "_congdanso_error", None)


def test_wrong_tries_from_elsewhere_never_lock_the_trainer_out(tmp_path):
    plain = codes.issue(tmp_path, ["hv-01"], now=NOW)
    checker = codes.Checker(tmp_path)
    answers = [_refused(checker.check, codes.TRAINER, f"1111000{i}", NOW, "10.0.0.66")
               for i in range(5)]
    assert [a.split("Còn ")[-1] for a in answers[:4]] == [f"{n} lần thử." for n in (4, 3, 2, 1)]
    assert "Chờ 5 phút" in answers[4]
    # that address is locked for that id, even with the right code ...
    later = NOW + dt.timedelta(minutes=1)
    assert "Chờ 4 phút" in _refused(checker.check, codes.TRAINER, plain[codes.TRAINER], later,
                                    "10.0.0.66")
    # ... the trainer elsewhere is not, and neither is the same address for another id
    assert checker.check(codes.TRAINER, plain[codes.TRAINER], later, "192.168.1.10") == (
        codes.TRAINER)
    assert checker.check("hv-01", plain["hv-01"], later, "10.0.0.66") == "hv-01"
    # the wait ends; so does a new trainer code (what `congdanso hub ma --giang-vien` issues)
    after = NOW + dt.timedelta(minutes=5, seconds=1)
    assert checker.check(codes.TRAINER, plain[codes.TRAINER], after, "10.0.0.66") == (
        codes.TRAINER)
    for _ in range(5):
        _refused(checker.check, codes.TRAINER, "00000000", after, "127.0.0.1")
    assert "Chờ" in _refused(checker.check, codes.TRAINER, plain[codes.TRAINER], after,
                             "127.0.0.1")
    fresh = codes.reissue(tmp_path, codes.TRAINER, now=after)
    assert checker.check(codes.TRAINER, fresh, after, "127.0.0.1") == codes.TRAINER
    assert "chưa đúng" in _refused(checker.check, codes.TRAINER, plain[codes.TRAINER], after,
                                   "192.168.1.10")  # the old trainer code is gone ...
    assert checker.check("hv-01", plain["hv-01"], after, "1.2.3.4") == "hv-01"  # ... no other


def test_the_authenticator_keys_wrong_tries_on_the_address_it_is_given(tmp_path):
    plain = codes.issue(tmp_path, ["hv-01"], now=dt.datetime.now(dt.UTC))
    auth = CodeAuthenticator(course=str(tmp_path))
    for _ in range(5):
        model, error = _login(auth, codes.TRAINER, "00000000", "10.0.0.66")
        assert model is None and error
    assert "Chờ" in _login(auth, codes.TRAINER, plain[codes.TRAINER], "10.0.0.66")[1]
    model, error = _login(auth, codes.TRAINER, plain[codes.TRAINER], "192.168.1.10")
    assert error is None and model["name"] == codes.TRAINER and model["admin"] is True


def test_a_kernel_on_many_loopback_addresses_is_one_address_and_locks_no_one_else_out(
        tmp_path, monkeypatch):
    """The tester's attack: 5 wrong codes for the trainer from each of 127.0.0.2 … 127.0.0.12
    (a learner's kernel binding source addresses) used to count as 55 tries from 11 addresses
    and hit the id's ceiling, so the trainer's right code was refused everywhere for an hour."""
    plain = codes.issue(tmp_path, ["hv-01"], now=dt.datetime.now(dt.UTC))
    auth = CodeAuthenticator(course=str(tmp_path))
    checked, matches = [], codes._matches
    monkeypatch.setattr(codes, "_matches", lambda *a: checked.append(1) or matches(*a))
    answers = [_login(auth, codes.TRAINER, f"0000000{n}", f"127.0.0.{i}")[1]
               for i in range(2, 13) for n in range(5)]
    assert [a.split("Còn ")[-1] for a in answers[:4]] == [f"{n} lần thử." for n in (4, 3, 2, 1)]
    assert all("Chờ 5 phút" in a for a in answers[4:]), answers[4:6]
    assert len(checked) == codes.MAX_WRONG  # the other 50 never reached PBKDF2 ...
    checker = auth._checker()
    assert list(checker.pairs) == [(codes.TRAINER, SERVER)]  # ... one address, the server's
    assert checker.names[codes.TRAINER].count == codes.MAX_WRONG  # far below the ceiling
    for local in ("127.0.0.1", "::1", "::ffff:127.0.0.9"):  # every way of writing the server
        assert "Chờ" in _login(auth, codes.TRAINER, plain[codes.TRAINER], local)[1]
    model, error = _login(auth, codes.TRAINER, plain[codes.TRAINER], "192.168.1.10")
    assert error is None and model["name"] == codes.TRAINER  # the trainer on the LAN gets in
    assert _login(auth, "hv-01", plain["hv-01"], "127.0.0.7")[0]["name"] == "hv-01"


def _signed(name: str, value: str, secret=HUB_SECRET) -> str:
    return create_signed_value(secret, name, value).decode()


def test_a_device_cookie_gets_its_browser_in_whatever_others_type(tmp_path):
    plain = codes.issue(tmp_path, ["hv-01"], now=dt.datetime.now(dt.UTC))
    auth = CodeAuthenticator(course=str(tmp_path))
    trainer, learner = {}, {}  # two browsers' cookies
    handler = FakeHandler("192.168.1.10")
    assert asyncio.run(auth.authenticate(handler, {"username": codes.TRAINER,
                                                   "password": plain[codes.TRAINER]}))
    cookie = handler.set_cookies()[DEVICE_COOKIE]
    assert cookie["httponly"] and cookie["path"] == "/hub/" and cookie["samesite"] == "Strict"
    assert int(cookie["max-age"]) == 30 * 86400 and not cookie["secure"]  # this login: HTTP
    value = decode_signed_value(HUB_SECRET, DEVICE_COOKIE, cookie.value).decode()
    assert value.startswith(f"{codes.TRAINER}:") and plain[codes.TRAINER] not in value
    trainer[DEVICE_COOKIE] = cookie.value
    over_https = FakeHandler("192.168.1.10", protocol="https")
    asyncio.run(auth.authenticate(over_https, {"username": codes.TRAINER,
                                               "password": plain[codes.TRAINER]}))
    assert over_https.set_cookies()[DEVICE_COOKIE]["secure"]
    assert _login(auth, "hv-01", plain["hv-01"], "10.0.0.5", learner)[1] is None

    # many LAN addresses use up the trainer's hour: no address without the cookie gets in
    for n in range(codes.NAME_MAX_WRONG // codes.MAX_WRONG):
        for _ in range(codes.MAX_WRONG):
            assert _login(auth, codes.TRAINER, "00000000", f"10.0.{n}.1")[0] is None
    assert "Chờ 60 phút" in _login(auth, codes.TRAINER, plain[codes.TRAINER], "10.9.9.9")[1]
    # the trainer's browser does, from anywhere, even from an address locked for that id
    for address in ("10.0.0.1", "127.0.0.1", "10.9.9.9"):
        model, error = _login(auth, codes.TRAINER, plain[codes.TRAINER], address, trainer)
        assert error is None and model["name"] == codes.TRAINER, address
    # nothing else passes: a learner's cookie, the same words unsigned, another secret's
    nonce = decode_signed_value(HUB_SECRET, DEVICE_COOKIE, trainer[DEVICE_COOKIE]).decode()
    for jar in (dict(learner), {DEVICE_COOKIE: nonce},
                {DEVICE_COOKIE: _signed(DEVICE_COOKIE, nonce, b"not the hub's secret")},
                {DEVICE_COOKIE: _signed("another-cookie", nonce)}):
        assert "Chờ 60 phút" in _login(auth, codes.TRAINER, plain[codes.TRAINER], "10.9.9.9",
                                       jar)[1], jar
    # a learner who logs in on the trainer's computer does not take the trainer's cookie away
    assert _login(auth, "hv-01", plain["hv-01"], "10.0.0.1", trainer)[1] is None
    assert _login(auth, codes.TRAINER, plain[codes.TRAINER], "10.9.9.9", trainer)[1] is None

    # a new trainer code voids every device cookie issued under the old one
    fresh = codes.reissue(tmp_path, codes.TRAINER)
    for n in range(codes.NAME_MAX_WRONG // codes.MAX_WRONG):
        for _ in range(codes.MAX_WRONG):
            _login(auth, codes.TRAINER, "00000000", f"10.1.{n}.1")
    before = dict(trainer)
    assert "Chờ 60 phút" in _login(auth, codes.TRAINER, fresh, "10.9.9.9", trainer)[1]
    assert trainer == before  # a refusal sets no cookie


def test_a_device_cookie_has_its_own_small_count(tmp_path):
    plain = codes.issue(tmp_path, ["hv-01"], now=NOW)
    checker = codes.Checker(tmp_path)

    def login(user, code, at, address, device=None):
        return asyncio.run(checker.login(user, code, address, at, device=device))

    device = login(codes.TRAINER, plain[codes.TRAINER], NOW, "192.168.1.10").device
    answers = []
    for i in range(codes.DEVICE_MAX_WRONG):
        with pytest.raises(codes.CodeError) as refused:
            login(codes.TRAINER, "00000000", NOW + dt.timedelta(seconds=i), "10.0.0.1", device)
        answers.append(str(refused.value))
    assert answers[0].endswith("Còn 9 lần thử.") and answers[-2].endswith("Còn 1 lần thử.")
    assert "Chờ 5 phút" in answers[-1]
    at = NOW + dt.timedelta(minutes=1)
    assert "Chờ 5 phút" in _refused(login, codes.TRAINER, plain[codes.TRAINER], at, "10.0.0.1",
                                    device)  # the cookie waits, even with the right code
    # its wrong tries were its own: the address and the id's hour are untouched
    assert not checker.pairs and checker.names[codes.TRAINER].count == 0
    assert login(codes.TRAINER, plain[codes.TRAINER], at, "10.0.0.1").name == codes.TRAINER
    later = at + codes.DEVICE_WAIT
    assert login(codes.TRAINER, plain[codes.TRAINER], later, "10.0.0.1", device).device == device


def test_a_new_trainer_code_starts_the_trainers_counts_over(tmp_path):
    """What `congdanso hub ma --giang-vien` is for when the trainer, on the server itself with
    no device cookie yet, is locked out by wrong tries: the counts belong to the old code."""
    plain = codes.issue(tmp_path, ["hv-01"], now=dt.datetime.now(dt.UTC))
    auth = CodeAuthenticator(course=str(tmp_path))
    for n in range(codes.NAME_MAX_WRONG // codes.MAX_WRONG):
        for _ in range(codes.MAX_WRONG):
            _login(auth, codes.TRAINER, "00000000", f"10.0.{n}.1")
    for i in range(2, 7):
        _login(auth, codes.TRAINER, "00000000", f"127.0.0.{i}")
    locked = _login(auth, codes.TRAINER, plain[codes.TRAINER], "127.0.0.1")[1]
    assert "Chờ" in locked
    for _ in range(codes.MAX_WRONG):  # a locked-out unknown id reads exactly the same
        unknown = _login(auth, "hv-khong-co", "00000000", "10.0.0.1")[1]
    assert unknown == locked.replace("Chờ 60 phút", "Chờ 5 phút")
    assert "Chờ 60 phút" in locked
    fresh = codes.reissue(tmp_path, codes.TRAINER)  # `congdanso hub ma --giang-vien`
    assert "Còn 4 lần thử" in _login(auth, codes.TRAINER, "00000000", "10.0.0.1")[1]
    checker = auth._checker()
    assert checker.names[codes.TRAINER].count == 1
    assert (codes.TRAINER, SERVER) not in checker.pairs  # the old code's counts are gone
    model, error = _login(auth, codes.TRAINER, fresh, "127.0.0.1")
    assert error is None and model["name"] == codes.TRAINER
    assert "Chờ" in _login(auth, "hv-khong-co", "00000000", "10.0.0.1")[1]  # others' stay


def test_the_device_table_stays_bounded(tmp_path, monkeypatch):
    monkeypatch.setattr(codes, "ITERATIONS", 1)
    monkeypatch.setattr(codes, "MAX_ENTRIES", 20)
    learners = [f"hv-{i:02}" for i in range(1, 31)]
    plain = codes.issue(tmp_path, learners, now=NOW)
    checker = codes.Checker(tmp_path)

    def login(user, address, device=None):
        return asyncio.run(checker.login(user, plain[user], address, NOW, device=device))

    first = login("hv-01", "10.0.0.1").device
    assert login("hv-01", "10.0.0.1", first).device == first  # one browser, one device
    browsers = [login("hv-01", f"10.0.1.{i}").device for i in range(codes.DEVICES_PER_NAME)]
    assert len(checker.devices["hv-01"]) == codes.DEVICES_PER_NAME
    salt = checker.sheet()["codes"]["hv-01"]["salt"]
    assert checker._device(first, "hv-01", salt, NOW) is None  # that id's oldest went first
    assert all(checker._device(b, "hv-01", salt, NOW) for b in browsers)
    for learner in learners:
        login(learner, "10.0.2.1")
    assert sum(map(len, checker.devices.values())) <= codes.MAX_ENTRIES
    assert list(checker.devices)[-1] == "hv-30" and "hv-01" not in checker.devices
    shared = ""  # one shared computer: its cookie names the last DEVICE_IDS ids
    for learner in learners[:6]:
        shared = login(learner, "10.0.3.1", shared).device
    assert [item.split(":")[0] for item in shared.split()] == learners[6 - codes.DEVICE_IDS:6]


def test_an_unknown_id_gets_exactly_the_answer_of_a_known_id_with_a_wrong_code(tmp_path,
                                                                             monkeypatch):
    codes.issue(tmp_path, ["hv-01"], now=NOW)
    checker = codes.Checker(tmp_path)
    work = []
    digest = codes._digest
    monkeypatch.setattr(codes, "_digest", lambda *a: work.append(1) or digest(*a))
    for i in range(8):  # the counts, the lock-out, the lock-out's wait: all the same
        at = NOW + dt.timedelta(seconds=i)
        before = len(work)
        known = _refused(checker.check, "hv-01", "12345678", at, "10.0.0.1")
        known_work = len(work) - before
        before = len(work)
        unknown = _refused(checker.check, "hv-khong-co", "12345678", at, "10.0.0.2")
        assert unknown == known
        assert len(work) - before == known_work  # the same PBKDF2 work (no timing hint)
    assert "Còn 1 lần thử" not in known and "Chờ 5 phút" in known
    auth = CodeAuthenticator(course=str(tmp_path))
    known, unknown = (_login(auth, name, "87654321", "10.0.0.3") for name in ("hv-01", "hv-02"))
    assert known == unknown and known[0] is None and "Còn 4 lần thử" in known[1]


def test_many_addresses_together_get_a_bounded_number_of_tries_per_id(tmp_path):
    plain = codes.issue(tmp_path, ["hv-01"], now=NOW)
    checker = codes.Checker(tmp_path)
    per_address = codes.NAME_MAX_WRONG // codes.MAX_WRONG
    for n in range(per_address):
        for _ in range(codes.MAX_WRONG):
            _refused(checker.check, "hv-01", "00000000", NOW, f"10.0.{n}.1")
    # a fresh address is refused before its code is checked: guessing stays hopeless
    assert "Chờ 60 phút" in _refused(checker.check, "hv-01", plain["hv-01"], NOW, "10.9.9.9")
    assert checker.check(codes.TRAINER, plain[codes.TRAINER], NOW, "10.9.9.9") == (
        codes.TRAINER)  # other ids are untouched
    fresh = codes.reissue(tmp_path, "hv-01", now=NOW)  # `congdanso hub ket-thuc hv-01`
    assert checker.check("hv-01", fresh, NOW, "10.9.9.9") == "hv-01"
    assert checker.check("hv-01", fresh, NOW, "10.0.0.1") == "hv-01"
    # without a new code, the id's hour ends on its own
    for n in range(per_address):
        for _ in range(codes.MAX_WRONG):
            _refused(checker.check, "hv-01", "00000000", NOW, f"10.1.{n}.1")
    assert "Chờ" in _refused(checker.check, "hv-01", fresh, NOW, "10.9.9.8")
    assert checker.check("hv-01", fresh, NOW + codes.NAME_WINDOW, "10.9.9.8") == "hv-01"


def test_the_tables_of_wrong_tries_stay_bounded(tmp_path, monkeypatch):
    monkeypatch.setattr(codes, "ITERATIONS", 1)  # 100 000 tries without 100 000 PBKDF2s
    codes.issue(tmp_path, ["hv-01"], now=NOW)
    checker = codes.Checker(tmp_path)
    for i in range(100_000):
        _refused(checker.check, f"x{i}", "00000000", NOW + dt.timedelta(milliseconds=i),
                 f"10.{i % 200}.{i % 250}.1")
    assert len(checker.pairs) == len(checker.names) == codes.MAX_ENTRIES
    assert ("x99999", "10.199.249.1") in checker.pairs  # the newest are kept ...
    assert not any(name == "x0" for name, _ in checker.pairs)  # ... the oldest dropped
    later = NOW + dt.timedelta(milliseconds=100_000) + codes.NAME_WINDOW
    _refused(checker.check, "hv-01", "00000000", later, "10.0.0.1")
    assert list(checker.pairs) == [("hv-01", "10.0.0.1")]  # the rest had expired
    assert list(checker.names) == ["hv-01"]


def test_checks_run_off_the_event_loop_in_a_bounded_pool(tmp_path, monkeypatch):
    monkeypatch.setattr(codes, "ITERATIONS", 1_000_000)  # ~0.25 s a check: blocking would show
    plain = codes.issue(tmp_path, ["hv-01", "hv-02"], now=dt.datetime.now(dt.UTC))
    auth = CodeAuthenticator(course=str(tmp_path))
    gaps, threads, running, most = [], set(), [0], [0]
    matches, lock = codes._matches, threading.Lock()

    def counted(entry, code):
        with lock:
            running[0] += 1
            most[0] = max(most[0], running[0])
        threads.add(threading.get_ident())
        try:
            return matches(entry, code)
        finally:
            with lock:
                running[0] -= 1

    monkeypatch.setattr(codes, "_matches", counted)

    async def ticker(stop: asyncio.Event) -> None:
        last = time.perf_counter()
        while not stop.is_set():
            await asyncio.sleep(0.005)
            now = time.perf_counter()
            gaps.append(now - last)
            last = now

    async def class_logs_in():
        stop = asyncio.Event()
        ticking = asyncio.create_task(ticker(stop))
        started = time.perf_counter()
        tries = [("hv-01", plain["hv-01"]), ("hv-02", plain["hv-02"]),
                 (codes.TRAINER, plain[codes.TRAINER]), ("hv-01", "00000000"),
                 ("hv-khong-co", "00000000"), ("hv-02", "11111111")]
        results = await asyncio.gather(*(
            auth.authenticate(FakeHandler(f"10.0.0.{i}"), {"username": u, "password": c})
            for i, (u, c) in enumerate(tries)))
        took = time.perf_counter() - started
        stop.set()
        await ticking
        return results, took

    results, took = asyncio.run(class_logs_in())
    assert [r and r["name"] for r in results] == ["hv-01", "hv-02", codes.TRAINER, None, None,
                                                  None]
    assert took > 0.6  # the work was real ...
    assert max(gaps) < 0.1, max(gaps)  # ... and the loop kept ticking all along
    assert len(gaps) > took / 0.02
    assert threading.get_ident() not in threads and most[0] <= codes.WORKERS  # a small pool


def test_a_flood_from_one_address_is_told_to_wait_without_queueing(tmp_path, monkeypatch):
    monkeypatch.setattr(codes, "ITERATIONS", 300_000)
    monkeypatch.setattr(codes, "ADDRESS_PENDING", 2)
    plain = codes.issue(tmp_path, ["hv-01"], now=dt.datetime.now(dt.UTC))
    checker = codes.Checker(tmp_path)

    async def flood():
        tries = [checker.login(f"hv-x{i}", "00000000", "10.6.6.6") for i in range(5)]
        tries.append(checker.login("hv-01", plain["hv-01"], "10.0.0.1"))
        return await asyncio.gather(*tries, return_exceptions=True)

    *flooded, learner = asyncio.run(flood())
    answers = [str(x) for x in flooded]
    assert sum("chưa đúng" in a for a in answers) == 2
    assert sum("Chờ vài giây" in a for a in answers) == 3
    assert learner.name == "hv-01"  # another address is not held up
    assert all(name != "hv-x4" for name, _ in checker.pairs)  # a busy answer costs no try


def test_parallel_tries_cannot_get_past_the_count(tmp_path, monkeypatch):
    monkeypatch.setattr(codes, "ITERATIONS", 200_000)
    codes.issue(tmp_path, ["hv-01"], now=dt.datetime.now(dt.UTC))
    checker = codes.Checker(tmp_path)
    checked = []
    matches = codes._matches
    monkeypatch.setattr(codes, "_matches", lambda *a: checked.append(1) or matches(*a))

    async def at_once():
        return await asyncio.gather(*(checker.login("hv-01", f"0000000{i}", "10.6.6.6")
                                      for i in range(9)), return_exceptions=True)

    answers = [str(x) for x in asyncio.run(at_once())]
    assert len(checked) == codes.MAX_WRONG  # the other four never reached PBKDF2
    assert all("Chờ 5 phút" in a for a in answers)  # by the time they are answered, locked


def test_a_session_lasts_as_long_as_its_code(tmp_path):
    """refresh_user: True while the learner's code is the one the session was opened with;
    False after a new sheet, their own new code, or expiry."""
    plain = codes.issue(tmp_path, ["hv-01", "hv-02"], now=dt.datetime.now(dt.UTC))
    auth = CodeAuthenticator(course=str(tmp_path))
    assert auth.enable_auth_state and auth.auth_refresh_strict and auth.refresh_pre_spawn
    assert auth.auth_refresh_age <= 60
    states = {}
    for name in ("hv-01", "hv-02", codes.TRAINER):
        model, error = _login(auth, name, plain[name], "10.0.0.9")
        assert error is None
        states[name] = model["auth_state"]
    assert set(states["hv-01"]) == {"issued", "salt"}
    assert plain["hv-01"] not in json.dumps(states)  # never the code itself

    def fresh(name: str, state=None) -> bool:
        user = FakeUser(name, states[name] if state is None else state)
        return asyncio.run(auth.refresh_user(user, None))

    assert fresh("hv-01") and fresh("hv-02") and fresh(codes.TRAINER)
    assert not fresh("hv-01", {"issued": states["hv-01"]["issued"], "salt": "00"})
    assert not asyncio.run(auth.refresh_user(FakeUser("hv-01", None)))  # logged in before
    codes.reissue(tmp_path, "hv-02")  # `congdanso hub ket-thuc hv-02`
    assert not fresh("hv-02")
    assert fresh("hv-01") and fresh(codes.TRAINER)  # the others' sessions go on
    model, _ = _login(auth, "hv-02", plain["hv-02"], "10.0.0.9")
    assert model is None  # and the old code opens no new one
    codes.issue(tmp_path, ["hv-01", "hv-02"])  # a new sheet ends every session
    assert not fresh("hv-01") and not fresh(codes.TRAINER)
    renewed = codes.issue(tmp_path, ["hv-01"])
    model, _ = _login(auth, "hv-01", renewed["hv-01"], "10.0.0.9")
    states["hv-01"] = model["auth_state"]
    assert fresh("hv-01")
    checker = auth._checker()
    assert checker.current("hv-01", states["hv-01"], dt.datetime.now(dt.UTC) + dt.timedelta(
        days=6))
    assert not checker.current("hv-01", states["hv-01"], dt.datetime.now(dt.UTC) + dt.timedelta(
        days=8))  # the sheet's 7 days are over
    sheet = json.loads((tmp_path / codes.CODES_FILE).read_text("utf-8"))
    sheet["expires"] = (dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)).isoformat()
    (tmp_path / codes.CODES_FILE).write_text(json.dumps(sheet), "utf-8")  # as time passes
    assert not fresh("hv-01")


@pytest.fixture
def hub_db():
    from jupyterhub import orm

    db = orm.new_session_factory("sqlite://")()
    for client in ("jupyterhub", "jupyterhub-user-hv-01"):
        db.add(orm.OAuthClient(identifier=client, secret="x", redirect_uri="http://127.0.0.1/"))
    db.commit()
    yield db
    db.close()


def _learner_with_tokens(db, state):
    from jupyterhub import orm

    orm_user = orm.User(name="hv-01")
    db.add(orm_user)
    db.commit()
    tokens = [orm_user.new_api_token(note="khoá API tự tạo"),
              orm_user.new_api_token(client_id="jupyterhub-user-hv-01", note="JupyterLab")]
    db.add(orm.OAuthCode(client_id="jupyterhub-user-hv-01", code="ma-oauth", expires_at=2**31,
                         redirect_uri="http://127.0.0.1/", user=orm_user))
    db.commit()
    user = FakeUser("hv-01", state, orm_user,
                    {"": FakeSpawner(active=True), "khac": FakeSpawner(active=True,
                                                                        pending="spawn")})
    return user, tokens


def test_a_failed_refresh_revokes_tokens_voids_cookies_and_stops_the_server(tmp_path, hub_db):
    from jupyterhub import orm

    plain = codes.issue(tmp_path, ["hv-01"], now=dt.datetime.now(dt.UTC))
    auth = CodeAuthenticator(course=str(tmp_path))
    model, _ = _login(auth, "hv-01", plain["hv-01"], "10.0.0.9")
    user, tokens = _learner_with_tokens(hub_db, model["auth_state"])
    cookie_id = user.orm_user.cookie_id
    handler = FakeHandler("10.0.0.9", db=hub_db)

    async def refresh():
        fresh = await auth.refresh_user(user, handler)
        await asyncio.sleep(0.05)  # the server stops in the background
        return fresh

    assert asyncio.run(refresh()) is True  # a fresh session is left alone
    assert all(orm.APIToken.find(hub_db, t) for t in tokens) and not handler.stopped
    codes.reissue(tmp_path, "hv-01")
    assert asyncio.run(refresh()) is False
    assert [orm.APIToken.find(hub_db, t) for t in tokens] == [None, None]
    assert hub_db.query(orm.OAuthCode).count() == 0
    assert user.orm_user.cookie_id != cookie_id  # the old hub cookie names nobody now
    assert handler.stopped == [("hv-01", "")]  # the running server; not the one starting


def test_a_login_with_a_new_code_ends_the_session_the_old_code_opened(tmp_path, hub_db):
    from jupyterhub import orm

    plain = codes.issue(tmp_path, ["hv-01"], now=dt.datetime.now(dt.UTC))
    auth = CodeAuthenticator(course=str(tmp_path))
    model, _ = _login(auth, "hv-01", plain["hv-01"], "10.0.0.9")
    user, tokens = _learner_with_tokens(hub_db, model["auth_state"])
    again = FakeHandler("10.0.0.9", users=[user], db=hub_db)  # same code, another device
    assert asyncio.run(auth.authenticate(again, {"username": "hv-01",
                                                 "password": plain["hv-01"]}))
    assert all(orm.APIToken.find(hub_db, t) for t in tokens) and not again.stopped
    new = codes.reissue(tmp_path, "hv-01")  # nothing was refreshed since
    handler = FakeHandler("10.0.0.9", users=[user], db=hub_db)
    model = asyncio.run(auth.authenticate(handler, {"username": "hv-01", "password": new}))
    assert model["auth_state"] != user.auth_state
    assert [orm.APIToken.find(hub_db, t) for t in tokens] == [None, None]
    assert handler.stopped == [("hv-01", "")]  # awaited before the login goes on


@pytest.fixture
def connection():
    """Both ends of a real TCP connection on 127.0.0.1 (this test's own account owns both)."""
    with socket.create_server(("127.0.0.1", 0)) as server:
        client = socket.create_connection(server.getsockname())
        accepted, _ = server.accept()
        yield client, accepted
        client.close()
        accepted.close()


def _request(sock, headers: dict[str, str], remote_ip: str = "6.6.6.6"):
    stream = SimpleNamespace(socket=sock)
    return SimpleNamespace(connection=SimpleNamespace(stream=stream),
                           headers=HTTPHeaders(headers), remote_ip=remote_ip)


def test_the_address_is_the_proxys_last_hop_never_one_the_client_sends(connection):
    _, accepted = connection
    me = os.geteuid()
    assert socket_owner(accepted.getpeername(), accepted.getsockname()) == me
    assert socket_owner(("127.0.0.1", 1), accepted.getsockname()) is None  # nobody's
    forged = {"X-Forwarded-For": "10.1.1.1, 10.2.2.2,192.168.1.23", "X-Real-Ip": "10.3.3.3"}
    # the peer is the proxy (the hub's own account): only the hop the proxy appended counts
    assert client_address(_request(accepted, forged), proxy_uid=me) == "192.168.1.23"
    # without a hop of its own, a request is its peer's: here, the server itself
    assert client_address(_request(accepted, {"X-Real-Ip": "10.3.3.3"}), proxy_uid=me) == SERVER
    assert client_address(_request(accepted, {"X-Forwarded-For": "10.3.3.3,không-phải-ip"}),
                          proxy_uid=me) == SERVER
    # any other local peer (a learner's kernel calling the hub's port): the server itself
    assert client_address(_request(accepted, forged), proxy_uid=me + 1) == SERVER
    # every loopback address, through the proxy or in-process, is that one address
    for local in ("127.0.0.1", "127.0.0.2", "127.255.255.254", "::1", "::ffff:127.0.0.12"):
        assert client_address(_request(accepted, {"X-Forwarded-For": f"10.0.0.1, {local}"}),
                              proxy_uid=me) == SERVER, local
        assert client_address(SimpleNamespace(remote_ip=local)) == SERVER, local
    # one device's IPv6 addresses are one address; IPv4 in IPv6 is IPv4
    v6 = [client_address(_request(accepted, {"X-Forwarded-For": f"2001:db8:1:2::{n}"}),
                         proxy_uid=me) for n in (5, 6)]
    assert v6 == ["2001:db8:1:2::/64"] * 2
    assert client_address(_request(accepted, {"X-Forwarded-For": "::ffff:192.168.1.5"}),
                          proxy_uid=me) == "192.168.1.5"
    assert client_address(_request(None, forged)) is None  # the client has gone
    assert client_address(SimpleNamespace(remote_ip="10.0.0.7")) == "10.0.0.7"  # in-process


def test_the_auth_state_key_is_kept_private_and_reused(tmp_path):
    first = crypt_key(tmp_path)
    assert len(bytes.fromhex(first)) == 32
    path = tmp_path / "jupyterhub_crypt_key"
    assert oct(path.stat().st_mode & 0o777) == "0o600"
    assert crypt_key(tmp_path) == first  # sessions survive a restart of the hub
    path.write_text("hỏng")
    assert crypt_key(tmp_path) != first and len(crypt_key(tmp_path)) == 64


@pytest.mark.skipif(os.geteuid() != 0, reason="the class server needs root (learner accounts)")
def test_on_a_real_class_server_a_new_sheet_ends_sessions_and_the_trainer_gets_in():
    import re
    import subprocess
    import sys

    import requests
    from browserkit import free_port
    from hubkit import class_server, login, open_lab
    from requests.adapters import HTTPAdapter

    learner = "hv-phien-01"

    class From(HTTPAdapter):  # a learner's kernel on the server, bound to another loopback
        def __init__(self, source: str) -> None:
            self.source = source
            super().__init__()

        def init_poolmanager(self, *args, **kwargs):
            kwargs["source_address"] = (self.source, 0)
            super().init_poolmanager(*args, **kwargs)

    def post_login(session, user, code, headers=None):
        session.get(f"{url}/hub/login", headers=headers or {}, timeout=30)
        return session.post(f"{url}/hub/login", headers=headers or {}, timeout=60, data={
            "username": user, "password": code, "_xsrf": session.cookies.get("_xsrf")},
            allow_redirects=False)

    def said(response) -> str:  # the refusal shown on the login page
        page = response.content.decode("utf-8")
        return page[page.find('class="error"'):].split("</p>")[0]

    def who(session) -> str | None:
        me = session.get(f"{url}/hub/api/user", timeout=30)
        return me.json()["name"] if me.status_code == 200 else None

    with class_server([learner], port=free_port(), pg_port=free_port()) as hub:
        url, plain = hub["url"], hub["codes"]
        session, response = login(url, learner, plain[learner])
        assert response.status_code == 200, response.text[-500:]
        assert open_lab(url, session, learner).status_code == 200
        files = f"{url}/user/{learner}/api/contents"
        assert session.get(files, timeout=30).status_code == 200
        xsrf = session.cookies.get("_xsrf", path="/hub/")
        made = session.post(f"{url}/hub/api/users/{learner}/tokens", params={"_xsrf": xsrf},
                            json={"note": "khoá của học viên", "expires_in": 3600}, timeout=30)
        assert made.status_code == 201, made.text
        token = {"Authorization": f"token {made.json()['token']}"}
        assert requests.get(f"{url}/hub/api/user", headers=token, timeout=30).status_code == 200

        # the trainer logs in once on the server: the browser keeps a device cookie for /hub/
        trainer = requests.Session()
        first = post_login(trainer, codes.TRAINER, plain[codes.TRAINER])
        assert first.status_code == 302 and who(trainer) == codes.TRAINER
        device = [c for c in trainer.cookies if c.name == DEVICE_COOKIE]
        assert [(c.path, c.has_nonstandard_attr("HttpOnly")) for c in device] == [("/hub/", True)]
        sent = [h for h in first.raw.headers.getlist("Set-Cookie")
                if h.startswith(f"{DEVICE_COOKIE}=")]
        assert len(sent) == 1 and "SameSite=Strict" in sent[0] and "Secure" not in sent[0]

        # the tester's attack: a kernel opens connections from 127.0.0.2 … 127.0.0.12 and sends
        # 5 wrong trainer codes from each, each claiming some LAN address in its headers
        answers = []
        for i in range(2, 13):
            kernel = requests.Session()
            kernel.mount("http://", From(f"127.0.0.{i}"))
            forged = {"X-Forwarded-For": f"10.0.0.{i}", "X-Real-Ip": f"10.0.0.{i}"}
            answers += [said(post_login(kernel, codes.TRAINER, f"0000000{n}", forged))
                        for n in range(codes.MAX_WRONG)]
        # one address, the server itself: 5 tries counted, 50 refused (not the id's hour)
        assert "Còn 4 lần thử" in answers[0], answers[:6]
        assert all("Chờ 5 phút" in a for a in answers[codes.MAX_WRONG - 1:]), answers
        bare = requests.Session()  # the server itself waits, without a device cookie ...
        refused = post_login(bare, codes.TRAINER, plain[codes.TRAINER])
        assert refused.status_code == 403 and "Chờ 5 phút" in said(refused)
        back = requests.Session()  # ... the trainer's browser that logged in before does not
        for cookie in device:
            back.cookies.set_cookie(cookie)
        assert post_login(back, codes.TRAINER, plain[codes.TRAINER]).status_code == 302
        assert who(back) == codes.TRAINER
        # a new trainer code (`congdanso hub ma --giang-vien`) starts the trainer's counts over:
        # the trainer on the server without a device cookie gets in with it
        issued = subprocess.run([str(Path(sys.executable).with_name("congdanso")), "hub", "ma",
                                 "--giang-vien", "--course", str(hub["course"])],
                                capture_output=True, text=True, timeout=120)
        assert issued.returncode == 0, issued.stderr
        fresh = re.search(r"giang-vien\): (\d{4} \d{4})", issued.stdout)[1].replace(" ", "")
        bare = requests.Session()
        assert post_login(bare, codes.TRAINER, fresh).status_code == 302
        assert who(bare) == codes.TRAINER

        new = codes.issue(hub["course"], [learner])  # the trainer prints a new sheet
        started, ended, refusals = time.monotonic(), None, (302, 303, 401, 403)
        while time.monotonic() - started < 120:  # the open Lab, as its polling would
            lab = session.get(files, timeout=30, allow_redirects=False).status_code
            if lab != 200 and ended is None:
                ended = time.monotonic() - started
            if lab in refusals:  # not a 503 while the server is being stopped: refused
                break
            time.sleep(2)
        assert lab in refusals and ended < 90, (lab, ended)
        # the token the learner made no longer starts or stops their server
        assert requests.post(f"{url}/hub/api/users/{learner}/server", headers=token,
                             timeout=30).status_code == 403
        assert requests.delete(f"{url}/hub/api/users/{learner}/server", headers=token,
                               timeout=30).status_code == 403
        assert f"Phiên của {learner} đã hết" in hub["log"].read_text()

        # the new code opens a new session; the old cookie and token stay dead
        again = requests.Session()
        assert post_login(again, learner, new[learner]).status_code == 302
        for _ in range(60):  # the old server may still be stopping
            if not again.get(f"{url}/hub/api/users/{learner}", timeout=30).json()["pending"]:
                break
            time.sleep(1)
        again.get(f"{url}/hub/spawn/{learner}", timeout=180)
        assert open_lab(url, again, learner).status_code == 200
        assert again.get(files, timeout=30).status_code == 200
        assert session.get(files, timeout=30, allow_redirects=False).status_code != 200
        assert session.get(f"{url}/hub/api/user", timeout=30).status_code == 403
        assert requests.get(f"{url}/hub/api/user", headers=token, timeout=30).status_code == 403


def test_one_address_alone_never_reaches_the_ids_hourly_ceiling(tmp_path):
    """A learner's kernel (the server itself: one address) tries the trainer's id five times
    every five minutes for a whole hour: it waits each time, but the trainer, without a device
    cookie, still logs in from a laptop."""
    plain = codes.issue(tmp_path, ["hv-01"], now=NOW)
    checker = codes.Checker(tmp_path)
    for window in range(13):
        at = NOW + window * codes.WAIT + dt.timedelta(seconds=1)
        for _ in range(codes.MAX_WRONG):
            _refused(checker.check, codes.TRAINER, "00000000", at, address="máy chủ")
    later = NOW + 13 * codes.WAIT
    assert checker.check(codes.TRAINER, plain[codes.TRAINER], later,
                         address="192.168.1.20") == codes.TRAINER
