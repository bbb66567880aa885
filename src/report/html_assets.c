/* html_assets.c - the HTML report's style sheet and script, and its
 * escaping of wire text
 *
 * Everything the page needs is inline: the Content-Security-Policy of
 * the page forbids every fetch, so a report opened from a ticket cannot
 * call home, and wire text cannot add markup (it is entity-escaped).
 */
#include "config.h"

#include <string.h>

#include "html_impl.h"
#include "sipcause/util/escape.h"

void
sc__html(FILE *out, const char *s)
{
	const uint8_t *p = (const uint8_t *)(s ? s : "-");
	size_t len = strlen((const char *)p);

	for (size_t i = 0; i < len;) {
		uint32_t cp = 0;
		size_t n = sc_utf8_decode(p + i, len - i, &cp);

		if (n == 1 && (cp == '&' || cp == '<' || cp == '>' ||
		               cp == '"' || cp == '\'')) {
			fprintf(out, "&#%u;", (unsigned)cp);
		} else if (n == 1 && cp == '\\') {
			fputs("\\\\", out);
		} else if (n == 1 && cp >= 0x20 && cp < 0x7f) {
			fputc((int)cp, out);
		} else if (n > 1 && cp >= 0xa0) {
			fwrite(p + i, 1, n, out);
		} else {
			size_t k = n ? n : 1;

			for (size_t j = 0; j < k; j++)
				fprintf(out, "\\x%02x", p[i + j]);
			i += k;
			continue;
		}
		i += n;
	}
}

const char sc__html_style[] =
        "body{font:14px/1.4 system-ui,sans-serif;margin:1.5em;color:#222}"
        "h1{font-size:1.5em}h2{font-size:1.2em;margin-top:1.6em}"
        "table{border-collapse:collapse}"
        "td,th{padding:2px 8px;border-bottom:1px solid #ddd;text-align:left;"
        "vertical-align:top}"
        "th{cursor:pointer;background:#f4f4f4;user-select:none}"
        "td.n{text-align:right}"
        ".f{color:#b00}.ok{color:#070}.w{color:#a60}"
        ".mono{font-family:ui-monospace,monospace;font-size:12px}"
        "#calls{font-size:13px}"
        ".charts{display:flex;flex-wrap:wrap;gap:2em}"
        ".call{border-top:2px solid #ccc;margin-top:2em}"
        ".ladder{overflow-x:auto}"
        "svg text{font:12px ui-monospace,monospace}"
        "g.m{cursor:pointer}g.m:hover text{font-weight:bold}"
        "pre.msg{background:#f6f6f6;border:1px solid #ccc;padding:.6em;"
        "white-space:pre-wrap}"
        "dl.sum{display:grid;grid-template-columns:max-content auto;"
        "gap:2px 1em}dl.sum dt{font-weight:bold}dl.sum dd{margin:0}";

/* Sort by a column (data-v holds numbers), filter by text and category,
 * show a message's text when its arrow is clicked. */
const char sc__html_script[] =
        "(function(){\n"
        "var t=document.getElementById('calls');if(t){\n"
        "var b=t.tBodies[0],rows=Array.prototype.slice.call(b.rows);\n"
        "t.querySelectorAll('th').forEach(function(th,i){\n"
        " th.addEventListener('click',function(){\n"
        "  var up=th.dataset.dir!=='up';th.dataset.dir=up?'up':'down';\n"
        "  rows.sort(function(x,y){\n"
        "   var a=x.cells[i],c=y.cells[i];\n"
        "   var u=a.dataset.v!==undefined?+a.dataset.v:a.textContent;\n"
        "   var v=c.dataset.v!==undefined?+c.dataset.v:c.textContent;\n"
        "   return (u<v?-1:u>v?1:0)*(up?1:-1);});\n"
        "  rows.forEach(function(r){b.appendChild(r);});});});\n"
        "var q=document.getElementById('q'),k=document.getElementById('cat');\n"
        "function f(){var s=q.value.toLowerCase(),c=k.value;\n"
        " rows.forEach(function(r){\n"
        "  var ok=r.textContent.toLowerCase().indexOf(s)>=0&&\n"
        "   (!c||r.dataset.cat===c||(c==='failed'&&r.dataset.cat!=='ok'));\n"
        "  r.hidden=!ok;});}\n"
        "q.addEventListener('input',f);k.addEventListener('change',f);}\n"
        "document.querySelectorAll('g.m').forEach(function(g){\n"
        " g.addEventListener('click',function(){\n"
        "  var p=document.getElementById(g.dataset.m);\n"
        "  if(p)p.hidden=!p.hidden;});});\n"
        "})();\n";
