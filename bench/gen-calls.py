#!/usr/bin/env python3
"""Write a pcap with N synthetic SIP calls over UDP, for benchmarks.

usage: gen-calls.py N OUT.pcap [--spacing-ms MS] [--talk-s S]

Each call is INVITE (with SDP), 100, 180, 200 (with SDP), ACK, BYE, 200
between 250 phones (10.0.0.1-250) and a proxy: it rings for 1 s and is
answered, and the caller hangs up --talk-s (default 1) s later; a new
call starts every --spacing-ms (default 10) ms, so calls overlap and
finish all through the capture as in a busy trunk. One call in ten is rejected
with 486 instead. The messages are built here; nothing is copied from
any capture.
"""
import argparse
import struct


def checksum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    s = (s >> 16) + (s & 0xffff)
    s += s >> 16
    return ~s & 0xffff


def frame(src, dst, payload):
    udp = struct.pack("!HHHH", 5060, 5060, 8 + len(payload), 0) + payload
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), 0, 0x4000, 64,
                     17, 0, src, dst)
    ip = ip[:10] + struct.pack("!H", checksum(ip)) + ip[12:]
    return b"\x02\0\0\0\0\x02\x02\0\0\0\0\x01\x08\x00" + ip + udp


SDP = ("v=0\r\no=- {n} {n} IN IP4 {ip}\r\ns=-\r\nc=IN IP4 {ip}\r\nt=0 0\r\n"
       "m=audio {port} RTP/AVP 0 8 101\r\na=rtpmap:0 PCMU/8000\r\n"
       "a=rtpmap:8 PCMA/8000\r\na=rtpmap:101 telephone-event/8000\r\n")


def msg(first, n, cseq, caller, totag="", body="", branch="1"):
    h = [first,
         "Via: SIP/2.0/UDP %s:5060;branch=z9hG4bK%d.%s" % (caller, n, branch),
         "From: \"Caller %d\" <sip:%d@trunk.example>;tag=f%d" % (n, 1000 + n, n),
         "To: <sip:%d@carrier.example>%s" % (5550000 + n, totag),
         "Call-ID: %d-bench@%s" % (n, caller),
         "CSeq: " + cseq,
         "Max-Forwards: 70",
         "User-Agent: sipcause-bench"]
    if body:
        h.append("Content-Type: application/sdp")
    h.append("Content-Length: %d" % len(body))
    return ("\r\n".join(h) + "\r\n\r\n" + body).encode()


def call(n, t0, talk):
    # 250 phones behind one proxy, as on a busy PBX trunk
    phone = n % 250
    a = bytes([10, 0, 0, 1 + phone])
    b = bytes([203, 0, 113, 10])
    ca = "10.0.0.%d" % (1 + phone)
    ruri = "INVITE sip:%d@carrier.example SIP/2.0" % (5550000 + n)
    tag = ";tag=t%d" % n
    out = [(t0, a, b, msg(ruri, n, "1 INVITE", ca, body=SDP.format(
        n=n, ip=ca, port=20000 + 2 * (n % 10000)))),
        (t0 + 0.010, b, a, msg("SIP/2.0 100 Trying", n, "1 INVITE", ca))]
    if n % 10 == 9:
        out += [(t0 + 0.300, b, a, msg("SIP/2.0 486 Busy Here", n,
                                       "1 INVITE", ca, tag)),
                (t0 + 0.301, a, b, msg("ACK sip:%d@carrier.example SIP/2.0"
                                       % (5550000 + n), n, "1 ACK", ca, tag))]
        return out
    out += [(t0 + 0.200, b, a, msg("SIP/2.0 180 Ringing", n, "1 INVITE", ca,
                                   tag)),
            (t0 + 1.000, b, a, msg("SIP/2.0 200 OK", n, "1 INVITE", ca, tag,
                                   SDP.format(n=n, ip="203.0.113.10",
                                              port=40000 + 2 * (n % 10000)))),
            (t0 + 1.001, a, b, msg("ACK sip:%d@carrier.example SIP/2.0"
                                   % (5550000 + n), n, "1 ACK", ca, tag,
                                   branch="2")),
            (t0 + 1 + talk, a, b, msg("BYE sip:%d@carrier.example SIP/2.0"
                                   % (5550000 + n), n, "2 BYE", ca, tag,
                                   branch="3")),
            (t0 + 1.010 + talk, b, a, msg("SIP/2.0 200 OK", n, "2 BYE", ca, tag,
                                   branch="3"))]
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("n", type=int)
    ap.add_argument("out")
    ap.add_argument("--spacing-ms", type=float, default=10.0)
    ap.add_argument("--talk-s", type=float, default=1.0)
    a = ap.parse_args()
    packets = []
    for n in range(a.n):
        packets += call(n, 1700000000 + n * a.spacing_ms / 1000, a.talk_s)
    packets.sort(key=lambda p: p[0])
    with open(a.out, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1))
        for ts, src, dst, payload in packets:
            fr = frame(src, dst, payload)
            sec = int(ts)
            usec = int(round((ts - sec) * 1e6))
            f.write(struct.pack("<IIII", sec, usec, len(fr), len(fr)) + fr)


if __name__ == "__main__":
    main()
