"""Each learner's own JupyterLab on the class server: their own system user (home 0700, so nobody
else reads their work), the course's lessons copied into ``~/khoa-hoc`` once, JupyterLab in
Vietnamese at 18 px, nbgrader's Assignments tab on the class exchange, and a memory cap for the
learner's server and every kernel it starts (a control group)."""

from __future__ import annotations

import asyncio
import json
import os
import pwd
import shutil
import subprocess
from pathlib import Path

from jupyterhub.spawner import LocalProcessSpawner
from traitlets import Integer, Unicode

REPO = Path(__file__).resolve().parents[3]
LESSONS = REPO / "course"
JUPYTER_CONFIG = REPO / "widgets" / "jupyter-config"
COURSE_ID = "congdanso"
HOME_BASE = Path("/home")
LEARNER_PLUGINS_OFF = ("@jupyter/nbgrader:create-assignment", "@jupyter/nbgrader:formgrader",
                       "@jupyter/nbgrader:course-list")
LEARNER_OFF = ("jupyter_lsp", "jupyter_server_terminals", "jupyterlab_jupytext", "notebook",
               "voila.server_extension", "nbgrader.server_extensions.formgrader",
               "nbgrader.server_extensions.course_list")


class SpawnError(RuntimeError):
    pass


def ensure_system_user(name: str) -> pwd.struct_passwd:
    """The learner's system account, made on first login (the hub runs as root)."""
    try:
        return pwd.getpwnam(name)
    except KeyError:
        pass
    if os.geteuid() != 0:
        raise SpawnError("Máy chủ lớp cần chạy với quyền root để tạo tài khoản hệ thống cho học "
                         f"viên {name}.")
    subprocess.run(["useradd", "--create-home", "--home-dir", str(HOME_BASE / name),
                    "--shell", "/bin/bash", "--user-group", name], check=True,
                   capture_output=True)
    entry = pwd.getpwnam(name)
    os.chmod(entry.pw_dir, 0o700)
    return entry


def _chown_tree(path: Path, uid: int, gid: int) -> None:
    os.chown(path, uid, gid, follow_symlinks=False)
    for folder, dirs, files in os.walk(path):
        for item in dirs + files:
            os.chown(os.path.join(folder, item), uid, gid, follow_symlinks=False)


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


def prepare_home(entry: pwd.struct_passwd, exchange: Path, layout: Path | None = None, *,
                 learner: bool = True) -> None:
    """The lessons (once: the learner's work is never overwritten), the first layout of
    JupyterLab (once: the learner's own is kept after) and nbgrader's settings."""
    home = Path(entry.pw_dir)
    os.chmod(home, 0o700)
    workspaces = home / ".jupyter" / "lab" / "workspaces"
    if layout is not None and not workspaces.exists():
        workspaces.mkdir(parents=True)
        shutil.copy2(layout, workspaces / layout.name)
        _chown_tree(home / ".jupyter", entry.pw_uid, entry.pw_gid)
    lessons = home / "khoa-hoc"
    if not lessons.exists():
        lessons.mkdir()
        for item in [*sorted(LESSONS.glob("*.ipynb")), LESSONS / "README.md"]:
            if item.is_file():
                shutil.copy2(item, lessons / item.name)
        _chown_tree(lessons, entry.pw_uid, entry.pw_gid)
    config = home / ".jupyter"
    config.mkdir(exist_ok=True)
    if learner:  # the trainer's tools of nbgrader's Lab extension stay off a learner's screen
        (config / "labconfig").mkdir(exist_ok=True)
        (config / "labconfig" / "page_config.json").write_text(json.dumps(
            {"disabledExtensions": {name: True for name in LEARNER_PLUGINS_OFF}}, indent=1),
            encoding="utf-8")
    (config / "nbgrader_config.py").write_text(
        "# Written by the class server (congdanso hub): the class exchange.\n"
        "c = get_config()  # noqa: F821\n"
        f"c.CourseDirectory.course_id = {COURSE_ID!r}\n"
        f"c.Exchange.root = {str(exchange)!r}\n", encoding="utf-8")
    _chown_tree(config, entry.pw_uid, entry.pw_gid)


def prepare_trainer(entry: pwd.struct_passwd, course: Path, exchange: Path) -> None:
    """The trainer's formgrader on the hub: nbgrader reads the course's own configuration, with
    the class's gradebook and exchange; the course folder becomes writable by the trainer's group
    (learners are not in it; the course secret stays unreadable to them)."""
    from congdanso.cohort.gradebook import gradebook_url

    course = course.resolve()
    for folder, dirs, files in os.walk(course):
        for name in [".", *dirs, *files]:
            path = os.path.join(folder, name)
            if os.path.islink(path):
                continue
            info = os.stat(path)
            os.chown(path, -1, entry.pw_gid)
            extra = 0o2070 if os.path.isdir(path) else 0o060
            os.chmod(path, (info.st_mode & 0o7777) | extra)
    home = Path(entry.pw_dir)
    config = home / ".jupyter" / "nbgrader_config.py"
    config.write_text(
        "# Written by the class server (congdanso hub): the trainer's formgrader.\n"
        "c = get_config()  # noqa: F821\n"
        f"load_subconfig({str(course / 'nbgrader_config.py')!r})  # noqa: F821\n"
        f"c.CourseDirectory.root = {str(course)!r}\n"
        f"c.CourseDirectory.db_url = {gradebook_url(course)!r}\n"
        f"c.Exchange.root = {str(exchange)!r}\n", encoding="utf-8")
    os.chown(config, entry.pw_uid, entry.pw_gid)
    os.chmod(config, 0o600)


class CourseSpawner(LocalProcessSpawner):
    """LocalProcessSpawner as the learner's own user, in a memory-capped control group."""

    memory_mb = Integer(1536, help="memory of one learner's server and kernels, in MB").tag(
        config=True)
    processes = Integer(256, help="processes of one learner's server and kernels").tag(
        config=True)
    exchange = Unicode(help="the nbgrader exchange folder of the class").tag(config=True)
    layout = Unicode("", help="JupyterLab's first layout for learners (a saved workspace)").tag(
        config=True)
    course = Unicode("", help="the nbgrader course folder (the trainer's formgrader)").tag(
        config=True)

    async def start(self):
        from congdanso.grading.sandbox import Cgroup

        entry = await asyncio.to_thread(ensure_system_user, self.user.name)
        await asyncio.to_thread(prepare_home, entry, Path(self.exchange),
                                Path(self.layout) if self.layout else None,
                                learner=not self.user.admin)
        if self.user.admin and self.course:
            await asyncio.to_thread(prepare_trainer, entry, Path(self.course),
                                    Path(self.exchange))
        ip_port = await super().start()
        group = Cgroup(f"{os.getpid()}-lop-{self.user.name}", memory_mb=self.memory_mb,
                       processes=self.processes)
        for folder in group.dirs:  # the server joins; kernels it starts later inherit
            (folder / "cgroup.procs").write_text(str(self.pid))
        self._group = group
        if not group.available:
            self.log.warning("Không tạo được nhóm giới hạn bộ nhớ cho %s", self.user.name)
        return ip_port

    async def stop(self, now=False):
        await super().stop(now=now)
        group = getattr(self, "_group", None)
        if group is not None:
            await asyncio.to_thread(group.remove)
            self._group = None

    def get_args(self):
        """A learner's server loads only what a learner uses: JupyterLab and nbgrader's
        Assignments tab (no terminal, no formgrader, no language server, no Voilà): less memory,
        faster start, no shell on the class server. The trainer's has everything."""
        args = super().get_args()
        if self.user.admin and self.course:  # nbgrader's formgrader wants the course inside
            args += [f"--ServerApp.root_dir={Path(self.course).resolve()}",
                     "--ServerApp.default_url=/lab"]
        if not self.user.admin:
            off = ", ".join(f'"{name}": False' for name in LEARNER_OFF)
            args += ["--ServerApp.terminals_enabled=False",
                     f"--ServerApp.jpserver_extensions={{{off}}}"]
        return args

    def get_env(self):
        env = super().get_env()
        env["CONGDANSO_LEARNER"] = self.user.name
        return env
