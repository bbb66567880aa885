/* correlate.h - messages into transactions, dialogs and calls */
#ifndef SC_CORRELATE_H
#define SC_CORRELATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sipcause/util/addr.h"
#include "sipcause/diagnosis/classify.h"
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
#define SC_CALL_STATES(X)                        \
	X(IN_PROGRESS, "in-progress")            \
	X(ANSWERED, "answered")                  \
	X(ANSWERED_NO_ACK, "answered-no-ack")    \
	X(FAILED, "failed")                      \
	X(CANCELLED, "cancelled")                \
	X(TIMEOUT, "timeout")                    \
	X(REDIRECTED, "redirected")              \
	X(REGISTERED, "registered")              \
	X(REFUSED, "refused")                    \
	X(UNREGISTERED, "unregistered")          \
	X(COMPLETED, "completed")                \
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
	struct sc_msg *msg;        /* owned; NULL once the call is summarised */
	uint32_t txn;              /* index into call->txns, UINT32_MAX if none */
	uint16_t hop;              /* index into call->hops */
	bool retransmission;       /* same message, same hop, seen before */
	struct sc_explain *ann;    /* responses: set by classify; owned */
};

/* One transaction: a request and its responses (RFC 3261 17). */
struct sc_txn {
	enum sc_method method;
	char *method_name;
	uint32_t cseq;
	char *branch;              /* top Via branch (owned), or NULL */
	uint32_t first_msg;        /* index of the first request in msgs */
	uint32_t cancels;          /* CANCEL: index of the INVITE txn */
	int64_t first_ts;          /* first send of the request */
	int64_t first_provisional_ts;  /* first 1xx, 0 if none */
	int64_t first_ringing_ts;      /* first 180/183, 0 if none */
	int64_t final_ts;          /* first final response, 0 if none */
	int final_code;            /* 0 when none seen */
	uint32_t final_msg;        /* index of the final response */
	uint32_t request_sends;    /* copies of the request on its first hop */
	uint32_t final_sends;      /* copies of the final response */
	bool has_credentials;      /* request carried Authorization */
	bool acked;                /* INVITE: ACK seen for the final */
	char *sent_by;             /* top Via sent-by of the request (owned) */
	uint32_t hops;             /* distinct hops the request was seen on */
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
	char *to_tag;              /* owned */
	int best_code;             /* highest-ranked response seen for it */
	bool confirmed;            /* a 2xx created it */
	bool terminated;           /* BYE'd or rejected */
};

/* Times in milliseconds; -1 when not applicable. */
struct sc_timings {
	int64_t trying_ms;      /* request to first 100 */
	int64_t pdd_ms;         /* INVITE to first 18x (post-dial delay) */
	int64_t ring_ms;        /* first 18x to final response */
	int64_t setup_ms;       /* INVITE to 2xx */
	int64_t ack_ms;         /* 2xx to ACK */
	int64_t duration_ms;    /* 2xx to BYE */
	int64_t total_ms;       /* first to last message */
};

/*
 * Something worth knowing about a call besides its verdict (a NAT risk on
 * an answered call, an authentication challenge, a lossy path). The rule
 * id is static; the text is owned by the call.
 */
struct sc_finding {
	const char *rule;
	char *text;
};

/* An ICMP error that quoted one of the call's requests. */
struct sc_call_event {
	uint64_t frame;
	int64_t ts_ns;
	struct sc_addr from;      /* who sent the ICMP error */
	uint8_t icmp_version;     /* 4 or 6 */
	uint8_t type;
	uint8_t code;
	char *text;               /* "port unreachable" */
};

struct sc_call {
	char *call_id;
	enum sc_method kind;      /* method of the first request */
	char *kind_name;          /* its name as seen (also for OTHER) */
	struct sc_party from;
	struct sc_party to;
	char *ruri;               /* Request-URI of the first request */
	struct sc_endpoint caller;    /* source of the first request */
	struct sc_endpoint callee;    /* its destination */
	int64_t first_ts;
	int64_t last_ts;
	uint64_t first_frame;
	uint64_t last_frame;
	enum sc_call_state state;
	int final_code;           /* final response to the first request's
				     transaction (after auth retries) */
	char *final_reason;
	enum sc_side ended_by;
	int64_t end_ts;           /* the BYE that ended it, 0 if none */
	int64_t expires;          /* REGISTER: granted expiry in s, else -1 */
	char *subscription_state; /* last NOTIFY's Subscription-State value */
	uint32_t auth_challenges; /* 401/407 answered by a retry */
	size_t forks;             /* dialogs (To tags) the INVITE created */
	size_t msg_count;         /* messages seen, also after summarising */
	size_t retransmissions;
	size_t malformed;
	struct sc_callmsg *msgs;
	size_t nmsgs;
	size_t msgs_alloc;
	struct sc_txn *txns;
	size_t ntxns;
	size_t txns_alloc;
	struct sc_hop *hops;
	size_t nhops;
	struct sc_dialog *dialogs;
	size_t ndialogs;
	char **link_keys;         /* identifiers shared with other legs */
	size_t nlink_keys;
	struct sc_timings timings;
	struct sc_call_event *events;
	size_t nevents;
	char **linked;            /* Call-IDs of linked legs */
	size_t nlinked;
	struct sc_explain verdict;
	struct sc_finding *findings;  /* other rules that apply (classify) */
	size_t nfindings;
	bool classified;
	bool summarised;
	/* private: once summarised, the strings above live in one block */
	char *pool_;
	size_t pool_len_;
};

/*
 * sc_call_deciding_txn - the transaction whose outcome is the call's: the
 * first request's, or its retry outside the dialog after a failure (auth
 * challenge, 422, 423, redirect); for REGISTER the latest answered one.
 * NULL when the call has no request of its kind (mid-dialog capture).
 * Valid while the call keeps its transactions (until summarised).
 */
const struct sc_txn *sc_call_deciding_txn(const struct sc_call *c);

/* Release a call and everything it owns; NULL is a no-op. */
void sc_call_free(struct sc_call *c);

/*
 * sc_call_summarise - drop the messages and transactions of a classified
 * call, keeping its compact record (what a one-line report needs), with
 * all its strings packed into one allocation. The fields keep their
 * meaning; only their storage moves.
 */
void sc_call_summarise(struct sc_call *c);

/* Receives a finished call; the receiver owns it from then on. */
typedef void sc_call_fn(void *ctx, struct sc_call *call);

struct sc_calltab_opts {
	/* A call is finished when nothing happened for this long on the
	 * capture clock after its final response (or its BYE/200). */
	int64_t linger_ns;
	/* Calls with no final answer are given up after this long. */
	int64_t idle_ns;
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
 * every case. Messages without a Call-ID are filed together under the
 * empty Call-ID. Returns SC_ENOMEM when the message could not be kept.
 */
enum sc_err sc_calltab_add(struct sc_calltab *t, struct sc_msg *msg) SC_WARN_UNUSED;

/*
 * sc_calltab_attach_event - record an ICMP error quoting a request of the
 * call @call_id, if that call is known. Takes ownership of ev->text.
 */
void sc_calltab_attach_event(struct sc_calltab *t, const char *call_id,
			     struct sc_call_event *ev);

/*
 * sc_calltab_expire - hand every call finished by @now_ns (capture clock)
 * to @done, oldest first.
 */
void sc_calltab_expire(struct sc_calltab *t, int64_t now_ns, sc_call_fn *done,
		       void *ctx);

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

/* The last REGISTER outcome seen for a user (the To URI's user part). */
struct sc_registration {
	int code;                 /* final response; 0 when none came */
	int64_t ts_ns;            /* when */
	int64_t expires;          /* granted expiry in s, -1 if unknown */
};

/*
 * sc_calltab_registration - the latest registration outcome of @user seen
 * so far, or NULL. Owned by the table; valid until the next add.
 */
const struct sc_registration *
sc_calltab_registration(const struct sc_calltab *t, const char *user);

/* Calls currently open in the table. */
size_t sc_calltab_count(const struct sc_calltab *t);

#endif /* SC_CORRELATE_H */
