#!/usr/bin/env python3
"""The JSON spool and B2BUA legs linked after one of them was written.

--format json writes each finished call to a temporary file at once. A
B2BUA leg that finishes later may still name it (X-Call-ID), and then
both legs list each other in "linked_calls". This writes a capture where
that happens and checks the JSON, against --no-spool and against what
the packets say:

- leg A (legA@late.test), an answered call, at t = 0 s;
- 4,200 other answered calls from t = 40 s: more than the 4,096 calls a
  file run keeps open, so A, complete and quiet for 32 s, is finished
  early and spooled;
- leg B (legB@late.test) at t = 50 s, whose INVITE names A in
  X-Call-ID; B finishes at the end of the input, after A was written.

Expected from the packets: A lists B and B lists A; no other call lists
either; the JSON is byte for byte the same with --no-spool and with
--threads 1 (calls finished early on two threads: messages parsed on
one thread are freed on the other while the reading goes on), and when
no temporary file can be made (the calls then stay in memory), and
when the index that orders the spooled calls and their links may hold
only a kilobyte (SIPCAUSE_JSON_INDEX_MEMORY=1K: sorted in runs on disk
and merged; a value that is not a size is said and the default used).

The same JSON is written with -o, and to a standard output opened for
appending (there the kernel does not copy the spooled calls into the
output: sendfile(2) fails with EINVAL, and the merge copies them).

A second capture holds one call bigger than the 1 MiB window the merge
reads the temporary file with, once indented (--pretty): 1,000 OPTIONS
and their 200s under one Call-ID, with 900-byte User-Agent and Server
values. Its JSON must be the same with and without the spool.

usage: late_links.py SIPCAUSE
"""
import json
import os
import re
import subprocess
import sys
import tempfile

# the hostile suite's capture writer: raw IPv4 records, no link header
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                os.pardir, "hostile"))
from gen import udp, write_pcap  # noqa: E402

T0 = 1700000000
FILLERS = 4200


def request(method, call_id, n, cseq, extra=""):
    return ("%s sip:bob@192.0.2.2 SIP/2.0\r\n"
            "Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK-%s-%d\r\n"
            "From: <sip:alice@192.0.2.1>;tag=a%d\r\n"
            "To: <sip:bob@192.0.2.2>%s\r\n"
            "Call-ID: %s\r\n"
            "CSeq: %d %s\r\n"
            "Max-Forwards: 70\r\n"
            "%s"
            "Content-Length: 0\r\n\r\n"
            % (method, method.lower(), n, n,
               "" if method == "INVITE" else ";tag=b%d" % n,
               call_id, cseq, method, extra)).encode()


def response(code, reason, method, call_id, n, cseq):
    return ("SIP/2.0 %d %s\r\n"
            "Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK-%s-%d\r\n"
            "From: <sip:alice@192.0.2.1>;tag=a%d\r\n"
            "To: <sip:bob@192.0.2.2>;tag=b%d\r\n"
            "Call-ID: %s\r\n"
            "CSeq: %d %s\r\n"
            "Content-Length: 0\r\n\r\n"
            % (code, reason, method.lower(), n, n, n, call_id, cseq,
               method)).encode()


def answered_call(call_id, n, t_us, extra=""):
    """INVITE, 200, ACK, BYE, 200: (time in us, IPv4 packet)."""
    a, b = (192, 0, 2, 1), (192, 0, 2, 2)
    msgs = [(a, b, request("INVITE", call_id, n, 1, extra)),
            (b, a, response(200, "OK", "INVITE", call_id, n, 1)),
            (a, b, request("ACK", call_id, n, 1)),
            (a, b, request("BYE", call_id, n, 2)),
            (b, a, response(200, "OK", "BYE", call_id, n, 2))]
    return [(t_us + i * 1000, udp(s, d, 5060, 5060, p))
            for i, (s, d, p) in enumerate(msgs)]


def write_capture(path):
    frames = answered_call("legA@late.test", 1, 0)
    for i in range(FILLERS):
        frames += answered_call("filler-%d@late.test" % i, 100 + i,
                                40000000 + i * 1000)
    frames += answered_call("legB@late.test", 2, 50000000,
                            "X-Call-ID: legA@late.test\r\n")
    frames.sort(key=lambda f: f[0])
    write_pcap(path, [(T0 + t_us // 1000000, t_us % 1000000, pkt)
                      for t_us, pkt in frames])


def write_big_call(path):
    """One call of 2,000 messages, each with a 900-byte agent."""
    a, b = (192, 0, 2, 1), (192, 0, 2, 2)
    agent = "X" * 900
    frames = []
    for i in range(1000):
        head = ("Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK-o%d\r\n"
                "From: <sip:alice@192.0.2.1>;tag=a1\r\n" % i)
        req = ("OPTIONS sip:bob@192.0.2.2 SIP/2.0\r\n" + head +
               "To: <sip:bob@192.0.2.2>\r\nCall-ID: big@late.test\r\n"
               "CSeq: %d OPTIONS\r\nUser-Agent: %s\r\n"
               "Content-Length: 0\r\n\r\n" % (i + 1, agent))
        rsp = ("SIP/2.0 200 OK\r\n" + head +
               "To: <sip:bob@192.0.2.2>;tag=b1\r\n"
               "Call-ID: big@late.test\r\nCSeq: %d OPTIONS\r\n"
               "Server: %s\r\nContent-Length: 0\r\n\r\n" % (i + 1, agent))
        t_us = i * 10000
        frames.append((T0 + t_us // 1000000, t_us % 1000000,
                       udp(a, b, 5060, 5060, req.encode())))
        frames.append((T0 + t_us // 1000000, t_us % 1000000 + 500,
                       udp(b, a, 5060, 5060, rsp.encode())))
    write_pcap(path, frames)


def run_to_file(exe, path, out, append):
    """The JSON of @path written into the file @out: with -o, or (append)
    to a standard output opened for appending, where the kernel will not
    copy the spooled calls and the merge copies them itself."""
    env = dict(os.environ, LC_ALL="C", TZ="UTC")
    env.pop("SIPCAUSE_JSON_INDEX_MEMORY", None)
    if append:
        with open(out, "wb"):
            pass
        with open(out, "ab") as f:
            p = subprocess.run([exe, "--format", "json", path], stdout=f,
                               stderr=subprocess.PIPE, env=env, timeout=300)
    else:
        p = subprocess.run([exe, "--format", "json", "-o", out, path],
                           stderr=subprocess.PIPE, env=env, timeout=300)
    if p.returncode != 0:
        sys.exit("late_links: writing %s exited %d: %s"
                 % (out, p.returncode, p.stderr.decode(errors="replace")))
    with open(out, "rb") as f:
        doc = f.read()
    # -o: the calls went into the file directly, after room left for
    # the statistics; the spaces that pad it are no part of the document
    return re.sub(rb'("calls": \[) +', rb"\1", doc, count=1)


def run(exe, path, *extra, tmpdir=None, index_memory=None, stderr=None):
    env = dict(os.environ, LC_ALL="C", TZ="UTC")
    env.pop("SIPCAUSE_JSON_INDEX_MEMORY", None)
    if tmpdir:
        env["TMPDIR"] = tmpdir
    if index_memory:
        env["SIPCAUSE_JSON_INDEX_MEMORY"] = index_memory
    p = subprocess.run([exe, "--format", "json", *extra, path],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       env=env, timeout=300)
    if p.returncode != 0:
        sys.exit("late_links: %s exited %d: %s"
                 % (" ".join(extra) or "default", p.returncode,
                    p.stderr.decode(errors="replace")[-500:]))
    if stderr is not None:
        stderr.append(p.stderr.decode(errors="replace"))
    return p.stdout


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    with tempfile.TemporaryDirectory() as tmp:
        cap = os.path.join(tmp, "late-links.pcap")
        write_capture(cap)
        spooled = run(sys.argv[1], cap)
        held = run(sys.argv[1], cap, "--no-spool")
        threads = [run(sys.argv[1], cap, "--threads", n) for n in "12"]
        # an index of a kilobyte: calls and links sorted in many runs
        runs = run(sys.argv[1], cap, index_memory="1K")
        said = []
        not_a_size = run(sys.argv[1], cap, index_memory="lots",
                         stderr=said)
        # no temporary file can be made: the calls stay in memory
        no_tmp = run(sys.argv[1], cap,
                     tmpdir=os.path.join(tmp, "does-not-exist"))
        big = os.path.join(tmp, "big-call.pcap")
        write_big_call(big)
        big_spooled = run(sys.argv[1], big, "--pretty")
        big_held = run(sys.argv[1], big, "--pretty", "--no-spool")
        # the output a file, and a file opened for appending
        to_file = run_to_file(sys.argv[1], cap, os.path.join(tmp, "o.json"),
                              False)
        appended = run_to_file(sys.argv[1], cap,
                               os.path.join(tmp, "a.json"), True)
    doc = json.loads(spooled)
    calls = {c["call_id"]: c for c in doc["calls"]}
    failures = []
    if spooled != held:
        failures.append("JSON differs from --no-spool (%d vs %d bytes)"
                        % (len(spooled), len(held)))
    if runs != spooled:
        failures.append("JSON differs when the index is sorted in runs")
    if not_a_size != spooled or "not a size" not in said[0]:
        failures.append("SIPCAUSE_JSON_INDEX_MEMORY=lots: not said, or "
                        "not the default (stderr %r)" % said[0][:200])
    if to_file != spooled:
        failures.append("JSON written with -o differs")
    if appended != spooled:
        failures.append("JSON appended to a file differs")
    if no_tmp != spooled:
        failures.append("JSON differs when $TMPDIR cannot be written")
    if big_spooled != big_held:
        failures.append("a call bigger than the merge's read window: "
                        "JSON differs from --no-spool (%d vs %d bytes)"
                        % (len(big_spooled), len(big_held)))
    calls_at = big_spooled.find(b'"calls": [')
    if calls_at < 0 or len(big_spooled) - calls_at <= 1 << 20:
        failures.append("the big call's JSON is not over 1 MiB (%d bytes):"
                        " the test no longer tests the window"
                        % (len(big_spooled) - calls_at))
    for n, out in zip("12", threads):
        if out != spooled:
            failures.append("JSON differs with --threads %s" % n)
    if len(doc["calls"]) != FILLERS + 2:
        failures.append("%d calls, expected %d"
                        % (len(doc["calls"]), FILLERS + 2))
    if calls.get("legA@late.test", {}).get("linked_calls") != \
            ["legB@late.test"]:
        failures.append("leg A lists %r, expected legB@late.test"
                        % calls.get("legA@late.test", {}).get("linked_calls"))
    if calls.get("legB@late.test", {}).get("linked_calls") != \
            ["legA@late.test"]:
        failures.append("leg B lists %r, expected legA@late.test"
                        % calls.get("legB@late.test", {}).get("linked_calls"))
    others = [c["call_id"] for c in doc["calls"] if c["linked_calls"]
              and c["call_id"] not in ("legA@late.test", "legB@late.test")]
    if others:
        failures.append("unrelated calls list links: %r" % others[:5])
    order = [c["first_frame"] for c in doc["calls"]]
    if order != sorted(order):
        failures.append("calls not in first-frame order")
    for f in failures:
        print("late_links: " + f)
    print("late_links: %d calls, %d failure(s)"
          % (len(doc["calls"]), len(failures)))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
