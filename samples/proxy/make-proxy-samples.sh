#!/usr/bin/env bash
# make-proxy-samples.sh - regenerate the multi-hop sample captures here
#
# Each sample is real traffic on 127.0.0.1: a SIPp caller, Kamailio
# (kamailio.cfg in this folder: a stateful, record-routing proxy) and one
# or two SIPp callees behind it, captured by tcpdump on lo. Sample N uses
# ports 16000+10N..: the proxy on P, the caller on P+1, the callees on
# P+2 and P+3 (their unused media ports from 18000+20N).
#
# usage: sudo samples/proxy/make-proxy-samples.sh [NAME ...]  (default: all)
#   NAME is a sample without .pcap (answered, busy-486, ...).
#   OUT=DIR writes the captures to DIR instead of this folder.
# Needs root (tcpdump), kamailio (Debian package kamailio), sipp (Debian
# package sip-tester), tcpdump and ss. A sample that goes wrong keeps the
# old capture and makes the script exit 1 at the end.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
scen=$here/../scenarios
out=${OUT:-$here}
work=$(mktemp -d)
tcpdump_pid=
kamailio_pid=
callee_pids=()
failed=0

cleanup() {
	local p
	for p in "${callee_pids[@]}" "$kamailio_pid" "$tcpdump_pid"; do
		[ -n "$p" ] && kill "$p" 2>/dev/null || true
	done
	rm -rf "$work"
}
trap cleanup EXIT

die() { echo "make-proxy-samples: $*" >&2; exit 1; }
[ "$(id -u)" = 0 ] || die "run as root (tcpdump needs it)"
for tool in kamailio sipp tcpdump ss; do
	command -v "$tool" >/dev/null || die "$tool is missing"
done
mkdir -p "$out"
out=$(cd "$out" && pwd)

# shellcheck source=../capture-lib.sh
. "$here/../capture-lib.sh"

# usage: kamailio_start NAME PORT [kamailio options...]
kamailio_start() {
	local name=$1 port=$2
	shift 2
	mkdir -p "$work/$name-run"
	kamailio -f "$here/kamailio.cfg" -l "udp:127.0.0.1:$port" -DD -E \
		-m 16 -M 4 -Y "$work/$name-run" -P "$work/$name-run/pid" \
		-w "$work/$name-run" "$@" >"$work/$name-kamailio.log" 2>&1 &
	kamailio_pid=$!
	wait_port "$port"
}

kamailio_stop() {
	[ -n "$kamailio_pid" ] || return 0
	kill -TERM "$kamailio_pid" 2>/dev/null || true
	wait "$kamailio_pid" 2>/dev/null || true
	kamailio_pid=
}

# One call through the proxy.
# usage: through NAME N UAC USER CALLEE1 CALLEE2 [kamailio options] -- [caller options]
#   RING_MS=N: a callee playing uas-routed.xml rings N ms (500) before 200.
#   UAC, CALLEE1, CALLEE2: scenario files (CALLEE1/2 "-" for none).
#   USER is the Request-URI user (bob, fork, carol).
# Via branches are z9hG4bK-NAME-... (-key sample NAME) and the Call-ID is
# NAME-1@sipcause.test, so a capture differs from the last one only in
# times (and, for the 407, in the proxy's nonce).
through() {
	local name=$1 n=$2 uac=$3 user=$4 c1=$5 c2=$6
	shift 6
	local kam_opts=() uac_opts=()
	while [ $# -gt 0 ] && [ "$1" != -- ]; do kam_opts+=("$1"); shift; done
	[ $# -gt 0 ] && shift
	uac_opts=("$@")
	local p=$((16000 + 10 * n)) mp=$((18000 + 20 * n))
	local log=$work/$name ok=1 uac_rc=0 rc i scen_file
	local logs=("$log-uac.log" "$log-callee1.log" "$log-callee2.log"
		"$log-kamailio.log")

	if ! kamailio_start "$name" "$p" "${kam_opts[@]}"; then
		echo "  $name: kamailio did not start" >&2
		keep "$name" 0 "${logs[@]}"
		kamailio_stop
		return
	fi
	capture_start "$name" lo 0 "$work/$name.pcap" "udp and portrange $p-$((p + 3))"
	callee_pids=()
	i=0
	for scen_file in "$c1" "$c2"; do
		i=$((i + 1))
		[ "$scen_file" = - ] && continue
		(cd "$work" && exec sipp -sf "$scen_file" -i 127.0.0.1 \
			-p $((p + 1 + i)) -m 1 -mp $((mp + 6 * i)) -nostdin \
			-timeout 30 -key sample "$name" -d "${RING_MS:-500}" \
			>"$log-callee$i.log" 2>&1) &
		callee_pids+=($!)
		wait_port $((p + 1 + i)) || ok=0
	done
	if [ "$ok" = 1 ]; then
		(cd "$work" && exec sipp -sf "$uac" "127.0.0.1:$p" -i 127.0.0.1 \
			-p $((p + 1)) -m 1 -mp "$mp" -nostdin -timeout 30 \
			-s "$user" -cid_str "$name-%u@sipcause.test" \
			-key sample "$name" "${uac_opts[@]}" \
			>"$log-uac.log" 2>&1) || uac_rc=$?
	fi
	[ "$uac_rc" = 0 ] || ok=0
	for i in "${!callee_pids[@]}"; do
		rc=0
		wait "${callee_pids[$i]}" || rc=$?
		[ "$rc" = 0 ] || { ok=0; echo "  $name: callee $((i + 1)) exit $rc" >&2; }
	done
	callee_pids=()
	capture_stop
	kamailio_stop
	[ "$uac_rc" = 0 ] || echo "  $name: caller exit $uac_rc" >&2
	keep "$name" "$ok" "${logs[@]}"
}

S=$scen
P=$here
# 1. answered, record-routed: ACK and BYE follow the route set
sample_answered()      { through answered 0 "$P/uac-routed.xml" bob "$P/uas-routed.xml" - -- -d 1000; }
# 2. the callee's 486 relayed
sample_busy_486()      { through busy-486 1 "$S/uac-reject.xml" bob "$S/uas-busy.xml" -; }
# 3. the callee's 503 (Retry-After: 120) answered upstream with 500
sample_overload_503_to_500() { through overload-503-to-500 2 "$S/uac-reject.xml" bob "$S/uas-overload.xml" -; }
# 4. the callee never answers: fr_timer (3 s), the proxy's own 408
sample_timeout_408()   { through timeout-408 3 "$P/uac-timeout.xml" bob "$P/uas-silent.xml" -; }
# 5. parallel fork: 486 on P+2, 200 on P+3
sample_fork_486_200()  { through fork-486-200 4 "$P/uac-routed.xml" fork "$P/uas-fork-busy.xml" "$P/uas-routed.xml" -- -d 1000; }
# 6. the caller cancels after 2 s of ringing
sample_cancel_487()    { through cancel-487 5 "$S/uac-cancel.xml" bob "$P/uas-routed-cancel.xml" - -- -d 2000; }
# 7. the proxy challenges (407), the retry with credentials is answered
sample_auth_407()      { through auth-407 6 "$P/uac-routed-auth.xml" bob "$P/uas-routed.xml" - -A WITH_AUTH -- -d 1000 \
	-auth_uri bob@127.0.0.1:16060; }
# 8. no such user in the proxy's routing: its own 404
sample_notfound_404()  { through notfound-404 7 "$S/uac-reject.xml" carol - -; }
# 9. a carrier's 503 with Q.850 cause 34 answered upstream with 480
sample_carrier_503_to_480() { through carrier-503-to-480 8 "$S/uac-reject.xml" bob "$P/uas-carrier-503.xml" -; }
# 10. parallel fork: P+2 silent, P+3 rings 2 s then answers; the INVITE
#     to P+2 is sent 3 times (0, 0.5, 1.5 s) and never answered
sample_fork_unanswered_branch() { RING_MS=2000 through fork-unanswered-branch 9 "$P/uac-routed.xml" fork "$P/uas-silent.xml" "$P/uas-routed.xml" -- -d 1000; }
# 11. as 3, but the 503 is left to tm, which relays it as 500 with the
#     503's reason phrase ("500 Service Unavailable")
sample_tm_remap_503() { through tm-remap-503 10 "$S/uac-reject.xml" bob "$S/uas-overload.xml" - -A WITH_TM_REMAP; }

all="answered busy_486 overload_503_to_500 timeout_408 fork_486_200 cancel_487
auth_407 notfound_404 carrier_503_to_480 fork_unanswered_branch tm_remap_503"
if [ $# -gt 0 ]; then want=$*; else want=$all; fi
for s in $want; do
	s=${s%.pcap}
	s=${s//-/_}
	declare -F "sample_$s" >/dev/null || die "no sample named $s"
done

echo "make-proxy-samples: $(kamailio -v 2>/dev/null | head -n 1), $(sipp -v 2>/dev/null | grep -o 'SIPp v[^ ]*' | head -1), $(tcpdump --version 2>&1 | head -n 1), writing to $out"
for s in $want; do
	s=${s%.pcap}
	s=${s//-/_}
	"sample_$s"
done
if [ "$failed" != 0 ]; then
	echo "make-proxy-samples: some samples failed (see above)" >&2
	exit 1
fi
echo "make-proxy-samples: done"
