/* jsonw.h - streaming JSON writer (RFC 8259) */
#ifndef SC_JSONW_H
#define SC_JSONW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

/* Deepest nesting the writer tracks. */
#define SC_JSONW_MAX_DEPTH 32

/* Bytes gathered before one fwrite to the stream. */
#define SC_JSONW_BUF 65536
#define SC_JSONW_SLACK 16

/* The inline paths must be inlined: a key's length is then known when
 * compiling, and a call per member is what they save. */
#if defined(__GNUC__) || defined(__clang__)
#define SC__JSONW_INLINE static inline __attribute__((always_inline))
#else
#define SC__JSONW_INLINE static inline
#endif

/* Longest key and plain string written by the inline paths. */
#define SC__JSONW_INLINE_MAX 1024

/*
 * Writes one JSON value to a stream, inserting commas and (when @pretty)
 * newlines and two-space indentation; sc_jsonw_lines() keeps them to the
 * outer levels. Strings are escaped so that any
 * bytes give valid JSON: controls as \uXXXX, invalid UTF-8 as U+FFFD.
 * Misuse (a value where a key is due, nesting too deep) is a programming
 * error; the writer does not try to recover from it.
 *
 * Output is gathered in @buf and handed to the stream with fwrite when
 * the buffer fills and whenever a top-level value is complete, so the
 * caller may write to the stream itself between top-level values (a
 * newline after each JSON Lines record) without calling sc_jsonw_flush.
 * Write errors show on the stream (ferror).
 */
struct sc_jsonw {
	FILE *out;
	int lines; /* items nested this deep or less start a line */
	int depth;
	bool first[SC_JSONW_MAX_DEPTH]; /* no member written yet */
	bool after_key;
	size_t len;      /* bytes waiting in buf */
	uint64_t handed; /* bytes handed to the stream so far */
	/* the slack: room for whole 16-byte stores at the end */
	char buf[SC_JSONW_BUF + SC_JSONW_SLACK];
};

void sc_jsonw_init(struct sc_jsonw *w, FILE *out, bool pretty);

/*
 * Line breaks and indentation only before the items of containers @depth
 * levels deep or less (1: the members of the outer object), and ": "
 * after their keys; what is deeper is written compact. A document of
 * many big items can then be read a line per item (grep, less) at
 * little more than the compact size.
 */
void sc_jsonw_lines(struct sc_jsonw *w, int depth);

/* Hand the buffered bytes to the stream (not needed at depth 0). */
void sc_jsonw_flush(struct sc_jsonw *w);

void sc_jsonw_begin_object(struct sc_jsonw *w);
void sc_jsonw_end_object(struct sc_jsonw *w);
void sc_jsonw_begin_array(struct sc_jsonw *w);
void sc_jsonw_end_array(struct sc_jsonw *w);

/*
 * The inline paths below: a JSON call object has about two hundred
 * members, and the calls to write them cost as much as their bytes.
 * What they leave out (line breaks, long strings) goes out of line.
 */

/* Room for @n more bytes (n <= SC_JSONW_BUF); where they go. */
SC__JSONW_INLINE char *
sc__jsonw_room(struct sc_jsonw *w, size_t n)
{
	if (SC_JSONW_BUF - w->len < n)
		sc_jsonw_flush(w);
	return w->buf + w->len;
}

/* Separator and room for an item of at most @n bytes (out of line:
 * where the item starts a line). */
char *sc__jsonw_item_slow(struct sc_jsonw *w, size_t n);

/* The separator before an item (a comma unless first, a line break
 * where due), with room for @n bytes after it; where they go. */
SC__JSONW_INLINE char *
sc__jsonw_item(struct sc_jsonw *w, size_t n)
{
	char *p;

	if (w->after_key) {
		w->after_key = false;
		return sc__jsonw_room(w, n);
	}
	if (w->depth <= w->lines)
		return sc__jsonw_item_slow(w, n);
	p = sc__jsonw_room(w, n + 1);
	*p = ',';
	p += !w->first[w->depth];
	w->first[w->depth] = false;
	return p;
}

/* The item's bytes end at @end: at the top level, hand them over. */
SC__JSONW_INLINE void
sc__jsonw_done(struct sc_jsonw *w, char *end)
{
	w->len = (size_t)(end - w->buf);
	if (w->depth == 0)
		sc_jsonw_flush(w);
}

void sc__jsonw_key_slow(struct sc_jsonw *w, const char *key, size_t n);

/*
 * A member's key where no line starts, with room for a value of at most
 * @vmax bytes after it; where the value goes, or NULL when the key is
 * due out of line. The writer's state is read before the first byte is
 * stored: a store through char * could change it, for all the compiler
 * knows, and each would be read again.
 */
SC__JSONW_INLINE char *
sc__jsonw_member(struct sc_jsonw *w, const char *key, size_t n, size_t vmax)
{
	int depth = w->depth;
	bool first = w->first[depth];
	char *p;

	if (depth <= w->lines || n > SC__JSONW_INLINE_MAX)
		return NULL;
	w->first[depth] = false;
	p = sc__jsonw_room(w, n + 4 + vmax);
	*p = ',';
	p += !first;
	p[0] = '"';
	memcpy(p + 1, key, n);
	p[n + 1] = '"';
	p[n + 2] = ':';
	return p + n + 3;
}

/* Object member name, one of ours: plain ASCII without '"', '\\' or
 * controls (written as is, not escaped); the next call writes its value.
 * Inline so that a literal's length is known when compiling. */
SC__JSONW_INLINE void
sc_jsonw_keyn(struct sc_jsonw *w, const char *key, size_t n)
{
	char *p = sc__jsonw_member(w, key, n, 0);

	if (!p) {
		sc__jsonw_key_slow(w, key, n);
		return;
	}
	w->len = (size_t)(p - w->buf);
	w->after_key = true;
}

SC__JSONW_INLINE void
sc_jsonw_key(struct sc_jsonw *w, const char *key)
{
	sc_jsonw_keyn(w, key, strlen(key));
}

/* Values. A NULL string writes null. */
void sc_jsonw_string(struct sc_jsonw *w, const char *s);

/* "s" escaped, after the item's separator (already written); _upto:
 * only the bytes before a NUL byte among the @len. */
void sc__jsonw_escaped(struct sc_jsonw *w, const char *s, size_t len);
void sc__jsonw_escaped_upto(struct sc_jsonw *w, const char *s, size_t len);

SC__JSONW_INLINE void
sc_jsonw_stringn(struct sc_jsonw *w, const char *s, size_t len)
{
	char *p = sc__jsonw_item(w, 0);

	w->len = (size_t)(p - w->buf);
	sc__jsonw_escaped(w, s, len);
	if (w->depth == 0)
		sc_jsonw_flush(w);
}

/* A string the caller made of printable ASCII without '"' or '\\' (a
 * time, an address): written as it is, not scanned for escapes. */
void sc__jsonw_plain_slow(struct sc_jsonw *w, const char *s, size_t len);

SC__JSONW_INLINE void
sc_jsonw_plainn(struct sc_jsonw *w, const char *s, size_t len)
{
	char *p;

	if (len > SC__JSONW_INLINE_MAX) {
		sc__jsonw_plain_slow(w, s, len);
		return;
	}
	p = sc__jsonw_item(w, len + 2);
	p[0] = '"';
	memcpy(p + 1, s, len);
	p[len + 1] = '"';
	sc__jsonw_done(w, p + len + 2);
}

/* The decimal digits of @v at @p (room for 20); returns their end. */
char *sc__jsonw_digits(char *p, uint64_t v);

/* Exactly @n decimal digits of @v (below 10^n) at @p, zeros in front;
 * returns their end. */
char *sc__jsonw_digits_n(char *p, uint64_t v, size_t n);

SC__JSONW_INLINE void
sc_jsonw_uint(struct sc_jsonw *w, uint64_t v)
{
	char *p = sc__jsonw_item(w, 20);

	if (v < 10)
		*p++ = (char)('0' + v);
	else
		p = sc__jsonw_digits(p, v);
	sc__jsonw_done(w, p);
}

SC__JSONW_INLINE void
sc_jsonw_int(struct sc_jsonw *w, int64_t v)
{
	char *p = sc__jsonw_item(w, 21);

	*p = '-';
	p += v < 0;
	/* negate in unsigned arithmetic: INT64_MIN has no positive twin */
	sc__jsonw_done(
	        w, sc__jsonw_digits(p, v < 0 ? 0u - (uint64_t)v : (uint64_t)v));
}

SC__JSONW_INLINE void
sc_jsonw_bool(struct sc_jsonw *w, bool v)
{
	char *p = sc__jsonw_item(w, 5);

	if (v) {
		memcpy(p, "true", 4);
		p += 4;
	} else {
		memcpy(p, "false", 5);
		p += 5;
	}
	sc__jsonw_done(w, p);
}

SC__JSONW_INLINE void
sc_jsonw_null(struct sc_jsonw *w)
{
	char *p = sc__jsonw_item(w, 4);

	memcpy(p, "null", 4);
	sc__jsonw_done(w, p + 4);
}

/* A finite number with one decimal ("97.5"); not finite writes null. */
void sc_jsonw_double1(struct sc_jsonw *w, double v);

/*
 * Splicing: an item of a container written elsewhere (a spool file) and
 * put in the document later, whole or with one member's value written
 * anew. sc_jsonw_nest() makes a fresh writer start @depth levels deep,
 * as the first item of its container (or, @first false, as a later one:
 * the bytes then start with the comma): what it writes (flush it) is the
 * item's exact bytes, line break and indent included. sc_jsonw_tell()
 * counts the bytes written so far (to find a member inside them).
 * sc_jsonw_splice() puts such bytes in as the next item of the current
 * container. sc_jsonw_splice_head() puts in the item's first bytes, up
 * to a member's key (its value not included): the writer then writes
 * that value, one level deeper, and sc_jsonw_splice_tail() puts in the
 * bytes after it, which close the item.
 */
void sc_jsonw_nest(struct sc_jsonw *w, int depth, bool first);
uint64_t sc_jsonw_tell(const struct sc_jsonw *w);
void sc_jsonw_splice(struct sc_jsonw *w, const char *s, size_t n);
void sc_jsonw_splice_head(struct sc_jsonw *w, const char *s, size_t n);
void sc_jsonw_splice_tail(struct sc_jsonw *w, const char *s, size_t n);

/* @n bytes put as they are, the writer's state unchanged: the caller
 * keeps the document valid (items nested as later ones, put one after
 * the other). */
void sc_jsonw_raw(struct sc_jsonw *w, const char *s, size_t n);

/* Shorthands for a key followed by a value: key and value in one go
 * where no line starts (inside the calls of a document). */
SC__JSONW_INLINE void
sc_jsonw_kstr(struct sc_jsonw *w, const char *key, const char *s)
{
	size_t n = strlen(key);
	char *p;

	if (!s) {
		p = sc__jsonw_member(w, key, n, 4);
		if (!p) {
			sc__jsonw_key_slow(w, key, n);
			sc_jsonw_null(w);
			return;
		}
		memcpy(p, "null", 4);
		w->len = (size_t)(p + 4 - w->buf);
		return;
	}
	p = sc__jsonw_member(w, key, n, 0);
	if (!p) {
		sc__jsonw_key_slow(w, key, n);
		sc_jsonw_string(w, s);
		return;
	}
	w->len = (size_t)(p - w->buf);
	sc__jsonw_escaped(w, s, strlen(s));
}

/* sc_jsonw_kstr() of a string whose NUL is at most @len bytes in
 * (s[len] is one): the bytes up to its first NUL, without a strlen. */
SC__JSONW_INLINE void
sc_jsonw_kstr_upto(struct sc_jsonw *w, const char *key, const char *s,
                   size_t len)
{
	size_t n = strlen(key);
	char *p = s ? sc__jsonw_member(w, key, n, 0) : NULL;

	if (!p) {
		sc_jsonw_kstr(w, key, s);
		return;
	}
	w->len = (size_t)(p - w->buf);
	sc__jsonw_escaped_upto(w, s, len);
}

/* A plain string (sc_jsonw_plainn) as a member's value. */
SC__JSONW_INLINE void
sc_jsonw_kplainn(struct sc_jsonw *w, const char *key, const char *s, size_t len)
{
	size_t n = strlen(key);
	char *p = len <= SC__JSONW_INLINE_MAX
	                  ? sc__jsonw_member(w, key, n, len + 2)
	                  : NULL;

	if (!p) {
		sc_jsonw_keyn(w, key, n);
		sc_jsonw_plainn(w, s, len);
		return;
	}
	p[0] = '"';
	memcpy(p + 1, s, len);
	p[len + 1] = '"';
	w->len = (size_t)(p + len + 2 - w->buf);
}

SC__JSONW_INLINE void
sc_jsonw_kuint(struct sc_jsonw *w, const char *key, uint64_t v)
{
	size_t n = strlen(key);
	char *p = sc__jsonw_member(w, key, n, 20);

	if (!p) {
		sc__jsonw_key_slow(w, key, n);
		sc_jsonw_uint(w, v);
		return;
	}
	if (v < 10)
		*p++ = (char)('0' + v);
	else
		p = sc__jsonw_digits(p, v);
	w->len = (size_t)(p - w->buf);
}

SC__JSONW_INLINE void
sc_jsonw_kint(struct sc_jsonw *w, const char *key, int64_t v)
{
	size_t n = strlen(key);
	char *p = sc__jsonw_member(w, key, n, 21);

	if (!p) {
		sc__jsonw_key_slow(w, key, n);
		sc_jsonw_int(w, v);
		return;
	}
	*p = '-';
	p += v < 0;
	p = sc__jsonw_digits(p, v < 0 ? 0u - (uint64_t)v : (uint64_t)v);
	w->len = (size_t)(p - w->buf);
}

SC__JSONW_INLINE void
sc_jsonw_kbool(struct sc_jsonw *w, const char *key, bool v)
{
	size_t n = strlen(key);
	char *p = sc__jsonw_member(w, key, n, 5);

	if (!p) {
		sc__jsonw_key_slow(w, key, n);
		sc_jsonw_bool(w, v);
		return;
	}
	if (v) {
		memcpy(p, "true", 4);
		p += 4;
	} else {
		memcpy(p, "false", 5);
		p += 5;
	}
	w->len = (size_t)(p - w->buf);
}

/*
 * A cursor: the items of a container written compact through a pointer
 * held by the caller, in a local struct cursor (passed by value between
 * functions, so that it stays in registers), instead of through the
 * writer's state for each one. Where items start lines (@p is NULL), each
 * goes through the writer as above. Between sc_jsonc_open() and
 * sc_jsonc_close(), only the cursor writes to @w.
 */
struct sc_jsonc {
	struct sc_jsonw *w;
	char *p;    /* where the next byte goes; NULL: through the writer */
	bool first; /* no item in the current container yet */
};

/* A cursor for the items of @w's current container (just begun). */
SC__JSONW_INLINE struct sc_jsonc
sc_jsonc_open(struct sc_jsonw *w)
{
	struct sc_jsonc c = { .w = w, .p = NULL, .first = w->first[w->depth] };

	if (w->depth > w->lines && !w->after_key)
		c.p = w->buf + w->len;
	return c;
}

/* Back to the writer, at the cursor's end. */
SC__JSONW_INLINE void
sc_jsonc_close(struct sc_jsonc c)
{
	if (!c.p)
		return;
	c.w->len = (size_t)(c.p - c.w->buf);
	c.w->first[c.w->depth] = c.first;
}

/* The bytes so far at @p handed over: where the next ones go. */
char *sc__jsonc_flush(struct sc_jsonw *w, char *p);

/* Room for @n more bytes (n <= SC_JSONW_BUF) at the cursor. */
SC__JSONW_INLINE char *
sc__jsonc_room(struct sc_jsonc *c, size_t n)
{
	if ((size_t)(c->w->buf + SC_JSONW_BUF - c->p) < n)
		c->p = sc__jsonc_flush(c->w, c->p);
	return c->p;
}

/* "s" escaped at @p (_upto: up to a NUL byte among the @len); where the
 * next byte goes. */
char *sc__jsonc_escaped(struct sc_jsonw *w, char *p, const char *s, size_t len,
                        bool upto);

/* The separator and key of a member with a value of at most @vmax bytes
 * (a cursor with a pointer); where the value goes. */
SC__JSONW_INLINE char *
sc__jsonc_member(struct sc_jsonc *c, const char *key, size_t n, size_t vmax)
{
	char *p = sc__jsonc_room(c, n + 4 + vmax);

	*p = ',';
	p += !c->first;
	c->first = false;
	p[0] = '"';
	memcpy(p + 1, key, n);
	p[n + 1] = '"';
	p[n + 2] = ':';
	return p + n + 3;
}

/* The separator of an item of at most @vmax bytes in an array. */
SC__JSONW_INLINE char *
sc__jsonc_item(struct sc_jsonc *c, size_t vmax)
{
	char *p = sc__jsonc_room(c, 1 + vmax);

	*p = ',';
	p += !c->first;
	c->first = false;
	return p;
}

/* sc_jsonw_tell() at the cursor. */
SC__JSONW_INLINE uint64_t
sc_jsonc_tell(const struct sc_jsonc *c)
{
	if (!c->p)
		return sc_jsonw_tell(c->w);
	return c->w->handed + (uint64_t)(c->p - c->w->buf);
}

SC__JSONW_INLINE void
sc_jsonc_kuint(struct sc_jsonc *c, const char *key, uint64_t v)
{
	char *p;

	if (!c->p) {
		sc_jsonw_kuint(c->w, key, v);
		return;
	}
	p = sc__jsonc_member(c, key, strlen(key), 20);
	if (v < 10)
		*p++ = (char)('0' + v);
	else
		p = sc__jsonw_digits(p, v);
	c->p = p;
}

SC__JSONW_INLINE void
sc_jsonc_kint(struct sc_jsonc *c, const char *key, int64_t v)
{
	char *p;

	if (!c->p) {
		sc_jsonw_kint(c->w, key, v);
		return;
	}
	p = sc__jsonc_member(c, key, strlen(key), 21);
	*p = '-';
	p += v < 0;
	c->p = sc__jsonw_digits(p, v < 0 ? 0u - (uint64_t)v : (uint64_t)v);
}

SC__JSONW_INLINE void
sc_jsonc_kbool(struct sc_jsonc *c, const char *key, bool v)
{
	char *p;

	if (!c->p) {
		sc_jsonw_kbool(c->w, key, v);
		return;
	}
	p = sc__jsonc_member(c, key, strlen(key), 5);
	if (v) {
		memcpy(p, "true", 4);
		p += 4;
	} else {
		memcpy(p, "false", 5);
		p += 5;
	}
	c->p = p;
}

/* The member @key: null. */
SC__JSONW_INLINE void
sc_jsonc_knull(struct sc_jsonc *c, const char *key)
{
	char *p;

	if (!c->p) {
		sc_jsonw_kstr(c->w, key, NULL);
		return;
	}
	p = sc__jsonc_member(c, key, strlen(key), 4);
	memcpy(p, "null", 4);
	c->p = p + 4;
}

/* A string escaped (NULL: null) as a member's value. */
SC__JSONW_INLINE void
sc_jsonc_kstr(struct sc_jsonc *c, const char *key, const char *s)
{
	char *p;

	if (!c->p) {
		sc_jsonw_kstr(c->w, key, s);
		return;
	}
	if (!s) {
		sc_jsonc_knull(c, key);
		return;
	}
	p = sc__jsonc_member(c, key, strlen(key), 0);
	c->p = sc__jsonc_escaped(c->w, p, s, strlen(s), false);
}

/* sc_jsonw_kstrn: the @len bytes of @s escaped, a NUL byte as \u0000. */
SC__JSONW_INLINE void
sc_jsonc_kstrn(struct sc_jsonc *c, const char *key, const char *s, size_t len)
{
	char *p;

	if (!c->p) {
		sc_jsonw_key(c->w, key);
		sc_jsonw_stringn(c->w, s, len);
		return;
	}
	p = sc__jsonc_member(c, key, strlen(key), 0);
	c->p = sc__jsonc_escaped(c->w, p, s, len, false);
}

/* sc_jsonw_kstr_upto() at the cursor. */
SC__JSONW_INLINE void
sc_jsonc_kstr_upto(struct sc_jsonc *c, const char *key, const char *s,
                   size_t len)
{
	char *p;

	if (!c->p) {
		sc_jsonw_kstr_upto(c->w, key, s, len);
		return;
	}
	if (!s) {
		sc_jsonc_knull(c, key);
		return;
	}
	p = sc__jsonc_member(c, key, strlen(key), 0);
	c->p = sc__jsonc_escaped(c->w, p, s, len, true);
}

/* A plain string (sc_jsonw_plainn) as a member's value. */
SC__JSONW_INLINE void
sc_jsonc_kplainn(struct sc_jsonc *c, const char *key, const char *s, size_t len)
{
	char *p;

	if (!c->p) {
		sc_jsonw_kplainn(c->w, key, s, len);
		return;
	}
	if (len > SC__JSONW_INLINE_MAX) {
		/* plain: escaping leaves it as it is */
		p = sc__jsonc_member(c, key, strlen(key), 0);
		c->p = sc__jsonc_escaped(c->w, p, s, len, false);
		return;
	}
	p = sc__jsonc_member(c, key, strlen(key), len + 2);
	p[0] = '"';
	memcpy(p + 1, s, len);
	p[len + 1] = '"';
	c->p = p + len + 2;
}

/* An escaped string (NULL: null) as an item of an array. */
SC__JSONW_INLINE void
sc_jsonc_string(struct sc_jsonc *c, const char *s)
{
	char *p;

	if (!c->p) {
		sc_jsonw_string(c->w, s);
		return;
	}
	if (!s) {
		p = sc__jsonc_item(c, 4);
		memcpy(p, "null", 4);
		c->p = p + 4;
		return;
	}
	p = sc__jsonc_item(c, 0);
	c->p = sc__jsonc_escaped(c->w, p, s, strlen(s), false);
}

SC__JSONW_INLINE void
sc_jsonc_uint(struct sc_jsonc *c, uint64_t v)
{
	char *p;

	if (!c->p) {
		sc_jsonw_uint(c->w, v);
		return;
	}
	p = sc__jsonc_item(c, 20);
	if (v < 10)
		*p++ = (char)('0' + v);
	else
		p = sc__jsonw_digits(p, v);
	c->p = p;
}

/* A member's key alone: the next item written is its value. */
SC__JSONW_INLINE void
sc_jsonc_key(struct sc_jsonc *c, const char *key)
{
	if (!c->p) {
		sc_jsonw_key(c->w, key);
		return;
	}
	c->p = sc__jsonc_member(c, key, strlen(key), 0);
	c->first = true; /* the value takes no comma */
}

/* Containers: as the value of member @key, or (key NULL) as an item. */
SC__JSONW_INLINE void
sc__jsonc_begin(struct sc_jsonc *c, const char *key, char open)
{
	char *p;

	if (!c->p) {
		if (key)
			sc_jsonw_key(c->w, key);
		if (open == '{')
			sc_jsonw_begin_object(c->w);
		else
			sc_jsonw_begin_array(c->w);
		return;
	}
	p = key ? sc__jsonc_member(c, key, strlen(key), 1)
	        : sc__jsonc_item(c, 1);
	*p = open;
	c->p = p + 1;
	c->first = true;
}

SC__JSONW_INLINE void
sc__jsonc_end(struct sc_jsonc *c, char close)
{
	char *p;

	if (!c->p) {
		if (close == '}')
			sc_jsonw_end_object(c->w);
		else
			sc_jsonw_end_array(c->w);
		return;
	}
	p = sc__jsonc_room(c, 1);
	*p = close;
	c->p = p + 1;
	c->first = false;
}

SC__JSONW_INLINE void
sc_jsonc_begin_object(struct sc_jsonc *c, const char *key)
{
	sc__jsonc_begin(c, key, '{');
}

SC__JSONW_INLINE void
sc_jsonc_end_object(struct sc_jsonc *c)
{
	sc__jsonc_end(c, '}');
}

SC__JSONW_INLINE void
sc_jsonc_begin_array(struct sc_jsonc *c, const char *key)
{
	sc__jsonc_begin(c, key, '[');
}

SC__JSONW_INLINE void
sc_jsonc_end_array(struct sc_jsonc *c)
{
	sc__jsonc_end(c, ']');
}

#endif /* SC_JSONW_H */
