/* fuzz_hep.c - HEP v2/v3 decoding (sc_hep_decode) and the collector's
 * conversion of one HEP packet into a raw IP frame (sc_hep_to_frame),
 * which then goes through frame decoding. Input: one HEP packet.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sipcause/capture/hep_listen.h"
#include "sipcause/decode/decode.h"
#include "sipcause/frame/carrier.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t buf[SC_HEP_FRAME_MAX];
	struct sc_hep h;
	struct sc_frame f;
	struct sc_pkt pkt;
	uint8_t *copy = malloc(size ? size : 1);
	unsigned sum = 0;

	if (!copy)
		return 0;
	memcpy(copy, data, size);   /* exact size: overreads are caught */
	if (sc_hep_decode(copy, size, &h) == SC_OK) {
		if (h.len > size || (h.len && (h.payload < copy ||
		    h.payload + h.len > copy + size)))
			abort();
		for (size_t i = 0; i < h.len; i++)
			sum += h.payload[i];
	}
	if (sc_hep_to_frame(copy, size, 1, buf, sizeof(buf), &f) == SC_OK) {
		if (f.caplen > sizeof(buf) || f.data != buf)
			abort();
		if (sc_decode_frame(&f, &pkt) == SC_OK && pkt.len > pkt.wire_len)
			abort();
	}
	free(copy);
	return (int)(sum & 0);
}
