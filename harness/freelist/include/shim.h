/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Just enough of the kernel's environment for kernel/bpf/percpu_freelist.c
 * to compile unchanged in userspace.  A simulated CPU is a thread; the
 * thread-local shim_cpu is its CPU number.  The only "interrupt" in the
 * harness is the simulated NMI (a signal), which local_irq_save() does not
 * mask, just as on real hardware.
 */
#ifndef _FREELIST_SHIM_H
#define _FREELIST_SHIM_H

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

typedef uint32_t u32;

#define __percpu
#define __lockfunc

#define READ_ONCE(x)		(*(const volatile __typeof__(x) *)&(x))
#define WRITE_ONCE(x, val)	(*(volatile __typeof__(x) *)&(x) = (val))

#define local_irq_save(flags)		((flags) = 0)
#define local_irq_restore(flags)	((void)(flags))
#define preempt_disable()		do { } while (0)
#define preempt_enable()		do { } while (0)

extern unsigned int nr_cpu_ids;	/* possible CPUs: 0 .. nr_cpu_ids - 1 */
extern __thread int shim_cpu;	/* the CPU this thread simulates */

#endif
