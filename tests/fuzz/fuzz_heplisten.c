/* fuzz_heplisten.c - the HEP collector's input path over real sockets
 *
 * Two listeners on 127.0.0.1 (UDP and TCP, ports chosen by the kernel)
 * live for the process. Input: byte 0 bit 0 clear: the rest is sent as
 * UDP datagrams cut by records (fuzz_seq.h, no header); set: the rest is
 * written on a new TCP connection to the collector (its HEP3 stream
 * framing), in pieces cut at the lengths of the records, and the
 * connection is closed. Frames returned are decoded; the target drains
 * the listener until it is idle so that no state leaks to the next input.
 */
#include "config.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "sipcause/capture/hep_listen.h"
#include "sipcause/decode/decode.h"
#include "fuzz_seq.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct sc_hep_listener *udp_l, *tcp_l;

static int
client(int type, uint16_t port)
{
	struct sockaddr_in sa = { .sin_family = AF_INET,
				  .sin_port = htons(port) };
	int fd = socket(AF_INET, type, 0);

	if (fd < 0)
		return -1;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
		close(fd);
		return -1;
	}
	return fd;
}

/*
 * Take frames until the listener has nothing for a few polls. Loopback
 * sends are queued before send() returns, so polls need not wait; a TCP
 * connection takes one poll to be accepted and one to be read.
 */
static void
drain(struct sc_hep_listener *l)
{
	struct sc_frame f;
	struct sc_pkt pkt;
	int idle = 0;

	while (idle < 4) {
		if (sc_hep_listen_next(l, 0, &f) != SC_OK) {
			idle++;
			continue;
		}
		idle = 0;
		if (sc_decode_frame(&f, &pkt) == SC_OK && pkt.len > pkt.wire_len)
			abort();
	}
}

static void
send_all(struct sc_hep_listener *l, int type, const uint8_t *data,
	 size_t size)
{
	int fd = client(type, sc_hep_listen_port(l));
	struct fuzz_rec r;

	if (fd < 0)
		return;
	while (fuzz_rec_next(&data, &size, 0, &r)) {
		/* a full socket buffer only drops datagrams: fine */
		(void)!send(fd, r.payload, r.len, MSG_NOSIGNAL | MSG_DONTWAIT);
		fuzz_rec_done(&r);
		if (type == SOCK_DGRAM)
			drain(l);
	}
	close(fd);
	drain(l);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!udp_l && (sc_hep_listen_open(&udp_l, "udp:127.0.0.1:0", 4) !=
		       SC_OK ||
		       sc_hep_listen_open(&tcp_l, "tcp:127.0.0.1:0", 4) !=
		       SC_OK))
		abort();
	if (size < 1)
		return 0;
	if (data[0] & 1)
		send_all(tcp_l, SOCK_STREAM, data + 1, size - 1);
	else
		send_all(udp_l, SOCK_DGRAM, data + 1, size - 1);
	return 0;
}
