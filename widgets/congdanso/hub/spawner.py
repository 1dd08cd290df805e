"""Each learner's own JupyterLab on the class server: their own system account of this class
(:mod:`congdanso.hub.accounts`; home 0700, so nobody else reads their work), the course's lessons
copied into ``~/khoa-hoc`` once, JupyterLab in Vietnamese at 18 px, nbgrader's Assignments tab on
the class exchange, a memory and process cap for the server and every kernel it starts (a control
group entered before the learner's code runs), and a disk limit (:mod:`congdanso.hub.disk`).

Root never acts on a path the learner controls: the home is readied by the learner's own
account (:mod:`congdanso.hub.home`)."""

from __future__ import annotations

import asyncio
import json
import os
import pwd
import stat
import subprocess
from pathlib import Path
from typing import ClassVar

from jupyterhub.spawner import LocalProcessSpawner
from tornado import web
from traitlets import Integer, Unicode

from congdanso.grading.variants import tokens_of
from congdanso.hub.accounts import HOME_BASE, SHARED_TMP

REPO = Path(__file__).resolve().parents[3]
LESSONS = REPO / "course"
JUPYTER_CONFIG = REPO / "widgets" / "jupyter-config"
COURSE_ID = "congdanso"
# nbgrader's trainer tools, and its "Validate" button (English, and meaningless for work graded
# from the journal), are not on a learner's JupyterLab
LEARNER_PLUGINS_OFF = ("@jupyter/nbgrader:create-assignment", "@jupyter/nbgrader:formgrader",
                       "@jupyter/nbgrader:course-list", "@jupyter/nbgrader:validate-assignment")
LEARNER_OFF = ("jupyter_lsp", "jupyter_server_terminals", "jupyterlab_jupytext", "notebook",
               "nbgrader.server_extensions.formgrader", "nbgrader.server_extensions.course_list")
# Learner mode (congdanso.learner): the home page /hoc, lessons and exercises as Voilà pages.
LEARNER_ON = ("congdanso.learner", "voila.server_extension")


class SpawnError(web.HTTPError):
    """Why a server does not start, in Vietnamese: the learner sees it on the hub's page (an
    HTTPError with ``jupyterhub_message`` is shown as it is, not as "Unhandled error"), the
    hub's log keeps it."""

    def __init__(self, message: str, status: int = 403) -> None:
        super().__init__(status, log_message=message.replace("%", "%%"))
        self.jupyterhub_message = message

    def __str__(self) -> str:
        return self.jupyterhub_message


def run_as(entry: pwd.struct_passwd, job: dict) -> None:
    """:mod:`congdanso.hub.home` with the account's own uid and gid and no other group: root
    never writes into a home, whatever links its owner placed there."""
    import sys

    done = subprocess.run(
        [sys.executable, "-m", "congdanso.hub.home"], input=json.dumps(job), text=True,
        capture_output=True, user=entry.pw_uid, group=entry.pw_gid, extra_groups=[],
        umask=0o077, cwd="/", check=False,
        env={"HOME": entry.pw_dir, "USER": entry.pw_name, "LANG": "C.UTF-8",
             "PATH": "/usr/local/bin:/usr/bin:/bin"})
    if done.returncode:
        raise SpawnError(f"Không chuẩn bị được thư mục của {entry.pw_name}: "
                         + (done.stderr.strip().splitlines() or ["?"])[-1][:200])


def first_layout(folder: Path) -> Path | None:
    """JupyterLab's first layout for learners (sidebars closed: on a phone the lesson needs the
    whole width), saved once by the hub as Lab would save it; copied into each new home."""
    import sys

    folder.mkdir(parents=True, exist_ok=True)
    done = subprocess.run([str(Path(sys.executable).with_name("jupyter")), "lab", "workspaces",
                           "import", str(JUPYTER_CONFIG / "workspaces" /
                                         "hoc-vien.jupyterlab-workspace"),
                           f"--LabWorkspaceImportApp.workspaces_dir={folder}"],
                          capture_output=True, text=True, check=False)
    saved = sorted(folder.glob("default-*.jupyterlab-workspace"))
    return saved[0] if done.returncode == 0 and saved else None


def home_job(exchange: Path, layout: Path | None, *, learner: bool,
             nbgrader_config: str | None = None, hand_in_kb: int = 0,
             tokens: dict | None = None) -> dict:
    """What :mod:`congdanso.hub.home` does in a home: the lessons and the first layout of
    JupyterLab (once: the learner's work and own layout are kept), nbgrader's settings (the
    class exchange; files over ``hand_in_kb`` are left out of a hand-in) and, for a learner,
    nbgrader's trainer tools off their screen."""
    if nbgrader_config is None:
        nbgrader_config = (
            "# Written by the class server (congdanso hub): the class exchange.\n"
            "c = get_config()  # noqa: F821\n"
            f"c.CourseDirectory.course_id = {COURSE_ID!r}\n"
            f"c.Exchange.root = {str(exchange)!r}\n"
            + (f"c.CourseDirectory.max_file_size = {hand_in_kb}\n" if hand_in_kb else ""))
    return {
        "lessons": str(LESSONS),
        "layout": ({"name": layout.name, "text": layout.read_text("utf-8")}
                   if layout is not None and layout.is_file() else None),
        "page_config": ({"disabledExtensions": {name: True for name in LEARNER_PLUGINS_OFF}}
                        if learner else None),
        "nbgrader_config": nbgrader_config,
        "tokens": tokens,
    }


def trainer_config(course: Path, exchange: Path) -> str:
    """The trainer's nbgrader settings: the course's own, with the class's gradebook and
    exchange (written 0600 in the trainer's home: the gradebook URL holds a password)."""
    from congdanso.cohort.gradebook import gradebook_url

    course = course.resolve()
    return ("# Written by the class server (congdanso hub): the trainer's formgrader.\n"
            "c = get_config()  # noqa: F821\n"
            f"load_subconfig({str(course / 'nbgrader_config.py')!r})  # noqa: F821\n"
            f"c.CourseDirectory.root = {str(course)!r}\n"
            f"c.CourseDirectory.db_url = {gradebook_url(course)!r}\n"
            f"c.Exchange.root = {str(exchange)!r}\n")


def open_course_to_trainer(entry: pwd.struct_passwd, course: Path) -> None:
    """The course folder becomes writable by the trainer's group (the formgrader works in it
    as the trainer); learners are not in that group and cannot enter it at all. Root acts here
    only on the course, which root made and learners cannot reach; links are skipped."""
    course = course.resolve()
    for folder, dirs, files in os.walk(course):
        for name in [".", *dirs, *files]:
            path = os.path.join(folder, name)
            if os.path.islink(path):
                continue
            info = os.lstat(path)
            if not (stat.S_ISDIR(info.st_mode) or stat.S_ISREG(info.st_mode)):
                continue
            os.chown(path, -1, entry.pw_gid, follow_symlinks=False)
            extra = 0o2070 if stat.S_ISDIR(info.st_mode) else 0o060
            os.chmod(path, (info.st_mode & 0o7777) | extra)
    os.chmod(course, (os.stat(course).st_mode & 0o7770) | 0o2070)


class CourseSpawner(LocalProcessSpawner):
    """LocalProcessSpawner as the learner's own account of this class, inside a memory- and
    process-capped control group it cannot leave, under a disk limit."""

    memory_mb = Integer(1536, help="memory of one learner's server and kernels, in MB").tag(
        config=True)
    processes = Integer(256, help="processes of one learner's server and kernels").tag(
        config=True)
    disk_mb = Integer(1024, help="disk a learner may fill (home, /tmp, hand-ins), in MB; "
                                 "0: no limit").tag(config=True)
    hand_in_kb = Integer(20_000, help="largest file a learner's hand-in carries, in kB").tag(
        config=True)
    exchange = Unicode(help="the nbgrader exchange folder of the class").tag(config=True)
    layout = Unicode("", help="JupyterLab's first layout for learners (a saved workspace)").tag(
        config=True)
    course = Unicode("", help="the nbgrader course folder (the trainer's formgrader)").tag(
        config=True)

    _watchdogs: ClassVar[dict] = {}  # one scan per class server, shared by every learner

    def _watchdog(self):
        from congdanso.hub.disk import Watchdog

        roots = [HOME_BASE, *SHARED_TMP, Path(self.exchange) / COURSE_ID / "inbound"]
        key = tuple(map(str, roots))
        if key not in self._watchdogs:
            self._watchdogs[key] = Watchdog(roots)
        return self._watchdogs[key]

    async def start(self):
        from congdanso.hub import disk
        from congdanso.hub.accounts import AccountError, class_id, ensure_account

        course, exchange = Path(self.course), Path(self.exchange)
        try:
            entry = await asyncio.to_thread(ensure_account, self.user.name, class_id(course))
        except AccountError as exc:
            self.log.error("%s", exc)
            raise SpawnError(str(exc)) from None
        self._uid = entry.pw_uid
        self._quota = bool(self.disk_mb) and await asyncio.to_thread(
            disk.set_quota, entry.pw_name, self.disk_mb, Path(entry.pw_dir))
        if self.disk_mb and not self._quota:
            self._watchdog().forget()
            over = await self._over_limit(entry.pw_uid)
            if over:
                raise SpawnError(
                    f"Thư mục của {entry.pw_name} trên máy chủ lớp đang {over}, nên máy chưa mở "
                    "lại. Nhờ giảng viên dọn bớt tệp rồi đăng nhập lại.")
        disk.clear_note(course, entry.pw_name)
        admin = bool(self.user.admin)
        job = home_job(exchange, Path(self.layout) if self.layout else None, learner=not admin,
                       nbgrader_config=trainer_config(course, exchange) if admin else None,
                       hand_in_kb=self.hand_in_kb,
                       tokens=None if admin else {"learner": self.user.name, "tokens": (
                           await asyncio.to_thread(tokens_of, course, self.user.name))})
        await asyncio.to_thread(run_as, entry, job)
        if admin:
            await asyncio.to_thread(open_course_to_trainer, entry, course)
        self._group = await asyncio.to_thread(self._new_group)
        try:
            return await super().start()
        except BaseException:
            await asyncio.to_thread(self._drop_group)
            raise

    async def _over_limit(self, uid: int) -> str | None:
        """What the learner's files pass, in Vietnamese ("dùng 499 MB đĩa, quá giới hạn 150
        MB"), or None while within the limits."""
        from congdanso.hub import disk

        used, files = await asyncio.to_thread(self._watchdog().used, uid)
        if used > self.disk_mb * 1024 * 1024:
            return f"dùng {disk.megabytes(used)} đĩa, quá giới hạn {self.disk_mb} MB"
        if files > disk.MAX_FILES:
            return f"có hơn {disk.number(disk.MAX_FILES)} tệp và thư mục, quá giới hạn số tệp"
        return None

    def _new_group(self):
        """A fresh control group for this server: any group left by an earlier server of the
        same learner (one that died without being stopped) is emptied and removed first. No
        group, no server: a learner must never get a server without caps."""
        from congdanso.grading.sandbox import Cgroup

        for parent in Cgroup.parents().values():
            for stale in parent.glob(f"{Cgroup.PREFIX}*-lop-{self.user.name}"):
                Cgroup.remove_at(stale)
        group = Cgroup(f"{os.getpid()}-lop-{self.user.name}", memory_mb=self.memory_mb,
                       processes=self.processes)
        if not group.available:
            message = (f"Máy chủ lớp không đặt được giới hạn bộ nhớ và số tiến trình cho máy của "
                       f"{self.user.name} (cần nhóm điều khiển cgroup, và chạy bằng root), nên "
                       "không mở máy này: một máy không giới hạn có thể làm chậm cả lớp. Nhờ "
                       "giảng viên xem nhật ký của máy chủ lớp.")
            self.log.error("%s", message)
            raise SpawnError(message, status=503)
        return group

    def _drop_group(self) -> None:
        group = getattr(self, "_group", None)
        if group is not None:
            group.remove()  # every process still in it ends: orphaned kernels too
            self._group = None

    def make_preexec_fn(self, name):
        """The server enters its control group before it runs anything of the learner's, then
        becomes the learner: every process it starts inherits the group, none can leave it."""
        demote = super().make_preexec_fn(name)
        procs = [str(folder / "cgroup.procs") for folder in self._group.dirs]

        def preexec():
            pid = str(os.getpid())
            for path in procs:
                with open(path, "w") as f:
                    f.write(pid)
            demote()

        return preexec

    async def poll(self):
        """The hub asks every half minute: a server that died (however) loses its group and
        everything left in it; a server past the disk limit is stopped, the trainer told."""
        status = await super().poll()
        if status is not None:
            await asyncio.to_thread(self._drop_group)
            return status
        uid = getattr(self, "_uid", None)
        if (not self.disk_mb or getattr(self, "_quota", True) or uid is None
                or getattr(self, "_stopping", False)):  # stop() itself asks poll()
            return None
        from congdanso.hub import disk

        over = await self._over_limit(uid)
        if not over:
            return None
        note = (f"Máy đã bị dừng lúc {disk.now_text()}: {over}. Dọn bớt tệp trong "
                f"/home/{self.user.name} (và /tmp, /var/tmp) rồi cho học viên đăng nhập lại.")
        self.log.warning("%s: %s", self.user.name, note)
        disk.record_note(Path(self.course), self.user.name, note)
        await self.stop(now=True)
        return 1

    async def stop(self, now=False):
        self._stopping = True
        try:
            await super().stop(now=now)
        finally:
            self._stopping = False
        await asyncio.to_thread(self._drop_group)

    def get_args(self):
        """A learner's server loads only what a learner uses: learner mode (the course's home
        page, lessons and exercises as Voilà pages), JupyterLab and nbgrader's Assignments tab (no
        terminal, no formgrader, no language server): less memory, faster start, no shell on the
        class server. The trainer's has everything."""
        args = super().get_args()
        if self.user.admin and self.course:  # nbgrader's formgrader wants the course inside
            # Voilà's /voila/files/ asks nobody who is calling: on the course folder it would
            # serve hand-ins (an SVG with a script, on the hub's origin) to anyone
            args += [f"--ServerApp.root_dir={Path(self.course).resolve()}",
                     "--ServerApp.default_url=/lab",
                     "--ServerApp.jpserver_extensions={'voila.server_extension': False}"]
        if not self.user.admin:
            chosen = {**{name: False for name in LEARNER_OFF},
                      **{name: True for name in LEARNER_ON}}
            args += ["--ServerApp.terminals_enabled=False",
                     f"--ServerApp.jpserver_extensions={chosen!r}",
                     "--LearnerMode.lessons=khoa-hoc", "--LearnerMode.work="]
        return args

    def get_env(self):
        env = super().get_env()
        env["CONGDANSO_LEARNER"] = self.user.name
        return env
