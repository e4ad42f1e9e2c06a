#!/bin/sh
# Rendering benchmark (see bench/render.ts):  sh bench/render.sh [DIR] [ROUNDS]
set -e
cd "$(dirname "$0")/.."
out="bench/out/.render-bench-$$"
mkdir -p "$out"
npx --no-install esbuild bench/render.ts --bundle --platform=node --format=esm --target=node20 --packages=external --log-level=warning --outfile="$out/render.mjs"
status=0
RENDER_BENCH_PY="$PWD/bench/render_peers.py" node --max-old-space-size=8192 "$out/render.mjs" "$@" || status=$?
rm -rf "$out"
exit $status
