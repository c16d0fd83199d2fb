// SPDX-License-Identifier: GPL-2.0
/*
 * Drop local objects that hold task and cgroup references from
 * tp_btf/nmi_handler, and count every destructor call on the objects of
 * this test. NMIs come from bpf_kfunc_raise_nmi() in bpf_testmod.
 */
#include <vmlinux.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "bpf_experimental.h"
#include "../test_kmods/bpf_testmod_kfunc.h"

#define SLOTS_PER_CPU	8
#define MAX_CPUS	64
#define NEW_PER_NMI	8

/* What the next fill / NMI does; the same flags as in the test. */
enum {
	DO_SINGLE	= 1,
	DO_OUTER	= 2,
	DO_SHARED0	= 4,
	DO_SHARED1	= 8,
	DO_NEW_IN_NMI	= 16,
};

struct task_struct *bpf_task_acquire(struct task_struct *p) __ksym;
void bpf_task_release(struct task_struct *p) __ksym;
struct cgroup *bpf_cgroup_from_id(u64 cgid) __ksym;
void bpf_cgroup_release(struct cgroup *cgrp) __ksym;

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

struct slot {
	struct single __kptr *single;
	struct outer __kptr *outer;
	struct shared __kptr *shared0;
	struct shared __kptr *shared1;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, SLOTS_PER_CPU * MAX_CPUS);
	__type(key, int);
	__type(value, struct slot);
} slots SEC(".maps");

/* Tasks of this test's worker threads: only their references count. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, u64);
	__type(value, u8);
} marked SEC(".maps");

/* Set by user space. */
u64 nmi_handler_addr;
u64 cgrp_id;
int fill_mode;
int nmi_mode;

/* Shared between contexts: only ever changed with atomic adds. Anonymous,
 * so that the skeleton carries the definition.
 */
struct {
	u64 created;		/* objects made, each with one task reference */
	u64 cgrp_refs;		/* cgroup references stored in objects */
	u64 dropped_in_nmi;	/* bpf_obj_drop() calls in NMI */
	u64 nmi_runs;
	u64 task_dtor_calls;
	u64 cgrp_dtor_calls;
	u64 dtor_in_nmi;
	u64 errors;
} cnt;

static __always_inline void err(void)
{
	__sync_fetch_and_add(&cnt.errors, 1);
}

/* Store a new reference to the current task in *@field. */
static __always_inline int give_task(struct task_struct __kptr **field)
{
	struct task_struct *t;

	t = bpf_task_acquire(bpf_get_current_task_btf());
	if (!t)
		return -1;
	t = bpf_kptr_xchg(field, t);
	if (t) {
		bpf_task_release(t);
		return -1;
	}
	return 0;
}

static __always_inline struct slot *cpu_slot(int i)
{
	u32 cpu = bpf_get_smp_processor_id();
	int key = cpu * SLOTS_PER_CPU + i;

	if (cpu >= MAX_CPUS)
		return NULL;
	return bpf_map_lookup_elem(&slots, &key);
}

/* @with_cgrp: bpf_cgroup_from_id() is not for NMI, so only in process context. */
static __always_inline int new_single(struct single **out, bool with_cgrp)
{
	struct single *o;
	struct cgroup *c;

	o = bpf_obj_new(typeof(*o));
	if (!o)
		return -1;
	if (give_task(&o->task)) {
		bpf_obj_drop(o);
		return -1;
	}
	__sync_fetch_and_add(&cnt.created, 1);
	if (with_cgrp && cgrp_id) {
		c = bpf_cgroup_from_id(cgrp_id);
		if (c) {
			c = bpf_kptr_xchg(&o->cgrp, c);
			if (c)
				bpf_cgroup_release(c);
			else
				__sync_fetch_and_add(&cnt.cgrp_refs, 1);
		}
	}
	*out = o;
	return 0;
}

SEC("syscall")
int mark(void *ctx)
{
	u64 task = (u64)bpf_get_current_task_btf();
	u8 one = 1;

	return bpf_map_update_elem(&marked, &task, &one, BPF_ANY);
}

/* bpf_obj_new() in NMI only takes objects from this CPU's cache in the BPF
 * memory allocator, which starts with 4 objects of each small size and is
 * refilled by an irq_work that cannot run inside an NMI: NEW_PER_NMI
 * objects made in the first NMI on a CPU would not all be there. An
 * allocation here makes that irq_work fill the cache to at least its low
 * watermark (32 objects for this size) before that NMI. No kptr is set,
 * so nothing is counted.
 */
SEC("syscall")
int warm_cache(void *ctx)
{
	struct single *o = bpf_obj_new(typeof(*o));

	if (!o)
		return -1;
	bpf_obj_drop(o);
	return 0;
}

/* Process context: fill this CPU's slots with the objects of fill_mode. */
SEC("syscall")
int fill(void *ctx)
{
	int i;

	bpf_for(i, 0, SLOTS_PER_CPU) {
		struct slot *s = cpu_slot(i);
		struct shared *sh, *sh2;
		struct single *o;
		struct outer *out;
		struct inner *in;

		if (!s) {
			err();
			return 1;
		}
		if (fill_mode & DO_SINGLE) {
			if (new_single(&o, true)) {
				err();
				continue;
			}
			o = bpf_kptr_xchg(&s->single, o);
			if (o) {
				err();
				bpf_obj_drop(o);
			}
		}
		if (fill_mode & DO_OUTER) {
			out = bpf_obj_new(typeof(*out));
			if (!out) {
				err();
				continue;
			}
			in = bpf_obj_new(typeof(*in));
			if (!in) {
				err();
				bpf_obj_drop(out);
				continue;
			}
			if (give_task(&in->task))
				err();
			else
				__sync_fetch_and_add(&cnt.created, 1);
			in = bpf_kptr_xchg(&out->inner, in);
			if (in) {
				err();
				bpf_obj_drop(in);
			}
			out = bpf_kptr_xchg(&s->outer, out);
			if (out) {
				err();
				bpf_obj_drop(out);
			}
		}
		if (fill_mode & DO_SHARED0) {
			sh = bpf_obj_new(typeof(*sh));
			if (!sh) {
				err();
				continue;
			}
			if (give_task(&sh->task))
				err();
			else
				__sync_fetch_and_add(&cnt.created, 1);
			sh2 = bpf_refcount_acquire(sh);
			sh = bpf_kptr_xchg(&s->shared0, sh);
			if (sh) {
				err();
				bpf_obj_drop(sh);
			}
			sh2 = bpf_kptr_xchg(&s->shared1, sh2);
			if (sh2) {
				err();
				bpf_obj_drop(sh2);
			}
		}
	}
	return 0;
}

/* Process context: make and drop objects, the teardown runs inline. */
SEC("syscall")
int churn(void *ctx)
{
	struct single *o;
	int i;

	bpf_for(i, 0, SLOTS_PER_CPU) {
		if (new_single(&o, true)) {
			err();
			continue;
		}
		bpf_obj_drop(o);
	}
	return 0;
}

/* References to the current task held through rcu_users, as
 * bpf_task_acquire() takes them.
 */
SEC("syscall")
int task_refs(void *ctx)
{
	struct task_struct *t = bpf_get_current_task_btf();

	return t->rcu_users.refs.counter;
}

SEC("syscall")
int raise_nmi(void *ctx)
{
	return bpf_kfunc_raise_nmi();
}

/* Take the object out of a slot and drop it (the verifier knows its type). */
#define DROP_FIELD(s, field)						\
	do {								\
		void *__o = bpf_kptr_xchg(&(s)->field, NULL);		\
		if (__o) {						\
			bpf_obj_drop(__o);				\
			__sync_fetch_and_add(&cnt.dropped_in_nmi, 1);	\
		}							\
	} while (0)

SEC("tp_btf/nmi_handler")
int BPF_PROG(drop_in_nmi, void *handler, s64 delta_ns, int handled)
{
	struct single *o;
	int i;

	/* Every NMI runs every NMI_LOCAL handler: only the ones bpf_testmod
	 * raised are claimed by its handler.
	 */
	if ((u64)handler != nmi_handler_addr || !handled)
		return 0;
	if (!bpf_in_nmi()) {
		err();
		return 0;
	}
	__sync_fetch_and_add(&cnt.nmi_runs, 1);

	bpf_for(i, 0, SLOTS_PER_CPU) {
		struct slot *s = cpu_slot(i);

		if (!s) {
			err();
			return 0;
		}
		if (nmi_mode & DO_SINGLE)
			DROP_FIELD(s, single);
		if (nmi_mode & DO_OUTER)
			DROP_FIELD(s, outer);
		if (nmi_mode & DO_SHARED0)
			DROP_FIELD(s, shared0);
		if (nmi_mode & DO_SHARED1)
			DROP_FIELD(s, shared1);
	}
	if (nmi_mode & DO_NEW_IN_NMI) {
		bpf_for(i, 0, NEW_PER_NMI) {
			if (new_single(&o, false)) {
				err();
				continue;
			}
			bpf_obj_drop(o);
			__sync_fetch_and_add(&cnt.dropped_in_nmi, 1);
		}
	}
	return 0;
}

SEC("fentry/bpf_task_release_dtor")
int BPF_PROG(task_dtor, void *p)
{
	u64 task = (u64)p;

	if (!bpf_map_lookup_elem(&marked, &task))
		return 0;
	__sync_fetch_and_add(&cnt.task_dtor_calls, 1);
	if (bpf_in_nmi())
		__sync_fetch_and_add(&cnt.dtor_in_nmi, 1);
	return 0;
}

SEC("fentry/bpf_cgroup_release_dtor")
int BPF_PROG(cgrp_dtor, struct cgroup *cgrp)
{
	if (!cgrp_id || BPF_CORE_READ(cgrp, kn, id) != cgrp_id)
		return 0;
	__sync_fetch_and_add(&cnt.cgrp_dtor_calls, 1);
	if (bpf_in_nmi())
		__sync_fetch_and_add(&cnt.dtor_in_nmi, 1);
	return 0;
}

char _license[] SEC("license") = "GPL";
