#!/usr/bin/env python3
"""Write small captures, one per link type that carries IP, for decode tests.

Each file holds the same exchange, an OPTIONS over UDP/IPv4 answered by a
200 over UDP/IPv6, wrapped in that link type's header, built byte by byte
from the formats' specifications (tcpdump.org link-layer header types,
RFC 1661/1662, IEEE 802.11, radiotap.org, CACE PPI, Endace ERF, Linux
nfnetlink_log). The Call-ID names the link type, so a reader can tell the
files apart. TShark reads SIP in every one of them (check with
`tshark -r FILE -Y sip`). link-unsupported.pcap uses LINKTYPE_USER0 (147),
which nobody decodes. Run from this directory; the outputs are committed.
"""
import socket
import struct

V4 = ("192.0.2.10", "192.0.2.20")
V6 = ("2001:db8::10", "2001:db8::20")


def sip(kind, tag):
    cid = "link-%s@192.0.2.10" % tag
    if kind == "req":
        head = ("OPTIONS sip:probe@192.0.2.20 SIP/2.0\r\n"
                "Via: SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bK-%s\r\n"
                "From: <sip:probe@192.0.2.10>;tag=a1\r\n"
                "To: <sip:probe@192.0.2.20>\r\n" % tag)
    else:
        head = ("SIP/2.0 200 OK\r\n"
                "Via: SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bK-%s\r\n"
                "From: <sip:probe@192.0.2.10>;tag=a1\r\n"
                "To: <sip:probe@192.0.2.20>;tag=b2\r\n" % tag)
    return (head + "Call-ID: %s\r\nCSeq: 1 OPTIONS\r\n"
            "Content-Length: 0\r\n\r\n" % cid).encode()


def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    s = (s >> 16) + (s & 0xffff)
    s += s >> 16
    return ~s & 0xffff


def ipv4_udp(payload):
    src, dst = (socket.inet_pton(socket.AF_INET, a) for a in V4)
    udp = struct.pack("!HHHH", 5060, 5060, 8 + len(payload), 0) + payload
    hdr = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), 0x1234, 0,
                      64, 17, 0, src, dst)
    return hdr[:10] + struct.pack("!H", csum(hdr)) + hdr[12:] + udp


def ipv6_udp(payload):
    src, dst = (socket.inet_pton(socket.AF_INET6, a) for a in reversed(V6))
    udp = struct.pack("!HHHH", 5060, 5060, 8 + len(payload), 0) + payload
    pseudo = src + dst + struct.pack("!IxxxB", len(udp), 17)
    udp = udp[:6] + struct.pack("!H", csum(pseudo + udp) or 0xffff) + udp[8:]
    return struct.pack("!IHBB", 0x60000000, len(udp), 17, 64) + src + dst \
        + udp


def ether(ip, v6):
    return b"\x02\0\0\0\0\x02\x02\0\0\0\0\x01" + \
        struct.pack("!H", 0x86dd if v6 else 0x0800) + ip


def ppp(ip, v6, hdlc=True):
    return (b"\xff\x03" if hdlc else b"") + \
        struct.pack("!H", 0x57 if v6 else 0x21) + ip


def chdlc(ip, v6):
    return b"\x0f\x00" + struct.pack("!H", 0x86dd if v6 else 0x0800) + ip


def wlan(ip, v6):
    # data frame from the DS: fc, duration, addr1..3, sequence 1
    mac = struct.pack("<BBH", 0x08, 0x02, 44) + b"\x02\0\0\0\0\x02" + \
        b"\x02\0\0\0\0\x03" + b"\x02\0\0\0\0\x01" + struct.pack("<H", 0x10)
    snap = b"\xaa\xaa\x03\0\0\0" + struct.pack("!H", 0x86dd if v6 else 0x0800)
    return mac + snap + ip


def fcs(frame):
    return frame + struct.pack("<I", 0xdeadbeef)


def radiotap(ip, v6):
    # TSFT (8, aligned to 8), flags (FCS at end), rate, pad
    hdr = struct.pack("<BBHI", 0, 0, 20, 0x00000007) + \
        struct.pack("<Q", 123456789) + struct.pack("<BB", 0x10, 12) + \
        b"\0\0"
    return hdr + fcs(wlan(ip, v6))


def ppi(ip, v6):
    # one 802.11-common field: TSF timer, flags (FCS present), rate,
    # channel frequency and flags, FHSS hopset/pattern, signal, noise
    common = struct.pack("<QHHHHBBbb", 0, 0x0001, 12, 2437, 0x00a0, 0, 0,
                         -40, -90)
    field = struct.pack("<HH", 2, len(common)) + common
    hdr = struct.pack("<BBHI", 0, 0, 8 + len(field), 105) + field
    return hdr + fcs(wlan(ip, v6))


def erf(ip, v6, seq):
    # Ethernet record with one extension header (host id), 2 bytes of
    # offset and pad, the frame, padded to 8 bytes
    body = b"\x01" + b"\0" * 7 + b"\0\0" + ether(ip, v6) + b"\0\0\0\0"
    rlen = 16 + len(body)
    body += b"\0" * (-rlen % 8)
    ts = ((1700000000 + seq) << 32)
    return struct.pack("<Q", ts) + struct.pack("!BBHHH", 0x82, 0x04,
                                               16 + len(body), 0,
                                               len(ether(ip, v6)) + 4) + body


def nflog(ip, v6):
    def tlv(t, v):
        n = 4 + len(v)
        return struct.pack("<HH", n, t) + v + b"\0" * (-n % 4)
    hw = tlv(1, struct.pack("!HBx", 0x86dd if v6 else 0x0800, 3))
    prefix = tlv(10, b"sip-in\0")
    uid = tlv(11, struct.pack("!I", 0))
    return struct.pack("!BBH", 10 if v6 else 2, 0, 7) + hw + prefix + \
        uid + tlv(9, ip)


def pcap(linktype, frames):
    out = struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, linktype)
    for i, f in enumerate(frames):
        out += struct.pack("<IIII", 1700000000 + i, 0, len(f), len(f)) + f
    return out


def write(name, linktype, wrap):
    tag = name[len("link-"):]
    frames = [wrap(ipv4_udp(sip("req", tag)), False, 0),
              wrap(ipv6_udp(sip("resp", tag)), True, 1)]
    with open(name + ".pcap", "wb") as f:
        f.write(pcap(linktype, frames))


def main():
    write("link-ppp", 9, lambda ip, v6, i: ppp(ip, v6, hdlc=(i == 0)))
    write("link-ppp-hdlc", 50, lambda ip, v6, i: ppp(ip, v6))
    write("link-chdlc", 104, lambda ip, v6, i: chdlc(ip, v6))
    write("link-80211", 105, lambda ip, v6, i: wlan(ip, v6))
    write("link-radiotap", 127, lambda ip, v6, i: radiotap(ip, v6))
    write("link-ppi", 192, lambda ip, v6, i: ppi(ip, v6))
    write("link-erf", 197, lambda ip, v6, i: erf(ip, v6, i))
    write("link-nflog", 239, lambda ip, v6, i: nflog(ip, v6))
    write("link-unsupported", 147, lambda ip, v6, i: ip)


if __name__ == "__main__":
    main()
