/* handoff.h - what the reading thread hands the calls thread (internal)
 *
 * A file is read on two cores: one thread reads, decodes, reassembles,
 * frames and parses; the calling thread files the messages into calls,
 * diagnoses and reports them. The reading side hands over events in the
 * order it makes them, in batches through a bounded ring (a mutex and
 * two condition variables per batch of 256, not per event), so the
 * calls side sees exactly what it would see on one thread.
 */
#ifndef SC_PIPELINE_HANDOFF_H
#define SC_PIPELINE_HANDOFF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum sc__ev_kind {
	SC__EV_FRAME,     /* a frame was read: ts_ns, n = wire length; in
	                     the ring it may carry its message and its
	                     end (see sc__handoff_put) */
	SC__EV_FRAME_END, /* its messages were handed over: ts_ns = the
	                     capture clock, in_file */
	SC__EV_MSG,       /* p: a parsed struct sc_msg, owned by the event,
	                     or (unparsed) a message to parse */
	SC__EV_ICMP,      /* p: an ICMP error quoting SIP (analyze.c) */
	SC__EV_PROGRESS,  /* n bytes of total read */
};

struct sc__event {
	enum sc__ev_kind kind;
	bool in_file;
	bool ended;    /* FRAME: its FRAME_END is folded in (end_ns, in_file) */
	bool unparsed; /* MSG, FRAME's message: p is for the calls side to
	                  parse (parse_later.c) */
	int64_t ts_ns;
	uint64_t n;
	union {
		uint64_t total; /* PROGRESS */
		int64_t end_ns; /* FRAME, when ended */
	};
	void *p; /* MSG, ICMP; FRAME: its one message folded in, or NULL */
};

struct sc__handoff;

struct sc__handoff *sc__handoff_new(void);

/* Free @h; events still in it are dropped (their p leaks: drain first). */
void sc__handoff_free(struct sc__handoff *h);

/*
 * Reading side: queue @ev (copied); waits while the ring is full. Most
 * frames hold one message: FRAME, MSG, FRAME_END come as one event (a
 * FRAME with p and ended), a third of the traffic between the cores.
 * The order the calls side sees is the same.
 */
void sc__handoff_put(struct sc__handoff *h, const struct sc__event *ev);

/*
 * Reading side: @size bytes in the batch the next event goes into, for
 * something that event carries and the calls side is done with before
 * it takes the next batch (sc__handoff_release). NULL when the batch has
 * no room left (or no memory): the caller does without.
 */
void *sc__handoff_room(struct sc__handoff *h, size_t size);

/* Reading side: does the calls side have little queued (so it could
 * take on work)? A hint, read without the lock. */
bool sc__handoff_hungry(struct sc__handoff *h);

/* Reading side: nothing more will come (what is queued still goes). */
void sc__handoff_close(struct sc__handoff *h);

/*
 * Calls side: the next batch of events, waiting for one; returns how
 * many (in *events, valid until sc__handoff_release), 0 once the reading
 * side closed and every batch was taken.
 */
size_t sc__handoff_take(struct sc__handoff *h, const struct sc__event **events);
void sc__handoff_release(struct sc__handoff *h);

#endif /* SC_PIPELINE_HANDOFF_H */
