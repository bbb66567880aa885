/* progress.h - the progress bar of a long read, on a terminal's stderr */
#ifndef SC_CLI_PROGRESS_H
#define SC_CLI_PROGRESS_H

#include <stdint.h>

#include "sipcause/pipeline/model.h"

struct cli_progress {
	const char *path;             /* the file being read (argv) */
	const struct sc_model *model; /* packets and calls so far */
	int64_t start_ns;             /* when this file's read began */
	int64_t drawn_ns;             /* last drawing, to draw 10 a second */
	uint64_t start_packets;
};

/* Start a file's bar (nothing is drawn yet). */
void cli_progress_begin(struct cli_progress *p, const char *path,
                        const struct sc_model *model);

/* An sc_progress_fn: bytes read of the file's size; ctx is the struct. */
void cli_progress_show(void *ctx, uint64_t done, uint64_t total);

/* Erase the bar. */
void cli_progress_end(struct cli_progress *p);

#endif /* SC_CLI_PROGRESS_H */
