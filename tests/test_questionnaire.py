"""The panel questionnaire: the bundled seven questions, strict validation, answers checked per type."""

from __future__ import annotations

import json

import pytest

from callqa.cli import main
from callqa.panel.questionnaire import (
    Question,
    QuestionnaireError,
    load_questionnaire,
    parse_questionnaire,
)

GOOD = """
name = "test"
version = "2026.12.1"
title = "A test questionnaire"

[[questions]]
id = "greeting"
text = "Was the correct greeting given?"
answer = "yes_no"
indicator = "greeting"

[[questions]]
id = "overall"
text = "Overall, how well was the call handled?"
answer = "scale"
min = 1
max = 5
labels = ["Very poor", "Poor", "Fair", "Good", "Very good"]
pass_at = 4
indicator = "next_steps"

[[questions]]
id = "comments"
text = "Anything else?"
answer = "text"
"""


def test_bundled_questionnaire_is_the_seven_review_questions():
    q = load_questionnaire()
    assert q.ref == "default@2026.11.1" and q.name == "default"
    assert q.title == "Call review: the scrutiny panel's seven questions"
    assert [(x.id, x.indicator) for x in q.questions] == [
        ("greeting", "greeting"), ("listening", "listening"), ("acknowledgement", "acknowledgement"),
        ("empathy", "empathy"), ("silence", "unexplained_silence"), ("next_steps", "next_steps"),
        ("recap", "recap")]
    assert q.questions[1].text == "Was the caller listened to appropriately?"
    assert q.question("silence").text == "Was any silence explained to the caller?"
    assert all(x.answer == "yes_no_partly" and "not_sure" in x.choices for x in q.questions)
    assert q.source == "models/questionnaires/default.toml"


def test_custom_file_loads_and_renders_to_json(tmp_path):
    path = tmp_path / "q.toml"
    path.write_text(GOOD, encoding="utf-8")
    q = load_questionnaire(path)
    assert q.ref == "test@2026.12.1" and q.source == str(path) and q.ids == ("greeting", "overall", "comments")
    overall = q.question("overall")
    assert (overall.min, overall.max, overall.pass_at, overall.labels[0]) == (1, 5, 4, "Very poor")
    data = q.to_json()
    json.dumps(data)  # plain JSON
    assert data["ref"] == "test@2026.12.1"
    assert data["answers_format"] == {"format": "callqa-panel-answers", "format_version": 2}
    by_id = {x["id"]: x for x in data["questions"]}
    assert [c["value"] for c in by_id["greeting"]["choices"]] == ["yes", "no", "not_sure"]
    assert by_id["overall"]["choices"][3] == {"value": "4", "label": "Good"} and by_id["overall"]["pass_at"] == 4
    assert by_id["comments"]["indicator"] is None and by_id["comments"]["max_length"] == 4000


@pytest.mark.parametrize("change, message", [
    (("", 'colour = "blue"\n'), "unknown key(s) colour"),
    (('version = "2026.12.1"', 'version = "next"'), "version 'next' must be dotted numbers"),
    (('name = "test"', 'name = "Test Panel"'), "name 'Test Panel'"),
    (('answer = "yes_no"', 'answer = "yes_or_no"'), "questions[0] (greeting).answer: 'yes_or_no' is not one of "
                                                   "yes_no, yes_no_partly, scale, text"),
    (('indicator = "greeting"', 'indicator = "greetings"'), "questions[0] (greeting).indicator: 'greetings' is "
                                                           "not an indicator"),
    (('id = "overall"', 'id = "greeting"'), "questions[1]: duplicate id 'greeting'"),
    (('id = "overall"', 'id = "Overall!"'), "questions[1].id: 'Overall!' must be 1-64 of a-z, 0-9 and _"),
    (("min = 1\n", ""), "a scale question needs min and max (missing min)"),
    (("max = 5\n", ""), "a scale question needs min and max (missing max)"),
    (('labels = ["Very poor", ', 'labels = ['), "labels: expected a list of 5 labels"),
    (("pass_at = 4", "pass_at = 9"), "pass_at: 9 must be above min 1 and at most max 5"),
    (("pass_at = 4\n", ""), "a scale question with an indicator needs pass_at"),
    (('indicator = "greeting"', 'indicator = "greeting"\nmin = 1'), "min only apply to answer = \"scale\""),
    (('answer = "text"', 'answer = "text"\nindicator = "recap"'), "a free-text question cannot be compared"),
    (('answer = "yes_no"', 'answer = "yes_no"\ncolour = 1'), "questions[0] (greeting): unknown key(s) colour"),
    (('text = "Anything else?"', 'text = ""'), "text: expected a non-empty string"),
    (('title = "A test questionnaire"', ''), "missing title"),
    (('title = "A test questionnaire"', 'title = "unterminated'), "not valid TOML"),
])
def test_bad_questionnaires_name_the_file_and_the_problem(tmp_path, change, message):
    old, new = change
    text = GOOD.replace(old, new, 1) if old else new + GOOD
    assert text != GOOD
    path = tmp_path / "bad.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(QuestionnaireError) as caught:
        load_questionnaire(path)
    assert str(caught.value).startswith(str(path)) and message in str(caught.value)


def test_no_questions_and_missing_file(tmp_path):
    with pytest.raises(QuestionnaireError, match="questions must be one or more"):
        parse_questionnaire({"name": "x", "version": "1.0", "title": "t", "questions": []}, "x.toml")
    with pytest.raises(QuestionnaireError, match="cannot read questionnaire"):
        load_questionnaire(tmp_path / "missing.toml")


def test_validate_answer_normalises_or_explains():
    yn = Question("greeting", "Greeting?", "yes_no")
    ynp = Question("listening", "Listening?", "yes_no_partly")
    scale = Question("overall", "Overall?", "scale", min=1, max=5, pass_at=4)
    text = Question("comments", "Comments?", "text")
    assert [ynp.validate_answer(v) for v in ("yes", " No ", "PARTLY", "not sure", "Not-Sure", "not_sure")] == \
        ["yes", "no", "partly", "not_sure", "not_sure", "not_sure"]
    with pytest.raises(QuestionnaireError, match="^'partly' is not one of yes, no, not_sure$"):
        yn.validate_answer("partly")
    with pytest.raises(QuestionnaireError, match="^'maybe' is not one of yes, no, partly, not_sure$"):
        ynp.validate_answer("maybe")
    for bad in (True, 1, None):
        with pytest.raises(QuestionnaireError):
            yn.validate_answer(bad)
    assert [scale.validate_answer(v) for v in (1, "5", 4.0, " 3 ")] == ["1", "5", "4", "3"]
    for bad in (0, 6, "4.5", 4.5, True, "good", None):
        with pytest.raises(QuestionnaireError, match="is not a whole number from 1 to 5"):
            scale.validate_answer(bad)
    assert text.validate_answer("  Polite throughout.  ") == "Polite throughout."
    with pytest.raises(QuestionnaireError, match="longer than 4000"):
        text.validate_answer("x" * 4001)
    with pytest.raises(QuestionnaireError, match="not a text answer"):
        text.validate_answer(5)
    # what each answer means for calibration
    assert [ynp.met(a) for a in ("yes", "no", "partly", "not_sure")] == [True, False, False, None]
    assert [scale.met(a) for a in ("3", "4", "5")] == [False, True, True]
    assert text.met("fine") is None


def test_cli_validates_and_prints(tmp_path, capsys):
    assert main(["panel", "questionnaire"]) == 0
    out = capsys.readouterr().out
    assert "default@2026.11.1" in out and "silence [yes_no_partly; indicator unexplained_silence]" in out
    path = tmp_path / "q.toml"
    path.write_text(GOOD, encoding="utf-8")
    assert main(["panel", "questionnaire", str(path), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["ref"] == "test@2026.12.1"
    path.write_text(GOOD.replace('answer = "text"', 'answer = "essay"'), encoding="utf-8")
    assert main(["panel", "questionnaire", str(path)]) == 6  # a configuration error
    err = capsys.readouterr().err
    assert str(path) in err and "'essay' is not one of" in err
