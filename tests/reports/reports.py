#!/usr/bin/env python3
"""The report formats on real and hostile captures.

usage: reports.py SIPCAUSE WORKDIR CASE
Run from the source root (file names in the output are relative).
CASE is one of the case_* functions below, or golden-NAME-SAMPLE[-V]
(the output of format NAME on samples/SAMPLE.pcap compared with
tests/reports/golden/SAMPLE[-V].NAME; SC_REGEN=1 rewrites the file).
Exit 0 pass, 1 fail, 77 skipped.
"""
import csv
import io
import json
import os
import re
import shutil
import struct
import subprocess
import sys
import tempfile
import unicodedata

BIN, WORK = sys.argv[1], sys.argv[2]
GOLDEN = "tests/reports/golden"
SAMPLES = "samples"


def run(*args, env=None, ok=True):
    e = dict(os.environ, LC_ALL="C", TZ="UTC")
    e.pop("NO_COLOR", None)
    e.pop("COLUMNS", None)
    e.update(env or {})
    r = subprocess.run([BIN] + list(args), capture_output=True, env=e,
                       timeout=120)
    if ok and r.returncode != 0:
        fail("exit %d: %s" % (r.returncode, r.stderr.decode()))
    return r.stdout


def fail(what):
    print("FAIL:", what)
    sys.exit(1)


def expect(cond, what):
    if not cond:
        fail(what)


def has_option(opt):
    return opt in run("--help").decode()


def version():
    return run("--version").decode().split()[1].strip()


# --- hand-made captures (built here byte by byte, nothing borrowed) ---

def ipv4_udp(payload, src, dst, sport, dport):
    udp = struct.pack("!HHHH", sport, dport, 8 + len(payload), 0) + payload
    hdr = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), 1, 0, 64, 17,
                      0, bytes(src), bytes(dst))
    return hdr + udp


def write_pcap(path, msgs):
    """msgs: (seconds, src, dst, payload); linktype RAW IPv4 (228)."""
    out = struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, 228)
    for t, src, dst, payload in msgs:
        f = ipv4_udp(payload, src[0], dst[0], src[1], dst[1])
        us = int(round(t * 1e6))
        out += struct.pack("<IIII", 1700000000 + us // 1000000,
                           us % 1000000, len(f), len(f)) + f
    # cases run in parallel and share WORK: a reader must never see a
    # half-written file, so write aside and rename
    tmp = "%s.%d" % (path, os.getpid())
    with open(tmp, "wb") as fh:
        fh.write(out)
    os.replace(tmp, path)


A = ([192, 0, 2, 1], 5060)
B = ([192, 0, 2, 2], 5060)


def sip(start, call_id, cseq, branch, extra=b"", frm=b"<sip:alice@x>;tag=1",
        to=b"<sip:bob@x>"):
    return (start + b"\r\nVia: SIP/2.0/UDP 192.0.2.1:5060;branch=" + branch +
            b"\r\nFrom: " + frm + b"\r\nTo: " + to + b"\r\nCall-ID: " +
            call_id + b"\r\nCSeq: " + cseq + b"\r\n" + extra +
            b"Content-Length: 0\r\n\r\n")


def hostile_capture():
    """Formulas, markup, escapes, wide and invalid characters."""
    path = os.path.join(WORK, "hostile.pcap")
    cid1 = b'=HYPERLINK("http://evil.example/?x")'
    frm1 = b'"+cmd|\' /C calc\'!A0" <sip:-2+3@x>;tag=1'
    inv = sip(b"INVITE sip:bob@192.0.2.2 SIP/2.0", cid1, b"1 INVITE",
              b"z9hG4bK-h1", b"User-Agent: @SUM(1+1)\r\n", frm=frm1)
    busy = sip(b"SIP/2.0 486 Busy <script>alert(1)</script>\x1b[31m", cid1,
               b"1 INVITE", b"z9hG4bK-h1",
               b"Server: <img src=http://evil.example/p>\r\n", frm=frm1,
               to=b"<sip:bob@x>;tag=2")
    cid2 = ("\u65e5\u672c\u8a9e-\u5c71\u7530\u592a\u90ce-very-long-call-"
            "identifier-\u00e9\u00e8\u00ea-\U0001f4de-0123456789@"
            "example.com").encode()
    frm2 = ('"\u5c71\u7530\u592a\u90ce" <sip:\u5c71\u7530@x>;tag=1').encode()
    inv2 = sip(b"INVITE sip:bob@192.0.2.2 SIP/2.0", cid2, b"1 INVITE",
               b"z9hG4bK-h2", frm=frm2)
    t408 = sip(b"SIP/2.0 408 Request Timeout \xff\xfe\xe2\x82", cid2,
               b"1 INVITE", b"z9hG4bK-h2", frm=frm2, to=b"<sip:bob@x>;tag=3")
    evil = sip(b"SIP/2.0 200 OK", b"evil-kind@x", b"1 \x1b[31mEVIL",
               b"z9hG4bK-h3", to=b"<sip:bob@x>;tag=4")
    write_pcap(path, [(0.0, A, B, inv), (0.01, B, A, busy),
                      (1.0, A, B, inv2), (1.5, B, A, t408),
                      (2.0, B, A, evil)])
    return path


def proxy_capture():
    """Caller, proxy, callee: a 503 downstream relayed as 480."""
    path = os.path.join(WORK, "proxy.pcap")
    P = ([192, 0, 2, 10], 5060)
    cid = b"proxied-1@x"
    ua = b"User-Agent: caller-phone/1.0\r\n"
    inv_a = sip(b"INVITE sip:bob@192.0.2.10 SIP/2.0", cid, b"1 INVITE",
                b"z9hG4bK-pa", ua)
    inv_b = sip(b"INVITE sip:bob@192.0.2.2 SIP/2.0", cid, b"1 INVITE",
                b"z9hG4bK-pb", b"User-Agent: edge-proxy\r\n")
    t100 = sip(b"SIP/2.0 100 Trying", cid, b"1 INVITE", b"z9hG4bK-pa")
    r503 = sip(b"SIP/2.0 503 Service Unavailable", cid, b"1 INVITE",
               b"z9hG4bK-pb", b"Server: callee-pbx\r\n",
               to=b"<sip:bob@x>;tag=9")
    r480 = sip(b"SIP/2.0 480 Temporarily Unavailable", cid, b"1 INVITE",
               b"z9hG4bK-pa", to=b"<sip:bob@x>;tag=8")
    write_pcap(path, [(0.0, A, P, inv_a), (0.001, P, A, t100),
                      (0.002, P, B, inv_b), (0.010, B, P, r503),
                      (0.011, P, A, r480)])
    return path


def attempts_capture():
    """One Call-ID: a REGISTER answered 200, then an INVITE answered 486."""
    path = os.path.join(WORK, "attempts.pcap")
    cid = b"two-attempts@x"
    reg = sip(b"REGISTER sip:x SIP/2.0", cid, b"1 REGISTER", b"z9hG4bK-r1",
              b"Contact: <sip:alice@192.0.2.1>\r\nExpires: 60\r\n",
              to=b"<sip:alice@x>")
    ok = sip(b"SIP/2.0 200 OK", cid, b"1 REGISTER", b"z9hG4bK-r1",
             b"Contact: <sip:alice@192.0.2.1>;expires=60\r\n",
             to=b"<sip:alice@x>;tag=r")
    inv = sip(b"INVITE sip:bob@192.0.2.2 SIP/2.0", cid, b"2 INVITE",
              b"z9hG4bK-i2")
    busy = sip(b"SIP/2.0 486 Busy Here", cid, b"2 INVITE", b"z9hG4bK-i2",
               to=b"<sip:bob@x>;tag=b")
    write_pcap(path, [(0.0, A, B, reg), (0.01, B, A, ok), (1.0, A, B, inv),
                      (1.01, B, A, busy)])
    return path


def ending_capture():
    """Two answered calls: the callee hangs up with a Reason header (Q.850
    16) and its BYE is accepted; the caller's BYE of the other is refused
    with 481."""
    path = os.path.join(WORK, "ending.pcap")
    msgs = []
    c1, c2 = b"ended-by-callee@x", b"bye-refused@x"
    bob = b"<sip:bob@x>;tag=2"
    alice = b"<sip:alice@x>;tag=1"
    for t0, cid in ((0.0, c1), (10.0, c2)):
        msgs += [
            (t0, A, B, sip(b"INVITE sip:bob@192.0.2.2 SIP/2.0", cid,
                           b"1 INVITE", b"z9hG4bK-e1" + cid[:3])),
            (t0 + 0.5, B, A, sip(b"SIP/2.0 200 OK", cid, b"1 INVITE",
                                 b"z9hG4bK-e1" + cid[:3], to=bob)),
            (t0 + 0.6, A, B, sip(b"ACK sip:bob@192.0.2.2 SIP/2.0", cid,
                                 b"1 ACK", b"z9hG4bK-e2" + cid[:3], to=bob)),
        ]
    reason = b'Reason: Q.850;cause=16;text="Normal call clearing"\r\n'
    msgs += [
        (3.5, B, A, sip(b"BYE sip:alice@192.0.2.1 SIP/2.0", c1, b"1 BYE",
                        b"z9hG4bK-e3", reason, frm=bob, to=alice)),
        (3.6, A, B, sip(b"SIP/2.0 200 OK", c1, b"1 BYE", b"z9hG4bK-e3",
                        frm=bob, to=alice)),
        (15.0, A, B, sip(b"BYE sip:bob@192.0.2.2 SIP/2.0", c2, b"2 BYE",
                         b"z9hG4bK-e4", to=bob)),
        (15.1, B, A, sip(b"SIP/2.0 481 Call/Transaction Does Not Exist", c2,
                         b"2 BYE", b"z9hG4bK-e4", to=bob)),
    ]
    write_pcap(path, sorted(msgs, key=lambda m: m[0]))
    return path


def security_capture():
    """192.0.2.66, announcing itself as friendly-scanner, sends REGISTERs
    with credentials for user 1001: five refused with 403 in 5 s, the
    sixth accepted. 192.0.2.67 scans with a hostile User-Agent and Call-ID
    (markup, an escape sequence, a formula) that every format must
    escape."""
    path = os.path.join(WORK, "security.pcap")
    S = ([192, 0, 2, 66], 5070)
    H = ([192, 0, 2, 67], 5070)
    cid = b'<b>scan</b>=HYPERLINK("x")'
    ua = (b"User-Agent: friendly-scanner <script>alert(1)</script>"
          b"\x1b[31m\r\n")
    msgs = [(10.0, H, B, sip(b"OPTIONS sip:100@x SIP/2.0", cid, b"1 OPTIONS",
                             b"z9hG4bK-h", ua, to=b"<sip:100@x>")),
            (10.01, B, H, sip(b"SIP/2.0 404 Not Found", cid, b"1 OPTIONS",
                              b"z9hG4bK-h", to=b"<sip:100@x>;tag=n"))]
    for i in range(6):
        cid = b"guess-%d@x" % i
        br = b"z9hG4bK-g%d" % i
        extra = (b"User-Agent: friendly-scanner\r\n"
                 b'Authorization: Digest username="1001", realm="x", '
                 b'nonce="n%d", uri="sip:x", response="%032d"\r\n' % (i, i))
        to = b"<sip:1001@x>"
        reg = sip(b"REGISTER sip:x SIP/2.0", cid, b"1 REGISTER", br, extra,
                  frm=b"<sip:1001@x>;tag=%d" % i, to=to)
        code = b"SIP/2.0 200 OK" if i == 5 else b"SIP/2.0 403 Forbidden"
        resp = sip(code, cid, b"1 REGISTER", br,
                   frm=b"<sip:1001@x>;tag=%d" % i, to=to + b";tag=s")
        msgs += [(i * 1.0, S, B, reg), (i * 1.0 + 0.01, B, S, resp)]
    write_pcap(path, msgs)
    return path


def formats(path, *extra):
    """text -V, markdown and HTML of @path, as str."""
    return {fmt: run("--format", fmt, *extra, path,
                     env={"COLUMNS": "200"}).decode()
            for fmt in ("text", "markdown", "html")}


def case_root_cause():
    # proxy_capture: frame 4 is the 503 from 192.0.2.2:5060 to the proxy
    # 192.0.2.10:5060; the caller saw the 480 of frame 5
    out = formats(proxy_capture(), "-V")
    want = "503 Service Unavailable from 192.0.2.2:5060 to 192.0.2.10:5060 (#4)"
    expect("root      " + want in out["text"],
           "text names the root cause:\n" + out["text"])
    md = re.sub(r"\\(.)", r"\1", out["markdown"])
    expect("- **Root cause:** " + want in md,
           "markdown names the root cause:\n" + out["markdown"])
    expect("<dt>Root cause</dt><dd>" + want + "</dd>" in out["html"],
           "html names the root cause")


def case_ending():
    # a selection (both calls are answered: category ok) draws them too
    out = formats(ending_capture(), "-V", "--category", "ok")
    # call 1: the 200 OK (frame 2) at 0.5 s; the BYE (frame 4) from the
    # callee 192.0.2.2 at 3.5 s with Reason Q.850 cause 16; its 200 (5)
    ended = ('BYE from the callee 3.000 s after the answer, accepted; '
             'Reason: Q.850 cause 16 (Normal call clearing) '
             '"Normal call clearing"')
    text = re.sub(r"\s+", " ", out["text"])
    expect("ended " + ended in text, "text says who ended the call and "
           "why:\n" + out["text"])
    expect(ended.replace('"', "&#34;") in out["html"],
           "html says who ended the call and why")
    md = re.sub(r"\\(.)", r"\1", out["markdown"])
    expect("- **Ended:** " + ended in md,
           "markdown says who ended the call and why:\n" + out["markdown"])
    # call 2: the caller's BYE (frame 9) answered 481 (frame 10)
    refused = "1 BYE was refused (first with 481)"
    expect(refused in text, "text shows the refused BYE")
    expect(refused in md and "bye.refused" in md,
           "markdown shows the refused BYE:\n" + out["markdown"])
    expect(refused in out["html"] and "bye.refused" in out["html"],
           "html shows the refused BYE")


def check_security(out, src, rules, words):
    text = re.sub(r"\s+", " ", out["text"])
    md = re.sub(r"\\(.)", r"\1", out["markdown"])
    expect(re.search(r"^Security: \d+ findings?$", out["text"], re.M),
           "text has a Security section:\n" + out["text"])
    expect(re.search(r"^## Security: \d+ findings?$", md, re.M),
           "markdown has a Security section:\n" + md)
    expect('<h2 id="security">Security' in out["html"],
           "html has a Security section")
    for rule in rules:
        expect("%s from %s" % (rule, src) in text,
               "text: %s from %s" % (rule, src))
        expect("- **%s** from %s" % (rule, src) in md,
               "markdown: %s from %s" % (rule, src))
        expect(rule in out["html"], "html: " + rule)
    for w in words:
        for fmt, o in (("text", text), ("markdown", md),
                       ("html", out["html"].replace("&#34;", '"'))):
            expect(w in o, "%s security section says %r" % (fmt, w))


def case_security():
    out = formats(security_capture())
    check_security(out, "192.0.2.66",
                   ["security.scanner", "security.account-compromised"],
                   ['"friendly-scanner"', 'Account "1001"', "guess-5@x",
                    "It sent 6 requests to 1 distinct user: 5 refused, "
                    "1 accepted."])
    for fmt in ("text", "markdown", "html"):
        o = run("--format", fmt, "samples/call-ok.pcap").decode()
        expect(not re.search(r"^(## )?Security:|<h2 id=\"security\"", o,
                             re.M),
               "%s: no Security section without findings" % fmt)


def case_security_corpus():
    # a public capture: frame 1 is an OPTIONS from 172.25.105.43 with
    # User-Agent "UNfriendly-scanner - for demo purposes" (tshark)
    path = os.path.join("..", "shared", "corpus", "goffinet-sip_captures",
                        "Forensic_challenge_4.pcap")
    if not os.path.exists(path):
        print("no shared corpus: skipped")
        sys.exit(77)
    check_security(formats(path), "172.25.105.43", ["security.scanner"],
                   ['"UNfriendly-scanner - for demo purposes"',
                    "61127078793469957194131",
                    "It sent 1 request to 1 distinct user: 0 refused, "
                    "1 accepted."])


def case_attempts():
    out = run("-V", attempts_capture(), env={"COLUMNS": "80"}).decode()
    doc = json.loads(run("--format", "json", attempts_capture()))
    n = len(doc["calls"][0].get("attempts", []))
    if n < 2:
        print("the model keeps one attempt for this Call-ID: nothing to list")
        return
    expect("attempts  1. REGISTER" in out and "2. INVITE" in out,
           "each attempt of the Call-ID is listed:\n" + out)


def many_calls_capture(n=60, fail_every=7):
    """@n OPTIONS pings, every @fail_every-th answered 404 (none when 0):
    more than 50 calls."""
    path = os.path.join(WORK, "many-%d-%d.pcap" % (n, fail_every))
    msgs = []
    for i in range(n):
        cid = b"ping-%d@x" % i
        br = b"z9hG4bK-p%d" % i
        msgs.append((i, A, B, sip(b"OPTIONS sip:bob@192.0.2.2 SIP/2.0", cid,
                                  b"1 OPTIONS", br)))
        code = (b"404 Not Found" if fail_every and i % fail_every == 0
                else b"200 OK")
        msgs.append((i + 0.01, B, A, sip(b"SIP/2.0 " + code, cid,
                                         b"1 OPTIONS", br,
                                         to=b"<sip:bob@x>;tag=t")))
    write_pcap(path, msgs)
    return path


# --- checks ---

def cells(line):
    """Display width as a terminal shows it (wide: 2, combining: 0)."""
    w = 0
    for ch in line:
        if unicodedata.combining(ch) or ch in "\u200b\u200d\ufe0f":
            continue
        w += 2 if unicodedata.east_asian_width(ch) in "WF" else 1
    return w


def check_width(out, cols, what):
    text = out.decode("utf-8")   # raises on invalid UTF-8 (issue 14.6)
    for n, line in enumerate(text.split("\n"), 1):
        expect(cells(line) <= cols, "%s: line %d is %d cells wide (> %d): %r"
               % (what, n, cells(line), cols, line))


def no_controls(out, what):
    bad = [b for b in (b"\x1b", b"\x07", b"\x9b", b"\xc2\x9b") if b in out]
    expect(not bad, "%s: raw control bytes %r reach the output" % (what, bad))
    out.decode("utf-8")


def all_pcaps():
    return sorted(os.path.join(SAMPLES, f) for f in os.listdir(SAMPLES)
                  if f.endswith(".pcap"))


def case_width80():
    for cols in (80, 200):
        for p in all_pcaps() + [hostile_capture(), many_calls_capture(),
                                  proxy_capture(), attempts_capture(),
                                  ending_capture(), security_capture()]:
            for extra in ([], ["-V"], ["-VV"], ["--all"]):
                if extra == ["--all"] and not has_option("--all"):
                    continue
                out = run(*extra, p, env={"COLUMNS": str(cols)})
                check_width(out, cols, "%s %s at %d" % (p, extra, cols))


def case_width200():
    out80 = run("samples/demo.pcap", env={"COLUMNS": "80"})
    out200 = run("samples/demo.pcap", env={"COLUMNS": "200"})
    expect("\u2026" in out80.decode(), "at 80 columns long fields are cut")
    for cid in ("call-ok-1@sipcause.test", "register-401-200-1@sipcause.test"):
        expect(cid in out200.decode(), "at 200 columns %s is whole" % cid)
    expect(max(cells(l) for l in out200.decode().split("\n")) > 80,
           "at 200 columns the table uses the room")


def case_listing():
    p = many_calls_capture()
    out = run(p, env={"COLUMNS": "120"}).decode()
    rows = [l for l in out.split("\n") if l.startswith("00:") or
            re.match(r"^\d\d:\d\d:\d\d\.\d{3}  ", l)]
    expect(len(rows) == 9, "60 calls: only the 9 failed are listed, got %d"
           % len(rows))
    expect("--all lists all" in out, "says how to list all")
    expect("Calls: 60, the 9 failed listed" in out,
           "the count covers the calls not listed (and not kept)")
    if not has_option("--all"):
        print("sipcause has no --all option yet: skipped")
        sys.exit(77)
    out = run("--all", p, env={"COLUMNS": "120"}).decode()
    rows = [l for l in out.split("\n") if re.match(r"^\d\d:\d\d:\d\d\.\d{3}  ",
                                                    l)]
    expect(len(rows) == 60, "--all lists all 60, got %d" % len(rows))
    out = run(many_calls_capture(fail_every=0),
              env={"COLUMNS": "120"}).decode()
    expect("Calls: 60, none failed (--all lists them)" in out and
           "CALL-ID" not in out,
           "60 answered calls: no table, and how to list them")


def case_escaping():
    for p in ("tests/data/control-chars.pcap", hostile_capture(),
              security_capture()):
        for fmt in ("text", "markdown", "csv", "html"):
            for extra in ([], ["-V"], ["-VV"]):
                out = run("--format", fmt, *extra, p)
                no_controls(out, "%s %s %s" % (p, fmt, extra))
        out = run("--format", "html", p).decode()
        expect("<script>alert" not in out and "<img" not in out,
               "%s: wire markup is escaped in HTML" % p)
        md = run("--format", "markdown", p).decode()
        # code blocks show text as it is; outside them, nothing may open
        # HTML (a fence is ``` at a line start; none comes from the wire)
        prose = "".join(md.split("```")[0::2])
        # inline code spans (`...`, as many backticks as needed) are
        # literal text in Markdown: no HTML opens there either
        prose = re.sub(r"(?<!`)(`+)(?!`).*?(?<!`)\1(?!`)", "", prose)
        tags = set(re.findall(r"(?<!\\)<(/?\w+)", prose))
        expect(tags <= {"details", "/details", "summary", "/summary"},
               "%s: wire markup is escaped in Markdown: %r" % (p, tags))
    out = run("-V", hostile_capture()).decode()
    expect("\\x1b[31mEVIL" in out, "the evil CSeq method is shown escaped")


def read_csv(out):
    text = out.decode("utf-8")
    expect(text.endswith("\r\n"), "CSV rows end in CRLF (RFC 4180)")
    return list(csv.reader(io.StringIO(text, newline="")))


COLUMNS = ["call_id", "start", "end", "kind", "from", "to", "caller",
           "callee", "state", "final_code", "reason", "category", "rule",
           "cause", "pdd_ms", "setup_ms", "duration_ms", "caller_agent",
           "callee_agent"]


def case_csv_roundtrip():
    for p in all_pcaps():
        rows = read_csv(run("--format", "csv", p))
        doc = json.loads(run("--format", "json", p))
        expect(rows[0] == COLUMNS, "%s: header %r" % (p, rows[0]))
        expect(len(rows) - 1 == len(doc["calls"]),
               "%s: %d rows for %d calls" % (p, len(rows) - 1,
                                             len(doc["calls"])))
        for row, call in zip(rows[1:], doc["calls"]):
            expect(len(row) == len(COLUMNS), "%s: row width" % p)
            r = dict(zip(COLUMNS, row))
            expect(r["call_id"] == call["call_id"], "%s: call_id %r != %r"
                   % (p, r["call_id"], call["call_id"]))
            code = call["verdict"]["code"]
            expect(r["final_code"] == (str(code) if code else ""),
                   "%s: final_code %r, JSON %r" % (p, r["final_code"], code))
            expect(r["state"] == call["state"], "%s: state" % p)
            expect(r["category"] == call["verdict"]["category"],
                   "%s: category" % p)


def case_csv_injection():
    rows = read_csv(run("--format", "csv", hostile_capture()))
    for row in rows[1:]:
        for c in row:
            expect(not c or c[0] not in "=+-@",
                   "cell %r could run as a formula" % c)
    ids = [r[0] for r in rows[1:]]
    expect("'=HYPERLINK(\"http://evil.example/?x\")" in ids,
           "the formula Call-ID is kept, neutralised: %r" % ids)


def case_html_chromium():
    chrome = shutil.which("chromium") or shutil.which("chromium-browser")
    if not chrome:
        print("no chromium: skipped")
        sys.exit(77)
    shots = os.path.join(WORK, "screenshots")
    os.makedirs(shots, exist_ok=True)
    for name in ("demo", "invite-no-response", "retransmission"):
        pcap = os.path.join(SAMPLES, name + ".pcap")
        page = os.path.join(WORK, name + ".html")
        with open(page, "wb") as fh:
            fh.write(run("--format", "html", pcap))
        html = open(page, encoding="utf-8").read()
        for bad in ("http:", "https:", "src=", "@import", "url(http",
                    "<link", "<iframe"):
            expect(bad not in html, "%s: external reference %r" % (name, bad))
        doc = json.loads(run("--format", "json", pcap))
        dom = chromium(chrome, page, ["--dump-dom"]).decode()
        rows = re.findall(r'<tr data-cat="([a-z-]+)"', dom)
        expect(len(rows) == len(doc["calls"]),
               "%s: %d rows for %d calls" % (name, len(rows),
                                             len(doc["calls"])))
        for i, call in enumerate(doc["calls"]):
            if call["verdict"]["category"] == "ok":
                continue
            expect('id="call-%d"' % i in dom, "%s: section of call %d"
                   % (name, i))
            svg = re.search(r'<svg id="c%d"[^>]*>(.*?)</svg>' % i, dom, re.S)
            expect(svg, "%s: SVG ladder of call %d" % (name, i))
            arrows = svg.group(1).count('class="m"')
            expect(arrows == len(call["messages"]),
                   "%s: %d arrows for %d messages" % (
                       name, arrows, len(call["messages"])))
            expect(call["call_id"] in dom, "%s: Call-ID shown" % name)
        chromium(chrome, page, ["--screenshot=" + os.path.join(
            shots, name + ".png"), "--window-size=1280,2000"])
        print("screenshot:", os.path.join(shots, name + ".png"))


def chromium(chrome, page, args):
    prof = tempfile.mkdtemp(prefix="sc-chromium-")
    try:
        r = subprocess.run(
            [chrome, "--headless", "--no-sandbox", "--disable-gpu",
             "--disable-background-networking", "--disable-component-update",
             "--disable-sync", "--no-first-run", "--user-data-dir=" + prof]
            + args + ["file://" + os.path.abspath(page)],
            capture_output=True, timeout=120, cwd=WORK)
    finally:
        shutil.rmtree(prof, ignore_errors=True)
    expect(r.returncode == 0, "chromium failed: %s" % r.stderr.decode()[-500:])
    return r.stdout


def golden(fmt, sample, verbose):
    args = ["--format", fmt] + (["-V"] if verbose else [])
    out = run(*args, os.path.join(SAMPLES, sample + ".pcap"),
              env={"COLUMNS": "80"}).decode()
    out = out.replace(version(), "X")
    path = os.path.join(GOLDEN, "%s%s.%s" % (sample, "-V" if verbose else "",
                                             fmt))
    if os.environ.get("SC_REGEN"):
        with open(path, "w", newline="") as fh:
            fh.write(out)
        return
    with open(path, newline="") as fh:
        want = fh.read()
    if out != want:
        import difflib
        sys.stdout.writelines(difflib.unified_diff(
            want.splitlines(True), out.splitlines(True), path, "output"))
        fail("output differs from %s (SC_REGEN=1 to accept)" % path)


def tshark_calls(pcap):
    """Per Call-ID from tshark: request methods, ports, agents, times."""
    if not shutil.which("tshark"):
        print("tshark missing: skipped")
        sys.exit(77)
    out = subprocess.run(
        ["tshark", "-r", pcap, "-Y", "sip", "-T", "fields", "-E",
         "separator=\t", "-e", "sip.Call-ID", "-e", "sip.Method", "-e",
         "udp.srcport", "-e", "udp.dstport", "-e", "sip.User-Agent", "-e",
         "sip.Server", "-e", "frame.time_epoch"],
        capture_output=True, check=True).stdout.decode()
    calls = {}
    for line in out.splitlines():
        cid, meth, sp, dp, ua, srv, ts = line.split("\t")
        c = calls.setdefault(cid, {"methods": set(), "ports": set(),
                                   "agents": set(), "ts": []})
        if meth:
            c["methods"].add(meth)
        c["ports"] |= {sp, dp}
        c["agents"] |= {a for a in (ua, srv) if a}
        c["ts"].append(float(ts))
    return calls


def selected(*args):
    out = run("--format", "csv", *args).decode()
    return {row["call_id"] for row in csv.DictReader(io.StringIO(out))}


def case_selection():
    """--method, --host, --user-agent and --time against tshark's view."""
    pcap = os.path.join(SAMPLES, "demo.pcap")
    calls = tshark_calls(pcap)
    for m in ("BYE", "CANCEL", "REGISTER", "INVITE"):
        want = {c for c, v in calls.items() if m in v["methods"]}
        got = selected("--method", m.lower(), pcap)
        if got != want:
            fail("--method %s: %s, want %s" % (m, got, want))
    port = sorted(calls["busy-486-1@sipcause.test"]["ports"])[0]
    want = {c for c, v in calls.items() if port in v["ports"]}
    got = selected("--host", "127.0.0.1:" + port, pcap)
    if got != want or len(want) != 1:
        fail("--host port %s: %s, want %s" % (port, got, want))
    if selected("--host", "127.0.0.2", pcap):
        fail("--host 127.0.0.2 selects calls")
    if selected("--host", "127.0.0.1", pcap) != set(calls):
        fail("--host 127.0.0.1 misses calls")
    if selected("--user-agent", "UAS", pcap) != {
            c for c, v in calls.items() if any("UAS" in a for a in v["agents"])}:
        fail("--user-agent UAS")
    # calls overlapping a window given three ways: epoch, date, time of day
    t0 = min(calls["notfound-404-1@sipcause.test"]["ts"]) - 0.5
    t1 = t0 + 1.0
    want = {c for c, v in calls.items() if max(v["ts"]) >= t0 and
            min(v["ts"]) <= t1}
    import datetime
    d0 = datetime.datetime.fromtimestamp(t0, datetime.timezone.utc)
    d1 = datetime.datetime.fromtimestamp(t1, datetime.timezone.utc)
    for spec in ("%.3f..%.3f" % (t0, t1),
                 "%s..%s" % (d0.strftime("%Y-%m-%d %H:%M:%S.%f"),
                             d1.strftime("%Y-%m-%d %H:%M:%S.%f")),
                 "%s..%s" % (d0.strftime("%H:%M:%S.%f"),
                             d1.strftime("%H:%M:%S.%f"))):
        got = selected("--time", spec, pcap)
        if got != want or len(want) != 1:
            fail("--time %s: %s, want %s" % (spec, got, want))
    run("--time", "25:00:00..", pcap, ok=False)


if __name__ == "__main__":
    os.makedirs(WORK, exist_ok=True)
    case = sys.argv[3]
    if case.startswith("golden-"):
        _, fmt, rest = case.split("-", 2)
        verbose = rest.endswith("-V")
        golden(fmt, rest[:-2] if verbose else rest, verbose)
    else:
        globals()["case_" + case]()
    print("ok")
