/* decode_impl.h - what the three decode files share (internal to src/) */
#ifndef SC_DECODE_IMPL_H
#define SC_DECODE_IMPL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sipcause/util/cur.h"
#include "sipcause/decode/decode.h"

/*
 * Shared by src/decode.c (link layer, MPLS), src/decode_ip.c (IP, L4) and
 * src/decode_tunnel.c only: not part of the API.
 */
/*
 * The bytes of one layer: @c covers those present, @missing counts those
 * the enclosing headers declared beyond them (cut by the capture). Reading
 * from the front keeps @missing; a length field restricts both.
 */
struct sc__span {
	struct sc_cur c;
	size_t missing;
};

/*
 * @missing of bytes cut by an unknown amount (a reassembled datagram
 * known only as a prefix): any declared length fits, none is trusted.
 */
#define SC__MISSING_UNKNOWN (SIZE_MAX / 4)

/* Decoding state of one frame (or one reassembled datagram). */
struct sc__dctx {
	struct sc_pkt *pkt;
	unsigned nest;  /* tunnels and pseudowires entered */
	bool vlan_seen; /* pkt->vlan holds the outermost tag */
};

/* Record @r in the packet and return @e. */
static inline enum sc_err
sc__fail(struct sc__dctx *d, enum sc_err e, enum sc_decode_reason r)
{
	d->pkt->reason = r;
	return e;
}

/*
 * Check that @n bytes are present: SC_OK; SC_ETRUNC with @trunc when the
 * capture cut them; SC_EMALFORMED with @bad when even the declared length
 * is shorter than @n.
 */
static inline enum sc_err
sc__need(struct sc__dctx *d, const struct sc__span *s, size_t n,
         enum sc_decode_reason trunc, enum sc_decode_reason bad)
{
	size_t left = sc_cur_left(&s->c);

	if (n <= left)
		return SC_OK;
	if (n - left <= s->missing)
		return sc__fail(d, SC_ETRUNC, trunc);
	return sc__fail(d, SC_EMALFORMED, bad);
}

/*
 * Restrict @s to its first @len bytes as declared by a length field. False
 * (nothing changed) when @len exceeds what the enclosing layer declared.
 */
static inline bool
sc__span_limit(struct sc__span *s, size_t len)
{
	size_t left = sc_cur_left(&s->c);

	if (len <= left) {
		s->c.end = s->c.p + len;
		s->missing = 0;
		return true;
	}
	if (len - left > s->missing)
		return false;
	s->missing = len - left;
	return true;
}

/* Point the packet's payload at @s (and flag what the capture cut). */
static inline void
sc__set_payload(struct sc__dctx *d, const struct sc__span *s)
{
	d->pkt->payload = s->c.p;
	d->pkt->len = sc_cur_left(&s->c);
	d->pkt->wire_len = d->pkt->len;
	if (s->missing < SC__MISSING_UNKNOWN)
		d->pkt->wire_len += s->missing;
	if (s->missing > 0)
		d->pkt->truncated = true;
}

/* decode.c: an Ethernet header (and its tags) and what follows. */
enum sc_err sc__decode_ether(struct sc__dctx *d, struct sc__span s);
/* decode.c: what follows an ethertype (VLAN tags, MPLS, IP). */
enum sc_err sc__decode_ethertype(struct sc__dctx *d, uint16_t type,
                                 struct sc__span s);
/* decode.c: an MPLS label stack and what follows it. */
enum sc_err sc__decode_mpls(struct sc__dctx *d, struct sc__span s);
/* decode.c: enter one more encapsulation (a pseudowire or tunnel). */
enum sc_err sc__nest_enter(struct sc__dctx *d);

/* decode_ip.c: an IPv4 / IPv6 packet, or either by its version nibble. */
enum sc_err sc__decode_ipv4(struct sc__dctx *d, struct sc__span s);
enum sc_err sc__decode_ipv6(struct sc__dctx *d, struct sc__span s);
enum sc_err sc__decode_ip(struct sc__dctx *d, struct sc__span s);
/* decode_ip.c: the payload of IP protocol @proto (extension headers
 * first when the packet is IPv6). */
enum sc_err sc__decode_l4(struct sc__dctx *d, uint8_t proto, struct sc__span s);

/* decode_tunnel.c: record entering a tunnel of @kind. */
enum sc_err sc__tunnel_enter(struct sc__dctx *d, enum sc_tunnel_kind kind);
/* decode_tunnel.c: IP protocol 4 or 41 (IP-in-IP). */
enum sc_err sc__decode_ipip(struct sc__dctx *d, uint8_t proto,
                            struct sc__span s);
/* decode_tunnel.c: IP protocol 47 (GRE, ERSPAN). */
enum sc_err sc__decode_gre(struct sc__dctx *d, struct sc__span s);
/*
 * decode_tunnel.c: a UDP payload @s between ports @sport and @dport. True
 * when it is a tunnel whose header validates (VXLAN, GENEVE, GTP-U): then
 * *err holds the result of decoding what it carries. False: ordinary UDP.
 */
bool sc__decode_udp_tunnel(struct sc__dctx *d, uint16_t sport, uint16_t dport,
                           struct sc__span s, enum sc_err *err);

/*
 * Link types decoded in decode_link.c and decode_wlan.c (tcpdump.org
 * LINKTYPE_* numbers; capture.h names the common ones).
 */
enum {
	SC__LT_PPP = 9,
	SC__LT_PPP_HDLC = 50,
	SC__LT_C_HDLC = 104,
	SC__LT_IEEE802_11 = 105,
	SC__LT_RADIOTAP = 127,
	SC__LT_PPI = 192,
	SC__LT_ERF = 197,
	SC__LT_NFLOG = 239,
};

/* decode.c: the frame of link type @linktype (PPI's inner frame too). */
enum sc_err sc__decode_link(struct sc__dctx *d, int linktype,
                            struct sc__span s);

/* decode_link.c: PPP, PPP in HDLC framing, Cisco HDLC, ERF, NFLOG. */
enum sc_err sc__decode_ppp_link(struct sc__dctx *d, struct sc__span s);
enum sc_err sc__decode_hdlc(struct sc__dctx *d, struct sc__span s);
enum sc_err sc__decode_chdlc(struct sc__dctx *d, struct sc__span s);
enum sc_err sc__decode_erf(struct sc__dctx *d, struct sc__span s);
enum sc_err sc__decode_nflog(struct sc__dctx *d, struct sc__span s);

/* decode_wlan.c: IEEE 802.11 data frames, radiotap and PPI headers. */
enum sc_err sc__decode_80211(struct sc__dctx *d, struct sc__span s,
                             bool data_pad);
enum sc_err sc__decode_radiotap(struct sc__dctx *d, struct sc__span s);
enum sc_err sc__decode_ppi(struct sc__dctx *d, struct sc__span s);

/*
 * Bytes @n at the front of a link header: SC_OK; SC_ETRUNC
 * (LINK_TRUNCATED) when the capture cut them; SC_EMALFORMED
 * (LINK_BAD_HDR) when even the declared length is shorter.
 */
static inline enum sc_err
sc__need_link(struct sc__dctx *d, const struct sc__span *s, size_t n)
{
	return sc__need(d, s, n, SC_DR_LINK_TRUNCATED, SC_DR_LINK_BAD_HDR);
}

/* Drop @n trailer bytes (a frame check sequence) from the end of @s. */
static inline void
sc__span_drop_tail(struct sc__span *s, size_t n)
{
	size_t left = sc_cur_left(&s->c);

	if (s->missing >= SC__MISSING_UNKNOWN)
		return;
	if (s->missing >= n) {
		s->missing -= n;
		return;
	}
	n -= s->missing;
	s->missing = 0;
	s->c.end = s->c.p + (n < left ? left - n : 0);
}

/* PPP (RFC 1661) as carried by PPTP GRE and PPPoE: IPv4 and IPv6 only. */
enum sc_err sc__decode_ppp(struct sc__dctx *d, struct sc__span s);

#endif /* SC_DECODE_IMPL_H */
