"""Handler voiceprints: enrolled from stereo calls, used on mono calls, kept in the store only."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from bench.diarize_sources import SAMPLES, UNSEEN, call_mix
from callqa.pipeline.audio import load_call
from callqa.cli import main
from callqa.store import Store
from callqa.pipeline.vad import Region, speech_regions
from callqa.pipeline.voiceprints import VoiceSample, centroid, decode_vector, encode_vector, voice_sample, windows_in

need_unseen = pytest.mark.skipif(not UNSEEN.is_dir(), reason=f"unseen calls not present at {UNSEEN}")


def unit(*xs: float) -> np.ndarray:
    v = np.array(xs, np.float32)
    return v / np.linalg.norm(v)


def test_a_voiceprint_is_the_speech_weighted_centroid_of_its_samples():
    samples = [VoiceSample(unit(1, 0), 30.0, "e"), VoiceSample(unit(0, 1), 10.0, "e")]
    vp = centroid("h1", samples)
    assert vp.calls == 2 and vp.seconds == 40.0 and vp.encoder == "e"
    assert np.isclose(np.linalg.norm(vp.vector), 1) and vp.vector[0] > 2.9 * vp.vector[1]
    assert centroid("h1", []) is None
    assert np.array_equal(decode_vector(encode_vector(vp.vector)), vp.vector)


def test_windows_cover_the_speech_and_too_little_speech_gives_no_sample():
    assert windows_in([Region(0.0, 4.0)]) == [(0.0, 1.6), (1.6, 3.2), (3.2, 4.0)]
    assert windows_in([Region(1.0, 1.3)]) == [(1.0, 1.3)]

    class Never:
        name = "x"

        def embed_windows(self, *a):
            raise AssertionError("embedded too little speech")

    assert voice_sample(np.zeros(16000 * 5, np.float32), 16000, [Region(0.0, 2.0)], Never()) is None


def _calls_by_handler_voice() -> dict[str, list[Path]]:
    out: dict[str, list[Path]] = {}
    for truth in sorted(UNSEEN.glob("*.truth.json")):
        voice = json.loads(truth.read_text())["voices"]["handler"].split(":")[0]
        out.setdefault(voice, []).append(truth.with_name(truth.name.replace(".truth.json", ".wav")))
    return out


@need_unseen
def test_a_voiceprint_from_other_stereo_calls_picks_the_handler_on_a_mono_mix():
    """Enrol a handler voice from two stereo calls, then attribute a third call mixed to mono."""
    from callqa.pipeline.diarize import diarize_call
    from callqa.pipeline.speaker_encoder import default_speaker_encoder

    encoder = default_speaker_encoder()
    calls = next(paths for paths in _calls_by_handler_voice().values() if len(paths) >= 3)
    samples = []
    for path in calls[:2]:
        ch = load_call(path).channels["handler"]
        samples.append(voice_sample(ch, 16000, speech_regions(ch, 16000), encoder))
    vp = centroid("h", samples)
    x, ref = call_mix(calls[2])
    result = diarize_call(x, 16000, speech_regions(x, 16000))
    sims = result.centroids @ vp.vector
    handler_cluster = int(np.argmax(sims))
    # the reference handler is whichever cluster covers most of the handler channel's speech
    overlap = [sum(max(0.0, min(t.end_s, b) - max(t.start_s, a)) for t in result.turns if t.speaker == k
                   for a, b in ref[0]) for k in (0, 1)]
    assert handler_cluster == int(np.argmax(overlap))
    assert sims[handler_cluster] - sims[1 - handler_cluster] > 0.1, sims


def test_the_store_keeps_voiceprints_apart_lists_them_without_vectors_and_deletes_them(analyzer, tmp_path, capsys):
    from tests.test_store import record

    assert analyzer.analyze(SAMPLES / "mate.wav").voice is None     # only when asked for (the batch asks)
    analysed = analyzer.analyze(SAMPLES / "mate.wav", keep_voice=True)
    voice = analysed.voice                       # a stereo call gives its handler's voice...
    assert voice is not None and voice.seconds > 5 and voice.encoder == "resemblyzer-ge2e"
    result = analysed.to_dict()
    encoded = encode_vector(voice.vector)
    assert encoded not in json.dumps(result) and "voice" not in result   # ...beside the result, not in it
    db = f"sqlite:///{tmp_path / 'c.db'}"
    store = Store(db)
    store.upsert_calls([record("mate", handler="H-17")], None)
    store.save_analysis(result, "a" * 64, None, "w", voice)
    vp = store.voiceprint("H-17", "resemblyzer-ge2e")
    assert vp.calls == 1 and vp.seconds == voice.seconds and np.allclose(vp.vector, voice.vector)
    assert store.voiceprint("H-17", "another-encoder") is None
    listing = store.voiceprints()
    assert listing[0]["handler_id"] == "H-17" and "vector" not in listing[0]
    # nothing a reader of results or exports sees carries it
    assert encoded not in json.dumps(store.call_result("mate"), default=str)
    assert main(["export", "csv", "--db", db, "--out", str(tmp_path / "t.csv")]) == 0
    assert encoded not in (tmp_path / "t.csv").read_text()
    assert main(["voiceprints", "--db", db, "--json"]) == 0
    assert encoded not in capsys.readouterr().out
    assert main(["voiceprints", "--db", db, "--delete", "H-17"]) == 0
    assert "deleted 1 voice sample(s)" in capsys.readouterr().err
    assert store.voiceprint("H-17", "resemblyzer-ge2e") is None
    assert store.audit_entries("voiceprint_delete")[0]["details"]["handler_id"] == "H-17"
