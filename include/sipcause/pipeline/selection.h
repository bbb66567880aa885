/* selection.h - the calls a report lists and what they add up to */
#ifndef SC_SELECTION_H
#define SC_SELECTION_H

#include <stdbool.h>
#include <stddef.h>

#include "sipcause/diagnosis/diagnosis.h"
#include "sipcause/pipeline/model.h"

/* Whether a call is in the selection (a report's filter). */
typedef bool sc_shows_fn(const void *ctx, const struct sc_diagnosis *d);

/* The calls a report lists (its filter applied), in model order. */
struct sc_selection {
	const struct sc_diagnosis **v;
	size_t n;
	size_t failed; /* of them, with a verdict other than ok */
	size_t failed_by_cat[SC_CAT__COUNT];
};

/*
 * sc_select - fill @sel with the calls of @m that @shows accepts (all
 * when NULL). False when out of memory (then @sel is empty).
 */
bool sc_select(struct sc_selection *sel, const struct sc_model *m,
               sc_shows_fn *shows, const void *ctx);
void sc_selection_fini(struct sc_selection *sel);

/* Failed calls that share a category, a rule and a final code. */
struct sc_failure_group {
	enum sc_category cat;
	const char *rule;
	int code;
	size_t count;
	const struct sc_diagnosis *example; /* the first one */
};

/*
 * sc_failure_groups - group the failed calls of @sel, largest group
 * first (ties: category order, then the first example). *out is malloc'd
 * (NULL when none). Returns the number of groups; 0 also when out of
 * memory.
 */
size_t sc_failure_groups(const struct sc_selection *sel,
                         struct sc_failure_group **out);

/*
 * sc_worst_peers - up to @max peers of @m with at least one attempt,
 * lowest ASR first (ties: more attempts first), into @out.
 */
size_t sc_worst_peers(const struct sc_model *m, const struct sc_peer **out,
                      size_t max);

#endif /* SC_SELECTION_H */
