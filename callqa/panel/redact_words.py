"""Word streams, spoken-number views and word lists that every redaction rule reads (callqa/panel/redact.py).

Part of the panel-pack redactor: `callqa.panel.redact` holds the public API, the
resolution of overlapping hits and the audio side; see its docstring for every rule and why.
"""

from __future__ import annotations

import re
from bisect import bisect_left as _bisect_left, bisect_right as _bisect_right
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Iterable, Sequence

from callqa.pipeline.transcript import Segment, Word

from callqa.panel.redact_more_names import MORE_FIRST_NAMES, MORE_SURNAMES


JOIN_GAP_S = 2.0          # a party's segments closer than this are read as one stream


# Letters of a name, accented ones too ("Zieliński", "Róisín").
_LOWER = "a-z\u00df-\u00f6\u00f8-\u00ff\u0101\u0103\u0105\u0107\u0109\u010b\u010d\u010f\u0111\u0113-\u017e"
_NAME_KEY = rf"[{_LOWER}][{_LOWER}'\u2019-]*"
_NAME_KEY_PLUS = rf"[{_LOWER}][{_LOWER}'\u2019-]+"
_CAPITAL_WORD = rf"[A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u017f][A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u017f'\u2019-]*"
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
ive id ill hes shes theyre theyve weve youre youve whats thats theres dont didnt doesnt cant couldnt wont
wouldnt isnt wasnt arent werent havent hasnt hadnt shouldnt lets aint yeah ya ye cos coz gonna wanna gotta
""".split())


TITLES = frozenset("mr mrs ms miss mx dr pc dc ds sergeant sgt inspector constable officer"
                   " pastor reverend rev imam rabbi vicar".split())  # "my name is pastor kwabena ..."
# (not bishop or canon: surnames too)
_FILLERS = frozenset("uh um er erm ah like".split())


# A question for a name: the other party's reply opens with it (within ANSWER_S).
_NAME_QUESTION_CUES = (("name",), ("names",), ("surname",), ("surnames",), ("who", "am", "i", "speaking"),
                       ("who's", "calling"), ("whos", "calling"), ("who", "is", "calling"), ("spell",))


_KIN = frozenset("mum mom mother dad father son daughter brother sister husband wife partner boyfriend girlfriend"
                 " friend mate neighbour neighbor nan grandad grandma granddad uncle auntie aunt cousin ex"
                 " nephew niece grandson granddaughter stepson stepdaughter stepdad stepmum fiance fiancee flatmate"
                 " housemate lodger carer fella fellah missus da nana nanna gran granny grandpa grampa stepbrother stepsister"
                 " lad lass bairn wean"  # "their lad fraser", "our lass"
                 .split())


_ADDRESS_QUESTION_CUES = (("address",), ("where", "are", "you"), ("where", "do", "you", "live"), ("whereabouts",),
                          ("first", "line"), ("house", "number"))


ANSWER_S = 10.0           # a reply this soon after "what's your postcode?" is read as the answer
ANSWER_WORDS = 10         # ... within its first this many words
_ANSWER_FILLERS = frozenset("yes yeah yep it's it is its was that's thats sorry um uh er erm okay ok so right oh hi well"
                            .split())


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
            # nor does "St." for Saint before a capital after a house number ("14 St. John's Road")
            title = title or (_clean(raw).lower() == "st" and i > 0 and not final
                              and bool(re.fullmatch(r"\d{1,4}[A-Za-z]?", _clean(words[i - 1].text.strip())))
                              and words[i + 1].text.strip()[:1].isupper())
            ends_sentence = final or (bool(re.search(r"[.!?]['\"]?$", raw)) and not title)
            ends_clause = ends_sentence or bool(re.search(r"[,;:]['\"]?$", raw))
            start = i == 0 or (bool(out) and out[-1].ends_sentence and out[-1].seg == k)
            out.append(_W(k, i, word.text, _clean(raw), word.start_s, word.end_s, start, ends_sentence,
                          ends_clause))
        last[seg.speaker] = (stream, words[-1].end_s)
    return streams


_TEEN_VALUES = {t: str(10 + k) for k, t in enumerate(_TEENS.split("|"))}
_TENS_VALUES = {t: str(20 + 10 * k) for k, t in enumerate(_TENS.split("|"))}
_UNIT_VALUES = {t: DIGIT_WORDS[t] for t in _UNITS.split("|")}


def _digit_norms(words: list[_W], letter_o: bool = False) -> list[str]:
    """Spoken numbers as digits: "oh seven" -> "0 7", "double two" -> "2 2", "sixteen" -> "16",
    "sixty eight" -> "6 8", "nine hundred" -> "9 00"; "slash" as "/", "dash" as "-".

    With `letter_o`, a lone "o" stays the letter O ("w f sixty eight o p x" is a plate).
    """
    low = [w.clean.lower() for w in words]
    norms = [DIGIT_WORDS.get(t) or _TEEN_VALUES.get(t) or w.clean for t, w in zip(low, words)]
    for j, t in enumerate(low):
        if t in _TENS_VALUES:
            unit = j + 1 < len(low) and low[j + 1] in _UNIT_VALUES
            norms[j] = _TENS_VALUES[t][0] if unit else _TENS_VALUES[t]  # "sixty eight" -> "6", "8"
        elif t == "hundred" and j > 0 and low[j - 1] in _UNIT_VALUES and not (j + 1 < len(low) and low[j + 1] == "and"):
            norms[j] = "00"
        elif t == "hundred" and j > 0 and low[j - 1] in _UNIT_VALUES and j + 2 < len(low) and low[j + 1] == "and" \
                and (low[j + 2] in _UNIT_VALUES or low[j + 2] in _TEEN_VALUES or low[j + 2] in _TENS_VALUES):
            norms[j] = "0" if low[j + 2] in _UNIT_VALUES else ""   # "nine hundred and six" -> "9 0 6"
            norms[j + 1] = ""

    def digitish(j: int) -> bool:
        return 0 <= j < len(norms) and (norms[j].isdigit() or low[j] in ("oh", "o", "double", "triple", "treble"))

    for j, t in enumerate(low):
        if (t == "oh" or (t == "o" and not letter_o)) and (digitish(j - 1) or digitish(j + 1)):
            norms[j] = "0"
    for j in range(len(low) - 1, -1, -1):
        if low[j] in ("double", "triple", "treble") and j + 1 < len(norms) and len(norms[j + 1]) == 1 \
                and norms[j + 1].isalnum() and (norms[j + 1].isdigit() or len(words[j + 1].clean) == 1):
            norms[j] = " ".join((norms[j + 1] * (2 if low[j] == "double" else 3))[:-1])  # "double q" too
    for j, t in enumerate(low):
        if t in ("slash", "stroke") and (digitish(j - 1) or digitish(j + 1) or t == "slash"):
            norms[j] = "/"  # "twenty two stroke four four one nine two stroke twenty six"
        elif t in ("forward", "back") and j + 1 < len(low) and low[j + 1] in ("slash", "stroke"):
            norms[j] = ""   # "forward slash" is one slash
        elif t in ("dash", "hyphen"):
            norms[j] = "-"
        elif len(norms[j]) <= 8 and "@" not in norms[j] and re.fullmatch(r"[A-Za-z0-9.]+", norms[j]):
            norms[j] = norms[j].replace(".", "")  # "S.T.16" -> "ST16"
    return norms


# The phonetic alphabet a handler reads a plate or postcode back in ("bravo juliet one five x ray ...").
NATO = {"alpha": "A", "alfa": "A", "bravo": "B", "charlie": "C", "delta": "D", "echo": "E", "foxtrot": "F",
        "golf": "G", "hotel": "H", "india": "I", "juliet": "J", "juliett": "J", "kilo": "K", "lima": "L",
        "mike": "M", "november": "N", "oscar": "O", "papa": "P", "quebec": "Q", "romeo": "R", "sierra": "S",
        "tango": "T", "uniform": "U", "victor": "V", "whiskey": "W", "whisky": "W", "xray": "X", "x-ray": "X",
        "yankee": "Y", "zulu": "Z"}


def _nato_norms(words: list[_W], norms: list[str]) -> list[str] | None:
    """The digit view with phonetic-alphabet words as their letters ("x ray" -> "X"), or None when
    the stream has fewer than two of them next to other code words (a "golf" alone is a car)."""
    low = [w.clean.lower() for w in words]
    out = list(norms)
    for j, t in enumerate(low):
        if t in NATO:
            out[j] = NATO[t]
        elif t == "ray" and j > 0 and low[j - 1] == "x":
            out[j] = ""
        elif t in ("double", "triple", "treble") and j + 1 < len(low) and low[j + 1] in NATO:
            out[j] = NATO[low[j + 1]] * (1 if t == "double" else 2)  # "double yankee" -> "Y Y"
    nato = [j for j, t in enumerate(low) if t in NATO or (t == "ray" and j > 0 and low[j - 1] == "x")]
    if not any(k - j <= 3 for j, k in zip(nato, nato[1:])):
        return None
    return out


# Letters as a recogniser writes them when a code is spelled aloud ("d h one five s tee", "c h forty one
# two e zed", "a k w four two two why"). Read so only inside a code: next to a digit or a single letter.
LETTER_SOUNDS = {"ay": "A", "bee": "B", "be": "B", "see": "C", "sea": "C", "cee": "C", "dee": "D", "ee": "E",
                 "eff": "F", "ef": "F", "gee": "G", "aitch": "H", "haitch": "H", "eye": "I", "jay": "J", "kay": "K",
                 "el": "L", "elle": "L", "em": "M", "en": "N", "oh": "O", "pea": "P", "pee": "P", "queue": "Q",
                 "cue": "Q", "are": "R", "ar": "R", "ess": "S", "es": "S", "tee": "T", "tea": "T", "you": "U",
                 "yew": "U", "vee": "V", "ex": "X", "why": "Y", "wye": "Y", "zed": "Z", "zee": "Z"}


def _letter_sound_norms(words: list[_W], norms: list[str]) -> list[str] | None:
    """The view with letter sounds next to a code character as their letters, and "oh" before a
    spelled letter as the letter O ("g k seventy two oh v f"); None when nothing changed."""
    low = [w.clean.lower() for w in words]

    out = list(norms)
    sounded: set[int] = set()

    def code_char(j: int) -> bool:
        return 0 <= j < len(norms) and (j in sounded or (len(norms[j].replace(" ", "")) >= 1 and (
            norms[j].replace(" ", "").isdigit() or (len(words[j].clean) == 1 and words[j].clean.isalpha()))))

    for _ in range(2):  # a second pass for a sound next to a sound ("four tee zed")
        for j, t in enumerate(low):
            if j in sounded:
                continue
            if t == "oh" and code_char(j + 1) and not norms[j + 1].isdigit():
                out[j] = "O"
                sounded.add(j)
            elif t in LETTER_SOUNDS and t != "oh" and (code_char(j - 1) or code_char(j + 1)):
                out[j] = LETTER_SOUNDS[t]
                sounded.add(j)
    return out if out != list(norms) else None


def _spelled_word_norms(words: list[_W], norms: list[str]) -> list[str] | None:
    """The view with the words that explain a spelled letter dropped ("f for freddie", "e as in
    echo", "x for x-ray": F, E, X); None when there are none."""
    low = [w.clean.lower() for w in words]
    out = list(norms)
    for j in range(1, len(low) - 1):
        if not re.fullmatch(r"[a-z]", low[j - 1]) or words[j - 1].ends_clause:
            continue
        said = j + 2 if low[j] == "as" and low[j + 1] == "in" else j + 1 if low[j] == "for" else None
        if said is not None and said < len(low) and low[said][:1] == low[j - 1]:
            out[j - 1] = low[j - 1].upper()  # a letter, whatever a digit view made of it ("o for orange")
            for x in range(j, said + 1):
                out[x] = ""
    return out if out != list(norms) else None


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
    """Positions just after each occurrence of any cue word sequence (each occurrence of each cue
    once, as many times as the cue is listed)."""
    by_first = _cues_by_first(tuple(cues))
    ends = []
    for i, t in enumerate(low):
        for cue in by_first.get(t, ()):
            n = len(cue)
            if i + n <= len(low) and (n == 1 or tuple(low[i:i + n]) == cue):
                ends.append(i + n)
    return sorted(ends)


@lru_cache(maxsize=256)
def _cues_by_first(cues: tuple[tuple[str, ...], ...]) -> dict[str, list[tuple[str, ...]]]:
    """The cues grouped by their first word, so a stream is read once for all of them."""
    out: dict[str, list[tuple[str, ...]]] = {}
    for cue in cues:
        out.setdefault(cue[0], []).append(cue)
    return out


# ---------------------------------------------------------------- word lists


def _read_list(name: str) -> frozenset[str]:
    text = resources.files("callqa.panel").joinpath("data", name).read_text(encoding="utf-8")
    return frozenset(w.lower() for line in text.splitlines() if not line.lstrip().startswith("#")
                     for w in line.split())


@lru_cache(maxsize=1)
def _bundled_first_names() -> frozenset[str]:
    return _read_list("first_names.txt") | _read_list("first_names_more.txt") | MORE_FIRST_NAMES


@lru_cache(maxsize=1)
def _surnames() -> frozenset[str]:
    return _read_list("surnames.txt") | MORE_SURNAMES


@lru_cache(maxsize=1)
def _common_words() -> frozenset[str]:
    return _read_list("common_words.txt")


_NUMBER_WORD_SET = frozenset(f"{_UNITS}|{_TEENS}|{_TENS}".split("|")) | {"zero", "nought", "oh", "hundred", "double",
                                                                         "triple", "treble"}


def _ordinary(key: str) -> bool:
    """An everyday word (dictionary, function word, spoken number)."""
    return key in _common_words() or key in STOP_WORDS or key in _NUMBER_WORD_SET or key in _EVERYDAY_EXTRA


# Everyday words that the dictionary lacks: newer words, contractions written without their
# apostrophe, indefinite pronouns, and dialect words callers use ("he was fae the bank", "summat").
_EVERYDAY_EXTRA = frozenset("""
online offline app apps website wifi selfie emoji texted whatsapped facetime
theyll youll itll thatll wholl whatll thered itd shouldve wouldve couldve mustve
anyone anybody someone somebody everyone everybody nobody noone
fae frae tae wis wiz dinnae didnae cannae couldnae wouldnae isnae wasnae doesnae willnae aye naw noo aboot oot
summat nowt owt mebbe gonnae wanna innit
croft crofts crofter bothy steading byre
""".split())


# Words that never stand between a house number and a street suffix ("3 lads down the lane").
_NOT_STREET_WORDS = frozenset("""
a an the and or but to of in on at by for from with up down over under near past round around about into onto off
through across along behind outside inside opposite is are was were be been it its it's i you he she we they me him
her us them my your his our their this that these those there here then than so if as not no yes just also very all
some any more most other another every each few many much lot lots minutes minute mins min hours hour hrs seconds
secs days day weeks week months month years year yards yard miles mile metres meters feet foot inches quid pounds
pound pence grand people lads lad kids kid men man women woman girls girls boys boy cars car vans van times time
houses house doors door bottles pints cans bags dogs cats bikes blokes guys of o'clock oclock pm am ago later
""".split())
_QUANTITY_LEADS = frozenset("about around roughly nearly almost over under than within like only just every last".split())


# A number followed by one of these is a time, an amount or a count, not a reference or a phone number.
_QUANTITY_UNITS = frozenset("minutes minute mins min hours hour hrs seconds secs days day weeks week months month years"
                            " year pounds pound quid pence grand o'clock oclock pm am ago times people".split())


def _turn_breaks(streams: list[tuple[str, list[_W]]]) -> list[frozenset[int]]:
    """Per stream, the word positions i where another party spoke between word i-1 and word i: a
    code does not run on across someone else's turn ("... l u three one double q" | "ok" | "a ...")."""
    starts = sorted((w.start_s, s) for s, (_, ws) in enumerate(streams) for w in ws)
    times = [t for t, _ in starts]
    out = []
    for s, (speaker, words) in enumerate(streams):
        cut = set()
        for i in range(1, len(words)):
            if words[i].seg == words[i - 1].seg:
                continue
            a, b = words[i - 1].end_s, words[i].start_s
            lo = _bisect_left(times, a - 1e-6)
            if any(streams[o][0] != speaker and a - 1e-6 <= t <= b + 1e-6
                   for t, o in starts[lo:_bisect_right(times, b + 1e-6)]):
                cut.add(i)
        out.append(frozenset(cut))
    return out


def _replies(streams: list[tuple[str, list[_W]]], speaker: str, asked_at: float) -> list[tuple[int, int, _W]]:
    """The other party's first words after a question, in time order (mono: anyone's)."""
    reply = [(t, j, w) for t, (other, ws) in enumerate(streams)
             if other != speaker or speaker == "unknown"
             for j, w in enumerate(ws) if asked_at <= w.start_s <= asked_at + ANSWER_S]
    return sorted(reply, key=lambda x: x[2].start_s)[:ANSWER_WORDS]


def _letters_end(words: list[_W], k: int, cased: bool) -> int:
    """One past a spelling that starts at k: "S M I T H", "s-m-i-t-h"."""
    if k < len(words) and re.fullmatch(r"[A-Za-z](?:[-.][A-Za-z])+\.?", words[k].clean):
        return k + 1 if len(re.sub(r"[^A-Za-z]", "", words[k].clean)) >= 3 else k
    m = k
    while m < len(words) and re.fullmatch(r"[A-Za-z]", words[m].clean) and (not cased or words[m].clean.isupper()):
        m += 1
        if words[m - 1].ends_sentence:
            break
        low = [w.clean.lower() for w in words[m:m + 3]]
        said = 2 if low[:2] == ["as", "in"] else 1 if low[:1] == ["for"] else 0
        if said and len(low) > said and low[said][:1] == words[m - 1].clean.lower() and m - k >= 1 \
                and m + said + 1 < len(words) and re.fullmatch(r"[A-Za-z]", words[m + said + 1].clean) \
                and not words[m + said].ends_sentence:
            m += said + 1  # "m c a as in apple l e e s e": the word that explains a letter
    return m


def _same_sentence(words: list[_W], a: int, b: int) -> bool:
    lo, hi = min(a, b), max(a, b)
    return words[lo].seg == words[hi].seg and not any(w.ends_sentence for w in words[lo:hi])


_COLOURS = frozenset("black white silver grey gray red blue green yellow orange purple brown gold maroon navy beige "
                     "dark light metallic".split())


@lru_cache(maxsize=16384)
def _base(word: str) -> str:
    """"Sarah's" -> "Sarah" (cached: every rule reads every word this way)."""
    return re.sub(r"(?i)['\u2019]s$", "", word)


@lru_cache(maxsize=16384)
def _base_key(word: str) -> str:
    return _base(word).lower().replace("\u2019", "'")


def _is_capitalised(word: str) -> bool:
    return (len(word) >= 2 and word[0].isupper() and not word.isupper()
            and bool(re.fullmatch(_CAPITAL_WORD, word)))


def _in_question(words: list[_W], i: int) -> bool:
    """Whether the sentence holding word i ends with a question mark."""
    for w in words[i:]:
        if w.ends_sentence:
            return w.text.strip().rstrip("\"')").endswith("?")
    return False


def _is_cased(streams: list[tuple[str, list[_W]]]) -> bool:
    """Whether the recogniser wrote capitals (Whisper) or all lower case (many others)."""
    capitals = sum(1 for _, words in streams for w in words
                   if w.clean[:1].isupper() and w.clean.lower() not in ("i", "i'm", "i'll", "i've", "i'd")
                   and not any(c.isdigit() for c in w.clean))
    return capitals >= 2


# Words that are never part of a street name, even when it is read from the postcode after it.
_FUNCTION_WORDS = frozenset("""
a an the and or but to of in on at by for from with up down over under near past round around about into onto off
through across along behind outside inside opposite is are was were be been it its it's i you he she we they me him
her us them my your his our their this that these those there here then than so if as not no yes just also very all
live lives living im i'm were we're theyre they're thats that's um uh er erm yeah
""".split())
