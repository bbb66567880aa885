/* report_markdown.c - the ticket: a summary, then one self-contained block
 * per selected call (default: the failed ones) that reads well pasted
 * into GitHub, GitLab, Jira or Zendesk (CommonMark + <details>)
 *
 * Wire text outside code blocks is escaped as in the text report, then
 * the characters that could format, link, open HTML or split a table
 * cell get a backslash (CommonMark allows it before any punctuation).
 * Call-IDs go in code spans whose fence is longer than any backtick run
 * inside.
 * Inside code blocks no line can close the fence: ladder lines start with
 * spaces or digits, message lines with four spaces.
 */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sipcause/diagnosis/kb.h"
#include "sipcause/report/ladder.h"
#include "sipcause/util/escape.h"
#include "text_impl.h"

/* Columns of the ladder in a code block. */
#define MD_LADDER_WIDTH 100

/* What gets a backslash in inline text. */
#define MD_SPECIAL "\\`*_[]<>#|~&!{}"

/* Wire (or any) text as inline Markdown. */
static void
md(FILE *out, const char *s)
{
	char *esc = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&esc, &len);

	if (!f)
		return;
	sc_escape_text(f, s);
	if (fclose(f) == 0) {
		for (const char *p = esc; *p; p++) {
			if (strchr(MD_SPECIAL, *p))
				fputc('\\', out);
			fputc(*p, out);
		}
	}
	free(esc);
}

/* @s as a code span: fenced by more backticks than it holds in a row. */
static void
md_code(FILE *out, const char *s)
{
	size_t run = 0, max = 0;

	for (const char *p = s; *p; p++) {
		run = *p == '`' ? run + 1 : 0;
		max = run > max ? run : max;
	}
	for (size_t i = 0; i <= max; i++)
		fputc('`', out);
	fputc(' ', out);
	sc_escape_text(out, s);
	fputc(' ', out);
	for (size_t i = 0; i <= max; i++)
		fputc('`', out);
}

static void
summary_rows(FILE *out, const struct sc_model *m)
{
	const struct sc_stats *s = &m->stats;
	char a[40], b[40];

	fputs("| | |\n|---|---|\n| Input | ", out);
	for (size_t i = 0; i < m->nfiles; i++) {
		fputs(i ? ", " : "", out);
		md(out, m->files[i].path);
	}
	if (s->packets) {
		sc__format_ts(s->first_ts, a, sizeof(a));
		sc__format_ts(s->last_ts, b, sizeof(b));
		a[23] = b[23] = 0;
		a[10] = b[10] = ' ';
		fprintf(out, " |\n| Period | %s to %s UTC (%.3f s)", a, b,
		        (double)(s->last_ts - s->first_ts) / 1e9);
	}
	fprintf(out,
	        " |\n| Packets | %" PRIu64 ", %" PRIu64 " SIP %s, %" PRIu64
	        " %s |\n",
	        s->packets, s->sip_messages,
	        sc__plural(s->sip_messages, "message", "messages"),
	        s->retransmissions,
	        sc__plural(s->retransmissions, "retransmission",
	                   "retransmissions"));
	fprintf(out, "| Calls | %" PRIu64 " |\n", s->calls);
	if (m->overall.attempts)
		fprintf(out,
		        "| INVITEs | %" PRIu64 " %s, %" PRIu64
		        " answered: ASR %.1f%%, NER %.1f%% |\n",
		        m->overall.attempts,
		        sc__plural(m->overall.attempts, "attempt", "attempts"),
		        m->overall.answered, sc_call_stats_asr(&m->overall),
		        sc_call_stats_ner(&m->overall));
	if (m->overall.attempts) {
		fputs("| RFC 6076 | ", out);
		sc__rfc6076_text(out, &m->rfc6076);
		fputs(" |\n", out);
	}
}

static void
summary(struct sc_report *r, const struct sc_model *m,
        const struct sc_selection *sel)
{
	struct sc__note notes[32];
	size_t nn = sc__report_notes(m, notes, SC_COUNTOF(notes));
	struct sc_failure_group *g;
	size_t n = sc_failure_groups(sel, &g);

	fputs("# sipcause report\n\n", r->out);
	summary_rows(r->out, m);
	for (size_t i = 0; i < nn; i++)
		fprintf(r->out, "%s- %" PRIu64 " %s\n", i ? "" : "\nNotes:\n\n",
		        notes[i].n, notes[i].what);
	if (n) {
		fprintf(r->out,
		        "\n## Failures: %zu of %zu %s\n\n"
		        "| Calls | Category | Result | Rule | Example "
		        "Call-ID |\n|---:|---|---|---|---|\n",
		        sel->failed, sel->n,
		        sc__plural(sel->n, "call", "calls"));
	}
	for (size_t i = 0; i < n; i++) {
		const struct sc_call *c = g[i].example->call;

		fprintf(r->out, "| %zu | %s | ", g[i].count,
		        sc_category_id(g[i].cat));
		if (g[i].code) {
			fprintf(r->out, "%d ", g[i].code);
			md(r->out, c->final_reason);
		} else {
			fputs("no final response", r->out);
		}
		fputs(" | ", r->out);
		md(r->out, g[i].rule);
		fputs(" | ", r->out);
		md(r->out, c->call_id);
		fputs(" |\n", r->out);
	}
	free(g);
}

static void
item(FILE *out, const char *label, const char *value)
{
	if (!value)
		return;
	fprintf(out, "- **%s:** ", label);
	md(out, value);
	fputc('\n', out);
}

/* Another rule that holds for the call (a refused BYE, a NAT risk...). */
static void
finding_item(FILE *out, const struct sc_finding *f)
{
	fputs("- **Note:** ", out);
	md(out, f->text);
	fputs(" (", out);
	md(out, f->rule);
	fputs(")\n", out);
}

/* Scanners, password guessing, toll fraud: findings across calls. */
static void
security(FILE *out, const struct sc_model *m)
{
	char addr[SC_ADDR_STRLEN], calls[512];

	if (m->nsecurity == 0 && m->security_untracked == 0)
		return;
	fprintf(out, "\n## Security: %zu %s\n\n", m->nsecurity,
	        sc__plural(m->nsecurity, "finding", "findings"));
	for (size_t i = 0; i < m->nsecurity; i++) {
		const struct sc_security_item *it = &m->security[i];

		fputs("- **", out);
		md(out, it->rule_id);
		fprintf(out, "** from %s: ",
		        sc_addr_format(&it->src, addr, sizeof(addr)));
		md(out, it->text);
		fputc('\n', out);
		sc__security_calls(it, calls, sizeof(calls));
		if (calls[0]) {
			fputs("  - Calls: ", out);
			md(out, calls);
			fputc('\n', out);
		}
	}
	if (m->security_untracked)
		fprintf(out,
		        "- %" PRIu64 " %s not checked: the tracker's caps were "
		        "reached\n",
		        m->security_untracked,
		        sc__plural(m->security_untracked, "request was",
		                   "requests were"));
}

static void
party_line(FILE *out, const struct sc_call *c)
{
	char a[SC_ENDPOINT_STRLEN], b[SC_ENDPOINT_STRLEN];
	const char *ua = sc__call_agent(c, false),
	           *sa = sc__call_agent(c, true);

	fputs("- **Between:** ", out);
	md(out, sc__party_name(&c->from));
	fprintf(out, " at %s", sc_endpoint_format(&c->caller, a, sizeof(a)));
	if (ua) {
		fputs(" (", out);
		md(out, ua);
		fputc(')', out);
	}
	fputs(" and ", out);
	md(out, sc__party_name(&c->to));
	fprintf(out, " at %s", sc_endpoint_format(&c->callee, b, sizeof(b)));
	if (sa) {
		fputs(" (", out);
		md(out, sa);
		fputc(')', out);
	}
	fputc('\n', out);
}

static void
final_line(FILE *out, const struct sc_diagnosis *d)
{
	const struct sc_call *c = d->call;
	const struct sc_explain *v = &d->verdict;

	fputs("- **Final response:** ", out);
	if (c->final_code) {
		fprintf(out, "%d ", c->final_code);
		md(out, c->final_reason);
	} else {
		fputs("none", out);
	}
	if (v->meaning) {
		fputs(" (", out);
		md(out, v->meaning);
		fputc(')', out);
	}
	fputc('\n', out);
}

static void
code_field(void *ctx, const char *name, const char *value)
{
	FILE *out = ctx;

	fputs("    ", out);
	if (name && name[0]) {
		sc_escape_text(out, name);
		fputs(": ", out);
	}
	sc_escape_text(out, value);
	fputc('\n', out);
}

/* The first request and the final response in full, folded away. */
static void
messages_block(FILE *out, const struct sc_call *c)
{
	const struct sc_txn *t = sc_call_deciding_txn(c);
	const struct sc_msg *first = NULL, *final = NULL;

	for (size_t i = 0; i < c->nmsgs && !first; i++)
		if (c->msgs[i].msg && c->msgs[i].msg->is_request)
			first = c->msgs[i].msg;
	if (t && t->final_code && t->final_msg < c->nmsgs)
		final = c->msgs[t->final_msg].msg;
	if (!first && !final)
		return;
	fputs("\n<details><summary>First request and final response "
	      "(fields as parsed)</summary>\n\n```text\n",
	      out);
	if (first)
		sc__msg_fields(first, code_field, out);
	if (first && final)
		fputs("\n", out);
	if (final)
		sc__msg_fields(final, code_field, out);
	fputs("```\n\n</details>\n", out);
}

static void
call_block(struct sc_report *r, const struct sc_diagnosis *d)
{
	char *summary;
	const struct sc_call *c = d->call;
	const struct sc_explain *v = &d->verdict;
	struct sc_ladder l;
	char ts[40], buf[512];

	fputs("\n## ", r->out);
	md(r->out, sc__call_kind(c));
	fputc(' ', r->out);
	md(r->out, sc__party_name(&c->from));
	fputs(" to ", r->out);
	md(r->out, sc__party_name(&c->to));
	fprintf(r->out, ": %s, ", sc_call_state_id(c->state));
	if (c->final_code) {
		fprintf(r->out, "%d ", c->final_code);
		md(r->out, c->final_reason);
	} else {
		fputs("no final response", r->out);
	}
	fputs("\n\n", r->out);
	summary = sc_explain_summary(v);
	item(r->out, "What happened", summary ? summary : v->meaning);
	free(summary);
	sc__format_ts(c->first_ts, ts, sizeof(ts));
	ts[23] = 0;
	ts[10] = ' ';
	fprintf(r->out, "- **When:** %s UTC\n", ts);
	party_line(r->out, c);
	fputs("- **Call-ID:** ", r->out);
	md_code(r->out, c->call_id);
	fputc('\n', r->out);
	final_line(r->out, d);
	item(r->out, "Likely cause", v->cause);
	for (size_t i = 0; i < v->nevidence; i++)
		item(r->out, "Evidence", v->evidence[i]);
	if (sc__root_text(v->root, buf, sizeof(buf)))
		item(r->out, "Root cause", buf);
	if (sc__ending_text(c, buf, sizeof(buf)))
		item(r->out, "Ended", buf);
	item(r->out, "Check next", v->tip);
	if (v->rule)
		fprintf(r->out, "- **Rule:** %s\n", v->rule);
	for (size_t i = 0; i < d->nfindings; i++)
		finding_item(r->out, &d->findings[i]);
	if (sc_ladder_build(&l, d) == SC_OK && l.nrows) {
		fputs("\n```text\n", r->out);
		sc__text_ladder_diagram(r, &l, MD_LADDER_WIDTH);
		fputs("```\n", r->out);
	}
	sc_ladder_fini(&l);
	messages_block(r->out, c);
}

static void
markdown_finish(struct sc_report *r, const struct sc_model *m)
{
	struct sc_selection sel;
	size_t drawn = 0;

	if (!sc__select(r, m, &sel))
		return;
	summary(r, m, &sel);
	security(r->out, m);
	for (size_t i = 0; i < sel.n; i++) {
		if (!sc__report_ladder_for(r, sel.v[i]))
			continue;
		call_block(r, sel.v[i]);
		drawn++;
	}
	if (drawn == 0)
		fputs(sel.n ? "\nNo failed call.\n" : "\nNo SIP calls found.\n",
		      r->out);
	sc_selection_fini(&sel);
}

const struct sc_report_ops sc__report_markdown_ops = {
	.call = NULL,
	.finish = markdown_finish,
};
