"""Every exercise passes with its solution and fails with an empty attempt (what a learner gets
from nbgrader), and every grade cell is tagged with competencies of the framework."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from congdanso.grading.competencies import load_framework
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]
SOURCES = sorted((ROOT / "exercises" / "source").glob("*/*.ipynb"))

pytestmark = pytest.mark.nbgrader


def _grade_cells(nb):
    return [c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade")]


def _run(nb, folder: Path):
    NotebookClient(nb, timeout=180, allow_errors=True,
                   resources={"metadata": {"path": str(folder)}}).execute()
    return [not any(o.get("output_type") == "error" for o in c.outputs) for c in _grade_cells(nb)]


@pytest.mark.parametrize("source", SOURCES, ids=lambda p: p.parent.name)
def test_grade_cells_are_tagged_and_documented(source):
    framework = load_framework()
    nb = nbformat.read(source, as_version=4)
    cells = _grade_cells(nb)
    assert cells
    for cell in cells:
        tags = cell.metadata.get("congdanso", {}).get("competencies", [])
        assert tags and set(tags) <= set(framework.competencies), cell.metadata
        assert cell.source.lstrip().startswith('"""Kiểm tra'), "grade cells open with a docstring"


@pytest.mark.parametrize("source", SOURCES, ids=lambda p: p.parent.name)
def test_solution_passes(source, tmp_path):
    folder = tmp_path / source.parent.name
    shutil.copytree(source.parent, folder)
    nb = nbformat.read(folder / source.name, as_version=4)
    assert all(_run(nb, folder))


@pytest.fixture(scope="module")
def released(tmp_path_factory) -> Path:
    course = tmp_path_factory.mktemp("khoa")
    shutil.copy(ROOT / "exercises/nbgrader_config.py", course)
    shutil.copytree(ROOT / "exercises/source", course / "source")
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    for source in SOURCES:
        subprocess.run([sys.executable, "-m", "nbgrader", "generate_assignment",
                        source.parent.name, "--force"], cwd=course, env=env, check=True,
                       capture_output=True, timeout=300)
    return course / "release"


@pytest.mark.parametrize("source", SOURCES, ids=lambda p: p.parent.name)
def test_empty_attempt_fails_every_grade_cell(source, released, tmp_path):
    folder = tmp_path / source.parent.name
    shutil.copytree(released / source.parent.name, folder)
    text = (folder / source.name).read_text(encoding="utf-8")
    assert "### BEGIN SOLUTION" not in text and "BEGIN HIDDEN TESTS" not in text
    nb = nbformat.read(folder / source.name, as_version=4)
    assert not any(_run(nb, folder))
    messages = [o.get("evalue", "") for c in _grade_cells(nb) for o in c.outputs]
    assert any(m for m in messages) and not any("Traceback" in m for m in messages)
    json.dumps(messages, ensure_ascii=False)
