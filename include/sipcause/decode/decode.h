/* decode.h - frame bytes to addresses, ports and transport payload */
#ifndef SC_DECODE_H
#define SC_DECODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sipcause/util/addr.h"
#include "sipcause/capture/capture.h"
#include "sipcause/util/compiler.h"
#include "sipcause/util/error.h"

/*
 * Decoding is stateless: it walks the link layer, IP and tunnels down to
 * a transport payload. Stateful work (IP fragments, TCP streams) belongs
 * to the reassembly stage, which the analyzer runs on what decode
 * returns. Every read is bounds-checked (sc_cur); a frame is never
 * trusted.
 */

/* Why a frame gave no transport payload, as counted in stats. */
#define SC_DECODE_REASONS(X)                                         \
	X(NONE, "none")                                              \
	X(LINK_TRUNCATED, "link-truncated")                          \
	X(LINK_UNSUPPORTED, "link-type-unsupported")                 \
	X(VLAN_TRUNCATED, "vlan-truncated")                          \
	X(VLAN_TOO_DEEP, "vlan-too-deep")                            \
	X(NOT_IP, "not-ip") /* ARP, LLDP...: skip */                 \
	X(IP_VERSION, "ip-bad-version")                              \
	X(IPV4_TRUNCATED, "ipv4-truncated")                          \
	X(IPV4_BAD_HLEN, "ipv4-bad-header-length")                   \
	X(IPV4_BAD_LEN, "ipv4-bad-total-length")                     \
	X(IPV6_TRUNCATED, "ipv6-truncated")                          \
	X(IPV6_BAD_EXT, "ipv6-bad-extension-header")                 \
	X(IPV6_TOO_MANY_EXT, "ipv6-too-many-extension-headers")      \
	X(UDP_TRUNCATED, "udp-truncated")                            \
	X(UDP_BAD_LEN, "udp-bad-length")                             \
	X(TCP_TRUNCATED, "tcp-truncated")                            \
	X(TCP_BAD_OFFSET, "tcp-bad-data-offset")                     \
	X(OTHER_PROTO, "other-ip-protocol") /* OSPF, ESP...: skip */ \
	X(TUNNEL_TRUNCATED, "tunnel-truncated")                      \
	X(TUNNEL_UNSUPPORTED, "tunnel-unsupported")                  \
	X(TOO_DEEP, "encapsulation-too-deep")                        \
	X(SCTP_TRUNCATED, "sctp-truncated")                          \
	X(SCTP_BAD_LEN, "sctp-bad-length")                           \
	X(TUNNEL_BAD_HDR, "tunnel-bad-header")                       \
	X(LINK_BAD_HDR, "link-bad-header")                           \
	X(LINK_ENCRYPTED, "link-encrypted") /* protected 802.11 data */

enum sc_decode_reason {
#define SC_DR_ENUM(name, text) SC_DR_##name,
	SC_DECODE_REASONS(SC_DR_ENUM)
#undef SC_DR_ENUM
	        SC_DR__COUNT
};

/* Stable name of a reason ("ipv4-truncated"); static lifetime. */
const char *sc_decode_reason_name(enum sc_decode_reason r);

/* True for reasons that are ordinary non-SIP traffic rather than damage
 * (NOT_IP, OTHER_PROTO). */
bool sc_decode_reason_is_skip(enum sc_decode_reason r);

/*
 * Limits that bound the work done on one frame. Going past one fails
 * with SC_EMALFORMED and the reason named.
 */
#define SC_DECODE_MAX_VLANS                                       \
	8                     /* 802.1Q/802.1ad tags per Ethernet \
	                         header (VLAN_TOO_DEEP) */
#define SC_DECODE_MAX_MPLS 16 /* MPLS labels per stack (TOO_DEEP) */
#define SC_DECODE_MAX_IPV6_EXT                 \
	8 /* IPv6 extension headers per packet \
	     (IPV6_TOO_MANY_EXT) */
#define SC_DECODE_MAX_GTP_EXT        \
	8 /* GTP-U extension headers \
	     (TUNNEL_BAD_HDR) */
#define SC_DECODE_MAX_NEST                 \
	8 /* tunnels plus MPLS pseudowires \
	     entered per frame (TOO_DEEP) */
#define SC_DECODE_MAX_LINK_EXT                \
	16 /* ERF extension headers, radiotap \
	      presence words (LINK_BAD_HDR) */

/* IP protocol numbers decode understands (IANA). */
enum {
	SC_IPPROTO_ICMP = 1,
	SC_IPPROTO_IPIP = 4,
	SC_IPPROTO_TCP = 6,
	SC_IPPROTO_UDP = 17,
	SC_IPPROTO_IPV6 = 41,
	SC_IPPROTO_GRE = 47,
	SC_IPPROTO_ESP = 50,
	SC_IPPROTO_AH = 51,
	SC_IPPROTO_ICMPV6 = 58,
	SC_IPPROTO_SCTP = 132,
};

/* TCP flag bits as on the wire. */
enum {
	SC_TCP_FIN = 0x01,
	SC_TCP_SYN = 0x02,
	SC_TCP_RST = 0x04,
	SC_TCP_PSH = 0x08,
	SC_TCP_ACK = 0x10,
};

/* Encapsulation seen around the inner IP packet (outermost kept). */
enum sc_tunnel_kind {
	SC_TUNNEL_NONE = 0,
	SC_TUNNEL_GRE,
	SC_TUNNEL_ERSPAN,
	SC_TUNNEL_VXLAN,
	SC_TUNNEL_IPIP,
	SC_TUNNEL_GTPU,
	SC_TUNNEL_GENEVE, /* RFC 8926, UDP port 6081 */
	SC_TUNNEL__COUNT
};

/*
 * Stable name of a tunnel kind: "none", "gre", "erspan", "vxlan", "ipip",
 * "gtpu", "geneve" ("unknown" out of range); static lifetime.
 */
const char *sc_tunnel_kind_name(enum sc_tunnel_kind k);

struct sc_tunnel {
	enum sc_tunnel_kind kind; /* outermost tunnel */
	struct sc_addr outer_src; /* its outer IP addresses */
	struct sc_addr outer_dst;
	uint8_t depth; /* tunnels crossed */
};

/* An IP fragment that the reassembly stage must collect. */
struct sc_fraginfo {
	uint32_t id;     /* IPv4 identification or IPv6 fragment id */
	uint32_t offset; /* in bytes */
	bool more;       /* more fragments follow */
};

/*
 * A decoded packet. The pointers are borrowed from the frame (or from a
 * reassembly buffer) and valid only as long as those bytes are.
 */
struct sc_pkt {
	uint64_t frame; /* frame number */
	int64_t ts_ns;
	struct sc_endpoint src; /* innermost IP addresses, transport ports */
	struct sc_endpoint dst;
	uint8_t ipproto;  /* SC_IPPROTO_* of @payload */
	uint8_t ttl;      /* innermost IPv4 TTL / IPv6 hop limit */
	bool has_ip_id;   /* @ip_id is set: the innermost IP is v4 */
	uint16_t ip_id;   /* its identification field (mirror
	                     copies of one packet share it) */
	bool is_fragment; /* @payload is a fragment: see @frag */
	bool truncated;   /* caplen cut the payload short */
	struct sc_fraginfo frag;
	struct sc_tunnel tunnel;
	uint16_t vlan; /* outermost 802.1Q VLAN id, 0 if none */
	/* TCP only */
	uint32_t tcp_seq;
	uint32_t tcp_ack;
	uint8_t tcp_flags;
	/* Transport payload (after the UDP/TCP header), the fragment data
	 * when @is_fragment, or the whole datagram for SCTP and ICMP. */
	const uint8_t *payload;
	size_t len;
	/* Bytes the headers said @payload has (> len when truncated): the
	 * UDP length less 8, the IP length less the headers. */
	size_t wire_len;
	enum sc_decode_reason reason;  /* why decode failed or skipped */
	enum sc_decode_reason warning; /* an anomaly decode worked around
	                                  (SC_DR_NONE when none) */
};

/*
 * sc_decode_frame - decode @f down to its transport payload.
 * Returns SC_OK with @pkt filled (check pkt->is_fragment); SC_EUNSUPPORTED
 * for frames that carry nothing we decode (pkt->reason says which: a
 * "skip" reason, NOT_IP or OTHER_PROTO, for ordinary non-SIP traffic;
 * LINK_UNSUPPORTED or TUNNEL_UNSUPPORTED for encapsulations decode does
 * not know); SC_ETRUNC or SC_EMALFORMED for damaged frames (pkt->reason
 * says where). Never allocates.
 *
 * Link layers: see sc_decode_linktype_supported(). IEEE 802.11 frames
 * (bare, behind radiotap or PPI) give IP only from unprotected data
 * frames with LLC/SNAP (the first A-MSDU subframe); protected ones fail
 * with LINK_ENCRYPTED, management and control frames with NOT_IP. ERF
 * records give IP from Ethernet, HDLC/PPP and IPv4/IPv6 record types;
 * NFLOG from its NFULA_PAYLOAD TLV.
 *
 * Tunnels (IP-in-IP, GRE, ERSPAN, VXLAN, GENEVE, GTP-U) are unwrapped: the
 * endpoints, ttl and payload are the innermost packet's, pkt->tunnel
 * names the outermost tunnel. A UDP tunnel is opened only when its header
 * validates; otherwise the datagram stays ordinary UDP. A fragment is
 * returned as is (an outer fragment before any tunnel is seen); after
 * reassembly, sc_decode_transport() continues.
 *
 * Truncation: when the capture cut the payload (caplen < what the headers
 * declare, or < @f->wirelen for lengths nobody declares, e.g. IPv4 total
 * length 0 from TSO), decode returns SC_OK with pkt->truncated set, @len
 * the bytes present and @wire_len the declared length. SC_ETRUNC means a
 * header itself was cut (a *_TRUNCATED reason).
 */
enum sc_err sc_decode_frame(const struct sc_frame *f,
                            struct sc_pkt *pkt) SC_WARN_UNUSED;

/*
 * sc_decode_linktype_supported - true when sc_decode_frame() reads
 * frames of @linktype (LINKTYPE_* numbering): EN10MB (1), LINUX_SLL
 * (113), LINUX_SLL2 (276), NULL (0), LOOP (108), RAW (101), IPV4 (228),
 * IPV6 (229), PPP (9), PPP_HDLC (50), C_HDLC (104), IEEE802_11 (105),
 * IEEE802_11_RADIOTAP (127), PPI (192), ERF (197), NFLOG (239). Frames
 * of any other type fail with LINK_UNSUPPORTED.
 */
bool sc_decode_linktype_supported(int linktype);

/*
 * sc_decode_linktype_name - libpcap's name for a link type decode reads
 * ("EN10MB", "LINUX_SLL2", "IEEE802_11_RADIO"...); NULL for any other.
 */
const char *sc_decode_linktype_name(int linktype);

/*
 * sc_decode_transport - continue decoding an IP payload of protocol
 * @ipproto (a reassembled datagram, @len bytes), keeping the addresses,
 * tunnel and frame fields already in @pkt. Same results as
 * sc_decode_frame(), through the same code. The payload may itself carry
 * a tunnel; IPv6 extension headers that followed a fragment header are
 * walked when pkt->src is IPv6. Set pkt->truncated before the call when
 * @p is only the captured prefix of the datagram (sc_datagram.truncated):
 * lengths that run past @len then mean truncation, not damage, and the
 * flag stays set; it is also set when a length field says bytes are
 * missing. pkt->reason and pkt->warning are reset (they describe this
 * call). @p is borrowed and pkt->payload points into it.
 */
enum sc_err sc_decode_transport(struct sc_pkt *pkt, uint8_t ipproto,
                                const uint8_t *p, size_t len) SC_WARN_UNUSED;

/*
 * What an ICMP error message quotes of the packet that caused it: as much
 * of the offending IP packet as fits (RFC 792: its header and at least 8
 * bytes, so the UDP/TCP ports; RFC 1812 and RFC 4443: as much as fits in
 * 576 / 1280 bytes, which often includes part of a SIP message).
 *
 * @src and @dst are the quoted packet's own endpoints: @src sent the
 * packet that failed (usually the receiver of the ICMP error), @dst is
 * where it could not be delivered. Ports are 0 when the quote carries no
 * transport header (non-first fragment, other protocols, cut short).
 */
struct sc_icmp_quote {
	uint8_t family; /* 4: ICMP quoting IPv4, 6: ICMPv6 / IPv6 */
	uint8_t type;   /* ICMP type and code of the error */
	uint8_t code;
	uint32_t mtu;           /* next-hop MTU of "fragmentation needed"
	                           (v4 3/4) or "packet too big" (v6 2),
	                           else 0 */
	struct sc_endpoint src; /* quoted packet's addresses and ports */
	struct sc_endpoint dst;
	uint8_t ipproto;  /* quoted packet's protocol (after its
	                     extension headers) */
	bool is_fragment; /* the quoted packet was a fragment */
	bool truncated;   /* the quote is shorter than the quoted
	                     headers declare (the usual case) */
	/* Quoted transport payload: after the UDP or TCP header, else the
	 * whole quoted IP payload. Borrowed from icmp->payload. */
	const uint8_t *payload;
	size_t len;
	size_t wire_len; /* what the quoted headers declared */
};

/*
 * sc_decode_icmp_quote - read the packet quoted by the ICMP error in
 * @icmp (a packet decode returned with ipproto ICMP or ICMPv6).
 * Understands ICMPv4 destination unreachable (3), time exceeded (11),
 * parameter problem (12) and ICMPv6 destination unreachable (1), packet
 * too big (2), time exceeded (3), parameter problem (4); honours the
 * RFC 4884 length of the original datagram field.
 * Returns SC_OK with @out filled; SC_EUNSUPPORTED when @icmp is not such
 * an ICMP error (echo, a fragment, another protocol); SC_ETRUNC when the
 * ICMP header or the quoted IP header is cut; SC_EMALFORMED when the
 * quoted IP header is invalid. @out is zeroed first. Never allocates.
 */
enum sc_err sc_decode_icmp_quote(const struct sc_pkt *icmp,
                                 struct sc_icmp_quote *out) SC_WARN_UNUSED;

/* Plain words for an ICMP error ("port unreachable"); static lifetime.
 * @version is 4 for ICMP, 6 for ICMPv6. */
const char *sc_icmp_text(uint8_t version, uint8_t type, uint8_t code);

#endif /* SC_DECODE_H */
