/* SPDX-License-Identifier: GPL-2.0 */
#ifndef HARNESS_IRQFLAGS_H
#define HARNESS_IRQFLAGS_H
#include "harness.h"

static inline bool irqs_disabled(void)
{
	return harness_irqs_off;
}
#endif
