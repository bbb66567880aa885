#!/usr/bin/env python3
"""Write the small hand-made captures the bad-input tests read.

Each file exercises one error path of the capture stage; they are built
byte by byte here (pcap: tcpdump.org/manpages/pcap-savefile.5; pcapng:
RFC draft-ietf-opsawg-pcapng) so that nothing in them comes from anyone
else's capture. Run from this directory; the outputs are committed.
"""
import struct

SIP = (b"OPTIONS sip:probe@192.0.2.2 SIP/2.0\r\n"
       b"Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK-bad-1\r\n"
       b"From: <sip:probe@192.0.2.1>;tag=1\r\n"
       b"To: <sip:probe@192.0.2.2>\r\n"
       b"Call-ID: bad-input-1@192.0.2.1\r\n"
       b"CSeq: 1 OPTIONS\r\n"
       b"Max-Forwards: 70\r\n"
       b"Content-Length: 0\r\n\r\n")


def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    s = (s >> 16) + (s & 0xffff)
    s += s >> 16
    return ~s & 0xffff


def ipv4_udp(payload, src=bytes([192, 0, 2, 1]), dst=bytes([192, 0, 2, 2]),
             sport=5060, dport=5060):
    udp = struct.pack("!HHHH", sport, dport, 8 + len(payload), 0) + payload
    hdr = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), 1, 0, 64, 17,
                      0, src, dst)
    hdr = hdr[:10] + struct.pack("!H", csum(hdr)) + hdr[12:]
    return hdr + udp


def ether(ip):
    return b"\x02\0\0\0\0\x02" + b"\x02\0\0\0\0\x01" + b"\x08\x00" + ip


def pcap(linktype, frames):
    out = struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, linktype)
    for i, f in enumerate(frames):
        out += struct.pack("<IIII", 1700000000 + i, 0, len(f), len(f)) + f
    return out


def block(btype, body):
    body += b"\0" * (-len(body) % 4)
    n = 12 + len(body)
    return struct.pack("<II", btype, n) + body + struct.pack("<I", n)


def pcapng_mixed():
    shb = block(0x0A0D0D0A, struct.pack("<IHHq", 0x1A2B3C4D, 1, 0, -1))
    idb_eth = block(1, struct.pack("<HHI", 1, 0, 65535))
    idb_raw = block(1, struct.pack("<HHI", 101, 0, 65535))
    pkt_eth = ether(ipv4_udp(SIP))
    pkt_raw = ipv4_udp(SIP)
    epb0 = block(6, struct.pack("<IIIII", 0, 0, 1000000, len(pkt_eth),
                                len(pkt_eth)) + pkt_eth)
    epb1 = block(6, struct.pack("<IIIII", 1, 0, 2000000, len(pkt_raw),
                                len(pkt_raw)) + pkt_raw)
    return shb + idb_eth + idb_raw + epb0 + epb1


def pcapng_one():
    """options-3.pcap as pcapng: one Ethernet interface, three EPBs."""
    shb = block(0x0A0D0D0A, struct.pack("<IHHq", 0x1A2B3C4D, 1, 0, -1))
    idb = block(1, struct.pack("<HHI", 1, 0, 65535))
    pkt = ether(ipv4_udp(SIP))
    epbs = b"".join(block(6, struct.pack("<IIIII", 0, 0, (i + 1) * 1000000,
                                         len(pkt), len(pkt)) + pkt)
                    for i in range(3))
    return shb + idb + epbs


def main():
    ok = pcap(1, [ether(ipv4_udp(SIP))] * 3)
    with open("options-3.pcap", "wb") as f:
        f.write(ok)
    # cut inside the third record's data
    with open("truncated.pcap", "wb") as f:
        f.write(ok[:len(ok) - 40])
    # 802.11 (LINKTYPE 105): a link type sipcause does not decode
    with open("linktype-80211.pcap", "wb") as f:
        f.write(pcap(105, [b"\x08\x00" + b"\0" * 22]))
    with open("mixed-linktypes.pcapng", "wb") as f:
        f.write(pcapng_mixed())
    with open("options-3.pcapng", "wb") as f:
        f.write(pcapng_one())
    with open("not-a-capture.txt", "wb") as f:
        f.write(b"This is a text file, not a packet capture.\n")
    with open("empty.pcap", "wb") as f:
        pass
    # a SIP message whose bytes try to drive the terminal
    evil = SIP.replace(b"OPTIONS sip:probe@", b"OPTIONS sip:pr\x1b[31mobe@") \
              .replace(b"From: <sip:probe", b"From: \"\x1b]0;pwned\x07\x9b\" <sip:probe")
    with open("control-chars.pcap", "wb") as f:
        f.write(pcap(1, [ether(ipv4_udp(evil))]))
    b2bua()
    garbage_on_sip_port()


def leg(call_id, via, extra=b""):
    return (b"INVITE sip:bob@example.com SIP/2.0\r\n"
            b"Via: SIP/2.0/UDP " + via + b";branch=z9hG4bK-" + call_id + b"\r\n"
            b"From: <sip:alice@example.com>;tag=1\r\n"
            b"To: <sip:bob@example.com>\r\n"
            b"Call-ID: " + call_id + b"\r\n" + extra +
            b"CSeq: 1 INVITE\r\nContent-Length: 0\r\n\r\n")


def b2bua():
    """Two B2BUA legs named by X-Call-ID, two by a custom header."""
    a, b, c = bytes([192, 0, 2, 1]), bytes([192, 0, 2, 2]), \
        bytes([192, 0, 2, 3])
    frames = [
        ether(ipv4_udp(leg(b"leg-a1", b"192.0.2.1"), a, b)),
        ether(ipv4_udp(leg(b"leg-a2", b"192.0.2.2",
                           b"X-Call-ID: leg-a1\r\n"), b, c)),
        ether(ipv4_udp(leg(b"leg-b1", b"192.0.2.1"), a, b)),
        ether(ipv4_udp(leg(b"leg-b2", b"192.0.2.2",
                           b"X-Orig-Leg: leg-b1\r\n"), b, c)),
    ]
    with open("b2bua-legs.pcap", "wb") as f:
        f.write(pcap(1, frames))


def garbage_on_sip_port():
    """SIP after a junk prefix, on a non-standard port."""
    junk = b"\x00\x01junk-prefix\r\n"
    frames = [ether(ipv4_udp(junk + SIP, sport=5080, dport=5080))]
    with open("garbage-prefix-5080.pcap", "wb") as f:
        f.write(pcap(1, frames))


if __name__ == "__main__":
    main()
