"""Planted-item benchmark for panel-pack redaction (callqa/panel/redact.py).

    python bench/bench_redaction.py                 # every split, per category
    python bench/bench_redaction.py --split tune --show   # misses and false positives, to tune on
    python bench/bench_redaction.py --ner spacy     # also score a spaCy model's PERSON entities (if installed)

Data: bench/data/redaction/{tune,heldout,blind,blind2,blind3,blind4,blind5}.txt, calls written as a recogniser
writes them (mostly lower case, no punctuation, numbers as spoken words; a few calls with Whisper's capitals and
punctuation), deliberately unlike tests/test_redaction.py. Each block "## id title" is one call,
each line "H: ..." / "C: ..." one handler / caller turn, and every personal detail is marked
"[category|words]". `tune`, `heldout` and the five blind splits have all been looked at (each blind split was
written by someone who never saw the rules, measured once, then tuned on: blind in round two of issue 13,
blind2 in round three, blind3 in round four, blind4 in round five, blind5 in round six), so all seven are
tuning data now. `blind6` (bench/data/redaction/blind6.txt, written afresh the same way) is measured only:
the default run includes its tables when the file exists, and `--show` refuses to list its misses or false
positives, so that nobody tunes on it by accident (to stay clear of it while tuning, name each
split: `--split blind5`; `--split tuning` runs the seven tuning splits and never blind6).

blind3's header states conventions the older splits left open; the redactor follows them everywhere:
a named street is an address item also when said without its number ("towards fawcett road"), and
so are house, farm and estate names; "flat" is inside the address item and a leading "the" outside
any item; collar numbers are not personal; a partial plate is still a vehicle_reg item.

Each turn becomes one segment, each word 0.3 s long, turns 0.8 s apart (so "what's your postcode?"
and its answer are as close as in a call). Scores:

- recall: a planted item counts as found when every one of its words is hidden (by any category:
  hiding is what protects the caller); "typed" also needs the right category.
- precision: of the hidden words, the share inside planted items. Filler words next to an item
  ("its", "the", "on", ...) are neither right nor wrong, and so are the words the splits' writers
  marked both ways: "number" before a house number (inside the item in tune and blind, outside in
  blind2) and the day a log number was logged ("[reference|447] of today", "of the fourteenth":
  inside in tune and blind, outside in blind2), and "cad" before a log number (inside in blind, outside
  in blind3). The redactor hides them on purpose (the day narrows
  a log number to one record; `--strict` counts them as false positives, as before round three).
  Per category by the category the redactor gave. Since round four a named street is an address
  item also without its number (blind3's convention); tune, heldout, blind and blind2 left such a
  street unmarked where something happened there, so in those splits a street hidden without a
  number outside an item is neither right nor wrong either (`--strict` counts it).
- benign turns: turns with nothing planted (many written as traps: street-like words, place
  names, "may"/"will"/"mark", times, amounts, counts) that lost any word.
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from callqa.panel.redact import PLACEHOLDERS, find_redactions  # noqa: E402
from callqa.panel.redact_addresses import _STREET_SUFFIXES  # noqa: E402
from callqa.panel.redact_words import _NUMBER_WORD_SET, _bundled_first_names, _surnames  # noqa: E402
from callqa.pipeline.transcript import Segment, Word  # noqa: E402

DATA = ROOT / "bench" / "data" / "redaction"
SPLITS = ("tune", "heldout", "blind", "blind2", "blind3", "blind4", "blind5")
MEASURE_ONLY = ("blind6",)   # scored, never shown: no misses, no false positives, no text of its calls
# Written before the named-street convention (blind3's header): a street said without its number where
# something happened was left unmarked there, so hiding one is neither right nor wrong (see the docstring).
UNMARKED_STREETS = ("tune", "heldout", "blind", "blind2")
CATEGORIES = tuple(PLACEHOLDERS)
SPEAKERS = {"H": "handler", "C": "caller"}
WORD_S = 0.3
TURN_GAP_S = 0.8
NEUTRAL = frozenset("the of on at its it's is a and um uh er erm".split())
# Marked inside an item in some splits and outside in others (see the docstring): neither right nor wrong.
ORDINALS = frozenset("""first second third fourth fifth sixth seventh eighth ninth tenth eleventh twelfth thirteenth
fourteenth fifteenth sixteenth seventeenth eighteenth nineteenth twentieth thirtieth""".split())
EITHER_WAY = frozenset("number today yesterday tonight twenty thirty".split()) | ORDINALS
MONTHS = frozenset("january february march april may june july august september october november december".split())
_LISTED = _bundled_first_names() | _surnames()
STRICT = False   # --strict: words marked either way count as false positives when hidden outside an item
_ITEM = re.compile(r"\[([a-z_]+)\|([^\]]+)\]")


@dataclass
class Turn:
    speaker: str
    text: str                              # markup removed
    planted: list[str | None]              # per word: the planted category, or None
    item_of: list[int | None]              # per word: index of its planted item in the call


@dataclass
class Call:
    call_id: str
    title: str
    turns: list[Turn] = field(default_factory=list)
    items: list[tuple[str, list[tuple[int, int]]]] = field(default_factory=list)  # (category, [(turn, word)])


def parse_turn(raw: str, call: Call) -> Turn:
    speaker, _, body = raw.partition(":")
    text, spans, pos = "", [], 0
    for m in _ITEM.finditer(body):
        if m.group(1) not in CATEGORIES:
            raise ValueError(f"{call.call_id}: unknown category {m.group(1)!r}")
        text += body[pos:m.start()]
        spans.append((len(text), len(text) + len(m.group(2)), m.group(1)))
        text += m.group(2)
        pos = m.end()
    text += body[pos:]
    lead = len(text) - len(text.lstrip())
    text = text.strip()
    spans = [(a - lead, b - lead, c) for a, b, c in spans]
    planted: list[str | None] = []
    item_of: list[int | None] = []
    turn_index = len(call.turns)
    first_item = len(call.items)
    for span in spans:
        call.items.append((span[2], []))
    for k, m in enumerate(re.finditer(r"\S+", text)):
        hit = next((i for i, (a, b, _) in enumerate(spans) if m.start() < b and a < m.end()), None)
        planted.append(spans[hit][2] if hit is not None else None)
        item_of.append(first_item + hit if hit is not None else None)
        if hit is not None:
            call.items[first_item + hit][1].append((turn_index, k))
    return Turn(SPEAKERS[speaker.strip()], text, planted, item_of)


def load(split: str, data: Path = DATA) -> list[Call]:
    calls: list[Call] = []
    for line in (data / f"{split}.txt").read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("# "):
            continue
        if line.startswith("## "):
            call_id, _, title = line[3:].partition(" ")
            calls.append(Call(call_id, title))
        else:
            calls[-1].turns.append(parse_turn(line, calls[-1]))
    return calls


def segments(call: Call) -> list[Segment]:
    out, t = [], 0.0
    for turn in call.turns:
        words = [Word(" " + w, t + i * WORD_S, t + (i + 1) * WORD_S, 0.9) for i, w in enumerate(turn.text.split())]
        out.append(Segment(turn.speaker, t, words[-1].end_s, turn.text, words))
        t = words[-1].end_s + TURN_GAP_S
    return out


def hidden_by_rules(call: Call) -> dict[tuple[int, int], str]:
    return {(r.segment_index, i): r.category for r in find_redactions(segments(call))
            for i in range(r.word_start, r.word_end)}


def hidden_by_spacy(call: Call, nlp) -> dict[tuple[int, int], str]:
    """PERSON entities of a spaCy model, mapped back to words (names only)."""
    hidden = {}
    for t, turn in enumerate(call.turns):
        starts = [m.start() for m in re.finditer(r"\S+", turn.text)]
        ends = [m.end() for m in re.finditer(r"\S+", turn.text)]
        for ent in nlp(turn.text).ents:
            if ent.label_ == "PERSON":
                for k, (a, b) in enumerate(zip(starts, ends)):
                    if a < ent.end_char and ent.start_char < b:
                        hidden[(t, k)] = "name"
    return hidden


@dataclass
class Score:
    found: dict = field(default_factory=lambda: defaultdict(int))
    typed: dict = field(default_factory=lambda: defaultdict(int))
    total: dict = field(default_factory=lambda: defaultdict(int))
    right: dict = field(default_factory=lambda: defaultdict(int))   # hidden words inside items, by given category
    wrong: dict = field(default_factory=lambda: defaultdict(int))   # hidden words outside items, by given category
    unlisted: int = 0          # name items with no word on the bundled first-name or surname lists
    unlisted_found: int = 0
    benign: int = 0
    benign_hit: int = 0
    misses: list = field(default_factory=list)
    mistyped: list = field(default_factory=list)
    false_positives: list = field(default_factory=list)


def score(calls: list[Call], hide, only: str | None = None, unmarked_streets: bool = False) -> Score:
    """Recall, precision and benign damage of `hide` on `calls`; with `unmarked_streets` (the splits
    written before the named-street convention) a street hidden without a number outside an item is
    neither right nor wrong."""
    s = Score()
    for call in calls:
        hidden = hide(call)
        for category, words in call.items:
            if only and category != only:
                continue
            s.total[category] += 1
            unlisted = category == "name" and not any(
                re.sub(r"[^a-z]", "", call.turns[t].text.split()[k].lower()) in _LISTED for t, k in words)
            s.unlisted += unlisted
            s.unlisted_found += unlisted and all(w in hidden for w in words)
            if all(w in hidden for w in words):
                s.found[category] += 1
                typed = all(hidden[w] == category for w in words)
                s.typed[category] += typed
                if not typed:
                    said = " ".join(f"{call.turns[t].text.split()[k]}({hidden[(t, k)]})" for t, k in words)
                    s.mistyped.append((call.call_id, category, said))
            else:
                said = " ".join(call.turns[t].text.split()[k] for t, k in words)
                s.misses.append((call.call_id, category, said, call.turns[words[0][0]].text))
        for t, turn in enumerate(call.turns):
            words = turn.text.split()
            if all(p is None for p in turn.planted):
                s.benign += 1
                s.benign_hit += any((t, k) in hidden and not (
                    unmarked_streets and not STRICT and _unmarked_street(turn, k, hidden, t))
                    for k in range(len(words)))
            extra = []
            for k, word in enumerate(words):
                if (t, k) not in hidden:
                    continue
                given = hidden[(t, k)]
                if only and given != only:
                    continue
                if turn.planted[k] is not None:
                    s.right[given] += 1
                elif unmarked_streets and not STRICT and _unmarked_street(turn, k, hidden, t):
                    continue
                elif not _neutral(turn, k, hidden, t):
                    s.wrong[given] += 1
                    extra.append(word)
            if extra:
                s.false_positives.append((call.call_id, " ".join(extra), turn.text))
    return s


def _neutral(turn: Turn, k: int, hidden: dict, t: int) -> bool:
    """A filler word hidden next to an item (or next to another such filler)."""
    words = turn.text.split()
    if _key(words[k]) not in NEUTRAL and not _day_or_number(words, k):
        return False
    for step in (-1, 1):
        j = k + step
        while 0 <= j < len(words) and (t, j) in hidden and turn.planted[j] is None \
                and (_key(words[j]) in NEUTRAL or _day_or_number(words, j)):
            j += step
        if 0 <= j < len(words) and turn.planted[j] is not None and (t, j) in hidden:
            return True
    return False


def _unmarked_street(turn: Turn, k: int, hidden: dict, t: int) -> bool:
    """Word k is in a run of words hidden as an address outside any item that holds a street
    suffix and no number ("on station road"): a street the older splits left unmarked."""
    words = turn.text.split()

    def outside(j: int) -> bool:
        return 0 <= j < len(words) and hidden.get((t, j)) == "address" and turn.planted[j] is None

    if not outside(k):
        return False
    lo, hi = k, k + 1
    while outside(lo - 1):
        lo -= 1
    while outside(hi):
        hi += 1
    keys = [_key(w) for w in words[lo:hi]]
    return any(w in _STREET_SUFFIXES for w in keys) and not any(
        w in _NUMBER_WORD_SET or any(c.isdigit() for c in w) for w in keys)


def _key(word: str) -> str:
    return re.sub(r"[^\w']", "", word.lower())


def _day_or_number(words: list[str], k: int) -> bool:
    """"number" before a house number, or a log's day after "of" ("of today", "of the twenty third")."""
    key = _key(words[k])
    if STRICT:
        return False
    if key in ("number", "cad"):
        return True
    if key not in EITHER_WAY and key not in MONTHS and not re.fullmatch(r"[0-3]?\d(?:st|nd|rd|th)", key):
        return False  # "of the 9th", "of the sixth of march": the log's day, written or spoken
    before = [_key(w) for w in words[max(0, k - 3):k]]
    return "of" in before


def _ratio(a: int, b: int) -> str:
    return f"{a / b:.3f}" if b else "  -  "


def report(name: str, s: Score, show: bool) -> None:
    items = sum(s.total.values())
    print(f"\n== {name}: {items} planted items, {s.benign} benign turns")
    print(f"{'category':<14}{'items':>6}{'recall':>8}{'typed':>8}{'precision':>11}{'FP words':>10}")
    for c in CATEGORIES:
        if s.total[c] or s.right[c] or s.wrong[c]:
            print(f"{c:<14}{s.total[c]:>6}{_ratio(s.found[c], s.total[c]):>8}{_ratio(s.typed[c], s.total[c]):>8}"
                  f"{_ratio(s.right[c], s.right[c] + s.wrong[c]):>11}{s.wrong[c]:>10}")
    right, wrong = sum(s.right.values()), sum(s.wrong.values())
    print(f"{'overall':<14}{items:>6}{_ratio(sum(s.found.values()), items):>8}"
          f"{_ratio(sum(s.typed.values()), items):>8}{_ratio(right, right + wrong):>11}{wrong:>10}")
    print(f"benign turns with anything hidden: {s.benign_hit}/{s.benign}")
    if s.unlisted:
        print(f"names with no word on the name lists (found by context alone): {s.unlisted_found}/{s.unlisted}")
    if show:
        for call_id, category, said, line in s.misses:
            print(f"  MISS {call_id} {category}: {said!r}  <- {line}")
        for call_id, category, said in s.mistyped:
            print(f"  TYPE {call_id} {category}: {said}")
        for call_id, extra, line in s.false_positives:
            print(f"  FP   {call_id}: {extra!r}  <- {line}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--split", choices=SPLITS + MEASURE_ONLY + ("both", "tuning", "all"), default="all",
                        help="all (default): the seven tuning splits, and blind6 when its file exists; "
                             "tuning: the seven tuning splits only (never blind6); both: tune and heldout")
    parser.add_argument("--show", action="store_true",
                        help="list every miss and false positive (never for the measure-only split blind6)")
    parser.add_argument("--ner", choices=("spacy",), help="also score a named-entity model on names")
    parser.add_argument("--strict", action="store_true",
                        help="count a hidden \"number\" before a house number or a log's day outside an item as "
                             "a false positive")
    parser.add_argument("--spacy-model", default="en_core_web_sm")
    parser.add_argument("--data", type=Path, default=DATA, help=argparse.SUPPRESS)  # for the bench's own tests
    args = parser.parse_args(argv)
    global STRICT
    STRICT = args.strict
    if args.show and args.split in MEASURE_ONLY:
        parser.error(f"--show is refused for {args.split!r}: it is measured only, never tuned on")
    if args.split == "all":
        splits = tuple(s for s in SPLITS if s in ("tune", "heldout") or (args.data / f"{s}.txt").exists()) \
            + tuple(s for s in MEASURE_ONLY if (args.data / f"{s}.txt").exists())
    elif args.split == "tuning":
        splits = tuple(s for s in SPLITS if (args.data / f"{s}.txt").exists())
    elif args.split == "both":
        splits = ("tune", "heldout")
    else:
        splits = (args.split,)
    nlp = None
    if args.ner == "spacy":
        import spacy

        nlp = spacy.load(args.spacy_model)
    for split in splits:
        calls = load(split, args.data)
        show = args.show and split not in MEASURE_ONLY
        t0 = time.perf_counter()
        rules = score(calls, hidden_by_rules, unmarked_streets=split in UNMARKED_STREETS)
        ms = (time.perf_counter() - t0) * 1000 / max(1, len(calls))
        report(f"{split} (rules, {ms:.1f} ms per call)", rules, show)
        if args.show and not show:
            print(f"  (misses and false positives of {split!r} are not shown: it is measured only)")
        if nlp is not None:
            report(f"{split} names: spaCy {args.spacy_model} PERSON", score(calls, lambda c: hidden_by_spacy(c, nlp),
                                                                           "name"), show)
            both = score(calls, lambda c: {**hidden_by_spacy(c, nlp), **hidden_by_rules(c)}, "name")
            report(f"{split} names: rules + spaCy", both, False)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
