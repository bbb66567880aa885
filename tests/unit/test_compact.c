/* test_compact.c - calls in progress compacted and read back
 *
 * The call table compacts calls that wait (struct sc_msg_reloader): each
 * message becomes a stub, and the call is read back whole when a message
 * comes for it, or by its receiver after it is handed over. Here the
 * "file" is an array of message texts: the stub's offset is an index in
 * it, and reading back parses the text again, as reread.c parses the
 * bytes of a capture file again. Every call must come out as a call
 * that was never compacted.
 */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "callfeed.h"

#define NTEXTS 32

/* The "capture file": the CRLF text of every message, by offset. */
struct store {
	struct sc_sipparser *parser;
	char text[NTEXTS][1024];
	size_t len[NTEXTS];
	size_t n;
	unsigned fail_from; /* offsets from here cannot be read: lost */
	unsigned reloads;
};

static struct sc_msg *
reload(void *ctx, struct sc_rawmsg *raw)
{
	struct store *s = ctx;
	struct sc_msg *m = NULL;

	assert_true(raw->file_off >= 1 && raw->file_off <= s->n);
	assert_int_equal(raw->nframes, 1);
	s->reloads++;
	if (raw->file_off >= s->fail_from)
		return NULL;
	assert_int_equal(raw->len, s->len[raw->file_off - 1]);
	raw->data = (const uint8_t *)s->text[raw->file_off - 1];
	assert_int_equal(sc_sipmsg_parse(s->parser, raw, &m), SC_OK);
	return m;
}

struct two {
	struct store store;
	struct sc_msg_reloader reloader;
	struct fixture plain;   /* never compacted */
	struct fixture compact; /* compacted as the options say */
};

static struct two *
two_new(const struct sc_calltab_opts *opts)
{
	struct two *t = calloc(1, sizeof(*t));
	struct sc_calltab_opts o = *opts;

	assert_non_null(t);
	sc_sipmsg_global_init();
	t->store.parser = sc_sipparser_new(NULL);
	t->store.fail_from = UINT32_MAX;
	t->reloader.reload = reload;
	t->reloader.ctx = &t->store;
	o.reloader = &t->reloader;
	t->plain.parser = sc_sipparser_new(NULL);
	t->plain.tab = sc_calltab_new(NULL);
	t->compact.parser = sc_sipparser_new(NULL);
	t->compact.tab = sc_calltab_new(&o);
	assert_non_null(t->compact.tab);
	return t;
}

static void
fixture_fini(struct fixture *f)
{
	for (size_t i = 0; i < f->ndone; i++)
		sc_call_free(f->done[i]);
	sc_calltab_free(f->tab);
	sc_sipparser_free(f->parser);
}

static void
two_free(struct two *t)
{
	fixture_fini(&t->plain);
	fixture_fini(&t->compact);
	sc_sipparser_free(t->store.parser);
	free(t);
}

/* Parse @text as sent from @src to @dst at T0 + @ms into @f's table;
 * with @off (an offset in the store), as a message that can be read
 * again. */
static void
add(struct fixture *f, struct store *s, uint64_t off, enum host src,
    enum host dst, int64_t ms)
{
	struct sc_rawmsg raw;
	struct sc_msg *m = NULL;

	memset(&raw, 0, sizeof(raw));
	raw.data = (const uint8_t *)s->text[off - 1];
	raw.len = s->len[off - 1];
	raw.ts_ns = T0 + ms * MS;
	raw.frame = ++f->frame;
	raw.frames = &raw.frame;
	raw.nframes = 1;
	raw.file_off = off;
	callfeed_endpoint(&raw.src, src);
	callfeed_endpoint(&raw.dst, dst);
	assert_int_equal(sc_sipmsg_parse(f->parser, &raw, &m), SC_OK);
	assert_int_equal(sc_calltab_add(f->tab, m), SC_OK);
}

/* The same message into both tables (the plain one never compacts). */
static void
both(struct two *t, enum host src, enum host dst, int64_t ms, const char *text)
{
	struct store *s = &t->store;
	size_t len = 0;

	assert_true(s->n < NTEXTS);
	for (const char *p = text; *p && len + 2 < sizeof(s->text[0]); p++) {
		if (*p == '\n')
			s->text[s->n][len++] = '\r';
		s->text[s->n][len++] = *p;
	}
	s->len[s->n++] = len;
	add(&t->plain, s, s->n, src, dst, ms);
	add(&t->compact, s, s->n, src, dst, ms);
}

/* Read @c back as a receiver does; @lost messages cannot be. */
static void
restore_all(struct two *t, struct sc_call *c, uint64_t lost)
{
	uint64_t reread = 0, missing = 0;
	unsigned before = t->store.reloads;

	sc_call_restore(c, &t->reloader, &reread, &missing);
	assert_int_equal(missing, lost);
	assert_int_equal(reread + missing, t->store.reloads - before);
}

/* A call as its record, messages and transactions show it. */
static void
assert_same_call(const struct sc_call *a, const struct sc_call *b)
{
	assert_string_equal(a->call_id, b->call_id);
	assert_int_equal(a->state, b->state);
	assert_int_equal(a->final_code, b->final_code);
	assert_int_equal(a->ended_by, b->ended_by);
	assert_int_equal(a->msg_count, b->msg_count);
	assert_int_equal(a->retransmissions, b->retransmissions);
	assert_int_equal(a->ntxns, b->ntxns);
	assert_int_equal(a->nhops, b->nhops);
	assert_int_equal(a->nmsgs, b->nmsgs);
	assert_memory_equal(&a->timings, &b->timings, sizeof(a->timings));
	assert_string_equal(a->from.tag, b->from.tag);
	assert_string_equal(a->ruri, b->ruri);
	for (size_t i = 0; i < a->nmsgs; i++) {
		const struct sc_msg *x = a->msgs[i].msg, *y = b->msgs[i].msg;

		assert_non_null(x);
		assert_non_null(y);
		assert_int_equal(a->msgs[i].txn, b->msgs[i].txn);
		assert_int_equal(a->msgs[i].hop, b->msgs[i].hop);
		assert_int_equal(a->msgs[i].retransmission,
		                 b->msgs[i].retransmission);
		assert_int_equal(x->frame, y->frame);
		assert_int_equal(x->ts_ns, y->ts_ns);
		assert_int_equal(x->status, y->status);
		assert_int_equal(x->cseq, y->cseq);
		assert_true(sc_endpoint_equal(&x->src, &y->src));
		assert_true(sc_endpoint_equal(&x->dst, &y->dst));
		assert_string_equal(x->call_id, y->call_id);
		assert_int_equal(x->wire_len, y->wire_len);
	}
	for (size_t i = 0; i < a->ntxns; i++) {
		assert_int_equal(a->txns[i].final_code, b->txns[i].final_code);
		assert_int_equal(a->txns[i].request_sends,
		                 b->txns[i].request_sends);
		assert_int_equal(a->txns[i].acked, b->txns[i].acked);
	}
}

/* A long call: INVITE, 100, 180, 200 (its INVITE resent once), ACK, and
 * minutes later BYE and its 200. */
static void
long_call(struct two *t)
{
	both(t, A, B, 0, INVITE("z9hG4bK1", "1"));
	both(t, B, A, 10, RESP("100 Trying", "z9hG4bK1", "1", "INVITE", ""));
	both(t, B, A, 300,
	     RESP("180 Ringing", "z9hG4bK1", "1", "INVITE", ";tag=b1"));
	both(t, A, B, 500, INVITE("z9hG4bK1", "1"));
	both(t, B, A, 2300,
	     RESP("200 OK", "z9hG4bK1", "1", "INVITE", ";tag=b1"));
	both(t, A, B, 2350, REQ("ACK", "z9hG4bK2", "1", ";tag=b1"));
	both(t, A, B, 92300, REQ("BYE", "z9hG4bK3", "2", ";tag=b1"));
	both(t, B, A, 92310, RESP("200 OK", "z9hG4bK3", "2", "BYE", ";tag=b1"));
}

/* Flush both tables at @ms; the compacted call read back like a
 * receiver does; then compare. */
static void
finish_both(struct two *t, int64_t ms)
{
	sc_calltab_flush(t->plain.tab, T0 + ms * MS, collect, &t->plain);
	sc_calltab_flush(t->compact.tab, T0 + ms * MS, collect, &t->compact);
	assert_int_equal(t->plain.ndone, 1);
	assert_int_equal(t->compact.ndone, 1);
	restore_all(t, t->compact.done[0], 0);
	assert_same_call(t->plain.done[0], t->compact.done[0]);
}

/* Compacted after every message: every message read back each time. */
static void
test_compact_always(void **state)
{
	struct sc_calltab_opts o = { .compact_always = true };
	struct two *t = two_new(&o);
	const struct sc_calltab_caps *caps;

	(void)state;
	long_call(t);
	finish_both(t, 100000);
	caps = sc_calltab_caps(t->compact.tab);
	assert_true(caps->calls_compacted >= 7);
	assert_true(caps->msgs_reread > 7);
	assert_int_equal(caps->msgs_lost, 0);
	two_free(t);
}

/* Past the budget, only a call quiet for a second is compacted; the BYE
 * reads it back before it is filed. */
static void
test_compact_quiet(void **state)
{
	struct sc_calltab_opts o = { .in_flight_bytes = 1 };
	struct two *t = two_new(&o);
	const struct sc_calltab_caps *caps;

	(void)state;
	both(t, A, B, 0, INVITE("z9hG4bK1", "1"));
	both(t, B, A, 10, RESP("100 Trying", "z9hG4bK1", "1", "INVITE", ""));
	/* 10 ms later: not quiet yet */
	caps = sc_calltab_caps(t->compact.tab);
	assert_int_equal(caps->calls_compacted, 0);
	both(t, B, A, 2300,
	     RESP("200 OK", "z9hG4bK1", "1", "INVITE", ";tag=b1"));
	both(t, A, B, 2350, REQ("ACK", "z9hG4bK2", "1", ";tag=b1"));
	/* a message of another call 2 s later: the first one waits */
	both(t, A, B, 4400,
	     "OPTIONS sip:b@example.com SIP/2.0\n"
	     "Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bKo\n"
	     "From: <sip:a@example.com>;tag=o1\n"
	     "To: <sip:b@example.com>\n"
	     "Call-ID: ping-1@192.0.2.1\n"
	     "CSeq: 1 OPTIONS\n"
	     "Content-Length: 0\n\n");
	assert_int_equal(caps->calls_compacted, 1);
	assert_int_equal(caps->msgs_reread, 0);
	both(t, A, B, 92300, REQ("BYE", "z9hG4bK3", "2", ";tag=b1"));
	assert_int_equal(caps->msgs_reread, 4);
	both(t, B, A, 92310, RESP("200 OK", "z9hG4bK3", "2", "BYE", ";tag=b1"));
	sc_calltab_flush(t->plain.tab, T0 + 100000 * MS, collect, &t->plain);
	sc_calltab_flush(t->compact.tab, T0 + 100000 * MS, collect,
	                 &t->compact);
	assert_int_equal(t->compact.ndone, 2);
	for (size_t i = 0; i < 2; i++) {
		restore_all(t, t->compact.done[i], 0);
		assert_same_call(t->plain.done[i], t->compact.done[i]);
	}
	two_free(t);
}

/* Bytes that cannot be read again: the messages are counted lost and
 * missing (NULL) from the call, which diagnosis still explains. */
static void
test_compact_lost(void **state)
{
	struct sc_calltab_opts o = { .compact_always = true };
	struct two *t = two_new(&o);
	struct sc_diagnosis *d = NULL;
	struct sc_call *c;
	size_t missing = 0;

	(void)state;
	/* answered, and still talking when the capture ends: it is handed
	 * over compacted */
	both(t, A, B, 0, INVITE("z9hG4bK1", "1"));
	both(t, B, A, 300,
	     RESP("180 Ringing", "z9hG4bK1", "1", "INVITE", ";tag=b1"));
	both(t, B, A, 2300,
	     RESP("200 OK", "z9hG4bK1", "1", "INVITE", ";tag=b1"));
	both(t, A, B, 2350, REQ("ACK", "z9hG4bK2", "1", ";tag=b1"));
	t->store.fail_from = 3; /* the 200 and the ACK */
	sc_calltab_flush(t->compact.tab, T0 + 100000 * MS, collect,
	                 &t->compact);
	assert_int_equal(t->compact.ndone, 1);
	c = t->compact.done[0];
	restore_all(t, c, 2);
	for (size_t i = 0; i < c->nmsgs; i++)
		missing += c->msgs[i].msg == NULL;
	assert_int_equal(missing, 2);
	/* what was decided while the messages were there stands */
	assert_int_equal(c->state, SC_CALL_ANSWERED);
	t->compact.ndone = 0; /* diagnosis owns it now */
	assert_int_equal(sc_diagnose(c, NULL, &d), SC_OK);
	assert_non_null(d);
	sc_diagnosis_free(d);
	two_free(t);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_compact_always),
		cmocka_unit_test(test_compact_quiet),
		cmocka_unit_test(test_compact_lost),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
