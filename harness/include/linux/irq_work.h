/* SPDX-License-Identifier: GPL-2.0 */
/* Hard irq_work as kernel/irq_work.c implements it: irq_work_queue()
 * claims the work (sets PENDING | BUSY) and does nothing if it was
 * PENDING already; otherwise it adds the work to the running CPU's raised
 * list and raises the interrupt only if that list was empty. The
 * interrupt takes the whole list and runs each work with PENDING cleared
 * before the callback, BUSY after it. A work queued on a CPU that is not
 * online stays on that CPU's raised list.
 */
#ifndef HARNESS_IRQ_WORK_H
#define HARNESS_IRQ_WORK_H
#include "harness.h"
#include "llist.h"

#define IRQ_WORK_PENDING	0x01
#define IRQ_WORK_BUSY		0x02
#define IRQ_WORK_HARD_IRQ	0x04

struct irq_work {
	struct llist_node node;
	int flags;
	void (*func)(struct irq_work *work);
};

#define IRQ_WORK_INIT_HARD(_func) { .flags = IRQ_WORK_HARD_IRQ, .func = (_func) }

bool irq_work_queue(struct irq_work *work);
#endif
