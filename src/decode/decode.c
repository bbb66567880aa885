/* decode.c - link layers down to IP, MPLS, and the decode entry point
 *
 * Link layers by their LINKTYPE_* number (tcpdump.org link-layer header
 * types): Ethernet II with IEEE 802.1Q / 802.1ad tags, Linux cooked
 * capture v1 and v2, BSD loopback (NULL, LOOP) and raw IP; PPPoE session
 * frames (RFC 2516) with IP inside; the dispatch to PPP, HDLC, ERF and
 * NFLOG (decode_link.c) and 802.11 (decode_wlan.c). MPLS label
 * stacks (RFC 3032) with IP or an Ethernet pseudowire (RFC 4385 control
 * word, RFC 4448) after them. IP itself is in decode_ip.c, tunnels in
 * decode_tunnel.c; the three share the sc__ helpers of decode.h.
 */
#include "config.h"

#include <string.h>

#include "decode_impl.h"

/* Ethertypes (IEEE registry) that decode follows. */
enum {
	ETH_IPV4 = 0x0800,
	ETH_IPV6 = 0x86dd,
	ETH_VLAN = 0x8100,     /* 802.1Q C-tag */
	ETH_QINQ = 0x88a8,     /* 802.1ad S-tag */
	ETH_QINQ_OLD = 0x9100, /* pre-standard S-tag */
	ETH_MPLS = 0x8847,
	ETH_MPLS_MC = 0x8848,
	ETH_PPPOE = 0x8864,    /* PPPoE session stage */
	ETH_MIN_TYPE = 0x0600, /* below: an 802.3 length (<= 1500) */
};

/* Address families of the BSD loopback header. */
enum {
	BSD_AF_INET = 2,
	BSD_AF_INET6_BSD = 24,     /* NetBSD, OpenBSD, BSD/OS */
	BSD_AF_INET6_FREEBSD = 28, /* FreeBSD, DragonFly BSD */
	BSD_AF_INET6_DARWIN = 30,  /* macOS, iOS */
};

static const char *const reason_names[] = {
#define SC_DR_NAME(name, text) text,
	SC_DECODE_REASONS(SC_DR_NAME)
#undef SC_DR_NAME
};

static const char *const tunnel_names[] = {
	[SC_TUNNEL_NONE] = "none",     [SC_TUNNEL_GRE] = "gre",
	[SC_TUNNEL_ERSPAN] = "erspan", [SC_TUNNEL_VXLAN] = "vxlan",
	[SC_TUNNEL_IPIP] = "ipip",     [SC_TUNNEL_GTPU] = "gtpu",
	[SC_TUNNEL_GENEVE] = "geneve",
};

const char *
sc_decode_reason_name(enum sc_decode_reason r)
{
	if ((unsigned)r >= SC_COUNTOF(reason_names))
		return "unknown";
	return reason_names[r];
}

bool
sc_decode_reason_is_skip(enum sc_decode_reason r)
{
	return r == SC_DR_NOT_IP || r == SC_DR_OTHER_PROTO;
}

const char *
sc_tunnel_kind_name(enum sc_tunnel_kind k)
{
	if ((unsigned)k >= SC_COUNTOF(tunnel_names) || !tunnel_names[k])
		return "unknown";
	return tunnel_names[k];
}

enum sc_err
sc__nest_enter(struct sc__dctx *d)
{
	if (d->nest >= SC_DECODE_MAX_NEST)
		return sc__fail(d, SC_EMALFORMED, SC_DR_TOO_DEEP);
	d->nest++;
	return SC_OK;
}

/*
 * What follows an ethertype. 802.1Q / 802.1ad tags first (IEEE 802.1Q
 * 9.6), each 4 bytes after the TPID that announced it:
 *   0  PCP(3) DEI(1) VID(12)
 *   2  next ethertype(16)
 * The outermost VID goes to pkt->vlan.
 */
enum sc_err
sc__decode_ethertype(struct sc__dctx *d, uint16_t type, struct sc__span s)
{
	unsigned tags = 0;
	uint16_t tci;
	enum sc_err err;

	while (type == ETH_VLAN || type == ETH_QINQ || type == ETH_QINQ_OLD) {
		if (++tags > SC_DECODE_MAX_VLANS)
			return sc__fail(d, SC_EMALFORMED, SC_DR_VLAN_TOO_DEEP);
		err = sc__need(d, &s, 4, SC_DR_VLAN_TRUNCATED,
		               SC_DR_VLAN_TRUNCATED);
		if (err != SC_OK)
			return err;
		if (!sc_cur_be16(&s.c, &tci) || !sc_cur_be16(&s.c, &type))
			return sc__fail(d, SC_ETRUNC, SC_DR_VLAN_TRUNCATED);
		if (!d->vlan_seen) {
			d->pkt->vlan = (uint16_t)(tci & 0x0fff);
			d->vlan_seen = true;
		}
	}
	switch (type) {
	case ETH_IPV4:
		return sc__decode_ipv4(d, s);
	case ETH_IPV6:
		return sc__decode_ipv6(d, s);
	case ETH_MPLS:
	case ETH_MPLS_MC:
		return sc__decode_mpls(d, s);
	case ETH_PPPOE:
		/* RFC 2516 4: | ver 4 | type 4 | code 8 | session 16 |
		 * length 16 |, then the PPP protocol field */
		err = sc__need(d, &s, 6, SC_DR_LINK_TRUNCATED,
		               SC_DR_LINK_TRUNCATED);
		if (err != SC_OK)
			return err;
		if (!sc_cur_skip(&s.c, 6))
			return sc__fail(d, SC_ETRUNC, SC_DR_LINK_TRUNCATED);
		return sc__decode_ppp(d, s);
	default:
		/* ARP, LLDP, 802.3 length + LLC, ... */
		return sc__fail(d, SC_EUNSUPPORTED, SC_DR_NOT_IP);
	}
}

/*
 * Ethernet II header (IEEE 802.3 3.2):
 *   0  destination MAC(48)
 *   6  source MAC(48)
 *  12  ethertype(16), or a length <= 1500 for an 802.3/LLC frame
 *  14  payload (then padding to 60 bytes, stripped by the IP length)
 */
enum sc_err
sc__decode_ether(struct sc__dctx *d, struct sc__span s)
{
	uint16_t type;
	enum sc_err err;

	err = sc__need(d, &s, 14, SC_DR_LINK_TRUNCATED, SC_DR_LINK_TRUNCATED);
	if (err != SC_OK)
		return err;
	if (!sc_cur_skip(&s.c, 12) || !sc_cur_be16(&s.c, &type))
		return sc__fail(d, SC_ETRUNC, SC_DR_LINK_TRUNCATED);
	if (type < ETH_MIN_TYPE)
		return sc__fail(d, SC_EUNSUPPORTED, SC_DR_NOT_IP);
	return sc__decode_ethertype(d, type, s);
}

/*
 * MPLS label stack entries (RFC 3032 2.1), 4 bytes each:
 *   0  label(20) traffic class(3) S(1: bottom of stack) TTL(8)
 * Nothing names what follows the bottom entry; its first nibble is 4 for
 * IPv4, 6 for IPv6, 0 for a pseudowire control word (RFC 4385 3:
 * 0000 flags(4) FRG(2) length(6) sequence(16)) before an Ethernet frame
 * (RFC 4448). Anything else (an Ethernet pseudowire without a control
 * word, the associated channel 0001) is skipped as not IP.
 */
enum sc_err
sc__decode_mpls(struct sc__dctx *d, struct sc__span s)
{
	uint32_t lse = 0;
	struct sc_cur peek;
	uint8_t first;
	enum sc_err err;

	for (unsigned n = 0; !(lse & 0x100); n++) {
		if (n >= SC_DECODE_MAX_MPLS)
			return sc__fail(d, SC_EMALFORMED, SC_DR_TOO_DEEP);
		err = sc__need(d, &s, 4, SC_DR_LINK_TRUNCATED,
		               SC_DR_LINK_TRUNCATED);
		if (err != SC_OK)
			return err;
		if (!sc_cur_be32(&s.c, &lse))
			return sc__fail(d, SC_ETRUNC, SC_DR_LINK_TRUNCATED);
	}
	err = sc__need(d, &s, 1, SC_DR_LINK_TRUNCATED, SC_DR_LINK_TRUNCATED);
	if (err != SC_OK)
		return err;
	peek = s.c;
	if (!sc_cur_u8(&peek, &first))
		return sc__fail(d, SC_ETRUNC, SC_DR_LINK_TRUNCATED);
	switch (first >> 4) {
	case 4:
		return sc__decode_ipv4(d, s);
	case 6:
		return sc__decode_ipv6(d, s);
	case 0:
		err = sc__need(d, &s, 4, SC_DR_LINK_TRUNCATED,
		               SC_DR_LINK_TRUNCATED);
		if (err != SC_OK)
			return err;
		if (!sc_cur_skip(&s.c, 4))
			return sc__fail(d, SC_ETRUNC, SC_DR_LINK_TRUNCATED);
		err = sc__nest_enter(d);
		if (err != SC_OK)
			return err;
		return sc__decode_ether(d, s);
	default:
		return sc__fail(d, SC_EUNSUPPORTED, SC_DR_NOT_IP);
	}
}

/*
 * Linux cooked capture v1 (LINKTYPE_LINUX_SLL), 16 bytes:
 *   0  packet type(16)  2  ARPHRD type(16)  4  address length(16)
 *   6  link-layer address(64, padded)  14  protocol(16, an ethertype)
 */
static enum sc_err
decode_sll(struct sc__dctx *d, struct sc__span s)
{
	uint16_t proto;
	enum sc_err err;

	err = sc__need(d, &s, 16, SC_DR_LINK_TRUNCATED, SC_DR_LINK_TRUNCATED);
	if (err != SC_OK)
		return err;
	if (!sc_cur_skip(&s.c, 14) || !sc_cur_be16(&s.c, &proto))
		return sc__fail(d, SC_ETRUNC, SC_DR_LINK_TRUNCATED);
	return sc__decode_ethertype(d, proto, s);
}

/*
 * Linux cooked capture v2 (LINKTYPE_LINUX_SLL2), 20 bytes:
 *   0  protocol(16, an ethertype)  2  reserved(16)  4  interface index(32)
 *   8  ARPHRD type(16)  10  packet type(8)  11  address length(8)
 *  12  link-layer address(64, padded)
 */
static enum sc_err
decode_sll2(struct sc__dctx *d, struct sc__span s)
{
	uint16_t proto;
	enum sc_err err;

	err = sc__need(d, &s, 20, SC_DR_LINK_TRUNCATED, SC_DR_LINK_TRUNCATED);
	if (err != SC_OK)
		return err;
	if (!sc_cur_be16(&s.c, &proto) || !sc_cur_skip(&s.c, 18))
		return sc__fail(d, SC_ETRUNC, SC_DR_LINK_TRUNCATED);
	return sc__decode_ethertype(d, proto, s);
}

/* IP version of a BSD loopback address family; 0 for others. */
static int
bsd_family(uint32_t af)
{
	switch (af) {
	case BSD_AF_INET:
		return 4;
	case BSD_AF_INET6_BSD:
	case BSD_AF_INET6_FREEBSD:
	case BSD_AF_INET6_DARWIN:
		return 6;
	default:
		return 0;
	}
}

/*
 * BSD loopback (LINKTYPE_NULL, LINKTYPE_LOOP), 4 bytes:
 *   0  address family(32): the capturing host's byte order for NULL
 *      (accept either, as the file may come from another machine),
 *      big-endian for LOOP
 */
static enum sc_err
decode_loopback(struct sc__dctx *d, struct sc__span s, bool any_order)
{
	struct sc_cur le;
	uint32_t af_be, af_le;
	int ver;
	enum sc_err err;

	err = sc__need(d, &s, 4, SC_DR_LINK_TRUNCATED, SC_DR_LINK_TRUNCATED);
	if (err != SC_OK)
		return err;
	le = s.c;
	if (!sc_cur_le32(&le, &af_le) || !sc_cur_be32(&s.c, &af_be))
		return sc__fail(d, SC_ETRUNC, SC_DR_LINK_TRUNCATED);
	ver = bsd_family(af_be);
	if (ver == 0 && any_order)
		ver = bsd_family(af_le);
	if (ver == 4)
		return sc__decode_ipv4(d, s);
	if (ver == 6)
		return sc__decode_ipv6(d, s);
	return sc__fail(d, SC_EUNSUPPORTED, SC_DR_NOT_IP);
}

static enum sc_err
decode_null(struct sc__dctx *d, struct sc__span s)
{
	return decode_loopback(d, s, true);
}

static enum sc_err
decode_loop(struct sc__dctx *d, struct sc__span s)
{
	return decode_loopback(d, s, false);
}

static enum sc_err
decode_80211(struct sc__dctx *d, struct sc__span s)
{
	return sc__decode_80211(d, s, false);
}

/*
 * The one list of link layers sipcause reads, by LINKTYPE_* number, with
 * libpcap's name for each (capture and reports name link types from
 * here).
 */
static const struct link_layer {
	int linktype;
	const char *name;
	enum sc_err (*decode)(struct sc__dctx *d, struct sc__span s);
} link_layers[] = {
	{ SC_LINK_NULL, "NULL", decode_null },
	{ SC_LINK_ETHERNET, "EN10MB", sc__decode_ether },
	{ SC_LINK_RAW, "RAW", sc__decode_ip },
	{ SC_LINK_LOOP, "LOOP", decode_loop },
	{ SC_LINK_LINUX_SLL, "LINUX_SLL", decode_sll },
	{ SC_LINK_IPV4, "IPV4", sc__decode_ipv4 },
	{ SC_LINK_IPV6, "IPV6", sc__decode_ipv6 },
	{ SC_LINK_LINUX_SLL2, "LINUX_SLL2", decode_sll2 },
	{ SC__LT_PPP, "PPP", sc__decode_ppp_link },
	{ SC__LT_PPP_HDLC, "PPP_SERIAL", sc__decode_hdlc },
	{ SC__LT_C_HDLC, "C_HDLC", sc__decode_chdlc },
	{ SC__LT_IEEE802_11, "IEEE802_11", decode_80211 },
	{ SC__LT_RADIOTAP, "IEEE802_11_RADIO", sc__decode_radiotap },
	{ SC__LT_PPI, "PPI", sc__decode_ppi },
	{ SC__LT_ERF, "ERF", sc__decode_erf },
	{ SC__LT_NFLOG, "NFLOG", sc__decode_nflog },
};

static const struct link_layer *
find_link(int linktype)
{
	for (size_t i = 0; i < SC_COUNTOF(link_layers); i++)
		if (link_layers[i].linktype == linktype)
			return &link_layers[i];
	return NULL;
}

enum sc_err
sc__decode_link(struct sc__dctx *d, int linktype, struct sc__span s)
{
	const struct link_layer *l = find_link(linktype);

	if (!l)
		return sc__fail(d, SC_EUNSUPPORTED, SC_DR_LINK_UNSUPPORTED);
	return l->decode(d, s);
}

bool
sc_decode_linktype_supported(int linktype)
{
	return find_link(linktype) != NULL;
}

const char *
sc_decode_linktype_name(int linktype)
{
	const struct link_layer *l = find_link(linktype);

	return l ? l->name : NULL;
}

enum sc_err
sc_decode_frame(const struct sc_frame *f, struct sc_pkt *pkt)
{
	struct sc__dctx d;
	struct sc__span s;

	memset(pkt, 0, sizeof(*pkt));
	pkt->frame = f->number;
	pkt->ts_ns = f->ts_ns;
	pkt->reason = SC_DR_NONE;
	d.pkt = pkt;
	d.nest = 0;
	d.vlan_seen = false;
	if (!f->data)
		return sc__fail(&d, SC_ETRUNC, SC_DR_LINK_TRUNCATED);
	s.c = sc_cur_make(f->data, f->caplen);
	/* bytes the capture cut: they count as declared by the link layer */
	s.missing = f->wirelen > f->caplen ? f->wirelen - f->caplen : 0;
	return sc__decode_link(&d, f->linktype, s);
}
