#!/usr/bin/env bash
# make-samples.sh - regenerate the sample captures in this folder
#
# Each sample is real traffic: SIPp (Debian package sip-tester) playing a
# caller and a callee against each other on 127.0.0.1, with scenarios
# from scenarios/, captured by tcpdump on lo. The TCP framing sample uses
# tcp-framing.py (real sockets, chosen send() boundaries) and the IPv4
# fragmentation sample runs between two network namespaces joined by a
# veth pair with a 1500-byte MTU.
#
# usage: sudo samples/make-samples.sh [NAME ...]   (default: all)
# Needs root (tcpdump, network namespaces), sipp, tcpdump, python3 and,
# for demo.pcap, mergecap (wireshark-common).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
scen=$here/scenarios
work=$(mktemp -d)
tcpdump_pid=
cleanup() {
	[ -n "$tcpdump_pid" ] && kill "$tcpdump_pid" 2>/dev/null
	rm -rf "$work"
	ip netns del sipcause-a 2>/dev/null || true
	ip netns del sipcause-b 2>/dev/null || true
}
trap cleanup EXIT

die() { echo "make-samples: $*" >&2; exit 1; }
[ "$(id -u)" = 0 ] || die "run as root (tcpdump and namespaces need it)"
for tool in sipp tcpdump python3; do
	command -v "$tool" >/dev/null || die "$tool is missing"
done

# Start tcpdump on @iface with @filter writing @out; returns when it
# listens. Usage: capture_start IFACE SNAPLEN OUT FILTER [netns]
capture_start() {
	local iface=$1 snap=$2 out=$3 filter=$4 ns=${5:-}
	local exec=()
	[ -n "$ns" ] && exec=(ip netns exec "$ns")
	"${exec[@]}" tcpdump -i "$iface" -s "$snap" -U -w "$out" "$filter" \
		2>"$work/tcpdump.log" &
	tcpdump_pid=$!
	for _ in $(seq 50); do
		grep -q "listening on" "$work/tcpdump.log" 2>/dev/null && return
		sleep 0.1
	done
	die "tcpdump did not start: $(cat "$work/tcpdump.log")"
}

# Stop the capture ~1.5 s after the traffic ended (late retransmissions).
capture_stop() {
	sleep 1.5
	kill -INT "$tcpdump_pid"
	wait "$tcpdump_pid" 2>/dev/null || true
	tcpdump_pid=
}

# Wait until something listens on @port (UDP or TCP) in namespace @ns.
wait_port() {
	local port=$1 ns=${2:-}
	local exec=()
	[ -n "$ns" ] && exec=(ip netns exec "$ns")
	for _ in $(seq 50); do
		"${exec[@]}" ss -lntu | grep -q ":$port " && return
		sleep 0.1
	done
	die "nothing listens on port $port"
}

# One SIPp callee against one SIPp caller.
# usage: pair NAME UAS UAC PORT [options for both...] -- [options for the UAC]
# The callee listens on PORT, the caller uses PORT+1; RTP echo ports are
# kept apart so that scenarios may run one after the other quickly.
pair() {
	local name=$1 uas=$2 uac=$3 port=$4
	shift 4
	local both=() uac_opts=() ip=127.0.0.1 remote=127.0.0.1 snap=0
	while [ $# -gt 0 ] && [ "$1" != -- ]; do both+=("$1"); shift; done
	[ $# -gt 0 ] && shift
	uac_opts=("$@")
	for o in "${both[@]}"; do [ "$o" = "::1" ] && ip=::1 remote='[::1]'; done
	[ -n "${SNAPLEN:-}" ] && snap=$SNAPLEN
	echo "  $name"
	capture_start lo "$snap" "$work/$name.pcap" "port $port or port $((port + 1))"
	(cd "$work" && sipp -sf "$scen/$uas.xml" -i "$ip" -p "$port" -m 1 \
		-mp $((port + 2000)) -nostdin -timeout 60 "${both[@]}" \
		>"$work/$name-uas.log" 2>&1) &
	local uas_pid=$!
	wait_port "$port"
	(cd "$work" && sipp -sf "$scen/$uac.xml" "$remote:$port" -i "$ip" \
		-p $((port + 1)) -m 1 -mp $((port + 2100)) -nostdin -timeout 60 \
		-s bob -cid_str "$name-%u@sipcause.test" "${both[@]}" \
		"${uac_opts[@]}" >"$work/$name-uac.log" 2>&1) || true
	wait "$uas_pid" || true
	capture_stop
	mv "$work/$name.pcap" "$here/$name.pcap"
}

sample_call_ok()        { pair call-ok uas-call uac-call 15060 -- -d 1000; }
sample_busy_486()       { pair busy-486 uas-busy uac-reject 15070; }
sample_notfound_404()   { pair notfound-404 uas-notfound uac-reject 15080 -- -s 5551234; }
sample_overload_503()   { pair overload-503 uas-overload uac-reject 15090; }
sample_cancel_487()     { pair cancel-487 uas-cancel uac-cancel 15100 -- -d 2000; }
sample_register_401_200() { pair register-401-200 uas-register uac-register 15110 -- -s alice; }
sample_auth_challenge_invite() { pair auth-challenge-invite uas-invite-auth uac-invite-auth 15120 -- -d 1000; }
sample_auth_rejected()  { pair auth-rejected uas-register-reject uac-register 15130 -- -s alice; }
sample_invite_no_response() { pair invite-no-response uas-no-response uac-no-response 15140 -max_retrans 6; }
sample_media_488()      { pair media-488 uas-media uac-media 15150; }
sample_missing_ack()    { pair missing-ack uas-no-ack uac-no-ack 15160; }
sample_address_incomplete_484() { pair address-incomplete-484 uas-incomplete uac-reject 15170 -- -s 12; }
sample_session_timer_422() { pair session-timer-422 uas-session-timer uac-session-timer 15180 -- -d 1000; }
sample_reason_q850()    { pair reason-q850 uas-unavailable-q850 uac-reject 15190; }
sample_retransmission() { pair retransmission uas-slow uac-call 15200 -- -d 1000; }
sample_tcp_call()       { pair tcp-call uas-call uac-call 15210 -t t1 -- -d 1000; }
sample_ipv6_call()      { pair ipv6-call uas-call uac-call 15220 -i ::1 -- -d 1000; }
sample_snaplen_truncated() { SNAPLEN=300 pair snaplen-truncated uas-call uac-call 15230 -- -d 1000; }

sample_tcp_segmented() {
	echo "  tcp-segmented"
	capture_start lo 0 "$work/tcp-segmented.pcap" "tcp port 15240"
	python3 "$here/tcp-framing.py" 15240
	capture_stop
	mv "$work/tcp-segmented.pcap" "$here/tcp-segmented.pcap"
}

# Two namespaces joined by a veth with MTU 1500: a large INVITE leaves
# sipcause-a in IPv4 fragments.
sample_ipv4_fragmented() {
	echo "  ipv4-fragmented"
	if ! ip netns add sipcause-a 2>/dev/null || ! ip netns add sipcause-b; then
		echo "    SKIP: cannot create network namespaces here"
		return
	fi
	ip link add sc-veth-a type veth peer name sc-veth-b
	ip link set sc-veth-a netns sipcause-a
	ip link set sc-veth-b netns sipcause-b
	ip -n sipcause-a addr add 10.99.0.1/24 dev sc-veth-a
	ip -n sipcause-b addr add 10.99.0.2/24 dev sc-veth-b
	for ns in sipcause-a sipcause-b; do
		ip -n "$ns" link set lo up
	done
	ip -n sipcause-a link set sc-veth-a mtu 1500 up
	ip -n sipcause-b link set sc-veth-b mtu 1500 up
	capture_start sc-veth-b 0 "$work/ipv4-fragmented.pcap" "udp or (ip[6:2] & 0x1fff != 0)" sipcause-b
	(cd "$work" && ip netns exec sipcause-b sipp -sf "$scen/uas-call.xml" \
		-i 10.99.0.2 -p 5060 -m 1 -nostdin -timeout 60 \
		>"$work/frag-uas.log" 2>&1) &
	local uas_pid=$!
	wait_port 5060 sipcause-b
	(cd "$work" && ip netns exec sipcause-a sipp -sf "$scen/uac-call-large.xml" \
		10.99.0.2:5060 -i 10.99.0.1 -p 5061 -m 1 -nostdin -timeout 60 \
		-s bob -d 1000 -cid_str "ipv4-fragmented-%u@sipcause.test" \
		>"$work/frag-uac.log" 2>&1) || true
	wait "$uas_pid" || true
	capture_stop
	mv "$work/ipv4-fragmented.pcap" "$here/ipv4-fragmented.pcap"
	ip netns del sipcause-a
	ip netns del sipcause-b
}

# The six basic scenarios in one file, in time order.
sample_demo() {
	echo "  demo"
	command -v mergecap >/dev/null || { echo "    SKIP: mergecap missing"; return; }
	mergecap -F pcap -w "$here/demo.pcap" "$here/call-ok.pcap" \
		"$here/busy-486.pcap" "$here/notfound-404.pcap" \
		"$here/overload-503.pcap" "$here/cancel-487.pcap" \
		"$here/register-401-200.pcap"
}

all="call_ok busy_486 notfound_404 overload_503 cancel_487 register_401_200
auth_challenge_invite auth_rejected media_488 address_incomplete_484
session_timer_422 reason_q850 retransmission tcp_call ipv6_call
snaplen_truncated tcp_segmented ipv4_fragmented missing_ack
invite_no_response demo"
want=${*:-$all}
echo "make-samples: $(sipp -v 2>/dev/null | grep -o 'SIPp v[^ ]*' | head -1), $(tcpdump --version 2>&1 | head -1)"
for s in $want; do
	"sample_${s//-/_}"
done
