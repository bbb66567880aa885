/* addr.h - IPv4/IPv6 addresses and transport endpoints */
#ifndef SC_ADDR_H
#define SC_ADDR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* An IP address in network byte order; family is 4 or 6 (0: unset). */
struct sc_addr {
	uint8_t family;
	uint8_t bytes[16];
};

/* An address and a port (port 0 when the carrier has none). */
struct sc_endpoint {
	struct sc_addr addr;
	uint16_t port;
};

/* Longest text produced by sc_endpoint_format(), NUL included. */
#define SC_ENDPOINT_STRLEN 56
#define SC_ADDR_STRLEN 48

/* Build an IPv4 address from 4 bytes, or IPv6 from 16. */
void sc_addr_set4(struct sc_addr *a, const uint8_t b[4]);
void sc_addr_set6(struct sc_addr *a, const uint8_t b[16]);

bool sc_addr_equal(const struct sc_addr *a, const struct sc_addr *b);
bool sc_endpoint_equal(const struct sc_endpoint *a,
                       const struct sc_endpoint *b);

/*
 * Write "192.0.2.1" or "2001:db8::1" (RFC 5952 form) into @buf; returns
 * @buf. An unset address prints as "-".
 */
char *sc_addr_format(const struct sc_addr *a, char *buf, size_t len);

/* Write "192.0.2.1:5060" or "[2001:db8::1]:5060" into @buf; returns @buf. */
char *sc_endpoint_format(const struct sc_endpoint *e, char *buf, size_t len);

/*
 * Parse a textual IPv4 or IPv6 address (no port, no brackets) from @s of
 * @len bytes. False when it is not a literal address (e.g. a host name).
 */
bool sc_addr_parse(const char *s, size_t len, struct sc_addr *out);

/*
 * True for addresses that are not routable on the public Internet:
 * RFC 1918, 100.64/10 (CGN), loopback, link-local, fc00::/7 (ULA).
 */
bool sc_addr_is_private(const struct sc_addr *a);

#endif /* SC_ADDR_H */
