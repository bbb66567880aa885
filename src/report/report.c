/* report.c - choose a report format and share its helpers */
#include "config.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "json_impl.h"
#include "report_impl.h"
#include "sipcause/util/str.h"

bool
sc_format_from_name(const char *name, enum sc_format *out)
{
#define SC_FORMAT_MATCH(e, id)        \
	if (strcmp(name, id) == 0) {  \
		*out = SC_FORMAT_##e; \
		return true;          \
	}
	SC_FORMATS(SC_FORMAT_MATCH)
#undef SC_FORMAT_MATCH
	return false;
}

const char *
sc_format_name(enum sc_format f)
{
	switch (f) {
#define SC_FORMAT_CASE(e, id) \
	case SC_FORMAT_##e:   \
		return id;
		SC_FORMATS(SC_FORMAT_CASE)
#undef SC_FORMAT_CASE
	case SC_FORMAT__COUNT:
		break;
	}
	return "?";
}

bool
sc_format_needs_messages(enum sc_format f)
{
	return f == SC_FORMAT_JSON || f == SC_FORMAT_JSONL ||
	       f == SC_FORMAT_MARKDOWN || f == SC_FORMAT_HTML;
}

static const struct sc_report_ops *
ops_for(enum sc_format f)
{
	switch (f) {
	case SC_FORMAT_TEXT:
		return &sc__report_text_ops;
	case SC_FORMAT_JSON:
		return &sc__report_json_ops;
	case SC_FORMAT_JSONL:
		return &sc__report_jsonl_ops;
	case SC_FORMAT_CSV:
		return &sc__report_csv_ops;
	case SC_FORMAT_MARKDOWN:
		return &sc__report_markdown_ops;
	case SC_FORMAT_HTML:
		return &sc__report_html_ops;
	case SC_FORMAT__COUNT:
		break;
	}
	return &sc__report_text_ops;
}

struct sc_report *
sc_report_new(const struct sc_report_opts *opts, FILE *out)
{
	struct sc_report *r = calloc(1, sizeof(*r));

	if (!r)
		return NULL;
	r->opts = *opts;
	r->ops = ops_for(opts->format);
	r->out = out;
	if (opts->spool && opts->format == SC_FORMAT_JSON) {
		r->spool = sc__spool_new(
		        opts->spool_memory ? opts->spool_memory
		                           : SC_REPORT_SPOOL_MEMORY,
		        opts->pretty, out, opts->out_bg,
		        opts->spool_hold ? opts->spool_hold
		                         : SC_REPORT_SPOOL_HOLD);
		if (!r->spool) {
			free(r);
			return NULL;
		}
	}
	return r;
}

void
sc_report_call(struct sc_report *r, const struct sc_diagnosis *d)
{
	r->taken = NULL;
	if (!sc__report_shows(r, d))
		return;
	r->calls_shown++;
	r->failed_shown += d->verdict.cat != SC_CAT_OK;
	if (r->ops->call)
		r->ops->call(r, d);
}

bool
sc_report_lists(void *report, const struct sc_diagnosis *d)
{
	const struct sc_report *r = report;

	if (r->spool)
		return r->taken != d && sc__report_shows(r, d);
	if (r->opts.format != SC_FORMAT_TEXT)
		return true;
	return sc__report_shows(r, d) &&
	       (r->opts.all_calls || d->verdict.cat != SC_CAT_OK ||
	        r->calls_shown <= SC_REPORT_MAX_LISTED);
}

enum sc_err
sc_report_finish(struct sc_report *r, const struct sc_model *model)
{
	r->ops->finish(r, model);
	if (fflush(r->out) != 0 || ferror(r->out) || r->failed)
		return SC_EIO;
	return SC_OK;
}

void
sc_report_late_link(void *report, const char *released_id,
                    uint64_t released_first_frame, const char *call_id)
{
	struct sc_report *r = report;

	if (r->spool)
		sc__spool_link(r->spool, released_id, released_first_frame,
		               call_id);
}

void
sc_report_oldest_open(void *report, uint64_t first_frame)
{
	struct sc_report *r = report;

	if (r->spool)
		sc__spool_oldest_open(r->spool, first_frame);
}

void
sc_report_free(struct sc_report *r)
{
	if (r)
		sc__spool_free(r->spool);
	free(r);
}

bool
sc__report_shows(const struct sc_report *r, const struct sc_diagnosis *d)
{
	return !r->opts.filter || r->opts.filter(r->opts.filter_ctx, d);
}

static bool
report_shows(const void *r, const struct sc_diagnosis *d)
{
	return sc__report_shows(r, d);
}

bool
sc__select(const struct sc_report *r, const struct sc_model *m,
           struct sc_selection *sel)
{
	return sc_select(sel, m, report_shows, r);
}

bool
sc__report_ladder_for(const struct sc_report *r, const struct sc_diagnosis *d)
{
	switch (r->opts.format) {
	case SC_FORMAT_TEXT:
		return r->opts.detail;
	case SC_FORMAT_MARKDOWN:
	case SC_FORMAT_HTML:
		/* a selection is drawn whole; otherwise the failures */
		return r->opts.filter || d->verdict.cat != SC_CAT_OK;
	default:
		return false;
	}
}

bool
sc_report_wants_messages(void *report, const struct sc_diagnosis *d)
{
	const struct sc_report *r = report;

	if (!sc__report_shows(r, d))
		return false;
	if (r->opts.format == SC_FORMAT_JSON)
		return true;
	return sc__report_ladder_for(r, d);
}

/*
 * The UTC date and time of @sec seconds since 1970, by arithmetic: the
 * JSON report formats several times per message, and gmtime_r() takes
 * the C library's time zone lock each time. Days are counted in eras of
 * 400 Gregorian years (146,097 days, the calendar's whole cycle), each
 * year starting on 1 March so that the leap day is the last of its year.
 */
static void
utc_tm(int64_t sec, struct tm *tm)
{
	int64_t days = sec / 86400, rem = sec % 86400;
	int64_t era, year;
	unsigned day_of_era, year_of_era, day_of_year, month_from_march;

	if (rem < 0) {
		rem += 86400;
		days--;
	}
	days += 719468; /* from 1970-01-01 to 0000-03-01 */
	era = (days >= 0 ? days : days - 146096) / 146097;
	day_of_era = (unsigned)(days - era * 146097);
	year_of_era = (day_of_era - day_of_era / 1460 + day_of_era / 36524 -
	               day_of_era / 146096) /
	              365;
	day_of_year = day_of_era -
	              (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
	month_from_march = (5 * day_of_year + 2) / 153;
	year = era * 400 + year_of_era + (month_from_march >= 10);
	memset(tm, 0, sizeof(*tm));
	tm->tm_year = (int)(year - 1900);
	tm->tm_mon = (int)(month_from_march < 10 ? month_from_march + 2
	                                         : month_from_march - 10);
	tm->tm_mday = (int)(day_of_year - (153 * month_from_march + 2) / 5 + 1);
	tm->tm_hour = (int)(rem / 3600);
	tm->tm_min = (int)(rem / 60 % 60);
	tm->tm_sec = (int)(rem % 60);
}

static void
split_ns(int64_t ns, struct tm *tm, long *frac)
{
	int64_t sec = ns / 1000000000;

	*frac = (long)(ns % 1000000000);
	if (*frac < 0) {
		*frac += 1000000000;
		sec--;
	}
	utc_tm(sec, tm);
}

char *
sc__format_ts(int64_t ns, char *buf, size_t len)
{
	struct tm tm;
	long frac;
	char *p;

	split_ns(ns, &tm, &frac);
	if (len < 31 || tm.tm_year + 1900 < 0 || tm.tm_year + 1900 > 9999) {
		snprintf(buf, len, "%04d-%02d-%02dT%02d:%02d:%02d.%09ldZ",
		         tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
		         tm.tm_hour, tm.tm_min, tm.tm_sec, frac);
		return buf;
	}
	/* by hand: one per message in JSON, snprintf was a tenth of it */
	p = sc_put_decimal(buf, (uint64_t)(tm.tm_year + 1900), 4);
	*p++ = '-';
	p = sc_put_decimal(p, (uint64_t)(tm.tm_mon + 1), 2);
	*p++ = '-';
	p = sc_put_decimal(p, (uint64_t)tm.tm_mday, 2);
	*p++ = 'T';
	p = sc_put_decimal(p, (uint64_t)tm.tm_hour, 2);
	*p++ = ':';
	p = sc_put_decimal(p, (uint64_t)tm.tm_min, 2);
	*p++ = ':';
	p = sc_put_decimal(p, (uint64_t)tm.tm_sec, 2);
	*p++ = '.';
	p = sc_put_decimal(p, (uint64_t)frac, 9);
	*p++ = 'Z';
	*p = 0;
	return buf;
}

char *
sc__format_clock(int64_t ns, char *buf, size_t len)
{
	struct tm tm;
	long frac;

	split_ns(ns, &tm, &frac);
	snprintf(buf, len, "%02d:%02d:%02d.%03ld", tm.tm_hour, tm.tm_min,
	         tm.tm_sec, frac / 1000000);
	return buf;
}

const char *
sc__call_kind(const struct sc_call *call)
{
	if (call->kind != SC_METHOD_OTHER)
		return sc_method_name(call->kind);
	return call->kind_name && call->kind_name[0] ? call->kind_name : "?";
}

char *
sc__format_ms(int64_t ms, char *buf, size_t len)
{
	if (ms < 0)
		snprintf(buf, len, "-");
	else
		snprintf(buf, len, "%" PRId64 ".%03d s", ms / 1000,
		         (int)(ms % 1000));
	return buf;
}

const char *
sc__party_name(const struct sc_party *p)
{
	if (p->user && p->user[0])
		return p->user;
	return p->uri && p->uri[0] ? p->uri : "-";
}

const char *
sc__call_agent(const struct sc_call *c, bool callee)
{
	const struct sc_endpoint *ep = callee ? &c->callee : &c->caller;

	for (size_t i = 0; i < c->nmsgs; i++) {
		const struct sc_msg *m = c->msgs[i].msg;

		if (m && m->user_agent && sc_endpoint_equal(&m->src, ep))
			return m->user_agent;
	}
	/* a summarised call keeps what the calls stage picked */
	return callee ? c->callee_agent : c->caller_agent;
}

const char *
sc__plural(uint64_t n, const char *one, const char *many)
{
	return n == 1 ? one : many;
}
