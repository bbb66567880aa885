/* report_text.c - the human report: a summary, then one line per call
 * that fits the terminal, then (-V) each call's ladder */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "sipcause/report/width.h"
#include "text_impl.h"

/* Columns of the call table; the three in the middle shrink to fit,
 * kind and state are as wide as their longest value (at most these). */
enum { COL_TIME = 12, COL_KIND = 9, COL_STATE = 15, COL_MSGS = 5 };

/* Columns with messages counted only from this width. */
#define MSGS_FROM_WIDTH 100

struct table {
	size_t kind, callid, fromto, result, state;
	bool msgs;
};

const char *
sc__color(const struct sc_report *r, const char *code)
{
	return r->opts.color ? code : "";
}

const char *
sc__call_color(const struct sc_report *r, const struct sc_diagnosis *d)
{
	const struct sc_call *c = d->call;

	switch (d->verdict.cat) {
	case SC_CAT_OK:
		return c->state == SC_CALL_IN_PROGRESS ||
		                       c->state == SC_CALL_MID_DIALOG
		               ? sc__color(r, ANSI_DIM)
		               : sc__color(r, ANSI_GREEN);
	case SC_CAT_CANCELLED:
	case SC_CAT_REDIRECT:
	case SC_CAT_BUSY:
		return sc__color(r, ANSI_YELLOW);
	default:
		return sc__color(r, ANSI_RED);
	}
}

/* The cells of one call, as raw text (escaped when printed). */
struct row {
	char clock[16];
	char fromto[512];
	char result[256];
};

static void
row_of(const struct sc_call *c, struct row *w)
{
	sc__format_clock(c->first_ts, w->clock, sizeof(w->clock));
	snprintf(w->fromto, sizeof(w->fromto), "%s -> %s",
	         sc__party_name(&c->from), sc__party_name(&c->to));
	if (c->final_code)
		snprintf(w->result, sizeof(w->result), "%d %s", c->final_code,
		         c->final_reason ? c->final_reason : "");
	else
		snprintf(w->result, sizeof(w->result), "-");
}

/*
 * Calls the filter shows: all of them went through sc_report_call()
 * when the run handed every call to the report, and the model keeps
 * only those it can list (sc_report_lists); otherwise the selection is
 * all there is.
 */
size_t
sc__text_shown(const struct sc_report *r, const struct sc_selection *sel)
{
	return r->calls_shown > sel->n ? r->calls_shown : sel->n;
}

size_t
sc__text_failed(const struct sc_report *r, const struct sc_selection *sel)
{
	return r->failed_shown > sel->failed ? r->failed_shown : sel->failed;
}

static bool
listed(const struct sc_report *r, const struct sc_selection *sel,
       const struct sc_diagnosis *d)
{
	return r->opts.all_calls ||
	       sc__text_shown(r, sel) <= SC_REPORT_MAX_LISTED ||
	       d->verdict.cat != SC_CAT_OK;
}

static size_t
width_of(const char *s)
{
	return sc_text_width(s, strlen(s));
}

/*
 * Share @avail cells among three columns: each gets its minimum, then
 * the rest goes fairest first (a column that needs less than an equal
 * share gets what it needs, the others split what is left).
 */
static void
share(size_t *w[3], const size_t want[3], const size_t min[3], size_t avail)
{
	bool done[3] = { false, false, false };
	size_t need[3];

	for (size_t i = 0; i < 3; i++) {
		*w[i] = min[i];
		need[i] = want[i] > min[i] ? want[i] - min[i] : 0;
		avail = avail > min[i] ? avail - min[i] : 0;
	}
	for (size_t left = 3; left > 0; left--) {
		size_t pick = 3, give;

		for (size_t i = 0; i < 3; i++)
			if (!done[i] && (pick == 3 || need[i] < need[pick]))
				pick = i;
		give = need[pick] < avail / left ? need[pick] : avail / left;
		*w[pick] += give;
		avail -= give;
		done[pick] = true;
	}
}

static void
table_layout(const struct sc_report *r, const struct sc_selection *sel,
             unsigned width, struct table *t)
{
	size_t want[3] = { 7, 10, 6 }, min[3] = { 16, 12, 12 };
	size_t *w[3] = { &t->callid, &t->fromto, &t->result };
	size_t fixed, avail;
	struct row row;

	t->msgs = width >= MSGS_FROM_WIDTH;
	t->kind = 4;
	t->state = 5;
	for (size_t i = 0; i < sel->n; i++) {
		const struct sc_call *c = sel->v[i]->call;
		size_t cw[3];

		if (!listed(r, sel, sel->v[i]))
			continue;
		cw[0] = width_of(sc__call_kind(c));
		cw[1] = strlen(sc_call_state_id(c->state));
		t->kind = cw[0] > t->kind ? cw[0] : t->kind;
		t->state = cw[1] > t->state ? cw[1] : t->state;
		row_of(c, &row);
		cw[0] = width_of(c->call_id);
		cw[1] = width_of(row.fromto);
		cw[2] = width_of(row.result);
		for (size_t k = 0; k < 3; k++)
			if (cw[k] > want[k])
				want[k] = cw[k];
	}
	t->kind = t->kind < COL_KIND ? t->kind : COL_KIND;
	t->state = t->state < COL_STATE ? t->state : COL_STATE;
	fixed = COL_TIME + 2 + t->kind + 2 + 2 + 2 + 2 + t->state +
	        (t->msgs ? 1 + COL_MSGS : 0);
	avail = width > fixed + 12 ? width - fixed : 12;
	for (size_t k = 0; k < 3; k++) {
		if (min[k] > want[k])
			min[k] = want[k];
		if (min[0] + min[1] + min[2] > avail)
			min[k] = avail / 3;
	}
	share(w, want, min, avail);
}

/* A cell of @w cells and the gap after it. */
static void
cell(FILE *out, const char *s, size_t w, size_t gap)
{
	sc_text_cell(out, s, w);
	sc_text_pad(out, gap);
}

static void
table_head(struct sc_report *r, const struct table *t)
{
	fputs(sc__color(r, ANSI_BOLD), r->out);
	cell(r->out, "TIME", COL_TIME, 2);
	cell(r->out, "KIND", t->kind, 2);
	cell(r->out, "CALL-ID", t->callid, 2);
	cell(r->out, "FROM -> TO", t->fromto, 2);
	cell(r->out, "RESULT", t->result, 2);
	if (t->msgs) {
		cell(r->out, "STATE", t->state, 1);
		sc_text_cell_right(r->out, "MSGS", COL_MSGS);
	} else {
		sc_text_fit(r->out, "STATE", t->state);
	}
	fprintf(r->out, "%s\n", sc__color(r, ANSI_RESET));
}

static void
table_row(struct sc_report *r, const struct table *t,
          const struct sc_diagnosis *d)
{
	const struct sc_call *c = d->call;
	struct row row;
	char count[24];

	row_of(c, &row);
	cell(r->out, row.clock, COL_TIME, 2);
	cell(r->out, sc__call_kind(c), t->kind, 2);
	cell(r->out, c->call_id, t->callid, 2);
	cell(r->out, row.fromto, t->fromto, 2);
	fputs(sc__call_color(r, d), r->out);
	cell(r->out, row.result, t->result, 2);
	if (t->msgs) {
		cell(r->out, sc_call_state_id(c->state), t->state, 1);
		fputs(sc__color(r, ANSI_RESET), r->out);
		snprintf(count, sizeof(count), "%" PRIu32, c->msg_count);
		sc_text_cell_right(r->out, count, COL_MSGS);
	} else {
		sc_text_fit(r->out, sc_call_state_id(c->state), t->state);
		fputs(sc__color(r, ANSI_RESET), r->out);
	}
	fputc('\n', r->out);
}

static void
calls_table(struct sc_report *r, const struct sc_selection *sel, unsigned width)
{
	size_t shown = sc__text_shown(r, sel), nlisted = 0;
	struct table t;

	table_layout(r, sel, width, &t);
	fprintf(r->out, "\n%sCalls%s: %zu", sc__color(r, ANSI_BOLD),
	        sc__color(r, ANSI_RESET), shown);
	for (size_t i = 0; i < sel->n; i++)
		nlisted += listed(r, sel, sel->v[i]);
	if (nlisted == 0) {
		/* no row: no table head either */
		fputs(", none failed (--all lists them)\n", r->out);
		return;
	}
	if (nlisted < shown)
		fprintf(r->out, ", the %zu failed listed (--all lists all)",
		        sc__text_failed(r, sel));
	fputc('\n', r->out);
	table_head(r, &t);
	for (size_t i = 0; i < sel->n; i++)
		if (listed(r, sel, sel->v[i]))
			table_row(r, &t, sel->v[i]);
}

static void
text_finish(struct sc_report *r, const struct sc_model *m)
{
	unsigned width = r->opts.width ? r->opts.width : sc_term_width(r->out);
	struct sc_selection sel;

	if (!sc__select(r, m, &sel)) {
		fputs("sipcause: out of memory while writing the report\n",
		      r->out);
		return;
	}
	sc__text_summary(r, m, &sel, width);
	if (m->calls.n == 0 && m->stats.calls == 0)
		fputs("\nNo SIP calls found.\n", r->out);
	else if (sc__text_shown(r, &sel) == 0 && r->opts.filter)
		fputs("\nNo call matches the selection.\n", r->out);
	else if (m->calls.n == 0)
		fprintf(r->out,
		        "\nNo call kept of the %" PRIu64 " seen: "
		        "a cap dropped them (see the notes above).\n",
		        m->stats.calls);
	else if (sel.n == 0)
		fputs("\nNo call matches the selection.\n", r->out);
	else
		calls_table(r, &sel, width);
	for (size_t i = 0; r->opts.detail && i < sel.n; i++)
		if (listed(r, &sel, sel.v[i]))
			sc__text_ladder(r, sel.v[i], width);
	sc_selection_fini(&sel);
}

const struct sc_report_ops sc__report_text_ops = {
	.call = NULL,
	.finish = text_finish,
};
