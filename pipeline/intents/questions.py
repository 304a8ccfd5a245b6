"""Is a sentence a question to the caller? One test for every judgement that needs to know.

Silence ownership, repeated questions and the statement-only intents (a next step is never
said as a question) all ask it, so they all ask it here.

The recogniser's punctuation is a guess and its spelling drops apostrophes, so a question is
known by its words as much as by a "?":
- an opener (the pack's `question_starts`, and the apostrophe-less forms the recogniser writes:
  "whats", "wheres") at the start, or after a lead-in of greetings, the force's name and fillers
  ("Staffordshire Police, good morning, what's happened", "okay and whats your surname");
- a request for an answer anywhere ("tell me", "spell", "describe"): said to a caller, these ask;
- a closing tag ("..., is that right", "say again").
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
lastly finally also
""".split())
# Openers the recogniser writes without the apostrophe (`normalise` cannot expand them), and
# requests that expect an answer.
SPOKEN_OPENERS = ("whats", "wheres", "whos", "hows", "whens", "whys", "describe", "spell", "give me the", "give me your",
                  "any idea", "roughly how", "say again", "repeat that", "may i", "shall i", "should i",
                  "would it", "did", "any", "anything else", "can i", "could i", "can we")
# After a lead-in, a bare "is" or "are" asks only when a subject follows ("okay, is he there"):
# "police are on their way" is a statement.
AUXILIARIES = frozenset("is are was were has does".split())
# "What we have agreed is ...", "when he comes back, ring 999", "what a thing to happen": a "what" or
# "when" followed by its subject starts a statement, not a question.
NOT_ASKING = frozenset("i we you he she they a an".split())
SUBJECTS = frozenset("he she it there that this they you anyone anybody someone somebody the everyone".split())
# Asking, wherever it comes in the sentence.
ANYWHERE = (("tell", "me"), ("how", "can", "i", "help"), ("how", "can", "we", "help"), ("how", "may", "i", "help"),
            ("what", "can", "i", "do", "for", "you"), ("what", "can", "we", "do"), ("say", "that", "again"))
# Closing tags that turn a read-back into a question.
TAGS = (("is", "that", "right"), ("is", "that", "write"), ("is", "that", "correct"), ("say", "again"),
        ("is", "that", "it"), ("yeah",), ("what", "is", "it"))


@lru_cache(maxsize=64)
def _openers(starts: tuple[str, ...]) -> dict[int, frozenset[tuple[str, ...]]]:
    """Question openers by length in words, so a sentence is tested with one lookup per length."""
    by_length: dict[int, set[tuple[str, ...]]] = {}
    for start in starts + SPOKEN_OPENERS:
        words = tuple(normalise(start))
        by_length.setdefault(len(words), set()).add(words)
    return {n: frozenset(v) for n, v in by_length.items()}


def last_sentence(text: str) -> str:
    parts = [p for p in text.replace("!", ".").replace("?", "?|").replace(".", ".|").split("|") if p.strip()]
    return parts[-1].strip() if parts else ""


def _contains(words: list[str], phrase: tuple[str, ...]) -> bool:
    n = len(phrase)
    return any(tuple(words[i:i + n]) == phrase for i in range(len(words) - n + 1))


def asks_by_words(words: list[str], starts: tuple[str, ...]) -> bool:
    """An opener at the start or after lead-in words, an asking phrase anywhere, or a closing tag."""
    openers = _openers(starts)
    for i in range(len(words)):
        if words[i] in ("what", "when") and i + 1 < len(words) and words[i + 1] in NOT_ASKING:
            break
        if i and words[i] in AUXILIARIES:
            if i + 1 < len(words) and words[i + 1] in SUBJECTS:
                return True
        elif any(tuple(words[i:i + n]) in group for n, group in openers.items()):
            return True
        if words[i] not in LEAD_INS and not (words[i] == "you" and i and words[i - 1] == "thank"):
            break
    if any(_contains(words, phrase) for phrase in ANYWHERE):
        return True
    return len(words) > 2 and any(tuple(words[-len(tag):]) == tag for tag in TAGS)


def is_question(text: str, starts: list[str], mark_min_words: int) -> bool:
    """A question by its words (see the module's docstring), or by a "?" on a sentence long
    enough to trust it (the recogniser often hears a flat "Right." as "Right?")."""
    sentence = last_sentence(text)
    words = normalise(sentence)
    if asks_by_words(words, tuple(starts)):
        return True
    return sentence.endswith("?") and len(words) >= mark_min_words
