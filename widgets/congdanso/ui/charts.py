"""Tables and bar charts for a lesson page, in HTML: text a screen reader reads and a phone
wraps, in the phone's large font, with the number written on every bar (never length alone).

Plain HTML, not pandas and matplotlib: a lesson's kernel stays small (the two libraries take
about 110 MiB), and a chart is words, not a picture without a text alternative.

>>> table(["Khu phố", "Tỷ lệ (%)"], [("Đông Nhì", 40)], caption="Hộ có tài khoản")
>>> bars([("Đông Nhì", 40.0)], title="Mỗi hộ một tài khoản", unit="%")
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Sequence

FONT = "font-family:'DejaVu Sans','Noto Sans',Arial,sans-serif;font-size:18px;color:#111"


class Html(str):
    """A piece of HTML that a notebook or Voilà page shows as it is."""

    def _repr_html_(self) -> str:
        return str(self)


def table(columns: Sequence[str], rows: Iterable[Sequence[object]], *, caption: str = "",
          empty: str = "Chưa có dòng nào.") -> Html:
    rows = [list(r) for r in rows]
    head = "".join(f'<th scope="col" style="text-align:left;padding:4px 10px;border-bottom:2px '
                   f'solid #333">{html.escape(str(c))}</th>' for c in columns)
    body = "".join(
        "<tr>" + "".join(f'<td style="padding:4px 10px;border-bottom:1px solid #ccc">'
                         f"{html.escape('' if v is None else str(v))}</td>" for v in row)
        + "</tr>" for row in rows)
    if not rows:
        body = (f'<tr><td colspan="{len(columns)}" style="padding:4px 10px">'
                f"{html.escape(empty)}</td></tr>")
    cap = (f'<caption style="text-align:left;font-weight:700;padding:4px 0">'
           f"{html.escape(caption)}</caption>" if caption else "")
    return Html(f'<div style="overflow-x:auto;max-width:100%;margin:6px 0">'
                f'<table style="border-collapse:collapse;{FONT}">{cap}<thead><tr>{head}</tr>'
                f"</thead><tbody>{body}</tbody></table></div>")


def bars(values: Iterable[tuple[str, float]], *, title: str, unit: str = "",
         maximum: float = 100.0) -> Html:
    """Horizontal bars, each with its label and its value written out."""
    items = []
    for label, value in values:
        width = max(0.0, min(100.0, 100.0 * float(value) / maximum)) if maximum else 0.0
        items.append(
            f'<li style="margin:8px 0"><div>{html.escape(str(label))}: '
            f"<b>{float(value):.0f}{html.escape(unit)}</b></div>"
            f'<div aria-hidden="true" style="background:#e6ecf7;border:1px solid #555;height:22px;'
            f'max-width:520px"><div style="background:#0b57d0;height:100%;width:{width:.1f}%">'
            f"</div></div></li>")
    return Html(f'<figure style="margin:8px 0;{FONT}"><figcaption style="font-weight:700">'
                f"{html.escape(title)}</figcaption>"
                f'<ul style="list-style:none;padding:0;margin:0">{"".join(items)}</ul></figure>')
