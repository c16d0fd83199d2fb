/* SPDX-License-Identifier: GPL-2.0 */
#ifndef HARNESS_SMP_H
#define HARNESS_SMP_H
#include "harness.h"

static inline int smp_processor_id(void)
{
	return harness_cpu;
}
#endif
