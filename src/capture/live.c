/* live.c - capture from network interfaces: open, poll, dispatch, stats */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pcap/pcap.h>

#include "dlt.h"
#include "sipcause/capture/live.h"

struct iface {
	pcap_t *pcap;
	const char *name; /* borrowed from the options */
	int linktype;     /* LINKTYPE_* numbering */
	bool nano;        /* timestamps in nanoseconds */
	int fd;           /* selectable, or -1 */
	uint64_t frames;  /* handed over from this interface */
};

struct sc_live {
	struct iface *ifs;
	size_t n;
	struct pollfd *fds;
	uint64_t next_number;
	uint64_t frames;
};

/* One dispatch round: where frames go and which interface they are on. */
struct round {
	struct sc_live *live;
	struct iface *iface;
	sc_live_frame_fn *fn;
	void *ctx;
};

/* One line saying why @name could not be activated (rc < 0). */
static void
activate_failed(pcap_t *p, const char *name, int rc, char *errbuf)
{
	const char *detail = pcap_geterr(p);

	switch (rc) {
	case PCAP_ERROR_NO_SUCH_DEVICE:
		snprintf(errbuf, SC_ERRBUF_SIZE,
		         "%s: no such interface (see 'ip link'; 'any' "
		         "captures on all)",
		         name);
		break;
	case PCAP_ERROR_PERM_DENIED:
	case PCAP_ERROR_PROMISC_PERM_DENIED:
		snprintf(errbuf, SC_ERRBUF_SIZE,
		         "%s: permission denied: live capture needs root or "
		         "the CAP_NET_RAW capability (setcap "
		         "cap_net_raw+ep on the binary) (%s)",
		         name, detail[0] ? detail : "no detail");
		break;
	case PCAP_ERROR_IFACE_NOT_UP:
		snprintf(errbuf, SC_ERRBUF_SIZE,
		         "%s: the interface is down (ip link set %s up)", name,
		         name);
		break;
	default:
		snprintf(errbuf, SC_ERRBUF_SIZE, "%s: %s", name,
		         detail[0] ? detail : pcap_statustostr(rc));
		break;
	}
}

static enum sc_err
set_filter(struct iface *i, const char *filter, char *errbuf)
{
	struct bpf_program prog;

	if (pcap_compile(i->pcap, &prog, filter, 1, PCAP_NETMASK_UNKNOWN) !=
	    0) {
		snprintf(errbuf, SC_ERRBUF_SIZE, "bad capture filter '%s': %s",
		         filter, pcap_geterr(i->pcap));
		return SC_EUSAGE;
	}
	if (pcap_setfilter(i->pcap, &prog) != 0) {
		snprintf(errbuf, SC_ERRBUF_SIZE,
		         "%s: cannot set the filter: %s", i->name,
		         pcap_geterr(i->pcap));
		pcap_freecode(&prog);
		return SC_EPCAP;
	}
	pcap_freecode(&prog);
	return SC_OK;
}

/* Settings that must be made before activation. */
static void
configure(pcap_t *p, const struct sc_live_opts *o)
{
	pcap_set_snaplen(p, o->snaplen > 0 ? o->snaplen : SC_LIVE_SNAPLEN);
	pcap_set_promisc(p, o->promisc ? 1 : 0);
	/* without it, the last frames of a burst wait for the timeout */
	pcap_set_immediate_mode(p, 1);
	pcap_set_timeout(p, 100);
	if (o->buffer_kib > 0)
		pcap_set_buffer_size(p, o->buffer_kib * 1024);
	/* an error here only means microseconds: checked after activation */
	(void)pcap_set_tstamp_precision(p, PCAP_TSTAMP_PRECISION_NANO);
}

static enum sc_err
open_one(struct iface *i, const char *name, const struct sc_live_opts *o,
         char *errbuf)
{
	char perr[PCAP_ERRBUF_SIZE] = "";
	int rc;

	i->name = name;
	i->fd = -1;
	i->pcap = pcap_create(name, perr);
	if (!i->pcap) {
		snprintf(errbuf, SC_ERRBUF_SIZE, "%s: %s", name, perr);
		return SC_EPCAP;
	}
	configure(i->pcap, o);
	rc = pcap_activate(i->pcap);
	if (rc < 0) {
		activate_failed(i->pcap, name, rc, errbuf);
		return SC_EPCAP;
	}
	i->linktype = sc__dlt_to_linktype(pcap_datalink(i->pcap));
	if (!sc_capture_linktype_supported(i->linktype)) {
		snprintf(errbuf, SC_ERRBUF_SIZE,
		         "%s: unsupported link type %s (%d)", name,
		         sc_capture_linktype_name(i->linktype), i->linktype);
		return SC_EPCAP;
	}
	i->nano = pcap_get_tstamp_precision(i->pcap) ==
	          PCAP_TSTAMP_PRECISION_NANO;
	if (o->filter && o->filter[0]) {
		enum sc_err err = set_filter(i, o->filter, errbuf);

		if (err != SC_OK)
			return err;
	}
	if (pcap_setnonblock(i->pcap, 1, perr) != 0) {
		snprintf(errbuf, SC_ERRBUF_SIZE, "%s: %s", name, perr);
		return SC_EPCAP;
	}
	i->fd = pcap_get_selectable_fd(i->pcap);
	return SC_OK;
}

enum sc_err
sc_live_open(const struct sc_live_opts *opts, struct sc_live **out,
             char *errbuf)
{
	struct sc_live *l = calloc(1, sizeof(*l));

	*out = NULL;
	if (l) {
		l->ifs = calloc(opts->nifaces, sizeof(*l->ifs));
		l->fds = calloc(opts->nifaces, sizeof(*l->fds));
	}
	if (!l || !l->ifs || !l->fds) {
		sc_live_close(l);
		snprintf(errbuf, SC_ERRBUF_SIZE, "%s", sc_strerror(SC_ENOMEM));
		return SC_ENOMEM;
	}
	l->next_number = 1;
	for (size_t i = 0; i < opts->nifaces; i++) {
		enum sc_err err;

		l->n = i + 1;
		err = open_one(&l->ifs[i], opts->ifaces[i], opts, errbuf);
		if (err != SC_OK) {
			sc_live_close(l);
			return err;
		}
		l->fds[i].fd = l->ifs[i].fd;
		l->fds[i].events = POLLIN;
	}
	*out = l;
	return SC_OK;
}

size_t
sc_live_count(const struct sc_live *l)
{
	return l->n;
}

const char *
sc_live_name(const struct sc_live *l, size_t i)
{
	return l->ifs[i].name;
}

int
sc_live_linktype(const struct sc_live *l, size_t i)
{
	return l->ifs[i].linktype;
}

uint64_t
sc_live_frames(const struct sc_live *l, size_t i)
{
	return l->ifs[i].frames;
}

bool
sc_live_nanosecond(const struct sc_live *l, size_t i)
{
	return l->ifs[i].nano;
}

enum sc_err
sc_live_wait(struct sc_live *l, int timeout_ms, char *errbuf)
{
	/* an interface without a selectable fd is looked at every 10 ms */
	for (size_t i = 0; i < l->n; i++)
		if (l->ifs[i].fd < 0 && timeout_ms > 10)
			timeout_ms = 10;
	if (poll(l->fds, l->n, timeout_ms) < 0 && errno != EINTR) {
		snprintf(errbuf, SC_ERRBUF_SIZE, "poll: %s", strerror(errno));
		return SC_EIO;
	}
	return SC_OK;
}

static void
on_packet(u_char *user, const struct pcap_pkthdr *h, const u_char *data)
{
	struct round *r = (struct round *)user;
	struct sc_frame f;

	f.number = r->live->next_number++;
	/* with nanosecond precision tv_usec holds nanoseconds */
	f.ts_ns = (int64_t)h->ts.tv_sec * 1000000000 +
	          (int64_t)h->ts.tv_usec * (r->iface->nano ? 1 : 1000);
	f.caplen = h->caplen;
	f.wirelen = h->len;
	f.linktype = r->iface->linktype;
	f.data = data;
	r->live->frames++;
	r->iface->frames++;
	r->fn(r->ctx, &f);
}

enum sc_err
sc_live_dispatch(struct sc_live *l, uint64_t max, sc_live_frame_fn *fn,
                 void *ctx, uint64_t *n, char *errbuf)
{
	uint64_t before = l->frames;
	struct round r = { .live = l, .fn = fn, .ctx = ctx };

	for (size_t i = 0; i < l->n; i++) {
		uint64_t done = l->frames - before;
		int cnt = -1;
		int rc;

		if (max) {
			if (done >= max)
				break;
			cnt = max - done > 1000000 ? 1000000
			                           : (int)(max - done);
		}
		r.iface = &l->ifs[i];
		rc = pcap_dispatch(l->ifs[i].pcap, cnt, on_packet,
		                   (u_char *)&r);
		if (rc == PCAP_ERROR) {
			*n = l->frames - before;
			snprintf(errbuf, SC_ERRBUF_SIZE, "%s: %s",
			         l->ifs[i].name, pcap_geterr(l->ifs[i].pcap));
			return SC_EPCAP;
		}
	}
	*n = l->frames - before;
	return SC_OK;
}

void
sc_live_get_stats(struct sc_live *l, struct sc_live_stats *s)
{
	memset(s, 0, sizeof(*s));
	s->frames = l->frames;
	for (size_t i = 0; i < l->n; i++) {
		struct pcap_stat ps;

		if (pcap_stats(l->ifs[i].pcap, &ps) != 0)
			continue;
		s->received += ps.ps_recv;
		s->kernel_drops += ps.ps_drop;
		s->iface_drops += ps.ps_ifdrop;
	}
}

void
sc_live_close(struct sc_live *l)
{
	if (!l)
		return;
	for (size_t i = 0; i < l->n; i++)
		if (l->ifs[i].pcap)
			pcap_close(l->ifs[i].pcap);
	free(l->ifs);
	free(l->fds);
	free(l);
}

/* Append @s to @buf at *at; false when it does not fit. */
static bool
append(char *buf, size_t len, size_t *at, const char *s)
{
	int n = snprintf(buf + *at, len - *at, "%s", s);

	if (n < 0 || (size_t)n >= len - *at)
		return false;
	*at += (size_t)n;
	return true;
}

bool
sc_live_sip_filter(const uint16_t *ports, size_t nports, char *buf, size_t len)
{
	size_t at = 0;
	char port[24];

	if (len == 0 ||
	    !append(buf, len, &at, "((tcp or udp) and (port 5060 or port 5061"))
		return false;
	for (size_t i = 0; i < nports; i++) {
		if (ports[i] == 5060 || ports[i] == 5061)
			continue;
		snprintf(port, sizeof(port), " or port %u", (unsigned)ports[i]);
		if (!append(buf, len, &at, port))
			return false;
	}
	/* later fragments carry no ports: let every one through */
	return append(buf, len, &at,
	              ")) or (ip[6:2] & 0x1fff != 0) or (ip6[6] = 44)");
}
