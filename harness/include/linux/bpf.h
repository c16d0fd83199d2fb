/* SPDX-License-Identifier: GPL-2.0 */
/* The parts of include/linux/bpf.h that defer_put.c uses, as the series
 * defines them.
 */
#ifndef HARNESS_BPF_H
#define HARNESS_BPF_H
#include "harness.h"
#include "irqflags.h"
#include "preempt.h"
#include "rcupdate.h"

static inline bool bpf_defer_put_needed(void)
{
	return in_nmi() || irqs_disabled();
}

void bpf_defer_put(struct rcu_head *head, rcu_callback_t put);
#endif
