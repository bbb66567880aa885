#!/usr/bin/env python3
"""ladder.py - print the SIP ladder of a capture, per Call-ID, from TShark.

A labelling aid for tests/corpus/verdicts.tsv. It uses TShark only (never
sipcause), so that the verdicts are read from the messages themselves.

usage: ladder.py [-d DECODE_AS]... [--call SUBSTR] [--summary] [--max N] CAPTURE

  -d udp.port==5090,sip   passed to tshark (repeatable); when the corpus
                          INDEX.md names a -d option for the capture, it is
                          used automatically
  --call SUBSTR           only Call-IDs containing SUBSTR
  --summary               one line per Call-ID (methods and codes), for
                          huge captures
  --max N                 at most N Call-IDs
  --compact               shorter lines

Each message line: frame, seconds since the first SIP frame, src > dst,
request method + R-URI user or status + reason, CSeq, top Via branch and
the number of Via headers, To tag, Max-Forwards, then the headers that
carry evidence (Warning, Reason, Retry-After, UA/Server, auth, Expires,
Contact expires, Subscription-State, Content-Type).
"""
import argparse
import os
import re
import subprocess
import sys
from collections import OrderedDict

AGG = "\x1d"
COMPACT = False
SEEN = set()
FIELDS = [
    "frame.number", "frame.time_epoch", "ip.src", "ip.dst", "ipv6.src",
    "ipv6.dst", "udp.srcport", "udp.dstport", "tcp.srcport", "tcp.dstport",
    "sctp.srcport", "sctp.dstport",
    "sip.Call-ID", "sip.Method", "sip.r-uri.user", "sip.Status-Code",
    "sip.Status-Line", "sip.CSeq", "sip.Via", "sip.Via.branch", "sip.to.tag",
    "sip.from.user", "sip.to.user", "sip.Max-Forwards", "sip.Warning",
    "sip.Reason", "sip.Retry-After", "sip.User-Agent", "sip.Server",
    "sip.WWW-Authenticate", "sip.Proxy-Authenticate", "sip.Authorization",
    "sip.Proxy-Authorization", "sip.auth.stale", "sip.Content-Type",
    "sip.Expires", "sip.Contact", "sip.Subscription-State", "sip.Event",
    "frame.len", "frame.cap_len", "icmp.type", "icmp.code", "icmpv6.type",
    "icmpv6.code",
]


def index_decode(capture):
    """-d options that the corpus INDEX.md names for this capture."""
    d = os.path.dirname(os.path.abspath(capture))
    for _ in range(3):
        idx = os.path.join(d, "INDEX.md")
        if os.path.exists(idx):
            rel = os.path.relpath(os.path.abspath(capture), d)
            with open(idx, encoding="utf-8", errors="replace") as f:
                for line in f:
                    if line.startswith("| `%s`" % rel):
                        return re.findall(r"-d (\S+?,sip)", line)
            return []
        d = os.path.dirname(d)
    return []


def run(capture, decodes):
    cmd = ["tshark", "-n", "-r", capture]
    for d in decodes:
        cmd += ["-d", d]
    cmd += ["-Y", "sip", "-T", "fields", "-E", "separator=\t",
            "-E", "occurrence=a", "-E", "aggregator=" + AGG]
    for f in FIELDS:
        cmd += ["-e", f]
    out = subprocess.run(cmd, stdout=subprocess.PIPE,
                         stderr=subprocess.DEVNULL, check=False).stdout
    rows = []
    for line in out.decode("utf-8", "replace").split("\n"):
        if not line:
            continue
        v = line.split("\t")
        v += [""] * (len(FIELDS) - len(v))
        rows.append(dict(zip(FIELDS, v)))
    return rows


def first(v):
    return v.split(AGG)[0] if v else ""


def last(v):
    return v.split(AGG)[-1] if v else ""


def endpoint(r, side):
    ip = last(r["ip." + side]) or last(r["ipv6." + side])
    if ":" in ip:
        ip = "[%s]" % ip
    port = (last(r["udp.%sport" % side]) or last(r["tcp.%sport" % side])
            or last(r["sctp.%sport" % side]))
    proto = "udp" if r["udp.srcport"] else "tcp" if r["tcp.srcport"] else \
        "sctp" if r["sctp.srcport"] else "?"
    return "%s:%s" % (ip, port), proto


def describe(r, t0):
    src, proto = endpoint(r, "src")
    dst, _ = endpoint(r, "dst")
    parts = []
    if r["sip.Method"] and not r["sip.Status-Code"]:
        what = "%s %s" % (first(r["sip.Method"]), first(r["sip.r-uri.user"]))
    elif r["sip.Status-Code"]:
        sl = first(r["sip.Status-Line"])
        what = sl.replace("SIP/2.0 ", "") if sl else first(r["sip.Status-Code"])
    else:
        what = "?"
    # Via entries, also several in one header line ("Via: a, b")
    nvia = len(re.findall(r"SIP/2\.0/", r["sip.Via"])) if r["sip.Via"] else 0
    ts = float(first(r["frame.time_epoch"]) or 0) - t0
    if COMPACT:
        parts.append("%6s %8.3f %s>%s %-24s cseq=%s via=%d" % (
            r["frame.number"], ts, src, dst, what[:40],
            first(r["sip.CSeq"]), nvia))
    else:
        parts.append("%6s %8.3f %s %s>%s %-28s cseq=%s via=%d br=%s" % (
            r["frame.number"], ts, proto, src, dst, what[:60],
            first(r["sip.CSeq"]), nvia, first(r["sip.Via.branch"])[:30]))
    tag = first(r["sip.to.tag"])
    if tag:
        parts.append("totag=" + tag[:20])
    extra = [
        ("mf", "sip.Max-Forwards"), ("Warning", "sip.Warning"),
        ("Reason", "sip.Reason"), ("Retry-After", "sip.Retry-After"),
        ("UA", "sip.User-Agent"), ("Server", "sip.Server"),
        ("Expires", "sip.Expires"), ("SubState", "sip.Subscription-State"),
        ("Event", "sip.Event"), ("CT", "sip.Content-Type"),
    ]
    for name, f in extra:
        if COMPACT and name in ("UA", "Server", "CT"):
            key = (src, r[f])
            if key in SEEN:
                continue
            SEEN.add(key)
        if r[f]:
            parts.append("%s=%s" % (name, r[f].replace(AGG, " | ")[:90]))
    for name, f in [("WWW-Auth", "sip.WWW-Authenticate"),
                    ("Proxy-Auth", "sip.Proxy-Authenticate"),
                    ("Authz", "sip.Authorization"),
                    ("Proxy-Authz", "sip.Proxy-Authorization")]:
        if r[f]:
            v = r[f]
            m = re.search(r'username="([^"]*)"', v)
            parts.append("%s%s" % (name, "(user=%s)" % m.group(1) if m else ""))
    if r["sip.auth.stale"]:
        parts.append("stale=" + r["sip.auth.stale"])
    if r["sip.Contact"] and "expires" in r["sip.Contact"].lower():
        m = re.search(r"expires=(\d+)", r["sip.Contact"], re.I)
        if m:
            parts.append("contact-expires=" + m.group(1))
    if r["frame.cap_len"] and r["frame.len"] and \
            r["frame.cap_len"] != r["frame.len"]:
        parts.append("CUT(%s/%s)" % (r["frame.cap_len"], r["frame.len"]))
    if r["icmp.type"] or r["icmpv6.type"]:
        parts.insert(0, "ICMP%s type=%s code=%s QUOTING:" % (
            "v6" if r["icmpv6.type"] else "",
            first(r["icmp.type"] or r["icmpv6.type"]),
            first(r["icmp.code"] or r["icmpv6.code"])))
    if AGG in r["sip.Call-ID"]:
        parts.append("MULTI-MSG(methods=%s codes=%s cseq=%s)" % (
            r["sip.Method"].replace(AGG, ","),
            r["sip.Status-Code"].replace(AGG, ","),
            r["sip.CSeq"].replace(AGG, ",")))
    return "  ".join(parts)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("-d", action="append", default=[])
    ap.add_argument("--call")
    ap.add_argument("--summary", action="store_true")
    ap.add_argument("--max", type=int, default=0)
    ap.add_argument("--compact", action="store_true",
                    help="shorter lines: no branch, UA/Server once per sender")
    ap.add_argument("capture")
    a = ap.parse_args()
    global COMPACT
    COMPACT = a.compact
    decodes = a.d or index_decode(a.capture)
    rows = run(a.capture, decodes)
    if not rows:
        print("no SIP (tshark)")
        return
    t0 = float(first(rows[0]["frame.time_epoch"]) or 0)
    calls = OrderedDict()
    for r in rows:
        cids = r["sip.Call-ID"].split(AGG) if r["sip.Call-ID"] else [""]
        for cid in OrderedDict.fromkeys(cids):
            calls.setdefault(cid, []).append(r)
    n = 0
    for cid, rs in calls.items():
        if a.call and a.call not in cid:
            continue
        n += 1
        if a.max and n > a.max:
            break
        if a.summary:
            seq = []
            for r in rs:
                seq.append(first(r["sip.Status-Code"]) or
                           first(r["sip.Method"]))
            print("%-50r %3d  %s" % (cid, len(rs), " ".join(seq)[:200]))
            continue
        print("=== Call-ID %r (%d frames)" % (cid, len(rs)))
        for r in rs:
            print(describe(r, t0))
    print("# %d Call-IDs, capture span %.1f s" % (
        len(calls), float(first(rows[-1]["frame.time_epoch"]) or 0) - t0))


if __name__ == "__main__":
    main()
