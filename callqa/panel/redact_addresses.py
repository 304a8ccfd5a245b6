"""Addresses: house numbers and streets, named streets (the round-four policy), flats, homes, farms
and estates said by name, and addresses said again.

Part of the panel-pack redactor: `callqa.panel.redact` holds the public API, the
resolution of overlapping hits and the audio side; see its docstring for every rule and why.
"""

from __future__ import annotations

import re
from functools import lru_cache

from callqa.panel.redact_words import (
    STOP_WORDS, _ADDRESS_QUESTION_CUES, _ANSWER_FILLERS, _FUNCTION_WORDS, _Hit, _KIN, _NOT_STREET_WORDS,
    _NUMBER_WORD_SET, _QUANTITY_LEADS, _QUANTITY_UNITS, _TEEN_VALUES, _TENS_VALUES, _UNIT_VALUES, _W, _base_key,
    _bundled_first_names, _cue_ends, _letters_end, _ordinary, _replies, _same_sentence, _surnames,
)
from callqa.panel.redact_codes import _VEHICLE_WORDS


_BARE_NUMBER_CUES = (("house", "number"),)


ADDRESS_ANSWER_WORDS = 4  # a house number in the reply to "what's the address?" and up to this many words after it


_ADDRESS_LEAD_INS = _ANSWER_FILLERS | frozenset("at i'm im we're were i am we are number no flat house the".split())


_STREET_SUFFIXES = frozenset("""
road rd street st lane avenue ave close drive way court crescent place grove gardens terrace walk hill park square
row mews rise view green parade croft fold bank vale meadows meadow end gate wharf yard mount boulevard chase circle
side approach
wynd brae vennel loan quay esplanade promenade embankment causeway loke ridge dene dale brow garth copse lea nook
""".split())  # (round six: Scottish, Norfolk and seaside streets, and weaker suffixes of estates)
# Suffixes that are no surname: a first name before one is a street ("victoria road").
_STREET_ONLY_SUFFIXES = frozenset("road rd street lane avenue ave close drive crescent terrace grove gardens mews parade"
                                  " boulevard wynd vennel esplanade".split())
# After "the", a suffix alone is the street name ("eighteen the meadows", "8 The Green").
_THE_STREETS = frozenset("crescent green meadows grove avenue close drive parade square mews croft fold rise "
                         "paddock paddocks orchard orchards willows limes oaks beeches hollies spinney strand broadway "
                         "quadrant glebe sidings maltings brambles larches laurels poplars elms firs cedars pines "
                         "birches rowans hawthorns chestnuts sycamores pastures hollow dingle nook leys esplanade "
                         "promenade embankment quay causeway".split())
_SINGLE_WORD_STREET = re.compile(r"[a-z]{3,}(?:way|gate)")       # "Kingsway", "Queensway", "Eastgate"


# Welsh streets put the street word first ("Heol y Coed", "Ffordd y Llan", "Lon Isaf").
_STREET_PREFIXES = frozenset("heol ffordd stryd lon rhodfa".split())
_HOUSE_DIGITS = re.compile(r"\d{1,4}[a-z]?")
_HOUSE_PREFIXES = frozenset("flat apartment apt unit caravan".split())
_NUMBER_PREFIXES = frozenset("number no".split())   # "house" only as "house number 5"


def _house_at(low: list[str], i: int) -> int | None:
    """One past a house number starting at word i: "14", "14a", "fourteen", "twenty two",
    "one hundred and four", "two oh six"; None when there is none."""
    n = len(low)
    t = low[i]
    if _HOUSE_DIGITS.fullmatch(t):
        return i + 1
    if t in _TENS_VALUES:
        return i + 2 if i + 1 < n and low[i + 1] in _UNIT_VALUES else i + 1
    if t in _TEEN_VALUES:
        return i + 1
    if t not in _UNIT_VALUES:
        return None
    j = i + 1
    if j < n and low[j] == "hundred":
        j += 1
        if j < n and low[j] == "and":
            j += 1
        if j < n and (low[j] in _TEEN_VALUES or low[j] in _UNIT_VALUES):
            return j + 1
        if j < n and low[j] in _TENS_VALUES:
            return j + 2 if j + 1 < n and low[j + 1] in _UNIT_VALUES else j + 1
        return j if low[j - 1] == "hundred" else None
    if j + 1 < n and low[j] in ("oh", "o", "zero") and low[j + 1] in _UNIT_VALUES:
        return j + 2  # "two oh six"
    if j < n and low[j] in _UNIT_VALUES and not (j + 1 < n and low[j + 1] in ("oh", "o", "zero", "hundred")):
        return j + 2 if j + 1 < n and low[j + 1] in _UNIT_VALUES else j + 1  # "two seven one", digit by digit
    return j


# A second suffix that goes on the street ("poole hill place"), and a side said after it ("road south").
_SECOND_SUFFIXES = (_STREET_ONLY_SUFFIXES - {"close"}) | frozenset("place court square row walk".split())
_STREET_SIDES = frozenset("north south east west upper lower".split())


def _street_word(w: _W, key: str) -> bool:
    return (bool(re.fullmatch(r"[a-z][a-z'\-]*", key)) and key not in _NOT_STREET_WORDS
            and key not in _NUMBER_WORD_SET and not w.ends_sentence)


def _street_at(words: list[_W], low: list[str], j: int) -> int | None:
    """One past a street name starting at word j ("oak road", "the crescent", "kingsway")."""
    n = len(low)
    if j >= n:
        return None
    if low[j] == "the" and j + 1 < n and low[j + 1] in _THE_STREETS | _STREET_SUFFIXES - {"way", "end", "side"}:
        return j + 2
    if _SINGLE_WORD_STREET.fullmatch(low[j]) and not _ordinary(low[j]):
        return j + 1
    if low[j] in _STREET_PREFIXES and j + 1 < n and not words[j].ends_clause:
        k = j + 1  # "Heol y Coed", "ffordd y llan": the street word comes first
        if low[k] in ("y", "yr", "'r") and k + 1 < n and not words[k].ends_clause:
            k += 1
        if _street_word(words[k], low[k]) or words[k].ends_clause:
            return k + 1
    k = j
    while k < n and k - j <= 3:
        if k > j and low[k] in _STREET_SUFFIXES:
            if k + 1 < n and low[k + 1] in _SECOND_SUFFIXES and not words[k].ends_clause:
                k += 1  # "hyde park terrace", "chapel hill road", "poole hill place"
            if k + 1 < n and low[k + 1] in _STREET_SIDES and not words[k].ends_clause \
                    and not (k + 2 < n and low[k + 2] in ("of", "from")):
                k += 1  # "alcester road south", not "the road south of the river"
            return k + 1
        if not _street_word(words[k], low[k]) or words[k].ends_clause:
            return None
        k += 1
    return None


def _spelled_after(words: list[_W], hit: _Hit, cased: bool) -> _Hit:
    """A street or name spelled out after it is said ("mottram drive, m o t t r a m") goes with it."""
    m = _letters_end(words, hit.hi, cased)
    if m - hit.hi >= 3 or (m - hit.hi == 1 and not re.fullmatch(r"[A-Za-z]", words[hit.hi].clean)):
        return _Hit(hit.category, hit.rule, hit.stream, hit.lo, m)
    return hit


_HOUSE_JOINED = re.compile(r"\d{1,4}[a-z]?-(?=[a-z])")  # "30-hill street": the recogniser joined them


@lru_cache(maxsize=16384)
def _street_key(word: str) -> str:
    """A word as a street name reads it: "30-hill" -> "hill", "-hill" (Whisper split "30-hill") -> "hill"."""
    return _HOUSE_JOINED.sub("", _base_key(word), count=1).lstrip("-")


def _address_hits(words: list[_W], stream: int, cased: bool = False) -> list[_Hit]:
    """A house number (optionally "flat 3", "number 5") followed by a street name and suffix,
    any case: "14 Meadow Lane", "flat four two oh six stone road", "eighteen the meadows"."""
    raw = [_base_key(w.clean) for w in words]
    low = [_street_key(w.clean) for w in words]
    hits = []
    i = 0
    while i < len(words):
        start = i
        j = None
        if _HOUSE_JOINED.match(raw[i]):
            j = i
        elif low[i] in _HOUSE_PREFIXES and i + 2 < len(low) and not words[i].ends_clause \
                and re.fullmatch(r"[a-h]", low[i + 1]) and not words[i + 1].ends_sentence \
                and (h := _house_at(low, i + 2)):
            j = h  # "flat a two hundred and twelve buxton road": a flat said by its letter
        elif low[i] in _HOUSE_PREFIXES and i + 1 < len(low) and not words[i].ends_clause \
                and (h := _house_at(low, i + 1)):
            j = h
            if j + 1 < len(low) and re.fullmatch(r"[a-h]", low[j]) and _house_at(low, j + 1):
                j += 1  # "flat three a ninety two lincoln road": flat 3a, then the house number
            if j < len(low) and (h2 := _house_at(low, j)):
                j = h2
        elif low[i] in _NUMBER_PREFIXES and i + 1 < len(low) and not words[i].ends_clause \
                and (h := _house_at(low, i + 1)):
            j = h
        elif (i == 0 or low[i - 1] not in _QUANTITY_LEADS) and (h := _house_at(low, i)):
            j = h
        if j is None:
            i += 1
            continue
        end = _street_at(words, low, j)
        if end is None and j < len(low) and re.fullmatch(r"[a-h]", low[j]):
            end = _street_at(words, low, j + 1)  # "two b victoria terrace"
        if end is not None:
            end = _flat_after(words, low, end)
            hits.append(_Hit("address", "address.number_street", stream, _flat_before(words, low, start), end))
            i = end
        else:
            i += 1
    # "I live at number nine", "the owners at number forty two", "beverley from number twenty three"
    numbered = []
    for k, t in enumerate(low[:-1]):
        if t in _AT_NUMBER_LEADS and low[k + 1] in ("number", "no") and k + 2 < len(low) \
                and not words[k + 1].ends_clause and (h := _house_at(low, k + 2)) \
                and not (h < len(low) and low[h] in _QUANTITY_UNITS | _NOT_HOUSE_AFTER):
            hits.append(_Hit("address", "address.at_number", stream, k + 1, h))
            numbered.append(k)
    # "number fourteen on carlton street", "unit six on the braeburn estate": a number, then where it is
    mentions = _street_mentions(words, low)
    starts = {lo: hi for lo, hi in mentions}
    for k, t in enumerate(low[:-2]):
        if t not in ("number", "no", "unit") or words[k].ends_clause or not (h := _house_at(low, k + 1)) \
                or h + 1 >= len(low) or low[h] not in ("on", "in", "off", "at") or words[h - 1].ends_clause:
            continue
        m = h + 2 if low[h + 1] == "the" and not words[h + 1].ends_clause else h + 1
        if m in starts or any(x.lo == m for x in _named_home_hits(words, stream)):
            hits.append(_Hit("address", "address.number_on_street", stream, k if t == "unit" else k + 1, h))
    # A street said without its number where someone lives, or in the same sentence as a house
    # number ("the flats on wedgwood avenue, the top one at number fourteen", "i live on moss lane").
    for lo, hi in mentions:
        lead = [low[x] for x in range(max(0, lo - 3), lo)]
        lives = any(x in _LIVE_WORDS for x in lead) and lo > 0 and low[lo - 1] in ("on", "in", "off", "at") \
            and not (low[lo - 1] == "in" and low[hi - 1] in _WEAK_SUFFIXES)  # "we live in bethnal green": a district
        same = any(_same_sentence(words, k, lo) for k in numbered)
        if lives or same:
            hits.append(_Hit("address", "address.street_with_home", stream, lo, hi))
        elif _named_street(words, low, lo, hi, cased):
            hits.append(_Hit("address", "address.named_street", stream, lo, hi))
    return hits


# Before a street-like phrase of everyday words, these make it a description ("the high street",
# "a side road", "our back lane"), not a street's name.
_DETERMINERS = frozenset("the a an this that these those our my your his her their its every any some each which "
                         "another one same other".split())


def _named_street(words: list[_W], low: list[str], lo: int, hi: int, cased: bool) -> bool:
    """Policy (issue 13, round four): a named street places a person or an incident, so it is an
    address item even without a house number ("towards fawcett road", "on the corner of mill lane
    and hope street"). Not a description in everyday words after "the"/"a" ("the high street",
    "down a side road"), and, in a cased transcript, only a capitalised name."""
    if cased and not words[lo].clean[:1].isupper():
        return False
    if _public_place_street(words, low, lo):
        return False
    if lo > 0 and low[lo - 1] in _DETERMINERS and all(_ordinary(low[x]) for x in range(lo, hi)):
        return False
    if lo > 0 and low[lo - 1] == "the" and hi - lo == 2 and (low[hi - 1] == "road" or low[hi - 1] in _WEAK_SUFFIXES) \
            and not (hi < len(low) and low[hi] in ("end", "ends") and not words[hi - 1].ends_clause):
        return False  # "on the llanuwchllyn road" (the road to a place), "by the lych gate", "the caen hill flight";
        # but "towards the chester road end" is the end of one street
    if hi - lo == 2 and low[hi - 1] in _VERB_SUFFIXES and lo > 0 and low[lo - 1] in _AUXILIARIES:
        return False  # "does marcus drive?", "can tom walk there": a verb after a name
    if hi - lo == 2 and low[hi - 1] not in _STREET_ONLY_SUFFIXES and low[lo] in _bundled_first_names() \
            and not (lo > 0 and low[lo - 1] in _PLACE_PREPOSITIONS):
        return False  # "margaret hill": a person, unless said as a place ("up on margaret hill")
    if low[hi - 1] in _WEAK_SUFFIXES:
        if lo > 0 and low[lo - 1] in _INSIDE_WORDS and not words[lo - 1].ends_clause:
            return False  # "in bethnal green", "went into stanley park": a district, a park
        if hi < len(low) and low[hi] in _LANDMARK_WORDS and not words[hi - 1].ends_clause:
            return False  # "honor oak park station", "villa park stadium": a landmark
    return True


_INSIDE_WORDS = frozenset("in into through across inside".split())
# Suffixes that are verbs too, and the words that make them one before a name ("does marcus drive").
_VERB_SUFFIXES = frozenset("drive walk rise close park".split())
_AUXILIARIES = frozenset("does did do can could will would should must might may cant can't wont won't doesnt "
                         "doesn't didnt didn't let lets let's make made".split())
# Public places said with their street to say where they are ("the police station on elm street").
_PUBLIC_PLACES = frozenset("station stations branch branches office offices library counter headquarters hq team "
                           "teams".split())
# Officers coming "from" a street come from their station there ("officers are on the way from tennent street").
_POLICE_WORDS = frozenset("officers officer police units unit patrol patrols response".split())


def _public_place_street(words: list[_W], low: list[str], lo: int) -> bool:
    """A street said only to say where a police station, a branch or an office is ("is the police
    station on elm street still open", "there are branches on princes street"): it places no person
    and no incident (the splits' convention since blind4), so it is kept."""
    if lo == 0 or low[lo - 1] not in ("on", "in", "off", "at", "from") or words[lo - 1].ends_clause:
        return False  # ("the station at stewart street")
    if low[lo - 1] == "from":
        return any(low[x] in _POLICE_WORDS for x in range(max(0, lo - 8), lo - 1)) \
            and not any(words[x].ends_sentence for x in range(max(0, lo - 8), lo - 1))
    k = lo - 2
    while k >= 0 and lo - k <= 6 and not words[k].ends_sentence:
        if low[k] in _PUBLIC_PLACES:
            return not any(low[x] in _LIVE_WORDS or low[x] in _AT_HOME_LEADS for x in range(k, lo))
        k -= 1
    return False
# After a name ending in a suffix that is an everyday word too, these make it a landmark's name.
_LANDMARK_WORDS = frozenset("station stadium ground hospital school academy college university church chapel library "
                            "leisure centre center shopping retail tube airport services surgery police cemetery "
                            "crematorium zoo museum".split())


# Said before a street, not a town: "on micklegate", "walking down skeldergate".
_ALONG_WORDS = frozenset("on down up along onto off via".split())
_PLACE_PREPOSITIONS = frozenset("on in at off to towards toward from along up down near of onto into by via past "
                                "round around".split())


_BUILDING_WORDS = frozenset("house court lodge tower towers mansions point heights buildings block hall".split())


def _flat_after(words: list[_W], low: list[str], end: int) -> int:
    """A flat said after its street goes with it: "271 dumbarton road flat one over two" (1/2)."""
    n = len(low)
    if end + 1 >= n or low[end] not in _HOUSE_PREFIXES or words[end - 1].ends_sentence \
            or not (h := _house_at(low, end + 1)):
        return end
    if h + 1 < n and low[h] in ("over", "stroke", "slash", "/") and (h2 := _house_at(low, h + 1)):
        return h2
    return h


def _flat_before(words: list[_W], low: list[str], start: int) -> int:
    """A flat in a named building said before the house number goes with it: "Flat 9, Meridian
    House, 40 Station Approach"."""
    k = start - 1
    if k < 1 or low[k] not in _BUILDING_WORDS or words[k].ends_sentence:
        return start
    m = k
    while m > 0 and k - m < 2 and _street_word(words[m - 1], low[m - 1]) and low[m - 1] not in _HOUSE_PREFIXES:
        m -= 1
    if m == k or m < 2 or low[m - 2] not in _HOUSE_PREFIXES or _house_at(low, m - 1) != m \
            or words[m - 2].ends_sentence:
        return start
    return m - 2


_AT_NUMBER_LEADS = frozenset("at from to lives live living next".split())
_NOT_HOUSE_AFTER = frozenset("bus buses one".split())
_LIVE_WORDS = frozenset("live lives living lived moved stay stays staying address home".split())
# Suffixes that are ordinary words too ("the park", "a bank", "green"): a street without a number
# ends in one only after a word that is no everyday word.
_WEAK_SUFFIXES = frozenset("way court place hill park square row view green bank vale end gate yard mount side walk "
                           "rise fold meadow chase circle wharf approach brae loan quay ridge dene dale brow garth "
                           "copse lea nook promenade embankment causeway".split())


def _street_mentions(words: list[_W], low: list[str], plain: bool = True) -> list[tuple[int, int]]:
    """Street names said without a house number: 1-3 street words then a suffix, the first no
    everyday word unless the suffix is only ever a street's ("harewood street", "moss lane")."""
    out = []
    for k in range(len(low) - 1):  # Welsh: the street word first ("ffordd penrhos", "heol y coed")
        if low[k] in _STREET_PREFIXES and not words[k].ends_clause:
            m = k + 2 if low[k + 1] in ("y", "yr", "'r") and k + 2 < len(low) and not words[k + 1].ends_clause \
                else k + 1
            if m < len(low) and re.fullmatch(r"[a-z][a-z'\-]+", low[m]) and low[m] not in _NOT_STREET_WORDS \
                    and (not _ordinary(low[m]) or (len(low[m]) >= 3 and low[m] not in STOP_WORDS)):
                out.append((k, m + 1))  # "lon pin", "heol y coed": no English phrase starts with these
    for k in range(1, len(low)):  # one word ending in gate / way after a place word ("down skeldergate")
        if _SINGLE_WORD_STREET.fullmatch(low[k]) and not _ordinary(low[k]) and not words[k - 1].ends_clause \
                and low[k - 1] in _ALONG_WORDS:
            end = k + 2 if k + 1 < len(low) and low[k + 1] in _STREET_SIDES and not words[k].ends_clause else k + 1
            out.append((k, end))  # not "from queensgate", "towards stornoway": a town or a centre; "kingsway east"
    for k in range(1, len(low)):
        if low[k] not in _STREET_SUFFIXES:
            continue
        if low[k] in ("end", "side") and low[k - 1] in _STREET_SUFFIXES:
            continue  # "towards the st albans road end": the end of the road, no part of its name
        first = k
        while first > 0 and k - first < 3 and _street_word(words[first - 1], low[first - 1]) \
                and not words[first - 1].ends_clause and len(low[first - 1]) > 1 \
                and _street_name_word(low[first - 1]) and low[first - 1] not in _SAME_WORDS:
            first -= 1  # (never back over "same": "church lane same lane as the church")
        if first == k:
            continue
        if low[k] in _WEAK_SUFFIXES and _ordinary(low[first]):
            continue
        if k - first == 1 and (low[first] in _SAME_WORDS or (plain and low[first] in _DESCRIBING_WORDS)):
            continue  # "same lane", "the back road", "a side street" (`plain`: with nothing to say it is a name)
        end = k + 1
        if end < len(low) and low[end] in _STREET_SIDES and not words[k].ends_clause \
                and not (end + 1 < len(low) and low[end + 1] in ("of", "from")):
            end += 1  # "abbeydale road south"
        out.append((first, end))
    return out


# Towns on the stop list are no names, but streets are named after them ("london road").
_TOWN_STOPS = frozenset("""
staffordshire stafford stoke stoke-on-trent trent newcastle newcastle-under-lyme lyme burton burton-on-trent
tamworth lichfield cannock leek uttoxeter stone rugeley biddulph kidsgrove hanley longton burslem fenton
tunstall meir cheadle penkridge eccleshall codsall wolverhampton walsall birmingham derby crewe london
manchester station
""".split())
# Words that lead up to a street without being part of its name ("towards fawcett road", "visit
# sandon road", "heading down church lane").
_STREET_LEADS = frozenset("""
towards toward visit visits visited visiting heading head heads headed going go goes went come comes came
walking walked drive driving drove driven run running ran turn turned turning left right via onto parked near
""".split())
# One everyday word before a suffix that describes a road rather than names it; `_SAME_WORDS` never
# name one, the others may where the context says it is a name ("larch house, top road").
_SAME_WORDS = frozenset("same next other nearest".split())
_DESCRIBING_WORDS = _SAME_WORDS | frozenset("back main side private busy quiet dark narrow top bottom far near end "
                                            "first second third last new ring slip dirt country".split())


def _street_name_word(key: str) -> bool:
    """Could be a word of a street's name said before its suffix."""
    if key in _STREET_LEADS or (key in STOP_WORDS and key not in _TOWN_STOPS and key not in _STREET_SUFFIXES
                                and key not in _STREET_SIDES):
        return False  # "victoria park road", "north street": a suffix or a side may stand in a street's name
    return not (len(key) > 4 and key.endswith(("ing", "ed")) and _ordinary(key))


def _address_answer_hits(streams: list[tuple[str, list[_W]]], cased: bool) -> list[_Hit]:
    """The reply to "what's the address of your emergency?" from its house number to the sentence end
    or clause end (at most ADDRESS_ANSWER_WORDS more words): the street name is often misheard into ordinary words
    ("14 Nolan Stone" -> "14 no length stone"), which the street-suffix rule cannot see. Without
    punctuation (lower-case recognisers) it stops at a word that cannot be part of a street name."""
    hits = []
    for speaker, words in streams:
        low = [w.clean.lower() for w in words]
        bare_ok = set(_cue_ends(low, _BARE_NUMBER_CUES))
        home = set(_cue_ends(low, _HOME_ADDRESS_CUES))
        for end in _cue_ends(low, _ADDRESS_QUESTION_CUES):
            for t, j, w in _replies(streams, speaker, words[end - 1].end_s):
                ws = streams[t][1]
                rlow = [_base_key(x.clean) for x in ws]
                house = _house_at(rlow, j)
                if house is not None and j > 0 and rlow[j - 1] == "the" and not ws[j - 1].ends_clause:
                    break  # "the one between the launderette and the bookies": no house number
                if w.clean.lower() not in _ADDRESS_LEAD_INS and house is None:
                    if end in home and (named := _house_name_street(ws, j)):
                        lo = j - 1 if j > 0 and rlow[j - 1] == "the" and not ws[j - 1].ends_clause else j
                        hits.append(_Hit("address", "address.answer", t, lo, named))  # "the old vicarage, church lane"
                    elif (named := _house_name_at(ws, rlow, j, house=end in home)):
                        hits.append(_Hit("address", "address.house_name", t, j, named))  # "low moor farm, it's off ..."
                    break  # the reply does not open with the house number: "I don't know, 5 minutes away"
                if house is None:
                    continue
                if house < len(ws) and rlow[house] in _QUANTITY_UNITS | {"minutes", "miles", "yards"}:
                    break
                k = house
                while k < len(ws) and k - house < ADDRESS_ANSWER_WORDS and not ws[k - 1].ends_clause:
                    if not cased and not (_street_word(ws[k], rlow[k]) or rlow[k] in _STREET_SUFFIXES):
                        break
                    k += 1
                    if k - 1 > house and _STREET_END.fullmatch(ws[k - 1].clean):
                        break
                if k > house or end in bare_ok:  # a bare number ("5") is not an address, unless asked for one
                    hits.append(_Hit("address", "address.answer", t, j, max(k, house)))
                break
    return hits


_HOME_ADDRESS_CUES = (("address",), ("where", "do", "you", "live"), ("first", "line"))
# The last word of a home's name ("Low Moor Farm", "Ivy Cottage", "The Old Granary"); not landmarks
# such as a hall, mill, church or school, which are where things happen.
_DWELLINGS = frozenset("farm farmhouse cottage barn lodge manor grange bungalow vicarage rectory parsonage forge "
                       "granary smithy dairy coachhouse".split())
_HOUSE_NAME_LEADS = frozenset("at from to lives live living lived".split())


def _house_name_at(ws: list[_W], low: list[str], j: int, house: bool = False) -> int | None:
    """One past a house name starting at j: up to three street-like words then a dwelling word
    ("low moor farm", "the old granary", "ivy cottage"; with `house`, in a reply to "what's your
    address?", also "quarry house"); None when there is none."""
    k = j + 1 if j < len(low) and low[j] == "the" else j
    start = k
    while k < len(low) and k - start < 3 and not (k > start and ws[k - 1].ends_clause):
        if (low[k] in _DWELLINGS or (house and low[k] == "house")) and k > start:
            return k + 1
        if not _street_word(ws[k], low[k]) or low[k] in STOP_WORDS - {"old"}:
            return None
        k += 1
    if k < len(low) and low[k] in _DWELLINGS and k > start and not ws[k - 1].ends_clause:
        return k + 1
    return None


def _house_name_hits(words: list[_W], stream: int) -> list[_Hit]:
    """A home said by its name where someone lives or is: "my neighbour at the old granary", "he
    lives up at the old forge", "i live at ivy cottage"; "the old <dwelling>" after "at / from"."""
    low = [_street_key(w.clean) for w in words]
    hits = []
    for i, t in enumerate(low):
        if t not in _HOUSE_NAME_LEADS or words[i].ends_clause:
            continue
        j = i + 1
        if j < len(low) and low[j] in ("up", "down", "over", "out") and not words[j].ends_clause:
            j += 1
        if j < len(low) and low[j] == "at" and t != "at" and not words[j].ends_clause:
            j += 1
        if j >= len(low):
            continue
        old = low[j] == "the" and j + 1 < len(low) and low[j + 1] == "old"
        if (old or t in ("lives", "live", "living", "lived")) and (end := _house_name_at(words, low, j)):
            if not words[end - 1].ends_sentence and (street := _street_at(words, low, end)):
                end = street  # "i live at ivy cottage, long lane"
            hits.append(_Hit("address", "address.house_name", stream, j, end))
    return hits


# A home's number within a building or a site: a flat, a caravan plot or pitch, a boat's berth or mooring.
_FLAT_WORDS = frozenset("flat apartment caravan plot pitch berth mooring unit".split())  # "unit": only with its site
_FLAT_BUILDINGS = _BUILDING_WORDS | frozenset("college halls residence villas apartments flats mill mills works "
                                              "chambers".split())
# The last word of a site's name ("hollingwood park site", "gwel an mor holiday park", "crabtree wharf").
_SITE_WORDS = frozenset("park site marina wharf moorings basin estate village".split())


def _site_end(low: list[str], end: int) -> int:
    """One past a site's name ending at `end`, taking "site" after it ("the hollingwood park site")."""
    return end + 1 if end < len(low) and low[end] in ("site", "estate") else end


def _site_name(words: list[_W], low: list[str], h: int) -> int | None:
    """One past a site's name said straight after a plot's number: up to five name words (Cornish and
    Welsh particles "an" / "y" inside) then a site word ("gwel an mor holiday park"); None if none."""
    k = h
    while k < len(low) and k - h < 6 and not (k > h and words[k - 1].ends_clause):
        if low[k] in _SITE_WORDS and k > h:
            return _site_end(low, k + 1)
        if not (_street_word(words[k], low[k]) or (k > h and low[k] in ("an", "y", "yr"))):
            return None
        k += 1
    return None


_NOT_A_FLAT_AFTER = _QUANTITY_UNITS | frozenset("out pounds pound quid grand pence percent per tyre tyres battery "
                                                 "rate fee".split())


def _flat_hits(words: list[_W], stream: int) -> list[_Hit]:
    """A flat said by its number alone ("flat seven, same building"), or with the building or site
    it is in ("flat fifty one ayresome house", "caravan forty one at seaview holiday park"): the
    flat number narrows a building to one home. Not "a flat five minutes away", "flat out"."""
    low = [_street_key(w.clean) for w in words]
    mentions = {lo: hi for lo, hi in _street_mentions(words, low)}
    hits = []
    for i, t in enumerate(low[:-1]):
        if t not in _FLAT_WORDS or words[i].ends_clause \
                or (i > 0 and low[i - 1] in ("a", "an", "the", "our", "my", "your", "his", "her", "their")):
            continue
        h = _house_at(low, i + 1)
        if h is None or (h < len(low) and low[h] in _NOT_A_FLAT_AFTER and not words[h - 1].ends_clause):
            continue
        if h + 1 < len(low) and low[h] in ("stroke", "slash", "over", "/") and not words[h - 1].ends_clause \
                and (h2 := _house_at(low, h + 1)):
            h = h2  # "flat two stroke one" (2/1)
        if h + 1 < len(low) and low[h] == "block" and not words[h - 1].ends_clause \
                and (re.fullmatch(r"[a-z]", low[h + 1]) or _house_at(low, h + 1) == h + 2):
            h += 2  # "flat six block b ..."
        end = h
        if h < len(low) and not words[h - 1].ends_clause:
            k = h + 1 if low[h] == "the" and h + 1 < len(low) else h  # "apartment eleven the old mill"
            while k < len(low) and k - h < 3 and _street_word(words[k], low[k]) and low[k] not in _FLAT_BUILDINGS:
                k += 1
            on = h + 2 if h + 2 < len(low) and low[h] in ("at", "in", "on") and low[h + 1] == "the" else h + 1
            if k > h and k < len(low) and low[k] in _FLAT_BUILDINGS and (
                    not any(_ordinary(low[x]) for x in range(h, k)) or low[h] == "the"):
                end = k + 1  # "flat nine clarence house", "flat six block b goodricke college", "... the old mill"
            elif low[h] in ("at", "in", "on") and on in mentions and t != "unit":  # (a unit "on": `_address_hits`)
                end = _site_end(low, mentions[on])  # "caravan forty one at seaview holiday park"
            elif h in mentions:
                end = _site_end(low, mentions[h])
            elif (site := _site_name(words, low, h)):
                end = site  # "plot forty seven gwel an mor holiday park"
            elif low[h] in ("at", "in", "on") and t != "unit" and (site := _site_name(words, low, on)):
                end = site  # "caravan nine at happy valley holiday park", "pitch forty at the seaview site"
        if t == "unit" and end == h:
            continue  # "unit four" alone may be a call sign; with its estate or park it is an address
        lo = i
        if t in ("berth", "mooring") and i >= 2 and low[i - 1] == "pontoon" and re.fullmatch(r"[a-z]", low[i - 2]):
            lo = i - 2  # "c pontoon berth fourteen"
        hits.append(_Hit("address", "address.flat", stream, lo, end))
    return hits


# A home's or an estate's name that needs a word of its own ("woodberry down estate", "clarence house"):
# "the council estate" and "my mum's house" are no names.
_NAMED_ONLY = frozenset("house estate".split())
# Welsh homes put the word for the holding first ("tyddyn uchaf", "pen y bryn", "plas newydd").
_WELSH_HOMES = frozenset("tyddyn plas hafod hendre bryn pen cae ty bod bwthyn blaen pant nant maes llys fferm cwm "
                         "chy tre bos gwel".split())
# No first names: need no "y" after them ("blaen nant", "bwthyn y felin"; Cornish "chy an dowr").
_WELSH_HOLDINGS = frozenset("tyddyn plas hafod hendre bwthyn blaen pant fferm chy".split())
# More first words of Welsh home and farm names, read only before a Welsh describing word below.
_WELSH_PLACE_WORDS = _WELSH_HOMES | frozenset("cefn llwyn gelli rhos ffynnon glan tir waun bron graig gors coed rhyd "
                                              "tal tyn penrhyn".split())
# Welsh describing words that end a home's name ("ty newydd", "cefn uchaf", "bryn teg", "plas isaf"):
# after a place word above they make it a home even when that word is also a first name (Bryn, Ty).
_WELSH_DESCRIBING = frozenset("newydd uchaf ucha isaf isa teg deg gwyn wen du ddu coch goch mawr fawr bach fach glas "
                              "las hir canol llwyd melyn gwyrdd hen hyfryd heulog olaf".split())


def _named_home_hits(words: list[_W], stream: int) -> list[_Hit]:
    """A home, farm or estate said by its name anywhere ("high birkett farm over the cattle grid",
    "from the yard at upper house farm", "on the woodberry down estate", "tyddyn uchaf"): up to three
    name words then a dwelling word, where a name word is no everyday word, or the name opens the
    turn or follows "at / from / to / near". A description in everyday words after "the", "a" or
    "my" ("the dairy farm", "a holiday cottage", "my nan's house") is none."""
    low = [_street_key(w.clean) for w in words]
    hits = []
    dwelling = _DWELLINGS | _NAMED_ONLY
    for k, t in enumerate(low):
        if t not in dwelling or k == 0:
            continue
        first = k
        while first > 0 and k - first < 3 and not words[first - 1].ends_clause and len(low[first - 1]) > 1 \
                and (_street_word(words[first - 1], low[first - 1]) or low[first - 1] in _INNER_NAME_WORDS) \
                and low[first - 1] not in STOP_WORDS and low[first - 1] not in _STREET_LEADS \
                and low[first - 1].rstrip("s").removesuffix("'") not in _KIN:
            first -= 1
        if first == k:
            continue
        while first < k and low[first] in _INNER_NAME_WORDS:
            first += 1  # "woodberry down estate", not "down estate"
        if first == k:
            continue
        name = range(first, k)
        plain = all(_ordinary(low[x]) for x in name)
        before = low[first - 1] if first > 0 else ""
        if t == "house" and k - first == 1 and low[first].endswith("s") and (
                low[first][:-1] in _bundled_first_names() or low[first].endswith("'s")):
            continue  # "her friend lucy's house": whose house, a name
        if t == "estate" and any(low[x] in _VEHICLE_WORDS for x in range(max(0, first - 1), k)):
            continue  # "a silver volvo estate": the car
        end = k + 1
        street = _street_at(words, low, end) if end < len(low) and not words[k].ends_sentence \
            and low[end] not in _DESCRIBING_WORDS else None
        if street:
            end = street  # "the old vicarage church walk": a home's name and its street
        elif t in _NAMED_ONLY and plain:
            continue
        elif plain and (before in _DETERMINERS or not (first == 0 or words[first].sentence_start
                                                       or before in _HOUSE_NAME_LEADS | {"near", "past", "by"})):
            continue
        elif before in ("a", "an") and t not in _NAMED_ONLY:
            continue  # "the whole upstairs is a cannabis farm": a kind of place, no home's name
        hits.append(_Hit("address", "address.named_home", stream, first, end))
    for k in range(len(low) - 1):
        if low[k] not in _WELSH_PLACE_WORDS or words[k].ends_clause:
            continue
        if low[k] not in _WELSH_HOMES:
            if low[k + 1] in _WELSH_DESCRIBING:
                hits.append(_Hit("address", "address.named_home", stream, k, k + 2))  # "cefn uchaf"
            continue
        m = k + 2 if low[k + 1] in ("y", "yr", "an") and k + 2 < len(low) and not words[k + 1].ends_clause else k + 1
        if m < len(low) and re.fullmatch(r"[a-z]{3,}", low[m]) and not _ordinary(low[m]) \
                and (m == k + 2 or (low[k] in _WELSH_HOLDINGS and low[m] not in _surnames())):
            hits.append(_Hit("address", "address.named_home", stream, k, m + 1))
        elif low[k] in _WELSH_PLACE_WORDS and low[k + 1] in _WELSH_DESCRIBING:
            hits.append(_Hit("address", "address.named_home", stream, k, k + 2))  # "cefn uchaf", "ty newydd"
    return hits


_INNER_NAME_WORDS = frozenset("down up house".split())  # inside a home's name, never first ("woodberry down")


def _house_name_street(ws: list[_W], j: int) -> int | None:
    """One past a street that a reply to "what's your address?" opens with, perhaps after a house
    name ("church lane", "the old vicarage church lane", "Rose Cottage, Mill Lane"); None if none."""
    low = [_street_key(w.clean) for w in ws]
    for lo, hi in _street_mentions(ws[:j + 7], low[:j + 7], plain=False):
        if lo < j:
            continue
        between = range(j, lo)
        if lo - j <= 3 and all((_street_word(ws[x], low[x]) or low[x] in ("the", "house") or ws[x].ends_clause)
                               and low[x] not in STOP_WORDS - {"the"} for x in between):
            return hi
        break
    return None


_STREET_END = re.compile(r"(?i:road|rd|street|st|lane|avenue|ave|close|drive|way|court|crescent|place|grove|gardens"
                         r"|terrace|walk|hill|park|square|row|mews|rise|view|green|parade|croft|fold|bank|vale|meadows"
                         r"|end|gate|wharf|yard|mount|boulevard|chase|circle|side|approach|[a-z]{3,}(?:way|gate))")


_AT_HOME_LEADS = frozenset("im i'm were we're theyre they're hes he's shes she's lives live living door".split())


def _street_before_postcode(streams: list[tuple[str, list[_W]]], hits: list[_Hit]) -> list[_Hit]:
    """A street said straight before a postcode is the home's, with or without its house number
    ("its on hathersage road m fourteen six h s"); there its words need not look like a street
    name ("fourteen love day close m e five ..."), since the postcode says what it is."""
    out = []
    for hit in hits:
        if hit.category != "postcode" or hit.lo == 0:
            continue
        words = streams[hit.stream][1]
        low = [_street_key(w.clean) for w in words]
        k = hit.lo - 1
        if low[k] not in _STREET_SUFFIXES or words[k].ends_sentence or words[k].seg != words[hit.lo].seg:
            continue
        m = k
        while m > 0 and k - m < 3 and low[m - 1] not in _FUNCTION_WORDS and not words[m - 1].ends_clause \
                and re.fullmatch(r"[a-z][a-z'\-]*", low[m - 1]) and low[m - 1] not in _NUMBER_WORD_SET:
            m -= 1
        house = next((x for x in range(max(0, m - 5), m) if _house_at(low, x) == m
                      and not any(words[y].ends_clause for y in range(x, m))), None)
        if house is not None and house > 0 and low[house - 1] in _HOUSE_PREFIXES | _NUMBER_PREFIXES:
            house -= 1
        if house is None and m == k:
            continue
        out.append(_Hit("address", "address.before_postcode", hit.stream, m if house is None else house, k + 1))
    return out


def _kin_homes(streams: list[tuple[str, list[_W]]], hits: list[_Hit]) -> list[_Hit]:
    """Where a named friend or relative is, said straight after their name, is their home: "to see
    her friend precious on brook street" (a street with no number is otherwise the incident's)."""
    out = []
    for h in hits:
        if h.category != "name" or h.lo == 0:
            continue
        words = streams[h.stream][1]
        low = [_street_key(w.clean) for w in words]
        k = h.hi
        if low[h.lo - 1] not in _KIN or k + 2 >= len(low) or low[k] not in ("on", "in", "at", "off", "from") \
                or words[k - 1].ends_clause:
            continue
        for lo, hi in _street_mentions(words, low):
            if lo == k + 1 and not any(words[x].ends_sentence for x in range(k, hi - 1)):
                out.append(_Hit("address", "address.kin_home", h.stream, lo, hi))
    return out


def _bare_house_numbers(streams: list[tuple[str, list[_W]]], hits: list[_Hit]) -> list[_Hit]:
    """Once an address has been given, a bare house number where someone is ("and i'm next door at
    thirteen", "they're at one hundred and ten") is the house next to it: "at" after "I'm / she's /
    they're / next door", then the number at the end of the clause."""
    said = [streams[h.stream][1][h.lo].start_s for h in hits if h.category == "address"]
    if not said:
        return []
    first = min(said)
    out = []
    for s, (_, words) in enumerate(streams):
        low = [_base_key(w.clean) for w in words]
        for k in range(1, len(low) - 1):
            if low[k] not in ("at", "number") or words[k].start_s < first or words[k - 1].ends_clause \
                    or not any(x in _AT_HOME_LEADS for x in low[max(0, k - 2):k]) \
                    or (low[k] == "number" and low[k - 1] not in _AT_HOME_LEADS):
                continue  # "i'm next door at thirteen", "they're number twenty four"
            h = _house_at(low, k + 1)
            if h is not None and low[k] == "number" and not (h < len(low) and low[h] in _QUANTITY_UNITS):
                out.append(_Hit("address", "address.bare_number", s, k, h))  # "they're number eleven, the one ..."
                continue
            if h is None or (h < len(low) and not words[h - 1].ends_clause and words[h].seg == words[h - 1].seg
                             and low[h] not in ("and", "but", "so", "with")):
                continue  # "she's at 20 percent", "i'm at 5 oak road" (the street rule reads it)
            out.append(_Hit("address", "address.bare_number", s, k + 1, h))
    return out


_REPLY_OPENERS = frozenset("yes yeah yep aye no nah im i'm were we're its it's er erm um".split())


def _numbers_on_a_named_street(streams: list[tuple[str, list[_W]]], hits: list[_Hit]) -> list[_Hit]:
    """A reply that opens with a house number to a question naming a street ("are you on
    ellesmere street yourself?" "yes, at forty three") is the house on that street."""
    out = []
    for h in hits:
        if h.category != "address":
            continue
        speaker, words = streams[h.stream]
        asked = words[h.hi - 1].end_s
        if not any(w.ends_sentence for w in words[h.hi - 1:h.hi + 3]) or len(words) - h.hi > 3:
            continue  # the street ends the question
        reply = _replies(streams, speaker, asked)
        if not reply:
            continue
        t, j, _ = reply[0]
        ws = streams[t][1]
        low = [_base_key(w.clean) for w in ws]
        k = j
        while k < len(ws) and k - j < 2 and low[k] in _REPLY_OPENERS:
            k += 1
        if k < len(ws) and low[k] in ("at", "number", "no") and not ws[k].ends_clause:
            k += 1
            if k < len(ws) and low[k] == "number" and low[k - 1] == "at":
                k += 1
            house = _house_at(low, k) if k < len(ws) else None
            if house is not None and not (house < len(ws) and low[house] in _QUANTITY_UNITS | _NOT_HOUSE_AFTER):
                out.append(_Hit("address", "address.number_on_street", t, k, house))
    return out


def _repeat_streets(streams: list[tuple[str, list[_W]]], hits: list[_Hit]) -> list[_Hit]:
    """A street once hidden as part of an address is hidden wherever else it is said in the call
    ("22 Oak Road" ... "officers are coming to Oak Road now")."""
    streets: set[tuple[str, ...]] = set()
    for h in hits:
        if h.category != "address":
            continue
        words = streams[h.stream][1]
        low = [_street_key(w.clean) for w in words]
        for k in range(h.lo, h.hi):
            if low[k] in _STREET_SUFFIXES or _SINGLE_WORD_STREET.fullmatch(low[k]) or low[k] in _THE_STREETS:
                first = k
                while first > h.lo and _street_word(words[first - 1], low[first - 1]) and len(low[first - 1]) > 1 \
                        and _house_at(low, first - 1) is None and not _HOUSE_JOINED.match(
                            _base_key(words[first].clean)):
                    first -= 1
                if first > h.lo and low[first - 1] == "the":
                    first -= 1
                name = tuple(low[first:k + 1])
                if len(name) >= 2 or not _ordinary(name[0]):
                    streets.add(name)
                for cut in range(1, len(name) - 1):  # "honeysuckle cottage mill lane" ... "mill lane"
                    if name[cut] != "the":
                        streets.add(name[cut:])
            elif low[k] in _DWELLINGS:  # a home's name said again ("the old forge on bartlow road" ... "the old forge")
                first = k
                while first > h.lo and _street_word(words[first - 1], low[first - 1]) and low[first - 1] != "the" \
                        and _house_at(low, first - 1) is None:
                    first -= 1
                if first < k:
                    streets.add(tuple(low[first:k + 1]))
    if not streets:
        return []
    covered = {(h.stream, i) for h in hits if h.category == "address" for i in range(h.lo, h.hi)}
    out = []
    for s, (_, words) in enumerate(streams):
        low = [_base_key(w.clean) for w in words]
        for name in streets:
            n = len(name)
            for i in range(len(low) - n + 1):
                if tuple(low[i:i + n]) == name and not all((s, k) in covered for k in range(i, i + n)):
                    out.append(_Hit("address", "address.repeat", s, i, i + n))
    return out


# Homes that have names: a house, a farm, a B&B, or a boat or caravan someone lives on.
_NAMED_HOMES = frozenset("house cottage farm bungalow bnb b&b guesthouse boat narrowboat barge yacht houseboat caravan "
                         "croft lodge cabin chalet".split())
_HOME_NAME_OPENERS = frozenset("shes she's its it's the she is it her we call called".split())


def _home_name_words(ws: list[_W], low: list[str], j: int, loose: bool = False) -> int:
    """One past a home's name starting at j: up to three name words (a leading "the" stays outside),
    to a function word or the clause end; j when there is none. `loose` (after "called"): a boat's
    name may hold an everyday word of the stop list ("called morning star"), up to a verb in -ed
    ("... moored below me")."""
    k = j
    while k < len(low) and k - j < 3 and re.fullmatch(r"[a-z][a-z'\-]*", low[k]) and low[k] not in _NOT_STREET_WORDS \
            and low[k] not in _NUMBER_WORD_SET and (low[k] not in STOP_WORDS or loose) \
            and low[k] not in _FUNCTION_WORDS and not (k > j and ws[k - 1].ends_clause) \
            and not (loose and k > j and low[k].endswith("ed") and _ordinary(low[k])) \
            and not (loose and low[k] in _NOT_HOME_NAMES):
        k += 1
    return k


# After "called", words that say when, not what ("the boat owner called yesterday").
_NOT_HOME_NAMES = frozenset("today yesterday tonight tomorrow again back now later earlier before after twice once "
                            "please sorry thanks yes no ok okay right hello hi".split())


def _called_home_hits(streams: list[tuple[str, list[_W]]]) -> list[_Hit]:
    """A home said by its name after "called" ("a b and b in gosforth called fell view", "a cottage
    called ty gwyn"), or in reply to "what's the boat / house called?" ("she's the grace darling on
    c pontoon"): a boat someone lives on or a named house places them as an address does."""
    hits = []
    for s, (speaker, words) in enumerate(streams):
        low = [_street_key(w.clean) for w in words]
        for i, t in enumerate(low):
            if t not in ("called", "named") or i + 1 >= len(low) or words[i].ends_clause:
                continue
            before = [low[x] for x in range(max(0, i - 6), i) if not words[x].ends_sentence]
            home = any(x in _NAMED_HOMES for x in before) or "b and b" in " ".join(before)
            if not home:
                continue
            if i > 0 and low[i - 1] == "is" and i >= 2 and low[i - 2] in _NAMED_HOMES and _in_question_words(words, i):
                continue  # "what's the boat called?": the question
            j = i + 2 if low[i + 1] == "the" and i + 2 < len(low) else i + 1
            k = _home_name_words(words, low, j, loose=True)
            if k > j:
                hits.append(_Hit("address", "address.called_home", s, j, k))
        for i, t in enumerate(low):
            if t != "called" or i < 2 or not any(x in _NAMED_HOMES for x in low[max(0, i - 3):i]) \
                    or not any(x in ("what", "whats", "what's") for x in low[max(0, i - 5):i]):
                continue  # "what's the boat called (and where are you moored)?"
            for t2, j, _ in _replies(streams, speaker, words[i].end_s)[:1]:
                ws = streams[t2][1]
                rlow = [_street_key(w.clean) for w in ws]
                m = j
                while m < len(ws) and m - j < 3 and rlow[m] in _HOME_NAME_OPENERS | _ANSWER_FILLERS:
                    m += 1
                k = _home_name_words(ws, rlow, m)
                if k > m:
                    hits.append(_Hit("address", "address.called_home", t2, m, k))
    return hits


def _in_question_words(words: list[_W], i: int) -> bool:
    return any(w.clean.lower() in ("what", "whats", "what's") for w in words[max(0, i - 4):i])
