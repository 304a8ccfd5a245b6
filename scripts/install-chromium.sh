#!/usr/bin/env bash
# Install Debian's Chromium for the browser tests (panel packs, review web app), unless present.
# Playwright drives it through executable_path, so no browser is downloaded from the internet.
set -euo pipefail
if command -v chromium >/dev/null; then
  echo "Chromium already installed: $(command -v chromium)"
  exit 0
fi
command -v apt-get >/dev/null || { echo "install-chromium: no apt-get; install chromium and set CALLQA_CHROMIUM" >&2; exit 1; }
SUDO=()
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "install-chromium: run as root (or install sudo)" >&2; exit 1; }
  SUDO=(sudo)
fi
"${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq
"${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core >/dev/null
echo "Chromium installed: $(command -v chromium)"
