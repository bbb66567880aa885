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
	bool present;
	int code;
	const char *reason;       /* its reason phrase (owned_ slot) or NULL */
	uint64_t frame;           /* the response, or the unanswered request */
	struct sc_endpoint src;
	struct sc_endpoint dst;
	unsigned hop;             /* index into call->hops */
};

/*
 * The explanation of one response (an annotation) or of a whole call (a
 * verdict). Texts either point to static knowledge-base strings or are
 * built for this capture; @owned_ says which must be freed, so callers
 * treat every field as read-only and release it with the owner.
 */
struct sc_explain {
	int code;                 /* status code; 0 when no final response */
	const char *reason;       /* reason phrase seen (or the RFC's) */
	enum sc_class cls;
	enum sc_category cat;
	const char *meaning;
	const char *cause;        /* most likely cause in this capture */
	const char *tip;          /* what to check next */
	const char *rule;         /* stable rule id, e.g. "auth.challenge" */
	const char *summary;      /* verdicts: one sentence for a ticket */
	bool unknown_code;        /* code not in the knowledge base */
	int q850;                 /* usual Q.850 cause for the code, 0: none */
	char **evidence;          /* facts from the capture, NULL-terminated */
	size_t nevidence;
	struct sc_root_cause root;  /* verdicts only */
	char *owned_[4];          /* built strings released with the owner */
	bool pooled_;             /* texts live in the owner's packed block */
};

/* Release what an explanation owns (not the struct itself). */
void sc_explain_fini(struct sc_explain *e);

/*
 * sc_classify_call - annotate every response of @call that still has its
 * message, give the call its verdict and its findings. Runs once, when
 * the call is complete; @env may be NULL. Returns SC_ENOMEM on allocation
 * failure (the call keeps what was done).
 */
enum sc_err sc_classify_call(struct sc_call *call,
			     const struct sc_classify_env *env) SC_WARN_UNUSED;

/* The rule ids classify can give, in the order they are tried (for
 * documentation and tests); NULL-terminated, static. */
extern const char *const sc_classify_rule_ids[];

#endif /* SC_CLASSIFY_H */
