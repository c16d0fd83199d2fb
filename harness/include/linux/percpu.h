/* SPDX-License-Identifier: GPL-2.0 */
/* Per-CPU variables live in one section that is copied once per CPU at
 * start, as the kernel does with .data..percpu.
 */
#ifndef HARNESS_PERCPU_H
#define HARNESS_PERCPU_H
#include "harness.h"

extern char __start_harness_percpu[], __stop_harness_percpu[];
extern char *harness_percpu_base[NR_CPUS];
#define DEFINE_PER_CPU(type, name) \
	__attribute__((section("harness_percpu"))) __typeof__(type) name
#define per_cpu_ptr(ptr, cpu) ((__typeof__(ptr))((char *)(ptr) - \
	__start_harness_percpu + harness_percpu_base[cpu]))
#define this_cpu_ptr(ptr) per_cpu_ptr(ptr, harness_cpu)
void harness_percpu_init(int nr_cpus);
#endif
