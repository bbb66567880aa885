#!/usr/bin/env python3
"""sipcause on the multi-hop samples made with a real proxy (Kamailio).

usage: proxy.py SIPCAUSE CAPTURE
CAPTURE is one of samples/proxy/*.pcap (made by make-proxy-samples.sh);
its expectations are below, keyed by file name. Exit 0 pass, 1 fail.

Every expectation was labelled by reading the packets
(tshark -r CAPTURE -Y sip -O sip), never from sipcause's output. In all
captures the caller is 127.0.0.1:P+1, the proxy 127.0.0.1:P and the
callees 127.0.0.1:P+2 and P+3 (P = 16000, 16010, ... 16100). A hop is
one direction between two addresses, as in calls[].hops[].

What is checked, per capture (one call each):
  state        calls[].state
  code         calls[].verdict.code: the final response the caller saw
  category     calls[].verdict.category: the category of the root cause
  root         calls[].verdict.root_cause: None when the response the
               caller saw is itself the root cause (it came straight from
               the party that decided it); else (code, src, dst, frame)
               of the response that originated the failure, on its hop
  hops         len(calls[].hops)
  attempts     calls[].attempts[]: one INVITE attempt (the 407 retry
               belongs to the same attempt) with this final code
  findings_about: for each entry, some finding (not the false "mid-call"
               one) whose text names all of these strings
  mentions     strings the verdict (cause or evidence) must name
"""
import json
import os
import subprocess
import sys

BIN, CAPTURE = sys.argv[1], sys.argv[2]
NAME = os.path.basename(CAPTURE)[:-len(".pcap")]

L = "127.0.0.1:"

# name: expectations (frames are those of the committed captures)
EXPECT = {
    # 1 INVITE, 100 (proxy), INVITE, 100, 180, 180, 200, 200, ACK, ACK,
    # BYE, BYE, 200, 200: answered through the proxy, record-routed
    # (ACK and BYE carry Route: <sip:127.0.0.1:16000;lr>).
    "answered": dict(
        state="answered", code=200, category="ok", root=None, hops=4,
        attempt_state="answered"),
    # 2 The callee's 486 (frame 5, 16012 -> 16010) is acknowledged by the
    # proxy (frame 6) and relayed (frame 7): busy at the callee.
    "busy-486": dict(
        state="failed", code=486, category="busy",
        root=(486, L + "16012", L + "16010", 5), hops=4,
        attempt_state="failed"),
    # 3 The callee answers 503 with Retry-After: 120 (frame 4, 16022 ->
    # 16020); the proxy's failure_route answers the caller 500 (frame 6,
    # its own To tag, no Retry-After): RFC 3261 16.7. The caller saw
    # 500; the cause is the callee's overload.
    "overload-503-to-500": dict(
        state="failed", code=500, category="overload",
        root=(503, L + "16022", L + "16020", 4), hops=4,
        attempt_state="failed", mentions=["503"]),
    # 4 The proxy's INVITE to 16032 (frames 3, 4, 5 at 0, 0.45, 1.45 s)
    # gets nothing back; at 2.95 s (fr_timer) the proxy answers the
    # caller 408 itself (frame 6). No response exists downstream: the
    # root cause is the silent hop between the proxy and 16032 (either
    # direction accepted, code None or 408).
    "timeout-408": dict(
        state="timeout", code=408, category="timeout",
        root=("silent", L + "16030", L + "16032"), hops=3,
        attempt_state="timeout", mentions=[L + "16032"]),
    # 5 Parallel fork to 16042 and 16043: both ring (180 tags b1 and c1
    # reach the caller), 16042 answers 486 (frame 11, acknowledged by the
    # proxy, never relayed), 16043 answers 200 (frame 13, relayed frame
    # 14): the call is answered; the busy branch is a finding, not a
    # failure inside the call.
    "fork-486-200": dict(
        state="answered", code=200, category="ok", root=None, hops=6,
        attempt_state="answered",
        findings_about=[["486", L + "16042"]]),
    # 6 The caller's CANCEL after 2 s of ringing (frame 7) is relayed
    # (frame 8) and answered 200 by the proxy (frame 10); the callee
    # answers it 200 (frame 9) and ends the INVITE with 487 (frame 11,
    # 16052 -> 16050), relayed to the caller (frame 13).
    "cancel-487": dict(
        state="cancelled", code=487, category="cancelled",
        root=(487, L + "16052", L + "16050", 11), hops=4,
        attempt_state="cancelled"),
    # 7 The proxy challenges the first INVITE with 407 (frame 2, realm
    # sipcause.test); the retry with Proxy-Authorization (CSeq 2, frame
    # 4) is relayed and answered 200 (frames 10, 11).
    "auth-407": dict(
        state="answered", code=200, category="ok", root=None, hops=4,
        attempt_state="answered", auth=True,
        findings=["auth.challenge"]),
    # 8 No route for user carol: the proxy answers 404 itself (frame 2);
    # nothing goes downstream.
    "notfound-404": dict(
        state="failed", code=404, category="not-found", root=None, hops=2,
        attempt_state="failed"),
    # 9 The callee (a carrier gateway) answers 503 with Reason:
    # Q.850;cause=34 "No circuit/channel available" (frame 5, 16082 ->
    # 16080); the proxy answers the caller 480 (frame 7, no Reason).
    # Congestion at the carrier, not an unanswered callee.
    "carrier-503-to-480": dict(
        state="failed", code=480, category="overload",
        root=(503, L + "16082", L + "16080", 5), hops=4,
        attempt_state="failed", q850=34, mentions=["34"]),
    # 10 Parallel fork: 16093 rings and answers 200 at 2 s (frames 10,
    # 11); the INVITE to 16092 (frames 3, 8, 9 at 0, 0.48, 1.48 s) never
    # gets any answer. Answered, with a finding about the silent branch.
    "fork-unanswered-branch": dict(
        state="answered", code=200, category="ok", root=None, hops=5,
        attempt_state="answered",
        findings_about=[[L + "16092"]]),
    # 11 As overload-503-to-500, but the failure_route leaves the 503 to
    # Kamailio's tm, which relays it upstream as "500 Service Unavailable"
    # (frame 6: code 500 with the 503's reason phrase, the proxy's own To
    # tag, no Retry-After). The callee's 503 (frame 4) is the cause.
    "tm-remap-503": dict(
        state="failed", code=500, category="overload",
        root=(503, L + "16102", L + "16100", 4), hops=4,
        attempt_state="failed", mentions=["503"]),
}

problems = []


def fail(what, got=None):
    text = what
    if got is not None:
        text += "\n    got: " + json.dumps(got)[:1500]
    problems.append(text)


def analyse():
    env = dict(os.environ, LC_ALL="C", TZ="UTC")
    r = subprocess.run([BIN, "--format", "json", CAPTURE],
                       capture_output=True, env=env, timeout=60)
    if r.returncode != 0:
        print("FAIL: exit %d\n%s" % (r.returncode, r.stderr.decode()))
        sys.exit(1)
    return json.loads(r.stdout)


def check_root(call, want):
    v = call["verdict"]
    if "root_cause" not in v:
        fail("verdict.root_cause is missing", sorted(v))
        return
    rc = v["root_cause"]
    if want is None:
        if rc is not None:
            fail("root_cause should be null (the caller saw the response "
                 "that decided the call)", rc)
        return
    if rc is None:
        fail("root_cause is null, want %r" % (want,))
        return
    if want[0] == "silent":
        pair = {rc.get("src"), rc.get("dst")}
        if pair != {want[1], want[2]}:
            fail("root_cause hop is %s -> %s, want the silent hop between "
                 "%s and %s" % (rc.get("src"), rc.get("dst"), want[1],
                                want[2]), rc)
        if rc.get("code") not in (None, 408):
            fail("root_cause code %r, want none (no answer) or 408"
                 % rc.get("code"), rc)
    else:
        code, src, dst, frame = want
        for key, value in (("code", code), ("src", src), ("dst", dst),
                           ("frame", frame)):
            if rc.get(key) != value:
                fail("root_cause %s is %r, want %r" % (key, rc.get(key),
                                                       value), rc)
        msgs = {m["frame"]: m for m in call["messages"]}
        m = msgs.get(rc.get("frame"))
        if m is None or m["status"] != code or m["src"] != src or \
                m["dst"] != dst:
            fail("root_cause frame %r is not the %d from %s to %s"
                 % (rc.get("frame"), code, src, dst), m)
    hop = rc.get("hop")
    if isinstance(hop, int):
        if not 0 <= hop < len(call["hops"]):
            fail("root_cause hop %d is not in calls[].hops" % hop, rc)
        else:
            h = call["hops"][hop]
            if (h["src"], h["dst"]) != (rc.get("src"), rc.get("dst")):
                fail("root_cause hop %d is %s -> %s, not its src/dst"
                     % (hop, h["src"], h["dst"]), rc)
    elif "hop" not in rc:
        fail("root_cause has no hop", rc)


def check_attempts(call, want):
    atts = call.get("attempts")
    if atts is None:
        fail("calls[].attempts is missing")
        return
    if len(atts) != 1:
        fail("%d attempts, want 1 (one INVITE%s)" % (
            len(atts), " with its 407 retry" if want.get("auth") else ""),
            atts)
        return
    a = atts[0]
    if a.get("kind") != "INVITE":
        fail("attempt kind %r, want INVITE" % a.get("kind"), a)
    # the attempt is known by its initial request; an auth retry may be
    # reported by the CSeq that decided it
    cseqs = (1, 2) if want.get("auth") else (1,)
    if a.get("cseq") not in cseqs:
        fail("attempt cseq %r, want %s" % (a.get("cseq"), cseqs), a)
    if a.get("state") != want["attempt_state"]:
        fail("attempt state %r, want %r" % (a.get("state"),
                                            want["attempt_state"]), a)
    if a.get("final_code") != want["code"]:
        fail("attempt final_code %r, want %r" % (a.get("final_code"),
                                                 want["code"]), a)
    av = a.get("verdict")
    if not isinstance(av, dict) or av.get("category") != want["category"]:
        fail("attempt verdict category, want %r" % want["category"], av)


def main():
    if NAME not in EXPECT:
        print("FAIL: no expectations for %s" % NAME)
        return 1
    want = EXPECT[NAME]
    doc = analyse()
    if doc.get("schema") != "sipcause/1":
        fail("schema %r" % doc.get("schema"))
    calls = doc["calls"]
    if len(calls) != 1:
        print("FAIL: %d calls, want 1" % len(calls))
        return 1
    call = calls[0]
    if call["call_id"] != NAME + "-1@sipcause.test":
        fail("call_id %r" % call["call_id"])
    v = call["verdict"]
    if call["state"] != want["state"]:
        fail("state %r, want %r" % (call["state"], want["state"]))
    if v["code"] != want["code"]:
        fail("verdict code (what the caller saw) %r, want %r"
             % (v["code"], want["code"]), v)
    if v["category"] != want["category"]:
        fail("verdict category %r, want %r" % (v["category"],
                                               want["category"]), v)
    if not v.get("cause") or not v.get("rule"):
        fail("verdict without cause or rule", v)
    check_root(call, want["root"])
    if len(call["hops"]) != want["hops"]:
        fail("%d hops, want %d" % (len(call["hops"]), want["hops"]),
             call["hops"])
    check_attempts(call, want)
    rules = [f["rule"] for f in call["findings"]]
    if "mid-call" in rules:
        fail("a 'mid-call' finding: the downstream response belongs to "
             "the first INVITE, on another hop", call["findings"])
    for rule in want.get("findings", []):
        if rule not in rules:
            fail("no finding %r" % rule, call["findings"])
    for words in want.get("findings_about", []):
        if not any(all(w in (f.get("text") or "") for w in words)
                   for f in call["findings"] if f["rule"] != "mid-call"):
            fail("no finding naming %s" % " and ".join(words),
                 call["findings"])
    said = " ".join([v.get("cause") or ""] + list(v.get("evidence") or []))
    for text in want.get("mentions", []):
        if text not in said:
            fail("the verdict's cause and evidence do not name %r" % text,
                 {"cause": v.get("cause"), "evidence": v.get("evidence")})
    if "q850" in want:
        q = v.get("q850")
        if not q or q.get("cause") != want["q850"]:
            fail("verdict q850 cause, want %d" % want["q850"], q)
    if problems:
        for p in problems:
            print("FAIL: %s: %s" % (NAME, p))
        return 1
    print("ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
