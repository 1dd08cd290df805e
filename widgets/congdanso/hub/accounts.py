"""Learners' system accounts on the class server, scoped to one class.

Each class (a course folder run by ``congdanso hub``) has a random id, ``.congdanso/ma-lop``. An
account the class server makes carries it in its comment field (``congdanso lop=<id>``). When a
learner id comes back in a *later* class (hv-01 again next month), the earlier learner's account is
not handed over: their processes are stopped, their home is moved into a root-only archive
(``/var/lib/congdanso/luu-tru``), their files in the shared temporary folders are removed, the
account is deleted, and a fresh one is made. An account on the machine that the class server did
not make (a staff member's ``giang-vien``, a system account such as ``daemon``) is never used.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import pwd
import secrets
import shutil
import subprocess
from pathlib import Path

HOME_BASE = Path("/home")
ARCHIVE = Path("/var/lib/congdanso/luu-tru")
CLASS_FILE = Path(".congdanso") / "ma-lop"
MARK = "congdanso lop="
SHARED_TMP = (Path("/tmp"), Path("/var/tmp"), Path("/dev/shm"))


class AccountError(RuntimeError):
    """Why a learner's account cannot be used, in Vietnamese (shown to the learner and logged)."""


def class_id(course: Path) -> str:
    """This class's id, made once (the course's private folder, 0600)."""
    from congdanso.cohort.gradebook import write_private

    path = Path(course) / CLASS_FILE
    try:
        found = path.read_text("utf-8").strip()
    except OSError:
        found = ""
    if not found:
        found = secrets.token_hex(6)
        write_private(path, found + "\n")
    return found


def _mark(entry: pwd.struct_passwd) -> str | None:
    comment = entry.pw_gecos or ""
    return comment[len(MARK):].split(",")[0].strip() if comment.startswith(MARK) else None


def ensure_account(name: str, klass: str, *, home_base: Path = HOME_BASE,
                   archive: Path = ARCHIVE) -> pwd.struct_passwd:
    """The account of ``name`` in class ``klass``: made if missing, made anew (the earlier one
    archived) if it belongs to an earlier class, refused if the class server did not make it."""
    try:
        entry = pwd.getpwnam(name)
    except KeyError:
        entry = None
    if entry is not None:
        owner = _mark(entry)
        if owner == klass:
            return entry
        if owner is None or entry.pw_uid < 1000:
            raise AccountError(
                f"Tài khoản hệ thống \"{name}\" đã có trên máy này nhưng không do máy chủ lớp "
                "tạo, nên không dùng cho học viên. Giảng viên: đổi mã học viên này trong danh "
                "sách lớp, hoặc xoá tài khoản đó (userdel) nếu chắc chắn không ai cần.")
        retire(entry, archive=archive)
    if os.geteuid() != 0:
        raise AccountError("Máy chủ lớp cần chạy với quyền root để tạo tài khoản hệ thống cho học "
                           f"viên {name}.")
    done = subprocess.run(
        ["useradd", "--create-home", "--home-dir", str(home_base / name), "--shell",
         "/bin/bash", "--user-group", "--comment", f"{MARK}{klass}", name],
        capture_output=True, text=True, check=False)
    if done.returncode:
        raise AccountError(f"Không tạo được tài khoản hệ thống cho {name}: "
                           + done.stderr.strip()[-200:])
    entry = pwd.getpwnam(name)
    os.chmod(entry.pw_dir, 0o700)
    return entry


def retire(entry: pwd.struct_passwd, *, archive: Path = ARCHIVE) -> Path | None:
    """An earlier class's account gone: processes stopped, home archived (root only), files in
    the shared temporary folders removed, account deleted. Returns where the home went."""
    subprocess.run(["pkill", "-KILL", "-u", str(entry.pw_uid)], capture_output=True, check=False)
    archive.mkdir(parents=True, exist_ok=True)
    archive.chmod(0o700)
    kept = None
    home = Path(entry.pw_dir)
    if home.is_dir() and not home.is_symlink() and home.parent != Path("/"):
        stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
        kept = archive / f"{stamp}-{entry.pw_name}-lop-{_mark(entry) or 'khac'}"
        os.rename(home, kept)  # the folder itself moves; nothing inside is followed
    for folder in SHARED_TMP:
        remove_owned(folder, entry.pw_uid)
    subprocess.run(["userdel", "--force", entry.pw_name], capture_output=True, check=False)
    return kept


def remove_owned(folder: Path, uid: int) -> None:
    """Files and folders of ``uid`` in a shared folder such as /tmp: removed without following
    a link (a link is removed, not what it points to)."""
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return
    for entry in entries:
        try:
            info = entry.stat(follow_symlinks=False)
        except OSError:
            continue
        if info.st_uid != uid:
            continue
        if entry.is_dir(follow_symlinks=False):
            shutil.rmtree(entry.path, ignore_errors=True)
        else:
            with contextlib.suppress(OSError):
                os.unlink(entry.path)
