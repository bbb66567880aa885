/* callfeed.h - build calls from SIP text for the correlate/classify tests */
#ifndef SC_TEST_CALLFEED_H
#define SC_TEST_CALLFEED_H

#include <stddef.h>
#include <stdint.h>

#include "sipcause/calls/correlate.h"
#include "sipcause/diagnosis/diagnosis.h"
#include "sipcause/sip/sipmsg.h"

#define MS INT64_C(1000000)
#define T0 (INT64_C(1700000000) * 1000 * MS)

/* Hosts 192.0.2.N; B is reached through P in some tests. */
enum host { A = 1, P = 2, B = 3, PUB = 200 };

struct fixture {
	struct sc_sipparser *parser;
	struct sc_calltab *tab;
	uint64_t frame;
	struct sc_call *done[8]; /* NULL once handed to diagnosis */
	size_t ndone;
	struct sc_diagnosis *diagnosed[8];
	size_t ndiagnosed;
};

/* cmocka setup/teardown: a parser, a call table, collected calls. */
int callfeed_setup(void **state);
int callfeed_teardown(void **state);

/* The address of host @h (192.0.2.h, or 203.0.113.h for PUB). */
void callfeed_endpoint(struct sc_endpoint *e, enum host h);

/*
 * Parse @text (lines ending in \n, turned into CRLF) as sent from @src to
 * @dst at T0 + @ms and file it in the call table.
 */
void feed(struct fixture *f, enum host src, enum host dst, int64_t ms,
	  const char *text);

/* A sc_call_fn that collects calls into the fixture. */
void collect(void *ctx, struct sc_call *call);

/* End the capture at T0 + @ms and return the only call. */
struct sc_call *finish(struct fixture *f, int64_t ms);

/* Message texts for one dialog between alice and bob. */
#define HDRS(branch, cseq, method, totag)                                \
	"Via: SIP/2.0/UDP 192.0.2.1:5060;branch=" branch "\n"            \
	"From: \"Alice\" <sip:alice@example.com>;tag=a1\n"               \
	"To: <sip:bob@example.com>" totag "\n"                           \
	"Call-ID: call-1@192.0.2.1\n"                                    \
	"CSeq: " cseq " " method "\n"                                    \
	"Content-Length: 0\n\n"

#define INVITE(branch, cseq) \
	"INVITE sip:bob@example.com SIP/2.0\n" HDRS(branch, cseq, "INVITE", "")
#define RESP(line, branch, cseq, method, totag) \
	"SIP/2.0 " line "\n" HDRS(branch, cseq, method, totag)
#define REQ(method, branch, cseq, totag) \
	method " sip:bob@example.com SIP/2.0\n" HDRS(branch, cseq, method, totag)
/* A B2BUA's second leg of call-1@192.0.2.1 (P to B), naming the first in
 * X-Call-ID. */
#define LEG2_INVITE                                              \
	"INVITE sip:bob@192.0.2.3 SIP/2.0\n"                      \
	"Via: SIP/2.0/UDP 192.0.2.2:5060;branch=z9hG4bKleg2\n"    \
	"From: <sip:alice@example.com>;tag=p1\n"                  \
	"To: <sip:bob@example.com>\n"                             \
	"Call-ID: leg-2@192.0.2.2\n"                              \
	"X-Call-ID: call-1@192.0.2.1\n"                           \
	"CSeq: 1 INVITE\n"                                        \
	"Content-Length: 0\n\n"

#endif /* SC_TEST_CALLFEED_H */
