/* width.h - wire text on a terminal: escaped, measured in cells, cut */
#ifndef SC_WIDTH_H
#define SC_WIDTH_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/*
 * Terminal text from the wire is escaped first (as sc_escape_text() does:
 * controls, DEL, C1 and invalid bytes become \xHH, a backslash \\; bidi
 * overrides and isolates too, so they cannot reorder a table) and then
 * measured in display cells: wide East Asian characters and emoji take
 * two, combining marks none. Cuts fall between characters, never inside
 * one or inside an escape, and end in an ellipsis.
 */

/* Display cells of code point @cp once printed (0, 1 or 2). */
unsigned sc_cp_width(uint32_t cp);

/* Cells @s (@len bytes, may hold any byte) takes once escaped. */
size_t sc_text_width(const char *s, size_t len);

/*
 * sc_text_fit - write @s escaped, in at most @cols cells: when it does
 * not fit, as many whole characters as leave room for "…" and then "…".
 * NULL prints as "-". Returns the cells written.
 */
size_t sc_text_fit(FILE *out, const char *s, size_t cols);

/* The same for @len bytes. */
size_t sc_text_fitn(FILE *out, const char *s, size_t len, size_t cols);

/* sc_text_fit() padded with spaces to exactly @cols cells. */
void sc_text_cell(FILE *out, const char *s, size_t cols);

/* Right-aligned in @cols cells. */
void sc_text_cell_right(FILE *out, const char *s, size_t cols);

/*
 * sc_text_wrap - write @s escaped as lines of at most @cols cells, cut at
 * spaces (a word longer than a line is cut with "…"); every line but the
 * first starts with @indent spaces, which count in @cols. Ends with a
 * newline.
 */
void sc_text_wrap(FILE *out, const char *s, size_t first_col, size_t indent,
                  size_t cols);

/* Write @n spaces. */
void sc_text_pad(FILE *out, size_t n);

/*
 * sc_term_width - columns to write for @out: $COLUMNS when it holds a
 * number from 20 to 1000, else the terminal's width when @out is one,
 * else 80.
 */
unsigned sc_term_width(FILE *out);

#endif /* SC_WIDTH_H */
