/* filter.h - which calls a report shows (--call, --failed, --code...) */
#ifndef SC_FILTER_H
#define SC_FILTER_H

#include <stdbool.h>

#include "sipcause/calls/correlate.h"
#include "sipcause/diagnosis/kb.h"

/* All conditions set must hold; an empty filter shows every call. The
 * failed, category and code conditions hold when they hold for any
 * attempt of the call (a REGISTER refused before an answered INVITE). */
struct sc_filter {
	const char *call_id;       /* exact Call-ID (also a linked leg's) */
	bool failed;               /* verdict category other than ok */
	bool has_category;
	enum sc_category category;
	int code;                  /* final code, 0: any */
	const char *from;          /* substring of From user/URI/name */
	const char *to;            /* substring of To user/URI/name */
};

/* True when no condition is set. */
bool sc_filter_is_empty(const struct sc_filter *f);

/* True when @call passes every condition of @f (a struct sc_filter *;
 * the signature fits sc_report_filter and sc_call_pred). */
bool sc_filter_match(void *f, const struct sc_call *call);

#endif /* SC_FILTER_H */
