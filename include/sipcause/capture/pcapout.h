/* pcapout.h - write captured frames to pcap files, rotating as tcpdump */
#ifndef SC_PCAPOUT_H
#define SC_PCAPOUT_H

#include <stdbool.h>
#include <stdint.h>

#include "sipcause/capture/capture.h"
#include "sipcause/util/compiler.h"
#include "sipcause/util/error.h"

/*
 * File names follow tcpdump's -w/-C/-G/-W rules:
 * - with -G, the name is a strftime(3) pattern expanded in local time
 *   when each file is opened;
 * - with -C, a number is appended: FILE, FILE1, FILE2, ...; with -C and
 *   -W N the files are FILE0 .. FILE<N-1> (zero-padded to the width of
 *   N-1) and the oldest is overwritten in turn;
 * - with -G and -C, the number restarts at 0 in each time period;
 * - with -G and -W N (no -C), the capture ends once N files are done.
 */
struct sc_pcapout_opts {
	const char *path; /* "-": standard output */
	int linktype;     /* LINKTYPE_* of every frame */
	int snaplen;
	uint64_t rotate_bytes; /* -C (in bytes); 0: never */
	int64_t rotate_secs;   /* -G; 0: never */
	unsigned max_files;    /* -W; 0: no limit */
};

struct sc_pcapout;

/*
 * sc_pcapout_open - create the first file (nanosecond pcap) at @now_ns
 * (wall clock, names the file with -G). Open it before dropping
 * privileges; later files of a rotation are created by whoever the
 * process is then. SC_EIO with @errbuf set on failure.
 */
enum sc_err sc_pcapout_open(const struct sc_pcapout_opts *opts, int64_t now_ns,
                            struct sc_pcapout **out,
                            char *errbuf) SC_WARN_UNUSED;

/*
 * sc_pcapout_write - append @f, rotating first when a size or time
 * limit says so (time from @f's timestamp). SC_ELIMIT when -G/-W's last
 * file is complete (nothing written: the capture should stop); SC_EIO
 * with @errbuf set when a file cannot be created or written.
 */
enum sc_err sc_pcapout_write(struct sc_pcapout *w, const struct sc_frame *f,
                             char *errbuf) SC_WARN_UNUSED;

/* The name of the file being written; valid until the next write. */
const char *sc_pcapout_path(const struct sc_pcapout *w);

/* Push buffered frames to the file (readers see whole records). */
void sc_pcapout_flush(struct sc_pcapout *w);

/*
 * sc_pcapout_close - flush and close; SC_EIO with @errbuf set when the
 * last writes failed. NULL is a no-op (SC_OK).
 */
enum sc_err sc_pcapout_close(struct sc_pcapout *w, char *errbuf);

#endif /* SC_PCAPOUT_H */
