#!/usr/bin/env python3
"""Command-line behaviour of sipcause: options, errors, exit statuses.

usage: cli.py SIPCAUSE DATA_DIR CASE
Each CASE is one meson test; it runs the real binary and checks stdout,
stderr and the exit status. Exit 0 pass, 1 fail, 77 skip.
"""
import json
import os
import subprocess
import sys
import tempfile

BIN, DATA = sys.argv[1], sys.argv[2]


def run(*args, stdin=None, env=None):
    e = dict(os.environ, LC_ALL="C", TZ="UTC")
    e.pop("NO_COLOR", None)
    if env:
        e.update(env)
    return subprocess.run([BIN] + list(args), input=stdin,
                          capture_output=True, env=e, timeout=60)


def data(name):
    return os.path.join(DATA, name)


def expect(cond, what, r=None):
    if not cond:
        print("FAIL:", what)
        if r is not None:
            print("exit:", r.returncode)
            print("stdout:", r.stdout[:2000])
            print("stderr:", r.stderr[:2000])
        sys.exit(1)


def fails_with(r, status, *words):
    """Exit @status, nothing on stdout, stderr mentions every word."""
    expect(r.returncode == status, "exit status %d" % status, r)
    expect(r.stdout == b"", "nothing on stdout", r)
    err = r.stderr.decode("utf-8", "replace")
    for w in words:
        expect(w.lower() in err.lower(), "stderr mentions %r" % w, r)


def case_help():
    r = run("--help")
    expect(r.returncode == 0, "--help exits 0", r)
    out = r.stdout.decode()
    for w in ("Usage: sipcause", "--format", "Exit status", "explain"):
        expect(w in out, "--help mentions " + w, r)


def case_version():
    r = run("--version")
    expect(r.returncode == 0 and r.stdout.startswith(b"sipcause "),
           "--version prints the version", r)


def case_no_args():
    fails_with(run(), 1, "no capture file")


def case_bad_option():
    fails_with(run("--no-such-option", data("options-3.pcap")), 1, "--help")


def case_bad_format():
    fails_with(run("--format", "yaml", data("options-3.pcap")), 1,
               "unknown format")


def case_missing_file():
    fails_with(run(data("does-not-exist.pcap")), 2, "does-not-exist.pcap",
               "No such file")


def case_unreadable_file():
    if os.geteuid() == 0:
        # root reads everything; a directory is unreadable as a capture
        fails_with(run(DATA), 2, "directory")
        return
    with tempfile.NamedTemporaryFile(suffix=".pcap") as f:
        os.chmod(f.name, 0)
        fails_with(run(f.name), 2, "Permission denied")


def case_not_a_capture():
    fails_with(run(data("not-a-capture.txt")), 2, "not-a-capture.txt",
               "not a pcap or pcapng")


def case_empty_file():
    fails_with(run(data("empty.pcap")), 2, "empty.pcap", "not a pcap")


def case_unsupported_linktype():
    fails_with(run(data("link-unsupported.pcap")), 2,
               "unsupported link type", "147")


def case_link_types():
    # each generated capture holds an OPTIONS over IPv4 and a 200 over
    # IPv6 (tests/data/link-captures.py; tshark reads both)
    import json
    for name in ("ppp", "ppp-hdlc", "chdlc", "80211", "radiotap", "ppi",
                 "erf", "nflog"):
        r = run("--format", "json", data("link-%s.pcap" % name))
        expect(r.returncode == 0, "link-%s.pcap is read" % name, r)
        got = json.loads(r.stdout)["stats"]["sip_messages"]
        expect(got == 2, "link-%s.pcap: %d SIP messages, want 2" % (
            name, got), r)


def case_mixed_linktypes():
    fails_with(run(data("mixed-linktypes.pcapng")), 2, "mixed-linktypes",
               "different from the type of the first interface")


def case_truncated():
    r = run("--format", "json", data("truncated.pcap"))
    expect(r.returncode == 0, "a truncated file is still analysed", r)
    err = r.stderr.decode()
    expect("warning" in err and "truncated" in err, "warns on stderr", r)
    doc = json.loads(r.stdout)
    expect(doc["input"]["packets"] == 2, "the two whole frames were read", r)
    expect(len(doc["input"]["warnings"]) == 1, "warning kept in JSON", r)
    msgs = [m for c in doc["calls"] for m in c["messages"]]
    expect(len(msgs) == 2, "both messages before the damage reported", r)


def case_stdin():
    with open(data("options-3.pcap"), "rb") as f:
        r = run("--format", "json", "-", stdin=f.read())
    expect(r.returncode == 0, "reads standard input", r)
    doc = json.loads(r.stdout)
    expect(doc["input"]["packets"] == 3, "three frames from stdin", r)


def case_several_files():
    r = run("--format", "json", "-r", data("options-3.pcap"),
            data("options-3.pcap"))
    expect(r.returncode == 0, "reads two files", r)
    doc = json.loads(r.stdout)
    expect(doc["input"]["packets"] == 6, "frames of both files", r)
    frames = [m["frame"] for c in doc["calls"] for m in c["messages"]]
    expect(sorted(frames) == [1, 2, 3, 4, 5, 6],
           "frame numbers continue across files", r)


def case_second_file_missing():
    """Like grep: the readable files are reported, the missing one is
    named on stderr and in the warnings, and the exit status says an
    input could not be read."""
    r = run("--format", "json", data("nope.pcap"), data("options-3.pcap"))
    expect(r.returncode == 2, "exit 2: an input could not be read", r)
    expect(b"nope.pcap" in r.stderr, "stderr names the missing file", r)
    doc = json.loads(r.stdout)
    expect(doc["input"]["packets"] == 3, "the other file was read", r)
    expect(any("nope.pcap" in w for w in doc["input"]["warnings"]),
           "the missing file is in input.warnings", r)


def case_all_files_missing():
    fails_with(run(data("nope.pcap"), data("nope2.pcap")), 2, "nope.pcap",
               "nope2.pcap")


def corrupt_copy(src, dst, at):
    """@src with record @at (0-based) claiming 10 MB, more than libpcap
    accepts for any record: a corrupt record, not a short file."""
    import struct
    d = open(src, "rb").read()
    out, off, i = bytearray(d[:24]), 24, 0
    while off < len(d):
        n = struct.unpack("<I", d[off + 8:off + 12])[0]
        rec = bytearray(d[off:off + 16 + n])
        if i == at:
            rec[8:12] = struct.pack("<I", 10000000)
        out += rec
        off, i = off + 16 + n, i + 1
    open(dst, "wb").write(bytes(out))


def case_corrupt_record_then_next_file():
    with tempfile.TemporaryDirectory() as d:
        bad = os.path.join(d, "bad.pcap")
        corrupt_copy(data("options-3.pcap"), bad, 2)
        for fmt in ("json", "jsonl", "text", "csv"):
            r = run("--format", fmt, bad, data("options-3.pcap"))
            expect(r.returncode == 0, fmt + ": damage is local: exit 0", r)
            expect(b"corrupt record" in r.stderr, "warned on stderr", r)
            expect(r.stdout, fmt + ": a report was written", r)
        r = run("--format", "json", bad, data("options-3.pcap"))
        doc = json.loads(r.stdout)
        expect(doc["input"]["packets"] == 5,
               "two frames before the damage and the whole next file", r)
        expect(any("corrupt record after frame 2" in w
                   for w in doc["input"]["warnings"]),
               "the damage is in input.warnings", r)


def tshark_call_frames(path):
    """Call-ID -> the frames its messages were built from, read by tshark
    (independent of sipcause): frames carrying the call's messages plus
    the IP fragments and TCP segments they were reassembled from."""
    import shutil
    if not shutil.which("tshark"):
        print("tshark not installed: skipped")
        sys.exit(77)
    out = subprocess.run(
        ["tshark", "-r", path, "-T", "fields", "-E", "separator=|",
         "-e", "frame.number", "-e", "sip.Call-ID", "-e", "ip.fragment",
         "-e", "tcp.segment"], capture_output=True, text=True).stdout
    calls = {}
    for line in out.splitlines():
        num, ids, frags, segs = line.split("|")
        for cid in filter(None, ids.split(",")):
            s = calls.setdefault(cid, set())
            s.add(int(num))
            s.update(int(x) for x in (frags + "," + segs).split(",") if x)
    return calls


def pcap_frames(path):
    import struct
    d = open(path, "rb").read()
    off, n = 24, 0
    while off < len(d):
        off += 16 + struct.unpack("<I", d[off + 8:off + 12])[0]
        n += 1
    return n


def case_export_pcap():
    """The exported pcap holds exactly the selected calls, each with every
    frame it was built from (fragments and segments too)."""
    for name, args in (("demo.pcap", ["--failed"]),
                       ("ipv4-fragmented.pcap", []),
                       ("tcp-segmented.pcap", [])):
        src = os.path.join(DATA, "..", "..", "samples", name)
        want = tshark_call_frames(src)
        with tempfile.TemporaryDirectory() as d:
            out = os.path.join(d, "x.pcap")
            r = run("-q", "--format", "json", "--export-pcap", out, *args,
                    src)
            expect(r.returncode == 0, name + ": exported", r)
            picked = {c["call_id"] for c in json.loads(r.stdout)["calls"]}
            expect(picked, name + ": some call selected", r)
            frames = set().union(*(want[c] for c in picked))
            expect(pcap_frames(out) == len(frames),
                   "%s: %d frames exported, tshark counts %d" %
                   (name, pcap_frames(out), len(frames)), r)
            r2 = run("-q", "--format", "json", out)
            again = {c["call_id"] for c in json.loads(r2.stdout)["calls"]}
            expect(again == picked, name + ": the same calls, no other", r2)


def case_split_calls():
    src = os.path.join(DATA, "..", "..", "samples", "demo.pcap")
    want = tshark_call_frames(src)
    with tempfile.TemporaryDirectory() as d:
        r = run("-q", "--split-calls", os.path.join(d, "calls"), src)
        expect(r.returncode == 0, "split", r)
        files = sorted(os.listdir(os.path.join(d, "calls")))
        expect(len(files) == len(want), "one file per call", r)
        for f in files:
            path = os.path.join(d, "calls", f)
            doc = json.loads(run("-q", "--format", "json", path).stdout)
            ids = [c["call_id"] for c in doc["calls"]]
            expect(len(ids) == 1 and ids[0].replace("@", "_") in f,
                   f + ": named after its one call", r)
            expect(pcap_frames(path) == len(want[ids[0]]),
                   f + ": every frame of the call", r)
        r = run("--export-pcap", os.path.join(d, "x.pcap"), "-", stdin=b"")
        fails_with(r, 1, "standard input")


def many_options_pcap(path, n):
    """@n OPTIONS requests, each its own Call-ID, in a pcap."""
    import struct
    out = [struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1)]
    for i in range(n):
        sip = ("OPTIONS sip:b@10.0.0.2 SIP/2.0\r\nVia: SIP/2.0/UDP "
               "10.0.0.1;branch=z9hG4bK%d\r\nFrom: <sip:a@x>;tag=1\r\n"
               "To: <sip:b@x>\r\nCall-ID: p%d\r\nCSeq: 1 OPTIONS\r\n"
               "Content-Length: 0\r\n\r\n" % (i, i)).encode()
        udp = struct.pack("!HHHH", 5060, 5060, 8 + len(sip), 0) + sip
        ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), 0, 0, 64,
                         17, 0, bytes([10, 0, 0, 1]), bytes([10, 0, 0, 2]))
        eth = b"\x00" * 12 + b"\x08\x00" + ip + udp
        out.append(struct.pack("<IIII", 1700000000 + i // 1000, i % 1000,
                               len(eth), len(eth)) + eth)
    open(path, "wb").write(b"".join(out))


def case_progress():
    """A long read shows a bar on a terminal's stderr, erased at the end;
    nothing with -q or when stderr is not a terminal."""
    import pty
    with tempfile.TemporaryDirectory() as d:
        big = os.path.join(d, "big.pcap")
        many_options_pcap(big, 70000)
        for quiet in (False, True):
            master, slave = pty.openpty()
            args = [BIN, "--format", "jsonl", "-o", os.devnull, big]
            if quiet:
                args.insert(1, "-q")
            p = subprocess.Popen(args, stdout=subprocess.DEVNULL,
                                 stderr=slave, env=dict(os.environ,
                                                        TZ="UTC"))
            os.close(slave)
            seen = b""
            while True:
                try:
                    chunk = os.read(master, 4096)
                except OSError:
                    break
                if not chunk:
                    break
                seen += chunk
            p.wait()
            os.close(master)
            expect(p.returncode == 0, "read the big file")
            if quiet:
                expect(seen == b"", "-q: nothing on the terminal: %r" % seen)
            else:
                expect(b"big.pcap [" in seen and b"%" in seen and
                       b"pkt/s" in seen and b"calls" in seen,
                       "a bar with the rate and calls: %r" % seen[:300])
                expect(seen.endswith(b"\r\x1b[K"),
                       "the bar is erased at the end: %r" % seen[-40:])
        r = run("--format", "jsonl", "-o", os.devnull, big)
        expect(r.stderr == b"", "stderr not a terminal: no bar", r)


def case_output_file():
    with tempfile.TemporaryDirectory() as d:
        out = os.path.join(d, "report.json")
        r = run("--format", "json", "-o", out, data("options-3.pcap"))
        expect(r.returncode == 0 and r.stdout == b"", "-o writes a file", r)
        with open(out) as f:
            expect(json.load(f)["schema"] == "sipcause/1", "JSON in file")


def case_output_unwritable():
    fails_with(run("-o", "/nonexistent-dir/x.json", data("options-3.pcap")),
               2, "/nonexistent-dir/x.json")


def case_control_chars():
    for fmt in ("text", "json"):
        r = run("--format", fmt, "-V", data("control-chars.pcap"))
        expect(r.returncode == 0, "analyses the hostile capture", r)
        expect(b"\x1b" not in r.stdout and b"\x07" not in r.stdout and
               b"\x9b" not in r.stdout,
               "no raw control characters reach the output (%s)" % fmt, r)
    r = run("--format", "json", data("control-chars.pcap"))
    doc = json.loads(r.stdout)
    expect("\x1b]0;pwned\x07" in doc["calls"][0]["from"]["display"],
           "JSON keeps the original characters, escaped", r)


def case_color():
    r = run("--color", "always", data("options-3.pcap"))
    expect(b"\x1b[" in r.stdout, "--color always colours", r)
    r = run(data("options-3.pcap"))
    expect(b"\x1b[" not in r.stdout, "no colour when not a terminal", r)
    r = run("--color", "always", data("options-3.pcap"),
            env={"NO_COLOR": "1"})
    expect(b"\x1b[" in r.stdout, "--color always beats NO_COLOR", r)


def case_explain():
    r = run("explain", "503")
    expect(r.returncode == 0, "explain 503", r)
    out = r.stdout.decode()
    expect("503 Service Unavailable" in out and "overload" in out,
           "explain prints the code, reason and category", r)
    r = run("explain", "q850", "17")
    expect(r.returncode == 0 and b"17" in r.stdout, "explain q850 17", r)
    fails_with(run("explain", "1234"), 1, "usage")
    fails_with(run("explain", "q850", "200"), 1, "not known")
    # RFC 3261 20.43: 399 is "Miscellaneous warning"
    r = run("explain", "warning", "399")
    expect(r.returncode == 0 and b"399" in r.stdout and
           b"iscellaneous" in r.stdout, "explain warning 399", r)
    fails_with(run("explain", "warning", "200"), 1, "not known")


def case_ports():
    fails_with(run("--ports", "5080,", data("options-3.pcap")), 1, "--ports")
    fails_with(run("--ports", "70000", data("options-3.pcap")), 1, "--ports")
    r = run("--format", "json", data("garbage-prefix-5080.pcap"))
    doc = json.loads(r.stdout)
    expect(doc["stats"]["sip_messages"] == 0,
           "without a hint, a datagram not starting with SIP is not SIP", r)
    r = run("--format", "json", "--ports", "5080", data("garbage-prefix-5080.pcap"))
    doc = json.loads(r.stdout)
    expect(doc["stats"]["sip_messages"] == 1 and
           doc["stats"]["udp_resynced"] == 1,
           "--ports finds SIP past the junk on that port", r)
    expect(doc["calls"][0]["messages"][0].get("resynced") is True,
           "the message says it was found past garbage", r)


def case_link_header():
    def links(*args):
        r = run("--format", "json", *args, data("b2bua-legs.pcap"))
        return {c["call_id"]: c["linked_calls"]
                for c in json.loads(r.stdout)["calls"]}
    got = links()
    expect(got["leg-a1"] == ["leg-a2"] and got["leg-a2"] == ["leg-a1"],
           "X-Call-ID links two legs by default: %r" % got)
    expect(got["leg-b1"] == [] and got["leg-b2"] == [],
           "an unknown header links nothing by default: %r" % got)
    got = links("--link-header", "X-Orig-Leg")
    expect(got["leg-b1"] == ["leg-b2"] and got["leg-a1"] == ["leg-a2"],
           "--link-header adds to the defaults: %r" % got)
    r = run("--format", "json", "--call", "leg-a2", data("b2bua-legs.pcap"))
    shown = sorted(c["call_id"] for c in json.loads(r.stdout)["calls"])
    expect(shown == ["leg-a1", "leg-a2"],
           "--call shows the call and its linked leg: %r" % shown, r)


# b2bua-legs.pcap, as tshark reads it: four INVITEs, no responses.
# frame 1 leg-a1 192.0.2.1 -> 192.0.2.2; frame 2 leg-a2 192.0.2.2 ->
# 192.0.2.3 with "X-Call-ID: leg-a1"; frame 3 leg-b1 like frame 1; frame 4
# leg-b2 like frame 2 with "X-Orig-Leg: leg-b1" (not a default link header).
B2BUA_FRAMES = {"leg-a1": [1], "leg-a2": [2], "leg-b1": [3], "leg-b2": [4]}
B2BUA_LINKS = {"leg-a1": ["leg-a2"], "leg-a2": ["leg-a1"], "leg-b1": [],
               "leg-b2": []}


def calls_of(r, fmt):
    expect(r.returncode == 0, "--format %s exits 0" % fmt, r)
    if fmt == "json":
        return json.loads(r.stdout)["calls"]
    return [json.loads(line) for line in r.stdout.splitlines() if line]


def case_jsonl_links():
    r = run("--format", "jsonl", data("b2bua-legs.pcap"))
    got = {c["call_id"]: c["linked_calls"] for c in calls_of(r, "jsonl")}
    expect(got == B2BUA_LINKS,
           "jsonl links the legs as json does, both ways: %r" % got, r)
    r = run("--format", "jsonl", "--link-header", "X-Orig-Leg",
            data("b2bua-legs.pcap"))
    got = {c["call_id"]: c["linked_calls"] for c in calls_of(r, "jsonl")}
    expect(got["leg-b1"] == ["leg-b2"] and got["leg-b2"] == ["leg-b1"],
           "jsonl shows --link-header links too: %r" % got, r)


def case_call_links():
    for fmt in ("json", "jsonl"):
        r = run("--format", fmt, "--call", "leg-a2", data("b2bua-legs.pcap"))
        calls = {c["call_id"]: c for c in calls_of(r, fmt)}
        expect(sorted(calls) == ["leg-a1", "leg-a2"],
               "%s --call leg-a2 shows it and its linked leg: %r"
               % (fmt, sorted(calls)), r)
        for cid, c in calls.items():
            frames = [m["frame"] for m in c["messages"]]
            expect(frames == B2BUA_FRAMES[cid],
                   "%s --call leg-a2 keeps %s with its messages (frames %r,"
                   " got %r)" % (fmt, cid, B2BUA_FRAMES[cid], frames), r)
            expect(c["messages"][0]["request"] == "INVITE",
                   "%s: %s is an INVITE" % (fmt, cid), r)
            expect(c["linked_calls"] == B2BUA_LINKS[cid],
                   "%s: %s links %r" % (fmt, cid, c["linked_calls"]), r)
    r = run("--format", "text", "-V", "--call", "leg-a2",
            data("b2bua-legs.pcap"))
    out = r.stdout.decode()
    expect(r.returncode == 0 and "leg-a1" in out and "leg-a2" in out,
           "text --call leg-a2 names both legs", r)


CASES = {n[5:]: f for n, f in globals().items() if n.startswith("case_")}

if __name__ == "__main__":
    if len(sys.argv) < 4:
        print("cases:", " ".join(sorted(CASES)))
        sys.exit(2)
    CASES[sys.argv[3]]()
    print("ok")
