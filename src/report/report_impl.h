/* report_impl.h - what the report formats share (internal to src/) */
#ifndef SC_REPORT_IMPL_H
#define SC_REPORT_IMPL_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "sipcause/pipeline/selection.h"
#include "sipcause/report/report.h"

struct sc__spool;

/* One format: a vtable chosen at run time (redis' ae backends, dynamic). */
struct sc_report_ops {
	/* a call finished; NULL for formats that write at the end */
	void (*call)(struct sc_report *r, const struct sc_diagnosis *d);
	/* write the rest */
	void (*finish)(struct sc_report *r, const struct sc_model *model);
};

struct sc_report {
	struct sc_report_opts opts;
	const struct sc_report_ops *ops;
	FILE *out;
	size_t calls_written;
	/* calls the filter showed to sc_report_call(), kept or not, and of
	 * them the failed ones (the text report's counts) */
	size_t calls_shown;
	size_t failed_shown;
	struct sc__spool *spool;          /* json with opts.spool */
	const struct sc_diagnosis *taken; /* the call just spooled */
	bool failed;                      /* the spool could not be read */
};

extern const struct sc_report_ops sc__report_text_ops;
extern const struct sc_report_ops sc__report_json_ops;
extern const struct sc_report_ops sc__report_jsonl_ops;
extern const struct sc_report_ops sc__report_csv_ops;
extern const struct sc_report_ops sc__report_markdown_ops;
extern const struct sc_report_ops sc__report_html_ops;

/* True when the report's filter shows @call. */
bool sc__report_shows(const struct sc_report *r, const struct sc_diagnosis *d);

/* "2024-05-01T12:00:00.123456789Z" into @buf (>= 32 bytes). */
char *sc__format_ts(int64_t ns, char *buf, size_t len);

/* "12:00:00.123" (time of day, UTC, milliseconds) into @buf. */
char *sc__format_clock(int64_t ns, char *buf, size_t len);

/* The display name of a call's kind ("INVITE", or the method seen). */
const char *sc__call_kind(const struct sc_call *call);

/* Fill @sel with the calls the report's filter shows; false when out
 * of memory (then @sel is empty). */
bool sc__select(const struct sc_report *r, const struct sc_model *m,
                struct sc_selection *sel);

/* One counter of damage, loss or a cap being hit, for the notes. */
struct sc__note {
	const char *what; /* static text, e.g. "TCP flows evicted" */
	uint64_t n;
};

/* The non-zero notes of @m into @out (at most @max); returns how many. */
size_t sc__report_notes(const struct sc_model *m, struct sc__note *out,
                        size_t max);

/*
 * sc__msg_fields - the fields the model keeps of @m, in header order, as
 * (name, value) pairs: name NULL for the start line, "" for SDP lines.
 * Values are raw wire text (escape them). The model keeps no raw bytes,
 * so this is what "the full message" can show.
 */
typedef void sc__field_fn(void *ctx, const char *name, const char *value);
void sc__msg_fields(const struct sc_msg *m, sc__field_fn *emit, void *ctx);

/* Does the report draw this call's messages (ladder)? */
bool sc__report_ladder_for(const struct sc_report *r,
                           const struct sc_diagnosis *d);

/*
 * Lines the formats word the same way (report_words.c), from model fields
 * only; they may hold wire text, so escape the whole line. Each returns
 * false (and leaves @buf alone) when the call has nothing to say.
 */
/* "503 Service Unavailable from A to B (#4)": where a failure started
 * (false when @rc is NULL: it started where the caller saw it). */
bool sc__root_text(const struct sc_root_cause *rc, char *buf, size_t len);
/* "BYE from the callee 5.000 s after the answer, accepted; Reason: ..." */
bool sc__ending_text(const struct sc_call *c, char *buf, size_t len);
/* The Call-IDs of a security finding: "a, b, c and 4 more" ("" if none). */
void sc__security_calls(const struct sc_security_item *it, char *buf,
                        size_t len);

/* @one when @n is 1, else @many: "1 call", "2 calls". */
const char *sc__plural(uint64_t n, const char *one, const char *many);

/* Seconds with milliseconds ("12.345 s"), or "-" for a negative value. */
char *sc__format_ms(int64_t ms, char *buf, size_t len);

/* The user part, else the URI, of a party (raw wire text or "-"). */
const char *sc__party_name(const struct sc_party *p);

/* User-Agent/Server of the caller and callee, from the messages the call
 * still holds (NULL when unknown or summarised). */
const char *sc__call_agent(const struct sc_call *c, bool callee);

/* "SER 60.0%, SEER 80.0%, ISA 20.0%, SCR 20.0%; SRD p50/p90/p99 ..."
 * (RFC 6076; the model's definitions in pipeline/model.h). */
void sc__rfc6076_text(FILE *f, const struct sc_rfc6076 *r);

#endif /* SC_REPORT_IMPL_H */
