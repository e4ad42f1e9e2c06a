#!/bin/sh
# Writing benchmark (see bench/write.ts):  sh bench/write.sh [DIR] [RUNS]
set -e
cd "$(dirname "$0")/.."
out="bench/out/.write-bench-$$.mjs"
mkdir -p bench/out
npx --no-install esbuild bench/write.ts --bundle --platform=node --format=esm --target=node20 --packages=external --log-level=warning --outfile="$out"
WRITE_BENCH_PY="$PWD/bench/write.py" node --max-old-space-size=8192 "$out" "$@"
status=$?
rm -f "$out"
exit $status
