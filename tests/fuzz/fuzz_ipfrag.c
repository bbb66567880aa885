/* fuzz_ipfrag.c - IPv4/IPv6 fragment reassembly fed fragment sequences
 *
 * Input: records (fuzz_seq.h) with a 4-byte header:
 *   sel    bits 0-1 source host, bit 2 IPv6, bits 3-7 datagram id (32)
 *   flags  bit 0 more fragments, bit 1 TCP (else UDP), bit 7 the capture
 *          cut this fragment (wire length 100 bytes longer); bits 2-6
 *          clock advance in 1 s steps, 31 also expiring old datagrams
 *   off    fragment offset in 8-byte units (13 bits), big-endian
 * then the fragment data. Small limits (8 datagrams, 16 fragments each)
 * keep the eviction paths busy. A completed datagram goes on through
 * sc_decode_transport() as in the analyzer.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>

#include "sipcause/reassembly/ipfrag.h"
#include "fuzz_seq.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
packet(struct sc_pkt *pkt, const struct fuzz_rec *r, int64_t ts)
{
	unsigned sel = r->head[0], flags = r->head[1];
	int v6 = (sel & 4) != 0;

	memset(pkt, 0, sizeof(*pkt));
	pkt->ts_ns = ts;
	fuzz_endpoint(&pkt->src, sel & 3, v6, 0);
	fuzz_endpoint(&pkt->dst, 3, v6, 0);
	pkt->ipproto = flags & 2 ? SC_IPPROTO_TCP : SC_IPPROTO_UDP;
	pkt->has_ip_id = !v6;
	pkt->ip_id = (uint16_t)(sel >> 3);
	pkt->is_fragment = true;
	pkt->frag.id = sel >> 3;
	pkt->frag.offset = (((uint32_t)r->head[2] << 8 | r->head[3]) & 0x1fff)
			   * 8;
	pkt->frag.more = flags & 1;
	pkt->payload = r->payload;
	pkt->len = r->len;
	pkt->wire_len = r->len + (flags & 0x80 ? 100 : 0);
	pkt->truncated = (flags & 0x80) != 0;
}

static void
complete(const struct sc_pkt *pkt, const struct sc_datagram *d)
{
	struct sc_pkt whole = *pkt;
	unsigned sum = 0;

	if (d->nframes == 0 || !d->frames)
		abort();
	for (size_t i = 1; i < d->nframes; i++)
		if (d->frames[i - 1] >= d->frames[i])
			abort();
	for (size_t i = 0; i < d->len; i++)
		sum += d->p[i];
	whole.is_fragment = false;
	whole.truncated = d->truncated;
	if (sc_decode_transport(&whole, d->ipproto, d->p, d->len) == SC_OK &&
	    !whole.is_fragment && whole.len > whole.wire_len)
		abort();
	(void)sum;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sc_ipfrag_limits lim = { .max_pending = 8,
					.max_fragments = 16 };
	struct sc_ipfrag *fr = sc_ipfrag_new(&lim);
	struct fuzz_rec r;
	int64_t ts = 1000000000;
	uint64_t frame = 0;

	if (!fr)
		return 0;
	while (fuzz_rec_next(&data, &size, 4, &r)) {
		unsigned dt = (r.head[1] >> 2) & 31;
		struct sc_datagram d;
		struct sc_pkt pkt;
		enum sc_err err;

		ts += (int64_t)dt * 1000000000;
		if (dt == 31)
			sc_ipfrag_expire(fr, ts);
		packet(&pkt, &r, ts);
		pkt.frame = ++frame;
		err = sc_ipfrag_add(fr, &pkt, &d);
		if (err == SC_OK)
			complete(&pkt, &d);
		fuzz_rec_done(&r);
		if (err == SC_ENOMEM)
			break;
	}
	(void)sc_ipfrag_stats(fr);
	(void)sc_ipfrag_pending(fr);
	sc_ipfrag_free(fr);
	return 0;
}
