"""Item analysis, validated on a cohort drawn from an item-response model.

300 learners with normal abilities answer 30 items of a two-parameter logistic (2PL) model with
spread difficulties, over three assignments, plus planted faults: an item that discriminates the
wrong way (negative slope), an item everyone passes, one nobody passes, and a choice item with a
wrong option nobody is drawn to. The analysis gets the same tables the report reads (the
gradebook's scores, the cells' tags, the grader's answer records through the course's
``tra-loi.csv``) and must recover the model's difficulty order and flag exactly the plants.
"""

from __future__ import annotations

import csv
import math
import stat

import numpy as np
import pandas as pd
import pytest
from congdanso.cohort import items as ia
from congdanso.cohort import responses

LEARNERS, ITEMS = 300, 30
CHOICE = {4: 0, 11: 1, 17: 2, 23: 3}  # item index → which choice question it is
UNUSED_OPTION = "Gọi tổng đài ghi trên tờ rơi dán ở cột điện"


def _spearman(a: pd.Series, b: pd.Series) -> float:
    """Spearman's rank correlation (scipy if installed, else Pearson on pandas' ranks)."""
    try:
        from scipy.stats import spearmanr
    except ImportError:
        return float(a.rank().corr(b.rank()))
    return float(spearmanr(a, b).statistic)


def _irt_cohort(seed: int = 23):
    """(scores, tags, records, model): gradebook-shaped scores of a 2PL cohort and the plants."""
    rng = np.random.default_rng(seed)
    theta = rng.normal(0, 1, LEARNERS)
    b = rng.permutation(np.linspace(-2.2, 2.2, ITEMS))
    a = rng.uniform(0.8, 2.0, ITEMS)
    # choice items sit in the middle of the scale, so every real distractor has takers
    for index in CHOICE:
        b[index] = rng.uniform(-1.2, 1.2)
    learners = [f"hv-{i:03d}" for i in range(LEARNERS)]
    cells = [(f"bai-{1 + i // 10}", f"o-{i:02d}") for i in range(ITEMS)]
    planted = {"nguoc": ("bai-2", "o-nguoc"), "de": ("bai-1", "o-ai-cung-dat"),
               "kho": ("bai-3", "o-khong-ai-dat")}
    rows, records = [], []
    for i, learner in enumerate(learners):
        right = rng.random(ITEMS) < 1 / (1 + np.exp(-a * (theta[i] - b)))
        for j, (assignment, cell) in enumerate(cells):
            rows.append((learner, assignment, cell, float(right[j])))
            if j in CHOICE:
                q = CHOICE[j]
                options = [f"Đáp án đúng của câu {q}", f"Nhầm lẫn thứ nhất {q}",
                           f"Nhầm lẫn thứ hai {q}",
                           UNUSED_OPTION if q == 0 else f"Nhầm lẫn thứ ba {q}"]
                wrong = options[1:3] if q == 0 else options[1:]
                value = options[0] if right[j] else str(rng.choice(wrong))
                records.append({"student": learner, "assignment": assignment, "cell": cell,
                                "question": f"cau-{q}", "value": value,
                                "correct": bool(right[j]), "options": options})
            elif j % 5 == 0:  # a typed answer: recorded, no options
                records.append({"student": learner, "assignment": assignment, "cell": cell,
                                "question": f"go-{j}", "value": "087 062 514 932",
                                "correct": bool(right[j]), "options": []})
        slope = -1.5  # the planted bad item: the abler the learner, the likelier to fail it
        bad = rng.random() < 1 / (1 + math.exp(-slope * theta[i]))
        rows.append((learner, *planted["nguoc"], float(bad)))
        rows.append((learner, *planted["de"], 1.0))
        rows.append((learner, *planted["kho"], 0.0))
    scores = pd.DataFrame(rows, columns=["learner", "assignment", "cell", "score"])
    scores["notebook"] = scores["assignment"]
    scores["max_score"] = 1.0
    scores = scores.sample(frac=1, random_state=seed)  # the gradebook has no order
    tags = pd.DataFrame([{"assignment": s, "notebook": s, "cell": c, "competency": "TK1"}
                         for s, c in [*cells, *planted.values()]])
    model = pd.DataFrame({"assignment": [s for s, _ in cells], "cell": [c for _, c in cells],
                          "b": b, "a": a})
    return scores, tags, records, model, planted


@pytest.fixture(scope="module")
def cohort(tmp_path_factory):
    scores, tags, records, model, planted = _irt_cohort()
    course = tmp_path_factory.mktemp("khoa")
    graded = {(r["student"], r["assignment"]) for r in records}
    responses.merge(course, records, graded)
    kept = responses.read(course)
    analysis = ia.analyse_items(scores, tags, ia.responses_frame(kept))
    return {"analysis": analysis, "model": model, "planted": planted, "course": course,
            "records": records, "kept": kept}


def test_difficulty_order_agrees_with_the_model(cohort):
    items = cohort["analysis"].items.set_index(["assignment", "cell"])
    model = cohort["model"].set_index(["assignment", "cell"])
    p = items.loc[model.index, "difficulty"]
    assert _spearman(p, -model["b"]) >= 0.9
    assert len(items) == ITEMS + 3 and (items["answers"] == LEARNERS).all()
    assert list(items["number"]) == list(range(1, ITEMS + 4))


def test_exactly_the_planted_items_are_flagged(cohort):
    analysis = cohort["analysis"]
    items = analysis.items.set_index("cell")
    planted = {key: cell for key, (_, cell) in cohort["planted"].items()}
    unused_cell = f"o-{next(i for i, q in CHOICE.items() if q == 0):02d}"
    flagged = {cell: flags for cell, flags in items["flags"].items() if flags}
    assert flagged == {planted["nguoc"]: [ia.NEGATIVE], planted["de"]: [ia.EVERYONE],
                       planted["kho"]: [ia.NOBODY], unused_cell: [ia.UNUSED]}
    assert items.loc[planted["nguoc"], "discrimination"] < -0.2
    good = items.drop(list(planted.values()))["discrimination"]
    assert (good > 0).all(), good.min()
    assert items.loc[unused_cell, "unused_options"] == f"“{UNUSED_OPTION}”"
    assert items.loc[planted["de"], "difficulty"] == 1 and pd.isna(
        items.loc[planted["de"], "discrimination"])
    assert ia.flag_words(items.loc[planted["nguoc"], "flags"]) == "⚠\u00a0Phân biệt ngược"


def test_options_are_counted_per_question(cohort):
    options = cohort["analysis"].options
    assert set(options["question"]) == {f"cau-{q}" for q in CHOICE.values()}  # typed: none
    records = pd.DataFrame([r for r in cohort["records"] if r["options"]])
    for question, asked in options.groupby("question"):
        given = records[records["question"] == question]
        assert asked["picks"].sum() == len(given) == LEARNERS
        assert asked["answers"].eq(LEARNERS).all()
        assert list(asked["position"]) == [1, 2, 3, 4]
        assert asked.set_index("option")["picks"].to_dict() == given["value"].value_counts() \
            .reindex(asked["option"]).fillna(0).astype(int).to_dict()
        assert list(asked["right"]) == [True, False, False, False]
    unused = options[options["unused"]]
    assert list(unused["option"]) == [UNUSED_OPTION]


def test_the_answer_file_is_private_and_replaces_a_regraded_submission(cohort):
    course = cohort["course"]
    path = course / responses.FILE
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    kept = cohort["kept"]
    assert len(kept) == len(cohort["records"])
    assert kept[0].keys() == cohort["records"][0].keys()
    before = responses.read(course)
    learner = before[0]["student"]
    assignment = before[0]["assignment"]
    regraded = [{"student": learner, "assignment": assignment, "cell": "o-04",
                 "question": "cau-0", "value": "=HYPERLINK(\"http://x\")", "correct": False,
                 "options": ["Đáp án đúng của câu 0", "=HYPERLINK(\"http://x\")"]}]
    responses.merge(course, regraded, {(learner, assignment)})
    after = responses.read(course)
    mine = [r for r in after if (r["student"], r["assignment"]) == (learner, assignment)]
    assert mine == regraded  # the older rows of this learner and assignment are gone
    assert [r for r in after if r not in mine] == [
        r for r in before if (r["student"], r["assignment"]) != (learner, assignment)]
    with open(path, encoding="utf-8-sig", newline="") as f:
        cells = [cell for row in csv.reader(f) for cell in row]
    assert "'=HYPERLINK(\"http://x\")" in cells  # text to a spreadsheet, not a formula
    assert not any(cell.startswith("=") for cell in cells)
    assert not list(course.glob(".congdanso/*.tmp"))
    responses.merge(course, [], {(learner, assignment)})  # graded again, nothing recorded
    assert len(responses.read(course)) == len(after) - 1


def test_no_answer_file_no_distractor_columns(tmp_path):
    assert responses.read(tmp_path) is None
    assert responses.merge(tmp_path, [], {("hv-1", "bai-1")}) is None
    assert not (tmp_path / ".congdanso").exists()
    scores, tags, *_ = _irt_cohort()
    analysis = ia.analyse_items(scores, tags, ia.responses_frame(None))
    assert not analysis.has_responses and analysis.options.empty
    assert analysis.items["unused_options"].isna().all()
    assert all(ia.UNUSED not in f for f in analysis.items["flags"])


def test_no_verdict_on_too_few_answers():
    few = ia.MIN_RESPONSES - 1
    scores = pd.DataFrame([{"learner": f"hv-{i}", "assignment": "bai", "notebook": "bai",
                            "cell": cell, "score": score, "max_score": 2}
                           for i in range(few)
                           for cell, score in (("de", 2), ("kho", 0), ("vua", 2 * (i % 2)),
                                               ("vua-2", 2 * (i % 2)), ("vua-3", 2 * (i % 2)),
                                               ("nguoc", 2 * (1 - i % 2)))])
    ungraded = scores[scores["cell"] == "de"].assign(cell="khong-diem", max_score=0)
    items = ia.analyse_items(pd.concat([scores, ungraded])).items.set_index("cell")
    assert "khong-diem" not in items.index  # a cell worth no points is no item
    assert items.loc["de", "difficulty"] == 1
    assert items.loc["vua", "difficulty"] == pytest.approx(sum(i % 2 for i in range(few)) / few)
    assert items.loc["nguoc", "discrimination"] == pytest.approx(-1)
    assert items["flags"].map(len).eq(0).all()
    more = pd.concat([scores, scores.assign(learner=scores["learner"] + "b")])
    items = ia.analyse_items(more).items.set_index("cell")
    assert items.loc["de", "flags"] == [ia.EVERYONE] and items.loc["kho", "flags"] == [ia.NOBODY]
    assert items.loc["nguoc", "flags"] == [ia.NEGATIVE]
    assert items.loc[["vua", "vua-2", "vua-3"], "flags"].map(len).eq(0).all()


def test_unanswered_and_unknown_answers_are_counted_apart():
    options = ["Đúng", "Sai một", "Sai hai"]
    records = [{"student": f"hv-{i}", "assignment": "bai", "cell": "o", "question": "q",
                "value": value, "correct": value == "Đúng", "options": options}
               for i, value in enumerate(["Đúng"] * 6 + ["Sai một"] * 3 + [None] * 4
                                         + ["Sai  hai (bản cũ)"])]
    counts = ia.option_counts(ia.responses_frame(records)).set_index("option")
    assert counts["picks"].to_dict() == {"Đúng": 6, "Sai một": 3, "Sai hai": 0,
                                         "(câu trả lời khác các lựa chọn)": 1,
                                         "(chưa trả lời)": 4}
    assert counts["answers"].eq(14).all()
    # 10 chose something: enough for a verdict on the option nobody chose
    assert list(counts.index[counts["unused"]]) == ["Sai hai"]
    records[0]["value"] = None  # now 9 chose: no verdict
    assert not ia.option_counts(ia.responses_frame(records))["unused"].any()
