/* SPDX-License-Identifier: GPL-2.0 */
/* call_rcu(): callbacks run later on the same CPU, outside hard irq, as
 * softirq does after a grace period.
 */
#ifndef HARNESS_RCUPDATE_H
#define HARNESS_RCUPDATE_H
#include "harness.h"

struct rcu_head {
	struct rcu_head *next;
	void (*func)(struct rcu_head *head);
};

void call_rcu(struct rcu_head *head, void (*func)(struct rcu_head *head));
void harness_rcu_run(void);
#endif
