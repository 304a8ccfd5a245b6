"""Personal names: cue phrases, replies to "what's your name?", name lists, spellings, nicknames and
names said again.

Part of the panel-pack redactor: `callqa.panel.redact` holds the public API, the
resolution of overlapping hits and the audio side; see its docstring for every rule and why.
"""

from __future__ import annotations

import re

from callqa.pipeline.config import RedactionConfig

from callqa.panel.redact_words import (
    NATO, STOP_WORDS, TITLES, _ANSWER_FILLERS, _EVERYDAY_EXTRA, _FILLERS, _FUNCTION_WORDS, _Hit, _KIN, _NAME_KEY,
    _NAME_KEY_PLUS, _NAME_QUESTION_CUES, _NOT_STREET_WORDS, _NUMBER_WORD_SET, _W, _base, _base_key,
    _bundled_first_names, _common_words, _cue_ends, _in_question, _is_capitalised, _letters_end, _ordinary,
    _replies, _surnames,
)
from callqa.panel.redact_codes import _COMMON_TOKENS
from callqa.panel.redact_addresses import (
    _LANDMARK_WORDS, _PLACE_PREPOSITIONS, _STREET_ONLY_SUFFIXES, _STREET_SUFFIXES, _WEAK_SUFFIXES,
)


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


# cue -> what may follow: "any" word, a "capital"ised word (in lower-case text: a word that is no
# ordinary word, or a known first name), a "known" first name, or a "first" name even if it is also
# a word ("everyone calls me Sue", not "call me back")
NAME_CUES: tuple[tuple[tuple[str, ...], str], ...] = (
    (("my", "name", "is"), "any"), (("name", "is"), "any"), (("name's",), "any"), (("names",), "any"),
    (("name", "was"), "any"), (("surname", "is"), "any"), (("surname's",), "any"), (("call", "me"), "first"),
    (("calls", "me"), "first"), (("called",), "capital"), (("calling",), "capital"), (("named",), "capital"),
    (("speaking", "to"), "capital"), (("speak", "to"), "capital"), (("ask", "for"), "capital"),
    (("through", "to"), "capital"),
    (("is", "that"), "capital"), (("this", "is"), "known"), (("i'm",), "known"), (("im",), "known"),
    (("i", "am"), "known"), (("it's",), "known"), (("its",), "known"),
) + tuple(((t,), "capital") for t in sorted(TITLES))
# "it's Wojciech Nowak speaking", "this is Gemma from ...": any name-like words between these
_NAME_OPENERS = (("it's",), ("its",), ("this", "is"), ("i'm",), ("im",), ("hi",), ("hello",), ("hiya",))
_NAME_CLOSERS = frozenset("speaking calling here from".split())


_SURNAME_CUES = frozenset("surname surnames spell".split())
# Replies that are not a name ("sorry?", "I'd rather not"), and kin words before one ("her mum Tracey").
_NOT_A_NAME_REPLY = frozenset("""
sorry pardon what why rather prefer anonymous not nothing none dunno know thanks thank cheers lovely great
fine good brilliant right ok okay yes yeah no nope mine hers his theirs same just can could would will
""".split())


# Scots "ken" is "know" after these ("ah dinnae ken"), not the name Ken.
_KNOW_LEADS = frozenset("dinnae didnae ye ah cannae".split())


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
            if self.surname(words[k]) and not (k > i + 1 and self.key(words[k]) in _TRADE_WORDS):
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
                while mode == "any" and j + 1 < len(words) and low[j] in TITLES and not words[j].ends_clause:
                    j += 1  # "my name is pastor kwabena asante": the title stays outside the name
                if cue[0] in ("called", "calling"):  # "kept calling the other one gaz", "called him dazza"
                    k = j
                    while k < len(words) and k - j < 3 and low[k] in _CALLED_OBJECTS and not words[k].ends_clause \
                            and not (low[k] == "the" and low[k + 1:k + 2] != ["other"]):
                        k += 1  # "the" only in "the other one" ("a scheme called the herbert protocol")
                    j = k if k < len(words) and low[k] not in _CALLED_OBJECTS else j
                if j >= len(words) or (j > 0 and words[j - 1].ends_sentence):
                    continue
                if cue[0] in ("called", "named", "calling") and any(x in _PETS for x in low[max(0, j - 12):j]):
                    continue  # "a cocker spaniel, she's called bramble": pets' names are not personal
                w = words[j]
                key = self.key(w)
                if cue[0] in TITLES and len(key) == 1 and key.isalpha() and j + 1 < len(words) \
                        and self.name_like(words[j + 1]):
                    hits.append(_Hit("name", f"name.cue: {cue[0]}", stream, j, self.extend(words, j + 1)))
                    continue  # "Mr A Hussain"
                if mode == "any":  # "my name is will" is still a name
                    ok = self.surname(w) or (key in self.first and key.isalpha()) or (
                        not self.cased and key.isalpha() and key not in self.stop and key not in _NOT_A_NAME_REPLY
                        and key not in _FUNCTION_WORDS)
                elif mode == "capital":
                    ok = self.surname(w) or (not self.cased and self.known(w) and not self.is_ambiguous(w))
                elif mode == "first":
                    ok = self.surname(w) or self.known(w)
                else:
                    ok = self.known(w) and (self.cased or not self.is_ambiguous(w))
                end = self.extend(words, j)
                if ok and end < len(words) and not words[end - 1].ends_clause and low[end] in _SHOP_WORDS:
                    continue  # "its called belgrave local": a shop
                if ok and (mode == "any" or cue[0] == "called"):
                    end = self._everyday_surname(words, low, j, end)
                if ok:
                    hits.append(_Hit("name", f"name.cue: {' '.join(cue)}", stream, j, end))
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
            if (i > 0 and low[i - 1] in NATO and not words[i - 1].ends_clause) or (
                    i > 0 and low[i - 1] in _KNOW_LEADS) or \
                    (i > 0 and low[i - 1] in _CAR_MAKES and not words[i - 1].ends_clause) or \
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
                if not self.cased and i > 0 and low[i - 1] == "the" and all(
                        _ordinary(self.key(x)) for x in words[i + 1:end]):
                    continue  # "on the rose ward", "the victoria cross": a thing named after someone
                if self.cased or not ambiguous or any(self.key(x) in self.surnames or not _ordinary(self.key(x))
                                                      for x in words[i + 1:end]):
                    hits.append(_Hit("name", "name.first_and_surname", stream, i, end))
            elif i > 0 and low[i - 1] == "the" and not self.cased:
                continue  # "the herbert protocol", "the victoria": a thing named after someone
            elif i > 0 and low[i - 1] == "in" and not words[i - 1].ends_clause and not re.search(r"['\u2019]s$", w.clean) \
                    and (w.ends_clause or low[i + 1] in _AFTER_TOWN):
                continue  # "she went to her friend's in Barry.": a town named like a person
            elif _place_named_like_a_person(words, low, i, key):
                continue  # "the big tesco in harold hill", "the train to chester", "at chester station"
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
        hits += self._nickname_hits(words, low, stream)
        hits += self._spelled_back_hits(words, low, stream)
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
        # a family said by its surname ("one of the dohertys", "the Kowalskis next door")
        for i in range(1, len(words)):
            key = self.key(words[i])
            if low[i - 1] == "the" and not words[i - 1].ends_clause and len(key) >= 5 and key.endswith("s") \
                    and (key[:-1] in self.surnames or (key.endswith("es") and key[:-2] in self.surnames)) \
                    and not _ordinary(key) and (not self.cased or _is_capitalised(_base(words[i].clean))):
                hits.append(_Hit("name", "name.family", stream, i, i + 1))
        # whose relative: a first name with "s" before a kin word, as recognisers write it without the
        # apostrophe ("it was jaydens mum who rang", "kyles dad") or with it
        for i in range(len(words) - 1):
            key = low[i].replace("\u2019", "'")
            stem = key[:-2] if key.endswith("'s") else key[:-1] if key.endswith("s") else ""
            if stem and stem in self.first and stem not in self.ambiguous and low[i + 1] in _KIN \
                    and not words[i].ends_clause and (not self.cased or _is_capitalised(_base(words[i].clean))):
                hits.append(_Hit("name", "name.possessive", stream, i, i + 1))
        # a surname said both before and after the first name ("aye hes sterling craig sterling")
        for i in range(1, len(words) - 1):
            if self.known(words[i]) and low[i - 1] == low[i + 1] and re.fullmatch(r"[a-z]{3,}", low[i - 1]) \
                    and low[i - 1] not in self.stop and low[i - 1] not in _FUNCTION_WORDS \
                    and not words[i - 1].ends_sentence and not words[i].ends_sentence:
                hits += [_Hit("name", "name.surname_around", stream, i - 1, i),
                         _Hit("name", "name.surname_around", stream, i, i + 2)]
        # an initial and a surname no dictionary knows ("it says m kowalczyk on the bank card"), in lower
        # case, where the letter is no part of a spelled code (no code character either side)
        for i in range(len(words) - 1):
            if not re.fullmatch(r"[b-hj-np-z]", low[i]) or words[i].ends_clause \
                    or (self.cased and not words[i].clean.isupper()):
                continue
            key = self.key(words[i + 1])
            if len(key) >= 4 and not _ordinary(key) and self.name_like(words[i + 1]) and key not in NATO \
                    and not (i > 0 and re.fullmatch(r"[a-z0-9]|oh|double|treble|" + "|".join(_NUMBER_WORD_SET),
                                                    low[i - 1]) and not words[i - 1].ends_clause) \
                    and not (i + 2 < len(words) and re.fullmatch(r"[a-z0-9]", low[i + 2])):
                hits.append(_Hit("name", "name.initial_and_surname", stream, i, self.extend(words, i + 1)))
        # a double-barrelled surname after a name-like word ("tanisha ellington-brown")
        for i in range(1, len(words)):
            parts = self.key(words[i]).split("-")
            if len(parts) == 2 and all(len(x) >= 2 and (x in self.surnames or not _ordinary(x)) for x in parts) \
                    and any(not _ordinary(x) or x in self.surnames for x in parts) and not words[i - 1].ends_clause \
                    and (self.name_like(words[i - 1]) or self.known(words[i - 1])) \
                    and self.key(words[i]) not in self.stop and (self.cased or not _ordinary(self.key(words[i - 1]))
                                                                 or self.known(words[i - 1])):
                hits.append(_Hit("name", "name.double_barrelled", stream, i - 1, i + 1))
        return [self._with_byname(words, low, h) for h in hits
                if not _place_use(words, low, h.lo, h.hi) and not _pet_name(words, low, h)]

    def _everyday_surname(self, words: list[_W], low: list[str], j: int, end: int) -> int:
        """After "my name is / his name's / called" and a first name, an everyday word that ends the
        turn or comes before "and / from ..." is the surname ("his name is gary summers"); `end` else."""
        if self.cased or end != j + 1 or end >= len(words) or words[j].ends_clause or not self.known(words[j]):
            return end
        key = low[end]
        after = low[end + 1] if end + 1 < len(low) and not words[end].ends_clause else ""
        if not re.fullmatch(r"[a-z]{3,}", key) or key in self.stop or key in _FUNCTION_WORDS or key in _KIN \
                or key in _NOT_A_NAME_REPLY or key in _KIN_NOT_NAMES or key in _NUMBER_WORD_SET or _trade_word(key) \
                or key in _NOT_STREET_WORDS or key in _IRREGULAR_VERBS or key.endswith(("ed", "ing", "ly")) \
                or key in _STREET_ONLY_SUFFIXES:
            return end
        if after and after not in _AFTER_SURNAME:
            return end
        return end + 1

    def _misheard_first(self, ws: list[_W], low: list[str], j: int) -> int | None:
        """A reply to "what's your name?" whose first name the recogniser wrote as everyday words before
        a surname no dictionary knows ("shove on mcgrath" for Siobhan McGrath, "ally mcgarrigle well
        ..."): one or two words, then the surname, then the turn's end or a filler. One past the
        surname, or None."""
        if low[j] in self.stop or low[j] in _NOT_A_NAME_REPLY or low[j] in _FUNCTION_WORDS or low[j] in _KIN \
                or not re.fullmatch(_NAME_KEY_PLUS, low[j]):
            return None
        for k in (j + 1, j + 2):
            if k >= len(ws) or ws[k - 1].ends_clause or not re.fullmatch(_NAME_KEY_PLUS, low[k - 1]):
                return None
            if self.name_like(ws[k]) and not _ordinary(low[k]) and low[k] not in self.first \
                    and (k + 1 == len(ws) or ws[k].ends_clause or low[k + 1] in _AFTER_MISHEARD):
                return self.extend(ws, k)
        return None

    def _with_byname(self, words: list[_W], low: list[str], hit: _Hit) -> _Hit:
        """A name takes the word that makes it a nickname before it ("ma neighbour wee jimmy", "her
        mate big dave"), after who the person is or at a turn's start."""
        lo = hit.lo
        if lo == 0 or low[lo - 1] not in _BYNAME_WORDS or words[lo - 1].ends_clause:
            return hit
        if lo - 1 == 0 or words[lo - 1].sentence_start or words[lo - 2].ends_clause \
                or low[lo - 2] in _KIN | _ROLES | {"called", "call", "its", "it's", "is"}:
            return _Hit(hit.category, hit.rule, hit.stream, lo - 1, hit.hi)
        return hit

    def _kin_names(self, words: list[_W], low: list[str], stream: int) -> list[_Hit]:
        """A name said straight after who the person is: "my husband, Owain, is on his way", "her
        friend precious", "his girlfriend sky shes nice". A first name that is also a word counts
        here (not "will" / "may"); a word on no list only when "she's / he's / who" follows it."""
        hits = []
        for i, t in enumerate(low[:-1]):
            if t not in _KIN | _ROLES or i == 0 or low[i - 1] not in _KIN_OWNERS | {"the", "there"}:
                # ("there": "their" as recognisers often write it, "there lad fraser")
                continue
            personal = low[i - 1] != "the"   # "the manager angharad": only a name no word could be
            j = i + 1
            if low[j] == "is" and j + 2 < len(low) and low[j + 1] in _BYNAME_WORDS and not words[j].ends_clause:
                j += 1  # "his da is big tam"
            if low[j] in _BYNAME_WORDS and j + 1 < len(low) and not words[j].ends_clause:
                j += 1  # "my mate big gaz": the hit takes "big" in `_with_byname`
            w = words[j]
            key = self.key(w)
            after_modal = low[j + 1] if j + 1 < len(low) and not w.ends_clause else ""
            modal_verb = key in MODAL_NAMES and not (key in self.first and after_modal in _NOT_A_VERB)
            modal_name = key in MODAL_NAMES and not modal_verb
            if (key in self.stop and not modal_name) or key in _KIN or key in TITLES or modal_verb \
                    or key in NOT_NAMES_ALONE or ((key in _NOT_A_NAME_REPLY or key in _KIN_NOT_NAMES) and not modal_name) \
                    or not re.fullmatch(_NAME_KEY_PLUS, key) \
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

    def _nickname_hits(self, words: list[_W], low: list[str], stream: int) -> list[_Hit]:
        """A nickname, which may be any word: "they call him tank", "a lad they call shano", "she
        called him smudge", "she goes by kay", "known as baby t", "it's said eefa" (after a spelling).
        Not "call him back", "goes by bus", "known as a ...", nor a pet's name."""
        hits = []
        for end in _cue_ends(low, _NICKNAME_CUES):
            j = end
            if low[end - 1] in ("call", "called", "calls") and j < len(low) and low[j] in _NICKNAME_OBJECTS \
                    and not words[j].ends_clause:
                j += 1
            elif low[end - 1] in ("call", "called", "calls") and low[end - 2:end] != ["they", "call"]:
                continue  # "called" alone is the name cue's ("a lad called jack")
            elif low[end - 1] in ("nickname", "nicknamed") and j < len(low) and low[j] in ("is", "was", "'s"):
                j += 1  # "his nickname is boxer"
            elif low[end - 1] in ("said", "pronounced") and not any(
                    len(x) == 1 and x.isalpha() and x not in ("a", "i") for x in low[max(0, end - 8):end]):
                continue  # "it's said eefa" only after a spelling ("a o i f e")
            if j >= len(words) or words[j - 1].ends_sentence or (
                    low[end - 1] not in _SELF_NAMED and any(x in _PETS for x in low[max(0, j - 12):j])):
                continue  # "a spaniel, she's called pickle"; not "staffy on a rope, he calls himself big al"
            if low[end - 1] == "says" and not (j + 1 == len(words) or words[j + 1].seg != words[j].seg
                                               or words[j].ends_clause):
                continue  # "penelope ashworth, everyone says penny": the short form ends the reply
            key = self.key(words[j])
            if key.endswith("ly") and _ordinary(key):
                continue  # "pronounced differently", "called him constantly"
            if not re.fullmatch(_NAME_KEY_PLUS, key) or key in self.stop or key in _FUNCTION_WORDS \
                    or key in _NOT_NICKNAMES or key in _NUMBER_WORD_SET or key in _EVERYDAY_EXTRA or key in _KIN \
                    or (self.cased and not _is_capitalised(_base(words[j].clean))):
                continue
            k = j + 1
            if low[j] in _BYNAME_WORDS and k < len(words) and not words[j].ends_clause \
                    and re.fullmatch(_NAME_KEY_PLUS, low[k]) and low[k] not in self.stop and low[k] not in _FUNCTION_WORDS:
                k += 1  # "they call little kev", "known as big h"
            elif k < len(words) and not words[j].ends_clause and re.fullmatch(r"[a-z]", low[k]) \
                    and low[k] not in ("a", "i"):
                k += 1  # "baby t"
            hits.append(_Hit("name", "name.nickname", stream, j, k))
        return hits

    def _spelled_back_hits(self, words: list[_W], low: list[str], stream: int) -> list[_Hit]:
        """A word spelled straight after it is said is a name ("a licence says nguyen thi lan, that's
        n g u y e n"): the word, the name-like words after it, and the spelling."""
        hits = []
        k = 0
        while k < len(words):
            m = self._letters(words, k)
            if m - k < 3:
                k += 1
                continue
            spelled = "".join(w.clean for w in words[k:m] if len(w.clean) == 1).lower()
            for j in range(max(0, k - 8), k):
                if self.key(words[j]) == spelled and not any(words[x].ends_sentence for x in range(j, k - 1)):
                    end = self.extend(words, j)
                    hits.append(_Hit("name", "name.spelled_back", stream, j, min(end, k)))
                    hits.append(_Hit("name", "name.spelled_back", stream, k, m))
                    break
            k = m
        return hits

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
                if _NOT_ASKED.search(" ".join(low[max(0, end - 6):end - 1])):
                    continue  # "i dont know surname", "no idea of his name": said, not asked
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
        if low[start] in _QUESTION_OPENERS and start + 1 < len(ws) and not ws[start].ends_clause:
            return None  # "have you got any cctv?": a question back, no name
        while j < len(ws) and j - start < 4 and (low[j] in _ANSWER_FILLERS or low[j] in _KIN or low[j] in TITLES
                                                 or low[j] in _ROLES
                                                 or low[j] in ("my", "his", "her", "their", "our", "the", "name",
                                                               "names", "name's", "surname", "is", "it's", "its",
                                                               "i'm", "im", "yes", "er", "erm", "um", "uh")):
            j += 1
        if j >= len(ws):
            return None
        w = ws[j]
        key = low[j]
        if (j > start and low[j - 1] in _KIN_OWNERS | {"our"} and _ordinary(key) and key not in self.first) \
                or key in _EVERYDAY_EXTRA:
            return None  # "our security guard thinks ...": a person said by what they are; "is anyone hurt"
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
        if not self.cased and not surname and not self.name_like(w) and not self.known(w) \
                and (misheard := self._misheard_first(ws, low, j)):
            return _Hit("name", "name.answer", stream, j, misheard)
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
        turn_end = next((i for i in range(j + 1, len(ws)) if ws[i].seg != ws[i - 1].seg), len(ws))
        if not self.cased and k < turn_end and turn_end - j <= 3 and ws[turn_end - 1].end_s - ws[j].start_s < 3.0 \
                and all(re.fullmatch(_NAME_KEY, x) and (x not in self.stop or x in _STREET_SUFFIXES)
                        and not _trade_word(x) for x in low[k:turn_end]):
            k = turn_end  # the whole reply is the name: "josh kettle", "jade prince", "margaret hill"
            # (the reply's own segment: a later answer joined onto the stream is no part of it)
        elif not self.cased and k == j + 1 and self.known(w) and k + 1 < len(ws) and low[k + 1] in _SUBJECT_VERBS \
                and _surname_word(low[k]) and not ws[j].ends_clause:
            k += 1  # "victoria church shes at number four": an everyday word as the surname, before "she's"
        k = self._letters(ws, k) if self._letters(ws, k) - k >= 2 else k
        return _Hit("name", "name.answer", stream, j, k)


# Before a name cue, these make it a statement, not a question ("i dont know the surname").
_NOT_ASKED = re.compile(r"\b(?:i|we|she|he|they) (?:dont|don't|didnt|didn't|do not|did not|cant|can't) "
                        r"(?:know|remember)\b|\bno idea\b|\bforgot\b")


# A reply opening with these asks something back ("have you got any cctv?"): it names no one.
_QUESTION_OPENERS = frozenset("have has do does did can could would should will shall are was were what where when "
                              "why how which".split())


# A short follow-up of only these words ("and yours?", "and for him, if you know it") asks the
# asker's previous question again, about someone else.
_PETS = frozenset("""
dog dogs puppy pup cat cats kitten horse pony spaniel terrier labrador lab collie retriever alsatian poodle
staffie staffy whippet greyhound lurcher husky rabbit parrot budgie hamster ferret tortoise
russell russells crossbreed mongrel cockapoo cavapoo labradoodle pug bulldog beagle rottweiler dachshund
chihuahua schnauzer springer pointer setter mastiff akita doberman shih tzu bichon yorkie westie cockerpoo
kittens puppies horses ponies pets pet gelding mare filly budgies snake lizard tortoiseshell tabby
""".split())
_NICKNAME_CUES = (("they", "call"), ("call", "him"), ("call", "her"), ("called", "him"), ("called", "her"),
                  ("calls", "him"), ("calls", "her"), ("goes", "by"), ("known", "as"), ("calls", "himself"),
                  ("calls", "herself"), ("nickname",), ("nicknamed",), ("its", "said"), ("it's", "said"),
                  ("pronounced",), ("by", "the", "name", "of"), ("calls", "me"), ("people", "call", "me"),
                  ("friends", "call", "me"), ("mates", "call", "me"), ("everyone", "says"), ("everybody", "says"))
# A cue about the speaker or a person themselves: a pet near it does not make the nickname the pet's.
_SELF_NAMED = frozenset("me himself herself".split())
_NICKNAME_OBJECTS = frozenset("him her them".split())
_BYNAME_WORDS = frozenset("wee big little young auld".split())
# What follows a nickname cue without being a name ("call him back", "goes by bus", "pronounced like").
_NOT_NICKNAMES = frozenset("""
back later again now tomorrow today tonight yesterday out up down in over round names name anything everything
something nothing bus car train taxi foot bike road like as that what when if every all sometimes never always
mate love pal bro son sir just only actually really yourself himself herself themselves liar names idiot
twice once straight early late first stupid fat ugly thick mental crazy nasty horrible lazy useless weird
anytime
""".split())
_CALLED_OBJECTS = frozenset("him her them the other one each himself herself".split())
_NAME_OF_CUES = (("in", "the", "name"), ("under", "the", "name"))
_KIN_OWNERS = frozenset("my his her their our your".split())
# People known by their role, named after it like kin ("the manager angharad", "my landlord, Mr Peel").
_ROLES = frozenset("manager landlord landlady boss teacher supervisor colleague driver owner tenant caretaker warden"
                   " nurse doctor social worker cleaner childminder carer client customer patient resident lodger"
                   " colleagues clients customers patients residents tenants cleaners".split())
# After a name that is also a modal verb, these say it is the name ("my colleague will on the radio desk").
_NOT_A_VERB = frozenset("on at in from is has was says said and who whos who's to".split())
# Shop words after a name-like word: it names a business ("it's called belgrave local", "patel news").
_SHOP_WORDS = frozenset("""
local stores store news newsagents newsagent express convenience supermarket market cafe bar takeaway pharmacy
chemist salon barbers bakery butchers off licence licensing
""".split())
# What may follow an everyday-word surname after a name cue ("his name is gary summers and ...").
_AFTER_SURNAME = frozenset("and from but he she hes shes he's she's who i im i'm its it's or with".split())
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


_AFTER_MISHEARD = frozenset("well but and er erm um uh yeah yes its it's".split())


def _coordinated_names(streams: list[tuple[str, list[_W]]], hits: list[_Hit], names: _Names) -> list[_Hit]:
    """A name joined by "and" / "or" to a name already hidden is a name too ("kayden and lily mae",
    "im with ifeoma and mark", "rhodri or rhods"): a first name on the lists (even one that is an
    everyday word, except a modal verb before more words), or a word that is no everyday word. And a
    by-name after a first name, "the" and a word, before what the person did ("dai the post had
    his trailer taken", "jones the milk says ...")."""
    covered = {(h.stream, i) for h in hits for i in range(h.lo, h.hi)}
    out = []
    for h in hits:
        if h.category != "name":
            continue
        words = streams[h.stream][1]
        low = [names.key(w) for w in words]
        n = len(words)

        def name_at(c: int) -> bool:
            if not 0 <= c < n or (h.stream, c) in covered or low[c] in names.stop and low[c] not in MODAL_NAMES:
                return False
            w = words[c]
            if names.cased and not _is_capitalised(_base(w.clean)):
                return False
            if names.known(w) and low[c] not in NOT_NAMES_ALONE:
                return low[c] not in MODAL_NAMES or c + 1 == n or w.ends_clause
            return not names.cased and bool(re.fullmatch(_NAME_KEY_PLUS, low[c])) and not _ordinary(low[c]) \
                and low[c] not in _EVERYDAY_EXTRA and len(low[c]) >= 3
        j = h.hi
        if j + 1 < n and low[j] in ("and", "or") and not words[j - 1].ends_clause and not words[j].ends_clause \
                and name_at(j + 1):
            out.append(_Hit("name", "name.coordinated", h.stream, j + 1, names.extend(words, j + 1)))
        i = h.lo
        if i >= 2 and low[i - 1] in ("and", "or") and not words[i - 2].ends_clause and not words[i - 1].ends_clause \
                and name_at(i - 2):
            out.append(_Hit("name", "name.coordinated", h.stream, i - 2, i - 1))
        if h.hi - h.lo == 1 and j + 2 < n and low[j] == "the" and names.known(words[h.lo]) \
                and not any(w.ends_clause for w in words[h.lo:j + 1]) and low[j + 2] in _BYNAME_VERBS \
                and re.fullmatch(r"[a-z]{3,}", low[j + 1]) and low[j + 1] not in names.stop \
                and low[j + 1] not in _FUNCTION_WORDS and (h.stream, j + 1) not in covered \
                and low[j + 1] not in _TRADE_WORDS | _ROLES | _NOT_BYNAMES:
            out.append(_Hit("name", "name.byname", h.stream, h.lo, j + 2))
    return out


# Towns and cities that are first names too (Chester, Preston, Barry ...): said alone after a place word
# ("to chester", "from preston") or before a landmark ("chester station") they are the place.
TOWNS_NAMED_LIKE_PEOPLE = frozenset("""
chester preston barry lincoln stanley douglas hamilton beverley shirley darwin dudley morley chelsea devon kent
florence paris sydney milton henley harlow selby clifton carlton ashley kendal crawley elgin bradley neston
wellington nelson clayton denton hyde warwick shelby brandon lydney tyler austin dallas houston everton
""".split())
_TOWN_LEADS = frozenset("to from towards toward in into near outside via through past at play playing against "
                         "versus".split())  # ("villa play everton": a club named for its town)


def _pet_name(words: list[_W], low: list[str], hit: _Hit) -> bool:
    """A first name straight after a pet ("my spaniel meg", "the dogs fly and meg"): the pet's name
    (pets' names stay, by the splits' convention)."""
    i = hit.lo
    if hit.rule != "name.first_name" or i == 0 or words[i - 1].ends_clause:
        return False
    if low[i - 1] in _PETS:
        return True
    if low[i - 1] in ("called", "named") and any(x in _PETS for x in low[max(0, i - 7):i - 1]):
        return True  # "a jack russell cross called bella"
    return i >= 3 and low[i - 1] in ("and", "or") and low[i - 3] in _PETS and low[i - 2] not in STOP_WORDS \
        and not words[i - 3].ends_sentence and not words[i - 2].ends_clause  # ("the dogs, Fly and Meg")


def _place_named_like_a_person(words: list[_W], low: list[str], i: int, key: str) -> bool:
    """A first name said alone as a place: before a weak street suffix after a place word ("in harold
    hill", "near stanley park"), or a town that is also a first name after "to / from / in ..." or
    before a landmark word ("the six fifteen to chester", "at chester station")."""
    if re.search(r"['\u2019]s$", words[i].clean):
        return False  # "she was in barry's car": whose car, a person
    before = low[i - 1] if i > 0 and not words[i - 1].ends_clause else ""
    after = low[i + 1] if i + 1 < len(low) and not words[i].ends_clause else ""
    if after in _WEAK_SUFFIXES and before in _PLACE_PREPOSITIONS:
        return True
    return key in TOWNS_NAMED_LIKE_PEOPLE and (before in _TOWN_LEADS or after in _LANDMARK_WORDS)


# "gary the company is ...": what follows a name and "the" without being a by-name.
_NOT_BYNAMES = frozenset("council police school shop bank office firm business agency other same rest whole man "
                         "woman lad guy bloke".split())
# What a person did, said after a by-name ("dai the post had ...").
_BYNAME_VERBS = frozenset("had has is was said says saw told tells lives lived came comes went goes does did knows"
                          " rang reckons thinks".split())


# Small words inside a surname ("Ó Briain", "van Dijk", "da Silva", "al Rashid").
# A business after a name is no part of it ("mick fenwick roofing", "dave smith plumbing and heating").
_TRADE_WORDS = frozenset("""
builders building builder plumbers plumber joinery joiners joiner electrics electrical electricians roofers
services ltd limited co company and sons garage motors cars taxis transport removals cleaners carpets tiling
haulage logistics scaffolding landscapes landscaping construction developments properties lettings solicitors
autos accountants decorators fencing couriers
""".split())


def _trade_word(key: str) -> bool:
    return key in _TRADE_WORDS or (key.endswith("ing") and _ordinary(key))


# Things named like people: dog breeds, and a car model after its make ("seat leon", "nissan leaf").
_NAMED_THINGS = frozenset({("jack", "russell"), ("jack", "russells"), ("king", "charles"), ("saint", "bernard"),
                           ("john", "deere"), ("massey", "ferguson")})
_CAR_MAKES = frozenset("""
seat ford vauxhall kia toyota honda nissan renault peugeot citroen skoda volvo fiat mazda hyundai audi bmw mercedes
mini jaguar lexus dacia suzuki mitsubishi tesla volkswagen vw alfa porsche subaru
""".split())
_NAME_PARTICLES = frozenset("ó o ní nic mac mc van von der den de da di du le la del della al el ap saint"
                            .split())
_FORCE_WORDS = frozenset("police constabulary".split())
# Words after a place that name a thing of that place: "a devon plate", "a cork accent", "kent police".
_PLACE_THINGS = frozenset("police constabulary plate plates reg accent council county coast border".split())


def _place_use(words: list[_W], low: list[str], lo: int, hi: int) -> bool:
    """Whether the words lo..hi are a place named for a thing of it rather than a person: "a devon
    plate", "devon and cornwall police", "through to Avon and Somerset Police"."""
    if any(low[x] in _PLACE_THINGS for x in range(lo + 1, hi)):
        return True  # "durham constabulary" read as a first name and a surname
    if hi >= len(low) or hi - lo > 2 or words[hi - 1].ends_clause:
        return False
    if low[hi] in _PLACE_THINGS:
        return True
    return low[hi] == "and" and any(x in _FORCE_WORDS for x in low[hi + 1:hi + 4]) \
        and not any(w.ends_clause for w in words[hi:hi + 2])
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
                if len(key) < 2 or (key in names.stop and not modal) or key in TITLES or key in _FUNCTION_WORDS \
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
                if not names.cased and key in names.first and key not in AMBIGUOUS_NAMES and key not in names.stop \
                        and before not in _EVERYDAY_BEFORE and after != "of" and before not in NATO \
                        and after not in NATO:
                    ok = True  # "keep victor inside": a first name that is a rarer word, where no word use fits
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


# Before these a first name that is also a word is the word ("the victor", "to be frank", "a sandy beach").
_EVERYDAY_BEFORE = frozenset("""
the a an this that these those some any every each no my your his her our their its i you we they he she it to
be so very too more most quite really than as
""".split())


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
        return k, re.sub(r"[^A-Za-z]", "", "".join(
            w.clean for w in words[i:k] if w.clean.lower() not in _SPELLING_JOINERS
            and re.fullmatch(r"[A-Za-z](?:[-.]?[A-Za-z])*\.?", w.clean)
            and (len(w.clean) == 1 or not w.clean.isalpha()))).lower()  # "p as in papa r y": the letters only
    k = i
    while k < len(words) and words[k].clean.lower() in NATO and not (k > i and words[k - 1].ends_sentence):
        k += 1
    if k - i >= 3:
        return k, "".join(NATO[w.clean.lower()] for w in words[i:k]).lower()
    return i, ""
