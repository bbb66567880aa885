/* test_bgout.c - the stream written by a thread of its own: every byte
 * arrives in order, across blocks and while the reader is slow, and a
 * failed write is reported, not lost */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sipcause/util/bgout.h"

/* Many times the blocks that may exist at once, in writes of every size. */
#define TOTAL (SC_BGOUT_BLOCK_BYTES * SC_BGOUT_BLOCKS * 5 + 12345)

static unsigned char
pattern(size_t i)
{
	return (unsigned char)((i * 7 + i / 251) & 0xff);
}

/* TOTAL bytes of the pattern, in writes of 1 byte to a few blocks. */
static void
write_pattern(FILE *f)
{
	static unsigned char chunk[3 * SC_BGOUT_BLOCK_BYTES];
	size_t done = 0, step = 1;

	while (done < TOTAL) {
		size_t n = step < TOTAL - done ? step : TOTAL - done;

		for (size_t i = 0; i < n; i++)
			chunk[i] = pattern(done + i);
		assert_int_equal(fwrite(chunk, 1, n, f), n);
		done += n;
		step = step * 3 % (sizeof(chunk) - 1) + 1;
	}
}

static void
test_order_through_a_file(void **state)
{
	char path[] = "/tmp/sipcause-bgout-XXXXXX";
	int fd = mkstemp(path);
	struct sc_bgout *bg;
	unsigned char *back;
	FILE *f;

	(void)state;
	assert_true(fd >= 0);
	unlink(path);
	f = sc_bgout_open(fd, false, 0, &bg);
	assert_non_null(f);
	assert_non_null(bg);
	write_pattern(f);
	assert_int_equal(sc_bgout_finish(bg, f), 0);
	/* everything is in the file once finish returns */
	back = malloc(TOTAL);
	assert_non_null(back);
	assert_int_equal(pread(fd, back, TOTAL, 0), TOTAL);
	for (size_t i = 0; i < TOTAL; i++)
		if (back[i] != pattern(i))
			fail_msg("byte %zu differs", i);
	/* more after a finish, then the close */
	assert_int_equal(fputs("end", f), 1);
	assert_int_equal(fclose(f), 0);
	assert_int_equal(pread(fd, back, 4, TOTAL), 3);
	assert_memory_equal(back, "end", 3);
	free(back);
	close(fd);
}

struct slow_reader {
	int fd;
	size_t got;
	bool in_order;
};

/* Reads the pipe in small bites, checking the pattern as it goes. */
static void *
read_slowly(void *arg)
{
	struct slow_reader *r = arg;
	unsigned char buf[4096];
	ssize_t n;

	r->in_order = true;
	while ((n = read(r->fd, buf, 1 + r->got % sizeof(buf))) > 0) {
		for (ssize_t i = 0; i < n; i++)
			if (buf[i] != pattern(r->got + (size_t)i))
				r->in_order = false;
		r->got += (size_t)n;
		if (r->got % 7 == 0)
			usleep(1);
	}
	return NULL;
}

/* A reader slower than the writer: the writer waits, nothing is lost. */
static void
test_order_through_a_slow_pipe(void **state)
{
	struct slow_reader r = { 0 };
	struct sc_bgout *bg;
	pthread_t reader;
	int fds[2];
	FILE *f;

	(void)state;
	assert_int_equal(pipe(fds), 0);
	r.fd = fds[0];
	assert_int_equal(pthread_create(&reader, NULL, read_slowly, &r), 0);
	f = sc_bgout_open(fds[1], true, 1000, &bg); /* odd pieces */
	assert_non_null(f);
	write_pattern(f);
	assert_int_equal(fclose(f), 0); /* closes the pipe: the reader ends */
	assert_int_equal(pthread_join(reader, NULL), 0);
	assert_int_equal(r.got, TOTAL);
	assert_true(r.in_order);
	close(fds[0]);
}

/* /dev/full fails every write with ENOSPC: finish, the next writes and
 * fclose all say so. */
static void
test_write_error(void **state)
{
	int fd = open("/dev/full", O_WRONLY);
	struct sc_bgout *bg;
	char block[SC_BGOUT_BLOCK_BYTES];
	FILE *f;

	(void)state;
	if (fd < 0)
		skip();
	f = sc_bgout_open(fd, true, 0, &bg);
	assert_non_null(f);
	memset(block, 'x', sizeof(block));
	fwrite(block, 1, sizeof(block), f);
	assert_int_equal(sc_bgout_finish(bg, f), ENOSPC);
	/* the failure is kept: a later full block fails at once */
	assert_true(fwrite(block, 1, sizeof(block), f) < sizeof(block) ||
	            ferror(f));
	errno = 0;
	assert_int_equal(fclose(f), EOF);
	assert_int_equal(errno, ENOSPC);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_order_through_a_file),
		cmocka_unit_test(test_order_through_a_slow_pipe),
		cmocka_unit_test(test_write_error),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
