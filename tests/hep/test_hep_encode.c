/* test_hep_encode.c - write HEP3 packets for hep_decode.py to check
 *
 * Usage: test-hep-encode DIR. Writes sip4.hep, sip6.hep, log.hep and
 * checks encoder limits in C; the Python decoder checks every chunk.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "sipcause/calls/correlate.h"
#include "sipcause/diagnosis/classify.h"
#include "sipcause/diagnosis/diagnosis.h"
#include "sipcause/report/hep_out.h"

static const char sip[] = "OPTIONS sip:a@b SIP/2.0\r\nCall-ID: x1\r\n"
			  "Content-Length: 0\r\n\r\n";
static const char logj[] = "{\"type\":\"sipcause.verdict\",\"code\":486}";

static int
write_file(const char *dir, const char *name, const uint8_t *p, size_t n)
{
	char path[1024];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "wb");
	if (!f || fwrite(p, 1, n, f) != n) {
		perror(path);
		return 1;
	}
	return fclose(f) != 0;
}

static void
base(struct sc_hep_out_msg *m, int fam)
{
	memset(m, 0, sizeof(*m));
	m->ipproto = 17;
	m->payload_type = SC_HEP_PT_SIP;
	m->src.addr.family = (uint8_t)fam;
	m->dst.addr.family = (uint8_t)fam;
	if (fam == 4) {
		memcpy(m->src.addr.bytes, "\x0a\x00\x00\x01", 4);
		memcpy(m->dst.addr.bytes, "\x0a\x00\x00\x02", 4);
	} else {
		m->src.addr.bytes[15] = 1;
		m->dst.addr.bytes[0] = 0xfe;
		m->dst.addr.bytes[15] = 2;
	}
	m->src.port = 5060;
	m->dst.port = 5070;
	m->ts_sec = 1700000000;
	m->ts_usec = 123456;
	m->agent_id = 2001;
	m->password = "myHep";
	m->node = "sipcause-test";
	m->payload = (const uint8_t *)sip;
	m->len = strlen(sip);
}

/* The verdict log of a call built in memory, written for Python. */
static int
verdict(const char *dir)
{
	static struct sc_call call;
	static struct sc_diagnosis d = {.call = &call};
	static char e1[] = "no 1xx within 32 s", e2[] = "Retry-After: 30";
	static char cid[] = "c\"1@host";
	char *ev[] = {e1, e2, NULL};
	char *j;
	size_t n = 0;
	int bad;

	call.call_id = cid;
	call.state = SC_CALL_FAILED;
	d.verdict.code = 503;
	d.verdict.cause = "trunk overloaded";
	d.verdict.rule = "overload.retry-after";
	d.verdict.evidence = ev;
	d.verdict.nevidence = 2;
	j = sc_hep_verdict_json(&d, &n);
	if (!j || n != strlen(j))
		return 1;
	bad = write_file(dir, "verdict.json", (const uint8_t *)j, n);
	free(j);
	return bad;
}

/* UDP sender to a socket of ours: counted sends, paced. */
static int
sender(void)
{
	struct sockaddr_in sa = {.sin_family = AF_INET};
	socklen_t sl = sizeof(sa);
	struct sc_hep_sender s;
	char dest[64];
	uint8_t got[64];
	int rx = socket(AF_INET, SOCK_DGRAM, 0);
	int bad = 0;

	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (rx < 0 || bind(rx, (struct sockaddr *)&sa, sl) != 0 ||
	    getsockname(rx, (struct sockaddr *)&sa, &sl) != 0)
		return 1;
	snprintf(dest, sizeof(dest), "udp:127.0.0.1:%u", ntohs(sa.sin_port));
	if (sc_hep_sender_open(&s, dest, 1000) != SC_OK)
		return 1;
	for (int i = 0; i < 3; i++)
		sc_hep_sender_send(&s, (const uint8_t *)"HEP3\0\6", 6);
	for (int i = 0; i < 3; i++)
		bad |= recv(rx, got, sizeof(got), 0) != 6;
	bad |= s.sent != 3 || s.failed != 0;
	sc_hep_sender_close(&s);
	sc_hep_sender_send(&s, got, 6);
	bad |= s.failed != 1;
	close(rx);
	bad |= sc_hep_sender_open(&s, "nohost", 0) != SC_EUSAGE;
	bad |= sc_hep_sender_open(&s, "tcp:127.0.0.1:", 0) != SC_EUSAGE;
	return bad;
}

int
main(int argc, char **argv)
{
	static uint8_t buf[SC_HEP_MAX];
	struct sc_hep_out_msg m;
	size_t n;
	int bad = 0;

	if (argc != 2)
		return 2;
	base(&m, 4);
	n = sc_hep_encode(&m, buf, sizeof(buf));
	bad |= n == 0 || write_file(argv[1], "sip4.hep", buf, n);
	/* every prefix of the buffer is too small: 0, never an overrun */
	for (size_t cap = 0; cap < n; cap++)
		bad |= sc_hep_encode(&m, buf, cap) != 0;
	base(&m, 6);
	m.ipproto = 6;
	n = sc_hep_encode(&m, buf, sizeof(buf));
	bad |= n == 0 || write_file(argv[1], "sip6.hep", buf, n);
	base(&m, 4);
	m.payload_type = SC_HEP_PT_LOG;
	m.correlation = "x1";
	m.password = NULL;
	m.payload = (const uint8_t *)logj;
	m.len = strlen(logj);
	n = sc_hep_encode(&m, buf, sizeof(buf));
	bad |= n == 0 || write_file(argv[1], "log.hep", buf, n);
	/* mixed families and oversize payloads are refused */
	m.dst.addr.family = 6;
	bad |= sc_hep_encode(&m, buf, sizeof(buf)) != 0;
	m.dst.addr.family = 4;
	m.len = SC_HEP_MAX;
	bad |= sc_hep_encode(&m, buf, sizeof(buf)) != 0;
	bad |= verdict(argv[1]);
	bad |= sender();
	if (bad)
		fprintf(stderr, "encoder checks failed\n");
	return bad;
}
