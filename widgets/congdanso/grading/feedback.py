"""The feedback page a learner reads: nbgrader's, rendered with our template (Vietnamese,
``lang="vi"``, large print, strong contrast, a main landmark) instead of its English one.

Only nbgrader's feedback step gets our template. The formgrader renders a submission with an
``HTMLExporter`` too, with its own template ("formgrade"), and it reads the course's
nbgrader_config.py after setting that: a setting of every ``HTMLExporter`` would replace the
formgrader's page with the feedback page, which fails without a score (HTTP 500). So the settings
are scoped to the exporters whose parent is nbgrader's ``GenerateFeedback`` (traitlets reads
``c.GenerateFeedback.HTMLExporter`` for those and only those)."""

from __future__ import annotations

from pathlib import Path

TEMPLATES = Path(__file__).resolve().parent / "templates"
# nbgrader's API insists on a template named "feedback"; ours is found first under that name.
TEMPLATE = "feedback"
# The converter of ``nbgrader generate_feedback`` and of the API's generate_feedback: the parent
# of the exporter that writes the feedback pages.
FEEDBACK_STEP = "GenerateFeedback"


def use_our_feedback(config) -> None:
    """Point nbgrader's feedback exporter, and no other, at our template (in a traitlets
    ``Config``)."""
    exporter = config[FEEDBACK_STEP].HTMLExporter
    exporter.template_name = TEMPLATE
    exporter.extra_template_basedirs = [str(TEMPLATES)]
    # the page names the exercise by its Vietnamese title, not its folder name
    exporter.filters = {"exercise_title": "congdanso.cohort.classwork.title_of"}
