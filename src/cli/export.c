/* export.c - --export-pcap and --split-calls: the packets of the calls
 *
 * After the report, the input files are read again and every frame a
 * selected call was built from (each fragment and TCP segment of its
 * messages, and the ICMP errors tied to it) is written, in capture order,
 * with its original time and bytes. Frame numbers run on across the
 * files as in the analysis, so the same numbering finds them again.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "cli/export.h"
#include "sipcause/capture/capture.h"
#include "sipcause/pipeline/filter.h"
#include "sipcause/util/vec.h"

/* A sorted set of frame numbers. */
struct frameset {
	uint64_t *v;
	size_t n, alloc;
};

static bool
frameset_add(struct frameset *s, uint64_t frame)
{
	if (s->n == s->alloc) {
		size_t a = s->alloc ? s->alloc * 2 : 64;
		uint64_t *v = realloc(s->v, a * sizeof(*v));

		if (!v)
			return false;
		s->v = v;
		s->alloc = a;
	}
	s->v[s->n++] = frame;
	return true;
}

static int
cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static void
frameset_seal(struct frameset *s)
{
	s->n = sc_sort_unique_u64(s->v, s->n);
}

static bool
frameset_has(const struct frameset *s, uint64_t frame)
{
	return bsearch(&frame, s->v, s->n, sizeof(*s->v), cmp_u64) != NULL;
}

/* Every frame @c was built from. */
static bool
add_call_frames(struct frameset *s, const struct sc_call *c)
{
	bool ok = true;

	for (size_t i = 0; i < c->nmsgs && ok; i++) {
		const struct sc_msg *m = c->msgs[i].msg;

		if (!m)
			continue;
		ok = frameset_add(s, m->frame);
		for (size_t j = 0; j < m->nframes && ok; j++)
			ok = frameset_add(s, m->frames[j]);
	}
	for (size_t i = 0; i < c->nevents && ok; i++)
		ok = frameset_add(s, c->events[i].frame);
	return ok;
}

static bool
selected(struct run *r, const struct sc_diagnosis *d)
{
	return sc_filter_is_empty(&r->o->filter) ||
	       sc_filter_match(&r->o->filter, d);
}

/* Read one input again, writing the frames of @s; opens @path lazily
 * (with the first file's link type) into *w. */
static int
copy_file(struct run *r, size_t file, uint64_t *next, const char *path,
          const struct frameset *s, struct sc_pcapout **w)
{
	const struct sc_input_file *in = &r->model.files[file];
	struct sc_capture *cap;
	struct sc_frame f;
	enum sc_err err;

	if (in->packets == 0)
		return -1; /* not read (or empty): no frame numbers */
	if (sc_capture_open_file(in->path, &cap, r->errbuf) != SC_OK) {
		fprintf(stderr, "sipcause: export: %s\n", r->errbuf);
		return EXIT_INPUT;
	}
	sc_capture_set_first_number(cap, *next);
	while ((err = sc_capture_next(cap, &f, r->errbuf)) == SC_OK) {
		*next = f.number + 1;
		if (!frameset_has(s, f.number))
			continue;
		if (!*w) {
			struct sc_pcapout_opts po = { .path = path,
				                      .linktype = f.linktype,
				                      .snaplen = 262144 };

			if (sc_pcapout_open(&po, 0, w, r->errbuf) != SC_OK)
				break;
		}
		if (f.linktype != in->linktype ||
		    sc_pcapout_write(*w, &f, r->errbuf) != SC_OK)
			break;
	}
	sc_capture_close(cap);
	if (err == SC_OK) {
		fprintf(stderr, "sipcause: export: %s: %s\n", path, r->errbuf);
		return EXIT_INPUT;
	}
	return -1; /* the end, or the damage the analysis stopped at */
}

/* Write the frames of @s from every input to a new pcap at @path. */
static int
write_frames(struct run *r, const struct frameset *s, const char *path)
{
	struct sc_pcapout *w = NULL;
	uint64_t next = 1;
	int status = -1;

	const struct sc_input_file *first = NULL;

	for (size_t i = 0; i < r->model.nfiles && status < 0; i++) {
		const struct sc_input_file *in = &r->model.files[i];

		if (in->packets && !first)
			first = in;
		if (in->packets && in->linktype != first->linktype) {
			fprintf(stderr,
			        "sipcause: export: %s and %s have "
			        "different link types; a pcap file "
			        "holds one\n",
			        first->path, in->path);
			status = EXIT_INPUT;
			break;
		}
		status = copy_file(r, i, &next, path, s, &w);
	}
	if (w && sc_pcapout_close(w, r->errbuf) != SC_OK) {
		fprintf(stderr, "sipcause: export: %s\n", r->errbuf);
		status = EXIT_INPUT;
	}
	return status;
}

/* "20261123-075757_call-ok-1_sipcause.test.pcap": safe in any file
 * system, whatever the Call-ID holds. */
static void
split_name(char *buf, size_t len, const char *dir, const struct sc_call *c)
{
	char when[32] = "unknown";
	char id[96];
	time_t t = (time_t)(c->first_ts / 1000000000);
	struct tm tm;
	size_t n = 0;

	if (gmtime_r(&t, &tm))
		strftime(when, sizeof(when), "%Y%m%d-%H%M%S", &tm);
	for (size_t i = 0; i < c->call_id_len && n + 1 < sizeof(id); i++) {
		unsigned char ch = (unsigned char)c->call_id[i];
		bool safe = (ch >= 'a' && ch <= 'z') ||
		            (ch >= 'A' && ch <= 'Z') ||
		            (ch >= '0' && ch <= '9') || ch == '.' ||
		            ch == '-' || ch == '_';

		id[n++] = safe ? (char)ch : '_';
	}
	id[n] = 0;
	snprintf(buf, len, "%s/%s_%s.pcap", dir, when, id);
}

static int
export_all(struct run *r)
{
	struct frameset s = { 0 };
	int status = -1;

	for (size_t i = 0; i < r->model.calls.n && status < 0; i++) {
		const struct sc_diagnosis *d = r->model.calls.v[i];

		if (selected(r, d) && !add_call_frames(&s, d->call))
			status = EXIT_INPUT;
	}
	frameset_seal(&s);
	if (status < 0)
		status = write_frames(r, &s, r->o->export_pcap);
	free(s.v);
	return status;
}

static int
export_split(struct run *r)
{
	const char *dir = r->o->split_dir;
	int status = -1;

	if (mkdir(dir, 0777) != 0 && errno != EEXIST) {
		fprintf(stderr, "sipcause: --split-calls: %s: %s\n", dir,
		        strerror(errno));
		return EXIT_INPUT;
	}
	for (size_t i = 0; i < r->model.calls.n && status < 0; i++) {
		const struct sc_diagnosis *d = r->model.calls.v[i];
		const struct sc_call *c = d->call;
		struct frameset s = { 0 };
		char path[4096];

		if (!selected(r, d))
			continue;
		if (!add_call_frames(&s, c)) {
			free(s.v);
			return EXIT_INPUT;
		}
		frameset_seal(&s);
		split_name(path, sizeof(path), dir, c);
		if (s.n)
			status = write_frames(r, &s, path);
		free(s.v);
	}
	return status;
}

int
cli_export(struct run *r)
{
	int status = -1;

	if (!r->o->export_pcap && !r->o->split_dir)
		return -1;
	if (r->o->export_pcap)
		status = export_all(r);
	if (status < 0 && r->o->split_dir)
		status = export_split(r);
	return status;
}
