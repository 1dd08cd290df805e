"""A grade is a claim (issue 23): nothing on the learner's side tells which option is right,
options give no cue, correct work typed the way lessons teach is credited, and the grader's
other paths (classic code cells, oversized journals, refused hand-ins, a course without the
package) cannot be turned into points."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from congdanso import World
from congdanso.grading import requirements as req
from congdanso.grading.key import load_key
from congdanso.grading.variants import catalogue
from congdanso.ui.exercise import Exercise

ROOT = Path(__file__).resolve().parents[1]
GRADED = sorted(a for a, s in catalogue().items() if not s.get("practice"))
LEARNERS = [f"hv-{i:02d}" for i in range(1, 41)]


def _right(key, world, scenario, question: str):
    """The right option, also for the answers the grader reads from the world ("@"): a returned
    copy's verdict is the verifier's for that kind of copy; a QR is paid only if it is the
    collector's ("dung")."""
    from congdanso.world.signatures.signing import VERDICTS

    answer = key.answer(scenario, question)
    if answer.startswith("@verdict_"):
        return VERDICTS[scenario.values["copy_" + answer.removeprefix("@verdict_")]][0]
    if answer == "@qr_pay":
        return scenario.question(question)["options"][0 if scenario.values["trap"] == "dung"
                                                      else 1]
    return key.expected(world, scenario, question)


def _strings(root: object, skip: tuple[type, ...]) -> list[str]:
    """Every string reachable from ``root`` through attributes, dicts, lists, tuples and sets,
    leaving out objects of the ``skip`` types (the simulated world, read through the phone)."""
    seen: set[int] = set()
    found: list[str] = []
    todo = [root]
    while todo:
        item = todo.pop()
        if id(item) in seen or isinstance(item, skip):
            continue
        seen.add(id(item))
        if isinstance(item, str):
            found.append(item)
        elif isinstance(item, dict):
            todo += list(item.keys()) + list(item.values())
        elif isinstance(item, list | tuple | set | frozenset):
            todo += list(item)
        elif hasattr(item, "__dict__") and not isinstance(item, type):
            todo += list(vars(item).values())
            traits = getattr(item, "_trait_values", None)  # ipywidgets keep values here
            if isinstance(traits, dict):
                todo += list(traits.values())
    return found


@pytest.mark.parametrize("assignment", GRADED)
def test_nothing_the_exercise_exposes_tells_the_right_option(assignment, tmp_path):
    """A learner-side search of every object the exercise exposes (scenario, questions, widgets,
    checklist, the catalogue the kernel loaded): the right option of a choice question occurs no
    more often than the options it is shown with, and no answer key is held anywhere."""
    from congdanso.world.world import World as WorldType

    key = load_key()
    for learner in LEARNERS[:6]:
        world = World()
        exercise = Exercise(assignment, world=world, learner=learner, folder=tmp_path)
        exercise.show_checklist()
        strings = _strings([exercise, catalogue()[assignment]], (WorldType,))
        text = "\n".join(strings)
        for question in catalogue()[assignment]["questions"]:
            asked = exercise.scenario.question(question)
            if asked["kind"] != "choice":
                continue
            right = _right(key, world, exercise.scenario, question)
            counts = {o: sum(s == o for s in strings) for o in asked["options"]}
            assert counts[right] <= min(counts.values()), (learner, question, counts)
        for word in ('"answer"', "answers", "verdict", "case_answer", "qr_pay"):
            assert word not in {s.strip() for s in strings}, word
        assert "expected_now" not in text
        assert not hasattr(exercise.scenario, "expected")
        exercise.close()


def test_no_practice_in_the_package_maps_a_graded_situation_to_its_answer():
    """Lessons' practices carry their answers in the package (they say right or wrong at once);
    none of them may share a situation id with a graded exercise, and no list item anywhere in
    the package says which verdict, payment or procedure is right."""
    graded_ids = {item["id"] for a in GRADED for name in ("needs", "copies", "qr_traps",
                                                           "messages", "situations")
                  for item in catalogue()[a].get(name, [])}
    for name, spec in catalogue().items():
        for lst in ("needs", "copies", "qr_traps", "messages"):
            for item in spec.get(lst, []):
                assert not {"verdict", "advice", "pay"} & set(item), (name, lst, item["id"])
                if spec.get("practice") and ({"procedure", "fields", "scam"} & set(item)):
                    assert item["id"] not in graded_ids, (name, lst, item["id"])


def _pick(options: list[str], way: str) -> str:
    if way == "dai-nhat":
        return max(options, key=len)
    if way == "ngan-nhat":
        return min(options, key=len)
    return options[{"dau-tien": 0, "thu-hai": 1}[way]]


WAYS = ("dai-nhat", "ngan-nhat", "dau-tien", "thu-hai")


def test_picking_by_position_or_length_wins_no_more_than_chance():
    """A learner who picks the longest, shortest, first or second option (as shown to them)
    wins, on every exercise, no more than chance + 0.1 of its choice points."""
    from congdanso.grading.variants import derive, practice_token

    key, world = load_key(), World()  # drawing a scenario only reads the world
    for assignment in GRADED:
        wins = dict.fromkeys(WAYS, 0)
        chance = items = 0
        for learner in LEARNERS:  # what Exercise draws for a learner (options as shown)
            scenario = derive(world, assignment, practice_token(assignment, learner), learner)
            for question in catalogue()[assignment]["questions"]:
                if scenario.question(question)["kind"] != "choice":
                    continue
                shown = scenario.options(question)
                right = _right(key, world, scenario, question)
                for way in WAYS:
                    wins[way] += _pick(shown, way) == right
                chance += 1 / len(shown)
                items += 1
        for way in WAYS:
            assert wins[way] / items <= chance / items + 0.1, (assignment, way,
                                                                wins[way] / items,
                                                                chance / items)


def test_right_options_are_not_longer_than_the_others_on_average():
    key = load_key()
    for assignment in GRADED:
        right, others = [], []
        for question in key.spec(assignment)["questions"].values():
            for variant in question.get("variants", []):
                answer = question["answers"][variant["id"]]
                right.append(len(answer))
                others += [len(o) for o in variant["options"] if o != answer]
        if right:
            assert sum(right) / len(right) <= sum(others) / len(others), assignment


def _self_check_texts() -> str:
    """What lessons show with its answer right away: self-checks, practices, handouts."""
    texts = [p.read_text(encoding="utf-8") for p in sorted((ROOT / "course").rglob("*"))
             if p.suffix in (".ipynb", ".md", ".json", ".py") and p.is_file()]
    practice = {a: s for a, s in catalogue().items() if s.get("practice")}
    return "\n".join(texts) + json.dumps(practice, ensure_ascii=False)


def test_graded_items_are_new_situations_not_a_self_checks_words():
    """A graded question with a fixed answer (the same for every learner, not read from the
    learner's own situation) has at least three variants, and no variant's prompt appears in a
    lesson, self-check or practice."""
    shown = _self_check_texts()
    key = load_key()
    for assignment in GRADED:
        for qid, question in catalogue()[assignment]["questions"].items():
            answer = key.spec(assignment)["questions"][qid].get("answer", "")
            if str(answer).startswith(("@", "$")):  # read from the learner's own situation
                continue
            for variant in question.get("variants", [question]):
                prompt = variant["prompt"]
                if "$" not in prompt:
                    assert prompt not in shown, (assignment, qid, prompt)
            assert len(question.get("variants", [])) >= 3, (assignment, qid)


def test_message_context_is_no_cue():
    """Every message of the scam exercise carries a context line, or none does."""
    for assignment, spec in catalogue().items():
        messages = spec.get("messages", [])
        with_context = [m for m in messages if m.get("context")]
        assert len(with_context) in (0, len(messages)), assignment


# -- one normaliser ---------------------------------------------------------------------------
def test_forms_people_type_are_the_same_value_everywhere():
    from congdanso.world import normalize

    assert normalize.id_number("087 062 514 932") == "087062514932"
    assert normalize.id_number("087.062.514.932") == "087062514932"
    assert normalize.phone("+84 912 345 678") == normalize.phone("0912.345.678") == "0912345678"
    assert normalize.code(" h74.lth-260312-0003 ") == "H74.LTH-260312-0003"
    assert normalize.amount("150.000 đ") == normalize.amount("150,000") == 150_000
    assert normalize.same("name", "NGUYEN VAN AN", "Nguyễn Văn An")
    nfd = "Nguye\u0302\u0303n"
    assert normalize.same(None, nfd, "Nguyễn")
    assert not normalize.same("code", "H74.LTH-260312-0004", "H74.LTH-260312-0003")


def test_an_id_typed_in_groups_of_three_is_credited():
    """The police desk accepts "087 062 514 932" and a phone typed with dots; so do Kiểm tra and
    the grader: a volunteer who types as lesson 00 teaches is not marked as not having done it."""
    key = load_key()
    assignment = "tai-khoan-dvc"
    learner = next(x for x in LEARNERS if Exercise(assignment, world=World(), learner=x,
                                                    folder=ROOT / "khong-co")
                   .scenario.values["situation"] == "moi")
    world = World()
    ex = Exercise(assignment, world=world, learner=learner, folder=ROOT / "khong-co")
    person = ex.person()
    spaced = " ".join(person.id_number[i:i + 3] for i in range(0, 12, 3))
    dotted_phone = f"{person.phone[:4]}.{person.phone[4:7]}.{person.phone[7:]}"
    ctx = req.Context(world, [], ex.scenario, key)
    assert req.evaluate(ctx, "vneid-muc-2") is not None  # nothing done yet
    ex.police.enroll(spaced, dotted_phone)
    assert world.vneid.account_of(person.id_number) is not None  # the desk accepted it
    events = req.events_since_begin(req.journal_bodies(world), assignment)[1]
    assert events[-1]["args"]["id_number"] == spaced  # the journal keeps what was typed
    for judge in (key, None):  # the grader, and Kiểm tra in the learner's kernel
        ctx = req.Context(world, events, ex.scenario, judge)
        assert req.evaluate(ctx, "vneid-muc-2") is None


def test_a_dossier_looked_up_in_lower_case_counts():
    assignment = "ho-so-truc-tuyen"
    key = load_key()
    world = World()
    from hands import do_exercise

    ex = Exercise(assignment, world=world, learner="hv-05", folder=ROOT / "khong-co")
    do_exercise(ex, "dung-het")
    code = next(d.code for d in world.portal.dossiers.values()
                if d.id_number == ex.scenario.resident
                and d.code != ex.scenario.values.get("supplement_code"))
    world.portal.lookup("  " + code.lower() + " ")  # the portal finds it
    events = req.events_since_begin(req.journal_bodies(world), assignment)[1]
    typed = [e for e in events if e["action"] == "portal.lookup"]
    typed[-1]["args"]["code"] = code.lower() + " "
    only_lower = [e for e in events if e["action"] != "portal.lookup"] + [typed[-1]]
    ctx = req.Context(world, only_lower, ex.scenario, key)
    assert req.evaluate(ctx, "ho-so-tra-cuu") is None
    assert req.same_answer(code.lower(), code, "code")


# -- the grader's other paths -----------------------------------------------------------------
def test_the_course_config_refuses_to_grade_without_the_package(tmp_path):
    """Without congdanso, nbgrader would grade the stock way (grade cells in the learner's
    notebook): run through nbgrader itself, the course's config stops it with a Vietnamese
    message and nbgrader grades nothing."""
    course = tmp_path / "khoa"
    course.mkdir()
    shutil.copy(ROOT / "exercises/nbgrader_config.py", course)
    runner = tmp_path / "chay.py"
    runner.write_text(
        "import sys\nsys.modules['congdanso'] = None  # as if not installed\n"
        "from nbgrader.apps import NbGraderApp\n"
        "sys.argv = ['nbgrader', 'autograde', 'bai']\n"
        "NbGraderApp.launch_instance()\n", encoding="utf-8")
    home = tmp_path / "nha"
    env = {**os.environ, "HOME": str(home), "JUPYTER_CONFIG_DIR": str(home / "cfg"),
           "JUPYTER_DATA_DIR": str(home / "data"), "JUPYTER_RUNTIME_DIR": str(home / "rt")}
    result = subprocess.run([sys.executable, str(runner)], capture_output=True, text=True,
                            timeout=120, cwd=course, env=env)
    assert result.returncode != 0
    assert "cần gói congdanso để chấm" in result.stdout + result.stderr
    assert not (course / "gradebook.db").exists() and not (course / "autograded").exists()


def _classic_course(tmp_path: Path, work: dict[str, tuple[str, str | None]]) -> Path:
    """A course whose one assignment has a code cell; ``work``: learner → (their solution cell,
    a cell they added after it, or None)."""
    from congdanso.cohort import grading
    from congdanso.cohort.roster import import_roster

    course = tmp_path / "khoa-ma"
    (course / "source" / "bai").mkdir(parents=True)
    shutil.copy(ROOT / "exercises/nbgrader_config.py", course)
    shutil.copy(ROOT / "exercises/dap-an.json", course)

    def cell(cid, source, **meta):
        return {"cell_type": "code", "execution_count": None, "id": cid, "outputs": [],
                "metadata": {"nbgrader": {"grade_id": cid, "schema_version": 3, "task": False,
                                          "locked": not meta.get("solution", False),
                                          "grade": meta.get("grade", False),
                                          "solution": meta.get("solution", False),
                                          **({"points": 1} if meta.get("grade") else {})}},
                "source": source}

    nb = {"cells": [cell("lam", "answer = None\n", solution=True),
                    cell("kiem", "assert answer == 42", grade=True)],
          "metadata": {"kernelspec": {"display_name": "Python 3", "language": "python",
                                      "name": "python3"}},
          "nbformat": 4, "nbformat_minor": 5}
    (course / "source/bai/bai.ipynb").write_text(json.dumps(nb), "utf-8")
    (tmp_path / "ds.csv").write_text(
        "Mã học viên,Họ và tên,Phường,Khu phố,Vai trò\n" + "".join(
            f"{x},Học Viên {i},Phường Lái Thiêu,Khu phố Đông Nhì,Tình nguyện viên\n"
            for i, x in enumerate(work, 1)), "utf-8")
    import_roster(tmp_path / "ds.csv", course)
    grading.generate(course)
    grading.release(course)
    for learner, (answer, added) in work.items():
        folder = course / "submitted" / learner / "bai"
        shutil.copytree(course / "release" / "bai", folder)
        done = json.loads((folder / "bai.ipynb").read_text("utf-8"))
        done["cells"][0]["source"] = answer
        if added:
            done["cells"].insert(1, {"cell_type": "code", "execution_count": None,
                                     "id": "them", "metadata": {}, "outputs": [],
                                     "source": added})
        (folder / "bai.ipynb").write_text(json.dumps(done), "utf-8")
    return course


@pytest.mark.nbgrader
def test_learner_code_cannot_turn_a_code_test_into_a_pass(tmp_path):
    """The attack of the issue: the answer cell installs an IPython input transformer that turns
    ``assert`` into ``pass``. The honest learner keeps the point; the transformer earns none and
    is listed for the trainer."""
    from congdanso.cohort import grading

    attack = ("ip = get_ipython()\n"
              "ip.input_transformers_post.append(\n"
              "    lambda lines: [l.replace('assert', 'pass #') for l in lines])\n")
    equal_to_all = "class Bat:\n    __eq__ = lambda self, other: True\n\nanswer = Bat()\n"
    course = _classic_course(tmp_path, {
        "hv-a": ("answer = 6 * 7\n", None), "hv-b": (attack, None),
        "hv-c": (equal_to_all, None), "hv-d": ("answer = None\n", attack)})
    results = {r.student: r for r in grading.autograde(course, jobs=1)}
    assert results["hv-a"].score == 1
    for learner in ("hv-b", "hv-c", "hv-d"):  # in the answer cell, or in a cell added after it
        assert results[learner].score == 0, learner
        assert any("can thiệp vào cách chạy ô chấm" in f for f in results[learner].flags)
    assert any("đã chạy trong vùng cách ly" in f for f in results["hv-d"].flags)


def test_an_oversized_or_endless_journal_is_flagged_not_graded(tmp_path, monkeypatch):
    from congdanso.grading import decide
    from congdanso.world.core.journal import DEFAULT_NAME
    from hands import do_exercise

    assignment = "an-toan-lua-dao"
    folder = tmp_path / "bai"
    folder.mkdir()
    world = World.open(folder / DEFAULT_NAME)
    ex = Exercise(assignment, world=world, learner="hv-a", folder=folder)
    do_exercise(ex, "dung-het")
    ex.close()
    secret = b"k" * 32
    from congdanso.grading.variants import token_for

    assert ex.token != token_for(secret, assignment, "hv-a")  # a practice token here
    monkeypatch.setattr(decide, "MAX_JOURNAL_EVENTS", 5)
    judged = decide.judge(folder, assignment, "hv-a", secret, load_key())
    assert "dài bất thường" in judged.problem and "sự kiện" in judged.problem
    assert any("vượt ngân sách chấm" in f for f in judged.flags)
    monkeypatch.setattr(decide, "MAX_JOURNAL_EVENTS", 20_000)
    monkeypatch.setattr(decide, "REPLAY_SECONDS", -1)
    judged = decide.judge(folder, assignment, "hv-a", secret, load_key())
    assert "dài bất thường" in judged.problem and "giây" in judged.problem


def test_work_done_faster_than_a_person_is_listed_for_the_trainer():
    from congdanso.grading.decide import too_fast

    begin = {"at": "2026-03-02T08:00:00.000+00:00"}
    quick = [{"at": f"2026-03-02T08:00:0{i}.000+00:00"} for i in range(8)]  # 8 steps in 7 s
    assert too_fast(begin, quick) and "8 thao tác" in too_fast(begin, quick)[0]
    steady = [{"at": f"2026-03-02T08:{i + 1:02d}:00.000+00:00"} for i in range(8)]
    assert too_fast(begin, steady) == []
    assert too_fast(begin, quick[:3]) == []  # a few quick taps are nothing


@pytest.mark.parametrize("assignment", GRADED)
def test_a_wrong_answer_says_where_to_look_never_the_answer(assignment):
    from congdanso.grading.key import judging
    from hands import do_exercise

    key = load_key()
    world = World()
    ex = Exercise(assignment, world=world, learner="hv-07", folder=ROOT / "khong-co")
    do_exercise(ex, "sai")  # every step done, every answer wrong
    with judging(key):
        replayed = World.from_journal_bytes(world.journal.data(), files=world.files)
    events = req.events_since_begin(req.journal_bodies(world), assignment)[1]
    ctx = req.Context(replayed, events, replayed.course.exercise(assignment).scenario, key)
    for question in catalogue()[assignment]["questions"]:
        message = req.evaluate(ctx, "cau:" + question)
        assert message is not None and "Xem lại:" in message, (question, message)
        expected = key.expected(replayed, ctx.scenario, question)
        if isinstance(expected, str) and len(expected) > 3 and not expected.startswith("@"):
            assert expected not in message, (question, message)
    ex.close()


def test_a_class_server_learner_holds_only_their_own_token(tmp_path, monkeypatch):
    """On a class-server course no table of tokens is released (even one left in release/ by
    an earlier release); each learner's server is given that learner's tokens only, and the
    exercise finds its token there."""
    from congdanso.cohort import grading
    from congdanso.cohort.roster import import_roster
    from congdanso.grading.variants import (
        CLASS_MARK,
        OWN_TOKENS,
        VARIANTS_FILE,
        token_in_folder,
        tokens_of,
    )
    from congdanso.hub.home import prepare

    assignment = "an-toan-lua-dao"
    course = tmp_path / "khoa"
    shutil.copytree(ROOT / "exercises/source" / assignment, course / "source" / assignment)
    shutil.copy(ROOT / "exercises/nbgrader_config.py", course)
    shutil.copy(ROOT / "exercises/dap-an.json", course)
    (tmp_path / "ds.csv").write_text(
        "Mã học viên,Họ và tên,Phường,Khu phố,Vai trò\n"
        "hv-a,Nguyễn Văn An,Phường Lái Thiêu,Khu phố Đông Nhì,Tình nguyện viên\n"
        "hv-b,Trần Thị Bình,Phường Lái Thiêu,Khu phố Đông Nhì,Tình nguyện viên\n", "utf-8")
    import_roster(tmp_path / "ds.csv", course)
    grading.generate(course)
    (course / "release" / assignment / VARIANTS_FILE).write_text('{"tokens": {}}', "utf-8")
    (course / CLASS_MARK).parent.mkdir(exist_ok=True)
    (course / CLASS_MARK).write_text("lop-thu\n", "utf-8")
    grading.release(course)
    outbound = course / "exchange" / "congdanso" / "outbound" / assignment
    assert (outbound / f"{assignment}.ipynb").exists()
    assert not (outbound / VARIANTS_FILE).exists()
    assert not (course / "release" / assignment / VARIANTS_FILE).exists()
    home = tmp_path / "nha-hv-a"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    mine = tokens_of(course, "hv-a")
    prepare({"tokens": {"learner": "hv-a", "tokens": mine}})
    own = home / OWN_TOKENS
    assert oct(own.stat().st_mode & 0o777) == "0o600"
    assert tokens_of(course, "hv-b")[assignment] not in own.read_text("utf-8")
    assert token_in_folder(outbound, assignment, "hv-a") == (mine[assignment], True)
    assert token_in_folder(outbound, assignment, "hv-b")[1] is False  # not hv-b's server


def test_a_course_without_its_answer_key_is_refused_with_one_message(tmp_path, capsys):
    from congdanso.cli import main

    course = tmp_path / "khoa"
    shutil.copytree(ROOT / "exercises/source/an-toan-lua-dao", course / "source/an-toan-lua-dao")
    shutil.copy(ROOT / "exercises/nbgrader_config.py", course)
    (course / ".congdanso").mkdir()
    (course / ".congdanso/bi-mat-khoa-hoc").write_text("ab" * 32 + "\n", "ascii")
    (course / "submitted/hv-a/an-toan-lua-dao").mkdir(parents=True)
    assert main(["autograde", "--course", str(course)]) == 1
    err = capsys.readouterr().err
    assert "thiếu tệp đáp án" in err and "dap-an.json" in err
    (course / "dap-an.json").write_text("{không phải JSON", "utf-8")
    assert main(["autograde", "--course", str(course)]) == 1
    assert "bị hỏng" in capsys.readouterr().err


def test_filing_a_dossier_for_every_guess_is_not_choosing_the_procedure():
    from congdanso.grading.key import judging
    from hands import do_exercise

    key = load_key()
    assignment = "ho-so-truc-tuyen"
    world = World()
    ex = Exercise(assignment, world=world, learner="hv-06", folder=ROOT / "khong-co")
    do_exercise(ex, "dung-het")
    right = key.values(world, ex.scenario)["procedure"]

    def graded():
        with judging(key):
            replayed = World.from_journal_bytes(world.journal.data(), files=world.files)
        events = req.events_since_begin(req.journal_bodies(world), assignment)[1]
        return req.Context(replayed, events, replayed.course.exercise(assignment).scenario, key)

    assert req.evaluate(graded(), "ho-so-nop") is None
    other = "HT-TLBS" if right == "HT-XNHN" else "HT-XNHN"
    portal = ex.phones[0].open("portal")
    portal.open_procedure(other)
    portal.fill(**({"purpose": "Vay vốn ngân hàng"} if other == "HT-XNHN"
                   else {"record_kind": "Khai sinh", "copies": "1"}))
    portal.confirm_prefilled()
    portal.submit()
    assert "nhiều thủ tục khác nhau" in req.evaluate(graded(), "ho-so-nop")
    ex.close()
