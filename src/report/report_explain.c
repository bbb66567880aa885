/* report_explain.c - "sipcause explain": the knowledge for one code */
#include "config.h"

#include <stdio.h>

#include "sipcause/diagnosis/kb.h"
#include "sipcause/report/report.h"

static void
field(FILE *out, const char *name, const char *text)
{
	if (text && text[0])
		fprintf(out, "  %-9s %s\n", name, text);
}

enum sc_err
sc_report_explain_code(FILE *out, int code)
{
	bool unknown = false;
	const struct sc_status_info *s = sc_kb_status(code, &unknown);
	const struct sc_q850_info *q;
	int cause;

	if (!s)
		return SC_ENOTFOUND;
	if (unknown)
		fprintf(out,
		        "%d is not a registered status code; it is read "
		        "as its class, %d %s.\n\n",
		        code, s->code, s->reason);
	fprintf(out, "%d %s%s\n", s->code, s->reason,
	        s->deprecated ? " (deprecated)" : "");
	field(out, "class",
	      sc_class_id(unknown ? sc_kb_class_of(code) : s->cls));
	field(out, "category",
	      sc_category_id(unknown ? SC_CAT_UNKNOWN : s->cat));
	field(out, "defined", s->ref);
	field(out, "meaning", s->meaning);
	field(out, "cause", s->cause);
	field(out, "tip", s->tip);
	cause = sc_kb_sip_to_q850(code);
	q = cause ? sc_kb_q850(cause) : NULL;
	if (q)
		fprintf(out, "  %-9s %d %s (usual ISDN mapping)\n", "q850",
		        q->cause, q->name);
	return SC_OK;
}

enum sc_err
sc_report_explain_q850(FILE *out, int cause)
{
	const struct sc_q850_info *q = sc_kb_q850(cause);

	if (!q)
		return SC_ENOTFOUND;
	fprintf(out, "Q.850 cause %d: %s\n", q->cause, q->name);
	field(out, "meaning", q->meaning);
	return SC_OK;
}

enum sc_err
sc_report_explain_warning(FILE *out, int code)
{
	const struct sc_warning_info *w = sc_kb_warning(code);

	if (!w)
		return SC_ENOTFOUND;
	fprintf(out, "Warning %d: %s\n", w->code, w->text);
	field(out, "meaning", w->meaning);
	return SC_OK;
}
