"""The course's own events: a learner's answers to lesson self-checks, kept in the journal so a
trainer can see which ideas a cohort finds hard."""

from __future__ import annotations

from typing import TYPE_CHECKING

from congdanso.world.actions import action

if TYPE_CHECKING:
    from congdanso.world.world import World


class CourseService:
    def __init__(self, world: World):
        self.world = world
        self.answers: list[tuple[str, str, str, bool]] = []

    @action("course.self_check")
    def self_check(self, lesson: str, question: str, choice: str, correct: bool) -> bool:
        """Record one answer to a self-check (the lesson decides what is right)."""
        self.answers.append((lesson, question, choice, bool(correct)))
        return bool(correct)
