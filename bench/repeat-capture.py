#!/usr/bin/env python3
"""Write N back-to-back copies of a classic pcap, as one longer capture.

usage: repeat-capture.py IN.pcap OUT.pcap N [--token BYTES]

Copy k (0-based) has every timestamp moved by k times the span of the
input plus two seconds, so the copies follow each other in time, and
every occurrence of --token (default "-c0@sipcause.bench", the Call-ID
suffix bench/peers.sh gives SIPp) has its digit replaced by k, so each
copy's calls have Call-IDs of their own. The replacement keeps lengths,
so no record changes size. Only classic pcap (micro- or nanosecond) is
read: tcpdump writes it.
"""
import argparse
import struct
import sys

MAGICS = {
    b"\xd4\xc3\xb2\xa1": ("<", 1000000),
    b"\xa1\xb2\xc3\xd4": (">", 1000000),
    b"\x4d\x3c\xb2\xa1": ("<", 1000000000),
    b"\xa1\xb2\x3c\x4d": (">", 1000000000),
}


def records(data, endian):
    """(offset, ts_sec, ts_frac, incl_len) of every record."""
    hdr = struct.Struct(endian + "IIII")
    off = 24
    while off + 16 <= len(data):
        sec, frac, incl, _ = hdr.unpack_from(data, off)
        if off + 16 + incl > len(data):
            break
        yield off, sec, frac, incl
        off += 16 + incl


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("src")
    ap.add_argument("dst")
    ap.add_argument("n", type=int)
    ap.add_argument("--token", default="-c0@sipcause.bench")
    args = ap.parse_args()
    token = args.token.encode()
    digit = token.index(b"0")
    with open(args.src, "rb") as f:
        data = f.read()
    if data[:4] not in MAGICS:
        sys.exit("repeat-capture: %s is not a classic pcap" % args.src)
    endian, _ = MAGICS[data[:4]]
    recs = list(records(data, endian))
    if not recs:
        sys.exit("repeat-capture: %s holds no record" % args.src)
    span = recs[-1][1] - recs[0][1] + 2
    sec_fmt = struct.Struct(endian + "I")
    with open(args.dst, "wb") as out:
        out.write(data[:24])
        for k in range(args.n):
            copy = bytearray(data)
            if k:
                new = token[:digit] + str(k % 10).encode() + \
                    token[digit + 1:]
                copy = bytearray(bytes(copy).replace(token, new))
            for off, sec, _, _ in recs:
                sec_fmt.pack_into(copy, off, sec + k * span)
            out.write(memoryview(copy)[24:recs[-1][0] + 16 + recs[-1][3]])
    return 0


if __name__ == "__main__":
    sys.exit(main())
