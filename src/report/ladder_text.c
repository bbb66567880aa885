/* ladder_text.c - one call as a text ladder, its verdict under it
 *
 *      time   delta  127.0.0.1:5061         127.0.0.1:5060
 *     0.000          |------ INVITE ------->|   #1
 *     0.001  +0.001  |<---- 180 Ringing ----|   #3 The callee's device...
 */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sipcause/diagnosis/kb.h"
#include "sipcause/report/ladder.h"
#include "sipcause/report/width.h"
#include "text_impl.h"

/* Time and delta before the first lane. */
#define GUTTER 18
/* Cells kept for the annotation beside the lanes. */
#define NOTE_ROOM 24

struct lanes {
	size_t gap; /* cells between two lanes */
	size_t n;   /* lanes */
};

static size_t
lane_x(const struct lanes *ln, size_t i)
{
	return GUTTER + i * ln->gap;
}

static void
choose_gap(const struct sc_ladder *l, unsigned width, struct lanes *ln)
{
	size_t label = 6;
	char buf[256];

	for (size_t i = 0; i < l->nrows; i++) {
		const char *s =
		        sc_ladder_label(l->rows[i].cm->msg, buf, sizeof(buf));
		size_t w = sc_text_width(s, strlen(s));

		if (w > label)
			label = w;
	}
	ln->n = l->nhosts;
	/* room for the label and for an IPv4 endpoint above each lane */
	ln->gap = label + 8 > 22 ? label + 8 : 22;
	if (ln->gap > 36)
		ln->gap = 36;
	if (ln->n > 1 &&
	    GUTTER + (ln->n - 1) * ln->gap + 1 + NOTE_ROOM > width) {
		size_t room = width > GUTTER + 1 + NOTE_ROOM
		                      ? width - GUTTER - 1 - NOTE_ROOM
		                      : 0;

		ln->gap = room / (ln->n - 1);
		if (ln->gap < 10)
			ln->gap = 10;
	}
}

/* One line of host names (or agents) centred on their lanes. */
static void
host_line(struct sc_report *r, const struct sc_ladder *l,
          const struct lanes *ln, bool agents, unsigned width)
{
	char ep[SC_ENDPOINT_STRLEN];
	size_t col = 0;

	for (size_t i = 0; i < l->nhosts; i++) {
		const char *s = agents ? l->hosts[i].agent
		                       : sc_endpoint_format(&l->hosts[i].ep, ep,
		                                            sizeof(ep));
		size_t max = ln->gap - 2, w, start;

		if (!s)
			continue;
		if (i + 1 == l->nhosts)
			max = width > lane_x(ln, i) ? width - lane_x(ln, i) : 8;
		w = sc_text_width(s, strlen(s));
		w = w < max ? w : max;
		start = lane_x(ln, i) > w / 2 ? lane_x(ln, i) - w / 2 : 0;
		if (i + 1 == l->nhosts)
			start = lane_x(ln, i);
		if (start < col)
			start = col;
		sc_text_pad(r->out, start - col);
		/* the next name starts one cell after this one at least */
		col = start + sc_text_fit(r->out, s, max) + 1;
	}
	fputc('\n', r->out);
}

static const char *
arrow_color(const struct sc_report *r, const struct sc_msg *m)
{
	if (m->is_request)
		return "";
	if (m->status >= 300)
		return sc__color(r, m->status == 401 || m->status == 407
		                            ? ANSI_YELLOW
		                            : ANSI_RED);
	return m->status >= 200 ? sc__color(r, ANSI_GREEN) : "";
}

static void
dashes(FILE *out, char c, size_t n)
{
	while (n--)
		fputc(c, out);
}

/* An arrow of @body cells, its label centred, its head at one end. */
static void
arrow(struct sc_report *r, const char *label, size_t body, bool right,
      bool retx)
{
	char dash = retx ? '.' : '-';
	size_t lw = sc_text_width(label, strlen(label));
	size_t room = body > 6 ? body - 6 : 0, left, rest, done;

	if (lw > room)
		lw = room;
	left = (body - lw - 2) / 2;
	rest = body - lw - 2 - left;
	if (!right)
		fputc('<', r->out);
	dashes(r->out, dash, right ? left : left - 1);
	fputc(' ', r->out);
	done = sc_text_fit(r->out, label, lw);
	fputc(' ', r->out);
	dashes(r->out, dash, (right ? rest - 1 : rest) + (lw - done));
	if (right)
		fputc('>', r->out);
}

/* What to write beside a row: its annotation in one line. */
static const char *
row_note(const struct sc_ladder_row *row)
{
	const struct sc_callmsg *cm = row->cm;
	const struct sc_explain *a = row->note;

	if (cm->retransmission)
		return "retransmission";
	if (cm->msg->flags & SC_MSG_MALFORMED)
		return "malformed (read by the raw scan)";
	if (!a)
		return NULL;
	if (a->code >= 300 && a->cause)
		return a->cause;
	return a->meaning;
}

static void
row_time(struct sc_report *r, const struct sc_ladder_row *row, size_t i)
{
	char buf[48];

	snprintf(buf, sizeof(buf), "%8.3f", (double)row->rel_ns / 1e9);
	fputs(buf, r->out);
	if (i == 0)
		snprintf(buf, sizeof(buf), "%9s", "");
	else
		snprintf(buf, sizeof(buf), " %+8.3f",
		         (double)row->delta_ns / 1e9);
	fputs(buf, r->out);
	sc_text_pad(r->out, GUTTER - 17);
}

static void
ladder_row(struct sc_report *r, const struct sc_ladder_row *row, size_t i,
           const struct lanes *ln, unsigned width)
{
	const struct sc_msg *m = row->cm->msg;
	size_t a = row->from < row->to ? row->from : row->to;
	size_t b = row->from < row->to ? row->to : row->from;
	size_t col = lane_x(ln, ln->n - 1) + 1, k = 0;
	const char *note = row_note(row);
	char label[256], tail[48];

	row_time(r, row, i);
	while (k < ln->n) {
		fputc('|', r->out);
		if (k + 1 == ln->n)
			break;
		if (k == a && a != b) {
			fputs(arrow_color(r, m), r->out);
			arrow(r, sc_ladder_label(m, label, sizeof(label)),
			      (b - a) * ln->gap - 1, row->to > row->from,
			      row->cm->retransmission);
			if (arrow_color(r, m)[0])
				fputs(ANSI_RESET, r->out);
			k = b;
			continue;
		}
		sc_text_pad(r->out, ln->gap - 1);
		k++;
	}
	snprintf(tail, sizeof(tail), "  #%" PRIu64 "%s", m->frame,
	         a == b ? " (to itself)" : "");
	fputs(tail, r->out);
	col += strlen(tail);
	if (note && width > col + 4) {
		fputc(' ', r->out);
		sc_text_fit(r->out, note, width - col - 1);
	}
	fputc('\n', r->out);
}

static void
call_heading(struct sc_report *r, const struct sc_call *c, unsigned width)
{
	char ts[40], buf[1024];

	sc__format_ts(c->first_ts, ts, sizeof(ts));
	ts[23] = 0;
	ts[10] = ' ';
	fprintf(r->out, "\n%sCall%s ", sc__color(r, ANSI_BOLD),
	        sc__color(r, ANSI_RESET));
	sc_text_fit(r->out, c->call_id, width > 5 ? width - 5 : 1);
	snprintf(buf, sizeof(buf), "%s %s -> %s, %s UTC, %s", sc__call_kind(c),
	         sc__party_name(&c->from), sc__party_name(&c->to), ts,
	         sc_call_state_id(c->state));
	fputs("\n  ", r->out);
	sc_text_wrap(r->out, buf, 2, 4, width);
	for (size_t i = 0; i < c->nlinked; i++) {
		fputs("  linked leg ", r->out);
		sc_text_fit(r->out, c->linked[i], width > 13 ? width - 13 : 1);
		fputc('\n', r->out);
	}
}

/* Where the failure started, when not in the response the caller saw. */
static void
root_cause(struct sc_report *r, const struct sc_root_cause *rc, unsigned width)
{
	char buf[512];

	if (sc__root_text(rc, buf, sizeof(buf)))
		sc__text_field(r, "root", buf, width);
}

/* A Call-ID that held several initial requests: each one's outcome. */
static void
attempts(struct sc_report *r, const struct sc_diagnosis *d, unsigned width)
{
	const struct sc_call *c = d->call;
	char buf[512];

	if (c->nattempts < 2)
		return;
	for (size_t i = 0; i < c->nattempts; i++) {
		const struct sc_attempt *a = &c->attempts[i];
		const struct sc_explain *v = sc_diagnosis_attempt(d, i);
		char code[16] = "no final";

		if (a->final_code)
			snprintf(code, sizeof(code), "%d", a->final_code);
		snprintf(buf, sizeof(buf),
		         "%zu. %s (CSeq %" PRIu32 ") %s, %s %s"
		         " [%s]%s",
		         i + 1, sc_attempt_kind_name(a), a->cseq,
		         sc_call_state_id(a->state), code,
		         a->final_reason ? a->final_reason : "",
		         v && v->rule ? v->rule : "-",
		         i == c->headline ? " (the call's outcome)" : "");
		sc__text_field(r, i ? "" : "attempts", buf, width);
	}
}

static void
verdict_block(struct sc_report *r, const struct sc_diagnosis *d, unsigned width)
{
	char *summary;
	const struct sc_call *c = d->call;
	const struct sc_explain *v = &d->verdict;
	const struct sc_q850_info *q = v->q850 ? sc_kb_q850(v->q850) : NULL;
	char buf[512];

	snprintf(buf, sizeof(buf), "%s, no final response [%s]",
	         sc_category_id(v->cat), v->rule ? v->rule : "-");
	if (c->final_code)
		snprintf(buf, sizeof(buf), "%s, %d %s [%s]",
		         sc_category_id(v->cat), c->final_code,
		         c->final_reason ? c->final_reason : "",
		         v->rule ? v->rule : "-");
	fputc('\n', r->out);
	sc__text_field(r, "verdict", buf, width);
	summary = sc_explain_summary(v);
	if (summary || v->cause)
		sc__text_field(r, "", summary ? summary : v->cause, width);
	free(summary);
	for (size_t i = 0; i < v->nevidence; i++) {
		fprintf(r->out, "  %-*s- ", TEXT_LABEL - 2,
		        i ? "" : "evidence");
		sc_text_wrap(r->out, v->evidence[i], TEXT_LABEL + 2,
		             TEXT_LABEL + 2, width);
	}
	root_cause(r, v->root, width);
	if (sc__ending_text(c, buf, sizeof(buf)))
		sc__text_field(r, "ended", buf, width);
	attempts(r, d, width);
	if (v->tip)
		sc__text_field(r, "check", v->tip, width);
	if (q) {
		snprintf(buf, sizeof(buf),
		         "cause %d, %s (the usual mapping "
		         "of %d)",
		         q->cause, q->name, v->code);
		sc__text_field(r, "Q.850", buf, width);
	}
	for (size_t i = 0; i < d->nfindings; i++) {
		char *text = NULL;
		size_t len = 0;
		FILE *f = open_memstream(&text, &len);

		if (!f)
			continue;
		fprintf(f, "%s [%s]", d->findings[i].text, d->findings[i].rule);
		if (fclose(f) == 0)
			sc__text_field(r, "note", text, width);
		free(text);
	}
}

struct field_ctx {
	struct sc_report *r;
	unsigned width;
};

static void
print_field(void *ctx, const char *name, const char *value)
{
	struct field_ctx *f = ctx;
	size_t col = 6;

	fputs("      ", f->r->out);
	if (name && name[0]) {
		col += sc_text_fit(f->r->out, name, 24) + 2;
		fputs(": ", f->r->out);
	}
	sc_text_fit(f->r->out, value, f->width > col ? f->width - col : 1);
	fputc('\n', f->r->out);
}

/* -VV: each message with the fields the model keeps. */
static void
full_messages(struct sc_report *r, const struct sc_ladder *l, unsigned width)
{
	struct field_ctx f = { r, width };
	char src[SC_ENDPOINT_STRLEN], dst[SC_ENDPOINT_STRLEN], clock[16];

	fputs("\n  messages (the fields sipcause keeps, not the raw bytes)\n",
	      r->out);
	for (size_t i = 0; i < l->nrows; i++) {
		const struct sc_msg *m = l->rows[i].cm->msg;

		sc__format_clock(m->ts_ns, clock, sizeof(clock));
		fprintf(r->out, "\n    #%" PRIu64 "  %s  %s -> %s  %s\n",
		        m->frame, clock,
		        sc_endpoint_format(&m->src, src, sizeof(src)),
		        sc_endpoint_format(&m->dst, dst, sizeof(dst)),
		        sc_transport_name(m->transport));
		sc__msg_fields(m, print_field, &f);
	}
}

void
sc__text_ladder_diagram(struct sc_report *r, const struct sc_ladder *l,
                        unsigned width)
{
	struct lanes ln;

	choose_gap(l, width, &ln);
	host_line(r, l, &ln, false, width);
	for (size_t i = 0; i < l->nhosts; i++)
		if (l->hosts[i].agent) {
			host_line(r, l, &ln, true, width);
			break;
		}
	fputs("    time    delta", r->out);
	sc_text_pad(r->out, GUTTER - 17);
	for (size_t i = 0; i < ln.n; i++) {
		fputc('|', r->out);
		if (i + 1 < ln.n)
			sc_text_pad(r->out, ln.gap - 1);
	}
	fputc('\n', r->out);
	for (size_t i = 0; i < l->nrows; i++)
		ladder_row(r, &l->rows[i], i, &ln, width);
}

void
sc__text_ladder(struct sc_report *r, const struct sc_diagnosis *d,
                unsigned width)
{
	struct sc_ladder l;

	call_heading(r, d->call, width);
	if (sc_ladder_build(&l, d) != SC_OK || l.nrows == 0) {
		fputs("  (no messages kept for this call)\n", r->out);
		verdict_block(r, d, width);
		sc_ladder_fini(&l);
		return;
	}
	fputc('\n', r->out);
	sc__text_ladder_diagram(r, &l, width);
	verdict_block(r, d, width);
	if (r->opts.full_messages)
		full_messages(r, &l, width);
	sc_ladder_fini(&l);
}
