/* SPDX-License-Identifier: GPL-2.0 */
#ifndef HARNESS_PREEMPT_H
#define HARNESS_PREEMPT_H
#include "harness.h"

static inline bool in_nmi(void)
{
	return harness_in_nmi;
}

static inline bool in_hardirq(void)
{
	return harness_in_hardirq;
}
#endif
