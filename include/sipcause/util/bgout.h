/* bgout.h - an output stream whose bytes a thread of its own writes */
#ifndef SC_BGOUT_H
#define SC_BGOUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/*
 * A report of a big capture is hundreds of megabytes of JSON, and each
 * write(2) of it into the page cache (or a pipe) costs about as much as
 * making the bytes. Through this stream the caller only copies them into
 * blocks; a thread of its own writes the blocks to @fd, in order, while
 * the analysis goes on. At most SC_BGOUT_BLOCKS blocks of
 * SC_BGOUT_BLOCK_BYTES exist: a caller faster than the descriptor waits.
 *
 * sc_bgout_open() returns a write-only FILE (NULL and errno when the
 * thread or memory could not be had), with *@bg to finish it by. Each
 * write(2) hands over at most @write_size bytes (0: a whole block). The
 * first write error is kept: later writes fail with it, and so do
 * sc_bgout_finish() and fclose().
 *
 * sc_bgout_finish() waits until every byte written so far has reached
 * @fd; returns 0 or the errno of the first failed write. fclose() on the
 * stream finishes, stops the thread, and closes @fd when @close_fd.
 */
#define SC_BGOUT_BLOCK_BYTES (64 * 1024)
#define SC_BGOUT_BLOCKS 8

struct sc_bgout;

FILE *sc_bgout_open(int fd, bool close_fd, size_t write_size,
                    struct sc_bgout **bg);
int sc_bgout_finish(struct sc_bgout *bg, FILE *stream);

/* The descriptor @bg writes (to write to it directly, finish first). */
int sc_bgout_fd(const struct sc_bgout *bg);

#endif /* SC_BGOUT_H */
