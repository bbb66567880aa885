/* classify_impl.h - what the parts of classify share (internal to
 * src/diagnosis): the context a rule looks at, and the helpers that
 * build an explanation's texts and evidence.
 */
#ifndef SC_CLASSIFY_IMPL_H
#define SC_CLASSIFY_IMPL_H

#include <float.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sipcause/calls/correlate.h"
#include "sipcause/diagnosis/classify.h"
#include "sipcause/diagnosis/diagnosis.h"
#include "sipcause/util/compiler.h"
#include "sipcause/util/str.h"

/* Slots of sc_explain.owned_ for the texts built here. */
enum { OWN_CAUSE, OWN_SUMMARY, OWN_REASON, OWN_ROOT };

/* The stable id of rule SC_RULE_<name>. */
#define RULE(name) sc_rule_id(SC_RULE_##name)

/* What a rule looks at. */
struct sc__cctx {
	const struct sc_call *call;
	const struct sc_diagnosis *dx; /* what is concluded so far */
	const struct sc_txn *txn;      /* the response's transaction */
	const struct sc_msg *req;      /* its first request, or NULL */
	const struct sc_msg *resp;     /* the response; NULL for a call */
	const struct sc_classify_env *env;
	struct sc_explain *out;
	bool oom;
};

/* One response rule: true when it explains the response. */
struct sc__rule {
	enum sc_rule id;
	bool (*match)(struct sc__cctx *x);
	bool on_success; /* may explain a 2xx (the others name codes
	                    of failures): a 2xx tries only these */
};

/* The response rules in the order they are tried (rules.c); those from
 * sc__first_success_rule on, and only those, are on_success. */
extern const struct sc__rule sc__response_rules[];
extern const size_t sc__nresponse_rules;
extern const size_t sc__first_success_rule;

/* ---- building explanations (explain.c) ---- */

/* Free what @e owns without clearing it: for a record going away. */
void sc__explain_release(struct sc_explain *e);

/* A malloc'd string from @fmt, NULL when out of memory. */
char *sc__vformat(const char *fmt, va_list ap) SC_PRINTF(1, 0);

/* Add one fact from the capture to the explanation (x->oom on ENOMEM). */
void sc__evidence(struct sc__cctx *x, const char *fmt, ...) SC_PRINTF(2, 3);

/* Add as one fact the texts of @parts end to end; sc__evidence()
 * without formatting. */
void sc__evidence_join(struct sc__cctx *x, const struct sc_str *parts,
                       size_t nparts);

/* Room for any double written as "%.1f". */
#define SC__TENTHS_MAX (DBL_MAX_10_EXP + 8)

/* @v written into @buf as "%.1f" writes it (not NUL-terminated). */
struct sc_str sc__tenths(char buf[SC__TENTHS_MAX], double v);

/* Set a built text in slot @slot and return it (NULL on ENOMEM). */
const char *sc__own(struct sc__cctx *x, int slot, const char *fmt, ...)
        SC_PRINTF(3, 4);

/* Set in slot @slot the text @s (malloc'd; NULL when out of memory,
 * then x->oom) and return it. */
const char *sc__own_take(struct sc__cctx *x, int slot, char *s);

/* Fill @e with what the knowledge base says about @code. */
void sc__explain_code(struct sc_explain *e, int code, const char *reason);

/* What a 2xx means for a request other than INVITE. */
void sc__success_meaning(struct sc_explain *e, enum sc_method m);

/* The method of the response's request ("request" when unknown). */
const char *sc__req_method(const struct sc__cctx *x);

/* The first request of transaction @t, or NULL. */
const struct sc_msg *sc__first_request(const struct sc_call *c,
                                       const struct sc_txn *t);

static inline double
sc__seconds(int64_t ns)
{
	return (double)ns / 1e9;
}

/* "1 time", "3 times" */
static inline const char *
sc__times(uint64_t n)
{
	return n == 1 ? "time" : "times";
}

static inline const char *
sc__or_dash(const char *s)
{
	return s && s[0] ? s : "-";
}

/* ---- the parts ---- */

/* Annotate the response x->resp of transaction x->txn (annotate.c). */
void sc__annotate(struct sc__cctx *x);

/* Give attempt @ai of d->call its verdict in @out, reading the
 * annotations already in @d; false when out of memory (verdict.c). */
bool sc__verdict(const struct sc_diagnosis *d, size_t ai,
                 const struct sc_classify_env *env, struct sc_explain *out);

/* Add to @d the findings that hold beside the verdict (findings.c). */
void sc__findings(struct sc_diagnosis *d, bool *oom);

#endif /* SC_CLASSIFY_IMPL_H */
