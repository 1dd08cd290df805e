"""Every world of a seed reads one population, generated once per process (the grader replays
thousands of journals): this holds only if nothing a learner does changes a person or a
household. Every graded exercise, done all the way through in the phone, leaves it exactly as
a fresh generation makes it."""

from __future__ import annotations

from pathlib import Path

from congdanso.grading.variants import catalogue
from congdanso.ui.exercise import Exercise
from congdanso.world import World
from congdanso.world.society.people import Population
from congdanso.world.world import shared_population
from hands import do_exercise

ROOT = Path(__file__).resolve().parents[1]


def _fingerprint(population: Population) -> list:
    return [(repr(h), [repr(p) for p in h.members]) for h in population.households] + \
        [sorted(population.by_phone), sorted(population.sim_owner.items())]


def test_worlds_share_one_population_and_no_exercise_changes_it():
    world = World()
    assert world.population is World().population is shared_population(world.seed, 5)
    for assignment in sorted(a for a, s in catalogue().items() if not s.get("practice")):
        exercise = Exercise(assignment, world=world, learner=f"hv-{assignment}",
                            folder=ROOT / "khong-co")
        do_exercise(exercise, "dung-het")
    assert len(world.journal.data().splitlines()) > 100  # the exercises really ran
    assert _fingerprint(world.population) == _fingerprint(Population(world.seed))
