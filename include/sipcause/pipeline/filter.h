/* filter.h - which calls a report shows (--call, --failed, --code...) */
#ifndef SC_FILTER_H
#define SC_FILTER_H

#include <stdbool.h>
#include <stdint.h>

#include "sipcause/calls/correlate.h"
#include "sipcause/diagnosis/diagnosis.h"
#include "sipcause/diagnosis/kb.h"

/* All conditions set must hold; an empty filter shows every call. The
 * failed, category and code conditions hold when they hold for any
 * attempt of the call (a REGISTER refused before an answered INVITE). */
struct sc_filter {
	const char *call_id; /* exact Call-ID (also a linked leg's) */
	bool failed;         /* verdict category other than ok */
	bool has_category;
	enum sc_category category;
	int code;               /* final code, 0: any */
	const char *from;       /* substring of From user/URI/name */
	const char *to;         /* substring of To user/URI/name */
	const char *method;     /* a request of this method (any case) */
	const char *host;       /* address of any hop, "ADDR" or "ADDR:PORT" */
	const char *user_agent; /* substring of a User-Agent or Server */
	bool has_time;          /* the call overlaps [time_from, time_to] */
	int64_t time_from_ns;   /* INT64_MIN: open */
	int64_t time_to_ns;     /* INT64_MAX: open */
	bool from_of_day;       /* time_from_ns is ns after midnight UTC
	                           of the capture's first day */
	bool to_of_day;
	bool day_known; /* day_ns is set */
	int64_t day_ns; /* that midnight, in ns since 1970 */
};

/*
 * sc_filter_set_time - parse "FROM..TO" (either side may be empty) into
 * @f; each side "YYYY-MM-DD HH:MM:SS", "HH:MM:SS" (UTC; the capture's
 * first day) or seconds since 1970. False when it does not parse.
 */
bool sc_filter_set_time(struct sc_filter *f, const char *spec);

/*
 * sc_filter_set_capture_start - the capture's first packet time, which
 * fixes the day of "HH:MM:SS" bounds. Without it the day is that of the
 * first call matched.
 */
void sc_filter_set_capture_start(struct sc_filter *f, int64_t first_ts);

/* True when no condition is set. */
bool sc_filter_is_empty(const struct sc_filter *f);

/* True when the call of @d passes every condition of @f (a struct
 * sc_filter *; the signature fits sc_report_filter and sc_call_pred). */
bool sc_filter_match(void *f, const struct sc_diagnosis *d);

#endif /* SC_FILTER_H */
