/* calltab.c - the table of open calls, by Call-ID (RFC 3261 8.1.1.4)
 *
 * Messages go to the call of their Call-ID. When a call is handed over
 * depends on the input: for a file, at the end (or when too many are
 * open), so that calls depend only on their messages; for live capture,
 * after a quiet time on the capture clock, or as soon as the outcome is
 * known (prompt mode), remembering the Call-ID for a while to absorb
 * late retransmissions.
 */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "calls_impl.h"
#include "sipcause/util/hashmap.h"
#include "sipcause/util/vec.h"

/* A registration outcome under its user name (key points into @user). */
struct reg_entry {
	struct sc_registration reg;
	char user[];
};

/*
 * An open call under its key, or (call NULL) a handed-over call's
 * Call-ID remembered until @until to absorb its late messages.
 */
struct entry {
	struct sc_call *call;
	int64_t until;
	uint32_t max_cseq; /* highest CSeq seen, for a tombstone */
	size_t bytes;      /* estimated heap held by the call */
	bool decided;      /* complete and decided: shed() may take it */
	size_t len;
	uint64_t hash; /* of the key in by_id: never hashed again */
	char key[];
};

struct sc_calltab {
	struct sc_hashmap by_id; /* key -> struct entry * */
	struct sc_hashmap regs;  /* user -> struct reg_entry * */
	struct sc_vec reg_list;  /* owns the entries */
	struct sc_vec open;      /* struct entry *, in creation order */
	struct sc_vec tombs;     /* struct entry *, tombstones left by
	                            shed(), roughly in expiry order */
	size_t live;             /* entries with a call */
	struct sc_calltab_opts opts;
	int64_t last_expire_ts;
	int64_t last_trim_ts;
	size_t held;          /* messages kept by open calls */
	size_t held_bytes;    /* estimated heap of open calls (entry.bytes) */
	size_t decided_bytes; /* of them, held by decided calls */
	struct sc_calltab_caps caps;
	int64_t seen_ns;     /* latest packet (sc_calltab_note_packet) */
	int64_t compact_at;  /* no compaction scan before this time */
	sc_call_fn *evicted; /* receives calls a cap hands over */
	void *evicted_ctx;
};

/* Defaults of the caps (struct sc_calltab_opts). */
#define DEFAULT_MAX_OPEN 65536
#define DEFAULT_MAX_HELD_MSGS 262144
#define DEFAULT_MAX_CALL_MSGS 1024

/*
 * Heap that complete calls may hold while they linger: beyond it the
 * oldest complete calls are handed over before their linger ends, their
 * Call-ID kept (a tombstone of a few dozen bytes) until it would have
 * ended, so that late retransmissions are still absorbed rather than
 * opening a new call. At 2000 calls/s a 32 s linger would otherwise
 * hold ~64,000 finished calls of ~7 KB each. 8 MiB holds ~1,100 of them
 * (half a second of that rate; 11 s at 100 calls/s): on the 100k-call
 * capture the text report took 0.90x the time and 54 MiB at its peak,
 * against 72 MiB with 24 (farm-bench -n 10 --vs). Memory first touched
 * costs more than its size suggests: the kernel clears every new page,
 * and a virtual machine's host may have to supply it too.
 */
#define LINGER_BYTES (8u << 20)

/* Estimated heap of an open call without its messages (struct sc_call,
 * its transactions, arrays and link keys); a message's: sc__msg_cost(). */
#define CALL_COST (sizeof(struct sc_call) + 512)

/*
 * Compaction (struct sc_msg_reloader): a call in progress is compacted
 * once nothing happened in it for QUIET_NS of capture time, longer than
 * the gaps of a setup and its retransmissions (T1 is 500 ms): each
 * message that comes for a compacted call reads it back whole, so calls
 * still exchanging messages are left alone. On the synthetic captures
 * of bench/peers.sh (1 s of ringing, then talk), 250 or 500 ms compact
 * ringing calls that the 200 reads back a second later: 2.5x the time of
 * no compaction, against 1.6-1.8x with 1 s. And only while it has at
 * most COMPACT_MAX_MSGS messages (reading back a big one for every
 * message would cost more than its memory is worth).
 */
#define QUIET_NS SC__NS_PER_S
#define COMPACT_MAX_MSGS 64

struct sc_calltab *
sc_calltab_new(const struct sc_calltab_opts *opts)
{
	struct sc_calltab *t = calloc(1, sizeof(*t));

	if (!t)
		return NULL;
	sc_hashmap_init(&t->by_id);
	sc_hashmap_init(&t->regs);
	sc_vec_init(&t->reg_list);
	sc_vec_init(&t->open);
	sc_vec_init(&t->tombs);
	t->opts.linger_ns = SC__TRANSACTION_TIMEOUT_NS;
	t->opts.idle_ns = 300 * SC__NS_PER_S;
	if (opts) {
		if (opts->linger_ns > 0)
			t->opts.linger_ns = opts->linger_ns;
		if (opts->idle_ns > 0)
			t->opts.idle_ns = opts->idle_ns;
		t->opts.decided = opts->decided;
		t->opts.decided_ctx = opts->decided_ctx;
		t->opts.max_open = opts->max_open;
		t->opts.max_held_msgs = opts->max_held_msgs;
		t->opts.max_call_msgs = opts->max_call_msgs;
		t->opts.reloader = opts->reloader;
		t->opts.in_flight_bytes = opts->in_flight_bytes;
		t->opts.compact_always = opts->compact_always;
	}
	if (!t->opts.in_flight_bytes)
		t->opts.in_flight_bytes = SC_CALLTAB_IN_FLIGHT_BYTES;
	if (!t->opts.max_open)
		t->opts.max_open = DEFAULT_MAX_OPEN;
	if (!t->opts.max_held_msgs)
		t->opts.max_held_msgs = DEFAULT_MAX_HELD_MSGS;
	if (!t->opts.max_call_msgs)
		t->opts.max_call_msgs = DEFAULT_MAX_CALL_MSGS;
	t->evicted = t->opts.decided;
	t->evicted_ctx = t->opts.decided_ctx;
	return t;
}

void
sc_calltab_set_evicted(struct sc_calltab *t, sc_call_fn *evicted, void *ctx)
{
	t->evicted = evicted;
	t->evicted_ctx = ctx;
}

size_t
sc_calltab_held(const struct sc_calltab *t)
{
	return t->held;
}

const struct sc_calltab_caps *
sc_calltab_caps(const struct sc_calltab *t)
{
	return &t->caps;
}

void
sc_calltab_free(struct sc_calltab *t)
{
	if (!t)
		return;
	for (size_t i = 0; i < t->open.n; i++) {
		struct entry *e = t->open.v[i];

		sc_call_free(e->call);
		free(e);
	}
	sc_vec_fini(&t->open);
	for (size_t i = 0; i < t->tombs.n; i++)
		free(t->tombs.v[i]);
	sc_vec_fini(&t->tombs);
	sc_hashmap_fini(&t->by_id);
	for (size_t i = 0; i < t->reg_list.n; i++)
		free(t->reg_list.v[i]);
	sc_vec_fini(&t->reg_list);
	sc_hashmap_fini(&t->regs);
	free(t);
}

size_t
sc_calltab_count(const struct sc_calltab *t)
{
	return t->live;
}

/* A call's key, before it has an entry: the bytes, and room for a
 * key made up for a message without a Call-ID. */
struct key {
	const char *p;
	size_t len;
	uint64_t hash; /* in by_id */
	char buf[160];
};

/*
 * The key of @m's call: its Call-ID without trailing white space (a CR
 * left by a sloppy parser must not make another call); without a
 * Call-ID, one call per transaction (branch and CSeq). No allocation:
 * this runs for every message, and most find their call.
 */
static void
key_of(const struct sc_msg *m, struct key *k)
{
	k->p = m->call_id;
	k->len = m->call_id_len;
	if (!k->p) {
		snprintf(k->buf, sizeof(k->buf),
		         "\001%.100s\001%" PRIu32 " %.40s",
		         m->via_branch ? m->via_branch : "", m->cseq,
		         m->cseq_method_name ? m->cseq_method_name : "");
		k->p = k->buf;
		k->len = strlen(k->buf);
	} else if (k->len == 0) {
		k->len = strlen(k->p); /* a message built without the length */
	}
	/* the length, not strlen: Call-IDs that differ after a NUL byte
	 * are distinct calls */
	while (k->len > 0 &&
	       (k->p[k->len - 1] == '\r' || k->p[k->len - 1] == '\n' ||
	        k->p[k->len - 1] == ' ' || k->p[k->len - 1] == '\t'))
		k->len--;
}

/* A new entry holding key @k, or NULL. */
static struct entry *
entry_new(const struct key *k)
{
	struct entry *e = malloc(sizeof(*e) + k->len + 1);

	if (!e)
		return NULL;
	memset(e, 0, sizeof(*e));
	memcpy(e->key, k->p, k->len);
	e->key[k->len] = 0;
	e->len = k->len;
	e->hash = k->hash;
	return e;
}

/* Open a call for @probe's key; @probe becomes the table's entry. */
static enum sc_err
open_call(struct sc_calltab *t, struct entry *probe, bool has_id)
{
	probe->call =
	        sc__call_new(has_id ? probe->key : "", has_id ? probe->len : 0);
	if (!probe->call)
		return SC_ENOMEM;
	if (sc__add_link_key(probe->call, "cid:", probe->call->call_id) !=
	            SC_OK ||
	    sc_vec_push(&t->open, probe) != SC_OK)
		goto fail;
	if (sc_hashmap_put_hashed(&t->by_id, probe->key, probe->len,
	                          probe->hash, probe) != SC_OK) {
		t->open.n--;
		goto fail;
	}
	t->live++;
	probe->bytes = CALL_COST;
	t->held_bytes += probe->bytes;
	return SC_OK;
fail:
	sc_call_free(probe->call);
	probe->call = NULL;
	return SC_ENOMEM;
}

const struct sc_registration *
sc_calltab_registration(const struct sc_calltab *t, const char *user)
{
	const struct reg_entry *e;

	if (!user)
		return NULL;
	e = sc_hashmap_get(&t->regs, user, strlen(user));
	return e ? &e->reg : NULL;
}

/* Keep the outcome of a REGISTER call for diagnosing later calls. */
static enum sc_err
note_registration(struct sc_calltab *t, const struct sc_call *c)
{
	const char *user = c->to.user;
	struct reg_entry *e;
	size_t len;

	if (!user)
		return SC_OK;
	len = strlen(user);
	e = sc_hashmap_get(&t->regs, user, len);
	if (!e) {
		e = malloc(sizeof(*e) + len + 1);
		if (!e)
			return SC_ENOMEM;
		memcpy(e->user, user, len + 1);
		if (sc_vec_push(&t->reg_list, e) != SC_OK) {
			free(e);
			return SC_ENOMEM;
		}
		if (sc_hashmap_put(&t->regs, e->user, len, e) != SC_OK)
			return SC_ENOMEM; /* freed with reg_list */
	}
	e->reg.code = c->final_code;
	e->reg.ts_ns = c->last_ts;
	e->reg.expires = c->expires;
	return SC_OK;
}

/* @e's key leaves by_id. */
static void
unlist(struct sc_calltab *t, const struct entry *e)
{
	sc_hashmap_del_hashed(&t->by_id, e->key, e->len, e->hash);
}

/* @e's call leaves the table: its bytes no longer count. */
static void
untrack(struct sc_calltab *t, struct entry *e)
{
	t->held_bytes -= e->bytes;
	if (e->decided)
		t->decided_bytes -= e->bytes;
	e->bytes = 0;
	e->decided = false;
}

/* @e's call holds @add more bytes and @sub fewer. */
static void
track(struct sc_calltab *t, struct entry *e, size_t add, size_t sub)
{
	e->bytes += add - sub;
	t->held_bytes += add - sub;
	if (e->decided)
		t->decided_bytes += add - sub;
}

/* The heap of a compacted call's stubs (its messages do not change
 * while it is compacted). */
static size_t
stub_bytes(const struct sc_call *c)
{
	return c->nmsgs * sizeof(*c->stubs_);
}

/* Read @e's compacted call back whole. */
static void
restore(struct sc_calltab *t, struct entry *e)
{
	size_t stubs;

	if (!e->call->stubs_)
		return;
	stubs = stub_bytes(e->call);
	track(t, e,
	      sc__call_restore(e->call, t->opts.reloader, &t->caps.msgs_reread,
	                       &t->caps.msgs_lost),
	      stubs);
}

/* May @e's call be compacted now, quiet or not? */
static bool
compactable(const struct entry *e)
{
	return e->call && !e->decided && !e->call->stubs_ &&
	       e->call->nmsgs <= COMPACT_MAX_MSGS;
}

static void
compact(struct sc_calltab *t, struct entry *e)
{
	size_t freed = sc__call_compact(e->call);

	if (!freed)
		return;
	track(t, e, stub_bytes(e->call), freed);
	t->caps.calls_compacted++;
}

/* Heap of parsed messages held by calls in progress. */
static size_t
in_flight(const struct sc_calltab *t)
{
	return t->held_bytes - t->decided_bytes;
}

/*
 * Calls in progress hold more than their budget: compact the oldest
 * quiet ones until a quarter below it. When too few are quiet, the next
 * scan waits for QUIET_NS, so that scans stay rare.
 */
static void
compact_quiet(struct sc_calltab *t, int64_t now_ns)
{
	size_t to = t->opts.in_flight_bytes - t->opts.in_flight_bytes / 4;

	for (size_t i = 0; i < t->open.n && in_flight(t) > to; i++) {
		struct entry *e = t->open.v[i];

		if (compactable(e) && e->call->last_ts <= now_ns - QUIET_NS)
			compact(t, e);
	}
	t->compact_at = in_flight(t) > to ? now_ns + QUIET_NS : INT64_MIN;
}

/* Hand @e's call to @done; in prompt mode its key stays as a tombstone. */
static void
hand_over(struct sc_calltab *t, struct entry *e, int64_t now_ns,
          enum sc__settle why, sc_call_fn *done, void *ctx, bool keep_key)
{
	struct sc_call *c = e->call;

	/* a compacted call goes as it is (settling reads its stubs): its
	 * receiver reads it back (sc_call_restore) when it needs the
	 * messages, so that the calls open at the end of the input are not
	 * all read back at once. The end of the input is the last packet;
	 * timers run on a clock that ticks may have moved past it. */
	sc__call_settle(c, now_ns,
	                why == SC__SETTLE_END || now_ns < t->seen_ns
	                        ? now_ns
	                        : t->seen_ns,
	                why);
	e->call = NULL;
	t->live--;
	t->held -= c->nmsgs;
	untrack(t, e);
	if (keep_key) {
		e->until = c->last_ts + t->opts.linger_ns;
		for (size_t i = 0; i < c->ntxns; i++)
			if (c->txns[i].cseq > e->max_cseq)
				e->max_cseq = c->txns[i].cseq;
	} else {
		unlist(t, e);
	}
	done(ctx, c);
}

/* A late message of a call already handed over (prompt mode): absorbed,
 * unless it starts something new under the same Call-ID. */
static bool
absorbs(const struct entry *e, const struct sc_msg *m)
{
	return !(m->is_request && !m->to.tag && m->cseq > e->max_cseq &&
	         m->method != SC_METHOD_ACK && m->method != SC_METHOD_CANCEL);
}

/* Drop the tombstone @e so that a new call can take its key. */
static void
bury(struct sc_calltab *t, struct entry *e)
{
	unlist(t, e);
	e->until = INT64_MIN; /* freed by the next expire */
}

/* File @m into @c, within the call's cap on kept messages. */
static enum sc_err
file_msg(struct sc_calltab *t, struct entry *e, struct sc_msg *m)
{
	struct sc_call *c = e->call;
	uint32_t before = c->nmsgs;
	size_t cost = sc__msg_cost(m);
	enum sc_err err;

	if (c->nmsgs >= t->opts.max_call_msgs) {
		t->caps.call_msgs_dropped++;
		sc__call_count_only(c, m);
		return SC_OK;
	}
	err = sc__call_file(c, m);
	t->held += c->nmsgs - before;
	if (e->decided)
		t->decided_bytes -= e->bytes;
	if (c->nmsgs != before) {
		e->bytes += cost;
		t->held_bytes += cost;
	}
	e->decided = sc__call_is_complete(c) && sc__call_is_decided(c);
	if (e->decided)
		t->decided_bytes += e->bytes;
	return err;
}

/* Drop the entries of t->open that hold nothing any more, and the
 * tombstones whose time ended by @now_ns. */
static void
compact_open(struct sc_calltab *t, int64_t now_ns)
{
	size_t keep = 0;

	for (size_t i = 0; i < t->open.n; i++) {
		struct entry *e = t->open.v[i];

		if (!e->call && e->until != 0 && e->until <= now_ns) {
			if (e->until != INT64_MIN)
				unlist(t, e);
			e->until = 0;
		}
		if (!e->call && e->until == 0) {
			free(e);
			continue;
		}
		t->open.v[keep++] = e;
	}
	t->open.n = keep;
}

/*
 * Too many open calls, or too many messages held by them: hand the
 * oldest over, decided with what was seen, until an eighth below both
 * caps (so that the scan runs once per many evictions).
 */
static void
evict(struct sc_calltab *t, int64_t now_ns)
{
	size_t open_to = t->opts.max_open - t->opts.max_open / 8;
	size_t held_to = t->opts.max_held_msgs - t->opts.max_held_msgs / 8;

	for (size_t i = 0; i < t->open.n; i++) {
		struct entry *e = t->open.v[i];
		struct sc_call *c = e->call;

		if (t->live <= open_to && t->held <= held_to)
			break;
		if (!c)
			continue;
		t->caps.open_calls_evicted++;
		if (t->evicted) {
			hand_over(t, e,
			          now_ns > c->last_ts ? now_ns : c->last_ts,
			          SC__SETTLE_END, t->evicted, t->evicted_ctx,
			          false);
			continue;
		}
		e->call = NULL;
		t->live--;
		t->held -= c->nmsgs;
		untrack(t, e);
		unlist(t, e);
		sc_call_free(c);
	}
	compact_open(t, now_ns);
}

/* Free the tombstones of t->tombs whose time ended by @now_ns, from the
 * oldest on (a later one that ended already waits for its turn). */
static void
expire_tombs(struct sc_calltab *t, int64_t now_ns)
{
	size_t k = 0;

	for (; k < t->tombs.n; k++) {
		struct entry *e = t->tombs.v[k];

		if (e->until > now_ns)
			break;
		if (e->until != INT64_MIN)
			unlist(t, e);
		free(e);
	}
	if (k == 0)
		return; /* nothing ended (and maybe no array yet) */
	memmove(t->tombs.v, t->tombs.v + k,
	        (t->tombs.n - k) * sizeof(t->tombs.v[0]));
	t->tombs.n -= k;
}

/*
 * Open calls hold more than LINGER_BYTES: hand the oldest decided ones
 * (complete, and not a failure the caller retries: sc__call_is_decided)
 * over now, as their linger would (RFC 3261 17: Timers D, J and K only
 * absorb retransmissions; the outcome cannot change any more), their
 * Call-ID kept as a tombstone until the linger ends. Calls still in
 * progress are left to the caps. Runs when held_bytes passed LINGER_BYTES
 * and decided calls hold an eighth of it: never while only calls in
 * progress are held (a flood of INVITEs), so the scan stays rare.
 */
static void
shed(struct sc_calltab *t, int64_t now_ns)
{
	size_t to = LINGER_BYTES - LINGER_BYTES / 8;
	size_t keep = 0;

	expire_tombs(t, now_ns);
	for (size_t i = 0; i < t->open.n; i++) {
		struct entry *e = t->open.v[i];

		if (t->held_bytes > to && e->call && e->decided) {
			hand_over(t, e, now_ns, SC__SETTLE_TIMER, t->evicted,
			          t->evicted_ctx, true);
			/* out of t->open: later passes do not walk it */
			if (sc_vec_push(&t->tombs, e) == SC_OK)
				continue;
			unlist(t, e);
			free(e);
			continue;
		}
		t->open.v[keep++] = e;
	}
	t->open.n = keep;
}

uint64_t
sc_calltab_oldest_open(const struct sc_calltab *t)
{
	/* in the order they opened; evicted ones wait there without a call */
	for (size_t i = 0; i < t->open.n; i++) {
		const struct entry *e = t->open.v[i];

		if (e->call)
			return e->call->first_frame;
	}
	return UINT64_MAX;
}

void
sc_calltab_note_packet(struct sc_calltab *t, int64_t ts_ns)
{
	if (ts_ns > t->seen_ns)
		t->seen_ns = ts_ns;
}

enum sc_err
sc_calltab_add(struct sc_calltab *t, struct sc_msg *m)
{
	struct entry *probe, *e;
	int64_t now_ns = m->ts_ns;
	enum sc_err err;
	struct key k;

	sc_calltab_note_packet(t, now_ns);
	key_of(m, &k);
	k.hash = sc_hashmap_hash(&t->by_id, k.p, k.len);
	e = sc_hashmap_get_hashed(&t->by_id, k.p, k.len, k.hash);
	if (e && !e->call) {
		if (absorbs(e, m)) {
			sc_msg_free(m);
			return SC_OK;
		}
		bury(t, e);
		e = NULL;
	}
	if (!e) {
		probe = entry_new(&k);
		err = probe ? open_call(t, probe, m->call_id != NULL)
		            : SC_ENOMEM;
		if (err != SC_OK) {
			free(probe);
			sc_msg_free(m);
			return err;
		}
		e = probe;
	}
	restore(t, e);
	err = file_msg(t, e, m);
	if (t->opts.reloader && t->opts.compact_always && compactable(e))
		compact(t, e);
	else if (t->opts.reloader && in_flight(t) > t->opts.in_flight_bytes &&
	         now_ns >= t->compact_at)
		compact_quiet(t, now_ns);
	if (err == SC_OK && e->call->kind == SC_METHOD_REGISTER &&
	    e->call->final_code)
		err = note_registration(t, e->call);
	if (t->opts.decided && sc__call_is_decided(e->call))
		hand_over(t, e, e->call->last_ts, SC__SETTLE_TIMER,
		          t->opts.decided, t->opts.decided_ctx, true);
	if (t->evicted && t->held_bytes > LINGER_BYTES &&
	    t->decided_bytes >= LINGER_BYTES / 8)
		shed(t, now_ns);
	if (t->live > t->opts.max_open || t->held > t->opts.max_held_msgs)
		evict(t, now_ns);
	return err;
}

void
sc_calltab_attach_event(struct sc_calltab *t, const char *call_id,
                        struct sc_call_event *ev)
{
	struct entry *e = sc_hashmap_get(&t->by_id, call_id, strlen(call_id));
	struct sc_call *c = e ? e->call : NULL;
	struct sc_call_event *v;

	if (!c) {
		free(ev->text);
		return;
	}
	v = sc_grow(c->events, c->nevents, sizeof(*v));
	if (!v) {
		free(ev->text);
		return;
	}
	c->events = v;
	c->events[c->nevents++] = *ev;
}

/* Prompt mode: has a timer decided @c by @now_ns (Timer B)? */
static bool
timer_fired(const struct sc_calltab *t, struct sc_call *c, int64_t now_ns)
{
	if (c->state != SC_CALL_IN_PROGRESS)
		return false;
	sc__call_settle(c, now_ns, now_ns < t->seen_ns ? now_ns : t->seen_ns,
	                SC__SETTLE_TIMER);
	return c->state != SC_CALL_IN_PROGRESS;
}

void
sc_calltab_expire(struct sc_calltab *t, int64_t now_ns, sc_call_fn *done,
                  void *ctx)
{
	bool prompt = t->opts.decided != NULL;
	size_t keep = 0;

	/* scanning costs O(open calls): do it once per capture second */
	if (now_ns - t->last_expire_ts < SC__NS_PER_S)
		return;
	t->last_expire_ts = now_ns;
	for (size_t i = 0; i < t->open.n; i++) {
		struct entry *e = t->open.v[i];
		struct sc_call *c = e->call;
		int64_t quiet = c ? now_ns - c->last_ts : 0;

		if (!c && e->until <= now_ns) {
			if (e->until != INT64_MIN)
				unlist(t, e);
			free(e);
			continue;
		}
		if (c && prompt && timer_fired(t, c, now_ns))
			hand_over(t, e, now_ns, SC__SETTLE_TIMER,
			          t->opts.decided, t->opts.decided_ctx, true);
		else if (c && ((sc__call_is_complete(c) &&
		                quiet >= t->opts.linger_ns) ||
		               quiet >= t->opts.idle_ns))
			hand_over(t, e, now_ns,
			          quiet >= t->opts.idle_ns ? SC__SETTLE_IDLE
			                                   : SC__SETTLE_TIMER,
			          done, ctx, false);
		if (!e->call && e->until == 0) {
			free(e);
			continue;
		}
		t->open.v[keep++] = e;
	}
	t->open.n = keep;
}

void
sc_calltab_trim(struct sc_calltab *t, int64_t now_ns, size_t max_open,
                sc_call_fn *done, void *ctx)
{
	size_t keep = 0;

	if (max_open == 0 || t->live <= max_open)
		return;
	/* at most once per capture second, as expire */
	if (now_ns - t->last_trim_ts < SC__NS_PER_S)
		return;
	t->last_trim_ts = now_ns;
	for (size_t i = 0; i < t->open.n; i++) {
		struct entry *e = t->open.v[i];

		if (e->call && t->live > max_open - max_open / 8 &&
		    sc__call_is_complete(e->call) &&
		    now_ns - e->call->last_ts >= t->opts.linger_ns)
			hand_over(t, e, now_ns, SC__SETTLE_TIMER, done, ctx,
			          false);
		if (!e->call && e->until == 0) {
			free(e);
			continue;
		}
		t->open.v[keep++] = e;
	}
	t->open.n = keep;
}

void
sc_calltab_flush(struct sc_calltab *t, int64_t now_ns, sc_call_fn *done,
                 void *ctx)
{
	for (size_t i = 0; i < t->open.n; i++) {
		struct entry *e = t->open.v[i];

		if (e->call)
			hand_over(t, e, now_ns, SC__SETTLE_END, done, ctx,
			          false);
		else if (e->until != INT64_MIN)
			unlist(t, e);
		free(e);
	}
	t->open.n = 0;
	for (size_t i = 0; i < t->tombs.n; i++) {
		struct entry *e = t->tombs.v[i];

		if (e->until != INT64_MIN)
			unlist(t, e);
		free(e);
	}
	t->tombs.n = 0;
}
