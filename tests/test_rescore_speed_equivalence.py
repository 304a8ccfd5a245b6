"""The faster forms re-scoring uses give exactly what the plain ones gave (issue 16, item 4).

Each speed-up kept its old form's result bit for bit, so no stored verdict moves when a store is
re-scored; these tests hold each one to the plain form it replaced.
"""

from __future__ import annotations

import numpy as np
import pytest

from callqa.pipeline.intents import questions
from callqa.pipeline.intents.model import _add_rows
from callqa.pipeline.matching import normalise

WORDS = ("what", "is", "your", "name", "tell", "me", "how", "can", "i", "we", "help", "say", "that", "again",
         "seems", "whats", "happened", "happening", "okay", "the", "a", "do", "for", "you", "may")


def _contains(words: list[str], phrase: tuple[str, ...]) -> bool:
    n = len(phrase)
    return any(tuple(words[i:i + n]) == phrase for i in range(len(words) - n + 1))


def test_asking_phrases_by_first_word_find_what_a_scan_of_every_phrase_finds() -> None:
    rng = np.random.default_rng(16)
    for _ in range(3000):
        words = [str(w) for w in rng.choice(WORDS, rng.integers(0, 12))]
        assert questions._asks_anywhere(words) == any(_contains(words, p) for p in questions.ANYWHERE), words


@pytest.mark.parametrize("text", [
    "Okay, what's your name?", "Staffordshire Police\u2019s control room. How can I help?", "  ", "",
    "I'll ring you back -- don't worry!", "'quoted' words, and 'single' ones'", "Whats happened... is it?",
    "He said: \"we're on our way\"; officers'll be there", "ΣΑΣ. ΟΔΟΣ", "tab\tseparated\nlines",
])
def test_words_of_a_text_are_its_normalised_words(text: str) -> None:
    assert questions.words_of(text) == normalise(text)


def test_question_openers_know_their_first_words() -> None:
    openers, firsts = questions._openers(("what", "could you", "is there"))
    assert {"what", "could", "is", "whats", "describe"} <= firsts
    assert all(w[0] in firsts for group in openers.values() for w in group)
    # An opener that normalises to nothing opens every sentence, as it did before.
    assert questions._openers(("?",))[1] is None


def test_adding_rows_on_flat_arrays_is_numpys_add_at_bit_for_bit() -> None:
    rng = np.random.default_rng(4)
    for _ in range(200):
        n, k = int(rng.integers(1, 30)), int(rng.integers(1, 16))
        rows = np.concatenate([np.sort(rng.integers(0, n, int(rng.integers(0, 400)))) for _ in range(2)])
        values = rng.standard_normal((len(rows), k)).astype(np.float32)
        base = rng.standard_normal((n, k)).astype(np.float32)
        expected = base.copy()
        np.add.at(expected, rows, values)
        got = _add_rows(base.copy(), rows, values)
        assert got.dtype == expected.dtype and np.array_equal(got, expected)
