/* fuzz_websocket.c - SIP over WebSocket (RFC 7118) on a TCP flow
 *
 * The target opens a connection on port 80, sends a valid HTTP upgrade
 * request and its 101 answer (RFC 6455 4), then feeds the input as
 * in-order segments, so the fuzzer spends its time on WebSocket framing
 * (lengths, masks, fragmentation, control frames) and the SIP inside.
 * Input: records (fuzz_seq.h) with a 1-byte header: bit 0 server to
 * client, bit 1 skip 100 bytes first (a hole), bit 2 FIN after, bits 3-7
 * clock advance in 100 ms steps.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>

#include "sipcause/reassembly/tcpstream.h"
#include "fuzz_seq.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char upgrade[] =
	"GET / HTTP/1.1\r\nHost: sip.example.com\r\n"
	"Upgrade: websocket\r\nConnection: Upgrade\r\n"
	"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
	"Sec-WebSocket-Protocol: sip\r\nSec-WebSocket-Version: 13\r\n\r\n";
static const char accept_101[] =
	"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
	"Connection: Upgrade\r\n"
	"Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n"
	"Sec-WebSocket-Protocol: sip\r\n\r\n";

struct conn {
	struct sc_tcp *t;
	struct sc_endpoint ep[2];   /* client, server */
	uint32_t seq[2];
	int64_t ts;
	uint64_t frame;
	unsigned sum;
};

static void
sink(void *ctx, const struct sc_rawmsg *m)
{
	unsigned *sum = ctx;

	if (m->len == 0 || m->nframes == 0)
		abort();
	for (size_t i = 0; i < m->len; i++)
		*sum += m->data[i];
}

static enum sc_err
send_seg(struct conn *c, int dir, uint8_t flags, const uint8_t *p,
	 size_t len)
{
	struct sc_pkt pkt;

	memset(&pkt, 0, sizeof(pkt));
	pkt.frame = ++c->frame;
	pkt.ts_ns = c->ts;
	pkt.src = c->ep[dir];
	pkt.dst = c->ep[!dir];
	pkt.ipproto = SC_IPPROTO_TCP;
	pkt.tcp_flags = flags;
	pkt.tcp_seq = c->seq[dir];
	pkt.payload = p;
	pkt.len = len;
	pkt.wire_len = len;
	c->seq[dir] += (uint32_t)len + (flags & (SC_TCP_SYN | SC_TCP_FIN) ?
					 1u : 0u);
	return sc_tcp_add(c->t, &pkt, sink, &c->sum);
}

static enum sc_err
handshake(struct conn *c)
{
	enum sc_err err;

	c->seq[0] = 1000;
	c->seq[1] = 5000;
	err = send_seg(c, 0, SC_TCP_SYN, NULL, 0);
	if (err == SC_OK)
		err = send_seg(c, 1, SC_TCP_SYN | SC_TCP_ACK, NULL, 0);
	if (err == SC_OK)
		err = send_seg(c, 0, SC_TCP_ACK | SC_TCP_PSH,
			       (const uint8_t *)upgrade, sizeof(upgrade) - 1);
	if (err == SC_OK)
		err = send_seg(c, 1, SC_TCP_ACK | SC_TCP_PSH,
			       (const uint8_t *)accept_101,
			       sizeof(accept_101) - 1);
	return err;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct conn c = { .ts = 1000000000 };
	struct fuzz_rec r;

	c.t = sc_tcp_new(NULL);
	if (!c.t)
		return 0;
	fuzz_endpoint(&c.ep[0], 0, 0, 50000);
	fuzz_endpoint(&c.ep[1], 3, 0, 80);
	if (handshake(&c) != SC_OK)
		goto out;
	while (fuzz_rec_next(&data, &size, 1, &r)) {
		unsigned h = r.head[0];
		int dir = h & 1;
		enum sc_err err;

		c.ts += (int64_t)(h >> 3) * 100000000;
		if (h & 2)
			c.seq[dir] += 100;
		err = send_seg(&c, dir, (uint8_t)(SC_TCP_ACK |
				 (h & 4 ? SC_TCP_FIN : 0)), r.payload, r.len);
		fuzz_rec_done(&r);
		if (err != SC_OK)
			break;
	}
out:
	sc_tcp_flush(c.t, sink, &c.sum);
	sc_tcp_free(c.t);
	return (int)(c.sum & 0);
}
