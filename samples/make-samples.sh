#!/usr/bin/env bash
# make-samples.sh - regenerate the sample captures in this folder
#
# Each sample is real traffic: SIPp (Debian package sip-tester) playing a
# caller and a callee against each other on 127.0.0.1 (::1 for IPv6),
# with scenarios from scenarios/, captured by tcpdump on lo. The TCP
# framing sample uses tcp-framing.py (real sockets, chosen send()
# boundaries) and the IPv4 fragmentation sample runs between two network
# namespaces joined by a veth pair with a 1500-byte MTU.
#
# usage: sudo samples/make-samples.sh [NAME ...]   (default: all)
#   NAME is a sample without .pcap (call-ok, demo, ...).
#   OUT=DIR writes the captures to DIR instead of this folder.
# Needs root (tcpdump, network namespaces), sipp, tcpdump, python3 and,
# for demo.pcap, mergecap (wireshark-common). A sample that cannot be
# made here is skipped with a message; a scenario that goes wrong keeps
# the old capture and makes the script exit 1 at the end.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
scen=$here/scenarios
out=${OUT:-$here}
work=$(mktemp -d)
tcpdump_pid=
failed=0
cleanup() {
	if [ -n "$tcpdump_pid" ]; then kill "$tcpdump_pid" 2>/dev/null || true; fi
	netns_down
	rm -rf "$work"
}
trap cleanup EXIT

die() { echo "make-samples: $*" >&2; exit 1; }
[ "$(id -u)" = 0 ] || die "run as root (tcpdump and namespaces need it)"
for tool in sipp tcpdump python3 ss; do
	command -v "$tool" >/dev/null || die "$tool is missing"
done
mkdir -p "$out"
out=$(cd "$out" && pwd)

# shellcheck source=capture-lib.sh
. "$here/capture-lib.sh"

# One SIPp callee against one SIPp caller, both with -m 1 (-m CALLS).
# usage: pair NAME UAS UAC PORT [options for both...] -- [options for the UAC]
# The callee listens on PORT, the caller on PORT+1; their (unused) media
# ports are PORT+2000 and PORT+2004 (SIPp also binds the next few), so
# samples 10 ports apart never collide, even when run at the same time.
# Via branches are z9hG4bK-NAME-... (-key sample NAME) and the Call-ID is
# NAME-N@sipcause.test, so a capture differs from the last one only in
# times. Environment: CALLS=N plays N calls (one a second);
# UAS_OPTS="..." adds options for the callee only; UAC_RC=N says the
# caller is expected to end with status N (a timeout).
pair() {
	local name=$1 uas=$2 uac=$3 port=$4
	shift 4
	local both=() uac_opts=() ip=127.0.0.1 remote=127.0.0.1 snap=0
	local calls=${CALLS:-1} uas_opts=()
	read -r -a uas_opts <<<"${UAS_OPTS:-}"
	while [ $# -gt 0 ] && [ "$1" != -- ]; do both+=("$1"); shift; done
	[ $# -gt 0 ] && shift
	uac_opts=("$@")
	for o in "${both[@]}"; do [ "$o" = "::1" ] && ip=::1 remote='[::1]'; done
	[ -n "${SNAPLEN:-}" ] && snap=$SNAPLEN
	local log=$work/$name
	capture_start "$name" lo "$snap" "$work/$name.pcap" \
		"port $port or port $((port + 1))"
	(cd "$work" && exec sipp -sf "$scen/$uas.xml" -i "$ip" -p "$port" \
		-m "$calls" -mp $((port + 2000)) -nostdin -timeout 60 \
		-key sample "$name" "${both[@]}" "${uas_opts[@]}" \
		>"$log-uas.log" 2>&1) &
	local uas_pid=$! uas_rc=0 uac_rc=0 ok=1
	if ! wait_port "$port"; then
		echo "  $name: the callee did not start" >&2
		kill "$uas_pid" 2>/dev/null || true
		ok=0
	else
		(cd "$work" && exec sipp -sf "$scen/$uac.xml" "$remote:$port" \
			-i "$ip" -p $((port + 1)) -m "$calls" -r 1 \
			-mp $((port + 2004)) \
			-nostdin -timeout 60 -s bob \
			-cid_str "$name-%u@sipcause.test" -key sample "$name" \
			"${both[@]}" "${uac_opts[@]}" >"$log-uac.log" 2>&1) ||
			uac_rc=$?
	fi
	wait "$uas_pid" || uas_rc=$?
	capture_stop
	[ "$uac_rc" = "${UAC_RC:-0}" ] && [ "$uas_rc" = 0 ] || ok=0
	[ "$ok" = 1 ] || echo "  $name: caller exit $uac_rc, callee exit $uas_rc" >&2
	keep "$name" "$ok" "$log-uac.log" "$log-uas.log"
}

# Foundation
sample_call_ok()        { pair call-ok uas-call uac-call 15060 -- -d 1000; }
sample_busy_486()       { pair busy-486 uas-busy uac-reject 15070; }
sample_notfound_404()   { pair notfound-404 uas-notfound uac-reject 15080 -- -s 5551234; }
sample_overload_503()   { pair overload-503 uas-overload uac-reject 15090; }
sample_cancel_487()     { pair cancel-487 uas-cancel uac-cancel 15100 -- -d 2000; }
sample_register_401_200() { pair register-401-200 uas-register uac-register 15110 -- -s alice -auth_uri sipcause.test; }
# Diagnosis (-auth_uri: the digest uri is the Request-URI, as a phone's)
sample_auth_challenge_invite() { pair auth-challenge-invite uas-invite-auth uac-invite-auth 15120 -- -d 1000 \
	-auth_uri bob@127.0.0.1:15120; }
# Two registrations: alice's credentials get 403, carol's a second 401.
sample_auth_rejected()  { CALLS=2 pair auth-rejected uas-register-reject uac-register-users 15130 -- \
	-inf "$scen/auth-rejected-users.csv" -auth_uri sipcause.test; }
# Timer A: 6 retransmissions (sent at 0, 0.5, 1.5, 3.5, 7.5, 15.5,
# 31.5 s); the caller gives up at 32 s (Timer B), exit status 1.
sample_invite_no_response() {
	UAC_RC=1 pair invite-no-response uas-no-response uac-no-response 15140 \
		-- -max_invite_retrans 6
}
sample_media_488()      { pair media-488 uas-media uac-media 15150; }
# Timer G: the callee resends its 200 9 times (0.5, 1.5, 3.5, 7.5, 11.5,
# ... 27.5 s) and sends BYE at 31.5 s instead of a tenth resend.
sample_missing_ack()    { UAS_OPTS="-max_retrans 9 -max_non_invite_retrans 9" pair missing-ack uas-no-ack uac-no-ack 15160; }
sample_address_incomplete_484() { pair address-incomplete-484 uas-incomplete uac-reject 15170 -- -s 12; }
sample_session_timer_422() { pair session-timer-422 uas-session-timer uac-session-timer 15180 -- -d 1000; }
sample_reason_q850()    { pair reason-q850 uas-unavailable-q850 uac-reject 15190; }
sample_retransmission() { pair retransmission uas-slow uac-call 15200 -- -d 1000; }
# Transport
sample_tcp_call()       { pair tcp-call uas-call uac-call 15210 -t t1 -- -d 1000; }
sample_ipv6_call()      { pair ipv6-call uas-call uac-call 15220 -i ::1 -- -d 1000; }
sample_snaplen_truncated() { SNAPLEN=300 pair snaplen-truncated uas-call uac-call 15230 -- -d 1000; }

sample_tcp_segmented() {
	local ok=1
	capture_start tcp-segmented lo 0 "$work/tcp-segmented.pcap" "tcp port 15240"
	python3 "$here/tcp-framing.py" 15240 >"$work/tcp-framing.log" 2>&1 || ok=0
	capture_stop
	keep tcp-segmented "$ok" "$work/tcp-framing.log"
}

# Two namespaces joined by a veth with MTU 1500: a large INVITE leaves
# sipcause-a in IPv4 fragments. Captured on sipcause-b's end of the veth.
netns_up() {
	ip netns add sipcause-a && ip netns add sipcause-b &&
	ip link add sc-veth-a netns sipcause-a type veth \
		peer name sc-veth-b netns sipcause-b &&
	ip -n sipcause-a addr add 10.99.0.1/24 dev sc-veth-a &&
	ip -n sipcause-b addr add 10.99.0.2/24 dev sc-veth-b &&
	ip -n sipcause-a link set lo up && ip -n sipcause-b link set lo up &&
	ip -n sipcause-a link set sc-veth-a mtu 1500 up &&
	ip -n sipcause-b link set sc-veth-b mtu 1500 up
}
netns_down() {
	local ns
	for ns in sipcause-a sipcause-b; do
		[ -e "/run/netns/$ns" ] && ip netns del "$ns" 2>/dev/null
	done
	return 0
}

sample_ipv4_fragmented() {
	local name=ipv4-fragmented
	if [ -e /run/netns/sipcause-a ] || [ -e /run/netns/sipcause-b ]; then
		echo "  $name: SKIP: namespace sipcause-a or sipcause-b already exists"
		return
	fi
	if ! netns_up 2>"$work/netns.log"; then
		echo "  $name: SKIP: cannot set up two network namespaces and a veth pair here ($(head -n 1 "$work/netns.log"))"
		netns_down
		return
	fi
	local uas_rc=0 uac_rc=0 ok=1
	capture_start "$name" sc-veth-b 0 "$work/$name.pcap" \
		"udp port 5060 or (ip[6:2] & 0x1fff != 0)" sipcause-b
	(cd "$work" && exec ip netns exec sipcause-b sipp \
		-sf "$scen/uas-call.xml" -i 10.99.0.2 -p 5060 -m 1 -nostdin \
		-timeout 60 -key sample "$name" >"$work/$name-uas.log" 2>&1) &
	local uas_pid=$!
	if ! wait_port 5060 sipcause-b; then
		kill "$uas_pid" 2>/dev/null || true
		ok=0
	else
		(cd "$work" && exec ip netns exec sipcause-a sipp \
			-sf "$scen/uac-call-large.xml" 10.99.0.2:5060 -i 10.99.0.1 \
			-p 5061 -m 1 -nostdin -timeout 60 -s bob -d 1000 \
			-cid_str "$name-%u@sipcause.test" -key sample "$name" \
			>"$work/$name-uac.log" 2>&1) || uac_rc=$?
	fi
	wait "$uas_pid" || uas_rc=$?
	capture_stop
	[ "$uac_rc" = 0 ] && [ "$uas_rc" = 0 ] || ok=0
	keep "$name" "$ok" "$work/$name-uac.log" "$work/$name-uas.log"
	netns_down
}

# The six foundation samples in one file, in time order.
sample_demo() {
	local parts=(call-ok busy-486 notfound-404 overload-503 cancel-487
		register-401-200) files=() p
	if ! command -v mergecap >/dev/null; then
		echo "  demo: SKIP: mergecap (wireshark-common) is missing"
		return
	fi
	for p in "${parts[@]}"; do
		if [ ! -s "$out/$p.pcap" ]; then
			echo "  demo: SKIP: $p.pcap is missing"
			return
		fi
		files+=("$out/$p.pcap")
	done
	mergecap -F pcap -w "$work/demo.pcap" "${files[@]}"
	keep demo 1
}

# The two long ones (about 34 s each) run in the background on their
# own ports while the others run one after another; demo comes last.
long="invite_no_response missing_ack"
short="call_ok busy_486 notfound_404 overload_503 cancel_487
register_401_200 auth_challenge_invite auth_rejected media_488
address_incomplete_484 session_timer_422 reason_q850 retransmission
tcp_call tcp_segmented ipv6_call ipv4_fragmented snaplen_truncated"
if [ $# -gt 0 ]; then want=$*; else want="$long $short demo"; fi
for s in $want; do
	s=${s%.pcap}
	s=${s//-/_}
	declare -F "sample_$s" >/dev/null || die "no sample named $s"
done

echo "make-samples: $(sipp -v 2>/dev/null | grep -o 'SIPp v[^ ]*' | head -1), $(tcpdump --version 2>&1 | head -n 1), writing to $out"
bg_pids=()
for s in $want; do
	s=${s%.pcap}
	s=${s//-/_}
	case " $long " in
	*" $s "*)
		(
			tcpdump_pid=
			trap '[ -z "$tcpdump_pid" ] || kill "$tcpdump_pid" 2>/dev/null' EXIT
			"sample_$s"
			exit "$failed"
		) &
		bg_pids+=($!)
		;;
	esac
done
for s in $want; do
	s=${s%.pcap}
	s=${s//-/_}
	case " $long demo " in
	*" $s "*) ;;
	*) "sample_$s" ;;
	esac
done
for pid in "${bg_pids[@]}"; do wait "$pid" || failed=1; done
for s in $want; do
	[ "${s//-/_}" = demo ] && sample_demo
done
if [ "$failed" != 0 ]; then
	echo "make-samples: some samples failed (see above)" >&2
	exit 1
fi
echo "make-samples: done"
