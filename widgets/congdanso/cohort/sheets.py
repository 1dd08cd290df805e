"""Tables for spreadsheets that never turn a learner's text into a formula.

A name, id or note typed by a learner or a trainer may begin with ``=``, ``+``, ``-``, ``@``, a
tab or a carriage return; Excel and LibreOffice read such a cell of a CSV file as a formula
(and openpyxl writes a string beginning with ``=`` as one), which can compute, fetch or run
things when the trainer opens the report. In CSV such text is written with a leading apostrophe
(the spreadsheet convention for "this is text"), and read back without it; in XLSX it is stored
as a string cell marked "quote prefix".
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # the roster (and the learner's home page) use the row helpers, not pandas
    import pandas as pd

RISKY = ("=", "+", "-", "@", "\t", "\r")


def defuse(value: Any) -> Any:
    """Text that a spreadsheet would run, made plain text (other values unchanged)."""
    if isinstance(value, str) and value.startswith(RISKY):
        return "'" + value
    return value


def restore(value: Any) -> Any:
    """The text :func:`defuse` was given."""
    if isinstance(value, str) and value.startswith("'") and value[1:].startswith(RISKY):
        return value[1:]
    return value


def defuse_row(row: dict[str, Any]) -> dict[str, Any]:
    return {key: defuse(value) for key, value in row.items()}


def restore_row(row: dict[str, Any]) -> dict[str, Any]:
    return {key: restore(value) for key, value in row.items()}


def defuse_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy with every text cell, the column names and the index defused."""
    out = frame.copy()
    for column in out.columns:
        if out[column].dtype == object:
            out[column] = out[column].map(defuse)
    out.columns = [defuse(c) for c in out.columns]
    out.index = out.index.map(defuse)
    return out


def restore_frame(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame.copy()
    for column in out.columns:
        if out[column].dtype == object:
            out[column] = out[column].map(restore)
    return out


def write_csv(frame: pd.DataFrame, path: str | Path, **kwargs: Any) -> None:
    """``DataFrame.to_csv`` (UTF-8 with BOM, so Excel reads Vietnamese), formulas defused."""
    kwargs.setdefault("encoding", "utf-8-sig")
    defuse_frame(frame).to_csv(path, **kwargs)


def protect_workbook(path: str | Path) -> None:
    """Mark every risky text cell of an XLSX file as text (and turn back formulas that came
    from text into text): none of our reports contains a formula of its own."""
    import openpyxl

    book = openpyxl.load_workbook(path)
    changed = False
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if isinstance(cell.value, str) and (cell.data_type == "f"
                                                    or cell.value.startswith(RISKY)):
                    cell.data_type = "s"
                    cell.quotePrefix = True
                    changed = True
    if changed:
        book.save(path)
