/* escape.c - printable text from untrusted bytes (RFC 3629 UTF-8) */
#include "config.h"

#include <stdbool.h>
#include <string.h>

#include "sipcause/util/escape.h"

size_t
sc_utf8_decode(const uint8_t *p, size_t len, uint32_t *cp)
{
	uint32_t c;
	size_t n;

	if (len == 0)
		return 0;
	if (p[0] < 0x80) {
		*cp = p[0];
		return 1;
	}
	if (p[0] >= 0xc2 && p[0] <= 0xdf) {
		n = 2;
		c = p[0] & 0x1fu;
	} else if (p[0] >= 0xe0 && p[0] <= 0xef) {
		n = 3;
		c = p[0] & 0x0fu;
	} else if (p[0] >= 0xf0 && p[0] <= 0xf4) {
		n = 4;
		c = p[0] & 0x07u;
	} else {
		return 0;
	}
	if (len < n)
		return 0;
	for (size_t i = 1; i < n; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		c = c << 6 | (p[i] & 0x3fu);
	}
	/* reject overlong forms, surrogates, and beyond Unicode */
	if ((n == 3 && c < 0x800) || (n == 4 && c < 0x10000) ||
	    (c >= 0xd800 && c <= 0xdfff) || c > 0x10ffff)
		return 0;
	*cp = c;
	return n;
}

/* Printable ASCII but the backslash: written as it is. */
static inline bool
text_plain(uint8_t c)
{
	return c >= 0x20 && c < 0x7f && c != '\\';
}

void
sc_escape_textn(FILE *out, const char *s, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	const uint8_t *p = (const uint8_t *)s;
	size_t i = 0;

	while (i < len) {
		uint32_t cp = 0;
		size_t run = i, n;

		/* a run of plain bytes in one fwrite, not one call each */
		while (run < len && text_plain(p[run]))
			run++;
		if (run > i) {
			fwrite(p + i, 1, run - i, out);
			i = run;
			if (i == len)
				break;
		}
		n = sc_utf8_decode(p + i, len - i, &cp);
		if (n == 1 && cp == '\\') {
			fputs("\\\\", out);
		} else if (n > 1 && cp >= 0xa0) {
			/* valid UTF-8 beyond the C1 controls */
			fwrite(p + i, 1, n, out);
		} else {
			/* C0, DEL, C1 as UTF-8, invalid bytes: one escape
			 * per byte so nothing from the wire is lost */
			size_t k = n ? n : 1;

			for (size_t j = 0; j < k; j++) {
				char e[4] = { '\\', 'x', hex[p[i + j] >> 4],
					      hex[p[i + j] & 0xf] };

				fwrite(e, 1, sizeof(e), out);
			}
			i += k;
			continue;
		}
		i += n;
	}
}

void
sc_escape_text(FILE *out, const char *s)
{
	if (!s) {
		fputc('-', out);
		return;
	}
	sc_escape_textn(out, s, strlen(s));
}

char *
sc_escape_buf(char *buf, size_t len, const char *s)
{
	FILE *f;

	if (len == 0)
		return buf;
	buf[0] = 0;
	f = fmemopen(buf, len, "w");
	if (!f)
		return buf;
	/* fmemopen keeps the last byte for the NUL */
	setvbuf(f, NULL, _IONBF, 0);
	sc_escape_text(f, s);
	fclose(f);
	buf[len - 1] = 0;
	return buf;
}
