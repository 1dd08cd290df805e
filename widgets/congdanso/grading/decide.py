"""The grader decides: an nbgrader preprocessor that takes the place of execution.

For each grade cell, the requirements it declares are read from the trainer's *source* notebook
(``kiem_tra("…")`` calls, hidden tests included), never from the submission, and evaluated
against the submission's verified journal, replayed, and the learner's own scenario (recomputed
from the learner id and the course secret). The verdict is written as the cell's output, so
nbgrader's ``SaveAutoGrades``, feedback and formgrader work unchanged: a passing cell prints what
was checked, a failing one carries an error whose message tells the learner what to do next.

Widget-only assignments (no code cell the learner writes) start no kernel at all. An assignment
with solution cells is first executed in the sandbox (:class:`SandboxedExecute`), and cells that
declare requirements are still decided here. Nothing in a submission but the notebook and its
journal is read, and neither is ever run as code in the grader's process.
"""

from __future__ import annotations

import ast
import json
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from nbformat import NotebookNode
from nbformat.v4 import new_output
from traitlets import Unicode

from congdanso.grading import requirements as req
from congdanso.grading.key import KEY_FILE, AnswerKey, judging, load_key
from congdanso.grading.sandbox import SandboxedExecute
from congdanso.world.core.journal import DEFAULT_NAME

CALL = "kiem_tra"
FLAGS: list[dict[str, str]] = []  # what the last decisions want the trainer to know
RESPONSES: list[dict[str, Any]] = []  # each graded answer given (the report's item analysis)


# -- what a source notebook declares --------------------------------------------------------------
def declared_in(source: str) -> list[str]:
    """Requirement names of ``kiem_tra("a", "b")`` calls in a cell's code (parsed, never run)."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return []
    names: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            func = node.func
            called = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            if called == CALL:
                names += [a.value for a in node.args
                          if isinstance(a, ast.Constant) and isinstance(a.value, str)]
    return names


@lru_cache(maxsize=64)
def _declared(path: str, mtime: float) -> tuple[dict[str, tuple[str, ...]], bool]:
    try:
        cells = json.loads(Path(path).read_text(encoding="utf-8"))["cells"]
    except (OSError, ValueError, KeyError, TypeError):
        return {}, True  # unreadable: treat as a notebook whose code must run (sandboxed)
    declared: dict[str, tuple[str, ...]] = {}
    needs_kernel = False
    for cell in cells:
        meta = cell.get("metadata", {}).get("nbgrader", {})
        source = "".join(cell.get("source", ""))
        if cell.get("cell_type") == "code" and meta.get("solution"):
            needs_kernel = True
        if meta.get("grade") and cell.get("cell_type") == "code":
            declared[meta["grade_id"]] = tuple(declared_in(source))
    return declared, needs_kernel


def declared(source_notebook: Path) -> tuple[dict[str, tuple[str, ...]], bool]:
    """(grade id → requirement names, whether learners write code that must run)."""
    return _declared(str(source_notebook), source_notebook.stat().st_mtime)


# What learner code has no reason to touch in a course for non-programmers, and what would let it
# change how the grade cells after it run in the same kernel: IPython's input and AST
# transformers and event hooks, the builtins, tracing, exception hooks, and the dynamic ways to
# reach them (getattr with a built string, exec, eval, import by name, frames, the gc).
TAMPER_NAMES = frozenset({
    "get_ipython", "input_transformers_post", "input_transformers_cleanup", "ast_transformers",
    "events", "register", "run_cell", "showtraceback", "custom_exc", "set_custom_exc",
    "builtins", "__builtins__", "settrace", "setprofile", "excepthook", "_getframe",
    "f_back", "f_globals", "f_locals", "gc", "ctypes", "getattr", "setattr", "delattr", "exec",
    "eval", "compile", "__import__", "importlib", "globals", "vars", "sys", "inspect",
    "InteractiveShell", "attrgetter", "methodcaller", "operator",
    # an answer that equals everything: `class A: __eq__ = lambda *a: True`
    "__eq__", "__ne__", "__bool__", "__hash__", "__getattr__", "__getattribute__", "__class__",
    "__instancecheck__", "__subclasshook__"})


def tampering_in(nb: NotebookNode) -> list[str]:
    """Names in the learner's solution cells that could change how the grade cells run. The
    classic code path runs learner code and tests in one kernel (as stock nbgrader does), so
    such code is refused statically: the grade cells that test code are not credited."""
    found: list[str] = []
    for cell in nb.cells:
        meta = cell.metadata.get("nbgrader", {})
        # every code cell the learner wrote: solution cells and cells they added (those with no
        # nbgrader metadata run too); locked and grade cells were restored from the source
        if cell.cell_type != "code" or meta.get("grade") or meta.get("locked"):
            continue
        try:  # magics (%…, !…) become the get_ipython() calls they are
            from IPython.core.inputtransformer2 import TransformerManager

            tree = ast.parse(TransformerManager().transform_cell(cell.source))
        except SyntaxError:  # IPython cannot run it either
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef) \
                    and node.name in TAMPER_NAMES and node.name not in found:
                found.append(node.name)
            name = node.attr if isinstance(node, ast.Attribute) else \
                node.id if isinstance(node, ast.Name) else \
                (node.names[0].name.split(".")[0] if isinstance(node, ast.Import | ast.ImportFrom)
                 and node.names else None)
            if isinstance(node, ast.ImportFrom) and node.module:
                name = node.module.split(".")[0]
            if name in TAMPER_NAMES and name not in found:
                found.append(name)
    return found


# -- judging one submission -----------------------------------------------------------------------
@dataclass
class Judgement:
    """The grader's view of one submission's journal."""

    problem: str | None = None  # why nothing in the journal can be credited
    context: req.Context | None = None
    flags: list[str] = field(default_factory=list)
    head: str | None = None  # hash of the journal's last event (identical journals share it)
    report: Any = None  # the journal check (chain, head, replay), when there was a journal

    def evaluate(self, name: str) -> str | None:
        if self.problem is not None or self.context is None:
            return self.problem or "Không có nhật ký để chấm."
        return req.evaluate(self.context, name, judge=True)


def judge(folder: Path, assignment: str, student: str, secret: bytes,
          key: AnswerKey) -> Judgement:
    """The submission's journal, verified, held against the learner's own scenario and the
    course's answer key."""
    from congdanso.world.core.check import check_journal

    path = folder / DEFAULT_NAME
    if not path.is_file() or path.is_symlink():
        return Judgement("Bài nộp không có nhật ký thao tác: chưa làm bước nào trong điện thoại "
                         "mô phỏng hay ô trả lời. Hãy mở bài, làm theo tình huống, lưu rồi nộp.")
    size = path.stat().st_size
    if size > MAX_JOURNAL_BYTES:
        return _over_budget(f"nhật ký {size / 1e6:.1f} MB, quá {MAX_JOURNAL_BYTES // 10**6} MB")
    with path.open("rb") as f:
        lines = sum(chunk.count(b"\n") for chunk in iter(lambda: f.read(1 << 20), b""))
    if lines > MAX_JOURNAL_EVENTS:
        return _over_budget(f"nhật ký có {lines:,} sự kiện, quá {MAX_JOURNAL_EVENTS:,}"
                            .replace(",", "."))
    import time

    from congdanso.world.world import REPLAY_DEADLINE

    deadline = REPLAY_DEADLINE.set(time.monotonic() + REPLAY_SECONDS)
    try:
        with judging(key):
            report = check_journal(path)
    finally:
        REPLAY_DEADLINE.reset(deadline)
    if not report.ok and "quá thời gian cho phép" in (report.problem or ""):
        return _over_budget(f"chạy lại nhật ký quá {REPLAY_SECONDS} giây")
    return _against_scenario(report, assignment, student, secret, key)


# What one submission's journal may cost the grader. An exercise done by hand writes a few
# hundred events (a few hundred KB); far more is a journal made to stall grading for hours.
MAX_JOURNAL_BYTES = 20 * 10**6
MAX_JOURNAL_EVENTS = 20_000
REPLAY_SECONDS = 60


def _over_budget(why: str) -> Judgement:
    return Judgement(
        f"Nhật ký của bài dài bất thường ({why}) nên không được chấm tự động. Giảng viên sẽ xem "
        "lại; nếu bạn chỉ làm bài bình thường, hãy báo giảng viên.",
        flags=[f"nhật ký vượt ngân sách chấm ({why}): không chấm, cần xem"])


def _against_scenario(report, assignment: str, student: str, secret: bytes,
                      key: AnswerKey) -> Judgement:
    from congdanso.grading.variants import PRACTICE_PREFIX, token_for

    if not report.ok:
        return Judgement(f"Nhật ký thao tác không tin cậy nên không chấm: {report.problem} "
                         "Nhật ký chỉ được ghi bởi thế giới mô phỏng; đừng sửa hay chép tệp.",
                         report=report)
    head = report.head_hash
    begin, events = req.events_since_begin(report.events, assignment)
    if begin is None:
        return Judgement("Nhật ký không có bài tập này: hãy mở đúng notebook bài tập (chạy ô đầu "
                         "tiên) rồi làm trong đó.", head=head, report=report)
    args = begin["args"]
    expected = token_for(secret, assignment, student)
    if args.get("learner") == student and str(args.get("token", "")).startswith(PRACTICE_PREFIX):
        return Judgement(
            "Bài này được làm với phương án tự luyện vì khi làm, tên bạn chưa có trong danh sách "
            "lớp của bài: không chấm. Hãy báo giảng viên, tải lại bài rồi làm lại.",
            flags=["làm phương án tự luyện: chưa có trong bảng phương án khi làm bài (nhập danh "
                   "sách lớp, congdanso release --force, học viên tải lại bài)"], head=head, report=report)
    if args.get("token") != expected or args.get("learner") != student:
        who = args.get("learner") or "?"
        return Judgement(
            "Nhật ký này làm phương án của người khác"
            + (f" (học viên {who})" if who != student else "")
            + " hoặc phương án tự luyện, không phải phương án giao cho bạn: không chấm. Hãy nhận "
            "lại bài (bài 00, bảng Bài tập của lớp → Nhận bài) và tự làm.",
            flags=[f"nhật ký làm phương án khác (của \"{who}\")"], head=head, report=report)
    world = report.world
    state = world.course.exercises.get(assignment) if world is not None else None
    if state is None or state.scenario.token != expected:
        return Judgement("Tình huống của bài đã bị làm lại nhưng chưa mở lại: hãy chạy ô đầu "
                         "tiên của bài rồi làm tiếp.", head=head, report=report)
    return Judgement(context=req.Context(world, events, state.scenario, key), head=head,
                     report=report, flags=too_fast(begin, events))


SECONDS_PER_STEP = 1.5  # a person reads, taps and types: no one does a step of the exercise faster
MIN_STEPS = 5  # a few quick taps are not a sign of anything


def too_fast(begin: dict[str, Any], events: list[dict[str, Any]]) -> list[str]:
    """A flag for the trainer's "Cần xem" when the exercise was done faster than a person could:
    the events' wall-clock times (``at``, written by the world) from opening the scenario to the
    last step, against 1.5 s a step."""
    import datetime as dt

    steps = [e for e in events if isinstance(e.get("at"), str)]
    if len(steps) < MIN_STEPS or not isinstance(begin.get("at"), str):
        return []
    try:
        start = dt.datetime.fromisoformat(begin["at"])
        end = dt.datetime.fromisoformat(steps[-1]["at"])
    except ValueError:
        return ["thời gian trong nhật ký không đọc được"]
    seconds = (end - start).total_seconds()
    if seconds >= SECONDS_PER_STEP * len(steps):
        return []
    shown = f"{seconds:.1f}".replace(".", ",")
    return [f"làm {len(steps)} thao tác trong {shown} giây, nhanh hơn một người làm được "
            f"(dưới {str(SECONDS_PER_STEP).replace('.', ',')} giây mỗi thao tác): xem lại "
            "cách bài được làm"]


def _record_response(ctx: req.Context, student: str, assignment: str, cell: str | None,
                     question: str, problem: str | None) -> None:
    """One graded answer, for the trainer's item analysis (which option each learner picked)."""
    from congdanso.grading.variants import spec

    state = ctx.world.course.exercises.get(assignment)
    given = state.answers.get(question) if state else None
    q = ctx.scenario.question(question) if question in spec(assignment)["questions"] else {}
    RESPONSES.append({"student": student, "assignment": assignment, "cell": cell,
                      "question": question, "value": given.value if given else None,
                      "correct": problem is None and given is not None,
                      "options": list(q.get("options", [])) if q.get("kind") == "choice" else []})


def _passed(text: str) -> NotebookNode:
    return new_output("stream", name="stdout", text=text)


def _failed(message: str) -> NotebookNode:
    return new_output("error", ename="Chưa đạt", evalue=message, traceback=[f"✘ {message}"])


def _course_key(course: Path) -> AnswerKey:
    path = course / KEY_FILE
    try:
        mtime = path.stat().st_mtime
    except OSError:
        mtime = -1.0
    return _cached_key(str(course), mtime)


@lru_cache(maxsize=8)
def _cached_key(course: str, mtime: float) -> AnswerKey:
    return load_key(course)


class DecideFromJournal(SandboxedExecute):
    """nbgrader preprocessor: each grade cell's verdict, decided from the journal."""

    course_root = Unicode("", help="The nbgrader course folder (source/ and the secret).") \
        .tag(config=True)

    def preprocess(self, nb, resources=None, km=None):  # type: ignore[override]
        from congdanso.grading.variants import course_secret

        info = resources["nbgrader"]
        assignment, student, notebook = info["assignment"], info["student"], info["notebook"]
        course = Path(self.course_root)
        source = course / "source" / assignment / f"{notebook}.ipynb"
        declared_cells, needs_kernel = declared(source) if source.exists() else ({}, True)
        tampering = tampering_in(nb) if needs_kernel else []
        if tampering:
            FLAGS.append({"student": student, "assignment": assignment,
                          "flag": "mã của học viên can thiệp vào cách chạy ô chấm ("
                          + ", ".join(tampering[:6]) + "): các ô chấm bằng mã không được tính"})
        if needs_kernel:
            nb, resources = super().preprocess(nb, resources, km)
        # The collected submission, as handed in: an assignment that needs a kernel has just run
        # learner code in the autograded copy, which could have rewritten the journal there.
        folder = course / "submitted" / student / assignment
        if not folder.is_dir():
            folder = Path(resources.get("metadata", {}).get("path") or ".")
        try:
            secret = course_secret(course, create=False)
        except (FileNotFoundError, ValueError):
            raise RuntimeError(
                f"Khoá học {course} chưa có bí mật (.congdanso/bi-mat-khoa-hoc) hoặc tệp bị hỏng: "
                "không biết phương án của từng học viên nên không chấm. Bài phải được phát bằng "
                "\"congdanso release\" từ đúng thư mục khoá học này.") from None
        judgement = judge(folder, assignment, student, secret, _course_key(course))
        if judgement.report is not None:  # the trainer's journal column: checked once, here
            report = judgement.report
            FLAGS.append({"student": student, "assignment": assignment, "trusted": report.ok,
                          "journal": "toàn vẹn" if report.ok
                          else f"KHÔNG TIN CẬY — {report.problem}"})
        for flag in judgement.flags:
            FLAGS.append({"student": student, "assignment": assignment, "flag": flag})
        if judgement.head:
            FLAGS.append({"student": student, "assignment": assignment, "head": judgement.head})
        for cell in nb.cells:
            meta = cell.metadata.get("nbgrader", {})
            if cell.cell_type != "code" or not meta.get("grade"):
                continue
            names = declared_cells.get(meta.get("grade_id"))
            if names is None:
                cell.outputs = [_failed("Ô chấm này không có trong bài gốc của giảng viên.")]
                continue
            if not names:  # a classic code test: only a sandboxed run of it counts
                if not needs_kernel:
                    cell.outputs = [_failed("Ô chấm này không khai báo yêu cầu nào và bài không "
                                            "có ô lời giải để chạy: không chấm được. Báo giảng "
                                            "viên.")]
                elif tampering:
                    cell.outputs = [_failed("Mã trong bài thay đổi cách máy chạy các ô chấm ("
                                            + ", ".join(tampering[:4]) + "): ô này không được "
                                            "tính; giảng viên sẽ xem lại.")]
                continue
            problems = []
            for name in names:
                problem = judgement.evaluate(name)
                if problem is not None:
                    problems.append(problem)
                if name.startswith(req.ANSWER) and judgement.context is not None:
                    _record_response(judgement.context, student, assignment,
                                     meta.get("grade_id"), name[len(req.ANSWER):], problem)
            scenario = judgement.context.scenario if judgement.context else None
            if problems:
                cell.outputs = [_failed(" ".join(problems))]
            else:
                titles = "; ".join(req.title_of(n, scenario) for n in names) if scenario else ""
                cell.outputs = [_passed(f"✔ Đạt: {titles}\n")]
        return nb, resources
