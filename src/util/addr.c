/* addr.c - IPv4/IPv6 addresses and endpoints: compare, format, classify */
#include "config.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "sipcause/util/addr.h"
#include "sipcause/util/str.h"

void
sc_addr_set4(struct sc_addr *a, const uint8_t b[4])
{
	memset(a, 0, sizeof(*a));
	a->family = 4;
	memcpy(a->bytes, b, 4);
}

void
sc_addr_set6(struct sc_addr *a, const uint8_t b[16])
{
	a->family = 6;
	memcpy(a->bytes, b, 16);
}

bool
sc_addr_equal(const struct sc_addr *a, const struct sc_addr *b)
{
	size_t n = a->family == 6 ? 16 : 4;

	return a->family == b->family && memcmp(a->bytes, b->bytes, n) == 0;
}

bool
sc_endpoint_equal(const struct sc_endpoint *a, const struct sc_endpoint *b)
{
	return a->port == b->port && sc_addr_equal(&a->addr, &b->addr);
}

char *
sc_addr_format(const struct sc_addr *a, char *buf, size_t len)
{
	int af = a->family == 6 ? AF_INET6 : AF_INET;

	if (len == 0)
		return buf;
	if ((a->family != 4 && a->family != 6) ||
	    !inet_ntop(af, a->bytes, buf, (socklen_t)len))
		snprintf(buf, len, "-");
	return buf;
}

/* "a.b.c.d:port" by hand: one per message in JSON, where inet_ntop and
 * snprintf cost more than the rest of the message's address fields. */
static char *
format_v4_endpoint(const struct sc_endpoint *e, char *buf)
{
	char *p = buf;

	for (int i = 0; i < 4; i++) {
		p = sc_put_decimal(p, e->addr.bytes[i], 1);
		*p++ = i < 3 ? '.' : ':';
	}
	p = sc_put_decimal(p, e->port, 1);
	*p = 0;
	return buf;
}

char *
sc_endpoint_format(const struct sc_endpoint *e, char *buf, size_t len)
{
	char ip[SC_ADDR_STRLEN];

	/* 15 for the address, 6 for ":port", the NUL */
	if (e->addr.family == 4 && len >= 22)
		return format_v4_endpoint(e, buf);

	sc_addr_format(&e->addr, ip, sizeof(ip));
	if (e->addr.family == 6)
		snprintf(buf, len, "[%s]:%u", ip, (unsigned)e->port);
	else
		snprintf(buf, len, "%s:%u", ip, (unsigned)e->port);
	return buf;
}

bool
sc_addr_parse(const char *s, size_t len, struct sc_addr *out)
{
	char tmp[SC_ADDR_STRLEN];
	uint8_t b[16];

	if (len == 0 || len >= sizeof(tmp))
		return false;
	memcpy(tmp, s, len);
	tmp[len] = 0;
	if (inet_pton(AF_INET, tmp, b) == 1) {
		sc_addr_set4(out, b);
		return true;
	}
	if (inet_pton(AF_INET6, tmp, b) == 1) {
		sc_addr_set6(out, b);
		return true;
	}
	return false;
}

bool
sc_addr_is_private(const struct sc_addr *a)
{
	const uint8_t *b = a->bytes;

	if (a->family == 4) {
		return b[0] == 10 ||                           /* 10/8 */
		       (b[0] == 172 && (b[1] & 0xf0) == 16) || /* 172.16/12 */
		       (b[0] == 192 && b[1] == 168) ||         /* 192.168/16 */
		       (b[0] == 100 && (b[1] & 0xc0) == 64) || /* 100.64/10 */
		       b[0] == 127 ||                          /* loopback */
		       (b[0] == 169 && b[1] == 254);           /* link-local */
	}
	if (a->family == 6) {
		static const uint8_t loop6[16] = { [15] = 1 };

		return (b[0] & 0xfe) == 0xfc || /* fc00::/7 */
		       (b[0] == 0xfe &&
		        (b[1] & 0xc0) == 0x80) || /* fe80::/10 */
		       memcmp(b, loop6, 16) == 0;
	}
	return false;
}
