"""Follow-ups like a real interviewer, and the takes of a question.

After the feedback, when the most important missed key point (critical first, then the
heaviest: `feedback.most_important_missed`) has a `probe` in the bank, the interviewer asks
it, the answer goes through the same pipeline, and it is judged for that point only: a
one-point view of the question (the point's share of the marks, no other points, no
breaches). Its credit is said and recorded apart from the answer's score.

A question can be answered more than once (r after the feedback): `best_takes` says, per
question, which take scored best and by how much it beat the first. A question skipped for
silence (nobody started within the thinking time, twice) counts in neither.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from simulator.bank.model import Question
from simulator.feedback import most_important_missed
from simulator.listen.answer import Answer, ListenSettings, capture_answer
from simulator.ports import LoopParts
from simulator.scoring.result import KeyPointResult, Score
from simulator.screen.lines import Lines


@dataclass(frozen=True)
class FollowUp:
    """One follow-up question and how its answer did on its point."""

    probe: str
    label: str
    """The key point probed."""
    answer: Answer
    score: Score
    """The answer judged against the one-point view of the question."""

    @property
    def point(self) -> KeyPointResult:
        """The probed point's result (credit 0/0.5/1, evidence)."""
        return self.score.key_points[0]


def one_point_view(question: Question, label: str) -> Question | None:
    """The question reduced to one key point (its share of the marks); None if absent."""
    points = [kp for kp in question.key_points if kp.label == label]
    if not points:
        return None
    total = sum(kp.weight for kp in question.key_points) or 1.0
    # Its own id: a judge caches what it prepared per question, and this is another one.
    return replace(question, id=f"{question.id}/follow-up", key_points=(points[0],),
                   breaches=(), points=round(question.points * points[0].weight / total, 2))


def ask_follow_up(question: Question, score: Score, parts: LoopParts,
                  listen: ListenSettings, index: int) -> FollowUp | None:
    """Ask the probe of the most important missed point, if it has one; judge the answer
    for that point and say how it did.

    Raises:
        AudioDeviceError: the microphone failed before anything was recorded.
    """
    missed = most_important_missed(score)
    if missed is None or not missed.probe:
        return None
    view = one_point_view(question, missed.label)
    if view is None:
        return None
    parts.speaker.say(missed.probe, question.language)
    answer = capture_answer(parts, listen, index=index, language=question.language,
                            label=f"q{question.id}-follow-up")
    result = parts.judge.score(answer.transcript.text, view)
    lines = Lines(question.language)
    key = "follow_up_covered" if result.key_points[0].covered else "follow_up_missed"
    if answer.recording.device_error is None:
        parts.speaker.say(lines(key, label=missed.label), question.language)
    return FollowUp(probe=missed.probe, label=missed.label, answer=answer, score=result)


def best_takes(turns: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Per question answered (as recorded in `session.json`): the best take, its points,
    the first take's, and the improvement. Skipped takes (no speech) do not count."""
    by_question: dict[str, list[Mapping[str, Any]]] = {}
    for turn in turns:
        if turn.get("answer", {}).get("end_reason") == "no_speech":
            continue
        by_question.setdefault(str(turn["question"]["id"]), []).append(turn)
    summary = []
    for question_id, takes in by_question.items():
        best = max(takes, key=lambda t: (t["score"]["points"], -int(t.get("take", 1))))
        first = takes[0]["score"]["points"]
        summary.append({"question": question_id, "takes": len(takes),
                        "best_take": int(best.get("take", 1)),
                        "points": best["score"]["points"],
                        "max_points": best["score"]["max_points"], "first_points": first,
                        "improvement": round(best["score"]["points"] - first, 2)})
    return summary
