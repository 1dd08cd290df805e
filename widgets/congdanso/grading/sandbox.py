"""Running a learner's notebook where it can hurt nobody.

Stock nbgrader runs student code with the grader's own rights: it can read other learners' work
and the hidden tests, delete the gradebook, reach the network, and one infinite loop or crash
fails the whole submission. Here each kernel runs

* inside a bubblewrap sandbox (Debian package ``bubblewrap``): a private mount namespace where the
  only writable place is the submission's own folder (plus an empty ``/tmp``); the interpreter,
  ``/usr`` and ``/etc`` are read-only; other learners' folders, the course sources and the
  gradebook do not exist; a private network namespace with no interface up, so no network; no
  capabilities, an unprivileged user, its own process namespace (nothing survives the kernel);
* under resource limits (``prlimit``): address space (a huge allocation raises ``MemoryError``),
  largest file written, no core dumps;
* talking to the grader over Unix sockets (ZeroMQ ``ipc`` transport) in a folder made for it.

:class:`SandboxedExecute` replaces nbgrader's ``Execute`` preprocessor: a cell that runs too long
is interrupted, and if the kernel does not answer any more, or dies (a crash, ``os._exit``, the
memory limit), a new kernel is started, the cells that had run without error are run again
silently, the cell is marked 0 with a Vietnamese explanation, and grading goes on. Outputs of a
cell are cut at a size limit while it runs, so a print loop cannot fill the grader's memory.
"""

from __future__ import annotations

import asyncio
import atexit
import contextlib
import copy
import functools
import multiprocessing.util
import os
import shutil
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jupyter_client.manager import AsyncKernelManager
from jupyter_core.utils import run_sync
from nbclient.exceptions import CellTimeoutError, DeadKernelError
from nbformat import NotebookNode
from nbgrader.preprocessors import Execute
from traitlets import Bool, Integer, Type

SANDBOX_HELP = ("Cài bubblewrap (Debian/Ubuntu: sudo apt-get install bubblewrap) để chấm bài an "
                "toàn, hoặc chạy lại với --khong-cach-ly nếu chỉ chấm bài của chính mình.")


class SandboxUnavailable(RuntimeError):
    """The sandbox cannot run on this machine; the message says what to install."""


@dataclass(frozen=True)
class Limits:
    """What one learner's submission may use while it is graded."""

    cell_timeout: int = 30  # seconds per cell
    memory_mb: int = 2048  # the kernel and all its children together (and each process)
    processes: int = 64  # processes and threads of the submission together
    output_kb: int = 256  # outputs kept per cell
    file_mb: int = 64  # largest file the kernel may write
    folder_mb: int = 128  # the submission's working folder, in all
    tmp_mb: int = 64  # the sandbox's /tmp

    def describe(self) -> str:
        return (f"mỗi ô tối đa {self.cell_timeout} giây; cả bài tối đa {self.memory_mb} MB bộ "
                f"nhớ và {self.processes} tiến trình; {self.output_kb} KB đầu ra mỗi ô; thư mục "
                f"bài tối đa {self.folder_mb} MB, /tmp {self.tmp_mb} MB; không mạng; chỉ thấy "
                "thư mục bài của chính học viên")


# The unprivileged account a kernel runs as. When the trainer grades as root, the sandbox is
# entered as this user of the host (never as a user namespace's "root" that is root outside).
SANDBOX_UID = 65534
INBOX = "/cds-vao"  # where, inside the sandbox, the submission's files are offered (read-only)


def _tool(name: str) -> str:
    path = shutil.which(name) or next((p for p in (f"/usr/bin/{name}", f"/bin/{name}")
                                       if os.access(p, os.X_OK)), None)
    if path is None:
        raise SandboxUnavailable(f"Không tìm thấy chương trình {name}. {SANDBOX_HELP}")
    return path


def _isolation() -> tuple[list[str], list[str]]:
    """bubblewrap's namespace options, and what runs inside before the kernel.

    A trainer's account: a user namespace where the kernel is ``nobody`` (mapped to the trainer,
    who is unprivileged), no capabilities. Root: a user namespace would map the kernel to root
    outside, so bubblewrap makes the other namespaces only, and ``setpriv`` (util-linux) turns the
    process into the host's ``nobody``, with no capabilities and no way to gain them back."""
    if os.geteuid() != 0:
        return (["--unshare-all", "--unshare-user", "--uid", str(SANDBOX_UID), "--gid",
                 str(SANDBOX_UID), "--cap-drop", "ALL"], [])
    return (["--unshare-ipc", "--unshare-pid", "--unshare-net", "--unshare-uts",
             "--unshare-cgroup-try"],
            [_tool("setpriv"), f"--reuid={SANDBOX_UID}", f"--regid={SANDBOX_UID}",
             "--clear-groups", "--no-new-privs", "--inh-caps=-all", "--bounding-set=-all", "--"])


@functools.cache  # a failure is not cached: the trainer may install bubblewrap and retry
def check_sandbox() -> None:
    """Raise :class:`SandboxUnavailable` unless a sandboxed process can start here."""
    import subprocess

    if not sys.platform.startswith("linux"):
        raise SandboxUnavailable("Chấm bài cách ly chỉ chạy trên Linux. " + SANDBOX_HELP)
    flags, inner = _isolation()
    command = [_tool("bwrap"), *flags, "--die-with-parent", "--ro-bind", "/", "/", "--",
               *inner, "/bin/true"]
    result = subprocess.run(command, capture_output=True, text=True, timeout=30, cwd="/")
    if result.returncode != 0:
        raise SandboxUnavailable(
            "bubblewrap không tạo được vùng cách ly trên máy này ("
            f"{result.stderr.strip() or result.returncode}). Máy cần cho phép user namespace "
            "(sysctl kernel.unprivileged_userns_clone=1; trên Ubuntu 24.04 cần hồ sơ AppArmor "
            "của bwrap) hoặc chạy với quyền root.")
    _tool("prlimit")


def _alive(pid: str) -> bool:
    """Whether a process runs (a zombie nobody reaped, as in some containers, does not)."""
    try:
        os.kill(int(pid), 0)
    except (ValueError, ProcessLookupError):
        return False
    except PermissionError:
        return True
    try:
        state = Path(f"/proc/{int(pid)}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return True
    return state not in ("Z", "X")


@functools.cache
def _tmpfs_size_supported() -> bool:
    """Whether bubblewrap can cap a tmpfs (--size: from 0.7, and not in setuid mode; Ubuntu 22.04
    ships 0.6). Without it the caps are the per-file limit and the cgroup's memory cap (tmpfs
    pages count there). Tried once, the way the sandbox uses it."""
    import subprocess

    flags, inner = _isolation()
    probe = [_tool("bwrap"), *flags, "--die-with-parent", "--ro-bind", "/", "/", "--size",
             str(1024 * 1024), "--tmpfs", "/tmp", "--", *inner, "/bin/true"]
    try:
        return subprocess.run(probe, capture_output=True, timeout=30, cwd="/").returncode == 0
    except (OSError, subprocess.SubprocessError):
        return False


def _sized(mb: int) -> list[str]:
    return ["--size", str(mb * 1024 * 1024)] if _tmpfs_size_supported() else []


class Cgroup:
    """A control group capping the memory and processes of one submission together.

    Made under the grader's own group (cgroup v2, or the ``memory`` and ``pids`` hierarchies of
    v1) when the grader may write there (root, or a delegated group); otherwise
    :attr:`available` is false and per-process limits (``prlimit``) are all there is."""

    ROOT = Path("/sys/fs/cgroup")
    PREFIX = "congdanso-"

    def __init__(self, name: str, *, memory_mb: int, processes: int) -> None:
        self.dirs: list[Path] = []
        try:
            self._make(self.PREFIX + name, memory_mb * 1024 * 1024, processes)
        except OSError:
            self.remove()

    @classmethod
    def parents(cls) -> dict[str, Path]:
        """Controller → the folder of the grader's own group in it."""
        found: dict[str, Path] = {}
        try:
            lines = Path("/proc/self/cgroup").read_text().splitlines()
        except OSError:
            return found
        for line in lines:
            _, controllers, path = line.split(":", 2)
            if controllers == "" and (cls.ROOT / "cgroup.controllers").exists():
                found["v2"] = cls.ROOT / path.lstrip("/")
            for name in ("memory", "pids"):
                if name in controllers.split(",") and (cls.ROOT / name).is_dir():
                    found[name] = cls.ROOT / name / path.lstrip("/")
        return found

    def _make(self, name: str, memory: int, processes: int) -> None:
        parents = self.parents()
        if "memory" in parents and "pids" in parents:  # cgroup v1
            mem = parents["memory"] / name
            mem.mkdir()
            self.dirs.append(mem)
            (mem / "memory.limit_in_bytes").write_text(str(memory))
            pids = parents["pids"] / name
            pids.mkdir()
            self.dirs.append(pids)
            (pids / "pids.max").write_text(str(processes))
        elif "v2" in parents:
            group = parents["v2"] / name
            group.mkdir()
            self.dirs.append(group)
            (group / "memory.max").write_text(str(memory))
            (group / "memory.swap.max").write_text("0")
            (group / "pids.max").write_text(str(processes))
        else:
            raise OSError("no cgroup")

    @property
    def available(self) -> bool:
        return bool(self.dirs)

    def join_command(self) -> list[str]:
        """A prefix that moves the command into the group before it starts anything."""
        if not self.dirs:
            return []
        import shlex

        joins = " && ".join(f"echo $$ > {shlex.quote(str(d / 'cgroup.procs'))}"
                            for d in self.dirs)
        return ["/bin/sh", "-c", f"{joins} && exec \"$@\"", "sh"]

    def kill_all(self) -> None:
        import signal

        for folder in self.dirs:
            try:
                pids = (folder / "cgroup.procs").read_text().split()
            except OSError:
                continue
            for pid in pids:
                with contextlib.suppress(OSError, ValueError):
                    os.kill(int(pid), signal.SIGKILL)

    def remove(self) -> None:
        import time

        self.kill_all()
        for folder in self.dirs:
            for _ in range(50):  # the killed processes leave the group within milliseconds
                try:
                    folder.rmdir()
                    break
                except FileNotFoundError:
                    break
                except OSError:
                    time.sleep(0.02)
        self.dirs = []

    @classmethod
    def remove_stale(cls) -> int:
        """Groups left by a grading run that was killed: empty them and remove them."""
        removed = 0
        for folder in cls.parents().values():
            for stale in folder.glob(cls.PREFIX + "*") if folder.is_dir() else []:
                if _alive(stale.name[len(cls.PREFIX):].split("-")[0]):
                    continue  # a grading run still going on (ours or another trainer's)
                cls.remove_at(stale)
                removed += not stale.exists()
        return removed

    @classmethod
    def remove_at(cls, folder: Path) -> None:
        """A group found on disk (left by a process that is gone): emptied, then removed."""
        group = cls.__new__(cls)
        group.dirs = [folder]
        group.remove()


def _readonly_roots() -> list[Path]:
    """Folders the kernel must read: the interpreter, the environment, the congdanso package."""
    import congdanso

    roots = [Path(sys.base_prefix), Path(sys.prefix), Path(congdanso.__file__).resolve().parent]
    chosen: list[Path] = []
    for root in sorted({r.resolve() for r in roots}, key=lambda p: len(p.parts)):
        if root == Path("/usr") or Path("/usr") in root.parents:
            continue
        if not any(c == root or c in root.parents for c in chosen):
            chosen.append(root)
    return chosen


SCRATCH_PREFIX = "congdanso-cham-"


@functools.cache
def scratch() -> Path:
    """This grading process's own temporary folder (sockets, offered files, font cache).

    Named after the process, so that a later run removes what a killed run left."""
    path = Path(tempfile.mkdtemp(prefix=f"{SCRATCH_PREFIX}{os.getpid()}-"))
    path.chmod(0o755)  # the sandbox user must reach what is bound from here
    atexit.register(shutil.rmtree, path, True)
    return path


def remove_stale_scratch() -> int:
    """Temporary folders of grading runs whose process is gone (killed): remove them."""
    removed = 0
    for folder in Path(tempfile.gettempdir()).glob(SCRATCH_PREFIX + "*"):
        pid = folder.name[len(SCRATCH_PREFIX):].split("-")[0]
        if not _alive(pid):
            shutil.rmtree(folder, ignore_errors=True)
            removed += 1
    return removed


def _private_dir(prefix: str) -> Path:
    path = Path(tempfile.mkdtemp(prefix=prefix, dir=scratch()))
    if os.geteuid() == 0:
        os.chown(path, SANDBOX_UID, SANDBOX_UID)
    return path


@functools.cache
def _font_cache() -> Path | None:
    """The stamp-font cache, built once and copied where the sandbox user can read it."""
    try:
        from congdanso.world.signatures.fonts import stamp_font_path

        font = stamp_font_path()
    except (OSError, RuntimeError):
        return None
    target = scratch() / "cache" / "congdanso"
    target.mkdir(parents=True, exist_ok=True)
    shutil.copy(font, target / font.name)
    for folder in (target, target.parent):
        folder.chmod(0o755)
    return target


def sandbox_command(kernel_cmd: list[str], *, workdir: Path, runtime_dir: Path, inbox: Path,
                    limits: Limits, cgroup: Cgroup | None = None) -> list[str]:
    """The command that starts ``kernel_cmd`` limited and isolated.

    Inside, ``workdir`` is an empty, size-capped folder in memory (the submission's files are
    copied in from ``inbox``, offered read-only at :data:`INBOX`); nothing the kernel writes
    reaches the host's disk. As root, the sandbox is entered as an unprivileged host user."""
    nproc = [] if cgroup is not None and cgroup.available else [f"--nproc={limits.processes}"]
    flags, inner = _isolation()
    command = (cgroup.join_command() if cgroup is not None else []) + [
        _tool("prlimit"), f"--as={limits.memory_mb * 1024 * 1024}",
        f"--fsize={limits.file_mb * 1024 * 1024}", "--core=0", *nproc, "--",
        _tool("bwrap"), *flags, "--hostname", "cham-bai", "--die-with-parent", "--new-session",
        "--ro-bind", "/usr", "/usr"]
    for top in ("bin", "sbin", "lib", "lib32", "lib64", "libx32"):
        path = Path("/") / top
        if path.is_symlink():
            command += ["--symlink", os.readlink(path), str(path)]
        elif path.is_dir():
            command += ["--ro-bind", str(path), str(path)]
    command += ["--ro-bind", "/etc", "/etc", "--dev", "/dev", "--proc", "/proc",
                "--perms", "01777", *_sized(limits.tmp_mb), "--tmpfs", "/tmp"]
    cache = _font_cache()
    targets = [*_readonly_roots(), *([cache] if cache is not None else []), runtime_dir, workdir]
    bound = {Path("/usr"), Path("/etc"), *targets}
    made: set[Path] = {Path("/")}
    for root in targets:
        # Folders on the way are made open to the sandbox user (the host's may not be: /root).
        for parent in reversed(root.parents):
            if parent not in made and not any(b == parent or b in parent.parents for b in bound):
                command += ["--perms", "0755", "--dir", str(parent)]
                made.add(parent)
    for root in _readonly_roots():
        command += ["--ro-bind", str(root), str(root)]
    if cache is not None:
        command += ["--ro-bind", str(cache), str(cache)]
    command += ["--bind", str(runtime_dir), str(runtime_dir), "--ro-bind", str(inbox), INBOX,
                "--perms", "0777", *_sized(limits.folder_mb),
                "--tmpfs", str(workdir), "--chdir", str(workdir), "--", *inner]
    return command + list(kernel_cmd)


def sandbox_env(base: dict[str, str] | None = None) -> dict[str, str]:
    """A clean environment for the kernel: nothing of the grader's (tokens, paths) leaks in."""
    base = dict(os.environ if base is None else base)
    env = {"PATH": f"{Path(sys.prefix) / 'bin'}:/usr/local/bin:/usr/bin:/bin",
           "HOME": "/tmp", "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8",
           "IPYTHONDIR": "/tmp/ipython", "MPLCONFIGDIR": "/tmp/matplotlib",
           "MALLOC_ARENA_MAX": "2", "PYTHONDONTWRITEBYTECODE": "1", "PYTHONNOUSERSITE": "1"}
    cache = _font_cache()
    if cache is not None:
        env["XDG_CACHE_HOME"] = str(cache.parent)
    for key, value in base.items():
        # JPY_PARENT_PID is left out: in its own process namespace the kernel would see a parent
        # that is not the grader and quit; bubblewrap's --die-with-parent does that job instead.
        if ((key.startswith(("JPY_", "NBGRADER_")) and key != "JPY_PARENT_PID")
                or key == "PYDEVD_DISABLE_FILE_VALIDATION"):
            env[key] = value
    return env


class SandboxedKernelManager(AsyncKernelManager):
    """A kernel manager whose kernels run in the sandbox and talk over Unix sockets."""

    sandboxed = Bool(True, help="Chạy kernel trong vùng cách ly (bubblewrap).").tag(config=True)
    memory_mb = Integer(Limits.memory_mb, help="Bộ nhớ tối đa của cả bài (MB).").tag(config=True)
    processes = Integer(Limits.processes, help="Số tiến trình tối đa của cả bài.").tag(config=True)
    file_mb = Integer(Limits.file_mb, help="Tệp lớn nhất kernel được ghi (MB).").tag(config=True)
    folder_mb = Integer(Limits.folder_mb, help="Dung lượng thư mục bài (MB).").tag(config=True)
    tmp_mb = Integer(Limits.tmp_mb, help="Dung lượng /tmp của vùng cách ly (MB).").tag(config=True)

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._cgroup: Cgroup | None = None
        self._launches = 0
        if self.sandboxed:
            check_sandbox()
            self._runtime = _private_dir("kernel-")
            self.inbox = Path(tempfile.mkdtemp(prefix="vao-", dir=scratch()))
            self.inbox.chmod(0o755)
            self.transport = "ipc"
            self.ip = str(self._runtime / "k")
        else:
            self._runtime = Path(tempfile.mkdtemp(prefix="kernel-", dir=scratch()))
            self.inbox = self._runtime
        self.connection_file = str(self._runtime / "ket-noi.json")

    @property
    def limits(self) -> Limits:
        return Limits(memory_mb=self.memory_mb, processes=self.processes, file_mb=self.file_mb,
                      folder_mb=self.folder_mb, tmp_mb=self.tmp_mb)

    @property
    def capped_together(self) -> bool:
        """Whether memory and processes are capped for the submission as a whole (cgroup)."""
        return self._cgroup is not None and self._cgroup.available

    async def _async_launch_kernel(self, kernel_cmd: list[str], **kw: Any) -> None:
        if not self.sandboxed:
            await super()._async_launch_kernel(kernel_cmd, **kw)
            return
        # A signal to the sandbox's process group does not reach the kernel in its own process
        # namespace; ipykernel also takes an interrupt as a control message.
        self.kernel_spec.interrupt_mode = "message"
        workdir = Path(kw.get("cwd") or os.getcwd()).resolve()
        if self._cgroup is not None:  # a restart: the old kernel's group goes with it
            self._cgroup.remove()
        self._launches += 1
        self._cgroup = Cgroup(f"{os.getpid()}-{self._runtime.name}-{self._launches}",
                              memory_mb=self.memory_mb, processes=self.processes)
        if os.geteuid() == 0:  # the kernel, as the sandbox user, must read its connection file
            os.chown(self.connection_file, SANDBOX_UID, SANDBOX_UID)
        kernel_cmd = sandbox_command(kernel_cmd, workdir=workdir, runtime_dir=self._runtime,
                                     inbox=self.inbox, limits=self.limits, cgroup=self._cgroup)
        kw["env"] = sandbox_env(kw.get("env"))
        kw["independent"] = True  # no JPY_PARENT_PID (see sandbox_env)
        kw["cwd"] = "/"  # the sandbox user may not be allowed into the grader's folders
        # The kernel's own start-up banner and warnings go to a log, not the trainer's screen.
        with open(self._runtime / "kernel.log", "ab") as log:  # the child keeps its copy
            kw["stdout"] = kw["stderr"] = log
            await super()._async_launch_kernel(kernel_cmd, **kw)

    def _clean(self) -> None:
        if self._cgroup is not None:
            self._cgroup.remove()
            self._cgroup = None
        shutil.rmtree(self._runtime, ignore_errors=True)
        shutil.rmtree(self.inbox, ignore_errors=True)

    async def _async_shutdown_kernel(self, now: bool = False, restart: bool = False) -> None:
        await super()._async_shutdown_kernel(now=now, restart=restart)
        if not restart:
            self._clean()

    def discard(self) -> None:
        """Stop a spare kernel that will not be used (at the end of a grading run)."""
        process = getattr(self.provisioner, "process", None)
        if process is not None and process.poll() is None:
            process.kill()
        self._clean()

    shutdown_kernel = _async_shutdown_kernel  # type: ignore[assignment]


def offer_files(folder: str | os.PathLike[str], inbox: Path, limits: Limits
                ) -> list[str]:
    """Copy a submission's regular files where its sandboxed kernel will take them; what was
    refused or too large is returned as Vietnamese notes."""
    from congdanso.grading import safefiles

    notes = []
    try:
        report = safefiles.copy_regular(folder, inbox, ignore=[".ipynb_checkpoints"],
                                        max_file_bytes=limits.file_mb * 1024 * 1024,
                                        max_total_bytes=limits.folder_mb * 1024 * 1024)
    except safefiles.TooBig as exc:
        return [f"Thư mục bài quá lớn ({exc}): kernel chạy không có các tệp của bài."]
    if report.refused:
        notes.append("Không đưa vào vùng chấm: " + ", ".join(map(str, report.refused[:5])))
    if report.skipped:
        notes.append("Bỏ qua tệp quá lớn: " + ", ".join(report.skipped[:5]))
    return notes


# Problems met while grading, read by the trainer command after each submission.
INCIDENTS: list[dict[str, Any]] = []

# One kernel started ahead, in an empty folder, while the previous submission runs: starting a
# kernel in the sandbox takes most of a second, nearly half the time of a light submission.
_SPARE: dict[tuple[str, str], SandboxedKernelManager] = {}


def discard_spare() -> None:
    while _SPARE:
        _SPARE.popitem()[1].discard()


atexit.register(discard_spare)


def discard_spare_on_exit() -> None:
    """In a worker process: multiprocessing ends it without atexit, so register there too."""
    _SPARE.clear()  # a forked worker inherits the parent's spare, which is not its child
    multiprocessing.util.Finalize(None, discard_spare, exitpriority=10)


_NOTE = "Ô này được 0 điểm; các ô khác vẫn được chấm."


def _error(ename: str, message: str) -> NotebookNode:
    return NotebookNode(output_type="error", ename=ename, evalue=message,
                        traceback=[f"{ename}: {message}"])


class SandboxedExecute(Execute):
    """nbgrader's Execute, with the sandboxed kernel, recovery from crashes and output limits."""

    kernel_manager_class = Type(SandboxedKernelManager, klass=AsyncKernelManager,
                                config=True)  # type: ignore[assignment]
    output_kb = Integer(Limits.output_kb, help="Đầu ra tối đa của một ô (KB).").tag(config=True)
    grace = Integer(5, help="Giây chờ kernel trả lời sau khi ngắt một ô chạy quá giờ.").tag(
        config=True)
    pool_spare = Bool(True, help="Khởi động sẵn kernel cho bài kế tiếp.").tag(config=True)

    def __init__(self, **kwargs: Any) -> None:
        # nbgrader's Execute passes its own (unsandboxed) kernel manager class unless told.
        kwargs.setdefault("kernel_manager_class", SandboxedKernelManager)
        super().__init__(**kwargs)
        self.error_on_timeout = {
            "ename": "CellTimeoutError",
            "evalue": f"Ô chạy quá {self.timeout} giây nên đã bị dừng (có thể do vòng lặp vô hạn). "
                      + _NOTE + " Hãy tìm vòng lặp không có điểm dừng rồi chạy lại cả notebook "
                      "trước khi nộp.",
            "traceback": [f"CellTimeoutError: Ô chạy quá {self.timeout} giây nên đã bị dừng "
                          "(có thể do vòng lặp vô hạn). " + _NOTE + " Hãy tìm vòng lặp không có "
                          "điểm dừng rồi chạy lại cả notebook trước khi nộp."],
        }
        # Nothing in a graded kernel is worth a graceful goodbye: stop it at once (saves ~0.3 s).
        self.shutdown_kernel = "immediate"
        self._good: list[int] = []
        self._out_bytes: dict[int, int] = {}
        self._replaying = False

    # -- kernels: take the spare, start the next one ----------------------------------------------
    def create_kernel_manager(self):  # type: ignore[override]
        if not self.kernel_name:
            self.kernel_name = self.nb.metadata.get("kernelspec", {}).get("name") or "python3"
        spare = _SPARE.pop(self._spare_key(), None)
        path = self.resources.get("metadata", {}).get("path")
        if spare is not None and not spare.has_kernel:
            spare.discard()
            spare = None
        km = spare or super().create_kernel_manager()
        if getattr(km, "sandboxed", False) and path:
            # The kernel sees an empty folder in memory: offer the submission's regular files
            # (never what a link points to); it copies them in before the first cell.
            for note in offer_files(path, km.inbox, km.limits):
                self._note("tep-bai", note)
        self.km = km
        return km

    def _spare_key(self) -> tuple[str, str]:
        """A spare fits a notebook with the same kernel and the same limits."""
        limits = dict(self.config.get("SandboxedKernelManager", {}))
        return self.kernel_name, repr(sorted(limits.items()))

    async def async_start_new_kernel_client(self):  # type: ignore[override]
        kc = await super().async_start_new_kernel_client()
        manager = self.kernel_manager_class
        await self._bring_files()
        if (getattr(self.km, "sandboxed", False) and self.pool_spare
                and self._spare_key() not in _SPARE):
            spare = manager(kernel_name=self.kernel_name, config=self.config)
            await spare.start_kernel(extra_arguments=["--HistoryManager.hist_file=:memory:"],
                                     cwd=str(spare.inbox))
            _SPARE[self._spare_key()] = spare
        return kc

    async def _bring_files(self) -> None:
        """In a fresh sandboxed kernel, copy the offered files into its working folder."""
        if not getattr(self.km, "sandboxed", False) or not any(self.km.inbox.iterdir()):
            return
        code = ("def _cds_bring():\n    import os, shutil\n"
                f"    for d, _, names in os.walk({INBOX!r}):\n"
                f"        rel = os.path.relpath(d, {INBOX!r})\n"
                "        os.makedirs(rel, exist_ok=True)\n"
                "        for n in names:\n"
                "            shutil.copyfile(os.path.join(d, n), os.path.join(rel, n))\n"
                "_cds_bring()\ndel _cds_bring")
        msg_id = self.kc.execute(code, silent=True, store_history=False)
        reply = await self.async_wait_for_reply(msg_id)
        if (reply or {}).get("content", {}).get("status") != "ok":
            self._note("tep-bai", f"Không chép hết tệp của bài vào vùng chấm (thư mục bài tối "
                       f"đa {self.km.limits.folder_mb} MB).")

    start_new_kernel_client = run_sync(async_start_new_kernel_client)

    # -- outputs ------------------------------------------------------------------------------
    def output(self, outs, msg, display_id, cell_index):  # type: ignore[override]
        if self._replaying:
            return None
        content = msg.get("content", {})
        size = len(str(content.get("text", ""))) + sum(
            len(str(v)) for v in content.get("data", {}).values())
        used = self._out_bytes.get(cell_index, 0)
        room = self.output_kb * 1024 - used
        self._out_bytes[cell_index] = used + size
        if size <= room:
            return super().output(outs, msg, display_id, cell_index)
        if room > 0 and msg.get("msg_type") == "stream":  # keep the part that fits
            cut = {**msg, "content": {**content, "text": str(content.get("text", ""))[:room]}}
            super().output(outs, cut, display_id, cell_index)
        if room >= 0:
            outs.append(NotebookNode(output_type="stream", name="stderr", text=(
                f"\n[Đầu ra của ô dài hơn {self.output_kb} KB nên phần sau đã bị cắt. Hãy bớt "
                "lệnh print trong vòng lặp.]\n")))
            self._incident(cell_index, "dau-ra", f"Đầu ra dài hơn {self.output_kb} KB, đã cắt.")
        return None

    # -- cells ----------------------------------------------------------------------------------
    def _note(self, kind: str, message: str) -> None:
        INCIDENTS.append({"cell": "bài nộp", "kind": kind, "message": message})

    def _incident(self, cell_index: int, kind: str, message: str) -> None:
        cell = self.nb.cells[cell_index]
        INCIDENTS.append({"cell": cell.metadata.get("nbgrader", {}).get("grade_id")
                          or f"ô {cell_index + 1}", "kind": kind, "message": message})

    async def async_execute_cell(self, cell, cell_index, execution_count=None,
                                 store_history=True):  # type: ignore[override]
        if self._replaying:
            return await super().async_execute_cell(cell, cell_index, execution_count,
                                                    store_history)
        try:
            cell = await super().async_execute_cell(cell, cell_index, execution_count,
                                                    store_history)
        except DeadKernelError:
            message = ("Kernel dừng đột ngột khi chạy ô này (lỗi nặng, thoát chương trình hoặc "
                       "dùng quá bộ nhớ). " + _NOTE + " Đừng gọi exit() hay os._exit() trong "
                       "bài; chạy lại cả notebook (Kernel → Restart Kernel and Run All Cells) để "
                       "kiểm tra trước khi nộp.")
            cell.outputs.append(_error("KernelDied", message))
            self._incident(cell_index, "kernel-chet", message)
            await self._fresh_kernel()
            return cell
        except CellTimeoutError:
            # Interrupted, but its output was still arriving (a print loop) or it did not stop.
            cell.outputs.append(_error("CellTimeoutError", self.error_on_timeout["evalue"]))
            self._incident(cell_index, "qua-gio", self.error_on_timeout["evalue"])
            if not await self._responsive():
                await self._fresh_kernel()
            return cell
        if cell.cell_type != "code":
            return cell
        errors = [o for o in cell.get("outputs", []) if o.get("output_type") == "error"]
        if any(o.get("ename") == "CellTimeoutError" for o in errors):
            self._incident(cell_index, "qua-gio", self.error_on_timeout["evalue"])
            if not await self._responsive():
                await self._fresh_kernel()
        elif any(o.get("ename") == "MemoryError" for o in errors):
            message = ("Ô dùng quá bộ nhớ cho phép nên bị dừng (MemoryError). " + _NOTE
                       + " Hãy tạo ít dữ liệu hơn trong ô này.")
            for output in errors:
                if output.get("ename") == "MemoryError" and not output.get("evalue"):
                    output["evalue"] = message
            self._incident(cell_index, "bo-nho", message)
        elif not errors:
            self._good.append(cell_index)
        return cell

    # The synchronous entry point nbconvert calls is bound to the base coroutine; rebind it.
    execute_cell = run_sync(async_execute_cell)

    async def _responsive(self) -> bool:
        """Whether the kernel answers again within the grace period after an interrupt."""
        msg_id = self.kc.execute("", silent=True, store_history=False)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.grace
        while loop.time() < deadline:
            try:
                reply = await self.kc.get_shell_msg(timeout=max(0.1, deadline - loop.time()))
            except Exception:  # queue.Empty: no answer yet
                return False
            if reply["parent_header"].get("msg_id") == msg_id:
                return True
        return False

    async def _fresh_kernel(self) -> None:
        """Replace a dead or stuck kernel and re-run, silently, the cells that had succeeded."""
        await self.km.restart_kernel(now=True)
        await self.kc.wait_for_ready(timeout=self.startup_timeout)
        await self._bring_files()
        good, self._good = self._good, []
        self._replaying = True
        try:
            for index in good:
                original = self.nb.cells[index]
                replay = copy.deepcopy(original)
                try:
                    await super().async_execute_cell(replay, index, store_history=False)
                finally:
                    self.nb.cells[index] = original  # nbclient stores the cell it ran
                if any(o.get("output_type") == "error" for o in replay.get("outputs", [])):
                    break
                self._good.append(index)
        except (DeadKernelError, CellTimeoutError):
            await self.km.restart_kernel(now=True)
            await self.kc.wait_for_ready(timeout=self.startup_timeout)
            await self._bring_files()
        finally:
            self._replaying = False
