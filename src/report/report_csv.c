/* report_csv.c - one row per call (RFC 4180), for spreadsheets and scripts
 *
 * The columns are a contract (see CSV_COLUMNS): new ones are added at the
 * end, never renamed or moved. Wire text is escaped as in the text report
 * (controls become \xHH), then quoted when it holds a comma, a quote or a
 * line break; a cell starting with = + - @ gets a leading apostrophe so a
 * spreadsheet shows it as text instead of running it as a formula (OWASP
 * "CSV injection").
 */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report_impl.h"
#include "sipcause/util/escape.h"

#define CSV_COLUMNS                                                      \
	"call_id,start,end,kind,from,to,caller,callee,state,final_code," \
	"reason,category,rule,cause,pdd_ms,setup_ms,duration_ms,"        \
	"caller_agent,callee_agent"

static void
cell(FILE *out, const char *s, bool last)
{
	char *esc = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&esc, &len);
	bool quote;

	if (f) {
		if (s)
			sc_escape_text(f, s);
		if (fclose(f) != 0) {
			free(esc);
			esc = NULL;
		}
	}
	if (!esc) {
		fputs(last ? "\r\n" : ",", out);
		return;
	}
	quote = strpbrk(esc, ",\"\r\n") != NULL;
	if (quote)
		fputc('"', out);
	if (esc[0] && strchr("=+-@", esc[0]))
		fputc('\'', out);
	for (const char *p = esc; *p; p++) {
		if (*p == '"')
			fputc('"', out);
		fputc(*p, out);
	}
	if (quote)
		fputc('"', out);
	fputs(last ? "\r\n" : ",", out);
	free(esc);
}

/* A number of milliseconds, empty when not applicable (negative). */
static void
ms_cell(FILE *out, int64_t ms)
{
	if (ms >= 0)
		fprintf(out, "%" PRId64, ms);
	fputc(',', out);
}

static void
row(FILE *out, const struct sc_diagnosis *d)
{
	const struct sc_call *c = d->call;
	const struct sc_explain *v = &d->verdict;
	char a[SC_ENDPOINT_STRLEN], b[SC_ENDPOINT_STRLEN], t0[40], t1[40];
	char code[16] = "";

	cell(out, c->call_id, false);
	fprintf(out, "%s,%s,", sc__format_ts(c->first_ts, t0, sizeof(t0)),
	        sc__format_ts(c->last_ts, t1, sizeof(t1)));
	cell(out, sc__call_kind(c), false);
	cell(out, c->from.uri, false);
	cell(out, c->to.uri, false);
	fprintf(out, "%s,%s,%s,", sc_endpoint_format(&c->caller, a, sizeof(a)),
	        sc_endpoint_format(&c->callee, b, sizeof(b)),
	        sc_call_state_id(c->state));
	if (c->final_code)
		snprintf(code, sizeof(code), "%d", c->final_code);
	fprintf(out, "%s,", code);
	cell(out, c->final_reason, false);
	fprintf(out, "%s,", sc_category_id(v->cat));
	cell(out, v->rule, false);
	cell(out, v->cause, false);
	ms_cell(out, c->timings.pdd_ms);
	ms_cell(out, c->timings.setup_ms);
	ms_cell(out, c->timings.duration_ms);
	cell(out, sc__call_agent(c, false), false);
	cell(out, sc__call_agent(c, true), true);
}

static void
csv_finish(struct sc_report *r, const struct sc_model *m)
{
	fputs(CSV_COLUMNS "\r\n", r->out);
	for (size_t i = 0; i < m->calls.n; i++) {
		const struct sc_diagnosis *d = m->calls.v[i];

		if (sc__report_shows(r, d))
			row(r->out, d);
	}
}

const struct sc_report_ops sc__report_csv_ops = {
	.call = NULL,
	.finish = csv_finish,
};
