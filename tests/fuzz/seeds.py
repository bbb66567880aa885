#!/usr/bin/env python3
"""seeds.py - turn captures into seed inputs for the fuzz targets.

    seeds.py OUTDIR CAPTURE...

Writes OUTDIR/<target>/<hash> for every target whose input can be cut
from the packets (formats: see the comment at the top of each
tests/fuzz/fuzz_*.c). pcapng files are converted with editcap first.
Standard library only; the decoder here is deliberately small (Ethernet,
802.1Q, Linux SLL, raw IP, BSD loopback; IPv4/IPv6 without options
walking beyond the fragment header) because seeds need not be complete.
"""
import hashlib
import os
import struct
import subprocess
import sys
import tempfile

LINKS = {1: 0, 113: 1, 276: 2, 0: 3, 108: 4, 101: 5, 228: 6, 229: 7}
MAX_SEQ_BYTES = 16384   # keep sequence seeds small


def read_pcap(path):
    with open(path, 'rb') as f:
        head = f.read(4)
    if head == b'\x0a\x0d\x0d\x0a':
        tmp = tempfile.NamedTemporaryFile(suffix='.pcap', delete=False)
        tmp.close()
        r = subprocess.run(['editcap', '-F', 'pcap', path, tmp.name],
                           capture_output=True)
        if r.returncode != 0:
            os.unlink(tmp.name)
            return None, []
        try:
            return read_pcap(tmp.name)
        finally:
            os.unlink(tmp.name)
    with open(path, 'rb') as f:
        data = f.read()
    if len(data) < 24:
        return None, []
    magic = data[:4]
    if magic in (b'\xd4\xc3\xb2\xa1', b'\x4d\x3c\xb2\xa1'):
        e = '<'
    elif magic in (b'\xa1\xb2\xc3\xd4', b'\xa1\xb2\x3c\x4d'):
        e = '>'
    else:
        return None, []
    nano = magic in (b'\x4d\x3c\xb2\xa1', b'\xa1\xb2\x3c\x4d')
    link = struct.unpack(e + 'I', data[20:24])[0] & 0xffff
    off, frames = 24, []
    while off + 16 <= len(data):
        sec, frac, incl, _ = struct.unpack(e + 'IIII', data[off:off + 16])
        off += 16
        if off + incl > len(data):
            break
        ts = sec * 1e9 + (frac if nano else frac * 1000)
        frames.append((ts, data[off:off + incl]))
        off += incl
    return link, frames


def to_ip(link, fr):
    """Bytes of the IP packet in a frame, or None."""
    if link == 1:
        p, et = 14, struct.unpack('>H', fr[12:14])[0] if len(fr) >= 14 else 0
        while et in (0x8100, 0x88a8) and len(fr) >= p + 4:
            et = struct.unpack('>H', fr[p + 2:p + 4])[0]
            p += 4
        return fr[p:] if et in (0x0800, 0x86dd) else None
    if link == 113:
        return fr[16:] if len(fr) > 16 else None
    if link == 276:
        return fr[20:] if len(fr) > 20 else None
    if link in (0, 108):
        return fr[4:]
    if link in (101, 228, 229):
        return fr
    return None


def parse_ip(ip):
    """(src, dst, proto, payload, frag) with frag = (id, off, more, v6)."""
    if not ip:
        return None
    v = ip[0] >> 4
    if v == 4 and len(ip) >= 20:
        hl = (ip[0] & 15) * 4
        tot = struct.unpack('>H', ip[2:4])[0]
        ident = struct.unpack('>H', ip[4:6])[0]
        fl = struct.unpack('>H', ip[6:8])[0]
        pl = ip[hl:tot] if tot >= hl else ip[hl:]
        frag = None
        if fl & 0x3fff:
            frag = (ident, (fl & 0x1fff) * 8, bool(fl & 0x2000), False)
        return ip[12:16], ip[16:20], ip[9], pl, frag
    if v == 6 and len(ip) >= 40:
        nh, p, frag = ip[6], 40, None
        plen = struct.unpack('>H', ip[4:6])[0]
        end = min(len(ip), 40 + plen)
        while nh in (0, 43, 60, 44) and p + 8 <= end:
            if nh == 44:
                fo = struct.unpack('>H', ip[p + 2:p + 4])[0]
                ident = struct.unpack('>I', ip[p + 4:p + 8])[0]
                frag = (ident, fo & 0xfff8, bool(fo & 1), True)
                nh, p = ip[p], p + 8
                break
            nh, p = ip[p], p + (ip[p + 1] + 1) * 8
        return ip[8:24], ip[24:40], nh, ip[p:end], frag
    return None


class Out:
    def __init__(self, root):
        self.root = root

    def put(self, target, data):
        if not data:
            return
        d = os.path.join(self.root, target)
        os.makedirs(d, exist_ok=True)
        name = hashlib.sha1(data).hexdigest()
        with open(os.path.join(d, name), 'wb') as f:
            f.write(data)


def rec(head, payload):
    payload = payload[:0xffff]
    return head + struct.pack('>H', len(payload)) + payload


def dt_byte(prev, ts):
    if prev is None:
        return 0
    return max(0, min(255, int((ts - prev) / 1e8)))   # steps of 100 ms


def looks_sip(p):
    return p[:8] == b'SIP/2.0 ' or (b' SIP/2.0\r\n' in p[:300] and
                                   p[:1].isalpha())


def seeds_from(path, out):
    link, frames = read_pcap(path)
    if link is None:
        return
    tcp, sctp, frag = [], [], []
    flows = {}
    prev = {'tcp': None, 'sctp': None, 'frag': None}
    for ts, fr in frames:
        if link in LINKS and len(fr) < 4096:
            out.put('decode', bytes([LINKS[link]]) + fr)
        pk = parse_ip(to_ip(link, fr))
        if pk is None:
            continue
        src, dst, proto, pl, fi = pk
        v6 = len(src) == 16
        if fi is not None:
            sel = (len(flows) & 3) | (4 if v6 else 0) | ((fi[0] & 31) << 3)
            fl = (1 if fi[2] else 0) | (2 if proto == 6 else 0) | \
                (min(30, dt_byte(prev['frag'], ts) // 10) << 2)
            prev['frag'] = ts
            frag.append(rec(bytes([sel, fl]) + struct.pack('>H', fi[1] // 8),
                            pl))
            continue
        if proto == 17 and len(pl) >= 8:
            body = pl[8:]
            sport, dport = struct.unpack('>HH', pl[:4])
            if body[:4] == b'HEP3' or (body[:1] == b'\x02' and
                                      9060 in (sport, dport)):
                out.put('hep', body)
                r = rec(b'', body)
                out.put('heplisten', b'\x00' + r)
                out.put('heplisten', b'\x01' + rec(b'', body[:7]) +
                        rec(b'', body[7:] + body))
            elif looks_sip(body):
                out.put('sipmsg', body)
                out.put('sipframe', body)
                i = body.find(b'\r\n\r\n')
                if i > 0 and body[i + 4:i + 6] == b'v=':
                    out.put('sdp', b'\x01' + body[i + 4:])
                    out.put('sdp', b'\x00application/sdp\n' + body[i + 4:])
                elif i > 0 and b'multipart' in body[:i].lower():
                    out.put('sdp', b'\x00multipart/mixed;boundary=b\n' +
                            body[i + 4:])
        elif proto == 6 and len(pl) >= 20:
            sport, dport, seq = struct.unpack('>HHI', pl[:8])
            off = (pl[12] >> 4) * 4
            key = (src, sport, dst, dport)
            rkey = (dst, dport, src, sport)
            if key in flows:
                idx, d = flows[key], 0
            elif rkey in flows:
                idx, d = flows[rkey], 4
            else:
                idx, d = len(flows) & 3, 0
                flows[key] = idx
            lowport = 8 if 5060 in (sport, dport) or 5061 in (sport, dport) \
                else 0
            sel = idx | d | lowport | (16 if v6 else 0)
            head = bytes([sel, pl[13] & 0x3f]) + struct.pack('>I', seq) + \
                bytes([dt_byte(prev['tcp'], ts)])
            prev['tcp'] = ts
            tcp.append(rec(head, pl[off:]))
        elif proto == 132 and len(pl) >= 12:
            sel = (4 if pl[0:2] > pl[2:4] else 0) | (16 if v6 else 0)
            sctp.append(rec(bytes([sel, dt_byte(prev['sctp'], ts)]), pl))
            prev['sctp'] = ts
    for target, recs in (('tcp', tcp), ('sctp', sctp), ('ipfrag', frag)):
        buf = b''
        for r in recs:
            if len(buf) + len(r) > MAX_SEQ_BYTES:
                out.put(target, buf)
                buf = b''
            buf += r
        out.put(target, buf)


def ws_frame(payload, opcode=1, fin=True, mask=b''):
    n = len(payload)
    b0 = (0x80 if fin else 0) | opcode
    mbit = 0x80 if mask else 0
    if n < 126:
        head = bytes([b0, mbit | n])
    elif n < 65536:
        head = bytes([b0, mbit | 126]) + struct.pack('>H', n)
    else:
        head = bytes([b0, mbit | 127]) + struct.pack('>Q', n)
    if mask:
        payload = bytes(c ^ mask[i & 3] for i, c in enumerate(payload))
    return head + mask + payload


def ws_seeds(out):
    """fuzz_websocket inputs: SIP in WebSocket frames after the upgrade."""
    inv = (b'INVITE sip:bob@example.com SIP/2.0\r\n'
           b'Via: SIP/2.0/WS df7jal23ls0d.invalid;branch=z9hG4bKasudf\r\n'
           b'From: <sip:alice@example.com>;tag=1\r\n'
           b'To: <sip:bob@example.com>\r\nCall-ID: ws1@x\r\n'
           b'CSeq: 1 INVITE\r\nContent-Length: 0\r\n\r\n')
    ok = inv.replace(b'INVITE sip:bob@example.com SIP/2.0',
                     b'SIP/2.0 200 OK').replace(b'To: <sip:bob@example.com>',
                                                b'To: <sip:bob@example.com>;tag=2')
    m = b'\x11\x22\x33\x44'
    seqs = [
        [(0, ws_frame(inv, mask=m)), (1, ws_frame(ok))],
        [(0, ws_frame(inv[:40], fin=False, mask=m) +
          ws_frame(inv[40:], opcode=0, mask=m))],
        [(0, ws_frame(b'ping', opcode=9, mask=m) + ws_frame(inv, 2, mask=m)),
         (1, ws_frame(b'', opcode=8))],
        [(0, ws_frame(inv * 3, mask=m)[:50]), (0, ws_frame(inv * 3,
                                                           mask=m)[50:])],
        [(1, ws_frame(ok + b'x' * 70000))],
    ]
    for s in seqs:
        out.put('websocket', b''.join(rec(bytes([d]), p) for d, p in s))


def sctp_data(tsn, data, flags=3, stream=0, ssn=0):
    n = 16 + len(data)
    c = struct.pack('>BBHIHHI', 0, flags, n, tsn, stream, ssn, 0) + data
    return c + b'\0' * (-n & 3)


def sctp_seeds(out):
    """fuzz_sctp inputs: whole and split user messages, bundled chunks."""
    msg = (b'OPTIONS sip:a@example.com SIP/2.0\r\nVia: SIP/2.0/SCTP h;'
           b'branch=z9hG4bK1\r\nCall-ID: s1\r\nCSeq: 1 OPTIONS\r\n'
           b'Content-Length: 0\r\n\r\n')
    hdr = struct.pack('>HHII', 5060, 5060, 1, 0)
    seqs = [
        [hdr + sctp_data(1, msg)],
        [hdr + sctp_data(1, msg[:30], 2) + sctp_data(2, msg[30:60], 0),
         hdr + sctp_data(3, msg[60:], 1)],
        [hdr + sctp_data(7, msg) + sctp_data(8, msg, 3, 1, 1)],
        [hdr + sctp_data(9, msg[:20], 2), hdr + sctp_data(11, msg[20:], 1)],
    ]
    for sq in seqs:
        out.put('sctp', b''.join(rec(bytes([0, 1]), p) for p in sq))


def main():
    out = Out(sys.argv[1])
    ws_seeds(out)
    sctp_seeds(out)
    for path in sys.argv[2:]:
        try:
            seeds_from(path, out)
        except (OSError, struct.error, IndexError) as e:
            print('%s: %s' % (path, e), file=sys.stderr)


if __name__ == '__main__':
    main()
