#!/usr/bin/env bash
# Set up, then run the nightly batch once over the bundled sample export (sample_audio/manifest.csv):
# results and flags go to the SQLite store callqa.db, a run report to callqa-reports/.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
.venv/bin/callqa run sample_audio --workers 2
echo
echo "Flagged calls (callqa flags):"
.venv/bin/callqa flags
echo
echo "Runs (callqa status):"
.venv/bin/callqa status
echo
echo "A scrutiny panel's random sample (callqa panel sample) and its redacted pack (callqa panel pack):"
DRAW=$(.venv/bin/callqa panel sample --panel "Demo panel" --n 5 --min-999 1 --flagged-share 0.4 --seed 2026 --json \
       | .venv/bin/python -c 'import json, sys; print(json.load(sys.stdin)["draw_id"])')
.venv/bin/callqa panel pack "$DRAW" --out panel-packs/demo --overwrite
