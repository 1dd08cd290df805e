"""Lessons are written as MyST markdown (course/src/*.md, reviewable in git) and turned into
notebooks with jupytext; `congdanso course build` regenerates course/*.ipynb (no outputs)."""

from __future__ import annotations

import hashlib
from pathlib import Path

COURSE = Path(__file__).resolve().parents[3] / "course"


def kernel_language_info() -> dict:
    """What the course's kernel reports on connecting. JupyterLab writes it into the notebook's
    metadata; stored as it will be, opening a lesson leaves it unchanged (no "unsaved changes"
    mark, no "save?" question when a learner closes a lesson they only read)."""
    from ipykernel.ipkernel import IPythonKernel

    return dict(IPythonKernel.language_info)


def notebook_from_markdown(path: Path):
    import jupytext

    nb = jupytext.read(path, fmt="md:myst")
    nb.metadata.pop("jupytext", None)
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3 (ipykernel)",
                                 "language": "python"}
    nb.metadata["language_info"] = kernel_language_info()
    for index, cell in enumerate(nb.cells):  # stable ids: a rebuild changes only what was edited
        cell.id = hashlib.sha1(f"{path.stem}:{index}".encode()).hexdigest()[:8]
        cell.metadata.pop("lines_to_next_cell", None)
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    return nb


def build_notebooks(src: Path | None = None, out: Path | None = None) -> list[Path]:
    import nbformat

    src = src or COURSE / "src"
    out = out or COURSE
    written = []
    for lesson in sorted(src.glob("*.md")):
        nb = notebook_from_markdown(lesson)
        target = out / f"{lesson.stem}.ipynb"
        nbformat.write(nb, target)
        written.append(target)
    return written
