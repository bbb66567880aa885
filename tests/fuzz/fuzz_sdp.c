/* fuzz_sdp.c - SDP bodies (RFC 4566), alone and found in message bodies
 *
 * Input: byte 0 bit 0 set: the rest is an SDP body for sc_sdp_parse();
 * clear: the rest is a Content-Type value up to the first LF, then a
 * body for sc_sdp_from_body() (multipart parts, "v=0" sniffing). Every
 * string of the summary is read to its NUL.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sipcause/sip/sipmsg.h"
#include "sipcause/util/arena.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static size_t
touch(const char *s)
{
	return s ? strlen(s) : 0;
}

static void
check(const struct sc_sdp *sdp)
{
	size_t n = touch(sdp->conn) + touch(sdp->origin);

	if (sdp->nmedia > SC_SDP_MAX_MEDIA || (sdp->nmedia && !sdp->media))
		abort();
	for (size_t i = 0; i < sdp->nmedia; i++) {
		const struct sc_sdp_media *m = &sdp->media[i];

		n += touch(m->type) + touch(m->proto) + touch(m->codecs) +
		     touch(m->conn) + touch(m->direction);
	}
	(void)n;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sc_arena a;
	struct sc_sdp *sdp = NULL;
	char *copy;
	size_t n;
	enum sc_err err;

	if (size < 1)
		return 0;
	n = size - 1;
	copy = malloc(n ? n : 1);   /* exact size: overreads are caught */
	if (!copy)
		return 0;
	memcpy(copy, data + 1, n);
	sc_arena_init(&a, 64);      /* small chunks: every size path */
	if (data[0] & 1) {
		err = sc_sdp_parse(copy, n, &a, &sdp);
	} else {
		const char *lf = memchr(copy, '\n', n);
		size_t clen = lf ? (size_t)(lf - copy) : n;
		size_t skip = lf ? clen + 1 : n;

		err = sc_sdp_from_body(clen ? copy : NULL, clen, copy + skip,
				       n - skip, &a, &sdp);
	}
	if (err == SC_OK && sdp)
		check(sdp);
	sc_arena_fini(&a);
	free(copy);
	return 0;
}
