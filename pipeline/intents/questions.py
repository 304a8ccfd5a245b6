"""Is a sentence a question to the caller? One test for every judgement that needs to know.

Silence ownership, repeated questions and the statement-only intents (a next step is never
said as a question) all ask it, so they all ask it here.

The recogniser's punctuation is a guess and its spelling drops apostrophes, so a question is
known by its words as much as by a "?":
- an opener (the pack's `question_starts`, and the apostrophe-less forms the recogniser writes:
  "whats", "wheres") at the start, or after a lead-in of greetings, the force's name and fillers
  ("Staffordshire Police, good morning, what's happened", "okay and whats your surname");
- a request for an answer anywhere ("tell me", "spell", "describe", "what seems to be"): said
  to a caller, these ask, even after a greeting whose words are not lead-ins ("sam speaking, what
  seems to be the problem"). Kept few: the recogniser runs sentences together, and a statement
  with a question inside ("officers are minutes away ... have you got all that") must still be
  found as a next step;
- a closing tag ("..., is that right", "say again"), or a tag question's auxiliary and pronoun
  ("near the bus station is it", "after the pubs shut doesn't it"), before any trailing "then"
  or term of address ("where to is that then love").
A spoken statement-question with none of these ("so you're saying he texted you forty times")
is still missed.
"""

from __future__ import annotations

from functools import lru_cache

from callqa.pipeline.matching import normalise

# Words said before a question that do not make it a statement: greetings, acknowledgements,
# fillers, the service and the force's name as the recogniser writes it.
LEAD_INS = frozenset("""
ok okay and so right write rite alright all sorry hello hi hiya hey police staffordshire stafford shire staffs
staff sure staffordshir staford force control room good morning afternoon evening 101 999 emergency
non lovely thanks thank great yeah yes yep well then now um er erm mm cheers brilliant perfect oh ah
lastly finally also ta nice one tidy brill champion cheers smashing sound la pet love duck hun mate
""".split())
# The force's name as the recogniser splits or misspells it ("staffordshir", "stafferdshire",
# "staff ordshire"): a lead-in too.
LEAD_IN_PREFIXES = ("staf",)
LEAD_IN_PARTS = frozenset("ordshire shire fordshire".split())
# Openers the recogniser writes without the apostrophe (`normalise` cannot expand them), and
# requests that expect an answer.
SPOKEN_OPENERS = ("whats", "wheres", "whos", "hows", "whens", "whys", "describe", "spell", "give me the", "give me your",
                  "any idea", "roughly how", "say again", "repeat that", "may i", "shall i", "should i",
                  "would it", "did", "any", "anything else", "can i", "could i", "can we",
                  # a statement's word order said as a check ("you alright with that", "your safe to talk")
                  "you alright", "yous alright", "you all right", "you okay", "you ok", "yous ok", "you happy",
                  "your happy", "your alright", "your ok", "your okay", "you sure",
                  "your sure", "all ok", "all okay", "all good")
# After a lead-in, a bare "is" or "are" asks only when a subject follows ("okay, is he there"):
# "police are on their way" is a statement.
AUXILIARIES = frozenset("is are was were has does".split())
# "What we have agreed is ...", "when he comes back, ring 999", "what a thing to happen": a "what" or
# "when" followed by its subject starts a statement, not a question.
NOT_ASKING = frozenset("i we you he she they a an".split())
# "..., where a couple of bikes were taken", "..., which can take a minute": a relative clause
# (a long sentence is also looked at clause by clause), not a question.
RELATIVE = {"where": NOT_ASKING | {"the", "it", "there"}, "which": frozenset("can will would means meant made".split())}
SUBJECTS = frozenset("he she it there that this they you anyone anybody someone somebody the everyone".split())
# Asking, wherever it comes in the sentence.
ANYWHERE = (("tell", "me"), ("how", "can", "i", "help"), ("how", "can", "we", "help"), ("how", "may", "i", "help"),
            ("what", "can", "i", "do", "for", "you"), ("what", "can", "we", "do"), ("say", "that", "again"),
            ("how", "can", "a", "help"), ("what", "seems"), ("whats", "happened"), ("whats", "happening"))
# Closing tags that turn a read-back into a question.
TAGS = (("is", "that", "right"), ("is", "that", "write"), ("is", "that", "correct"), ("say", "again"),
        ("is", "that", "it"), ("yeah",), ("what", "is", "it"), ("is", "that", "fair"), ("is", "that", "okay"),
        ("is", "that", "ok"), ("is", "that", "alright"), ("does", "that", "sound", "right"))
# A tag question ends in an auxiliary and a pronoun ("is it", "doesn't it", "are you"); a statement
# ends the other way round ("that's where it is").
TAG_AUXILIARIES = frozenset("""is isnt are arent was wasnt do dont does doesnt did didnt have havent has hasnt
can cant will wont would wouldnt could couldnt""".split())
TAG_PRONOUNS = frozenset("it he she they you there".split())
# Said after a tag without changing it: "is that right then", "is it love".
TRAILING = frozenset("then love mate pet duck hun please".split())


# Asking phrases by their first word: a sentence is searched only where one of them could start.
_ANYWHERE_BY_FIRST: dict[str, tuple[tuple[str, ...], ...]] = {
    first: tuple(p for p in ANYWHERE if p[0] == first) for first in {p[0] for p in ANYWHERE}}


@lru_cache(maxsize=64)
def _openers(starts: tuple[str, ...]) -> tuple[dict[int, frozenset[tuple[str, ...]]], frozenset[str] | None]:
    """Question openers by length in words, so a sentence is tested with one lookup per length, and
    the words they start with (None when an opener is empty and so opens anything): most words
    open nothing, and are passed over with one set lookup."""
    by_length: dict[int, set[tuple[str, ...]]] = {}
    for start in starts + SPOKEN_OPENERS:
        words = tuple(normalise(start))
        by_length.setdefault(len(words), set()).add(words)
    firsts = None if 0 in by_length else frozenset(w[0] for group in by_length.values() for w in group)
    return {n: frozenset(v) for n, v in by_length.items()}, firsts


@lru_cache(maxsize=65536)
def _word_norms(word: str) -> tuple[str, ...]:
    """`normalise` of one whitespace-separated word. Words recur across sentences and calls, and
    normalising a text word by word gives the same words as normalising it whole."""
    return tuple(normalise(word))


def words_of(text: str) -> list[str]:
    """`normalise(text)`, from each word's cached normalisation (every question test starts here)."""
    return [norm for word in text.split() for norm in _word_norms(word)]


def last_sentence(text: str) -> str:
    parts = [p for p in text.replace("!", ".").replace("?", "?|").replace(".", ".|").split("|") if p.strip()]
    return parts[-1].strip() if parts else ""


def _asks_anywhere(words: list[str]) -> bool:
    """An asking phrase (`ANYWHERE`) somewhere in the words, tried only where its first word is."""
    for i, word in enumerate(words):
        for phrase in _ANYWHERE_BY_FIRST.get(word, ()):
            if tuple(words[i:i + len(phrase)]) == phrase:
                return True
    return False


def asks_by_words(words: list[str], starts: tuple[str, ...]) -> bool:
    """An opener at the start or after lead-in words, an asking phrase anywhere, or a closing tag."""
    return _asks_outright(words, starts) or _tagged(words)


def _asks_outright(words: list[str], starts: tuple[str, ...]) -> bool:
    """An opener at the start or after lead-in words, or an asking phrase anywhere."""
    openers, firsts = _openers(starts)
    for i in range(len(words)):
        if words[i] in ("what", "when") and i + 1 < len(words) and words[i + 1] in NOT_ASKING:
            break
        if words[i] in RELATIVE and i + 1 < len(words) and words[i + 1] in RELATIVE[words[i]]:
            break
        if i and words[i] in AUXILIARIES:
            if i + 1 < len(words) and words[i + 1] in SUBJECTS:
                return True
        elif (firsts is None or words[i] in firsts) and any(tuple(words[i:i + n]) in group
                                                             for n, group in openers.items()):
            return True
        if not _lead_in(words[i]) and not (words[i] == "you" and i and words[i - 1] == "thank"):
            break
    return _asks_anywhere(words)


def _lead_in(word: str) -> bool:
    return word in LEAD_INS or word in LEAD_IN_PARTS or word.startswith(LEAD_IN_PREFIXES)


def _tagged(words: list[str]) -> bool:
    """A closing tag, or an auxiliary and a pronoun, at the end (before any trailing words)."""
    end = len(words)
    while end > 3 and words[end - 1] in TRAILING:
        end -= 1
    words = words[:end]
    if len(words) <= 2:
        return False
    if any(tuple(words[-len(tag):]) == tag for tag in TAGS):
        return True
    aux = words[-3] if words[-2] == "not" else words[-2]
    return len(words) > 3 and aux in TAG_AUXILIARIES and words[-1] in TAG_PRONOUNS


def statement_with_tag(text: str, starts: list[str]) -> bool:
    """A statement asked only by its closing tag ("officers will ring you tomorrow, is that okay?"):
    a question to the caller, but what it states (a next step, an explanation) is still said."""
    words = words_of(last_sentence(text))
    return _tagged(words) and not _asks_outright(words, tuple(starts))


def is_question(text: str, starts: list[str], mark_min_words: int) -> bool:
    """A question by its words (see the module's docstring), or by a "?" on a sentence long
    enough to trust it (the recogniser often hears a flat "Right." as "Right?")."""
    sentence = last_sentence(text)
    words = words_of(sentence)
    if asks_by_words(words, tuple(starts)):
        return True
    return sentence.endswith("?") and len(words) >= mark_min_words
