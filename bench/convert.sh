#!/bin/sh
# Conversion benchmark (see bench/convert.ts): sh bench/convert.sh [ROWS] [RUNS]
set -e
cd "$(dirname "$0")/.."
out="$PWD/bench/.convert-bench-$$.mjs"
npx --no-install esbuild bench/convert.ts --bundle --platform=node --format=esm --target=node20 --log-level=warning --external:@duckdb/* --outfile="$out"
node "$out" "$@"
status=$?
rm -f "$out"
exit $status
