/* decode_tunnel.c - tunnels around the IP packet: IP-in-IP, GRE, ERSPAN,
 * VXLAN, GENEVE, GTP-U
 *
 * IP-in-IP (RFC 2003, RFC 4213 6in4, RFC 2473 IPv6 tunnels), GRE (RFC 2784
 * with RFC 2890 key and sequence number), ERSPAN types I, II and III
 * (draft-foschiano-erspan-03), VXLAN (RFC 7348), GENEVE (RFC 8926) and
 * GTP-U (3GPP TS 29.281). Each tunnel opened counts against
 * SC_DECODE_MAX_NEST; the outermost is recorded in pkt->tunnel with the
 * IP addresses that carried it. UDP tunnels are recognised by port and
 * opened only when their header validates, so SIP on one of those ports
 * still decodes as UDP.
 */
#include "config.h"

#include <string.h>

#include "decode_impl.h"

/* GRE protocol types (ethertypes) beyond plain IP and MPLS. */
enum {
	GRE_ETHER = 0x6558,   /* transparent Ethernet bridging */
	GRE_ERSPAN2 = 0x88be, /* ERSPAN type I (no S bit) or II */
	GRE_ERSPAN3 = 0x22eb,
	GRE_IPV4 = 0x0800,
	GRE_IPV6 = 0x86dd,
	GRE_MPLS = 0x8847,
	GRE_MPLS_MC = 0x8848,
};

/* GRE flags, first 16 bits. */
enum {
	GRE_C = 0x8000,
	GRE_R = 0x4000,
	GRE_K = 0x2000,
	GRE_S = 0x1000,
	GRE_VERSION = 0x0007,
};

/* UDP ports of the tunnels (IANA; 8472 is Linux's pre-IANA VXLAN). */
enum {
	PORT_VXLAN = 4789,
	PORT_VXLAN_LINUX = 8472,
	PORT_GENEVE = 6081,
	PORT_GTPU = 2152,
};

enum sc_err
sc__tunnel_enter(struct sc__dctx *d, enum sc_tunnel_kind kind)
{
	struct sc_tunnel *t = &d->pkt->tunnel;
	enum sc_err err;

	err = sc__nest_enter(d);
	if (err != SC_OK)
		return err;
	if (t->kind == SC_TUNNEL_NONE) {
		t->kind = kind;
		t->outer_src = d->pkt->src.addr;
		t->outer_dst = d->pkt->dst.addr;
	}
	if (t->depth < UINT8_MAX)
		t->depth++;
	return SC_OK;
}

/* IPv4 (protocol 4) or IPv6 (41) directly inside an IPv4 or IPv6 packet. */
enum sc_err
sc__decode_ipip(struct sc__dctx *d, uint8_t proto, struct sc__span s)
{
	enum sc_err err;

	err = sc__tunnel_enter(d, SC_TUNNEL_IPIP);
	if (err != SC_OK)
		return err;
	if (proto == SC_IPPROTO_IPIP)
		return sc__decode_ipv4(d, s);
	return sc__decode_ipv6(d, s);
}

/*
 * ERSPAN type II header (draft-foschiano-erspan-03 4.1), 8 bytes, then
 * the mirrored Ethernet frame:
 *   0  version(4) = 1  VLAN(12)
 *   2  COS(3) encapsulation(2) T(1) session id(10)
 *   4  reserved(12) index(20)
 */
static enum sc_err
decode_erspan2(struct sc__dctx *d, struct sc__span s)
{
	uint8_t ver;
	enum sc_err err;

	err = sc__need(d, &s, 8, SC_DR_TUNNEL_TRUNCATED, SC_DR_TUNNEL_BAD_HDR);
	if (err != SC_OK)
		return err;
	if (!sc_cur_u8(&s.c, &ver) || !sc_cur_skip(&s.c, 7))
		return sc__fail(d, SC_ETRUNC, SC_DR_TUNNEL_TRUNCATED);
	if (ver >> 4 != 1)
		return sc__fail(d, SC_EUNSUPPORTED, SC_DR_TUNNEL_UNSUPPORTED);
	return sc__decode_ether(d, s);
}

/*
 * ERSPAN type III header (draft-foschiano-erspan-03 4.2), 12 bytes:
 *   0  version(4) = 2  VLAN(12)
 *   2  COS(3) BSO(2) T(1) session id(10)
 *   4  timestamp(32)
 *   8  security group tag(16)
 *  10  P(1) frame type(5) hardware id(6) D(1) granularity(2) O(1)
 *  12  [O] platform specific subheader(64)
 * then the mirrored frame: Ethernet (frame type 0) or IP (frame type 2).
 */
static enum sc_err
decode_erspan3(struct sc__dctx *d, struct sc__span s)
{
	uint8_t ver;
	uint16_t bits;
	unsigned ft;
	enum sc_err err;

	err = sc__need(d, &s, 12, SC_DR_TUNNEL_TRUNCATED, SC_DR_TUNNEL_BAD_HDR);
	if (err != SC_OK)
		return err;
	if (!sc_cur_u8(&s.c, &ver) || !sc_cur_skip(&s.c, 9) ||
	    !sc_cur_be16(&s.c, &bits))
		return sc__fail(d, SC_ETRUNC, SC_DR_TUNNEL_TRUNCATED);
	if (ver >> 4 != 2)
		return sc__fail(d, SC_EUNSUPPORTED, SC_DR_TUNNEL_UNSUPPORTED);
	if (bits & 0x0001) {
		err = sc__need(d, &s, 8, SC_DR_TUNNEL_TRUNCATED,
		               SC_DR_TUNNEL_BAD_HDR);
		if (err != SC_OK)
			return err;
		if (!sc_cur_skip(&s.c, 8))
			return sc__fail(d, SC_ETRUNC, SC_DR_TUNNEL_TRUNCATED);
	}
	ft = (bits >> 10) & 0x1f;
	if (ft == 0)
		return sc__decode_ether(d, s);
	if (ft == 2)
		return sc__decode_ip(d, s);
	return sc__fail(d, SC_EUNSUPPORTED, SC_DR_TUNNEL_UNSUPPORTED);
}

/* One byte of a PPP header, truncation kept apart from damage. */
static enum sc_err
ppp_u8(struct sc__dctx *d, struct sc__span *s, uint8_t *v)
{
	enum sc_err err;

	err = sc__need(d, s, 1, SC_DR_TUNNEL_TRUNCATED, SC_DR_TUNNEL_BAD_HDR);
	if (err != SC_OK)
		return err;
	if (!sc_cur_u8(&s->c, v))
		return sc__fail(d, SC_ETRUNC, SC_DR_TUNNEL_TRUNCATED);
	return SC_OK;
}

/*
 * PPP inside PPTP's GRE and PPPoE (RFC 1661 2, RFC 1662 3.1): an optional
 * address/control pair 0xff 0x03, then the protocol in two bytes, or in
 * one when protocol-field compression made it odd: 0x0021 is IPv4,
 * 0x0057 IPv6.
 */
enum sc_err
sc__decode_ppp(struct sc__dctx *d, struct sc__span s)
{
	uint8_t b0, b1;
	uint16_t proto;
	enum sc_err err;

	err = ppp_u8(d, &s, &b0);
	if (err == SC_OK && b0 == 0xff) {
		/* address and control */
		err = ppp_u8(d, &s, &b1);
		if (err == SC_OK && b1 != 0x03)
			return sc__fail(d, SC_EMALFORMED, SC_DR_TUNNEL_BAD_HDR);
		if (err == SC_OK)
			err = ppp_u8(d, &s, &b0);
	}
	if (err != SC_OK)
		return err;
	proto = b0;
	if (!(b0 & 1)) {
		err = ppp_u8(d, &s, &b1);
		if (err != SC_OK)
			return err;
		proto = (uint16_t)(b0 << 8 | b1);
	}
	if (proto == 0x0021 || proto == 0x0057)
		return sc__decode_ip(d, s);
	return sc__fail(d, SC_EUNSUPPORTED, SC_DR_NOT_IP);
}

/*
 * Enhanced GRE (version 1, PPTP, RFC 2637 4.1): K is set and the key
 * holds payload length(16) and call id(16); then sequence (S) and
 * acknowledgement (A, 0x0080) numbers; protocol 0x880b is PPP. A payload
 * length of 0 is an acknowledgement alone: nothing to decode (a skip).
 */
static enum sc_err
decode_gre_pptp(struct sc__dctx *d, struct sc__span s, uint16_t flags,
                uint16_t proto)
{
	size_t opt = 4 + (flags & GRE_S ? 4u : 0u) + (flags & 0x0080 ? 4u : 0u);
	uint16_t plen;
	enum sc_err err;

	if (proto != 0x880b || !(flags & GRE_K))
		return sc__fail(d, SC_EUNSUPPORTED, SC_DR_TUNNEL_UNSUPPORTED);
	err = sc__need(d, &s, opt, SC_DR_TUNNEL_TRUNCATED,
	               SC_DR_TUNNEL_BAD_HDR);
	if (err != SC_OK)
		return err;
	if (!sc_cur_be16(&s.c, &plen) || !sc_cur_skip(&s.c, opt - 2))
		return sc__fail(d, SC_ETRUNC, SC_DR_TUNNEL_TRUNCATED);
	if (plen == 0)
		return sc__fail(d, SC_EUNSUPPORTED, SC_DR_NOT_IP);
	err = sc__tunnel_enter(d, SC_TUNNEL_GRE);
	if (err != SC_OK)
		return err;
	return sc__decode_ppp(d, s);
}

/*
 * GRE header (RFC 2784 2.1, RFC 2890 2):
 *   0  C(1) R(1) K(1) S(1) s(1) recur(3) A(1) flags(4) version(3)
 *   2  protocol type(16, an ethertype)
 *   4  [C or R] checksum(16) offset(16)
 *      [K] key(32)
 *      [S] sequence number(32)
 * Version 1 is PPTP's enhanced GRE (PPP inside); RFC 1701 source routes
 * (R) are not decoded.
 */
enum sc_err
sc__decode_gre(struct sc__dctx *d, struct sc__span s)
{
	uint16_t flags, proto;
	size_t opt;
	enum sc_err err;

	err = sc__need(d, &s, 4, SC_DR_TUNNEL_TRUNCATED, SC_DR_TUNNEL_BAD_HDR);
	if (err != SC_OK)
		return err;
	if (!sc_cur_be16(&s.c, &flags) || !sc_cur_be16(&s.c, &proto))
		return sc__fail(d, SC_ETRUNC, SC_DR_TUNNEL_TRUNCATED);
	if ((flags & GRE_VERSION) == 1)
		return decode_gre_pptp(d, s, flags, proto);
	if ((flags & GRE_VERSION) != 0 || (flags & GRE_R))
		return sc__fail(d, SC_EUNSUPPORTED, SC_DR_TUNNEL_UNSUPPORTED);
	opt = (flags & GRE_C ? 4u : 0u) + (flags & GRE_K ? 4u : 0u) +
	      (flags & GRE_S ? 4u : 0u);
	err = sc__need(d, &s, opt, SC_DR_TUNNEL_TRUNCATED,
	               SC_DR_TUNNEL_BAD_HDR);
	if (err != SC_OK)
		return err;
	if (!sc_cur_skip(&s.c, opt))
		return sc__fail(d, SC_ETRUNC, SC_DR_TUNNEL_TRUNCATED);

	switch (proto) {
	case GRE_ERSPAN2:
		err = sc__tunnel_enter(d, SC_TUNNEL_ERSPAN);
		if (err != SC_OK)
			return err;
		/* type I has no sequence number and no ERSPAN header */
		if (!(flags & GRE_S))
			return sc__decode_ether(d, s);
		return decode_erspan2(d, s);
	case GRE_ERSPAN3:
		err = sc__tunnel_enter(d, SC_TUNNEL_ERSPAN);
		if (err != SC_OK)
			return err;
		return decode_erspan3(d, s);
	case GRE_ETHER:
		err = sc__tunnel_enter(d, SC_TUNNEL_GRE);
		if (err != SC_OK)
			return err;
		return sc__decode_ether(d, s);
	case GRE_IPV4:
	case GRE_IPV6:
	case GRE_MPLS:
	case GRE_MPLS_MC:
		err = sc__tunnel_enter(d, SC_TUNNEL_GRE);
		if (err != SC_OK)
			return err;
		return sc__decode_ethertype(d, proto, s);
	default:
		return sc__fail(d, SC_EUNSUPPORTED, SC_DR_TUNNEL_UNSUPPORTED);
	}
}

/*
 * VXLAN header (RFC 7348 5), 8 bytes, then an Ethernet frame:
 *   0  flags(8: R R R R I R R R)  1  reserved(24)
 *   4  VNI(24)  7  reserved(8)
 * Group policy (draft-smith-vxlan-group-policy) adds the G flag (0x80)
 * and uses bytes 1-3. Valid: I set, the other flags clear but G, the
 * last byte zero. (A SIP start line fails: 'I' is 0x49, 'S' 0x53.)
 */
static bool
vxlan_valid(const struct sc__span *s)
{
	struct sc_cur c = s->c;
	uint8_t flags, last;

	if (!sc_cur_u8(&c, &flags) || !sc_cur_skip(&c, 6) ||
	    !sc_cur_u8(&c, &last))
		return false;
	return (flags & 0x7f) == 0x08 && last == 0;
}

/*
 * GENEVE header (RFC 8926 3.4):
 *   0  version(2) = 0  option length(6, 4-byte units)
 *   1  O(1) C(1) reserved(6)
 *   2  protocol type(16, an ethertype)
 *   4  VNI(24)  7  reserved(8)
 *   8  options, then the payload
 * Valid: version 0, an Ethernet, IPv4 or IPv6 payload, the options within
 * the datagram. Returns the header length through @hlen.
 */
static bool
geneve_valid(const struct sc__span *s, size_t *hlen, uint16_t *proto)
{
	struct sc_cur c = s->c;
	uint8_t vlen;
	size_t left;

	if (!sc_cur_u8(&c, &vlen) || !sc_cur_skip(&c, 1) ||
	    !sc_cur_be16(&c, proto) || !sc_cur_skip(&c, 4))
		return false;
	if (vlen >> 6 != 0)
		return false;
	if (*proto != GRE_ETHER && *proto != GRE_IPV4 && *proto != GRE_IPV6)
		return false;
	*hlen = 8 + (size_t)(vlen & 0x3f) * 4;
	left = sc_cur_left(&s->c);
	return *hlen <= left || *hlen - left <= s->missing;
}

static enum sc_err
decode_geneve(struct sc__dctx *d, struct sc__span s, size_t hlen,
              uint16_t proto)
{
	enum sc_err err;

	err = sc__tunnel_enter(d, SC_TUNNEL_GENEVE);
	if (err != SC_OK)
		return err;
	err = sc__need(d, &s, hlen, SC_DR_TUNNEL_TRUNCATED,
	               SC_DR_TUNNEL_BAD_HDR);
	if (err != SC_OK)
		return err;
	if (!sc_cur_skip(&s.c, hlen))
		return sc__fail(d, SC_ETRUNC, SC_DR_TUNNEL_TRUNCATED);
	if (proto == GRE_ETHER)
		return sc__decode_ether(d, s);
	return sc__decode_ethertype(d, proto, s);
}

/*
 * GTP-U header (3GPP TS 29.281 5.1, 5.2):
 *   0  version(3) = 1  PT(1) = 1  spare(1)  E(1) S(1) PN(1)
 *   1  message type(8): 255 = G-PDU (a user packet)
 *   2  length(16): the bytes after these first 8
 *   4  TEID(32)
 *   8  [E, S or PN] sequence number(16) N-PDU number(8)
 *      next extension header type(8)
 *  12  [E] extension headers: length(8, 4-byte units, all of it)
 *      contents, next extension header type(8); type 0 ends the chain
 * then the user's IP packet.
 * Valid: version 1, PT 1, a G-PDU whose length fits the datagram (and
 * holds the optional fields when a flag announces them).
 */
static bool
gtpu_valid(const struct sc__span *s)
{
	struct sc_cur c = s->c;
	uint8_t flags, type;
	uint16_t len;
	size_t after;

	if (!sc_cur_u8(&c, &flags) || !sc_cur_u8(&c, &type) ||
	    !sc_cur_be16(&c, &len) || !sc_cur_skip(&c, 4))
		return false;
	if ((flags & 0xf0) != 0x30 || type != 255)
		return false;
	if ((flags & 0x07) && len < 4)
		return false;
	/* bytes declared after the 8 mandatory ones */
	after = sc_cur_left(&c) + s->missing;
	return len <= after;
}

static enum sc_err
decode_gtpu(struct sc__dctx *d, struct sc__span s)
{
	uint8_t flags, next = 0, elen, first;
	uint16_t len;
	struct sc_cur peek;
	enum sc_err err;

	err = sc__tunnel_enter(d, SC_TUNNEL_GTPU);
	if (err != SC_OK)
		return err;
	if (!sc_cur_u8(&s.c, &flags) || !sc_cur_skip(&s.c, 1) ||
	    !sc_cur_be16(&s.c, &len) || !sc_cur_skip(&s.c, 4) ||
	    !sc__span_limit(&s, len))
		return sc__fail(d, SC_EMALFORMED, SC_DR_TUNNEL_BAD_HDR);
	if (flags & 0x07) {
		/* sequence number, N-PDU number, next extension type */
		err = sc__need(d, &s, 4, SC_DR_TUNNEL_TRUNCATED,
		               SC_DR_TUNNEL_BAD_HDR);
		if (err != SC_OK)
			return err;
		if (!sc_cur_skip(&s.c, 3) || !sc_cur_u8(&s.c, &next))
			return sc__fail(d, SC_ETRUNC, SC_DR_TUNNEL_TRUNCATED);
		if (!(flags & 0x04))
			next = 0; /* meaningful only with E */
	}
	for (unsigned n = 0; next != 0; n++) {
		struct sc_cur ext;

		if (n >= SC_DECODE_MAX_GTP_EXT)
			return sc__fail(d, SC_EMALFORMED, SC_DR_TUNNEL_BAD_HDR);
		err = sc__need(d, &s, 1, SC_DR_TUNNEL_TRUNCATED,
		               SC_DR_TUNNEL_BAD_HDR);
		if (err != SC_OK)
			return err;
		ext = s.c;
		if (!sc_cur_u8(&ext, &elen))
			return sc__fail(d, SC_ETRUNC, SC_DR_TUNNEL_TRUNCATED);
		if (elen == 0)
			return sc__fail(d, SC_EMALFORMED, SC_DR_TUNNEL_BAD_HDR);
		err = sc__need(d, &s, (size_t)elen * 4, SC_DR_TUNNEL_TRUNCATED,
		               SC_DR_TUNNEL_BAD_HDR);
		if (err != SC_OK)
			return err;
		if (!sc_cur_skip(&s.c, (size_t)elen * 4 - 1) ||
		    !sc_cur_u8(&s.c, &next))
			return sc__fail(d, SC_ETRUNC, SC_DR_TUNNEL_TRUNCATED);
	}
	err = sc__need(d, &s, 1, SC_DR_TUNNEL_TRUNCATED, SC_DR_TUNNEL_BAD_HDR);
	if (err != SC_OK)
		return err;
	peek = s.c;
	if (!sc_cur_u8(&peek, &first))
		return sc__fail(d, SC_ETRUNC, SC_DR_TUNNEL_TRUNCATED);
	if (first >> 4 == 4)
		return sc__decode_ipv4(d, s);
	if (first >> 4 == 6)
		return sc__decode_ipv6(d, s);
	return sc__fail(d, SC_EUNSUPPORTED, SC_DR_TUNNEL_UNSUPPORTED);
}

bool
sc__decode_udp_tunnel(struct sc__dctx *d, uint16_t sport, uint16_t dport,
                      struct sc__span s, enum sc_err *err)
{
	size_t hlen;
	uint16_t proto;

	if ((dport == PORT_VXLAN || dport == PORT_VXLAN_LINUX) &&
	    vxlan_valid(&s)) {
		*err = sc__tunnel_enter(d, SC_TUNNEL_VXLAN);
		if (*err != SC_OK)
			return true;
		if (!sc_cur_skip(&s.c, 8)) {
			*err = sc__fail(d, SC_ETRUNC, SC_DR_TUNNEL_TRUNCATED);
			return true;
		}
		*err = sc__decode_ether(d, s);
		return true;
	}
	if (dport == PORT_GENEVE && geneve_valid(&s, &hlen, &proto)) {
		*err = decode_geneve(d, s, hlen, proto);
		return true;
	}
	if ((dport == PORT_GTPU || sport == PORT_GTPU) && gtpu_valid(&s)) {
		*err = decode_gtpu(d, s);
		return true;
	}
	return false;
}
