/* SPDX-License-Identifier: GPL-2.0 */
/* Hard irq_work: queued on the current CPU, run by that CPU with the
 * pending bit cleared before the callback, so it can be queued again
 * while it runs (kernel/irq_work.c).
 */
#ifndef HARNESS_IRQ_WORK_H
#define HARNESS_IRQ_WORK_H
#include "harness.h"

struct irq_work {
	void (*func)(struct irq_work *work);
	int pending;
};

#define IRQ_WORK_INIT_HARD(fn) { .func = (fn) }

bool irq_work_queue(struct irq_work *work);
void harness_irq_work_run(void);
#endif
