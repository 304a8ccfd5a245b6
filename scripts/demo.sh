#!/usr/bin/env bash
# Set up, then analyse every bundled sample call: a summary per call on the terminal, the result
# JSON per call in out/.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
mkdir -p out
.venv/bin/callqa analyze sample_audio/*.wav --json out/ --summary
echo "Result JSON written to out/ (one file per call)."
