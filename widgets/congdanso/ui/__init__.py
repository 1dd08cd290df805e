"""Simulated phone apps: thin ipywidgets views over the world (JupyterLab and Voilà alike).

Every view observes world objects and calls their methods; it holds no rule of its own. Every
action a learner can take on screen is also a Python method of the view, so tests, graders and
demos drive exactly the code a click runs.
"""

from __future__ import annotations

from congdanso.ui.phone import Phone

__all__ = ["Phone"]
