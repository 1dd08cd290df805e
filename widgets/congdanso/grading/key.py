"""The answer key: which option is right, read only by the grader.

The catalogue shipped with the package (``data/bai-tap.json``) holds what a learner sees. The key
(``dap-an.json`` in the trainer's course folder, closed to learners on the class server) holds, for
each graded assignment, what it expects: answers to questions, the right reply to each support case,
the procedure and declarations each resident's need calls for, each message's verdict. (A returned
copy's verdict and whether a QR should be paid are what the apps show: "@" answers, worked out from
the world by the grader.) Entries match the catalogue's by ``id``. A learner's kernel never loads it:
:func:`values` turns a scenario drawn in the kernel (ids and texts) into the expected values, in the
grader, at grading time.

A lesson's practice (``"practice": true``) carries its answers in the catalogue (it says right or
wrong at once), so :meth:`AnswerKey.spec` of a practice is the catalogue's own entry.
"""

from __future__ import annotations

import contextlib
import contextvars
import copy
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from congdanso.grading import variants

if TYPE_CHECKING:
    from congdanso.grading.variants import Scenario
    from congdanso.world.world import World

KEY_FILE = "dap-an.json"
REPOSITORY_KEY = Path(__file__).resolve().parents[3] / "exercises" / KEY_FILE
LISTS = ("support_cases", "needs", "copies", "qr_traps", "messages", "homebound")


class AnswerKeyError(RuntimeError):
    """The course's answer key is missing or broken: nothing can be graded."""


def _merge(public: dict[str, Any], secret: dict[str, Any]) -> dict[str, Any]:
    merged = copy.deepcopy(public)
    for question, extra in secret.get("questions", {}).items():
        merged.setdefault("questions", {}).setdefault(question, {}).update(extra)
    for name in LISTS:
        extra = {item["id"]: item for item in secret.get(name, [])}
        for item in merged.get(name, []):
            item.update({k: v for k, v in extra.get(item["id"], {}).items() if k != "id"})
    return merged


@dataclass
class AnswerKey:
    assignments: dict[str, Any] = field(default_factory=dict)
    source: str = ""
    # spec() merged once per assignment: the grader asks for it for every answer it checks
    _merged: dict[str, dict[str, Any]] = field(default_factory=dict, repr=False, compare=False)

    def spec(self, assignment: str) -> dict[str, Any]:
        """The catalogue entry with its answers: a practice's own, a graded one's from the key."""
        public = variants.spec(assignment)
        if public.get("practice"):
            return public
        secret = self.assignments.get(assignment)
        if secret is None:
            raise AnswerKeyError(
                f"Tệp đáp án {self.source or KEY_FILE} không có bài \"{assignment}\": không chấm "
                "được. Hãy chép tệp dap-an.json mới nhất của khoá học vào thư mục khoá học.")
        if assignment not in self._merged:
            self._merged[assignment] = _merge(public, secret)
        return self._merged[assignment]

    def answer(self, scenario: Scenario, question: str) -> Any:
        """The answer spec of a question as this scenario meets it: a fixed answer, "$name"
        (from the scenario's values) or "@name" (the world when answered). An item with variants
        has one answer per variant (``"answers": {"variant id": …}``)."""
        try:
            item = self.spec(scenario.assignment)["questions"][question]
            variant = scenario.values.get("variants", {}).get(question)
            return item["answers"][variant] if variant is not None else item["answer"]
        except KeyError:
            raise AnswerKeyError(f"Tệp đáp án không có đáp án cho câu \"{question}\" của bài "
                                 f"\"{scenario.assignment}\".") from None

    def check(self, scenario: Scenario, question: str) -> str | None:
        """Where to look again after a wrong answer (never the answer itself)."""
        item = self.spec(scenario.assignment)["questions"].get(question, {})
        variant = scenario.values.get("variants", {}).get(question)
        hints = item.get("checks") or {}
        return hints.get(variant) if variant is not None and variant in hints \
            else item.get("check")

    def values(self, world: World | None, scenario: Scenario) -> dict[str, Any]:
        """The expected values ("$name") of one scenario: the scenario's own values, plus what
        the key says about the ids it drew."""
        data = self.spec(scenario.assignment)
        v = dict(scenario.values)
        kind = variants.kind_of(scenario.assignment)

        def by_id(name: str, item_id: str) -> dict[str, Any]:
            found = next((x for x in data.get(name, []) if x["id"] == item_id), None)
            if found is None:
                raise AnswerKeyError(f"Danh mục bài \"{scenario.assignment}\" không có mục "
                                     f"\"{item_id}\" trong {name}.")
            return found

        if kind == "ho-so-truc-tuyen":
            need = by_id("needs", v["need"])
            v["procedure"] = need.get("procedure")
            v["fields"] = {k: (v.get(f[1:]) if isinstance(f, str) and f.startswith("$") else f)
                           for k, f in need.get("fields", {}).items()}  # "$guest_id": drawn
            if world is not None and v["procedure"]:
                v["procedure_name"] = world.portal.procedure(v["procedure"]).name
        elif kind == "ho-tro-nguoi-dan" and "homebound_case" in v:
            v["homebound_reason"] = by_id("homebound", v["homebound_case"])["reason"]
        elif kind == "an-toan-lua-dao":
            for i in range(1, 5):  # the question's two options: [scam, genuine]
                scam_word, genuine_word = data["questions"][f"tin-{i}"]["options"][:2]
                scam = by_id("messages", v[f"message_{i}"]).get("scam")
                v[f"verdict_{i}"] = None if scam is None else (
                    scam_word if scam else genuine_word)
        return v

    def expected(self, world: World | None, scenario: Scenario, question: str) -> Any:
        """What a "$name" or fixed answer expects ("@name" answers are computed when answered)."""
        answer = self.answer(scenario, question)
        if isinstance(answer, str) and answer.startswith("$"):
            return self.values(world, scenario).get(answer[1:])
        return answer


PRACTICE_ONLY = AnswerKey(source="(bài thực hành)")  # judges a lesson's practice, nothing graded


def load_key(course: str | Path | None = None) -> AnswerKey:
    """The course's answer key (``<course>/dap-an.json``; the repository's by default)."""
    path = Path(course) / KEY_FILE if course is not None else REPOSITORY_KEY
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        assignments = data["assignments"]
        if not isinstance(assignments, dict):
            raise TypeError
    except FileNotFoundError:
        raise AnswerKeyError(
            f"Khoá học thiếu tệp đáp án {path}: hệ thống chấm không biết đáp án nên không chấm. "
            f"Hãy chép tệp exercises/{KEY_FILE} của Công Dân Số vào thư mục khoá học.") from None
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise AnswerKeyError(f"Tệp đáp án {path} bị hỏng ({type(exc).__name__}): không chấm. "
                             "Hãy lấy lại tệp từ bản gốc của khoá học.") from None
    return AnswerKey(assignments, str(path))


_JUDGING: contextvars.ContextVar[AnswerKey | None] = contextvars.ContextVar("judging", default=None)


@contextlib.contextmanager
def judging(key: AnswerKey) -> Iterator[AnswerKey]:
    """While the grader replays a journal: answers whose expected value depends on the world at
    answering time ("@name") are computed then, with the key (never in a learner's kernel)."""
    token = _JUDGING.set(key)
    try:
        yield key
    finally:
        _JUDGING.reset(token)


def current() -> AnswerKey | None:
    return _JUDGING.get()
