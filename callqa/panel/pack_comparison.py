"""After the reveal: each question of the questionnaire beside the automated check it maps to.

The member's answers live only in their browser, so the page's script puts "Your answer" and
"same view / different view" into the rows; everything that decides those words is made here and
embedded in the page: what each answer means (met, not met, or not compared, exactly as
`callqa panel calibrate` counts it: yes met, no and partly not met, not sure left out, a scale at
or above `pass_at` met) and the automated side of each row. The words never judge the member: a
different view is worth a second listen and is what calibration is for, and the answer stands.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from callqa.panel.pack_findings import Finding, pack_title
from callqa.panel.questionnaire import CHOICE_LABELS, Questionnaire, Question

NO_CHECK = "No automated check covers this question."
NOT_RUN = "The automated check was not run on this call."


@dataclass(frozen=True)
class QuestionPair:
    """One row after the reveal: the question and its automated side (the answer is the member's)."""

    question_id: str
    number: int
    text: str
    check_title: str | None       # the automated check's plain name; None when no check maps to it
    status: str | None            # pass / fail / not_applicable; None: no check, or not run on this call
    status_text: str              # Met / Not met / Not applicable / No automated check / Not checked
    reason: str                   # one plain line
    unsure: bool
    listen_at: float | None       # the first evidence moment, to listen again where views differ

    @property
    def auto_met(self) -> bool | None:
        return {"pass": True, "fail": False}.get(self.status or "")


def answer_meanings(question: Question) -> dict[str, Any]:
    """What the page needs to show and compare one question's answer: label and met per value."""
    if question.answer == "text":
        return {"id": question.id, "labels": {}, "met": {}}
    if question.answer == "scale":
        values = question.choices
        names = question.labels or values
        labels = {v: (f"{v} ({n})" if n != v else v) for v, n in zip(values, names)}
    else:
        labels = {v: CHOICE_LABELS[v] for v in question.choices}
    return {"id": question.id, "labels": labels, "met": {v: question.met(v) for v in question.choices}}


def pair_questions(questionnaire: Questionnaire, found: list[Finding]) -> list[QuestionPair]:
    """Every question in order, each with the finding of the indicator it names (if any)."""
    by_indicator = {f.indicator: f for f in found}
    pairs = []
    for number, q in enumerate(questionnaire.questions, start=1):
        finding = by_indicator.get(q.indicator) if q.indicator else None
        if q.indicator is None:
            pairs.append(QuestionPair(q.id, number, q.text, None, None, "No automated check", NO_CHECK, False, None))
        elif finding is None:
            pairs.append(QuestionPair(q.id, number, q.text, pack_title(q.indicator), None, "Not checked", NOT_RUN,
                                      False, None))
        else:
            moment = next((e.start_s for e in finding.evidence if e.start_s is not None), None)
            pairs.append(QuestionPair(q.id, number, q.text, finding.title, finding.status, finding.status_text,
                                      finding.reason, finding.unsure, moment))
    return pairs


__all__ = ["NO_CHECK", "NOT_RUN", "QuestionPair", "answer_meanings", "pair_questions"]
