/* SPDX-License-Identifier: GPL-2.0 */
/* cpu_online(): a per-CPU flag, changed only by the thread playing that
 * CPU (__cpu_disable(), set_cpu_online() of a booting CPU).
 */
#ifndef HARNESS_CPUMASK_H
#define HARNESS_CPUMASK_H
#include "harness.h"

extern bool harness_cpu_is_online[NR_CPUS];

static inline bool cpu_online(unsigned int cpu)
{
	return __atomic_load_n(&harness_cpu_is_online[cpu], __ATOMIC_SEQ_CST);
}
#endif
