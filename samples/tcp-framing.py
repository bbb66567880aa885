#!/usr/bin/env python3
"""Play a SIP call over one real TCP connection on 127.0.0.1 with chosen
segment boundaries, for the tcp-segmented.pcap sample.

SIPp writes each message with one send(), so its TCP captures have one
message per segment. Real stacks and SBCs do not: this caller splits its
INVITE over three segments, the callee packs 100 and 180 into one, and a
CRLF keep-alive exchange (RFC 5626: CRLFCRLF ping, CRLF pong, each in
its own segment) comes before the BYE and before its 200. TCP_NODELAY
and short pauses make each send() its own segment.

usage: tcp-framing.py PORT
"""
import socket
import sys
import threading
import time

PORT = int(sys.argv[1])
CALL_ID = "tcp-segmented-1@sipcause.test"
SDP = ("v=0\r\no=alice 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\n"
       "t=0 0\r\nm=audio 16000 RTP/AVP 0 8\r\na=rtpmap:0 PCMU/8000\r\n"
       "a=rtpmap:8 PCMA/8000\r\n")
ANSWER = ("v=0\r\no=bob 2 2 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\n"
          "t=0 0\r\nm=audio 16002 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n")


def msg(start, cseq, via_branch, totag="", body="", ctype=True,
        extra=""):
    lines = [start,
             "Via: SIP/2.0/TCP 127.0.0.1:%d;branch=%s" % (PORT + 1,
                                                            via_branch),
             "From: \"Alice\" <sip:alice@sipcause.test>;tag=a1",
             "To: <sip:bob@sipcause.test>%s" % totag,
             "Call-ID: " + CALL_ID,
             "CSeq: " + cseq]
    if extra:
        lines.append(extra)
    if body and ctype:
        lines.append("Content-Type: application/sdp")
    lines.append("Content-Length: %d" % len(body.encode()))
    return ("\r\n".join(lines) + "\r\n\r\n" + body).encode()


def read_message(sock, buf):
    """Read one framed message (headers + Content-Length) from sock."""
    while True:
        while buf.startswith(b"\r\n"):
            buf = buf[2:]
        end = buf.find(b"\r\n\r\n")
        if end >= 0:
            head = buf[:end].decode()
            clen = 0
            for line in head.split("\r\n")[1:]:
                name, _, value = line.partition(":")
                if name.strip().lower() in ("content-length", "l"):
                    clen = int(value)
            total = end + 4 + clen
            if len(buf) >= total:
                return buf[:total], buf[total:]
        data = sock.recv(65536)
        if not data:
            raise EOFError("connection closed")
        buf += data


def send_parts(sock, parts, pause=0.03):
    for part in parts:
        sock.sendall(part)
        time.sleep(pause)


def callee(server, errors):
    try:
        answer(server)
    except Exception as e:  # reported by main()
        errors.append(e)


def answer(server):
    conn, _ = server.accept()
    conn.settimeout(10)
    conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    buf = b""
    invite, buf = read_message(conn, buf)
    branch = invite.decode().split("branch=")[1].split("\r\n")[0]
    trying = msg("SIP/2.0 100 Trying", "1 INVITE", branch)
    ringing = msg("SIP/2.0 180 Ringing", "1 INVITE", branch, ";tag=b1")
    # two responses in one segment
    send_parts(conn, [trying + ringing])
    time.sleep(0.3)
    ok = msg("SIP/2.0 200 OK", "1 INVITE", branch, ";tag=b1", ANSWER,
             extra="Contact: <sip:bob@127.0.0.1:%d;transport=tcp>" % PORT)
    send_parts(conn, [ok])
    ack, buf = read_message(conn, buf)
    # the caller's keep-alive ping, answered at once with a pong
    while len(buf) < 4:
        data = conn.recv(4 - len(buf))
        if not data:
            raise EOFError("connection closed")
        buf += data
    if buf[:4] != b"\r\n\r\n":
        raise RuntimeError("no keep-alive ping: %r" % buf[:4])
    buf = buf[4:]
    send_parts(conn, [b"\r\n"])
    bye, buf = read_message(conn, buf)
    bye_branch = bye.decode().split("branch=")[1].split("\r\n")[0]
    send_parts(conn, [msg("SIP/2.0 200 OK", "2 BYE", bye_branch, ";tag=b1")])
    time.sleep(0.2)
    conn.close()


def caller():
    sock = socket.create_connection(("127.0.0.1", PORT),
                                    source_address=("127.0.0.1", PORT + 1))
    sock.settimeout(10)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    invite = msg("INVITE sip:bob@127.0.0.1:%d;transport=tcp SIP/2.0" % PORT,
                 "1 INVITE", "z9hG4bK-tcpseg-1", body=SDP,
                 extra="Contact: <sip:alice@127.0.0.1:%d;transport=tcp>\r\n"
                       "Max-Forwards: 70" % (PORT + 1))
    # the INVITE in three segments: start line, the rest of the
    # headers, the body
    cut1 = invite.index(b"\r\n") + 2
    cut2 = invite.index(b"\r\n\r\n") + 4
    send_parts(sock, [invite[:cut1], invite[cut1:cut2], invite[cut2:]])
    buf = b""
    for _ in range(3):
        _, buf = read_message(sock, buf)
    ack = msg("ACK sip:bob@127.0.0.1:%d;transport=tcp SIP/2.0" % PORT,
              "1 ACK", "z9hG4bK-tcpseg-2", ";tag=b1")
    send_parts(sock, [ack])
    time.sleep(1.0)
    bye = msg("BYE sip:bob@127.0.0.1:%d;transport=tcp SIP/2.0" % PORT,
              "2 BYE", "z9hG4bK-tcpseg-3", ";tag=b1")
    # a keep-alive ping, answered by a pong, before the BYE
    send_parts(sock, [b"\r\n\r\n"])
    pong = sock.recv(2)
    if pong != b"\r\n":
        raise RuntimeError("no keep-alive pong: %r" % pong)
    send_parts(sock, [bye])
    read_message(sock, buf)
    sock.close()


def main():
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    server.bind(("127.0.0.1", PORT))
    server.listen(1)
    server.settimeout(10)
    errors = []
    t = threading.Thread(target=callee, args=(server, errors))
    t.start()
    try:
        caller()
    finally:
        t.join(15)
        server.close()
    if errors:
        raise errors[0]


if __name__ == "__main__":
    main()
