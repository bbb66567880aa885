#!/usr/bin/env python3
"""Write hostile captures for the hostile suite and bench/hostile.sh.

usage: gen.py KIND OUT [N]

KIND is one of:
  syn-flood       N TCP SYNs, each to a flow of its own (default 200000)
  frag-flood      N first IPv4 fragments whose datagrams never complete
                  (default 200000)
  calls           N unanswered INVITEs with ordinary Call-IDs
  calls-from      OUT is followed by a file of Call-IDs, one a line:
                  one unanswered INVITE each, 1 ms apart (bench/collide)
  calls-burst     N unanswered INVITEs within one second (10 us apart):
                  every call still open when the cap on open calls is hit
  colliding-calls N unanswered INVITEs whose Call-IDs share the low bits
                  of the hash sipcause used before SipHash (FNV-1a, fixed
                  seed, avalanche): the attack of issue #14 (default 500)
  future-ts       a pcapng whose REGISTER and 200 carry timestamps past
                  2262, after one ordinary OPTIONS
  bad-nsec        a nanosecond pcap whose fraction field is >= 10^9
  corrupt-record  a pcap with three OPTIONS, then a record longer than
                  any snapshot length, then one more OPTIONS
  corrupt-block   a pcapng with two OPTIONS, then a block whose trailing
                  length disagrees with its leading one
  options         N ordinary OPTIONS requests (a good file to follow a
                  damaged one)
  next-options    N OPTIONS like options, Call-IDs next-I@h (a second
                  file whose calls differ from the first one's)
  nul-callid      two unanswered INVITEs whose Call-IDs are equal up to
                  a NUL byte and differ after it
  utf8-from       an answered INVITE whose From display name is long
                  and made of multibyte characters (2-, 3- and 4-byte
                  UTF-8, wide CJK), and whose Call-ID is too

Captures are built here from scratch, link type RAW (IPv4 straight
away) to keep them small; nothing is copied from any capture.
"""
import struct
import sys

LINK_RAW = 101
FNV_SEED = 0x9e3779b97f4a7c15
M64 = (1 << 64) - 1


def ipv4(src, dst, proto, payload, ident=0, frag=0):
    total = 20 + len(payload)
    hdr = struct.pack("!BBHHHBBH4s4s", 0x45, 0, total, ident & 0xffff, frag,
                      64, proto, 0, bytes(src), bytes(dst))
    return hdr + payload


def udp(src, dst, sport, dport, payload, ident=0):
    seg = struct.pack("!HHHH", sport, dport, 8 + len(payload), 0) + payload
    return ipv4(src, dst, 17, seg, ident)


def tcp_syn(src, dst, sport, dport, seq):
    seg = struct.pack("!HHIIBBHHH", sport, dport, seq, 0, 5 << 4, 0x02,
                      65535, 0, 0)
    return ipv4(src, dst, 6, seg)


def pcap_header(nsec=False):
    magic = 0xa1b23c4d if nsec else 0xa1b2c3d4
    return struct.pack("<IHHiIII", magic, 2, 4, 0, 0, 65535, LINK_RAW)


def pcap_record(sec, frac, data, caplen=None):
    n = len(data) if caplen is None else caplen
    return struct.pack("<IIII", sec, frac, n, len(data)) + data


def write_pcap(path, frames, nsec=False):
    """frames: (seconds, fraction, bytes)."""
    with open(path, "wb") as f:
        f.write(pcap_header(nsec))
        for sec, frac, data in frames:
            f.write(pcap_record(sec, frac, data))


def sip_request(method, call_id, n, user="bob", display=""):
    text = ("%s sip:%s@192.0.2.2 SIP/2.0\r\n"
            "Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK-h%d\r\n"
            "From: %s<sip:alice@192.0.2.1>;tag=a%d\r\n"
            "To: <sip:%s@192.0.2.2>\r\n"
            "Call-ID: %s\r\n"
            "CSeq: 1 %s\r\n"
            "Max-Forwards: 70\r\n"
            "Content-Length: 0\r\n\r\n"
            % (method, user, n, display, n, user, call_id, method))
    return text.encode()


def sip_response(code, reason, call_id, n, method):
    text = ("SIP/2.0 %d %s\r\n"
            "Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK-h%d\r\n"
            "From: <sip:alice@192.0.2.1>;tag=a%d\r\n"
            "To: <sip:bob@192.0.2.2>;tag=b%d\r\n"
            "Call-ID: %s\r\n"
            "CSeq: 1 %s\r\n"
            "Content-Length: 0\r\n\r\n"
            % (code, reason, n, n, n, call_id, method))
    return text.encode()


A = (192, 0, 2, 1)
B = (192, 0, 2, 2)
T0 = 1700000000


def syn_flood(path, n):
    frames = []
    for i in range(n):
        src = (10, (i >> 16) & 0xff, (i >> 8) & 0xff, i & 0xff)
        frames.append((T0, i % 1000000,
                       tcp_syn(src, B, 1024 + i % 60000, 5060, i)))
    write_pcap(path, frames)


def frag_flood(path, n):
    frames = []
    body = sip_request("OPTIONS", "frag", 0)
    for i in range(n):
        src = (10, (i >> 24) & 0xff | 0x40, (i >> 8) & 0xff, i & 0xff)
        seg = struct.pack("!HHHH", 5060, 5060, 8 + len(body) + 1000, 0)
        # more fragments, offset 0: the rest never comes
        frames.append((T0, i % 1000000,
                       ipv4(src, B, 17, (seg + body)[:64], i >> 8, 0x2000)))
    write_pcap(path, frames)


def old_hash(data):
    """The hash of util/hashmap.c before SipHash, bit for bit."""
    h = 0xcbf29ce484222325 ^ FNV_SEED
    for b in data:
        h ^= b
        h = (h * 0x100000001b3) & M64
    h ^= h >> 33
    h = (h * 0xff51afd7ed558ccd) & M64
    h ^= h >> 33
    return h


def colliding_ids(n, bits):
    """n Call-IDs whose old hash agrees in the low @bits bits."""
    mask = (1 << bits) - 1
    out = []
    i = 0
    while len(out) < n:
        cid = b"flood-%x@hostile" % i
        if old_hash(cid) & mask == 0:
            out.append(cid.decode())
        i += 1
    return out


def invites(path, ids, step_us=1000):
    frames = []
    for i, cid in enumerate(ids):
        t = i * step_us
        frames.append((T0 + t // 1000000, t % 1000000,
                       udp(A, B, 5060, 5060, sip_request("INVITE", cid, i))))
    write_pcap(path, frames)


def options(n, prefix="opt"):
    return [(T0 + i, 0, udp(A, B, 5060, 5060,
                            sip_request("OPTIONS", "%s-%d@h" % (prefix, i),
                                        i)))
            for i in range(n)]


def nul_callid(path):
    frames = []
    for i, cid in enumerate(("nul-call\0first@h", "nul-call\0second@h")):
        msg = sip_request("INVITE", cid, i)
        frames.append((T0 + i, 0, udp(A, B, 5060, 5060, msg)))
    write_pcap(path, frames)


UTF8_NAME = ("\u00c9lodie M\u00fcller-\u0160\u0165astn\u00e1 "
             "\u65e5\u672c\u8a9e\u306e\u975e\u5e38\u306b\u9577\u3044"
             "\u8868\u793a\u540d \U0001f600\U0001f4de "
             "\u041f\u0440\u0438\u0432\u0435\u0442 \u2603\u00e9" * 2)


def utf8_from(path):
    cid = "\u00e9t\u00e9-\u65e5\u672c-" + "\u00fc" * 40 + "@h"
    inv = sip_request("INVITE", cid, 0, display='"%s" ' % UTF8_NAME)
    ok = sip_response(200, "OK", cid, 0, "INVITE")
    ok = ok.replace(b"From: <", ('From: "%s" <' % UTF8_NAME).encode())
    write_pcap(path, [(T0, 0, udp(A, B, 5060, 5060, inv)),
                      (T0, 50000, udp(B, A, 5060, 5060, ok))])


# ---- pcapng (only what the damaged-file cases need) ----

def ng_block(btype, body):
    body += b"\0" * (-len(body) % 4)
    total = 12 + len(body)
    return struct.pack("<II", btype, total) + body + struct.pack("<I", total)


def ng_shb():
    return ng_block(0x0a0d0d0a, struct.pack("<IHHq", 0x1a2b3c4d, 1, 0, -1))


def ng_idb():
    return ng_block(1, struct.pack("<HHI", LINK_RAW, 0, 65535))


def ng_epb(usec, data):
    return ng_block(6, struct.pack("<IIIII", 0, usec >> 32, usec & 0xffffffff,
                                   len(data), len(data)) + data)


def future_ts(path):
    far = 32503680000 * 1000000    # year 3000, in microseconds
    reg = sip_request("REGISTER", "reg@hostile", 1, "alice")
    ok = sip_response(200, "OK", "reg@hostile", 1, "REGISTER")
    opt = sip_request("OPTIONS", "opt@hostile", 2)
    with open(path, "wb") as f:
        f.write(ng_shb() + ng_idb())
        f.write(ng_epb(T0 * 1000000, udp(A, B, 5060, 5060, opt)))
        f.write(ng_epb(far, udp(A, B, 5060, 5060, reg)))
        f.write(ng_epb(far + 20000, udp(B, A, 5060, 5060, ok)))


def bad_nsec(path):
    frames = options(2)
    frames[1] = (frames[1][0], 0xffffffff, frames[1][2])
    write_pcap(path, frames, nsec=True)


def corrupt_record(path):
    frames = options(4)
    with open(path, "wb") as f:
        f.write(pcap_header())
        for sec, frac, data in frames[:3]:
            f.write(pcap_record(sec, frac, data))
        # a record claiming 2 GB: no snapshot length allows it
        f.write(pcap_record(T0 + 3, 0, frames[3][2], caplen=0x7fffffff))
        f.write(pcap_record(*frames[3]))


def corrupt_block(path):
    frames = options(3)
    with open(path, "wb") as f:
        f.write(ng_shb() + ng_idb())
        for sec, _, data in frames[:2]:
            f.write(ng_epb(sec * 1000000, data))
        bad = bytearray(ng_epb(frames[2][0] * 1000000, frames[2][2]))
        bad[-4:] = struct.pack("<I", len(bad) + 8)
        f.write(bytes(bad))


def main(argv):
    if len(argv) < 3:
        sys.exit(__doc__)
    kind, path = argv[1], argv[2]
    if kind == "calls-from":
        with open(argv[3]) as f:
            invites(path, [l.strip() for l in f if l.strip()])
        return 0
    n = int(argv[3]) if len(argv) > 3 else None
    if kind == "syn-flood":
        syn_flood(path, n or 200000)
    elif kind == "frag-flood":
        frag_flood(path, n or 200000)
    elif kind == "calls":
        invites(path, ["call-%x@hostile" % i for i in range(n or 500)])
    elif kind == "calls-burst":
        invites(path, ["burst-%x@hostile" % i for i in range(n or 70000)],
                step_us=10)
    elif kind == "colliding-calls":
        n = n or 500
        # colliding in every table size up to the one n calls need
        bits = max(4, (n * 4 // 3).bit_length())
        invites(path, colliding_ids(n, bits))
    elif kind == "future-ts":
        future_ts(path)
    elif kind == "bad-nsec":
        bad_nsec(path)
    elif kind == "corrupt-record":
        corrupt_record(path)
    elif kind == "corrupt-block":
        corrupt_block(path)
    elif kind == "options":
        write_pcap(path, options(n or 2))
    elif kind == "next-options":
        write_pcap(path, options(n or 2, "next"))
    elif kind == "nul-callid":
        nul_callid(path)
    elif kind == "utf8-from":
        utf8_from(path)
    else:
        sys.exit("gen.py: unknown kind %s\n%s" % (kind, __doc__))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
