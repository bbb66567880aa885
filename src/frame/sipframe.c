/* sipframe.c - SIP message boundaries: start lines, header end, length
 *
 * RFC 3261 7 (message format), 7.5 (framing over streams), 18.3
 * (Content-Length), RFC 5626 3.5.1 (CRLF keep-alives).
 */
#include "config.h"

#include <string.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "sipcause/frame/sipframe.h"
#include "sipcause/util/load.h"
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

#if defined(__SSE2__)
/*
 * The scans below look at 16 bytes at a time (SSE2 is in every x86-64):
 * whole blocks from the start, then the 16 bytes before the end, of which
 * the bits of bytes seen already are shifted out (16 - left of them).
 * Spans shorter than 16 bytes go byte by byte, as on targets without
 * SSE2.
 */
static inline __m128i
load16(const uint8_t *p)
{
	return _mm_loadu_si128((const __m128i *)(const void *)p);
}

/* Bit k set where byte k of @v is @c. */
static inline unsigned
bytes_eq(__m128i v, char c)
{
	return (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(v, _mm_set1_epi8(c)));
}

/* Bit k set where byte k at @p ends a line (CR or LF). */
static inline unsigned
line_end_bits(const uint8_t *p)
{
	__m128i v = load16(p);

	return bytes_eq(v, '\n') | bytes_eq(v, '\r');
}
#endif

/*
 * Length of the first line of @p without its line end; SIZE_MAX if none.
 * A bare CR ends the line too: damaged captures have them, and readers
 * such as TShark accept them.
 */
static size_t
line_length(const uint8_t *p, size_t len)
{
	size_t i = 0;

	if (len > MAX_START_LINE)
		len = MAX_START_LINE;
#if defined(__SSE2__)
	if (len >= 16) {
		unsigned m;

		for (; i + 16 <= len; i += 16)
			if ((m = line_end_bits(p + i)) != 0)
				return i + (size_t)__builtin_ctz(m);
		m = line_end_bits(p + len - 16) >> (i + 16 - len);
		return m ? i + (size_t)__builtin_ctz(m) : SIZE_MAX;
	}
#endif
	for (; i < len; i++)
		if (p[i] == '\n' || p[i] == '\r')
			return i;
	return SIZE_MAX;
}

/*
 * "SIP/2.0", ASCII case-insensitively. OR 0x20 turns a byte into a lower-
 * case letter only when it is that letter in either case, so the letters
 * are compared that way and the other bytes as they are.
 */
static bool
is_sip_version(const uint8_t *p, size_t len)
{
	return len == 7 &&
	       (sc_load_u32(p) | sc_load_u32("\x20\x20\x20\0")) ==
	               sc_load_u32("sip/") &&
	       sc_load_u32(p + 3) == sc_load_u32("/2.0");
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

#if defined(__SSE2__)
/* Bit k set where byte k at @p is no URI byte; *colon set when one is a
 * colon. */
static inline unsigned
non_uri_bits(const uint8_t *p, unsigned *colon)
{
	__m128i v = load16(p);

	*colon = bytes_eq(v, ':');
	return bytes_eq(v, ' ') | bytes_eq(v, '\t') | bytes_eq(v, '\r') |
	       bytes_eq(v, '\n') | bytes_eq(v, 0);
}
#endif

/*
 * Whether [p + i, p + end) is a Request-URI: anything but white space and
 * NUL (URIs on the wire are not always clean; reports escape what they
 * print), with a colon, as a URI has a scheme: "sip:", "tel:", "urn:"...
 * The bytes before @i are readable.
 */
static bool
is_uri(const uint8_t *p, size_t i, size_t end)
{
	bool colon = false;

#if defined(__SSE2__)
	if (end >= 16) {
		unsigned c, shift;

		for (; i + 16 <= end; i += 16) {
			if (non_uri_bits(p + i, &c))
				return false;
			colon |= c != 0;
		}
		shift = (unsigned)(i + 16 - end);
		if (non_uri_bits(p + end - 16, &c) >> shift)
			return false;
		return colon || c >> shift;
	}
#endif
	for (; i < end; i++) {
		if (!is_uri_byte(p[i]))
			return false;
		colon |= p[i] == ':';
	}
	return colon;
}

/* "METHOD SP Request-URI SP SIP/2.0" */
static bool
is_request_line(const uint8_t *p, size_t len)
{
	size_t i = 0, uri_end;

	/* the version ends the line, so the URI ends before its space */
	if (len < 11 || p[len - 8] != ' ' || !is_sip_version(p + len - 7, 7))
		return false;
	uri_end = len - 8;
	while (i < uri_end && sc_ascii_is_token(p[i]))
		i++;
	if (i == 0 || i >= uri_end || p[i] != ' ')
		return false;
	return is_uri(p, i + 1, uri_end);
}

/* Length of the start line @p begins with, without its line end; SIZE_MAX
 * when it begins with none. */
static size_t
start_line_length(const uint8_t *p, size_t len)
{
	size_t n = line_length(p, len);

	if (n == SIZE_MAX || !(is_status_line(p, n) || is_request_line(p, n)))
		return SIZE_MAX;
	return n;
}

bool
sc_sipframe_is_start(const uint8_t *p, size_t len)
{
	return start_line_length(p, len) != SIZE_MAX;
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

/* The 14 bytes at @p are "Content-Length" in any case (as in
 * is_sip_version()). */
static bool
is_content_length_name(const uint8_t *p)
{
	return (sc_load_u64(p) |
	        sc_load_u64("\x20\x20\x20\x20\x20\x20\x20\0")) ==
	               sc_load_u64("content-") &&
	       (sc_load_u64(p + 6) |
	        sc_load_u64("\x20\0\x20\x20\x20\x20\x20\x20")) ==
	               sc_load_u64("t-length");
}

/*
 * The value [p + i, p + end) of a Content-Length: digits with blanks
 * around them, at most UINT32_MAX (what sc_str_to_u64() accepts, without
 * the call: every message has one).
 */
static enum clen_state
length_value(const uint8_t *p, size_t i, size_t end, uint64_t *value)
{
	uint64_t n = 0;

	while (i < end && (p[i] == ' ' || p[i] == '\t'))
		i++;
	while (end > i && (p[end - 1] == ' ' || p[end - 1] == '\t'))
		end--;
	if (i == end)
		return CLEN_BAD;
	for (; i < end; i++) {
		if (!sc_ascii_is_digit(p[i]))
			return CLEN_BAD;
		n = n * 10 + (unsigned)(p[i] - '0');
		if (n > UINT32_MAX)
			return CLEN_BAD;
	}
	*value = n;
	return CLEN_SET;
}

/*
 * The rest of the line [line, line + n) after a Content-Length header
 * name ending at @colon: blanks, then the line's first colon, then the
 * value into *value (or CLEN_BAD when unreadable).
 */
static enum clen_state
length_after_name(const uint8_t *line, size_t colon, size_t n, uint64_t *value)
{
	size_t end = n;

	while (colon < n && (line[colon] == ' ' || line[colon] == '\t'))
		colon++;
	if (colon == n || line[colon] != ':')
		return CLEN_ABSENT;
	if (line[end - 1] == '\r')
		end--;
	return length_value(line, colon + 1, end, value);
}

/*
 * If the line [line, line + n) is a Content-Length (or compact "l")
 * header, its value into *value (or CLEN_BAD when unreadable).
 */
static enum clen_state
content_length_line(const uint8_t *line, size_t n, uint64_t *value)
{
	size_t i = 0;

	while (i < n && (line[i] == ' ' || line[i] == '\t'))
		i++;
	if (i == n)
		return CLEN_ABSENT;
	if ((line[i] | 0x20) == 'l')
		return length_after_name(line, i + 1, n, value);
	if (n - i >= 14 && is_content_length_name(line + i))
		return length_after_name(line, i + 14, n, value);
	return CLEN_ABSENT;
}

/*
 * What the first byte of a line tells measure_head(). Only lines starting
 * with 'c', 'l' or a blank can be a Content-Length (or "l") header.
 */
enum line_start {
	LINE_OTHER, /* neither a blank line nor a Content-Length */
	LINE_LF,    /* a blank line: the head ends */
	LINE_CR,    /* a blank line when an LF follows */
	LINE_C,     /* may be "Content-Length" */
	LINE_L,     /* may be "l", or either name after blanks */
};

static const uint8_t line_starts[256] = {
	['\n'] = LINE_LF, ['\r'] = LINE_CR, ['C'] = LINE_C, ['c'] = LINE_C,
	['L'] = LINE_L,   ['l'] = LINE_L,   [' '] = LINE_L, ['\t'] = LINE_L,
};

/* Where measure_head() is in the head: the line being read, how it
 * starts, and what the lines before said of the Content-Length. */
struct head_scan {
	size_t line;
	unsigned start;
	enum clen_state clen;
	uint64_t *value;
};

/*
 * The LF at @nl ends the line at h->line: it may be the Content-Length,
 * and a blank line after it ends the head. Returns the head's length, or
 * SIZE_MAX with h->line moved on to the next line and h->start saying
 * how that one starts.
 */
static inline size_t
head_line_end(const uint8_t *p, size_t len, size_t nl, struct head_scan *h)
{
	const uint8_t *line = p + h->line;
	size_t n = nl - h->line, next = nl + 1;

	if (h->start >= LINE_C && h->clen == CLEN_ABSENT) {
		if (h->start == LINE_L)
			h->clen = content_length_line(line, n, h->value);
		else if (n >= 14 && is_content_length_name(line))
			h->clen = length_after_name(line, 14, n, h->value);
	}
	h->line = next;
	if (next >= len)
		return SIZE_MAX;
	h->start = line_starts[p[next]];
	if (h->start == LINE_LF)
		return next + 1;
	if (h->start == LINE_CR && next + 1 < len && p[next + 1] == '\n')
		return next + 2;
	return SIZE_MAX;
}

/*
 * One pass over the head's lines: returns the offset just past the
 * blank line ending the headers, or SIZE_MAX, and the first Content-
 * Length header before it (or compact "l"). Accepts CRLF and bare LF
 * line ends (and their mixtures). The first LF is at @from or after it
 * (the start line has been read, and is a line like the others here).
 * Each line is told apart by its first byte, read as the line before
 * ends; the search for the next LF starts at the line.
 */
static size_t
measure_head(const uint8_t *p, size_t len, size_t from, enum clen_state *clen,
             uint64_t *value)
{
	struct head_scan h = { 0, line_starts[p[0]], CLEN_ABSENT, value };
	size_t head = SIZE_MAX;

#if defined(__SSE2__)
	if (len >= 16) {
		size_t last = len - 16;
		unsigned m = 0;

		for (;; from = h.line) {
			while (from <= last &&
			       (m = bytes_eq(load16(p + from), '\n')) == 0)
				from += 16;
			/* the last 16 bytes, those before @from shifted out */
			if (from > last &&
			    (m = bytes_eq(load16(p + last), '\n') >>
			         (from - last)) == 0)
				break;
			head = head_line_end(
			        p, len, from + (size_t)__builtin_ctz(m), &h);
			if (head != SIZE_MAX)
				break;
		}
		*clen = h.clen;
		return head;
	}
#endif
	for (; from < len && head == SIZE_MAX; from++)
		if (p[from] == '\n')
			head = head_line_end(p, len, from, &h);
	*clen = h.clen;
	return head;
}

enum sc_frame_result
sc_sipframe_measure(const uint8_t *p, size_t len, bool is_stream,
                    size_t *msg_len, unsigned *flags)
{
	enum clen_state state;
	size_t hdr, start = start_line_length(p, len);
	uint64_t clen = 0;

	*flags = 0;
	*msg_len = 0;
	if (start == SIZE_MAX) {
		if (is_stream || !is_bare_start(p, len))
			return line_length(p, len) == SIZE_MAX && is_stream &&
			                       len < MAX_START_LINE
			               ? SC_FRAME_PARTIAL
			               : SC_FRAME_NOT_SIP;
		start = len; /* the line has no end */
	}
	hdr = measure_head(p, len, start, &state, &clen);
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
