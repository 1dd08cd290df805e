from __future__ import annotations

import pytest
from congdanso.world import World
from congdanso.world.society.people import Population


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


@pytest.fixture(scope="module")
def browser():
    """Debian's chromium under Playwright, one per test module that asks for it."""
    from pathlib import Path

    from browserkit import CHROMIUM, CHROMIUM_ARGS
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail("Debian's chromium is needed for browser tests: apt-get install -y chromium")
    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()
