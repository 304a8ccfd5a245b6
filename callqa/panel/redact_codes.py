"""Codes said aloud: phone numbers, postcodes, plates, references and e-mail addresses, and replies to
"what's your postcode / registration / number?".

Part of the panel-pack redactor: `callqa.panel.redact` holds the public API, the
resolution of overlapping hits and the audio side; see its docstring for every rule and why.
"""

from __future__ import annotations

import re
from typing import Sequence

from callqa.panel.redact_words import (
    DIGIT_WORDS, NATO, STOP_WORDS, _ADDRESS_QUESTION_CUES, _ANSWER_FILLERS, _COLOURS, _Hit, _NAME_QUESTION_CUES,
    _NOT_STREET_WORDS, _NUMBER_WORD_SET, _QUANTITY_LEADS, _QUANTITY_UNITS, _TEENS, _TENS, _UNITS, _W, _cue_ends,
    _digit_norms, _ordinary, _replies, _span, _view,
)
from callqa.panel.redact_dates import _MONTH_VALUES, _ORDINAL_VALUES


_PHONE_CUES = frozenset("number phone mobile landline contact ring call text whatsapp tel telephone".split())


_POSTCODE_CUES = (("postcode",), ("post", "code"))
_REG_CUES = (("registration",), ("reg",), ("number", "plate"), ("plate",))
_PHONE_QUESTION_CUES = (("phone",), ("mobile",), ("landline",), ("telephone",), ("contact", "number"))
_REFERENCE_QUESTION_CUES = (("crime", "number"), ("reference",), ("incident", "number"), ("log", "number"),
                            ("occurrence", "number"), ("case", "number"), ("job", "number"), ("claim", "number"))
# Words that say a code is a vehicle's (a plate "WF68 OPX" read with "oh" is also a postcode shape).
_VEHICLE_WORDS = frozenset("""
registration reg plate plates car cars van vehicle motorbike moped lorry truck taxi drove driving driver parked
golf corsa fiesta focus astra polo transit bmw audi ford vauxhall mercedes seat kia toyota honda nissan
clio micra qashqai juke yaris aygo civic octavia fabia insignia zafira mondeo kuga ka punto fiat peugeot renault
citroen skoda volvo mini range rover landrover jaguar lexus mazda hyundai tucson sportage picasso berlingo caddy
sprinter vivaro transporter hatchback saloon estate suv jeep scooter bike motorcycle
registrations regs vans motorbikes motorcycles bikes lorries trucks taxis scooters mopeds quad quads tractor
pickup pickups hilux navara ranger amarok defender discovery landcruiser telehandler minibus coach camper motorhome
""".split())
# Makes whose models are a letter and a number ("an audi q five", "a bmw x five", "a merc c two twenty"):
# those two words after the make are the model, not the start of a plate.
_LETTER_MODEL_MAKES = frozenset("audi bmw mercedes merc lexus volvo mazda citroen peugeot ds mg kia tesla "
                                "infiniti".split())
# Said straight after part of a plate: the rest was not seen ("a k sixty something", "oscar victor something").
_PART_ENDS = frozenset("something summat somethin".split())
# Cue words that are never a letter group of the code they announce ("x five reg ..." is no plate "X5 REG").
_CODE_CUE_WORDS = frozenset("reg registration plate postcode post code number".split())
_POSTCODE_WORDS = frozenset("postcode post address live lives living".split())


# Any question for a detail: one asked after another means the reply answers the later one.
_ANY_QUESTION_CUES = _NAME_QUESTION_CUES + _POSTCODE_CUES + _REG_CUES + _PHONE_QUESTION_CUES \
    + _REFERENCE_QUESTION_CUES + _ADDRESS_QUESTION_CUES + (("birth",), ("dob",), ("birthday",), ("email",),
                                                            ("number",))   # a reply of a bare number is the house number


# Tokens too common to scrub on their own from free text (they are scrubbed as part of a sequence).
_COMMON_TOKENS = STOP_WORDS | frozenset(f"{_UNITS}|{_TEENS}|{_TENS}".split("|")) | frozenset(
    "dot at underscore dash hyphen slash of flat apartment unit house number no oh double triple com co uk org net"
    " born date birth".split())


_P = r"[ -]?"  # between the characters of a spelled-out code
_POSTCODE = re.compile(
    rf"(?<![A-Za-z0-9])[A-PR-UWYZ](?:{_P}[A-HK-Y])?{_P}\d(?:{_P}[A-HJKPSTUW0-9])?"
    rf"{_P}\d{_P}[ABD-HJLNP-UW-Z]{_P}[ABD-HJLNP-UW-Z](?![A-Za-z0-9])")
# UK postcode areas: a lower-case code must start with one ("st16 2dh"), so "is 12 ab" is not a postcode.
POSTCODE_AREAS = frozenset("""
AB AL B BA BB BD BH BL BN BR BS BT CA CB CF CH CM CO CR CT CV CW DA DD DE DG DH DL DN DT DY E EC EH EN EX FK FY G GL
GU GY HA HD HG HP HR HS HU HX IG IM IP IV JE KA KT KW KY L LA LD LE LL LN LS LU M ME MK ML N NE NG NN NP NR NW OL OX
PA PE PH PL PO PR RG RH RM S SA SE SG SK SL SM SN SO SP SR SS ST SW SY TA TD TF TN TQ TR TS TW UB W WA WC WD WF WN WR
WS WV YO ZE
""".split())
_REG = re.compile(
    rf"(?<![A-Za-z0-9])(?:[A-Z]{_P}[A-Z]{_P}\d{_P}\d{_P}[A-Z]{_P}[A-Z]{_P}[A-Z]"       # AB12 CDE
    rf"|[A-Z]{_P}\d(?:{_P}\d){{0,2}}{_P}[A-Z]{_P}[A-Z]{_P}[A-Z]"                        # A123 BCD
    rf"|[A-Z]{_P}[A-Z]{_P}[A-Z]{_P}\d(?:{_P}\d){{0,2}}{_P}[A-Z])(?![A-Za-z0-9])")      # ABC 123D
# Country codes a caller's provider may have ("wp dot pl", "web dot de"); none that is an everyday word
# ("at", "it", "is", "no", "in", "be", "me" stays for its own use).
_COUNTRY_TLDS = "cymru wales scot london pl de fr es nl be ch se dk fi pt cz ro hu sk lt lv ee gr bg hr si ru ua tr cn jp kr au nz ca za ng" \
                " gh ke pk br mx ar"
_TLD = r"(?:co(?:\.| dot )uk|org(?:\.| dot )uk|gov(?:\.| dot )uk|ac(?:\.| dot )uk|nhs(?:\.| dot )uk|com|org|net|uk" \
       r"|me|io|info|biz|ie|eu|edu|" + _COUNTRY_TLDS.replace(" ", "|") + ")"
_EMAIL = re.compile(
    r"(?<![\w@.])[a-z0-9][a-z0-9_%+-]*(?:(?:\.| dot | underscore |_| dash | hyphen )[a-z0-9][a-z0-9_%+-]*)*"
    rf"(?:@| at )[a-z0-9][a-z0-9-]*(?:(?:\.| dot )[a-z0-9][a-z0-9-]*)*?(?:\.| dot ){_TLD}(?![\w])")
_TLD_WORDS = frozenset(("com co uk org net me io info biz ie eu edu " + _COUNTRY_TLDS).split())  # "dot co" too
_MAIL_PROVIDERS = frozenset("""
gmail googlemail hotmail yahoo outlook live icloud aol btinternet sky virginmedia talktalk protonmail msn
ntlworld blueyonder plusnet tiscali mail
""".split())
_EMAIL_JOINERS = frozenset("dot underscore dash hyphen".split())
# A spoken local part ("john smith eighty two at ...") reaches back to one of these.
_EMAIL_STOP = frozenset("""
its it's is was my me email e-mail emails address addresses yeah yes to at on now that's thats the and of for sorry
ok okay um er uh erm so just it please send sent his her their your our use uses used using try or new old write down
got have has as well this also too then here there
you i he she we they them him us be would should could can will by with from in into emailed mailed its'
another other second first
""".split())


_REFERENCE_CUES = frozenset("incident log logged crime reference ref occurrence urn references refs".split())
_REFERENCE_OPENERS = _REFERENCE_CUES | {"cad"}   # "the cad number was ...", while "reference cad 4481" keeps "cad"
# "<noun> number": a number that identifies a thing or an account, hidden as a reference when it is
# no phone number ("the frame number is w t 8114452", "case number", "my account number").
_NUMBER_NOUNS = frozenset("""
frame serial case job claim policy order tracking account card membership customer booking ticket invoice
passport licence license chassis vin imei crime incident log reference occurrence report complaint
""".split())
# A force crime number "22/19084/26" (year / serial / force or year), said or written: no date has a
# middle part of four or more digits, so it needs no cue.
# Two letters then five to eight digits (and perhaps a letter): a force reference ("SA 1277440",
# "s t six seven eight nine one") or a National Insurance number ("j k one two three four five six c").
# Plates and postcodes never have five digits together, so it needs no cue.
# Since round five also up to four letters and up to twelve digits ("n f r c 2 4 0 3 0 1 2 3 4 5 6", an
# Action Fraud number; "t l 4 3 1 1 8 8 2 9 2").
_LETTER_CODE = re.compile(r"(?<![A-Z0-9])(?:[A-Z]{2,4}|[A-Z](?: [A-Z]){1,3}) ?/? ?(?:\d ?[/-]? ?){4,11}\d(?: ?[A-Z])?"
                          r"(?![A-Z0-9])")
# Letters, then two more parts after slashes: "HP/24/6698", "d u r slash f r slash oh two two three". No
# date or amount has letters before its first slash, so it needs no cue.
_SLASHED_CODE = re.compile(r"(?<![A-Z0-9/])[A-Z](?: ?[A-Z]){0,3} ?/ ?[A-Z0-9](?: ?[A-Z0-9]){0,7} ?/ ?\d(?: ?\d){1,7}"
                           r"(?![A-Z0-9/])")
_CRIME_NUMBER = re.compile(r"(?<![\w/])\d ?\d ?(?:[A-Za-z] ?){0,3}/ ?(?:\d ?){4,7}/ ?\d ?\d(?![\w/])"
                           r"|(?<![\w/])(?:\d ?){6,11}\d ?/ ?\d ?\d(?![\w/])")  # or "5201234567/24": serial / year
# A written code of letters and digit groups joined by dashes ("PS-20250311-0417"): no date, amount
# or phone number starts with letters, so it needs no cue.
_DASHED_CODE = re.compile(r"[A-Z]{1,4}(?:-[A-Z0-9]*\d[A-Z0-9]*){2,4}")
_REFERENCE_GAP = frozenset("number no num is it's its was of for you your the a as on under it that this i've ive"
                           " i'll ill given gave got quote quoted put number's numbers".split())


_PHONE_BRIDGES = frozenset("er erm um uh ah".split())
# A self-correction said inside a code ("... two six no sorry one six ...", "WZP, no, wait, WZB").
_CODE_CORRECTIONS = frozenset("no sorry wait mean actually hang".split())
_CODE_CORRECTION_FILLERS = _CODE_CORRECTIONS | frozenset("i on its it's it is er erm um uh not oh".split())


def _correction_end(words: list[_W], low: list[str], k: int) -> int:
    """One past a self-correction of at most four words starting at k that holds a correction word
    ("no sorry", "no hang on its", "no, wait,"); k when there is none."""
    m = k
    while m < len(low) and m - k < 4 and low[m] in _CODE_CORRECTION_FILLERS \
            and not (m > k and words[m - 1].ends_sentence):
        m += 1
    while m > k and low[m - 1] == "oh":
        m -= 1  # "... no its oh seven": the "oh" is the code's
    return m if any(low[x] in _CODE_CORRECTIONS for x in range(k, m)) else k

_EXTENSION_WORDS = frozenset("extension ext ext. x".split())


def _phone_hits(words: list[_W], digits: list[str], stream: int, breaks: frozenset[int] = frozenset()) -> list[_Hit]:
    """Runs of digit groups long enough to be a UK phone number, or shorter after a phone cue."""
    hits = []
    low = [w.clean.lower() for w in words]

    def phonish(j: int) -> bool:
        d = digits[j].replace("(", "").replace(")", "")
        if re.fullmatch(r"\+?\d[\d -]*", d) or d == "+":
            return True
        return low[j] == "plus" and j + 1 < len(digits) and bool(re.match(r"\d", digits[j + 1]))

    def bridged(k: int) -> int:
        """One past a filler or self-correction between two digits of one number ("... four seven er
        three one", "... two six no sorry one six two ...", "... two eight no hang on its nine two
        seven"); 0 when there is none at k."""
        if words[k - 1].ends_sentence:
            return 0
        if low[k] in _PHONE_BRIDGES and k + 1 < len(words) and phonish(k + 1):
            return k + 1
        m = _correction_end(words, low, k)
        return m if m > k and m < len(words) and phonish(m) else 0

    def run_hit(j: int, k: int) -> _Hit | None:
        number = re.sub(r"\D", "", "".join(digits[j:k]))
        cue = any(t.strip("?") in _PHONE_CUES for t in low[max(0, j - 8):j])
        unit = k < len(words) and low[k] in _QUANTITY_UNITS
        if number.startswith("0") and len(number) >= 10:
            return _Hit("phone", "phone.uk", stream, j, k)
        if (number.startswith("44") and len(number) >= 11) or (low[j].startswith(("plus", "+")) and len(number) >= 10):
            return _Hit("phone", "phone.international", stream, j, k)
        if number.startswith("7") and len(number) in (10, 11) and not unit and \
                (len(number) == 10 or low[k - 1] in ("oh", "o") or re.match(r"7[1-9]", number)):
            # "... four five six oh sorry": the "oh" is no digit; else eleven digits from 71-79 are a
            # mobile said without its zero by someone who miscounts it (a reference said so is a reference)
            k_end = k if len(number) == 10 or low[k - 1] not in ("oh", "o") else k - 1
            return _Hit("phone", "phone.mobile_without_zero", stream, j, k_end)  # "seven seven double oh ..."
        if cue and len(number) >= 6 and not unit:
            return _Hit("phone", "phone.after_cue", stream, j, k)
        return None

    j = 0
    while j < len(words):
        if not phonish(j):
            j += 1
            continue
        k = j
        corrected = []  # (start, end) of each self-correction inside the run
        while k < len(words) and (phonish(k) or (k > j and bridged(k))):
            if phonish(k):
                k += 1
            else:
                m = bridged(k)
                if m > k + 1 or low[k] not in _PHONE_BRIDGES:
                    corrected.append((k, m))
                k = m
        if corrected and corrected[0][0] == j + 1 and j > 0 and low[j - 1] in ("the", "a", "that") \
                and (part := run_hit(corrected[0][1], k)) is not None:
            hits.append(part)  # "without the zero, sorry, oh seven ...": "the zero" is talk about a digit
            j = k
            continue
        hit = run_hit(j, k)
        if hit is None and corrected:  # two numbers, the second correcting the first: each read alone
            bounds = [j] + [x for a, b in corrected for x in (a, b)] + [k]
            parts = [h for a, b in zip(bounds[::2], bounds[1::2]) if (h := run_hit(a, b)) is not None]
            if parts:
                hits += parts
                j = k
                continue
        cuts = [x for x in range(j + 1, k) if x in breaks]
        if hit is not None and cuts:
            # The other party spoke inside the run: after a question ("... sixty six" | "phone?" | "oh one
            # ...") each part is read alone when one of them is a number; after a "yeah" it is one number.
            parts = [h for a, b in zip([j] + cuts, cuts + [k]) if (h := run_hit(a, b)) is not None]
            if any(h.rule != "phone.after_cue" for h in parts):
                hits += parts
                j = k
                continue
        if hit is not None and k + 1 < len(words) and low[k] in _EXTENSION_WORDS and phonish(k + 1):
            k += 1
            while k < len(words) and phonish(k):
                k += 1  # "... four one three extension two one", "0151 933 4470 ext 12."
            hit = _Hit(hit.category, hit.rule, stream, hit.lo, k)
        if hit is None:
            # The run may join the end of an earlier answer to the number (the party's turns are read
            # as one stream): "... seventy two" | "oh one two seven ...". Each turn's part is tried alone.
            cuts = [x for x in range(j + 1, k) if words[x].seg != words[x - 1].seg]
            for a, b in zip([j] + cuts, cuts + [k]):
                if (part := run_hit(a, b)) is not None:
                    hits.append(part)
        else:
            hits.append(hit)
        j = k
    return hits


def _codeish(word: _W, norm: str, cased: bool) -> bool:
    """Could be part of a spoken or written code: digits, single letters, letters-and-digits, or a
    short letter group that is no everyday word ("klm", "ST"; not "is", "and")."""
    n = norm.replace(" ", "").replace("-", "")
    if not n or not re.fullmatch(r"[A-Za-z0-9]+", n):
        return False
    if any(c.isdigit() for c in n):
        return True
    if len(n) == 1:
        return True
    if cased and n.isupper() and len(n) <= 3:
        return True
    return len(n) <= 3 and not _ordinary(n.lower())


def _filler_free_norms(words: list[_W], norms: list[str], cased: bool) -> list[str] | None:
    """`norms` with a filler between two code characters left out ("s s fourteen erm two n j"), so a
    postcode or plate said with a hesitation keeps its shape; None when there is no such filler."""
    out = list(norms)
    for k in range(1, len(words) - 1):
        if words[k].clean.lower() in _PHONE_BRIDGES and not words[k - 1].ends_sentence \
                and _codeish(words[k - 1], norms[k - 1], cased) and _codeish(words[k + 1], norms[k + 1], cased):
            out[k] = ""
    return out if out != list(norms) else None


def _codes_ok(words: list[_W], norms: list[str], lo: int, hi: int, cased: bool) -> bool:
    return all(_codeish(words[k], norms[k], cased) or not norms[k] or norms[k] in ("/", "-") for k in range(lo, hi))


def _shape_hits(pattern: re.Pattern, words: list[_W], norms: list[str], category: str, stream: int,
                cased: bool, breaks: frozenset[int] = frozenset()) -> list[_Hit]:
    """A postcode / plate shape in the digit view, any case, made only of code-like words, within one
    turn (not across a word of the other party: `breaks`)."""
    text, owner = _view(words, [n.upper() for n in norms])
    found = []
    # Every word start is tried and the longest shape kept: a stray letter before a plate
    # ("golf alpha bravo one two charlie delta echo") would otherwise take the leftmost, shorter shape.
    for pos in [0] + [c + 1 for c, o in enumerate(owner) if o < 0]:
        m = pattern.match(text, pos)
        if not m or not (span := _span(owner, *m.span())):
            continue
        hit = _Hit(category, f"{category}.shape", stream, *span)
        if not _codes_ok(words, norms, hit.lo, hit.hi, cased) or any(hit.lo < i < hit.hi for i in breaks):
            continue
        if any(words[k].clean.lower() in _CODE_CUE_WORDS for k in range(hit.lo, hit.hi)):
            continue  # "a bmw x five reg whiskey romeo ...": the cue word is no part of the plate
        if category == "postcode":
            code = re.sub(r"[^A-Z0-9]", "", "".join(norms[hit.lo:hit.hi]).upper())
            if re.match(r"[A-Z]+", code).group() not in POSTCODE_AREAS:
                continue
        found.append(hit)
    hits: list[_Hit] = []
    for hit in sorted(found, key=lambda h: (-(h.hi - h.lo), h.lo)):
        if not any(h.lo < hit.hi and hit.lo < h.hi for h in hits):
            hits.append(hit)
    return sorted(hits, key=lambda h: h.lo)


# Words between a cue and the code it announces ("the plate started l k ...", "ends in", "was like").
_CODE_LEADS = frozenset("started starts starting began begins ended ends ending finished finishes finishing with in like "
                        "something had has went goes beginning definitely maybe think thought".split())


def _spelled_letter_between(words: list[_W], norms: list[str], k: int, start: int, cased: bool) -> bool:
    """Whether "a" / "i" at k is a spelled letter of a code ("b i g one d a v", "a k w ..."): a single
    letter or digit on both sides (or, first in the code, two spelled letters after it)."""
    def char(j: int) -> bool:
        return 0 <= j < len(words) and len(norms[j].replace(" ", "")) == 1 and _codeish(words[j], norms[j], cased)
    if k == start:
        return char(k + 1) and char(k + 2) and not words[k].ends_clause
    return char(k - 1) and char(k + 1) and not words[k].ends_clause


def _code_after_cue(words: list[_W], digits: list[str], cues, category: str, limit: int, stream: int,
                    cased: bool) -> list[_Hit]:
    """Code-like words after "postcode"/"registration": a partial code is still hidden."""
    low = [w.clean.lower() for w in words]
    hits = []
    for end in _cue_ends(low, cues):
        j = end
        while j < len(words) and (low[j] in ("is", "it's", "its", "was", "number", "yes", "yeah", "uh", "um", "er",
                                             "erm") or (j - end < 3 and low[j] in _CODE_LEADS
                                                        and not words[j - 1].ends_sentence)):
            j += 1  # "the plate started l k sixty eight", "the reg ends in x y z"
        k = j
        while k < len(words) and k - j < limit and _codeish(words[k], digits[k], cased) \
                and (low[k] not in ("a", "i") or _spelled_letter_between(words, digits, k, j, cased)):
            k += 1
            if words[k - 1].ends_sentence:
                break
        code = "".join(digits[j:k]).upper()
        spelled = category == "vehicle_reg" and k - j >= 3 and all(len(digits[x]) == 1 for x in range(j, k))
        if k > j and (re.search(r"\d", code) or spelled) and (category == "postcode" or re.search(r"[A-Z]", code)):
            hits.append(_Hit(category, f"{category}.after_cue", stream, j, k))  # also "the plate ended in x y z"
    return hits


def _answer_hits(streams: list[tuple[str, list[_W]]], digit_views: list[list[str]], on: set[str],
                 cased: bool, found: Sequence[_Hit] = ()) -> list[_Hit]:
    """Code-like words in the other party's reply to "what's your postcode / registration / number?".

    The recogniser often mishears a spelled code ("Y R one seven K L M" -> "Why are 07KLM?"), so
    its shape is lost, but the question before it still says what it is. Up to three words before
    the first code-like word go too (the misheard start), leading fillers ("yes, it's") stay.
    """
    asks = [("postcode", _POSTCODE_CUES), ("vehicle_reg", _REG_CUES), ("phone", _PHONE_QUESTION_CUES),
            ("reference", _REFERENCE_QUESTION_CUES)]
    hits = []
    for s, (speaker, words) in enumerate(streams):
        low = [w.clean.lower() for w in words]
        for category, cues in asks:
            if category not in on:
                continue
            for end in _cue_ends(low, cues):
                reply = _replies(streams, speaker, words[end - 1].end_s)
                if not reply or _asked_again(low, words, end, reply[0][2].start_s, cues):
                    continue  # "I can give you a reference. Name?": the reply answers the later question
                if any(h.category == category and h.stream == t and h.lo <= j < h.hi
                       for t, j, _ in reply for h in found):
                    continue  # the shape rule found the code in the reply: it knows where it ends
                if category == "reference" and any(h.rule in ("phone.uk", "phone.international") and h.stream == t
                                                   and h.lo <= j < h.hi for t, j, _ in reply for h in found):
                    continue  # a whole phone number in the reply answers a later "and a number for you?"
                hit = _code_in_reply(streams, reply, digit_views, category, cased)
                if hit:
                    hits.append(hit)
    return hits + _rest_of_code_hits(streams, digit_views, on, cased, list(found) + hits)


# "... and the rest of it?" after part of a code: the reply is the rest ("postcode?" "n four" "and the rest" "two t z").
_REST_CUES = (("the", "rest"), ("second", "half"), ("second", "part"), ("last", "bit"), ("last", "part"),
              ("other", "half"), ("end", "bit"), ("second", "bit"), ("go", "on"), ("carry", "on"))
REST_S = 30.0             # ... when the part was said this recently


def _rest_of_code_hits(streams: list[tuple[str, list[_W]]], digit_views: list[list[str]], on: set[str], cased: bool,
                       found: Sequence[_Hit]) -> list[_Hit]:
    """The reply to "and the rest of it?" / "the second half?" takes the category of the code the
    other party said just before (a postcode or plate said across two turns)."""
    hits = []
    for s, (speaker, words) in enumerate(streams):
        low = [w.clean.lower() for w in words]
        for end in _cue_ends(low, _REST_CUES):
            asked = words[end - 1].end_s
            before = [h for h in found if h.category in ("postcode", "vehicle_reg", "phone", "reference")
                      and h.stream != s and streams[h.stream][0] != speaker
                      and 0 <= asked - streams[h.stream][1][h.hi - 1].end_s <= REST_S]
            if not before:
                continue
            last = max(before, key=lambda h: streams[h.stream][1][h.hi - 1].end_s)
            part_end = streams[last.stream][1][last.hi - 1].end_s
            if low[end - 2:end] in (["go", "on"], ["carry", "on"]) and any(
                    sp != speaker and part_end < w.start_s < asked - 1e-6 for sp, ws in streams for w in ws):
                continue  # "go on" asks for the rest only straight after the part ("w r four" | "go on")
            if last.category in on and (hit := _code_in_reply(streams, _replies(streams, speaker, asked), digit_views,
                                                              last.category, cased)):
                hits.append(hit)
    return hits


def _asked_again(low: list[str], words: list[_W], end: int, reply_at: float, cues) -> bool:
    """Whether the asker went on, in a later sentence, to ask for something else before the reply began."""
    first = end - 1
    while first < len(words) and not words[first].ends_sentence:
        first += 1
    k = first + 1
    while k < len(words) and words[k].start_s < reply_at:
        k += 1
    later = low[first + 1:k]
    return any(_cue_ends(later, [cue]) for cue in _ANY_QUESTION_CUES if cue not in cues)


# Words that open a reply without being part of the code ("Home is 01782 ...", "mine's ...").
_REPLY_LEADS = frozenset("home work mobile landline mine mines mine's my his her the number plate reg registration"
                         " postcode house".split())


def _code_in_reply(streams, reply: list[tuple[int, int, _W]], digit_views: list[list[str]], category: str,
                   cased: bool) -> _Hit | None:
    if not reply:
        return None

    def code_like(t: int, j: int) -> bool:
        w, norm = streams[t][1][j], digit_views[t][j]
        if w.clean.lower() in ("a", "i") and not cased:
            return False
        return _code_like(norm) if cased else _codeish(w, norm, cased)

    def amount(t: int, j: int) -> bool:  # "two hundred fifty pound": a sum, not a code
        ws_, k = streams[t][1], j
        while k < len(ws_) and re.fullmatch(r"[\d ]*|and|a", digit_views[t][k].lower()):
            k += 1
        return k < len(ws_) and ws_[k].clean.lower() in _QUANTITY_UNITS

    stream = next((t for t, j, _ in reply if code_like(t, j) and not amount(t, j)), None)
    if stream is None:
        return None
    positions = [j for t, j, _ in reply if t == stream]
    codes = [j for j in positions if code_like(stream, j)]
    ws = streams[stream][1]
    if cased:  # the code is one run: "0263. Got it. It's on page 2" ends at its first sentence
        run = [codes[0]]
        for j in codes[1:]:
            if any(w.ends_sentence for w in ws[run[-1]:j]):
                break
            run.append(j)
        codes = run
    text = "".join(digit_views[stream][j] for j in codes).replace(" ", "").upper()
    digit_count = sum(c.isdigit() for c in text)
    if category == "phone" and digit_count < 6:
        return None
    if category == "reference":
        if digit_count < 3 or text in ("101", "999", "111"):
            return None
    elif category != "phone" and not (digit_count and re.search(r"[A-Z]", text)):
        return None
    lo = max(positions[0], codes[0] - 3)
    ws = streams[stream][1]
    while lo < codes[0] and any(w.ends_clause for w in ws[lo:codes[0]]):
        lo += 1  # "Part of it, S J 15": the misheard start runs on into the code, with no comma
    while lo < codes[0] and (digit_views[stream][lo].lower() in _ANSWER_FILLERS
                             or digit_views[stream][lo].lower() in _VEHICLE_WORDS | _REPLY_LEADS
                             or (not cased and _ordinary(digit_views[stream][lo].lower()))):
        lo += 1
    hi = codes[-1] + 1
    ws = streams[stream][1]
    while hi < len(ws) and not ws[hi - 1].ends_sentence and (
            code_like(stream, hi) or (digit_views[stream][hi] in ("/", "-") and hi + 1 < len(ws)
                                      and code_like(stream, hi + 1))):
        hi += 1  # a long spoken number runs past the first ANSWER_WORDS words
    return _Hit(category, f"{category}.answer", stream, lo, hi)


def _code_like(norm: str) -> bool:
    """Capitals and digits only ("07KLM", "ST16", "K", "7"), as a spoken code is written."""
    return bool(re.fullmatch(r"\+?[A-Z0-9][A-Z0-9 -]*", norm)) and norm not in ("I", "A", "OK", "UK", "TV")


def _email_hits(words: list[_W], low: list[str], stream: int) -> list[_Hit]:
    """An e-mail address said in parts: "john dot smith at gmail dot com", "m ebanks at btinternet
    dot com", "claire shaw at hotmail dot co dot uk". The domain must be a known provider or end in
    "dot" + a top-level domain; the local part reaches back over its words to a function word."""
    hits = []
    n = len(low)
    for j, t in enumerate(low):
        if t != "at" or j + 1 >= n:
            continue
        k = j + 1
        end = None
        if low[k] in _MAIL_PROVIDERS:
            end = k + 1
        else:
            while k < n and k - j <= 4 and re.fullmatch(r"[a-z0-9][a-z0-9-]*", low[k]) and low[k] != "dot" \
                    and (low[k] not in _EMAIL_STOP or (k == j + 1 and k + 1 < n and low[k + 1] == "dot")):
                k += 1  # "at o hare joinery dot co dot uk", "at me dot com"
            if k < n and low[k] != "dot" and all(low[x] in DIGIT_WORDS or low[x] == "oh" for x in range(j + 1, k)):
                while k < n and k - j <= 8 and (low[k] in DIGIT_WORDS or low[k] == "oh"):
                    k += 1  # a domain said as digits: "at one six three dot com"
            if k == j + 1 or k >= n or low[k] != "dot":
                continue
            end = k
        e = end
        spelled_tld = False
        while e + 1 < n and low[e] == "dot" and re.fullmatch(r"[a-z0-9-]+", low[e + 1]):
            if e + 2 < n and len(low[e + 1]) == 1 and len(low[e + 2]) == 1 and low[e + 1] + low[e + 2] in _TLD_WORDS:
                e += 3  # a country code spelled: "w p dot p l"
                spelled_tld = True
                break
            e += 2
        if low[e - 1] not in _TLD_WORDS and low[j + 1] not in _MAIL_PROVIDERS and not spelled_tld:
            continue
        b = j
        while b > 0 and (j - b < 8 or (len(low[b - 1]) == 1 and j - b < 40)) \
                and (low[b - 1] not in _EMAIL_STOP or (len(low[b - 1]) == 1 and len(low[b]) == 1 and b >= 2
                                                        and len(low[b - 2]) == 1)
                     or (low[b - 1] in _PHONE_BRIDGES and b >= 2 and low[b - 2] not in _EMAIL_STOP
                         and not words[b - 2].ends_sentence)) \
                and not words[b - 1].ends_sentence and re.fullmatch(r"[a-z0-9][a-z0-9_.'\-]*", low[b - 1]):
            b -= 1  # a spelled local part ("g o r d o n f e r n s at ...") can be long; "d ellison er seventy two"
        while b < j and low[b] in _EMAIL_JOINERS:
            b += 1
        while b + 1 < j and low[b] in _NUMBER_WORD_SET and b > 0 and low[b - 1] in _EMAIL_STOP \
                and low[b + 1] not in _NUMBER_WORD_SET and low[b + 1] not in _EMAIL_JOINERS:
            b += 1  # "and another one jordan underscore m ...": the count is no part of the address
        if b < j:
            hits.append(_Hit("email", "email.spoken", stream, b, e))
        elif j == 0 or words[j - 1].seg != words[j].seg:
            hits.append(_Hit("email", "email.domain_alone", stream, j, e))  # "at icloud dot com": its own turn
    for j in range(len(low) - 1):  # "At student.gla.ac.uk.": a written domain said after "at", its own turn
        if low[j] == "at" and (j == 0 or words[j - 1].seg != words[j].seg) and _WRITTEN_DOMAIN.fullmatch(low[j + 1]) \
                and low[j + 1].rsplit(".", 1)[-1] in _TLD_WORDS:
            hits.append(_Hit("email", "email.domain_alone", stream, j, j + 2))
    return hits


_WRITTEN_DOMAIN = re.compile(r"[a-z0-9-]+(?:\.[a-z0-9-]+)+")


_SPLIT_LEADS = frozenset("its it's yeah yes erm er um uh so ok okay right".split())


def _split_email_hits(streams: list[tuple[str, list[_W]]], hits: Sequence[_Hit]) -> list[_Hit]:
    """An e-mail said across two turns: the same party's turn just before a domain said alone ("kwame
    dot asante" | "at icloud dot com") is its local part when it is a few words joined by "dot",
    "underscore" or a dash."""
    out = []
    for h in hits:
        if h.rule != "email.domain_alone":
            continue
        speaker, words = streams[h.stream]
        at = words[h.lo].start_s
        before = [(t, j, w) for t, (sp, ws) in enumerate(streams) if sp == speaker
                  for j, w in enumerate(ws) if at - 15.0 <= w.end_s <= at and (t, j) != (h.stream, h.lo)]
        if not before:
            continue
        last_seg = max(before, key=lambda x: x[2].end_s)[2].seg
        turn = [(t, j) for t, j, w in before if w.seg == last_seg]
        low = [streams[t][1][j].clean.lower() for t, j in turn]
        while len(low) > 1 and low[0] in _SPLIT_LEADS:
            low, turn = low[1:], turn[1:]  # "its lewpen ninety nine" | "at gmail dot com"
        # a local part joined by "dot" ("kwame dot asante"), or one with digits or initials in it
        # ("bazza houghton sixty one", "hamza q oh one"): a name alone is no local part
        parted = any(x in _EMAIL_JOINERS for x in low) or (len(low) >= 2 and any(
            x in _NUMBER_WORD_SET or any(c.isdigit() for c in x) or (len(x) == 1 and x not in ("a", "i"))
            for x in low[1:]))
        if 1 < len(low) <= 7 and parted and low[0] not in _EMAIL_JOINERS \
                and low[-1] not in _EMAIL_JOINERS and all(re.fullmatch(r"[a-z0-9]+", x) and (
                    x in _EMAIL_JOINERS or x not in _EMAIL_STOP) for x in low):
            t = turn[0][0]
            out.append(_Hit("email", "email.split", t, turn[0][1], turn[-1][1] + 1))
    return out


def _false_start(words: list[_W], hit: _Hit, cased: bool) -> _Hit:
    """A code takes a start the speaker broke off and said again ("c x six eight no sorry c x six six w
    t u", "l e four five er no l e four six b q"): the broken-off characters narrow it as much."""
    if hit.category not in ("postcode", "vehicle_reg", "reference") or hit.lo < 2:
        return hit
    low = [w.clean.lower() for w in words]
    k = hit.lo
    while k > 0 and hit.lo - k < 4 and low[k - 1] in _CODE_CORRECTION_FILLERS and not words[k - 1].ends_sentence:
        k -= 1
    if k == hit.lo or not any(low[x] in _CODE_CORRECTIONS for x in range(k, hit.lo)):
        return hit
    digits = _digit_norms(words)
    m = k
    while m > 0 and k - m < 7 and _codeish(words[m - 1], digits[m - 1], cased) and low[m - 1] not in ("a", "i") \
            and not words[m - 1].ends_clause:
        m -= 1
    return _Hit(hit.category, hit.rule, hit.stream, m, hit.hi) if m < k else hit


def _repeat_codes(streams: list[tuple[str, list[_W]]], hits: Sequence[_Hit]) -> list[_Hit]:
    """A code said again in the call is hidden again, in any form ("your crime reference is
    43240112345." ... "43240112345."; "log two two eight of today" ... "two two eight lovely"): a run
    of code words whose characters are those of a hidden phone number, postcode, plate or reference."""
    views = [_digit_norms(ws) for _, ws in streams]

    def chars(s: int, lo: int, hi: int) -> str:
        return "".join(re.sub(r"[^A-Z0-9]", "", views[s][x].upper()) for x in range(lo, hi)
                       if re.search(r"\d", views[s][x]) or re.fullmatch(r"[A-Za-z]", views[s][x]))
    known: dict[str, str] = {}
    for h in hits:
        if h.category in ("phone", "postcode", "vehicle_reg", "reference"):
            run = h.lo  # the code itself, before any day it was logged ("0263 of the 4th of March")
            while run < h.hi and (re.search(r"\d", views[h.stream][run]) or views[h.stream][run] in ("/", "-", "")
                                  or re.fullmatch(r"[A-Za-z]", views[h.stream][run])):
                run += 1
            for code in dict.fromkeys((chars(h.stream, h.lo, h.hi), chars(h.stream, h.lo, run))):
                if len(code) >= 3 and any(c.isdigit() for c in code):
                    known.setdefault(code, h.category)
    if not known:
        return []
    covered = {(h.stream, i) for h in hits for i in range(h.lo, h.hi)}
    out = []
    for s, (_, words) in enumerate(streams):
        k = 0
        while k < len(words):
            if not re.search(r"\d", views[s][k]):
                k += 1
                continue
            j = k
            while k < len(words) and (re.search(r"\d", views[s][k]) or views[s][k] in ("/", "-", "")
                                      or re.fullmatch(r"[A-Za-z]", views[s][k])) \
                    and not (k > j and (words[k - 1].ends_sentence or words[k].seg != words[k - 1].seg)):
                k += 1
            lo = j
            while lo > 0 and j - lo < 5 and re.fullmatch(r"[A-Za-z/-]", views[s][lo - 1]) \
                    and not words[lo - 1].ends_sentence and words[lo - 1].seg == words[j].seg:
                lo -= 1  # the code's letters before its digits ("l c dash two four ..." said again)
            while lo < j and not re.fullmatch(r"[A-Za-z]", views[s][lo]):
                lo += 1
            for a in dict.fromkeys((lo, j)):
                code = chars(s, a, k)
                if code in known and not all((s, x) in covered for x in range(a, k)):
                    out.append(_Hit(known[code], f"{known[code]}.repeat", s, a, k))
                    break
    return out


def _code_alternatives(streams: list[tuple[str, list[_W]]], hits: Sequence[_Hit], cased: bool) -> list[_Hit]:
    """An alternative said after a code ("the reg was WU67 KTX. I think. Or KTK."): "or" then code words,
    within a few words of a plate or postcode, takes its category."""
    out = []
    for h in hits:
        if h.category not in ("vehicle_reg", "postcode"):
            continue
        words = streams[h.stream][1]
        low = [w.clean.lower() for w in words]
        digits = _digit_norms(words)
        for k in range(h.hi, min(len(words) - 1, h.hi + 5)):
            if low[k] != "or":
                continue
            m = k + 1
            while m < len(words) and m - k <= 7 and _codeish(words[m], digits[m], cased) and low[m] not in ("a", "i") \
                    and not (m > k + 1 and words[m - 1].ends_clause):
                m += 1
            chars = "".join(digits[k + 1:m]).replace(" ", "")
            if len(chars) >= 2 and (cased and chars.isupper() or m - k - 1 >= 2):
                out.append(_Hit(h.category, f"{h.category}.alternative", h.stream, k + 1, m))
            break
    return out + _sibling_references(streams, hits)


_SIBLING_LEADS = frozenset("the its it's is then other second".split())


def _sibling_references(streams: list[tuple[str, list[_W]]], hits: Sequence[_Hit]) -> list[_Hit]:
    """A second reference joined to one found ("the crime references are 2400012345 for the caravan and
    2400012346 for the threats"): after "and" / "or" within eight words of it, a run with about as many
    digits (one more or fewer, five or more) is a reference too."""
    out = []
    for h in hits:
        if h.category != "reference":
            continue
        words = streams[h.stream][1]
        low = [w.clean.lower() for w in words]
        digits = _digit_norms(words)
        size = sum(c.isdigit() for c in "".join(digits[h.lo:h.hi]))
        if size < 5:
            continue
        for k in range(h.hi, min(len(words) - 1, h.hi + 8)):
            if words[k - 1].ends_sentence and k > h.hi:
                break
            if low[k] not in ("and", "or"):
                continue
            m = k + 1
            while m < len(words) and m - k <= 3 and low[m] in _SIBLING_LEADS:
                m += 1
            e = m
            while e < len(words) and re.fullmatch(r"[\d /-]+", digits[e]) and not (e > m and words[e - 1].ends_clause):
                e += 1
            count = sum(c.isdigit() for c in "".join(digits[m:e]))
            if count >= 5 and abs(count - size) <= 1:
                out.append(_Hit("reference", "reference.sibling", h.stream, m, e))
            break
    return out


def _irish_plate_hits(streams: list[tuple[str, list[_W]]], s: int, norms: list[str], cased: bool) -> list[_Hit]:
    """An Irish plate (year, county letters, serial: "211-D-44512", "two one one d four four five one
    two"), while a vehicle is talked about: no UK code has digits, one or two letters, then digits."""
    words = streams[s][1]
    text, owner = _view(words, [n.upper() for n in norms], breaks=True)
    hits = []
    for m in _IRISH_PLATE.finditer(text):
        span = _span(owner, *m.span())
        if span and _codes_ok(words, norms, *span, cased) and _vehicle_context(streams, s, span[0]):
            hits.append(_Hit("vehicle_reg", "vehicle_reg.irish", s, *span))
    return hits


_IRISH_PLATE = re.compile(r"(?<![A-Z0-9])\d ?\d(?: ?\d)? ?-? ?[A-Z](?: ?[A-Z])? ?-? ?(?:\d ?){0,5}\d(?![A-Z0-9])")


def _reference_hits(words: list[_W], digits: list[str], stream: int) -> list[_Hit]:
    """Built in beside the default patterns: a run of 3+ digits within a few filler words after
    "incident / log / crime / reference" ("an incident for you, it's six six eight")."""
    low = [w.clean.lower() for w in words]
    hits = []
    for i, t in enumerate(low):
        if t not in _REFERENCE_OPENERS:
            continue
        j = i + 1
        while j < len(low) and j - i <= 5 and (low[j] in _REFERENCE_GAP or low[j] in _REFERENCE_CUES
                                                or low[j] in STOP_WORDS) \
                and not words[j - 1].ends_sentence and not re.search(r"\d", digits[j]):
            j += 1
        k = j
        while k < len(low) and k - j < 4 and re.fullmatch(r"[a-z]", low[k]):
            k += 1  # "s p 9 1 2 0 4", "n f r c 2 2 0 1 ..."
        if k == j and k + 1 < len(low) and re.fullmatch(r"[a-z]{2,4}", low[k]) and _ref_letters(low[k]) \
                and re.fullmatch(r"\d+", digits[k + 1].replace(" ", "")) and not words[k].ends_clause:
            k += 1  # "cad four four eight one", "CL 0518": the log's prefix
        if k < len(low) and re.fullmatch(r"[a-z]{0,4}[/-]?\d[a-z\d/-]*", low[k]):
            k += 1  # "SP/7781", "NFRC2201...", "LN-558-2093-X"
        while k < len(low) and ((re.fullmatch(r"[\d /-]+", digits[k]) and digits[k].strip())
                                or (not digits[k] and k + 1 < len(low) and digits[k + 1] == "/")):
            k += 1
        if k > j and k < len(low) and (low[k] in NATO or (len(low[k]) == 1 and low[k] not in "ai")) \
                and low[k].isalpha() and (k + 1 == len(low) or words[k].ends_clause):
            k += 1  # a letter at the end: "ref is four four nine two one bravo"
        if sum(c.isdigit() for c in "".join(digits[j:k])) >= 3 and not (k < len(low) and low[k] in _QUANTITY_UNITS):
            hits.append(_Hit("reference", "reference.spoken", stream, j, k))
    return hits


def _logged_day_hits(words: list[_W], digits: list[str], stream: int) -> list[_Hit]:
    """Three or more digits said with the day they were logged need no cue: "its four four seven of
    today", "the number was two three one four of the eighth". A count, an age or an amount is never
    said "of today" / "of the <day>"; the day itself is added by `_reference_date_tail`."""
    low = [w.clean.lower() for w in words]
    hits = []
    k = 0
    while k < len(low):
        if not re.fullmatch(r"\d+", digits[k]):
            k += 1
            continue
        j = k
        while k < len(low) and re.fullmatch(r"\d+", digits[k]) and not (k > j and words[k - 1].ends_clause):
            k += 1
        day = low[k + 2] if k + 2 < len(low) and low[k + 1:k + 2] == ["the"] else ""
        if sum(len(d) for d in digits[j:k]) >= 3 and "hundred" not in low[j:k] and k + 1 < len(low) \
                and low[k] == "of" and not words[k - 1].ends_clause \
                and (low[k + 1] in _DAY_OF_LOG or day in _ORDINAL_VALUES or day in ("twenty", "thirty")
                     or re.fullmatch(r"[0-3]?\d(?:st|nd|rd|th)", day)):
            hits.append(_Hit("reference", "reference.logged_day", stream, j, k))
    return hits


def _ref_letters(word: str) -> bool:
    """A letter group that can open a reference after its cue ("cad", "cl"), not a filler or a cue."""
    return word not in _REFERENCE_GAP and word not in STOP_WORDS and word not in _REFERENCE_CUES \
        and word not in _NUMBER_WORD_SET and word not in _QUANTITY_LEADS and word not in _NOT_STREET_WORDS


_DAY_OF_LOG = frozenset("today yesterday tonight".split())


def _reference_date_tail(words: list[_W], hit: _Hit) -> _Hit:
    """A log number goes with the day it was logged: "log 317 of today", "894 of the fourteenth",
    "229 of the twenty third", "412 of the 3rd (of May)": the day narrows it to one record."""
    low = [w.clean.lower() for w in words]
    i = hit.hi
    if i + 1 < len(low) and low[i] == "of" and low[i + 1] in _MONTH_VALUES and hit.hi - hit.lo >= 3 \
            and "of" in low[i - 3:i - 1] and not words[i - 1].ends_clause:
        return _Hit(hit.category, hit.rule, hit.stream, hit.lo, i + 2)  # "77 of the 2nd" + "of may"
    if i >= len(low) - 1 or low[i] != "of" or words[i - 1].ends_sentence:
        return hit
    i += 1
    if low[i] in _DAY_OF_LOG:
        return _Hit(hit.category, hit.rule, hit.stream, hit.lo, i + 1)
    if low[i] == "the" and i + 1 < len(low):
        i += 1
    if low[i] in ("twenty", "thirty") and i + 1 < len(low) and _ORDINAL_VALUES.get(low[i + 1], 99) < 10:
        end = i + 2
    elif low[i] in _ORDINAL_VALUES or re.fullmatch(r"[0-3]?\d(?:st|nd|rd|th)", low[i]):
        end = i + 1
    else:
        return hit
    if end + 1 < len(low) and low[end] == "of" and low[end + 1] in _MONTH_VALUES and not words[end - 1].ends_clause:
        end += 2
    return _Hit(hit.category, hit.rule, hit.stream, hit.lo, end)


def _number_noun_hits(words: list[_W], digits: list[str], stream: int) -> list[_Hit]:
    """A code after "<noun> number" ("the frame number is w t 8 1 1 4 4 5 2", "case number 4471902"):
    letters and digits with at least five digits, or letters and three."""
    low = [w.clean.lower() for w in words]
    hits = []
    for i in range(1, len(low)):  # a bank's sort code: six digits, said as three pairs ("sort code twenty forty sixty")
        if low[i] in ("code", "code's") and low[i - 1] == "sort" and not words[i - 1].ends_clause:
            j = i + 1 + (i + 1 < len(low) and low[i + 1] in ("is", "its", "it's", "was"))
            k = j
            while k < len(low) and k - j < 8 and re.fullmatch(r"[\d -]+", digits[k]) and not words[k - 1].ends_sentence:
                k += 1
            if 4 <= sum(c.isdigit() for c in "".join(digits[j:k])) <= 6:
                hits.append(_Hit("reference", "reference.sort_code", stream, j, k))
    for i in range(1, len(low)):
        if low[i] not in ("number", "number's", "numbers", "no") or low[i - 1] not in _NUMBER_NOUNS \
                or words[i - 1].ends_clause:
            continue
        j = i + 1
        while j < len(low) and j - i <= 3 and low[j] in ("is", "it's", "its", "was", "er", "erm", "um", "uh", "yeah",
                                                         "on", "of", "that's", "thats") \
                and not words[j - 1].ends_sentence:
            j += 1
        k = j
        while k < len(low) and k - j < 20 and (re.fullmatch(r"[a-z]", low[k]) or re.fullmatch(r"[\d /-]+", digits[k])
                                               or re.fullmatch(r"[a-z]{0,4}\d[a-z\d/-]*", low[k])
                                               or (not digits[k] and k + 1 < len(low) and digits[k + 1] == "/")):
            k += 1
            if words[k - 1].ends_sentence:
                break
        code = "".join(digits[j:k]).replace(" ", "")
        n_digits = sum(c.isdigit() for c in code)
        if (n_digits >= 5 or (n_digits >= 3 and re.search(r"[a-z]", code.lower()))) \
                and not (k < len(low) and low[k] in _QUANTITY_UNITS):
            hits.append(_Hit("reference", "reference.after_number", stream, j, k))
    return hits


def _spelled_plate_hits(streams: list[tuple[str, list[_W]]], s: int, norms: list[str], cased: bool,
                        breaks: frozenset[int]) -> list[_Hit]:
    """A private or dateless plate spelled out just after a vehicle was talked about ("a red porsche in
    the car park g s j one", "the van was b i g one d a v"): three or more spelled characters with at
    least two letters and a digit, when the last cue said was about a vehicle (`_vehicle_context`)."""
    words = streams[s][1]
    low = [w.clean.lower() for w in words]

    def char(j: int) -> bool:
        n = norms[j].replace(" ", "")
        return bool(re.fullmatch(r"[A-Za-z]|\d{1,2}", n)) and (len(n) > 1 or _codeish(words[j], norms[j], cased))

    hits = []
    k = 0
    while k < len(words):
        if not char(k) or low[k] in ("a", "i") or (low[k] == "one" and k > 0 and (
                low[k - 1] in _COLOURS or low[k - 1] in STOP_WORDS)):
            k += 1  # "a yellow one y a sixty eight": the "one" is the bike
            continue
        j = k
        while k < len(words) and char(k) and (k == j or (k not in breaks and not words[k - 1].ends_clause)) \
                and (words[k].clean.lower() not in ("a", "i") or _spelled_letter_between(words, norms, k, j, cased)):
            k += 1
            # a filler or a self-correction inside the plate ("k f seven one er o x d", "... seven two no
            # sorry seven three whiskey ..."), or a word explaining a letter (empty in this view)
            m = _correction_end(words, low, k)
            if m == k and k < len(words) and low[k] in _PHONE_BRIDGES | {""} and not words[k - 1].ends_sentence:
                m = k + 1
            while m < len(words) and not norms[m] and m - k < 4:
                m += 1
            if m > k and m < len(words) and char(m) and m not in breaks and low[m] not in ("a", "i"):
                k = m
        if j > 0 and low[j - 1] in _LETTER_MODEL_MAKES and k - j >= 2 and re.fullmatch(r"[A-Za-z]", norms[j]) \
                and re.fullmatch(r"\d{1,2}", norms[j + 1].replace(" ", "")):
            j += 2  # "a white audi q five g f seventy one": "q five" is the model
        code = "".join(norms[x] for x in range(j, k) if char(x)).replace(" ", "")
        if k - j >= 3 and sum(c.isalpha() for c in code) >= 2 and any(c.isdigit() for c in code) \
                and _vehicle_context(streams, s, j):
            hits.append(_Hit("vehicle_reg", "vehicle_reg.spelled_after_vehicle", s, j, k))
        elif k < len(words) and low[k] in _PART_ENDS and not words[k - 1].ends_clause \
                and not re.fullmatch(r"[ABM]\d+", code.upper()) \
                and (k - j >= 2 or (j > 0 and low[j - 1] == "a" and re.fullmatch(r"[A-Za-z]", code))) \
                and any(c.isalpha() for c in code) and _vehicle_context(streams, s, j):
            # part of a plate, the rest unseen: "november delta something", "it had a k sixty something"
            lo = j - 1 if j > 0 and low[j - 1] == "a" and not words[j - 1].ends_clause else j
            hits.append(_Hit("vehicle_reg", "vehicle_reg.partial", s, lo, k))
    for k in range(len(words) - 1):  # a written part of a plate: "a white Audi Q5, GF71 something"
        if low[k + 1] in _PART_ENDS and not words[k].ends_sentence and re.fullmatch(
                r"[A-Z]{2}\d{1,2}|[A-Z]{2,3}\d", words[k].clean) \
                and _vehicle_context(streams, s, k) and not any(h.lo <= k < h.hi for h in hits):
            hits.append(_Hit("vehicle_reg", "vehicle_reg.partial", s, k, k + 1))
    return hits


_SPELT_CODES = frozenset("phone postcode vehicle_reg reference email".split())


def _code_tail(words: list[_W], hit: _Hit, cased: bool) -> _Hit:
    """A code takes the words that explain its last letter ("... p for peter", "... b as in bravo")
    and a self-correction said straight after it with the corrected characters ("NK19 WZP, no, wait,
    WZB.")."""
    if hit.category not in _SPELT_CODES:
        return hit
    low = [w.clean.lower() for w in words]
    hi = hit.hi
    last = low[hi - 1]
    if re.fullmatch(r"[a-z]", last) and not words[hi - 1].ends_clause:
        said = hi + 2 if low[hi:hi + 2] == ["as", "in"] else hi + 1 if hi < len(low) and low[hi] == "for" else None
        if said is not None and said < len(low) and low[said][:1] == last:
            hi = said + 1
    if hit.category == "vehicle_reg":  # a private plate runs past the shape found ("b i g one t" + "o m")
        digits = _digit_norms(words)
        size = len(re.sub(r"[^A-Za-z0-9]", "", "".join(digits[hit.lo:hi])))
        while hi < len(words) and not words[hi - 1].ends_clause and re.fullmatch(r"[a-z]", low[hi]) \
                and low[hi] not in ("a", "i") and size < 7:
            hi += 1
            size += 1
    m = _correction_end(words, low, hi)
    if m > hi and not words[hi - 1].ends_sentence and hit.category != "phone":  # phones: `_phone_hits`
        k = m
        digits = _digit_norms(words)
        while k < len(words) and k - m < 7 and _codeish(words[k], digits[k], cased) \
                and low[k] not in ("a", "i") and not (k > m and words[k - 1].ends_sentence):
            k += 1
        if k > m:
            hi = k
    return hit if hi == hit.hi else _Hit(hit.category, hit.rule, hit.stream, hit.lo, hi)


# Words that say only part of a plate follows ("it ends double x r", "the end bit was k l m", "a partial").
_PARTIAL_CUES = frozenset("ends ending end ended starts start starting started begins beginning began partial front "
                          "last first bit letters finish finishes finished finishing".split())


def _partial_plate_hits(streams: list[tuple[str, list[_W]]], s: int, norms: list[str], cased: bool,
                        breaks: frozenset[int]) -> list[_Hit]:
    """Part of a plate, spelled after a word that says it is a part ("only that it ends double x r",
    "the end bit was k l m", "a partial on a yellow one y a sixty eight") while a vehicle is being
    talked about: two or more spelled characters, at least one a letter. A partial plate still
    narrows a car to a few, so it is hidden like a whole one."""
    words = streams[s][1]
    low = [w.clean.lower() for w in words]

    def char(j: int) -> bool:
        n = norms[j].replace(" ", "")
        return bool(re.fullmatch(r"[A-Za-z]|\d{1,2}", n)) and (len(n) > 1 or _codeish(words[j], norms[j], cased))

    hits = []
    for c, t in enumerate(low):
        if t not in _PARTIAL_CUES or words[c].ends_sentence:
            continue
        j = c + 1
        while j < len(words) and j - c <= 6 and not words[j - 1].ends_sentence and j not in breaks and not (
                char(j) and not (low[j] in ("a", "i") and not _spelled_letter_between(words, norms, j, j, cased))
                and not (low[j] == "one" and (low[j - 1] in _COLOURS or low[j - 1] in STOP_WORDS))):
            j += 1  # "a partial on a yellow one y a sixty eight": "a" and "one" are no part of it
        if j >= len(words) or j - c > 6 or j in breaks or not char(j) or words[j - 1].ends_sentence:
            continue
        k = j
        while k < len(words) and char(k) and (k == j or (k not in breaks and not words[k - 1].ends_clause)) \
                and (low[k] not in ("a", "i") or _spelled_letter_between(words, norms, k, j, cased)):
            k += 1
        code = "".join(norms[j:k]).replace(" ", "")
        if len(code) >= 2 and any(ch.isalpha() for ch in code) and _vehicle_context(streams, s, j):
            hits.append(_Hit("vehicle_reg", "vehicle_reg.partial", s, j, k))
            m = k + 1
            if k < len(words) and low[k] == "then" and not words[k - 1].ends_clause and m < len(words) and char(m):
                while m < len(words) and char(m) and not words[m - 1].ends_clause and low[m] not in ("a", "i"):
                    m += 1  # "the front are h f then sixty three": the next part
                hits.append(_Hit("vehicle_reg", "vehicle_reg.partial", s, k + 1, m))
    return hits


def _with_x_ray(words: list[_W], hit: _Hit) -> _Hit:
    """A code ending in "x ray" takes the "ray" too (its letter is read from the "x")."""
    if hit.hi < len(words) and words[hit.hi].clean.lower() == "ray" and words[hit.hi - 1].clean.lower() == "x":
        return _Hit(hit.category, hit.rule, hit.stream, hit.lo, hit.hi + 1)
    return hit


def _vehicle_context(streams: list[tuple[str, list[_W]]], stream: int, i: int) -> bool:
    """Whether the last cue word said (by anyone, in the 12 s before word i) was about a vehicle
    ("what's the registration?", "a blue astra ...") rather than an address or postcode."""
    at = streams[stream][1][i].start_s
    said = sorted((w.start_s, w.clean.lower()) for _, ws in streams for w in ws if at - 12.0 <= w.start_s < at)
    for _, word in reversed(said):
        if word in _VEHICLE_WORDS:
            return True
        if word in _POSTCODE_WORDS:
            return False
    return False
