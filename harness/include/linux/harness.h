/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Userspace stand-ins for the kernel interfaces kernel/bpf/nmi_drop.c
 * uses. A "CPU" is a thread (harness_cpu is its number), an "NMI" is a
 * signal delivered to that thread, "hard irq" is the thread running the
 * irq_works queued on its CPU from its main loop, as the kernel does when
 * interrupts are enabled again after the NMI.
 */
#ifndef HARNESS_H
#define HARNESS_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <assert.h>

#define NR_CPUS 64
#define __percpu
#define unlikely(x) __builtin_expect(!!(x), 0)
#define container_of(ptr, type, member) \
	((type *)((char *)(ptr) - offsetof(type, member)))

extern __thread int harness_cpu;
extern __thread volatile int harness_in_nmi;
extern __thread volatile int harness_in_hardirq;

static inline bool in_nmi(void)
{
	return harness_in_nmi;
}

/* Per-CPU variables live in one section that is copied once per CPU at
 * start, as the kernel does with .data..percpu.
 */
extern char __start_harness_percpu[], __stop_harness_percpu[];
extern char *harness_percpu_base[NR_CPUS];
#define DEFINE_PER_CPU(type, name) \
	__attribute__((section("harness_percpu"))) __typeof__(type) name
#define per_cpu_ptr(ptr, cpu) ((__typeof__(ptr))((char *)(ptr) - \
	__start_harness_percpu + harness_percpu_base[cpu]))
#define this_cpu_ptr(ptr) per_cpu_ptr(ptr, harness_cpu)
void harness_percpu_init(int nr_cpus);

#endif
