/* report_text.c - the human report: header, one line per call, verdicts */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "report_impl.h"
#include "sipcause/capture/capture.h"
#include "sipcause/util/escape.h"
#include "sipcause/diagnosis/kb.h"

/* One line per call: time, kind, parties, result, state, messages; the
 * header uses the same widths (colour codes take no column). */
#define CALL_COLUMNS "%-12s  %-9s %-34s %s%-30s %-15s%s %5s"

#define ANSI_RESET "\033[0m"
#define ANSI_BOLD "\033[1m"
#define ANSI_DIM "\033[2m"
#define ANSI_RED "\033[31m"
#define ANSI_GREEN "\033[32m"
#define ANSI_YELLOW "\033[33m"

static const char *
color(const struct sc_report *r, const char *code)
{
	return r->opts.color ? code : "";
}

static const char *
state_color(const struct sc_report *r, const struct sc_call *c)
{
	switch (c->verdict.cat) {
	case SC_CAT_OK:
		return c->state == SC_CALL_IN_PROGRESS ||
				       c->state == SC_CALL_MID_DIALOG
			       ? color(r, ANSI_DIM)
			       : color(r, ANSI_GREEN);
	case SC_CAT_CANCELLED:
	case SC_CAT_REDIRECT:
	case SC_CAT_BUSY:
		return color(r, ANSI_YELLOW);
	default:
		return color(r, ANSI_RED);
	}
}

static void
human_bytes(uint64_t n, char *buf, size_t len)
{
	if (n < 10000)
		snprintf(buf, len, "%" PRIu64 " B", n);
	else if (n < 10000000)
		snprintf(buf, len, "%.1f kB", (double)n / 1e3);
	else
		snprintf(buf, len, "%.1f MB", (double)n / 1e6);
}

static void
header_input(struct sc_report *r, const struct sc_model *m)
{
	const struct sc_stats *s = &m->stats;
	char a[40], b[40], bytes[32];

	fputs(color(r, ANSI_BOLD), r->out);
	fputs("sipcause:", r->out);
	for (size_t i = 0; i < m->nfiles; i++) {
		fputc(' ', r->out);
		sc_escape_text(r->out, m->files[i].path);
	}
	fprintf(r->out, "%s\n", color(r, ANSI_RESET));
	human_bytes(s->bytes, bytes, sizeof(bytes));
	fprintf(r->out, "  packets   %" PRIu64 " (%s)", s->packets, bytes);
	if (s->packets) {
		sc__format_ts(s->first_ts, a, sizeof(a));
		sc__format_ts(s->last_ts, b, sizeof(b));
		/* "2024-05-01T12:00:00.123" is enough for people */
		a[23] = b[23] = 0;
		a[10] = b[10] = ' ';
		fprintf(r->out, ", %s to %s UTC (%.3f s)", a, b + 11,
			(double)(s->last_ts - s->first_ts) / 1e9);
	}
	fputc('\n', r->out);
	for (size_t i = 0; i < m->nfiles; i++) {
		if (!m->files[i].warning)
			continue;
		fprintf(r->out, "  %swarning%s  ", color(r, ANSI_YELLOW),
			color(r, ANSI_RESET));
		sc_escape_text(r->out, m->files[i].warning);
		fputc('\n', r->out);
	}
}

static void
header_messages(struct sc_report *r, const struct sc_stats *s)
{
	const char *sep = ": ";

	fprintf(r->out, "  messages  %" PRIu64 " SIP", s->sip_messages);
	for (int i = 1; i < SC_METHOD__COUNT; i++) {
		if (!s->requests[i])
			continue;
		fprintf(r->out, "%s%s %" PRIu64, sep,
			sc_method_name((enum sc_method)i), s->requests[i]);
		sep = ", ";
	}
	if (s->requests_other) {
		fprintf(r->out, "%sother %" PRIu64, sep, s->requests_other);
		sep = ", ";
	}
	sep = sep[0] == ':' ? ": " : "; ";
	for (int i = 0; i <= SC_MAX_STATUS; i++) {
		if (!s->responses[i])
			continue;
		fprintf(r->out, "%s%d x%" PRIu64, sep, i, s->responses[i]);
		sep = ", ";
	}
	fputc('\n', r->out);
}

static void
header_calls(struct sc_report *r, const struct sc_model *m)
{
	size_t by_state[SC_CALL__COUNT] = { 0 };
	const char *sep = ": ";

	for (size_t i = 0; i < m->calls.n; i++) {
		const struct sc_call *c = m->calls.v[i];

		by_state[c->state]++;
	}
	fprintf(r->out, "  calls     %zu", m->calls.n);
	for (int i = 0; i < SC_CALL__COUNT; i++) {
		if (!by_state[i])
			continue;
		fprintf(r->out, "%s%s %zu", sep,
			sc_call_state_id((enum sc_call_state)i), by_state[i]);
		sep = ", ";
	}
	fputc('\n', r->out);
}

static void
call_stats_line(struct sc_report *r, const char *label,
		const struct sc_call_stats *s)
{
	int64_t mean = sc_call_stats_pdd_mean(s);

	fprintf(r->out, "%s%" PRIu64 " INVITE attempts, %" PRIu64
			" answered, ASR %.1f%%, NER %.1f%%",
		label, s->attempts, s->answered, sc_call_stats_asr(s),
		sc_call_stats_ner(s));
	if (mean >= 0)
		fprintf(r->out, ", PDD mean %" PRId64 " ms, p95 %" PRId64
				" ms",
			mean, sc_call_stats_pdd_p95(s));
	fputc('\n', r->out);
}

/* Outcome statistics overall and, when there are several, per peer. */
static void
header_invites(struct sc_report *r, const struct sc_model *m)
{
	char a[SC_ADDR_STRLEN], b[SC_ADDR_STRLEN], label[128];

	if (m->overall.attempts == 0)
		return;
	call_stats_line(r, "  invites   ", &m->overall);
	if (m->peers.n < 2)
		return;
	for (size_t i = 0; i < m->peers.n; i++) {
		const struct sc_peer *p = m->peers.v[i];

		snprintf(label, sizeof(label), "    %s -> %s: ",
			 sc_addr_format(&p->caller, a, sizeof(a)),
			 sc_addr_format(&p->callee, b, sizeof(b)));
		call_stats_line(r, label, &p->s);
	}
}

static void
header_problems(struct sc_report *r, const struct sc_stats *s)
{
	uint64_t decode = 0;

	for (int i = 0; i < SC_DR__COUNT; i++)
		decode += s->decode_errors[i];
	if (!s->malformed && !s->truncated && !decode && !s->unparsable &&
	    !s->retransmissions)
		return;
	fprintf(r->out, "  notes     %" PRIu64 " retransmissions, %" PRIu64
			" malformed, %" PRIu64 " truncated, %" PRIu64
			" unparsable, %" PRIu64 " damaged frames",
		s->retransmissions, s->malformed, s->truncated, s->unparsable,
		decode);
	for (int i = 0, first = 1; i < SC_DR__COUNT; i++) {
		if (!s->decode_errors[i])
			continue;
		fprintf(r->out, "%s%s %" PRIu64, first ? " (" : ", ",
			sc_decode_reason_name((enum sc_decode_reason)i),
			s->decode_errors[i]);
		first = 0;
	}
	fputs(decode ? ")\n" : "\n", r->out);
}

/* What the capture may hold that sipcause cannot read. */
static void
header_hidden(struct sc_report *r, const struct sc_stats *s)
{
	if (s->tcp.tls_flows)
		fprintf(r->out, "  %snote%s      %" PRIu64 " TLS connection "
				"directions (%" PRIu64 " on port 5061) are "
				"encrypted: SIP inside them is not shown\n",
			color(r, ANSI_YELLOW), color(r, ANSI_RESET),
			s->tcp.tls_flows, s->tcp.tls_flows_5061);
	if (s->tcp.gaps)
		fprintf(r->out, "  %snote%s      %" PRIu64 " holes in TCP "
				"streams (%" PRIu64 " bytes the capture "
				"missed)\n",
			color(r, ANSI_YELLOW), color(r, ANSI_RESET),
			s->tcp.gaps, s->tcp.gap_bytes);
}

/* The user part, else the URI, of a party, escaped. */
static const char *
who(const struct sc_party *p, char *buf, size_t len)
{
	return sc_escape_buf(buf, len, p->user ? p->user : p->uri);
}

static void
call_line(struct sc_report *r, const struct sc_call *c)
{
	char clock[16], from[40], to[40], fromto[80], result[64], reason[48];
	char count[24];
	const struct sc_q850_info *q;
	const struct sc_explain *v = &c->verdict;

	sc__format_clock(c->first_ts, clock, sizeof(clock));
	snprintf(fromto, sizeof(fromto), "%s -> %s",
		 who(&c->from, from, sizeof(from)), who(&c->to, to, sizeof(to)));
	if (c->final_code)
		snprintf(result, sizeof(result), "%d %s", c->final_code,
			 sc_escape_buf(reason, sizeof(reason),
				       c->final_reason ? c->final_reason : ""));
	else
		snprintf(result, sizeof(result), "-");
	snprintf(count, sizeof(count), "%zu", c->msg_count);
	fprintf(r->out, CALL_COLUMNS "\n", clock, sc__call_kind(c), fromto,
		state_color(r, c), result, sc_call_state_id(c->state),
		color(r, ANSI_RESET), count);
	for (size_t i = 0; i < c->nfindings; i++) {
		fprintf(r->out, "              note: ");
		sc_escape_text(r->out, c->findings[i].text);
		fprintf(r->out, " [%s]\n", c->findings[i].rule);
	}
	if (v->cat == SC_CAT_OK)
		return;
	fprintf(r->out, "              %s%s%s", state_color(r, c),
		sc_category_id(v->cat), color(r, ANSI_RESET));
	if (v->summary || v->cause) {
		fputs(": ", r->out);
		sc_escape_text(r->out, v->summary ? v->summary : v->cause);
	}
	fprintf(r->out, " [%s]\n", v->rule ? v->rule : "-");
	for (size_t i = 0; i < v->nevidence; i++) {
		fputs("                - ", r->out);
		sc_escape_text(r->out, v->evidence[i]);
		fputc('\n', r->out);
	}
	if (v->tip) {
		fputs("              tip: ", r->out);
		sc_escape_text(r->out, v->tip);
		fputc('\n', r->out);
	}
	q = v->q850 ? sc_kb_q850(v->q850) : NULL;
	if (q)
		fprintf(r->out, "              isdn: Q.850 cause %d, %s (the "
				"usual mapping of %d)\n",
			q->cause, q->name, v->code);
}

/* What a response means and, for failures, why, with the evidence. */
static void
annotation_lines(struct sc_report *r, const struct sc_explain *a)
{
	if (a->meaning) {
		fputs("        ", r->out);
		sc_escape_text(r->out, a->meaning);
		fputc('\n', r->out);
	}
	if (a->code < 300 || !a->cause)
		return;
	fprintf(r->out, "        %s: ", sc_category_id(a->cat));
	sc_escape_text(r->out, a->cause);
	fprintf(r->out, " [%s]\n", a->rule ? a->rule : "-");
	for (size_t i = 0; i < a->nevidence; i++) {
		fputs("          - ", r->out);
		sc_escape_text(r->out, a->evidence[i]);
		fputc('\n', r->out);
	}
}

/* Every message of a call, one line each, with its annotation. */
static void
call_detail(struct sc_report *r, const struct sc_call *c)
{
	for (size_t i = 0; i < c->nmsgs; i++) {
		const struct sc_callmsg *cm = &c->msgs[i];
		const struct sc_msg *m = cm->msg;
		char clock[16], src[SC_ENDPOINT_STRLEN], dst[SC_ENDPOINT_STRLEN];

		if (!m)
			continue;
		sc__format_clock(m->ts_ns, clock, sizeof(clock));
		fprintf(r->out, "    %s  #%-6" PRIu64 " %s -> %s  ", clock,
			m->frame, sc_endpoint_format(&m->src, src, sizeof(src)),
			sc_endpoint_format(&m->dst, dst, sizeof(dst)));
		if (m->is_request) {
			sc_escape_text(r->out, m->method_name);
		} else {
			fprintf(r->out, "%d ", m->status);
			sc_escape_text(r->out, m->reason_phrase);
		}
		fprintf(r->out, " (CSeq %" PRIu32 " ", m->cseq);
		sc_escape_text(r->out, m->cseq_method_name);
		fputc(')', r->out);
		if (cm->retransmission)
			fputs(" [retransmission]", r->out);
		if (m->flags & SC_MSG_MALFORMED)
			fputs(" [malformed]", r->out);
		if (m->flags & SC_RAW_TRUNCATED)
			fputs(" [truncated]", r->out);
		fputc('\n', r->out);
		if (cm->ann)
			annotation_lines(r, cm->ann);
	}
}

static void
text_finish(struct sc_report *r, const struct sc_model *m)
{
	header_input(r, m);
	header_messages(r, &m->stats);
	header_calls(r, m);
	header_invites(r, m);
	header_problems(r, &m->stats);
	header_hidden(r, &m->stats);
	if (m->calls.n == 0) {
		fputs("\nNo SIP calls found.\n", r->out);
		return;
	}
	fprintf(r->out, "\n%s" CALL_COLUMNS "%s\n", color(r, ANSI_BOLD),
		"TIME", "KIND", "FROM -> TO", "", "RESULT", "STATE", "",
		"MSGS", color(r, ANSI_RESET));
	for (size_t i = 0; i < m->calls.n; i++) {
		const struct sc_call *c = m->calls.v[i];

		if (!sc__report_shows(r, c))
			continue;
		call_line(r, c);
		if (r->opts.detail)
			call_detail(r, c);
	}
}

const struct sc_report_ops sc__report_text_ops = {
	.call = NULL,
	.finish = text_finish,
};
