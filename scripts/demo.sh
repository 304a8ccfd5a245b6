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
