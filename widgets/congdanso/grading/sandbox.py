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
    """What one learner's kernel may use."""

    cell_timeout: int = 30  # seconds per cell
    memory_mb: int = 2048  # address space of the kernel process
    output_kb: int = 256  # outputs kept per cell
    file_mb: int = 64  # largest file the kernel may write

    def describe(self) -> str:
        return (f"mỗi ô tối đa {self.cell_timeout} giây, {self.memory_mb} MB bộ nhớ, "
                f"{self.output_kb} KB đầu ra; tệp ghi ra tối đa {self.file_mb} MB; không mạng; "
                "chỉ thấy thư mục bài của chính học viên")


def _tool(name: str) -> str:
    path = shutil.which(name) or next((p for p in (f"/usr/bin/{name}", f"/bin/{name}")
                                       if os.access(p, os.X_OK)), None)
    if path is None:
        raise SandboxUnavailable(f"Không tìm thấy chương trình {name}. {SANDBOX_HELP}")
    return path


@functools.cache  # a failure is not cached: the trainer may install bubblewrap and retry
def check_sandbox() -> None:
    """Raise :class:`SandboxUnavailable` unless a sandboxed process can start here."""
    import subprocess

    if not sys.platform.startswith("linux"):
        raise SandboxUnavailable("Chấm bài cách ly chỉ chạy trên Linux. " + SANDBOX_HELP)
    command = [_tool("bwrap"), "--unshare-all", "--die-with-parent", "--ro-bind", "/", "/",
               "--", "/bin/true"]
    result = subprocess.run(command, capture_output=True, text=True, timeout=30)
    if result.returncode != 0:
        raise SandboxUnavailable(
            "bubblewrap không tạo được vùng cách ly trên máy này ("
            f"{result.stderr.strip() or result.returncode}). Máy cần cho phép user namespace "
            "(sysctl kernel.unprivileged_userns_clone=1) hoặc chạy với quyền root.")
    _tool("prlimit")


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


def _font_cache() -> Path | None:
    """The stamp-font cache, built here once so sandboxed kernels read it instead of rebuilding."""
    try:
        from congdanso.world.fonts import stamp_font_path

        return stamp_font_path().parent
    except (OSError, RuntimeError):
        return None


def sandbox_command(kernel_cmd: list[str], *, workdir: Path, runtime_dir: Path,
                    limits: Limits) -> list[str]:
    """The command that starts ``kernel_cmd`` limited and isolated, seeing only ``workdir``."""
    command = [_tool("prlimit"), f"--as={limits.memory_mb * 1024 * 1024}",
               f"--fsize={limits.file_mb * 1024 * 1024}", "--core=0", "--",
               _tool("bwrap"), "--unshare-all", "--unshare-user", "--uid", "65534", "--gid",
               "65534", "--hostname", "cham-bai", "--die-with-parent",
               "--cap-drop", "ALL", "--ro-bind", "/usr", "/usr"]
    for top in ("bin", "sbin", "lib", "lib32", "lib64", "libx32"):
        path = Path("/") / top
        if path.is_symlink():
            command += ["--symlink", os.readlink(path), str(path)]
        elif path.is_dir():
            command += ["--ro-bind", str(path), str(path)]
    command += ["--ro-bind", "/etc", "/etc", "--dev", "/dev", "--proc", "/proc",
                "--tmpfs", "/tmp"]
    for root in _readonly_roots():
        command += ["--ro-bind", str(root), str(root)]
    cache = _font_cache()
    if cache is not None:
        command += ["--ro-bind", str(cache), str(cache)]
    command += ["--bind", str(runtime_dir), str(runtime_dir), "--bind", str(workdir),
                str(workdir), "--chdir", str(workdir), "--"]
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
    memory_mb = Integer(Limits.memory_mb, help="Bộ nhớ tối đa của kernel (MB).").tag(config=True)
    file_mb = Integer(Limits.file_mb, help="Tệp lớn nhất kernel được ghi (MB).").tag(config=True)

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._runtime = Path(tempfile.mkdtemp(prefix="congdanso-kernel-"))
        if self.sandboxed:
            check_sandbox()
            self.transport = "ipc"
            self.ip = str(self._runtime / "k")
        self.connection_file = str(self._runtime / "ket-noi.json")

    async def _async_launch_kernel(self, kernel_cmd: list[str], **kw: Any) -> None:
        if self.sandboxed:
            # A signal to the sandbox's process group does not reach the kernel in its own
            # process namespace; ipykernel also takes an interrupt as a control message.
            self.kernel_spec.interrupt_mode = "message"
            workdir = Path(kw.get("cwd") or os.getcwd()).resolve()
            limits = Limits(memory_mb=self.memory_mb, file_mb=self.file_mb)
            kernel_cmd = sandbox_command(kernel_cmd, workdir=workdir,
                                         runtime_dir=self._runtime, limits=limits)
            kw["env"] = sandbox_env(kw.get("env"))
            kw["independent"] = True  # no JPY_PARENT_PID (see sandbox_env)
            # The kernel's own start-up banner and warnings go to a log, not the trainer's screen.
            with open(self._runtime / "kernel.log", "ab") as log:  # the child keeps its copy
                kw["stdout"] = kw["stderr"] = log
                await super()._async_launch_kernel(kernel_cmd, **kw)
            return
        await super()._async_launch_kernel(kernel_cmd, **kw)

    async def _async_shutdown_kernel(self, now: bool = False, restart: bool = False) -> None:
        await super()._async_shutdown_kernel(now=now, restart=restart)
        if not restart:
            shutil.rmtree(self._runtime, ignore_errors=True)

    def discard(self) -> None:
        """Stop a spare kernel that will not be used (at the end of a grading run)."""
        process = getattr(self.provisioner, "process", None)
        if process is not None and process.poll() is None:
            process.kill()
        shutil.rmtree(self._runtime, ignore_errors=True)
        if self.stage is not None:
            shutil.rmtree(self.stage, ignore_errors=True)

    stage: Path | None = None  # the folder a spare kernel was started in (see SandboxedExecute)

    shutdown_kernel = _async_shutdown_kernel  # type: ignore[assignment]


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
        if spare is not None and spare.has_kernel and path and spare.stage is not None:
            # The spare sees only its own empty folder: bring the submission's files in now and
            # take the results back after the run (preprocess).
            shutil.copytree(path, spare.stage, dirs_exist_ok=True, symlinks=True)
            self._staged = (spare.stage, Path(path))
            self.km = spare
            return spare
        if spare is not None:
            spare.discard()
        return super().create_kernel_manager()

    def _spare_key(self) -> tuple[str, str]:
        """A spare fits a notebook with the same kernel and the same limits."""
        limits = dict(self.config.get("SandboxedKernelManager", {}))
        return self.kernel_name, repr(sorted(limits.items()))

    async def async_start_new_kernel_client(self):  # type: ignore[override]
        kc = await super().async_start_new_kernel_client()
        manager = self.kernel_manager_class
        if (getattr(self.km, "sandboxed", False) and self.pool_spare
                and self._spare_key() not in _SPARE):
            spare = manager(kernel_name=self.kernel_name, config=self.config)
            spare.stage = Path(tempfile.mkdtemp(prefix="congdanso-bai-"))
            await spare.start_kernel(extra_arguments=["--HistoryManager.hist_file=:memory:"],
                                     cwd=str(spare.stage))
            _SPARE[self._spare_key()] = spare
        return kc

    start_new_kernel_client = run_sync(async_start_new_kernel_client)

    def preprocess(self, nb, resources=None, km=None):  # type: ignore[override]
        self._staged = None
        try:
            return super().preprocess(nb, resources, km)
        finally:
            if self._staged is not None:
                stage, path = self._staged
                shutil.copytree(stage, path, dirs_exist_ok=True, symlinks=True)
                shutil.rmtree(stage, ignore_errors=True)

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
        finally:
            self._replaying = False
