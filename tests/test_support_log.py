"""The support point's visit log under Law 91/2025/QH15: consent first, only what is needed,
erased on request; the visits still counted."""

from __future__ import annotations

import pytest
from congdanso.world import NotFoundError, ValidationError, World
from congdanso.world.society.support import RESULTS, TASKS


def test_a_visit_is_written_only_with_consent_and_erased_on_request(world, resident):
    other = next(p for p in world.population.practice_residents() if p != resident)
    with pytest.raises(ValidationError):
        world.support.log_visit(resident.id_number, "Giữ mật khẩu", RESULTS[0], True)
    refused = world.support.log_visit(other.id_number, TASKS[0], RESULTS[0], False)
    assert refused["recorded"] == "dem_luot" and world.support.rows() == []
    written = world.support.log_visit(resident.id_number, TASKS[1], RESULTS[0], True)
    assert written["recorded"] == "ghi_so" and world.support.total == 2
    (row,) = world.support.rows()
    assert row["Họ tên"] == resident.full_name and row["Việc đã giúp"] == TASKS[1]
    assert resident.id_number not in row.values()  # name and household are enough
    assert not any(word in " ".join(row) for word in ("Mật khẩu", "OTP", "Ảnh"))
    with pytest.raises(NotFoundError):
        world.support.erase(other.id_number)
    assert world.support.erase(resident.id_number) == {"erased": 1}
    assert world.support.rows() == [] and world.support.total == 2


def test_the_log_replays_from_the_journal(tmp_path):
    world = World.open(tmp_path / "nhat-ky.jsonl", pace="manual")
    person = world.population.practice_residents()[0]
    world.support.log_visit(person.id_number, TASKS[0], RESULTS[1], True)
    world.support.log_visit(person.id_number, TASKS[2], RESULTS[0], False)
    again = World.open(tmp_path / "nhat-ky.jsonl", pace="manual")
    assert again.support.rows() == world.support.rows() and again.support.total == 2
