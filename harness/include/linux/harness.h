/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Userspace stand-ins for the kernel interfaces kernel/bpf/defer_put.c
 * uses. A "CPU" is a thread (harness_cpu is the CPU it plays); an NMI is
 * a signal (SIGUSR1) delivered to that thread; the irq_work interrupt is
 * another signal (SIGUSR2), blocked while the simulated CPU has
 * interrupts off. The context flags below are per thread and are set by
 * harness.c on entry to and exit from each simulated context.
 */
#ifndef HARNESS_H
#define HARNESS_H
#include <assert.h>
#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define NR_CPUS 64
#define __percpu
#define __init
#define likely(x) __builtin_expect(!!(x), 1)
#define unlikely(x) __builtin_expect(!!(x), 0)
#define container_of(ptr, type, member) \
	((type *)((char *)(ptr) - offsetof(type, member)))
#define sizeof_field(TYPE, MEMBER) sizeof((((TYPE *)0)->MEMBER))

/* As include/linux/build_bug.h: the message is optional. */
#undef static_assert
#define static_assert(expr, ...) __static_assert(expr, ##__VA_ARGS__, #expr)
#define __static_assert(expr, msg, ...) _Static_assert(expr, msg)

extern __thread int harness_cpu;
extern __thread volatile int harness_in_nmi;
extern __thread volatile int harness_in_hardirq;
/* Interrupts off on the simulated CPU: process context with interrupts
 * disabled, hard irq, NMI, a CPU that is dead or booting.
 */
extern __thread volatile int harness_irqs_off;

/* As include/linux/printk.h; harness.c counts the warnings. */
extern int harness_warnings;
int harness_warn(const char *fmt, ...);
#define pr_warn(fmt, ...) harness_warn(fmt, ##__VA_ARGS__)

/* Initcalls are collected in a section and run by main() at start. */
typedef int (*initcall_t)(void);
#define late_initcall(fn) \
	static initcall_t __initcall_##fn \
	__attribute__((used, section("harness_initcall"))) = fn
extern initcall_t __start_harness_initcall[], __stop_harness_initcall[];
#endif
