/* fuzz_decode.c - frame decoding (link layer to transport) of any bytes
 *
 * Input: byte 0 picks the link type (low 4 bits) and whether the capture
 * cut the frame (bit 4: wire length 1000 bytes longer than the data); the
 * rest is the frame. Fragments go on through sc_decode_transport() as if
 * reassembled, ICMP packets through sc_decode_icmp_quote().
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sipcause/decode/decode.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const int linktypes[] = {
	SC_LINK_ETHERNET, SC_LINK_LINUX_SLL, SC_LINK_LINUX_SLL2, SC_LINK_NULL,
	SC_LINK_LOOP,     SC_LINK_RAW,       SC_LINK_IPV4,       SC_LINK_IPV6,
};

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sc_frame f;
	struct sc_pkt pkt;
	struct sc_icmp_quote q;
	uint8_t *copy;
	size_t n;

	if (size < 1 || size - 1 > UINT32_MAX - 1000)
		return 0;
	n = size - 1;
	/* an exact-size copy, so any overread is caught */
	copy = malloc(n ? n : 1);
	if (!copy)
		return 0;
	memcpy(copy, data + 1, n);
	memset(&f, 0, sizeof(f));
	f.number = 1;
	f.caplen = (uint32_t)n;
	f.wirelen = (uint32_t)n + (data[0] & 0x10 ? 1000u : 0u);
	f.linktype = linktypes[(data[0] & 0x0f) % SC_COUNTOF(linktypes)];
	f.data = copy;
	if (sc_decode_frame(&f, &pkt) == SC_OK) {
		if (pkt.len > pkt.wire_len)
			abort();
		if (pkt.is_fragment && pkt.frag.offset == 0)
			(void)!sc_decode_transport(&pkt, pkt.ipproto,
			                           pkt.payload, pkt.len);
		else if (sc_decode_icmp_quote(&pkt, &q) == SC_OK &&
		         q.len > q.wire_len)
			abort();
	}
	free(copy);
	return 0;
}
