"""The class server's gradebook on PostgreSQL: a cluster of its own (Debian's postgresql, run as
the ``postgres`` account, listening on 127.0.0.1 only), or a database URL the trainer gives.

Every learner runs code on the same machine, so the cluster trusts nobody for being local: its
superuser (``postgres``) is reached only by the ``postgres`` account through a socket in the
cluster's own folder (0700); over TCP every connection needs a password (scram-sha-256). The
course's role (``congdanso``) owns the gradebook's database and nothing more: not a superuser,
it cannot create roles or databases or run programs (``COPY … FROM PROGRAM``). Its password is
random, kept beside the cluster in a root-only file and in the course's private folder (0600).

SQLite stays the embedded default of one machine and one trainer; with 30 learners' submissions
collected and graded by several workers at once, and the trainer's formgrader open beside them,
the class server keeps the gradebook in PostgreSQL. The learners already imported into the
course's SQLite gradebook are copied over the first time.
"""

from __future__ import annotations

import glob
import os
import pwd
import secrets
import shutil
import subprocess
import time
from pathlib import Path
from urllib.parse import quote, urlsplit, urlunsplit

DATA = Path("/var/lib/congdanso/so-diem")
PORT = 5544
DATABASE = "congdanso_so_diem"
ROLE = "congdanso"


class PostgresError(RuntimeError):
    """Why the gradebook's PostgreSQL cannot start, in Vietnamese."""


def _binary(name: str) -> str:
    found = shutil.which(name) or next(iter(sorted(glob.glob(
        f"/usr/lib/postgresql/*/bin/{name}"), reverse=True)), None)
    if not found:
        raise PostgresError("Thiếu PostgreSQL (gói postgresql của Debian): cài bằng "
                            "\"apt-get install -y postgresql\", hoặc cho địa chỉ một cơ sở dữ liệu "
                            "có sẵn bằng --so-diem postgresql://…")
    return found


class LocalPostgres:
    """A PostgreSQL cluster in ``data`` run as the ``postgres`` account; start() gives its URL
    (with the course role's password: keep it private)."""

    def __init__(self, data: Path = DATA, port: int = PORT) -> None:
        self.data, self.port = Path(data), port
        self.started = False
        self.password_file = self.data.with_name(self.data.name + ".mat-khau")

    def _as_postgres(self, *command: str, stdin: str | None = None) -> subprocess.CompletedProcess:
        account = _postgres_account()
        return subprocess.run(list(command), user=account.pw_uid, group=account.pw_gid,
                              extra_groups=[], input=stdin, capture_output=True, text=True,
                              cwd="/", check=False)

    @property
    def url(self) -> str:
        return (f"postgresql+psycopg2://{ROLE}:{quote(self._password(), safe='')}"
                f"@127.0.0.1:{self.port}/{DATABASE}")

    def _password(self) -> str:
        """The course role's password: made once, kept root-only (0600) beside the cluster."""
        try:
            found = self.password_file.read_text("utf-8").strip()
        except FileNotFoundError:
            found = ""
        if not found:
            found = secrets.token_urlsafe(32)
            fd = os.open(self.password_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW,
                         0o600)
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                f.write(found + "\n")
        os.chmod(self.password_file, 0o600)
        return found

    def start(self) -> str:
        account = _postgres_account()
        self.data.parent.mkdir(parents=True, exist_ok=True)
        if not (self.data / "PG_VERSION").exists():
            self.data.mkdir(mode=0o700, exist_ok=True)
            os.chown(self.data, account.pw_uid, account.pw_gid)
            done = self._as_postgres(_binary("initdb"), "-D", str(self.data), "-U", "postgres",
                                     "--auth-local=peer", "--auth-host=scram-sha-256",
                                     "--encoding=UTF8", "--no-locale")
            if done.returncode:
                raise PostgresError("Không tạo được cụm PostgreSQL của sổ điểm: "
                                    + done.stderr.strip()[-300:])
        self._refuse_trusting_cluster()
        options = f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.data}"
        done = self._as_postgres(_binary("pg_ctl"), "-D", str(self.data), "-o", options,
                                 "-l", str(self.data / "nhat-ky-postgres.log"), "-w", "start")
        if done.returncode and "another server might be running" not in done.stderr:
            raise PostgresError("PostgreSQL của sổ điểm không khởi động được: "
                                + (done.stderr or done.stdout).strip()[-300:])
        self.started = True
        self._role_and_database()
        return self.url

    def _refuse_trusting_cluster(self) -> None:
        """A cluster made by an earlier version let any local account in without a password,
        as a superuser: it is not started (its data are left as they are)."""
        try:
            rules = (self.data / "pg_hba.conf").read_text("utf-8").splitlines()
        except OSError:
            return
        if any(line.split()[-1:] == ["trust"] for line in rules
               if line.strip() and not line.lstrip().startswith("#")):
            raise PostgresError(
                f"Cụm PostgreSQL của sổ điểm ở {self.data} do phiên bản cũ tạo, cho mọi tài khoản "
                "trên máy vào không cần mật khẩu, nên không chạy nữa. Dữ liệu vẫn giữ nguyên: đổi "
                f"tên thư mục (mv {self.data} {self.data}.cu) rồi chạy lại để có cụm mới; danh "
                "sách lớp được chép lại, điểm thì chấm lại bằng congdanso autograde.")

    def _psql(self, sql: str, database: str = "postgres") -> str:
        done = self._as_postgres(_binary("psql"), "-h", str(self.data), "-p", str(self.port),
                                 "-d", database, "-X", "-q", "-t", "-A", "-v", "ON_ERROR_STOP=1",
                                 stdin=sql)  # on stdin: a password never shows in ps
        if done.returncode:
            raise PostgresError("PostgreSQL của sổ điểm từ chối lệnh: "
                                + done.stderr.strip()[-300:])
        return done.stdout

    def _role_and_database(self) -> None:
        password = self._password().replace("'", "''")
        self._psql(f"""
SELECT 'CREATE ROLE "{ROLE}" LOGIN' WHERE NOT EXISTS
  (SELECT 1 FROM pg_roles WHERE rolname = '{ROLE}') \\gexec
ALTER ROLE "{ROLE}" LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS
  PASSWORD '{password}';
SELECT 'CREATE DATABASE "{DATABASE}" OWNER "{ROLE}" ENCODING ''UTF8'' TEMPLATE template0'
  WHERE NOT EXISTS (SELECT 1 FROM pg_database WHERE datname = '{DATABASE}') \\gexec
""")
        import psycopg2

        for _ in range(50):
            try:
                psycopg2.connect(host="127.0.0.1", port=self.port, user=ROLE, dbname=DATABASE,
                                 password=self._password(), connect_timeout=3).close()
                return
            except psycopg2.OperationalError:
                time.sleep(0.2)
        raise PostgresError("PostgreSQL của sổ điểm không nhận kết nối.")

    def stop(self) -> None:
        if self.started:
            self._as_postgres(_binary("pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "stop")
            self.started = False


def given_url(url: str, password_file: Path | None) -> str:
    """The trainer's own database: the URL without a password (a command line is seen by every
    account through ``ps`` and kept in shell history), the password from a private file."""
    parts = urlsplit(url)
    if parts.password:
        raise PostgresError("Đừng ghi mật khẩu trong --so-diem (ai dùng chung máy cũng xem được "
                            "qua danh sách tiến trình): ghi nó vào một tệp chmod 600 rồi cho "
                            "--mat-khau-so-diem TỆP.")
    if password_file is None:
        return url
    try:
        info = password_file.stat()
        password = password_file.read_text("utf-8").strip()
    except OSError as exc:
        raise PostgresError(f"Không đọc được tệp mật khẩu {password_file}: {exc}") from None
    if info.st_mode & 0o077:
        raise PostgresError(f"Tệp mật khẩu {password_file} đang cho người khác đọc: chmod 600 "
                            f"{password_file} rồi chạy lại.")
    host = parts.netloc.rsplit("@", 1)[-1]
    user = quote(parts.username or "", safe="")
    netloc = f"{user}:{quote(password, safe='')}@{host}"
    return urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))


def _postgres_account() -> pwd.struct_passwd:
    try:
        return pwd.getpwnam("postgres")
    except KeyError:
        raise PostgresError("Máy chưa có tài khoản postgres: cài gói postgresql của Debian.") \
            from None


def copy_roster(sqlite_file: Path, url: str) -> int:
    """Learners of the course's SQLite gradebook that the PostgreSQL one lacks; returns how
    many were added."""
    from nbgrader.api import Gradebook, Student

    if not sqlite_file.is_file():
        return 0
    with Gradebook(f"sqlite:///{sqlite_file}") as old:
        learners = [(s.id, s.first_name, s.last_name) for s in old.students]
    added = 0
    with Gradebook(url) as new:
        known = {s.id for s in new.students}
        for learner, first, last in learners:
            if learner not in known:
                new.db.add(Student(id=learner, first_name=first, last_name=last))
                added += 1
        new.db.commit()
    return added
