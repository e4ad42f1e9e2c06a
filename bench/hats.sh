#!/bin/sh
# HATS import benchmark (see bench/hats.ts): sh bench/hats.sh [ROWS] [MAX_ROWS] [MEMORY_MB] [RUNS]
set -e
cd "$(dirname "$0")/.."
out="$PWD/bench/.hats-bench-$$.mjs"
npx --no-install esbuild bench/hats.ts --bundle --platform=node --format=esm --target=node20 --log-level=warning --outfile="$out"
HATS_PEER="$PWD/bench/hats_peer.py" node "$out" "$@"
status=$?
rm -f "$out"
exit $status
