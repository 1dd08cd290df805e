"""The simulated world: people, VNeID, the public-service portal, dossiers and the journal.

Plain Python, no ipywidgets: lessons, views, graders and demos all drive the same objects.
"""

from __future__ import annotations

from congdanso.world.errors import (
    AuthError,
    DomainError,
    LockedError,
    NotFoundError,
    PermissionDeniedError,
    StateError,
    ValidationError,
)
from congdanso.world.journal import JournalError
from congdanso.world.world import DEFAULT_SEED, World

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
