#!/bin/sh
# build-release.sh - the optimised build the speed figures are for
#
# A release build with link-time and profile-guided optimisation: built
# once instrumented, run on a training set, and built again with the
# profile. The training set is not the benchmark's capture: 40,000
# synthetic calls from gen-calls.py (a proxy and 250 phones, ~1300 calls
# overlapping, one in ten rejected with 486) read as text on two threads
# and on one, then it and the bundled samples (failures, TCP, fragments,
# IPv6, a proxy) each read as text, json and jsonl.
#
# usage: bench/build-release.sh [BUILD_DIR]      (default: build-release)
set -eu

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
build=${1:-build-release}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

opts="--buildtype=release -Db_lto=true -Db_pgo=generate"
if [ -f "$build/build.ninja" ]; then
	# shellcheck disable=SC2086
	meson configure "$build" $opts
else
	# shellcheck disable=SC2086
	meson setup "$build" "$root" $opts
fi
find "$build" -name '*.gcda' -delete
ninja -C "$build" sipcause bench/rawloop

python3 "$here/gen-calls.py" 40000 "$tmp/train.pcap" --spacing-ms 1.5
"$build/bench/rawloop" "$tmp/train.pcap" >/dev/null
# the default use weighs most: a text report of a big file, on two
# threads and on one; then every format once on each capture
for threads in 1 2; do
	"$build/sipcause" -q --threads "$threads" -o /dev/null "$tmp/train.pcap"
done
for f in "$tmp/train.pcap" "$root"/samples/*.pcap "$root"/samples/proxy/*.pcap; do
	for fmt in text json jsonl; do
		"$build/sipcause" -q --format "$fmt" -o /dev/null "$f" || :
	done
	# json into a file: calls go into it directly (report/json_spool.c)
	"$build/sipcause" -q --format json -o "$tmp/out.json" "$f" || :
done

meson configure "$build" -Db_pgo=use
ninja -C "$build" sipcause bench/rawloop
echo "build-release: $build/sipcause, trained on $(ls "$root"/samples/*.pcap \
	"$root"/samples/proxy/*.pcap | wc -l) samples and 40,000 synthetic calls"
