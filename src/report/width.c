/* width.c - display width of escaped wire text, cut on character bounds
 *
 * Widths follow Unicode East Asian Width (UAX #11: W and F take two
 * cells) and zero-width marks (Mn/Me, ZWJ, variation selectors),
 * approximated by ranges: a terminal may disagree on rare characters,
 * never on ASCII or escapes.
 */
#include "config.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "sipcause/report/width.h"
#include "sipcause/util/compiler.h"
#include "sipcause/util/escape.h"
#include "sipcause/util/str.h"

struct range {
	uint32_t lo, hi;
};

static const struct range zero_width[] = {
	{ 0x0300, 0x036f },   { 0x0483, 0x0489 }, { 0x0591, 0x05bd },
	{ 0x05bf, 0x05c7 },   { 0x0610, 0x061a }, { 0x064b, 0x065f },
	{ 0x0670, 0x0670 },   { 0x06d6, 0x06ed }, { 0x0711, 0x0711 },
	{ 0x0730, 0x074a },   { 0x0900, 0x0903 }, { 0x093a, 0x094f },
	{ 0x0e31, 0x0e31 },   { 0x0e34, 0x0e3a }, { 0x0e47, 0x0e4e },
	{ 0x1ab0, 0x1aff },   { 0x1dc0, 0x1dff }, { 0x200b, 0x200f },
	{ 0x2060, 0x2064 },   { 0x20d0, 0x20ff }, { 0xfe00, 0xfe0f },
	{ 0xfe20, 0xfe2f },   { 0xfeff, 0xfeff }, { 0x1f3fb, 0x1f3ff },
	{ 0xe0000, 0xe0fff },
};

static const struct range wide[] = {
	{ 0x1100, 0x115f },   { 0x231a, 0x231b },   { 0x2329, 0x232a },
	{ 0x23e9, 0x23ec },   { 0x23f0, 0x23f0 },   { 0x23f3, 0x23f3 },
	{ 0x25fd, 0x25fe },   { 0x2614, 0x2615 },   { 0x2648, 0x2653 },
	{ 0x267f, 0x267f },   { 0x2693, 0x2693 },   { 0x26a1, 0x26a1 },
	{ 0x26aa, 0x26ab },   { 0x26bd, 0x26be },   { 0x26c4, 0x26c5 },
	{ 0x26ce, 0x26ce },   { 0x26d4, 0x26d4 },   { 0x26ea, 0x26ea },
	{ 0x26f2, 0x26f5 },   { 0x26fa, 0x26fa },   { 0x26fd, 0x26fd },
	{ 0x2705, 0x2705 },   { 0x270a, 0x270b },   { 0x2728, 0x2728 },
	{ 0x274c, 0x274c },   { 0x274e, 0x274e },   { 0x2753, 0x2757 },
	{ 0x2795, 0x2797 },   { 0x27b0, 0x27b0 },   { 0x27bf, 0x27bf },
	{ 0x2b1b, 0x2b1c },   { 0x2b50, 0x2b50 },   { 0x2b55, 0x2b55 },
	{ 0x2e80, 0x303e },   { 0x3041, 0x33ff },   { 0x3400, 0x4dbf },
	{ 0x4e00, 0x9fff },   { 0xa000, 0xa4cf },   { 0xa960, 0xa97f },
	{ 0xac00, 0xd7a3 },   { 0xf900, 0xfaff },   { 0xfe10, 0xfe19 },
	{ 0xfe30, 0xfe6f },   { 0xff00, 0xff60 },   { 0xffe0, 0xffe6 },
	{ 0x16fe0, 0x16fe4 }, { 0x17000, 0x18aff }, { 0x1b000, 0x1b2ff },
	{ 0x1f004, 0x1f004 }, { 0x1f0cf, 0x1f0cf }, { 0x1f18e, 0x1f18e },
	{ 0x1f191, 0x1f19a }, { 0x1f200, 0x1f251 }, { 0x1f300, 0x1f64f },
	{ 0x1f680, 0x1f6ff }, { 0x1f7e0, 0x1f7eb }, { 0x1f90c, 0x1f9ff },
	{ 0x1fa70, 0x1faff }, { 0x20000, 0x2fffd }, { 0x30000, 0x3fffd },
};

static bool
in_ranges(uint32_t cp, const struct range *r, size_t n)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (cp < r[mid].lo)
			hi = mid;
		else if (cp > r[mid].hi)
			lo = mid + 1;
		else
			return true;
	}
	return false;
}

unsigned
sc_cp_width(uint32_t cp)
{
	if (in_ranges(cp, zero_width, SC_COUNTOF(zero_width)))
		return 0;
	if (in_ranges(cp, wide, SC_COUNTOF(wide)))
		return 2;
	return 1;
}

/* Bidi embeddings, overrides and isolates: they reorder what follows. */
static bool
is_bidi_control(uint32_t cp)
{
	return (cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069);
}

/* One printable unit of escaped text: what it becomes and its cells. */
struct unit {
	size_t bytes; /* input bytes consumed */
	size_t cells;
	bool escaped; /* written as \xHH per byte (or \\) */
};

static struct unit
next_unit(const uint8_t *p, size_t len)
{
	struct unit u = { 1, 4, true };
	uint32_t cp = 0;
	size_t n = sc_utf8_decode(p, len, &cp);

	if (n == 1 && cp == '\\') {
		u.cells = 2;
	} else if (n == 1 && cp >= 0x20 && cp < 0x7f) {
		u.cells = 1;
		u.escaped = false;
	} else if (n > 1 && cp >= 0xa0 && !is_bidi_control(cp)) {
		u.bytes = n;
		u.cells = sc_cp_width(cp);
		u.escaped = false;
	} else if (n > 1) {
		u.bytes = n;
		u.cells = 4 * n;
	}
	return u;
}

static void
put_unit(FILE *out, const uint8_t *p, struct unit u)
{
	if (!u.escaped) {
		fwrite(p, 1, u.bytes, out);
	} else if (u.cells == 2) {
		fputs("\\\\", out);
	} else {
		for (size_t j = 0; j < u.bytes; j++)
			fprintf(out, "\\x%02x", p[j]);
	}
}

size_t
sc_text_width(const char *s, size_t len)
{
	const uint8_t *p = (const uint8_t *)s;
	size_t cells = 0;

	for (size_t i = 0; i < len;) {
		struct unit u = next_unit(p + i, len - i);

		cells += u.cells;
		i += u.bytes;
	}
	return cells;
}

size_t
sc_text_fitn(FILE *out, const char *s, size_t len, size_t cols)
{
	const uint8_t *p = (const uint8_t *)s;
	size_t cells = 0;
	bool fits = sc_text_width(s, len) <= cols;
	size_t room = fits ? cols : (cols ? cols - 1 : 0);

	for (size_t i = 0; i < len;) {
		struct unit u = next_unit(p + i, len - i);

		if (cells + u.cells > room)
			break;
		put_unit(out, p + i, u);
		cells += u.cells;
		i += u.bytes;
	}
	if (!fits && cols) {
		fputs("\u2026", out);
		cells++;
	}
	return cells;
}

size_t
sc_text_fit(FILE *out, const char *s, size_t cols)
{
	if (!s)
		s = "-";
	return sc_text_fitn(out, s, strlen(s), cols);
}

void
sc_text_pad(FILE *out, size_t n)
{
	while (n--)
		fputc(' ', out);
}

void
sc_text_cell(FILE *out, const char *s, size_t cols)
{
	sc_text_pad(out, cols - sc_text_fit(out, s, cols));
}

void
sc_text_cell_right(FILE *out, const char *s, size_t cols)
{
	size_t w;

	if (!s)
		s = "-";
	w = sc_text_width(s, strlen(s));
	if (w < cols)
		sc_text_pad(out, cols - w);
	sc_text_fit(out, s, cols);
}

void
sc_text_wrap(FILE *out, const char *s, size_t first_col, size_t indent,
             size_t cols)
{
	size_t col = first_col;
	bool line_empty = true;

	if (!s)
		s = "-";
	while (*s) {
		size_t n = strcspn(s, " ");
		size_t w = sc_text_width(s, n);

		if (n == 0) {
			s++;
			continue;
		}
		if (!line_empty && col + 1 + w > cols) {
			fputc('\n', out);
			sc_text_pad(out, indent);
			col = indent;
			line_empty = true;
		}
		if (!line_empty) {
			fputc(' ', out);
			col++;
		}
		col += sc_text_fitn(out, s, n, cols > col ? cols - col : 1);
		line_empty = false;
		s += n;
	}
	fputc('\n', out);
}

unsigned
sc_term_width(FILE *out)
{
	const char *env = getenv("COLUMNS");
	struct winsize ws;
	uint64_t v;

	if (env && sc_str_to_u64(sc_str_from_cstr(env), 1000, &v) && v >= 20)
		return (unsigned)v;
	if (out && isatty(fileno(out)) &&
	    ioctl(fileno(out), TIOCGWINSZ, &ws) == 0 && ws.ws_col >= 20)
		return ws.ws_col;
	return 80;
}
