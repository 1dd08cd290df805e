"""A real class server for the hub tests: ``congdanso hub`` started as root on free ports with a
course, a roster and codes, stopped on exit with the machine put back as it was (learner
accounts, their homes and control groups, the modes of folders opened on the way to Python).

Needs root (learners are system users) and configurable-http-proxy (`make test` installs it from
npm in deploy/).
"""

from __future__ import annotations

import contextlib
import pwd
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[1]


def exists(user: str) -> bool:
    try:
        pwd.getpwnam(user)
    except KeyError:
        return False
    return True


def remove_account(user: str) -> None:
    """The account, its home and its files in /tmp and the like (a new account may get the same
    uid and would own them)."""
    from congdanso.hub.accounts import SHARED_TMP, remove_owned

    try:
        uid = pwd.getpwnam(user).pw_uid
    except KeyError:
        return
    subprocess.run(["pkill", "-KILL", "-u", user], capture_output=True)
    subprocess.run(["userdel", "--remove", "--force", user], capture_output=True)
    for folder in SHARED_TMP:
        remove_owned(folder, uid)


@contextlib.contextmanager
def opened_for_learners():
    """Folders on the way to Python, the package and the lessons opened for traversal (o+x), as
    the hub's own message asks a trainer to do; their modes restored on exit."""
    from congdanso.hub.launch import unreachable_for_learners
    from congdanso.hub.spawner import LESSONS

    changed = {}
    for folder in unreachable_for_learners([Path(sys.executable), ROOT / "widgets", LESSONS]):
        changed[folder] = folder.stat().st_mode & 0o7777
        folder.chmod(changed[folder] | 0o001)
    try:
        yield
    finally:
        for folder, mode in changed.items():
            folder.chmod(mode)


@contextlib.contextmanager
def class_server(learners: list[str], *, port: int, pg_port: int, extra: list[str] = (),
                 release: list[str] = (), https: bool = False, background: bool = False):
    """Yields a dict: url, codes, process, log, course, exchange, base (a folder of the test).
    ``https``: the server was given a certificate in ``extra`` (requests must trust it).
    ``background``: started as a shell's background job (``congdanso hub … &``), with SIGINT
    ignored from the start."""
    from congdanso.cohort.roster import import_roster
    from congdanso.hub import codes
    from congdanso.hub.codes import TRAINER
    from congdanso.hub.launch import PROXY

    assert PROXY.exists(), "configurable-http-proxy is missing: run `make test` (npm in deploy/)"
    for user in learners:  # accounts of an earlier run: their old work would be fetched over
        remove_account(user)
    made = [*learners] if exists(TRAINER) else [*learners, TRAINER]
    base = Path(tempfile.mkdtemp(prefix="cds-lop-"))  # learners, trainer, postgres enter it
    base.chmod(0o755)
    course = base / "khoa"  # the trainer's formgrader works in it as the trainer's account
    course.mkdir()
    (course / "nbgrader_config.py").write_bytes((ROOT / "exercises/nbgrader_config.py")
                                                .read_bytes())
    (course / "dap-an.json").write_bytes((ROOT / "exercises/dap-an.json").read_bytes())
    roster = base / "danh-sach.csv"
    roster.write_text("Mã học viên,Họ và tên,Phường,Khu phố,Vai trò\n" + "".join(
        f"{x},Học Viên {i},Phường Lái Thiêu,Khu phố Đông Nhì,Tình nguyện viên\n"
        for i, x in enumerate(learners, 1)), encoding="utf-8")
    import_roster(roster, course)
    plain = codes.issue(course, learners)
    log_path = base / "hub.log"
    url = f"{'https' if https else 'http'}://127.0.0.1:{port}"
    with opened_for_learners(), log_path.open("w") as log:
        process = subprocess.Popen(
            [str(Path(sys.executable).with_name("congdanso")), "hub", "--course", str(course),
             "--port", str(port), "--ip", "127.0.0.1", "--bo-nho", "700",
             "--trao-doi", str(base / "trao-doi"), "--thu-muc-so-diem", str(base / "pg"),
             "--cong-so-diem", str(pg_port), *extra], stdout=log, stderr=subprocess.STDOUT,
            preexec_fn=(lambda: signal.signal(signal.SIGINT, signal.SIG_IGN)) if background
            else None)
        try:
            for _ in range(120):
                try:
                    if requests.get(url + "/hub/login", timeout=2).status_code == 200:
                        break
                except (requests.ConnectionError, requests.exceptions.SSLError):
                    pass
                assert process.poll() is None, log_path.read_text()
                time.sleep(0.5)
            if release:
                from congdanso.cohort import grading  # the trainer releases before class

                for name in release:
                    shutil.copytree(ROOT / "exercises/source" / name, course / "source" / name)
                grading.generate(course, list(release))
                grading.release(course, list(release))
            yield {"url": url, "codes": plain, "process": process, "log": log_path,
                   "course": course, "exchange": base / "trao-doi", "base": base}
        finally:
            if process.poll() is None:
                process.send_signal(signal.SIGINT)
                try:
                    process.wait(60)
                except subprocess.TimeoutExpired:
                    process.kill()
            for user in made:  # the machine's accounts as they were (other tests check owners)
                remove_account(user)
            shutil.rmtree(base, ignore_errors=True)


def login(url: str, user: str, code: str) -> tuple[requests.Session, requests.Response]:
    session = requests.Session()
    session.get(f"{url}/hub/login?username={user}", timeout=30)
    response = session.post(f"{url}/hub/login", data={
        "username": user, "password": code, "_xsrf": session.cookies.get("_xsrf")}, timeout=180)
    return session, response


def open_lab(url: str, session: requests.Session, user: str) -> requests.Response:
    for _ in range(120):
        response = session.get(f"{url}/user/{user}/lab", timeout=60)
        if response.status_code == 200 and f"/user/{user}/" in response.url:
            return response
        time.sleep(1)
    return response
