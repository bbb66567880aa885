/* diagnosis.c - the record diagnosis keeps of a call: its making (the
 * steps run in classify.c), what reports ask of it, its summary and its
 * release
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "classify_impl.h"
#include "sipcause/diagnosis/diagnosis.h"
#include "sipcause/util/str.h"

const struct sc_explain *
sc_diagnosis_note(const struct sc_diagnosis *d, size_t i)
{
	return i < d->nnotes ? d->notes[i] : NULL;
}

const struct sc_explain *
sc_diagnosis_attempt(const struct sc_diagnosis *d, size_t i)
{
	if (i >= d->nattempts || !d->attempts[i])
		return &d->verdict;
	return d->attempts[i];
}

static void
notes_free(struct sc_diagnosis *d)
{
	for (size_t i = 0; i < d->nnotes; i++)
		if (d->notes[i])
			sc__explain_release(d->notes[i]);
	free(d->notes); /* the annotations live in the same block */
	d->notes = NULL;
	d->nnotes = 0;
}

/* Move the verdict's built texts into the block, keeping every field
 * that pointed to one pointing to its copy. */
static void
pack_explain(struct sc_strpack *k, struct sc_explain *e, char **evidence,
             struct sc_root_cause *root)
{
	const char *no_root = NULL;
	const char **fields[] = { &e->reason,
		                  &e->meaning,
		                  &e->cause,
		                  &e->tip,
		                  &e->rule,
		                  &e->outcome,
		                  root ? &root->reason : &no_root };

	if (root) {
		*root = *e->root;
		free(e->root);
		e->root = root;
	}

	for (size_t i = 0; i < SC_COUNTOF(e->owned_); i++) {
		char *old = e->owned_[i];
		char *copy;

		if (!old)
			continue;
		copy = sc_strpack_text(k, old);
		for (size_t f = 0; f < SC_COUNTOF(fields); f++)
			if (*fields[f] == old)
				*fields[f] = copy;
		e->owned_[i] = NULL;
	}
	for (size_t i = 0; i < e->nevidence; i++)
		evidence[i] = sc_strpack_text(k, e->evidence[i]);
	if (e->evidence) {
		evidence[e->nevidence] = NULL;
		free(e->evidence);
		e->evidence = evidence;
	}
	e->pooled_ = true;
}

/* Pack the verdict's texts and the findings into one block: a record
 * kept for every call of a capture costs one allocation for them. */
static void
pack(struct sc_diagnosis *d)
{
	struct sc_explain *v = &d->verdict;
	size_t nev = v->evidence ? v->nevidence + 1 : 0;
	size_t nroot = v->root ? 1 : 0;
	size_t arrays = nroot * sizeof(struct sc_root_cause) +
	                d->nfindings * sizeof(struct sc_finding) +
	                nev * sizeof(char *);
	size_t texts = 0;
	struct sc_finding *findings;
	struct sc_strpack k;

	for (size_t i = 0; i < SC_COUNTOF(v->owned_); i++)
		texts += sc_strpack_size(v->owned_[i]);
	for (size_t i = 0; i < v->nevidence; i++)
		texts += sc_strpack_size(v->evidence[i]);
	for (size_t i = 0; i < d->nfindings; i++)
		texts += sc_strpack_size(d->findings[i].text);
	if (d->pool_ || arrays + texts == 0)
		return;
	d->pool_ = malloc(arrays + texts);
	if (!d->pool_)
		return; /* keep the separate strings: nothing is lost */
	/* malloc aligns for any type: the root cause (8-byte fields) and
	 * the pointer arrays come first */
	findings = (struct sc_finding *)(void *)(d->pool_ +
	                                         nroot * sizeof(*v->root));
	k.next = (char *)(findings + d->nfindings) + nev * sizeof(char *);
	for (size_t i = 0; i < d->nfindings; i++) {
		findings[i].rule = d->findings[i].rule;
		findings[i].text = sc_strpack_text(&k, d->findings[i].text);
	}
	free(d->findings);
	d->findings = d->nfindings ? findings : NULL;
	pack_explain(&k, v, (char **)(void *)(findings + d->nfindings),
	             nroot ? (struct sc_root_cause *)(void *)d->pool_ : NULL);
}

/* One attempt (the usual case) has no verdict of its own to keep. */
static void
attempts_trim(struct sc_diagnosis *d)
{
	for (size_t i = 0; i < d->nattempts; i++)
		if (d->attempts[i])
			return;
	free(d->attempts);
	d->attempts = NULL;
	d->nattempts = 0;
}

void
sc_diagnosis_summarise(struct sc_diagnosis *d)
{
	sc_call_summarise(d->call);
	notes_free(d);
	attempts_trim(d);
	pack(d);
}

void
sc_diagnosis_free(struct sc_diagnosis *d)
{
	if (!d)
		return;
	notes_free(d);
	/* most calls have one attempt, no findings and no pool: tests
	 * are cheaper than free(NULL) */
	if (d->attempts) {
		for (size_t i = 0; i < d->nattempts; i++) {
			if (d->attempts[i])
				sc__explain_release(d->attempts[i]);
			free(d->attempts[i]);
		}
		free(d->attempts);
	}
	sc__explain_release(&d->verdict);
	if (d->pool_) {
		free(d->pool_); /* the findings live in the pool */
	} else if (d->findings) {
		for (size_t i = 0; i < d->nfindings; i++)
			free(d->findings[i].text);
		free(d->findings);
	}
	sc_call_free(d->call);
	free(d);
}
