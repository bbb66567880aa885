/* decode_ip.c - IPv4, IPv6 and its extension headers, UDP, TCP, SCTP, ICMP
 *
 * IPv4 (RFC 791), IPv6 (RFC 8200) with hop-by-hop, routing, fragment,
 * destination options, mobility (RFC 6275) and AH (RFC 4302) headers,
 * UDP (RFC 768), TCP (RFC 9293), SCTP's common header (RFC 9260) and the
 * packets quoted by ICMP (RFC 792, RFC 4884) and ICMPv6 (RFC 4443) errors.
 *
 * Lengths: the IP length, not the capture length, bounds the payload
 * (Ethernet padding is dropped; a total length of 0, as TSO/GSO frames
 * carry, means "all the bytes present"). A length beyond the bytes
 * captured is truncation, not damage: what is present is decoded and the
 * packet is flagged.
 */
#include "config.h"

#include <string.h>

#include "decode_impl.h"

/* IPv6 extension headers (IANA protocol numbers). */
enum {
	IP6_HOPOPTS = 0,
	IP6_ROUTING = 43,
	IP6_FRAGMENT = 44,
	IP6_NONE = 59,
	IP6_DSTOPTS = 60,
	IP6_MOBILITY = 135,
};

/* Peek at the first byte of @s; false when there is none. */
static bool
peek_u8(const struct sc__span *s, uint8_t *v)
{
	struct sc_cur c = s->c;

	return sc_cur_u8(&c, v);
}

/*
 * Restrict @s, which starts at an IP header, to the @total bytes its
 * length field declares. A length beyond the bytes present is taken as
 * truncation by the capture (whatever the enclosing layer declared), one
 * below drops the padding after the packet. @total 0 keeps @s as is.
 */
static void
ip_limit(struct sc__span *s, size_t total)
{
	size_t left = sc_cur_left(&s->c);

	if (total == 0)
		return;
	if (total <= left) {
		s->c.end = s->c.p + total;
		s->missing = 0;
	} else {
		s->missing = total - left;
	}
}

/*
 * IPv4 header (RFC 791 3.1):
 *   0  version(4) IHL(4, 32-bit words)  1  DSCP(6) ECN(2)
 *   2  total length(16)  4  identification(16)
 *   6  flags(3: reserved, DF, MF) fragment offset(13, 8-byte units)
 *   8  TTL(8)  9  protocol(8)  10  header checksum(16)
 *  12  source address(32)  16  destination address(32)
 *  20  options (IHL * 4 - 20 bytes)
 * Fills the addresses, ttl and fragment fields of the packet and leaves
 * @s on the payload.
 */
static enum sc_err
ipv4_header(struct sc__dctx *d, struct sc__span *s, uint8_t *proto)
{
	struct sc_pkt *pkt = d->pkt;
	struct sc__span h = *s;
	uint8_t vihl, ttl, src[4], dst[4];
	uint16_t total, id, frag;
	size_t hlen;
	enum sc_err err;

	if (!peek_u8(&h, &vihl))
		return sc__fail(d, SC_ETRUNC, SC_DR_IPV4_TRUNCATED);
	if (vihl >> 4 != 4)
		return sc__fail(d, SC_EMALFORMED, SC_DR_IP_VERSION);
	err = sc__need(d, &h, 20, SC_DR_IPV4_TRUNCATED, SC_DR_IPV4_BAD_LEN);
	if (err != SC_OK)
		return err;
	hlen = (size_t)(vihl & 0x0f) * 4;
	if (hlen < 20)
		return sc__fail(d, SC_EMALFORMED, SC_DR_IPV4_BAD_HLEN);
	if (!sc_cur_skip(&h.c, 2) || !sc_cur_be16(&h.c, &total) ||
	    !sc_cur_be16(&h.c, &id) || !sc_cur_be16(&h.c, &frag) ||
	    !sc_cur_u8(&h.c, &ttl) || !sc_cur_u8(&h.c, proto) ||
	    !sc_cur_skip(&h.c, 2) || !sc_cur_bytes(&h.c, src, 4) ||
	    !sc_cur_bytes(&h.c, dst, 4))
		return sc__fail(d, SC_ETRUNC, SC_DR_IPV4_TRUNCATED);
	if (total != 0 && total < hlen)
		return sc__fail(d, SC_EMALFORMED, SC_DR_IPV4_BAD_LEN);

	/* back to the header start: bound it by the total length */
	h = *s;
	ip_limit(&h, total);
	err = sc__need(d, &h, hlen, SC_DR_IPV4_TRUNCATED, SC_DR_IPV4_BAD_HLEN);
	if (err != SC_OK)
		return err;
	if (!sc_cur_skip(&h.c, hlen))
		return sc__fail(d, SC_ETRUNC, SC_DR_IPV4_TRUNCATED);

	sc_addr_set4(&pkt->src.addr, src);
	sc_addr_set4(&pkt->dst.addr, dst);
	pkt->src.port = 0;
	pkt->dst.port = 0;
	pkt->ttl = ttl;
	pkt->has_ip_id = true;
	pkt->ip_id = id;
	pkt->ipproto = *proto;
	if (frag & 0x3fff) { /* MF or an offset */
		pkt->is_fragment = true;
		pkt->frag.id = id;
		pkt->frag.offset = (uint32_t)(frag & 0x1fff) * 8;
		pkt->frag.more = (frag & 0x2000) != 0;
	}
	*s = h;
	return SC_OK;
}

/*
 * IPv6 header (RFC 8200 3):
 *   0  version(4) traffic class(8) flow label(20)
 *   4  payload length(16)  6  next header(8)  7  hop limit(8)
 *   8  source address(128)  24  destination address(128)
 * Fills the addresses and ttl and leaves @s on the payload (extension
 * headers not walked yet). Payload length 0 (jumbogram, GSO) means all
 * the bytes present.
 */
static enum sc_err
ipv6_header(struct sc__dctx *d, struct sc__span *s, uint8_t *proto)
{
	struct sc_pkt *pkt = d->pkt;
	struct sc__span h = *s;
	uint8_t ver, hops, src[16], dst[16];
	uint16_t plen;
	enum sc_err err;

	if (!peek_u8(&h, &ver))
		return sc__fail(d, SC_ETRUNC, SC_DR_IPV6_TRUNCATED);
	if (ver >> 4 != 6)
		return sc__fail(d, SC_EMALFORMED, SC_DR_IP_VERSION);
	err = sc__need(d, &h, 40, SC_DR_IPV6_TRUNCATED, SC_DR_IPV6_TRUNCATED);
	if (err != SC_OK)
		return err;
	if (!sc_cur_skip(&h.c, 4) || !sc_cur_be16(&h.c, &plen) ||
	    !sc_cur_u8(&h.c, proto) || !sc_cur_u8(&h.c, &hops) ||
	    !sc_cur_bytes(&h.c, src, 16) || !sc_cur_bytes(&h.c, dst, 16))
		return sc__fail(d, SC_ETRUNC, SC_DR_IPV6_TRUNCATED);
	ip_limit(&h, plen);

	sc_addr_set6(&pkt->src.addr, src);
	sc_addr_set6(&pkt->dst.addr, dst);
	pkt->src.port = 0;
	pkt->dst.port = 0;
	pkt->ttl = hops;
	pkt->has_ip_id = false; /* IPv6 has none outside fragments */
	pkt->ip_id = 0;
	pkt->ipproto = *proto;
	*s = h;
	return SC_OK;
}

/*
 * Walk the extension headers before the upper-layer protocol (RFC 8200
 * 4), at most SC_DECODE_MAX_IPV6_EXT of them. Each starts with the next
 * header(8):
 *   hop-by-hop (0), routing (43), destination options (60), mobility
 *   (135): next(8) length(8, 8-byte units beyond the first 8) ...
 *   fragment (44), 8 bytes: next(8) reserved(8) offset(13, 8-byte
 *   units) reserved(2) M(1) identification(32)
 *   AH (51, RFC 4302): next(8) length(8, 4-byte units minus 2) ...
 * ESP (50) hides the rest and 59 means nothing follows: both are skips.
 * For an IPv4 packet (@v6 false) only AH is walked. On a fragment header
 * that is not atomic (RFC 6946: offset 0 without M) the packet is marked
 * a fragment and @s left on the fragment data. @proto ends on the
 * upper-layer protocol (or the fragment's next header).
 */
static enum sc_err
ext_walk(struct sc__dctx *d, uint8_t *proto, struct sc__span *s, bool v6)
{
	enum sc_decode_reason trunc =
	        v6 ? SC_DR_IPV6_TRUNCATED : SC_DR_IPV4_TRUNCATED;
	enum sc_decode_reason bad =
	        v6 ? SC_DR_IPV6_BAD_EXT : SC_DR_IPV4_BAD_LEN;
	struct sc_pkt *pkt = d->pkt;
	struct sc_cur h;
	uint8_t next, hlen;
	uint16_t offm;
	uint32_t id;
	size_t len;
	enum sc_err err;

	for (unsigned n = 0;; n++) {
		switch (*proto) {
		case IP6_HOPOPTS:
		case IP6_ROUTING:
		case IP6_DSTOPTS:
		case IP6_MOBILITY:
		case IP6_FRAGMENT:
			if (!v6)
				return SC_OK;
			break;
		case SC_IPPROTO_AH:
			break;
		case IP6_NONE:
			if (!v6)
				return SC_OK;
			pkt->ipproto = *proto;
			return sc__fail(d, SC_EUNSUPPORTED, SC_DR_OTHER_PROTO);
		case SC_IPPROTO_ESP:
			pkt->ipproto = *proto;
			return sc__fail(d, SC_EUNSUPPORTED, SC_DR_OTHER_PROTO);
		default:
			return SC_OK;
		}
		if (n >= SC_DECODE_MAX_IPV6_EXT)
			return sc__fail(d, SC_EMALFORMED,
			                SC_DR_IPV6_TOO_MANY_EXT);
		err = sc__need(d, s, 2, trunc, bad);
		if (err != SC_OK)
			return err;
		h = s->c;
		if (!sc_cur_u8(&h, &next) || !sc_cur_u8(&h, &hlen))
			return sc__fail(d, SC_ETRUNC, trunc);
		if (*proto == IP6_FRAGMENT)
			len = 8;
		else if (*proto == SC_IPPROTO_AH)
			len = ((size_t)hlen + 2) * 4;
		else
			len = ((size_t)hlen + 1) * 8;
		err = sc__need(d, s, len, trunc, bad);
		if (err != SC_OK)
			return err;
		if (*proto == IP6_FRAGMENT) {
			/* @hlen was the reserved byte */
			if (!sc_cur_be16(&h, &offm) || !sc_cur_be32(&h, &id))
				return sc__fail(d, SC_ETRUNC, trunc);
			if (!sc_cur_skip(&s->c, len))
				return sc__fail(d, SC_ETRUNC, trunc);
			*proto = next;
			if ((offm & 0xfff9) != 0) {
				pkt->is_fragment = true;
				pkt->frag.id = id;
				pkt->frag.offset = (uint32_t)(offm & 0xfff8);
				pkt->frag.more = (offm & 0x0001) != 0;
				return SC_OK;
			}
			continue; /* atomic fragment: a whole packet */
		}
		if (!sc_cur_skip(&s->c, len))
			return sc__fail(d, SC_ETRUNC, trunc);
		*proto = next;
	}
}

/*
 * UDP header (RFC 768):
 *   0  source port(16)  2  destination port(16)
 *   4  length(16, header included)  6  checksum(16)
 * The payload is bounded by the UDP length. A tunnel on its port whose
 * header validates is opened; otherwise the payload is ordinary UDP.
 */
static enum sc_err
decode_udp(struct sc__dctx *d, struct sc__span s)
{
	struct sc_pkt *pkt = d->pkt;
	uint16_t sport, dport, ulen;
	enum sc_err err;

	err = sc__need(d, &s, 8, SC_DR_UDP_TRUNCATED, SC_DR_UDP_BAD_LEN);
	if (err != SC_OK)
		return err;
	if (!sc_cur_be16(&s.c, &sport) || !sc_cur_be16(&s.c, &dport) ||
	    !sc_cur_be16(&s.c, &ulen) || !sc_cur_skip(&s.c, 2))
		return sc__fail(d, SC_ETRUNC, SC_DR_UDP_TRUNCATED);
	if (ulen < 8)
		return sc__fail(d, SC_EMALFORMED, SC_DR_UDP_BAD_LEN);
	/* a length beyond the IP payload is bogus: keep the IP bound and
	 * say so, as TShark does, rather than lose the datagram */
	if (!sc__span_limit(&s, (size_t)ulen - 8))
		pkt->warning = SC_DR_UDP_BAD_LEN;
	pkt->src.port = sport;
	pkt->dst.port = dport;
	if (sc__decode_udp_tunnel(d, sport, dport, s, &err))
		return err;
	sc__set_payload(d, &s);
	return SC_OK;
}

/*
 * TCP header (RFC 9293 3.1):
 *   0  source port(16)  2  destination port(16)
 *   4  sequence number(32)  8  acknowledgment number(32)
 *  12  data offset(4, 32-bit words) reserved(3) AE(1)
 *  13  flags(8: CWR ECE URG ACK PSH RST SYN FIN)
 *  14  window(16)  16  checksum(16)  18  urgent pointer(16)
 *  20  options (data offset * 4 - 20 bytes)
 */
static enum sc_err
decode_tcp(struct sc__dctx *d, struct sc__span s)
{
	struct sc_pkt *pkt = d->pkt;
	struct sc__span h = s;
	uint16_t sport, dport;
	uint32_t seq, ack;
	uint8_t off, flags;
	size_t hlen;
	enum sc_err err;

	err = sc__need(d, &h, 20, SC_DR_TCP_TRUNCATED, SC_DR_TCP_BAD_OFFSET);
	if (err != SC_OK)
		return err;
	if (!sc_cur_be16(&h.c, &sport) || !sc_cur_be16(&h.c, &dport) ||
	    !sc_cur_be32(&h.c, &seq) || !sc_cur_be32(&h.c, &ack) ||
	    !sc_cur_u8(&h.c, &off) || !sc_cur_u8(&h.c, &flags))
		return sc__fail(d, SC_ETRUNC, SC_DR_TCP_TRUNCATED);
	hlen = (size_t)(off >> 4) * 4;
	if (hlen < 20)
		return sc__fail(d, SC_EMALFORMED, SC_DR_TCP_BAD_OFFSET);
	err = sc__need(d, &s, hlen, SC_DR_TCP_TRUNCATED, SC_DR_TCP_BAD_OFFSET);
	if (err != SC_OK)
		return err;
	if (!sc_cur_skip(&s.c, hlen))
		return sc__fail(d, SC_ETRUNC, SC_DR_TCP_TRUNCATED);
	pkt->src.port = sport;
	pkt->dst.port = dport;
	pkt->tcp_seq = seq;
	pkt->tcp_ack = ack;
	pkt->tcp_flags = flags;
	sc__set_payload(d, &s);
	return SC_OK;
}

/*
 * SCTP common header (RFC 9260 3.1), then chunks:
 *   0  source port(16)  2  destination port(16)
 *   4  verification tag(32)  8  checksum(32)
 * The payload handed on is the whole SCTP packet (chunks are the
 * framer's business).
 */
static enum sc_err
decode_sctp(struct sc__dctx *d, struct sc__span s)
{
	struct sc_cur h = s.c;
	uint16_t sport, dport;
	enum sc_err err;

	err = sc__need(d, &s, 12, SC_DR_SCTP_TRUNCATED, SC_DR_SCTP_BAD_LEN);
	if (err != SC_OK)
		return err;
	if (!sc_cur_be16(&h, &sport) || !sc_cur_be16(&h, &dport))
		return sc__fail(d, SC_ETRUNC, SC_DR_SCTP_TRUNCATED);
	d->pkt->src.port = sport;
	d->pkt->dst.port = dport;
	sc__set_payload(d, &s);
	return SC_OK;
}

enum sc_err
sc__decode_l4(struct sc__dctx *d, uint8_t proto, struct sc__span s)
{
	struct sc_pkt *pkt = d->pkt;
	enum sc_err err;

	err = ext_walk(d, &proto, &s, pkt->src.addr.family == 6);
	if (err != SC_OK)
		return err;
	pkt->ipproto = proto;
	pkt->src.port = 0;
	pkt->dst.port = 0;
	if (pkt->is_fragment) {
		sc__set_payload(d, &s);
		return SC_OK;
	}
	switch (proto) {
	case SC_IPPROTO_UDP:
		return decode_udp(d, s);
	case SC_IPPROTO_TCP:
		return decode_tcp(d, s);
	case SC_IPPROTO_SCTP:
		return decode_sctp(d, s);
	case SC_IPPROTO_ICMP:
	case SC_IPPROTO_ICMPV6:
		sc__set_payload(d, &s);
		return SC_OK;
	case SC_IPPROTO_IPIP:
	case SC_IPPROTO_IPV6:
		return sc__decode_ipip(d, proto, s);
	case SC_IPPROTO_GRE:
		return sc__decode_gre(d, s);
	default:
		sc__set_payload(d, &s);
		return sc__fail(d, SC_EUNSUPPORTED, SC_DR_OTHER_PROTO);
	}
}

enum sc_err
sc__decode_ipv4(struct sc__dctx *d, struct sc__span s)
{
	uint8_t proto;
	enum sc_err err;

	err = ipv4_header(d, &s, &proto);
	if (err != SC_OK)
		return err;
	if (d->pkt->is_fragment) {
		sc__set_payload(d, &s);
		return SC_OK;
	}
	return sc__decode_l4(d, proto, s);
}

enum sc_err
sc__decode_ipv6(struct sc__dctx *d, struct sc__span s)
{
	uint8_t proto;
	enum sc_err err;

	err = ipv6_header(d, &s, &proto);
	if (err != SC_OK)
		return err;
	return sc__decode_l4(d, proto, s);
}

enum sc_err
sc__decode_ip(struct sc__dctx *d, struct sc__span s)
{
	uint8_t first;

	if (!peek_u8(&s, &first)) {
		if (s.missing > 0)
			return sc__fail(d, SC_ETRUNC, SC_DR_LINK_TRUNCATED);
		return sc__fail(d, SC_EMALFORMED, SC_DR_LINK_TRUNCATED);
	}
	switch (first >> 4) {
	case 4:
		return sc__decode_ipv4(d, s);
	case 6:
		return sc__decode_ipv6(d, s);
	default:
		return sc__fail(d, SC_EMALFORMED, SC_DR_IP_VERSION);
	}
}

enum sc_err
sc_decode_transport(struct sc_pkt *pkt, uint8_t ipproto, const uint8_t *p,
                    size_t len)
{
	static const uint8_t none[1];
	struct sc__dctx d;
	struct sc__span s;

	pkt->is_fragment = false;
	memset(&pkt->frag, 0, sizeof(pkt->frag));
	pkt->src.port = 0;
	pkt->dst.port = 0;
	pkt->tcp_seq = 0;
	pkt->tcp_ack = 0;
	pkt->tcp_flags = 0;
	pkt->payload = NULL;
	pkt->len = 0;
	pkt->wire_len = 0;
	pkt->reason = SC_DR_NONE;
	pkt->warning = SC_DR_NONE;
	d.pkt = pkt;
	d.nest = pkt->tunnel.depth;
	d.vlan_seen = pkt->vlan != 0;
	s.c = p ? sc_cur_make(p, len) : sc_cur_make(none, 0);
	s.missing = pkt->truncated ? SC__MISSING_UNKNOWN : 0;
	return sc__decode_l4(&d, ipproto, s);
}

/* ICMP types whose body quotes the packet that caused them. */
static bool
icmp_is_error(int family, uint8_t type)
{
	if (family == 4)
		return type == 3 || type == 11 || type == 12;
	return type >= 1 && type <= 4;
}

/*
 * The transport layer of a quoted packet, kept apart from decode_udp()
 * and decode_tcp(): a quote is cut short by design (RFC 792 promises only
 * 8 bytes of it), so what is missing just flags it truncated. @s is the
 * quoted IP payload.
 */
static void
quote_transport(struct sc_icmp_quote *q, struct sc__span s)
{
	struct sc_cur h = s.c;
	size_t ip_wire = sc_cur_left(&s.c) + s.missing;
	size_t hlen, declared;
	uint16_t sport, dport, ulen;
	uint8_t off;

	q->payload = s.c.p;
	q->len = sc_cur_left(&s.c);
	q->wire_len = ip_wire;
	if (q->ipproto != SC_IPPROTO_UDP && q->ipproto != SC_IPPROTO_TCP &&
	    q->ipproto != SC_IPPROTO_SCTP)
		return;
	if (!sc_cur_be16(&h, &sport) || !sc_cur_be16(&h, &dport))
		goto cut;
	q->src.port = sport;
	q->dst.port = dport;
	if (q->ipproto == SC_IPPROTO_SCTP)
		return;
	if (q->ipproto == SC_IPPROTO_UDP) {
		if (!sc_cur_be16(&h, &ulen) || ulen < 8)
			goto cut;
		hlen = 8;
		declared = (size_t)ulen - 8;
	} else {
		if (!sc_cur_skip(&h, 8) || !sc_cur_u8(&h, &off))
			goto cut;
		hlen = (size_t)(off >> 4) * 4;
		if (hlen < 20 || ip_wire < hlen)
			goto cut;
		declared = ip_wire - hlen;
	}
	h = s.c;
	if (!sc_cur_skip(&h, hlen))
		goto cut;
	q->payload = h.p;
	q->len = sc_cur_left(&h) < declared ? sc_cur_left(&h) : declared;
	q->wire_len = declared;
	return;
cut:
	/* no complete transport header: no payload either */
	q->payload = s.c.end;
	q->len = 0;
	q->wire_len = 0;
	q->truncated = true;
}

/*
 * ICMP error messages (RFC 792; RFC 4884 for the length; RFC 4443 for
 * ICMPv6):
 *   0  type(8)  1  code(8)  2  checksum(16)
 *   4  ICMPv4: unused or pointer(8) length(8, 32-bit words, RFC 4884)
 *              next-hop MTU(16, type 3 code 4, RFC 1191)
 *      ICMPv6: length(8, 64-bit words, RFC 4884) unused(24), or the
 *              MTU(32) of a packet too big (type 2)
 *   8  as much of the invoking packet as fits, then RFC 4884 extensions
 *      when the length is set
 */
/*
 * The ICMP error header of @icmp: family, type, code and MTU into @out;
 * @h left at the quote, *@orig the RFC 4884 length of the original
 * datagram field (0 when unset). SC_EUNSUPPORTED for anything but an
 * ICMP error.
 */
static enum sc_err
icmp_error_header(const struct sc_pkt *icmp, struct sc_icmp_quote *out,
                  struct sc_cur *h, size_t *orig)
{
	uint8_t type, code, b4, b5;
	uint32_t word;
	int family;

	if (icmp->is_fragment || !icmp->payload)
		return SC_EUNSUPPORTED;
	if (icmp->ipproto == SC_IPPROTO_ICMP && icmp->src.addr.family == 4)
		family = 4;
	else if (icmp->ipproto == SC_IPPROTO_ICMPV6 &&
	         icmp->src.addr.family == 6)
		family = 6;
	else
		return SC_EUNSUPPORTED;
	*h = sc_cur_make(icmp->payload, icmp->len);
	if (!sc_cur_u8(h, &type) || !sc_cur_u8(h, &code))
		return SC_ETRUNC;
	if (!icmp_is_error(family, type))
		return SC_EUNSUPPORTED;
	if (!sc_cur_skip(h, 2) || !sc_cur_be32(h, &word))
		return SC_ETRUNC;
	b4 = (uint8_t)(word >> 24);
	b5 = (uint8_t)(word >> 16);
	out->family = (uint8_t)family;
	out->type = type;
	out->code = code;
	if (family == 4 && type == 3 && code == 4)
		out->mtu = (uint16_t)word;
	else if (family == 6 && type == 2)
		out->mtu = word;
	if (family == 4)
		*orig = (size_t)b5 * 4;
	else if (type == 1 || type == 3)
		*orig = (size_t)b4 * 8;
	else
		*orig = 0;
	return SC_OK;
}

enum sc_err
sc_decode_icmp_quote(const struct sc_pkt *icmp, struct sc_icmp_quote *out)
{
	struct sc_pkt scratch;
	struct sc__dctx d;
	struct sc__span s;
	struct sc_cur h;
	uint8_t proto;
	size_t orig;
	enum sc_err err;

	memset(out, 0, sizeof(*out));
	err = icmp_error_header(icmp, out, &h, &orig);
	if (err != SC_OK)
		return err;
	/* the quote is a prefix of unknown length of the invoking packet:
	 * a quoted header cut short is truncation, not damage */
	s.c = h;
	s.missing = SC__MISSING_UNKNOWN;
	if (orig != 0 && orig < sc_cur_left(&s.c))
		s.c.end = s.c.p + orig;

	memset(&scratch, 0, sizeof(scratch));
	d.pkt = &scratch;
	d.nest = SC_DECODE_MAX_NEST; /* a quote is never unwrapped */
	d.vlan_seen = true;
	if (out->family == 4)
		err = ipv4_header(&d, &s, &proto);
	else
		err = ipv6_header(&d, &s, &proto);
	if (err == SC_OK && !scratch.is_fragment)
		err = ext_walk(&d, &proto, &s, out->family == 6);
	if (err == SC_EUNSUPPORTED)
		err = SC_OK; /* ESP or no next header: nothing to read */
	if (err != SC_OK)
		return err;
	/* a quoted length of 0 (TSO, jumbogram) declares nothing more */
	if (s.missing >= SC__MISSING_UNKNOWN)
		s.missing = 0;
	out->src.addr = scratch.src.addr;
	out->dst.addr = scratch.dst.addr;
	out->ipproto = proto;
	out->is_fragment = scratch.is_fragment;
	if (scratch.is_fragment && scratch.frag.offset != 0) {
		out->payload = s.c.p;
		out->len = sc_cur_left(&s.c);
		out->wire_len = out->len + s.missing;
	} else {
		quote_transport(out, s);
	}
	if (out->wire_len > out->len)
		out->truncated = true;
	return SC_OK;
}

const char *
sc_icmp_text(uint8_t version, uint8_t type, uint8_t code)
{
	if (version == 4 && type == 3) {
		static const char *const unreach[] = {
			"network unreachable",
			"host unreachable",
			"protocol unreachable",
			"port unreachable",
			"fragmentation needed",
			"source route failed",
			"destination network unknown",
			"destination host unknown",
			"source host isolated",
			"network administratively prohibited",
			"host administratively prohibited",
			"network unreachable for TOS",
			"host unreachable for TOS",
			"communication administratively prohibited",
		};

		return code < sizeof(unreach) / sizeof(unreach[0])
		               ? unreach[code]
		               : "destination unreachable";
	}
	if (version == 4 && type == 11)
		return code ? "fragment reassembly time exceeded"
		            : "TTL exceeded in transit";
	if (version == 6 && type == 1) {
		static const char *const unreach6[] = {
			"no route to destination",
			"communication administratively prohibited",
			"beyond scope of source address",
			"address unreachable",
			"port unreachable",
			"source address failed policy",
			"reject route to destination",
		};

		return code < sizeof(unreach6) / sizeof(unreach6[0])
		               ? unreach6[code]
		               : "destination unreachable";
	}
	if (version == 6 && type == 3)
		return code ? "fragment reassembly time exceeded"
		            : "hop limit exceeded in transit";
	return "ICMP error";
}
