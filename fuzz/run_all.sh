#!/bin/sh
# Runs every fuzz target for SECS seconds (default 600), two at a time (a 2-core machine),
# with the documented memory limit. Seeds from fuzz/seeds/<target>/ are copied into the
# (git-ignored) corpus first; logs go to fuzz/artifacts/logs/<target>.log.
# Usage, from fuzz/:  ./run_all.sh [SECS]
set -eu
cd "$(dirname "$0")"
SECS=${1:-600}
export RUSTC_BOOTSTRAP=1
TARGETS="journal bundle draft keyfile checkpoint receipt signature"
cargo fuzz build -O -a
mkdir -p artifacts/logs
for t in $TARGETS; do
    mkdir -p corpus/$t
    cp -n seeds/$t/* corpus/$t/ 2>/dev/null || true
done
run() {
    if cargo fuzz run -O -a "$1" -- -max_total_time="$SECS" -rss_limit_mb=512 -max_len=200000 \
        -timeout=10 -print_final_stats=1 >"artifacts/logs/$1.log" 2>&1; then rc=0; else rc=$?; fi
    echo "$1: exit $rc (log: artifacts/logs/$1.log)"
}
set -- $TARGETS
while [ $# -gt 0 ]; do
    run "$1" &
    if [ $# -gt 1 ]; then run "$2" & shift; fi
    shift
    wait
done
