/* capture.c - read frames from pcap/pcapng files; the only libpcap user
 *
 * Damage stays local to the file: a record libpcap cannot read ends the
 * file the way a truncation does (what came before is delivered), and
 * timestamps that do not fit the nanosecond clock are saturated and
 * counted rather than wrapped.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdio_ext.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <pcap/pcap.h>

#include "dlt.h"
#include "sipcause/capture/capture.h"
#include "sipcause/decode/decode.h"

#define NS_PER_S INT64_C(1000000000)

/*
 * libpcap reads a savefile with two fread() calls a record, through the
 * stream's buffer: stdio's default of 4 KiB made that one read(2) every
 * few packets, a third of a bare read loop's time. 128 KiB takes that
 * away; more gained nothing measurable.
 */
#define READ_BUFFER_SIZE (128 * 1024)

struct sc_capture {
	pcap_t *pcap;
	int linktype; /* LINKTYPE_* numbering */
	uint64_t next_number;
	uint64_t size;         /* file size, 0 when unknown (stdin) */
	uint64_t bad_ts;       /* timestamps saturated */
	uint64_t bad_ts_frame; /* the first of them */
	char *read_buffer;     /* the stream's; freed after pcap_close() */
	int fd;                /* the file's, while frames have offsets */
	uint64_t off;          /* offset of the next record */
	uint32_t snaplen;      /* the file's snapshot length */
	char warning[SC_ERRBUF_SIZE];
};

/* Decode holds the one list of link types; capture asks it. */
bool
sc_capture_linktype_supported(int linktype)
{
	return sc_decode_linktype_supported(linktype);
}

const char *
sc_capture_linktype_name(int linktype)
{
	const char *name = sc_decode_linktype_name(linktype);

	if (!name)
		name = pcap_datalink_val_to_name(linktype);
	return name ? name : "unknown";
}

/* Say why libpcap could not open @name, plainly for non-captures. */
static enum sc_err
open_failed(const char *name, const char *perr, char *errbuf)
{
	if (strstr(perr, "unknown file format") ||
	    strstr(perr, "truncated dump file") || perr[0] == 0)
		snprintf(errbuf, SC_ERRBUF_SIZE,
		         "%s: not a pcap or pcapng capture file (%s)", name,
		         perr[0] ? perr : "empty file");
	else
		snprintf(errbuf, SC_ERRBUF_SIZE, "%s: %s", name, perr);
	return SC_EPCAP;
}

/* Wrap an open pcap handle, refusing link types decode cannot read. */
static enum sc_err
wrap(pcap_t *pcap, char *read_buffer, const char *name, uint64_t size,
     struct sc_capture **out, char *errbuf)
{
	struct sc_capture *c;
	int linktype = sc__dlt_to_linktype(pcap_datalink(pcap));

	if (!sc_capture_linktype_supported(linktype)) {
		snprintf(errbuf, SC_ERRBUF_SIZE,
		         "%s: unsupported link type %s (%d): sipcause reads "
		         "Ethernet, Linux cooked (SLL, SLL2), BSD loopback "
		         "(NULL, LOOP), raw IP, PPP, Cisco HDLC, IEEE 802.11 "
		         "(radiotap, PPI), ERF and NFLOG captures",
		         name, sc_capture_linktype_name(linktype), linktype);
		pcap_close(pcap);
		free(read_buffer);
		return SC_EUNSUPPORTED;
	}
	c = calloc(1, sizeof(*c));
	if (!c) {
		pcap_close(pcap);
		free(read_buffer);
		snprintf(errbuf, SC_ERRBUF_SIZE, "%s", sc_strerror(SC_ENOMEM));
		return SC_ENOMEM;
	}
	c->pcap = pcap;
	c->read_buffer = read_buffer;
	c->linktype = linktype;
	c->next_number = 1;
	c->size = size;
	c->fd = -1;
	*out = c;
	return SC_OK;
}

/* libpcap on @fp, which nothing has read yet, with a larger buffer. */
static enum sc_err
open_buffered(FILE *fp, const char *name, uint64_t size,
              struct sc_capture **out, char *errbuf)
{
	char perr[PCAP_ERRBUF_SIZE] = "";
	char *read_buffer = malloc(READ_BUFFER_SIZE);
	pcap_t *pcap;

	/* without the buffer, stdio's own one still works */
	if (read_buffer &&
	    setvbuf(fp, read_buffer, _IOFBF, READ_BUFFER_SIZE) != 0) {
		free(read_buffer);
		read_buffer = NULL;
	}
	/* only the thread that reads the capture touches @fp: stdio's lock
	 * around each of libpcap's two freads per packet buys nothing */
	__fsetlocking(fp, FSETLOCKING_BYCALLER);
	pcap = pcap_fopen_offline_with_tstamp_precision(
	        fp, PCAP_TSTAMP_PRECISION_NANO, perr);
	if (!pcap) {
		fclose(fp);
		free(read_buffer);
		return open_failed(name, perr, errbuf);
	}
	return wrap(pcap, read_buffer, name, size, out, errbuf);
}

enum sc_err
sc_capture_open_stream(FILE *fp, const char *name, struct sc_capture **out,
                       char *errbuf)
{
	*out = NULL;
	return open_buffered(fp, name, 0, out, errbuf);
}

/* The classic pcap layout (a 24-byte file header, then a 16-byte header
 * before each frame), in either byte order, with microsecond or
 * nanosecond times; not the variants with longer record headers. */
#define PCAP_FILE_HDR 24
#define PCAP_RECORD_HDR 16

static bool
classic_pcap(FILE *fp)
{
	static const uint32_t magics[] = { 0xa1b2c3d4, 0xd4c3b2a1, 0xa1b23c4d,
		                           0x4d3cb2a1 };
	uint32_t magic;

	if (pread(fileno(fp), &magic, sizeof(magic), 0) != sizeof(magic))
		return false;
	for (size_t i = 0; i < SC_COUNTOF(magics); i++)
		if (magic == magics[i])
			return true;
	return false;
}

enum sc_err
sc_capture_open_file(const char *path, struct sc_capture **out, char *errbuf)
{
	struct stat st;
	enum sc_err err;
	FILE *fp;

	*out = NULL;
	if (strcmp(path, "-") == 0)
		return sc_capture_open_stream(stdin, "standard input", out,
		                              errbuf);
	fp = fopen(path, "rb");
	if (!fp || fstat(fileno(fp), &st) != 0) {
		snprintf(errbuf, SC_ERRBUF_SIZE, "%s: %s", path,
		         strerror(errno));
		if (fp)
			fclose(fp);
		return SC_EIO;
	}
	if (S_ISDIR(st.st_mode)) {
		snprintf(errbuf, SC_ERRBUF_SIZE, "%s: is a directory", path);
		fclose(fp);
		return SC_EIO;
	}
	err = open_buffered(fp, path, (uint64_t)st.st_size, out, errbuf);
	if (err == SC_OK && S_ISREG(st.st_mode) && classic_pcap(fp)) {
		(*out)->fd = fileno(fp);
		(*out)->off = PCAP_FILE_HDR;
		(*out)->snaplen = (uint32_t)pcap_snapshot((*out)->pcap);
	}
	return err;
}

void
sc_capture_set_first_number(struct sc_capture *c, uint64_t n)
{
	c->next_number = n;
}

/*
 * Seconds and nanoseconds to one signed 64-bit count of nanoseconds,
 * which reaches 2262-04-11. pcapng stores 64-bit times with any
 * resolution and offset, so libpcap can hand over seconds far past that
 * (or before 1970): saturate to [0, SC_TS_MAX_NS] instead of wrapping,
 * and say so. The margin under INT64_MAX lets later stages add timeouts
 * to any timestamp.
 */
static int64_t
to_ns(struct sc_capture *c, int64_t sec, int64_t nsec, uint64_t frame)
{
	bool bad = false;

	if (nsec < 0 || nsec >= NS_PER_S) {
		nsec = nsec < 0 ? 0 : NS_PER_S - 1;
		bad = true;
	}
	if (sec < 0) {
		sec = 0;
		nsec = 0;
		bad = true;
	} else if (sec > SC_TS_MAX_NS / NS_PER_S) {
		sec = SC_TS_MAX_NS / NS_PER_S;
		nsec = 0;
		bad = true;
	}
	if (bad && c->bad_ts++ == 0)
		c->bad_ts_frame = frame;
	return sec * NS_PER_S + nsec;
}

enum sc_err
sc_capture_next(struct sc_capture *c, struct sc_frame *f, char *errbuf)
{
	struct pcap_pkthdr *hdr;
	const u_char *data;
	const char *perr;
	int rc;

	rc = pcap_next_ex(c->pcap, &hdr, &data);
	if (rc == 1) {
		f->number = c->next_number++;
		/* with nanosecond precision, tv_usec holds nanoseconds */
		f->ts_ns = to_ns(c, (int64_t)hdr->ts.tv_sec,
		                 (int64_t)hdr->ts.tv_usec, f->number);
		f->caplen = hdr->caplen;
		f->wirelen = hdr->len;
		f->linktype = c->linktype;
		f->data = data;
		f->file_off = 0;
		if (c->fd >= 0) {
			/* a frame longer than the snapshot length is cut to it
			 * by libpcap, the rest skipped: its length no longer
			 * tells where the next record starts */
			if (hdr->caplen >= c->snaplen) {
				c->fd = -1;
			} else {
				f->file_off = c->off + PCAP_RECORD_HDR;
				c->off = f->file_off + hdr->caplen;
			}
		}
		return SC_OK;
	}
	if (rc == PCAP_ERROR_BREAK)
		return SC_EOF;
	perr = pcap_geterr(c->pcap);
	/* pcapng sections may declare interfaces of several link types;
	 * libpcap 1.10 refuses the first packet of a second type */
	if (strstr(perr, "different from the type of the first interface") ||
	    strstr(perr, "link-layer type")) {
		snprintf(errbuf, SC_ERRBUF_SIZE, "after frame %" PRIu64 ": %s",
		         c->next_number - 1, perr);
		return SC_EUNSUPPORTED;
	}
	/* a short read or a record libpcap refuses (a length past the
	 * snapshot length, a broken pcapng block): nothing after it can
	 * be trusted, everything before it stands */
	snprintf(errbuf, SC_ERRBUF_SIZE, "%s after frame %" PRIu64 ": %s",
	         strstr(perr, "truncated") ? "truncated" : "corrupt record",
	         c->next_number - 1, perr);
	return SC_ETRUNC;
}

int
sc_capture_reread_fd(const struct sc_capture *c)
{
	return c->fd >= 0 ? fcntl(c->fd, F_DUPFD_CLOEXEC, 0) : -1;
}

const char *
sc_capture_warning(struct sc_capture *c)
{
	if (c->bad_ts == 0)
		return NULL;
	snprintf(c->warning, sizeof(c->warning),
	         "%" PRIu64 " timestamp%s out of range (before 1970 or after "
	         "2261), first at frame %" PRIu64 ": saturated",
	         c->bad_ts, c->bad_ts == 1 ? "" : "s", c->bad_ts_frame);
	return c->warning;
}

uint64_t
sc_capture_bad_timestamps(const struct sc_capture *c)
{
	return c->bad_ts;
}

int
sc_capture_linktype(const struct sc_capture *c)
{
	return c->linktype;
}

uint64_t
sc_capture_offset(const struct sc_capture *c)
{
	FILE *fp = pcap_file(c->pcap);
	long off;

	if (!fp || c->size == 0)
		return 0;
	off = ftell(fp);
	return off > 0 ? (uint64_t)off : 0;
}

uint64_t
sc_capture_size(const struct sc_capture *c)
{
	return c->size;
}

void
sc_capture_close(struct sc_capture *c)
{
	if (!c)
		return;
	pcap_close(c->pcap);
	free(c->read_buffer);
	free(c);
}
