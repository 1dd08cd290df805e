"""The class server's gradebook on PostgreSQL: a cluster of its own (Debian's postgresql, run as
the ``postgres`` account, listening on 127.0.0.1 only), or a database URL the trainer gives.

SQLite stays the embedded default of one machine and one trainer; with 30 learners' submissions
collected and graded by several workers at once, and the trainer's formgrader open beside them,
the class server keeps the gradebook in PostgreSQL. The learners already imported into the
course's SQLite gradebook are copied over the first time.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import subprocess
import time
from pathlib import Path

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
    """A PostgreSQL cluster in ``data`` run as the ``postgres`` account; start() gives its URL."""

    def __init__(self, data: Path = DATA, port: int = PORT) -> None:
        self.data, self.port = Path(data), port
        self.started = False

    def _as_postgres(self, *command: str) -> subprocess.CompletedProcess:
        account = _postgres_account()
        return subprocess.run(list(command), user=account.pw_uid, group=account.pw_gid,
                              capture_output=True, text=True, cwd="/", check=False)

    @property
    def url(self) -> str:
        return f"postgresql+psycopg2://{ROLE}@127.0.0.1:{self.port}/{DATABASE}"

    def start(self) -> str:
        account = _postgres_account()
        self.data.parent.mkdir(parents=True, exist_ok=True)
        if not (self.data / "PG_VERSION").exists():
            self.data.mkdir(mode=0o700, exist_ok=True)
            os.chown(self.data, account.pw_uid, account.pw_gid)
            done = self._as_postgres(_binary("initdb"), "-D", str(self.data), "-U", ROLE,
                                     "--auth=trust", "--encoding=UTF8", "--no-locale")
            if done.returncode:
                raise PostgresError("Không tạo được cụm PostgreSQL của sổ điểm: "
                                    + done.stderr.strip()[-300:])
        options = f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.data}"
        done = self._as_postgres(_binary("pg_ctl"), "-D", str(self.data), "-o", options,
                                 "-l", str(self.data / "nhat-ky-postgres.log"), "-w", "start")
        if done.returncode and "another server might be running" not in done.stderr:
            raise PostgresError("PostgreSQL của sổ điểm không khởi động được: "
                                + (done.stderr or done.stdout).strip()[-300:])
        self.started = True
        self._database()
        return self.url

    def _database(self) -> None:
        import psycopg2

        for _ in range(50):
            try:
                connection = psycopg2.connect(host="127.0.0.1", port=self.port, user=ROLE,
                                              dbname="postgres")
                break
            except psycopg2.OperationalError:
                time.sleep(0.2)
        else:
            raise PostgresError("PostgreSQL của sổ điểm không nhận kết nối.")
        connection.autocommit = True
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", (DATABASE,))
            if cursor.fetchone() is None:
                cursor.execute(f'CREATE DATABASE "{DATABASE}" ENCODING \'UTF8\' TEMPLATE template0')
        connection.close()

    def stop(self) -> None:
        if self.started:
            self._as_postgres(_binary("pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "stop")
            self.started = False


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
