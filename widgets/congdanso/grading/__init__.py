"""What exercise grade cells call: verified access to a learner's journal and domain checks.

A grade cell is a function of what the learner did, read from the journal next to the notebook;
every failure is an ``AssertionError`` whose message, in Vietnamese, says what to do next.
"""

from __future__ import annotations

from congdanso.grading.journal import LearnerJournal, learner_journal

__all__ = ["LearnerJournal", "learner_journal"]
