"""The feedback page a learner reads: nbgrader's, rendered with our template (Vietnamese,
``lang="vi"``, large print, strong contrast, a main landmark) instead of its English one."""

from __future__ import annotations

from pathlib import Path

TEMPLATES = Path(__file__).resolve().parent / "templates"
# nbgrader's API insists on a template named "feedback"; ours is found first under that name.
TEMPLATE = "feedback"


def use_our_feedback(config) -> None:
    """Point nbgrader's feedback exporter at our template (in a traitlets ``Config``)."""
    config.HTMLExporter.template_name = TEMPLATE
    config.HTMLExporter.extra_template_basedirs = [str(TEMPLATES)]
