"""The course's own events, kept in the journal like any other action: answers to lesson
self-checks, the start of a graded exercise (the learner's scenario), answers typed or picked in
an exercise's answer widgets, and the documents a scenario sends the learner later."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from congdanso.world.core.actions import action
from congdanso.world.core.errors import StateError, ValidationError

if TYPE_CHECKING:
    from congdanso.grading.variants import Scenario
    from congdanso.world.world import World

MAX_ANSWER = 200


@dataclass
class Answer:
    value: str
    seq_time: str  # simulated time of the answer
    expected_now: Any = None  # for answers that depend on the world at that moment ("@name")


@dataclass
class ExerciseState:
    scenario: Scenario
    answers: dict[str, Answer] = field(default_factory=dict)
    copies: list[str] = field(default_factory=list)  # documents the scenario sent later


class CourseService:
    def __init__(self, world: World):
        self.world = world
        self.answers: list[tuple[str, str, str, bool]] = []
        self.exercises: dict[str, ExerciseState] = {}

    @action("course.self_check")
    def self_check(self, lesson: str, question: str, choice: str, correct: bool) -> bool:
        """Record one answer to a self-check (the lesson decides what is right)."""
        self.answers.append((lesson, question, choice, bool(correct)))
        return bool(correct)

    # -- graded exercises -------------------------------------------------------------------------
    @action("course.begin_exercise")
    def begin_exercise(self, assignment: str, learner: str, token: str) -> dict[str, Any]:
        """Start (or restart) a learner's scenario: draw it from the token, set the world up.
        The journal keeps only the token: the trap and the answers stay out of it."""
        from congdanso.grading import variants

        if not isinstance(token, str) or not token or len(token) > 64:
            raise ValidationError("Mã phương án không hợp lệ.", field="token")
        scenario = variants.derive(self.world, assignment, token, str(learner))
        variants.setup(self.world, scenario)
        self.exercises[assignment] = ExerciseState(scenario)
        return {"assignment": assignment, "learner": str(learner), "residents": scenario.residents}

    def exercise(self, assignment: str) -> ExerciseState:
        state = self.exercises.get(assignment)
        if state is None:
            raise StateError("Bài tập chưa bắt đầu: hãy chạy ô mở bài tập ở đầu notebook.")
        return state

    @action("course.answer")
    def answer(self, assignment: str, question: str, value: str) -> dict[str, str]:
        """Record the learner's answer to one question of their exercise (the last one counts).
        Whether it is right is decided by the grader, not here."""
        from congdanso.grading import key as answer_key
        from congdanso.grading import variants
        from congdanso.grading.requirements import answer_now

        state = self.exercise(assignment)
        questions = variants.spec(assignment)["questions"]
        if question not in questions:
            raise ValidationError(f"Bài này không có câu hỏi \"{question}\".", field="question")
        text = " ".join(str(value if value is not None else "").split())
        if not text:
            raise ValidationError("Hãy chọn hoặc gõ câu trả lời trước khi bấm “Lưu câu trả lời”.",
                                  field="value")
        if len(text) > MAX_ANSWER:
            raise ValidationError(f"Câu trả lời dài quá {MAX_ANSWER} ký tự: chỉ ghi điều được "
                                  "hỏi.", field="value")
        spec = state.scenario.question(question)
        if spec["kind"] == "choice" and text not in spec["options"]:
            raise ValidationError("Hãy chọn một trong các phương án có sẵn.", field="value")
        # An answer about the world at this moment (a dossier code, a count) is worked out only
        # by the grader while it replays, or for a lesson's practice; never in a graded kernel.
        judge = answer_key.current() or (answer_key.PRACTICE_ONLY if variants.spec(
            assignment).get("practice") else None)
        state.answers[question] = Answer(text, self.world.now.isoformat(), None if judge is None
                                         else answer_now(self.world, state.scenario, question,
                                                         judge))
        return {"question": question, "value": text}

    @action("course.receive_copies")
    def receive_copies(self, assignment: str) -> list[dict[str, Any]]:
        """The company sends back copies of the contract the resident signed (ký số): as many as
        the scenario says, each one a case the verifier must name."""
        state = self.exercise(assignment)
        scenario = state.scenario
        from congdanso.grading.variants import kind_of

        if kind_of(assignment) != "ky-so-hop-dong":
            raise ValidationError("Bài này không có tài liệu gửi lại.", field="assignment")
        if state.copies:
            raise StateError("Công ty đã gửi các bản rồi: chúng nằm trong danh sách tài liệu.")
        kyso = self.world.kyso
        signed = [d for d in kyso.documents.values()
                  if d.kind == "da_ky" and d.owner_id == scenario.resident
                  and d.name.startswith("hop-dong")]
        if not signed:
            raise StateError("Người dân chưa ký hợp đồng: công ty chỉ gửi lại sau khi nhận bản "
                             "đã ký. Hãy ký hợp đồng trước.")
        original = signed[-1]
        made = []
        for n in range(1, scenario.values.get("copies_sent", 2) + 1):
            kind = scenario.values[f"copy_{n}"]
            if kind == "bi_sua":
                data = kyso.changed_bytes(original.id, scenario.values["changed_salary"])
            elif kind == "chua_ky":
                data = kyso.content(scenario.values["contract"])
            elif kind == "hong":  # a photo of the contract renamed .pdf
                from congdanso.world.money.qrimage import to_png

                data = to_png("ANH CHUP HOP DONG - KHONG PHAI PDF", caption=None)
            elif kind in ("het_han", "bi_thu_hoi", "tam_dung", "khong_tin_cay"):
                data = self._signed_by_company(kind, scenario, n)
            else:
                data = kyso.content(original.id)
            name = f"ban-cong-ty-gui-lai-so-{n}.pdf"
            document = kyso._new_document(data, name, scenario.resident, "tai_len")
            state.copies.append(document.id)
            made.append(document.record())
        return made

    def _signed_by_company(self, kind: str, scenario: Scenario, n: int) -> bytes:
        """The contract signed by the company's representative with a certificate that has
        expired (``het_han``), was revoked before signing (``bi_thu_hoi``), is suspended
        (``tam_dung``), or was made by a self-made "CA" (``khong_tin_cay``)."""
        import datetime as dt

        kyso, world = self.world.kyso, self.world
        pki = kyso.pki
        representative = next(p for p in world.population.practice_residents()
                              if p.id_number != scenario.resident)
        serial = 9000 + world.counter("company-certificate")
        now = world.now.replace(tzinfo=dt.UTC)
        if kind == "het_han":
            issued = pki.issue(serial, representative.id_number, representative.full_name,
                               not_before=dt.datetime(2021, 1, 4, 8, tzinfo=dt.UTC), years=3)
            when = dt.datetime(2023, 6, 1, 9, 0)
        elif kind == "khong_tin_cay":
            from congdanso.world.signatures.pki import _name, build_cert, derive_key, fake_ca

            fake_cert, fake_key = fake_ca(world.seed)
            key = derive_key(world.seed, f"fake-user-{serial}")
            cert = build_cert(_name(representative.full_name, "Cá nhân",
                                    uid=f"CCCD:{representative.id_number}"),
                              fake_cert.subject, key.public_key(), fake_key, serial, ca=False,
                              not_before=dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
                              not_after=dt.datetime(2031, 1, 1, tzinfo=dt.UTC))
            issued, chain = None, [fake_cert]
            when = world.now.replace(tzinfo=None)
        elif kind == "tam_dung":
            issued = pki.issue(serial, representative.id_number, representative.full_name,
                               not_before=now - dt.timedelta(days=200), years=2)
            pki.suspend(serial, now - dt.timedelta(days=1))  # signed before, suspended since
            when = (world.now - dt.timedelta(days=3)).replace(tzinfo=None)
        else:
            issued = pki.issue(serial, representative.id_number, representative.full_name,
                               not_before=now - dt.timedelta(days=200), years=2)
            pki.revoke(serial, now - dt.timedelta(days=1), "Mất thiết bị ký")
            when = world.now.replace(tzinfo=None)
        recorded = world.recorded_result()
        if recorded is not None:  # replay: the certificates above are rebuilt, the bytes reused
            return kyso.recorded_bytes(recorded[n - 1]["sha256"])
        from congdanso.world.signatures.signing import sign_pdf

        if issued is not None:
            cert, key, chain = issued.cert, issued.key, [pki.ca, pki.root]
        return sign_pdf(kyso.content(scenario.values["contract"]), cert, key, chain, when=when)
