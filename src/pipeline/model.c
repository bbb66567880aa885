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

	v = realloc(m->security, (m->nsecurity + 1) * sizeof(*v));
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
		sc_call_free(m->calls.v[i]);
	sc_vec_fini(&m->calls);
	for (size_t i = 0; i < m->peers.n; i++) {
		struct sc_peer *p = m->peers.v[i];

		free(p->s.pdd_ms);
		free(p);
	}
	sc_vec_fini(&m->peers);
	sc_hashmap_fini(&m->peer_index);
	for (size_t i = 0; i < m->nsecurity; i++)
		security_item_fini(&m->security[i]);
	free(m->security);
	free(m->overall.pdd_ms);
	free(m->rfc6076.srd.ms);
	free(m->rfc6076.sdd.ms);
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
	if (c->timings.pdd_ms < 0)
		return SC_OK;
	if (s->npdd == s->apdd) {
		size_t n = s->apdd ? s->apdd * 2 : 16;
		int64_t *v = realloc(s->pdd_ms, n * sizeof(*v));

		if (!v)
			return SC_ENOMEM;
		s->pdd_ms = v;
		s->apdd = n;
	}
	s->pdd_ms[s->npdd++] = c->timings.pdd_ms;
	return SC_OK;
}

static struct sc_peer *
peer_of(struct sc_model *m, const struct sc_call *c)
{
	struct sc_peer key, *p;

	memset(&key, 0, sizeof(key));
	key.caller = c->caller.addr;
	key.callee = c->callee.addr;
	p = sc_hashmap_get(&m->peer_index, &key, 2 * sizeof(struct sc_addr));
	if (p)
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

static enum sc_err
delay_push(struct sc_delays *d, int64_t ms)
{
	if (ms < 0)
		return SC_OK;
	if (d->n == d->alloc) {
		size_t n = d->alloc ? d->alloc * 2 : 16;
		int64_t *v = realloc(d->ms, n * sizeof(*v));

		if (!v)
			return SC_ENOMEM;
		d->ms = v;
		d->alloc = n;
	}
	d->ms[d->n++] = ms;
	return SC_OK;
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
		err = delay_push(d, ms_between(t->first_ts, t->final_ts));
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
	err = delay_push(&r->srd, session_request_delay(c));
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
	return p ? count_call(&p->s, c) : SC_ENOMEM;
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
sc_model_add_call(struct sc_model *m, struct sc_call *call)
{
	enum sc_err err = sc_vec_push(&m->calls, call);

	if (err != SC_OK)
		sc_call_free(call);
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
	int64_t sum = 0;

	if (s->npdd == 0)
		return -1;
	for (size_t i = 0; i < s->npdd; i++)
		sum += s->pdd_ms[i];
	return sum / (int64_t)s->npdd;
}

int64_t
sc_call_stats_pdd_p95(const struct sc_call_stats *s)
{
	size_t rank;

	if (s->npdd == 0)
		return -1;
	/* nearest rank: the smallest value with 95% at or below it */
	rank = (s->npdd * 95 + 99) / 100;
	return s->pdd_ms[rank ? rank - 1 : 0];
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

int64_t
sc_delays_percentile(const struct sc_delays *d, unsigned pct)
{
	size_t rank;

	if (d->n == 0)
		return -1;
	rank = (d->n * pct + 99) / 100;
	return d->ms[rank ? rank - 1 : 0];
}

static int
cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

static void
sort_pdd(struct sc_call_stats *s)
{
	if (s->npdd > 1)
		qsort(s->pdd_ms, s->npdd, sizeof(*s->pdd_ms), cmp_i64);
}

static int
by_first_frame(const void *a, const void *b)
{
	const struct sc_call *x = *(const struct sc_call *const *)a;
	const struct sc_call *y = *(const struct sc_call *const *)b;

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
	sort_pdd(&m->overall);
	if (m->rfc6076.srd.n > 1)
		qsort(m->rfc6076.srd.ms, m->rfc6076.srd.n, sizeof(int64_t),
		      cmp_i64);
	if (m->rfc6076.sdd.n > 1)
		qsort(m->rfc6076.sdd.ms, m->rfc6076.sdd.n, sizeof(int64_t),
		      cmp_i64);
	for (size_t i = 0; i < m->peers.n; i++)
		sort_pdd(&((struct sc_peer *)m->peers.v[i])->s);
	m->finished = true;
}
