/* dynbuf.c - growable byte buffer with a hard cap */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sipcause/util/dynbuf.h"

void
sc_dynbuf_init(struct sc_dynbuf *b, size_t cap)
{
	b->p = NULL;
	b->len = 0;
	b->alloc = 0;
	b->cap = cap;
}

void
sc_dynbuf_fini(struct sc_dynbuf *b)
{
	free(b->p);
	b->p = NULL;
	b->len = 0;
	b->alloc = 0;
}

/* Make room for @extra more bytes plus a NUL. */
static enum sc_err
reserve(struct sc_dynbuf *b, size_t extra)
{
	size_t need, alloc;
	uint8_t *p;

	if (extra > b->cap - b->len)
		return SC_ELIMIT;
	need = b->len + extra + 1;
	if (need <= b->alloc)
		return SC_OK;
	alloc = b->alloc ? b->alloc : 64;
	while (alloc < need)
		alloc = alloc > SIZE_MAX / 2 ? need : alloc * 2;
	p = realloc(b->p, alloc);
	if (!p) {
		sc_dynbuf_fini(b);
		return SC_ENOMEM;
	}
	b->p = p;
	b->alloc = alloc;
	return SC_OK;
}

enum sc_err
sc_dynbuf_add(struct sc_dynbuf *b, const void *p, size_t len)
{
	enum sc_err err = reserve(b, len);

	if (err != SC_OK)
		return err;
	if (len > 0)
		memcpy(b->p + b->len, p, len);
	b->len += len;
	b->p[b->len] = 0;
	return SC_OK;
}

enum sc_err
sc_dynbuf_printf(struct sc_dynbuf *b, const char *fmt, ...)
{
	va_list ap;
	int n;
	enum sc_err err;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return SC_EUSAGE;
	err = reserve(b, (size_t)n);
	if (err != SC_OK)
		return err;
	va_start(ap, fmt);
	vsnprintf((char *)b->p + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
	return SC_OK;
}

void
sc_dynbuf_consume(struct sc_dynbuf *b, size_t n)
{
	if (n >= b->len) {
		b->len = 0;
	} else {
		memmove(b->p, b->p + n, b->len - n);
		b->len -= n;
	}
	if (b->p)
		b->p[b->len] = 0;
}

void
sc_dynbuf_reset(struct sc_dynbuf *b)
{
	b->len = 0;
	if (b->p)
		b->p[0] = 0;
}
