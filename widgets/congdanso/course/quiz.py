"""Self-checks with immediate feedback, in a lesson.

>>> Quiz("bai1-cau1", "VNeID có mức 3 không?", ["Có", "Không"], answer="Không",
...      why="Chỉ có mức 1 và mức 2; ai nói 'mức 3' là kẻ lừa đảo.")

The learner picks an answer and presses "Kiểm tra"; the feedback says right or not and why (with
a ✔ / ✘ mark, not colour alone). ``quiz.check(choice)`` does the same from code (tests, trainers).
When a world is given, every answer is written to its journal.
"""

from __future__ import annotations

import ipywidgets as widgets

from congdanso.ui.base import esc, html, shared


class Quiz:
    def __init__(self, qid: str, question: str, options: list[str], *, answer: str, why: str,
                 hint: str = "Đọc lại phần giải thích phía trên rồi thử lại.", world=None,
                 lesson: str = ""):
        if answer not in options:
            raise ValueError("the right answer must be one of the options")
        self.qid, self.answer, self.why, self.hint = qid, answer, why, hint
        self.world, self.lesson = world, lesson or qid.split("-")[0]
        self.choice = widgets.RadioButtons(options=options, value=None, layout={"width": "auto"},
                                           description="", style=shared().description)
        self.feedback = html()
        self.button = widgets.Button(description="Kiểm tra", button_style="primary",
                                     tooltip="Kiểm tra câu trả lời", style=shared().button)
        self.button.on_click(lambda _: self.check(self.choice.value))
        self.widget = widgets.VBox([html(f'<div class="cds-quiz"><b>Tự kiểm tra.</b> '
                                         f"{esc(question)}</div>"), self.choice, self.button,
                                    self.feedback])
        self.widget.add_class("cds-quiz-box")

    def _ipython_display_(self):
        from IPython.display import display

        display(self.widget)

    def check(self, choice: str | None) -> bool:
        """Check an answer, show the feedback, and record it; returns whether it is right."""
        if choice is None:
            self.feedback.value = '<div class="cds-error">⚠ Hãy chọn một đáp án trước.</div>'
            return False
        if self.choice.value != choice:
            self.choice.value = choice
        right = choice == self.answer
        if right:
            self.feedback.value = (f'<div class="cds-ok" role="status">✔ Đúng. '
                                   f"{esc(self.why)}</div>")
        else:
            self.feedback.value = (f'<div class="cds-error" role="status">✘ Chưa đúng. '
                                   f"{esc(self.hint)}</div>")
        if self.world is not None:
            self.world.course.self_check(self.lesson, self.qid, choice, right)
        return right
