/* list.h - intrusive circular doubly linked list (O(1) unlink) */
#ifndef SC_LIST_H
#define SC_LIST_H

#include <stdbool.h>
#include <stddef.h>

/*
 * A struct sc_list is both the head of a list and the link embedded in
 * each element; an element's link is "unlinked" (both pointers NULL)
 * when it is in no list. Nothing is allocated; the caller owns every
 * element. Used for the least-recently-used order of reassembly state,
 * so the oldest entry is found and removed in constant time.
 */
struct sc_list {
	struct sc_list *prev;
	struct sc_list *next;
};

/* The element of type @type holding the link @ptr in its @member. */
#define SC_CONTAINER_OF(ptr, type, member) \
	((type *)(void *)((char *)(ptr)-offsetof(type, member)))

/* An empty list head. */
static inline void
sc_list_init(struct sc_list *head)
{
	head->prev = head;
	head->next = head;
}

static inline bool
sc_list_is_empty(const struct sc_list *head)
{
	return head->next == head;
}

/* True when the element link @n is in a list. */
static inline bool
sc_list_is_linked(const struct sc_list *n)
{
	return n->next != NULL;
}

/* Append the unlinked element @n at the tail (the newest end). */
static inline void
sc_list_add_tail(struct sc_list *head, struct sc_list *n)
{
	n->prev = head->prev;
	n->next = head;
	head->prev->next = n;
	head->prev = n;
}

/* Unlink @n from its list; a no-op when it is in none. */
static inline void
sc_list_del(struct sc_list *n)
{
	struct sc_list *prev = n->prev, *next = n->next;

	if (!prev || !next)
		return;
	prev->next = next;
	next->prev = prev;
	n->prev = NULL;
	n->next = NULL;
}

/* Move the linked or unlinked element @n to the tail of @head. */
static inline void
sc_list_move_tail(struct sc_list *head, struct sc_list *n)
{
	sc_list_del(n);
	sc_list_add_tail(head, n);
}

/* The first (oldest) link of @head, or NULL when it is empty. */
static inline struct sc_list *
sc_list_first(const struct sc_list *head)
{
	return head->next == head ? NULL : head->next;
}

#endif /* SC_LIST_H */
