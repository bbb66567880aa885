#!/usr/bin/env python3
"""Escaping by construction: nothing from the wire reaches the terminal
or a document raw.

A capture written here, at test time, puts hostile bytes into every
header sipcause reports: ANSI escape sequences (ESC [31m), NUL, CR and
other C0 controls, DEL, C1 controls (U+009B CSI, UTF-8 encoded, and the
bare byte 0x9B), invalid UTF-8 (a lone continuation byte, 0xFF 0xFE, an
overlong '/', a cut sequence) and HTML ('<script>'). Every format is run
on it (text, -V, -VV, json, jsonl, csv, markdown, html) and the output
must hold no control byte other than \\n and \\t (and \\r in CSV's
line ends), no C1 control, only valid UTF-8; JSON and CSV must parse and
HTML must hold no '<' that came from the wire.

usage: escaping.py SIPCAUSE [CASE]   (CASE: a format name; default all)
"""
import csv
import io
import json
import os
import struct
import subprocess
import sys
import tempfile

# Every hostile sequence but NUL and CR, in every field below. NUL and CR
# end a value for most parsers (and CR a line), hiding what follows: they
# get fields of their own (NUL_CR).
E = (b"\x1b[31mRED\x1b[0m\x07\x08\x0b\x0c\x7fDEL"
     b"\xc2\x9bC1\x9bRAW\xff\xfe\x80\xc0\xaf\xe2\x82<script>x</script>")
NUL_CR = b"nul\x00after-nul cr\rafter-cr \x1b[31mRED"

HOST_A = bytes([192, 0, 2, 1])
HOST_B = bytes([192, 0, 2, 2])


def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    s = (s >> 16) + (s & 0xffff)
    s += s >> 16
    return ~s & 0xffff


def udp_frame(payload, src, dst):
    udp = struct.pack("!HHHH", 5060, 5060, 8 + len(payload), 0) + payload
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), 1, 0, 64, 17,
                     0, src, dst)
    ip = ip[:10] + struct.pack("!H", csum(ip)) + ip[12:]
    return b"\x02\0\0\0\0\x02" + b"\x02\0\0\0\0\x01" + b"\x08\x00" + ip + udp


def pcap(frames):
    out = struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1)
    for i, (f) in enumerate(frames):
        out += struct.pack("<IIII", 1700000000 + i, 0, len(f), len(f)) + f
    return out


def sdp():
    return (b"v=0\r\n"
            b"o=" + E + b" 1 1 IN IP4 192.0.2.1\r\n"
            b"s=" + E + b"\r\n"
            b"i=" + E + b"\r\n"
            b"c=IN IP4 10.0.0.1\r\n"
            b"t=0 0\r\n"
            b"m=audio 4000 RTP/AVP 0 96\r\n"
            b"a=rtpmap:0 PCMU/8000\r\n"
            b"a=rtpmap:96 " + E + b"/8000\r\n"
            b"a=sendrecv\r\n")


def request(method, callid, cseq, body=b"", extra=b"", cseq_method=None):
    cm = cseq_method if cseq_method is not None else method
    hdrs = (method + b" sip:" + E + b"@192.0.2.2 SIP/2.0\r\n"
            b"Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK-" + callid[:6]
            + b"-" + str(cseq).encode() + b"\r\n"
            b"From: \"" + E + b"\" <sip:" + E + b"@192.0.2.1>;tag=ft1\r\n"
            b"To: \"" + E + b"\" <sip:" + E + b"@192.0.2.2>\r\n"
            b"Call-ID: " + callid + b"\r\n"
            b"CSeq: " + str(cseq).encode() + b" " + cm + b"\r\n"
            b"Contact: \"" + E + b"\" <sip:" + E + b"@192.0.2.1>\r\n"
            b"Max-Forwards: 70\r\n"
            b"User-Agent: friendly-scanner " + E + b"\r\n"
            b"Subject: " + E + b"\r\n"
            b"Organization: " + NUL_CR + b"\r\n"
            b"X-Call-ID: " + E + b"\r\n" + extra)
    if body:
        hdrs += b"Content-Type: application/sdp\r\n"
    return hdrs + b"Content-Length: %d\r\n\r\n" % len(body) + body


def response(code, phrase, req_method, callid, cseq, extra=b""):
    return (b"SIP/2.0 %d " % code + phrase + b"\r\n"
            b"Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK-" + callid[:6]
            + b"-" + str(cseq).encode() + b"\r\n"
            b"From: \"" + E + b"\" <sip:" + E + b"@192.0.2.1>;tag=ft1\r\n"
            b"To: \"" + E + b"\" <sip:" + E + b"@192.0.2.2>;tag=tt1\r\n"
            b"Call-ID: " + callid + b"\r\n"
            b"CSeq: " + str(cseq).encode() + b" " + req_method + b"\r\n"
            b"Contact: <sip:" + E + b"@192.0.2.2>\r\n"
            b"Server: " + E + b"\r\n"
            b"Warning: 399 " + b"proxy\x1b[31m" + b" \"" + E + b"\"\r\n"
            b"Reason: Q.850;cause=17;text=\"" + E + b"\"\r\n"
            b"Reason: SIP;cause=486;text=\"" + E + b"\"\r\n"
            b"Retry-After: 30 (" + E + b")\r\n" + extra +
            b"Content-Length: 0\r\n\r\n")


def capture():
    cid1 = b"esc1-" + E + b"@192.0.2.1"
    cid2 = b"esc2-\x1b]0;title\x07@192.0.2.1"
    cid3 = b"esc3@192.0.2.1"
    cid4 = b"esc4@192.0.2.1"
    a, b = HOST_A, HOST_B
    msgs = [
        # a call refused with every hostile header
        (request(b"INVITE", cid1, 1, sdp()), a, b),
        (response(180, b"Ringing " + E, b"INVITE", cid1, 1), b, a),
        (response(486, b"Busy " + E, b"INVITE", cid1, 1), b, a),
        (request(b"ACK", cid1, 1), a, b),
        # the CSeq method itself hostile (the KIND column of -V)
        (request(b"OPTIONS", cid2, 1, cseq_method=b"\x1b[31mEVIL"), a, b),
        (response(404, E, b"\x1b[31mEVIL", cid2, 1), b, a),
        # refused credentials: an account with a hostile user name
        (request(b"REGISTER", cid3, 1,
                 extra=b"Authorization: Digest username=\"" + E +
                 b"\", realm=\"" + E + b"\", nonce=\"n\", "
                 b"uri=\"sip:x\", response=\"00\"\r\n"), a, b),
        (response(403, b"Forbidden " + E, b"REGISTER", cid3, 1), b, a),
        # a server error with NUL and CR in the phrase
        (request(b"INVITE", cid4, 1, sdp()), a, b),
        (response(503, b"Service " + NUL_CR, b"INVITE", cid4, 1,
                  extra=b"Server: " + NUL_CR + b"\r\n"), b, a),
        (request(b"ACK", cid4, 1), a, b),
    ]
    return pcap([udp_frame(m, s, d) for m, s, d in msgs])


def bad_bytes(out, allow_cr):
    """What is wrong with @out: a list of (offset, description)."""
    bad = []
    for i, c in enumerate(out):
        if c in (0x0a, 0x09):
            continue
        if c == 0x0d and allow_cr and out[i + 1:i + 2] == b"\n":
            continue
        if c < 0x20 or c == 0x7f:
            bad.append((i, "control byte 0x%02x" % c))
    try:
        text = out.decode("utf-8")
    except UnicodeDecodeError as e:
        bad.append((e.start, "invalid UTF-8 %r" % out[e.start:e.end + 2]))
        text = out.decode("utf-8", "replace")
    for i, ch in enumerate(text):
        if 0x80 <= ord(ch) <= 0x9f:
            bad.append((i, "C1 control U+%04X (char offset)" % ord(ch)))
    return bad


def context(out, off):
    return out[max(0, off - 60):off + 20]


RUNS = {
    "text": ["--all"],
    "text-V": ["--all", "-V"],
    "text-VV": ["--all", "-VV"],
    "json": ["--format", "json"],
    "jsonl": ["--format", "jsonl"],
    "csv": ["--format", "csv"],
    "markdown": ["--format", "markdown", "--all"],
    "html": ["--format", "html", "--all"],
}


def check(name, out):
    problems = []
    for off, what in bad_bytes(out, name == "csv")[:8]:
        problems.append("%s at %d: ...%r" % (what, off, context(out, off)))
    text = out.decode("utf-8", "replace")
    if name == "json":
        try:
            json.loads(text)
        except ValueError as e:
            problems.append("JSON does not parse: %s" % e)
    if name == "jsonl":
        for n, line in enumerate(text.splitlines()):
            try:
                json.loads(line)
            except ValueError as e:
                problems.append("JSONL line %d does not parse: %s" % (n, e))
    if name == "csv":
        try:
            rows = list(csv.reader(io.StringIO(text, newline="")))
            widths = {len(r) for r in rows if r}
            if len(widths) > 1:
                problems.append("CSV rows of different widths %s" % widths)
        except csv.Error as e:
            problems.append("CSV does not parse: %s" % e)
    if name == "html":
        for marker in ("<script>x", "</script>x"):
            if marker in text:
                i = text.index(marker)
                problems.append("HTML holds the wire's %r: ...%r" %
                                (marker, text[max(0, i - 80):i + 20]))
        if "<script" in text.lower() and "<script>x" not in text:
            pass  # the page's own scripts
    return problems


def main():
    exe = sys.argv[1]
    cases = sys.argv[2:] or list(RUNS)
    failed = False
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, "escaping.pcap")
        with open(path, "wb") as f:
            f.write(capture())
        for name in cases:
            r = subprocess.run([exe] + RUNS[name] + [path],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               env=dict(os.environ, NO_COLOR="1"),
                               timeout=60)
            problems = check(name, r.stdout)
            if r.returncode != 0:
                problems.append("exit status %d: %r" %
                                (r.returncode, r.stderr[-300:]))
            if b"RED" not in r.stdout and b"EVIL" not in r.stdout:
                problems.append("the hostile text is not in the output at "
                                "all: nothing was tested")
            for p in bad_bytes(r.stderr, False)[:3]:
                problems.append("stderr: %s" % (p[1],))
            print("%s %s" % ("FAIL" if problems else "ok", name))
            for p in problems:
                print("  " + p)
            failed |= bool(problems)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
