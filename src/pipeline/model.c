/* model.c - the run's result: input files, statistics, finished calls */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "sipcause/diagnosis/security.h"
#include "sipcause/pipeline/model.h"

void
sc_model_init(struct sc_model *m)
{
	memset(m, 0, sizeof(*m));
	sc_vec_init(&m->calls);
	sc_vec_init(&m->peers);
	sc_hashmap_init(&m->peer_index);
}

static void
security_item_fini(struct sc_security_item *it)
{
	free(it->user);
	free(it->user_agent);
	free(it->text);
	for (size_t i = 0; i < it->ncall_ids; i++)
		free(it->call_ids[i]);
	free(it->call_ids);
}

static bool
copy_text(char **dst, const char *src)
{
	*dst = src ? strdup(src) : NULL;
	return !src || *dst;
}

enum sc_err
sc_model_add_security(struct sc_model *m, const struct sc_sec_finding *f)
{
	struct sc_security_item *v, *it;
	bool ok;

	v = sc_grow(m->security, m->nsecurity, sizeof(*v));
	if (!v)
		return SC_ENOMEM;
	m->security = v;
	it = &v[m->nsecurity];
	memset(it, 0, sizeof(*it));
	it->rule_id = f->rule_id;
	it->src = f->src;
	it->requests = f->requests;
	it->failures = f->failures;
	it->successes = f->successes;
	it->distinct = f->distinct;
	it->distinct_capped = f->distinct_capped;
	it->first_ts = f->first_ts;
	it->last_ts = f->last_ts;
	it->more_call_ids = f->more_call_ids;
	ok = copy_text(&it->user, f->user) &&
	     copy_text(&it->user_agent, f->user_agent) &&
	     copy_text(&it->text, f->text);
	it->call_ids =
	        f->ncall_ids ? calloc(f->ncall_ids, sizeof(char *)) : NULL;
	ok = ok && (it->call_ids || !f->ncall_ids);
	for (size_t i = 0; ok && i < f->ncall_ids; i++) {
		ok = copy_text(&it->call_ids[i], f->call_ids[i]);
		it->ncall_ids += ok;
	}
	if (!ok) {
		security_item_fini(it);
		return SC_ENOMEM;
	}
	m->nsecurity++;
	return SC_OK;
}

void
sc_model_fini(struct sc_model *m)
{
	for (size_t i = 0; i < m->nfiles; i++) {
		free(m->files[i].path);
		free(m->files[i].warning);
	}
	free(m->files);
	for (size_t i = 0; i < m->calls.n; i++)
		sc_diagnosis_free(m->calls.v[i]);
	sc_vec_fini(&m->calls);
	for (size_t i = 0; i < m->peers.n; i++) {
		struct sc_peer *p = m->peers.v[i];

		sc_delays_fini(&p->s.pdd);
		free(p);
	}
	sc_vec_fini(&m->peers);
	sc_hashmap_fini(&m->peer_index);
	for (size_t i = 0; i < m->nsecurity; i++)
		security_item_fini(&m->security[i]);
	free(m->security);
	sc_delays_fini(&m->overall.pdd);
	sc_delays_fini(&m->rfc6076.srd);
	sc_delays_fini(&m->rfc6076.sdd);
	memset(m, 0, sizeof(*m));
}

struct sc_input_file *
sc_model_add_file(struct sc_model *m, const char *path)
{
	struct sc_input_file *v =
	        realloc(m->files, (m->nfiles + 1) * sizeof(*v));
	struct sc_input_file *f;

	if (!v)
		return NULL;
	m->files = v;
	f = &m->files[m->nfiles];
	memset(f, 0, sizeof(*f));
	f->linktype = -1;
	f->path = strdup(path);
	if (!f->path)
		return NULL;
	m->nfiles++;
	return f;
}

void
sc_stats_count_msg(struct sc_stats *s, const struct sc_msg *msg)
{
	s->sip_messages++;
	if (msg->is_request) {
		if (msg->method == SC_METHOD_OTHER)
			s->requests_other++;
		else
			s->requests[msg->method]++;
	} else if (msg->status >= 0 && msg->status <= SC_MAX_STATUS) {
		s->responses[msg->status]++;
	}
	if (msg->flags & SC_MSG_MALFORMED)
		s->malformed++;
	if (msg->flags & SC_RAW_TRUNCATED)
		s->truncated++;
}

void
sc_stats_add_reading(struct sc_stats *to, const struct sc_stats *from)
{
	for (size_t i = 0; i < SC_DR__COUNT; i++) {
		to->decode_errors[i] += from->decode_errors[i];
		to->decode_warnings[i] += from->decode_warnings[i];
		to->skipped[i] += from->skipped[i];
	}
	to->unparsable += from->unparsable;
	to->udp_non_sip += from->udp_non_sip;
	to->udp_resynced += from->udp_resynced;
	to->hep_messages += from->hep_messages;
	to->hep_non_sip += from->hep_non_sip;
}

/* Did the network deliver the call, whatever the callee decided? */
static bool
delivered(const struct sc_call *c)
{
	switch (c->final_code) {
	case 486:
	case 600:
	case 603:
	case 607:
		return true;
	case 480:
	case 408:
	case 487:
		return c->timings.pdd_ms >= 0; /* it rang */
	default:
		return c->final_code >= 200 && c->final_code < 300;
	}
}

static enum sc_err
count_call(struct sc_call_stats *s, const struct sc_call *c)
{
	s->attempts++;
	if (c->state == SC_CALL_ANSWERED || c->state == SC_CALL_ANSWERED_NO_ACK)
		s->answered++;
	if (delivered(c))
		s->delivered++;
	return sc_delays_add(&s->pdd, c->timings.pdd_ms);
}

/*
 * Bounded delays (struct sc_delays): exact values up to SC_DELAYS_EXACT,
 * then a log-scale histogram. Bucket b < 64 holds the value b; above,
 * a value v in [2^e, 2^(e+1)) (e >= 6) goes to one of 32 buckets of
 * width 2^(e-5), so that the middle of a bucket is within v/64 of v.
 */
#define EXACT_BELOW 64
#define SUB_BITS 5
#define SUB (1 << SUB_BITS)
#define LOW_OCTAVE 6 /* 2^6 == EXACT_BELOW */

static size_t
bucket_of(int64_t v)
{
	unsigned e;
	size_t b;

	if (v < EXACT_BELOW)
		return (size_t)v;
	e = 63u - (unsigned)__builtin_clzll((unsigned long long)v);
	b = EXACT_BELOW + (size_t)(e - LOW_OCTAVE) * SUB +
	    (size_t)(((uint64_t)v >> (e - SUB_BITS)) & (SUB - 1));
	return b < SC_DELAYS_BUCKETS ? b : SC_DELAYS_BUCKETS - 1;
}

/* The middle of bucket @b (its value, below EXACT_BELOW). */
static int64_t
bucket_middle(size_t b)
{
	unsigned e;
	uint64_t sub, width;

	if (b < EXACT_BELOW)
		return (int64_t)b;
	e = LOW_OCTAVE + (unsigned)((b - EXACT_BELOW) / SUB);
	sub = (b - EXACT_BELOW) % SUB;
	width = UINT64_C(1) << (e - SUB_BITS);
	return (int64_t)((SUB + sub) * width + width / 2);
}

/* Past SC_DELAYS_EXACT values: move them into the histogram. */
static enum sc_err
to_histogram(struct sc_delays *d)
{
	d->hist = calloc(SC_DELAYS_BUCKETS, sizeof(*d->hist));
	if (!d->hist)
		return SC_ENOMEM;
	for (size_t i = 0; i < d->n; i++)
		d->hist[bucket_of(d->ms[i])]++;
	free(d->ms);
	d->ms = NULL;
	return SC_OK;
}

enum sc_err
sc_delays_add(struct sc_delays *d, int64_t ms)
{
	if (ms < 0)
		return SC_OK;
	if (!d->hist && d->n == SC_DELAYS_EXACT && to_histogram(d) != SC_OK)
		return SC_ENOMEM;
	if (d->hist) {
		d->hist[bucket_of(ms)]++;
	} else {
		int64_t *v = sc_grow(d->ms, d->n, sizeof(*v));

		if (!v)
			return SC_ENOMEM;
		d->ms = v;
		d->ms[d->n] = ms;
	}
	if (!d->n || ms < d->min)
		d->min = ms;
	if (!d->n || ms > d->max)
		d->max = ms;
	d->sum += ms;
	d->n++;
	return SC_OK;
}

static int
cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

void
sc_delays_sort(struct sc_delays *d)
{
	if (!d->hist && d->n > 1)
		qsort(d->ms, d->n, sizeof(*d->ms), cmp_i64);
}

void
sc_delays_fini(struct sc_delays *d)
{
	free(d->ms);
	free(d->hist);
	memset(d, 0, sizeof(*d));
}

int64_t
sc_delays_percentile(const struct sc_delays *d, unsigned pct)
{
	size_t rank, seen = 0;
	int64_t v;

	if (d->n == 0)
		return -1;
	/* nearest rank: the smallest value with pct% at or below it */
	rank = (d->n * pct + 99) / 100;
	if (rank == 0)
		rank = 1;
	if (!d->hist)
		return d->ms[rank - 1];
	if (rank == 1)
		return d->min;
	for (size_t b = 0; b < SC_DELAYS_BUCKETS - 1 && rank < d->n; b++) {
		seen += d->hist[b];
		if (seen < rank)
			continue;
		v = bucket_middle(b);
		return v < d->min ? d->min : v > d->max ? d->max : v;
	}
	return d->max; /* the greatest, or past 2^36 ms */
}

static struct sc_peer *
peer_of(struct sc_model *m, const struct sc_call *c)
{
	struct sc_peer key, *p;

	memset(&key, 0, sizeof(key));
	key.caller = c->caller.addr;
	key.callee = c->callee.addr;
	p = sc_hashmap_get(&m->peer_index, &key, 2 * sizeof(struct sc_addr));
	if (p || m->peers.n >= SC_MAX_PEERS)
		return p;
	p = calloc(1, sizeof(*p));
	if (!p)
		return NULL;
	*p = key;
	if (sc_vec_push(&m->peers, p) != SC_OK ||
	    sc_hashmap_put(&m->peer_index, p, 2 * sizeof(struct sc_addr), p) !=
	            SC_OK) {
		if (m->peers.n && m->peers.v[m->peers.n - 1] == p)
			m->peers.n--;
		free(p);
		return NULL;
	}
	return p;
}

static int64_t
ms_between(int64_t from, int64_t to)
{
	return from && to && to >= from ? (to - from) / 1000000 : -1;
}

/* SRD (RFC 6076 4.3) of the call's deciding INVITE, -1 when none. */
static int64_t
session_request_delay(const struct sc_call *c)
{
	const struct sc_txn *t = c->ntxns ? sc_call_deciding_txn(c) : NULL;
	int code = c->final_code;

	if (code >= 300 && code < 400)
		return -1;
	if (t && t->leader < c->ntxns)
		t = &c->txns[t->leader];
	if (t && t->first_ringing_ts)
		return ms_between(t->first_ts, t->first_ringing_ts);
	if (t && t->final_code >= 200 && t->final_code != 487)
		return ms_between(t->first_ts, t->final_ts);
	if (t)
		return -1;
	return c->timings.pdd_ms >= 0 ? c->timings.pdd_ms : c->timings.setup_ms;
}

/* SDD (RFC 6076 4.4): each BYE nearest the caller that got an answer. */
static enum sc_err
session_disconnect_delays(struct sc_delays *d, const struct sc_call *c)
{
	for (uint32_t i = 0; i < c->ntxns; i++) {
		const struct sc_txn *t = &c->txns[i];
		enum sc_err err;

		if (t->method != SC_METHOD_BYE || t->leader != i ||
		    !t->final_code)
			continue;
		err = sc_delays_add(d, ms_between(t->first_ts, t->final_ts));
		if (err != SC_OK)
			return err;
	}
	return SC_OK;
}

static enum sc_err
count_rfc6076(struct sc_rfc6076 *r, const struct sc_call *c)
{
	int code = c->final_code;
	enum sc_err err;

	r->invites++;
	r->redirected += code >= 300 && code < 400;
	r->established += code >= 200 && code < 300;
	r->effective += (code >= 200 && code < 300) || code == 480 ||
	                code == 486 || code == 600 || code == 603;
	/* no final answer at all counts as ineffective, like a 408 */
	r->ineffective += code == 408 || code == 500 || code == 503 ||
	                  code == 504 || code == 0;
	r->completed += code >= 200 && code < 300 && c->bye_accepted;
	err = sc_delays_add(&r->srd, session_request_delay(c));
	if (err != SC_OK)
		return err;
	return session_disconnect_delays(&r->sdd, c);
}

/* Outcome statistics of INVITE calls, overall and per peer. */
static enum sc_err
count_invite(struct sc_model *m, const struct sc_call *c)
{
	struct sc_peer *p;
	enum sc_err err;

	if (c->kind != SC_METHOD_INVITE || c->state == SC_CALL_MID_DIALOG)
		return SC_OK;
	err = count_call(&m->overall, c);
	if (err == SC_OK)
		err = count_rfc6076(&m->rfc6076, c);
	if (err != SC_OK)
		return err;
	p = peer_of(m, c);
	if (p)
		return count_call(&p->s, c);
	if (m->peers.n < SC_MAX_PEERS)
		return SC_ENOMEM;
	m->stats.caps.peer_calls_untracked++;
	return SC_OK;
}

enum sc_err
sc_model_count_call(struct sc_model *m, const struct sc_call *call)
{
	m->stats.calls++;
	if (call->state < SC_CALL__COUNT)
		m->stats.calls_by_state[call->state]++;
	m->stats.retransmissions += call->retransmissions;
	m->stats.duplicates += call->duplicates;
	return count_invite(m, call);
}

enum sc_err
sc_model_add_call(struct sc_model *m, struct sc_diagnosis *d)
{
	enum sc_err err = sc_vec_push(&m->calls, d);

	if (err != SC_OK)
		sc_diagnosis_free(d);
	return err;
}

static double
percent(uint64_t part, uint64_t whole)
{
	return whole ? 100.0 * (double)part / (double)whole : 0.0;
}

double
sc_call_stats_asr(const struct sc_call_stats *s)
{
	return percent(s->answered, s->attempts);
}

double
sc_call_stats_ner(const struct sc_call_stats *s)
{
	return percent(s->delivered, s->attempts);
}

int64_t
sc_call_stats_pdd_mean(const struct sc_call_stats *s)
{
	if (s->pdd.n == 0)
		return -1;
	return s->pdd.sum / (int64_t)s->pdd.n;
}

int64_t
sc_call_stats_pdd_p95(const struct sc_call_stats *s)
{
	return sc_delays_percentile(&s->pdd, 95);
}

static double
percent_or_none(uint64_t part, uint64_t whole)
{
	return whole ? percent(part, whole) : -1.0;
}

double
sc_rfc6076_ser(const struct sc_rfc6076 *r)
{
	return percent_or_none(r->established, r->invites - r->redirected);
}

double
sc_rfc6076_seer(const struct sc_rfc6076 *r)
{
	return percent_or_none(r->effective, r->invites - r->redirected);
}

double
sc_rfc6076_isa(const struct sc_rfc6076 *r)
{
	return percent_or_none(r->ineffective, r->invites);
}

double
sc_rfc6076_scr(const struct sc_rfc6076 *r)
{
	return percent_or_none(r->completed, r->invites);
}

static int
by_first_frame(const void *a, const void *b)
{
	const struct sc_call *x =
	        (*(const struct sc_diagnosis *const *)a)->call;
	const struct sc_call *y =
	        (*(const struct sc_diagnosis *const *)b)->call;

	if (x->first_frame != y->first_frame)
		return x->first_frame < y->first_frame ? -1 : 1;
	return strcmp(x->call_id, y->call_id);
}

void
sc_model_finish(struct sc_model *m)
{
	if (m->calls.n > 1)
		qsort(m->calls.v, m->calls.n, sizeof(m->calls.v[0]),
		      by_first_frame);
	sc_delays_sort(&m->overall.pdd);
	sc_delays_sort(&m->rfc6076.srd);
	sc_delays_sort(&m->rfc6076.sdd);
	for (size_t i = 0; i < m->peers.n; i++)
		sc_delays_sort(&((struct sc_peer *)m->peers.v[i])->s.pdd);
	m->finished = true;
}
