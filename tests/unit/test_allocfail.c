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
 * usage: test-allocfail [FORMAT CAPTURE]...  (default: a built-in list)
 * SC_ALLOCFAIL_STRIDE=K tries every Kth N only (slow setups).
 */
#include "config.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sipcause/pipeline/analyze.h"
#include "sipcause/pipeline/model.h"
#include "sipcause/report/report.h"

void *__real_malloc(size_t n);
void *__real_calloc(size_t n, size_t size);
void *__real_realloc(void *p, size_t n);
char *__real_strdup(const char *s);
char *__real_strndup(const char *s, size_t n);

void *__wrap_malloc(size_t n);
void *__wrap_calloc(size_t n, size_t size);
void *__wrap_realloc(void *p, size_t n);
char *__wrap_strdup(const char *s);
char *__wrap_strndup(const char *s, size_t n);

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

/* The whole pipeline on @path, the report in @format to /dev/null. */
static enum sc_err
run(enum sc_format format, const char *path)
{
	struct sc_analyzer_opts aopts = { 0 };
	struct sc_report_opts ropts = { 0 };
	struct sc_model model;
	struct sc_report *report;
	struct sc_analyzer *an = NULL;
	char errbuf[SC_ERRBUF_SIZE];
	enum sc_err err = SC_ENOMEM;
	FILE *out = fopen("/dev/null", "w");

	if (!out)
		return SC_EIO;
	sc_model_init(&model);
	ropts.format = format;
	ropts.detail = true;
	ropts.all_calls = true;
	ropts.tool_version = "test";
	report = sc_report_new(&ropts, out);
	aopts.keep_messages = true;
	aopts.keep_pred = sc_report_wants_messages;
	aopts.keep_ctx = report;
	if (report)
		an = sc_analyzer_new(&aopts, &model);
	if (an)
		err = sc_analyzer_file(an, path, errbuf);
	if (err == SC_OK)
		err = sc_analyzer_finish(an);
	if (err == SC_OK)
		err = sc_report_finish(report, &model);
	sc_analyzer_free(an);
	sc_report_free(report);
	sc_model_fini(&model);
	fclose(out);
	return err;
}

/*
 * Run with allocation @n failing in a child; true when it ended well,
 * with @nomem counting the runs that reported the failure (the others
 * absorbed it: a message or a count lost, said in the stats).
 */
static bool
try_failing(enum sc_format format, const char *path, unsigned long n,
            unsigned long *nomem)
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
sweep(enum sc_format format, const char *path, unsigned long stride)
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
		if (!try_failing(format, path, n, &nomem) && ++failed >= 20) {
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
	printf("1..%zu\n", n / 2);
	for (size_t i = 0; i + 1 < n; i += 2) {
		enum sc_format f;
		bool ok = sc_format_from_name(list[i], &f) &&
		          sweep(f, list[i + 1], stride);

		printf("%sok %zu - %s %s\n", ok ? "" : "not ", i / 2 + 1,
		       list[i], list[i + 1]);
		bad |= !ok;
	}
	return bad;
}
