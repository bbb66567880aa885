/* security_impl.h - the tables security.c keeps and security_findings.c
 * reads (internal to the diagnosis stage) */
#ifndef SC_SECURITY_IMPL_H
#define SC_SECURITY_IMPL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sipcause/diagnosis/security.h"
#include "sipcause/util/hashmap.h"
#include "sipcause/util/siphash.h"

#define NS_PER_S INT64_C(1000000000)
/* Distinct users (or numbers) remembered per source. */
#define SET_CAP 64
/* Most failures a guessing burst may need (ring of their times). */
#define RING_MAX 16

/* Call-IDs of a finding: the first few, then a count. */
struct idlist {
	char *v[SC_SEC_MAX_CALL_IDS];
	size_t n;
	uint32_t more;
};

/* Hashes of distinct strings, up to SET_CAP. */
struct strset {
	uint64_t *h;
	size_t n;
	bool capped;
};

struct source {
	struct sc_addr addr; /* hash key (normalised) */
	char *user_agent;    /* scanner UA, else the first UA */
	bool scanner_ua;
	uint32_t requests, refused, answered;
	uint32_t failed;     /* final response >= 400, credentials or not
	                        (refused: only the refusals a scan gets) */
	struct strset users; /* distinct target users */
	struct idlist calls;
	int64_t first_ts, last_ts;
	/* international calls */
	uint32_t intl, intl_rejected, intl_answered;
	struct strset numbers;
	char *first_number;
	struct idlist intl_calls;
	int64_t intl_first, intl_last;
};

struct account {
	unsigned char *key; /* address bytes + user (hash key) */
	size_t keylen;
	struct sc_addr addr;
	char *user;
	char *user_agent;
	uint32_t attempts, failures, successes;
	int64_t ring[RING_MAX]; /* times of the latest failures */
	size_t ring_n, ring_pos;
	bool guessing, compromised;
	int64_t first_ts, last_ts, success_ts;
	int success_code;
	char *success_call;
	struct idlist calls;
};

struct sc_security {
	struct sc_security_opts o;
	struct sc_siphash_key key;
	struct sc_hashmap by_src;
	struct sc_hashmap by_account;
	struct source **src; /* in the order first seen */
	size_t nsrc, src_alloc;
	struct source *last_src; /* the last one source_get() gave */
	struct account **acc;
	size_t nacc, acc_alloc;
	uint64_t untracked;
	struct sc_sec_finding *f; /* the last findings built */
	size_t nf;
	char **texts; /* their sentences */
};

static inline bool
has_text(const char *s)
{
	return s && s[0];
}

/* Free the findings last built and their sentences. */
void sc__sec_findings_clear(struct sc_security *t);

/* Is there a burst: the last guess_failures failures within the window? */
bool sc__sec_burst(const struct sc_security *t, const struct account *a);

#endif /* SC_SECURITY_IMPL_H */
