/* test_allocfail.c - fail the Nth allocation, for every N
 *
 * Linked with -Wl,--wrap=malloc,... so every allocation the sipcause
 * library makes (and oSIP's, through the allocator sipcause installs)
 * goes through the wrappers below. A first run counts the allocations
 * the whole pipeline makes on a sample (analyzer, then a report to
 * /dev/null); then, for each N from 1 to that count, a child process
 * runs the same with the Nth allocation failing. Every child must end
 * with SC_OK or SC_ENOMEM and exit cleanly: a crash, an abort or another
 * error code fails the test, and under the valgrind and sanitize test
 * setups a leak or an invalid access does too (they make the child exit
 * non-zero). Libc's own allocations (stdio buffers) are not counted.
 *
 * The parser's slab (util/slab.h) maps its chunks with mmap, wrapped and
 * counted too (nothing else in the library maps memory), so a failing
 * chunk is among the N tried; but under valgrind and ASan the slab
 * mallocs every message instead. The last test sweeps the slab in chunk
 * mode on its own, so that those setups check its failure paths too.
 *
 * usage: test-allocfail [FORMAT CAPTURE]...  (default: a built-in list)
 * SC_ALLOCFAIL_STRIDE=K tries every Kth N only (slow setups).
 * SC_ALLOCFAIL_SPOOL=1: json goes through its spool into a regular file,
 * each call written into it at once (report/json_direct.c), as -o FILE
 * does; a run that fails before its report leaves the file empty, and
 * one that ends well has every call the report was given in its file
 * (a failed write must fail the run, not lose a call).
 */
#include "config.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sipcause/pipeline/analyze.h"
#include "sipcause/pipeline/model.h"
#include "sipcause/report/report.h"
#include "sipcause/util/slab.h"

void *__real_malloc(size_t n);
void *__real_calloc(size_t n, size_t size);
void *__real_realloc(void *p, size_t n);
char *__real_strdup(const char *s);
char *__real_strndup(const char *s, size_t n);
void *__real_mmap(void *addr, size_t len, int prot, int flags, int fd,
                  off_t off);
void *__real_mmap64(void *addr, size_t len, int prot, int flags, int fd,
                    off_t off);

void *__wrap_malloc(size_t n);
void *__wrap_calloc(size_t n, size_t size);
void *__wrap_realloc(void *p, size_t n);
char *__wrap_strdup(const char *s);
char *__wrap_strndup(const char *s, size_t n);
void *__wrap_mmap(void *addr, size_t len, int prot, int flags, int fd,
                  off_t off);
void *__wrap_mmap64(void *addr, size_t len, int prot, int flags, int fd,
                    off_t off);

/* Exit statuses of a child, apart from the sanitizers' own (ASan: 1,
 * valgrind in the test setup: 99). */
#define EXIT_NOMEM 42
#define EXIT_ERR 50

static unsigned long n_allocs; /* allocations so far */
static unsigned long fail_at;  /* the one to fail; 0: none */

/* True when this allocation is the one to fail. */
static bool
fail_now(void)
{
	return ++n_allocs == fail_at;
}

void *
__wrap_malloc(size_t n)
{
	return fail_now() ? NULL : __real_malloc(n);
}

void *
__wrap_calloc(size_t n, size_t size)
{
	return fail_now() ? NULL : __real_calloc(n, size);
}

void *
__wrap_realloc(void *p, size_t n)
{
	return fail_now() ? NULL : __real_realloc(p, n);
}

char *
__wrap_strdup(const char *s)
{
	return fail_now() ? NULL : __real_strdup(s);
}

char *
__wrap_strndup(const char *s, size_t n)
{
	return fail_now() ? NULL : __real_strndup(s, n);
}

/* mmap64 when off_t is 64-bit by _FILE_OFFSET_BITS, mmap otherwise */
void *
__wrap_mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off)
{
	return fail_now() ? MAP_FAILED
	                  : __real_mmap(addr, len, prot, flags, fd, off);
}

void *
__wrap_mmap64(void *addr, size_t len, int prot, int flags, int fd, off_t off)
{
	return fail_now() ? MAP_FAILED
	                  : __real_mmap64(addr, len, prot, flags, fd, off);
}

/* What a sweep runs: the pipeline, or the slab alone. */
typedef enum sc_err (*job_fn)(enum sc_format format, const char *path);

/* Calls given to the report (spool runs). */
static unsigned long calls_given;

/* Each finished call to the report at once, as the command does. */
static void
stream_call(void *report, const struct sc_diagnosis *d)
{
	calls_given++;
	sc_report_call(report, d);
}

/* The calls in the JSON document @f: a line each, starting with their
 * Call-ID. */
static unsigned long
calls_in(FILE *f)
{
	static const char start[] = "{\"call_id\":";
	char line[512];
	unsigned long n = 0;
	bool at_start = true;

	rewind(f);
	while (fgets(line, sizeof(line), f)) {
		const char *p = line;

		while (at_start && *p == ' ')
			p++;
		if (at_start && strncmp(p, start, sizeof(start) - 1) == 0)
			n++;
		/* a longer line goes on in the next piece */
		at_start = strchr(line, '\n') != NULL;
	}
	return n;
}

/* The whole pipeline on @path, the report in @format to /dev/null. */
static enum sc_err
run_pipeline(enum sc_format format, const char *path)
{
	struct sc_analyzer_opts aopts = { 0 };
	struct sc_report_opts ropts = { 0 };
	struct sc_model model;
	struct sc_report *report;
	struct sc_analyzer *an = NULL;
	char errbuf[SC_ERRBUF_SIZE];
	enum sc_err err = SC_ENOMEM;
	bool spool = format == SC_FORMAT_JSON && getenv("SC_ALLOCFAIL_SPOOL");
	bool reported;
	FILE *out = spool ? tmpfile() : fopen("/dev/null", "w");

	if (!out)
		return SC_EIO;
	calls_given = 0;
	sc_model_init(&model);
	ropts.format = format;
	ropts.detail = true;
	ropts.all_calls = true;
	ropts.tool_version = "test";
	ropts.spool = spool;
	ropts.spool_hold = 1; /* a byte: every call goes out at once */
	report = sc_report_new(&ropts, out);
	aopts.keep_messages = true;
	aopts.keep_pred = sc_report_wants_messages;
	aopts.keep_ctx = report;
	if (spool) {
		aopts.on_call = stream_call;
		aopts.on_call_ctx = report;
		aopts.list_pred = sc_report_lists;
		aopts.list_ctx = report;
		aopts.on_late_link = sc_report_late_link;
		aopts.late_link_ctx = report;
	}
	/* calls compacted after each message and read back from the file */
	aopts.compact_always = getenv("SC_ALLOCFAIL_COMPACT") != NULL;
	if (report)
		an = sc_analyzer_new(&aopts, &model);
	if (an)
		err = sc_analyzer_file(an, path, errbuf);
	if (err == SC_OK)
		err = sc_analyzer_finish(an);
	reported = err == SC_OK;
	if (err == SC_OK)
		err = sc_report_finish(report, &model);
	if (spool && err == SC_OK && fflush(out) == 0 &&
	    calls_in(out) != calls_given) {
		fprintf(stderr, "allocfail: %lu calls given, %lu written\n",
		        calls_given, calls_in(out));
		abort();
	}
	/* the spool says a failed merge as a failed write (the command's
	 * "write error"); into a local temporary file only an allocation
	 * can fail it */
	if (spool && reported && err == SC_EIO)
		err = SC_ENOMEM;
	sc_analyzer_free(an);
	sc_report_free(report);
	sc_model_fini(&model);
	/* a run that failed before its report leaves no half document */
	if (spool && !reported && fseek(out, 0, SEEK_END) == 0 &&
	    ftell(out) != 0) {
		fprintf(stderr, "allocfail: a failed run left %ld bytes\n",
		        ftell(out));
		abort();
	}
	fclose(out);
	return err;
}

/*
 * The slab in chunk mode (the pipeline's only outside valgrind and ASan):
 * blocks of every class and bigger ones over several chunks, some freed
 * as it goes, the pool released while blocks are live. A failure must
 * come back as NULL and leave the pool whole.
 */
static enum sc_err
run_slab(enum sc_format format, const char *path)
{
	struct sc_slab *s = sc_slab_new(SC_SLAB_CHUNKS);
	unsigned char *blocks[800] = { NULL };
	enum sc_err err = SC_OK;

	(void)format;
	(void)path;
	if (!s)
		return SC_ENOMEM;
	for (size_t i = 0; i < SC_COUNTOF(blocks) && err == SC_OK; i++) {
		size_t size = 200 + i * 37 % 4500;

		blocks[i] = sc_slab_alloc(s, size);
		if (!blocks[i])
			err = SC_ENOMEM;
		else
			memset(blocks[i], 1, size);
		if (i % 3 == 0) {
			sc_slab_free(blocks[i / 2]);
			blocks[i / 2] = NULL;
		}
	}
	sc_slab_release(s);
	for (size_t i = 0; i < SC_COUNTOF(blocks); i++)
		sc_slab_free(blocks[i]);
	return err;
}

/*
 * Run with allocation @n failing in a child; true when it ended well,
 * with @nomem counting the runs that reported the failure (the others
 * absorbed it: a message or a count lost, said in the stats).
 */
static bool
try_failing(job_fn run, enum sc_format format, const char *path,
            unsigned long n, unsigned long *nomem)
{
	pid_t pid;
	int status;

	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		perror("fork");
		exit(1);
	}
	if (pid == 0) {
		enum sc_err err;

		fail_at = n;
		n_allocs = 0;
		err = run(format, path);
		exit(err == SC_OK       ? 0
		     : err == SC_ENOMEM ? EXIT_NOMEM
		                        : EXIT_ERR + (int)err);
	}
	if (waitpid(pid, &status, 0) < 0) {
		perror("waitpid");
		exit(1);
	}
	if (WIFEXITED(status) &&
	    (WEXITSTATUS(status) == 0 || WEXITSTATUS(status) == EXIT_NOMEM)) {
		*nomem += WEXITSTATUS(status) == EXIT_NOMEM;
		return true;
	}
	if (WIFSIGNALED(status))
		printf("# %s %s: allocation %lu failing: killed by signal "
		       "%d\n",
		       sc_format_name(format), path, n, WTERMSIG(status));
	else if (WEXITSTATUS(status) >= EXIT_ERR &&
	         WEXITSTATUS(status) < EXIT_ERR + SC_ERR__COUNT)
		printf("# %s %s: allocation %lu failing: ended with '%s'\n",
		       sc_format_name(format), path, n,
		       sc_strerror(
		               (enum sc_err)(WEXITSTATUS(status) - EXIT_ERR)));
	else
		printf("# %s %s: allocation %lu failing: exit %d (a leak or "
		       "an invalid access under valgrind/ASan)\n",
		       sc_format_name(format), path, n, WEXITSTATUS(status));
	return false;
}

/* One TAP test: the sweep over one capture and format. */
static bool
sweep(job_fn run, enum sc_format format, const char *path, unsigned long stride)
{
	unsigned long total, failed = 0, nomem = 0;
	enum sc_err err;

	fail_at = 0;
	n_allocs = 0;
	err = run(format, path);
	total = n_allocs;
	if (err != SC_OK) {
		printf("# %s: %s without any failure\n", path,
		       sc_strerror(err));
		return false;
	}
	for (unsigned long n = 1; n <= total; n += stride)
		if (!try_failing(run, format, path, n, &nomem) &&
		    ++failed >= 20) {
			printf("# more failures not shown\n");
			break;
		}
	printf("# %s %s: %lu allocations, every %lu failed in turn: %lu "
	       "ended with '%s', %lu bad endings\n",
	       sc_format_name(format), path, total, stride, nomem,
	       sc_strerror(SC_ENOMEM), failed);
	return failed == 0;
}

int
main(int argc, char **argv)
{
	static const char *const defaults[] = {
		"json",     SC_SOURCE_ROOT "/samples/demo.pcap",
		"text",     SC_SOURCE_ROOT "/tests/data/b2bua-legs.pcap",
		"html",     SC_SOURCE_ROOT "/samples/ipv4-fragmented.pcap",
		"markdown", SC_SOURCE_ROOT "/samples/tcp-segmented.pcap",
	};
	const char *const *list = defaults;
	size_t n = SC_COUNTOF(defaults);
	const char *s = getenv("SC_ALLOCFAIL_STRIDE");
	unsigned long stride = s ? strtoul(s, NULL, 10) : 1;
	int bad = 0;

	if (argc > 1) {
		list = (const char *const *)argv + 1;
		n = (size_t)(argc - 1) & ~(size_t)1;
	}
	if (stride == 0)
		stride = 1;
	printf("1..%zu\n", n / 2 + 1);
	for (size_t i = 0; i + 1 < n; i += 2) {
		enum sc_format f;
		bool ok = sc_format_from_name(list[i], &f) &&
		          sweep(run_pipeline, f, list[i + 1], stride);

		printf("%sok %zu - %s %s\n", ok ? "" : "not ", i / 2 + 1,
		       list[i], list[i + 1]);
		bad |= !ok;
	}
	if (sweep(run_slab, SC_FORMAT_JSON, "slab", 1)) {
		printf("ok %zu - slab in chunk mode\n", n / 2 + 1);
	} else {
		printf("not ok %zu - slab in chunk mode\n", n / 2 + 1);
		bad = 1;
	}
	return bad;
}
