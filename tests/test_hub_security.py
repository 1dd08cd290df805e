"""The class server against its own learners (issue 22). Every learner runs any code they type as
their own system account; here that code is run directly as the learner's account (what their
kernel would do) against a real `congdanso hub` served over HTTPS: no learner reaches root, the
gradebook, the grading cluster, the course folder or a classmate; caps and the disk limit hold;
a reused id starts clean; the live view does not hang on a FIFO.

Runs as root (learners are system users); the machine is left as it was: the learners' accounts,
homes and control groups removed, folders' modes restored.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import pwd
import shutil
import stat
import subprocess
import sys
import textwrap
import time
from contextlib import ExitStack
from pathlib import Path

import psutil
import pytest
import requests
from browserkit import free_port
from hubkit import class_server, login, open_lab, opened_for_learners, remove_account

ROOT = Path(__file__).resolve().parents[1]
LEARNERS = ["hv-at-01", "hv-at-02"]
ASSIGNMENT = "an-toan-lua-dao"
DISK_MB = 40

root_only = pytest.mark.skipif(os.geteuid() != 0, reason="learners are system accounts: root")


def as_account(user: str, code: str, timeout: float = 60) -> dict:
    """Run ``code`` (Python, ending by setting ``result``) as ``user``, as their kernel would;
    returns ``result``."""
    entry = pwd.getpwnam(user)
    program = textwrap.dedent(code) + "\nimport json, sys\nsys.stdout.write(json.dumps(result))\n"
    with opened_for_learners():  # the way to Python, as the class server needs it
        done = subprocess.run([sys.executable, "-c", program], user=entry.pw_uid, group=entry.pw_gid,
                              extra_groups=[], capture_output=True, text=True,
                              timeout=timeout, cwd="/",
                              env={"HOME": entry.pw_dir, "PATH": "/usr/bin:/bin"})
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout)


def self_signed(folder: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 (its own authority) and its key, 0600."""
    import ipaddress

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "lop-hoc.test")])
    now = dt.datetime.now(dt.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(minutes=5))
            .not_valid_after(now + dt.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName(
                [x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256()))
    cert_file, key_file = folder / "lop.crt", folder / "lop.key"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                           serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    key_file.chmod(0o600)
    return cert_file, key_file


@pytest.fixture(scope="module")
def hub(tmp_path_factory):
    if os.geteuid() != 0:
        pytest.skip("the class server runs as root")
    cert, key = self_signed(tmp_path_factory.mktemp("tls"))
    before = os.environ.get("REQUESTS_CA_BUNDLE")
    os.environ["REQUESTS_CA_BUNDLE"] = str(cert)  # requests trusts the class's certificate
    pg_port = free_port()
    try:
        with class_server(LEARNERS, port=free_port(), pg_port=pg_port, https=True,
                          extra=["--chung-chi", str(cert), "--khoa", str(key),
                                 "--dia", str(DISK_MB)],
                          release=[ASSIGNMENT]) as running:
            running["pg_port"] = pg_port
            running["sessions"] = {}
            for user in LEARNERS:
                session, answer = login(running["url"], user, running["codes"][user])
                assert answer.status_code == 200, answer.text[-500:]
                assert open_lab(running["url"], session, user).status_code == 200
                running["sessions"][user] = session
            yield running
    finally:
        if before is None:
            os.environ.pop("REQUESTS_CA_BUNDLE", None)
        else:
            os.environ["REQUESTS_CA_BUNDLE"] = before


def _server_process(user: str) -> psutil.Process:
    for proc in psutil.process_iter(["username", "cmdline"]):
        if proc.info["username"] == user and any(
                "singleuser" in part for part in proc.info["cmdline"] or []):
            return proc
    raise AssertionError(f"no server of {user}")


def _groups_of(user: str) -> list[Path]:
    return [folder for folder in Path("/sys/fs/cgroup").rglob(f"congdanso-*-lop-{user}")
            if folder.is_dir()]


def _server(hub, user: str, method: str) -> requests.Response:
    session = hub["sessions"][user]
    xsrf = next((c.value for c in session.cookies if c.name == "_xsrf"
                 and c.path.startswith("/hub")), "")  # the user's server has its own
    return session.request(method, f"{hub['url']}/hub/api/users/{user}/server", timeout=120,
                           headers={"X-XSRFToken": xsrf})


def _restart(hub, user: str) -> requests.Response:
    """Stop (if running) and start again the learner's server, as from their hub page."""
    _server(hub, user, "DELETE")
    for _ in range(60):
        started = _server(hub, user, "POST")
        if started.status_code in (201, 202):
            break
        time.sleep(1)
    return started


def _ready(hub, user: str) -> None:
    session = hub["sessions"][user]
    for _ in range(120):
        model = session.get(f"{hub['url']}/hub/api/users/{user}", timeout=30).json()
        server = model.get("servers", {}).get("", {})
        if server.get("ready"):
            return
        time.sleep(1)
    raise AssertionError(f"server of {user} not ready: {model}")


def test_the_class_server_speaks_https_only_with_the_trainers_certificate(hub):
    assert hub["url"].startswith("https://")
    page = requests.get(f"{hub['url']}/hub/login", timeout=30)
    assert page.status_code == 200 and "Mã đăng nhập" in page.content.decode("utf-8")
    with pytest.raises(requests.exceptions.SSLError):  # not a certificate anyone trusts
        requests.get(f"{hub['url']}/hub/login", timeout=30, verify=requests.certs.where())


def test_a_link_in_place_of_the_learners_settings_makes_root_write_nothing(hub):
    """A learner replaces ~/.jupyter with a link to a folder of root's and restarts: the server's
    preparation runs as the learner, so nothing is written or re-owned there."""
    user = LEARNERS[1]
    target = hub["base"] / "cua-root"
    target.mkdir()
    target.chmod(0o755)
    (target / "giu-nguyen.txt").write_text("root\n")
    before = {p.name: (p.stat().st_uid, p.stat().st_mode) for p in [target, *target.iterdir()]}
    done = as_account(user, f"""
        import os, shutil
        home = os.path.expanduser("~")
        shutil.rmtree(os.path.join(home, ".jupyter"), ignore_errors=True)
        os.symlink({str(target)!r}, os.path.join(home, ".jupyter"))
        result = os.path.islink(os.path.join(home, ".jupyter"))
    """)
    assert done is True
    _restart(hub, user)
    time.sleep(3)
    after = {p.name: (p.stat().st_uid, p.stat().st_mode) for p in [target, *target.iterdir()]}
    assert after == before  # nothing new, nothing re-owned, no mode changed
    # the learner repairs their own folder and gets their server back
    as_account(user, """
        import os
        os.unlink(os.path.expanduser("~/.jupyter"))
        result = True
    """)
    assert _restart(hub, user).status_code in (201, 202)
    _ready(hub, user)
    assert (Path(pwd.getpwnam(user).pw_dir) / ".jupyter" / "nbgrader_config.py").owner() == user


def test_a_learner_cannot_reach_the_gradebook_and_its_role_cannot_escape(hub):
    from congdanso.cohort.gradebook import gradebook_url

    port = hub["pg_port"]
    tried = as_account(LEARNERS[0], f"""
        import psycopg2
        result = {{}}
        for user in ("congdanso", "postgres", "{LEARNERS[0]}"):
            for db in ("congdanso_so_diem", "postgres"):
                try:
                    psycopg2.connect(host="127.0.0.1", port={port}, user=user, dbname=db,
                                     connect_timeout=5).close()
                    result[user + "/" + db] = "vào được"
                except psycopg2.OperationalError as exc:
                    result[user + "/" + db] = str(exc)
        try:
            psycopg2.connect(host={str(hub['base'] / 'pg')!r}, port={port}, user="postgres",
                             dbname="postgres", connect_timeout=5).close()
            result["socket"] = "vào được"
        except psycopg2.OperationalError as exc:
            result["socket"] = str(exc)
    """)
    assert "vào được" not in tried.values(), tried
    assert all("password" in text or "Permission denied" in text or "No such file" in text
               for text in tried.values()), tried
    import psycopg2
    import sqlalchemy

    url = sqlalchemy.engine.make_url(gradebook_url(hub["course"]))
    assert url.password and len(url.password) >= 32
    assert stat.S_IMODE((hub["course"] / ".congdanso" / "so-diem-url").stat().st_mode) == 0o600
    connection = psycopg2.connect(host=url.host, port=url.port, user=url.username,
                                  password=url.password, dbname=url.database)
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute("SELECT rolsuper, rolcreaterole, rolcreatedb FROM pg_roles "
                       "WHERE rolname = current_user")
        assert cursor.fetchone() == (False, False, False)
        with pytest.raises(psycopg2.Error, match=r"permission denied|must be superuser"):
            cursor.execute("CREATE TEMP TABLE t (x text); COPY t FROM PROGRAM 'id'")
    connection.close()


def test_the_course_folder_and_the_exchange_are_closed_to_learners(hub):
    course, exchange = hub["course"], hub["exchange"]
    tried = as_account(LEARNERS[0], f"""
        import os
        result = {{}}
        def attempt(name, action):
            try:
                action()
                result[name] = "được"
            except OSError as exc:
                result[name] = type(exc).__name__
        course, exchange = {str(course)!r}, {str(exchange)!r}
        attempt("liệt kê khoá học", lambda: os.listdir(course))
        attempt("đọc sổ điểm", lambda: open(os.path.join(course, "gradebook.db"), "rb").read(1))
        attempt("đọc danh sách", lambda: open(os.path.join(course, "roster.csv"), "rb").read(1))
        attempt("thêm bài phát", lambda: os.mkdir(os.path.join(exchange, "congdanso",
                                                                "outbound", "bai-gia")))
        attempt("đổi tên khoá", lambda: os.rename(os.path.join(exchange, "congdanso"),
                                                   os.path.join(exchange, "cu")))
        attempt("xem bài nộp", lambda: os.listdir(os.path.join(exchange, "congdanso",
                                                                "inbound")))
        attempt("xem bài phát", lambda: os.listdir(os.path.join(exchange, "congdanso",
                                                                 "outbound")))
    """)
    assert tried.pop("xem bài phát") == "được"  # what learners fetch
    assert set(tried.values()) == {"PermissionError"}, tried
    for name in ("", "outbound", "inbound", "feedback"):
        assert (exchange / "congdanso" / name).stat().st_uid == 0
    assert exchange.stat().st_mode & stat.S_ISVTX


def test_a_server_its_owner_killed_comes_back_inside_its_caps(hub):
    user = LEARNERS[0]
    first = _server_process(user)
    as_account(user, f"""
        import os, signal
        os.kill({first.pid}, signal.SIGKILL)
        result = True
    """)
    first.wait(30)
    assert _restart(hub, user).status_code in (201, 202)
    _ready(hub, user)
    again = _server_process(user)
    assert again.pid != first.pid
    groups = Path(f"/proc/{again.pid}/cgroup").read_text()
    assert f"-lop-{user}" in groups
    assert len({g.name for g in _groups_of(user)}) == 1  # the dead server's group is gone
    limits = [f for name in ("memory.max", "memory.limit_in_bytes")
              for f in Path("/sys/fs/cgroup").rglob(f"congdanso-*-lop-{user}/{name}")]
    assert [int(f.read_text()) for f in limits] == [700 * 1024 * 1024]


def test_a_learner_past_the_disk_limit_is_stopped_and_the_trainer_told(hub):
    user = LEARNERS[1]
    _ready(hub, user)
    as_account(user, f"""
        import os
        with open("/tmp/lon-{user}.bin", "wb") as f:
            for _ in range({DISK_MB + 10}):
                f.write(os.urandom(1024 * 1024))
        result = True
    """)
    session = hub["sessions"][user]
    try:
        _stopped_and_refused(hub, user, session)
    finally:
        Path(f"/tmp/lon-{user}.bin").unlink(missing_ok=True)  # the trainer makes room
    assert _restart(hub, user).status_code in (201, 202)  # and the learner is back
    _ready(hub, user)


def _stopped_and_refused(hub, user: str, session) -> None:
    for _ in range(120):  # the hub polls every half minute
        model = session.get(f"{hub['url']}/hub/api/users/{user}", timeout=30).json()
        if not model.get("servers"):
            break
        time.sleep(1)
    assert not model.get("servers"), model
    from congdanso.hub.disk import read_notes

    note = read_notes(hub["course"])[user]
    assert f"quá giới hạn {DISK_MB} MB" in note
    again = _server(hub, user, "POST")  # refused while over, saying why in Vietnamese
    assert again.status_code == 403 and "quá giới hạn" in again.json()["message"]
    page = session.get(f"{hub['url']}/hub/spawn/{user}", timeout=60)  # what the browser shows
    text = page.content.decode("utf-8")
    assert page.status_code == 403 and "quá giới hạn" in text
    assert '<html lang="vi">' in text and "Không mở được" in text and "Forbidden" not in \
        text.split("Mã lỗi")[0]  # the class's own page, in Vietnamese


# -- without the hub --------------------------------------------------------------------------
@root_only
def test_the_grading_cluster_refuses_anyone_without_this_runs_keys():
    from congdanso.cohort.grading import _dask_client

    with ExitStack() as stack:
        client = _dask_client(stack, "local", 1)
        address = client.scheduler.address
        assert address.startswith("tls://127.0.0.1:")
        assert client.submit(os.getuid).result() == 0  # the run itself works
        workers = [psutil.Process(pid) for pid in client.run(os.getpid).values()]
        grading_processes = [psutil.Process(), *workers,
                             *(w.parent() for w in workers)]  # scheduler, workers, nannies
        listening = {c.laddr.port for p in grading_processes for c in p.net_connections()
                     if c.status == "LISTEN"}
        assert 8787 not in listening
        for port in listening:  # no dashboard, status or info page for anyone who asks
            try:
                answer = requests.get(f"http://127.0.0.1:{port}/status", timeout=5,
                                      allow_redirects=False)
            except requests.RequestException:
                continue  # a TLS port: no HTTP there
            assert answer.status_code == 404, (port, answer.status_code)
        tried = as_account("nobody", f"""
            result = {{}}
            from distributed import Client
            from distributed.security import Security
            address = {address!r}
            for name, target, security in (
                    ("tcp", address.replace("tls://", "tcp://"), None),
                    ("tls, khoá khác", address, Security.temporary())):
                try:
                    kwargs = {{"security": security}} if security else {{}}
                    with Client(target, timeout="5s", **kwargs) as c:
                        result[name] = c.submit(lambda: __import__("os").getuid()).result()
                except Exception as exc:
                    result[name] = type(exc).__name__
        """, timeout=120)
        assert all(isinstance(v, str) for v in tried.values()), tried


def test_a_remote_grading_cluster_must_be_tls():
    from congdanso.cohort.grading import GradingError, _dask_client

    with ExitStack() as stack, pytest.raises(GradingError, match="không mã hoá"):
        _dask_client(stack, "tcp://10.0.0.5:8786", 1)


def _generated_course(tmp_path: Path, learners: list[str]) -> Path:
    """A course with ``learners`` in its roster and the exercise generated (not released)."""
    from congdanso.cohort import grading
    from congdanso.cohort.roster import import_roster

    course = tmp_path / "khoa"
    (course / "source").mkdir(parents=True)
    shutil.copy(ROOT / "exercises/nbgrader_config.py", course)
    shutil.copy(ROOT / "exercises/dap-an.json", course)
    shutil.copytree(ROOT / "exercises/source" / ASSIGNMENT, course / "source" / ASSIGNMENT)
    roster = tmp_path / "ds.csv"
    roster.write_text("Mã học viên,Họ và tên,Phường,Khu phố,Vai trò\n" + "".join(
        f"{x},Lê Thị Na,Phường Lái Thiêu,Khu phố Đông Nhì,Tình nguyện viên\n" for x in learners),
        encoding="utf-8")
    import_roster(roster, course)
    grading.generate(course, [ASSIGNMENT])
    return course


@root_only
def test_a_classmates_forged_hand_in_neither_hides_the_real_one_nor_fakes_a_time(tmp_path):
    """hv-nop-01 makes a folder under hv-nop-02's name dated 2099 (it would sort last and
    hide the real hand-in), and hands in their own work back-dated to before the due date."""
    from congdanso.cohort import grading
    from congdanso.hub.liveview import handed_in

    learners = ["hv-nop-01", "hv-nop-02"]
    for name in learners:
        remove_account(name)
        subprocess.run(["useradd", "--no-create-home", name], check=True, capture_output=True)
    try:
        course = _generated_course(tmp_path, learners)
        grading.release(course, [ASSIGNMENT])
        inbound = course / "exchange" / "congdanso" / "inbound"
        now = dt.datetime.now(dt.UTC)

        def hand_in(owner: str, under: str, when: dt.datetime, tag: str) -> None:
            stamp = when.strftime("%Y-%m-%d %H:%M:%S.%f") + " UTC"
            folder = inbound / f"{under}+{ASSIGNMENT}+{stamp}+{tag}"
            folder.mkdir()
            shutil.copy(course / "release" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", folder)
            (folder / "timestamp.txt").write_text(stamp)
            account = pwd.getpwnam(owner)
            for path in (folder, *folder.iterdir()):
                os.chown(path, account.pw_uid, account.pw_gid)

        hand_in("hv-nop-02", "hv-nop-02", now, "that")
        hand_in("hv-nop-01", "hv-nop-02", dt.datetime(2099, 1, 1, tzinfo=dt.UTC), "gia")
        hand_in("hv-nop-01", "hv-nop-01", now - dt.timedelta(days=3), "lui-ngay")
        result = grading.collect(course, [ASSIGNMENT])
        assert result.counts[ASSIGNMENT] == 2, result.notes
        got = course / "submitted" / "hv-nop-02" / ASSIGNMENT
        assert (got / "timestamp.txt").read_text().startswith(now.strftime("%Y-%m-%d %H:%M"))
        notes = [str(n) for n in result.notes]
        assert any("do hv-nop-01 tạo" in n and n.startswith("hv-nop-02") for n in notes), notes
        fixed = (course / "submitted" / "hv-nop-01" / ASSIGNMENT / "timestamp.txt").read_text()
        assert fixed.startswith(now.strftime("%Y-%m-%d"))  # the folder's own time, not 3 days ago
        assert any(n.startswith("hv-nop-01") and "không khớp" in n for n in notes), notes
        shown = handed_in(course / "exchange")  # the live view's "Đã nộp" column
        assert shown["hv-nop-02"][ASSIGNMENT].year == now.year
    finally:
        for name in learners:
            remove_account(name)


@root_only
def test_a_release_into_a_squatted_exchange_is_refused(tmp_path):
    from congdanso.cohort import exchange as exchanges
    from congdanso.cohort import grading

    course = _generated_course(tmp_path, ["hv-chiem"])
    nobody = pwd.getpwnam("nobody")
    exchange = course / "exchange"  # a learner made the course's folders before the trainer
    fake = exchange / "congdanso" / "outbound" / ASSIGNMENT
    fake.mkdir(parents=True)
    exchange.chmod(0o1777)
    for folder in (exchange / "congdanso", fake.parent, fake):
        os.chown(folder, nobody.pw_uid, nobody.pw_gid)
    (fake / f"{ASSIGNMENT}.ipynb").write_text("{}")
    with pytest.raises(grading.GradingError, match="không an toàn"):
        grading.release(course, [ASSIGNMENT])
    assert sorted(p.name for p in fake.iterdir()) == [f"{ASSIGNMENT}.ipynb"]
    problems = exchanges.squatted(exchange, "congdanso")
    assert any("nobody" in p for p in problems)
    with pytest.raises(PermissionError, match="không an toàn"):  # the hub would not start
        exchanges.prepare(exchange, "congdanso")
    shutil.rmtree(exchange / "congdanso")  # the trainer removes it: release works
    assert grading.release(course, [ASSIGNMENT]) == {ASSIGNMENT: True}
    assert (exchange / "congdanso" / "outbound").stat().st_uid == os.geteuid()


@root_only
def test_a_learner_id_in_a_new_class_gets_a_fresh_account(tmp_path):
    from congdanso.hub.accounts import AccountError, ensure_account

    name = "hv-lop-moi"
    remove_account(name)
    try:
        old = ensure_account(name, "lopcu", archive=tmp_path / "luu-tru")
        Path(old.pw_dir, "bai-cua-nguoi-cu.txt").write_text("của học viên lớp trước")
        os.chown(Path(old.pw_dir, "bai-cua-nguoi-cu.txt"), old.pw_uid, old.pw_gid)
        scratch = Path(f"/tmp/cds-cu-{name}")
        scratch.write_text("x")
        os.chown(scratch, old.pw_uid, old.pw_gid)
        assert ensure_account(name, "lopcu").pw_uid == old.pw_uid  # same class: the same
        new = ensure_account(name, "lopmoi", archive=tmp_path / "luu-tru")
        assert new.pw_gecos.endswith("lopmoi")
        assert not Path(new.pw_dir, "bai-cua-nguoi-cu.txt").exists()
        assert not scratch.exists()
        kept = list((tmp_path / "luu-tru").glob(f"*-{name}-lop-lopcu"))
        assert len(kept) == 1 and (kept[0] / "bai-cua-nguoi-cu.txt").is_file()
        assert stat.S_IMODE((tmp_path / "luu-tru").stat().st_mode) == 0o700
    finally:
        remove_account(name)
    for system in ("daemon", "root"):  # never an account the class server did not make
        with pytest.raises(AccountError, match="không do máy chủ lớp tạo"):
            ensure_account(system, "lopmoi", archive=tmp_path / "luu-tru")


def test_the_live_view_does_not_hang_on_a_fifo_or_read_hard_links_twice(tmp_path):
    from congdanso import World
    from congdanso.hub.liveview import ClassView

    home = tmp_path / "hv"
    (home / "khoa-hoc").mkdir(parents=True)
    os.mkfifo(home / "khoa-hoc" / "nhat-ky.jsonl")  # reading it would wait for a writer
    world = World.open(home / "bai" / "nhat-ky.jsonl")
    person = world.population.practice_residents()[0]
    world.police.enroll_level2(person.id_number, person.phone)
    journal = home / "bai" / "nhat-ky.jsonl"
    for i in range(30):  # one journal, thirty names
        (home / f"ban-{i}").mkdir()
        os.link(journal, home / f"ban-{i}" / "nhat-ky.jsonl")
    files = home / "bai" / "nhat-ky.jsonl.files"
    files.mkdir(exist_ok=True)
    os.mkfifo(files / ("0" * 64 + ".bin"))
    view = ClassView({"hv": home})
    started = time.monotonic()
    rows = view.rows()
    assert time.monotonic() - started < 20
    assert len(view.journals(home)) == 1  # the FIFO is no journal; thirty links are one file
    assert rows[0]["Học viên"] == "hv"
    assert "không đọc được nhật ký" in rows[0]["Ghi chú"]  # a hard-linked journal is not read


def test_the_disk_watchdog_counts_what_each_account_owns_once(tmp_path):
    from congdanso.hub.disk import Watchdog, usage_by_owner

    mine = tmp_path / "a.bin"
    mine.write_bytes(os.urandom(3 * 1024 * 1024))
    os.link(mine, tmp_path / "b.bin")
    (tmp_path / "lien-ket").symlink_to("/usr")
    used = usage_by_owner([tmp_path]).bytes
    assert 3 * 1024 * 1024 <= used[os.geteuid()] < 4 * 1024 * 1024  # once, /usr not followed
    dog = Watchdog([tmp_path], every=3600)
    first, files = dog.used(os.geteuid())
    assert files == 3
    (tmp_path / "c.bin").write_bytes(os.urandom(1024 * 1024))
    assert dog.used(os.geteuid())[0] == first  # one scan serves every learner for a while
    dog.forget()
    assert dog.used(os.geteuid())[0] >= first + 1024 * 1024


@root_only
def test_millions_of_files_of_one_learner_do_not_blind_the_watchdog_to_the_rest(tmp_path):
    """A learner who fills a folder with empty files and links (no bytes, many entries) is
    over the file limit themselves, and the scan still reaches a classmate's big file in a
    later folder."""
    from congdanso.hub.disk import usage_by_owner

    nobody = pwd.getpwnam("nobody").pw_uid
    first, later = tmp_path / "var-tmp", tmp_path / "home"
    junk = first / "rac"
    junk.mkdir(parents=True)
    later.mkdir()
    os.chown(junk, nobody, nobody)
    seed = junk / "0"
    seed.write_bytes(b"")
    os.chown(seed, nobody, nobody)
    for i in range(1, 400):
        os.link(seed, junk / str(i))
    big = later / "lon.bin"
    big.write_bytes(os.urandom(2 * 1024 * 1024))
    os.chown(big, 4343, 4343)
    usage = usage_by_owner([first, later], max_files=100, max_entries=250)
    assert nobody in usage.over and usage.entries[nobody] == 101
    assert usage.bytes[4343] >= 2 * 1024 * 1024  # the entries cap was not spent on the junk


def test_https_needs_a_readable_certificate_and_a_private_key(tmp_path):
    from congdanso.hub.launch import HubError, https_files

    cert, key = self_signed(tmp_path)
    assert https_files(cert, key) == (str(cert), str(key))
    with pytest.raises(HubError, match="cả chứng chỉ"):
        https_files(cert, None)
    key.chmod(0o644)
    with pytest.raises(HubError, match="chmod 600"):
        https_files(cert, key)
    key.chmod(0o600)
    (tmp_path / "hong.crt").write_text("không phải PEM")
    with pytest.raises(HubError, match="Không đọc được chứng chỉ"):
        https_files(tmp_path / "hong.crt", key)


def test_a_given_gradebook_takes_its_password_from_a_private_file(tmp_path):
    from congdanso.hub.postgres import PostgresError, given_url

    with pytest.raises(PostgresError, match="Đừng ghi mật khẩu"):
        given_url("postgresql+psycopg2://lop:bimat@10.0.0.9/so_diem", None)
    secret = tmp_path / "mat-khau"
    secret.write_text("p@ss/word\n")
    secret.chmod(0o644)
    with pytest.raises(PostgresError, match="chmod 600"):
        given_url("postgresql+psycopg2://lop@10.0.0.9/so_diem", secret)
    secret.chmod(0o600)
    assert given_url("postgresql+psycopg2://lop@10.0.0.9:5432/so_diem", secret) == \
        "postgresql+psycopg2://lop:p%40ss%2Fword@10.0.0.9:5432/so_diem"
