/* test_capture.c - where a frame's bytes are in its file
 *
 * A classic pcap file gives each frame the offset of its bytes, so that
 * they can be read again (sc_capture_reread_fd(), pipeline/reread.c):
 * the bytes at that offset must be the frame's. Other files give none,
 * and neither does a file from the first frame libpcap may have cut to
 * the snapshot length on.
 */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sipcause/capture/capture.h"

#define SAMPLE(name) SC_SOURCE_ROOT "/samples/" name
#define DATA(name) SC_SOURCE_ROOT "/tests/data/" name

/* Read every frame of @path; count those with an offset, checking their
 * bytes at it, and those without. */
static void
read_all(const char *path, size_t *with, size_t *without, int *fd)
{
	char errbuf[SC_ERRBUF_SIZE];
	struct sc_capture *c = NULL;
	struct sc_frame f;
	enum sc_err err;
	uint8_t buf[65536];

	*with = *without = 0;
	assert_int_equal(sc_capture_open_file(path, &c, errbuf), SC_OK);
	*fd = sc_capture_reread_fd(c);
	while ((err = sc_capture_next(c, &f, errbuf)) == SC_OK) {
		if (!f.file_off) {
			(*without)++;
			continue;
		}
		(*with)++;
		assert_int_not_equal(*fd, -1);
		assert_true(f.caplen <= sizeof(buf));
		assert_int_equal(pread(*fd, buf, f.caplen, (off_t)f.file_off),
		                 (ssize_t)f.caplen);
		assert_memory_equal(buf, f.data, f.caplen);
	}
	/* the end, or a file cut short, or a link type it cannot mix */
	assert_true(err == SC_EOF || err == SC_ETRUNC ||
	            err == SC_EUNSUPPORTED);
	sc_capture_close(c);
}

static void
test_offsets_of_classic_pcap(void **state)
{
	static const char *const files[] = {
		SAMPLE("demo.pcap"),
		SAMPLE("tcp-segmented.pcap"),
		SAMPLE("ipv4-fragmented.pcap"),
		SAMPLE("ipv6-call.pcap"),
		DATA("link-radiotap.pcap"),
		DATA("truncated.pcap"),
	};
	size_t with, without;
	int fd;

	(void)state;
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		read_all(files[i], &with, &without, &fd);
		assert_true(with > 0);
		assert_int_equal(without, 0);
		/* the descriptor outlives the capture */
		assert_int_equal(close(fd), 0);
	}
}

/* pcapng: no offsets, no descriptor. */
static void
test_no_offsets_in_pcapng(void **state)
{
	size_t with, without;
	int fd;

	(void)state;
	read_all(DATA("options-3.pcapng"), &with, &without, &fd);
	assert_int_equal(with, 0);
	assert_true(without > 0);
	assert_int_equal(fd, -1);
}

/* Frames cut to the snapshot length: offsets stop at the first. */
static void
test_offsets_stop_at_snaplen(void **state)
{
	size_t with, without;
	int fd;

	(void)state;
	read_all(SAMPLE("snaplen-truncated.pcap"), &with, &without, &fd);
	assert_true(without > 0);
	assert_int_not_equal(fd, -1);
	close(fd);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_offsets_of_classic_pcap),
		cmocka_unit_test(test_no_offsets_in_pcapng),
		cmocka_unit_test(test_offsets_stop_at_snaplen),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
