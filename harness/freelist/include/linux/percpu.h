/* SPDX-License-Identifier: GPL-2.0-only */
/* Per-CPU data is an array indexed by the simulated CPU number. */
#ifndef _FREELIST_LINUX_PERCPU_H
#define _FREELIST_LINUX_PERCPU_H
#include "shim.h"

#define alloc_percpu(type)	((type *)calloc(nr_cpu_ids, sizeof(type)))
#define free_percpu(ptr)	free(ptr)
#define per_cpu_ptr(ptr, cpu)	(&(ptr)[(cpu)])
#define this_cpu_ptr(ptr)	per_cpu_ptr(ptr, shim_cpu)
#define raw_smp_processor_id()	shim_cpu
#define smp_processor_id()	shim_cpu
#define num_possible_cpus()	nr_cpu_ids
#define cpu_possible_mask	NULL

#define for_each_possible_cpu(cpu) \
	for ((cpu) = 0; (int)(cpu) < (int)nr_cpu_ids; (cpu)++)

/* All CPUs are possible: visit start, start + 1, ..., wrapping at the end. */
#define for_each_cpu_wrap(cpu, mask, start)				\
	for (unsigned int __w = 0;					\
	     __w < nr_cpu_ids &&					\
	     ((cpu) = ((start) + __w) % nr_cpu_ids, true); __w++)

#endif
