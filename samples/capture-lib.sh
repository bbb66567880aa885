# capture-lib.sh - what the sample generators share: tcpdump start and
# stop, waiting for a listener, and keeping a finished capture.
# Sourced by make-samples.sh and proxy/make-proxy-samples.sh, which set
# $work (scratch folder), $out (destination), die() and tcpdump_pid.

# Start tcpdump on IFACE with FILTER writing OUT; returns once it listens.
# usage: capture_start NAME IFACE SNAPLEN OUT FILTER [NETNS]
capture_start() {
	local name=$1 iface=$2 snap=$3 file=$4 filter=$5 ns=${6:-}
	local exec=() log=$work/$name-tcpdump.log
	[ -n "$ns" ] && exec=(ip netns exec "$ns")
	"${exec[@]}" tcpdump -i "$iface" -s "$snap" -U -w "$file" "$filter" \
		2>"$log" &
	tcpdump_pid=$!
	for _ in $(seq 100); do
		grep -q "listening on" "$log" 2>/dev/null && return
		sleep 0.05
	done
	die "tcpdump did not start: $(cat "$log")"
}

# Stop the capture 1.5 s after the traffic ended (late retransmissions).
capture_stop() {
	sleep 1.5
	kill -INT "$tcpdump_pid"
	wait "$tcpdump_pid" 2>/dev/null || true
	tcpdump_pid=
}

# Wait until something listens on PORT (UDP or TCP) in namespace NETNS.
wait_port() {
	local port=$1 ns=${2:-}
	local exec=()
	[ -n "$ns" ] && exec=(ip netns exec "$ns")
	for _ in $(seq 100); do
		"${exec[@]}" ss -Hlntu "sport = :$port" | grep -q . && return
		sleep 0.05
	done
	return 1
}

# Keep a finished capture, or report why not.
# usage: keep NAME OK LOGS...
keep() {
	local name=$1 ok=$2
	shift 2
	if [ "$ok" != 1 ] || [ ! -s "$work/$name.pcap" ]; then
		echo "  $name: FAILED, $out/$name.pcap left as it was" >&2
		for log in "$@"; do
			[ -f "$log" ] || continue
			{ grep -i -m 5 'error\|unable\|cannot\|unexpected' "$log" ||
				tail -n 5 "$log"; } | sed 's/^/    | /' >&2
		done
		failed=1
		return
	fi
	# tcpdump drops root and owns what it writes: give it the folder's owner
	chown --reference="$out" "$work/$name.pcap"
	chmod 644 "$work/$name.pcap"
	mv "$work/$name.pcap" "$out/$name.pcap"
	echo "  $name: $(tcpdump -r "$out/$name.pcap" 2>/dev/null | wc -l) packets, $(stat -c %s "$out/$name.pcap") bytes"
}

