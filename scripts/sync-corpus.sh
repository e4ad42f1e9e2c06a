#!/usr/bin/env bash
# Refresh test/corpus from ../shared/corpus (the shared truth), so tests pass on
# a fresh clone where ../shared does not exist.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
src="$here/../shared/corpus"
[ -d "$src" ] || { echo "no $src" >&2; exit 1; }
rm -rf "$here/test/corpus"
cp -r "$src" "$here/test/corpus"
echo "test/corpus refreshed from $src"
