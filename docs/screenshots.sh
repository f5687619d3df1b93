#!/usr/bin/env bash
# Screenshots of the printable pages for the docs: the HTML audit report (Chinese and English)
# and a handover receipt (交接单), from the ledger of the county_exam example with one correction
# added (so that the report shows one: a count, old -> new, with its note).
#
#     bash docs/screenshots.sh          # writes docs/report-zh.png, docs/report-en.png,
#                                       # docs/receipt-zh.png
#     PROFILE=debug bash docs/screenshots.sh   # the same pages from a debug build (quicker)
#
# Needs cargo, and Debian's `chromium` (headless) and `fonts-noto-cjk` (without a CJK font the
# Chinese text shows as boxes):
#
#     apt-get install -y chromium fonts-noto-cjk
#
# Not part of `cargo test`.
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
docs="$root/docs"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

command -v chromium >/dev/null || { echo "screenshots.sh: install chromium (apt-get install -y chromium fonts-noto-cjk)" >&2; exit 2; }
fc-list 2>/dev/null | grep -qi "CJK" || echo "screenshots.sh: warning: no CJK font found; install fonts-noto-cjk" >&2

cd "$root"
profile="${PROFILE:-release}"
flag=$([ "$profile" = release ] && echo --release || true)
cargo build $flag --quiet --bin custody --example county_exam --example demo_keys
custody="$root/target/$profile/custody"
"$root/target/$profile/examples/county_exam" --keep "$work/ledger" >/dev/null
"$root/target/$profile/examples/demo_keys" "$work/keys" --private >/dev/null
# Entry 13 collected bag QP-YW-101 with 30 papers; the custodian and the supervisor correct it.
CUSTODY_KDF=low-cost "$custody" --ledger "$work/ledger" --lang zh record correct --entry 13 \
    --bag QP-YW-101 --count 31 --note "清点时录入有误：袋内实为 31 份" \
    --sign "$work/keys/cust1.key" --sign "$work/keys/sup1.key" \
    --pass-file "$work/keys/cust1.pass" --pass-file "$work/keys/sup1.pass" >/dev/null 2>&1

# The audit finds the torn seal of the example's one honest incident: exit 1 is expected.
"$custody" --ledger "$work/ledger" --lang zh verify --html "$work/report-zh.html" >/dev/null || true
"$custody" --ledger "$work/ledger" --lang en verify --html "$work/report-en.html" >/dev/null || true
# Entry 35: the arrival at 第二中学 where the torn seal was found.
"$custody" --ledger "$work/ledger" --lang zh receipt 35 --html "$work/receipt-zh.html"

shot() { # shot PAGE OUT WIDTH HEIGHT
    timeout 180 chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
        --disable-background-networking --disable-component-update --disable-sync \
        --hide-scrollbars --user-data-dir="$(mktemp -d -p "$work")" \
        --screenshot="$2" --window-size="$3,$4" "file://$1" 2>/dev/null
    echo "wrote $2 ($(stat -c %s "$2") bytes)"
}

shot "$work/report-zh.html" "$docs/report-zh.png" 1200 2600
shot "$work/report-en.html" "$docs/report-en.png" 1200 2600
# About an A4 page at 96 dpi.
shot "$work/receipt-zh.html" "$docs/receipt-zh.png" 820 1160
