/* report_words.c - the lines every format words the same way: where a
 * failure started, how an answered call ended, the calls of a security
 * finding
 *
 * Each line is built from model fields only (nothing is analysed here)
 * and may hold wire text (reason phrases, Reason text, Call-IDs): the
 * format escapes the whole line when it prints it.
 */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "report_impl.h"
#include "sipcause/diagnosis/kb.h"

bool
sc__root_text(const struct sc_root_cause *rc, char *buf, size_t len)
{
	char a[SC_ENDPOINT_STRLEN], b[SC_ENDPOINT_STRLEN];

	if (!rc)
		return false;
	sc_endpoint_format(&rc->src, a, sizeof(a));
	sc_endpoint_format(&rc->dst, b, sizeof(b));
	if (rc->code)
		snprintf(buf, len, "%d %s from %s to %s (#%" PRIu64 ")",
		         rc->code, rc->reason ? rc->reason : "", a, b,
		         rc->frame);
	else
		snprintf(buf, len,
		         "request from %s to %s never answered (#%" PRIu64 ")",
		         a, b, rc->frame);
	return true;
}

/* "; Reason: Q.850 cause 16 (Normal call clearing) \"text\"" */
static void
reason_words(FILE *f, const struct sc_end_reason *r)
{
	const struct sc_q850_info *q = r->q850 > 0 ? sc_kb_q850(r->q850) : NULL;

	if (!r->present)
		return;
	fputs("; Reason:", f);
	if (r->q850 > 0)
		fprintf(f, " Q.850 cause %d (%s)", r->q850,
		        q ? q->name : "unassigned");
	if (r->sip_cause > 0)
		fprintf(f, "%s SIP cause %d", r->q850 > 0 ? "," : "",
		        r->sip_cause);
	if (r->text)
		fprintf(f, " \"%s\"", r->text);
}

bool
sc__ending_text(const struct sc_call *c, char *buf, size_t len)
{
	FILE *f;

	if (c->ended_by == SC_SIDE_NONE || len == 0)
		return false;
	f = fmemopen(buf, len, "w");
	if (!f)
		return false;
	fprintf(f, "BYE from the %s",
	        c->ended_by == SC_SIDE_CALLER ? "caller" : "callee");
	if (c->timings.duration_ms >= 0)
		fprintf(f, " %" PRId64 ".%03d s after the answer",
		        c->timings.duration_ms / 1000,
		        (int)(c->timings.duration_ms % 1000));
	fputs(c->bye_accepted ? ", accepted" : ", no answer to it captured", f);
	reason_words(f, &c->end_reason);
	/* fmemopen NUL-terminates what fits; a full buffer is cut */
	fclose(f);
	buf[len - 1] = 0;
	return true;
}

void
sc__security_calls(const struct sc_security_item *it, char *buf, size_t len)
{
	size_t used = 0;
	int n;

	buf[0] = 0;
	for (size_t i = 0; i < it->ncall_ids && used < len; i++) {
		n = snprintf(buf + used, len - used, "%s%s", i ? ", " : "",
		             it->call_ids[i]);
		if (n < 0)
			return;
		used += (size_t)n;
	}
	if (it->more_call_ids && used < len)
		snprintf(buf + used, len - used, "%sand %" PRIu32 " more",
		         used ? " " : "", it->more_call_ids);
}
