/* report_impl.h - what the report formats share (internal to src/) */
#ifndef SC_REPORT_IMPL_H
#define SC_REPORT_IMPL_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "sipcause/report/report.h"

/* One format: a vtable chosen at run time (redis' ae backends, dynamic). */
struct sc_report_ops {
	/* a call finished; NULL for formats that write at the end */
	void (*call)(struct sc_report *r, const struct sc_call *call);
	/* write the rest */
	void (*finish)(struct sc_report *r, const struct sc_model *model);
};

struct sc_report {
	struct sc_report_opts opts;
	const struct sc_report_ops *ops;
	FILE *out;
	size_t calls_written;
};

extern const struct sc_report_ops sc__report_text_ops;
extern const struct sc_report_ops sc__report_json_ops;
extern const struct sc_report_ops sc__report_jsonl_ops;

/* True when the report's filter shows @call. */
bool sc__report_shows(const struct sc_report *r, const struct sc_call *call);

/* "2024-05-01T12:00:00.123456789Z" into @buf (>= 32 bytes). */
char *sc__format_ts(int64_t ns, char *buf, size_t len);

/* "12:00:00.123" (time of day, UTC, milliseconds) into @buf. */
char *sc__format_clock(int64_t ns, char *buf, size_t len);

/* The display name of a call's kind ("INVITE", or the method seen). */
const char *sc__call_kind(const struct sc_call *call);

#endif /* SC_REPORT_IMPL_H */
