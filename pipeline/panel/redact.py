"""Hide personal data from calls shown to scrutiny panels (members of the public).

A panel pack carries each sampled call's transcript, its indicator evidence and its audio, so
the caller's (and handler's) personal details must go before a pack is built:
`find_redactions` finds them in the transcript's words, `redact_result` rewrites a result JSON
so none of the original words survive anywhere in it, and `redact_audio` covers the same
moments of the recording with a tone (or silence) on every channel. A `Redaction` records
where and what kind of detail was hidden, never the words themselves, so it can go into audit
logs and packs.

How details are found (no trained model is available offline, so these are rules; each
`Redaction.rule` names the one that fired):

- Detection runs on each party's word stream: a party's consecutive segments less than
  `JOIN_GAP_S` apart are read as one, so a number split across two segments is still found.
  Spoken single digits become digits first ("oh seven seven" -> "0 7 7", "double two" -> "2 2").
- phone: a run of digit words/groups ("07700 900123", "0 7 7 0 0 ...", "+44 7700 900123") with
  10+ digits starting 0, or 11+ starting 44; or 6+ digits within 8 words of "number", "phone",
  "mobile"... Shorter runs ("101", "in 10 minutes") are left alone.
- postcode: the full UK shape (outward + inward code), written whole ("ST16 2DJ") or letter by
  letter ("S T 1 6 2 D J"), in capitals; after the word "postcode", up to seven code-like words
  (capitals and digits) even when the shape is incomplete.
- vehicle_reg: current ("AB12 CDE"), prefix ("A123 BCD") and suffix ("ABC 123D") plates, whole
  or letter by letter, in capitals; after "registration"/"reg"/"number plate", up to seven
  code-like words holding both a letter and a digit. Dateless plates ("ABC 123") are missed.
- address answers: after "what's the address (of your emergency)?" / "where are you?", a house
  number in the other party's first words and up to four words after it, to the clause end.
- answers: when one party asks for a postcode, registration or phone number, code-like words in
  the other party's reply (first 10 words, within 10 s) are hidden as that category, with up to
  three words before them: the recogniser often mishears a spelled code ("Y R one seven, K L M"
  -> "Why are 07KLM?") so its shape is lost, but the question still says what it was.
- email: written ("john.smith@example.com") or spoken ("john dot smith at gmail dot com"), ending
  in a common top-level domain (com, co.uk, org, net, uk, ...). Only the last word of a spoken
  local part written as two words ("john smith at ...") is caught by this rule.
- date_of_birth: a date ("12th of March 1985", "12/03/1985", "twelfth of March nineteen eighty
  five", "March 1985", "born in 1985") within 15 s after (or 3 s before) a birth cue said by
  either party ("born", "date of birth", "DOB", "birthday"). Other dates stay: they are
  usually the incident's, which a panel needs.
- address: a house number (digits or words, optional "flat 3,") then 1-3 capitalised street
  words then a street suffix (Road, Street, Lane, Avenue, Close, Drive, Way, Court, ...):
  "14 Meadow Lane", "flat 3, 22 Church Street". The town after it is kept (areas are not
  personal); a street without a house number ("on Station Road": the incident location) stays.
- reference: `RedactionConfig.reference_patterns` (see pipeline/config.py for the default).
- name: cue phrases ("my name is X Y", "called X", "speaking to X", "is that X", "Mr/Mrs/Dr/PC
  X"; "this is X", "I'm X", "it's X" only when X is a known first name), a known first name
  (pipeline/panel/data/first_names.txt, ~500 names) followed by a capitalised surname, or a
  known first name alone. First names that are also ordinary words (Will, May, Mark, Grace,
  Frank...) count alone only mid-sentence with a capital (never May/June/Jan), at a sentence
  start only with a surname (not "Will Thomas be in?"), or after a cue. A surname
  spelled out after a name ("Smith, S M I T H") goes too, and every later mention of a word
  hidden as a name is hidden again. The force and common place names (Staffordshire, Stafford,
  Stoke-on-Trent...), days, months and other everyday capitalised words are never names.
  Surnames said without a first name or cue, lower-case names, and names the recogniser
  misspells into ordinary words are missed: a panel pack still needs a human check.

Audio: each redaction's cover (`Redaction.cover`) takes in the silent gaps either side up to the
nearest word anyone said (at most WIDEN_MAX_S), or `pad_s`, whichever reaches further. tiny.en
timed a spelled postcode said over 2 s as one word in its last 0.6 s, so word times alone leave
most of it audible; and with a 0.05 s pad the first syllable of a hidden name was still
recognised (tests/data/redaction/planted.wav). The price: a neighbouring word whose end time the
recogniser put early can lose its last syllable.

Limits: detection depends on what the recogniser wrote; details it misheard into other words
cannot be found, and a detail is only hidden from the audio where it was found in the text.
Rules over-redact a little by design (a bike frame number after "number" is hidden as a phone
number): a panel can do without a detail, the caller cannot take back one given away.
"""

from __future__ import annotations

import copy
import math
import re
from collections import Counter
from dataclasses import asdict, dataclass
from functools import lru_cache
from importlib import resources
from typing import Any, Iterable, Sequence

import numpy as np

from pipeline.config import RedactionConfig
from pipeline.transcript import Segment, Word

__all__ = ["PLACEHOLDERS", "Redaction", "RedactionConfig", "audio_spans", "find_redactions", "redact_audio",
           "redact_result", "redaction_spans"]

PLACEHOLDERS = {"name": "[NAME]", "phone": "[PHONE]", "postcode": "[POSTCODE]", "address": "[ADDRESS]",
                "date_of_birth": "[DOB]", "vehicle_reg": "[VEHICLE REG]", "email": "[EMAIL]",
                "reference": "[REFERENCE]"}
# Where two detectors claim the same words, the earlier category wins.
PRIORITY = ("email", "reference", "phone", "postcode", "vehicle_reg", "date_of_birth", "address", "name")
JOIN_GAP_S = 2.0          # a party's segments closer than this are read as one stream
DOB_CUE_BEFORE_S = 15.0   # a birth cue this long before a date makes it a date of birth ("what's your DOB?")
DOB_CUE_AFTER_S = 3.0     # ... or this long after it ("12th of March 1985, that's my date of birth")
# Recogniser word times are approximate, worst for a spelled code written as one word after a pause
# ("S T one six, two D J" -> "ST162DJ." timed to the last 0.6 s of a 2 s answer). Nobody speaks
# between two neighbouring words, so the audio cover reaches into the silence up to the nearest
# word said by anyone, at most this far.
WIDEN_MAX_S = 2.0
TONE_HZ = 1000.0
TONE_DBFS = -12.0         # peak level of the bleep
RAMP_S = 0.005            # cross-fade at each edge of a covered span, so the cut does not click

_EDGE_LEAD = "\"'([{<\u201c\u2018"
_EDGE_TRAIL = ".,!?;:\"')]}>\u201d\u2019\u2026-"
_TRAIL_PUNCT = re.compile(r"[.,!?;:]+$")

DIGIT_WORDS = {"zero": "0", "nought": "0", "one": "1", "two": "2", "three": "3", "four": "4", "five": "5",
               "six": "6", "seven": "7", "eight": "8", "nine": "9"}
_UNITS = "one|two|three|four|five|six|seven|eight|nine"
_TEENS = "ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen"
_TENS = "twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety"

# Everyday capitalised words, the force and local places: never taken for a name.
STOP_WORDS = frozenset("""
i i'm i'll i've i'd im a an the and but or so if then than that this these those there here it it's its
is are was were be been am do does did done have has had will would shall should can could may might must
what when where which who whom whose why how yes yeah yep no nope not ok okay alright right well oh hello hi
hey bye goodbye thanks thank cheers sorry please sir madam mam maam ma'am mate love pal lad lass guys
police officer officers pc dc ds sergeant inspector constable detective control room emergency services
ambulance fire brigade council nhs hospital a&e gp doctor nurse station
staffordshire stafford stoke stoke-on-trent trent newcastle newcastle-under-lyme lyme burton burton-on-trent
tamworth lichfield cannock leek uttoxeter stone rugeley biddulph kidsgrove hanley longton burslem fenton
tunstall meir cheadle penkridge eccleshall codsall wolverhampton walsall birmingham derby crewe london
manchester england britain uk english british scotland wales ireland europe midlands west east north south
monday tuesday wednesday thursday friday saturday sunday january february march april june july august
september october november december christmas easter today tomorrow yesterday tonight morning afternoon
evening
road street lane avenue close drive way court crescent place grove gardens terrace walk hill park square
tesco asda aldi lidl sainsbury's sainsburys morrisons mcdonald's amazon google facebook whatsapp iphone
ford vauxhall toyota honda bmw audi nissan volkswagen mercedes kia
god jesus um uh er erm hmm mm just also still again now then because about after before
my your his her our their me you him them us we they he she one two three four five
mr mrs ms miss mx dr
""".split())
# First names that are also everyday words or places: at a sentence start (where every word has a
# capital) they are names only with a surname or after a cue.
AMBIGUOUS_NAMES = frozenset("""
will may mark bill rose grace hope faith joy summer iris penny pat don ray guy miles ruby amber holly ivy
dawn june jack frank rob sue dean jan max jay robin florence jordan hazel violet olive pearl glen dale carol
precious chase
""".split())
# ... and these are not names even with a capital mid-sentence (months), or at a sentence start
# before a capitalised word in a question ("Will Thomas be there?").
NOT_NAMES_ALONE = frozenset("may june jan".split())
MODAL_NAMES = frozenset("will may".split())
TITLES = frozenset("mr mrs ms miss mx dr pc dc ds sergeant sgt inspector constable officer".split())
_FILLERS = frozenset("uh um er erm ah like".split())
# cue -> what may follow: "any" word, a "capital"ised word, or a "known" first name
NAME_CUES: tuple[tuple[tuple[str, ...], str], ...] = (
    (("my", "name", "is"), "any"), (("name", "is"), "any"), (("name's",), "any"), (("names",), "any"),
    (("surname", "is"), "any"), (("called",), "capital"), (("named",), "capital"),
    (("speaking", "to"), "capital"), (("speak", "to"), "capital"), (("ask", "for"), "capital"),
    (("is", "that"), "capital"), (("this", "is"), "known"), (("i'm",), "known"), (("i", "am"), "known"),
    (("it's",), "known"),
) + tuple(((t,), "capital") for t in sorted(TITLES))
_PHONE_CUES = frozenset("number phone mobile landline contact ring call text whatsapp tel telephone".split())
_DOB_CUES = frozenset("born birth dob d.o.b birthday".split())
_POSTCODE_CUES = (("postcode",), ("post", "code"))
_REG_CUES = (("registration",), ("reg",), ("number", "plate"), ("plate",))
_PHONE_QUESTION_CUES = (("phone",), ("mobile",), ("landline",), ("telephone",), ("contact", "number"))
_ADDRESS_QUESTION_CUES = (("address",), ("where", "are", "you"), ("where", "do", "you", "live"), ("whereabouts",))
ADDRESS_ANSWER_WORDS = 4  # a house number in the reply to "what's the address?" and up to this many words after it
ANSWER_S = 10.0           # a reply this soon after "what's your postcode?" is read as the answer
ANSWER_WORDS = 10         # ... within its first this many words
_ANSWER_FILLERS = frozenset("yes yeah yep it's it is its that's sorry um uh er erm okay ok so right oh hi well".split())
_ADDRESS_LEAD_INS = _ANSWER_FILLERS | frozenset("at i'm we're i am we are number no flat house the".split())
# Tokens too common to scrub on their own from free text (they are scrubbed as part of a sequence).
_COMMON_TOKENS = STOP_WORDS | frozenset(f"{_UNITS}|{_TEENS}|{_TENS}".split("|")) | frozenset(
    "dot at underscore dash hyphen slash of flat apartment unit house number no oh double triple com co uk org net"
    " born date birth".split())


@dataclass(frozen=True)
class Redaction:
    """One hidden detail: where it was and what kind, never the words (this goes into audit logs)."""

    category: str
    placeholder: str
    speaker: str
    segment_index: int
    word_start: int      # first hidden word of the segment
    word_end: int        # one past the last hidden word
    start_s: float       # the hidden words' times
    end_s: float
    rule: str
    audio_start_s: float = -1.0  # the silent gap either side that the audio cover may take in: back to the
    audio_end_s: float = -1.0    # word before / on to the word after (WIDEN_MAX_S at most); -1 = none

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def cover(self, pad_s: float) -> tuple[float, float]:
        """The audio to cover: the silent gaps either side, or `pad_s`, whichever reaches further.

        Pad and gap do not add up, so a neighbouring word is never cut by more than `pad_s`.
        """
        start = self.audio_start_s if self.audio_start_s >= 0 else self.start_s
        end = self.audio_end_s if self.audio_end_s >= 0 else self.end_s
        return max(0.0, min(self.start_s - pad_s, start)), max(self.end_s + pad_s, end)


@dataclass(frozen=True)
class _W:
    """One word of a party's stream, with the spelling forms the detectors read."""

    seg: int
    idx: int
    text: str
    clean: str            # edge punctuation dropped, case kept
    start_s: float
    end_s: float
    sentence_start: bool
    ends_sentence: bool
    ends_clause: bool     # , ; : . ? ! after it, or a segment ends


@dataclass(frozen=True)
class _Hit:
    category: str
    rule: str
    stream: int
    lo: int
    hi: int               # exclusive


# ---------------------------------------------------------------- word streams


def _clean(text: str) -> str:
    return text.strip().lstrip(_EDGE_LEAD).rstrip(_EDGE_TRAIL)


def _segments(transcript: Sequence[Segment | dict]) -> list[Segment]:
    return [s if isinstance(s, Segment) else Segment.from_dict(s) for s in transcript]


def _words_of(seg: Segment) -> list[Word]:
    """The segment's words; a segment stored without words is split on spaces, times spread evenly."""
    if seg.words or not seg.text.strip():
        return seg.words
    parts = seg.text.split()
    step = (seg.end_s - seg.start_s) / len(parts)
    return [Word(" " + p, seg.start_s + k * step, seg.start_s + (k + 1) * step, 1.0) for k, p in enumerate(parts)]


def _streams(segments: list[Segment]) -> list[tuple[str, list[_W]]]:
    """Each party's words in time order, consecutive segments joined when close together."""
    streams: list[tuple[str, list[_W]]] = []
    last: dict[str, tuple[int, float]] = {}  # speaker -> (stream index, end time)
    order = sorted(range(len(segments)), key=lambda k: (segments[k].start_s, k))
    for k in order:
        seg = segments[k]
        words = _words_of(seg)
        if not words:
            continue
        if seg.speaker in last and words[0].start_s - last[seg.speaker][1] <= JOIN_GAP_S:
            stream = last[seg.speaker][0]
        else:
            streams.append((seg.speaker, []))
            stream = len(streams) - 1
        out = streams[stream][1]
        for i, word in enumerate(words):
            raw = word.text.strip()
            final = i == len(words) - 1
            title = _clean(raw).lower() in TITLES  # "Mr." does not end a sentence
            ends_sentence = final or (bool(re.search(r"[.!?]['\"]?$", raw)) and not title)
            ends_clause = ends_sentence or bool(re.search(r"[,;:]['\"]?$", raw))
            start = i == 0 or (bool(out) and out[-1].ends_sentence and out[-1].seg == k)
            out.append(_W(k, i, word.text, _clean(raw), word.start_s, word.end_s, start, ends_sentence,
                          ends_clause))
        last[seg.speaker] = (stream, words[-1].end_s)
    return streams


def _digit_norms(words: list[_W]) -> list[str]:
    """Spoken digits as digits ("oh seven" -> "0 7", "double two" -> "2 2"), "slash" as "/"."""
    low = [w.clean.lower() for w in words]
    norms = [DIGIT_WORDS.get(t, w.clean) for t, w in zip(low, words)]

    def digitish(j: int) -> bool:
        return 0 <= j < len(norms) and (norms[j].isdigit() or low[j] in ("oh", "o", "double", "triple"))

    for j, t in enumerate(low):
        if t in ("oh", "o") and (digitish(j - 1) or digitish(j + 1)):
            norms[j] = "0"
    for j in range(len(low) - 1, -1, -1):
        if low[j] in ("double", "triple") and j + 1 < len(norms) and len(norms[j + 1]) == 1 and norms[j + 1].isdigit():
            norms[j] = " ".join((norms[j + 1] * (2 if low[j] == "double" else 3))[:-1])
    for j, t in enumerate(low):
        if t == "slash":
            norms[j] = "/"
        elif t in ("dash", "hyphen"):
            norms[j] = "-"
        elif len(norms[j]) <= 8 and "@" not in norms[j] and re.fullmatch(r"[A-Za-z0-9.]+", norms[j]):
            norms[j] = norms[j].replace(".", "")  # "S.T.16" -> "ST16"
    return norms


def _view(words: list[_W], norms: list[str], breaks: bool = False) -> tuple[str, list[int]]:
    """Join word forms into one string; `owner[c]` is the word at character c (-1 for separators).
    With `breaks`, sentences are separated by a newline so single-space patterns never span one."""
    parts: list[str] = []
    owner: list[int] = []
    for pos, norm in enumerate(norms):
        if not norm:
            continue
        if parts:
            sep = "\n" if breaks and words[pos - 1].ends_sentence else " "
            parts.append(sep)
            owner.append(-1)
        parts.append(norm)
        owner.extend([pos] * len(norm))
    return "".join(parts), owner


def _span(owner: list[int], a: int, b: int) -> tuple[int, int] | None:
    positions = [p for p in owner[a:b] if p >= 0]
    return (min(positions), max(positions) + 1) if positions else None


def _regex_hits(pattern: re.Pattern, text: str, owner: list[int], category: str, rule: str, stream: int,
                group: str | None = None) -> list[_Hit]:
    hits = []
    for m in pattern.finditer(text):
        a, b = (m.span(group) if group and m.group(group) is not None else m.span())
        span = _span(owner, a, b)
        if span:
            hits.append(_Hit(category, rule, stream, *span))
    return hits


def _cue_ends(low: list[str], cues: Iterable[tuple[str, ...]]) -> list[int]:
    """Positions just after each occurrence of any cue word sequence."""
    ends = []
    for cue in cues:
        n = len(cue)
        ends.extend(i + n for i in range(len(low) - n + 1) if tuple(low[i:i + n]) == cue)
    return sorted(ends)


# ---------------------------------------------------------------- detectors

_P = r"[ -]?"  # between the characters of a spelled-out code
_POSTCODE = re.compile(
    rf"(?<![A-Za-z0-9])[A-PR-UWYZ](?:{_P}[A-HK-Y])?{_P}\d(?:{_P}[A-HJKPSTUW0-9])?"
    rf"{_P}\d{_P}[ABD-HJLNP-UW-Z]{_P}[ABD-HJLNP-UW-Z](?![A-Za-z0-9])")
_REG = re.compile(
    rf"(?<![A-Za-z0-9])(?:[A-Z]{_P}[A-Z]{_P}\d{_P}\d{_P}[A-Z]{_P}[A-Z]{_P}[A-Z]"       # AB12 CDE
    rf"|[A-Z]{_P}\d(?:{_P}\d){{0,2}}{_P}[A-Z]{_P}[A-Z]{_P}[A-Z]"                        # A123 BCD
    rf"|[A-Z]{_P}[A-Z]{_P}[A-Z]{_P}\d(?:{_P}\d){{0,2}}{_P}[A-Z])(?![A-Za-z0-9])")      # ABC 123D
_TLD = r"(?:co(?:\.| dot )uk|org(?:\.| dot )uk|gov(?:\.| dot )uk|ac(?:\.| dot )uk|nhs(?:\.| dot )uk|com|org|net|uk" \
       r"|me|io|info|biz|ie|eu|edu)"
_EMAIL = re.compile(
    r"(?<![\w@.])[a-z0-9][a-z0-9_%+-]*(?:(?:\.| dot | underscore |_| dash | hyphen )[a-z0-9][a-z0-9_%+-]*)*"
    rf"(?:@| at )[a-z0-9][a-z0-9-]*(?:(?:\.| dot )[a-z0-9][a-z0-9-]*)*?(?:\.| dot ){_TLD}(?![\w])")
_NUMBER_WORDS = rf"(?:(?:{_TENS})(?:[ -](?:{_UNITS}))?|{_TEENS}|{_UNITS})"
_HOUSE = rf"(?:\d{{1,4}}[A-Za-z]?|(?i:{_NUMBER_WORDS}))"
_SUFFIX = (r"(?i:road|rd|street|st|lane|avenue|ave|close|drive|way|court|crescent|place|grove|gardens|terrace|walk"
           r"|hill|park|square|row|mews|rise|view|green|parade|croft|fold|bank|vale|meadows|end|gate|wharf|yard"
           r"|mount|boulevard|chase|circle|side)")
_STREET_END = re.compile(_SUFFIX)  # the street name ends here: the town after it is kept
_ADDRESS = re.compile(
    rf"(?<![\w-])(?:(?i:flat|apartment|apt|unit|house|number|no) {_HOUSE} )?{_HOUSE} "
    rf"(?:[A-Z][A-Za-z'-]+ ){{1,3}}{_SUFFIX}(?![\w'-])")
_ORD = (r"(?:(?:twenty|thirty)[ -]?)?(?:first|second|third|fourth|fifth|sixth|seventh|eighth|ninth)"
        r"|tenth|eleventh|twelfth|thirteenth|fourteenth|fifteenth|sixteenth|seventeenth|eighteenth|nineteenth"
        r"|twentieth|thirtieth")
_DAY = rf"(?:[0-3]?\d(?:st|nd|rd|th)?|{_ORD})"
_MONTH = (r"(?:january|february|march|april|may|june|july|august|september|october|november|december"
          r"|jan|feb|apr|jun|jul|aug|sept|sep|oct|nov|dec)")
_YEAR_WORDS = (rf"(?:nineteen|twenty) (?:(?:{_TENS})(?:[ -](?:{_UNITS}))?|{_TEENS}|oh (?:{_UNITS})|hundred)"
               rf"|two thousand(?: and)?(?: (?:(?:{_TENS})(?:[ -](?:{_UNITS}))?|{_TEENS}|{_UNITS}))?")
_YEAR = rf"(?:(?:19|20)\d\d|'?\d\d|{_YEAR_WORDS})"
_DATE = re.compile(
    rf"(?<![\w'])(?:(?:the )?{_DAY} (?:of )?{_MONTH}(?: {_YEAR})?"
    rf"|{_MONTH} (?:the )?{_DAY}(?: {_YEAR})?"
    rf"|\d{{1,2}}[/.-]\d{{1,2}}[/.-]\d{{2,4}}"
    rf"|\d{{1,2}} \d{{1,2}} (?:19|20)?\d\d"
    rf"|{_MONTH} (?:19|20)\d\d"
    rf"|(?<=born in ){_YEAR}|(?<=born ){_YEAR})(?![\w])")


def _phone_hits(words: list[_W], digits: list[str], stream: int) -> list[_Hit]:
    """Runs of digit groups long enough to be a UK phone number, or shorter after a phone cue."""
    hits = []
    low = [w.clean.lower() for w in words]

    def phonish(j: int) -> bool:
        d = digits[j].replace("(", "").replace(")", "")
        if re.fullmatch(r"\+?\d[\d -]*", d) or d == "+":
            return True
        return low[j] == "plus" and j + 1 < len(digits) and digits[j + 1].startswith("44")

    j = 0
    while j < len(words):
        if not phonish(j):
            j += 1
            continue
        k = j
        while k < len(words) and phonish(k):
            k += 1
        number = re.sub(r"\D", "", "".join(digits[j:k]))
        cue = any(t.strip("?") in _PHONE_CUES for t in low[max(0, j - 8):j])
        if number.startswith("0") and len(number) >= 10:
            hits.append(_Hit("phone", "phone.uk", stream, j, k))
        elif number.startswith("44") and len(number) >= 11:
            hits.append(_Hit("phone", "phone.international", stream, j, k))
        elif cue and len(number) >= 6:
            hits.append(_Hit("phone", "phone.after_cue", stream, j, k))
        j = k
    return hits


def _code_after_cue(words: list[_W], digits: list[str], cues, category: str, limit: int, stream: int) -> list[_Hit]:
    """Code-like words (capitals and digits) after "postcode"/"registration": a partial code is still hidden."""
    low = [w.clean.lower() for w in words]
    hits = []
    for end in _cue_ends(low, cues):
        j = end
        while j < len(words) and low[j] in ("is", "it's", "its", "was", "number", "yes", "yeah", "uh", "um", "er",
                                            "erm"):
            j += 1
        k = j
        while k < len(words) and k - j < limit and re.fullmatch(r"[A-Z0-9][A-Z0-9-]*", digits[k].replace(" ", "")):
            k += 1
            if words[k - 1].ends_sentence:
                break
        code = "".join(digits[j:k])
        if k > j and re.search(r"\d", code) and (category == "postcode" or re.search(r"[A-Z]", code)):
            hits.append(_Hit(category, f"{category}.after_cue", stream, j, k))
    return hits


def _answer_hits(streams: list[tuple[str, list[_W]]], digit_views: list[list[str]], on: set[str]) -> list[_Hit]:
    """Code-like words in the other party's reply to "what's your postcode / registration / number?".

    The recogniser often mishears a spelled code ("Y R one seven K L M" -> "Why are 07KLM?"), so
    its shape is lost, but the question before it still says what it is. Up to three words before
    the first code-like word go too (the misheard start), leading fillers ("yes, it's") stay.
    """
    asks = [("postcode", _POSTCODE_CUES), ("vehicle_reg", _REG_CUES), ("phone", _PHONE_QUESTION_CUES)]
    hits = []
    for s, (speaker, words) in enumerate(streams):
        low = [w.clean.lower() for w in words]
        for category, cues in asks:
            if category not in on:
                continue
            for end in _cue_ends(low, cues):
                hit = _code_in_reply(_replies(streams, speaker, words[end - 1].end_s), digit_views, category)
                if hit:
                    hits.append(hit)
    return hits


def _replies(streams: list[tuple[str, list[_W]]], speaker: str, asked_at: float) -> list[tuple[int, int, _W]]:
    """The other party's first words after a question, in time order (mono: anyone's)."""
    reply = [(t, j, w) for t, (other, ws) in enumerate(streams)
             if other != speaker or speaker == "unknown"
             for j, w in enumerate(ws) if asked_at <= w.start_s <= asked_at + ANSWER_S]
    return sorted(reply, key=lambda x: x[2].start_s)[:ANSWER_WORDS]


def _address_answer_hits(streams: list[tuple[str, list[_W]]], digit_views: list[list[str]]) -> list[_Hit]:
    """The reply to "what's the address of your emergency?" from its house number to the sentence end
    or clause end (at most ADDRESS_ANSWER_WORDS more words): the street name is often misheard into ordinary words
    ("14 Nolan Stone" -> "14 no length stone"), which the street-suffix rule cannot see."""
    hits = []
    for speaker, words in streams:
        low = [w.clean.lower() for w in words]
        for end in _cue_ends(low, _ADDRESS_QUESTION_CUES):
            for t, j, w in _replies(streams, speaker, words[end - 1].end_s):
                if w.clean.lower() not in _ADDRESS_LEAD_INS and not re.fullmatch(r"\d{1,4}[A-Za-z]?",
                                                                                digit_views[t][j].strip()):
                    break  # the reply does not open with the house number: "I don't know, 5 minutes away"
                if re.fullmatch(r"\d{1,4}[A-Za-z]?", digit_views[t][j].strip()):
                    ws = streams[t][1]
                    k = j + 1
                    while (k < len(ws) and k - j <= ADDRESS_ANSWER_WORDS and not ws[k - 1].ends_clause
                           and not (k > j + 1 and _STREET_END.fullmatch(ws[k - 1].clean))):
                        k += 1
                    if k - j > 1:  # a bare number ("5") is not an address
                        hits.append(_Hit("address", "address.answer", t, j, k))
                    break
    return hits


def _code_in_reply(reply: list[tuple[int, int, _W]], digit_views: list[list[str]], category: str) -> _Hit | None:
    if not reply:
        return None
    stream = next((t for t, j, _ in reply if _code_like(digit_views[t][j])), None)
    if stream is None:
        return None
    positions = [j for t, j, _ in reply if t == stream]
    codes = [j for j in positions if _code_like(digit_views[stream][j])]
    text = "".join(digit_views[stream][j] for j in codes).replace(" ", "")
    digit_count = sum(c.isdigit() for c in text)
    if category == "phone" and digit_count < 6:
        return None
    if category != "phone" and not (digit_count and re.search(r"[A-Z]", text)):
        return None
    lo = max(positions[0], codes[0] - 3)
    while lo < codes[0] and digit_views[stream][lo].lower() in _ANSWER_FILLERS:
        lo += 1
    return _Hit(category, f"{category}.answer", stream, lo, codes[-1] + 1)


def _code_like(norm: str) -> bool:
    """Capitals and digits only ("07KLM", "ST16", "K", "7"), as a spoken code is written."""
    return bool(re.fullmatch(r"\+?[A-Z0-9][A-Z0-9 -]*", norm)) and norm not in ("I", "A", "OK", "UK", "TV")


@lru_cache(maxsize=4)
def _bundled_first_names() -> frozenset[str]:
    text = resources.files("pipeline.panel").joinpath("data", "first_names.txt").read_text(encoding="utf-8")
    return frozenset(line.strip().lower() for line in text.splitlines() if line.strip() and not line.startswith("#"))


def _base(word: str) -> str:
    """"Sarah's" -> "Sarah"."""
    return re.sub(r"(?i)['\u2019]s$", "", word)


def _is_capitalised(word: str) -> bool:
    return (len(word) >= 2 and word[0].isupper() and not word.isupper()
            and bool(re.fullmatch(r"[A-Za-z][A-Za-z'\u2019-]*", word)))


def _in_question(words: list[_W], i: int) -> bool:
    """Whether the sentence holding word i ends with a question mark."""
    for w in words[i:]:
        if w.ends_sentence:
            return w.text.strip().rstrip("\"')").endswith("?")
    return False


class _Names:
    """Name rules over one config's word lists."""

    def __init__(self, config: RedactionConfig) -> None:
        self.allow = {a.lower() for a in config.allow_names}
        self.first = (_bundled_first_names() | {n.lower() for n in config.extra_first_names}) - self.allow
        self.stop = STOP_WORDS | self.allow

    def surname(self, w: _W) -> bool:
        base = _base(w.clean)
        return _is_capitalised(base) and base.lower() not in self.stop

    def known(self, w: _W) -> bool:
        base = _base(w.clean)
        return _is_capitalised(base) and base.lower() in self.first

    def extend(self, words: list[_W], i: int, limit: int = 2) -> int:
        """One past the last surname word following position i (same clause only)."""
        k = i + 1
        while k < len(words) and k - i <= limit and not words[k - 1].ends_clause and self.surname(words[k]):
            k += 1
        return k

    def hits(self, words: list[_W], stream: int) -> list[_Hit]:
        low = [w.clean.lower() for w in words]
        hits: list[_Hit] = []
        for cue, mode in NAME_CUES:
            for j in _cue_ends(low, [cue]):
                if j - len(cue) > 0 and cue == ("name", "is") and low[j - 3] == "my":
                    continue  # "my name is" already read
                while j < len(words) and low[j] in _FILLERS:
                    j += 1
                if j >= len(words) or (j > 0 and words[j - 1].ends_sentence):
                    continue
                w = words[j]
                base = _base(w.clean)
                if mode == "any":  # "my name is will" is still a name
                    ok = self.surname(w) or (base.lower() in self.first and base.isalpha())
                elif mode == "capital":
                    ok = self.surname(w)
                else:
                    ok = self.known(w)
                if ok:
                    hits.append(_Hit("name", f"name.cue: {' '.join(cue)}", stream, j, self.extend(words, j)))
        for i, w in enumerate(words):
            if not self.known(w):
                continue
            key = _base(w.clean).lower()
            ambiguous = key in AMBIGUOUS_NAMES
            end = self.extend(words, i)
            if end > i + 1 and not (ambiguous and w.sentence_start and key in MODAL_NAMES
                                    and _in_question(words, i)):
                hits.append(_Hit("name", "name.first_and_surname", stream, i, end))
            elif not ambiguous or (not w.sentence_start and key not in NOT_NAMES_ALONE):
                hits.append(_Hit("name", "name.first_name", stream, i, i + 1))
        return hits

    def spelled(self, words: list[_W], hit: _Hit) -> _Hit:
        """Take in a spelling that follows a name: "Smith, S M I T H" / "S-M-I-T-H"."""
        k = hit.hi
        if k < len(words) and re.fullmatch(r"[A-Z](?:[-.][A-Z])+", words[k].clean):
            return _Hit(hit.category, hit.rule, hit.stream, hit.lo, k + 1)
        while k < len(words) and re.fullmatch(r"[A-Z]", words[k].clean):
            k += 1
        return _Hit(hit.category, hit.rule, hit.stream, hit.lo, k) if k - hit.hi >= 2 else hit


# ---------------------------------------------------------------- finding


def _resolve(hits: list[_Hit]) -> list[_Hit]:
    """Earlier categories win overlapping words (the rest of a later hit stays hidden under its own
    category); same-category overlaps and neighbours merge."""
    taken: dict[int, list[_Hit]] = {}
    for hit in sorted(hits, key=lambda h: (PRIORITY.index(h.category), h.lo, -h.hi)):
        kept = taken.setdefault(hit.stream, [])
        blocked = {i for h in kept if h.category != hit.category for i in range(h.lo, h.hi)}
        free = [i for i in range(hit.lo, hit.hi) if i not in blocked]
        runs = [run for run in np.split(np.array(free, dtype=int), np.flatnonzero(np.diff(free) > 1) + 1) if len(run)]
        for run in runs:
            piece = _Hit(hit.category, hit.rule, hit.stream, int(run[0]), int(run[-1]) + 1)
            clash = [h for h in kept if h.lo < piece.hi and piece.lo < h.hi]
            for h in clash:
                kept.remove(h)
            lo, hi = min([piece.lo] + [h.lo for h in clash]), max([piece.hi] + [h.hi for h in clash])
            first = min(clash + [piece], key=lambda h: h.lo)  # the rule that claimed the words first
            kept.append(_Hit(hit.category, first.rule, hit.stream, lo, hi))
    merged: list[_Hit] = []
    for stream in sorted(taken):
        for hit in sorted(taken[stream], key=lambda h: h.lo):
            last = merged[-1] if merged else None
            if last and last.stream == stream and last.category == hit.category and last.hi == hit.lo:
                merged[-1] = _Hit(last.category, last.rule, stream, last.lo, hit.hi)
            else:
                merged.append(hit)
    return merged


def _find_hits(streams: list[tuple[str, list[_W]]], config: RedactionConfig) -> list[_Hit]:
    on = set(config.categories)
    names = _Names(config)
    references = [re.compile(p, re.IGNORECASE) for p in config.reference_patterns]
    deny = [re.compile(r"(?<![\w'])" + r"[ -]".join(re.escape(t) for t in d.lower().split()) + r"(?![\w'])")
            for d in config.deny_names if d.split()]
    hits: list[_Hit] = []
    dob_cues: list[float] = []  # times of birth cues said by either party
    dates: list[tuple[_Hit, float, float]] = []
    digit_views = [_digit_norms(words) for _, words in streams]
    for s, (_, words) in enumerate(streams):
        digits = digit_views[s]
        code, code_owner = _view(words, digits)
        low_words = [w.clean.lower() for w in words]
        plain, plain_owner = _view(words, low_words, breaks=True)
        cased, cased_owner = _view(words, [w.clean for w in words], breaks=True)
        if "email" in on:
            hits += _regex_hits(_EMAIL, plain, plain_owner, "email", "email", s)
        if "reference" in on:
            ref_text, ref_owner = _view(words, [d.lower() for d in digits])
            for k, pattern in enumerate(references):
                group = "ref" if "ref" in pattern.groupindex else None
                hits += _regex_hits(pattern, ref_text, ref_owner, "reference", f"reference.pattern[{k}]", s, group)
        if "phone" in on:
            hits += _phone_hits(words, digits, s)
        if "postcode" in on:
            hits += _regex_hits(_POSTCODE, code, code_owner, "postcode", "postcode.shape", s)
            hits += _code_after_cue(words, digits, _POSTCODE_CUES, "postcode", 7, s)
        if "vehicle_reg" in on:
            hits += _regex_hits(_REG, code, code_owner, "vehicle_reg", "vehicle_reg.shape", s)
            hits += _code_after_cue(words, digits, _REG_CUES, "vehicle_reg", 7, s)
        if "date_of_birth" in on:
            for j, t in enumerate(low_words):
                if t in _DOB_CUES or (t == "d" and low_words[j + 1:j + 3] == ["o", "b"]):
                    dob_cues.append(words[j].start_s)
            for hit in _regex_hits(_DATE, plain, plain_owner, "date_of_birth", "date_of_birth.near_cue", s):
                dates.append((hit, words[hit.lo].start_s, words[hit.hi - 1].end_s))
        if "address" in on:
            hits += _regex_hits(_ADDRESS, cased, cased_owner, "address", "address.number_street", s)
        if "name" in on:
            hits += [names.spelled(words, h) for h in names.hits(words, s)]
            for pattern in deny:
                hits += _regex_hits(pattern, plain, plain_owner, "name", "name.deny_list", s)
    hits += _answer_hits(streams, digit_views, on)  # after the shape rules, so theirs name a merged span
    if "address" in on:
        hits += _address_answer_hits(streams, digit_views)
    hits += [hit for hit, start, end in dates
             if any(start - DOB_CUE_BEFORE_S <= t <= end + DOB_CUE_AFTER_S for t in dob_cues)]
    hits = _resolve(hits)
    if "name" in on:
        hits = _resolve(hits + _repeat_names(streams, hits, names))
    return hits


def _repeat_names(streams: list[tuple[str, list[_W]]], hits: list[_Hit], names: _Names) -> list[_Hit]:
    """Every other mention of a word already hidden as a name (handler: "Thanks, Hargreaves")."""
    found: set[str] = set()
    for h in hits:
        if h.category == "name":
            for w in streams[h.stream][1][h.lo:h.hi]:
                base = _base(w.clean)
                if _is_capitalised(base) and base.lower() not in names.stop | TITLES:
                    found.add(base.lower())
    covered = {(h.stream, i) for h in hits for i in range(h.lo, h.hi)}
    out = []
    for s, (_, words) in enumerate(streams):
        for i, w in enumerate(words):
            base = _base(w.clean)
            key = base.lower()
            if key not in found or (s, i) in covered:
                continue
            plain_word = key not in AMBIGUOUS_NAMES and key not in _COMMON_TOKENS
            if _is_capitalised(base) and not (key in AMBIGUOUS_NAMES and w.sentence_start) or plain_word:
                lo = i
                if i > 0 and not words[i - 1].ends_clause and names.known(words[i - 1]) \
                        and (s, i - 1) not in covered:
                    lo = i - 1  # "Mark Evans", once "Evans" is known to be a name
                out.append(_Hit("name", "name.repeat", s, lo, i + 1))
    return out


def find_redactions(transcript: Sequence[Segment | dict], config: RedactionConfig | None = None) -> list[Redaction]:
    """Every personal detail in a transcript (segments or their result-JSON dicts), in time order.

    A detail that runs across two segments of one party gives one Redaction per segment.
    `config` None means the defaults (every category on).
    """
    config = config or RedactionConfig()
    segments = _segments(transcript)
    streams = _streams(segments)
    hits = _find_hits(streams, config)
    hidden = {(w.seg, w.idx) for h in hits for w in streams[h.stream][1][h.lo:h.hi]}
    others = sorted((w.start_s, w.end_s) for _, words in streams for w in words if (w.seg, w.idx) not in hidden)
    out: list[Redaction] = []
    for hit in hits:
        words = streams[hit.stream][1][hit.lo:hit.hi]
        for seg in dict.fromkeys(w.seg for w in words):
            part = [w for w in words if w.seg == seg]
            start, end = part[0].start_s, part[-1].end_s
            before = max((b for a, b in others if b <= start + 1e-6), default=start - WIDEN_MAX_S)
            after = min((a for a, b in others if a >= end - 1e-6), default=end + WIDEN_MAX_S)
            out.append(Redaction(hit.category, PLACEHOLDERS[hit.category], segments[seg].speaker, seg,
                                 part[0].idx, part[-1].idx + 1, start, end, hit.rule,
                                 round(max(0.0, start - WIDEN_MAX_S, min(before, start)), 3),
                                 round(min(end + WIDEN_MAX_S, max(after, end)), 3)))
    return sorted(out, key=lambda r: (r.start_s, r.segment_index, r.word_start))


def redaction_spans(redactions: Iterable[Redaction]) -> list[tuple[float, float, str]]:
    """(start_s, end_s, category) per redaction, in time order: for timelines and audit logs."""
    return sorted((r.start_s, r.end_s, r.category) for r in redactions)


# ---------------------------------------------------------------- rewriting a result


def _overlaps(a0: float, a1: float, b0: float, b1: float) -> bool:
    if a1 > a0 and b1 > b0:
        return min(a1, b1) - max(a0, b0) > 1e-6
    return a0 <= b1 + 1e-6 and b0 <= a1 + 1e-6


def _collapse(words: list[dict], redactions: list[Redaction]) -> list[dict]:
    """Each redaction's words become one placeholder word spanning their times."""
    by_start = {r.word_start: r for r in redactions}
    out: list[dict] = []
    i = 0
    while i < len(words):
        r = by_start.get(i)
        if r is None:
            out.append(words[i])
            i += 1
            continue
        first, last = words[r.word_start], words[r.word_end - 1]
        lead = " " if first["text"][:1].isspace() else ""
        trail = _TRAIL_PUNCT.search(last["text"].strip())
        possessive = re.search(r"['\u2019]s$", _clean(last["text"])) if r.category == "name" else None
        probabilities = [w["probability"] for w in words[r.word_start:r.word_end] if "probability" in w]
        text = lead + r.placeholder + (possessive.group() if possessive else "") + (trail.group() if trail else "")
        word = {"text": text, "start_s": first["start_s"], "end_s": last["end_s"]}
        if probabilities:
            word["probability"] = min(probabilities)
        out.append(word)
        i = r.word_end
    return out


class _Scrubber:
    """Replace hidden words wherever free text quotes them (reasons, evidence, explanations)."""

    def __init__(self, sequences: list[tuple[list[str], str]]) -> None:
        self.patterns: list[tuple[re.Pattern, str]] = []
        self.tokens: list[tuple[str, str]] = []      # (token, placeholder), for cut-off ends of evidence
        singles: dict[str, str] = {}
        for tokens, placeholder in sorted(sequences, key=lambda s: -len("".join(s[0]))):
            if not tokens:
                continue
            body = r"[\W_]*".join(re.escape(t) for t in tokens)
            self.patterns.append((re.compile(rf"(?<![A-Za-z0-9]){body}(?![A-Za-z0-9])", re.IGNORECASE), placeholder))
            for t in tokens:
                self.tokens.append((t.lower(), placeholder))
                if (len(t) >= 3 and not t.isdigit() and t.lower() not in _COMMON_TOKENS) or \
                        sum(c.isdigit() for c in t) >= 4:
                    singles.setdefault(t.lower(), placeholder)
        for token, placeholder in sorted(singles.items(), key=lambda kv: -len(kv[0])):
            self.patterns.append((re.compile(rf"(?<![A-Za-z0-9]){re.escape(token)}(?![A-Za-z0-9])", re.IGNORECASE),
                                  placeholder))

    def __call__(self, text: str, cut_edges: bool = False) -> str:
        for pattern, placeholder in self.patterns:
            text = pattern.sub(placeholder, text)
        if cut_edges:  # evidence cut to a length ("...the caller was saying") may start or end mid-word
            head = re.match(r"\s*([A-Za-z0-9]+)", text)
            if head and (placeholder := self._fragment(head.group(1), at_start=True)):
                text = text[:head.start(1)] + placeholder + text[head.end(1):]
            tail = re.search(r"([A-Za-z0-9]+)[^A-Za-z0-9]*$", text)
            if tail and (placeholder := self._fragment(tail.group(1), at_start=False)):
                text = text[:tail.start(1)] + placeholder + text[tail.end(1):]
        return text

    def _fragment(self, piece: str, at_start: bool) -> str | None:
        piece = piece.lower()
        if len(piece) < (2 if piece.isdigit() else 3):
            return None
        for token, placeholder in self.tokens:
            if len(piece) < len(token) and (token.endswith(piece) if at_start else token.startswith(piece)):
                return placeholder
        return None


def _tokens(text: str) -> list[str]:
    return re.findall(r"[A-Za-z0-9]+", text)


# Result keys that hold no transcript words (identifiers, settings, numbers) or are rebuilt separately.
_KEEP = frozenset({"schema_version", "call_id", "source", "engine", "rules_version", "audio", "stats", "speech",
                   "transcript", "redaction", "rule", "speaker", "status", "owner", "broken_by", "indicator",
                   "severity"})


def _scrub_tree(value: Any, scrub: _Scrubber, key: str | None = None, cut_edges: bool = False) -> Any:
    if key in _KEEP:
        return value
    if isinstance(value, str):
        return scrub(value, cut_edges)
    if isinstance(value, dict):
        return {k: _scrub_tree(v, scrub, k, cut_edges or k == "evidence") for k, v in value.items()}
    if isinstance(value, list):
        return [_scrub_tree(v, scrub, None, cut_edges) for v in value]
    return value


def redact_result(result: dict, config: RedactionConfig | None = None) -> tuple[dict, list[Redaction]]:
    """A deep copy of a result JSON with every detail replaced by its placeholder, and the redactions.

    Transcript words collapse to one placeholder word per detail; evidence that overlaps a detail
    is rebuilt from the redacted words; every other free text (reasons, explanations, evidence
    extras) has the hidden words replaced wherever it quotes them.
    """
    out = copy.deepcopy(result)
    transcript = out.get("transcript") or []
    segments = _segments(transcript)
    redactions = find_redactions(segments, config)
    per_segment: dict[int, list[Redaction]] = {}
    for r in redactions:
        per_segment.setdefault(r.segment_index, []).append(r)
    sequences: list[tuple[list[str], str]] = []
    new_words: dict[str, list[dict]] = {}   # speaker -> redacted words, for rebuilding evidence
    for k, seg in enumerate(transcript):
        words = seg.get("words") or [w.to_dict() for w in _words_of(segments[k])]
        hidden = per_segment.get(k, [])
        for r in hidden:
            sequences.append(([t for w in words[r.word_start:r.word_end] for t in _tokens(w["text"])], r.placeholder))
        if hidden:
            words = _collapse(words, hidden)
            if seg.get("words"):
                seg["words"] = words
            seg["text"] = "".join(w["text"] for w in words).strip()
        new_words.setdefault(seg["speaker"], []).extend(words)
    scrub = _Scrubber(sequences)
    for indicator in (out.get("indicators") or {}).values():
        for evidence in indicator.get("evidence") or []:
            _rebuild_evidence(evidence, redactions, new_words)
    for key in list(out):
        out[key] = _scrub_tree(out[key], scrub, key)
    out["redaction"] = {"applied": True, "count": len(redactions),
                        "categories": dict(Counter(r.category for r in redactions))}
    return out, redactions


def _rebuild_evidence(evidence: dict, redactions: list[Redaction], new_words: dict[str, list[dict]]) -> None:
    """Evidence that quotes a hidden detail is re-read from the redacted words at its times."""
    if not isinstance(evidence.get("text"), str) or "start_s" not in evidence or "end_s" not in evidence:
        return
    speaker = evidence.get("speaker")
    a, b = float(evidence["start_s"]), float(evidence["end_s"])
    if not any((speaker is None or r.speaker == speaker) and _overlaps(r.start_s, r.end_s, a, b) for r in redactions):
        return
    pool = new_words.get(speaker, []) if speaker else [w for ws in new_words.values() for w in ws]
    text = " ".join(w["text"].strip() for w in sorted(pool, key=lambda w: w["start_s"])
                    if _overlaps(w["start_s"], w["end_s"], a, b))
    if text:
        evidence["text"] = text


# ---------------------------------------------------------------- audio


def audio_spans(redactions: Iterable[Redaction], config: RedactionConfig | None = None) -> list[tuple[float, float]]:
    """The stretches of audio `redact_audio` covers, overlapping ones merged, in time order."""
    config = config or RedactionConfig()
    spans: list[tuple[float, float]] = []
    for a, b in sorted(r.cover(config.pad_s) for r in redactions):
        if spans and a <= spans[-1][1]:
            spans[-1] = (spans[-1][0], max(spans[-1][1], b))
        else:
            spans.append((a, b))
    return spans


def redact_audio(samples: np.ndarray, sample_rate: int, redactions: Iterable[Redaction],
                 config: RedactionConfig | None = None) -> np.ndarray:
    """A copy of the recording with every redaction covered on all channels (see `Redaction.cover`).

    Every channel is covered, not only the speaker's: the other party's line carries crosstalk.
    The cover is a 1 kHz tone at -12 dBFS peak ("bleep") or silence, cross-faded over 5 ms at
    each edge so the cut does not click; samples outside the spans are untouched.
    """
    x = np.asarray(samples)
    if x.ndim not in (1, 2):
        raise ValueError(f"samples must be (frames,) or (frames, channels), not shape {x.shape}")
    if not np.issubdtype(x.dtype, np.floating):
        raise ValueError(f"samples must be floating point (-1..1), not {x.dtype}")
    if sample_rate <= 0:
        raise ValueError(f"bad sample rate {sample_rate}")
    config = config or RedactionConfig()
    out = x.copy()
    frames = x.shape[0]
    freq = min(TONE_HZ, sample_rate / 4)
    amplitude = 10 ** (TONE_DBFS / 20) if config.audio_mode == "bleep" else 0.0
    for a, b in audio_spans(redactions, config):
        i0, i1 = int(math.floor(a * sample_rate)), min(frames, int(math.ceil(b * sample_rate)))
        if i1 <= i0:
            continue
        n = i1 - i0
        cover = amplitude * np.sin(2 * np.pi * freq * np.arange(n) / sample_rate)
        weight = np.ones(n)
        ramp = min(int(round(RAMP_S * sample_rate)), n // 2)
        if ramp:
            rise = 0.5 - 0.5 * np.cos(np.pi * (np.arange(ramp) + 1) / (ramp + 1))
            weight[:ramp] = rise
            weight[n - ramp:] = rise[::-1]
        if x.ndim == 2:
            cover, weight = cover[:, None], weight[:, None]
        out[i0:i1] = (x[i0:i1] * (1 - weight) + cover * weight).astype(x.dtype)
    return out
