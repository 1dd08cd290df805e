"""Công Dân Số: a simulated world of Vietnamese digital public services, for training helpers.

Importing the package is cheap on purpose: hundreds of learners share one server, so heavy
libraries (pandas, Faker, nbgrader, ipywidgets) load only when a feature first needs them.
"""

from __future__ import annotations

from congdanso.startup import defer_iri_parsers

__version__ = "0.1.0"

defer_iri_parsers()  # jsonschema's IRI parsers load when used, not at import (see startup.py)

__all__ = ["World", "__version__"]


def __getattr__(name: str):
    if name == "World":
        from congdanso.world.world import World

        return World
    raise AttributeError(name)
