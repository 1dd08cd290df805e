"""How a service method becomes a journaled action.

``@action("vneid.activate")`` on a service method means: when a learner (or a view, a lesson, a
test) calls it, the world takes the journal lock, catches up with events other kernels wrote,
runs the method, and appends one event with its arguments and its outcome — the returned value
or the ``DomainError`` raised. Replay calls the same method with the same arguments at the same
simulated time and checks that the outcome is identical. Calls made from inside another action
are part of that action and are not journaled twice.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import inspect
import json
from collections.abc import Callable
from typing import Any, TypeVar

F = TypeVar("F", bound=Callable[..., Any])

REGISTRY: dict[str, tuple[str, Callable[..., Any]]] = {}  # action → (service attribute, function)


def action(name: str, *, secret: tuple[str, ...] = ()) -> Callable[[F], F]:
    """Mark a service method as a journaled action. ``secret`` names arguments to mask when the
    journal is printed for people (passwords, OTPs, passcodes)."""
    service = name.split(".", 1)[0]

    def decorate(fn: F) -> F:
        signature = inspect.signature(fn)

        @functools.wraps(fn)
        def wrapper(self, *args: Any, **kwargs: Any) -> Any:
            bound = signature.bind(self, *args, **kwargs)
            bound.apply_defaults()
            arguments = dict(list(bound.arguments.items())[1:])
            return self.world.perform(name, fn, self, arguments)

        wrapper.action_name = name  # type: ignore[attr-defined]
        wrapper.secret_args = secret  # type: ignore[attr-defined]
        REGISTRY[name] = (service, fn)
        SECRETS[name] = secret
        return wrapper  # type: ignore[return-value]

    return decorate


SECRETS: dict[str, tuple[str, ...]] = {}


def to_record(value: Any) -> Any:
    """Turn an action's result into plain JSON data: what the journal stores and compares."""
    if value is None or isinstance(value, str | int | float | bool):
        return value
    if hasattr(value, "record"):
        return to_record(value.record())
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: to_record(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, dict):
        return {str(k): to_record(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [to_record(v) for v in value]
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return json.loads(json.dumps(value, default=str))


def to_args(arguments: dict[str, Any]) -> dict[str, Any]:
    return {k: to_record(v) for k, v in arguments.items()}
