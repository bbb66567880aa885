/* classify.h - verdicts: what a response or a call means, and why */
#ifndef SC_CLASSIFY_H
#define SC_CLASSIFY_H

#include <stdbool.h>
#include <stddef.h>

#include "sipcause/diagnosis/kb.h"
#include "sipcause/util/addr.h"
#include "sipcause/util/compiler.h"
#include "sipcause/util/error.h"

struct sc_call;
struct sc_registration;

/* What classification may know beyond the call itself. */
struct sc_classify_env {
	/* The latest REGISTER outcome of a user, or NULL (may be NULL). */
	const struct sc_registration *(*registration)(const void *ctx,
	                                              const char *user);
	const void *ctx;
};

/*
 * The response that originated a failure, on whichever hop, when it is
 * not the one the caller saw (a downstream 503 relayed as 480, a proxy's
 * 408 after its own request went unanswered). code is 0 when the root
 * cause is a request nobody answered on that hop.
 */
struct sc_root_cause {
	int code;
	const char *reason; /* its reason phrase (owned_ slot) or NULL */
	uint64_t frame;     /* the response, or the unanswered request */
	struct sc_endpoint src;
	struct sc_endpoint dst;
	unsigned hop; /* index into call->hops */
};

/*
 * The explanation of one response (an annotation) or of a whole call (a
 * verdict). Texts either point to static knowledge-base strings or are
 * built for this capture; @owned_ says which must be freed, so callers
 * treat every field as read-only and release it with the owner.
 */
struct sc_explain {
	int code;           /* status code; 0 when no final response */
	const char *reason; /* reason phrase seen (or the RFC's) */
	enum sc_class cls;
	enum sc_category cat;
	const char *meaning;
	const char *cause;   /* most likely cause in this capture */
	const char *tip;     /* what to check next */
	const char *rule;    /* stable rule id, e.g. "auth.challenge" */
	const char *outcome; /* verdicts: what happened, one sentence
	                        ("INVITE from a to b failed with 486
	                        Busy Here."); sc_explain_summary() adds
	                        the cause for a ticket */
	bool unknown_code;   /* code not in the knowledge base */
	int q850;            /* usual Q.850 cause for the code, 0: none */
	char **evidence;     /* facts from the capture, NULL-terminated */
	size_t nevidence;
	struct sc_root_cause *root; /* verdicts only: NULL unless the
	                               failure started on another hop */
	char *owned_[4];            /* built strings released with the owner */
	bool pooled_;               /* texts live in the owner's packed block */
};

/*
 * sc_explain_summary - the verdict in two sentences for a ticket: what
 * happened, then the likely cause ("-" when none). Malloc'd; NULL when
 * the explanation has no outcome, or out of memory.
 */
char *sc_explain_summary(const struct sc_explain *e);

/* Release what an explanation owns (not the struct itself). */
void sc_explain_fini(struct sc_explain *e);

/*
 * The rules classify can give (stable ids, part of the JSON contract):
 * response rules in the order they are tried, then the verdict and
 * finding rules. The ids of evidence.c (sc_evidence_rule_ids) and of
 * security.c (SC_SEC_RULES) are listed beside their rules.
 */
#define SC_CLASSIFY_RULES(X)                                          \
	X(AUTH_CHALLENGE, "auth.challenge")                           \
	X(AUTH_REJECTED, "auth.rejected")                             \
	X(CANCEL_CALLER_HANGUP, "cancel.caller-hangup")               \
	X(CANCEL_UPSTREAM, "cancel.upstream")                         \
	X(MEDIA_NO_COMMON_CODEC, "media.no-common-codec")             \
	X(OVERLOAD_RETRY_AFTER, "overload.retry-after")               \
	X(TRUNK_ACCESS, "trunk.access")                               \
	X(LOOP_MAX_FORWARDS, "loop.max-forwards")                     \
	X(LOOP_DETECTED, "loop.detected")                             \
	X(ADDRESS_INCOMPLETE, "address.incomplete")                   \
	X(NOT_FOUND_NUMBER, "not-found.number")                       \
	X(NOT_FOUND_MAILBOX, "not-found.mailbox")                     \
	X(UNAVAILABLE_NOT_REGISTERED, "unavailable.not-registered")   \
	X(SESSION_TIMER_TOO_SMALL, "session-timer.too-small")         \
	X(REGISTER_INTERVAL_TOO_BRIEF, "register.interval-too-brief") \
	X(GLARE, "glare")                                             \
	X(DIALOG_GONE, "dialog.gone")                                 \
	X(TIMEOUT_NO_ANSWER, "timeout.no-answer")                     \
	X(Q850, "q850")                                               \
	X(RETRANSMISSION, "retransmission")                           \
	X(TIMEOUT_NO_PROVISIONAL, "timeout.no-provisional")           \
	X(TIMEOUT_DOWNSTREAM, "timeout.downstream")                   \
	X(ICMP_UNREACHABLE, "icmp.unreachable")                       \
	X(ACK_MISSING, "ack.missing")                                 \
	X(NAT_PRIVATE_SDP, "nat.private-sdp")                         \
	X(FORK_UNANSWERED_BRANCH, "fork.unanswered-branch")           \
	X(FORK_BRANCH_FAILED, "fork.branch-failed")                   \
	X(BYE_REFUSED, "bye.refused")                                 \
	X(CAPTURE_DUPLICATES, "capture.duplicates")                   \
	X(RETRIED, "retried")                                         \
	X(MID_CALL, "mid-call")                                       \
	X(OK_ANSWERED, "ok.answered")                                 \
	X(OK_COMPLETED, "ok.completed")                               \
	X(IN_PROGRESS, "in-progress")                                 \
	X(CANCEL_BEFORE_CAPTURE, "cancel.before-capture")             \
	X(MID_DIALOG, "mid-dialog")                                   \
	X(CODE_DEFAULT, "code.default")

enum sc_rule {
#define SC_RULE_ENUM(name, id) SC_RULE_##name,
	SC_CLASSIFY_RULES(SC_RULE_ENUM)
#undef SC_RULE_ENUM
	        SC_RULE__COUNT
};

/* Stable id of a classify rule ("auth.challenge"); "" when out of range. */
const char *sc_rule_id(enum sc_rule r);

/* The same ids in SC_CLASSIFY_RULES order (for documentation and tests);
 * NULL-terminated, static. */
extern const char *const sc_classify_rule_ids[];

#endif /* SC_CLASSIFY_H */
