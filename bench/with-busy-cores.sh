#!/bin/sh
# Run a command while one busy process per core competes for the CPU (issue 17: "measure with a competing busy
# process per core"), then stop them. The busy processes are plain spin loops at normal priority.
#   sh bench/with-busy-cores.sh node bench/compressed-read.mjs --runs 9
if [ "$#" -eq 0 ] || [ "$1" = "--help" ]; then
  echo "usage: sh bench/with-busy-cores.sh COMMAND [ARGS...]   (one spinning process per core while COMMAND runs)"
  exit 2
fi
cores=$(nproc)
pids=""
i=0
while [ "$i" -lt "$cores" ]; do
  node -e 'for (;;) {}' &
  pids="$pids $!"
  i=$((i + 1))
done
trap 'kill $pids 2>/dev/null' EXIT INT TERM
sleep 0.5
echo "# $cores busy process(es) running; load average $(cut -d' ' -f1-3 /proc/loadavg)"
"$@"
status=$?
echo "# load average at the end $(cut -d' ' -f1-3 /proc/loadavg)"
exit $status
