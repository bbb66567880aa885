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
#include "sipcause/util/str.h"

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

/*
 * The texts of an open call (its Call-ID, parties, Request-URI, the
 * method, branch and sent-by of each transaction, dialog tags, agents,
 * link keys) are carved from blocks the call owns: an INVITE call makes
 * a score of them, and a malloc and a free for each was most of the
 * calls thread's time in malloc. A text replaced while the call is open
 * stays in its block (that happens at most once per attempt); the blocks
 * go when the call is summarised, after pack() copied what stays, or
 * freed. Texts that may change with every message (reason phrases,
 * subscription state) stay malloc'd: the final reasons of the call and
 * of its attempts, subscription_state and end_reason.text, which
 * sc__call_release() frees; every other text is in a block (or, once
 * summarised, in pool_) and is never freed on its own.
 */
#define TEXTBLOCK_FIRST 512
#define TEXTBLOCK_MAX 4096

char *
sc__call_room(struct sc_call *c, size_t n)
{
	struct sc__textblock *b = c->texts_;
	char *d;

	if (n > UINT32_MAX)
		return NULL; /* no message holds a text that long */
	if (!b || b->size - b->used < n) {
		size_t size = b ? b->size * 2 : TEXTBLOCK_FIRST;

		if (size > TEXTBLOCK_MAX)
			size = TEXTBLOCK_MAX;
		if (size < n)
			size = n;
		b = malloc(sizeof(*b) + size);
		if (!b)
			return NULL;
		b->next = c->texts_;
		b->size = size;
		b->used = 0;
		c->texts_ = b;
	}
	d = b->bytes + b->used;
	b->used += n;
	return d;
}

char *
sc__call_bytes_new_block(struct sc_call *c, const char *s, size_t len)
{
	char *d = len < UINT32_MAX ? sc__call_room(c, len + 1) : NULL;

	if (!d)
		return NULL;
	memcpy(d, s, len);
	d[len] = '\0';
	return d;
}

static bool
in_texts(const struct sc_call *c, const void *p)
{
	for (const struct sc__textblock *b = c->texts_; b; b = b->next) {
		uintptr_t a = (uintptr_t)p, base = (uintptr_t)b->bytes;

		if (a >= base && a < base + b->size)
			return true;
	}
	return false;
}

static void
texts_free(struct sc_call *c)
{
	while (c->texts_) {
		struct sc__textblock *next = c->texts_->next;

		free(c->texts_);
		c->texts_ = next;
	}
}

/* Each text field of an open call, with its bytes (0: up to its NUL). */
typedef void text_fn(void *ctx, char **field, size_t len);

static void
party_texts(struct sc_party *p, text_fn *fn, void *ctx)
{
	fn(ctx, &p->display, 0);
	fn(ctx, &p->uri, 0);
	fn(ctx, &p->user, 0);
	fn(ctx, &p->tag, 0);
}

static void
each_text(struct sc_call *c, text_fn *fn, void *ctx)
{
	fn(ctx, &c->call_id, (size_t)c->call_id_len + 1);
	fn(ctx, &c->kind_name, 0);
	party_texts(&c->from, fn, ctx);
	party_texts(&c->to, fn, ctx);
	fn(ctx, &c->ruri, 0);
	fn(ctx, &c->final_reason, 0);
	fn(ctx, &c->subscription_state, 0);
	fn(ctx, &c->caller_agent, 0);
	fn(ctx, &c->callee_agent, 0);
	fn(ctx, &c->end_reason.text, 0);
	for (size_t i = 0; i < c->nattempts; i++) {
		fn(ctx, &c->attempts[i].kind_name, 0);
		fn(ctx, &c->attempts[i].final_reason, 0);
	}
	for (size_t i = 0; i < c->ntxns; i++) {
		fn(ctx, &c->txns[i].method_name, 0);
		fn(ctx, &c->txns[i].branch, 0);
		fn(ctx, &c->txns[i].sent_by, 0);
	}
	for (size_t i = 0; i < c->ndialogs; i++)
		fn(ctx, &c->dialogs[i].to_tag, 0);
	for (size_t i = 0; i < c->nlink_keys; i++)
		fn(ctx, &c->link_keys[i], 0);
}

struct repack {
	const struct sc_call *c;
	struct sc__textblock *to; /* NULL while sizing */
	size_t size;
};

static void
repack_text(void *ctx, char **field, size_t len)
{
	struct repack *r = ctx;

	if (!*field || !in_texts(r->c, *field))
		return;
	if (!len)
		len = strlen(*field) + 1;
	if (r->to) {
		char *d = r->to->bytes + r->to->used;

		memcpy(d, *field, len);
		r->to->used += len;
		*field = d;
	}
	r->size += len;
}

void
sc__call_repack_texts(struct sc_call *c)
{
	struct repack r = { c, NULL, 0 };
	struct sc__textblock *b;

	if (!c->texts_ ||
	    (!c->texts_->next && c->texts_->size - c->texts_->used < 64))
		return; /* one block, nearly full: nothing to gain */
	each_text(c, repack_text, &r);
	b = malloc(sizeof(*b) + r.size);
	if (!b)
		return; /* they stay where they are */
	b->next = NULL;
	b->size = r.size;
	b->used = 0;
	r.to = b;
	/* in_texts() still sees the old blocks, not b, until the end */
	each_text(c, repack_text, &r);
	texts_free(c);
	c->texts_ = b;
}

void
sc__party_set(struct sc_call *c, struct sc_party *p,
              const struct sc_nameaddr *na)
{
	/* the texts replaced stay in their blocks */
	p->display = sc__call_text(c, na->display);
	p->uri = sc__call_text(c, na->uri);
	p->user = sc__call_text(c, na->user);
	p->tag = sc__call_text(c, na->tag);
}

/* (the texts of transactions, dialogs and link keys are in blocks) */
static void
txns_free(struct sc_call *c)
{
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
	}
	free(c->stubs_);
	c->stubs_ = NULL;
	free(c->msgs);
	c->msgs = NULL;
	c->nmsgs = 0;
	c->msgs_alloc = 0;
}

static void
dialogs_free(struct sc_call *c)
{
	free(c->dialogs);
	c->dialogs = NULL;
	c->ndialogs = 0;
}

/* The link keys: read by the linker when the call is added to it,
 * never by a report. */
static void
link_keys_free(struct sc_call *c)
{
	free(c->link_keys);
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
	sc__call_release(c, c->hops);
	c->hops = NULL;
	c->nhops = 0;
}

/* True when @p points into the call's packed block. */
static bool
in_pool(const struct sc_call *c, const void *p)
{
	uintptr_t a = (uintptr_t)p, base = (uintptr_t)c->pool_;

	return c->pool_ && a >= base && a < base + c->pool_len_;
}

void
sc__call_release(const struct sc_call *c, void *p)
{
	if (p && !in_pool(c, p) && !in_texts(c, p))
		free(p);
}

/* @s copied into the block, and released. */
static char *
move_bytes(struct sc_call *c, struct sc_strpack *k, char *s, size_t n)
{
	char *d = sc_strpack_copy(k, s, n);

	sc__call_release(c, s);
	return d;
}

static char *
move_text(struct sc_call *c, struct sc_strpack *k, char *s)
{
	return s ? move_bytes(c, k, s, strlen(s) + 1) : NULL;
}

static void
pack_party(struct sc_call *c, struct sc_strpack *k, struct sc_party *p)
{
	p->display = move_text(c, k, p->display);
	p->uri = move_text(c, k, p->uri);
	p->user = move_text(c, k, p->user);
	p->tag = move_text(c, k, p->tag);
}

static size_t
party_size(const struct sc_party *p)
{
	return sc_strpack_size(p->display) + sc_strpack_size(p->uri) +
	       sc_strpack_size(p->user) + sc_strpack_size(p->tag);
}

/* Move the attempts and their texts into the block at @to. */
static void
pack_attempts(struct sc_strpack *k, struct sc_call *c, struct sc_attempt *to)
{
	if (!c->nattempts)
		return;
	memcpy(to, c->attempts, c->nattempts * sizeof(*to));
	for (size_t i = 0; i < c->nattempts; i++) {
		to[i].kind_name = move_text(c, k, to[i].kind_name);
		to[i].final_reason = move_text(c, k, to[i].final_reason);
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
	size_t arrays = c->nattempts * sizeof(struct sc_attempt) +
	                c->nhops * sizeof(struct sc_hop);
	bool ruri_is_to = sc__str_eq(c->ruri, c->to.uri);
	size_t texts = c->call_id_len + 1 + sc_strpack_size(c->kind_name) +
	               sc_strpack_size(c->caller_agent) +
	               sc_strpack_size(c->callee_agent) + party_size(&c->from) +
	               party_size(&c->to) +
	               (ruri_is_to ? 0 : sc_strpack_size(c->ruri)) +
	               sc_strpack_size(c->final_reason) +
	               sc_strpack_size(c->subscription_state) +
	               sc_strpack_size(c->end_reason.text);
	struct sc_strpack k;
	struct sc_attempt *attempts;
	struct sc_hop *hops;

	for (size_t i = 0; i < c->nattempts; i++)
		texts += sc_strpack_size(c->attempts[i].kind_name) +
		         sc_strpack_size(c->attempts[i].final_reason);
	if (c->pool_ || arrays + texts == 0 || arrays + texts > UINT32_MAX)
		return;
	c->pool_ = malloc(arrays + texts);
	if (!c->pool_)
		return; /* keep the separate strings: nothing is lost */
	c->pool_len_ = (uint32_t)(arrays + texts);
	/* malloc aligns for any type; the attempts (8-byte fields) come
	 * first, then the hops */
	attempts = (struct sc_attempt *)(void *)c->pool_;
	hops = (struct sc_hop *)(void *)(attempts + c->nattempts);
	k.next = (char *)(hops + c->nhops);
	if (c->nhops)
		memcpy(hops, c->hops, c->nhops * sizeof(*hops));
	free(c->hops);
	c->hops = c->nhops ? hops : NULL;
	c->call_id = move_bytes(c, &k, c->call_id, c->call_id_len + 1);
	c->kind_name = move_text(c, &k, c->kind_name);
	c->caller_agent = move_text(c, &k, c->caller_agent);
	c->callee_agent = move_text(c, &k, c->callee_agent);
	pack_party(c, &k, &c->from);
	pack_party(c, &k, &c->to);
	if (ruri_is_to) {
		sc__call_release(c, c->ruri);
		c->ruri = c->to.uri; /* the same text, once */
	} else {
		c->ruri = move_text(c, &k, c->ruri);
	}
	c->final_reason = move_text(c, &k, c->final_reason);
	c->subscription_state = move_text(c, &k, c->subscription_state);
	c->end_reason.text = move_text(c, &k, c->end_reason.text);
	pack_attempts(&k, c, attempts);
	/* every text that stays is in the block now */
	texts_free(c);
}

void
sc_call_summarise(struct sc_call *c)
{
	struct sc_hop *hops = c->hops;
	uint32_t nhops = c->nhops;

	c->hops = NULL;
	c->nhops = 0;
	drop_detail(c);
	/* it keeps its first hops (reports draw them), packed below */
	c->hops = hops;
	c->nhops = nhops < SC_CALL_SUMMARY_HOPS ? nhops : SC_CALL_SUMMARY_HOPS;
	link_keys_free(c);
	pack(c);
	c->summarised = true;
}

static void
attempts_free(struct sc_call *c)
{
	for (size_t i = 0; i < c->nattempts; i++)
		sc__call_release(c, c->attempts[i].final_reason);
	sc__call_release(c, c->attempts);
	c->attempts = NULL;
	c->nattempts = 0;
}

void
sc_call_free(struct sc_call *c)
{
	if (!c)
		return;
	drop_detail(c);
	/* the Call-ID, kind, parties, Request-URI and agents are in the
	 * blocks or the pool */
	sc__call_release(c, c->final_reason);
	sc__call_release(c, c->subscription_state);
	sc__call_release(c, c->end_reason.text);
	attempts_free(c);
	for (size_t i = 0; i < c->nevents; i++)
		free(c->events[i].text);
	free(c->events);
	for (size_t i = 0; i < c->nlinked; i++)
		free(c->linked[i]);
	free(c->linked);
	link_keys_free(c);
	free(c->pool_);
	texts_free(c);
	free(c);
}

struct sc_call *
sc__call_new(const char *call_id, size_t len)
{
	struct sc_call *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	c->call_id = sc__call_bytes(c, call_id, len);
	if (!c->call_id) {
		free(c);
		return NULL;
	}
	/* sc__call_bytes() takes no text of UINT32_MAX bytes or more */
	c->call_id_len = (uint32_t)len;
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
