#!/bin/sh
# memory.sh - memory per finished call, as the call-model issue asks
#
# Two synthetic captures (bench/gen-calls.py: 250 phones, overlapping
# 2 s calls) of N1 and N2 calls; for each, the peak RSS of `sipcause`
# writing a text report, and the live heap left per call. The RSS
# difference divided by the call difference is the cost of one more
# finished call, allocator overhead included. Then a flood of N2
# unanswered INVITEs (tests/hostile/gen.py calls), which the caps on open
# calls bound (text report, jsonl, and json, whose spool index sorts on
# disk past 16 MiB); FLOOD=1000000 for the size of issue #14 (targets:
# jsonl under 200 MB, text under 1.2 GB; json then spools 4.2 GB).
# usage: [FLOOD=N] bench/memory.sh [BUILD_DIR] [N1] [N2]
set -eu
build=${1:-build}
n1=${2:-20000}
n2=${3:-100000}
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for n in "$n1" "$n2"; do
	python3 "$here/gen-calls.py" "$n" "$tmp/$n.pcap"
	/usr/bin/time -f "%M" -o "$tmp/$n.rss" "$build/sipcause" -q -o /dev/null "$tmp/$n.pcap"
	echo "$n calls: peak RSS $(cat "$tmp/$n.rss") KiB; $("$build/bench/memory-per-call" "$tmp/$n.pcap")"
done
echo "RSS per extra finished call: $(( ($(cat "$tmp/$n2.rss") - $(cat "$tmp/$n1.rss")) * 1024 / (n2 - n1) )) bytes"
flood=${FLOOD:-$n2}
python3 "$here/../tests/hostile/gen.py" calls "$tmp/flood.pcap" "$flood"
for fmt in text jsonl json; do
	/usr/bin/time -f "%M" -o "$tmp/flood.rss" "$build/sipcause" -q --format "$fmt" -o /dev/null "$tmp/flood.pcap"
	echo "$flood unanswered INVITEs, $fmt: peak RSS $(cat "$tmp/flood.rss") KiB"
done
echo "$flood unanswered INVITEs, nothing kept (stream_only): $("$build/bench/memory-per-call" --stream "$tmp/flood.pcap")"
