/* html_impl.h - the parts of the HTML report (internal to src/report) */
#ifndef SC_HTML_IMPL_H
#define SC_HTML_IMPL_H

#include <stdio.h>

#include "report_impl.h"

/*
 * Wire text for HTML text and double-quoted attributes: escaped as the
 * text report does (controls become \xHH), then & < > " ' as entities.
 * NULL writes "-".
 */
void sc__html(FILE *out, const char *s);

/* The page's style sheet and script (static text, no external URL). */
extern const char sc__html_style[];
extern const char sc__html_script[];

/*
 * sc__svg_ladder - the call of @d as an SVG ladder; each message is a
 * clickable group (class "m", data-m="ID-ROW") whose text sits in a
 * hidden <pre id="ID-ROW">. @id is a unique prefix for the call.
 */
void sc__svg_ladder(FILE *out, const struct sc_diagnosis *d, const char *id);

#endif /* SC_HTML_IMPL_H */
