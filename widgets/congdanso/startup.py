"""Start-up cost every process of ours would pay for nothing.

jsonschema imports ``rfc3987_syntax`` for its "iri" format as soon as it loads (through nbformat,
nbgrader, jupyter_events), and that module compiles about 35 Lark parsers on import: 1.2 s of CPU
for a format no notebook or Jupyter schema uses (jupyter_server#1559, jsonschema#1428). It is paid
by every learner's server on the class server, every grading worker, every trainer command.
:func:`defer_iri_parsers` (run when ``congdanso`` is imported) loads it only when an IRI is really
checked; validation is unchanged.
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
import types

LAZY = "rfc3987_syntax"


def _real_module():
    stub = sys.modules.pop(LAZY, None)
    try:
        return importlib.import_module(LAZY)
    except ImportError:
        if stub is not None:
            sys.modules[LAZY] = stub
        raise


def is_valid_syntax(*args, **kwargs):
    """The real ``rfc3987_syntax.is_valid_syntax``, imported on its first use."""
    return _real_module().is_valid_syntax(*args, **kwargs)


def defer_iri_parsers() -> bool:
    """Stand in for ``rfc3987_syntax`` until it is used. False when there is nothing to defer
    (not installed, already imported, or jsonschema will use ``rfc3987`` instead)."""
    if LAZY in sys.modules or importlib.util.find_spec(LAZY) is None:
        return False
    if importlib.util.find_spec("rfc3987") is not None:
        return False
    stub = types.ModuleType(LAZY, "deferred by congdanso.startup")
    stub.is_valid_syntax = is_valid_syntax
    sys.modules[LAZY] = stub
    return True
