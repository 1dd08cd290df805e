"""Item analysis: does each grade cell measure what it should? (Moodle's quiz statistics.)

An item is one grade cell. For each, from the gradebook's scores:

* **difficulty** *p* — the share of the item's points learners earned (for 0/1 items, the
  proportion who got it right): 1 means everyone passes, 0 nobody does;
* **discrimination** *r* — the corrected item-total correlation: Pearson's *r* between the
  item's score and the same learner's share of points on every *other* graded item of the course
  (the item itself is left out of that total, so it does not correlate with itself). For a 0/1
  item this is the point-biserial correlation. *r* < 0 means learners who do well elsewhere
  fail this item more often than those who do badly: a wrong key, a trick or a cue;

and, from the grader's record of each answer (:mod:`congdanso.cohort.responses`), how many
learners picked each option of a choice item. Options are counted per *version* of a question
(the same options in catalogue order): variants of an item may offer other texts.

No verdict is given on fewer than :data:`MIN_RESPONSES` answers: with fewer, "everyone passed"
or a negative *r* is as likely chance as a fault of the item. Hand-written rather than a
psychometrics package: the three numbers are a few pandas group-bys, and the packages that
compute them (e.g. ``pyirt``, ``girth``) fit models this report does not need.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

MIN_RESPONSES = 10  # answers an item (or a question's version) needs before any verdict
NEGATIVE_BELOW = 0.0  # r below this: the item discriminates the wrong way
KEYS = ["assignment", "notebook", "cell"]
EVERYONE, NOBODY, NEGATIVE, UNUSED = ("ai-cung-dat", "khong-ai-dat", "phan-biet-nguoc",
                                      "nhieu-khong-ai-chon")
# flag → (its words in the report, what it means and what to do); every flag is a word, not a colour
FLAGS: dict[str, tuple[str, str]] = {
    EVERYONE: ("Ai cũng đạt", "mọi học viên được trọn điểm (p = 100 %): ô không cho biết ai cần "
               "luyện thêm. Xem đề có lộ đáp án không, hoặc thay bằng tình huống khó hơn."),
    NOBODY: ("Không ai đạt", "không học viên nào được điểm (p = 0 %): xem lại đáp án, cách chấm "
             "và bài học đã dạy điều này chưa."),
    NEGATIVE: ("Phân biệt ngược", f"r dưới {NEGATIVE_BELOW:g}: học viên làm tốt các ô khác lại "
               "hay sai ô này. Thường do đáp án sai, câu hỏi đánh đố hoặc có mẹo đoán."),
    UNUSED: ("Phương án nhiễu không ai chọn", "một lựa chọn sai không ai chọn: lựa chọn đó "
             "quá dễ loại, câu hỏi thực chất có ít lựa chọn hơn. Thay bằng một nhầm lẫn có thật."),
}


@dataclass
class ItemAnalysis:
    items: pd.DataFrame  # one row per grade cell, in course order (see :func:`analyse_items`)
    options: pd.DataFrame  # one row per option of each version of each choice question
    has_responses: bool  # False: no record of answers (distractor columns are empty)

    @property
    def flagged(self) -> pd.DataFrame:
        return self.items[self.items["flags"].map(bool)]


def _nfc(value: Any) -> str:
    return unicodedata.normalize("NFC", str(value)).strip()


def _order(scores: pd.DataFrame, tags: pd.DataFrame | None) -> list[tuple[str, str, str]]:
    """Items in course order: assignments by name, cells as the notebook has them (the tags
    are read in notebook order); cells without tags after, by name."""
    order: dict[tuple[str, str, str], int] = {}
    if tags is not None:
        for key in tags[KEYS].itertuples(index=False, name=None):
            order.setdefault(key, len(order))
    keys = scores[KEYS].drop_duplicates().itertuples(index=False, name=None)
    return sorted(keys, key=lambda k: (k[0], order.get(k, len(order)), k[1], k[2]))


def _discrimination(frame: pd.DataFrame) -> pd.Series:
    """Corrected item-total r per item: item score against the rest of the learner's points."""
    totals = frame.groupby("learner")[["score", "max_score"]].transform("sum")
    rest_max = totals["max_score"] - frame["max_score"]
    data = pd.DataFrame({
        "x": frame["x"],
        "y": (totals["score"] - frame["score"]) / rest_max.where(rest_max > 0)})
    data = pd.concat([frame[KEYS], data], axis=1).dropna(subset=["y"])
    data["xx"], data["yy"], data["xy"] = data.x * data.x, data.y * data.y, data.x * data.y
    sums = data.groupby(KEYS)[["x", "y", "xx", "yy", "xy"]].mean()
    count = data.groupby(KEYS).size()
    var_x = sums.xx - sums.x ** 2
    var_y = sums.yy - sums.y ** 2
    spread = (var_x > 1e-12) & (var_y > 1e-12) & (count >= 3)
    r = (sums.xy - sums.x * sums.y) / np.sqrt((var_x * var_y).where(spread))
    return r.clip(-1, 1)


def responses_frame(records: list[dict[str, Any]] | None) -> pd.DataFrame | None:
    """The grader's answer records as a table (``None`` stays ``None``: no record at all)."""
    if records is None:
        return None
    columns = ["student", "assignment", "cell", "question", "value", "correct", "options"]
    frame = pd.DataFrame(records, columns=columns)
    frame["options"] = frame["options"].map(lambda o: tuple(_nfc(x) for x in (o or ())))
    frame["value"] = frame["value"].fillna("").map(_nfc)
    # not fillna(False): on an object column pandas warns (in English) that it downcasts
    frame["correct"] = frame["correct"].map(lambda v: v is not None and not pd.isna(v)
                                            and bool(v)).astype(bool)
    return frame


def option_counts(responses: pd.DataFrame | None) -> pd.DataFrame:
    """How many learners picked each option of each version of each choice question.

    ``right``: the option learners were credited for (``None`` while nobody was); ``unused``:
    a wrong option nobody picked, among at least :data:`MIN_RESPONSES` answers."""
    columns = ["assignment", "cell", "question", "version", "position", "option", "right",
               "picks", "answers", "share", "unused"]
    if responses is None or responses.empty:
        return pd.DataFrame(columns=columns)
    choice = responses[responses["options"].map(len) > 0]
    # the latest answer of a learner to a question counts once
    choice = choice.drop_duplicates(["student", "assignment", "cell", "question"], keep="last")
    rows: list[dict[str, Any]] = []
    for (assignment, cell, question), asked in choice.groupby(
            ["assignment", "cell", "question"], sort=True):
        versions = asked.groupby("options", sort=False).size().sort_values(
            ascending=False, kind="stable")
        for number, options in enumerate(versions.index, 1):
            given = asked[asked["options"] == options]
            picks = given["value"].value_counts()
            credited = set(given.loc[given["correct"], "value"])
            answers = len(given)
            answered = answers - int(picks.get("", 0))  # a verdict counts only those who chose
            for position, option in enumerate(options, 1):
                right = (option in credited) if credited else None
                count = int(picks.get(option, 0))
                rows.append({"assignment": assignment, "cell": cell, "question": question,
                             "version": number, "position": position, "option": option,
                             "right": right, "picks": count, "answers": answers,
                             "share": count / answers,
                             "unused": bool(right is False and count == 0
                                            and answered >= MIN_RESPONSES)})
            blank = answers - answered
            other = answered - int(picks.reindex(list(options)).fillna(0).sum())
            for label, count in (("(câu trả lời khác các lựa chọn)", other),  # an older version
                                 ("(chưa trả lời)", blank)):
                if count:
                    rows.append({"assignment": assignment, "cell": cell, "question": question,
                                 "version": number, "position": None, "option": label,
                                 "right": None, "picks": count, "answers": answers,
                                 "share": count / answers, "unused": False})
    return pd.DataFrame(rows, columns=columns)


def analyse_items(scores: pd.DataFrame, tags: pd.DataFrame | None = None,
                  responses: pd.DataFrame | None = None) -> ItemAnalysis:
    """Difficulty, discrimination, distractor use and flags of every graded item.

    ``scores``: the gradebook's graded cells (learner, assignment, notebook, cell, score,
    max_score); ``tags``: each cell's competencies; ``responses``: :func:`responses_frame` of
    the grader's records, ``None`` when there is no record (the distractor columns stay empty).
    """
    columns = [*KEYS, "number", "competencies", "answers", "difficulty", "discrimination",
               "unused_options", "flags"]
    frame = scores.loc[scores["max_score"] > 0, [*KEYS, "learner", "score", "max_score"]].copy()
    if frame.empty:
        return ItemAnalysis(pd.DataFrame(columns=columns), option_counts(None),
                            responses is not None)
    frame["score"] = frame["score"].astype(float).clip(lower=0)
    frame["max_score"] = frame["max_score"].astype(float)
    frame["x"] = (frame["score"] / frame["max_score"]).clip(upper=1)
    grouped = frame.groupby(KEYS)
    items = pd.DataFrame({"answers": grouped["learner"].nunique(),
                          "difficulty": grouped["x"].mean()})
    items["discrimination"] = _discrimination(frame).reindex(items.index)
    items = items.reindex(pd.MultiIndex.from_tuples(_order(frame, tags), names=KEYS))
    items = items.reset_index()
    items.insert(3, "number", range(1, len(items) + 1))
    if tags is not None and not tags.empty:
        named = tags.groupby(KEYS, sort=False)["competency"].agg(lambda c: ", ".join(dict.fromkeys(c)))
        items.insert(4, "competencies", [named.get(k, "") for k in
                                         items[KEYS].itertuples(index=False, name=None)])
    else:
        items.insert(4, "competencies", "")
    options = option_counts(responses)
    unused = options[options["unused"].astype(bool)].groupby(["assignment", "cell"])["option"].agg(
        lambda o: "; ".join(f"“{x}”" for x in o))
    if responses is None:
        items["unused_options"] = None
    else:
        items["unused_options"] = [unused.get((a, c), "") for a, c in
                                   zip(items["assignment"], items["cell"], strict=True)]

    def flags(row) -> list[str]:
        found: list[str] = []
        if row.answers < MIN_RESPONSES:
            return found
        if row.difficulty >= 1 - 1e-9:
            found.append(EVERYONE)
        elif row.difficulty <= 1e-9:
            found.append(NOBODY)
        if pd.notna(row.discrimination) and row.discrimination < NEGATIVE_BELOW:
            found.append(NEGATIVE)
        if row.unused_options:
            found.append(UNUSED)
        return found

    items["flags"] = [flags(row) for row in items.itertuples(index=False)]
    return ItemAnalysis(items[columns], options, responses is not None)


def flag_words(flags: list[str]) -> str:
    """What a trainer reads for an item's flags: "⚠ Ai cũng đạt; ⚠ …" (empty: none)."""
    return "; ".join(f"⚠\u00a0{FLAGS[f][0]}" for f in flags)  # the sign stays with its word
