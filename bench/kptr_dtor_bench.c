// SPDX-License-Identifier: GPL-2.0
/* Cost of kptr releases: see bench_kptr_dtor.c.
 *
 * The programs marked '?' are loaded only by the benchmarks that need them:
 * raise_nmi needs bpf_testmod, drop_in_nmi (which drops local objects
 * holding tasks) a kernel that lets tracing programs do that.
 */
#include <vmlinux.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include "bpf_experimental.h"

#define BATCH 64
#define NMI_BATCH 32

struct task_struct *bpf_task_acquire(struct task_struct *p) __ksym;
void bpf_task_release(struct task_struct *p) __ksym;
void bpf_rcu_read_lock(void) __ksym;
void bpf_rcu_read_unlock(void) __ksym;
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

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, int);
	__type(value, struct val);
} vals SEC(".maps");

/* kptr-nmi-release: the last references of exited threads; max_entries is
 * set by user space.
 */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, int);
	__type(value, struct val);
} victims SEC(".maps");

/* kptr-nmi-release: victim task -> when its reference was released. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 65536);
	__type(key, u64);
	__type(value, u64);
} released_at SEC(".maps");

long hits;
long errors;
long alloc_fails;
u64 nmi_handler_addr;
int nmi_mode;		/* 0: churn, 1: release victims [lo, hi) */
int lo, hi;
u64 release_ns;		/* time in NMI spent releasing victims */
u64 releases;
u64 put_lat_ns;		/* sum over last puts of (put - release) */
u64 last_puts;
u64 last_puts_in_nmi;

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
 * objects: the cache is refilled from irq_work.
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
		bpf_obj_drop(o);
		done++;
	}
	__sync_fetch_and_add(&hits, done);
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

/* Take the task reference out of the map value and put it back. */
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

/* Make an object holding a task reference and drop it. */
SEC("syscall")
int obj_churn(void *ctx)
{
	return churn(BATCH);
}

/* The calling thread leaves the last reference to itself in victims[*idx]
 * once it exited.
 */
SEC("syscall")
int victim(int *idx)
{
	struct task_struct *t = bpf_get_current_task_btf();
	u64 addr = (u64)t, zero = 0;
	int key = *idx;
	struct val *v;

	v = bpf_map_lookup_elem(&victims, &key);
	if (!v || bpf_map_update_elem(&released_at, &addr, &zero, BPF_NOEXIST))
		return 1;
	t = bpf_task_acquire(t);
	if (!t)
		return 1;
	t = bpf_kptr_xchg(&v->task, t);
	if (t) {
		bpf_task_release(t);
		return 1;
	}
	return 0;
}

/* How many victims in [lo, hi) are down to the map's reference. */
SEC("syscall")
int last_refs(void *ctx)
{
	int i, n = 0;

	bpf_rcu_read_lock();
	bpf_for(i, lo, hi) {
		struct task_struct *t;
		struct val *v;

		v = bpf_map_lookup_elem(&victims, &i);
		if (!v)
			break;
		t = v->task;
		if (t && t->rcu_users.refs.counter == 1)
			n++;
	}
	bpf_rcu_read_unlock();
	return n;
}

/* Raise one NMI on this CPU; drop_in_nmi or release_in_nmi does the work. */
SEC("?syscall")
int raise_nmi(void *ctx)
{
	return bpf_kfunc_raise_nmi();
}

static __always_inline bool our_nmi(void *handler, int handled)
{
	return (u64)handler == nmi_handler_addr && handled;
}

SEC("?tp_btf/nmi_handler")
int BPF_PROG(drop_in_nmi, void *handler, s64 delta_ns, int handled)
{
	if (our_nmi(handler, handled) && nmi_mode == 0)
		churn(NMI_BATCH);
	return 0;
}

/* Release the victims [lo, hi): each is the last reference. */
SEC("?tp_btf/nmi_handler")
int BPF_PROG(release_in_nmi, void *handler, s64 delta_ns, int handled)
{
	u64 t0, now;
	int i;

	if (!our_nmi(handler, handled) || nmi_mode != 1)
		return 0;
	t0 = bpf_ktime_get_ns();
	bpf_for(i, lo, hi) {
		struct task_struct *t;
		struct val *v;
		u64 addr, *at;

		v = bpf_map_lookup_elem(&victims, &i);
		if (!v)
			break;
		t = bpf_kptr_xchg(&v->task, NULL);
		if (!t) {
			__sync_fetch_and_add(&errors, 1);
			continue;
		}
		addr = (u64)t;
		at = bpf_map_lookup_elem(&released_at, &addr);
		now = bpf_ktime_get_ns();
		if (at)
			*at = now;
		bpf_task_release(t);
		__sync_fetch_and_add(&releases, 1);
	}
	__sync_fetch_and_add(&release_ns, bpf_ktime_get_ns() - t0);
	return 0;
}

/* The last put of a victim: when, and where. Counted once per address:
 * a thread made after the victim was freed (the benchmark's own) can get
 * its task_struct back.
 */
SEC("?fentry/put_task_struct_rcu_user")
int BPF_PROG(last_put, struct task_struct *t)
{
	u64 addr = (u64)t, *at, rel;

	if (t->rcu_users.refs.counter != 1)
		return 0;
	at = bpf_map_lookup_elem(&released_at, &addr);
	if (!at)
		return 0;
	rel = __sync_lock_test_and_set(at, 0);
	if (!rel)
		return 0;
	__sync_fetch_and_add(&put_lat_ns, bpf_ktime_get_ns() - rel);
	__sync_fetch_and_add(&last_puts, 1);
	if (bpf_in_nmi())
		__sync_fetch_and_add(&last_puts_in_nmi, 1);
	return 0;
}

char _license[] SEC("license") = "GPL";
