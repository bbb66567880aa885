/* jsonw.c - streaming JSON writer (RFC 8259) */
#include "config.h"

#include <inttypes.h>
#include <math.h>
#include <string.h>

#include "sipcause/util/escape.h"
#include "sipcause/util/jsonw.h"
#include "sipcause/util/str.h"

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
	w->lines = depth;
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
	if (SC_JSONW_BUF - w->len < n)
		sc_jsonw_flush(w);
	return w->buf + w->len;
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
 * written escaped or copied; returns the bytes consumed.
 */
static size_t
escape_one(struct sc_jsonw *w, const uint8_t *p, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	uint32_t cp = 0;
	size_t n = sc_utf8_decode(p, len, &cp);
	char *o;

	if (n == 0) {
		put(w, "\\ufffd", 6); /* invalid byte */
		return 1;
	}
	if (cp == '"' || cp == '\\') {
		o = reserve(w, 2);
		o[0] = '\\';
		o[1] = (char)cp;
		w->len += 2;
	} else if (cp == '\n') {
		put(w, "\\n", 2);
	} else if (cp == '\r') {
		put(w, "\\r", 2);
	} else if (cp == '\t') {
		put(w, "\\t", 2);
	} else if (cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp < 0xa0)) {
		o = reserve(w, 6);
		memcpy(o, "\\u00", 4);
		o[4] = hex[cp >> 4];
		o[5] = hex[cp & 0xf];
		w->len += 6;
	} else {
		put(w, (const char *)p, n);
	}
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

/* "s" escaped in one pass: runs of plain bytes go in with one memcpy. */
static void
write_escaped(struct sc_jsonw *w, const char *s, size_t len)
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
		i += escape_one(w, p + i, len - i);
	}
	putc1(w, '"');
}

void
sc_jsonw_keyn(struct sc_jsonw *w, const char *key, size_t n)
{
	size_t sep = w->depth <= w->lines ? 2 : 1;
	char *p;

	before_item(w);
	if (n + 2 + sep > SC_JSONW_BUF) {
		write_escaped(w, key, n);
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

void
sc_jsonw_stringn(struct sc_jsonw *w, const char *s, size_t len)
{
	before_item(w);
	write_escaped(w, s, len);
	value_done(w);
}

void
sc_jsonw_plainn(struct sc_jsonw *w, const char *s, size_t len)
{
	char *p;

	before_item(w);
	if (len + 2 > SC_JSONW_BUF) {
		write_escaped(w, s, len);
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

/* Decimal digits of v, optionally after a minus sign. */
static void
put_u64(struct sc_jsonw *w, uint64_t v, bool minus)
{
	char tmp[24];
	char *p = tmp;

	if (minus)
		*p++ = '-';
	p = sc_put_decimal(p, v, 1);
	put(w, tmp, (size_t)(p - tmp));
}

void
sc_jsonw_int(struct sc_jsonw *w, int64_t v)
{
	before_item(w);
	/* negate in unsigned arithmetic: INT64_MIN has no positive twin */
	put_u64(w, v < 0 ? 0u - (uint64_t)v : (uint64_t)v, v < 0);
	value_done(w);
}

void
sc_jsonw_uint(struct sc_jsonw *w, uint64_t v)
{
	before_item(w);
	put_u64(w, v, false);
	value_done(w);
}

void
sc_jsonw_bool(struct sc_jsonw *w, bool v)
{
	before_item(w);
	if (v)
		put(w, "true", 4);
	else
		put(w, "false", 5);
	value_done(w);
}

void
sc_jsonw_null(struct sc_jsonw *w)
{
	before_item(w);
	put(w, "null", 4);
	value_done(w);
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
