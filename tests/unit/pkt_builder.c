/* pkt_builder.c - build link-layer frames in memory for decode tests */
#include "config.h"

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "pkt_builder.h"

enum { FIX_IPV4, FIX_IPV6, FIX_UDP, FIX_GTPU };

static void
room(struct pb *pb, size_t n)
{
	if (n > PB_MAX - pb->len)
		abort();
}

static void
remember(struct pb *pb, size_t off, int kind)
{
	if (pb->nfix == PB_MAX_FIX)
		abort();
	pb->fix[pb->nfix].off = off;
	pb->fix[pb->nfix].kind = kind;
	pb->nfix++;
}

void
pb_init(struct pb *pb)
{
	memset(pb, 0, sizeof(*pb));
}

void
pb_bytes(struct pb *pb, const void *p, size_t n)
{
	room(pb, n);
	memcpy(pb->b + pb->len, p, n);
	pb->len += n;
}

void
pb_zero(struct pb *pb, size_t n)
{
	room(pb, n);
	memset(pb->b + pb->len, 0, n);
	pb->len += n;
}

void
pb_u8(struct pb *pb, uint8_t v)
{
	pb_bytes(pb, &v, 1);
}

void
pb_be16(struct pb *pb, uint16_t v)
{
	uint8_t b[2] = { (uint8_t)(v >> 8), (uint8_t)v };

	pb_bytes(pb, b, 2);
}

void
pb_be32(struct pb *pb, uint32_t v)
{
	uint8_t b[4] = { (uint8_t)(v >> 24), (uint8_t)(v >> 16),
		         (uint8_t)(v >> 8), (uint8_t)v };

	pb_bytes(pb, b, 4);
}

void
pb_le16(struct pb *pb, uint16_t v)
{
	uint8_t b[2] = { (uint8_t)v, (uint8_t)(v >> 8) };

	pb_bytes(pb, b, 2);
}

void
pb_le32(struct pb *pb, uint32_t v)
{
	uint8_t b[4] = { (uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16),
		         (uint8_t)(v >> 24) };

	pb_bytes(pb, b, 4);
}

void
pb_str(struct pb *pb, const char *s)
{
	pb_bytes(pb, s, strlen(s));
}

void
pb_set_be16(struct pb *pb, size_t off, uint16_t v)
{
	pb->b[off] = (uint8_t)(v >> 8);
	pb->b[off + 1] = (uint8_t)v;
}

size_t
pb_eth(struct pb *pb, uint16_t type)
{
	static const uint8_t macs[12] = { 0x02, 0, 0, 0, 0, 1,
		                          0x02, 0, 0, 0, 0, 2 };
	size_t off = pb->len;

	pb_bytes(pb, macs, sizeof(macs));
	pb_be16(pb, type);
	return off;
}

void
pb_vlan(struct pb *pb, uint16_t vid, uint16_t next)
{
	pb_be16(pb, (uint16_t)(0x2000 | vid)); /* PCP 1 */
	pb_be16(pb, next);
}

void
pb_mpls(struct pb *pb, uint32_t label, bool bottom)
{
	pb_be32(pb, label << 12 | (bottom ? 0x100u : 0u) | 64u);
}

static void
addr(int af, const char *s, void *out)
{
	if (inet_pton(af, s, out) != 1)
		abort();
}

size_t
pb_ipv4_opt(struct pb *pb, uint8_t proto, const char *src, const char *dst,
            size_t optlen)
{
	uint8_t a[4];
	size_t off = pb->len;

	pb_u8(pb, (uint8_t)(0x40 | (5 + optlen / 4)));
	pb_u8(pb, 0);
	pb_be16(pb, 0);      /* total length: pb_finish() */
	pb_be16(pb, 0x1234); /* identification */
	pb_be16(pb, 0x4000); /* DF */
	pb_u8(pb, 64);
	pb_u8(pb, proto);
	pb_be16(pb, 0);
	addr(AF_INET, src, a);
	pb_bytes(pb, a, 4);
	addr(AF_INET, dst, a);
	pb_bytes(pb, a, 4);
	for (size_t i = 0; i < optlen; i++)
		pb_u8(pb, 1);
	remember(pb, off, FIX_IPV4);
	return off;
}

size_t
pb_ipv4(struct pb *pb, uint8_t proto, const char *src, const char *dst)
{
	return pb_ipv4_opt(pb, proto, src, dst, 0);
}

void
pb_ipv4_frag(struct pb *pb, size_t off, uint16_t id, uint32_t offset, bool more)
{
	pb_set_be16(pb, off + 4, id);
	pb_set_be16(pb, off + 6,
	            (uint16_t)((offset / 8) | (more ? 0x2000u : 0u)));
}

size_t
pb_ipv6(struct pb *pb, uint8_t next, const char *src, const char *dst)
{
	uint8_t a[16];
	size_t off = pb->len;

	pb_be32(pb, 0x60000000);
	pb_be16(pb, 0); /* payload length: pb_finish() */
	pb_u8(pb, next);
	pb_u8(pb, 63);
	addr(AF_INET6, src, a);
	pb_bytes(pb, a, 16);
	addr(AF_INET6, dst, a);
	pb_bytes(pb, a, 16);
	remember(pb, off, FIX_IPV6);
	return off;
}

void
pb_ipv6_ext(struct pb *pb, uint8_t next, uint8_t len8)
{
	pb_u8(pb, next);
	pb_u8(pb, len8);
	pb_u8(pb, 1); /* PadN option over the rest */
	pb_u8(pb, (uint8_t)(len8 * 8 + 4));
	pb_zero(pb, (size_t)len8 * 8 + 4);
}

void
pb_ipv6_frag(struct pb *pb, uint8_t next, uint32_t id, uint32_t offset,
             bool more)
{
	pb_u8(pb, next);
	pb_u8(pb, 0);
	pb_be16(pb, (uint16_t)(offset | (more ? 1u : 0u)));
	pb_be32(pb, id);
}

size_t
pb_udp(struct pb *pb, uint16_t sport, uint16_t dport)
{
	size_t off = pb->len;

	pb_be16(pb, sport);
	pb_be16(pb, dport);
	pb_be16(pb, 0);
	pb_be16(pb, 0);
	remember(pb, off, FIX_UDP);
	return off;
}

size_t
pb_tcp(struct pb *pb, uint16_t sport, uint16_t dport, uint32_t seq,
       uint32_t ack, uint8_t flags, size_t optlen)
{
	size_t off = pb->len;

	pb_be16(pb, sport);
	pb_be16(pb, dport);
	pb_be32(pb, seq);
	pb_be32(pb, ack);
	pb_u8(pb, (uint8_t)((5 + optlen / 4) << 4));
	pb_u8(pb, flags);
	pb_be16(pb, 65535);
	pb_be16(pb, 0);
	pb_be16(pb, 0);
	for (size_t i = 0; i < optlen; i++)
		pb_u8(pb, 1);
	return off;
}

void
pb_sctp(struct pb *pb, uint16_t sport, uint16_t dport)
{
	pb_be16(pb, sport);
	pb_be16(pb, dport);
	pb_be32(pb, 0xdeadbeef);
	pb_be32(pb, 0);
}

void
pb_gre(struct pb *pb, uint16_t flags, uint16_t proto)
{
	pb_be16(pb, flags);
	pb_be16(pb, proto);
	if (flags & 0x8000)
		pb_be32(pb, 0);
	if (flags & 0x2000)
		pb_be32(pb, 0x01020304);
	if (flags & 0x1000)
		pb_be32(pb, 7);
}

void
pb_vxlan(struct pb *pb, uint32_t vni)
{
	pb_be32(pb, 0x08000000);
	pb_be32(pb, vni << 8);
}

size_t
pb_gtpu(struct pb *pb, bool ext)
{
	size_t off = pb->len;

	pb_u8(pb, ext ? 0x34 : 0x30);
	pb_u8(pb, 255);
	pb_be16(pb, 0); /* length: pb_finish() */
	pb_be32(pb, 0x11223344);
	if (ext) {
		pb_be16(pb, 0);  /* sequence */
		pb_u8(pb, 0);    /* N-PDU */
		pb_u8(pb, 0x85); /* PDU session container */
		pb_u8(pb, 1);    /* 4 bytes */
		pb_u8(pb, 0x10);
		pb_u8(pb, 0x09); /* QFI */
		pb_u8(pb, 0);    /* no more extensions */
	}
	remember(pb, off, FIX_GTPU);
	return off;
}

void
pb_finish(struct pb *pb)
{
	for (size_t i = 0; i < pb->nfix; i++) {
		size_t off = pb->fix[i].off, n = pb->len - off;

		switch (pb->fix[i].kind) {
		case FIX_IPV4:
			pb_set_be16(pb, off + 2, (uint16_t)n);
			break;
		case FIX_IPV6:
			pb_set_be16(pb, off + 4, (uint16_t)(n - 40));
			break;
		case FIX_UDP:
			pb_set_be16(pb, off + 4, (uint16_t)n);
			break;
		case FIX_GTPU:
			pb_set_be16(pb, off + 2, (uint16_t)(n - 8));
			break;
		default:
			abort();
		}
	}
	pb->nfix = 0;
}
