/* calls_impl.h - what the files of the calls stage share (not public) */
#ifndef SC_CALLS_IMPL_H
#define SC_CALLS_IMPL_H

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sipcause/calls/correlate.h"
#include "sipcause/util/vec.h"

#define SC__NS_PER_MS INT64_C(1000000)
#define SC__NS_PER_S INT64_C(1000000000)

/* Timer B/F/H: 64 * T1 (500 ms); after that nobody retransmits. */
#define SC__TRANSACTION_TIMEOUT_NS (32 * SC__NS_PER_S)

#define SC__NONE UINT32_MAX

static inline bool
sc__str_eq(const char *a, const char *b)
{
	return a && b && strcmp(a, b) == 0;
}

static inline int64_t
sc__ms_between(int64_t from, int64_t to)
{
	if (from == 0 || to == 0 || to < from)
		return -1;
	return (to - from) / SC__NS_PER_MS;
}

static inline bool
sc__is_success(int code)
{
	return code >= 200 && code < 300;
}

/* The request that opened transaction @t, if it was captured. */
static inline const struct sc_msg *
sc__first_request(const struct sc_call *c, const struct sc_txn *t)
{
	const struct sc_msg *m =
	        t && t->first_msg < c->nmsgs ? c->msgs[t->first_msg].msg : NULL;

	return m && m->is_request ? m : NULL;
}

/* Was the request that opened @t captured? Also on a compacted call
 * (sc__call_compact), whose messages wait as stubs. */
static inline bool
sc__request_captured(const struct sc_call *c, const struct sc_txn *t)
{
	const struct sc_msg *m;

	if (!t || t->first_msg >= c->nmsgs)
		return false;
	m = c->msgs[t->first_msg].msg;
	if (m)
		return m->is_request;
	return c->stubs_ && (c->stubs_[t->first_msg].flags & SC_STUB_REQUEST);
}

/* call.c */
char *sc__dup_or_null(const char *s);
/* Texts the call owns until it is summarised or freed (no free of its
 * own); NULL when out of memory, and sc__call_text(c, NULL) too. */
char *sc__call_room(struct sc_call *c, size_t n);
/* sc__call_bytes() when the current block has no room left */
char *sc__call_bytes_new_block(struct sc_call *c, const char *s, size_t len);

/* A block of texts of an open call (call.c). */
struct sc__textblock {
	struct sc__textblock *next;
	size_t size, used;
	char bytes[];
};

/* A call copies a score of texts: the common case, room in its current
 * block, is inline. */
static inline char *
sc__call_bytes(struct sc_call *c, const char *s, size_t len)
{
	struct sc__textblock *b = c->texts_;
	char *d;

	if (!b || b->size - b->used <= len)
		return sc__call_bytes_new_block(c, s, len);
	d = b->bytes + b->used;
	b->used += len + 1;
	memcpy(d, s, len);
	d[len] = '\0';
	return d;
}

static inline char *
sc__call_text(struct sc_call *c, const char *s)
{
	return s ? sc__call_bytes(c, s, strlen(s)) : NULL;
}

/* Free @p, a text of @c, unless the call's blocks hold it. */
void sc__call_release(const struct sc_call *c, void *p);
void sc__party_set(struct sc_call *c, struct sc_party *p,
                   const struct sc_nameaddr *na);
struct sc_call *sc__call_new(const char *call_id, size_t len);
/* Move the texts of open call @c into one block of their exact size (a
 * call that waits; later texts go to new blocks as before). */
void sc__call_repack_texts(struct sc_call *c);

/* correlate.c: file one message into its call (takes @m) */
enum sc_err sc__call_file(struct sc_call *c, struct sc_msg *m);
/* A message past the call's cap: its times and count only (takes @m). */
void sc__call_count_only(struct sc_call *c, struct sc_msg *m);

/* dialog.c */
void sc__note_bye(struct sc_call *c, const struct sc_txn *t,
                  const struct sc_msg *m);
enum sc_err sc__add_link_key(struct sc_call *c, const char *prefix,
                             const char *value);
enum sc_err sc__collect_link_keys(struct sc_call *c, const struct sc_msg *m);

/* outcome.c */
void sc__call_update(struct sc_call *c);
bool sc__call_is_complete(const struct sc_call *c);
bool sc__call_is_decided(const struct sc_call *c);
/* Why a call is settled: a timer check while it stays open (prompt
 * mode), a live call given up after the idle time, the input's end. */
enum sc__settle {
	SC__SETTLE_TIMER,
	SC__SETTLE_IDLE,
	SC__SETTLE_END,
};
/* @now_ns: the capture clock (live: also moved by ticks); @seen_ns: the
 * latest packet, what a -w file of the capture would show. */
void sc__call_settle(struct sc_call *c, int64_t now_ns, int64_t seen_ns,
                     enum sc__settle why);

/* Estimated heap of a kept message (its block from the parser's slab). */
static inline size_t
sc__msg_cost(const struct sc_msg *m)
{
	return sizeof(*m) + m->wire_len + m->nframes * sizeof(uint64_t);
}

/* compact.c: an open call's messages as stubs while it waits (struct
 * sc_msg_reloader): each message that says where its bytes are. Both
 * return the change in estimated heap; compact leaves @c as it was when
 * no message can be read again. */
size_t sc__call_compact(struct sc_call *c);
size_t sc__call_restore(struct sc_call *c, const struct sc_msg_reloader *r,
                        uint64_t *reread, uint64_t *lost);

#endif /* SC_CALLS_IMPL_H */
