/* fuzz_seq.h - cut a fuzz input into a sequence of packet records
 *
 * The stateful targets (ipfrag, tcp, sctp) read their input as records:
 * a fixed header of @hlen bytes that the target interprets, a 16-bit
 * big-endian payload length, then the payload (cut short at the end of
 * the input). tests/fuzz/seeds.py writes the same records from captures.
 * Every payload is copied into an exact-size heap buffer so that ASan
 * sees any read past it.
 */
#ifndef SC_FUZZ_SEQ_H
#define SC_FUZZ_SEQ_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sipcause/decode/decode.h"

struct fuzz_rec {
	const uint8_t *head;   /* @hlen bytes */
	uint8_t *payload;      /* heap copy, free with fuzz_rec_done() */
	size_t len;
};

/* Next record from *@data; 0 at the end of the input. */
static inline int
fuzz_rec_next(const uint8_t **data, size_t *size, size_t hlen,
	      struct fuzz_rec *r)
{
	size_t n;

	if (*size < hlen + 2)
		return 0;
	r->head = *data;
	n = (size_t)(*data)[hlen] << 8 | (*data)[hlen + 1];
	*data += hlen + 2;
	*size -= hlen + 2;
	if (n > *size)
		n = *size;
	r->payload = malloc(n ? n : 1);
	if (!r->payload)
		return 0;
	memcpy(r->payload, *data, n);
	r->len = n;
	*data += n;
	*size -= n;
	return 1;
}

static inline void
fuzz_rec_done(struct fuzz_rec *r)
{
	free(r->payload);
	r->payload = NULL;
}

/* Endpoint @host (0..3) of IPv4 10.0.0.x or IPv6 2001:db8::x. */
static inline void
fuzz_endpoint(struct sc_endpoint *e, unsigned host, int v6, uint16_t port)
{
	uint8_t b[16] = { 0 };

	if (v6) {
		b[0] = 0x20;
		b[1] = 0x01;
		b[2] = 0x0d;
		b[3] = 0xb8;
		b[15] = (uint8_t)(host + 1);
		sc_addr_set6(&e->addr, b);
	} else {
		b[0] = 10;
		b[3] = (uint8_t)(host + 1);
		sc_addr_set4(&e->addr, b);
	}
	e->port = port;
}

#endif /* SC_FUZZ_SEQ_H */
