"""Reference transcripts of the real recordings in ../shared/data/real, and word error rate."""

from __future__ import annotations

import jiwer

HARVARD = {
    "spk1_snt1": "The child almost hurt the small dog.", "spk1_snt2": "Drop the two when you add the figures.",
    "spk1_snt3": "At that high level the air is pure.", "spk1_snt4": "A thin stripe runs down the middle.",
    "spk1_snt5": "Sunday is the best part of the week.", "spk2_snt1": "We are sure that one war is enough.",
    "spk2_snt2": "What joy there is in living.", "spk2_snt3": "Tear a thin sheet from the yellow pad.",
    "spk2_snt4": "Mend the coat before you go out.", "spk2_snt5": "Jump the fence and hurry up the bank.",
}
JFK = "And so my fellow Americans, ask not what your country can do for you, ask what you can do for your country."
# Another recogniser's output, published with the audio: treat the digits as uncertain.
VOICEMAIL = "Hello, please call me back. This is Daniel at 079563427. Bye."

_norm = jiwer.Compose([jiwer.ToLowerCase(), jiwer.RemovePunctuation(), jiwer.RemoveMultipleSpaces(),
                       jiwer.Strip(), jiwer.ReduceToListOfListOfWords()])


def wer(refs: list[str], hyps: list[str]) -> float:
    """Corpus word error rate, ignoring case and punctuation."""
    return jiwer.wer(refs, hyps, reference_transform=_norm, hypothesis_transform=_norm)
