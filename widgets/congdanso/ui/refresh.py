"""A part of a lesson page that shows the world as it is now, with a button to look again.

On a learner's page (Voilà) cells run once, on open; a learner cannot "run the cell again" to see
the support log change after helping a resident. ``Refresh`` draws into an output area on open
and again on each press of its button.

>>> Refresh(so_lieu, "Xem lại sổ theo dõi và tỷ lệ")
"""

from __future__ import annotations

from collections.abc import Callable

import ipywidgets as widgets

from congdanso.ui.base import FULL, button, html


class Refresh:
    def __init__(self, draw: Callable[[], object], label: str):
        self.draw = draw
        self.output = widgets.Output(layout=FULL)
        self.note = html()
        self.button = button(label, self.update, tooltip=label)
        self.root = widgets.VBox([self.button, self.note, self.output], layout=FULL)
        self.times = 0
        self.update()

    def update(self) -> None:
        self.output.clear_output(wait=True)
        with self.output:
            self.draw()
        self.times += 1
        if self.times > 1:  # said to a screen reader too: the figures below are new
            self.note.value = ('<div class="cds-note" role="status">Đã cập nhật theo những gì '
                               "vừa làm.</div>")

    def _ipython_display_(self):
        from IPython.display import display

        display(self.root)
