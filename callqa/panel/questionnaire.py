"""The scrutiny panel's questionnaire: a TOML data file, validated and versioned like a rule pack.

The bundled one is `models/questionnaires/default.toml` (the seven questions of the original
review). Loading checks every key and value, so a typo stops with the file and the problem instead
of silently dropping a question. Answers record the questionnaire's `ref` ("name@version"), so
`callqa panel import` can refuse answers given on another version.

Answer types: `yes_no` (yes, no), `yes_no_partly` (yes, no, partly), `scale` (whole numbers
min..max, optional labels, `pass_at`) and `text` (free text). Yes/no types also accept "not_sure",
which calibration leaves out.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from callqa.pipeline.errors import CallQAError
from callqa.pipeline.rules import INDICATORS
from callqa.pipeline.tomlfile import read_toml

DEFAULT_QUESTIONNAIRE = "default.toml"
ANSWER_TYPES = ("yes_no", "yes_no_partly", "scale", "text")
NOT_SURE = "not_sure"
CHOICES = {"yes_no": ("yes", "no", NOT_SURE), "yes_no_partly": ("yes", "no", "partly", NOT_SURE)}
CHOICE_LABELS = {"yes": "Yes", "no": "No", "partly": "Partly", NOT_SURE: "Not sure"}
# What each yes/no answer means for calibration: "partly" is NOT met (the standard is all or nothing:
# a greeting that names the force but offers no help fails the automated check too); not_sure is left out.
MET = {"yes": True, "no": False, "partly": False, NOT_SURE: None}
MAX_TEXT = 4000          # characters in a free-text answer
MAX_SCALE_POINTS = 11    # e.g. 0-10

ID_RE = re.compile(r"^[a-z0-9_]{1,64}$")
NAME_RE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")
VERSION_RE = re.compile(r"^[0-9]+(\.[0-9]+){1,3}$")
TOP_KEYS = ("name", "version", "title", "questions")
QUESTION_KEYS = ("id", "text", "answer", "indicator", "help", "min", "max", "labels", "pass_at")
SCALE_ONLY = ("min", "max", "labels", "pass_at")


class QuestionnaireError(CallQAError):
    """A questionnaire file with an unknown key or a bad value; names the file and the key."""


@dataclass(frozen=True)
class Question:
    id: str
    text: str
    answer: str                       # one of ANSWER_TYPES
    indicator: str | None = None
    help: str | None = None
    min: int | None = None            # scale only
    max: int | None = None
    labels: tuple[str, ...] = ()
    pass_at: int | None = None

    @property
    def choices(self) -> tuple[str, ...]:
        """The allowed answers (scale points as strings); empty for free text."""
        if self.answer == "scale":
            return tuple(str(v) for v in range(self.min, self.max + 1))  # type: ignore[arg-type]
        return CHOICES.get(self.answer, ())

    def validate_answer(self, value: Any) -> str:
        """The answer as stored ("yes", "partly", "not_sure", "4", or the text), or QuestionnaireError
        with a message fit to follow a location such as `calls[2].answers.greeting: `."""
        if self.answer in CHOICES:
            if isinstance(value, str):
                normal = re.sub(r"[\s-]+", "_", value.strip().lower())
                if normal in self.choices:
                    return normal
            raise QuestionnaireError(f"{value!r} is not one of {', '.join(self.choices)}")
        if self.answer == "scale":
            number: Any = value
            if isinstance(value, str) and re.fullmatch(r"\s*-?[0-9]+\s*", value):
                number = int(value)
            elif isinstance(value, float) and value.is_integer():
                number = int(value)
            if isinstance(number, bool) or not isinstance(number, int) or not self.min <= number <= self.max:  # type: ignore[operator]
                raise QuestionnaireError(f"{value!r} is not a whole number from {self.min} to {self.max}")
            return str(number)
        if not isinstance(value, str) or not value.strip():
            raise QuestionnaireError(f"{value!r} is not a text answer")
        text = value.strip()
        if len(text) > MAX_TEXT:
            raise QuestionnaireError(f"text answer of {len(text)} characters is longer than {MAX_TEXT}")
        return text

    def met(self, answer: str) -> bool | None:
        """Whether a stored answer says the standard was met: True, False, or None (not counted:
        not_sure, free text, or a scale without pass_at)."""
        if self.answer in CHOICES:
            return MET.get(answer)
        if self.answer == "scale" and self.pass_at is not None:
            try:
                return int(answer) >= self.pass_at
            except ValueError:
                return None
        return None

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"id": self.id, "text": self.text, "answer": self.answer,
                               "indicator": self.indicator, "help": self.help}
        if self.answer in CHOICES:
            out["choices"] = [{"value": c, "label": CHOICE_LABELS[c]} for c in self.choices]
        elif self.answer == "scale":
            labels = self.labels or tuple(str(v) for v in range(self.min, self.max + 1))  # type: ignore[arg-type]
            out.update(min=self.min, max=self.max, pass_at=self.pass_at,
                       choices=[{"value": v, "label": label} for v, label in zip(self.choices, labels)])
        else:
            out["max_length"] = MAX_TEXT
        return out


@dataclass(frozen=True)
class Questionnaire:
    name: str
    version: str
    title: str
    questions: tuple[Question, ...]
    source: str = ""

    @property
    def ref(self) -> str:
        """How answers record which questionnaire they were given on: "name@version"."""
        return f"{self.name}@{self.version}"

    def question(self, question_id: str) -> Question | None:
        return next((q for q in self.questions if q.id == question_id), None)

    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(q.id for q in self.questions)

    def to_json(self) -> dict[str, Any]:
        """Everything a panel pack needs to render the form and write the answers file."""
        from callqa.panel.answers import FORMAT, FORMAT_VERSION

        return {"format": "callqa-questionnaire", "name": self.name, "version": self.version, "ref": self.ref,
                "title": self.title, "questions": [q.to_json() for q in self.questions],
                "answers_format": {"format": FORMAT, "format_version": FORMAT_VERSION}}


def _text(value: Any, where: str, max_len: int = 1000) -> str:
    if not isinstance(value, str) or not value.strip():
        raise QuestionnaireError(f"{where}: expected a non-empty string, got {value!r}")
    if len(value) > max_len:
        raise QuestionnaireError(f"{where}: longer than {max_len} characters")
    return value.strip()


def _int(value: Any, where: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise QuestionnaireError(f"{where}: expected a whole number, got {value!r}")
    return value


def _question(data: Any, where: str) -> Question:
    if not isinstance(data, dict):
        raise QuestionnaireError(f"{where}: expected a [[questions]] table, got {data!r}")
    if "id" not in data:
        raise QuestionnaireError(f"{where}: missing id")
    qid = data["id"]
    if not isinstance(qid, str) or not ID_RE.match(qid):
        raise QuestionnaireError(f"{where}.id: {qid!r} must be 1-64 of a-z, 0-9 and _")
    where = f"{where} ({qid})"
    unknown = sorted(set(data) - set(QUESTION_KEYS))
    if unknown:
        raise QuestionnaireError(f"{where}: unknown key(s) {', '.join(unknown)}; known: {', '.join(QUESTION_KEYS)}")
    for key in ("text", "answer"):
        if key not in data:
            raise QuestionnaireError(f"{where}: missing {key}")
    answer = data["answer"]
    if answer not in ANSWER_TYPES:
        raise QuestionnaireError(f"{where}.answer: {answer!r} is not one of {', '.join(ANSWER_TYPES)}")
    indicator = data.get("indicator")
    if indicator is not None and indicator not in INDICATORS:
        raise QuestionnaireError(f"{where}.indicator: {indicator!r} is not an indicator; "
                                 f"known: {', '.join(INDICATORS)}")
    if indicator is not None and answer == "text":
        raise QuestionnaireError(f"{where}.indicator: a free-text question cannot be compared with an indicator")
    fields: dict[str, Any] = dict(id=qid, text=_text(data["text"], f"{where}.text"), answer=answer,
                                  indicator=indicator,
                                  help=_text(data["help"], f"{where}.help") if "help" in data else None)
    if answer != "scale":
        extra = [k for k in SCALE_ONLY if k in data]
        if extra:
            raise QuestionnaireError(f"{where}: {', '.join(extra)} only apply to answer = \"scale\"")
        return Question(**fields)
    for key in ("min", "max"):
        if key not in data:
            raise QuestionnaireError(f"{where}: a scale question needs min and max (missing {key})")
    low, high = _int(data["min"], f"{where}.min"), _int(data["max"], f"{where}.max")
    if not low < high or high - low + 1 > MAX_SCALE_POINTS:
        raise QuestionnaireError(f"{where}: min {low} and max {high} must give 2 to {MAX_SCALE_POINTS} points")
    labels: tuple[str, ...] = ()
    if "labels" in data:
        raw = data["labels"]
        if not isinstance(raw, list) or len(raw) != high - low + 1:
            raise QuestionnaireError(f"{where}.labels: expected a list of {high - low + 1} labels "
                                     f"(one per point {low}-{high}), got {raw!r}")
        labels = tuple(_text(label, f"{where}.labels[{i}]", 200) for i, label in enumerate(raw))
    pass_at = None
    if "pass_at" in data:
        pass_at = _int(data["pass_at"], f"{where}.pass_at")
        if not low < pass_at <= high:
            raise QuestionnaireError(f"{where}.pass_at: {pass_at} must be above min {low} and at most max {high}")
    elif indicator is not None:
        raise QuestionnaireError(f"{where}: a scale question with an indicator needs pass_at "
                                 "(the lowest point that counts as met)")
    return Question(**fields, min=low, max=high, labels=labels, pass_at=pass_at)


def parse_questionnaire(data: dict[str, Any], source: str) -> Questionnaire:
    unknown = sorted(set(data) - set(TOP_KEYS))
    if unknown:
        raise QuestionnaireError(f"{source}: unknown key(s) {', '.join(unknown)}; known: {', '.join(TOP_KEYS)}")
    for key in TOP_KEYS:
        if key not in data:
            raise QuestionnaireError(f"{source}: missing {key}")
    name, version = data["name"], data["version"]
    if not isinstance(name, str) or not NAME_RE.match(name):
        raise QuestionnaireError(f"{source}: name {name!r} must be 1-64 of a-z, 0-9, _ and -, starting with a "
                                 "letter or digit")
    if not isinstance(version, str) or not VERSION_RE.match(version):
        raise QuestionnaireError(f"{source}: version {version!r} must be dotted numbers, e.g. \"2026.11.1\"")
    title = _text(data["title"], f"{source}: title")
    raw = data["questions"]
    if not isinstance(raw, list) or not raw:
        raise QuestionnaireError(f"{source}: questions must be one or more [[questions]] tables")
    questions: list[Question] = []
    for i, item in enumerate(raw):
        question = _question(item, f"{source}: questions[{i}]")
        if any(q.id == question.id for q in questions):
            raise QuestionnaireError(f"{source}: questions[{i}]: duplicate id {question.id!r}")
        questions.append(question)
    return Questionnaire(name=name, version=version, title=title, questions=tuple(questions), source=source)


def load_questionnaire(path: str | Path | None = None) -> Questionnaire:
    """Load a questionnaire from `path`, or the bundled default."""
    data, source = read_toml(path, ("questionnaires", DEFAULT_QUESTIONNAIRE), "questionnaire", QuestionnaireError)
    return parse_questionnaire(data, source)
