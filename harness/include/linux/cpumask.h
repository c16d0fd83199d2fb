/* SPDX-License-Identifier: GPL-2.0 */
/* cpu_online(): a per-CPU flag the harness clears for a CPU it takes down. */
#ifndef HARNESS_CPUMASK_H
#define HARNESS_CPUMASK_H
#include "harness.h"

extern volatile bool harness_cpu_is_online[NR_CPUS];

static inline bool cpu_online(unsigned int cpu)
{
	return harness_cpu_is_online[cpu];
}
#endif
