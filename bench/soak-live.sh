#!/bin/sh
# soak-live.sh - live capture for ten minutes at a steady call rate
#
# Starts `sipcause -i lo --stats-interval 10 --format jsonl -o /dev/null`
# (as root, so it drops to nobody as a real run would), then SIPp's
# built-in uas and uac on 127.0.0.1 making RATE calls/s (default 200) for
# SECONDS (default 600). Every 10 s it records sipcause's resident memory
# (VmRSS, and RssAnon: VmRSS less the -B capture ring, which counts once
# touched) next to its own --stats-interval line (packets, kernel and
# interface drops, calls open and finished). At the end: a table, the
# closing counters, SIPp's call counts, and the check of issue #11:
# memory is flat, the mean of the last minute within 10% of the mean of
# the second minute, for both figures. Exit 0 when flat, 1 otherwise.
#
# Not part of `meson test`: it takes SECONDS + ~15 s and needs root.
#
# usage: bench/soak-live.sh [BUILD_DIR]     (default: build)
#   RATE=N calls/s, SOAK_SECONDS=N length (at least 120), PORT=N the uas port (uac: PORT+1),
#   IFACE=NAME (default lo), BUFFER_KIB=N the -B kernel buffer (default
#   65536), FILTER=EXPR the BPF filter (default: UDP on the two SIPp
#   ports, so that other traffic on a shared machine's lo is not
#   measured; FILTER=none captures everything, as `sipcause -i lo` does)
set -eu

here=$(cd "$(dirname "$0")" && pwd)
build=$(cd "${1:-build}" && pwd)
rate=${RATE:-200}
secs=${SOAK_SECONDS:-600}
port=${PORT:-5070}
iface=${IFACE:-lo}
buffer=${BUFFER_KIB:-65536}
filter=${FILTER:-udp and (port $port or port $((port + 1)))}
[ "$filter" != none ] || filter=
tmp=$(mktemp -d)
chmod 755 "$tmp"
pids=
trap cleanup EXIT
trap 'exit 1' INT TERM

cleanup() {
	for p in $pids; do kill "$p" 2>/dev/null || :; done
	rm -rf "$tmp"
}

die() {
	echo "soak: $*" >&2
	exit 1
}

[ "$(id -u)" = 0 ] || die "needs root (capture on $iface)"
command -v sipp >/dev/null || die "needs sipp (Debian: sip-tester)"
[ -x "$build/sipcause" ] || die "no $build/sipcause (build first)"
! ss -Hlnu "sport = :$port or sport = :$((port + 1))" | grep -q . ||
	die "UDP port $port or $((port + 1)) is busy (set PORT)"

# A copy, so that rebuilding during the soak does not touch the process.
cp "$build/sipcause" "$tmp/sipcause"

"$tmp/sipcause" -i "$iface" -B "$buffer" ${filter:+-f "$filter"} \
	--stats-interval 10 --format jsonl -o /dev/null 2>"$tmp/sipcause.err" &
sc=$!
pids="$sc"
i=0
until grep -q "listening on" "$tmp/sipcause.err" 2>/dev/null; do
	i=$((i + 1))
	[ $i -lt 100 ] || die "sipcause did not start: $(cat "$tmp/sipcause.err")"
	sleep 0.1
done

(cd "$tmp" && exec sipp -sn uas -i 127.0.0.1 -p "$port" -nostdin \
	>"$tmp/uas.log" 2>&1) &
uas=$!
pids="$pids $uas"
sleep 1
(cd "$tmp" && exec sipp -sn uac "127.0.0.1:$port" -i 127.0.0.1 \
	-p "$((port + 1))" -r "$rate" -m "$((rate * secs))" -nostdin \
	-timeout "$((secs + 60))" -trace_stat -fd 10 \
	-cid_str '%u-soak@sipcause.bench' >"$tmp/uac.log" 2>&1) &
uac=$!
pids="$pids $uac"

# One sample every 10 s: seconds since the start, VmRSS in KiB.
start=$(date +%s)
echo "soak: $rate calls/s for $secs s on $iface, -B $buffer," \
	"filter '${filter:-none}' (sipcause pid $sc)"
printf '%6s %10s %10s\n' "t (s)" "RSS (KiB)" "anon (KiB)"
: >"$tmp/rss"
t=0
while [ "$t" -lt "$secs" ]; do
	wait_s=$((start + t + 10 - $(date +%s)))
	[ "$wait_s" -le 0 ] || sleep "$wait_s"
	t=$((t + 10))
	kill -0 "$sc" 2>/dev/null || die "sipcause died: $(tail -n 3 "$tmp/sipcause.err")"
	# VmRSS counts the capture ring (-B, mapped from the socket) once
	# touched; RssAnon is the process's own memory (heap, stacks)
	set -- $(awk '/^VmRSS:/ { r = $2 } /^RssAnon:/ { a = $2 }
		END { print r, a }' "/proc/$sc/status")
	echo "$t $1 $2" >>"$tmp/rss"
	printf '%6d %10d %10d\n' "$t" "$1" "$2"
done

wait "$uac" || echo "soak: SIPp caller exited $? (counts below)" >&2
pids="$sc $uas"
sleep 2
kill -INT "$sc"
wait "$sc" || echo "soak: sipcause exited $?" >&2
kill "$uas" 2>/dev/null || :
wait "$uas" 2>/dev/null || :
pids=

echo
echo "sipcause --stats-interval lines:"
grep -E ' packets [0-9]+' "$tmp/sipcause.err" | sed 's/^sipcause: /  /'
echo "sipcause closing counters:"
grep -E 'captured|dropped' "$tmp/sipcause.err" | sed 's/^sipcause: /  /'
echo "SIPp caller (last statistics):"
stat=$(ls "$tmp"/uac_*_.csv 2>/dev/null | head -n 1)
if [ -n "$stat" ]; then
	python3 - "$stat" <<'EOF'
import csv, sys
rows = list(csv.reader(open(sys.argv[1]), delimiter=';'))
head, last = rows[0], rows[-1]
for name in ('ElapsedTime(C)', 'CallRate(C)', 'TotalCallCreated',
             'SuccessfulCall(C)', 'FailedCall(C)', 'Retransmissions(C)'):
    if name in head:
        print('  %-20s %s' % (name, last[head.index(name)]))
EOF
else
	tail -n 5 "$tmp/uac.log" | sed 's/^/  /'
fi

# Second minute: samples at 70..120 s; last minute: the last six. Both
# the RSS and its anonymous part must be flat.
flat() {
	awk -v secs="$secs" -v col="$1" -v name="$2" '
	$1 > 60 && $1 <= 120 { a += $col; na++ }
	$1 > secs - 60 { b += $col; nb++ }
	END {
		if (!na || !nb) { print "soak: too few samples"; exit 1 }
		a /= na; b /= nb
		d = (b - a) / a * 100
		printf "%s mean, second minute %.0f KiB, last minute %.0f KiB " \
		       "(%+.1f%%): %s\n", name, a, b, d,
		       (d <= 10 && d >= -10) ? "flat" : "NOT FLAT"
		exit !(d <= 10 && d >= -10)
	}' "$tmp/rss"
}
status=0
flat 2 RSS || status=1
flat 3 "RSS anon" || status=1
exit $status
