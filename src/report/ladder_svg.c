/* ladder_svg.c - a call's ladder as inline SVG, each message clickable */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "html_impl.h"
#include "sipcause/report/ladder.h"
#include "sipcause/util/escape.h"

enum {
	SVG_LEFT = 100, /* time column, then the first lifeline */
	SVG_GAP = 230,  /* between lifelines */
	SVG_TOP = 48,   /* host names and agents above the rows */
	SVG_ROW = 26,
	SVG_NOTE = 600, /* annotation text right of the last lifeline */
	SVG_CUT = 34,   /* characters of a host name or label */
	SVG_NOTE_CUT = 72,
};

/* At most @max characters of @s (whole UTF-8 sequences) into @buf, with
 * "…" when cut; invalid bytes count as one character each. */
static const char *
cut(char *buf, size_t len, const char *s, size_t max)
{
	const uint8_t *p = (const uint8_t *)(s ? s : "-");
	size_t n = strlen((const char *)p), i = 0, chars = 0, o = 0;

	while (i < n && chars < max) {
		uint32_t cp;
		size_t k = sc_utf8_decode(p + i, n - i, &cp);

		k = k ? k : 1;
		if (o + k + 4 > len)
			break;
		memcpy(buf + o, p + i, k);
		o += k;
		i += k;
		chars++;
	}
	if (i < n && o + 4 <= len) {
		memcpy(buf + o, "\u2026", 3);
		o += 3;
	}
	buf[o] = 0;
	return buf;
}

static const char *
stroke(const struct sc_msg *m)
{
	if (m->is_request)
		return "#333";
	if (m->status == 401 || m->status == 407)
		return "#c70";
	if (m->status >= 300)
		return "#c00";
	return m->status >= 200 ? "#080" : "#666";
}

static void
hosts(FILE *out, const struct sc_ladder *l, size_t height)
{
	char ep[SC_ENDPOINT_STRLEN], buf[256];

	for (size_t i = 0; i < l->nhosts; i++) {
		size_t x = SVG_LEFT + i * SVG_GAP;

		fprintf(out,
		        "<text x=\"%zu\" y=\"16\" text-anchor=\"middle\">%s"
		        "</text>",
		        x, sc_endpoint_format(&l->hosts[i].ep, ep, sizeof(ep)));
		if (l->hosts[i].agent) {
			fprintf(out,
			        "<text x=\"%zu\" y=\"32\" text-anchor="
			        "\"middle\" fill=\"#666\">",
			        x);
			sc__html(out, cut(buf, sizeof(buf), l->hosts[i].agent,
			                  SVG_CUT));
			fputs("</text>", out);
		}
		fprintf(out,
		        "<line x1=\"%zu\" y1=\"%d\" x2=\"%zu\" y2=\"%zu\" "
		        "stroke=\"#aaa\"/>\n",
		        x, SVG_TOP - 8, x, height - 4);
	}
}

static const char *
note_of(const struct sc_ladder_row *rw)
{
	const struct sc_explain *a = rw->note;

	if (rw->cm->retransmission)
		return "retransmission";
	if (!a)
		return "";
	return a->code >= 300 && a->cause ? a->cause : a->meaning;
}

static void
row(FILE *out, const struct sc_ladder *l, size_t i, const char *id)
{
	const struct sc_ladder_row *rw = &l->rows[i];
	const struct sc_msg *m = rw->cm->msg;
	size_t y = SVG_TOP + i * SVG_ROW + SVG_ROW / 2;
	size_t x1 = SVG_LEFT + rw->from * SVG_GAP;
	size_t x2 = SVG_LEFT + rw->to * SVG_GAP;
	size_t xn = SVG_LEFT + (l->nhosts - 1) * SVG_GAP + 12;
	char label[256], buf[512];

	fprintf(out,
	        "<g class=\"m\" data-m=\"%s-%zu\" tabindex=\"0\">"
	        "<title>click to show the message</title>",
	        id, i);
	fprintf(out,
	        "<text x=\"%d\" y=\"%zu\" text-anchor=\"end\" "
	        "fill=\"#666\">%.3f</text>",
	        SVG_LEFT - 10, y + 4, (double)rw->rel_ns / 1e9);
	if (x1 == x2)
		x2 = x1 + SVG_GAP / 3;
	fprintf(out,
	        "<line x1=\"%zu\" y1=\"%zu\" x2=\"%zu\" y2=\"%zu\" "
	        "stroke=\"%s\" stroke-width=\"1.5\"%s "
	        "marker-end=\"url(#%s-h)\"/>",
	        x1, y, x2 > x1 ? x2 - 2 : x2 + 2, y, stroke(m),
	        rw->cm->retransmission ? " stroke-dasharray=\"4 3\"" : "", id);
	fprintf(out,
	        "<text x=\"%zu\" y=\"%zu\" text-anchor=\"middle\" "
	        "fill=\"%s\">",
	        (x1 + x2) / 2, y - 4, stroke(m));
	sc__html(out, cut(buf, sizeof(buf),
	                  sc_ladder_label(m, label, sizeof(label)), SVG_CUT));
	fprintf(out,
	        "</text><text x=\"%zu\" y=\"%zu\" fill=\"#444\">#%" PRIu64 " ",
	        xn, y + 4, m->frame);
	sc__html(out, cut(buf, sizeof(buf), note_of(rw), SVG_NOTE_CUT));
	fputs("</text></g>\n", out);
}

static void
msg_line(void *ctx, const char *name, const char *value)
{
	FILE *out = ctx;

	if (name && name[0]) {
		sc__html(out, name);
		fputs(": ", out);
	}
	sc__html(out, value);
	fputc('\n', out);
}

void
sc__svg_ladder(FILE *out, const struct sc_diagnosis *d, const char *id)
{
	struct sc_ladder l;
	size_t width, height;

	if (sc_ladder_build(&l, d) != SC_OK || l.nrows == 0) {
		fputs("<p>No messages kept for this call.</p>\n", out);
		sc_ladder_fini(&l);
		return;
	}
	width = SVG_LEFT + (l.nhosts - 1) * SVG_GAP + SVG_NOTE;
	height = SVG_TOP + l.nrows * SVG_ROW + 8;
	fprintf(out,
	        "<div class=\"ladder\"><svg id=\"%s\" width=\"%zu\" "
	        "height=\"%zu\" viewBox=\"0 "
	        "0 %zu %zu\" role=\"img\">\n"
	        "<defs><marker id=\"%s-h\" viewBox=\"0 0 10 10\" refX=\"9\""
	        " refY=\"5\" markerWidth=\"7\" markerHeight=\"7\" orient="
	        "\"auto\"><path d=\"M0,0L10,5L0,10z\" "
	        "fill=\"#555\"/></marker></defs>\n",
	        id, width, height, width, height, id);
	hosts(out, &l, height);
	for (size_t i = 0; i < l.nrows; i++)
		row(out, &l, i, id);
	fputs("</svg></div>\n", out);
	for (size_t i = 0; i < l.nrows; i++) {
		fprintf(out, "<pre class=\"msg\" id=\"%s-%zu\" hidden>", id, i);
		sc__msg_fields(l.rows[i].cm->msg, msg_line, out);
		fputs("</pre>\n", out);
	}
	sc_ladder_fini(&l);
}
