"""Autograding a widget-only submission in the grader's own process, near the cost of its replay.

``nbgrader autograde`` treats every submission as a conversion job: it opens the gradebook about
ten times (each time a new SQLAlchemy engine, a look at every table and ``create_all``), runs
nbconvert's exporter twice (a deep copy of the notebook and a full nbformat validation after
every preprocessor), writes the notebook, reads it back, validates nbgrader's metadata with
``jsonschema.validate`` (which checks the schema itself on every cell) and commits once per
grade cell. For an exercise done in the simulated phone none of that runs any code: the grade is
decided from the journal.

:class:`InProcessAutograde` does the same work with the same parts, once: nbgrader's own
preprocessors (configured exactly as ``Autograde``'s, ours included) run on the notebook node
in the same order, against **one** gradebook session per worker whose commits are gathered into
one per submission; the assignment's definition (cells, checksums, points, kernelspec) is read
once per worker; the notebook is validated once per pass, not once per preprocessor. The files
written (``autograded/<học viên>/<bài>/``, modes included), the gradebook rows, and so the
feedback page and the formgrader are the same as nbgrader's — ``tests/test_grading_inprocess.py``
grades one cohort both ways and compares them. Anything this path does not cover (a kernel to
run, a convert hook, a notebook the gradebook does not know, any error) is handed back to the
caller, which grades that submission through nbgrader's own ``Autograde`` as before.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any


class NotHere(Exception):
    """This submission is for nbgrader's own converter (the reason is the message)."""


# -- one gradebook session, lent to nbgrader's preprocessors ---------------------------------------
class _GatheredCommits:
    """The gradebook's session. While nbgrader's preprocessors run (``gathering``), their
    ``commit()`` (one per grade cell) waits: the session flushes before each query (autoflush)
    and the grades are written in one commit at the end. Before that (the learner, the
    submission and its rows) each commit is a commit, as in nbgrader: the write lock of the
    shared gradebook is never held while a journal is replayed."""

    def __init__(self, session):
        self._session = session
        self.gathering = False

    def commit(self) -> None:
        if not self.gathering:
            self._session.commit()

    def __getattr__(self, name: str):
        return getattr(self._session, name)


class _Lent:
    """What ``Gradebook(url)`` gives nbgrader's preprocessors here: the worker's gradebook, which
    their ``with`` block does not close; the assignment's definition is served from memory."""

    def __init__(self, owner: InProcessAutograde):
        self._owner = owner
        self._gb = owner.gradebook

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        return None

    def close(self) -> None:
        return None

    def find_notebook(self, name: str, assignment: str):
        return self._owner.definition(assignment).notebook(name)

    def find_source_cell(self, name: str, notebook: str, assignment: str):
        return self._owner.definition(assignment).notebook(notebook).source_cell(name)

    def find_graded_cell(self, name: str, notebook: str, assignment: str):
        return self._owner.definition(assignment).notebook(notebook).graded_cell(name)

    def find_grade(self, name: str, notebook: str, assignment: str, student: str):
        return self._owner.row("grade", name, notebook, assignment, student)

    def find_comment(self, name: str, notebook: str, assignment: str, student: str):
        return self._owner.row("comment", name, notebook, assignment, student)

    def __getattr__(self, name: str):
        return getattr(self._gb, name)


class _Notebook(SimpleNamespace):
    """A notebook of the assignment as the gradebook defines it (a plain snapshot: it does not
    expire when a submission is committed)."""

    def source_cell(self, name: str):
        from nbgrader.api import MissingEntry

        try:
            return self.source_by_name[name]
        except KeyError:
            raise MissingEntry() from None

    def graded_cell(self, name: str):
        from nbgrader.api import MissingEntry

        try:
            return self.graded_by_name[name]
        except KeyError:
            raise MissingEntry() from None


class _Definition:
    def __init__(self, gradebook, assignment: str):
        from nbgrader.api import MissingEntry

        self.name = assignment
        try:
            found = gradebook.find_assignment(assignment)
        except MissingEntry:
            raise NotHere(f"bài {assignment} chưa có trong sổ điểm") from None
        self.notebooks: dict[str, _Notebook] = {}
        for nb in found.notebooks:
            source = [SimpleNamespace(name=c.name, cell_type=c.cell_type, locked=c.locked,
                                      checksum=c.checksum, source=c.source)
                      for c in nb.source_cells]
            graded = {c.name: SimpleNamespace(name=c.name, max_score=c.max_score,
                                              cell_type=c.cell_type)
                      for c in nb.grade_cells}
            self.notebooks[nb.name] = _Notebook(
                name=nb.name, kernelspec=nb.kernelspec, source_cells=source,
                source_by_name={c.name: c for c in source},
                grade_cells=[graded[c.name] for c in nb.grade_cells], graded_by_name=graded,
                solution_cells=[SimpleNamespace(name=c.name) for c in nb.solution_cells],
                task_cells=[SimpleNamespace(name=c.name, max_score=c.max_score)
                            for c in nb.task_cells])

    def notebook(self, name: str) -> _Notebook:
        from nbgrader.api import MissingEntry

        try:
            return self.notebooks[name]
        except KeyError:
            raise MissingEntry() from None


class _CachedSchema:
    """``jsonschema`` as nbgrader's metadata validator calls it, with the validator built once
    per schema instead of once per cell (same checks, same first error)."""

    def __init__(self):
        import jsonschema

        self._jsonschema = jsonschema
        self._validators: dict[str, Any] = {}
        self._valid: set[tuple[str, str]] = set()

    def validate(self, instance, schema) -> None:
        key = json.dumps(schema, sort_keys=True)
        validator = self._validators.get(key)
        if validator is None:
            cls = self._jsonschema.validators.validator_for(schema)
            cls.check_schema(schema)
            validator = self._validators[key] = cls(schema)
        # the same cells come back in every submission: a metadata already found valid is
        # valid again (JSON text as the key: nothing of the object is kept)
        seen = (key, json.dumps(instance, sort_keys=True))
        if seen in self._valid:
            return
        error = self._jsonschema.exceptions.best_match(validator.iter_errors(instance))
        if error is not None:
            raise error
        if len(self._valid) < 10_000:
            self._valid.add(seen)

    def __getattr__(self, name: str):
        return getattr(self._jsonschema, name)


_GRADEBOOK_USERS = ("overwritecells", "overwritekernelspec", "saveautogrades", "latesubmissions")


# -- the converter ---------------------------------------------------------------------------------
class InProcessAutograde:
    """nbgrader's ``Autograde`` for submissions that run no code, one worker's worth."""

    def __init__(self, config):
        from nbgrader.api import Gradebook
        from nbgrader.converters import Autograde
        from nbgrader.coursedir import CourseDirectory

        self.config = config
        self.coursedir = CourseDirectory(config=config)
        probe = Autograde(coursedir=self.coursedir, config=config)
        if probe.pre_convert_hook or probe.post_convert_hook:
            raise NotHere("khoá học có móc trước/sau khi chuyển đổi")
        self.permissions = int(str(probe.permissions), 8)
        self.exclude_overwriting = dict(probe.exclude_overwriting)
        self.sanitizers = [self._build(pp, probe) for pp in probe.sanitize_preprocessors]
        self.graders = [self._build(pp, probe) for pp in probe.autograde_preprocessors]
        self.db_url = self.coursedir.db_url
        self.gradebook = Gradebook(self.db_url, self.coursedir.course_id)
        self.gradebook.db = _GatheredCommits(self.gradebook.db)
        self._definitions: dict[str, _Definition] = {}
        self._rows: dict[tuple[str, str, str], Any] = {}
        self._schema = _CachedSchema()

    @staticmethod
    def _build(preprocessor, parent):
        from traitlets.utils.importstring import import_item

        if isinstance(preprocessor, str):
            preprocessor = import_item(preprocessor)
        return preprocessor(parent=parent)

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self.gradebook.db.rollback()
        self.gradebook.close()

    # what the preprocessors ask the gradebook --------------------------------------------------
    def definition(self, assignment: str) -> _Definition:
        if assignment not in self._definitions:
            self._definitions[assignment] = _Definition(self.gradebook, assignment)
        return self._definitions[assignment]

    def row(self, kind: str, name: str, notebook: str, assignment: str, student: str):
        key = (kind, notebook, name)
        if key not in self._rows:
            find = self.gradebook.find_grade if kind == "grade" else self.gradebook.find_comment
            return find(name, notebook, assignment, student)
        return self._rows[key]

    def _load_rows(self, assignment: str, student: str) -> None:
        """The submission's grade and comment rows, in one query each (nbgrader asks for them
        one cell at a time)."""
        from nbgrader.api import (
            Assignment,
            BaseCell,
            Comment,
            Grade,
            Notebook,
            SubmittedAssignment,
            SubmittedNotebook,
        )

        db = self.gradebook.db
        self._rows = {}
        for kind, model in (("grade", Grade), ("comment", Comment)):
            query = (db.query(model, Notebook.name, BaseCell.name)
                     .join(BaseCell, BaseCell.id == model.cell_id)
                     .join(SubmittedNotebook, SubmittedNotebook.id == model.notebook_id)
                     .join(Notebook, Notebook.id == SubmittedNotebook.notebook_id)
                     .join(SubmittedAssignment,
                           SubmittedAssignment.id == SubmittedNotebook.assignment_id)
                     .join(Assignment, Assignment.id == SubmittedAssignment.assignment_id)
                     .filter(Assignment.name == assignment,
                             SubmittedAssignment.student_id == student))
            for row, notebook, cell in query:
                self._rows[(kind, notebook, cell)] = row

    @contextlib.contextmanager
    def _lent(self) -> Iterator[None]:
        """nbgrader's preprocessors, while they run here, get this worker's gradebook."""
        import importlib

        modules = [importlib.import_module(f"nbgrader.preprocessors.{m}") for m in _GRADEBOOK_USERS]
        common = importlib.import_module("nbgrader.nbgraderformat.common")
        saved = [m.Gradebook for m in modules], common.jsonschema
        lent = _Lent(self)
        try:
            for m in modules:
                m.Gradebook = lambda *args, **kwargs: lent
            common.jsonschema = self._schema
            yield
        finally:
            for m, original in zip(modules, saved[0], strict=True):
                m.Gradebook = original
            common.jsonschema = saved[1]

    # one submission ------------------------------------------------------------------------------
    def autograde(self, assignment: str, student: str) -> None:
        """Grade one submission as ``Autograde`` would with ``force`` and ``create_student``;
        raises :class:`NotHere` for work that must go through nbgrader. On any error the
        verdicts not yet committed are rolled back and the autograded folder removed; the
        learner and submission rows already committed are those nbgrader's converter writes
        first anyway."""
        source = Path(self.coursedir.format_path(self.coursedir.submitted_directory, student,
                                                 assignment))
        dest = Path(self.coursedir.format_path(self.coursedir.autograded_directory, student,
                                               assignment))
        definition = self.definition(assignment)
        notebooks = sorted(source.glob("*.ipynb"))
        if not notebooks or any(nb.stem not in definition.notebooks for nb in notebooks):
            raise NotHere("bài nộp có notebook lạ hoặc không có notebook")
        try:
            self._autograde(assignment, student, source, dest, definition, notebooks)
        except BaseException:
            self.gradebook.db.rollback()
            self._rows = {}
            if dest.exists():
                shutil.rmtree(dest, ignore_errors=True)
            raise
        self.gradebook.db._session.commit()

    def _autograde(self, assignment: str, student: str, source: Path, dest: Path,
                   definition: _Definition, notebooks: list[Path]) -> None:
        from nbgrader.utils import find_all_files

        coursedir, gb = self.coursedir, self.gradebook
        # init_destination (force): what was graded before goes
        if dest.exists():
            shutil.rmtree(dest)
        # BaseConverter.init_assignment: the submission's other files
        ignore = [*coursedir.ignore, "*.ipynb"]
        for filename in find_all_files(str(source), ignore):
            target = dest / os.path.relpath(filename, source)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(filename, target)
        # Autograde.init_assignment: the learner, the submission and its time, the source files
        gb.update_or_create_student(student)
        timestamp = coursedir.get_existing_timestamp(str(source))
        if timestamp:
            gb.update_or_create_submission(assignment, student, timestamp=timestamp)
        else:
            gb.update_or_create_submission(assignment, student)
        master = coursedir.format_path(coursedir.source_directory, ".", assignment)
        keep = {os.path.join(master, x) for x in self.exclude_overwriting.get(assignment, [])}
        for filename in set(find_all_files(master, ignore)) - keep:
            target = dest / os.path.relpath(filename, master)
            target.parent.mkdir(parents=True, exist_ok=True)
            if target.exists():
                target.unlink()
            shutil.copy(filename, target)
        handed_in = {nb.stem for nb in notebooks}
        for name in definition.notebooks:
            if name not in handed_in:  # a notebook not handed in scores zero
                for grade in gb.find_submission_notebook(name, assignment, student).grades:
                    grade.auto_score = 0
                    grade.needs_manual_grade = False
        gb.db.commit()
        for path in notebooks:  # one commit a notebook, once its verdicts are all decided
            self._load_rows(assignment, student)  # after a commit, which expires what it loaded
            gb.db.gathering = True
            try:
                with self._lent():
                    self._notebook(path, dest, assignment, student)
            finally:
                gb.db.gathering = False
            gb.db.commit()
        # BaseConverter.set_permissions
        for dirname, _, filenames in os.walk(dest):
            for filename in filenames:
                os.chmod(os.path.join(dirname, filename), self.permissions)
            if coursedir.groupshared:
                raise NotHere("thư mục khoá học dùng chung nhóm (groupshared)")

    def _resources(self, path: Path, modified: float, assignment: str, student: str):
        import datetime as dt

        from nbconvert.exporters.exporter import ResourcesDict

        when = dt.datetime.fromtimestamp(modified, tz=dt.UTC)
        resources = ResourcesDict()
        resources["unique_key"] = path.stem
        resources["output_files_dir"] = f"{path.stem}_files"
        resources["nbgrader"] = {"student": student, "assignment": assignment,
                                 "notebook": path.stem, "db_url": self.db_url}
        resources["metadata"] = ResourcesDict(name=path.stem, path=str(path.parent),
                                              modified_date=when.strftime("%B %-d, %Y"))
        resources["output_extension"] = ".ipynb"
        return resources

    @staticmethod
    def _read(text: str):
        """``nbformat.reads(text, as_version=4)`` without its validation, which only logs (the
        notebook is validated, and refused, after the preprocessors)."""
        from nbformat import convert, reader

        return convert(reader.reads(text), 4)

    def _run(self, preprocessors, text: str, path: Path, modified: float, assignment: str,
             student: str) -> str:
        """One of nbconvert's exports: normalise, preprocess, validate (raising as nbconvert
        does), write out the notebook's JSON text."""
        import nbformat
        from nbformat import validator

        resources = self._resources(path, modified, assignment, student)
        nb = self._read(text)
        if _depth(nb) > MAX_DEPTH:  # nbconvert's own recursion decides what happens to these
            raise NotHere("notebook lồng quá sâu")
        _, nb = validator.normalize(nb)
        if "language" in nb["metadata"]:  # what nbconvert's exporter does with it (and refuses)
            resources["language"] = nb["metadata"]["language"].lower()
        # nbconvert checks the notebook after each preprocessor; checked before the first one
        # (stricter: a notebook nbconvert would let through goes to nbgrader's converter, which
        # decides) and after the last one, a preprocessor cannot repair what was refused
        nbformat.validate(nb, relax_add_props=True)
        for preprocessor in preprocessors:
            nb, resources = preprocessor(nb, resources)
        nbformat.validate(nb, relax_add_props=True)
        output = nbformat.versions[4].writes_json(nb)  # nbformat.writes, less a second check
        return output if output.endswith("\n") else output + "\n"

    def _notebook(self, path: Path, dest: Path, assignment: str, student: str) -> None:
        """Sanitise, then grade, as nbgrader's two passes do; the sanitised notebook nbgrader
        writes and reads back is handed over in memory, and only the graded one is written."""
        import time

        text = path.read_text(encoding="utf-8")
        sanitized = self._run(self.sanitizers, text, path, path.stat().st_mtime, assignment,
                              student)
        graded = dest / f"{path.stem}.ipynb"
        with setenv(NBGRADER_EXECUTION="autograde"):
            output = self._run(self.graders, sanitized, graded, time.time(), assignment, student)
        dest.mkdir(parents=True, exist_ok=True)
        with open(graded, "w", encoding="utf-8") as f:
            f.write(output)


MAX_DEPTH = 64  # JSON nesting of an ordinary notebook is under 10


def _depth(value, limit: int = MAX_DEPTH) -> int:
    """How deeply ``value`` nests (counted without recursion, up to ``limit + 1``)."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, level = stack.pop()
        if level > deepest:
            deepest = level
            if deepest > limit:
                break
        if isinstance(item, dict):
            stack.extend((v, level + 1) for v in item.values())
        elif isinstance(item, list):
            stack.extend((v, level + 1) for v in item)
    return deepest


def setenv(**kwargs):
    from nbgrader.utils import setenv as nbgrader_setenv

    return nbgrader_setenv(**kwargs)
