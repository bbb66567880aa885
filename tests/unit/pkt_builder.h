/* pkt_builder.h - build link-layer frames in memory for decode tests
 *
 * Layers are appended outermost first; each one whose header carries a
 * length (IPv4, IPv6, UDP, GTP-U) is remembered and pb_finish() fills
 * that length with "everything after it", which is right for nested
 * headers. Addresses are given as text ("192.0.2.1", "2001:db8::1").
 * Test-only code: overflowing the buffer aborts the test program.
 */
#ifndef SC_PKT_BUILDER_H
#define SC_PKT_BUILDER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PB_MAX 4096
#define PB_MAX_FIX 16

struct pb {
	uint8_t b[PB_MAX];
	size_t len;
	struct {
		size_t off;
		int kind;
	} fix[PB_MAX_FIX];
	size_t nfix;
};

void pb_init(struct pb *pb);
void pb_bytes(struct pb *pb, const void *p, size_t n);
void pb_zero(struct pb *pb, size_t n);
void pb_u8(struct pb *pb, uint8_t v);
void pb_be16(struct pb *pb, uint16_t v);
void pb_be32(struct pb *pb, uint32_t v);
void pb_le16(struct pb *pb, uint16_t v);
void pb_le32(struct pb *pb, uint32_t v);
void pb_str(struct pb *pb, const char *s);
void pb_set_be16(struct pb *pb, size_t off, uint16_t v);

/* Ethernet II header with @type; 802.1Q tag (TPID given by the type
 * before it) carrying @vid and announcing @next. */
size_t pb_eth(struct pb *pb, uint16_t type);
void pb_vlan(struct pb *pb, uint16_t vid, uint16_t next);
/* One MPLS label stack entry. */
void pb_mpls(struct pb *pb, uint32_t label, bool bottom);

/* IPv4 header (20 bytes + @optlen of NOP options). */
size_t pb_ipv4(struct pb *pb, uint8_t proto, const char *src, const char *dst);
size_t pb_ipv4_opt(struct pb *pb, uint8_t proto, const char *src,
                   const char *dst, size_t optlen);
/* Set identification, fragment offset (bytes) and MF of the IPv4 header
 * at @off. */
void pb_ipv4_frag(struct pb *pb, size_t off, uint16_t id, uint32_t offset,
                  bool more);
/* IPv6 header. */
size_t pb_ipv6(struct pb *pb, uint8_t next, const char *src, const char *dst);
/* Generic IPv6 extension header of @len8 * 8 + 8 bytes. */
void pb_ipv6_ext(struct pb *pb, uint8_t next, uint8_t len8);
void pb_ipv6_frag(struct pb *pb, uint8_t next, uint32_t id, uint32_t offset,
                  bool more);

size_t pb_udp(struct pb *pb, uint16_t sport, uint16_t dport);
/* TCP header with @optlen bytes of NOP options (multiple of 4). */
size_t pb_tcp(struct pb *pb, uint16_t sport, uint16_t dport, uint32_t seq,
              uint32_t ack, uint8_t flags, size_t optlen);
void pb_sctp(struct pb *pb, uint16_t sport, uint16_t dport);

/* GRE header: @flags (C K S bits) and protocol; optional fields zero but
 * key = 0x01020304 and sequence 7 when asked. */
void pb_gre(struct pb *pb, uint16_t flags, uint16_t proto);
void pb_vxlan(struct pb *pb, uint32_t vni);
/* GTP-U G-PDU; @ext adds a 4-byte PDU session container extension. */
size_t pb_gtpu(struct pb *pb, bool ext);

/* Fill every remembered length field. */
void pb_finish(struct pb *pb);

#endif /* SC_PKT_BUILDER_H */
