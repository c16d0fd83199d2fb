// SPDX-License-Identifier: GPL-2.0
/* Cost of kptr destructor handling: see benchs/bench_kptr_dtor.c.
 *
 * The programs marked '?' are loaded only by the benchmarks that need them:
 * raise_nmi needs bpf_testmod, and drop_in_nmi needs a kernel that lets
 * tracing programs drop objects holding task references.
 */
#include <vmlinux.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include "bpf_experimental.h"

#define BATCH 64
#define NMI_BATCH 32
#define MEM_SLOTS 1000000	/* kptr-mem's object count */

struct task_struct *bpf_task_acquire(struct task_struct *p) __ksym;
void bpf_task_release(struct task_struct *p) __ksym;
/* From bpf_testmod; weak so that the benchmarks that do not raise NMIs load
 * without it.
 */
extern int bpf_kfunc_raise_nmi(void) __ksym __weak;

struct val {
	struct task_struct __kptr *task;
};

struct holder {
	struct task_struct __kptr *task;
};

struct slot {
	struct holder __kptr *obj;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, int);
	__type(value, struct val);
} vals SEC(".maps");

/* kptr-mem: objects kept alive between mem_fill and their drop */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, MEM_SLOTS);
	__type(key, int);
	__type(value, struct slot);
} slots SEC(".maps");

long hits;
long errors;
long alloc_fails;
u64 nmi_handler_addr;
u64 bench_task;		/* the producer thread's task_struct */
u64 drop_start_ns;
u64 dtor_sum_ns;	/* sum over destructors of (end - drop_start_ns) */
u64 dtor_cnt;		/* destructor calls on bench_task */
int lo, hi;		/* kptr-mem: the slots mem_fill/mem_drop work on */
int next;		/* kptr-mem: the first slot mem_fill did not fill */
bool nmi_drops_slots;	/* kptr-mem: the NMI program drops slots [lo, hi) */
long slots_dropped;

/* An object holding a reference to the current task. */
static __always_inline struct holder *new_holder(void)
{
	struct task_struct *t;
	struct holder *o;

	o = bpf_obj_new(typeof(*o));
	if (!o)
		return NULL;
	t = bpf_task_acquire(bpf_get_current_task_btf());
	if (t) {
		t = bpf_kptr_xchg(&o->task, t);
		if (t)
			bpf_task_release(t);
	}
	return o;
}

/* Make up to n objects and drop each. bpf_obj_new() fails when this CPU's
 * bpf_mem_alloc cache is empty, which in NMI happens after a few dozen
 * objects: the cache is refilled from irq_work, and objects dropped in NMI
 * go back to it only after the deferred teardown.
 */
static __always_inline int churn(int n)
{
	struct holder *o;
	long done = 0;
	int i;

	bpf_for(i, 0, n) {
		o = new_holder();
		if (!o) {
			__sync_fetch_and_add(&alloc_fails, 1);
			break;
		}
		if (!done)
			drop_start_ns = bpf_ktime_get_ns();
		bpf_obj_drop(o);
		done++;
	}
	__sync_fetch_and_add(&hits, done);
	return 0;
}

/* Take the objects in slots [lo, hi) out of the map and drop them. */
static __always_inline int drop_slots(void)
{
	struct holder *o;
	struct slot *s;
	int i;

	bpf_for(i, lo, hi) {
		s = bpf_map_lookup_elem(&slots, &i);
		if (!s)
			return 1;
		o = bpf_kptr_xchg(&s->obj, NULL);
		if (!o) {
			__sync_fetch_and_add(&errors, 1);
			continue;
		}
		bpf_obj_drop(o);
		__sync_fetch_and_add(&slots_dropped, 1);
	}
	return 0;
}

/* Store a reference to the current task in the map value. */
SEC("syscall")
int xchg_setup(void *ctx)
{
	struct task_struct *t;
	int key = 0;
	struct val *v;

	v = bpf_map_lookup_elem(&vals, &key);
	if (!v)
		return 1;
	t = bpf_task_acquire(bpf_get_current_task_btf());
	if (!t)
		return 1;
	t = bpf_kptr_xchg(&v->task, t);
	if (t)
		bpf_task_release(t);
	return 0;
}

/* (a) Take the task reference out of the map value and put it back. */
SEC("syscall")
int xchg_task(void *ctx)
{
	struct task_struct *t;
	int key = 0, i;
	struct val *v;

	v = bpf_map_lookup_elem(&vals, &key);
	if (!v)
		return 1;
	bpf_for(i, 0, BATCH) {
		t = bpf_kptr_xchg(&v->task, NULL);
		if (!t) {
			__sync_fetch_and_add(&errors, 1);
			return 1;
		}
		t = bpf_kptr_xchg(&v->task, t);
		if (t) {
			bpf_task_release(t);
			__sync_fetch_and_add(&errors, 1);
			return 1;
		}
	}
	__sync_fetch_and_add(&hits, 2 * BATCH);
	return 0;
}

/* (b) Make an object holding a task reference and drop it. */
SEC("syscall")
int obj_churn(void *ctx)
{
	return churn(BATCH);
}

/* kptr-mem: fill slots [lo, hi) with new objects, up to the first
 * allocation failure; the caller goes on from next.
 */
SEC("syscall")
int mem_fill(void *ctx)
{
	struct holder *o;
	struct slot *s;
	int i;

	bench_task = (u64)bpf_get_current_task_btf();
	next = lo;
	bpf_for(i, lo, hi) {
		s = bpf_map_lookup_elem(&slots, &i);
		if (!s)
			return 1;
		o = new_holder();
		if (!o) {
			__sync_fetch_and_add(&alloc_fails, 1);
			return 0;
		}
		o = bpf_kptr_xchg(&s->obj, o);
		if (o) {
			__sync_fetch_and_add(&errors, 1);
			bpf_obj_drop(o);
		}
		next = i + 1;
	}
	return 0;
}

/* kptr-mem: drop slots [lo, hi) in process context. */
SEC("syscall")
int mem_drop(void *ctx)
{
	return drop_slots();
}

/* (c) Raise one NMI on this CPU; drop_in_nmi does the work. */
SEC("?syscall")
int raise_nmi(void *ctx)
{
	bench_task = (u64)bpf_get_current_task_btf();
	return bpf_kfunc_raise_nmi();
}

SEC("?tp_btf/nmi_handler")
int BPF_PROG(drop_in_nmi, void *handler, s64 delta_ns, int handled)
{
	/* Every NMI runs every NMI_LOCAL handler: only the ones bpf_testmod
	 * raised are claimed by its handler.
	 */
	if ((u64)handler != nmi_handler_addr || !handled)
		return 0;
	if (nmi_drops_slots)
		return drop_slots();
	return churn(NMI_BATCH);
}

SEC("?fexit/bpf_task_release_dtor")
int BPF_PROG(dtor_done, void *p)
{
	if ((u64)p != bench_task)
		return 0;
	__sync_fetch_and_add(&dtor_sum_ns, bpf_ktime_get_ns() - drop_start_ns);
	__sync_fetch_and_add(&dtor_cnt, 1);
	return 0;
}

char _license[] SEC("license") = "GPL";
