/* sipframe.c - SIP message boundaries: start lines, header end, length
 *
 * RFC 3261 7 (message format), 7.5 (framing over streams), 18.3
 * (Content-Length), RFC 5626 3.5.1 (CRLF keep-alives).
 */
#include "config.h"

#include <string.h>

#include "sipcause/frame/sipframe.h"
#include "sipcause/util/str.h"

/* A start line longer than this is not worth recognising. */
#define MAX_START_LINE (16 * 1024)

const char *
sc_transport_name(enum sc_transport t)
{
	switch (t) {
	case SC_TRANSPORT_UDP:
		return "udp";
	case SC_TRANSPORT_TCP:
		return "tcp";
	case SC_TRANSPORT_SCTP:
		return "sctp";
	case SC_TRANSPORT_WS:
		return "ws";
	case SC_TRANSPORT__COUNT:
		break;
	}
	return "?";
}

/*
 * Length of the first line of @p without its line end; SIZE_MAX if none.
 * A bare CR ends the line too: damaged captures have them, and readers
 * such as TShark accept them.
 */
static size_t
line_length(const uint8_t *p, size_t len)
{
	if (len > MAX_START_LINE)
		len = MAX_START_LINE;
	for (size_t i = 0; i < len; i++)
		if (p[i] == '\n' || p[i] == '\r')
			return i;
	return SIZE_MAX;
}

static bool
is_sip_version(const uint8_t *p, size_t len)
{
	return len == 7 && sc_str_caseeq(sc_str_make((const char *)p, 7),
	                                 SC_STR_LIT("SIP/2.0"));
}

/* "SIP/2.0 NNN[ reason]" */
static bool
is_status_line(const uint8_t *p, size_t len)
{
	if (len < 11 || !is_sip_version(p, 7) || p[7] != ' ')
		return false;
	for (size_t i = 8; i < 11; i++)
		if (!sc_ascii_is_digit(p[i]))
			return false;
	return p[8] >= '1' && (len == 11 || p[11] == ' ');
}

static bool
is_uri_byte(uint8_t c)
{
	return c != ' ' && c != '\t' && c != '\r' && c != '\n' && c != 0;
}

/* "METHOD SP Request-URI SP SIP/2.0" */
static bool
is_request_line(const uint8_t *p, size_t len)
{
	size_t i = 0, uri_start, uri_end;

	while (i < len && sc_ascii_is_token(p[i]))
		i++;
	if (i == 0 || i >= len || p[i] != ' ')
		return false;
	/* anything but white space and NUL: URIs on the wire are not
	 * always clean (reports escape what they print) */
	uri_start = ++i;
	while (i < len && is_uri_byte(p[i]))
		i++;
	uri_end = i;
	/* a URI has a scheme: "sip:", "sips:", "tel:", "urn:"... */
	if (uri_end == uri_start ||
	    !memchr(p + uri_start, ':', uri_end - uri_start) || i >= len ||
	    p[i] != ' ')
		return false;
	return is_sip_version(p + i + 1, len - i - 1);
}

bool
sc_sipframe_is_start(const uint8_t *p, size_t len)
{
	size_t n = line_length(p, len);

	if (n == SIZE_MAX)
		return false;
	return is_status_line(p, n) || is_request_line(p, n);
}

/*
 * Where a start line containing the "SIP/2.0" at @v would begin: at @v for
 * a status line, or at the method before the Request-URI for a request
 * line. A request that does not start a line (the previous message's
 * body ran into it) is accepted only with an upper-case method, so that
 * body bytes are not taken for part of the method. SIZE_MAX if neither.
 */
static size_t
start_around(const uint8_t *p, size_t len, size_t v)
{
	size_t n = line_length(p + v, len - v), sp, j;

	if (n != SIZE_MAX && is_status_line(p + v, n))
		return v;
	if (v < 4 || p[v - 1] != ' ')
		return SIZE_MAX;
	/* back over the Request-URI to the space after the method */
	sp = v - 1;
	while (sp > 0 && is_uri_byte(p[sp - 1]))
		sp--;
	if (sp == 0 || p[sp - 1] != ' ')
		return SIZE_MAX;
	sp--;
	/* methods are upper-case in practice: that run, wherever it
	 * starts; any other token only at the start of a line */
	j = sp;
	while (j > 0 && sc_ascii_is_upper(p[j - 1]))
		j--;
	if (j == sp) {
		while (j > 0 && sc_ascii_is_token(p[j - 1]))
			j--;
		if (j > 0 && p[j - 1] != '\n')
			return SIZE_MAX;
	}
	return j < sp && sc_sipframe_is_start(p + j, len - j) ? j : SIZE_MAX;
}

size_t
sc_sipframe_find_start(const uint8_t *p, size_t len)
{
	struct sc_str hay = sc_str_make((const char *)p, len);
	size_t off = 0;

	if (sc_sipframe_is_start(p, len))
		return 0;
	while (off < len) {
		size_t hit = sc_str_find(sc_str_make(hay.p + off, len - off),
		                         SC_STR_LIT("SIP/2.0"), false);
		size_t at;

		if (hit == SIZE_MAX)
			break;
		at = start_around(p, len, off + hit);
		if (at != SIZE_MAX)
			return at;
		off += hit + 1;
	}
	return SIZE_MAX;
}

/*
 * A datagram that is nothing but a start line without its line end
 * ("SIP/2.0 200 OK" and no CRLF): the datagram end ends the line.
 */
static bool
is_bare_start(const uint8_t *p, size_t len)
{
	if (len > MAX_START_LINE || line_length(p, len) != SIZE_MAX)
		return false;
	return is_status_line(p, len) || is_request_line(p, len);
}

/* The Content-Length of a message, as the head's lines said it. */
enum clen_state { CLEN_ABSENT, CLEN_SET, CLEN_BAD };

/*
 * If the line [line, line + n) is a Content-Length (or compact "l")
 * header, its value into *value (or CLEN_BAD when unreadable).
 */
static enum clen_state
content_length_line(const uint8_t *line, size_t n, uint64_t *value)
{
	struct sc_str l = sc_str_make((const char *)line, n);
	const char *colon;
	size_t i = 0;

	/* most lines are told apart by their first letter */
	while (i < n && (line[i] == ' ' || line[i] == '\t'))
		i++;
	if (i == n || ((line[i] | 0x20) != 'c' && (line[i] | 0x20) != 'l'))
		return CLEN_ABSENT;
	colon = memchr(l.p, ':', l.len);
	if (!colon)
		return CLEN_ABSENT;
	if (l.len > 0 && l.p[l.len - 1] == '\r')
		l.len--;
	struct sc_str name =
	        sc_str_trim(sc_str_make(l.p, (size_t)(colon - l.p)));
	if (!sc_str_caseeq_cstr(name, "Content-Length") &&
	    !sc_str_caseeq_cstr(name, "l"))
		return CLEN_ABSENT;
	struct sc_str val =
	        sc_str_make(colon + 1, l.len - (size_t)(colon + 1 - l.p));
	return sc_str_to_u64(val, UINT32_MAX, value) ? CLEN_SET : CLEN_BAD;
}

/*
 * One pass over the head's lines: returns the offset just past the
 * blank line ending the headers, or SIZE_MAX, and the first Content-
 * Length header before it (or compact "l"). Accepts CRLF and bare LF
 * line ends (and their mixtures).
 */
static size_t
measure_head(const uint8_t *p, size_t len, enum clen_state *clen,
             uint64_t *value)
{
	size_t off = 0;

	*clen = CLEN_ABSENT;
	while (off < len) {
		const uint8_t *nl = memchr(p + off, '\n', len - off);
		size_t end;

		if (!nl)
			return SIZE_MAX;
		end = (size_t)(nl - p);
		if (*clen == CLEN_ABSENT)
			*clen = content_length_line(p + off, end - off, value);
		off = end + 1;
		if (off < len && p[off] == '\n')
			return off + 1;
		if (off + 1 < len && p[off] == '\r' && p[off + 1] == '\n')
			return off + 2;
	}
	return SIZE_MAX;
}

enum sc_frame_result
sc_sipframe_measure(const uint8_t *p, size_t len, bool is_stream,
                    size_t *msg_len, unsigned *flags)
{
	enum clen_state state;
	size_t hdr;
	uint64_t clen = 0;

	*flags = 0;
	*msg_len = 0;
	if (!sc_sipframe_is_start(p, len) &&
	    (is_stream || !is_bare_start(p, len)))
		return line_length(p, len) == SIZE_MAX && is_stream &&
		                       len < MAX_START_LINE
		               ? SC_FRAME_PARTIAL
		               : SC_FRAME_NOT_SIP;
	hdr = measure_head(p, len, &state, &clen);
	if (hdr == SIZE_MAX) {
		if (is_stream && len < SC_MAX_SIP_MSG)
			return SC_FRAME_PARTIAL;
		/* a datagram without the blank line: take all of it */
		*msg_len = len;
		*flags |= SC_RAW_NO_HEADER_END;
		return SC_FRAME_COMPLETE;
	}
	if (state != CLEN_SET) {
		if (state == CLEN_BAD)
			*flags |= SC_RAW_BAD_CLEN;
		if (is_stream) {
			/* RFC 3261 18.3: mandatory on streams; assume 0 */
			*flags |= SC_RAW_NO_CLEN;
			*msg_len = hdr;
		} else {
			*msg_len = len;
		}
		return SC_FRAME_COMPLETE;
	}
	if (clen > len - hdr) {
		*msg_len = hdr + (size_t)clen;
		if (is_stream)
			return SC_FRAME_PARTIAL;
		*msg_len = len;
		*flags |= SC_RAW_TRUNCATED;
		return SC_FRAME_COMPLETE;
	}
	*msg_len = hdr + (size_t)clen;
	return SC_FRAME_COMPLETE;
}

/* Keep-alives and padding between messages: CR, LF, NUL, SP, HT. */
static size_t
skip_filler(const uint8_t *p, size_t len)
{
	size_t i = 0;

	while (i < len && (p[i] == '\r' || p[i] == '\n' || p[i] == 0 ||
	                   p[i] == ' ' || p[i] == '\t'))
		i++;
	return i;
}

size_t
sc_sipframe_datagram(const uint8_t *p, size_t len,
                     const struct sc_rawmsg *proto, sc_rawmsg_fn *sink,
                     void *ctx)
{
	size_t off = 0, count = 0;

	for (;;) {
		struct sc_rawmsg m = *proto;
		size_t msg_len;
		unsigned flags;

		off += skip_filler(p + off, len - off);
		if (off >= len ||
		    sc_sipframe_measure(p + off, len - off, false, &msg_len,
		                        &flags) != SC_FRAME_COMPLETE)
			break;
		m.data = p + off;
		m.len = msg_len;
		m.flags |= flags;
		sink(ctx, &m);
		count++;
		off += msg_len;
	}
	return count;
}
