/* hep.c - HEP, the HOMER encapsulation protocol, versions 2 and 3
 *
 * HEPv3 (github.com/sipcapture/HEP, "HEP3"): | "HEP3" | total length 16 |
 * then chunks | vendor 16 | type 16 | length 16 (with this header) |
 * value |. Generic chunks (vendor 0) used here: 1 IP family, 2 IP
 * protocol, 3/4 IPv4 source/destination, 5/6 IPv6 source/destination,
 * 7/8 ports, 9/10 timestamp seconds/microseconds, 11 payload type (1 is
 * SIP), 15 payload, 16 compressed payload.
 * HEPv2: | version 8 (2) | header length 8 | family 8 | protocol 8 |
 * src port 16 | dst port 16 | src addr | dst addr | seconds 32 |
 * microseconds 32 | capture id 16 | unused 16 |, times in the agent's
 * byte order (little-endian in practice), then the payload.
 */
#include "config.h"

#include <string.h>

#include "sipcause/frame/carrier.h"
#include "sipcause/util/cur.h"

#define AF_HEP_INET 2
#define AF_HEP_INET6 10

static enum sc_err
decode_v3(struct sc_cur c, struct sc_hep *out)
{
	uint16_t total;
	uint32_t sec = 0, usec = 0;
	bool have_payload = false, compressed = false;

	if (!sc_cur_skip(&c, 4) || !sc_cur_be16(&c, &total))
		return SC_ETRUNC;
	if (total < 6)
		return SC_EMALFORMED;
	if (total - 6u < sc_cur_left(&c))
		c.end = c.p + (total - 6u);
	while (sc_cur_left(&c) > 0) {
		uint16_t vendor, type, clen;
		struct sc_cur v;
		uint8_t b;
		uint16_t port;
		uint8_t a[16];

		if (!sc_cur_be16(&c, &vendor) || !sc_cur_be16(&c, &type) ||
		    !sc_cur_be16(&c, &clen))
			return SC_ETRUNC;
		if (clen < 6)
			return SC_EMALFORMED;
		if (!sc_cur_sub(&c, clen - 6u, &v))
			return SC_ETRUNC;
		if (vendor != 0)
			continue;
		switch (type) {
		case 2:
			if (sc_cur_u8(&v, &b))
				out->ipproto = b;
			break;
		case 3:
		case 4:
			if (sc_cur_bytes(&v, a, 4))
				sc_addr_set4(type == 3 ? &out->src.addr
				                       : &out->dst.addr,
				             a);
			break;
		case 5:
		case 6:
			if (sc_cur_bytes(&v, a, 16))
				sc_addr_set6(type == 5 ? &out->src.addr
				                       : &out->dst.addr,
				             a);
			break;
		case 7:
		case 8:
			if (sc_cur_be16(&v, &port))
				(type == 7 ? &out->src : &out->dst)->port =
				        port;
			break;
		case 9:
			(void)sc_cur_be32(&v, &sec);
			break;
		case 10:
			(void)sc_cur_be32(&v, &usec);
			break;
		case 11:
			if (sc_cur_u8(&v, &b))
				out->payload_type = b;
			break;
		case 15:
			out->payload = v.p;
			out->len = sc_cur_left(&v);
			have_payload = true;
			break;
		case 16:
			compressed = true;
			break;
		default:
			break;
		}
	}
	if (!have_payload)
		return compressed ? SC_EUNSUPPORTED : SC_EMALFORMED;
	out->version = 3;
	out->ts_ns = (int64_t)sec * 1000000000 + (int64_t)usec * 1000;
	return SC_OK;
}

static enum sc_err
decode_v2(struct sc_cur c, struct sc_hep *out)
{
	uint8_t version, hlen, family, proto, a[16], b[16];
	uint16_t sport, dport;
	uint32_t sec, usec;
	size_t alen;

	if (!sc_cur_u8(&c, &version) || !sc_cur_u8(&c, &hlen) ||
	    !sc_cur_u8(&c, &family) || !sc_cur_u8(&c, &proto) ||
	    !sc_cur_be16(&c, &sport) || !sc_cur_be16(&c, &dport))
		return SC_ENOTPROTO;
	alen = family == AF_HEP_INET ? 4 : family == AF_HEP_INET6 ? 16 : 0;
	/* the header length must match the family exactly: that and the
	 * time check below keep ordinary UDP from passing for HEPv2 */
	if (version != 2 || alen == 0 || hlen != 8 + 2 * alen + 12)
		return SC_ENOTPROTO;
	if (!sc_cur_bytes(&c, a, alen) || !sc_cur_bytes(&c, b, alen) ||
	    !sc_cur_le32(&c, &sec) || !sc_cur_le32(&c, &usec) ||
	    !sc_cur_skip(&c, 4))
		return SC_ETRUNC;
	if (usec >= 1000000)
		return SC_ENOTPROTO;
	if (alen == 4) {
		sc_addr_set4(&out->src.addr, a);
		sc_addr_set4(&out->dst.addr, b);
	} else {
		sc_addr_set6(&out->src.addr, a);
		sc_addr_set6(&out->dst.addr, b);
	}
	out->version = 2;
	out->ipproto = proto;
	out->src.port = sport;
	out->dst.port = dport;
	out->ts_ns = (int64_t)sec * 1000000000 + (int64_t)usec * 1000;
	out->payload = c.p;
	out->len = sc_cur_left(&c);
	return SC_OK;
}

enum sc_err
sc_hep_decode(const uint8_t *p, size_t len, struct sc_hep *out)
{
	struct sc_cur c = sc_cur_make(p, len);

	memset(out, 0, sizeof(*out));
	if (len >= 4 && memcmp(p, "HEP3", 4) == 0)
		return decode_v3(c, out);
	if (len >= 1 && p[0] == 2)
		return decode_v2(c, out);
	return SC_ENOTPROTO;
}
