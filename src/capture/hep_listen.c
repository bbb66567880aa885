/* hep_listen.c - HEP collector: UDP datagrams or TCP streams of HEP3
 *
 * Each HEP packet becomes a raw IP frame with a UDP header, so the rest
 * of the pipeline (and -w) sees the original packet. UDP is used even
 * for TCP-carried SIP: a HEP packet holds one whole message, and a
 * synthetic TCP header would need sequence numbers per flow.
 */
#include "config.h"

#include <errno.h>
#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "sipcause/capture/hep_listen.h"
#include "sipcause/frame/carrier.h"

#define CONN_BUF 65536
#define UDP_RCVBUF (8 << 20)

static void
be16(uint8_t *p, size_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static uint16_t
ip_checksum(const uint8_t *p, size_t n)
{
	uint32_t sum = 0;

	for (size_t i = 0; i + 1 < n; i += 2)
		sum += (uint32_t)(p[i] << 8 | p[i + 1]);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/* Write the IP header for @h and @ulen bytes of UDP; its length. */
static size_t
ip_header(const struct sc_hep *h, size_t ulen, uint8_t *q)
{
	if (h->src.addr.family == 6) {
		memset(q, 0, 40);
		q[0] = 0x60;
		be16(q + 4, ulen);
		q[6] = 17;
		q[7] = 64;
		memcpy(q + 8, h->src.addr.bytes, 16);
		memcpy(q + 24, h->dst.addr.bytes, 16);
		return 40;
	}
	memset(q, 0, 20);
	q[0] = 0x45;
	be16(q + 2, 20 + ulen);
	q[8] = 64;
	q[9] = 17;
	memcpy(q + 12, h->src.addr.bytes, 4);
	memcpy(q + 16, h->dst.addr.bytes, 4);
	be16(q + 10, ip_checksum(q, 20));
	return 20;
}

/*
 * HEPv2 as agents send it to a collector. The decoder used inside
 * captures also wants the header-length byte to match the family, to
 * tell HEP from other UDP; agents disagree on that byte (sngrep writes
 * the high byte of the total length there), and a datagram sent to the
 * collector's port is HEP anyway. Layout: version 2, length, family,
 * protocol, ports, addresses, then seconds, microseconds (the agent's
 * byte order: little-endian in practice), capture id and 2 bytes.
 */
static enum sc_err
decode_v2_agent(const uint8_t *p, size_t len, struct sc_hep *h)
{
	size_t alen = len >= 4 ? (p[2] == 2 ? 4 : p[2] == 10 ? 16 : 0) : 0;
	size_t off = 8 + 2 * alen;
	uint32_t sec, usec;

	memset(h, 0, sizeof(*h));
	if (len < 1 || p[0] != 2 || alen == 0)
		return SC_ENOTPROTO;
	if (len < off + 12)
		return SC_ETRUNC;
	sec = (uint32_t)p[off] | (uint32_t)p[off + 1] << 8 |
	      (uint32_t)p[off + 2] << 16 | (uint32_t)p[off + 3] << 24;
	usec = (uint32_t)p[off + 4] | (uint32_t)p[off + 5] << 8 |
	       (uint32_t)p[off + 6] << 16 | (uint32_t)p[off + 7] << 24;
	if (usec >= 1000000)
		return SC_EMALFORMED;
	if (alen == 4) {
		sc_addr_set4(&h->src.addr, p + 8);
		sc_addr_set4(&h->dst.addr, p + 12);
	} else {
		sc_addr_set6(&h->src.addr, p + 8);
		sc_addr_set6(&h->dst.addr, p + 24);
	}
	h->version = 2;
	h->ipproto = p[3];
	h->src.port = (uint16_t)(p[4] << 8 | p[5]);
	h->dst.port = (uint16_t)(p[6] << 8 | p[7]);
	h->ts_ns = (int64_t)sec * 1000000000 + (int64_t)usec * 1000;
	h->payload = p + off + 12;
	h->len = len - off - 12;
	return SC_OK;
}

enum sc_err
sc_hep_to_frame(const uint8_t *p, size_t len, int64_t now_ns, uint8_t *buf,
                size_t cap, struct sc_frame *out)
{
	struct sc_hep h;
	enum sc_err err = sc_hep_decode(p, len, &h);
	size_t ulen, hl;

	if (err == SC_ENOTPROTO)
		err = decode_v2_agent(p, len, &h);
	if (err != SC_OK)
		return err;
	/* a collector gets whole packets: the length must match exactly */
	if (h.version == 3 && ((size_t)p[4] << 8 | p[5]) != len)
		return SC_EMALFORMED;
	if (h.payload_type && h.payload_type != 1)
		return SC_EUNSUPPORTED;
	if ((h.src.addr.family != 4 && h.src.addr.family != 6) ||
	    h.src.addr.family != h.dst.addr.family)
		return SC_EMALFORMED;
	ulen = 8 + h.len;
	if (ulen > 65535 || 40 + ulen > cap)
		return SC_ELIMIT;
	hl = ip_header(&h, ulen, buf);
	be16(buf + hl, h.src.port);
	be16(buf + hl + 2, h.dst.port);
	be16(buf + hl + 4, ulen);
	be16(buf + hl + 6, 0); /* no checksum: allowed for UDP over IPv4 */
	memcpy(buf + hl + 8, h.payload, h.len);
	memset(out, 0, sizeof(*out));
	out->ts_ns = h.ts_ns ? h.ts_ns : now_ns;
	out->caplen = (uint32_t)(hl + ulen);
	out->wirelen = out->caplen;
	out->linktype = SC_LINK_RAW;
	out->data = buf;
	return SC_OK;
}

struct conn {
	int fd;
	size_t head;  /* first byte not yet taken */
	size_t len;   /* bytes buffered after head */
	uint8_t *buf; /* CONN_BUF bytes */
};

struct sc_hep_listener {
	int fd; /* UDP socket or TCP listening socket */
	bool tcp;
	uint16_t port;
	size_t max_conns;
	size_t nconns;
	struct conn *conns;
	struct pollfd *pfd; /* 1 + max_conns */
	uint64_t number;
	struct sc_hep_listen_stats st;
	uint8_t pkt[65536]; /* a received datagram / framed packet */
	uint8_t frame[SC_HEP_FRAME_MAX];
};

static int64_t
wall_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/*
 * Agents send in bursts (a proxy's calls, a replayed capture): room for
 * thousands of datagrams while the analysis catches up. Past the
 * system's limit when privileged (SO_RCVBUFFORCE), else up to it.
 */
static void
big_receive_buffer(int fd)
{
	int size = UDP_RCVBUF;

	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof(size)))
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof(size));
}

static enum sc_err
bind_spec(struct sc_hep_listener *l, const char *spec)
{
	char host[256];
	const char *colon;
	struct addrinfo hints = { .ai_flags = AI_PASSIVE }, *res = NULL;
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	size_t hl;
	int one = 1;

	if (strncmp(spec, "udp:", 4) == 0) {
		spec += 4;
	} else if (strncmp(spec, "tcp:", 4) == 0) {
		l->tcp = true;
		spec += 4;
	}
	colon = strrchr(spec, ':');
	if (!colon || colon[1] == '\0')
		return SC_EUSAGE;
	hl = (size_t)(colon - spec);
	if (hl >= 2 && spec[0] == '[' && spec[hl - 1] == ']') {
		spec++;
		hl -= 2;
	}
	if (hl >= sizeof(host))
		return SC_EUSAGE;
	memcpy(host, spec, hl);
	host[hl] = '\0';
	hints.ai_socktype = l->tcp ? SOCK_STREAM : SOCK_DGRAM;
	if (getaddrinfo(hl ? host : NULL, colon + 1, &hints, &res) != 0)
		return SC_EUSAGE;
	l->fd = socket(res->ai_family, res->ai_socktype | SOCK_CLOEXEC, 0);
	if (l->fd >= 0)
		setsockopt(l->fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (l->fd >= 0 && !l->tcp)
		big_receive_buffer(l->fd);
	if (l->fd < 0 || bind(l->fd, res->ai_addr, res->ai_addrlen) != 0 ||
	    (l->tcp && listen(l->fd, 16) != 0)) {
		freeaddrinfo(res);
		return SC_EIO;
	}
	freeaddrinfo(res);
	if (getsockname(l->fd, (struct sockaddr *)&ss, &sl) == 0)
		l->port =
		        ntohs(ss.ss_family == AF_INET6
		                      ? ((struct sockaddr_in6 *)&ss)->sin6_port
		                      : ((struct sockaddr_in *)&ss)->sin_port);
	return SC_OK;
}

enum sc_err
sc_hep_listen_open(struct sc_hep_listener **out, const char *spec,
                   size_t max_conns)
{
	struct sc_hep_listener *l = calloc(1, sizeof(*l));
	enum sc_err err;

	*out = NULL;
	if (!l)
		return SC_ENOMEM;
	l->fd = -1;
	l->max_conns = max_conns ? max_conns : 1;
	l->conns = calloc(l->max_conns, sizeof(*l->conns));
	l->pfd = calloc(l->max_conns + 1, sizeof(*l->pfd));
	err = l->conns && l->pfd ? bind_spec(l, spec) : SC_ENOMEM;
	if (err != SC_OK) {
		sc_hep_listen_close(l);
		return err;
	}
	*out = l;
	return SC_OK;
}

uint16_t
sc_hep_listen_port(const struct sc_hep_listener *l)
{
	return l->port;
}

const struct sc_hep_listen_stats *
sc_hep_listen_stats(const struct sc_hep_listener *l)
{
	return &l->st;
}

static void
drop_conn(struct sc_hep_listener *l, size_t i)
{
	close(l->conns[i].fd);
	free(l->conns[i].buf);
	l->conns[i] = l->conns[--l->nconns];
}

static void
accept_conn(struct sc_hep_listener *l)
{
	int fd = accept(l->fd, NULL, NULL);
	struct conn *c;

	if (fd < 0)
		return;
	if (l->nconns == l->max_conns) {
		l->st.conns_refused++;
		close(fd);
		return;
	}
	c = &l->conns[l->nconns];
	c->buf = malloc(CONN_BUF);
	if (!c->buf) {
		close(fd);
		return;
	}
	c->fd = fd;
	c->head = 0;
	c->len = 0;
	l->nconns++;
	l->st.conns++;
}

/* Turn @len bytes of l->pkt into a frame; false when skipped. */
static bool
to_frame(struct sc_hep_listener *l, size_t len, struct sc_frame *out)
{
	enum sc_err err = sc_hep_to_frame(l->pkt, len, wall_ns(), l->frame,
	                                  sizeof(l->frame), out);

	if (err == SC_OK) {
		out->number = ++l->number;
		l->st.packets++;
		return true;
	}
	if (err == SC_ENOTPROTO)
		l->st.not_hep++;
	else if (err == SC_EUNSUPPORTED)
		l->st.non_sip++;
	else
		l->st.bad++;
	return false;
}

/* One whole HEP3 packet at the head of @c's buffer, moved to l->pkt. */
static int
take_packet(struct sc_hep_listener *l, struct conn *c)
{
	const uint8_t *p = c->buf + c->head;
	size_t n;

	if (c->len < 6)
		return 0;
	if (memcmp(p, "HEP3", 4) != 0)
		return -1;
	n = (size_t)p[4] << 8 | p[5];
	if (n < 6)
		return -1;
	if (c->len < n)
		return 0;
	memcpy(l->pkt, p, n);
	c->head += n;
	c->len -= n;
	return (int)n;
}

/* A complete packet already buffered on some connection. */
static bool
from_buffers(struct sc_hep_listener *l, struct sc_frame *out)
{
	for (size_t i = 0; i < l->nconns;) {
		int n = take_packet(l, &l->conns[i]);

		if (n < 0) {
			l->st.bad++;
			l->st.conns_dropped++;
			drop_conn(l, i);
			continue;
		}
		if (n > 0 && to_frame(l, (size_t)n, out))
			return true;
		if (n == 0)
			i++;
	}
	return false;
}

static void
read_conn(struct sc_hep_listener *l, size_t i)
{
	struct conn *c = &l->conns[i];
	ssize_t n;

	/* what is left of a packet moves to the front, once per read */
	if (c->head) {
		memmove(c->buf, c->buf + c->head, c->len);
		c->head = 0;
	}
	n = recv(c->fd, c->buf + c->len, CONN_BUF - c->len, 0);

	if (n <= 0) {
		if (n < 0 && errno == EINTR)
			return;
		if (c->len) /* closed inside a packet */
			l->st.bad++;
		drop_conn(l, i);
		return;
	}
	c->len += (size_t)n;
}

/* TCP: wait once for a connection or data; false on timeout. */
static bool
wait_input(struct sc_hep_listener *l, int timeout_ms)
{
	struct pollfd *pf = l->pfd;
	size_t n = 1, nc = l->nconns;

	pf[0] = (struct pollfd){ .fd = l->fd, .events = POLLIN };
	for (size_t i = 0; i < nc; i++)
		pf[n++] = (struct pollfd){ .fd = l->conns[i].fd,
			                   .events = POLLIN };
	if (poll(pf, (nfds_t)n, timeout_ms) <= 0)
		return false;
	/* backwards: drop_conn() moves the last connection into i */
	for (size_t i = nc; i-- > 0;)
		if (pf[1 + i].revents)
			read_conn(l, i);
	if (pf[0].revents & POLLIN)
		accept_conn(l);
	return true;
}

/* UDP: one datagram within @timeout_ms; SC_ELIMIT when it was skipped. */
static enum sc_err
udp_next(struct sc_hep_listener *l, int timeout_ms, struct sc_frame *out)
{
	struct pollfd pf = { .fd = l->fd, .events = POLLIN };
	ssize_t r;

	if (poll(&pf, 1, timeout_ms) <= 0)
		return SC_EAGAIN;
	r = recv(l->fd, l->pkt, sizeof(l->pkt), 0);
	return r > 0 && to_frame(l, (size_t)r, out) ? SC_OK : SC_ELIMIT;
}

/*
 * Returns within about @timeout_ms whatever arrives: a flood of damaged
 * packets is counted and skipped without keeping the caller from its
 * signals and timers.
 */
enum sc_err
sc_hep_listen_next(struct sc_hep_listener *l, int timeout_ms,
                   struct sc_frame *out)
{
	struct timespec t0;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		struct timespec t1;
		int64_t left;

		if (from_buffers(l, out))
			return SC_OK;
		clock_gettime(CLOCK_MONOTONIC, &t1);
		left = timeout_ms - ((int64_t)(t1.tv_sec - t0.tv_sec) * 1000 +
		                     (t1.tv_nsec - t0.tv_nsec) / 1000000);
		if (left < 0)
			left = 0;
		if (!l->tcp) {
			enum sc_err err = udp_next(l, (int)left, out);

			if (err != SC_ELIMIT)
				return err;
		} else if (!wait_input(l, (int)left)) {
			return SC_EAGAIN; /* time is up, or a signal */
		}
		if (left == 0)
			return from_buffers(l, out) ? SC_OK : SC_EAGAIN;
	}
}

void
sc_hep_listen_close(struct sc_hep_listener *l)
{
	if (!l)
		return;
	while (l->nconns)
		drop_conn(l, l->nconns - 1);
	if (l->fd >= 0)
		close(l->fd);
	free(l->conns);
	free(l->pfd);
	free(l);
}
