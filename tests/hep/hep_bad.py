#!/usr/bin/env python3
"""Bad HEP into `sipcause --hep-listen` (issue #12): every damaged,
foreign or unknown packet is counted and skipped, and the good packets
around them, or after a flood from many agents, still give the calls of
the offline analysis.

Usage: hep_bad.py SIPCAUSE SAMPLES_DIR (udp|tcp)
"""
import os
import socket
import struct
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from cli_hep import (hep3, need, offline, same_calls,  # noqa: E402
                     start_listener, stop_listener, tshark_sip)


def ch(t, data, vendor=0, length=None):
    n = 6 + len(data) if length is None else length
    return struct.pack("!HHH", vendor, t, n) + data


def with_total(body):
    return b"HEP3" + struct.pack("!H", 6 + len(body)) + body


def damaged(good):
    """Damaged HEP: (packet, what is wrong)."""
    body = good[6:]
    return [
        (with_total(body + b"\x00\x00\x00"), "truncated chunk header"),
        (with_total(body + struct.pack("!HH", 0, 0x77)),
         "chunk header without its length"),
        (with_total(ch(1, b"\x02") + ch(15, b"INVITE", length=400)),
         "chunk length past the end"),
        (good[:-5], "datagram shorter than its total length"),
        (with_total(ch(2, b"\x11", length=3) + body), "chunk length < 6"),
        (with_total(b"".join(body.split(ch(15, b"")[:4])[:1])),
         "no payload chunk"),
        (with_total(ch(3, b"\x0a\x00\x00\x01") + ch(6, b"\x00" * 16) +
                    ch(15, b"OPTIONS sip:a SIP/2.0\r\n\r\n")),
         "IPv4 source, IPv6 destination"),
        (bytes([2, 28, 2, 17]) + b"\x13\xc4\x13\xc4" + b"\x7f\x00\x00\x01",
         "HEP v2 cut in its addresses"),
    ]


def foreign(frame):
    log = hep3(frame, ptype=100, extra=ch(17, b"some-call-id"))
    return [(b"not hep at all", "not HEP"), (b"HEP", "not HEP")], \
        [(log, "a type-100 log"),
         (with_total(ch(11, b"\x01") + ch(16, b"\x78\x9c\x03\x00")),
          "compressed payload")]


def with_unknown(frame):
    """Good HEP with chunk types sipcause does not know: analysed."""
    return hep3(frame, extra=ch(0x99, b"unknown chunk type") +
                ch(1, b"vendor chunk", vendor=0x1234) + ch(0x7fff, b""))


def counters(err):
    line = [x for x in err.splitlines() if "HEP packets analysed" in x][0]
    words = line.replace(",", " ").replace(";", " ").split()
    nums = [int(w) for w in words if w.isdigit()]
    return line, nums


def udp(exe, samples):
    sample = os.path.join(samples, "demo.pcap")
    want, frames = offline(exe, sample), tshark_sip(sample)
    bad = damaged(hep3(frames[0]))
    not_hep, other = foreign(frames[0])
    p, port = start_listener(exe, "udp:127.0.0.1:0")
    tx = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    dst = ("127.0.0.1", port)
    # each bad packet once, between good ones: skipped on its own
    junk = bad + not_hep + other
    assert len(frames) >= len(junk)
    for i, f in enumerate(frames):
        if i < len(junk):
            tx.sendto(junk[i][0], dst)
        tx.sendto(with_unknown(f), dst)
        time.sleep(0.002)
    # a flood from many agents (one socket each), between the calls
    agents = [socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
              for _ in range(50)]
    flood = 0
    for rnd in range(40):
        for i, a in enumerate(agents):
            pkt = bad[(rnd + i) % len(bad)][0]
            a.sendto(pkt, dst)
            flood += 1
        time.sleep(0.004)
    got, err = stop_listener(p)
    same_calls(got, want, "good HEP among damaged and unknown chunks")
    line, nums = counters(err)
    want_nums = [len(frames), len(bad) + flood, len(not_hep), len(other)]
    assert nums == want_nums, (line, want_nums)
    print("UDP: %s (flood of %d from %d agents)" % (line, flood,
                                                    len(agents)))


def tcp(exe, samples):
    sample = os.path.join(samples, "demo.pcap")
    want, frames = offline(exe, sample), tshark_sip(sample)
    p, port = start_listener(exe, "tcp:127.0.0.1:0")
    dst = ("127.0.0.1", port)
    # more agents than the listener serves at once (64): some refused
    crowd = [socket.create_connection(dst) for _ in range(70)]
    time.sleep(1)
    for c in crowd:
        c.close()
    time.sleep(0.5)
    for data in (b"GARBAGE! not HEP framing", b"HEP3\x00\x03xyz",
                 hep3(frames[0])[:-10]):
        c = socket.create_connection(dst)
        c.sendall(data)
        time.sleep(0.2)
        c.close()
    time.sleep(0.3)
    good = socket.create_connection(dst)
    for f in frames:
        good.sendall(with_unknown(f))
    good.close()
    got, err = stop_listener(p)
    same_calls(got, want, "TCP agent after a crowd and bad framing")
    line, nums = counters(err)
    # analysed, damaged, not HEP, other; agents, refused, dropped
    assert nums == [len(frames), 3, 0, 0, 68, 6, 2], line
    print("TCP:", line)


def main():
    need("tshark")
    exe, samples, proto = sys.argv[1], sys.argv[2], sys.argv[3]
    {"udp": udp, "tcp": tcp}[proto](exe, samples)
    print("ok")


if __name__ == "__main__":
    main()
