#!/bin/sh
# Writing benchmark (see bench/write.ts):  sh bench/write.sh [DIR] [RUNS]
# The tile-compression worker is built next to the bundle, where the pool looks
# for it (WRITE_BENCH_WORKERS=0: compress on one thread).
set -e
cd "$(dirname "$0")/.."
dir="bench/out/.write-bench-$$"
mkdir -p "$dir"
npx --no-install esbuild bench/write.ts --bundle --platform=node --format=esm --target=node20 --packages=external --log-level=warning --outfile="$dir/write.mjs"
if [ "${WRITE_BENCH_WORKERS:-1}" != 0 ]; then
  npx --no-install esbuild src/write/encode-worker-node.ts --bundle --platform=node --format=esm --target=node20 --packages=external --log-level=warning --outfile="$dir/encode-worker-node.js"
fi
status=0
WRITE_BENCH_PY="$PWD/bench/write.py" node --max-old-space-size=8192 "$dir/write.mjs" "$@" || status=$?
rm -rf "$dir"
exit $status
