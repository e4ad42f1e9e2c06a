#!/bin/sh
# Catalog analytics benchmark (see bench/catalog.ts).
#   sh bench/catalog.sh [groupby] [xmatch] [join]      default: all three
set -e
cd "$(dirname "$0")/.."
out="${TMPDIR:-/tmp}/fitsflow-catalog-bench-$$.mjs"
npx --no-install esbuild bench/catalog.ts --bundle --platform=node --format=esm --target=node20 --log-level=warning --outfile="$out"
CATALOG_PEERS_PY="$PWD/bench/catalog-peers.py" node --max-old-space-size=16384 ${NODE_FLAGS:-} "$out" "$@"
status=$?
rm -f "$out"
exit $status
