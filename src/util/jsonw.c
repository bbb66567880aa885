/* jsonw.c - streaming JSON writer (RFC 8259) */
#include "config.h"

#include <inttypes.h>
#include <math.h>
#include <string.h>

#include "sipcause/util/escape.h"
#include "sipcause/util/jsonw.h"

void
sc_jsonw_init(struct sc_jsonw *w, FILE *out, bool pretty)
{
	memset(w, 0, sizeof(*w));
	w->out = out;
	w->pretty = pretty;
	w->first[0] = true;
}

static void
newline(struct sc_jsonw *w)
{
	if (!w->pretty)
		return;
	fputc('\n', w->out);
	for (int i = 0; i < w->depth; i++)
		fputs("  ", w->out);
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
			fputc(',', w->out);
		newline(w);
	}
	w->first[w->depth] = false;
}

static void
open_level(struct sc_jsonw *w, char c)
{
	before_item(w);
	fputc(c, w->out);
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
		newline(w);
	fputc(c, w->out);
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

static void
write_escaped(FILE *out, const char *s, size_t len)
{
	const uint8_t *p = (const uint8_t *)s;
	size_t i = 0;

	fputc('"', out);
	while (i < len) {
		uint32_t cp = 0;
		size_t n = sc_utf8_decode(p + i, len - i, &cp);

		if (n == 0) {
			fputs("\\ufffd", out);   /* invalid byte */
			i++;
			continue;
		}
		if (cp == '"' || cp == '\\') {
			fputc('\\', out);
			fputc((int)cp, out);
		} else if (cp == '\n') {
			fputs("\\n", out);
		} else if (cp == '\r') {
			fputs("\\r", out);
		} else if (cp == '\t') {
			fputs("\\t", out);
		} else if (cp < 0x20 || cp == 0x7f ||
			   (cp >= 0x80 && cp < 0xa0)) {
			fprintf(out, "\\u%04x", (unsigned)cp);
		} else {
			fwrite(p + i, 1, n, out);
		}
		i += n;
	}
	fputc('"', out);
}

void
sc_jsonw_key(struct sc_jsonw *w, const char *key)
{
	before_item(w);
	write_escaped(w->out, key, strlen(key));
	fputs(w->pretty ? ": " : ":", w->out);
	w->after_key = true;
}

void
sc_jsonw_stringn(struct sc_jsonw *w, const char *s, size_t len)
{
	before_item(w);
	write_escaped(w->out, s, len);
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

void
sc_jsonw_int(struct sc_jsonw *w, int64_t v)
{
	before_item(w);
	fprintf(w->out, "%" PRId64, v);
}

void
sc_jsonw_uint(struct sc_jsonw *w, uint64_t v)
{
	before_item(w);
	fprintf(w->out, "%" PRIu64, v);
}

void
sc_jsonw_bool(struct sc_jsonw *w, bool v)
{
	before_item(w);
	fputs(v ? "true" : "false", w->out);
}

void
sc_jsonw_null(struct sc_jsonw *w)
{
	before_item(w);
	fputs("null", w->out);
}

void
sc_jsonw_double1(struct sc_jsonw *w, double v)
{
	before_item(w);
	if (isfinite(v))
		fprintf(w->out, "%.1f", v);
	else
		fputs("null", w->out);
}

void
sc_jsonw_kstr(struct sc_jsonw *w, const char *key, const char *s)
{
	sc_jsonw_key(w, key);
	sc_jsonw_string(w, s);
}

void
sc_jsonw_kint(struct sc_jsonw *w, const char *key, int64_t v)
{
	sc_jsonw_key(w, key);
	sc_jsonw_int(w, v);
}

void
sc_jsonw_kuint(struct sc_jsonw *w, const char *key, uint64_t v)
{
	sc_jsonw_key(w, key);
	sc_jsonw_uint(w, v);
}

void
sc_jsonw_kbool(struct sc_jsonw *w, const char *key, bool v)
{
	sc_jsonw_key(w, key);
	sc_jsonw_bool(w, v);
}
