"""Every lesson runs top to bottom without error (nbval), in a scratch copy of course/.

Lessons write a journal next to themselves, so they run in a copy: a learner's own journal in
course/ is never touched by the tests.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LESSONS = sorted((ROOT / "course").glob("*.ipynb"))

pytestmark = pytest.mark.notebooks


def test_there_are_lessons():
    assert LESSONS


@pytest.mark.parametrize("lesson", LESSONS, ids=lambda p: p.name)
def test_lesson_runs_clean(lesson, tmp_path):
    learner_journal = lesson.parent / "nhat-ky.jsonl"
    before = learner_journal.read_bytes() if learner_journal.exists() else None
    shutil.copy(lesson, tmp_path)
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "--nbval-lax", "-q", "-p", "no:cacheprovider",
         "--rootdir", str(tmp_path), str(tmp_path / lesson.name)],
        cwd=tmp_path, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert (tmp_path / "nhat-ky.jsonl").exists()
    after = learner_journal.read_bytes() if learner_journal.exists() else None
    assert after == before  # a learner's own journal in course/ is never touched


def test_lessons_are_committed_without_outputs():
    import nbformat

    for lesson in LESSONS:
        nb = nbformat.read(lesson, as_version=4)
        for cell in nb.cells:
            if cell.cell_type == "code":
                assert not cell.outputs and cell.execution_count is None, lesson.name
