"""world/ is grouped by service; the names of the old flat layout still import."""

from __future__ import annotations

import importlib
import pathlib

import congdanso.world as world


def test_every_module_lives_in_a_room_and_its_old_name_imports_the_same_module():
    folder = pathlib.Path(world.__file__).parent
    flat = sorted(p.stem for p in folder.glob("*.py") if p.stem != "__init__")
    assert flat == ["scenarios", "world"], "only the modules that join the rooms stay at the top"
    for old, room in world.MOVED.items():
        assert (folder / room / f"{old}.py").is_file(), (old, room)
        assert importlib.import_module(f"congdanso.world.{old}") is importlib.import_module(
            f"congdanso.world.{room}.{old}"
        )
    rooms = {p.parent.name for p in folder.glob("*/*.py") if p.parent.name != "__pycache__"}
    assert rooms == set(world.MOVED.values())


def test_old_from_imports_and_unknown_names():
    from congdanso.world import vietqr
    from congdanso.world.places import ward_for

    assert vietqr.__name__ == "congdanso.world.money.vietqr"
    assert ward_for.__module__ == "congdanso.world.society.places"
    try:
        importlib.import_module("congdanso.world.no_such_room")
    except ModuleNotFoundError:
        pass
    else:
        raise AssertionError("an unknown name must not import")
