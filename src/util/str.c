/* str.c - string views and bounded parsers for wire text */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "sipcause/util/str.h"

struct sc_str
sc_str_from_cstr(const char *s)
{
	return s ? sc_str_make(s, strlen(s)) : sc_str_make("", 0);
}

bool
sc_str_caseeq(struct sc_str a, struct sc_str b)
{
	if (a.len != b.len)
		return false;
	for (size_t i = 0; i < a.len; i++)
		if (sc_ascii_lower(a.p[i]) != sc_ascii_lower(b.p[i]))
			return false;
	return true;
}

bool
sc_str_caseeq_cstr(struct sc_str a, const char *b)
{
	return sc_str_caseeq(a, sc_str_from_cstr(b));
}

bool
sc_str_has_prefix_nocase(struct sc_str s, const char *prefix)
{
	size_t n = strlen(prefix);

	return s.len >= n &&
	       sc_str_caseeq(sc_str_make(s.p, n), sc_str_make(prefix, n));
}

bool
sc_str_lead_u64(struct sc_str s, uint64_t max, uint64_t *v, size_t *used)
{
	uint64_t n = 0;
	size_t i = 0;

	while (i < s.len && sc_ascii_is_digit(s.p[i])) {
		unsigned d = (unsigned)(s.p[i] - '0');

		/* check before multiplying (curl strparse) */
		if (n > (max - d) / 10)
			return false;
		n = n * 10 + d;
		i++;
	}
	if (i == 0)
		return false;
	*v = n;
	*used = i;
	return true;
}

bool
sc_str_to_u64(struct sc_str s, uint64_t max, uint64_t *v)
{
	uint64_t n;
	size_t used;

	s = sc_str_trim(s);
	if (!sc_str_lead_u64(s, max, &n, &used) || used != s.len)
		return false;
	*v = n;
	return true;
}

size_t
sc_str_find(struct sc_str hay, struct sc_str needle, bool nocase)
{
	if (needle.len == 0)
		return 0;
	if (needle.len > hay.len)
		return SIZE_MAX;
	for (size_t i = 0; i + needle.len <= hay.len; i++) {
		struct sc_str at = sc_str_make(hay.p + i, needle.len);

		if (nocase ? sc_str_caseeq(at, needle)
		           : memcmp(at.p, needle.p, needle.len) == 0)
			return i;
	}
	return SIZE_MAX;
}

bool
sc_ascii_is_token(int c)
{
	/* RFC 3261 25.1: alphanum / "-" / "." / "!" / "%" / "*" / "_" /
	 * "+" / "`" / "'" / "~" */
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    sc_ascii_is_digit(c))
		return true;
	return c != 0 && strchr("-.!%*_+`'~", c) != NULL;
}

size_t
sc_strpack_size(const char *s)
{
	return s ? strlen(s) + 1 : 0;
}

char *
sc_strpack_copy(struct sc_strpack *k, const char *s, size_t n)
{
	char *d;

	if (!s)
		return NULL;
	d = k->next;
	memcpy(d, s, n);
	k->next += n;
	return d;
}

char *
sc_strpack_bytes(struct sc_strpack *k, char *s, size_t n)
{
	char *d = sc_strpack_copy(k, s, n);

	free(s);
	return d;
}

char *
sc_strpack_text(struct sc_strpack *k, char *s)
{
	return s ? sc_strpack_bytes(k, s, strlen(s) + 1) : NULL;
}

/* "00" to "99": two digits at a time halve the divisions. */
static const char digit_pairs[201] =
        "00010203040506070809101112131415161718192021222324"
        "25262728293031323334353637383940414243444546474849"
        "50515253545556575859606162636465666768697071727374"
        "75767778798081828384858687888990919293949596979899";

char *
sc_put_decimal(char *p, uint64_t v, int width)
{
	size_t n = 1, w = width > 0 ? (size_t)width : 0;
	uint64_t bound = 10;
	char *end, *q;

	/* digits of v: 10^19 is the last power of ten below 2^64 */
	while (n < 20 && v >= bound) {
		if (++n < 20)
			bound *= 10;
	}
	if (w > 20)
		w = 20;
	end = p + (n > w ? n : w);
	q = end;
	while (v >= 100) {
		q -= 2;
		memcpy(q, digit_pairs + 2 * (v % 100), 2);
		v /= 100;
	}
	if (v >= 10) {
		q -= 2;
		memcpy(q, digit_pairs + 2 * v, 2);
	} else {
		*--q = (char)('0' + v);
	}
	while (q > p)
		*--q = '0';
	return end;
}
