#!/usr/bin/env python3
"""Live capture: sipcause -i on the loopback interface with real SIPp calls.

usage: live.py SIPCAUSE SCENARIO_DIR CASE
CASE is one of: calls, privdrop, errors, rotate, limits, verbose. Each is one meson
test (suite 'live'). They need root (capturing, dropping privileges) and
skip with status 77 otherwise; 'calls' also needs sipp.

Every test uses ports 17000-17999 only, so that other tests' traffic on lo
does not reach its capture. Exit 0 pass, 1 fail, 77 skip.
"""
import json
import os
import pwd
import queue
import re
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time

BIN, SCEN, CASE = (os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2]),
                   sys.argv[3])
ENV = dict(os.environ, LC_ALL="C", TZ="UTC", NO_COLOR="1")


def fail(what, *details):
    print("FAIL:", what)
    for d in details:
        print(d if isinstance(d, str) else repr(d)[:3000])
    sys.exit(1)


def expect(cond, what, *details):
    if not cond:
        fail(what, *details)


def skip(why):
    print("SKIP:", why)
    sys.exit(77)


class Capture:
    """sipcause -i running in the background; stdout lines timestamped."""

    def __init__(self, args, workdir):
        self.err_path = os.path.join(workdir, "stderr.txt")
        self.err = open(self.err_path, "w")
        self.p = subprocess.Popen([BIN] + args, stdout=subprocess.PIPE,
                                  stderr=self.err, env=ENV, cwd=workdir)
        self.lines = queue.Queue()
        self.seen = []            # (monotonic time, line)
        self.t = threading.Thread(target=self._read, daemon=True)
        self.t.start()

    def _read(self):
        for raw in self.p.stdout:
            self.lines.put((time.monotonic(), raw.decode("utf-8",
                                                         "replace")))
        self.lines.put(None)

    def stderr(self):
        with open(self.err_path) as f:
            return f.read()

    def wait_listening(self, timeout=10):
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            if "listening on" in self.stderr():
                return
            if self.p.poll() is not None:
                fail("sipcause exited before listening",
                     self.stderr())
            time.sleep(0.05)
        self.stop()
        fail("sipcause did not start listening", self.stderr())

    def drain(self):
        """Collect the lines read so far (non-blocking)."""
        while True:
            try:
                item = self.lines.get_nowait()
            except queue.Empty:
                return
            if item is not None:
                self.seen.append(item)

    def wait_line(self, needle, timeout):
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            self.drain()
            if any(needle in line for _, line in self.seen):
                return True
            time.sleep(0.1)
        return False

    def stop(self, sig=signal.SIGINT, timeout=15):
        if self.p.poll() is None:
            self.p.send_signal(sig)
        try:
            rc = self.p.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.p.kill()
            fail("sipcause did not stop on " + sig.name, self.stderr())
        self.t.join(timeout=5)
        self.drain()
        self.err.close()
        return rc


def workdir():
    """A scratch folder; LIVE_KEEP=1 keeps it (and says where)."""
    if os.environ.get("LIVE_KEEP"):
        d = tempfile.mkdtemp(prefix="sipcause-live-")
        print("keeping", d)

        class Keep:
            def __enter__(self):
                return d

            def __exit__(self, *exc):
                return False
        return Keep()
    return tempfile.TemporaryDirectory()


def need_root():
    if os.geteuid() != 0:
        skip("live capture tests need root (CI runs them as root)")


# Each pair: callee on PORT, caller on PORT+1, media ports PORT+600.
PAIRS = {
    "answered": ("uas-call", "uac-call", 17100, [], ["-d", "1000"]),
    "busy": ("uas-busy", "uac-reject", 17110, [], []),
    "notfound": ("uas-notfound", "uac-reject", 17120, [],
                 ["-s", "5551234"]),
    "cancelled": ("uas-cancel", "uac-cancel", 17130, [], ["-d", "2000"]),
    "noresponse": ("uas-no-response", "uac-no-response", 17140, [],
                   ["-max_invite_retrans", "6"]),
    "tcp": ("uas-call", "uac-call", 17150, ["-t", "t1"], ["-d", "1000"]),
}

# What each call must end as: state, final code, category.
EXPECTED = {
    "answered": ("answered", 200, "ok"),
    "busy": ("failed", 486, "busy"),
    "notfound": ("failed", 404, "not-found"),
    "cancelled": ("cancelled", 487, "cancelled"),
    "noresponse": ("timeout", None, "timeout"),
    "tcp": ("answered", 200, "ok"),
}


def wait_port(port, tcp):
    kind = "-Hlnt" if tcp else "-Hlnu"
    for _ in range(100):
        r = subprocess.run(["ss", kind, "sport = :%d" % port],
                           capture_output=True, text=True)
        if r.stdout.strip():
            return True
        time.sleep(0.05)
    return False


def start_pair(name, workdir):
    """Start the callee and the caller of @name; return both processes."""
    uas, uac, port, both, uac_opts = PAIRS[name]
    log = open(os.path.join(workdir, name + ".log"), "w")
    common = ["-nostdin", "-timeout", "45", "-key", "sample", "live-" + name,
              "-m", "1"] + both
    callee = subprocess.Popen(
        ["sipp", "-sf", os.path.join(SCEN, uas + ".xml"), "-i",
         "127.0.0.1", "-p", str(port), "-mp", str(port + 600)] + common,
        stdout=log, stderr=log, cwd=workdir)
    if not wait_port(port, "-t" in both):
        callee.kill()
        fail("the SIPp callee for %s did not start" % name)
    caller = subprocess.Popen(
        ["sipp", "-sf", os.path.join(SCEN, uac + ".xml"),
         "127.0.0.1:%d" % port, "-i", "127.0.0.1", "-p", str(port + 1),
         "-mp", str(port + 604), "-r", "1", "-s", "bob",
         "-cid_str", "live-%s-%%u@sipcause.test" % name] + common +
        uac_opts, stdout=log, stderr=log, cwd=workdir)
    return callee, caller


def wait_pair(name, procs, timeout=20):
    for p in procs:
        try:
            p.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            p.kill()
            fail("SIPp for %s did not finish" % name)


def jsonl_calls(lines):
    calls = {}
    counts = {}
    for line in lines:
        line = line.strip()
        if not line:
            continue
        try:
            obj = json.loads(line)
        except ValueError:
            fail("a line of --format jsonl is not JSON", line)
        if "call_id" not in obj:
            continue
        cid = obj["call_id"]
        counts[cid] = counts.get(cid, 0) + 1
        calls[cid] = obj
    return calls, counts


def verdict_of(call):
    v = call.get("verdict") or {}
    return (call.get("state"), v.get("code"), v.get("category"))


def case_calls():
    need_root()
    if not shutil.which("sipp"):
        skip("sipp (package sip-tester) is not installed")
    with workdir() as d:
        pcap = os.path.join(d, "live.pcap")
        cap = Capture(["-i", "lo", "-w", pcap, "--format", "jsonl",
                       "--stats-interval", "10", "-f",
                       "portrange 17100-17199"], d)
        cap.wait_listening()
        # the no-response call first: Timer B (32 s) runs meanwhile
        silent = start_pair("noresponse", d)
        silent_at = time.monotonic()
        time.sleep(0.5)
        done_at = {}
        for name in ("answered", "busy", "notfound", "cancelled", "tcp"):
            procs = start_pair(name, d)
            wait_pair(name, procs)
            done_at[name] = time.monotonic()
        # the timeout verdict comes from the capture clock: from the
        # INVITE's retransmissions or at the latest when Timer B (32 s)
        # fires with no packet at all; either way before the stop
        if not cap.wait_line("live-noresponse-1@", 40):
            cap.stop()
            fail("the unanswered call was not reported within 40 s",
                 cap.seen, cap.stderr())
        noresp_at = [t for t, line in cap.seen
                     if "live-noresponse-1@" in line][0]
        # its line is out: the rest of the caller's retransmissions would
        # only be absorbed, so end the pair rather than wait for Timer B
        for p in silent:
            if p.poll() is None:
                p.kill()
            p.wait()
        time.sleep(1.5)
        stop_at = time.monotonic()
        rc = cap.stop()
        err = cap.stderr()
        expect(rc == 0, "sipcause stopped by SIGINT exits 0 (got %d)" % rc,
               err)
        expect("packets captured" in err, "closing counters on stderr", err)
        stats = re.findall(r"packets (\d+), kernel drops \d+, interface "
                           r"drops \d+, calls open (\d+), finished (\d+), "
                           r"failed \d+.*, RSS [\d.]+ MB", err)
        expect(stats, "a --stats-interval line with calls open", err)
        expect(any(int(o) > 0 for _, o, _ in stats),
               "calls open counted while the unanswered call waits "
               "(Timer B runs across several stats lines)", stats)

        live, counts = jsonl_calls(line for _, line in cap.seen)
        offline_run = subprocess.run([BIN, "--format", "jsonl", pcap],
                                     capture_output=True, env=ENV)
        expect(offline_run.returncode == 0, "offline analysis of -w file",
               offline_run.stderr)
        offline, _ = jsonl_calls(
            offline_run.stdout.decode("utf-8", "replace").splitlines())

        for name, want in EXPECTED.items():
            cid = "live-%s-1@sipcause.test" % name
            expect(counts.get(cid) == 1,
                   "%s reported exactly once (got %s)" %
                   (cid, counts.get(cid)), sorted(counts))
            got = verdict_of(live[cid])
            expect(cid in offline, "%s found offline" % cid)
            expect(got == verdict_of(offline[cid]),
                   "%s: live verdict %s equals offline %s" %
                   (cid, got, verdict_of(offline[cid])))
            expect(got[0] == want[0] and got[2] == want[2] and
                   (want[1] is None or got[1] == want[1]),
                   "%s: verdict %s, expected %s" % (cid, got, want))
        expect(set(live) == set(offline),
               "the same calls live and offline",
               sorted(live), sorted(offline))

        # prompt: a failed call's line came soon after it, not at the stop
        for name in ("busy", "notfound", "cancelled"):
            cid = "live-%s-1@sipcause.test" % name
            at = [t for t, line in cap.seen if cid in line][0]
            expect(at < stop_at - 1 and at < done_at[name] + 3,
                   "%s written promptly: %.1f s after its caller ended, "
                   "%.1f s before the stop" %
                   (name, at - done_at[name], stop_at - at))
        expect(noresp_at - silent_at <= 34,
               "the unanswered call is reported by Timer B at the latest "
               "(%.1f s after its INVITE)" % (noresp_at - silent_at))
        print("ok: %d calls live, same verdicts offline; timeout after "
              "%.1f s" % (len(live), noresp_at - silent_at))


def passwd_ids(user):
    pw = pwd.getpwnam(user)
    return pw.pw_uid, pw.pw_gid


def proc_ids(pid):
    ids = {}
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            key, _, value = line.partition(":")
            if key in ("Uid", "Gid", "Groups", "SigCgt"):
                ids[key] = value.split()
    return ids


def catches_sigint(pid):
    """Whether @pid has its SIGINT handler in place (/proc SigCgt)."""
    mask = proc_ids(pid).get("SigCgt", ["0"])[0]
    return bool(int(mask, 16) & (1 << (signal.SIGINT - 1)))


def kernel_hides_undumpable():
    """Whether /proc/PID of a non-dumpable process is root's here: a
    probe child drops to nobody and clears its dumpable flag itself."""
    probe = ("import ctypes, os, sys, time\n"
             "libc = ctypes.CDLL(None, use_errno=True)\n"
             "os.setgroups([]); os.setresgid(65534, 65534, 65534)\n"
             "os.setresuid(65534, 65534, 65534)\n"
             "libc.prctl(4, 0, 0, 0, 0)\n"
             "print('ready', flush=True); time.sleep(5)\n")
    p = subprocess.Popen([sys.executable, "-c", probe],
                         stdout=subprocess.PIPE, text=True)
    try:
        p.stdout.readline()
        return os.stat("/proc/%d" % p.pid).st_uid == 0
    finally:
        p.kill()
        p.wait()


def check_dropped(args, user, workdir):
    cap = Capture(args, workdir)
    if "-q" in args:
        # quiet: no "listening on" line; wait for the drop itself, and
        # for the SIGINT handler, installed after it (a SIGINT before
        # that kills the process, as it would any program starting up)
        end = time.monotonic() + 10
        while (proc_ids(cap.p.pid)["Uid"][0] == "0" or
               not catches_sigint(cap.p.pid)) and time.monotonic() < end:
            time.sleep(0.05)
    else:
        cap.wait_listening()
    ids = proc_ids(cap.p.pid)
    owner = os.stat("/proc/%d" % cap.p.pid).st_uid
    rc = cap.stop()
    uid, gid = passwd_ids(user)
    expect(ids["Uid"] == [str(uid)] * 4,
           "real, effective, saved and fs uid are %s's" % user, ids)
    expect(ids["Gid"] == [str(gid)] * 4,
           "real, effective, saved and fs gid are %s's" % user, ids)
    expect("0" not in ids.get("Groups", []), "no root group left", ids)
    # not dumpable: /proc/PID stays root's although the process is not
    # (on kernels that follow that rule: see kernel_hides_undumpable())
    if kernel_hides_undumpable():
        expect(owner == 0, "PR_SET_DUMPABLE 0 (/proc/PID owned by root)",
               owner)
    else:
        print("note: this kernel does not give /proc/PID of a non-dumpable"
              " process to root; the dumpable check is skipped")
    expect(rc == 0, "exit 0 after SIGINT", rc, cap.stderr())


def case_privdrop():
    need_root()
    try:
        passwd_ids("nobody")
    except KeyError:
        skip("no user 'nobody' here")
    with workdir() as d:
        pcap = os.path.join(d, "z.pcap")
        check_dropped(["-i", "lo", "-Z", "nobody", "-w", pcap, "-f",
                       "port 17990"], "nobody", d)
        expect(os.path.exists(pcap), "-w opened before the drop")
        # as root without -Z: nobody as well
        check_dropped(["-i", "lo", "-q", "-f", "port 17990"], "nobody", d)
        check_dropped(["-i", "lo", "-f", "port 17990"], "nobody", d)
        r = subprocess.run([BIN, "-i", "lo", "-Z", "no-such-user-sc",
                            "--duration", "1"],
                           capture_output=True, text=True, env=ENV)
        expect(r.returncode == 2 and "no-such-user-sc" in r.stderr,
               "-Z with an unknown user: exit 2", r.returncode, r.stderr)
    print("ok: privileges dropped and checked")


def one_line_error(args, status, words, what):
    r = subprocess.run([BIN] + args, capture_output=True, text=True,
                       env=ENV, timeout=20)
    lines = r.stderr.strip().splitlines()
    expect(r.returncode == status, "%s: exit %d (got %d)" %
           (what, status, r.returncode), r.stderr)
    expect(len(lines) >= 1 and all(w in r.stderr for w in words),
           "%s: stderr names %s" % (what, words), r.stderr)
    if status == 2:
        expect(len(lines) == 1, "%s: one line on stderr" % what, r.stderr)
    expect(r.stdout == "", "%s: nothing on stdout" % what, r.stdout)


def interface_down_case():
    """An interface that is down: a dummy or tap one made for the test,
    else lo in a new network namespace (down until brought up)."""
    name = "sctest%d" % (os.getpid() % 10000)
    for make in (["ip", "link", "add", name, "type", "dummy"],
                 ["ip", "tuntap", "add", "dev", name, "mode", "tap"]):
        r = subprocess.run(make, capture_output=True, text=True)
        if r.returncode == 0:
            break
    if r.returncode == 0:
        try:
            one_line_error(["-i", name], 2, ["down", name], "interface down")
        finally:
            subprocess.run(["ip", "link", "del", name], capture_output=True)
        return
    probe = subprocess.run(["unshare", "--net", "true"], capture_output=True)
    if probe.returncode != 0:
        print("note: no interface can be made or isolated here, "
              "'down' not tested:", r.stderr.strip())
        return
    r = subprocess.run(["unshare", "--net", BIN, "-i", "lo"],
                       capture_output=True, text=True, env=ENV, timeout=20)
    expect(r.returncode == 2 and "down" in r.stderr and "lo" in r.stderr and
           len(r.stderr.strip().splitlines()) == 1 and r.stdout == "",
           "interface down (lo of a new network namespace): one line, "
           "exit 2", r.returncode, r.stderr)


def case_errors():
    need_root()
    one_line_error(["-i", "nosuchif0"], 2, ["nosuchif0", "no such"],
                   "unknown interface")
    one_line_error(["-i", "lo", "-f", "port nonsense"], 2,
                   ["bad capture filter", "nonsense"], "bad -f filter")
    one_line_error(["-i", "lo", "udp", "and", "prt", "5060"], 2,
                   ["bad capture filter"], "bad trailing filter")
    one_line_error(["-i", "lo", "-w", "/nonexistent-dir/x.pcap"], 2,
                   ["/nonexistent-dir/x.pcap"], "unwritable -w")
    one_line_error(["-C", "1", "-i", "lo"], 1, ["-w"], "-C without -w")
    one_line_error(["-Z", "nobody", "x.pcap"], 1, ["-i"],
                   "capture option without -i")
    one_line_error(["-i", "lo", "-r", "x.pcap"], 1, ["not both"],
                   "-i with a file")
    one_line_error(["-i", "lo", "-f", "udp", "--sip-filter"], 1,
                   ["not both"], "-f with --sip-filter")
    interface_down_case()
    if shutil.which("setpriv"):
        r = subprocess.run(["setpriv", "--reuid=nobody", "--regid=nogroup",
                            "--clear-groups", "--inh-caps=-all", BIN, "-i",
                            "lo"], capture_output=True, text=True, env=ENV,
                           timeout=20)
        if r.returncode in (126, 127) or "Permission denied" in r.stderr \
                and "CAP_NET_RAW" not in r.stderr:
            print("note: nobody cannot run %s here, skipped" % BIN)
        else:
            expect(r.returncode == 2 and "CAP_NET_RAW" in r.stderr and
                   len(r.stderr.strip().splitlines()) == 1,
                   "an unprivileged user gets one line naming CAP_NET_RAW "
                   "and exit 2", r.returncode, r.stderr)
    print("ok: errors")


def blast(port, n, size=1000, pause=0.0):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    for _ in range(n):
        s.sendto(b"x" * size, ("127.0.0.1", port))
        if pause:
            time.sleep(pause)
    s.close()


def pcap_magic(path):
    with open(path, "rb") as f:
        return struct.unpack("<I", f.read(4))[0]


def case_rotate():
    need_root()
    with workdir() as d:
        # files after the first are created once privileges are dropped
        # (to nobody, as tcpdump -Z does): the folder must let them in
        uid, gid = passwd_ids("nobody")
        os.chown(d, uid, gid)
        # -C 1 -W 3: a ring of r.pcap0..r.pcap2
        base = os.path.join(d, "r.pcap")
        cap = Capture(["-i", "lo", "-q", "-w", base, "-C", "1", "-W", "3",
                       "-f", "udp port 17991"], d)
        time.sleep(1)
        # paced: a burst overflows the kernel's capture buffer on a
        # loaded machine, and dropped packets make no file
        blast(17991, 4500, 1000, 0.0004)
        time.sleep(1)
        rc = cap.stop()
        expect(rc == 0, "-C run exits 0", rc, cap.stderr())
        names = sorted(os.listdir(d))
        for n in ("r.pcap0", "r.pcap1", "r.pcap2"):
            expect(n in names, "-C 1 -W 3 makes " + n, names)
            size = os.path.getsize(os.path.join(d, n))
            expect(size <= 1000000 + 1100, n + " is at most 1 MB", size)
            expect(pcap_magic(os.path.join(d, n)) == 0xa1b23c4d,
                   n + " is a nanosecond pcap")
        expect("r.pcap" not in names and "r.pcap3" not in names,
               "the ring has three files only", names)
        # -G 1 -W 2: two one-second files, then the capture ends itself
        pattern = os.path.join(d, "g-%s.pcap")
        cap = Capture(["-i", "lo", "-w", pattern, "-G", "1", "-W", "2",
                       "-f", "udp port 17992"], d)
        cap.wait_listening()
        t = threading.Thread(target=blast, args=(17992, 40, 100, 0.1))
        t.start()
        try:
            rc = cap.p.wait(timeout=8)
        except subprocess.TimeoutExpired:
            cap.stop()
            fail("-G 1 -W 2 did not stop after two files", cap.stderr())
        t.join()
        cap.stop()
        g = [n for n in os.listdir(d) if n.startswith("g-")]
        expect(rc == 0 and len(g) == 2, "-G 1 -W 2: two files, exit 0",
               rc, g, cap.stderr())
    print("ok: rotation")


def case_limits():
    need_root()
    with workdir() as d:
        cap = Capture(["-i", "lo", "-c", "5", "-f", "udp port 17993"], d)
        cap.wait_listening()
        blast(17993, 20, 100, 0.02)
        try:
            rc = cap.p.wait(timeout=10)
        except subprocess.TimeoutExpired:
            cap.stop()
            fail("-c 5 did not stop the capture")
        cap.stop()
        expect(rc == 0 and "5 packets captured" in cap.stderr(),
               "-c 5: five packets, exit 0", rc, cap.stderr())
        start = time.monotonic()
        cap = Capture(["-i", "lo", "--duration", "2", "-f",
                       "udp port 17994"], d)
        rc = cap.p.wait(timeout=10)
        took = time.monotonic() - start
        cap.stop()
        expect(rc == 0 and 1.5 < took < 6, "--duration 2 stops in ~2 s",
               rc, took)
        out = "".join(line for _, line in cap.seen)
        expect("No SIP calls found" in out, "the summary at the end", out)
        cap = Capture(["-i", "lo", "-f", "udp port 17995"], d)
        cap.wait_listening()
        rc = cap.stop(signal.SIGTERM)
        expect(rc == 0, "SIGTERM: exit 0", rc)
    print("ok: limits")


# -V: a hand-made INVITE whose Call-ID holds a terminal escape sequence,
# answered 486 by another socket; ports 17960/17961.
VCID = "live-v-\x1b[31m-1@sipcause.test"
VCID_SHOWN = "live-v-\\x1b[31m-1@sipcause.test"   # escape.c's form


# a -V line: time, frame number, source -> destination, transport
MSG_LINE = re.compile(r"^\d\d:\d\d:\d\d\.\d{3}  #\d+ +(\S+) -> (\S+) udp  (.*)$")


def msg_lines(lines, what):
    """The -V lines among @lines whose start line begins with @what."""
    return [i for i, l in enumerate(lines)
            if MSG_LINE.match(l) and MSG_LINE.match(l).group(3)
            .startswith(what)]


def sip_invite():
    return ("INVITE sip:bob@127.0.0.1:17960 SIP/2.0\r\n"
            "Via: SIP/2.0/UDP 127.0.0.1:17961;branch=z9hG4bK-v1\r\n"
            "From: <sip:alice@127.0.0.1>;tag=a1\r\n"
            "To: <sip:bob@127.0.0.1>\r\n"
            "Call-ID: %s\r\n"
            "CSeq: 1 INVITE\r\n"
            "Max-Forwards: 70\r\n"
            "Content-Length: 0\r\n\r\n" % VCID).encode()


def sip_busy():
    return ("SIP/2.0 486 Busy Here\r\n"
            "Via: SIP/2.0/UDP 127.0.0.1:17961;branch=z9hG4bK-v1\r\n"
            "From: <sip:alice@127.0.0.1>;tag=a1\r\n"
            "To: <sip:bob@127.0.0.1>;tag=b1\r\n"
            "Call-ID: %s\r\n"
            "CSeq: 1 INVITE\r\n"
            "Content-Length: 0\r\n\r\n" % VCID).encode()


def verbose_run(d, extra, lines_of):
    """Run -V with @extra options, send the INVITE, wait for its line
    (from @lines_of(cap)) before answering; return the capture."""
    cap = Capture(["-i", "lo", "-V", "-f", "udp portrange 17960-17961"] +
                  extra, d)
    cap.wait_listening()
    caller = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    callee = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    caller.bind(("127.0.0.1", 17961))
    callee.bind(("127.0.0.1", 17960))
    try:
        sent = time.time()
        caller.sendto(sip_invite(), ("127.0.0.1", 17960))
        end = time.monotonic() + 5
        while time.monotonic() < end and \
                not msg_lines(lines_of(cap), "INVITE "):
            time.sleep(0.05)
        seen_before_answer = msg_lines(lines_of(cap), "INVITE ")
        callee.sendto(sip_busy(), ("127.0.0.1", 17961))
        end = time.monotonic() + 5
        while time.monotonic() < end and \
                not msg_lines(lines_of(cap), "486 Busy Here "):
            time.sleep(0.05)
        time.sleep(0.3)
    finally:
        caller.close()
        callee.close()
    rc = cap.stop()
    expect(rc == 0, "-V %s: exit 0 after SIGINT" % extra, rc, cap.stderr())
    expect(seen_before_answer, "-V %s: the INVITE's line is written as it "
           "arrives (before it is answered)" % extra, lines_of(cap),
           cap.stderr())
    return cap, sent


def check_msg_line(line, sent, src, dst, what):
    clock = time.strftime("%H:%M:%S", time.gmtime(sent))
    later = time.strftime("%H:%M:%S", time.gmtime(sent + 2))
    stamp = line.split()[0]
    expect(clock <= stamp[:8] <= later or clock > later,
           "%s: capture time %s (sent at %s UTC)" % (what, stamp, clock),
           line)
    expect("%s -> %s" % (src, dst) in line, "%s: %s -> %s" %
           (what, src, dst), line)
    expect(VCID_SHOWN in line and "\x1b" not in line,
           "%s: the Call-ID, escaped for the terminal" % what, line)


def case_verbose():
    need_root()
    with workdir() as d:
        # text: the message lines go with the call lines, on stdout
        cap, sent = verbose_run(d, [], lambda c: (c.drain(), [
            l for _, l in c.seen])[1])
        out = [l for _, l in cap.seen]
        inv = msg_lines(out, "INVITE ")
        busy = msg_lines(out, "486 Busy Here ")
        call = [i for i, l in enumerate(out) if VCID_SHOWN in l and
                "  failed  busy: " in l]
        expect(len(inv) == 1 and len(busy) == 1,
               "one line for the INVITE and one for the 486", out)
        check_msg_line(out[inv[0]], sent, "127.0.0.1:17961",
                       "127.0.0.1:17960", "INVITE line")
        check_msg_line(out[busy[0]], sent, "127.0.0.1:17960",
                       "127.0.0.1:17961", "486 line")
        expect(len(call) == 1 and inv[0] < busy[0] < call[0],
               "INVITE, then 486, then the call's line", out)
        # jsonl: stdout stays JSON, the message lines go to stderr
        cap, sent = verbose_run(d, ["--format", "jsonl"],
                                lambda c: c.stderr().splitlines())
        out = "".join(l for _, l in cap.seen)
        calls, _ = jsonl_calls(out.splitlines())
        expect(VCID in calls and verdict_of(calls[VCID])[2] == "busy",
               "-V --format jsonl: the call as JSON on stdout", out)
        err = cap.stderr().splitlines()
        err = [err[i] for i in msg_lines(err, "INVITE ")]
        expect(len(err) == 1, "-V --format jsonl: the INVITE's line on "
               "stderr", cap.stderr())
        check_msg_line(err[0], sent, "127.0.0.1:17961", "127.0.0.1:17960",
                       "INVITE line on stderr")
    print("ok: -V prints each message as it arrives")


CASES = {
    "calls": case_calls,
    "privdrop": case_privdrop,
    "errors": case_errors,
    "rotate": case_rotate,
    "limits": case_limits,
    "verbose": case_verbose,
}

if __name__ == "__main__":
    if CASE not in CASES:
        fail("unknown case " + CASE)
    CASES[CASE]()
