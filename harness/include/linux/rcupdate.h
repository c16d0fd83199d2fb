/* SPDX-License-Identifier: GPL-2.0 */
/* struct rcu_head as include/linux/types.h defines it (callback_head). */
#ifndef HARNESS_RCUPDATE_H
#define HARNESS_RCUPDATE_H
#include "harness.h"

struct rcu_head {
	struct rcu_head *next;
	void (*func)(struct rcu_head *head);
} __attribute__((aligned(sizeof(void *))));

typedef void (*rcu_callback_t)(struct rcu_head *head);
#endif
