/* pcapout.c - write frames to nanosecond pcap files with -C/-G/-W rotation
 *
 * The naming and rotation rules are tcpdump's (see pcapout.h), so that
 * scripts written around `tcpdump -w` keep working; the one difference
 * is that -G periods are measured on the capture clock (the frames'
 * timestamps), which is the wall clock for a live capture.
 */
#include "config.h"

#include <errno.h>
#include <stdbool.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <pcap/pcap.h>

#include "dlt.h"
#include "sipcause/capture/pcapout.h"

#define NS_PER_S 1000000000LL

struct sc_pcapout {
	struct sc_pcapout_opts opts;
	pcap_t *dead; /* describes the files: link type, precision */
	pcap_dumper_t *dumper;
	char name[PATH_MAX];
	int digits;           /* width of the -W number */
	unsigned size_count;  /* -C: number of the current file */
	unsigned time_count;  /* -G: periods done */
	int64_t period_start; /* -G: when the current file began, s */
	bool opened;          /* a file was opened before this one */
};

/* Digits of @max_files - 1: -W 10 numbers files 0..9, -W 100 00..99. */
static int
number_width(unsigned max_files)
{
	int n = 0;

	for (unsigned v = max_files ? max_files - 1 : 0; v > 0; v /= 10)
		n++;
	return n;
}

/* The name of file number @count of the period starting at @secs. */
static enum sc_err
make_name(struct sc_pcapout *w, unsigned count, int64_t secs, char *errbuf)
{
	char base[PATH_MAX];
	int n;

	if (w->opts.rotate_secs > 0) {
		time_t t = (time_t)secs;
		struct tm tm;

		size_t len = 0;

		/* the pattern is the user's -w argument, as with tcpdump -G */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
		if (localtime_r(&t, &tm))
			len = strftime(base, sizeof(base), w->opts.path, &tm);
#pragma GCC diagnostic pop
		if (len == 0) {
			snprintf(errbuf, SC_ERRBUF_SIZE,
			         "%s: cannot expand the file name pattern",
			         w->opts.path);
			return SC_EIO;
		}
	} else {
		n = snprintf(base, sizeof(base), "%s", w->opts.path);
		if (n < 0 || (size_t)n >= sizeof(base))
			goto too_long;
	}
	if (w->opts.rotate_bytes == 0 || (count == 0 && w->digits == 0))
		n = snprintf(w->name, sizeof(w->name), "%s", base);
	else
		n = snprintf(w->name, sizeof(w->name), "%s%0*u", base,
		             w->digits, count);
	if (n >= 0 && (size_t)n < sizeof(w->name))
		return SC_OK;
too_long:
	snprintf(errbuf, SC_ERRBUF_SIZE, "%s: file name too long",
	         w->opts.path);
	return SC_EIO;
}

static enum sc_err
open_file(struct sc_pcapout *w, unsigned count, int64_t secs, char *errbuf)
{
	enum sc_err err = make_name(w, count, secs, errbuf);

	if (err != SC_OK)
		return err;
	/*
	 * Later files are made after privileges were dropped: a ring that
	 * comes back to a file made before the drop (root's) could not
	 * truncate it, but the folder lets the user replace it.
	 */
	if (w->opened && unlink(w->name) != 0 && errno != ENOENT) {
		snprintf(errbuf, SC_ERRBUF_SIZE, "%.200s: %s", w->name,
		         strerror(errno));
		return SC_EIO;
	}
	w->opened = true;
	w->dumper = pcap_dump_open(w->dead, w->name);
	if (!w->dumper) {
		snprintf(errbuf, SC_ERRBUF_SIZE, "%s", pcap_geterr(w->dead));
		return SC_EIO;
	}
	return SC_OK;
}

/* Close the current file, saying so when its last writes failed. */
static enum sc_err
close_file(struct sc_pcapout *w, char *errbuf)
{
	enum sc_err err = SC_OK;

	if (!w->dumper)
		return SC_OK;
	if (pcap_dump_flush(w->dumper) != 0 ||
	    ferror(pcap_dump_file(w->dumper))) {
		snprintf(errbuf, SC_ERRBUF_SIZE, "%.400s: write error",
		         w->name);
		err = SC_EIO;
	}
	pcap_dump_close(w->dumper);
	w->dumper = NULL;
	return err;
}

enum sc_err
sc_pcapout_open(const struct sc_pcapout_opts *opts, int64_t now_ns,
                struct sc_pcapout **out, char *errbuf)
{
	struct sc_pcapout *w = calloc(1, sizeof(*w));
	enum sc_err err;

	*out = NULL;
	if (!w) {
		snprintf(errbuf, SC_ERRBUF_SIZE, "%s", sc_strerror(SC_ENOMEM));
		return SC_ENOMEM;
	}
	w->opts = *opts;
	w->digits = opts->rotate_bytes ? number_width(opts->max_files) : 0;
	w->period_start = now_ns / NS_PER_S;
	w->dead = pcap_open_dead_with_tstamp_precision(
	        sc__linktype_to_dlt(opts->linktype), opts->snaplen,
	        PCAP_TSTAMP_PRECISION_NANO);
	if (!w->dead) {
		free(w);
		snprintf(errbuf, SC_ERRBUF_SIZE, "%s", sc_strerror(SC_ENOMEM));
		return SC_ENOMEM;
	}
	err = open_file(w, 0, w->period_start, errbuf);
	if (err != SC_OK) {
		pcap_close(w->dead);
		free(w);
		return err;
	}
	*out = w;
	return SC_OK;
}

/* -G: a new period begins at @secs. SC_ELIMIT when -W files are done. */
static enum sc_err
rotate_time(struct sc_pcapout *w, int64_t secs, char *errbuf)
{
	enum sc_err err = close_file(w, errbuf);

	if (err != SC_OK)
		return err;
	w->period_start = secs;
	w->time_count++;
	if (w->opts.rotate_bytes == 0 && w->opts.max_files &&
	    w->time_count >= w->opts.max_files)
		return SC_ELIMIT;
	w->size_count = 0;
	return open_file(w, 0, secs, errbuf);
}

/* -C: the current file is full; the next number, wrapping at -W. */
static enum sc_err
rotate_size(struct sc_pcapout *w, char *errbuf)
{
	enum sc_err err = close_file(w, errbuf);

	if (err != SC_OK)
		return err;
	w->size_count++;
	if (w->opts.max_files && w->size_count >= w->opts.max_files)
		w->size_count = 0;
	return open_file(w, w->size_count, w->period_start, errbuf);
}

enum sc_err
sc_pcapout_write(struct sc_pcapout *w, const struct sc_frame *f, char *errbuf)
{
	struct pcap_pkthdr h;
	int64_t secs = f->ts_ns / NS_PER_S;
	enum sc_err err;

	if (!w->dumper)
		return SC_ELIMIT;
	if (w->opts.rotate_secs > 0 &&
	    secs - w->period_start >= w->opts.rotate_secs) {
		err = rotate_time(w, secs, errbuf);
		if (err != SC_OK)
			return err;
	}
	if (w->opts.rotate_bytes > 0 &&
	    pcap_dump_ftell64(w->dumper) > (int64_t)w->opts.rotate_bytes) {
		err = rotate_size(w, errbuf);
		if (err != SC_OK)
			return err;
	}
	memset(&h, 0, sizeof(h));
	h.ts.tv_sec = (time_t)secs;
	/* a nanosecond dumper reads tv_usec as nanoseconds */
	h.ts.tv_usec = (suseconds_t)(f->ts_ns % NS_PER_S);
	h.caplen = f->caplen;
	h.len = f->wirelen;
	pcap_dump((u_char *)w->dumper, &h, f->data);
	if (ferror(pcap_dump_file(w->dumper))) {
		snprintf(errbuf, SC_ERRBUF_SIZE, "%.400s: write error: %s",
		         w->name, strerror(errno));
		return SC_EIO;
	}
	return SC_OK;
}

const char *
sc_pcapout_path(const struct sc_pcapout *w)
{
	return w->name;
}

void
sc_pcapout_flush(struct sc_pcapout *w)
{
	if (w && w->dumper)
		(void)pcap_dump_flush(w->dumper);
}

enum sc_err
sc_pcapout_close(struct sc_pcapout *w, char *errbuf)
{
	enum sc_err err;

	if (!w)
		return SC_OK;
	err = close_file(w, errbuf);
	pcap_close(w->dead);
	free(w);
	return err;
}
