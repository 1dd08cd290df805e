from __future__ import annotations

import pytest
from congdanso.world import World
from congdanso.world.people import Population


@pytest.fixture(scope="session")
def population() -> Population:
    return Population(74)


@pytest.fixture
def world() -> World:
    return World()


@pytest.fixture
def resident(world: World):
    """An adult with a chip card and a SIM registered in their own name."""
    return world.population.practice_residents()[0]
