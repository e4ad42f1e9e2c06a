#!/bin/sh
# Table operations benchmark (see bench/table-ops.ts).
#   sh bench/table-ops.sh [ROWS ...]      default: 1000000 10000000
set -e
cd "$(dirname "$0")/.."
out="${TMPDIR:-/tmp}/fitsflow-table-ops-$$.mjs"
npx --no-install esbuild bench/table-ops.ts --bundle --platform=node --format=esm --target=node20 --log-level=warning --outfile="$out"
TABLE_OPS_PY="$PWD/bench/table-ops.py" node --max-old-space-size=16384 ${NODE_FLAGS:-} "$out" "$@"
status=$?
rm -f "$out"
exit $status
