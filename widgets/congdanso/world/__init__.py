"""The simulated world: people, VNeID, the public-service portal, dossiers and the journal.

Plain Python, no ipywidgets: lessons, views, graders and demos all drive the same objects.

Rooms by service (where to make a change):

- ``core/``: the journal, actions, clock, errors, checks of typed text, files, course events
- ``identity/``: VNeID and the police desk, ID numbers, phones and the carrier, SMS, OTPs
- ``dossiers/``: the public-service portal, the procedure catalogue, PDF documents
- ``money/``: banks and e-wallets, bills, VietQR and its pictures
- ``signatures/``: the training PKI, remote signing, PAdES verification, the demo kit
- ``society/``: the population, provinces and wards, the support point's visit log
- ``world.py`` puts them together; ``scenarios.py`` runs whole flows in one call.

Modules used to sit flat in this folder; their old names (``congdanso.world.portal``…) still
import, as the same module objects as the new ones.
"""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.util
import sys

from congdanso.world.core.errors import (
    AuthError,
    DomainError,
    LockedError,
    NotFoundError,
    PermissionDeniedError,
    StateError,
    ValidationError,
)
from congdanso.world.core.journal import JournalError
from congdanso.world.world import DEFAULT_SEED, World

# Old flat module name → its room. Kept so notebooks and scripts written before the rooms work.
MOVED: dict[str, str] = {
    **dict.fromkeys(("actions", "check", "clock", "course", "describe", "errors", "files",
                     "journal", "normalize", "text", "validate"), "core"),
    **dict.fromkeys(("carrier", "idnumber", "inbox", "phone", "security", "vneid"), "identity"),
    **dict.fromkeys(("documents", "portal", "procedures"), "dossiers"),
    **dict.fromkeys(("banks", "bills", "payments", "qrimage", "vietqr"), "money"),
    **dict.fromkeys(("demokit", "fonts", "kyso", "pki", "signing"), "signatures"),
    **dict.fromkeys(("people", "places", "support"), "society"),
}


class _OldNames(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """``import congdanso.world.portal`` gives the module ``congdanso.world.dossiers.portal``."""

    def find_spec(self, fullname, path=None, target=None):
        head, _, tail = fullname.rpartition(".")
        if head == __name__ and tail in MOVED:
            return importlib.util.spec_from_loader(fullname, self)
        return None

    def create_module(self, spec):
        _, _, tail = spec.name.rpartition(".")
        return importlib.import_module(f"{__name__}.{MOVED[tail]}.{tail}")

    def exec_module(self, module):
        pass  # the module under its new name is already run


if not any(isinstance(finder, _OldNames) for finder in sys.meta_path):
    sys.meta_path.append(_OldNames())

__all__ = [
    "DEFAULT_SEED",
    "AuthError",
    "DomainError",
    "JournalError",
    "LockedError",
    "NotFoundError",
    "PermissionDeniedError",
    "StateError",
    "ValidationError",
    "World",
]
