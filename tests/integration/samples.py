#!/usr/bin/env python3
"""sipcause on the project's own sample captures: what each must show.

usage: samples.py SIPCAUSE SAMPLES_DIR GOLDEN_DIR CASE
A CASE is a sample name (its expectations below) or golden-FORMAT-NAME
(the whole output compared with GOLDEN_DIR/NAME.FORMAT; SC_REGEN=1
rewrites the file). Exit 0 pass, 1 fail.
"""
import json
import os
import subprocess
import sys

BIN, SAMPLES, GOLDEN = sys.argv[1], sys.argv[2], sys.argv[3]


def run(*args):
    env = dict(os.environ, LC_ALL="C", TZ="UTC")
    env.pop("NO_COLOR", None)
    r = subprocess.run([BIN] + list(args), capture_output=True, env=env,
                       timeout=60)
    if r.returncode != 0:
        print("FAIL: exit %d\n%s" % (r.returncode, r.stderr.decode()))
        sys.exit(1)
    return r.stdout


def analyse(name):
    return json.loads(run("--format", "json", os.path.join(SAMPLES, name)))


def fail(what, got=None):
    print("FAIL:", what)
    if got is not None:
        print(json.dumps(got, indent=1)[:3000])
    sys.exit(1)


def within(value, lo, hi):
    return value is not None and lo <= value <= hi


def check_call(call, want, where):
    for key in ("kind", "state", "message_count", "retransmissions",
                "ended_by", "expires", "auth_challenges", "forks"):
        if key in want and call[key] != want[key]:
            fail("%s: %s is %r, want %r" % (where, key, call[key],
                                           want[key]), call)
    v = call["verdict"]
    for key in ("code", "category", "rule", "class"):
        if key in want and v[key] != want[key]:
            fail("%s: verdict %s is %r, want %r" % (where, key, v[key],
                                                   want[key]), v)
    for text in want.get("evidence", []):
        if not any(text in e for e in v["evidence"]):
            fail("%s: no evidence mentions %r" % (where, text), v)
    for rule in want.get("findings", []):
        if rule not in [f["rule"] for f in call["findings"]]:
            fail("%s: no finding %r" % (where, rule), call["findings"])
    for key, (lo, hi) in want.get("timings", {}).items():
        if not within(call["timings"][key], lo, hi):
            fail("%s: timing %s is %r, want %d..%d" % (
                where, key, call["timings"][key], lo, hi), call["timings"])
    if not v["summary"] or not v["meaning"] or not v["cause"]:
        fail("%s: verdict without summary, meaning or cause" % where, v)
    seq = want.get("sequence")
    if seq:
        got = [m["request"] or m["status"] for m in call["messages"]]
        if got != seq:
            fail("%s: messages %r, want %r" % (where, got, seq))
    for m in call["messages"]:
        if m["status"] is not None:
            a = m.get("annotation")
            if not a or not a["meaning"] or not a["category"]:
                fail("%s: response %s without annotation" % (where,
                                                             m["status"]), m)
    return call


def expect(name, *calls, **checks):
    doc = analyse(name)
    if doc["schema"] != "sipcause/1":
        fail("schema")
    got = doc["calls"]
    if len(got) != len(calls):
        fail("%s: %d calls, want %d" % (name, len(got), len(calls)), got)
    for i, (call, want) in enumerate(zip(got, calls)):
        check_call(call, want, "%s call %d" % (name, i + 1))
    for key, value in checks.items():
        if doc["stats"].get(key) != value:
            fail("%s: stats.%s is %r, want %r" % (
                name, key, doc["stats"].get(key), value), doc["stats"])
    return doc


INVITE_OK = ["INVITE", 100, 180, 200, "ACK", "BYE", 200]

CALL_OK = dict(kind="INVITE", state="answered", code=200, category="ok",
               rule="ok.answered", ended_by="caller", sequence=INVITE_OK,
               retransmissions=0,
               timings={"trying_ms": (0, 50), "pdd_ms": (0, 50),
                        "setup_ms": (400, 800), "ack_ms": (0, 50),
                        "duration_ms": (900, 1300)})
BUSY = dict(kind="INVITE", state="failed", code=486, category="busy",
            rule="code.default", sequence=["INVITE", 100, 486, "ACK"])
NOT_FOUND = dict(state="failed", code=404, category="not-found",
                 rule="not-found.number", evidence=["5551234"])
OVERLOAD = dict(state="failed", code=503, category="overload",
                rule="overload.retry-after", evidence=["Retry-After: 120"])
CANCEL = dict(state="cancelled", code=487, category="cancelled",
              rule="cancel.caller-hangup", evidence=["of ringing"],
              sequence=["INVITE", 100, 180, "CANCEL", 200, 487, "ACK"],
              timings={"ring_ms": (1800, 2500)})
REGISTERED = dict(kind="REGISTER", state="registered", code=200,
                  category="ok", expires=3600, auth_challenges=1,
                  findings=["auth.challenge"])


def case_call_ok():
    expect("call-ok.pcap", CALL_OK, calls=1, retransmissions=0)


def case_busy():
    expect("busy-486.pcap", BUSY)


def case_notfound():
    expect("notfound-404.pcap", NOT_FOUND)


def case_overload():
    expect("overload-503.pcap", OVERLOAD)


def case_cancel():
    expect("cancel-487.pcap", CANCEL)


def case_register():
    expect("register-401-200.pcap", REGISTERED)


def case_demo():
    doc = expect("demo.pcap", CALL_OK, BUSY, NOT_FOUND, OVERLOAD, CANCEL,
                 REGISTERED, calls=6)
    inv = doc["stats"]["invite_calls"]
    if inv["attempts"] != 5 or inv["answered"] != 1 or inv["asr"] != 20.0:
        fail("demo: INVITE statistics", inv)


def case_auth_challenge():
    expect("auth-challenge-invite.pcap",
           dict(state="answered", code=200, auth_challenges=1,
                findings=["auth.challenge"],
                sequence=["INVITE", 407, "ACK", "INVITE", 100, 180, 200,
                          "ACK", "BYE", 200]))


def case_auth_rejected():
    # alice's credentials are answered 403 (account barred), carol's
    # with a second 401 and a fresh nonce (the password did not match)
    expect("auth-rejected.pcap",
           dict(kind="REGISTER", state="refused", code=403, category="auth",
                rule="auth.rejected", evidence=["alice", "sipcause.test"]),
           dict(kind="REGISTER", state="refused", code=401, category="auth",
                rule="auth.rejected", evidence=["carol", "sipcause.test"]))


def case_no_response():
    expect("invite-no-response.pcap",
           dict(state="timeout", code=None, category="timeout",
                rule="timeout.no-provisional", retransmissions=6,
                evidence=["sent 7 times"]))


def case_media():
    expect("media-488.pcap",
           dict(state="failed", code=488, category="media",
                rule="media.no-common-codec",
                evidence=["G729/8000", "PCMU/8000", "305"]))


def case_missing_ack():
    expect("missing-ack.pcap",
           dict(state="answered-no-ack", code=200, rule="ack.missing",
                ended_by="callee", retransmissions=9,
                evidence=["never acknowledged"]))


def case_address_incomplete():
    expect("address-incomplete-484.pcap",
           dict(state="failed", code=484, category="address",
                rule="address.incomplete", evidence=['"12" (2 characters)']))


def case_session_timer():
    doc = expect("session-timer-422.pcap",
                 dict(state="answered", code=200,
                      findings=["session-timer.too-small"]))
    first = doc["calls"][0]["messages"][1]
    if first["status"] != 422 or \
            first["annotation"]["rule"] != "session-timer.too-small":
        fail("422 annotation", first)
    if not any("Min-SE 1800" in e for e in first["annotation"]["evidence"]):
        fail("422 evidence", first)


def case_reason_q850():
    # the 480 carries Reason: Q.850;cause=18 "No user responding", which
    # RFC 3398 8.2.4.1 maps to 408: the callee's side did not answer in
    # time. The Reason header decides the cause and its category (issue
    # 8, family 6); this case expected the 480's generic category and the
    # old rule id "q850" before.
    expect("reason-q850.pcap",
           dict(state="failed", code=480, category="timeout",
                rule="q850.timeout", evidence=["cause 18"]))


def case_retransmission():
    expect("retransmission.pcap",
           dict(state="answered", code=200, retransmissions=1,
                findings=["retransmission"]), retransmissions=1)


def case_tcp_call():
    doc = expect("tcp-call.pcap", dict(CALL_OK, retransmissions=0))
    if {m["transport"] for m in doc["calls"][0]["messages"]} != {"tcp"}:
        fail("tcp transport", doc["calls"][0]["messages"])


def case_tcp_segmented():
    doc = expect("tcp-segmented.pcap",
                 dict(state="answered", code=200, sequence=INVITE_OK))
    msgs = doc["calls"][0]["messages"]
    if len(msgs[0]["frames"]) != 3:
        fail("the INVITE spans three segments", msgs[0])
    if msgs[1]["frame"] != msgs[2]["frame"]:
        fail("100 and 180 share one segment", msgs[1:3])


def case_ipv6():
    doc = expect("ipv6-call.pcap", CALL_OK)
    if not doc["calls"][0]["messages"][0]["src"].startswith("[::1]:"):
        fail("IPv6 source", doc["calls"][0]["messages"][0])


def case_fragmented():
    doc = expect("ipv4-fragmented.pcap", dict(CALL_OK, timings={}))
    invite = doc["calls"][0]["messages"][0]
    if invite["frames"] != [1, 2] or invite["frame"] != 2:
        fail("the INVITE is built from two fragments", invite)
    if doc["stats"]["ip_fragments"]["reassembled"] != 1:
        fail("one datagram reassembled", doc["stats"]["ip_fragments"])


def case_snaplen():
    doc = analyse("snaplen-truncated.pcap")
    msgs = [m for c in doc["calls"] for m in c["messages"]]
    if len(msgs) != 7:
        fail("seven messages, even cut", msgs)
    if not any(m.get("truncated") for m in msgs):
        fail("cut messages are flagged truncated", msgs)
    if doc["stats"]["truncated"] == 0:
        fail("stats count truncated messages", doc["stats"])


def check_json_lines(out, want):
    """@out, the default JSON layout, is the document @want: a line per
    member of the outer object and of each object in it, and per call."""
    if json.loads(out) != want:
        fail("the default JSON layout is not the --pretty document")
    calls = [line for line in out.splitlines()
             if line.startswith('    {"call_id":')]
    if len(calls) != len(want["calls"]) or not calls:
        fail("%d lines hold a call, %d calls" % (len(calls),
                                                 len(want["calls"])))
    for line, call in zip(calls, want["calls"]):
        if json.loads(line.strip().rstrip(",")) != call:
            fail("the line of call %s is not the call" % call["call_id"])
    if '\n  "stats": {\n    "sip_messages": ' not in out:
        fail("the statistics are not a member per line")


def golden(fmt, name):
    args = ["--format", fmt, os.path.join(SAMPLES, name + ".pcap")]
    if fmt == "text":
        args.insert(0, "-V")
    if fmt == "json":
        # the file holds the indented layout; the default (a line per
        # call) must be the same document, each call on a line of its own
        lines = run(*args).decode()
        args.insert(0, "--pretty")
        check_json_lines(lines, json.loads(run(*args)))
    out = run(*args).decode()
    # the version changes with releases; the rest must not
    out = out.replace('"version": "%s"' % run("--version").decode().split()[1].strip(),
                      '"version": "X"')
    path = os.path.join(GOLDEN, "%s.%s" % (name, fmt))
    if os.environ.get("SC_REGEN"):
        with open(path, "w") as f:
            f.write(out)
        return
    with open(path) as f:
        want = f.read()
    if out != want:
        import difflib
        sys.stdout.writelines(difflib.unified_diff(
            want.splitlines(True), out.splitlines(True), path, "output"))
        fail("output differs from %s (SC_REGEN=1 to accept)" % path)


if __name__ == "__main__":
    case = sys.argv[4]
    if case.startswith("golden-"):
        _, fmt, name = case.split("-", 2)
        golden(fmt, name)
    else:
        globals()["case_" + case]()
    print("ok")
