"""The trainer's nbgrader pipeline: generate → release → collect → autograde → feedback.

Each step is nbgrader's own (through ``NbGraderAPI``, in one process instead of one slow
``nbgrader`` start per command), with a progress bar and a Vietnamese summary. Autograding adds
what a course run by volunteers needs and stock nbgrader lacks:

* the grade is decided outside the learner's kernel (:mod:`congdanso.grading.decide`): each
  grade cell's declared requirements are checked against the verified journal and the learner's
  own scenario; widget-only assignments start no kernel, others run in the sandbox of
  :mod:`congdanso.grading.sandbox` first; several submissions at once (one per core);
* each learner gets their own scenario: ``release`` writes the table of per-learner tokens;
  journals made for another learner's scenario, and identical journals, are flagged;
* edited or deleted read-only and grade cells are reported (nbgrader grades with the originals);
* a CSV per assignment (``cham-bai/<bài>.csv``) lists score, journal state and incidents for the
  trainer;
* every graded answer (what was given, right or not, the options offered) is kept for the
  report's item analysis (:mod:`congdanso.cohort.responses`).
"""

from __future__ import annotations

import contextlib
import csv
import functools
import os
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from congdanso.cohort.sheets import defuse_row, restore, restore_row
from congdanso.grading.sandbox import Limits
from congdanso.grading.variants import write_variant_table
from congdanso.world.core.journal import DEFAULT_NAME

JOURNAL_PATTERNS = [DEFAULT_NAME + "*"]  # the journal, its head, a torn tail, its files folder
RESULTS_DIR = "cham-bai"
SAVE_EVERY = 20.0  # seconds between saves of a long run's partial results


class GradingError(RuntimeError):
    """A step cannot run; the message says in Vietnamese what to do."""


@dataclass
class SubmissionResult:
    student: str
    assignment: str
    ok: bool
    score: float = 0.0
    max_score: float = 0.0
    journal: str = "không có"
    journal_trusted: bool | None = None
    incidents: list[dict[str, str]] = field(default_factory=list)
    edited_cells: list[str] = field(default_factory=list)
    flags: list[str] = field(default_factory=list)
    head: str = ""  # hash of the journal's last event
    responses: list[dict[str, Any]] = field(default_factory=list)  # decide.RESPONSES, this one's
    error: str = ""
    seconds: float = 0.0

    def row(self) -> dict[str, Any]:
        return {"Học viên": self.student, "Bài": self.assignment,
                "Điểm": f"{self.score:g}", "Tối đa": f"{self.max_score:g}",
                "Nhật ký": self.journal,
                "Sự cố khi chạy": "; ".join(f"{i['cell']}: {i['message']}"
                                            for i in self.incidents),
                "Ô bị sửa (đã dùng bản gốc)": ", ".join(self.edited_cells),
                "Cần xem (gian lận?)": "; ".join(self.flags),
                "Lỗi chấm": self.error, "Thời gian (giây)": f"{self.seconds:.1f}"}


def _course(course_dir: str | os.PathLike[str]) -> Path:
    course = Path(course_dir).resolve()
    if not (course / "nbgrader_config.py").exists():
        raise GradingError(f"{course} không phải thư mục khoá học nbgrader (thiếu "
                           "nbgrader_config.py). Dùng --course để chỉ đúng thư mục, ví dụ "
                           "--course exercises.")
    return course


def load_config(course: Path):
    """The course's own ``nbgrader_config.py``, as nbgrader would read it."""
    from traitlets.config.loader import PyFileConfigLoader

    return PyFileConfigLoader("nbgrader_config.py", path=str(course)).load_config()


def course_config(course_dir: str | os.PathLike[str], *, limits: Limits | None = None,
                  sandboxed: bool = True, busy_timeout: int = 60):
    """nbgrader's configuration for this course, with our grading pieces plugged in."""
    from nbconvert.preprocessors import ClearMetadataPreprocessor
    from nbgrader.preprocessors import (
        AssignLatePenalties,
        CheckCellMetadata,
        IgnorePattern,
        LimitOutput,
        SaveAutoGrades,
    )
    from traitlets.config import Config

    from congdanso.cohort.gradebook import exchange_root, gradebook_url
    from congdanso.cohort.roster import _tools_on_path
    from congdanso.grading.decide import DecideFromJournal
    from congdanso.grading.feedback import use_our_feedback

    _tools_on_path()
    course = _course(course_dir)
    limits = limits or Limits()
    config = load_config(course)
    extra = Config()
    extra.CourseDirectory.root = str(course)
    # Several graders write to the SQLite gradebook at once: wait for the lock, do not fail.
    extra.CourseDirectory.db_url = gradebook_url(course, busy_timeout=busy_timeout)
    shared = exchange_root(course)
    if shared:  # the class server's shared exchange (congdanso hub)
        extra.Exchange.root = shared
    extra.OverwriteCells.add_missing_cells = True  # a deleted grade cell still runs
    extra.OverwriteCells.missing_cell_notification = (
        "Ô này (mã {cell_id}) đã bị xoá khỏi bài nộp; hệ thống chấm đã đặt lại ô gốc.\n\n")
    extra.Autograde.autograde_preprocessors = [
        DecideFromJournal, IgnorePattern, ClearMetadataPreprocessor, LimitOutput, SaveAutoGrades,
        AssignLatePenalties, CheckCellMetadata]
    extra.DecideFromJournal.course_root = str(course)
    extra.SandboxedExecute.timeout = limits.cell_timeout
    extra.SandboxedExecute.output_kb = limits.output_kb
    extra.SandboxedKernelManager.sandboxed = sandboxed
    extra.SandboxedKernelManager.memory_mb = limits.memory_mb
    extra.SandboxedKernelManager.processes = limits.processes
    extra.SandboxedKernelManager.file_mb = limits.file_mb
    extra.SandboxedKernelManager.folder_mb = limits.folder_mb
    extra.SandboxedKernelManager.tmp_mb = limits.tmp_mb
    # The exchange checks who submitted and follows no link (congdanso.cohort.exchange).
    extra.ExchangeFactory.collect = "congdanso.cohort.exchange.SafeCollect"
    extra.ExchangeFactory.release_feedback = "congdanso.cohort.exchange.SafeReleaseFeedback"
    extra.NbGraderAPI.log_level = "WARN"
    use_our_feedback(extra)
    config.merge(extra)
    return config


def assignments(course_dir: str | os.PathLike[str]) -> list[str]:
    source = Path(course_dir) / "source"
    return sorted(p.name for p in source.iterdir() if p.is_dir() and any(p.glob("*.ipynb"))) \
        if source.is_dir() else []


def _pick(course: Path, names: Iterable[str] | None) -> list[str]:
    known = assignments(course)
    chosen = list(names or known)
    unknown = [n for n in chosen if n not in known]
    if unknown:
        raise GradingError(f"Không có bài {', '.join(unknown)} trong {course / 'source'}. "
                           f"Các bài hiện có: {', '.join(known) or '(chưa có)'}.")
    return chosen


def _progress(iterable=None, *, total: int | None = None, desc: str, unit: str):
    from tqdm import tqdm

    return tqdm(iterable, total=total, desc=desc, unit=unit, disable=None, dynamic_ncols=True)


def _api(config):
    from nbgrader.apps import NbGraderAPI

    return NbGraderAPI(config=config)


def _check(result: dict[str, Any], what: str) -> None:
    if not result.get("success"):
        lines = [line for line in (result.get("log") or "").splitlines()
                 if line.startswith(("[ERROR]", "[WARNING]"))]
        raise GradingError(f"{what} không thành công.\n" + "\n".join(lines[-8:]
                                                                  or [result.get("error", "")]))


# -- generate / release / collect / feedback ------------------------------------------------------
def generate(course_dir: str | os.PathLike[str], names: Iterable[str] | None = None) -> list[str]:
    """Make the learners' version of each assignment (solutions and hidden tests removed)."""
    course = _course(course_dir)
    chosen = _pick(course, names)
    config = course_config(course)
    config.CourseDirectory.ignore = list(config.CourseDirectory.get("ignore", [
        ".ipynb_checkpoints", "*.pyc", "__pycache__", "feedback"])) + JOURNAL_PATTERNS
    api = _api(config)
    for name in _progress(chosen, desc="Tạo bản phát", unit="bài"):
        _check(api.generate_assignment(name, force=True, create=True), f"Tạo bản phát bài {name}")
    return chosen


def release(course_dir: str | os.PathLike[str], names: Iterable[str] | None = None, *,
            force: bool = False) -> dict[str, bool]:
    """Put generated assignments in the exchange, where learners fetch them (``force``: replace
    a version released before, after fixing the assignment). Name → released now (False: it
    was already there and was left alone)."""
    course = _course(course_dir)
    chosen = _pick(course, names)
    config = course_config(course)
    config.ExchangeReleaseAssignment.force = force
    api = _api(config)
    learners = learners_in_roster(config.CourseDirectory.db_url)
    if not learners:
        raise GradingError("Sổ điểm chưa có học viên nào: mỗi học viên cần phương án bài tập "
                           "riêng, nên hãy nhập danh sách lớp trước (congdanso roster import "
                           "danh-sach.csv), rồi phát bài.")
    done: dict[str, bool] = {}
    for name in _progress(chosen, desc="Phát bài", unit="bài"):
        if not (course / "release" / name).is_dir():
            raise GradingError(f"Bài {name} chưa có bản phát: chạy \"congdanso generate {name}\" "
                               "trước.")
        write_variant_table(course, name, learners)
        result = api.release_assignment(name)
        if not result.get("success") and "already exists" in (result.get("log") or ""):
            done[name] = False  # released before, and not to be replaced
            continue
        _check(result, f"Phát bài {name}")
        done[name] = True
    return done


def learners_in_roster(db_url: str) -> list[str]:
    """The learners of the gradebook (imported from the roster)."""
    from nbgrader.api import Gradebook

    with Gradebook(db_url) as gradebook:
        return [student.id for student in gradebook.students]


def submissions(course: Path, assignment: str) -> list[str]:
    folder = course / "submitted"
    return sorted(p.parent.name for p in folder.glob(f"*/{assignment}") if p.is_dir()) \
        if folder.is_dir() else []


@dataclass
class Collected:
    counts: dict[str, int]  # assignment → submissions now in submitted/
    notes: list[Any]  # congdanso.cohort.exchange.Note: refused, skipped or replaced work


def collect(course_dir: str | os.PathLike[str],
            names: Iterable[str] | None = None) -> Collected:
    """Bring learners' submissions from the exchange into ``submitted/`` (regular files only,
    from learners of the roster; what was refused or replaced is in ``notes``)."""
    from congdanso.cohort import exchange

    course = _course(course_dir)
    chosen = _pick(course, names)
    api = _api(course_config(course))
    result = Collected({}, [])
    for name in _progress(chosen, desc="Thu bài", unit="bài"):
        exchange.NOTES.clear()
        _check(api.collect(name, update=True), f"Thu bài {name}")
        result.notes += exchange.NOTES
        result.counts[name] = len(submissions(course, name))
    return result


def sanitize_submissions(course: Path, assignment: str, students: Iterable[str]
                         ) -> dict[str, list[str]]:
    """Before grading: links and special files in a submission (put there by hand or by an
    older collect) are moved to ``bi-tu-choi/``, so no step follows them. Student → refused."""
    from congdanso.cohort.exchange import REFUSED_DIR
    from congdanso.grading.safefiles import sanitize

    found = {}
    for student in students:
        for stage in ("submitted", "autograded", "feedback"):
            refused = sanitize(course / stage / student / assignment,
                               course / REFUSED_DIR / stage / student / assignment)
            if refused:
                found.setdefault(student, []).extend(str(r) for r in refused)
    return found


def feedback(course_dir: str | os.PathLike[str], names: Iterable[str] | None = None, *,
             publish: bool = True, students: Iterable[str] | None = None,
             jobs: int | None = None) -> dict[str, int]:
    """HTML feedback for every graded submission (or the given learners'), ``jobs`` pages at a
    time (one per core by default), and (by default) hand it back to learners."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    course = _course(course_dir)
    chosen = _pick(course, names)
    config = course_config(course)
    api = _api(config)
    counts = {}
    wanted = set(students or [])
    work = [(name, s) for name in chosen
            for s in sorted(p.parent.name for p in (course / "autograded").glob(f"*/{name}"))
            if not wanted or s in wanted]
    for name in chosen:  # feedback copies the autograded folder's files: links must be gone
        sanitize_submissions(course, name, [s for n, s in work if n == name])
    jobs = max(1, min(jobs or os.cpu_count() or 1, len(work)))
    with contextlib.ExitStack() as stack:
        if jobs == 1:
            done = (api.generate_feedback(name, student, force=True) for name, student in work)
        else:  # each page is its own nbconvert run: several at once, in order
            pool = stack.enter_context(ProcessPoolExecutor(
                jobs, mp_context=multiprocessing.get_context("fork"),
                initializer=_init_feedback_worker, initargs=(config,)))
            done = pool.map(_feedback_one, work)
        for (name, student), outcome in zip(work, _progress(done, total=len(work),
                                                             desc="Tạo phản hồi", unit="bài"),
                                            strict=True):
            _check(outcome, f"Tạo phản hồi bài {name} cho {student}")
            counts[name] = counts.get(name, 0) + 1
    if publish:
        from congdanso.cohort import exchange

        exchange.NOTES.clear()  # what could not be handed back, for the trainer (CLI prints it)
        for name in chosen:
            if counts.get(name):
                _check(api.release_feedback(name), f"Trả phản hồi bài {name}")
    return counts


_FEEDBACK: dict[str, Any] = {}


def _init_feedback_worker(config) -> None:
    if multiprocessing_worker():
        _die_with_parent()
    _FEEDBACK["api"] = _api(config)


def _feedback_one(work: tuple[str, str]) -> dict[str, Any]:
    name, student = work
    try:
        return _FEEDBACK["api"].generate_feedback(name, student, force=True)
    except Exception as exc:  # that page's failure, reported by the trainer's process
        return {"success": False, "error": f"{type(exc).__name__}: {exc}"}


# -- autograde --------------------------------------------------------------------------------------
_WORKER: dict[str, Any] = {}


def _die_with_parent() -> None:
    """A worker dies when the trainer's command does, even by ``kill -9`` (Linux)."""
    import ctypes
    import signal

    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        return
    if os.getppid() == 1:  # the parent was gone before the signal was armed
        os._exit(1)


def _init_worker(config, inprocess: bool = True) -> None:
    import warnings

    from nbformat.warnings import MissingIDFieldWarning
    from sqlalchemy.exc import SAWarning

    # nbgrader's own session handling warns when two graders share the gradebook, and nbformat
    # about notebooks saved before cell ids existed; neither is anything a trainer can act on.
    warnings.filterwarnings("ignore", category=SAWarning)
    warnings.filterwarnings("ignore", category=MissingIDFieldWarning)
    from congdanso.grading import sandbox

    if multiprocessing_worker():
        _die_with_parent()
    sandbox.discard_spare_on_exit()
    _WORKER["api"] = _api(config)
    _WORKER["course"] = Path(config.CourseDirectory.root)
    _WORKER["db_url"] = config.CourseDirectory.db_url
    here = _WORKER.pop("inprocess", None)
    if here:
        here.close()
    _WORKER["inprocess"] = False if inprocess else None  # False: made on first use


def _close_worker() -> None:
    here = _WORKER.pop("inprocess", None)
    if here:
        here.close()


def _grade_task(config, assignment: str, student: str, inprocess: bool = True
                ) -> SubmissionResult:
    """One submission as a Dask task: the worker readies nbgrader for this course the first
    time, then grades exactly as a local worker does."""
    if _WORKER.get("course") != Path(config.CourseDirectory.root) or \
            (_WORKER.get("inprocess") is None) == inprocess:
        _init_worker(config, inprocess)
    return _grade_one(assignment, student)


def _dask_client(stack, address: str, jobs: int):
    """A client of the Dask cluster at ``address`` ("local": a cluster of ``jobs`` worker
    processes on this machine, started and stopped with the run).

    Learners' kernels run on the same machine or network, and a Dask worker runs whatever task
    it is sent, with the grader's rights: so every connection is TLS with a client certificate.
    The local cluster makes a new certificate authority and keys for each run (in memory only),
    listens on 127.0.0.1 only and serves no dashboard or HTTP routes; a remote cluster must be
    ``tls://`` with the certificates of Dask's configuration (``distributed.comm.tls``)."""
    try:
        import dask
        from distributed import Client, LocalCluster
        from distributed.security import Security
    except ImportError:  # pragma: no cover - a dependency of the package
        raise GradingError("Thiếu thư viện Dask (distributed): cài lại gói congdanso.") from None
    if address == "local":
        security = Security.temporary()
        stack.enter_context(dask.config.set({"distributed.scheduler.http.routes": [],
                                             "distributed.worker.http.routes": []}))
        cluster = stack.enter_context(LocalCluster(
            n_workers=jobs, threads_per_worker=1, processes=True, host="127.0.0.1",
            protocol="tls", security=security, dashboard_address="127.0.0.1:0",
            scheduler_kwargs={"dashboard": False},  # no page, not even "install bokeh"
            silence_logs=50))
        return stack.enter_context(Client(cluster, security=security))
    if not address.startswith("tls://"):
        raise GradingError(f"Cụm Dask ở {address} không mã hoá, không xác thực: ai vào được mạng "
                           "đó (kể cả mã của học viên) cũng gửi việc cho máy chấm được. Dùng cụm "
                           "tls:// với chứng chỉ trong cấu hình Dask (distributed.comm.tls), hoặc "
                           "--dask local.")
    try:
        return stack.enter_context(Client(address, timeout="20s", security=Security()))
    except (OSError, TimeoutError, ValueError) as exc:
        raise GradingError(f"Không kết nối được cụm Dask ở {address} ({exc}). Kiểm tra địa chỉ "
                           "(ví dụ tls://10.0.0.5:8786), chứng chỉ và cụm đang chạy, hoặc dùng "
                           "--dask local.") from None


def multiprocessing_worker() -> bool:
    import multiprocessing

    return multiprocessing.parent_process() is not None


def _released(path: Path):
    """A released notebook, read once per worker (it changes only when released again)."""
    return _read_released(str(path), path.stat().st_mtime_ns)


@functools.lru_cache(maxsize=32)
def _read_released(path: str, mtime: int):
    import nbformat

    return nbformat.read(path, as_version=4)


def _submitted_notebooks(course: Path, assignment: str, student: str):
    """(released notebook, the learner's copy of it) for each notebook of the assignment that
    was handed in and can be read."""
    import nbformat

    for released in sorted((course / "release" / assignment).glob("*.ipynb")):
        path = course / "submitted" / student / assignment / released.name
        if not path.exists():
            continue
        try:
            mine = nbformat.read(path, as_version=4)
        except Exception:
            continue
        yield released, _released(released), mine


def _edited_cells(notebooks) -> list[str]:
    """Read-only and grade cells the learner changed or deleted (nbgrader grades with the
    originals, and puts deleted grade cells back)."""
    from nbgrader.utils import compute_checksum

    found: list[str] = []
    for _, original, mine in notebooks:
        submitted = {c.metadata.get("nbgrader", {}).get("grade_id"): c for c in mine.cells}
        for cell in original.cells:
            grading = cell.metadata.get("nbgrader", {})
            if not grading.get("locked"):
                continue
            theirs = submitted.get(grading["grade_id"])
            if theirs is None:
                found.append(f"{grading['grade_id']} (đã xoá)")
            elif compute_checksum(theirs) != compute_checksum(cell):
                found.append(grading["grade_id"])
    return found


def _added_code(course: Path, assignment: str, student: str, notebooks) -> list[str]:
    """What a learner added that could only matter if it ran: code cells that are not in the
    released notebook, Python files or packages beside it. Nothing of it is run; it is
    reported, since in a widget-only exercise it can only be an attempt to game the grader."""
    folder = course / "submitted" / student / assignment
    found: list[str] = []
    for released, _, mine in notebooks:
        extra = [c for c in mine.cells if c.cell_type == "code"
                 and not c.metadata.get("nbgrader", {}).get("grade_id") and c.source.strip()]
        if extra:
            found.append(f"{len(extra)} ô mã tự thêm vào {released.name}")
    code = sorted(str(p.relative_to(folder)) for p in folder.rglob("*")
                  if p.suffix in (".py", ".pyc", ".so", ".pth") and not p.is_symlink())
    if code:
        found.append("tệp mã Python đặt cạnh notebook: " + ", ".join(code[:5]))
    return found


def _grade_one(assignment: str, student: str) -> SubmissionResult:
    """Grade one submission; whatever goes wrong is that submission's error, never the run's."""
    started = time.perf_counter()
    try:
        return _grade(assignment, student, started)
    except Exception as exc:  # a broken notebook, an unreadable folder, a gradebook hiccup
        result = SubmissionResult(student, assignment, ok=False)
        result.error = (f"Không chấm được bài này ({type(exc).__name__}: {exc}); các bài khác vẫn "
                        "được chấm.")[:300]
        result.seconds = time.perf_counter() - started
        return result


def _grade(assignment: str, student: str, started: float) -> SubmissionResult:
    from nbgrader.api import Gradebook

    from congdanso.grading import decide, sandbox

    api, course, db_url = _WORKER["api"], _WORKER["course"], _WORKER["db_url"]
    result = SubmissionResult(student, assignment, ok=False)
    sandbox.INCIDENTS.clear()
    decide.FLAGS.clear()
    decide.RESPONSES.clear()
    outcome = _autograde_here(assignment, student) or \
        api.autograde(assignment, student, force=True, create=True)
    result.responses = [dict(r) for r in decide.RESPONSES
                        if r.get("student") == student and r.get("assignment") == assignment]
    result.incidents = list(sandbox.INCIDENTS)
    result.flags = sorted({f["flag"] for f in decide.FLAGS if "flag" in f})
    result.head = next((f["head"] for f in decide.FLAGS if "head" in f), "")
    for checked in (f for f in decide.FLAGS if "journal" in f):  # checked once, by the grader
        result.journal, result.journal_trusted = checked["journal"], checked["trusted"]
    result.ok = bool(outcome.get("success"))
    if not result.ok:
        errors = [line for line in (outcome.get("log") or "").splitlines()
                  if line.startswith("[ERROR]")]
        result.error = (errors[0] if errors else "nbgrader không chấm được bài này.")[:300]
    else:
        notebooks = list(_submitted_notebooks(course, assignment, student))
        result.edited_cells = _edited_cells(notebooks)
        added = _added_code(course, assignment, student, notebooks)
        if added:  # a widget-only exercise runs no code; one with code cells runs it sandboxed
            ran = _needs_kernel(course, assignment)
            result.flags.append(("thêm mã (đã chạy trong vùng cách ly): " if ran else
                                 "thêm mã (không được chạy): ") + "; ".join(added))
        here = _WORKER.get("inprocess")
        with contextlib.nullcontext(here.gradebook) if here else Gradebook(db_url) as gradebook:
            submission = gradebook.find_submission(assignment, student)
            result.score, result.max_score = submission.score, submission.max_score
    result.seconds = time.perf_counter() - started
    return result


def _autograde_here(assignment: str, student: str) -> dict[str, Any] | None:
    """A widget-only submission graded in this process (:mod:`congdanso.grading.inprocess`:
    nbgrader's preprocessors, one gradebook session, the same files and rows); None when it is
    for nbgrader's own converter: a kernel to run, or anything the in-process path refuses."""
    from congdanso.grading import decide, inprocess

    course = _WORKER["course"]
    if _needs_kernel(course, assignment):
        return None
    here = _WORKER.get("inprocess", False)
    if here is False:
        try:
            here = inprocess.InProcessAutograde(_WORKER["api"].config)
        except inprocess.NotHere:
            here = None
        _WORKER["inprocess"] = here
    if here is None:
        return None
    marks = len(decide.FLAGS), len(decide.RESPONSES)
    try:
        here.autograde(assignment, student)
    except Exception:  # nbgrader's converter grades it, and says what is wrong if anything is
        del decide.FLAGS[marks[0]:], decide.RESPONSES[marks[1]:]
        return None
    return {"success": True}


def cleanup_leftovers() -> int:
    """What a grading run killed half way left behind: its temporary folders and control
    groups (its kernels died with it). Returns how many were removed."""
    from congdanso.grading.sandbox import Cgroup, remove_stale_scratch

    return remove_stale_scratch() + Cgroup.remove_stale()


def _needs_kernel(course: Path, assignment: str) -> bool:
    from congdanso.grading.decide import declared

    return any(declared(nb)[1] for nb in (course / "source" / assignment).glob("*.ipynb"))


def flag_identical(results: list[SubmissionResult]) -> None:
    """Journals that end on the same event are copies (each learner's scenario differs)."""
    groups: dict[tuple[str, str], list[SubmissionResult]] = {}
    for r in results:
        if r.head:
            groups.setdefault((r.assignment, r.head), []).append(r)
    for same in groups.values():
        if len(same) > 1:
            for r in same:
                others = ", ".join(o.student for o in same if o is not r)
                r.flags.append(f"nhật ký giống hệt bài của {others}")


def autograde(course_dir: str | os.PathLike[str], names: Iterable[str] | None = None, *,
              students: Iterable[str] | None = None, jobs: int | None = None,
              limits: Limits | None = None, sandboxed: bool = True, dask: str | None = None,
              inprocess: bool = True) -> list[SubmissionResult]:
    """Grade every collected submission (or the given learners'), ``jobs`` at a time — or one
    submission per task on a Dask cluster (``dask``: its address, or "local"). The workers must
    see the course folder at the same path (one machine, or a shared volume). Widget-only
    submissions are graded in the worker's process (:mod:`congdanso.grading.inprocess`) unless
    ``inprocess`` is False: then every one goes through nbgrader's converter, as it gives the
    same files and rows (the tests compare the two)."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor, as_completed

    from congdanso.grading.sandbox import check_sandbox
    from congdanso.grading.variants import SECRET_FILE

    course = _course(course_dir)
    chosen = _pick(course, names)
    if sandboxed and any(_needs_kernel(course, a) for a in chosen):
        check_sandbox()
    wanted = set(students or [])
    work = [(a, s) for a in chosen for s in submissions(course, a) if not wanted or s in wanted]
    if not work:
        raise GradingError("Chưa có bài nộp nào để chấm trong "
                           f"{course / 'submitted'}: chạy \"congdanso collect\" trước.")
    if not (course / SECRET_FILE).is_file():
        raise GradingError(f"Khoá học chưa có bí mật ({SECRET_FILE}): bài chưa từng được phát "
                           "bằng \"congdanso release\" từ thư mục này, nên không biết phương án "
                           "của từng học viên. Hãy phát bài bằng congdanso release trước.")
    from congdanso.grading.key import AnswerKeyError, load_key
    from congdanso.grading.variants import catalogue

    try:  # one clear message before grading, not one failure per submission
        key = load_key(course)
        for assignment in chosen:
            if assignment in catalogue():
                key.spec(assignment)
    except AnswerKeyError as exc:
        raise GradingError(str(exc)) from None
    cleanup_leftovers()
    refused = {a: sanitize_submissions(course, a, [s for b, s in work if b == a])
               for a in chosen}
    config = course_config(course, limits=limits, sandboxed=sandboxed)
    jobs = max(1, min(jobs or os.cpu_count() or 1, len(work)))
    results: list[SubmissionResult] = []
    unsaved: list[SubmissionResult] = []  # answers not yet in the course's file
    saved = time.monotonic()
    with contextlib.ExitStack() as stack:
        bar = stack.enter_context(_progress(total=len(work), desc="Chấm bài", unit="bài"))
        if dask:
            client = _dask_client(stack, dask, jobs)
            futures = {client.submit(_grade_task, config, a, s, inprocess, pure=False): (a, s)
                       for a, s in work}
            from distributed import as_completed as dask_completed

            done = (_dask_result(f, *futures[f]) for f in dask_completed(list(futures)))
        elif jobs == 1:
            _init_worker(config, inprocess)
            stack.callback(_close_worker)
            done = (_grade_one(a, s) for a, s in work)
        else:
            context = multiprocessing.get_context("fork")  # workers start with nbgrader loaded
            pool = stack.enter_context(ProcessPoolExecutor(
                jobs, mp_context=context, initializer=_init_worker,
                initargs=(config, inprocess)))
            done = (f.result() for f in as_completed([pool.submit(_grade_one, a, s)
                                                      for a, s in work]))
        for result in done:
            links = refused.get(result.assignment, {}).get(result.student)
            if links:
                result.flags.append("tệp bị từ chối (không theo liên kết): " + "; ".join(links[:5]))
            results.append(result)
            unsaved.append(result)
            bar.update()
            # A run stopped half way keeps what it graded: saved every 10 submissions, and at
            # most every 20 s once there are many (each save rewrites the run's files, which
            # would cost the grader as much as grading at a province's scale).
            if len(results) % 10 == 0 and (len(results) <= 100
                                           or time.monotonic() - saved > SAVE_EVERY):
                write_results(course, results)
                write_responses(course, unsaved)
                unsaved.clear()
                saved = time.monotonic()
    results.sort(key=lambda r: (r.assignment, r.student))
    flag_identical(results)
    write_results(course, results)
    write_responses(course, unsaved)
    return results


def _dask_result(future, assignment: str, student: str) -> SubmissionResult:
    """A task's result; a worker lost under it (killed, out of memory) is that submission's
    error, and the run goes on."""
    try:
        return future.result()
    except Exception as exc:
        result = SubmissionResult(student, assignment, ok=False)
        result.error = (f"Máy chấm Dask không chấm xong bài này ({type(exc).__name__}); các bài "
                        "khác vẫn được chấm. Chấm lại riêng bài này sau.")[:300]
        return result


def write_responses(course: Path, results: list[SubmissionResult]) -> Path | None:
    """Keep the answers of every submission graded here in ``.congdanso/tra-loi.csv``, in place
    of their older grading (a submission that could not be graded keeps its older answers)."""
    from congdanso.cohort import responses

    graded = [r for r in results if r.ok]
    return responses.merge(course, (x for r in graded for x in r.responses),
                           {(r.student, r.assignment) for r in graded})


def write_results(course: Path, results: list[SubmissionResult]) -> list[Path]:
    """Merge this run's results into ``cham-bai/<bài>.csv`` (UTF-8 with BOM, opens in Excel)."""
    out = course / RESULTS_DIR
    out.mkdir(exist_ok=True)
    written = []
    for assignment in sorted({r.assignment for r in results}):
        path = out / f"{assignment}.csv"
        rows: dict[str, dict[str, Any]] = {}
        if path.exists():
            with open(path, encoding="utf-8-sig", newline="") as f:
                rows = {restore(row["Học viên"]): restore_row(row) for row in csv.DictReader(f)}
        for r in results:
            if r.assignment == assignment:
                rows[r.student] = r.row()
        fields = list(SubmissionResult("", "", ok=True).row())
        partial = path.with_suffix(".tmp")
        with open(partial, "w", encoding="utf-8-sig", newline="") as f:
            writer = csv.DictWriter(f, fieldnames=fields)
            writer.writeheader()
            writer.writerows(defuse_row(rows[k]) for k in sorted(rows))
        partial.replace(path)
        written.append(path)
    return written

