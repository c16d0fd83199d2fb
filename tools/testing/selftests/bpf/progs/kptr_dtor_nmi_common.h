/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Shared by kptr_dtor_nmi.c (local objects dropped in NMI) and
 * kptr_dtor_nmi_release.c (kptrs released in NMI): the slots, how a
 * program in NMI finds the slots of its CPU, the victims whose last
 * reference the slots hold, and the detectors of their last puts.
 */
#ifndef __KPTR_DTOR_NMI_COMMON_H
#define __KPTR_DTOR_NMI_COMMON_H

#include <vmlinux.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "bpf_experimental.h"
#include "../test_kmods/bpf_testmod_kfunc.h"

struct task_struct *bpf_task_acquire(struct task_struct *p) __ksym;
void bpf_task_release(struct task_struct *p) __ksym;
struct cgroup *bpf_cgroup_from_id(u64 cgid) __ksym;
void bpf_cgroup_release(struct cgroup *cgrp) __ksym;
void bpf_rcu_read_lock(void) __ksym;
void bpf_rcu_read_unlock(void) __ksym;

struct single {
	struct task_struct __kptr *task;
	struct cgroup __kptr *cgrp;
};

struct inner {
	struct task_struct __kptr *task;
};

struct outer {
	struct inner __kptr *inner;
};

struct shared {
	struct task_struct __kptr *task;
	struct bpf_refcount ref;
};

/* In a list and in a slot at once: inserting it again fails. Or, with
 * DO_LIST_ADD, in a slot only and inserted after a node in no list: that
 * fails too, and frees the node, the holder of the last reference.
 */
struct task_node {
	struct bpf_list_node node;
	struct bpf_refcount ref;
	struct task_struct __kptr *task;
};

/* task and cgrp hold victims' last references until they are released in
 * NMI, or moved into a local object that is dropped there.
 */
struct slot {
	struct task_struct __kptr *task;
	struct cgroup __kptr *cgrp;
	struct single __kptr *single;
	struct outer __kptr *outer;
	struct shared __kptr *shared0;
	struct shared __kptr *shared1;
	struct task_node __kptr *tnode;
	struct task_node __kptr *tprev;
};

/* max_entries of both are set by user space before load. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, int);
	__type(value, struct slot);
} slots SEC(".maps");

/* CPU -> its first slot, or -1: user space runs one worker per CPU. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, int);
	__type(value, int);
} cpu_base SEC(".maps");

/* Last puts of a victim (a task or a cgroup), by the detectors below. */
struct victim {
	u32 last_puts;
	u32 in_nmi;
	u32 in_hardirq;
	u32 in_irqs_off_fn;	/* inside bpf_testmod_irqs_off_fn() */
};

/* Victims by task_struct or cgroup address; only these are counted. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, u64);
	__type(value, struct victim);
} victims SEC(".maps");

/* Shared with user space (struct common_bss in prog_tests/kptr_dtor_nmi.c),
 * the same in both objects: set by user space, or counters, which are only
 * changed with atomic adds. Anonymous, so that the skeleton carries the
 * definition.
 */
struct {
	u64 nmi_handler_addr;
	int slots_per_cpu;
	int nmi_mode;		/* what an NMI releases or drops */
	int irqs_off_mode;	/* what bpf_testmod_irqs_off_fn() releases or drops */
	u64 nmi_runs;
	u64 released;		/* kptrs released or objects dropped */
	u64 errors;
} ctl;

/* Per CPU: a program attached to bpf_testmod_irqs_off_fn() is running. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, int);
	__type(value, int);
} irqs_off_fn SEC(".maps");

static __always_inline void err(void)
{
	__sync_fetch_and_add(&ctl.errors, 1);
}

/* Slot @i of this CPU, NULL (an error) if out of range. */
static __always_inline struct slot *cpu_slot(int i)
{
	int cpu = bpf_get_smp_processor_id(), key, *base;

	base = bpf_map_lookup_elem(&cpu_base, &cpu);
	if (!base || *base < 0)
		return NULL;
	key = *base + i;
	return bpf_map_lookup_elem(&slots, &key);
}

/* Every NMI runs the NMI_UNKNOWN handlers it reaches: bpf_testmod's
 * handler claims only the NMIs it raised.
 */
static __always_inline bool our_nmi(void *handler, int handled)
{
	if ((u64)handler != ctl.nmi_handler_addr || !handled)
		return false;
	if (!bpf_in_nmi()) {
		err();
		return false;
	}
	__sync_fetch_and_add(&ctl.nmi_runs, 1);
	return true;
}

/* Arguments of the syscall programs (ctx_in); the same in user space. */
struct args {
	int slot;	/* first slot */
	int n;		/* number of slots */
	int mode;	/* DO_* */
	u64 cgrp_id;
	int refs;	/* cgroup references the slots hold, if not 1 */
};

/* What a fill or a drop does. */
enum {
	DO_SINGLE	= 1,
	DO_OUTER	= 2,
	DO_SHARED0	= 4,
	DO_SHARED1	= 8,
	DO_NEW		= 16,
	DO_TASK		= 32,
	DO_CGRP		= 64,
	DO_LIST		= 128,
	DO_LIST_ADD	= 256,
};

/* The calling thread becomes a victim: slot->task holds a reference to it,
 * which is the last once the thread has exited and was reaped.
 */
SEC("syscall")
int victim_task(struct args *args)
{
	struct task_struct *t = bpf_get_current_task_btf();
	struct victim v = {};
	int key = args->slot;
	u64 addr = (u64)t;
	struct slot *s;

	s = bpf_map_lookup_elem(&slots, &key);
	if (!s)
		return -1;
	if (bpf_map_update_elem(&victims, &addr, &v, BPF_NOEXIST))
		return -2;
	t = bpf_task_acquire(t);
	if (!t)
		return -3;
	t = bpf_kptr_xchg(&s->task, t);
	if (t) {
		bpf_task_release(t);
		return -4;
	}
	return 0;
}

/* slot->cgrp holds a reference to the cgroup @cgrp_id, which is the last
 * once user space removed the cgroup and the css went offline.
 */
SEC("syscall")
int victim_cgroup(struct args *args)
{
	struct victim v = {};
	int key = args->slot;
	struct cgroup *c;
	struct slot *s;
	u64 addr;

	s = bpf_map_lookup_elem(&slots, &key);
	if (!s)
		return -1;
	c = bpf_cgroup_from_id(args->cgrp_id);
	if (!c)
		return -2;
	addr = (u64)c;
	/* A second reference (@refs 2) to a victim made just before. */
	if (bpf_map_update_elem(&victims, &addr, &v, args->refs > 1 ? BPF_ANY : BPF_NOEXIST)) {
		bpf_cgroup_release(c);
		return -3;
	}
	c = bpf_kptr_xchg(&s->cgrp, c);
	if (c) {
		bpf_cgroup_release(c);
		return -4;
	}
	return 0;
}

#define PERCPU_REF_ATOMIC	1	/* __PERCPU_REF_ATOMIC */

/* How many task and cgroup references in @args->n slots from @args->slot
 * are the last ones (of a cgroup, one of the last @args->refs): user space
 * waits for the reaping and the offlining by this condition.
 */
SEC("syscall")
int last_refs(struct args *args)
{
	int i, n = 0, first = args->slot, cnt = args->n, refs = args->refs ?: 1;

	/* Syscall programs are sleepable: kptr loads need RCU. */
	bpf_rcu_read_lock();
	bpf_for(i, 0, cnt) {
		int key = first + i;
		struct task_struct *t;
		struct cgroup *c;
		struct slot *s;

		s = bpf_map_lookup_elem(&slots, &key);
		if (!s) {
			n = -1;
			break;
		}
		t = s->task;
		if (t && t->rcu_users.refs.counter == 1)
			n++;
		c = s->cgrp;
		if (c && (BPF_CORE_READ(c, self.refcnt.percpu_count_ptr) & PERCPU_REF_ATOMIC) &&
		    BPF_CORE_READ(c, self.refcnt.data, count.counter) == refs)
			n++;
	}
	bpf_rcu_read_unlock();
	return n;
}

SEC("syscall")
int raise_nmi(void *ctx)
{
	return bpf_kfunc_raise_nmi();
}

SEC("syscall")
int call_irqs_off(void *ctx)
{
	return bpf_kfunc_call_irqs_off();
}

static __always_inline void last_put(u64 addr)
{
	struct victim *v = bpf_map_lookup_elem(&victims, &addr);
	int zero = 0, *in_fn;

	if (!v)
		return;
	__sync_fetch_and_add(&v->last_puts, 1);
	if (bpf_in_nmi())
		__sync_fetch_and_add(&v->in_nmi, 1);
	else if (bpf_in_hardirq())
		__sync_fetch_and_add(&v->in_hardirq, 1);
	in_fn = bpf_map_lookup_elem(&irqs_off_fn, &zero);
	if (in_fn && *in_fn)
		__sync_fetch_and_add(&v->in_irqs_off_fn, 1);
}

/* Detectors: the last rcu_users put of a task calls call_rcu(), the last
 * put of a css runs css_release(), which queues work; neither may run in
 * NMI.
 *
 * A put at rcu_users 0 comes after the last one: counted, so that a
 * second last put fails the test. A put at 1 after the victim's last put
 * was counted is another task's, one that got the freed task_struct.
 */
SEC("fentry/put_task_struct_rcu_user")
int BPF_PROG(task_put, struct task_struct *t)
{
	int users = t->rcu_users.refs.counter;
	u64 addr = (u64)t;
	struct victim *v;

	v = bpf_map_lookup_elem(&victims, &addr);
	if (v && (users == 0 || (users == 1 && !v->last_puts)))
		last_put(addr);
	return 0;
}

SEC("fentry/css_release")
int BPF_PROG(css_release, struct percpu_ref *ref)
{
	struct cgroup_subsys_state *css = container_of(ref, struct cgroup_subsys_state, refcnt);
	struct cgroup *c = BPF_CORE_READ(css, cgroup);

	if (css == &c->self)
		last_put((u64)c);
	return 0;
}

#endif /* __KPTR_DTOR_NMI_COMMON_H */
