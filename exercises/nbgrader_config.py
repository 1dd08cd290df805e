"""nbgrader configuration of the Công Dân Số course (embedded default: SQLite + local exchange).

Run nbgrader from this folder (``cd exercises``) or through the ``congdanso`` trainer commands.
"""

import os

here = os.path.dirname(os.path.abspath(__file__))
c = get_config()  # noqa: F821 — injected by traitlets when nbgrader loads this file

c.CourseDirectory.course_id = "congdanso"
c.CourseDirectory.root = here
c.CourseDirectory.db_url = "sqlite:///" + os.path.join(here, "gradebook.db")
c.Exchange.root = os.path.join(here, "exchange")
# The journal next to each notebook is part of the submission and must reach the grader.
c.CourseDirectory.ignore = [".ipynb_checkpoints", "*.pyc", "__pycache__", "feedback"]
c.ExecutePreprocessor.timeout = 60
# A trainer who ran a source notebook has a journal beside it; autograde copies every other file
# of source/ over the submission, which would replace the learner's journal with the trainer's.
_journal = ["nhat-ky.jsonl", "nhat-ky.jsonl.head", "nhat-ky.jsonl.torn"]
_source = os.path.join(here, "source")
c.Autograde.exclude_overwriting = {
    name: _journal for name in (os.listdir(_source) if os.path.isdir(_source) else [])}

# The grader decides (congdanso.grading.decide): each grade cell's declared requirements are
# checked against the learner's verified journal and scenario, in nbgrader's own pipeline in place
# of execution, so stock "nbgrader autograde", the formgrader and feedback all grade this way.
# Without the package nbgrader would grade the stock way (grade cells run in the learner's
# notebook): refuse instead, loudly, so no trainer publishes grades that mean nothing.
try:
    from congdanso.grading.decide import DecideFromJournal
except ImportError as exc:
    # SystemExit, not an exception: traitlets logs and ignores an exception in a config file,
    # and nbgrader would then go on grading the stock way.
    raise SystemExit(
        "Khoá học Công Dân Số cần gói congdanso để chấm (nbgrader đang chạy ở một môi trường "
        "Python không có gói này). Hãy chạy nbgrader bằng .venv/bin/nbgrader hoặc lệnh "
        f"congdanso của khoá học. Lỗi gốc: {exc}") from exc
from nbconvert.preprocessors import ClearMetadataPreprocessor  # noqa: E402
from nbgrader.preprocessors import (  # noqa: E402
    AssignLatePenalties,
    CheckCellMetadata,
    IgnorePattern,
    LimitOutput,
    SaveAutoGrades,
)

c.Autograde.autograde_preprocessors = [
    DecideFromJournal, IgnorePattern, ClearMetadataPreprocessor, LimitOutput, SaveAutoGrades,
    AssignLatePenalties, CheckCellMetadata]
c.DecideFromJournal.course_root = here
# The exchange checks who submitted (roster, owner of the files), follows no link, skips a
# bad folder instead of stopping, and keeps a replaced submission (congdanso.cohort.exchange).
c.ExchangeFactory.collect = "congdanso.cohort.exchange.SafeCollect"
c.ExchangeFactory.release_feedback = "congdanso.cohort.exchange.SafeReleaseFeedback"
# Release refuses an exchange whose course folders someone else made first (squatting).
c.ExchangeFactory.release_assignment = "congdanso.cohort.exchange.SafeRelease"
# Feedback in Vietnamese, large print (congdanso.grading.feedback).
from congdanso.grading.feedback import use_our_feedback  # noqa: E402

use_our_feedback(c)
