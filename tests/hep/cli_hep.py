#!/usr/bin/env python3
"""HEP through the sipcause command line (issue #12), against peers that
are not sipcause: sngrep as HEP receiver and sender, a HEP3 decoder and
encoder written here, and tshark for what the original packets were.

Usage: cli_hep.py SIPCAUSE MODE SAMPLES_DIR
  send-wire     --hep-send to a Python socket: every chunk of every
                packet checked against tshark's reading of the sample;
                the type-100 verdict logs against the offline analysis
  send-sngrep   --hep-send to sngrep -L ... -O out.pcap (sngrep checks the
                password); sipcause reads out.pcap: same calls, verdicts
  listen-sngrep sngrep -I SAMPLE -H udp:... (HEP v3, then v2) into
                --hep-listen, stopped by SIGINT: same calls as offline;
                -w then holds the original packets (times read by tshark)
  send-tcp      --hep-send tcp: to a Python collector that drops the
                connection: framing, --hep-rate, reconnection
  send-live     -i lo --hep-send (root only)
  listen-tcp    HEP3 over TCP from Python agents, packets split across
                writes and several connections: same calls as offline
Exit 77 when a peer tool is missing.
"""
import json
import os
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from hep_decode import decode, u  # noqa: E402

SKIP = 77
ORDER_HEAD = [1, 2, 7, 8, 9, 10, 11, 12]


def need(*tools):
    for t in tools:
        if not shutil.which(t):
            print("skip: %s is not installed" % t)
            sys.exit(SKIP)


def offline(exe, sample):
    """The calls of the offline analysis, by Call-ID."""
    out = subprocess.run([exe, "--format", "json", sample], check=True,
                         capture_output=True).stdout
    return {c["call_id"]: c for c in json.loads(out)["calls"]}


def headline(call):
    return [a for a in call["attempts"] if a["headline"]][0]


def summary(call):
    """What must survive a trip through HEP: the call and its verdict."""
    v = call["verdict"]
    return (call["state"], call["caller"], call["callee"], call["first_ts"],
            headline(call)["final_code"], v["code"], v["category"],
            v["rule"], v["cause"])


def same_calls(got, want, what):
    assert set(got) == set(want), (what, set(got) ^ set(want))
    for cid in want:
        assert summary(got[cid]) == summary(want[cid]), \
            (what, cid, summary(got[cid]), summary(want[cid]))
    print("%s: %d calls, the same states and verdicts as offline"
          % (what, len(want)))


def tshark_sip(sample):
    """Each SIP frame of @sample as tshark reads it."""
    fields = ["frame.time_epoch", "ip.src", "ip.dst", "ipv6.src",
              "ipv6.dst", "ip.proto", "ipv6.nxt", "udp.srcport",
              "udp.dstport", "tcp.srcport", "tcp.dstport", "udp.payload",
              "tcp.payload"]
    cmd = ["tshark", "-r", sample, "-Y", "sip", "-T", "fields",
           "-E", "separator=|"]
    for f in fields:
        cmd += ["-e", f]
    out = subprocess.run(cmd, check=True, capture_output=True,
                         text=True).stdout
    frames = []
    for line in out.splitlines():
        d = dict(zip(fields, line.split("|")))
        sec, frac = d["frame.time_epoch"].split(".")
        v6 = bool(d["ipv6.src"])
        frames.append({
            "sec": int(sec), "usec": int(frac[:6].ljust(6, "0")),
            "family": 10 if v6 else 2,
            "src": d["ipv6.src" if v6 else "ip.src"],
            "dst": d["ipv6.dst" if v6 else "ip.dst"],
            "proto": int(d["ipv6.nxt" if v6 else "ip.proto"]),
            "sport": int(d["udp.srcport"] or d["tcp.srcport"]),
            "dport": int(d["udp.dstport"] or d["tcp.dstport"]),
            "payload": bytes.fromhex(d["udp.payload"] or d["tcp.payload"]),
        })
    return frames


def addr(raw):
    fam = socket.AF_INET6 if len(raw) == 16 else socket.AF_INET
    return socket.inet_ntop(fam, raw)


def chunk_order(pkt):
    order, off = [], 6
    while off < len(pkt):
        _, t, n = struct.unpack("!HHH", pkt[off:off + 6])
        order.append(t)
        off += n
    return order


def check_common(c, pkt, ident):
    """Agent chunks every packet carries."""
    assert u(c[12]) == ident["id"] and len(c[12]) == 4, c[12]
    assert c[14] == ident["password"].encode(), c.get(14)
    assert c[19] == ident["node"].encode(), c.get(19)
    # sngrep-style receivers read this layout; HEP3 allows any order
    order = chunk_order(pkt)
    assert order[:8] == ORDER_HEAD, order
    assert order[10:12] == [14, 15], order


def check_sip(c, pkt, f, ident):
    check_common(c, pkt, ident)
    assert set(c) == {1, 2, 7, 8, 9, 10, 11, 12, 14, 15, 19} | (
        {5, 6} if f["family"] == 10 else {3, 4}), sorted(c)
    assert u(c[1]) == f["family"], (c[1], f)
    assert u(c[2]) == f["proto"], (c[2], f)
    src, dst = (c[5], c[6]) if f["family"] == 10 else (c[3], c[4])
    assert addr(src) == f["src"] and addr(dst) == f["dst"], f
    assert u(c[7]) == f["sport"] and u(c[8]) == f["dport"], f
    assert u(c[9]) == f["sec"] and u(c[10]) == f["usec"], \
        (u(c[9]), u(c[10]), f)
    assert u(c[11]) == 1
    assert c[15] == f["payload"], (c[15][:60], f["payload"][:60])


def ts_parts(iso):
    """'2026-11-23T07:58:01.456858000Z' -> (seconds, microseconds)."""
    import calendar
    day, frac = iso.rstrip("Z").split(".")
    sec = calendar.timegm(time.strptime(day, "%Y-%m-%dT%H:%M:%S"))
    return sec, int(frac[:6])


def check_log(c, pkt, call, ident):
    check_common(c, pkt, ident)
    assert u(c[11]) == 100
    assert c[17].decode() == call["call_id"]
    j = json.loads(c[15])
    v = call["verdict"]
    assert j["type"] == "sipcause.verdict" and j["call_id"] == \
        call["call_id"], j
    assert j["state"] == call["state"], (j, call["state"])
    assert j["final_code"] == headline(call)["final_code"], j
    for k in ("code", "reason", "category", "rule", "cause", "summary"):
        assert j[k] == v[k], (k, j[k], v[k])
    assert j["evidence"] == v["evidence"], (j["evidence"], v["evidence"])
    src, dst = (c[5], c[6]) if 5 in c else (c[3], c[4])
    host = call["caller"].rsplit(":", 1)[0].strip("[]")
    assert addr(src) == host, (addr(src), call["caller"])
    assert "%s:%d" % (addr(dst), u(c[8])) == call["callee"] or \
        "[%s]:%d" % (addr(dst), u(c[8])) == call["callee"], call["callee"]
    assert (u(c[9]), u(c[10])) == ts_parts(call["last_ts"]), call["last_ts"]


def send_wire(exe, samples):
    need("tshark")
    ident = {"id": 4242, "password": "myHep", "node": "sbc-test-1"}
    for name in ("demo.pcap", "ipv6-call.pcap", "tcp-call.pcap"):
        sample = os.path.join(samples, name)
        frames = tshark_sip(sample)
        calls = offline(exe, sample)
        rx = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        rx.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 22)
        rx.bind(("127.0.0.1", 0))
        rx.settimeout(1)
        r = subprocess.run([exe, "--hep-send",
                            "udp:127.0.0.1:%d" % rx.getsockname()[1],
                            "--hep-id", str(ident["id"]), "--hep-password",
                            ident["password"], "--hep-node", ident["node"],
                            "-o", os.devnull, sample],
                           capture_output=True, text=True)
        assert r.returncode == 0, r.stderr
        pkts = []
        try:
            while True:
                pkts.append(rx.recv(65535))
        except socket.timeout:
            pass
        rx.close()
        sip, logs = [], {}
        for p in pkts:
            c = decode(p)   # raises on any damage
            if u(c[11]) == 100:
                assert c[17].decode() not in logs, "two logs for a call"
                logs[c[17].decode()] = (c, p)
            else:
                sip.append((c, p))
        assert len(sip) == len(frames), (name, len(sip), len(frames))
        for (c, p), f in zip(sip, frames):
            check_sip(c, p, f, ident)
        assert set(logs) == set(calls), (name, set(logs) ^ set(calls))
        for cid, (c, p) in logs.items():
            check_log(c, p, calls[cid], ident)
        want = "%d packets sent (%d messages, %d verdict logs)" % (
            len(pkts), len(frames), len(calls))
        assert want in r.stderr, (want, r.stderr)
        print("%s: %d SIP packets and %d verdict logs, every chunk checked"
              % (name, len(sip), len(logs)))


def sngrep_receiver(tmp, port, password):
    rc = os.path.join(tmp, "sngreprc")
    with open(rc, "w") as f:
        f.write("set eep.listen.pass %s\n" % password)
    out = os.path.join(tmp, "out-%s.pcap" % password)
    p = subprocess.Popen(["sngrep", "-F", "-f", rc, "-N", "-q", "-L",
                          "udp:127.0.0.1:%d" % port, "-O", out],
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return p, out


def free_udp_port():
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def wait_bound(port):
    """Until something listens on UDP @port (sngrep has no ready signal)."""
    hexport = ":%04X" % port
    for _ in range(100):
        with open("/proc/net/udp") as f:
            if any(hexport in line.split()[1] for line in f.readlines()[1:]):
                return
        time.sleep(0.05)
    raise AssertionError("nothing bound UDP port %d" % port)


def send_sngrep(exe, samples):
    need("sngrep")
    with tempfile.TemporaryDirectory() as tmp:
        for name in ("demo.pcap", "proxy/fork-486-200.pcap"):
            sample = os.path.join(samples, name)
            want = offline(exe, sample)
            for sent_pw in ("s3cret", "wrong"):
                port = free_udp_port()
                rx, out = sngrep_receiver(tmp, port, "s3cret")
                wait_bound(port)
                subprocess.run([exe, "--hep-send", "127.0.0.1:%d" % port,
                                "--hep-password", sent_pw, "--hep-id", "7",
                                "--hep-node", "n1", "--hep-rate", "2000",
                                "-q", "-o", os.devnull, sample], check=True)
                time.sleep(1)
                rx.send_signal(signal.SIGTERM)
                rx.wait(10)
                got = offline(exe, out)
                if sent_pw == "wrong":
                    # sngrep checked our auth-key chunk and dropped all
                    assert got == {}, list(got)
                    continue
                same_calls(got, want, "sngrep -L <- " + name)


def start_listener(exe, spec, *extra):
    p = subprocess.Popen([exe, "--hep-listen", spec, "--format", "jsonl",
                          *extra], stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE)
    line = p.stderr.readline().decode()
    assert "listening for HEP" in line, line
    return p, int(line.rsplit("port ", 1)[1].rstrip(")\n"))


def stop_listener(p):
    time.sleep(0.5)
    p.send_signal(signal.SIGINT)
    out, err = p.communicate(30)
    assert p.returncode == 0, (p.returncode, err)
    got = {}
    for line in out.decode().splitlines():
        c = json.loads(line)
        got[c["call_id"]] = c
    return got, err.decode()


def listen_sngrep(exe, samples):
    need("sngrep", "tshark")
    with tempfile.TemporaryDirectory() as tmp:
        rc2 = os.path.join(tmp, "v2rc")
        with open(rc2, "w") as f:
            f.write("set eep.send.version 2\n")
        for name in ("demo.pcap", "proxy/fork-486-200.pcap"):
            sample = os.path.join(samples, name)
            want = offline(exe, sample)
            for version, cfg in ((3, ["-F"]), (2, ["-F", "-f", rc2])):
                wpath = os.path.join(tmp, "w.pcap")
                p, port = start_listener(exe, "udp:127.0.0.1:0", "-w", wpath)
                subprocess.run(["sngrep", *cfg, "-I", sample, "-H",
                                "udp:127.0.0.1:%d" % port, "-N", "-q"],
                               stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL, timeout=60,
                               check=True)
                got, err = stop_listener(p)
                same_calls(got, want, "sngrep -H (HEP v%d) %s -> "
                           "--hep-listen" % (version, name))
                assert "%d HEP packets analysed, 0 damaged" % len(
                    tshark_sip(sample)) in err, err
                # -w: the decapsulated packets, at their original times
                orig = [(f["sec"], f["usec"], f["payload"])
                        for f in tshark_sip(sample)]
                back = [(f["sec"], f["usec"], f["payload"])
                        for f in tshark_sip(wpath)]
                assert back == orig, "-w differs from the sample"
                same_calls(offline(exe, wpath), want, "-w file of " + name)


def hep3(f, ptype=1, extra=b""):
    """A HEP3 packet written here, from tshark's reading of a frame."""
    def ch(t, data):
        return struct.pack("!HHH", 0, t, 6 + len(data)) + data
    fam = socket.AF_INET6 if f["family"] == 10 else socket.AF_INET
    a = 5 if f["family"] == 10 else 3
    body = (ch(a, socket.inet_pton(fam, f["src"])) +
            ch(a + 1, socket.inet_pton(fam, f["dst"])) +
            ch(1, bytes([f["family"]])) + ch(2, bytes([f["proto"]])) +
            ch(7, struct.pack("!H", f["sport"])) +
            ch(8, struct.pack("!H", f["dport"])) +
            ch(9, struct.pack("!I", f["sec"])) +
            ch(10, struct.pack("!I", f["usec"])) +
            ch(11, bytes([ptype])) + ch(12, struct.pack("!I", 99)) + extra +
            ch(15, f["payload"]))
    return b"HEP3" + struct.pack("!H", 6 + len(body)) + body


def listen_tcp(exe, samples):
    need("tshark")
    for name in ("demo.pcap", "tcp-call.pcap", "ipv6-call.pcap"):
        sample = os.path.join(samples, name)
        want = offline(exe, sample)
        frames = tshark_sip(sample)
        p, port = start_listener(exe, "tcp:127.0.0.1:0")
        agents = [socket.create_connection(("127.0.0.1", port))
                  for _ in range(3)]
        # each call's messages from one agent, in order; cut at odd places
        stream = {i: b"" for i in range(3)}
        for f in frames:
            cid = f["payload"].split(b"Call-ID:")[1].split(b"\r\n")[0]
            i = sum(cid) % 3
            stream[i] += hep3(f)
        for i, data in stream.items():
            for k in range(0, len(data), 997):
                agents[i].sendall(data[k:k + 997])
                time.sleep(0.001)
        for a in agents:
            a.close()
        got, err = stop_listener(p)
        same_calls(got, want, "HEP3 over TCP, %s -> --hep-listen" % name)
        assert "%d HEP packets analysed, 0 damaged" % len(frames) in err, err
        assert "3 TCP agents, 0 refused" in err, err


def read_hep_stream(conn, want=None):
    """HEP3 packets framed by their total length, until EOF or @want."""
    buf, pkts = b"", []
    while want is None or len(pkts) < want:
        data = conn.recv(65536)
        if not data:
            break
        buf += data
        while len(buf) >= 6 and len(buf) >= struct.unpack("!H", buf[4:6])[0]:
            n = struct.unpack("!H", buf[4:6])[0]
            pkts.append(decode(buf[:n]))
            buf = buf[n:]
    return pkts


def send_tcp(exe, samples):
    """--hep-send tcp: framing, pacing, and the reconnect policy: the
    collector drops the connection; packets meanwhile are counted as
    failed, the sender connects again and goes on."""
    sample = os.path.join(samples, "demo.pcap")
    nsip = len(tshark_sip(sample))
    total = nsip + len(offline(exe, sample))
    srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    srv.bind(("127.0.0.1", 0))
    srv.listen(4)
    port = srv.getsockname()[1]
    rate = 20
    t0 = time.monotonic()
    p = subprocess.Popen([exe, "--hep-send", "tcp:127.0.0.1:%d" % port,
                          "--hep-rate", str(rate), "-o", os.devnull, sample],
                         stderr=subprocess.PIPE, text=True)
    conn, _ = srv.accept()
    first = read_hep_stream(conn, 5)
    conn.close()      # the collector goes away for a while
    conn, _ = srv.accept()
    rest = read_hep_stream(conn)
    err = p.communicate(30)[1]
    elapsed = time.monotonic() - t0
    assert p.returncode == 0, err
    assert len(first) == 5, len(first)
    m = [x for x in err.splitlines() if "packets sent" in x][0]
    sent = int(m.split(": ")[2].split()[0])
    failed = int(m.split(", ")[-2 if "reconnections" in m else -1]
                 .split()[0])
    assert "1 reconnections" in m, m
    # TCP accepts a write or two before the reset of a closed peer
    # arrives: those count as sent yet are lost
    got = len(first) + len(rest)
    assert failed >= 1 and got <= sent <= got + 2, (m, got)
    assert sent + failed == total, (m, total)
    assert all(u(c[11]) in (1, 100) for c in first + rest)
    assert elapsed >= (total - 1) / rate * 0.95, elapsed
    print("TCP: %s; paced %d packets at %d/s in %.1f s" % (m, total, rate,
                                                         elapsed))
    # a collector that is not there at the start: exit 2, said why
    srv.close()
    r = subprocess.run([exe, "--hep-send", "tcp:127.0.0.1:%d" % port,
                        "-o", os.devnull, sample], capture_output=True,
                       text=True)
    assert r.returncode == 2 and "cannot connect" in r.stderr, r
    r = subprocess.run([exe, "--hep-send", "127.0.0.1", sample],
                       capture_output=True, text=True)
    assert r.returncode == 1 and "HOST:PORT" in r.stderr, r


def send_live(exe, samples):
    """-i lo --hep-send: messages captured live go out at once, and the
    verdict log follows the call (needs root for the capture)."""
    if os.geteuid() != 0:
        print("skip: live capture needs root")
        sys.exit(SKIP)
    rx = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    rx.bind(("127.0.0.1", 0))
    rx.settimeout(3)
    tx = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    tx.bind(("127.0.0.1", 0))
    sip = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sip.bind(("127.0.0.1", 0))
    sport, dport = tx.getsockname()[1], sip.getsockname()[1]
    p = subprocess.Popen([exe, "-i", "lo", "--hep-send",
                          "udp:127.0.0.1:%d" % rx.getsockname()[1],
                          "--hep-node", "live", "--hep-id", "5", "-c", "2",
                          "-q", "udp port %d" % dport],
                         stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    time.sleep(1.5)
    req = ("OPTIONS sip:b@127.0.0.1 SIP/2.0\r\n"
           "Via: SIP/2.0/UDP 127.0.0.1:%d;branch=z9hG4bK-live\r\n"
           "From: <sip:a@x>;tag=1\r\nTo: <sip:b@x>\r\n"
           "Call-ID: live-hep-1\r\nCSeq: 1 OPTIONS\r\n"
           "Content-Length: 0\r\n\r\n" % sport).encode()
    resp = req.replace(b"OPTIONS sip:b@127.0.0.1 SIP/2.0",
                       b"SIP/2.0 200 OK")
    tx.sendto(req, ("127.0.0.1", dport))
    sip.sendto(resp, ("127.0.0.1", sport))
    err = p.communicate(20)[1]
    assert p.returncode == 0, err
    got = []
    try:
        while True:
            got.append(decode(rx.recv(65535)))
    except socket.timeout:
        pass
    assert [c[15] for c in got[:2]] == [req, resp], got
    assert [u(c[7]) for c in got[:2]] == [sport, dport]
    assert len(got) == 3 and u(got[2][11]) == 100, got
    assert got[2][17] == b"live-hep-1" and all(
        c[19] == b"live" and u(c[12]) == 5 for c in got)
    assert json.loads(got[2][15])["final_code"] == 200
    print("-i lo --hep-send: 2 messages and their verdict log")


def main():
    exe, mode, samples = sys.argv[1], sys.argv[2], sys.argv[3]
    {"send-wire": send_wire, "send-sngrep": send_sngrep,
     "send-tcp": send_tcp, "send-live": send_live,
     "listen-sngrep": listen_sngrep, "listen-tcp": listen_tcp}[mode](
        exe, samples)
    print("ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
