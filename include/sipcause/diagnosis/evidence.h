/* evidence.h - causes built from what a response and its request say
 *
 * A response code has a generic meaning (kb.h); the headers around it
 * often say more: a reason phrase such as "No DNS results", a Warning,
 * a Reason header with a Q.850 cause, Retry-After, the request's
 * Max-Forwards, the digest parameters of a challenge, an ICMP error.
 * sc_evidence_cause() reads those facts and names the cause they point
 * to, with a sentence that quotes them and the structured items it cites.
 * It allocates nothing and keeps no state: the result is a plain value.
 */
#ifndef SC_EVIDENCE_H
#define SC_EVIDENCE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sipcause/diagnosis/kb.h"
#include "sipcause/sip/sipmsg.h"

/* Bytes of one string from the wire kept in an item or a sentence (cut at
 * a UTF-8 boundary). Wire text is kept as given: the report escapes it. */
#define SC_EVIDENCE_WIRE_MAX 120
/* Size of the buffer of one item's sentence, and of the cause sentence. */
#define SC_EVIDENCE_TEXT_MAX 256
#define SC_EVIDENCE_CAUSE_MAX 640
/* Items kept per cause; more facts than this are dropped (counted). */
#define SC_EVIDENCE_MAX_ITEMS 10
/* Reason header values and Warning values looked at per response. */
#define SC_EVIDENCE_MAX_REASONS 4

/* Kinds of evidence (stable ids, for JSON). */
#define SC_EV_KINDS(X)                    \
	X(REASON_PHRASE, "reason-phrase") \
	X(WARNING, "warning")             \
	X(REASON_SIP, "reason-sip")       \
	X(REASON_Q850, "reason-q850")     \
	X(RETRY_AFTER, "retry-after")     \
	X(MAX_FORWARDS, "max-forwards")   \
	X(CREDENTIALS, "credentials")     \
	X(CHALLENGE, "challenge")         \
	X(LATER_SUCCESS, "later-success") \
	X(ICMP, "icmp")

enum sc_ev_kind {
#define SC_EV_KIND_ENUM(name, id) SC_EV_##name,
	SC_EV_KINDS(SC_EV_KIND_ENUM)
#undef SC_EV_KIND_ENUM
	        SC_EV__COUNT
};

/* Stable id of a kind ("warning"); static lifetime, "" when out of range. */
const char *sc_ev_kind_id(enum sc_ev_kind k);

/* One Warning header value (RFC 3261 20.43): 399 proxy1 "text". */
struct sc_warning_fact {
	int code;          /* warn-code, -1 when unreadable */
	const char *agent; /* warn-agent, may be NULL */
	const char *text;  /* warn-text without its quotes, may be NULL */
};

/*
 * What is known about one final response and the request it answers.
 * Every pointer may be NULL and every string is borrowed for the call of
 * sc_evidence_cause() only. Zero-initialise, then set -1 in the integer
 * fields that are unknown (see sc_response_facts_init()).
 */
struct sc_response_facts {
	int status;                /* 0: no response (then ICMP may say why) */
	const char *reason_phrase; /* as on the wire */
	const char *method;        /* method of the request ("REGISTER") */
	const struct sc_warning_fact *warnings;
	size_t nwarnings;
	const char *reason_hdr;  /* raw Reason value(s), joined with ", "
	                            as struct sc_msg's reason_hdr is */
	int64_t retry_after;     /* seconds, -1 when absent */
	int max_forwards;        /* of the request, -1 when unknown */
	bool has_credentials;    /* the request carried Authorization or
	                            Proxy-Authorization */
	const char *credentials; /* raw value of that header, or NULL */
	const char *challenge;   /* raw WWW-/Proxy-Authenticate value of
	                            the response, or NULL */
	bool accepted_later;     /* a later retry of the same request
	                            with the same user name got a 2xx */
	/* an ICMP error that quoted the request (version 0: none) */
	uint8_t icmp_version; /* 4 or 6 */
	uint8_t icmp_type;
	uint8_t icmp_code;
	const char *icmp_text; /* "port unreachable" */
	const char *icmp_from; /* who sent it, formatted address */
};

/* Zero @f and set the "unknown" markers (-1) of its integer fields. */
void sc_response_facts_init(struct sc_response_facts *f);

/*
 * sc_response_facts_from_msgs - fill @f from a parsed response @resp and
 * the request @req it answers (either may be NULL). struct sc_msg keeps
 * only the first Warning: it is copied into @wbuf, which @f then points
 * to. struct sc_msg does not carry the raw challenge nor the raw
 * credentials, so f->challenge and f->credentials stay NULL: set them
 * when known. @f borrows the messages' strings.
 */
void sc_response_facts_from_msgs(struct sc_response_facts *f,
                                 const struct sc_msg *req,
                                 const struct sc_msg *resp,
                                 struct sc_warning_fact *wbuf);

/* One fact the cause cites. */
struct sc_ev_item {
	enum sc_ev_kind kind;
	/* the number it is about: status, warn-code, cause value, seconds,
	 * hops, ICMP type * 256 + code; -1 when none */
	int64_t num;
	char value[SC_EVIDENCE_WIRE_MAX + 1]; /* the wire text, as given */
	char text[SC_EVIDENCE_TEXT_MAX];      /* a short sentence citing it */
};

/*
 * The cause the evidence points to. @rule is NULL when no rule applies
 * (the code's generic cause stands; @items still lists the facts seen).
 */
struct sc_cause {
	const char *rule;     /* stable id, static ("auth.stale-nonce") */
	enum sc_category cat; /* category to give the response */
	/* true: the evidence names the cause outright and should win over
	 * rules that reason from the code alone; false: a supporting cause,
	 * for when no other rule explains the response */
	bool decisive;
	bool normal; /* not a failure (an expected step) */
	int q850;    /* Q.850 cause of a Reason header, 0: none;
	                use it for the Q.850 line when set */
	char cause[SC_EVIDENCE_CAUSE_MAX]; /* plain sentence citing items */
	struct sc_ev_item items[SC_EVIDENCE_MAX_ITEMS];
	size_t nitems;
	size_t dropped; /* facts not kept: items were full */
};

/*
 * sc_evidence_cause - the cause @f's evidence points to. Fills @out
 * completely: its items list every fact found (reason phrase when it is
 * not the RFC's, Warnings, Reason values, Retry-After, Max-Forwards 0,
 * auth parameters, ICMP); its cause, category and rule are set when a
 * rule applies. Rules, first match wins (ids in sc_evidence_rule_ids):
 *   no response: icmp.prohibited, icmp.port-unreachable, icmp.unreachable;
 *   auth.ims-aka-challenge, auth.stale-nonce, loop.max-forwards-zero,
 *   routing.dns-failure, routing.no-route, config.registrar-disabled,
 *   config.service-disabled, account.no-funds, policy.ip-blocked,
 *   auth.wrong-password, q850.<category>, reason.sip-relayed (decisive);
 *   reason.sip-text, reason.stated (supporting).
 * Returns true when a rule applied. Never allocates.
 */
bool sc_evidence_cause(const struct sc_response_facts *f, struct sc_cause *out);

/* Every rule id sc_evidence_cause() can give; NULL-terminated, static. */
extern const char *const sc_evidence_rule_ids[];

/*
 * sc_evidence_q850_category - the failure category a Q.850 cause points
 * to, after the RFC 3398 8.2.4.1 interworking: 17 busy, 34 overload...
 * False for causes that say nothing about the failure (16 normal
 * clearing, 31 normal unspecified, 127 interworking...) or are unknown.
 */
bool sc_evidence_q850_category(int cause, enum sc_category *out);

/* One value of a Reason header (RFC 3326): SIP;cause=480;text="...". */
struct sc_reason_fact {
	char protocol[16]; /* "SIP", "Q.850" (as written, cut) */
	bool is_sip;       /* protocol is SIP */
	bool is_q850;      /* protocol is Q.850 */
	int cause;         /* -1 when absent or unreadable */
	char text[SC_EVIDENCE_WIRE_MAX + 1]; /* text=, unquoted, cut, or "" */
};

/*
 * sc_evidence_parse_reason - split a Reason header value @hdr (several
 * values joined by commas; commas inside quoted text are kept) into at
 * most @max facts. Returns how many were stored. Bounded; never fails.
 */
size_t sc_evidence_parse_reason(const char *hdr, struct sc_reason_fact *out,
                                size_t max);

/*
 * sc_evidence_auth_param - the value of parameter @name (case-insensitive)
 * in a digest challenge or credentials value @hdr (Digest a="x", b=y),
 * unquoted and cut to fit @buf (NUL-terminated). True when present (an
 * empty value, response="", is present and empty). @buf may not be NULL.
 */
bool sc_evidence_auth_param(const char *hdr, const char *name, char *buf,
                            size_t len);

#endif /* SC_EVIDENCE_H */
