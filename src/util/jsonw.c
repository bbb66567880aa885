/* jsonw.c - streaming JSON writer (RFC 8259) */
#include "config.h"

#include <inttypes.h>
#include <math.h>
#include <string.h>

#include "sipcause/util/escape.h"
#include "sipcause/util/jsonw.h"
#include "sipcause/util/str.h"

#ifdef __SSE2__
#include <emmintrin.h>
#endif

void
sc_jsonw_init(struct sc_jsonw *w, FILE *out, bool pretty)
{
	w->out = out;
	w->lines = pretty ? SC_JSONW_MAX_DEPTH : 0;
	w->depth = 0;
	memset(w->first, 0, sizeof(w->first));
	w->first[0] = true;
	w->after_key = false;
	w->len = 0;
	w->handed = 0;
}

void
sc_jsonw_lines(struct sc_jsonw *w, int depth)
{
	/* below 0 breaks no line either; the inline paths count on >= 0 */
	w->lines = depth > 0 ? depth : 0;
}

void
sc_jsonw_flush(struct sc_jsonw *w)
{
	if (w->len)
		fwrite(w->buf, 1, w->len, w->out);
	w->handed += w->len;
	w->len = 0;
}

/* Room for @n more bytes (n <= SC_JSONW_BUF). */
static inline char *
reserve(struct sc_jsonw *w, size_t n)
{
	return sc__jsonw_room(w, n);
}

static inline void
put(struct sc_jsonw *w, const char *s, size_t n)
{
	if (n > SC_JSONW_BUF) {
		sc_jsonw_flush(w);
		fwrite(s, 1, n, w->out);
		w->handed += n;
		return;
	}
	memcpy(reserve(w, n), s, n);
	w->len += n;
}

static inline void
putc1(struct sc_jsonw *w, char c)
{
	*reserve(w, 1) = c;
	w->len++;
}

/* A value is complete: at the top level, hand it to the stream. */
static inline void
value_done(struct sc_jsonw *w)
{
	if (w->depth == 0)
		sc_jsonw_flush(w);
}

/* The line break before an item at @depth, or before the end of a
 * container whose items are at @depth + 1 (@close). */
static void
newline(struct sc_jsonw *w, int depth, bool close)
{
	size_t n;
	char *p;

	if (depth + close > w->lines)
		return;
	/* the line break and its indent in one go: every item has one */
	n = 1 + 2 * (size_t)depth;
	p = reserve(w, n);
	p[0] = '\n';
	memset(p + 1, ' ', n - 1);
	w->len += n;
}

/* Separator before a value or key at the current level. */
static void
before_item(struct sc_jsonw *w)
{
	if (w->after_key) {
		w->after_key = false;
		return;
	}
	if (w->depth > 0) {
		if (!w->first[w->depth])
			putc1(w, ',');
		newline(w, w->depth, false);
	}
	w->first[w->depth] = false;
}

char *
sc__jsonw_item_slow(struct sc_jsonw *w, size_t n)
{
	before_item(w);
	return reserve(w, n);
}

static void
open_level(struct sc_jsonw *w, char c)
{
	before_item(w);
	putc1(w, c);
	if (w->depth + 1 < SC_JSONW_MAX_DEPTH)
		w->depth++;
	w->first[w->depth] = true;
}

static void
close_level(struct sc_jsonw *w, char c)
{
	bool empty = w->first[w->depth];

	if (w->depth > 0)
		w->depth--;
	if (!empty)
		newline(w, w->depth, true);
	putc1(w, c);
	value_done(w);
}

void
sc_jsonw_nest(struct sc_jsonw *w, int depth, bool first)
{
	if (depth < 0 || depth >= SC_JSONW_MAX_DEPTH)
		return;
	w->depth = depth;
	w->first[depth] = first;
}

void
sc_jsonw_raw(struct sc_jsonw *w, const char *s, size_t n)
{
	put(w, s, n);
}

uint64_t
sc_jsonw_tell(const struct sc_jsonw *w)
{
	return w->handed + w->len;
}

void
sc_jsonw_splice(struct sc_jsonw *w, const char *s, size_t n)
{
	if (!w->first[w->depth])
		putc1(w, ',');
	w->first[w->depth] = false;
	w->after_key = false;
	put(w, s, n);
}

void
sc_jsonw_splice_head(struct sc_jsonw *w, const char *s, size_t n)
{
	sc_jsonw_splice(w, s, n);
	if (w->depth + 1 < SC_JSONW_MAX_DEPTH)
		w->depth++;
	w->first[w->depth] = false;
	w->after_key = true;
}

void
sc_jsonw_splice_tail(struct sc_jsonw *w, const char *s, size_t n)
{
	put(w, s, n);
	if (w->depth > 0)
		w->depth--;
	value_done(w);
}

void
sc_jsonw_begin_object(struct sc_jsonw *w)
{
	open_level(w, '{');
}

void
sc_jsonw_end_object(struct sc_jsonw *w)
{
	close_level(w, '}');
}

void
sc_jsonw_begin_array(struct sc_jsonw *w)
{
	open_level(w, '[');
}

void
sc_jsonw_end_array(struct sc_jsonw *w)
{
	close_level(w, ']');
}

/* 1: printable ASCII copied as is (not '"', not '\\'). */
static const uint8_t json_plain[256] = {
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
};

/*
 * One code point or byte that is not plain ASCII, at p[0] (len >= 1):
 * written escaped or copied at *@o, which has room for 6 bytes and is
 * moved past them; returns the bytes consumed.
 */
static size_t
escape_at(char **o, const uint8_t *p, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	uint32_t cp = 0;
	size_t n = sc_utf8_decode(p, len, &cp);
	char *q = *o;

	if (n == 0) {
		memcpy(q, "\\ufffd", 6); /* invalid byte */
		*o = q + 6;
		return 1;
	}
	if (cp == '"' || cp == '\\') {
		q[0] = '\\';
		q[1] = (char)cp;
		q += 2;
	} else if (cp == '\n' || cp == '\r' || cp == '\t') {
		q[0] = '\\';
		q[1] = cp == '\n' ? 'n' : cp == '\r' ? 'r' : 't';
		q += 2;
	} else if (cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp < 0xa0)) {
		memcpy(q, "\\u00", 4);
		q[4] = hex[cp >> 4];
		q[5] = hex[cp & 0xf];
		q += 6;
	} else {
		memcpy(q, p, n);
		q += n;
	}
	*o = q;
	return n;
}

/* escape_at() into the buffer. */
static size_t
escape_one(struct sc_jsonw *w, const uint8_t *p, size_t len)
{
	char *o = reserve(w, 6), *start = o;
	size_t n = escape_at(&o, p, len);

	w->len += (size_t)(o - start);
	return n;
}

#define BYTES8(b) (UINT64_C(0x0101010101010101) * (b))

/*
 * Are all 8 bytes of @x plain (0x20..0x7e, not '"' or '\\')? The usual
 * word-at-a-time tests, each exact as a yes or no: a byte below 0x20,
 * one above 0x7e, one equal to '"', one equal to '\\'.
 */
static inline bool
plain8(uint64_t x)
{
	uint64_t high = BYTES8(0x80);
	uint64_t q = x ^ BYTES8('"'), b = x ^ BYTES8('\\');
	uint64_t special = ((x - BYTES8(0x20)) & ~x) |
	                   ((x + BYTES8(0x7f - 0x7e)) | x) |
	                   ((q - BYTES8(1)) & ~q) | ((b - BYTES8(1)) & ~b);

	return (special & high) == 0;
}

/* Bytes from @i on that are plain, 8 at a time where it can. */
static inline size_t
plain_run(const uint8_t *p, size_t i, size_t len)
{
	uint64_t x;

	while (len - i >= 8) {
		memcpy(&x, p + i, 8);
		if (!plain8(x))
			break;
		i += 8;
	}
	while (i < len && json_plain[p[i]])
		i++;
	return i;
}

/* "s" escaped in one pass: runs of plain bytes go in with one memcpy.
 * With @upto, a NUL byte ends the string. */
static void
write_escaped_long(struct sc_jsonw *w, const char *s, size_t len, bool upto)
{
	const uint8_t *p = (const uint8_t *)s;
	size_t i = 0;

	putc1(w, '"');
	while (i < len) {
		size_t run = plain_run(p, i, len);

		if (run > i) {
			put(w, (const char *)p + i, run - i);
			i = run;
			if (i == len)
				break;
		}
		if (upto && p[i] == 0)
			break;
		i += escape_one(w, p + i, len - i);
	}
	putc1(w, '"');
}

#ifdef __SSE2__
/* Bit i set: byte i of the 16 at @x needs a look (not printable ASCII,
 * or '"' or '\\'). A signed compare: below 0x20 takes 0x80..0xff too. */
static inline unsigned
special16(__m128i x)
{
	__m128i m = _mm_or_si128(
	        _mm_or_si128(_mm_cmplt_epi8(x, _mm_set1_epi8(0x20)),
	                     _mm_cmpeq_epi8(x, _mm_set1_epi8(0x7f))),
	        _mm_or_si128(_mm_cmpeq_epi8(x, _mm_set1_epi8('"')),
	                     _mm_cmpeq_epi8(x, _mm_set1_epi8('\\'))));

	return (unsigned)_mm_movemask_epi8(m);
}
#endif

/*
 * The rest of "s" escaped, from byte @i on, at @o (room for the worst
 * case, 6 bytes a byte, and the closing quote): plain bytes go 16 at a
 * time where there are 16, copied before they are checked, the next
 * ones writing over what needed a look. With @upto, a NUL byte ends the
 * string (the bytes after it may be there, copied, but are not counted).
 */
#if defined(__GNUC__) || defined(__clang__)
__attribute__((noinline))
#endif
static char *
write_escaped_rest(const uint8_t *p, size_t len, size_t i, char *o, bool upto)
{
	while (i < len) {
#ifdef __SSE2__
		if (len - i >= 16) {
			__m128i x = _mm_loadu_si128(
			        (const __m128i *)(const void *)(p + i));
			unsigned m = special16(x);

			_mm_storeu_si128((__m128i *)(void *)o, x);
			if (m == 0) {
				i += 16;
				o += 16;
				continue;
			}
			i += (size_t)__builtin_ctz(m);
			o += __builtin_ctz(m);
		}
#endif
		if (json_plain[p[i]]) {
			*o++ = (char)p[i++];
			continue;
		}
		if (upto && p[i] == 0)
			break;
		i += escape_at(&o, p + i, len - i);
	}
	*o++ = '"';
	return o;
}

/* escape_to() where the buffer has no room for the worst case, or the
 * string is longer than the buffer takes in one go. */
static char *escape_to_slow(struct sc_jsonw *w, char *o, const char *s,
                            size_t len, bool upto);

/*
 * "s" escaped at @o, in @w's buffer; returns the end. Most strings need
 * no escape: they are checked and copied a block at a time (a block: 16
 * bytes, or for a shorter string two overlapping halves), and the first
 * block that needs a look hands over to write_escaped_rest(). Every call
 * made is the function's last (the buffer is not touched before one), so
 * the common path saves no registers.
 */
static char *
escape_to(struct sc_jsonw *w, char *o, const char *s, size_t len, bool upto)
{
	const uint8_t *p = (const uint8_t *)s;
	size_t i = 0;

	if (len > (SC_JSONW_BUF - 2) / 6 ||
	    (size_t)(w->buf + SC_JSONW_BUF - o) < 6 * len + 2)
		return escape_to_slow(w, o, s, len, upto);
	*o++ = '"';
#ifdef __SSE2__
	if (len >= 16) {
		__m128i x;

		for (; len - i >= 16; i += 16, o += 16) {
			x = _mm_loadu_si128(
			        (const __m128i *)(const void *)(p + i));
			if (special16(x)) {
				return write_escaped_rest(p, len, i, o, upto);
			}
			_mm_storeu_si128((__m128i *)(void *)o, x);
		}
		if (i < len) {
			/* the last 16, those before i again */
			x = _mm_loadu_si128(
			        (const __m128i *)(const void *)(p + len - 16));
			if (special16(x)) {
				return write_escaped_rest(p, len, i, o, upto);
			}
			_mm_storeu_si128(
			        (__m128i *)(void *)(o - (i - (len - 16))), x);
			o += len - i;
		}
	} else if (len >= 4) {
		/* two overlapping halves of 8 (or 4) bytes in one check */
		__m128i x;
		unsigned used;

		if (len >= 8) {
			x = _mm_unpacklo_epi64(
			        _mm_loadl_epi64(
			                (const __m128i *)(const void *)p),
			        _mm_loadl_epi64((
			                const __m128i *)(const void *)(p + len -
			                                               8)));
			used = 0xffff;
		} else {
			uint32_t a, b;

			memcpy(&a, p, 4);
			memcpy(&b, p + len - 4, 4);
			x = _mm_unpacklo_epi32(_mm_cvtsi32_si128((int)a),
			                       _mm_cvtsi32_si128((int)b));
			used = 0xff;
		}
		if (special16(x) & used) {
			return write_escaped_rest(p, len, 0, o, upto);
		}
		if (len >= 8) {
			_mm_storel_epi64((__m128i *)(void *)o, x);
			_mm_storel_epi64((__m128i *)(void *)(o + len - 8),
			                 _mm_unpackhi_epi64(x, x));
		} else {
			uint32_t a = (uint32_t)_mm_cvtsi128_si32(x),
			         b = (uint32_t)_mm_cvtsi128_si32(
			                 _mm_srli_si128(x, 4));

			memcpy(o, &a, 4);
			memcpy(o + len - 4, &b, 4);
		}
		o += len;
	} else {
		for (; i < len; i++) {
			if (!json_plain[p[i]]) {
				return write_escaped_rest(p, len, i, o, upto);
			}
			*o++ = (char)p[i];
		}
	}
#else
	for (uint64_t x; len - i >= 8; i += 8, o += 8) {
		memcpy(&x, p + i, 8);
		if (!plain8(x))
			break;
		memcpy(o, &x, 8);
	}
	if (i < len) {
		return write_escaped_rest(p, len, i, o, upto);
	}
#endif
	*o++ = '"';
	return o;
}

#if defined(__GNUC__) || defined(__clang__)
__attribute__((noinline))
#endif
static char *
escape_to_slow(struct sc_jsonw *w, char *o, const char *s, size_t len,
               bool upto)
{
	w->len = (size_t)(o - w->buf);
	if (len > (SC_JSONW_BUF - 2) / 6) {
		write_escaped_long(w, s, len, upto);
		return w->buf + w->len;
	}
	sc_jsonw_flush(w);
	return escape_to(w, w->buf, s, len, upto);
}

/* "s" escaped at the end of the buffer. */
static void
write_escaped(struct sc_jsonw *w, const char *s, size_t len, bool upto)
{
	w->len = (size_t)(escape_to(w, w->buf + w->len, s, len, upto) - w->buf);
}

void
sc__jsonw_key_slow(struct sc_jsonw *w, const char *key, size_t n)
{
	size_t sep = w->depth <= w->lines ? 2 : 1;
	char *p;

	before_item(w);
	if (n + 2 + sep > SC_JSONW_BUF) {
		write_escaped(w, key, n, false);
		put(w, ": ", sep);
	} else {
		/* our own names: plain ASCII, written as they are */
		p = reserve(w, n + 2 + sep);
		p[0] = '"';
		memcpy(p + 1, key, n);
		p[n + 1] = '"';
		memcpy(p + n + 2, ": ", sep);
		w->len += n + 2 + sep;
	}
	w->after_key = true;
}

char *
sc__jsonc_flush(struct sc_jsonw *w, char *p)
{
	w->len = (size_t)(p - w->buf);
	sc_jsonw_flush(w);
	return w->buf;
}

char *
sc__jsonc_escaped(struct sc_jsonw *w, char *p, const char *s, size_t len,
                  bool upto)
{
	return escape_to(w, p, s, len, upto);
}

void
sc__jsonw_escaped(struct sc_jsonw *w, const char *s, size_t len)
{
	write_escaped(w, s, len, false);
}

void
sc__jsonw_escaped_upto(struct sc_jsonw *w, const char *s, size_t len)
{
	write_escaped(w, s, len, true);
}

void
sc__jsonw_plain_slow(struct sc_jsonw *w, const char *s, size_t len)
{
	char *p;

	before_item(w);
	if (len + 2 > SC_JSONW_BUF) {
		write_escaped(w, s, len, false);
	} else {
		p = reserve(w, len + 2);
		p[0] = '"';
		memcpy(p + 1, s, len);
		p[len + 1] = '"';
		w->len += len + 2;
	}
	value_done(w);
}

void
sc_jsonw_string(struct sc_jsonw *w, const char *s)
{
	if (!s) {
		sc_jsonw_null(w);
		return;
	}
	sc_jsonw_stringn(w, s, strlen(s));
}

/* "00" to "99", two bytes each */
static const char digit_pairs[] = "00010203040506070809"
                                  "10111213141516171819"
                                  "20212223242526272829"
                                  "30313233343536373839"
                                  "40414243444546474849"
                                  "50515253545556575859"
                                  "60616263646566676869"
                                  "70717273747576777879"
                                  "80818283848586878889"
                                  "90919293949596979899";

char *
sc__jsonw_digits_n(char *p, uint64_t v, size_t n)
{
	char *end = p + n, *q = end;

	while (q - p >= 2) {
		q -= 2;
		memcpy(q, digit_pairs + 2 * (v % 100), 2);
		v /= 100;
	}
	if (q > p)
		*--q = (char)('0' + v % 10);
	return end;
}

/* 10^i: the least number of i + 1 digits (10^19 is below 2^64) */
static const uint64_t pow10[20] = {
	UINT64_C(1),
	UINT64_C(10),
	UINT64_C(100),
	UINT64_C(1000),
	UINT64_C(10000),
	UINT64_C(100000),
	UINT64_C(1000000),
	UINT64_C(10000000),
	UINT64_C(100000000),
	UINT64_C(1000000000),
	UINT64_C(10000000000),
	UINT64_C(100000000000),
	UINT64_C(1000000000000),
	UINT64_C(10000000000000),
	UINT64_C(100000000000000),
	UINT64_C(1000000000000000),
	UINT64_C(10000000000000000),
	UINT64_C(100000000000000000),
	UINT64_C(1000000000000000000),
	UINT64_C(10000000000000000000),
};

char *
sc__jsonw_digits(char *p, uint64_t v)
{
	/* the count from the bit length, one compare instead of a loop
	 * over the powers (1233 / 4096 is log10(2) rounded down; 0 is
	 * counted as 1) */
	uint64_t x = v | 1;
	unsigned t = ((64 - (unsigned)__builtin_clzll(x)) * 1233) >> 12;

	return sc__jsonw_digits_n(p, v, t + (x >= pow10[t]));
}

void
sc_jsonw_double1(struct sc_jsonw *w, double v)
{
	char tmp[32];
	int n;

	before_item(w);
	n = isfinite(v) ? snprintf(tmp, sizeof(tmp), "%.1f", v) : -1;
	if (n > 0 && (size_t)n < sizeof(tmp))
		put(w, tmp, (size_t)n);
	else
		put(w, "null", 4);
	value_done(w);
}
