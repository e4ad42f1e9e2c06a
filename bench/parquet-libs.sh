#!/bin/sh
# Parquet library comparison (see bench/parquet-libs.ts): sh bench/parquet-libs.sh [ROWS] [RUNS]
set -e
cd "$(dirname "$0")/.."
out="$PWD/bench/.parquet-libs-$$.mjs"
npx --no-install esbuild bench/parquet-libs.ts --bundle --platform=node --format=esm --target=node20 --log-level=warning --external:@duckdb/* --external:parquet-wasm --outfile="$out"
node "$out" "$@"
status=$?
rm -f "$out"
exit $status
