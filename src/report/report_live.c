/* report_live.c - one line per decided call, one per message (-V), live */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>

#include "report_impl.h"
#include "sipcause/report/report_live.h"
#include "sipcause/util/escape.h"

#define ANSI_RESET "\033[0m"
#define ANSI_GREEN "\033[32m"
#define ANSI_YELLOW "\033[33m"
#define ANSI_RED "\033[31m"

/* Green for success, yellow for the caller's own doing, red otherwise. */
static const char *
outcome_color(const struct sc_explain *v)
{
	switch (v->cat) {
	case SC_CAT_OK:
		return ANSI_GREEN;
	case SC_CAT_CANCELLED:
	case SC_CAT_REDIRECT:
	case SC_CAT_BUSY:
		return ANSI_YELLOW;
	default:
		return ANSI_RED;
	}
}

/* "486 Busy Here", or "-" when no final response came. */
static void
result(FILE *out, const struct sc_call *c)
{
	if (!c->final_code) {
		fputc('-', out);
		return;
	}
	fprintf(out, "%d ", c->final_code);
	sc_escape_text(out, c->final_reason ? c->final_reason : "");
}

void
sc_report_live_call(FILE *out, const struct sc_diagnosis *d, bool color)
{
	const struct sc_call *c = d->call;
	const struct sc_explain *v = &d->verdict;
	char clock[16];

	sc__format_clock(c->first_ts, clock, sizeof(clock));
	fprintf(out, "%s  %s  ", clock, sc__call_kind(c));
	sc_escape_text(out, c->from.user ? c->from.user : c->from.uri);
	fputs(" -> ", out);
	sc_escape_text(out, c->to.user ? c->to.user : c->to.uri);
	fputs("  ", out);
	if (color)
		fputs(outcome_color(v), out);
	result(out, c);
	fprintf(out, "  %s", sc_call_state_id(c->state));
	if (v->cat != SC_CAT_OK) {
		fprintf(out, "  %s", sc_category_id(v->cat));
		char *summary = sc_explain_summary(v);

		if (summary || v->cause) {
			fputs(": ", out);
			sc_escape_text(out, summary ? summary : v->cause);
		}
		free(summary);
	}
	if (color)
		fputs(ANSI_RESET, out);
	fputs("  [", out);
	sc_escape_text(out, c->call_id);
	fputs("]\n", out);
	/* someone watching a trunk wants it now, not at the next buffer */
	fflush(out);
}

void
sc_report_live_msg(FILE *out, const struct sc_msg *m)
{
	char clock[16], src[SC_ENDPOINT_STRLEN], dst[SC_ENDPOINT_STRLEN];

	sc__format_clock(m->ts_ns, clock, sizeof(clock));
	fprintf(out, "%s  #%-6" PRIu64 " %s -> %s %s  ", clock, m->frame,
	        sc_endpoint_format(&m->src, src, sizeof(src)),
	        sc_endpoint_format(&m->dst, dst, sizeof(dst)),
	        sc_transport_name(m->transport));
	if (m->is_request) {
		sc_escape_text(out, m->method_name);
	} else {
		fprintf(out, "%d ", m->status);
		sc_escape_text(out, m->reason_phrase);
	}
	fprintf(out, " (CSeq %" PRIu32 " ", m->cseq);
	sc_escape_text(out, m->cseq_method_name);
	fputs(")  [", out);
	if (m->call_id) /* a NUL byte from the wire stays visible */
		sc_escape_textn(out, m->call_id, m->call_id_len);
	else
		fputc('-', out);
	fputs("]\n", out);
	fflush(out);
}
