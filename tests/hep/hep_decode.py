#!/usr/bin/env python3
"""An independent HEP3 decoder (written from the HEP3 specification, not
from sipcause) and the checks for test-hep-encode's packets."""
import ipaddress
import json
import os
import struct
import subprocess
import sys
import tempfile


def decode(pkt):
    """Return {type: bytes}; raise ValueError on any damage."""
    if len(pkt) < 6 or pkt[:4] != b"HEP3":
        raise ValueError("no HEP3 magic")
    total = struct.unpack("!H", pkt[4:6])[0]
    if total != len(pkt):
        raise ValueError("total length %d != %d" % (total, len(pkt)))
    chunks, off = {}, 6
    while off < total:
        if off + 6 > total:
            raise ValueError("truncated chunk header")
        vendor, ctype, clen = struct.unpack("!HHH", pkt[off:off + 6])
        if vendor != 0 or clen < 6 or off + clen > total:
            raise ValueError("bad chunk at %d" % off)
        if ctype in chunks:
            raise ValueError("duplicate chunk %d" % ctype)
        chunks[ctype] = pkt[off + 6:off + clen]
        off += clen
    return chunks


def u(b):
    return int.from_bytes(b, "big")


def check(path, fam, proto, ptype, corr, password, payload_start):
    with open(path, "rb") as f:
        c = decode(f.read())
    exp = {1: 1, 2: 1, 7: 2, 8: 2, 9: 4, 10: 4, 11: 1, 12: 4}
    for t, n in exp.items():
        assert len(c[t]) == n, (path, t, c[t])
    assert u(c[1]) == (2 if fam == 4 else 10), c[1]
    assert u(c[2]) == proto
    if fam == 4:
        assert str(ipaddress.IPv4Address(c[3])) == "10.0.0.1"
        assert str(ipaddress.IPv4Address(c[4])) == "10.0.0.2"
        assert 5 not in c and 6 not in c
    else:
        assert str(ipaddress.IPv6Address(c[5])) == "::1"
        assert str(ipaddress.IPv6Address(c[6])) == "fe00::2"
        assert 3 not in c and 4 not in c
    assert u(c[7]) == 5060 and u(c[8]) == 5070
    assert u(c[9]) == 1700000000 and u(c[10]) == 123456
    assert u(c[11]) == ptype
    assert u(c[12]) == 2001
    assert c.get(14) == (password.encode() if password else None)
    assert c.get(17) == (corr.encode() if corr else None)
    assert c[19] == b"sipcause-test"
    assert c[15].startswith(payload_start), c[15]
    known = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 14, 15, 17, 19}
    assert set(c) <= known, set(c) - known


def main():
    exe = sys.argv[1]
    with tempfile.TemporaryDirectory() as d:
        subprocess.run([exe, d], check=True)
        check(os.path.join(d, "sip4.hep"), 4, 17, 1, None, "myHep",
              b"OPTIONS sip:a@b SIP/2.0\r\n")
        check(os.path.join(d, "sip6.hep"), 6, 6, 1, None, "myHep",
              b"OPTIONS sip:a@b SIP/2.0\r\n")
        check(os.path.join(d, "log.hep"), 4, 17, 100, "x1", None,
              b'{"type":"sipcause.verdict"')
        with open(os.path.join(d, "verdict.json")) as f:
            v = json.load(f)
        assert v["call_id"] == 'c"1@host', v
        assert v["code"] == 503 and v["rule"] == "overload.retry-after"
        assert v["cause"] == "trunk overloaded" and v["state"]
        assert v["evidence"] == ["no 1xx within 32 s", "Retry-After: 30"]
    print("ok: every chunk of 3 packets checked")


if __name__ == "__main__":
    main()
