/* explain.c - release what an explanation (annotation, verdict) owns */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "sipcause/diagnosis/classify.h"

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
	for (size_t i = 0; i < SC_COUNTOF(e->owned_); i++)
		free(e->owned_[i]);
	memset(e, 0, sizeof(*e));
}
