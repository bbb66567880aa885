/* fuzz_sctp.c - SIP over SCTP: DATA chunk reassembly fed packet sequences
 *
 * Input: records (fuzz_seq.h) with a 2-byte header:
 *   sel    bits 0-1 association (4), bit 2 reverse direction, bit 4 IPv6
 *   dt     capture clock advance in 100 ms steps
 * then the SCTP packet from its common header (the ports in it are used
 * for the endpoints, as decode does). Messages emitted are read whole.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>

#include "sipcause/reassembly/sctp.h"
#include "fuzz_seq.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
sink(void *ctx, const struct sc_rawmsg *m)
{
	unsigned *sum = ctx;

	if (m->nframes == 0 || !m->frames)
		abort();
	for (size_t i = 0; i < m->len; i++)
		*sum += m->data[i];
}

static void
packet(struct sc_pkt *pkt, const struct fuzz_rec *r, int64_t ts)
{
	unsigned sel = r->head[0], assoc = sel & 3;
	int v6 = (sel & 0x10) != 0;
	uint16_t sport = 5060, dport = 5060;
	struct sc_endpoint a, b;

	if (r->len >= 4) {
		sport = (uint16_t)(r->payload[0] << 8 | r->payload[1]);
		dport = (uint16_t)(r->payload[2] << 8 | r->payload[3]);
	}
	fuzz_endpoint(&a, assoc, v6, sport);
	fuzz_endpoint(&b, 3, v6, dport);
	memset(pkt, 0, sizeof(*pkt));
	pkt->ts_ns = ts;
	pkt->src = sel & 4 ? b : a;
	pkt->dst = sel & 4 ? a : b;
	pkt->ipproto = SC_IPPROTO_SCTP;
	pkt->payload = r->payload;
	pkt->len = r->len;
	pkt->wire_len = r->len;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sc_sctp *s = sc_sctp_new();
	struct fuzz_rec r;
	int64_t ts = 1000000000;
	uint64_t frame = 0;
	unsigned sum = 0;

	if (!s)
		return 0;
	while (fuzz_rec_next(&data, &size, 2, &r)) {
		struct sc_pkt pkt;
		enum sc_err err;

		ts += (int64_t)r.head[1] * 100000000;
		packet(&pkt, &r, ts);
		pkt.frame = ++frame;
		err = sc_sctp_add(s, &pkt, sink, &sum);
		fuzz_rec_done(&r);
		if (err != SC_OK)
			break;
	}
	(void)sc_sctp_stats(s);
	sc_sctp_free(s);
	return (int)(sum & 0);
}
