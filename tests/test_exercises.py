"""Every exercise is done by clicking and typing only: each passes when its scenario is done,
fails when nothing is done, asks for no code, tags every grade cell with competencies, and
measures every competency with at least five graded items."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import nbformat
import pytest
from congdanso import World
from congdanso.grading import requirements as req
from congdanso.grading.decide import declared
from congdanso.grading.key import judging, load_key
from congdanso.grading.requirements import journal_bodies
from congdanso.grading.variants import catalogue
from congdanso.ui.exercise import Exercise
from hands import do_exercise
from jupyterkit import jupyter_env

ROOT = Path(__file__).resolve().parents[1]
SOURCES = sorted((ROOT / "exercises" / "source").glob("*/*.ipynb"))
# DigComp 2.2 competence areas and competences (European Commission, 2022).
DIGCOMP = {"1.1", "1.2", "1.3", "2.1", "2.2", "2.3", "2.4", "2.5", "2.6", "3.1", "3.2", "3.3",
           "3.4", "4.1", "4.2", "4.3", "4.4", "5.1", "5.2", "5.3", "5.4"}


def _grade_cells(nb):
    return [c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade")]


@pytest.mark.parametrize("source", SOURCES, ids=lambda p: p.parent.name)
def test_grade_cells_declare_known_requirements_and_competencies(source):
    from congdanso.grading.competencies import load_framework

    framework = load_framework()
    nb = nbformat.read(source, as_version=4)
    assert not any(c.metadata.get("nbgrader", {}).get("solution") for c in nb.cells), \
        "learners write no code"
    names, _ = declared(source)
    spec = catalogue()[source.parent.name]
    for cell in _grade_cells(nb):
        tags = cell.metadata.get("congdanso", {}).get("competencies", [])
        assert tags and set(tags) <= set(framework.competencies), cell.metadata
        assert cell.source.lstrip().startswith('"""Kiểm tra'), "grade cells open with a docstring"
        declared_here = names[cell.metadata["nbgrader"]["grade_id"]]
        assert declared_here
        for name in declared_here:
            if name.startswith(req.ANSWER):
                assert name[len(req.ANSWER):] in spec["questions"]
            else:
                assert name in req.REQUIREMENTS
    visible = {n for cell in _grade_cells(nb) if "HIDDEN" not in cell.source
               for n in names[cell.metadata["nbgrader"]["grade_id"]]}
    assert visible <= set(spec["checklist"]), "the Kiểm tra checklist shows every visible step"


def test_every_competency_has_five_items_and_sound_digcomp_codes():
    from congdanso.grading.competencies import load_framework

    framework = load_framework()
    counts = Counter(tag for source in SOURCES
                     for cell in _grade_cells(nbformat.read(source, as_version=4))
                     for tag in cell.metadata["congdanso"]["competencies"])
    assert {c: counts[c] for c in framework.competencies if counts[c] < 8} == {}
    data = json.loads((ROOT / "exercises/competencies.json").read_text(encoding="utf-8"))
    for competency in data["competencies"]:
        assert set(competency["digcomp"]) <= DIGCOMP
    by_id = {c["id"]: set(c["digcomp"]) for c in data["competencies"]}
    assert "2.5" not in by_id["AT2"] and "3.1" not in by_id["KS1"] and "4.1" not in by_id["TT2"]


def test_catalogue_answers_are_among_their_options():
    key = load_key()
    for name in catalogue():
        spec = key.spec(name)
        for qid, question in spec["questions"].items():
            for variant in question.get("variants", [question]):
                answer = question["answers"][variant["id"]] if "variants" in question \
                    else question["answer"]
                if question["kind"] == "choice" and not answer.startswith(("$", "@")):
                    assert answer in variant["options"], (name, qid)
        if "tinh-huong" in spec["questions"]:
            for case in spec.get("support_cases", []):
                assert case["answer"] in spec["questions"]["tinh-huong"]["options"]


def test_graded_answers_are_only_in_the_course_key():
    """The package's catalogue (what a learner's server has) holds no answer to a graded item;
    the course's key has one for every graded question."""
    key = load_key()
    for name, spec in catalogue().items():
        if spec.get("practice"):
            continue
        assert all("answer" not in q for q in spec["questions"].values()), name
        for lst in ("support_cases", "needs", "copies", "qr_traps", "messages"):
            for item in spec.get(lst, []):
                assert not {"answer", "procedure", "fields", "verdict", "advice", "pay",
                            "scam"} & set(item), (name, lst, item["id"])
        assert set(key.spec(name)["questions"]) == set(spec["questions"])
        for qid, question in key.spec(name)["questions"].items():
            if "variants" in question:
                assert {v["id"] for v in question["variants"]} == set(question["answers"]), qid
                assert all("answer" not in v for v in question["variants"]), qid
            else:
                assert "answer" in question, (name, qid)


def _graded(world, assignment: str):
    """The grader's view of an in-memory world: its journal replayed with the answer key."""
    key = load_key()
    with judging(key):
        replayed = World.from_journal_bytes(world.journal.data(), files=world.files)
    _, events = req.events_since_begin(journal_bodies(world), assignment)
    return req.Context(replayed, events, replayed.course.exercise(assignment).scenario, key)


def _score(assignment: str, way: str, learner: str) -> tuple[int, int]:
    world = World()
    exercise = Exercise(assignment, world=world, learner=learner, folder=ROOT / "khong-co")
    do_exercise(exercise, way)
    ctx = _graded(world, assignment)
    names = [n for cell in declared(ROOT / "exercises/source" / assignment
                                    / f"{assignment}.ipynb")[0].values() for n in cell]
    return sum(req.evaluate(ctx, n) is None for n in names), len(names)


@pytest.mark.parametrize("assignment", sorted(a for a, s in catalogue().items() if not s.get("practice")))
def test_doing_the_scenario_passes_and_doing_nothing_fails(assignment):
    for learner in ("hv-01", "hv-02", "hv-03"):  # three different variants
        passed, total = _score(assignment, "dung-het", learner)
        assert passed == total
        assert _score(assignment, "bo-trong", learner)[0] == 0


@pytest.mark.parametrize("assignment", sorted(a for a, s in catalogue().items() if not s.get("practice")))
def test_run_all_leaves_every_task_to_do(assignment, tmp_path):
    """Running the released notebook's cells performs no step: every checklist item is to do."""
    exercise = Exercise(assignment, world=World(), learner="hv-01", folder=tmp_path)
    assert all(todo is not None for _, _, todo in exercise.progress())
    rows = exercise.show_checklist()
    assert f"0/{len(rows)} bước" in exercise.checklist.value and "Gợi ý" in exercise.checklist.value


def test_variants_differ_between_learners():
    seen = {Exercise("thanh-toan-hoa-don", world=World(), learner=f"hv-{i}",
                     folder=ROOT / "khong-co").scenario.values["bill_code"] for i in range(8)}
    assert len(seen) >= 4


@pytest.mark.parametrize("source", SOURCES, ids=lambda p: p.parent.name)
def test_no_answer_is_readable_in_the_notebook(source):
    """Answers live in the course's key, never in a notebook cell (locked cells and metadata
    included)."""
    text = source.read_text(encoding="utf-8")
    spec = load_key().spec(source.parent.name)
    for question in spec["questions"].values():
        for answer in question.get("answers", {"": question.get("answer")}).values():
            if not answer.startswith(("$", "@")) and len(answer) > 12:  # not "Mã hồ sơ"
                assert answer not in text, answer
    for key in ("situations", "support_cases", "copies", "qr_traps", "needs"):
        for entry in spec.get(key, []):
            for value in entry.values():
                if isinstance(value, str) and len(value) > 12:
                    assert value not in text, value


def test_nbgrader_validate_shows_progress_but_never_correctness(tmp_path):
    """The learner's Validate button: an untouched exercise fails with Vietnamese hints; one
    with every answer given (all wrong here) passes, since only the grader judges answers."""
    import os
    import shutil
    import subprocess
    import sys

    from congdanso.grading.variants import write_variant_table

    name = "an-toan-lua-dao"
    course = tmp_path / "khoa"
    shutil.copytree(ROOT / "exercises/source" / name, course / "source" / name)
    shutil.copy(ROOT / "exercises/nbgrader_config.py", course)
    shutil.copy(ROOT / "exercises/dap-an.json", course)
    # nbgrader reads ~/.jupyter/nbgrader_config.py too: the course's settings only
    env = jupyter_env(tmp_path, CONGDANSO_LEARNER="hv-x",
                      PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}")
    subprocess.run([sys.executable, "-m", "nbgrader", "generate_assignment", name, "--force"],
                   cwd=course, env=env, check=True, capture_output=True, timeout=300)
    write_variant_table(course, name, ["hv-x"])
    work = tmp_path / "lam"
    shutil.copytree(course / "release" / name, work)

    def validate() -> str:
        return subprocess.run([sys.executable, "-m", "nbgrader", "validate",
                               str(work / f"{name}.ipynb")], env=env, capture_output=True,
                              text=True, timeout=300).stdout

    empty = validate()
    assert "Chưa trả lời câu" in empty and "Success" not in empty
    do_exercise(Exercise.open(name, folder=work, learner="hv-x"), "sai")
    assert "Success! Your notebook passes all the tests." in validate()


def test_restart_and_close_leave_a_serialisable_widget_state(tmp_path):
    """Làm lại rebuilds the scenario; closing an exercise closes all of it. Either way the
    notebook's widget state (what JupyterLab saves and Voilà shows) still serialises."""
    import ipywidgets as widgets

    exercise = Exercise("ho-tro-nguoi-dan", world=World(), learner="hv-01", folder=tmp_path)
    do_exercise(exercise, "dung-het")
    exercise._click_restart()
    assert "lần nữa" in exercise.restart_note.value
    exercise._click_restart()
    assert all(todo is not None for _, _, todo in exercise.progress())
    widgets.Widget.get_manager_state(drop_defaults=True)
    exercise.close()
    widgets.Widget.get_manager_state(drop_defaults=True)


@pytest.mark.parametrize("practice", sorted(a for a, s in catalogue().items() if s.get("practice")))
def test_lesson_practice_can_be_done_and_says_right_or_wrong_at_once(practice, tmp_path):
    """A lesson's practice (not graded) checks answers immediately: done right, every step is ✔;
    answered wrong, the checklist says which answer is not right."""
    right = Exercise(practice, world=World(), learner="hv-01", folder=tmp_path / "dung")
    do_exercise(right, "dung-het")
    assert [todo for _, _, todo in right.progress()] == [None] * len(right.spec["checklist"])
    wrong = Exercise(practice, world=World(), learner="hv-01", folder=tmp_path / "sai")
    do_exercise(wrong, "sai")
    todo = [t for name, _, t in wrong.progress() if name.startswith(req.ANSWER)]
    assert todo and all(t is not None and "chưa đúng" in t for t in todo)
    assert "phương án tự luyện" not in right.root.children[1].value  # no "not graded" warning
