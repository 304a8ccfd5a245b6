"""Dates of birth in a call's words: the date shapes, the birth cues, corrections and repeats.

Part of the panel-pack redactor: `callqa.panel.redact` holds the public API, the
resolution of overlapping hits and the audio side; see its docstring for every rule and why.
"""

from __future__ import annotations

import re

from callqa.panel.redact_words import (
    _Hit, _NUMBER_WORD_SET, _TEENS, _TEEN_VALUES, _TENS, _TENS_VALUES, _UNITS, _UNIT_VALUES, _W,
)


DOB_CUE_BEFORE_S = 15.0   # a birth cue this long before a date makes it a date of birth ("what's your DOB?")
DOB_CUE_AFTER_S = 3.0     # ... or this long after it ("12th of March 1985, that's my date of birth")


_DOB_CUES = frozenset("born birth dob d.o.b birthday".split())


_ORD = (r"(?:(?:twenty|thirty)[ -]?)?(?:first|second|third|fourth|fifth|sixth|seventh|eighth|ninth)"
        r"|tenth|eleventh|twelfth|thirteenth|fourteenth|fifteenth|sixteenth|seventeenth|eighteenth|nineteenth"
        r"|twentieth|thirtieth")
_DAY = rf"(?:[0-3]?\d(?:st|nd|rd|th)?|{_ORD})"
_MONTH_ORD = (r"(?:first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|eleventh|twelfth"
              r"|0?[1-9](?:st|nd|rd|th)|1[0-2]th)")
_MONTH = (r"(?:january|february|march|april|may|june|july|august|september|october|november|december"
          rf"|jan|feb|apr|jun|jul|aug|sept|sep|oct|nov|dec|the {_MONTH_ORD})")
_TWO_DIGIT_WORDS = rf"(?:(?:{_TENS})(?:[ -](?:{_UNITS}))?|oh (?:{_UNITS})|{_TEENS})"
_YEAR_WORDS = (rf"(?:nineteen|twenty) (?:(?:{_TENS})(?:[ -](?:{_UNITS}))?|{_TEENS}|oh (?:{_UNITS})|hundred)"
               rf"|two thousand(?: and)?(?: (?:(?:{_TENS})(?:[ -](?:{_UNITS}))?|{_TEENS}|{_UNITS}))?")
_YEAR = rf"(?:(?:19|20)\d\d|'?\d\d|{_YEAR_WORDS}|{_TWO_DIGIT_WORDS})"
_DAY_NUMBER = rf"(?:(?:oh |zero )?(?:{_UNITS})|{_TEENS}|twenty(?: (?:{_UNITS}))?|thirty(?: one)?|[0-3]?\d)"
_MONTH_NUMBER = rf"(?:(?:oh |zero )?(?:{_UNITS})|ten|eleven|twelve|0?[1-9]|1[0-2])"
_DATE = re.compile(
    rf"(?<![\w'])(?:(?:the )?{_DAY} (?:of |o )?{_MONTH}(?: {_YEAR})?"
    rf"|{_MONTH} (?:the )?{_DAY}(?: {_YEAR})?"
    rf"|\d{{1,2}}[/.-]\d{{1,2}}[/.-]\d{{2,4}}"
    rf"|{_DAY_NUMBER} {_MONTH_NUMBER} (?:(?:19|20)?\d\d|{_YEAR_WORDS}|{_TWO_DIGIT_WORDS})"
    rf"|\d{{1,2}} \d{{1,2}} (?:19|20)?\d\d"
    rf"|{_MONTH} (?:19|20)\d\d"
    rf"|(?:(?:19|20)\d\d|{_YEAR_WORDS}),? (?:the )?{_DAY} (?:of |o )?{_MONTH}"  # "nineteen ninety, the 14th of june"
    rf"|(?<=born in ){_YEAR}|(?<=born ){_YEAR})(?![\w])")


_CORRECTIONS = frozenset("no sorry wait mean actually hang on".split())
_CORRECTION_FILLERS = _CORRECTIONS | frozenset("i er erm um uh its it's it is not oh".split())
_DATE_WORDS = _NUMBER_WORD_SET | frozenset(_ORD.replace("(?:", " ").replace(")?", " ").replace(")", " ")
                                             .replace("[ -]?", " ").replace("|", " ").split()) \
    | frozenset("of the and thousand first second third".split())


def _corrected_date(words: list[_W], hit: _Hit) -> _Hit:
    """A date of birth corrected as it is said goes with its correction: "fourteenth of february two
    thousand and fourteen wait no fifteen", "twenty ninth of february no sorry twenty eighth ..."."""
    low = [w.clean.lower() for w in words]
    k = hit.hi
    while k < len(low) and k - hit.hi < 3 and low[k] in _CORRECTION_FILLERS and not words[k - 1].ends_sentence:
        k += 1
    if k == hit.hi or not any(low[x] in _CORRECTIONS for x in range(hit.hi, k)):
        return hit
    m = k
    while m < len(low) and m - k < 8 and (low[m] in _DATE_WORDS or low[m] in _MONTH_VALUES
                                          or re.fullmatch(r"\d{1,4}(?:st|nd|rd|th)?", low[m])) \
            and not (m > k and words[m - 1].ends_sentence):
        m += 1
    while m > k and low[m - 1] in ("of", "the", "and"):
        m -= 1
    return _Hit(hit.category, hit.rule, hit.stream, hit.lo, m) if m > k else hit


def _dates_of_birth(dates: list[tuple[_Hit, float, float, tuple | None]],
                    cues: list[tuple[float, int]]) -> list[_Hit]:
    """A date is a date of birth when it is the first date said after a birth cue (within
    DOB_CUE_BEFORE_S: "what's your DOB?" ... "third of the tenth eighty two"), or said by the same
    party just before one ("12th of March 1985, that's my date of birth"). Later dates are the
    incident's ("... since the first of June"), unless they are the same date as a date of birth
    (the handler reading it back: "so that's the 26th of the 1st 83")."""
    out = []
    ordered = sorted(dates, key=lambda d: d[1])
    for cue, stream in cues:
        after = [d for d in ordered if cue - 1e-6 <= d[1] <= cue + DOB_CUE_BEFORE_S]
        if after:
            first = min(after, key=lambda d: (d[1], -(d[0].hi - d[0].lo)))
            out += [d for d in after if d[1] == first[1]]
        out += [d for d in ordered if d[1] < cue and cue - DOB_CUE_AFTER_S <= d[2] and d[0].stream == stream]
    keys = {d[3] for d in out if d[3] and d[3][2] is not None}
    out += [d for d in ordered if d[3] in keys]
    return [d[0] for d in out]


_ORDINAL_VALUES = {w: k + 1 for k, w in enumerate(
    "first second third fourth fifth sixth seventh eighth ninth tenth eleventh twelfth thirteenth fourteenth "
    "fifteenth sixteenth seventeenth eighteenth nineteenth".split())} | {"twentieth": 20, "thirtieth": 30}
_MONTH_VALUES = {m: k + 1 for k, m in enumerate("january february march april may june july august september october"
                                                " november december".split())} | {
    "jan": 1, "feb": 2, "apr": 4, "jun": 6, "jul": 7, "aug": 8, "sep": 9, "sept": 9, "oct": 10, "nov": 11, "dec": 12}


def _date_key(low: list[str]) -> tuple[int, int, int | None] | None:
    """(day, month, two-digit year or None) of a date said or written in any of the forms _DATE reads,
    so that the same date said twice is known to be the same ("26th of January 83" = "the twenty
    sixth of the first eighty three" = "26/01/83")."""
    tokens = [t for w in low for t in re.split(r"[/.\-]", w.strip("',")) if t]
    values: list[tuple[int, bool]] = []   # (value, is a month name)
    i = 0
    while i < len(tokens):
        t = tokens[i]
        nxt = tokens[i + 1] if i + 1 < len(tokens) else ""
        if t in _MONTH_VALUES:
            values.append((_MONTH_VALUES[t], True))
        elif t in _ORDINAL_VALUES:
            values.append((_ORDINAL_VALUES[t], False))
        elif m := re.fullmatch(r"(\d{1,4})(?:st|nd|rd|th)?", t):
            values.append((int(m.group(1)), False))
        elif t in _TENS_VALUES:
            tens = int(_TENS_VALUES[t])
            if nxt in _UNIT_VALUES:
                values.append((tens + int(_UNIT_VALUES[nxt]), False))
                i += 1
            elif nxt in _ORDINAL_VALUES and _ORDINAL_VALUES[nxt] < 10:
                values.append((tens + _ORDINAL_VALUES[nxt], False))
                i += 1
            else:
                values.append((tens, False))
        elif t in _TEEN_VALUES:
            values.append((int(_TEEN_VALUES[t]), False))
        elif t in _UNIT_VALUES:
            values.append((int(_UNIT_VALUES[t]), False))
        elif t == "thousand" and values:
            values[-1] = (values[-1][0] * 1000, False)
        i += 1
    months = [v for v, is_month in values if is_month]
    numbers = [v for v, is_month in values if not is_month]
    if len(months) == 1 and numbers:
        day, month, rest = numbers[0], months[0], numbers[1:]
    elif not months and len(numbers) >= 2:
        day, month, rest = numbers[0], numbers[1], numbers[2:]
    else:
        return None
    year = None
    if rest:
        year = rest[-1] % 100 if not (len(rest) == 1 and rest[0] in (19, 20) ) else None
        if len(rest) >= 2 and rest[-2] in (19, 20, 2000):
            year = rest[-1] % 100
    if not (1 <= day <= 31 and 1 <= month <= 12):
        return None
    return day, month, year


def _digit_date_key(code: str) -> tuple[int, int, int] | None:
    """(day, month, two-digit year) of "150992" / "15091992", or None when it is no date."""
    if not re.fullmatch(r"\d{6}|\d{8}", code):
        return None
    day, month, year = int(code[:2]), int(code[2:4]), code[4:]
    if len(year) == 4 and year[:2] not in ("19", "20"):
        return None
    if not (1 <= day <= 31 and 1 <= month <= 12):
        return None
    return day, month, int(year) % 100


def _digit_dates(words: list[_W], digits: list[str], stream: int) -> list[_Hit]:
    """A date said as its digits ("one five oh nine nine two", "fifteen oh nine ninety two"): a run of
    spoken digit words whose six or eight digits read as day, month and year."""
    hits = []
    j = 0
    while j < len(words):
        if not re.fullmatch(r"\d{1,2}", digits[j].replace(" ", "")):
            j += 1
            continue
        k = j
        while k < len(words) and re.fullmatch(r"\d{1,2}", digits[k].replace(" ", "")) \
                and not words[k].clean[:1].isdigit():
            k += 1
            if words[k - 1].ends_clause:
                break
        if k > j + 1 and _digit_date_key("".join(digits[j:k]).replace(" ", "")):
            hits.append(_Hit("date_of_birth", "date_of_birth.digits", stream, j, k))
        j = max(k, j + 1)
    return hits
