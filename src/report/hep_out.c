/* hep_out.c - HEP v3 encoder, verdict logs and a UDP/TCP sender
 *
 * HEP3: "HEP3", a 16-bit total length, then chunks of vendor (0),
 * type and length (header included), all big-endian.
 */
#include "config.h"

#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "sipcause/calls/correlate.h"
#include "sipcause/diagnosis/classify.h"
#include "sipcause/diagnosis/diagnosis.h"
#include "sipcause/diagnosis/kb.h"
#include "sipcause/frame/sipframe.h"
#include "sipcause/report/hep_out.h"
#include "sipcause/util/jsonw.h"

struct hbuf {
	uint8_t *p;
	size_t cap;
	size_t len;
	bool full;
};

static void
put(struct hbuf *b, uint16_t type, const void *data, size_t n)
{
	size_t clen = 6 + n;

	if (b->full || clen > b->cap - b->len || b->len + clen > SC_HEP_MAX) {
		b->full = true;
		return;
	}
	uint8_t *q = b->p + b->len;
	q[0] = 0;
	q[1] = 0;
	q[2] = (uint8_t)(type >> 8);
	q[3] = (uint8_t)type;
	q[4] = (uint8_t)(clen >> 8);
	q[5] = (uint8_t)clen;
	if (n)
		memcpy(q + 6, data, n);
	b->len += clen;
}

static void
put_u8(struct hbuf *b, uint16_t type, uint8_t v)
{
	put(b, type, &v, 1);
}

static void
put_u16(struct hbuf *b, uint16_t type, uint16_t v)
{
	uint8_t d[2] = { (uint8_t)(v >> 8), (uint8_t)v };

	put(b, type, d, 2);
}

static void
put_u32(struct hbuf *b, uint16_t type, uint32_t v)
{
	uint8_t d[4] = { (uint8_t)(v >> 24), (uint8_t)(v >> 16),
		         (uint8_t)(v >> 8), (uint8_t)v };

	put(b, type, d, 4);
}

static void
put_str(struct hbuf *b, uint16_t type, const char *s)
{
	if (s)
		put(b, type, s, strlen(s));
}

/*
 * The chunk order is free in HEP3, but some receivers read a fixed
 * layout (sngrep, after hep-c): family, protocol, ports, times, payload
 * type, agent id, then the addresses, the auth key and the payload. That
 * order is kept; the correlation ID and node name come last.
 */
size_t
sc_hep_encode(const struct sc_hep_out_msg *m, uint8_t *buf, size_t cap)
{
	struct hbuf b = { .p = buf, .cap = cap, .len = 6 };
	bool v6 = m->src.addr.family == 6;

	if (cap < 6 || m->src.addr.family != m->dst.addr.family ||
	    (m->src.addr.family != 4 && !v6))
		return 0;
	put_u8(&b, 1, v6 ? 10 : 2); /* AF_INET6 / AF_INET, as HEP says */
	put_u8(&b, 2, m->ipproto);
	put_u16(&b, 7, m->src.port);
	put_u16(&b, 8, m->dst.port);
	put_u32(&b, 9, m->ts_sec);
	put_u32(&b, 10, m->ts_usec);
	put_u8(&b, 11, m->payload_type);
	put_u32(&b, 12, m->agent_id);
	put(&b, v6 ? 5 : 3, m->src.addr.bytes, v6 ? 16 : 4);
	put(&b, v6 ? 6 : 4, m->dst.addr.bytes, v6 ? 16 : 4);
	put_str(&b, 14, m->password);
	put(&b, 15, m->payload, m->len);
	put_str(&b, 17, m->correlation);
	put_str(&b, 19, m->node);
	if (b.full)
		return 0;
	memcpy(buf, "HEP3", 4);
	buf[4] = (uint8_t)(b.len >> 8);
	buf[5] = (uint8_t)b.len;
	return b.len;
}

void
sc_hep_msg_from_raw(struct sc_hep_out_msg *m, const struct sc_rawmsg *raw)
{
	static const uint8_t proto[SC_TRANSPORT__COUNT] = {
		[SC_TRANSPORT_UDP] = 17,
		[SC_TRANSPORT_TCP] = 6,
		[SC_TRANSPORT_SCTP] = 132,
		[SC_TRANSPORT_WS] = 6,
	};
	int64_t ts = raw->ts_ns > 0 ? raw->ts_ns : 0;

	m->ipproto = raw->transport < SC_TRANSPORT__COUNT
	                     ? proto[raw->transport]
	                     : 17;
	m->payload_type = SC_HEP_PT_SIP;
	m->src = raw->src;
	m->dst = raw->dst;
	m->ts_sec = (uint32_t)(ts / 1000000000);
	m->ts_usec = (uint32_t)(ts % 1000000000 / 1000);
	m->correlation = NULL;
	m->payload = raw->data;
	m->len = raw->len;
}

/* A status code, null for none (as doc/json.md writes it). */
static void
kcode(struct sc_jsonw *w, const char *key, int code)
{
	sc_jsonw_key(w, key);
	if (code)
		sc_jsonw_int(w, code);
	else
		sc_jsonw_null(w);
}

/* The fields of the call object of doc/json.md, under the same names. */
static void
verdict_body(struct sc_jsonw *w, const struct sc_diagnosis *d)
{
	char *summary;
	const struct sc_call *call = d->call;
	const struct sc_explain *v = &d->verdict;

	sc_jsonw_begin_object(w);
	sc_jsonw_kstr(w, "type", "sipcause.verdict");
	sc_jsonw_kstr(w, "call_id", call->call_id);
	sc_jsonw_kstr(w, "state", sc_call_state_id(call->state));
	kcode(w, "final_code", call->final_code);
	kcode(w, "code", v->code);
	sc_jsonw_kstr(w, "reason", v->reason);
	sc_jsonw_kstr(w, "category", sc_category_id(v->cat));
	sc_jsonw_kstr(w, "rule", v->rule);
	sc_jsonw_kstr(w, "cause", v->cause);
	summary = sc_explain_summary(v);
	sc_jsonw_kstr(w, "summary", summary);
	free(summary);
	sc_jsonw_key(w, "evidence");
	sc_jsonw_begin_array(w);
	for (size_t i = 0; v->evidence && i < v->nevidence; i++)
		sc_jsonw_string(w, v->evidence[i]);
	sc_jsonw_end_array(w);
	sc_jsonw_end_object(w);
}

char *
sc_hep_verdict_json(const struct sc_diagnosis *d, size_t *len)
{
	char *s = NULL;
	size_t n = 0;
	struct sc_jsonw w;
	FILE *f;

	if (!d || !d->call->call_id)
		return NULL;
	f = open_memstream(&s, &n);
	if (!f)
		return NULL;
	sc_jsonw_init(&w, f, false);
	verdict_body(&w, d);
	if (fclose(f) != 0) {
		free(s);
		return NULL;
	}
	*len = n;
	return s;
}

/* Split "[udp:|tcp:]HOST:PORT" (HOST may be "[v6]"). */
static enum sc_err
split_dest(const char *dest, int *socktype, char *host, size_t hcap,
           const char **port)
{
	const char *colon;
	size_t hl;

	*socktype = SOCK_DGRAM;
	if (strncmp(dest, "udp:", 4) == 0) {
		dest += 4;
	} else if (strncmp(dest, "tcp:", 4) == 0) {
		*socktype = SOCK_STREAM;
		dest += 4;
	}
	colon = strrchr(dest, ':');
	if (!colon || colon == dest || colon[1] == '\0')
		return SC_EUSAGE;
	hl = (size_t)(colon - dest);
	if (dest[0] == '[' && hl >= 2 && dest[hl - 1] == ']') {
		dest++;
		hl -= 2;
	}
	if (hl == 0 || hl >= hcap)
		return SC_EUSAGE;
	memcpy(host, dest, hl);
	host[hl] = '\0';
	*port = colon + 1;
	return SC_OK;
}

/* A socket for @sa connected within the TCP time bound; -1 if not. */
static int
connect_to(int socktype, const struct sockaddr *sa, socklen_t len)
{
	struct timeval tv = { .tv_sec = SC_HEP_TCP_TIMEOUT_MS / 1000,
		              .tv_usec = SC_HEP_TCP_TIMEOUT_MS % 1000 * 1000 };
	int fd = socket(sa->sa_family, socktype | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return -1;
	/* on Linux SO_SNDTIMEO also bounds connect() */
	if (socktype == SOCK_STREAM)
		setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	if (connect(fd, sa, len) != 0) {
		close(fd);
		return -1;
	}
	return fd;
}

enum sc_err
sc_hep_sender_open(struct sc_hep_sender *s, const char *dest, uint32_t rate)
{
	char host[256];
	const char *port;
	struct addrinfo hints = { 0 }, *res = NULL, *ai;
	enum sc_err err;

	memset(s, 0, sizeof(*s));
	s->fd = -1;
	s->rate = rate;
	err = split_dest(dest, &s->socktype, host, sizeof(host), &port);
	if (err != SC_OK)
		return err;
	hints.ai_socktype = s->socktype;
	if (getaddrinfo(host, port, &hints, &res) != 0)
		return SC_EUSAGE;
	for (ai = res; ai && s->fd < 0; ai = ai->ai_next) {
		if (ai->ai_addrlen > sizeof(s->peer))
			continue;
		s->fd = connect_to(s->socktype, ai->ai_addr, ai->ai_addrlen);
		if (s->fd >= 0) {
			memcpy(&s->peer, ai->ai_addr, ai->ai_addrlen);
			s->peer_len = (uint32_t)ai->ai_addrlen;
		}
	}
	freeaddrinfo(res);
	return s->fd < 0 ? SC_EIO : SC_OK;
}

static int64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* Wait for the next slot of the configured rate. */
static void
pace(struct sc_hep_sender *s)
{
	int64_t now = now_ns();

	if (s->next_ns > now) {
		int64_t d = s->next_ns - now;
		struct timespec ts = { .tv_sec = d / 1000000000,
			               .tv_nsec = d % 1000000000 };

		while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
			;
		now = s->next_ns;
	}
	s->next_ns = now + 1000000000 / s->rate;
}

static bool
send_all(int fd, const uint8_t *p, size_t len)
{
	while (len) {
		ssize_t n = send(fd, p, len, MSG_NOSIGNAL);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return false;
		p += n;
		len -= (size_t)n;
	}
	return true;
}

/* TCP without a connection: connect again, at most once a second. */
static void
reconnect(struct sc_hep_sender *s)
{
	int64_t now = now_ns();

	if (s->socktype != SOCK_STREAM || s->peer_len == 0 || now < s->retry_ns)
		return;
	s->retry_ns = now + 1000000000;
	s->fd = connect_to(s->socktype, (const struct sockaddr *)&s->peer,
	                   (socklen_t)s->peer_len);
	if (s->fd >= 0)
		s->reconnects++;
}

void
sc_hep_sender_send(struct sc_hep_sender *s, const uint8_t *pkt, size_t len)
{
	bool ok;

	if (s->rate)
		pace(s);
	if (s->fd < 0)
		reconnect(s);
	if (s->fd < 0) {
		s->failed++;
		return;
	}
	if (s->socktype == SOCK_STREAM)
		ok = send_all(s->fd, pkt, len);
	else
		ok = send(s->fd, pkt, len, MSG_NOSIGNAL) == (ssize_t)len;
	if (ok) {
		s->sent++;
		s->bytes += len;
		return;
	}
	s->failed++;
	if (s->socktype == SOCK_STREAM) {
		/* part of the packet may be gone: the stream is lost */
		close(s->fd);
		s->fd = -1;
		s->retry_ns = now_ns() + 1000000000;
	}
}

void
sc_hep_sender_close(struct sc_hep_sender *s)
{
	if (s->fd >= 0)
		close(s->fd);
	s->fd = -1;
	s->peer_len = 0; /* and no reconnection */
}
