/* decode_link.c - serial and capture-card link layers: PPP, PPP in HDLC
 * framing, Cisco HDLC, Endace ERF records and Linux NFLOG
 *
 * PPP (RFC 1661 2, RFC 1662 3.1), Cisco HDLC (the "HDLC" of Cisco
 * routers: address, control, an ethertype), Endace's Extensible Record
 * Format as stored in pcap files (LINKTYPE_ERF) and Linux netfilter's
 * NFLOG (LINKTYPE_NFLOG). Each ends in IP (or an ethertype) and hands
 * over to decode.c / decode_ip.c. The frame data is never octet-stuffed
 * in these link types (tcpdump.org link-layer header types).
 */
#include "config.h"

#include <string.h>

#include "decode_impl.h"

/* PPP protocol numbers (IANA PPP DLL protocol numbers). */
enum {
	PPP_IPV4 = 0x0021,
	PPP_IPV6 = 0x0057,
	PPP_MPLS = 0x0281,
	PPP_MPLS_MC = 0x0283,
};

/* ERF record types (Endace ERF types reference) that carry IP. */
enum {
	ERF_HDLC_POS = 1,
	ERF_ETH = 2,
	ERF_MC_HDLC = 5,
	ERF_COLOR_HDLC_POS = 10,
	ERF_COLOR_ETH = 11,
	ERF_DSM_COLOR_HDLC_POS = 15,
	ERF_DSM_COLOR_ETH = 16,
	ERF_COLOR_MC_HDLC_POS = 17,
	ERF_COLOR_HASH_POS = 19,
	ERF_COLOR_HASH_ETH = 20,
	ERF_IPV4 = 22,
	ERF_IPV6 = 23,
	ERF_META = 27,
	ERF_PAD = 48,
};

/* NFLOG (linux/netfilter/nfnetlink_log.h): families, payload TLV type. */
enum {
	NFLOG_AF_INET = 2,
	NFLOG_AF_INET6 = 10,
	NFULA_PAYLOAD = 9,
	NFLOG_TYPE_MASK = 0x3fff, /* the top bits are netlink flags */
};

/* One byte at the front of a link header. */
static enum sc_err
link_u8(struct sc__dctx *d, struct sc__span *s, uint8_t *v)
{
	enum sc_err err = sc__need_link(d, s, 1);

	if (err != SC_OK)
		return err;
	if (!sc_cur_u8(&s->c, v))
		return sc__fail(d, SC_ETRUNC, SC_DR_LINK_TRUNCATED);
	return SC_OK;
}

/* Skip @n bytes of a link header. */
static enum sc_err
link_skip(struct sc__dctx *d, struct sc__span *s, size_t n)
{
	enum sc_err err = sc__need_link(d, s, n);

	if (err != SC_OK)
		return err;
	if (!sc_cur_skip(&s->c, n))
		return sc__fail(d, SC_ETRUNC, SC_DR_LINK_TRUNCATED);
	return SC_OK;
}

/* What a PPP protocol number announces. */
static enum sc_err
ppp_payload(struct sc__dctx *d, uint16_t proto, struct sc__span s)
{
	switch (proto) {
	case PPP_IPV4:
		return sc__decode_ipv4(d, s);
	case PPP_IPV6:
		return sc__decode_ipv6(d, s);
	case PPP_MPLS:
	case PPP_MPLS_MC:
		return sc__decode_mpls(d, s);
	default:
		/* LCP, IPCP, CHAP...: link control, not IP */
		return sc__fail(d, SC_EUNSUPPORTED, SC_DR_NOT_IP);
	}
}

/*
 * LINKTYPE_PPP: an optional address/control pair 0xff 0x03 (HDLC-like
 * framing, RFC 1662 3.1), then the protocol in two bytes, or in one when
 * protocol-field compression made it odd (RFC 1661 6.5).
 */
enum sc_err
sc__decode_ppp_link(struct sc__dctx *d, struct sc__span s)
{
	uint8_t b0, b1;
	enum sc_err err;

	err = link_u8(d, &s, &b0);
	if (err == SC_OK && b0 == 0xff) {
		/* 0x00ff is no protocol: this is the address byte */
		err = link_u8(d, &s, &b1);
		if (err == SC_OK && b1 != 0x03)
			return sc__fail(d, SC_EMALFORMED, SC_DR_LINK_BAD_HDR);
		if (err == SC_OK)
			err = link_u8(d, &s, &b0);
	}
	if (err != SC_OK)
		return err;
	if (b0 & 1)
		return ppp_payload(d, b0, s);
	err = link_u8(d, &s, &b1);
	if (err != SC_OK)
		return err;
	return ppp_payload(d, (uint16_t)(b0 << 8 | b1), s);
}

/*
 * Cisco HDLC, 4 bytes:
 *   0  address(8): 0x0f unicast, 0x8f broadcast
 *   1  control(8): 0
 *   2  protocol(16): an ethertype (0x8035 SLARP keepalives are not IP)
 */
enum sc_err
sc__decode_chdlc(struct sc__dctx *d, struct sc__span s)
{
	uint8_t addr;
	uint16_t proto;
	enum sc_err err;

	err = sc__need_link(d, &s, 4);
	if (err != SC_OK)
		return err;
	if (!sc_cur_u8(&s.c, &addr) || !sc_cur_skip(&s.c, 1) ||
	    !sc_cur_be16(&s.c, &proto))
		return sc__fail(d, SC_ETRUNC, SC_DR_LINK_TRUNCATED);
	if (addr != 0x0f && addr != 0x8f)
		return sc__fail(d, SC_EMALFORMED, SC_DR_LINK_BAD_HDR);
	return sc__decode_ethertype(d, proto, s);
}

/*
 * LINKTYPE_PPP_HDLC (and ERF's HDLC records): PPP in HDLC-like framing
 * when the first byte is the all-stations address 0xff, Cisco HDLC when
 * it is 0x0f or 0x8f (RFC 1547 4.3.1).
 */
enum sc_err
sc__decode_hdlc(struct sc__dctx *d, struct sc__span s)
{
	struct sc_cur peek = s.c;
	uint8_t addr, ctl;
	enum sc_err err;

	err = sc__need_link(d, &s, 2);
	if (err != SC_OK)
		return err;
	if (!sc_cur_u8(&peek, &addr) || !sc_cur_u8(&peek, &ctl))
		return sc__fail(d, SC_ETRUNC, SC_DR_LINK_TRUNCATED);
	if (addr == 0xff) {
		if (ctl != 0x03)
			return sc__fail(d, SC_EMALFORMED, SC_DR_LINK_BAD_HDR);
		return sc__decode_ppp_link(d, s);
	}
	return sc__decode_chdlc(d, s);
}

/*
 * ERF extension headers, 8 bytes each: bit 7 of the first byte says
 * another one follows (at most SC_DECODE_MAX_LINK_EXT).
 */
static enum sc_err
erf_skip_ext(struct sc__dctx *d, struct sc__span *s)
{
	uint8_t type = 0x80;
	enum sc_err err;

	for (unsigned n = 0; type & 0x80; n++) {
		if (n >= SC_DECODE_MAX_LINK_EXT)
			return sc__fail(d, SC_EMALFORMED, SC_DR_LINK_BAD_HDR);
		err = sc__need_link(d, s, 8);
		if (err != SC_OK)
			return err;
		if (!sc_cur_u8(&s->c, &type) || !sc_cur_skip(&s->c, 7))
			return sc__fail(d, SC_ETRUNC, SC_DR_LINK_TRUNCATED);
	}
	return SC_OK;
}

/* The packet of an ERF record of @type (header and extensions read). */
static enum sc_err
erf_payload(struct sc__dctx *d, uint8_t type, struct sc__span s)
{
	enum sc_err err;

	switch (type) {
	case ERF_ETH:
	case ERF_COLOR_ETH:
	case ERF_DSM_COLOR_ETH:
	case ERF_COLOR_HASH_ETH:
		/* offset(8) pad(8), then the frame (FCS left in place: the
		 * IP length bounds the packet) */
		err = link_skip(d, &s, 2);
		return err != SC_OK ? err : sc__decode_ether(d, s);
	case ERF_HDLC_POS:
	case ERF_COLOR_HDLC_POS:
	case ERF_DSM_COLOR_HDLC_POS:
	case ERF_COLOR_HASH_POS:
		return sc__decode_hdlc(d, s);
	case ERF_MC_HDLC:
	case ERF_COLOR_MC_HDLC_POS:
		/* multichannel header(32): channel, flags */
		err = link_skip(d, &s, 4);
		return err != SC_OK ? err : sc__decode_hdlc(d, s);
	case ERF_IPV4:
		return sc__decode_ipv4(d, s);
	case ERF_IPV6:
		return sc__decode_ipv6(d, s);
	case ERF_PAD:
	case ERF_META:
		return sc__fail(d, SC_EUNSUPPORTED, SC_DR_NOT_IP);
	default:
		/* ATM, AAL5, InfiniBand, raw links... */
		return sc__fail(d, SC_EUNSUPPORTED, SC_DR_LINK_UNSUPPORTED);
	}
}

/*
 * ERF record header (Endace ERF types reference), 16 bytes, big-endian
 * except the timestamp:
 *   0  timestamp(64, little-endian fixed point)
 *   8  type(8): bit 7 extension headers follow, bits 0-6 record type
 *   9  flags(8)  10  rlen(16): record length, this header included
 *  12  loss counter or colour(16)  14  wlen(16): bytes on the wire
 *  16  extension headers, then a type-specific header and the packet
 * rlen bounds the record (it includes padding to 8 bytes).
 */
enum sc_err
sc__decode_erf(struct sc__dctx *d, struct sc__span s)
{
	uint8_t type;
	uint16_t rlen;
	enum sc_err err;

	err = sc__need_link(d, &s, 16);
	if (err != SC_OK)
		return err;
	if (!sc_cur_skip(&s.c, 8) || !sc_cur_u8(&s.c, &type) ||
	    !sc_cur_skip(&s.c, 1) || !sc_cur_be16(&s.c, &rlen) ||
	    !sc_cur_skip(&s.c, 4))
		return sc__fail(d, SC_ETRUNC, SC_DR_LINK_TRUNCATED);
	if (rlen < 16)
		return sc__fail(d, SC_EMALFORMED, SC_DR_LINK_BAD_HDR);
	/* a record longer than the frame says: keep the frame's bounds */
	(void)sc__span_limit(&s, (size_t)rlen - 16);
	if (type & 0x80) {
		err = erf_skip_ext(d, &s);
		if (err != SC_OK)
			return err;
	}
	return erf_payload(d, type & 0x7f, s);
}

/* True when this machine stores integers little-endian first. */
static bool
host_is_le(void)
{
	const uint16_t one = 1;
	uint8_t first;

	memcpy(&first, &one, 1);
	return first == 1;
}

/*
 * A 16-bit field in the capturing host's byte order: libpcap converts
 * NFLOG's TLV headers to the reading host's order when a file comes from
 * a machine of the other order.
 */
static bool
cur_host16(struct sc_cur *c, uint16_t *v)
{
	return host_is_le() ? sc_cur_le16(c, v) : sc_cur_be16(c, v);
}

/*
 * NFLOG (tcpdump.org LINKTYPE_NFLOG), 4 bytes then TLVs:
 *   0  address family(8): 2 IPv4, 10 IPv6   1  version(8): 0
 *   2  resource id(16, big-endian)
 *   4  TLVs: length(16) type(16), both in host order; length counts
 *      these 4 bytes; values padded to 4 bytes. NFULA_PAYLOAD (9) holds
 *      the IP packet.
 */
enum sc_err
sc__decode_nflog(struct sc__dctx *d, struct sc__span s)
{
	uint8_t family, version;
	uint16_t tlen, ttype;
	enum sc_err err;

	err = sc__need_link(d, &s, 4);
	if (err != SC_OK)
		return err;
	if (!sc_cur_u8(&s.c, &family) || !sc_cur_u8(&s.c, &version) ||
	    !sc_cur_skip(&s.c, 2))
		return sc__fail(d, SC_ETRUNC, SC_DR_LINK_TRUNCATED);
	if (version != 0)
		return sc__fail(d, SC_EMALFORMED, SC_DR_LINK_BAD_HDR);
	for (;;) {
		struct sc__span v;
		size_t pad;

		if (sc_cur_left(&s.c) == 0 && s.missing == 0)
			return sc__fail(d, SC_EUNSUPPORTED, SC_DR_NOT_IP);
		err = sc__need_link(d, &s, 4);
		if (err != SC_OK)
			return err;
		if (!cur_host16(&s.c, &tlen) || !cur_host16(&s.c, &ttype))
			return sc__fail(d, SC_ETRUNC, SC_DR_LINK_TRUNCATED);
		if (tlen < 4)
			return sc__fail(d, SC_EMALFORMED, SC_DR_LINK_BAD_HDR);
		v = s;
		if (!sc__span_limit(&v, (size_t)tlen - 4))
			return sc__fail(d, SC_EMALFORMED, SC_DR_LINK_BAD_HDR);
		if ((ttype & NFLOG_TYPE_MASK) == NFULA_PAYLOAD) {
			if (family == NFLOG_AF_INET)
				return sc__decode_ipv4(d, v);
			if (family == NFLOG_AF_INET6)
				return sc__decode_ipv6(d, v);
			return sc__decode_ip(d, v);
		}
		err = link_skip(d, &s, (size_t)tlen - 4);
		if (err != SC_OK)
			return err;
		/* the last value may go without its padding */
		pad = (4 - (tlen & 3)) & 3;
		if (pad > sc_cur_left(&s.c))
			pad = sc_cur_left(&s.c);
		(void)sc_cur_skip(&s.c, pad);
	}
}
