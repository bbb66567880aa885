/* fuzz_tcp.c - TCP reassembly and stream framing fed packet sequences
 *
 * Input: records (fuzz_seq.h) with a 7-byte header:
 *   sel    bits 0-1 connection (4), bit 2 server to client, bit 3 server
 *          port 5060 (else 8080, not a SIP port), bit 4 IPv6; in the
 *          FIRST record only, bit 5 a flow cap of 3 directions and bit 6
 *          tiny buffers (2 KiB a direction, 8 KiB in all, 4 queued)
 *   flags  TCP flags (SYN, FIN, RST...)
 *   seq    32-bit sequence number, big-endian, as on the wire
 *   dt     capture clock advance in 100 ms steps; 255 also expires idle
 *          flows (after 400 s)
 * then the segment payload. Every message emitted is read whole.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>

#include "sipcause/reassembly/tcpstream.h"
#include "fuzz_seq.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static bool
sip_port(const void *ctx, uint16_t port)
{
	(void)ctx;
	return port == 5060 || port == 5061;
}

/* Read every byte of a message so that ASan checks it, check invariants. */
static void
sink(void *ctx, const struct sc_rawmsg *m)
{
	unsigned *sum = ctx;

	if (m->len == 0 || m->nframes == 0 || !m->frames)
		abort();
	for (size_t i = 0; i < m->len; i++)
		*sum += m->data[i];
#ifndef FUZZ_LAX_FRAMES   /* defined for a run past the known finding */
	for (size_t i = 1; i < m->nframes; i++)
		if (m->frames[i - 1] >= m->frames[i])
			abort();
#endif
}

static void
packet(struct sc_pkt *pkt, const struct fuzz_rec *r, int64_t ts)
{
	unsigned sel = r->head[0], conn = sel & 3;
	int v6 = (sel & 0x10) != 0;
	struct sc_endpoint client, server;

	fuzz_endpoint(&client, conn, v6, (uint16_t)(40000 + conn));
	fuzz_endpoint(&server, 3, v6, sel & 8 ? 5060 : 8080);
	memset(pkt, 0, sizeof(*pkt));
	pkt->ts_ns = ts;
	pkt->src = sel & 4 ? server : client;
	pkt->dst = sel & 4 ? client : server;
	pkt->ipproto = SC_IPPROTO_TCP;
	pkt->tcp_flags = r->head[1];
	pkt->tcp_seq = (uint32_t)r->head[2] << 24 | (uint32_t)r->head[3] << 16 |
		       (uint32_t)r->head[4] << 8 | r->head[5];
	pkt->payload = r->payload;
	pkt->len = r->len;
	pkt->wire_len = r->len;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sc_tcp_limits lim = { .is_sip_port = sip_port };
	struct fuzz_rec r;
	struct sc_pkt pkt;
	struct sc_tcp *t;
	int64_t ts = 1000000000;
	uint64_t frame = 0;
	unsigned sum = 0;

	if (size > 0 && (data[0] & 0x20))
		lim.max_flows = 3;
	if (size > 0 && (data[0] & 0x40)) {
		lim.max_buffer = 2048;
		lim.max_total = 8192;
		lim.max_ooo = 4;
	}
	t = sc_tcp_new(&lim);
	if (!t)
		return 0;
	while (fuzz_rec_next(&data, &size, 7, &r)) {
		unsigned dt = r.head[6];

		ts += dt == 255 ? 400000000000 : (int64_t)dt * 100000000;
		packet(&pkt, &r, ts);
		pkt.frame = ++frame;
		if (dt == 255)
			sc_tcp_expire(t, ts, sink, &sum);
		if (sc_tcp_add(t, &pkt, sink, &sum) != SC_OK) {
			fuzz_rec_done(&r);
			break;
		}
		fuzz_rec_done(&r);
	}
	sc_tcp_flush(t, sink, &sum);
	(void)sc_tcp_stats(t);
	sc_tcp_free(t);
	return (int)(sum & 0);
}
