/* explain.c - build an explanation (annotation, verdict): its texts from
 * the knowledge base or made for this capture, its evidence; and release
 * what it owns
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "classify_impl.h"
#include "sipcause/diagnosis/classify.h"
#include "sipcause/diagnosis/kb.h"
#include "sipcause/util/vec.h"

void
sc_explain_fini(struct sc_explain *e)
{
	if (!e)
		return;
	if (e->pooled_) {
		/* the owner's packed block holds everything; it frees it */
		memset(e, 0, sizeof(*e));
		return;
	}
	for (size_t i = 0; i < e->nevidence; i++)
		free(e->evidence[i]);
	free(e->evidence);
	free(e->root);
	for (size_t i = 0; i < SC_COUNTOF(e->owned_); i++)
		free(e->owned_[i]);
	memset(e, 0, sizeof(*e));
}

char *
sc_explain_summary(const struct sc_explain *e)
{
	const char *cause = e->cause && e->cause[0] ? e->cause : "-";
	size_t a, b;
	char *s;

	if (!e->outcome)
		return NULL;
	a = strlen(e->outcome);
	b = strlen(cause);
	s = malloc(a + 1 + b + 1);
	if (!s)
		return NULL;
	memcpy(s, e->outcome, a);
	s[a] = ' ';
	memcpy(s + a + 1, cause, b + 1);
	return s;
}

/* ---- building explanations ---- */

char *
sc__vformat(const char *fmt, va_list ap)
{
	/* most texts fit: formatted once, not measured first */
	char small[256];
	va_list aq;
	int n;
	char *s;

	va_copy(aq, ap);
	n = vsnprintf(small, sizeof(small), fmt, aq);
	va_end(aq);
	if (n < 0)
		return NULL;
	s = malloc((size_t)n + 1);
	if (!s)
		return NULL;
	if ((size_t)n < sizeof(small))
		memcpy(s, small, (size_t)n + 1);
	else
		vsnprintf(s, (size_t)n + 1, fmt, ap);
	return s;
}

/* Add one fact from the capture to the explanation. */
void
sc__evidence(struct sc__cctx *x, const char *fmt, ...)
{
	struct sc_explain *e = x->out;
	va_list ap;
	char *s, **v;

	va_start(ap, fmt);
	s = sc__vformat(fmt, ap);
	va_end(ap);
	/* the array holds the facts and a NULL after them: nevidence + 1
	 * elements once it exists */
	if (s && !e->evidence) {
		e->evidence = sc_grow(NULL, 0, sizeof(*v));
		if (e->evidence)
			e->evidence[0] = NULL;
	}
	v = s && e->evidence
	            ? sc_grow(e->evidence, e->nevidence + 1, sizeof(*v))
	            : NULL;
	if (!v) {
		free(s);
		x->oom = true;
		return;
	}
	e->evidence = v;
	e->evidence[e->nevidence++] = s;
	e->evidence[e->nevidence] = NULL;
}

/* Set a built text in slot @slot and return it (NULL on ENOMEM). */
const char *
sc__own(struct sc__cctx *x, int slot, const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	s = sc__vformat(fmt, ap);
	va_end(ap);
	if (!s)
		x->oom = true;
	free(x->out->owned_[slot]);
	x->out->owned_[slot] = s;
	return s;
}

const char *
sc__req_method(const struct sc__cctx *x)
{
	return x->req && x->req->method_name ? x->req->method_name
	       : x->txn                      ? x->txn->method_name
	                                     : "request";
}

/* Fill @e with what the knowledge base says about @code. */
void
sc__explain_code(struct sc_explain *e, int code, const char *reason)
{
	bool unknown = false;
	const struct sc_status_info *info = sc_kb_status(code, &unknown);

	e->code = code;
	e->reason = reason;
	e->unknown_code = unknown;
	e->q850 = sc_kb_sip_to_q850(code);
	e->rule = RULE(CODE_DEFAULT);
	if (!info) {
		e->cls = SC_CLASS_VENDOR;
		e->cat = SC_CAT_UNKNOWN;
		return;
	}
	if (!e->reason)
		e->reason = info->reason;
	e->cls = unknown ? sc_kb_class_of(code) : info->cls;
	e->cat = unknown ? SC_CAT_UNKNOWN : info->cat;
	e->meaning = info->meaning;
	e->cause = info->cause;
	e->tip = info->tip;
}

/* What a 2xx means for the request it answers (the knowledge base says
 * what the code means for any request). */
void
sc__success_meaning(struct sc_explain *e, enum sc_method m)
{
	if (e->code < 200 || e->code >= 300)
		return;
	switch (m) {
	case SC_METHOD_INVITE:
		e->meaning = "The callee answered the INVITE; the caller must "
		             "confirm the answer with ACK.";
		break;
	case SC_METHOD_REGISTER:
		e->meaning = "The registrar accepted the REGISTER.";
		break;
	case SC_METHOD_BYE:
		e->meaning = "The far end accepted the BYE: the dialog is "
		             "over.";
		break;
	case SC_METHOD_CANCEL:
		e->meaning = "The CANCEL was accepted; the INVITE itself "
		             "ends with its own final response (487).";
		break;
	default:
		break; /* the code's own meaning (202, 204...) */
	}
}

/* The first request of transaction @t, or NULL. */
const struct sc_msg *
sc__first_request(const struct sc_call *c, const struct sc_txn *t)
{
	return t && t->first_msg < c->nmsgs ? c->msgs[t->first_msg].msg : NULL;
}
