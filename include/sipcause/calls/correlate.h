/* correlate.h - messages into transactions, dialogs and calls */
#ifndef SC_CORRELATE_H
#define SC_CORRELATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sipcause/util/addr.h"
#include "sipcause/util/compiler.h"
#include "sipcause/util/error.h"
#include "sipcause/sip/sipmsg.h"

/*
 * A "call" is every message sharing one Call-ID (RFC 3261 8.1.1.4),
 * whatever its kind: an INVITE session, a registration, a subscription,
 * an OPTIONS ping. Inside it, transactions (RFC 3261 17) pair requests
 * with responses, and dialogs (12) are told apart by tags.
 */

/* Outcome of a call (stable JSON ids). */
#define SC_CALL_STATES(X)                     \
	X(IN_PROGRESS, "in-progress")         \
	X(ANSWERED, "answered")               \
	X(ANSWERED_NO_ACK, "answered-no-ack") \
	X(FAILED, "failed")                   \
	X(CANCELLED, "cancelled")             \
	X(TIMEOUT, "timeout")                 \
	X(REDIRECTED, "redirected")           \
	X(REGISTERED, "registered")           \
	X(REFUSED, "refused")                 \
	X(UNREGISTERED, "unregistered")       \
	X(COMPLETED, "completed")             \
	X(MID_DIALOG, "mid-dialog")

enum sc_call_state {
#define SC_CALL_STATE_ENUM(name, id) SC_CALL_##name,
	SC_CALL_STATES(SC_CALL_STATE_ENUM)
#undef SC_CALL_STATE_ENUM
	        SC_CALL__COUNT
};

/* Stable id of a state ("answered"); static lifetime. */
const char *sc_call_state_id(enum sc_call_state s);

/* Who ended an answered call. */
enum sc_side {
	SC_SIDE_NONE,
	SC_SIDE_CALLER,
	SC_SIDE_CALLEE,
};

/* Names of a party, copied out of the first request. */
struct sc_party {
	char *display;
	char *uri;
	char *user;
	char *tag;
};

/* One message inside a call, with what correlation learned about it. */
struct sc_callmsg {
	struct sc_msg *msg;  /* owned; NULL once the call is summarised */
	uint32_t txn;        /* index into call->txns, UINT32_MAX if none */
	uint16_t hop;        /* index into call->hops */
	bool retransmission; /* same message, same hop, seen before */
	bool duplicate;      /* a mirror copy (SPAN/TAP) of the previous
	                        one: same hop, same size, within a few
	                        ms; not a retransmission by the sender */
};

/* One transaction: a request and its responses (RFC 3261 17). */
struct sc_txn {
	enum sc_method method;
	char *method_name;
	uint32_t cseq;
	char *branch;                 /* top Via branch (owned), or NULL */
	uint32_t first_msg;           /* index of the first request in msgs */
	uint32_t cancels;             /* CANCEL: index of the INVITE txn */
	int64_t first_ts;             /* first send of the request */
	int64_t first_provisional_ts; /* first 1xx, 0 if none */
	int64_t first_ringing_ts;     /* first 180/183, 0 if none */
	int64_t final_ts;             /* first final response, 0 if none */
	int final_code;               /* 0 when none seen */
	uint32_t final_msg;           /* index of the final response */
	uint32_t request_sends; /* copies of the request on its first hop */
	uint32_t final_sends;   /* copies of the final response */
	bool has_credentials;   /* request carried Authorization */
	bool acked;             /* INVITE: ACK seen for the final */
	char *sent_by;          /* top Via sent-by of the request (owned) */
	uint32_t hops;          /* distinct hops the request was seen on */
	uint32_t attempt;       /* index into call->attempts */
	uint32_t leader;        /* the transaction of the same request on
	                           the hop nearest the caller (itself when
	                           it is that one): proxies and B2BUAs
	                           that keep the Call-ID open one
	                           transaction per hop */
	bool in_dialog;         /* the request carried a To tag */
	bool from_response;     /* its request was not captured */
	uint32_t duplicates;    /* mirror copies of its messages */
	int64_t last_send_ts;   /* last send of the request */
};

/* A hop: one direction between two capture-visible addresses. */
struct sc_hop {
	struct sc_endpoint src;
	struct sc_endpoint dst;
};

/*
 * A dialog (RFC 3261 12) of the call's INVITE, told apart by the To tag
 * of the responses: several of them are forks (a proxy rang several
 * phones). Early until a 2xx confirms it.
 */
struct sc_dialog {
	char *to_tag;    /* owned */
	int best_code;   /* highest-ranked response seen for it */
	bool confirmed;  /* a 2xx created it */
	bool terminated; /* BYE'd or rejected */
};

/* Times in milliseconds; -1 when not applicable. */
struct sc_timings {
	int64_t trying_ms;    /* request to first 100 */
	int64_t pdd_ms;       /* INVITE to first 18x (post-dial delay),
	                         from the INVITE that got them (after an
	                         authentication or other retry) */
	int64_t pdd_total_ms; /* the same from the attempt's first INVITE:
	                         includes auth challenges and retries; -1
	                         when there was no retry */
	int64_t ring_ms;      /* first 18x to final response */
	int64_t setup_ms;     /* INVITE to 2xx */
	int64_t ack_ms;       /* 2xx to ACK */
	int64_t duration_ms;  /* 2xx to BYE */
	int64_t total_ms;     /* first to last message */
};

/* An ICMP error that quoted one of the call's requests. */
struct sc_call_event {
	uint64_t frame;
	int64_t ts_ns;
	struct sc_addr from;  /* who sent the ICMP error */
	uint8_t icmp_version; /* 4 or 6 */
	uint8_t type;
	uint8_t code;
	char *text; /* "port unreachable" */
};

/*
 * An attempt: one initial request outside a dialog and its retries (with
 * credentials after a 401/407, after a 422, 423 or redirect, or other
 * credentials with the same CSeq after a refusal), with what happened
 * inside the dialog it created. A Call-ID may hold
 * several (a REGISTER then an INVITE, refreshes, a scanner's tries). The
 * indices are valid while the call keeps its transactions.
 */
struct sc_attempt {
	enum sc_method kind; /* method of the initial request */
	char *kind_name;     /* its name when kind is OTHER, else NULL */
	uint32_t cseq;       /* CSeq of the first request */
	uint32_t first_txn;
	uint32_t deciding_txn; /* the retry whose outcome is the
	                          attempt's, UINT32_MAX when none */
	uint32_t root_txn;     /* transaction (hop) whose response, or
	                          silence, originated a failure;
	                          UINT32_MAX when it is the deciding
	                          one's or nothing failed */
	uint64_t first_frame;
	uint64_t last_frame;
	int64_t first_ts;
	enum sc_call_state state;
	int final_code; /* what the caller saw; 0 when none */
	char *final_reason;
	uint32_t retries;         /* initial requests after the first */
	uint32_t auth_challenges; /* 401/407 answered by a retry */
};

/* Name of an attempt's method ("INVITE"); static or owned by @a. */
const char *sc_attempt_kind_name(const struct sc_attempt *a);

/*
 * The Reason header (RFC 3326) of the BYE that ended an answered call.
 * sip_cause and q850 are -1 when absent; text may be NULL.
 */
struct sc_end_reason {
	bool present;
	int sip_cause;
	int q850;
	char *text;
};

struct sc__textblock;

/* Hops a summarised call keeps (struct sc_call.hops). */
#define SC_CALL_SUMMARY_HOPS 16

/*
 * A call. Counters are 32-bit and the fields are ordered to avoid
 * padding: a summarised call is kept for every call of a capture, so
 * each byte here counts once per call (see bench/memory.sh).
 */
struct sc_call {
	char *call_id;   /* NUL-terminated; a NUL byte from the wire
	                    may sit inside: call_id_len counts all */
	char *kind_name; /* its name as seen (also for OTHER) */
	struct sc_party from;
	struct sc_party to;
	char *ruri; /* Request-URI of the first request of the
	               headline attempt (from, to, caller and
	               callee are that request's too) */
	int64_t first_ts;
	int64_t last_ts;
	uint64_t first_frame;
	char *final_reason;
	int64_t end_ts;           /* the BYE that ended it, 0 if none */
	int64_t expires;          /* REGISTER: granted expiry in s, else -1 */
	char *subscription_state; /* last NOTIFY's Subscription-State value */
	char *caller_agent;       /* User-Agent of the first request of the
	                             headline attempt's caller (the UA that
	                             sent its first request), or of a later
	                             request of that side; NULL if none */
	char *callee_agent;       /* Server (or User-Agent) of the far end:
	                             of the first response with a To tag
	                             (made by a UAS, RFC 3261 8.2.6.2;
	                             proxies relay it unchanged), else of a
	                             request the callee sent in the dialog */
	uint32_t msg_count;       /* messages seen, also after summarising */
	uint32_t duplicates;      /* mirror copies (not retransmissions) */
	struct sc_end_reason end_reason; /* that BYE's Reason header */
	struct sc_endpoint caller;       /* source of that request */
	struct sc_endpoint callee;       /* its destination */
	enum sc_method kind;             /* method of the headline attempt */
	enum sc_call_state state;
	int final_code;           /* what the caller saw for the headline
	                             attempt (after its retries), 0: none */
	enum sc_side ended_by;    /* sender of the BYE that was accepted (or
	                             of the only BYE when no answer to it
	                             was captured) */
	uint32_t bye_refused;     /* BYEs answered with a failure */
	int bye_refused_code;     /* the first such code */
	uint32_t auth_challenges; /* 401/407 answered by a retry */
	uint32_t forks;           /* dialogs (To tags) the INVITE created */
	uint32_t retransmissions;
	uint32_t malformed;
	uint32_t methods;     /* 1u << enum sc_method of every request */
	uint32_t call_id_len; /* bytes of call_id, NUL bytes included */
	struct sc_callmsg *msgs;
	struct sc_txn *txns;
	struct sc_hop *hops; /* a summarised call keeps the first
	                        SC_CALL_SUMMARY_HOPS */
	struct sc_dialog *dialogs;
	uint32_t nmsgs;
	uint32_t msgs_alloc;
	uint32_t ntxns;
	uint32_t txns_alloc;
	uint32_t nhops;
	uint32_t ndialogs;
	struct sc_attempt *attempts; /* at least one once a message came */
	uint32_t nattempts;
	uint32_t headline; /* the attempt whose kind, state and code
	                      are the call's: an INVITE one over
	                      others, the latest among equals */
	char **link_keys;  /* identifiers shared with other legs;
	                      dropped when summarised */
	struct sc_call_event *events;
	char **linked; /* Call-IDs of linked legs */
	uint32_t nlink_keys;
	uint32_t nevents;
	uint32_t nlinked;
	struct sc_timings timings;
	bool bye_accepted; /* a BYE got a 2xx */
	bool summarised;
	/* private, for sc__call_update() to skip comparing texts: since
	 * it last looked, kind_name holds sc_method_name(kind) (not OTHER),
	 * final_reason a copy of the headline attempt's */
	bool kind_named_;
	bool reason_copied_;
	/* private: while open, most strings above live in blocks of
	 * texts_; once summarised, all of them in the one block pool_ */
	uint32_t pool_len_;
	char *pool_;
	struct sc__textblock *texts_;
	struct sc_msgstub *stubs_; /* while open and compacted: one per
	                              message (struct sc_msg_reloader) */
};

/*
 * sc_call_deciding_txn - the transaction whose outcome is the call's:
 * the deciding transaction of the headline attempt (its latest initial
 * request: the retry after an auth challenge, 422, 423, redirect, or the
 * same request sent again). NULL when the call has none (mid-dialog
 * capture). Valid while the call keeps its transactions.
 */
const struct sc_txn *sc_call_deciding_txn(const struct sc_call *c);

/* sc_attempt_deciding_txn - the same for attempt @a of @c, or NULL. */
const struct sc_txn *sc_attempt_deciding_txn(const struct sc_call *c,
                                             const struct sc_attempt *a);

/* Release a call and everything it owns; NULL is a no-op. */
void sc_call_free(struct sc_call *c);

/*
 * sc_call_summarise - drop the messages and transactions of a finished
 * call, keeping its compact record (what a one-line report needs), with
 * all its strings packed into one allocation. The fields keep their
 * meaning; only their storage moves.
 */
void sc_call_summarise(struct sc_call *c);

/*
 * A message of an open call that waits with only what is needed to read
 * it again from its capture file (compacted: struct sc_msg_reloader):
 * where its bytes are and the framing data its parse takes; its
 * addresses are its hop's. The bytes read back must hold the call's
 * Call-ID, or the message counts as lost.
 */
struct sc_msgstub {
	uint64_t file_off; /* 0: the message stayed parsed */
	uint64_t frame;
	int64_t ts_ns;
	uint32_t len;
	uint16_t input;
	uint8_t flags; /* its SC_RAW_* flags, and SC_STUB_REQUEST */
	uint8_t transport;
};

/* In sc_msgstub.flags, above the SC_RAW_* flags: a request. */
#define SC_STUB_REQUEST 0x80u

/*
 * How a file's messages are read again. A call in progress holds every
 * message parsed (~1 KB each) while it lasts: a long call ties up the
 * memory of its setup for minutes. Past a budget of such memory, the
 * table compacts the oldest quiet calls in progress: each message that
 * says where its bytes are (sc_msg.file_off) becomes a struct
 * sc_msgstub. The table reads the call back whole (@reload) when a
 * message comes for it; a compacted call that ends is handed over as it
 * is, and its receiver reads it back (sc_call_restore()).
 */
struct sc_msg_reloader {
	/* The message whose raw->len bytes are at raw->file_off of input
	 * raw->input, parsed again with the framing data of @raw (all but
	 * raw->data, which the callee points at the bytes); NULL when they
	 * cannot be read. */
	struct sc_msg *(*reload)(void *ctx, struct sc_rawmsg *raw);
	void *ctx;
};

/*
 * sc_call_restore - read @c back whole if it was handed over compacted
 * (a table with a reloader hands its calls over as they are: read them
 * back before anything but their record, Call-ID and link keys is read).
 * A no-op on a call that is not compacted. Adds the messages read back
 * to *reread, and those that could not be (then missing from the call)
 * to *lost.
 */
void sc_call_restore(struct sc_call *c, const struct sc_msg_reloader *r,
                     uint64_t *reread, uint64_t *lost);

/* Receives a finished call; the receiver owns it from then on. */
typedef void sc_call_fn(void *ctx, struct sc_call *call);

struct sc_calltab_opts {
	/* A call is finished when nothing happened for this long on the
	 * capture clock after its final response (or its BYE/200). */
	int64_t linger_ns;
	/* Calls with no final answer are given up after this long. */
	int64_t idle_ns;
	/*
	 * Prompt mode (live capture): a call is handed to @decided as soon
	 * as its outcome is known (a failed attempt at its final response,
	 * an answered call when its BYE transaction completes, a timer on
	 * the capture clock); its Call-ID is then remembered for linger_ns
	 * so that later retransmissions and ACKs are absorbed instead of
	 * making a new call. NULL: calls are handed over by expire/flush.
	 */
	sc_call_fn *decided;
	void *decided_ctx;
	/*
	 * Caps that bound memory whatever the input (0: the default). Each
	 * is counted in struct sc_calltab_caps when it acts.
	 * max_open: calls open at once (default 65536); beyond it the
	 * oldest open calls are handed over at once, decided with what was
	 * seen (an unanswered request older than 32 s is a timeout), to
	 * @evicted's handler (the expire/flush/trim one, or @decided).
	 * max_held_msgs: messages kept by all open calls together (default
	 * 262144); beyond it, the oldest calls go the same way.
	 * max_call_msgs: messages one call keeps (default 1024); later ones
	 * are counted in its msg_count and its times, not kept.
	 */
	size_t max_open;
	size_t max_held_msgs;
	size_t max_call_msgs;
	/*
	 * File input: how messages are read again, and the heap that the
	 * parsed messages of calls in progress may hold before the oldest
	 * quiet ones are compacted (0: SC_CALLTAB_IN_FLIGHT_BYTES). NULL:
	 * nothing is compacted.
	 */
	const struct sc_msg_reloader *reloader;
	size_t in_flight_bytes;
	/* Compact every call in progress after each message, quiet or not
	 * (tests: every message is read back). */
	bool compact_always;
};

/* Default heap of parsed messages of calls in progress (64 MiB, about
 * 11,000 calls in full detail): past it, calls that wait are compacted,
 * and each costs a second parse of its messages when it goes on. */
#define SC_CALLTAB_IN_FLIGHT_BYTES ((size_t)64 << 20)

/* What the caps did (struct sc_calltab_opts). */
struct sc_calltab_caps {
	uint64_t open_calls_evicted; /* handed over early: too many open
	                                calls or held messages */
	uint64_t call_msgs_dropped;  /* messages past a call's cap */
	/* compaction (struct sc_msg_reloader): work that changes no
	 * result (stats.compaction); lost messages are missing */
	uint64_t calls_compacted;
	uint64_t msgs_reread;
	uint64_t msgs_lost; /* could not be read again */
};

struct sc_calltab;

/*
 * sc_calltab_new - an empty table. @opts may be NULL for defaults
 * (linger 32 s, idle 5 min). NULL when out of memory.
 */
struct sc_calltab *sc_calltab_new(const struct sc_calltab_opts *opts);

/* Free the table and every call still in it; NULL is a no-op. */
void sc_calltab_free(struct sc_calltab *t);

/*
 * sc_calltab_add - file @msg into its call (creating it) and update the
 * call's transactions, state and timings. Takes ownership of @msg in
 * every case. A message without a Call-ID makes a call of its own per
 * transaction (keyed by its branch and CSeq). Trailing white space of a
 * Call-ID is ignored. Returns SC_ENOMEM when the message could not be
 * kept. When a cap on open calls or held messages acts, the oldest
 * calls go to the handler set by sc_calltab_set_evicted() (none: they
 * are freed), counted in sc_calltab_caps().
 */
enum sc_err sc_calltab_add(struct sc_calltab *t,
                           struct sc_msg *msg) SC_WARN_UNUSED;

/*
 * sc_calltab_note_packet - a packet (of any kind) was captured at @ts_ns.
 * Timers that fire on a clock moved without packets (live ticks) decide
 * only what a file of the same packets would show (RFC 3261 Timer B: a
 * packet 32 s after the request, or the request's retransmissions);
 * sc_calltab_add() notes its own messages.
 */
void sc_calltab_note_packet(struct sc_calltab *t, int64_t ts_ns);

/*
 * sc_calltab_set_evicted - where calls handed over by a cap go (file
 * input: the same handler as sc_calltab_trim's). Prompt mode uses the
 * @decided handler when none is set.
 */
void sc_calltab_set_evicted(struct sc_calltab *t, sc_call_fn *evicted,
                            void *ctx);

/*
 * sc_calltab_attach_event - record an ICMP error quoting a request of the
 * call @call_id, if that call is known. Takes ownership of ev->text.
 */
void sc_calltab_attach_event(struct sc_calltab *t, const char *call_id,
                             struct sc_call_event *ev);

/*
 * sc_calltab_expire - hand every call finished by @now_ns (capture clock)
 * to @done, oldest first. For live capture: a Call-ID seen after its
 * call was handed over starts a new call.
 */
void sc_calltab_expire(struct sc_calltab *t, int64_t now_ns, sc_call_fn *done,
                       void *ctx);

/*
 * sc_calltab_trim - keep at most @max_open calls open (0: no limit): at
 * @now_ns (capture clock), hand complete calls quiet for the linger time
 * to @done, oldest first, until an eighth below the limit (file input,
 * where calls depend only on their messages and time gaps never split
 * them). Scans at most once per capture second.
 */
void sc_calltab_trim(struct sc_calltab *t, int64_t now_ns, size_t max_open,
                     sc_call_fn *done, void *ctx);

/*
 * sc_calltab_flush - hand every remaining call to @done: the input ended
 * at @now_ns (capture clock), which decides whether an unanswered
 * request timed out or was still in progress.
 */
void sc_calltab_flush(struct sc_calltab *t, int64_t now_ns, sc_call_fn *done,
                      void *ctx);

/*
 * sc_calls_link - link the legs of B2BUA calls among @calls: calls that
 * share an identifier (one names the other in X-Call-ID or a configured
 * header, both carry the same RFC 7989 Session-ID UUID, or the same
 * P-Charging-Vector icid-value) list each other's Call-ID in ->linked.
 * Run once over the finished calls. SC_ENOMEM leaves links partial.
 */
enum sc_err sc_calls_link(struct sc_call **calls, size_t n) SC_WARN_UNUSED;

struct sc_linker;

/*
 * sc_linker_new - links legs incrementally, as each call closes: every
 * call added is linked with the calls added before it that share an
 * identifier (both sides get the other's Call-ID in ->linked). The calls
 * must outlive the linker. NULL when out of memory.
 */
struct sc_linker *sc_linker_new(void);

/* Free a linker (not the calls); NULL is a no-op. */
void sc_linker_free(struct sc_linker *l);

/* Link @c with the legs added before it; SC_ENOMEM leaves links partial. */
enum sc_err sc_linker_add(struct sc_linker *l,
                          struct sc_call *c) SC_WARN_UNUSED;

/*
 * sc_linker_release - @c is about to be freed (streamed, not kept): the
 * linker keeps its Call-ID for later legs and forgets the call. Call it
 * while @c still has its link keys (before sc_call_summarise()).
 */
void sc_linker_release(struct sc_linker *l, const struct sc_call *c);

/*
 * sc_linker_set_max_keys - remember at most @max_keys identifiers (0:
 * 262144); beyond, the oldest are forgotten, counted by
 * sc_linker_forgotten(): a leg then no longer links to a leg that
 * closed that many identifiers earlier.
 */
void sc_linker_set_max_keys(struct sc_linker *l, size_t max_keys);
uint64_t sc_linker_forgotten(const struct sc_linker *l);

/* A call @call_id named the released call (@released_id, first frame
 * @released_first_frame) as a leg: the released call's link comes late. */
typedef void sc_late_link_fn(void *ctx, const char *released_id,
                             uint64_t released_first_frame,
                             const char *call_id);

/*
 * sc_linker_keep_released - keep released calls' keys until the cap
 * (not 32 s of capture time) and report to @late every leg that links
 * to one: for a writer that wrote the released call away and patches
 * its links at the end, so that it lists what a kept call would.
 */
void sc_linker_keep_released(struct sc_linker *l, sc_late_link_fn *late,
                             void *ctx);

/* The last REGISTER outcome seen for a user (the To URI's user part). */
struct sc_registration {
	int code;        /* final response; 0 when none came */
	int64_t ts_ns;   /* when */
	int64_t expires; /* granted expiry in s, -1 if unknown */
};

/*
 * sc_calltab_registration - the latest registration outcome of @user seen
 * so far, or NULL. Owned by the table; valid until the next add.
 */
const struct sc_registration *
sc_calltab_registration(const struct sc_calltab *t, const char *user);

/* sc_call_has_method - did @c see a request of method @m? */
static inline bool
sc_call_has_method(const struct sc_call *c, enum sc_method m)
{
	return (c->methods >> (unsigned)m) & 1u;
}

/* Calls currently open in the table. */
size_t sc_calltab_count(const struct sc_calltab *t);

/* Messages kept by the open calls. */
size_t sc_calltab_held(const struct sc_calltab *t);

/* What the caps did so far. */
const struct sc_calltab_caps *sc_calltab_caps(const struct sc_calltab *t);

/* The first frame of the oldest call still open (UINT64_MAX: none); not
 * from a callback of the table (its list is being changed then). O(1)
 * for files; with live expiry (sc_calltab_expire) it skips the Call-IDs
 * of calls handed over that wait in front. */
uint64_t sc_calltab_oldest_open(const struct sc_calltab *t);

#endif /* SC_CORRELATE_H */
