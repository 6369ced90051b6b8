"""Judge an answer against a question's key points by meaning and by cues, and explain it.

For each key point the evidence (`evidence.py`: cues heard, not negated; the clause that
comes closest in meaning to the point's label, cues and example sentences) becomes a
belief that the point was made (`calibration.Logistic`, fitted on the development split),
read alone and in the context of the whole answer (how much of it is about the question,
`on_topic_extent`, and how concretely), the higher belief counting; the belief gives full,
half or no credit. Then the answer as a whole:

- a **list of terms** ("道歉，安抚，核实") is capped far below half marks (`structure.py`);
- a **breach** said as a breach (a cue with its own polarity, in a clause that means the
  same as the breach's examples) zeroes the key point it violates and caps the answer
  (serious: 0; minor: low); an answer that reads like bad practice without such a cue is
  scaled down by that belief;
- an answer that is mostly **off the topic** is scaled down by that belief (read from how
  close its clauses, and runs of three neighbouring clauses, come to the question's points,
  who acts in it, and its comment on how companies should be run);
- a missed **critical** point caps the score;
- where graded sample answers to the question are known (`anchors.py`), the score moves part
  of the way toward the grades of the closest ones and by the judge's own error on them,
  under the same caps; then the answer is read as a whole (`overall.py`).
Every step is written into `Score.reasons`, and each credited point quotes the clause that
earned it. Without an encoder (tests, or a broken install) meaning evidence is zero and the
judge falls back to cues alone.
"""

from __future__ import annotations

import copy
import logging
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace

import numpy as np

from simulator.bank.model import Breach, Question, Severity
from simulator.config import ScoringConfig
from simulator.ports import SentenceEncoder
from simulator.scoring.anchors import (
    AnchorLibrary,
    Reading,
    answer_grade,
    support_reason,
    toward_anchors,
    with_point_support,
)
from simulator.scoring.borrow import ExampleLibrary
from simulator.scoring.calibration import Calibration
from simulator.scoring.clauses import Clause, split_clauses
from simulator.scoring.evidence import (
    AnswerView,
    PreparedQuestion,
    breach_evidence,
    point_evidence,
    point_quotes,
    prepare_question,
    view_answer,
    window_relevance,
)
from simulator.scoring.extent import (
    beside_small_talk,
    closest_point,
    on_topic_extent,
    on_topic_vectors,
    reading_of,
    topic_relevance,
)
from simulator.scoring.features import AnswerFeatures, NoEncoder
from simulator.scoring.gates import answer_gates
from simulator.scoring.overall import AnswerModel, readings_of, reread
from simulator.scoring.platitudes import PlatitudeVectors, platitude_likeness
from simulator.scoring.register import (
    careless_share,
    commentary_count,
    concrete_share,
    platitude_count,
    speaker_share,
)
from simulator.scoring.result import BreachResult, Evidence, KeyPointResult, Score
from simulator.scoring.story import StoryCues, story_quote, told_parts
from simulator.scoring.structure import ListCheck, check_list
from simulator.scoring.votes import point_votes, sparseness
from simulator.text.normalise import letters_and_digits

_LOGGER = logging.getLogger(__name__)
_Beliefs = tuple[list[float], list[float], dict[str, float]]  # see Judge._beliefs
_NAMED_ONLY_MIN_BARE_SHARE = 0.5
"""An answer whose points were all earned by bare terms is a list only if at least half of
its clauses are bare terms: a full answer says some steps tersely ("做好记录") between
sentences that say who does what."""


class Judge:
    """Scores answers; prepares each question's vectors once (thread-safe)."""

    def __init__(self, calibration: Calibration, config: ScoringConfig,
                 encoder: SentenceEncoder | None,
                 generic_breaches: Mapping[str, Sequence[Breach]] | None = None,
                 library: ExampleLibrary | None = None,
                 platitudes: Mapping[str, Sequence[str]] | None = None,
                 anchors: AnchorLibrary | Callable[[], AnchorLibrary] | None = None,
                 story: Mapping[str, StoryCues] | None = None,
                 answer_model: AnswerModel | Callable[[], AnswerModel] | None = None) -> None:
        self.calibration = calibration
        self._config = config
        self._encoder: SentenceEncoder = encoder or NoEncoder()
        self._generic = generic_breaches or {}
        self._library = library
        self._anchors = anchors
        self._story = story or {}
        self._answer_model = answer_model
        self._platitudes = PlatitudeVectors(platitudes or {}, self._encoder)
        self._prepared: dict[Question | tuple[str, str, str], PreparedQuestion] = {}
        self._lock = threading.Lock()

    def warm_up(self, questions: Sequence[Question] = ()) -> None:
        """Load the encoder and prepare these questions (call on a background thread)."""
        self._encoder.encode(["您好"])
        self._platitudes.warm_up()
        _ = self.answer_model  # read here, not on the first answer's path
        for question in questions:
            self._prepare(question)
        if self.anchors is not None:
            for question in questions:
                self.anchors.warm_up(question, self._encoder,
                                     lambda sample, judge, q=question:
                                     self.read_sample(sample, q, judge))

    def score(self, text: str, question: Question) -> Score:
        """Judge the answer `text` (as transcribed, punctuation kept) to `question`."""
        earnable = question.key_points
        clauses = split_clauses(text, question.language)
        if len(letters_and_digits(text)) < self._config.min_answer_chars or not clauses:
            reason = "empty answer" if not text.strip() else "answer too short to score"
            return Score(0.0, question.points, tuple(map(KeyPointResult.missed, earnable)),
                         reasons=(reason,))
        return self.decide(self._measure(clauses, question), question)

    def measure(self, text: str, question: Question) -> AnswerFeatures:
        """Find the evidence and compute the features the calibration reads."""
        return self._measure(split_clauses(text, question.language), question)

    def read_sample(self, text: str, question: Question, judge: bool = True) -> Reading:
        """A graded sample as answers are compared with it (`anchors.py`), with the judge's
        own score for it, judged alone (0 unless `judge`)."""
        clauses = split_clauses(text, question.language)
        if not clauses:
            return Reading(text, "", 0.0)
        view = view_answer(clauses, question.language, self._encoder)
        related = closest_point(view, self._prepare(question)) >= (
            self.calibration.relevant_similarity)
        reading = replace(reading_of(view, related, question.language),
                          vectors=on_topic_vectors(view, related))
        if not judge:
            return reading
        alone = self.with_anchors(None)
        return replace(reading, judged=alone.decide(
            alone._measure(clauses, question, view), question).fraction)

    @property
    def anchors(self) -> AnchorLibrary | None:
        """The graded sample answers (read on first use when given as a loader)."""
        if callable(self._anchors):
            with self._lock:
                if callable(self._anchors):
                    self._anchors = self._anchors()
        return self._anchors

    @property
    def answer_model(self) -> AnswerModel | None:
        """What graders gave answers read like one (read on first use when given as a
        loader); applied only where graded samples exist."""
        if callable(self._answer_model):
            with self._lock:
                if callable(self._answer_model):
                    self._answer_model = self._answer_model()
        return self._answer_model

    def with_answer_model(self, model: AnswerModel | None) -> Judge:
        """The same judge with another answer model (None: the score built point by point)."""
        other = copy.copy(self)
        other._answer_model = model
        return other

    def with_anchors(self, anchors: AnchorLibrary | None) -> Judge:
        """The same judge (sharing its prepared questions) with other graded samples."""
        other = copy.copy(self)
        other._anchors = anchors
        return other

    def _measure(self, clauses: tuple[Clause, ...], question: Question,
                 view: AnswerView | None = None) -> AnswerFeatures:
        language = question.language
        prepared = self._prepare(question)
        view = view or view_answer(clauses, language, self._encoder)
        points = tuple(point_evidence(p, view, language, self._config.fuzzy_threshold)
                       for p in prepared.points)
        breaches = tuple(breach_evidence(b, view, language) for b in prepared.breaches)
        n = len(clauses)
        clause_best = closest_point(view, prepared)
        related = clause_best >= self.calibration.relevant_similarity
        relevant = float(np.mean(related)) if n else 0.0
        # Concrete details count on the clauses about the question, so small talk added
        # around general statements does not make them sound concrete.
        on_topic = tuple(c for c, r in zip(clauses, related, strict=True) if r) or clauses
        like_platitude = self._platitudes.likeness(view.vectors[:n], language)
        answer_meaning = float(np.mean([p.meaning for p in points])) if points else 0.0
        extent = on_topic_extent(view, related, language)
        concrete = concrete_share(on_topic, language)
        votes = point_votes(points)
        point_features = tuple(
            {"cue": (p.cue.strength / 100 if p.cue else 0.0), "meaning": p.meaning,
             "label": p.label, "second": p.second,
             "cue_meaning": p.cue_meaning if p.cue else 0.0,
             "answer_meaning": answer_meaning, "answer_relevance": relevant,
             "vote": votes[k], "lexical": p.words.value,
             "sparse": sparseness(point.point), "answer_extent": extent,
             "answer_concrete": concrete}
            for k, (p, point) in enumerate(zip(points, prepared.points, strict=True)))
        per_clause = (np.max([b.per_clause for b in breaches], axis=0) if breaches and n
                      else np.zeros(max(n, 1)))
        worst = int(per_clause.argmax())
        # Means and shares are read on the clauses about the question or about bad practice:
        # small talk added around bad advice must not dilute it.
        about = per_clause[:n][related | (per_clause[:n] >= self.calibration.relevant_similarity)]
        about = about if len(about) else per_clause
        gates = {
            "relevance_window": window_relevance(clauses, language, self._encoder,
                                                 prepared.every_point_text),
            "relevant_share": relevant,
            "relevance_mean": float(clause_best.mean()) if n else 0.0,
            "relevance_top3": float(np.sort(clause_best)[-3:].mean()) if n else 0.0,
            **beside_small_talk(clause_best[:n], related[:n]),
            "breach_max": float(per_clause.max()),
            "breach_top3": float(np.sort(per_clause)[-3:].mean()),
            "breach_mean": float(about.mean()),
            "breach_share": float(np.mean(about >= 0.6)),
            "breach_gap": float(per_clause[worst] - (clause_best[worst] if n else 0.0)),
            "breach_cue": float(any(b.cue and b.cue_support >= self.calibration.breach_cue_support
                                    for b in breaches)),
            "careless": careless_share(clauses, language),
            "speaker": speaker_share(clauses, language),
            "commentary": commentary_count(clauses, language),
            "platitude": platitude_count(clauses, language),
            "on_topic_clauses": float(related.sum()) if n else 0.0,
            "on_topic_letters": float(sum(len(letters_and_digits(c.text)) for c in on_topic)
                                      if n and related.any() else 0.0),
            "concrete": concrete,
            "platitude_meaning": platitude_likeness(like_platitude, related,
                                                    self.calibration.relevant_similarity),
        }
        anchors, anchor, support = self.anchors, None, None
        if anchors is not None:
            def read(sample: str, judge: bool) -> Reading:
                return self.read_sample(sample, question, judge)
            anchor = anchors.estimate(reading_of(view, related, language), question,
                                      self._encoder, read)
            support = anchors.point_support(on_topic_vectors(view, related), question,
                                            self._encoder, read)
        told = told_parts([p.label for p in question.key_points], clauses, language,
                          self._story)
        return AnswerFeatures(view, points, point_features, breaches, gates,
                              check_list(clauses, language, about=related), anchor, support,
                              told)

    def decide(self, features: AnswerFeatures, question: Question,
               calibration: Calibration | None = None) -> Score:
        """Turn the features into credits, gates and the score (`calibration` overrides the
        judge's own, for fitting).

        A bad practice heard caps the answer (at 0 when serious) unless the graded samples
        most like it were graded well: then up to `AnchorSettings.breach_lift_cap` of the
        marks may stand, still named as bad practice. New writers' good answers trip the
        breach library far more often than the answers it was written from did, and then
        their closest samples are good answers; a good answer with one breach said in it
        stays low (docs/judge.md, the fourteenth session)."""
        cal = calibration or self.calibration
        heard = self._breaches_heard(features, cal)
        beliefs = self._beliefs(features, question, cal)  # read once, by every step below
        score = self._decide(features, question, cal, heard, beliefs)
        if heard:
            score = self._lifted(score, features, question, cal, beliefs)
        model = self.answer_model
        if model is None or features.anchor is None or self.anchors is None:
            return score
        return reread(score, readings_of(features, question, score, *beliefs, cal), model)

    def _lifted(self, capped: Score, features: AnswerFeatures, question: Question,
                cal: Calibration, beliefs: _Beliefs) -> Score:
        anchor, anchors = features.anchor, self.anchors
        lift = (anchors.settings.breach_lift(anchor.fraction)
                if anchor is not None and anchors is not None else 0.0)
        if not lift:
            return capped
        clean = self._decide(features, question, cal, [], beliefs, bad_practice_gate=False)
        most = anchors.settings.breach_lift_cap * question.points
        points = round(capped.points + lift * max(0.0, min(clean.points, most) - capped.points),
                       1)
        why = (f"the graded sample answers most like this one earned {anchor.fraction:.0%} of "
               f"the marks, so the bad practice heard may be a false alarm: up to "
               f"{anchors.settings.breach_lift_cap:.0%} may stand, {lift:.0%} of the way "
               f"-> {points:g}/{question.points:g}")
        return replace(capped, points=points, reasons=(*capped.reasons, why))

    def _decide(self, features: AnswerFeatures, question: Question, cal: Calibration,
                heard: list[BreachResult], beliefs_read: _Beliefs,
                bad_practice_gate: bool = True) -> Score:
        view = features.view
        reasons: list[str] = []
        violated = {b.violates for b in heard if b.violates}
        told = features.told or (None,) * len(features.point_features)
        own, beliefs, gates = beliefs_read
        grade = answer_grade(features.anchor, features.point_samples)
        results = []
        named_only = 0
        for k, (kp, evidence, belief) in enumerate(zip(question.key_points, features.points,
                                                       beliefs, strict=True)):
            credit = cal.credit(belief)
            if credit != cal.credit(own[k]) and features.point_samples is not None:
                reasons.append(support_reason(kp.label, own[k], belief, credit,
                                              features.point_samples[k], grade))
            if kp.label in violated and credit:
                credit = 0.0
                reasons.append(f"'{kp.label}': broken by the bad practice heard -> no credit")
            if credit and features.listing.all_bare(
                    *evidence.meaning_span, evidence.cue_clause if evidence.cue else None):
                named_only += 1
            results.append(KeyPointResult(
                label=kp.label, weight=kp.weight, mode=kp.mode.value, credit=credit,
                critical=kp.critical, evidence=(*point_quotes(evidence, view), *story_quote(
                    told[k], view.clauses)) if credit else (),
                probability=round(belief, 3), probe=kp.probe,
                example=kp.examples[0] if kp.examples else ""))
        total_weight = sum(kp.weight for kp in question.key_points) or 1.0
        coverage = sum(r.weight * r.credit for r in results) / total_weight
        raw, ceiling = question.points * coverage, question.points
        reasons.insert(0, f"coverage {coverage:.2f} of weighted key points -> "
                          f"{raw:.2f}/{question.points:g}")
        missed_critical = [r.label for r in results if r.critical and not r.covered]
        if missed_critical and raw > question.points * self._config.critical_cap:
            raw = ceiling = question.points * self._config.critical_cap
            reasons.append(f"critical point missed ({'; '.join(missed_critical)}): capped at "
                           f"{self._config.critical_cap:.0%}")
        credited = sum(1 for r in results if r.credit)
        listing = (features.listing.is_list(cal.list_min_bare_share,
                                            cal.list_max_spoken_clauses,
                                            cal.list_max_spoken_share)
                   or (named_only >= 2 and named_only >= cal.list_min_bare_share * credited
                       and features.listing.bare_share >= _NAMED_ONLY_MIN_BARE_SHARE))
        if listing and raw > question.points * cal.list_cap:
            raw = ceiling = question.points * cal.list_cap
            reasons.append(f"a list of terms ({features.listing.why()}): capped at "
                           f"{cal.list_cap:.0%}")
        for breach in heard:
            cap = 0.0 if breach.severity == Severity.SERIOUS.value else cal.minor_breach_cap
            if raw > question.points * cap:
                raw = ceiling = question.points * cap
            reasons.append(f"bad practice ({breach.label}, {breach.severity}): "
                           f"«{breach.evidence.heard}» -> at most {cap:.0%}")
        verdict = answer_gates(gates, cal, bool(heard) or not bad_practice_gate,
                               features.most_breach_like)
        raw *= verdict.kept
        reasons.extend(verdict.reasons)
        if features.anchor is not None and self.anchors is not None:
            # With a breach heard the samples may lower the score, never raise it.
            ceiling = min(ceiling, raw) if heard else ceiling
            raw, why = toward_anchors(raw, ceiling, question.points, features.anchor,
                                      self.anchors.settings)
            reasons.append(why)
        points = round(max(0.0, min(question.points, raw)), 1)
        return Score(points, question.points, tuple(results), tuple(heard), listing,
                     verdict.off_topic, verdict.vague, tuple(reasons))

    def _beliefs(self, features: AnswerFeatures, question: Question, cal: Calibration
                 ) -> _Beliefs:
        """The key points' beliefs, judged alone and with the samples' support, and the
        gates' features with the coverage those beliefs give."""
        # A point asking for a part of a story the answer tells earns full credit's belief.
        told = features.told or (None,) * len(features.point_features)
        own = [max(cal.point_belief(v), cal.full_credit if part else 0.0)
               for v, part in zip(features.point_features, told, strict=True)]
        weights = [kp.weight for kp in question.key_points]
        gates = {**features.gate_features,
                 "coverage": float(np.dot(own, weights) / sum(weights)) if own else 0.0,
                 "best_point": max(own, default=0.0)}
        beliefs = own
        if features.point_samples is not None and self.anchors is not None:
            beliefs = with_point_support(own, features.point_samples, self.anchors.settings,
                                         answer_grade(features.anchor, features.point_samples))
        return own, beliefs, gates

    def readings(self, features: AnswerFeatures, question: Question, score: Score,
                 calibration: Calibration | None = None) -> dict[str, float]:
        """What the answer model reads (`overall.READINGS`); `score`: built point by point."""
        cal = calibration or self.calibration
        return readings_of(features, question, score, *self._beliefs(features, question, cal),
                           cal)

    def bad_practice(self, text: str, language: str) -> tuple[BreachResult, ...]:
        """The generic breaches (`prompts/breaches.toml`) said in `text`, each with the clause
        that said it: a cue with its own polarity, in a clause that means the same as the
        breach's examples (a call turn has no question of its own)."""
        key = ("library", language, "")
        with self._lock:
            prepared = self._prepared.get(key)
        if prepared is None:
            prepared = prepare_question(_library_question(language),
                                        self._generic.get(language, ()), self._encoder)
            with self._lock:
                self._prepared[key] = prepared
        view = view_answer(split_clauses(text, language), language, self._encoder)
        found = tuple(breach_evidence(b, view, language) for b in prepared.breaches)
        features = AnswerFeatures(view, (), (), found, {}, ListCheck(0.0, 0))
        return tuple(self._breaches_heard(features, self.calibration))

    def relevance(self, text: str, language: str, topic: Sequence[str]) -> float:
        """How close the closest clause of `text` comes in meaning to any of `topic` (a
        call's subject: the customer's problem, said several ways); 0 without an encoder."""
        return topic_relevance(split_clauses(text, language), topic, self._encoder)

    def _breaches_heard(self, features: AnswerFeatures, cal: Calibration) -> list[BreachResult]:
        heard = []
        for b in features.breaches:
            if b.cue and b.cue_support >= cal.breach_cue_support:
                clause = features.view.clauses[b.cue_clause].text
                heard.append(BreachResult(b.breach.label, b.breach.severity.value,
                                          Evidence(b.cue, clause, 100.0, "exact"),
                                          b.breach.violates))
        return heard

    def _prepare(self, question: Question) -> PreparedQuestion:
        # The whole question is the key: a bank re-imported or edited in the same process
        # keeps its id and prompt but not its key points.
        key = question
        with self._lock:
            found = self._prepared.get(key)
        if found is None:
            borrowed = self._library.lend(question, self._encoder) if self._library else ()
            found = prepare_question(question, self._generic.get(question.language, ()),
                                     self._encoder, borrowed)
            with self._lock:
                self._prepared[key] = found
        return found


def _library_question(language: str) -> Question:
    """A stand-in question that holds no key points of its own (for `bad_practice`)."""
    return Question(id="", section="", points=1.0, prompt="", key_points=(), language=language)

