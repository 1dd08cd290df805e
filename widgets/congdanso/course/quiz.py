"""Self-checks with immediate feedback, in a lesson.

>>> Quiz("bai1-cau1", "VNeID có mức 3 không?", ["Có", "Không"], answer="Không",
...      why="Chỉ có mức 1 và mức 2; ai nói 'mức 3' là kẻ lừa đảo.",
...      wrong={"Có": "Công an không nâng tài khoản qua điện thoại."}, see="Từ khoá")

The learner picks an answer and presses "Kiểm tra". A right answer says why it is right; a wrong
one says why *that* option is wrong and which section of the lesson to read again, without
naming the right option, so the learner can think and try again. The mark is a word and a sign
(✔ Đúng / ✘ Chưa đúng), never colour alone; a wrong answer is an alert, so a screen reader says
it at once. ``quiz.check(choice)`` does the same from code (tests, trainers). When a world is
given, every answer is written to its journal.
"""

from __future__ import annotations

from collections.abc import Mapping

import ipywidgets as widgets

from congdanso.ui.base import esc, html, shared
from congdanso.ui.theme import CSS


class Quiz:
    def __init__(self, qid: str, question: str, options: list[str], *, answer: str, why: str,
                 wrong: Mapping[str, str], see: str, world=None, lesson: str = ""):
        if answer not in options:
            raise ValueError("the right answer must be one of the options")
        unexplained = [o for o in options if o != answer and not wrong.get(o)]
        if unexplained or set(wrong) - set(options) or answer in wrong:
            raise ValueError(f"{qid}: each wrong option, and only those, needs an explanation "
                             f"(missing: {unexplained})")
        self.qid, self.answer, self.why, self.wrong, self.see = qid, answer, why, dict(wrong), see
        self.world, self.lesson = world, lesson or qid.split("-")[0]
        self.choice = widgets.RadioButtons(options=options, value=None, layout={"width": "auto"},
                                           description="", style=shared().description)
        self.feedback = html()
        self.button = widgets.Button(description="Kiểm tra", button_style="primary",
                                     tooltip="Kiểm tra câu trả lời", style=shared().button)
        self.button.on_click(lambda _: self.check(self.choice.value))
        self.widget = widgets.VBox([html(CSS), html(f'<div class="cds-quiz"><b>Tự kiểm tra.</b> '
                                                    f"{esc(question)}</div>"), self.choice,
                                    self.button, self.feedback])
        self.widget.add_class("cds-quiz-box")

    def _ipython_display_(self):
        from IPython.display import display

        display(self.widget)

    def explain(self, choice: str) -> str:
        """What the learner reads after choosing ``choice`` (plain text)."""
        if choice == self.answer:
            return f"✔ Đúng. {self.why}"
        return (f"✘ Chưa đúng. {self.wrong[choice]} Xem lại mục “{self.see}” của bài này rồi "
                "chọn lại.")

    def check(self, choice: str | None) -> bool:
        """Check an answer, show the feedback, and record it; returns whether it is right."""
        if choice is None:
            self.feedback.value = ('<div class="cds-error" role="alert">⚠ Hãy chọn một đáp án '
                                   "trước.</div>")
            return False
        if self.choice.value != choice:
            self.choice.value = choice
        right = choice == self.answer
        kind, role = ("cds-ok", "status") if right else ("cds-error", "alert")
        self.feedback.value = f'<div class="{kind}" role="{role}">{esc(self.explain(choice))}</div>'
        if self.world is not None:
            self.world.course.self_check(self.lesson, self.qid, choice, right)
        return right
