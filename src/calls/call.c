/* call.c - one call: its storage, summarising and release
 *
 * A finished call may drop its messages and transactions and keep a
 * compact record; its strings then move into one packed block.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "calls_impl.h"

const char *
sc_call_state_id(enum sc_call_state s)
{
	switch (s) {
#define SC_CALL_STATE_CASE(name, id) \
	case SC_CALL_##name:         \
		return id;
		SC_CALL_STATES(SC_CALL_STATE_CASE)
#undef SC_CALL_STATE_CASE
	case SC_CALL__COUNT:
		break;
	}
	return "?";
}

char *
sc__dup_or_null(const char *s)
{
	return s ? strdup(s) : NULL;
}

static void
party_fini(struct sc_party *p)
{
	free(p->display);
	free(p->uri);
	free(p->user);
	free(p->tag);
	memset(p, 0, sizeof(*p));
}

void
sc__party_set(struct sc_party *p, const struct sc_nameaddr *na)
{
	party_fini(p);
	p->display = sc__dup_or_null(na->display);
	p->uri = sc__dup_or_null(na->uri);
	p->user = sc__dup_or_null(na->user);
	p->tag = sc__dup_or_null(na->tag);
}

static void release(const struct sc_call *c, void *p);

static void
txns_free(struct sc_call *c)
{
	for (size_t i = 0; i < c->ntxns; i++) {
		free(c->txns[i].method_name);
		free(c->txns[i].branch);
		free(c->txns[i].sent_by);
	}
	free(c->txns);
	c->txns = NULL;
	c->ntxns = 0;
	c->txns_alloc = 0;
}

static void
msgs_free(struct sc_call *c)
{
	for (size_t i = 0; i < c->nmsgs; i++) {
		sc_msg_free(c->msgs[i].msg);
		if (c->msgs[i].ann) {
			sc_explain_fini(c->msgs[i].ann);
			free(c->msgs[i].ann);
		}
	}
	free(c->msgs);
	c->msgs = NULL;
	c->nmsgs = 0;
	c->msgs_alloc = 0;
}

static void
dialogs_free(struct sc_call *c)
{
	for (size_t i = 0; i < c->ndialogs; i++)
		free(c->dialogs[i].to_tag);
	free(c->dialogs);
	c->dialogs = NULL;
	c->ndialogs = 0;
}

/* The link keys: read by the linker when the call is added to it,
 * never by a report. */
static void
link_keys_free(struct sc_call *c)
{
	for (size_t i = 0; i < c->nlink_keys; i++)
		release(c, c->link_keys[i]);
	release(c, c->link_keys);
	c->link_keys = NULL;
	c->nlink_keys = 0;
}

/* Drop what only an open or detailed call needs. */
static void
drop_detail(struct sc_call *c)
{
	msgs_free(c);
	txns_free(c);
	dialogs_free(c);
	free(c->hops);
	c->hops = NULL;
	c->nhops = 0;
}

/* A summarised call keeps its first hops (reports draw them). */
static void
trim_hops(struct sc_call *c)
{
	struct sc_hop *h;

	if (c->nhops <= SC_CALL_SUMMARY_HOPS)
		return;
	c->nhops = SC_CALL_SUMMARY_HOPS;
	h = realloc(c->hops, c->nhops * sizeof(*h));
	if (h)
		c->hops = h; /* else the larger block serves as well */
}

/* True when @p points into the call's packed block. */
static bool
in_pool(const struct sc_call *c, const void *p)
{
	uintptr_t a = (uintptr_t)p, base = (uintptr_t)c->pool_;

	return c->pool_ && a >= base && a < base + c->pool_len_;
}

static void
release(const struct sc_call *c, void *p)
{
	if (!in_pool(c, p))
		free(p);
}

static size_t
text_size(const char *s)
{
	return s ? strlen(s) + 1 : 0;
}

/* Filling the packed block: pointer arrays first, then the texts. */
struct packer {
	char *next;
};

/* Move @n bytes of @s into the block and free the original; returns
 * the copy. */
static char *
pack_bytes(struct packer *k, char *s, size_t n)
{
	char *d;

	if (!s)
		return NULL;
	d = k->next;
	memcpy(d, s, n);
	k->next += n;
	free(s);
	return d;
}

static char *
pack_text(struct packer *k, char *s)
{
	return s ? pack_bytes(k, s, strlen(s) + 1) : NULL;
}

static void
pack_party(struct packer *k, struct sc_party *p)
{
	p->display = pack_text(k, p->display);
	p->uri = pack_text(k, p->uri);
	p->user = pack_text(k, p->user);
	p->tag = pack_text(k, p->tag);
}

static size_t
party_size(const struct sc_party *p)
{
	return text_size(p->display) + text_size(p->uri) + text_size(p->user) +
	       text_size(p->tag);
}

/* Move the verdict's built texts into the block, keeping every field
 * that pointed to one pointing to its copy. */
static void
pack_explain(struct packer *k, struct sc_explain *e, char **evidence)
{
	const char **fields[] = { &e->reason,     &e->meaning, &e->cause,
		                  &e->tip,        &e->rule,    &e->summary,
		                  &e->root.reason };

	for (size_t i = 0; i < SC_COUNTOF(e->owned_); i++) {
		char *old = e->owned_[i];
		char *copy;

		if (!old)
			continue;
		copy = pack_text(k, old);
		for (size_t f = 0; f < SC_COUNTOF(fields); f++)
			if (*fields[f] == old)
				*fields[f] = copy;
		e->owned_[i] = NULL;
	}
	for (size_t i = 0; i < e->nevidence; i++)
		evidence[i] = pack_text(k, e->evidence[i]);
	if (e->evidence) {
		evidence[e->nevidence] = NULL;
		free(e->evidence);
		e->evidence = evidence;
	}
	e->pooled_ = true;
}

static size_t
explain_size(const struct sc_explain *e)
{
	size_t n = 0;

	for (size_t i = 0; i < SC_COUNTOF(e->owned_); i++)
		n += text_size(e->owned_[i]);
	for (size_t i = 0; i < e->nevidence; i++)
		n += text_size(e->evidence[i]);
	return n;
}

/* Move the attempts and their texts into the block at @to. */
static void
pack_attempts(struct packer *k, struct sc_call *c, struct sc_attempt *to)
{
	if (!c->nattempts)
		return;
	memcpy(to, c->attempts, c->nattempts * sizeof(*to));
	for (size_t i = 0; i < c->nattempts; i++) {
		to[i].kind_name = pack_text(k, to[i].kind_name);
		to[i].final_reason = pack_text(k, to[i].final_reason);
	}
	free(c->attempts);
	c->attempts = to;
}

/*
 * Pack the strings of a finished call into one block: a summarised call
 * costs one allocation for its texts instead of one per text (the
 * difference is most of a kilobyte per call on a busy trunk).
 */
static void
pack(struct sc_call *c)
{
	struct sc_explain *v = &c->verdict;
	size_t nev = v->evidence ? v->nevidence + 1 : 0;
	size_t arrays = c->nattempts * sizeof(struct sc_attempt) +
	                nev * sizeof(char *) +
	                c->nfindings * sizeof(struct sc_finding);
	bool ruri_is_to = sc__str_eq(c->ruri, c->to.uri);
	size_t texts = c->call_id_len + 1 + text_size(c->kind_name) +
	               text_size(c->caller_agent) + text_size(c->callee_agent) +
	               party_size(&c->from) + party_size(&c->to) +
	               (ruri_is_to ? 0 : text_size(c->ruri)) +
	               text_size(c->final_reason) +
	               text_size(c->subscription_state) +
	               text_size(c->end_reason.text) + explain_size(v);
	struct packer k;
	char **evidence;
	struct sc_finding *findings;
	struct sc_attempt *attempts;

	for (size_t i = 0; i < c->nattempts; i++)
		texts += text_size(c->attempts[i].kind_name) +
		         text_size(c->attempts[i].final_reason);
	for (size_t i = 0; i < c->nfindings; i++)
		texts += text_size(c->findings[i].text);
	if (c->pool_ || arrays + texts == 0 || arrays + texts > UINT32_MAX)
		return;
	c->pool_ = malloc(arrays + texts);
	if (!c->pool_)
		return; /* keep the separate strings: nothing is lost */
	c->pool_len_ = (uint32_t)(arrays + texts);
	/* malloc aligns for any type; the attempts (8-byte fields) and the
	 * pointer arrays come first */
	attempts = (struct sc_attempt *)(void *)c->pool_;
	evidence = (char **)(void *)(attempts + c->nattempts);
	findings = (struct sc_finding *)(void *)(evidence + nev);
	k.next = (char *)(findings + c->nfindings);
	c->call_id = pack_bytes(&k, c->call_id, c->call_id_len + 1);
	c->kind_name = pack_text(&k, c->kind_name);
	c->caller_agent = pack_text(&k, c->caller_agent);
	c->callee_agent = pack_text(&k, c->callee_agent);
	pack_party(&k, &c->from);
	pack_party(&k, &c->to);
	if (ruri_is_to) {
		free(c->ruri);
		c->ruri = c->to.uri; /* the same text, once */
	} else {
		c->ruri = pack_text(&k, c->ruri);
	}
	c->final_reason = pack_text(&k, c->final_reason);
	c->subscription_state = pack_text(&k, c->subscription_state);
	c->end_reason.text = pack_text(&k, c->end_reason.text);
	for (size_t i = 0; i < c->nfindings; i++) {
		findings[i].rule = c->findings[i].rule;
		findings[i].text = pack_text(&k, c->findings[i].text);
	}
	free(c->findings);
	c->findings = c->nfindings ? findings : NULL;
	pack_attempts(&k, c, attempts);
	pack_explain(&k, v, evidence);
}

void
sc_call_summarise(struct sc_call *c)
{
	struct sc_hop *hops = c->hops;
	uint32_t nhops = c->nhops;

	c->hops = NULL;
	c->nhops = 0;
	drop_detail(c);
	c->hops = hops;
	c->nhops = nhops;
	trim_hops(c);
	link_keys_free(c);
	pack(c);
	c->summarised = true;
}

static void
party_release(const struct sc_call *c, struct sc_party *p)
{
	release(c, p->display);
	release(c, p->uri);
	release(c, p->user);
	release(c, p->tag);
}

static void
attempts_free(struct sc_call *c)
{
	for (size_t i = 0; i < c->nattempts; i++) {
		release(c, c->attempts[i].kind_name);
		release(c, c->attempts[i].final_reason);
		sc_explain_fini(c->attempts[i].verdict);
		free(c->attempts[i].verdict);
	}
	release(c, c->attempts);
	c->attempts = NULL;
	c->nattempts = 0;
}

void
sc_call_free(struct sc_call *c)
{
	if (!c)
		return;
	drop_detail(c);
	release(c, c->call_id);
	release(c, c->kind_name);
	release(c, c->caller_agent);
	release(c, c->callee_agent);
	party_release(c, &c->from);
	party_release(c, &c->to);
	release(c, c->ruri);
	release(c, c->final_reason);
	release(c, c->subscription_state);
	release(c, c->end_reason.text);
	attempts_free(c);
	for (size_t i = 0; i < c->nevents; i++)
		free(c->events[i].text);
	free(c->events);
	for (size_t i = 0; i < c->nlinked; i++)
		free(c->linked[i]);
	free(c->linked);
	link_keys_free(c);
	sc_explain_fini(&c->verdict);
	for (size_t i = 0; i < c->nfindings; i++)
		release(c, c->findings[i].text);
	release(c, c->findings);
	free(c->pool_);
	free(c);
}

struct sc_call *
sc__call_new(const char *call_id, size_t len)
{
	struct sc_call *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	c->call_id = malloc(len + 1);
	if (!c->call_id) {
		free(c);
		return NULL;
	}
	memcpy(c->call_id, call_id, len);
	c->call_id[len] = 0;
	c->call_id_len = len;
	c->state = SC_CALL_IN_PROGRESS;
	c->expires = -1;
	c->end_reason.sip_cause = -1;
	c->end_reason.q850 = -1;
	c->timings = (struct sc_timings){ -1, -1, -1, -1, -1, -1, -1, -1 };
	return c;
}

const char *
sc_attempt_kind_name(const struct sc_attempt *a)
{
	if (a->kind != SC_METHOD_OTHER)
		return sc_method_name(a->kind);
	return a->kind_name ? a->kind_name : "";
}

const struct sc_explain *
sc_attempt_verdict(const struct sc_call *c, size_t i)
{
	if (i == c->headline || i >= c->nattempts || !c->attempts[i].verdict)
		return &c->verdict;
	return c->attempts[i].verdict;
}
