"""Who owes the next word when the line goes quiet: silence ownership by turn order.

The caller owns a silence only while an answer is owed: the last speech before it was the
handler asking the caller something, and the caller has not answered yet (a caller's "hang
on" or "mm" is not an answer, and a handler's "take your time" after the question still
waits). Once the caller has answered, or the handler spoke last without asking, the handler
owns it; except where the caller's last reply began by putting the handler on hold ("yeah, hang
on, it's in the kitchen drawer") and the caller is the one who breaks the silence: they went to
find the answer and came back with it. The speech detector's regions decide who spoke last, so
a short "Right." the recogniser dropped still counts as the handler's turn.
"""

from __future__ import annotations

from dataclasses import dataclass

from callqa.pipeline.matching import Token
from callqa.pipeline.vad import Region

EDGE_S = 0.05  # regions ending this close after the gap's start still came before it


@dataclass(frozen=True)
class Ownership:
    owner: str          # "handler" or "caller"
    why: str            # one line a QA lead can check against the recording


def _last_end(regions: list[Region], before_s: float) -> float | None:
    ends = [r.end_s for r in regions if r.end_s <= before_s + EDGE_S]
    return max(ends) if ends else None


def _sentences(tokens: list[Token]) -> list[list[Token]]:
    out: list[list[Token]] = [[]]
    for token in tokens:
        out[-1].append(token)
        if token.ends_sentence:
            out.append([])
    return [s for s in out if s]


def silence_owner(gap_start_s: float, timelines: dict[str, list[Region]], handler_tokens: list[Token],
                  caller_tokens: list[Token], asks, holding_words: set[str], aside_words: set[str],
                  holding_phrases: tuple[tuple[str, ...], ...] = ()) -> Ownership:
    """Owner of the silence starting at `gap_start_s`.

    `asks(words: list[Token]) -> bool` says whether a handler sentence asks the caller something;
    `holding_words` are the words of a caller's holding reply ("hang on", "mm", "one sec");
    `aside_words` those of a handler's aside after a question that still waits for the answer
    ("take your time", "no rush"); `holding_phrases` the normalised holding phrases of two words
    or more ("hang on", "bear with me"), which put the handler on hold whatever follows them.
    """
    handler_regions, caller_regions = timelines.get("handler", []), timelines.get("caller", [])
    handler_end = _last_end(handler_regions, gap_start_s)
    if handler_end is None:
        return Ownership("handler", "the handler had not spoken yet")
    spoken = [t for t in handler_tokens if t.start_s <= gap_start_s + EDGE_S]
    question = None
    for sentence in reversed(_sentences(spoken)):
        if asks(sentence):
            question = sentence
            break
        if any(t.norm not in aside_words for t in sentence):
            break  # the handler moved on after the question: it is no longer waiting
    if question is None:
        return Ownership("handler", "the handler spoke last without asking the caller anything")
    asked_at = question[0].start_s
    for region in caller_regions:
        if not (asked_at + 0.3 < region.start_s and region.end_s <= gap_start_s + EDGE_S):
            continue
        words = [t for t in caller_tokens if region.start_s - 0.3 <= t.start_s <= region.end_s + 0.3]
        if _is_answer(words, holding_words):
            last_reply = [t for t in caller_tokens if handler_end - 0.3 <= t.start_s <= gap_start_s + EDGE_S]
            if _puts_on_hold(last_reply, holding_words, holding_phrases) \
                    and _next_speaker(timelines, gap_start_s) == "caller":
                return Ownership("caller", "the caller put the handler on hold to find the answer and came back "
                                           "with it")
            return Ownership("handler", "the caller had answered the handler's question")
    return Ownership("caller", "the handler asked and the caller had not answered yet")


# A holding phrase counts only at the start of the reply, after at most this many fillers
# ("yeah", "okay", "mm"): in "it's a green one, hang on" the answer came first.
HOLD_AT_MOST_AFTER = 2


def _puts_on_hold(words: list[Token], holding_words: set[str], holding_phrases: tuple[tuple[str, ...], ...]) -> bool:
    """Whether a reply opens with a holding phrase ("yeah, hang on, ...") after only fillers."""
    norms = [t.norm for t in words]
    for start in range(min(HOLD_AT_MOST_AFTER, len(norms)) + 1):
        if any(tuple(norms[start:start + len(p)]) == p for p in holding_phrases):
            return True
        if start < len(norms) and norms[start] not in holding_words | YES:
            return False
    return False


def _next_speaker(timelines: dict[str, list[Region]], gap_start_s: float) -> str | None:
    """Who speaks first after the gap that starts at `gap_start_s`."""
    starts = [(r.start_s, speaker) for speaker, regions in timelines.items() for r in regions
              if r.start_s > gap_start_s + EDGE_S]
    return min(starts)[1] if starts else None


YES = {"yes", "yeah", "yep", "no", "nope"}


def _is_answer(words: list[Token], holding_words: set[str]) -> bool:
    """A reply is an answer unless it is only holding words ("yeah, hang on"); a bare "yes" or
    "no" answers, and speech whose words the recogniser lost counts as an answer."""
    norms = [t.norm for t in words]
    if not norms or any(n not in holding_words | YES for n in norms):
        return True
    return all(n in YES for n in norms)
