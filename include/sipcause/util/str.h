/* str.h - string views over wire text and bounded parsers (curl strparse) */
#ifndef SC_STR_H
#define SC_STR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * A borrowed view of text that is not NUL-terminated (wire bytes). Views
 * are never stored beyond the life of the bytes they point into.
 */
struct sc_str {
	const char *p;
	size_t len;
};

#define SC_STR_LIT(s) ((struct sc_str){ (s), sizeof(s) - 1 })

static inline struct sc_str
sc_str_make(const char *p, size_t len)
{
	struct sc_str s = { p, len };
	return s;
}

/* A view of a NUL-terminated string; NULL gives the empty view. */
struct sc_str sc_str_from_cstr(const char *s);

/* Case-insensitive ASCII comparison of two views; true when equal. */
bool sc_str_caseeq(struct sc_str a, struct sc_str b);

/* Case-insensitive ASCII comparison with a C string. */
bool sc_str_caseeq_cstr(struct sc_str a, const char *b);

/* True when @s starts with @prefix, ASCII case-insensitively. */
bool sc_str_has_prefix_nocase(struct sc_str s, const char *prefix);

/*
 * SP or HT. A byte is first tested for being past ' ', which nearly
 * every byte that ends a run of blanks is: one comparison, not two.
 */
static inline bool
sc_ascii_is_blank(char c)
{
	return (unsigned char)c <= ' ' && (c == ' ' || c == '\t');
}

/* [@p, @end) without the SP and HT around it; @p is not NULL. */
static inline struct sc_str
sc_str_trim_span(const char *p, const char *end)
{
	while (p < end && sc_ascii_is_blank(*p))
		p++;
	while (end > p && sc_ascii_is_blank(end[-1]))
		end--;
	return sc_str_make(p, (size_t)(end - p));
}

/* Remove leading and trailing spaces and tabs (inline: it runs on every
 * header line). */
static inline struct sc_str
sc_str_trim(struct sc_str s)
{
	return s.len ? sc_str_trim_span(s.p, s.p + s.len) : s;
}

/*
 * Parse a decimal unsigned integer that fills the whole view (after
 * trimming spaces), at most @max. Rejects signs, empty input, overflow.
 * Returns true and stores the value on success; leaves *v untouched on
 * failure.
 */
bool sc_str_to_u64(struct sc_str s, uint64_t max, uint64_t *v);

/*
 * Parse a leading decimal number from @s (digits only, at most @max),
 * storing in *used how many bytes it took. False when no digit leads or
 * the value exceeds @max.
 */
bool sc_str_lead_u64(struct sc_str s, uint64_t max, uint64_t *v, size_t *used);

/*
 * Find @needle in @hay (both views), ASCII case-insensitively when
 * @nocase. Returns the offset or SIZE_MAX when absent.
 */
size_t sc_str_find(struct sc_str hay, struct sc_str needle, bool nocase);

/*
 * sc_put_decimal - @v in decimal at @p, zero-padded to at least @width
 * digits (at most 20 bytes), no NUL; returns the end. For formatting on
 * hot paths (a timestamp, an address of every message) without the
 * cost of snprintf's format parsing.
 */
char *sc_put_decimal(char *p, uint64_t v, int width);

/* ASCII-only case folding and classes, independent of the locale. */
static inline char
sc_ascii_lower(char c)
{
	return (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
}

static inline bool
sc_ascii_is_digit(int c)
{
	return c >= '0' && c <= '9';
}

static inline bool
sc_ascii_is_upper(int c)
{
	return c >= 'A' && c <= 'Z';
}

/* RFC 3261 token characters (method names, header names). */
bool sc_ascii_is_token(int c);

/*
 * Packing: moving malloc'd strings into one block sized beforehand, so a
 * record kept for the whole run costs one allocation for its texts
 * instead of one per text. @next is where the next text goes.
 */
struct sc_strpack {
	char *next;
};

/* Bytes a NUL-terminated text takes in a block (0 for NULL). */
size_t sc_strpack_size(const char *s);

/* Copy @n bytes of @s into the block; returns the copy (NULL for
 * NULL). */
char *sc_strpack_copy(struct sc_strpack *k, const char *s, size_t n);

/* Move @n bytes of @s into the block and free @s; returns the copy
 * (NULL for NULL). */
char *sc_strpack_bytes(struct sc_strpack *k, char *s, size_t n);

/* The same for a NUL-terminated text. */
char *sc_strpack_text(struct sc_strpack *k, char *s);

#endif /* SC_STR_H */
