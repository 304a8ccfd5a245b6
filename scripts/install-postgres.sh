#!/usr/bin/env bash
# Install the PostgreSQL server binaries (initdb, postgres) that tests/test_store.py uses to start a
# throwaway cluster, unless they are already there. Safe to run again (it does nothing then).
# Debian/Ubuntu (apt) only; needs root or sudo when it has to install. No system cluster is created
# or started: the tests make their own in a temp dir and stop it.
set -euo pipefail

bindir() {  # the same search as tests/pg.py: $CALLQA_PG_BINDIR, PATH, then /usr/lib/postgresql/*/bin
  local dir found
  if [ -n "${CALLQA_PG_BINDIR:-}" ]; then
    [ -x "$CALLQA_PG_BINDIR/initdb" ] && [ -x "$CALLQA_PG_BINDIR/postgres" ] && { echo "$CALLQA_PG_BINDIR"; return 0; }
    return 1
  fi
  found=$(command -v initdb 2>/dev/null || true)
  if [ -n "$found" ]; then
    dir=$(dirname "$(readlink -f "$found")")
    [ -x "$dir/postgres" ] && { echo "$dir"; return 0; }
  fi
  for found in $(ls -1d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
    [ -x "$found/initdb" ] && [ -x "$found/postgres" ] && { echo "$found"; return 0; }
  done
  return 1
}

if dir=$(bindir); then
  echo "PostgreSQL server already installed: $dir"
  exit 0
fi

if ! command -v apt-get >/dev/null; then
  echo "install-postgres: no apt-get here; install the PostgreSQL server (initdb, postgres) another way" >&2
  exit 1
fi
SUDO=()
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "install-postgres: run as root (or install sudo)" >&2; exit 1; }
  SUDO=(sudo)
fi

# Debian's package would create and start a "main" cluster on port 5432; the tests need none.
"${SUDO[@]}" mkdir -p /etc/postgresql-common/createcluster.d
echo "create_main_cluster = false" | "${SUDO[@]}" tee /etc/postgresql-common/createcluster.d/callqa.conf >/dev/null

"${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq
"${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends postgresql >/dev/null

if ! dir=$(bindir); then
  echo "install-postgres: installed the postgresql package but found no initdb/postgres" >&2
  exit 1
fi
echo "PostgreSQL server installed: $dir"
