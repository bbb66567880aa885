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
	char buf[SC_JSONW_BUF];
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

/* Object member name, one of ours: plain ASCII without '"', '\\' or
 * controls (written as is, not escaped); the next call writes its value.
 * Inline so that a literal's length is known when compiling: a JSON
 * call object has about a hundred keys. */
void sc_jsonw_keyn(struct sc_jsonw *w, const char *key, size_t len);

static inline void
sc_jsonw_key(struct sc_jsonw *w, const char *key)
{
	sc_jsonw_keyn(w, key, strlen(key));
}

/* Values. A NULL string writes null. */
void sc_jsonw_string(struct sc_jsonw *w, const char *s);
void sc_jsonw_stringn(struct sc_jsonw *w, const char *s, size_t len);
/* A string the caller made of printable ASCII without '"' or '\\' (a
 * time, an address): written as it is, not scanned for escapes. */
void sc_jsonw_plainn(struct sc_jsonw *w, const char *s, size_t len);
void sc_jsonw_int(struct sc_jsonw *w, int64_t v);
void sc_jsonw_uint(struct sc_jsonw *w, uint64_t v);
void sc_jsonw_bool(struct sc_jsonw *w, bool v);
void sc_jsonw_null(struct sc_jsonw *w);

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

/* Shorthands for a key followed by a value. */
static inline void
sc_jsonw_kstr(struct sc_jsonw *w, const char *key, const char *s)
{
	sc_jsonw_key(w, key);
	sc_jsonw_string(w, s);
}

static inline void
sc_jsonw_kint(struct sc_jsonw *w, const char *key, int64_t v)
{
	sc_jsonw_key(w, key);
	sc_jsonw_int(w, v);
}

static inline void
sc_jsonw_kuint(struct sc_jsonw *w, const char *key, uint64_t v)
{
	sc_jsonw_key(w, key);
	sc_jsonw_uint(w, v);
}

static inline void
sc_jsonw_kbool(struct sc_jsonw *w, const char *key, bool v)
{
	sc_jsonw_key(w, key);
	sc_jsonw_bool(w, v);
}

#endif /* SC_JSONW_H */
