#!/usr/bin/env python3
"""End-to-end HEP through the CLI (issue #12). Skips (77) until the
sipcause binary offers --hep-send.

1. sipcause --hep-send to a Python receiver: every packet decodes with
   hep_decode.decode, SIP messages match the offline calls and each call
   with a verdict has a type-100 log correlated by its Call-ID.
2. sipcause --hep-send to sngrep -L ... -O out.pcap; sipcause reads
   out.pcap and finds the same Call-IDs.
3. sngrep -I sample -H udp:... into sipcause --hep-listen: same calls.
"""
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from hep_decode import decode, u  # noqa: E402

SKIP = 77
HERE = os.path.dirname(os.path.abspath(__file__))
SAMPLE = os.path.join(HERE, "..", "..", "samples", "demo.pcap")


def free_port(kind=socket.SOCK_DGRAM):
    s = socket.socket(socket.AF_INET, kind)
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return p


def calls_of(exe, *args):
    out = subprocess.run([exe, "--format", "json", *args], check=True,
                         capture_output=True).stdout
    return {c["call_id"]: c for c in json.loads(out)["calls"]}


def wire(exe, offline):
    rx = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    rx.bind(("127.0.0.1", 0))
    rx.settimeout(2)
    port = rx.getsockname()[1]
    subprocess.run([exe, "--hep-send", "udp:127.0.0.1:%d" % port,
                    "--hep-id", "77", "--hep-node", "t", "--hep-password",
                    "pw", "-o", os.devnull, SAMPLE], check=True)
    sip, logs = [], {}
    try:
        while True:
            c = decode(rx.recv(65535))
            assert u(c[12]) == 77 and c[19] == b"t" and c[14] == b"pw"
            if u(c[11]) == 100:
                logs[c[17].decode()] = json.loads(c[15])
            else:
                sip.append(c[15])
    except socket.timeout:
        pass
    nmsg = sum(len(c["messages"]) for c in offline.values())
    assert len(sip) == nmsg, (len(sip), nmsg)
    for cid, call in offline.items():
        if call.get("verdict"):
            assert cid in logs, cid
            assert logs[cid]["code"] == call["verdict"]["code"]
            assert logs[cid]["category"] == call["verdict"]["category"]


def via_sngrep(exe, offline, tmp):
    if not shutil.which("sngrep"):
        return
    port = free_port()
    out = os.path.join(tmp, "out.pcap")
    rx = subprocess.Popen(["sngrep", "-N", "-q", "-L",
                           "udp:127.0.0.1:%d" % port, "-O", out],
                          stdout=subprocess.DEVNULL,
                          stderr=subprocess.DEVNULL)
    time.sleep(1)
    subprocess.run([exe, "--hep-send", "127.0.0.1:%d" % port,
                    "--hep-rate", "2000", "-o", os.devnull, SAMPLE],
                   check=True)
    time.sleep(1.5)
    rx.terminate()
    rx.wait(5)
    got = calls_of(exe, out)
    assert set(got) == set(offline), set(offline) ^ set(got)
    for cid, c in offline.items():
        assert got[cid]["verdict"]["code"] == c["verdict"]["code"], cid


def listen(exe, offline, tmp):
    if not shutil.which("sngrep"):
        return
    port = free_port()
    rx = subprocess.Popen([exe, "--hep-listen", "127.0.0.1:%d" % port,
                           "--duration", "4", "--format", "json"],
                          stdout=subprocess.PIPE)
    time.sleep(1)
    subprocess.run(["sngrep", "-I", SAMPLE, "-H",
                    "udp:127.0.0.1:%d" % port, "-N", "-q"],
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                   timeout=30)
    out, _ = rx.communicate(30)
    got = {c["call_id"]: c for c in json.loads(out)["calls"]}
    assert set(got) == set(offline), set(offline) ^ set(got)


def main():
    exe = sys.argv[1]
    helptext = subprocess.run([exe, "--help"], capture_output=True,
                              text=True)
    if "--hep-send" not in helptext.stdout + helptext.stderr:
        print("skip: sipcause has no --hep-send yet")
        return SKIP
    offline = calls_of(exe, SAMPLE)
    with tempfile.TemporaryDirectory() as tmp:
        wire(exe, offline)
        via_sngrep(exe, offline, tmp)
        listen(exe, offline, tmp)
    print("ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
