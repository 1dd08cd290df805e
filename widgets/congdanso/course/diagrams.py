"""Simple step diagrams (generated, never copied), large and high-contrast.

Each step is a numbered box with its text, so the diagram reads without colour. Lessons show
them as HTML (:func:`show_flow`); :func:`flow` draws the same as a PNG with matplotlib for print.
"""

from __future__ import annotations

import io
import itertools
import textwrap


def flow(steps: list[str], *, title: str = "", width: float = 11.0) -> bytes:
    """A left-to-right flow of numbered steps, wrapped onto rows of three; PNG bytes."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.patches import FancyArrowPatch, FancyBboxPatch

    per_row = 3
    rows = (len(steps) + per_row - 1) // per_row
    fig, ax = plt.subplots(figsize=(width, 1.0 + 1.9 * rows), dpi=100)
    ax.set_xlim(0, per_row * 4)
    ax.set_ylim(0, rows * 2.2 + (0.8 if title else 0.2))
    ax.axis("off")
    if title:
        ax.text(per_row * 2, rows * 2.2 + 0.35, title, ha="center", va="center", fontsize=17,
                fontweight="bold", family="DejaVu Sans")
    centres = []
    for i, step in enumerate(steps):
        row, col = divmod(i, per_row)
        x, y = col * 4 + 0.3, (rows - row - 1) * 2.2 + 0.3
        ax.add_patch(FancyBboxPatch((x, y), 3.3, 1.55, boxstyle="round,pad=0.05,rounding_size=0.2",
                                    linewidth=2.5, edgecolor="#0b57d0", facecolor="#eef3fd"))
        label = f"{i + 1}. " + "\n".join(textwrap.wrap(step, 24))
        ax.text(x + 1.65, y + 0.78, label, ha="center", va="center", fontsize=13,
                family="DejaVu Sans")
        centres.append((x, y))
    for (x1, y1), (x2, y2) in itertools.pairwise(centres):
        if y1 == y2:
            start, end = (x1 + 3.35, y1 + 0.78), (x2 - 0.05, y2 + 0.78)
        else:
            start, end = (x1 + 1.65, y1 - 0.05), (x2 + 1.65, y2 + 1.6)
        ax.add_patch(FancyArrowPatch(start, end, arrowstyle="-|>", mutation_scale=22,
                                     linewidth=2.2, color="#1f2328"))
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", bbox_inches="tight")
    plt.close(fig)
    return buffer.getvalue()


def flow_alt(steps: list[str], *, title: str = "") -> str:
    """What the diagram says, for a screen reader: the title and every numbered step."""
    said = "; ".join(f"bước {i}: {step}" for i, step in enumerate(steps, 1))
    return f"Sơ đồ{': ' + title if title else ''}. {said}."


def flow_html(steps: list[str], *, title: str = "") -> str:
    """The flow as HTML: numbered boxes with arrows, wrapping onto as many rows as the screen
    needs (a phone: one column). Real text, so it scales with the reader's zoom and a screen
    reader reads it as an ordered list; no picture library in the lesson's kernel."""
    import html

    box = ("border:3px solid #0b57d0;background:#eef3fd;border-radius:12px;padding:8px 12px;"
           "min-width:9em;max-width:16em;flex:1 1 9em;color:#111")
    items = []
    for i, step in enumerate(steps, 1):
        arrow = ('<span aria-hidden="true" style="font-size:1.6em;color:#1f2328;align-self:center;'
                 'padding:0 4px">→</span>' if i < len(steps) else "")
        items.append(f'<li style="display:flex;gap:4px;flex:1 1 11em"><div style="{box}">'
                     f"<b>{i}.</b> {html.escape(step)}</div>{arrow}</li>")
    caption = (f'<figcaption style="font-weight:700;font-size:1.1em;margin-bottom:6px">'
               f"{html.escape(title)}</figcaption>" if title else "")
    return (f'<figure style="margin:8px 0;font-family:\'DejaVu Sans\',\'Noto Sans\',Arial,'
            f'sans-serif;font-size:18px;line-height:1.4">{caption}'
            f'<ol style="list-style:none;padding:0;margin:0;display:flex;flex-wrap:wrap;gap:8px">'
            f'{"".join(items)}</ol></figure>')


def show_flow(steps: list[str], *, title: str = ""):
    """Display a flow diagram in a lesson (HTML, see :func:`flow_html`)."""
    from IPython.display import HTML, display

    display(HTML(flow_html(steps, title=title)))
