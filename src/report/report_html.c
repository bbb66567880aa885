/* report_html.c - one self-contained page: summary, charts, a sortable and
 * filterable calls table, and an SVG ladder per drawn call
 *
 * No external resource: style, script and charts are inline, and the
 * page's Content-Security-Policy blocks any fetch. Only the calls that
 * get a ladder (failed ones, or the selection) carry their messages, so
 * the page stays light for large captures.
 */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "html_impl.h"
#include "sipcause/diagnosis/kb.h"

#define TIME_BINS 48

static void
head(FILE *out)
{
	fprintf(out,
	        "<!DOCTYPE html>\n<html lang=\"en\"><head>"
	        "<meta charset=\"utf-8\">\n"
	        "<meta http-equiv=\"Content-Security-Policy\" content=\""
	        "default-src 'none'; style-src 'unsafe-inline'; "
	        "script-src 'unsafe-inline'\">\n"
	        "<title>sipcause report</title>\n<style>%s</style>"
	        "</head>\n<body>\n<h1>sipcause report</h1>\n",
	        sc__html_style);
}

static void
summary(FILE *out, const struct sc_model *m, const struct sc_selection *sel)
{
	const struct sc_stats *s = &m->stats;
	struct sc__note notes[32];
	size_t nn = sc__report_notes(m, notes, SC_COUNTOF(notes));
	char a[40], b[40];

	fputs("<dl class=\"sum\"><dt>Input</dt><dd>", out);
	for (size_t i = 0; i < m->nfiles; i++) {
		fputs(i ? ", " : "", out);
		sc__html(out, m->files[i].path);
	}
	if (s->packets) {
		sc__format_ts(s->first_ts, a, sizeof(a));
		sc__format_ts(s->last_ts, b, sizeof(b));
		a[23] = b[23] = 0;
		a[10] = b[10] = ' ';
		fprintf(out, "</dd><dt>Period</dt><dd>%s to %s UTC (%.3f s)", a,
		        b, (double)(s->last_ts - s->first_ts) / 1e9);
	}
	fprintf(out,
	        "</dd><dt>Packets</dt><dd>%" PRIu64 ", %" PRIu64
	        " SIP %s, %" PRIu64 " %s</dd>",
	        s->packets, s->sip_messages,
	        sc__plural(s->sip_messages, "message", "messages"),
	        s->retransmissions,
	        sc__plural(s->retransmissions, "retransmission",
	                   "retransmissions"));
	fprintf(out,
	        "<dt>Calls</dt><dd>%" PRIu64 ", %zu shown, %zu failed</dd>",
	        s->calls, sel->n, sel->failed);
	if (m->overall.attempts)
		fprintf(out,
		        "<dt>INVITEs</dt><dd>%" PRIu64 " %s, %" PRIu64
		        " answered: ASR %.1f%%, NER %.1f%%</dd>",
		        m->overall.attempts,
		        sc__plural(m->overall.attempts, "attempt", "attempts"),
		        m->overall.answered, sc_call_stats_asr(&m->overall),
		        sc_call_stats_ner(&m->overall));
	if (m->overall.attempts) {
		fputs("<dt>RFC 6076</dt><dd>", out);
		sc__rfc6076_text(out, &m->rfc6076);
		fputs("</dd>", out);
	}
	for (size_t i = 0; i < nn; i++)
		fprintf(out, "<dt class=\"w\">Note</dt><dd>%" PRIu64 " %s</dd>",
		        notes[i].n, notes[i].what);
	fputs("</dl>\n", out);
}

/* Horizontal bars: failed calls per category. */
static void
chart_categories(FILE *out, const struct sc_selection *sel)
{
	const size_t *count = sel->failed_by_cat;
	size_t max = 1, n = 0, y = 0;

	for (int i = 0; i < SC_CAT__COUNT; i++) {
		max = count[i] > max ? count[i] : max;
		n += count[i] != 0;
	}
	fprintf(out,
	        "<figure><figcaption>Failures by category</figcaption>"
	        "<svg id=\"chart-cat\" width=\"420\" height=\"%zu\" "
	        "role=\"img\">",
	        n * 22 + 8);
	for (int i = 0; i < SC_CAT__COUNT; i++) {
		if (!count[i])
			continue;
		fprintf(out,
		        "<text x=\"100\" y=\"%zu\" text-anchor=\"end\">%s"
		        "</text><rect x=\"106\" y=\"%zu\" width=\"%zu\" "
		        "height=\"16\" fill=\"#c44\"/><text x=\"%zu\" "
		        "y=\"%zu\">%zu</text>\n",
		        y + 16, sc_category_id((enum sc_category)i), y + 4,
		        count[i] * 260 / max, 112 + count[i] * 260 / max,
		        y + 16, count[i]);
		y += 22;
	}
	fputs("</svg></figure>\n", out);
}

/* Calls started per time bin, failed ones stacked on the others. */
static void
chart_time(FILE *out, const struct sc_selection *sel)
{
	size_t ok[TIME_BINS] = { 0 }, bad[TIME_BINS] = { 0 }, max = 1;
	int64_t t0 = sel->v[0]->call->first_ts, t1 = t0, span;
	char a[16], b[16];

	for (size_t i = 0; i < sel->n; i++) {
		int64_t ts = sel->v[i]->call->first_ts;

		t0 = ts < t0 ? ts : t0;
		t1 = ts > t1 ? ts : t1;
	}
	span = t1 - t0 + 1;
	for (size_t i = 0; i < sel->n; i++) {
		size_t k = (size_t)((double)(sel->v[i]->call->first_ts - t0) /
		                    (double)span * TIME_BINS);

		k = k < TIME_BINS ? k : TIME_BINS - 1;
		if (sel->v[i]->verdict.cat == SC_CAT_OK)
			ok[k]++;
		else
			bad[k]++;
		max = ok[k] + bad[k] > max ? ok[k] + bad[k] : max;
	}
	fputs("<figure><figcaption>Calls over time (red: failed)"
	      "</figcaption><svg id=\"chart-time\" width=\"500\" "
	      "height=\"140\" role=\"img\">",
	      out);
	for (size_t k = 0; k < TIME_BINS; k++) {
		size_t hb = bad[k] * 90 / max, ho = ok[k] * 90 / max;

		fprintf(out,
		        "<rect x=\"%zu\" y=\"%zu\" width=\"9\" height=\""
		        "%zu\" fill=\"#4a4\"/><rect x=\"%zu\" y=\"%zu\" "
		        "width=\"9\" height=\"%zu\" fill=\"#c44\"/>",
		        10 + k * 10, 110 - ho, ho, 10 + k * 10, 110 - ho - hb,
		        hb);
	}
	fprintf(out,
	        "<line x1=\"10\" y1=\"110\" x2=\"490\" y2=\"110\" "
	        "stroke=\"#888\"/><text x=\"10\" y=\"128\">%s</text>"
	        "<text x=\"490\" y=\"128\" text-anchor=\"end\">%s</text>"
	        "<text x=\"10\" y=\"10\">max %zu per bin</text>"
	        "</svg></figure>\n",
	        sc__format_clock(t0, a, sizeof(a)),
	        sc__format_clock(t1, b, sizeof(b)), max);
}

static void
failure_table(FILE *out, const struct sc_selection *sel)
{
	struct sc_failure_group *g;
	size_t n = sc_failure_groups(sel, &g);

	if (n == 0)
		return;
	fputs("<h2>Failures by cause</h2><table><tr><th>Calls</th>"
	      "<th>Category</th><th>Result</th><th>Cause</th><th>Rule</th>"
	      "<th>Example Call-ID</th></tr>\n",
	      out);
	for (size_t i = 0; i < n; i++) {
		const struct sc_call *c = g[i].example->call;

		fprintf(out, "<tr><td class=\"n\">%zu</td><td>%s</td><td>",
		        g[i].count, sc_category_id(g[i].cat));
		if (g[i].code)
			fprintf(out, "%d ", g[i].code);
		sc__html(out,
		         g[i].code ? c->final_reason : "no final response");
		fputs("</td><td>", out);
		sc__html(out, g[i].example->verdict.cause);
		fputs("</td><td class=\"mono\">", out);
		sc__html(out, g[i].rule);
		fputs("</td><td class=\"mono\">", out);
		sc__html(out, c->call_id);
		fputs("</td></tr>\n", out);
	}
	fputs("</table>\n", out);
	free(g);
}

/* Scanners, password guessing, toll fraud: findings across calls. */
static void
security(FILE *out, const struct sc_model *m)
{
	char addr[SC_ADDR_STRLEN], calls[512];

	if (m->nsecurity == 0 && m->security_untracked == 0)
		return;
	fprintf(out,
	        "<h2 id=\"security\">Security: %zu %s</h2><table><tr>"
	        "<th>Rule</th><th>Source</th><th>Finding</th><th>Calls</th>"
	        "</tr>\n",
	        m->nsecurity, sc__plural(m->nsecurity, "finding", "findings"));
	for (size_t i = 0; i < m->nsecurity; i++) {
		const struct sc_security_item *it = &m->security[i];

		fputs("<tr><td class=\"mono f\">", out);
		sc__html(out, it->rule_id);
		fprintf(out, "</td><td class=\"mono\">%s</td><td>",
		        sc_addr_format(&it->src, addr, sizeof(addr)));
		sc__html(out, it->text);
		fputs("</td><td class=\"mono\">", out);
		sc__security_calls(it, calls, sizeof(calls));
		sc__html(out, calls);
		fputs("</td></tr>\n", out);
	}
	fputs("</table>\n", out);
	if (m->security_untracked)
		fprintf(out,
		        "<p>%" PRIu64
		        " %s not checked: the tracker's caps were "
		        "reached.</p>\n",
		        m->security_untracked,
		        sc__plural(m->security_untracked, "request was",
		                   "requests were"));
}

static void
calls_head(FILE *out)
{
	fputs("<h2>Calls</h2>\n<p><input id=\"q\" type=\"search\" "
	      "placeholder=\"filter\" aria-label=\"filter calls\"> "
	      "<select id=\"cat\" aria-label=\"category\"><option value=\"\">"
	      "all calls</option><option value=\"failed\">failed</option>",
	      out);
	for (int i = 0; i < SC_CAT__COUNT; i++)
		fprintf(out, "<option>%s</option>",
		        sc_category_id((enum sc_category)i));
	fputs("</select> (click a heading to sort)</p>\n<table id=\"calls\">"
	      "<thead><tr><th>Time</th><th>Kind</th><th>Call-ID</th>"
	      "<th>From</th><th>To</th><th>Code</th><th>Reason</th>"
	      "<th>Category</th><th>State</th><th>Msgs</th><th>PDD ms</th>"
	      "</tr></thead><tbody>\n",
	      out);
}

static void
call_row(struct sc_report *r, const struct sc_diagnosis *d, size_t idx)
{
	const struct sc_call *c = d->call;
	FILE *out = r->out;
	char clock[16];

	fprintf(out,
	        "<tr data-cat=\"%s\"><td data-v=\"%" PRId64 "\">%s</td>"
	        "<td>",
	        sc_category_id(d->verdict.cat), c->first_ts / 1000000,
	        sc__format_clock(c->first_ts, clock, sizeof(clock)));
	sc__html(out, sc__call_kind(c));
	fputs("</td><td class=\"mono\">", out);
	if (sc__report_ladder_for(r, d))
		fprintf(out, "<a href=\"#call-%zu\">", idx);
	sc__html(out, c->call_id);
	fputs(sc__report_ladder_for(r, d) ? "</a></td><td>" : "</td><td>", out);
	sc__html(out, sc__party_name(&c->from));
	fputs("</td><td>", out);
	sc__html(out, sc__party_name(&c->to));
	fprintf(out, "</td><td data-v=\"%d\">", c->final_code);
	if (c->final_code)
		fprintf(out, "%d", c->final_code);
	fputs("</td><td>", out);
	sc__html(out, c->final_reason ? c->final_reason : "");
	fprintf(out,
	        "</td><td class=\"%s\">%s</td><td>%s</td>"
	        "<td class=\"n\" data-v=\"%" PRIu32 "\">%" PRIu32 "</td>"
	        "<td class=\"n\" data-v=\"%" PRId64 "\">",
	        d->verdict.cat == SC_CAT_OK ? "ok" : "f",
	        sc_category_id(d->verdict.cat), sc_call_state_id(c->state),
	        c->msg_count, c->msg_count, c->timings.pdd_ms);
	if (c->timings.pdd_ms >= 0)
		fprintf(out, "%" PRId64, c->timings.pdd_ms);
	fputs("</td></tr>\n", out);
}

static void
dd(FILE *out, const char *label, const char *value)
{
	if (!value)
		return;
	fprintf(out, "<dt>%s</dt><dd>", label);
	sc__html(out, value);
	fputs("</dd>", out);
}

static void
call_section(FILE *out, const struct sc_diagnosis *d, size_t idx)
{
	char *summary;
	const struct sc_call *c = d->call;
	const struct sc_explain *v = &d->verdict;
	char id[32], ts[40], buf[512];

	snprintf(id, sizeof(id), "c%zu", idx);
	fprintf(out, "<section class=\"call\" id=\"call-%zu\"><h2>", idx);
	sc__html(out, sc__call_kind(c));
	fputc(' ', out);
	sc__html(out, sc__party_name(&c->from));
	fputs(" to ", out);
	sc__html(out, sc__party_name(&c->to));
	fprintf(out, ": %s, ", sc_call_state_id(c->state));
	if (c->final_code)
		fprintf(out, "%d ", c->final_code);
	sc__html(out, c->final_code ? c->final_reason : "no final response");
	fprintf(out, " <small class=\"f\">%s</small></h2><dl class=\"sum\">",
	        sc_category_id(v->cat));
	dd(out, "Call-ID", c->call_id);
	dd(out, "When", sc__format_ts(c->first_ts, ts, sizeof(ts)));
	dd(out, "From", c->from.uri);
	dd(out, "To", c->to.uri);
	summary = sc_explain_summary(v);
	dd(out, "Summary", summary);
	free(summary);
	dd(out, "Meaning", v->meaning);
	dd(out, "Cause", v->cause);
	for (size_t i = 0; i < v->nevidence; i++)
		dd(out, "Evidence", v->evidence[i]);
	if (sc__root_text(v->root, buf, sizeof(buf)))
		dd(out, "Root cause", buf);
	if (sc__ending_text(c, buf, sizeof(buf)))
		dd(out, "Ended", buf);
	dd(out, "Check next", v->tip);
	dd(out, "Rule", v->rule);
	for (size_t i = 0; i < d->nfindings; i++) {
		fputs("<dt>Note</dt><dd>", out);
		sc__html(out, d->findings[i].text);
		fputs(" <span class=\"mono\">", out);
		sc__html(out, d->findings[i].rule);
		fputs("</span></dd>", out);
	}
	fputs("</dl>\n<p>Click an arrow to show its message.</p>\n", out);
	sc__svg_ladder(out, d, id);
	fputs("</section>\n", out);
}

static void
html_finish(struct sc_report *r, const struct sc_model *m)
{
	struct sc_selection sel;

	if (!sc__select(r, m, &sel))
		return;
	head(r->out);
	summary(r->out, m, &sel);
	if (sel.n) {
		fputs("<div class=\"charts\">", r->out);
		chart_categories(r->out, &sel);
		chart_time(r->out, &sel);
		fputs("</div>\n", r->out);
	}
	failure_table(r->out, &sel);
	security(r->out, m);
	calls_head(r->out);
	for (size_t i = 0; i < sel.n; i++)
		call_row(r, sel.v[i], i);
	fputs("</tbody></table>\n", r->out);
	for (size_t i = 0; i < sel.n; i++)
		if (sc__report_ladder_for(r, sel.v[i]))
			call_section(r->out, sel.v[i], i);
	fprintf(r->out, "<script>%s</script>\n</body></html>\n",
	        sc__html_script);
	sc_selection_fini(&sel);
}

const struct sc_report_ops sc__report_html_ops = {
	.call = NULL,
	.finish = html_finish,
};
