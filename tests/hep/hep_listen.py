#!/usr/bin/env python3
"""sngrep -I SAMPLE -H udp:... (an independent HEP agent) into the
sipcause HEP listener: the analyzer must find the same calls and codes as
offline analysis of SAMPLE. Also Python-made HEP3, good and damaged."""
import os
import shutil
import socket
import subprocess
import sys
import time


def calls(out):
    return sorted(set(out.decode().split("\n")) - {""})


def start(drv, spec="udp:127.0.0.1:0", quiet=3):
    p = subprocess.Popen([drv, "listen", spec, str(quiet)],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    line = p.stderr.readline().decode()
    assert line.startswith("port "), line
    return p, int(line.split()[1])


def chunk(t, data):
    return (0).to_bytes(2, "big") + t.to_bytes(2, "big") + \
        (6 + len(data)).to_bytes(2, "big") + data


def hep3(payload, extra=b""):
    body = (chunk(1, b"\x02") + chunk(2, b"\x11") +
            chunk(3, bytes([10, 0, 0, 1])) + chunk(4, bytes([10, 0, 0, 2])) +
            chunk(7, (5060).to_bytes(2, "big")) +
            chunk(8, (5060).to_bytes(2, "big")) +
            chunk(9, (1700000000).to_bytes(4, "big")) +
            chunk(10, (5).to_bytes(4, "big")) + chunk(11, b"\x01") +
            extra + chunk(15, payload))
    return b"HEP3" + (6 + len(body)).to_bytes(2, "big") + body


SIP = (b"OPTIONS sip:b@10.0.0.2 SIP/2.0\r\n"
       b"Via: SIP/2.0/UDP 10.0.0.1;branch=z9hG4bK1\r\n"
       b"From: <sip:a@10.0.0.1>;tag=1\r\nTo: <sip:b@10.0.0.2>\r\n"
       b"Call-ID: py-hep-1\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n")


def python_made(drv):
    p, port = start(drv, quiet=1)
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    good = hep3(SIP, chunk(0x99, b"unknown chunk type"))
    for bad in (good[:20], good[:-5], b"HEP3\xff\xff" + good[6:],
                b"HEP3" + good[4:6] + b"\x00\x00\x00\x03\xff\xff",
                b"not hep at all"):
        s.sendto(bad, ("127.0.0.1", port))
    s.sendto(good, ("127.0.0.1", port))
    out, err = p.communicate(30)
    assert p.returncode == 0, err
    assert calls(out) == ["py-hep-1 0"], (out, err)
    assert b"packets 1 " in err, err
    # TCP: two packets in one stream, split across writes
    p, port = start(drv, "tcp:127.0.0.1:0", quiet=1)
    c = socket.create_connection(("127.0.0.1", port))
    data = good + hep3(SIP.replace(b"py-hep-1", b"py-hep-2"))
    c.sendall(data[:30])
    time.sleep(0.2)
    c.sendall(data[30:])
    time.sleep(0.2)
    c.close()
    out, err = p.communicate(30)
    assert calls(out) == ["py-hep-1 0", "py-hep-2 0"], (out, err)


def via_sngrep(drv, sample):
    if not shutil.which("sngrep"):
        print("sngrep missing: that part skipped")
        return
    offline = calls(subprocess.run([drv, "offline", sample], check=True,
                                   capture_output=True).stdout)
    p, port = start(drv)
    subprocess.run(["sngrep", "-I", sample, "-H",
                    "udp:127.0.0.1:%d" % port, "-N", "-q"],
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                   timeout=60)
    out, err = p.communicate(60)
    got = calls(out)
    assert got == offline, (got, offline, err)
    print("sngrep -H:", len(got), "calls as offline;", err.decode().strip())


def main():
    drv, sample = sys.argv[1], sys.argv[2]
    python_made(drv)
    via_sngrep(drv, sample)
    print("ok")


if __name__ == "__main__":
    main()
