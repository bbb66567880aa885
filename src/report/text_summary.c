/* text_summary.c - the top of the text report: input, totals, ratios,
 * notes on damage and caps, failures by cause, security findings, the
 * worst peers */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sipcause/diagnosis/kb.h"
#include "sipcause/report/width.h"
#include "text_impl.h"

#define MAX_NOTES 32
#define MAX_PEERS 5

void
sc__text_field(struct sc_report *r, const char *label, const char *value,
               unsigned width)
{
	fprintf(r->out, "  %-*s", TEXT_LABEL - 2, label);
	sc_text_wrap(r->out, value, TEXT_LABEL, TEXT_LABEL, width);
}

/* Build a value in memory, then print it as a field. */
struct linebuf {
	FILE *f;
	char *s;
	size_t len;
};

static bool
line_open(struct linebuf *b)
{
	b->s = NULL;
	b->f = open_memstream(&b->s, &b->len);
	return b->f != NULL;
}

static void
line_emit(struct sc_report *r, struct linebuf *b, const char *label,
          unsigned width)
{
	if (fclose(b->f) == 0 && b->len)
		sc__text_field(r, label, b->s, width);
	free(b->s);
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
header_input(struct sc_report *r, const struct sc_model *m, unsigned width)
{
	const struct sc_stats *s = &m->stats;
	char a[40], b[40], bytes[32];
	struct linebuf lb;

	fprintf(r->out, "%ssipcause report%s\n", sc__color(r, ANSI_BOLD),
	        sc__color(r, ANSI_RESET));
	if (line_open(&lb)) {
		for (size_t i = 0; i < m->nfiles; i++)
			fprintf(lb.f, "%s%s", i ? ", " : "", m->files[i].path);
		line_emit(r, &lb, m->nfiles > 1 ? "files" : "file", width);
	}
	if (s->packets && line_open(&lb)) {
		sc__format_ts(s->first_ts, a, sizeof(a));
		sc__format_ts(s->last_ts, b, sizeof(b));
		/* "2024-05-01 12:00:00.123" is enough for people */
		a[23] = b[23] = 0;
		a[10] = b[10] = ' ';
		fprintf(lb.f, "%s to %s UTC (%.3f s)", a,
		        strncmp(a, b, 10) == 0 ? b + 11 : b,
		        (double)(s->last_ts - s->first_ts) / 1e9);
		line_emit(r, &lb, "period", width);
	}
	human_bytes(s->bytes, bytes, sizeof(bytes));
	if (line_open(&lb)) {
		fprintf(lb.f,
		        "%" PRIu64 " (%s), %" PRIu64 " SIP %s, %" PRIu64 " %s",
		        s->packets, bytes, s->sip_messages,
		        sc__plural(s->sip_messages, "message", "messages"),
		        s->retransmissions,
		        sc__plural(s->retransmissions, "retransmission",
		                   "retransmissions"));
		line_emit(r, &lb, "packets", width);
	}
	for (size_t i = 0; i < m->nfiles; i++)
		if (m->files[i].warning)
			sc__text_field(r, "warning", m->files[i].warning,
			               width);
}

static void
header_messages(struct sc_report *r, const struct sc_stats *s, unsigned width)
{
	struct linebuf lb;
	const char *sep = "";

	if (line_open(&lb)) {
		for (int i = 1; i < SC_METHOD__COUNT; i++) {
			if (!s->requests[i])
				continue;
			fprintf(lb.f, "%s%s %" PRIu64, sep,
			        sc_method_name((enum sc_method)i),
			        s->requests[i]);
			sep = ", ";
		}
		if (s->requests_other)
			fprintf(lb.f, "%sother %" PRIu64, sep,
			        s->requests_other);
		line_emit(r, &lb, "requests", width);
	}
	sep = "";
	if (line_open(&lb)) {
		for (int i = 0; i <= SC_MAX_STATUS; i++) {
			if (!s->responses[i])
				continue;
			fprintf(lb.f, "%s%d x%" PRIu64, sep, i,
			        s->responses[i]);
			sep = ", ";
		}
		line_emit(r, &lb, "responses", width);
	}
}

static void
header_calls(struct sc_report *r, const struct sc_model *m, unsigned width)
{
	const char *sep = ": ";
	struct linebuf lb;

	if (!line_open(&lb))
		return;
	/* every call seen, also those a cap kept out of the list */
	fprintf(lb.f, "%" PRIu64, m->stats.calls);
	for (int i = 0; i < SC_CALL__COUNT; i++) {
		if (!m->stats.calls_by_state[i])
			continue;
		fprintf(lb.f, "%s%s %" PRIu64, sep,
		        sc_call_state_id((enum sc_call_state)i),
		        m->stats.calls_by_state[i]);
		sep = ", ";
	}
	line_emit(r, &lb, "calls", width);
}

static void
stats_text(FILE *f, const struct sc_call_stats *s)
{
	int64_t mean = sc_call_stats_pdd_mean(s);

	fprintf(f,
	        "%" PRIu64 " %s, %" PRIu64 " answered: ASR %.1f%%, "
	        "NER %.1f%%",
	        s->attempts, sc__plural(s->attempts, "attempt", "attempts"),
	        s->answered, sc_call_stats_asr(s), sc_call_stats_ner(s));
	if (mean >= 0)
		fprintf(f, "; PDD mean %" PRId64 " ms, p95 %" PRId64 " ms",
		        mean, sc_call_stats_pdd_p95(s));
}

static void
header_invites(struct sc_report *r, const struct sc_model *m, unsigned width)
{
	struct linebuf lb;

	if (m->overall.attempts == 0 || !line_open(&lb))
		return;
	stats_text(lb.f, &m->overall);
	line_emit(r, &lb, "invites", width);
	if (!line_open(&lb))
		return;
	sc__rfc6076_text(lb.f, &m->rfc6076);
	line_emit(r, &lb, "rfc6076", width);
}

static void
header_notes(struct sc_report *r, const struct sc_model *m, unsigned width)
{
	struct sc__note notes[MAX_NOTES];
	size_t n = sc__report_notes(m, notes, MAX_NOTES);
	char buf[160];

	for (size_t i = 0; i < n; i++) {
		snprintf(buf, sizeof(buf), "%" PRIu64 " %s", notes[i].n,
		         notes[i].what);
		fprintf(r->out, "  %snote%s      ", sc__color(r, ANSI_YELLOW),
		        sc__color(r, ANSI_RESET));
		sc_text_wrap(r->out, buf, TEXT_LABEL, TEXT_LABEL, width);
	}
}

static void
failure_group(struct sc_report *r, const struct sc_failure_group *g,
              unsigned width)
{
	const struct sc_call *c = g->example->call;
	char result[160];

	if (g->code)
		snprintf(result, sizeof(result), "%d %s", g->code,
		         c->final_reason ? c->final_reason : "");
	else
		snprintf(result, sizeof(result), "no final response");
	fprintf(r->out, "  %5zu  %s%-12s%s", g->count,
	        sc__call_color(r, g->example), sc_category_id(g->cat),
	        sc__color(r, ANSI_RESET));
	/* 2 + 5 + 2 + 12 = 21 cells so far; the rule goes last */
	sc_text_cell(r->out, result, width > 60 ? width - 21 - 26 : 14);
	fputs("  ", r->out);
	sc_text_fit(r->out, g->rule, 24);
	fputc('\n', r->out);
	sc_text_pad(r->out, 9);
	sc_text_fit(r->out,
	            g->example->verdict.cause ? g->example->verdict.cause : "-",
	            width > 9 ? width - 9 : 1);
	fputs("\n         e.g. ", r->out);
	sc_text_fit(r->out, c->call_id, width > 14 ? width - 14 : 1);
	fputc('\n', r->out);
}

static void
failures(struct sc_report *r, const struct sc_selection *sel, unsigned width)
{
	size_t shown = sc__text_shown(r, sel);
	struct sc_failure_group *g;
	size_t n = sc_failure_groups(sel, &g);

	if (n == 0)
		return;
	fprintf(r->out, "\n%sFailures%s: %zu of %zu %s, by cause\n",
	        sc__color(r, ANSI_BOLD), sc__color(r, ANSI_RESET),
	        sc__text_failed(r, sel), shown,
	        sc__plural(shown, "call", "calls"));
	for (size_t i = 0; i < n; i++)
		failure_group(r, &g[i], width);
	free(g);
}

static void
peers(struct sc_report *r, const struct sc_model *m, unsigned width)
{
	const struct sc_peer *p[MAX_PEERS];
	char a[SC_ADDR_STRLEN], b[SC_ADDR_STRLEN], pair[2 * SC_ADDR_STRLEN];
	size_t n = m->peers.n > 1 ? sc_worst_peers(m, p, MAX_PEERS) : 0;
	struct linebuf lb;

	if (n == 0)
		return;
	fprintf(r->out, "\n%sPeers%s, lowest ASR first\n",
	        sc__color(r, ANSI_BOLD), sc__color(r, ANSI_RESET));
	for (size_t i = 0; i < n; i++) {
		snprintf(pair, sizeof(pair), "%s -> %s",
		         sc_addr_format(&p[i]->caller, a, sizeof(a)),
		         sc_addr_format(&p[i]->callee, b, sizeof(b)));
		if (!line_open(&lb))
			return;
		stats_text(lb.f, &p[i]->s);
		if (fclose(lb.f) == 0) {
			fputs("  ", r->out);
			sc_text_fit(r->out, pair, width > 2 ? width - 2 : 1);
			fputs("\n    ", r->out);
			sc_text_wrap(r->out, lb.s, 4, 4, width);
		}
		free(lb.s);
	}
}

/* Scanners, password guessing, toll fraud: findings across calls. */
static void
security(struct sc_report *r, const struct sc_model *m, unsigned width)
{
	char addr[SC_ADDR_STRLEN], calls[512];

	if (m->nsecurity == 0 && m->security_untracked == 0)
		return;
	fprintf(r->out, "\n%sSecurity%s: %zu %s\n", sc__color(r, ANSI_BOLD),
	        sc__color(r, ANSI_RESET), m->nsecurity,
	        sc__plural(m->nsecurity, "finding", "findings"));
	for (size_t i = 0; i < m->nsecurity; i++) {
		const struct sc_security_item *it = &m->security[i];

		fprintf(r->out, "  %s%s%s from %s\n    ",
		        sc__color(r, ANSI_RED), it->rule_id,
		        sc__color(r, ANSI_RESET),
		        sc_addr_format(&it->src, addr, sizeof(addr)));
		sc_text_wrap(r->out, it->text, 4, 4, width);
		sc__security_calls(it, calls, sizeof(calls));
		if (calls[0]) {
			fputs("    calls: ", r->out);
			sc_text_wrap(r->out, calls, 11, 11, width);
		}
	}
	if (m->security_untracked)
		fprintf(r->out,
		        "  %" PRIu64 " %s not checked: the tracker's caps were "
		        "reached\n",
		        m->security_untracked,
		        sc__plural(m->security_untracked, "request was",
		                   "requests were"));
}

void
sc__text_summary(struct sc_report *r, const struct sc_model *m,
                 const struct sc_selection *sel, unsigned width)
{
	header_input(r, m, width);
	header_messages(r, &m->stats, width);
	header_calls(r, m, width);
	header_invites(r, m, width);
	header_notes(r, m, width);
	failures(r, sel, width);
	security(r, m, width);
	peers(r, m, width);
}
