/* text_impl.h - the parts of the text report (internal to src/report) */
#ifndef SC_TEXT_IMPL_H
#define SC_TEXT_IMPL_H

#include <stddef.h>

#include "report_impl.h"

#define ANSI_RESET "\033[0m"
#define ANSI_BOLD "\033[1m"
#define ANSI_DIM "\033[2m"
#define ANSI_RED "\033[31m"
#define ANSI_GREEN "\033[32m"
#define ANSI_YELLOW "\033[33m"

/* Gutter of the sections under a heading ("  period    ..."). */
#define TEXT_LABEL 12

/* A colour code when the report is coloured, "" otherwise. */
const char *sc__color(const struct sc_report *r, const char *code);

/* The colour of a call's outcome. */
const char *sc__call_color(const struct sc_report *r,
                           const struct sc_diagnosis *d);

/* Header, notes, failures by cause, worst peers. */
void sc__text_summary(struct sc_report *r, const struct sc_model *m,
                      const struct sc_selection *sel, unsigned width);

/* "  label     value..." wrapped at @width under the label's gutter. */
void sc__text_field(struct sc_report *r, const char *label, const char *value,
                    unsigned width);

struct sc_ladder;

/* The lanes and rows of a ladder, @width columns (no colour codes when
 * the report has none; no line starts with a backtick or a tilde). */
void sc__text_ladder_diagram(struct sc_report *r, const struct sc_ladder *l,
                             unsigned width);

/* Calls the report's filter showed, kept or not, and the failed ones
 * among them (report_text.c). */
size_t sc__text_shown(const struct sc_report *r,
                      const struct sc_selection *sel);
size_t sc__text_failed(const struct sc_report *r,
                       const struct sc_selection *sel);

/* The ladder of one call, its verdict, and with -VV its messages. */
void sc__text_ladder(struct sc_report *r, const struct sc_diagnosis *d,
                     unsigned width);

#endif /* SC_TEXT_IMPL_H */
