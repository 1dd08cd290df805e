"""The class's exercises, in Vietnamese, inside a lesson: what the trainer handed out, "Nhận bài",
"Mở bài", whether and when it was handed in, and the trainer's comments.

>>> BaiTapCuaLop()          # in lesson 00: the learner's board on the class server

It is nbgrader's Assignment List (menu Nbgrader), whose buttons are English, done with nbgrader's
own code (``congdanso.cohort.classwork``). Links open the notebook in JupyterLab: they are
relative to the lesson's folder and shown as rich output, so JupyterLab opens them in a tab.
"""

from __future__ import annotations

import os
from pathlib import Path

import ipywidgets as widgets

from congdanso.cohort import classwork
from congdanso.ui.base import button, close_tree, esc, html, vbox
from congdanso.ui.theme import CSS, FOCUS_JS


class ClassWork:
    """The learner's board of class exercises. ``root``: the folder the learner's JupyterLab shows
    (received exercises go there); ``here``: the folder of the notebook showing the board."""

    def __init__(self, root: str | os.PathLike[str] | None = None,
                 here: str | os.PathLike[str] | None = None):
        self.root = Path(root or Path.home()).resolve()
        self.here = Path(here or os.getcwd()).resolve()
        self.status = html()
        self.list = vbox()
        self.works: list[classwork.Work] = []
        self.links: list[tuple[str, str]] = []  # (text, href) of every link on the board
        self.root_box = vbox([
            html(CSS),
            html("<h3>Bài tập của lớp</h3><p>Giảng viên phát bài trên máy chủ lớp. Bấm <b>Nhận "
                 "bài</b>, rồi <b>Làm bài</b>. Làm xong, bấm "
                 "<b>Nộp bài cho giảng viên</b> ở cuối bài. Nộp lại được; giảng viên chấm lần nộp "
                 "cuối.</p>"),
            button("Xem lại danh sách bài tập", self.refresh,
                   tooltip="Xem giảng viên đã phát bài mới hay trả nhận xét chưa"),
            self.status, self.list])
        self.root_box.add_class("cds-exercise")
        self.root_box.add_class("cds-classwork")
        self.refresh()

    def _ipython_display_(self):
        from IPython.display import Javascript, display

        display(self.root_box)
        display(Javascript(FOCUS_JS))

    # -- what the board shows -------------------------------------------------------------------
    def refresh(self, said: str = "", ok: bool = True) -> None:
        listing = classwork.works(self.root)
        self.works = listing.works
        self.links = []
        if said:
            self._say(said, ok, focus=True)
        elif listing.message == classwork.NOT_IN_CLASS:  # lessons work without a class
            self.status.value = f'<div class="cds-note" role="status">ℹ {esc(listing.message)}</div>'
        elif not listing.ok:
            self._say(listing.message, False)
        elif not listing.works:
            self.status.value = ('<div class="cds-note" role="status">ℹ Giảng viên chưa phát bài '
                                 "nào. Khi giảng viên báo đã phát, bấm <b>Xem lại danh sách bài "
                                 "tập</b>.</div>")
        else:
            self.status.value = ""
        old, self.list.children = self.list.children, [self._row(w) for w in listing.works]
        for row in old:  # each press redraws the list: the old rows' widgets are let go
            close_tree(row)

    def _say(self, message: str, ok: bool, *, focus: bool = False) -> None:
        """A message; after a press (``focus``) keyboard focus moves to it, since the button
        pressed may be gone (theme.FOCUS_JS)."""
        mark, kind, role = ("✔", "cds-ok", "status") if ok else ("✘", "cds-error", "alert")
        moves = ' tabindex="-1" data-cds-focus' if focus else ""
        self.status.value = (f'<div class="{kind}" role="{role}"{moves}>'
                             f"{mark} {esc(message)}</div>")

    @staticmethod
    def state(work: classwork.Work) -> str:
        """The work's state in words (a symbol too, never colour alone)."""
        return work.words()

    def _href(self, path: Path) -> str:
        from urllib.parse import quote

        return quote(Path(os.path.relpath(path, self.here)).as_posix())

    def _links(self, items: list[tuple[str, Path]]) -> widgets.Output:
        """Links as rich output: JupyterLab resolves them from the lesson's folder and opens the
        file in a tab (an HTML widget's link would reload the whole page)."""
        from IPython.display import HTML

        shown = widgets.Output()
        for text, path in items:
            href = self._href(path)
            self.links.append((text, href))
            shown.append_display_data(HTML(
                f'<p class="cds-link"><a href="{esc(href)}">{esc(text)}</a></p>'))
        return shown

    def _row(self, work: classwork.Work) -> widgets.Widget:
        parts: list[widgets.Widget] = [html(
            f'<div class="cds-card"><h4>{esc(work.title)}</h4>'
            f"<p>Mã bài: <b>{esc(work.name)}</b></p><p><b>{esc(self.state(work))}</b></p></div>")]
        if work.released and not work.received:
            parts.append(button(f"Nhận bài {work.name}", lambda: self.fetch(work.name),
                                primary=True, tooltip=f"Nhận bài \"{work.title}\" về máy"))
        if work.received:
            parts.append(self._links([(f"Làm bài: {path.stem}", path) for path in work.notebooks]))
        if work.feedback_ready:
            parts.append(button(f"Nhận nhận xét bài {work.name}",
                                lambda: self.fetch_feedback(work.name),
                                tooltip="Nhận nhận xét giảng viên đã trả"))
        if work.feedback:
            parts.append(self._links([(f"Xem nhận xét: {path.stem}", path)
                                      for path in work.feedback]))
        return vbox(parts)

    # -- what the learner does -------------------------------------------------------------------
    def fetch(self, assignment: str) -> classwork.HandIn:
        self.status.value = '<div class="cds-note" role="status">Đang nhận bài…</div>'
        done = classwork.fetch(assignment, self.root)
        self.refresh(done.message, done.ok)
        return done

    def fetch_feedback(self, assignment: str) -> classwork.HandIn:
        self.status.value = '<div class="cds-note" role="status">Đang nhận nhận xét…</div>'
        done = classwork.fetch_feedback(assignment, self.root)
        self.refresh(done.message, done.ok)
        return done


BaiTapCuaLop = ClassWork
