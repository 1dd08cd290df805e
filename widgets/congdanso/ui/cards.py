"""Cards for what a lesson cell shows a learner: a resident's card, a list, a message.

A ``print`` in a notebook goes to a monospace block where stock Debian/Ubuntu fonts draw
Vietnamese tone marks apart from their letters, at JupyterLab's small code size; a card is HTML in
the phone's large, proportional font. Plain text is kept for terminals and nbconvert.

>>> Card({"Họ và tên": "Nguyễn Văn An"}, title="Thẻ căn cước")
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Mapping
from typing import Any

STYLE = ("font-family:'DejaVu Sans','Noto Sans',Arial,sans-serif;font-size:18px;"
         "line-height:1.5;color:#111;background:#fff;border:2px solid #0b57d0;"
         "border-radius:12px;padding:10px 14px;margin:6px 0;max-width:44em")
KINDS = {"note": ("ℹ", "#0b57d0"), "ok": ("✔", "#0b5d1e"), "error": ("⚠ Lỗi:", "#8b0000"),
         "warn": ("⚠ Chú ý:", "#7a4f00")}


class Card:
    """Rows (label → value), a bulleted list, or a message, under a title."""

    def __init__(self, rows: Mapping[str, Any] | Iterable[tuple[str, Any]] | None = None, *,
                 title: str = "", items: Iterable[Any] = (), message: str = "",
                 kind: str = "note") -> None:
        if isinstance(rows, Mapping):
            rows = rows.items()
        self.rows = [(str(k), "" if v is None else str(v)) for k, v in (rows or [])]
        self.title, self.items, self.message, self.kind = title, [str(i) for i in items], \
            message, kind

    def _repr_html_(self) -> str:
        mark, colour = KINDS.get(self.kind, KINDS["note"])
        parts = [f'<div class="cds-card-out" lang="vi" style="{STYLE};border-color:{colour}">']
        if self.title:
            parts.append(f'<div style="font-weight:700;font-size:1.1em;margin-bottom:4px">'
                         f"{html.escape(self.title)}</div>")
        if self.message:
            parts.append(f'<div style="color:{colour};font-weight:600">{html.escape(mark)} '
                         f"{html.escape(self.message)}</div>")
        if self.rows:
            parts.append('<table style="border-collapse:collapse">' + "".join(
                f'<tr><th scope="row" style="text-align:left;padding:2px 12px 2px 0;'
                f'vertical-align:top">{html.escape(k)}</th><td style="padding:2px 0">'
                f"{html.escape(v)}</td></tr>" for k, v in self.rows) + "</table>")
        if self.items:
            parts.append('<ul style="margin:4px 0;padding-left:1.3em">' + "".join(
                f"<li>{html.escape(i)}</li>" for i in self.items) + "</ul>")
        return "".join(parts) + "</div>"

    def __repr__(self) -> str:
        lines = [self.title] if self.title else []
        if self.message:
            lines.append(f"{KINDS.get(self.kind, KINDS['note'])[0]} {self.message}")
        lines += [f"{k}: {v}" for k, v in self.rows]
        lines += [f"- {i}" for i in self.items]
        return "\n".join(lines)
