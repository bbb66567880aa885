/* bgout.c - an output stream whose bytes a thread of its own writes
 *
 * The caller's side fills one block at a time without a lock; a full
 * block goes on a queue, and the writer thread hands the queued blocks
 * to write(2) in order and keeps them as spares. The lock is taken once
 * a block (64 KiB), never per write.
 */
#define _GNU_SOURCE /* fopencookie() */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sipcause/util/bgout.h"

struct block {
	struct block *next;
	size_t len;
	char data[SC_BGOUT_BLOCK_BYTES];
};

struct sc_bgout {
	int fd;
	bool close_fd;
	size_t write_size; /* most bytes a write(2) */
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t changed; /* a block queued, written, or closing */
	struct block *cur;      /* being filled; the caller's alone */
	/* the rest under the lock */
	struct block *head, *tail; /* full, waiting to be written */
	struct block *spare;       /* written, ready for reuse */
	size_t nblocks;            /* allocated in all */
	bool writing;              /* the thread holds a block */
	bool closing;
	int err; /* errno of the first failed write; 0: none */
};

/* All of @b to the descriptor (the lock not held); 0 or an errno. */
static int
write_block(const struct sc_bgout *bg, const struct block *b)
{
	size_t done = 0;

	while (done < b->len) {
		size_t want = b->len - done;
		ssize_t n;

		if (want > bg->write_size)
			want = bg->write_size;
		n = write(bg->fd, b->data + done, want);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? errno : EIO;
		done += (size_t)n;
	}
	return 0;
}

static void *
writer(void *arg)
{
	struct sc_bgout *bg = arg;

	pthread_mutex_lock(&bg->lock);
	for (;;) {
		struct block *b = bg->head;
		int err;

		if (!b) {
			if (bg->closing)
				break;
			pthread_cond_wait(&bg->changed, &bg->lock);
			continue;
		}
		bg->head = b->next;
		if (!bg->head)
			bg->tail = NULL;
		bg->writing = true;
		err = bg->err;
		pthread_mutex_unlock(&bg->lock);
		/* after a failure the rest is dropped, not written */
		if (err == 0)
			err = write_block(bg, b);
		pthread_mutex_lock(&bg->lock);
		if (bg->err == 0)
			bg->err = err;
		b->next = bg->spare;
		bg->spare = b;
		bg->writing = false;
		pthread_cond_broadcast(&bg->changed);
	}
	pthread_mutex_unlock(&bg->lock);
	return NULL;
}

/* The block being filled goes on the queue; the writer's error, if any. */
static int
hand_over(struct sc_bgout *bg)
{
	struct block *b = bg->cur;
	int err;

	bg->cur = NULL;
	pthread_mutex_lock(&bg->lock);
	if (b) {
		b->next = NULL;
		if (bg->tail)
			bg->tail->next = b;
		else
			bg->head = b;
		bg->tail = b;
		pthread_cond_broadcast(&bg->changed);
	}
	err = bg->err;
	pthread_mutex_unlock(&bg->lock);
	return err;
}

/* An empty block to fill: a spare, a new one, or the next one written. */
static struct block *
take_block(struct sc_bgout *bg)
{
	struct block *b = NULL;

	pthread_mutex_lock(&bg->lock);
	while (!bg->spare && bg->nblocks >= SC_BGOUT_BLOCKS)
		pthread_cond_wait(&bg->changed, &bg->lock);
	if (bg->spare) {
		b = bg->spare;
		bg->spare = b->next;
	} else if ((b = malloc(sizeof(*b))) != NULL) {
		bg->nblocks++;
	}
	pthread_mutex_unlock(&bg->lock);
	if (b)
		b->len = 0;
	return b;
}

/*
 * stdio's write hook. A failure returns 0, never -1: glibc takes the
 * result as a count (fopencookie(3)), and -1 sent fwrite() past the
 * end of the caller's bytes.
 */
static ssize_t
cookie_write(void *cookie, const char *buf, size_t size)
{
	struct sc_bgout *bg = cookie;
	size_t done = 0;

	while (done < size) {
		size_t n;

		if (!bg->cur && !(bg->cur = take_block(bg))) {
			errno = ENOMEM;
			return 0;
		}
		n = SC_BGOUT_BLOCK_BYTES - bg->cur->len;
		if (n > size - done)
			n = size - done;
		memcpy(bg->cur->data + bg->cur->len, buf + done, n);
		bg->cur->len += n;
		done += n;
		if (bg->cur->len == SC_BGOUT_BLOCK_BYTES) {
			int err = hand_over(bg);

			if (err != 0) {
				errno = err;
				return 0;
			}
		}
	}
	return (ssize_t)size;
}

/* Wait until nothing is queued or being written; the first error. */
static int
drain(struct sc_bgout *bg)
{
	int err = bg->cur && bg->cur->len > 0 ? hand_over(bg) : 0;

	pthread_mutex_lock(&bg->lock);
	while (bg->head || bg->writing)
		pthread_cond_wait(&bg->changed, &bg->lock);
	err = bg->err ? bg->err : err;
	pthread_mutex_unlock(&bg->lock);
	return err;
}

static void
free_blocks(struct block *b)
{
	while (b) {
		struct block *next = b->next;

		free(b);
		b = next;
	}
}

static int
cookie_close(void *cookie)
{
	struct sc_bgout *bg = cookie;
	int err = drain(bg);

	pthread_mutex_lock(&bg->lock);
	bg->closing = true;
	pthread_cond_broadcast(&bg->changed);
	pthread_mutex_unlock(&bg->lock);
	pthread_join(bg->thread, NULL);
	free(bg->cur);
	free_blocks(bg->spare);
	pthread_cond_destroy(&bg->changed);
	pthread_mutex_destroy(&bg->lock);
	if (bg->close_fd && close(bg->fd) != 0 && err == 0)
		err = errno;
	free(bg);
	if (err != 0) {
		errno = err;
		return -1;
	}
	return 0;
}

FILE *
sc_bgout_open(int fd, bool close_fd, size_t write_size, struct sc_bgout **out)
{
	static const cookie_io_functions_t io = {
		.write = cookie_write,
		.close = cookie_close,
	};
	struct sc_bgout *bg = calloc(1, sizeof(*bg));
	FILE *f;
	int err;

	*out = NULL;
	if (!bg)
		return NULL;
	bg->fd = fd;
	bg->close_fd = close_fd;
	bg->write_size = write_size && write_size < SC_BGOUT_BLOCK_BYTES
	                         ? write_size
	                         : SC_BGOUT_BLOCK_BYTES;
	pthread_mutex_init(&bg->lock, NULL);
	pthread_cond_init(&bg->changed, NULL);
	err = pthread_create(&bg->thread, NULL, writer, bg);
	if (err != 0) {
		pthread_cond_destroy(&bg->changed);
		pthread_mutex_destroy(&bg->lock);
		free(bg);
		errno = err;
		return NULL;
	}
	f = fopencookie(bg, "w", io);
	if (!f) {
		err = errno;
		bg->close_fd = false; /* the caller still owns it */
		cookie_close(bg);
		errno = err;
		return NULL;
	}
	/* the blocks are the buffer: stdio's own would be a second copy */
	setvbuf(f, NULL, _IONBF, 0);
	*out = bg;
	return f;
}

int
sc_bgout_fd(const struct sc_bgout *bg)
{
	return bg->fd;
}

int
sc_bgout_finish(struct sc_bgout *bg, FILE *stream)
{
	int flushed = fflush(stream) == 0 ? 0 : (errno ? errno : EIO);
	int err = drain(bg);

	return err ? err : flushed;
}
