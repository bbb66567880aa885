/* diagnosis.h - what the diagnosis stage says of one finished call
 *
 * The calls stage hands over a finished call; diagnosis wraps it in a
 * record of its own holding everything it concluded: the verdict of the
 * call and of each attempt, the annotation of each response, the
 * findings beside the verdict. Reports read the record; the call itself
 * never learns of it.
 */
#ifndef SC_DIAGNOSIS_H
#define SC_DIAGNOSIS_H

#include <stddef.h>
#include <stdint.h>

#include "sipcause/calls/correlate.h"
#include "sipcause/diagnosis/classify.h"
#include "sipcause/util/compiler.h"
#include "sipcause/util/error.h"

/*
 * Something worth knowing about a call besides its verdict (a NAT risk on
 * an answered call, an authentication challenge, a lossy path). The rule
 * id is static; the text is owned by the record.
 */
struct sc_finding {
	const char *rule;
	char *text;
};

struct sc_diagnosis {
	struct sc_call *call;      /* the call explained, owned by the record */
	struct sc_explain verdict; /* the call's: its headline attempt's */
	struct sc_explain **attempts; /* [nattempts] the verdict of every
	                                 other attempt; NULL at the
	                                 headline (see sc_diagnosis_attempt) */
	struct sc_explain **notes;    /* [nnotes] the annotation of each
	                                 response, by its index in
	                                 call->msgs; NULL for requests */
	struct sc_finding *findings;  /* other rules that apply */
	uint32_t nattempts;
	uint32_t nnotes;
	uint32_t nfindings;
	/* private: once summarised, the texts above live in one block */
	char *pool_;
};

/*
 * sc_diagnose - explain @call: annotate each response that still has its
 * message, give each attempt and the call a verdict, list the findings.
 * Takes ownership of @call in every case; @env may be NULL. On success
 * *@out is the new record. SC_ENOMEM when memory ran out: *@out is then
 * what could be concluded (or NULL, the call freed, when not even the
 * record could be made).
 */
enum sc_err sc_diagnose(struct sc_call *call, const struct sc_classify_env *env,
                        struct sc_diagnosis **out) SC_WARN_UNUSED;

/* The annotation of message @i of the call, or NULL (a request, or the
 * messages were dropped). */
const struct sc_explain *sc_diagnosis_note(const struct sc_diagnosis *d,
                                           size_t i);

/* The verdict of attempt @i: the call's own for the headline attempt. */
const struct sc_explain *sc_diagnosis_attempt(const struct sc_diagnosis *d,
                                              size_t i);

/*
 * sc_diagnosis_summarise - keep what a one-line report needs: summarise
 * the call (sc_call_summarise), drop the annotations of its messages and
 * pack the texts of the verdict and findings into one allocation.
 */
void sc_diagnosis_summarise(struct sc_diagnosis *d);

/* Release the record and its call; NULL is a no-op. */
void sc_diagnosis_free(struct sc_diagnosis *d);

#endif /* SC_DIAGNOSIS_H */
