/* SPDX-License-Identifier: GPL-2.0 */
/* Lock-free list with the kernel's semantics: llist_add() is a cmpxchg
 * loop (safe against an NMI that adds to the same list) and returns true
 * if the list was empty, llist_del_all() an xchg; both fully ordered.
 */
#ifndef HARNESS_LLIST_H
#define HARNESS_LLIST_H
#include "harness.h"

struct llist_node {
	struct llist_node *next;
};

struct llist_head {
	struct llist_node *first;
};

static inline bool llist_add(struct llist_node *new, struct llist_head *head)
{
	struct llist_node *first = __atomic_load_n(&head->first, __ATOMIC_RELAXED);

	do {
		new->next = first;
	} while (!__atomic_compare_exchange_n(&head->first, &first, new, false,
					      __ATOMIC_SEQ_CST, __ATOMIC_RELAXED));
	return !first;
}

static inline struct llist_node *llist_del_all(struct llist_head *head)
{
	return __atomic_exchange_n(&head->first, NULL, __ATOMIC_SEQ_CST);
}

static inline bool llist_empty(const struct llist_head *head)
{
	return !__atomic_load_n(&head->first, __ATOMIC_SEQ_CST);
}
#endif
