/* escape.h - make wire text safe to print (terminals, JSON, CSV, HTML) */
#ifndef SC_ESCAPE_H
#define SC_ESCAPE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/*
 * Length of the valid UTF-8 sequence at @p (1..4), or 0 when the bytes
 * there are not valid UTF-8 (overlong forms, surrogates and code points
 * above U+10FFFF are invalid). *cp receives the code point.
 */
size_t sc_utf8_decode(const uint8_t *p, size_t len, uint32_t *cp);

/*
 * Write @s to @out so that a hostile capture cannot control a terminal:
 * printable ASCII and valid UTF-8 pass; C0 and C1 controls, DEL and
 * invalid bytes become \xHH (and a backslash becomes \\). NULL prints as
 * "-". Returns nothing: output errors are checked on the stream.
 */
void sc_escape_text(FILE *out, const char *s);

/* The same for @len bytes that may contain NULs. */
void sc_escape_textn(FILE *out, const char *s, size_t len);

/*
 * Escape @s as sc_escape_text() would, into @buf of @len bytes (always
 * NUL-terminated; cut short when it does not fit). Returns @buf.
 */
char *sc_escape_buf(char *buf, size_t len, const char *s);

#endif /* SC_ESCAPE_H */
