/* dynbuf.h - growable byte buffer with a hard cap (curl dynbuf semantics) */
#ifndef SC_DYNBUF_H
#define SC_DYNBUF_H

#include <stddef.h>
#include <stdint.h>

#include "sipcause/util/compiler.h"
#include "sipcause/util/error.h"

/*
 * A buffer that grows on demand up to @cap bytes, chosen per use (a TCP
 * backlog, a reassembled datagram, an output line). Appending past the cap
 * fails with SC_ELIMIT and leaves the content unchanged; running out of
 * memory frees the buffer (it is never left half-valid).
 */
struct sc_dynbuf {
	uint8_t *p;
	size_t len;
	size_t alloc;
	size_t cap;
};

/* Initialise an empty buffer that may hold at most @cap bytes. */
void sc_dynbuf_init(struct sc_dynbuf *b, size_t cap);

/* Release the memory; the buffer is empty and reusable afterwards. */
void sc_dynbuf_fini(struct sc_dynbuf *b);

/* Append @len bytes. SC_ELIMIT past the cap, SC_ENOMEM (buffer freed). */
enum sc_err sc_dynbuf_add(struct sc_dynbuf *b, const void *p,
                          size_t len) SC_WARN_UNUSED;

/* Append formatted text (NUL not counted in len). Same errors. */
enum sc_err sc_dynbuf_printf(struct sc_dynbuf *b, const char *fmt, ...)
        SC_PRINTF(2, 3) SC_WARN_UNUSED;

/* Drop the first @n bytes (consumed from the front), keeping the rest. */
void sc_dynbuf_consume(struct sc_dynbuf *b, size_t n);

/* Empty the buffer without releasing memory. */
void sc_dynbuf_reset(struct sc_dynbuf *b);

#endif /* SC_DYNBUF_H */
