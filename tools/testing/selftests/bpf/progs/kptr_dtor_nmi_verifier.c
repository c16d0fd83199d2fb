// SPDX-License-Identifier: GPL-2.0
/*
 * What tracing programs, which can run in NMI, may free: local objects
 * whose teardown is NMI-safe (kptrs whose destructors are registered
 * BTF_DTOR_NMI_SAFE, local and percpu kptrs of such types, any depth the
 * BTF allows) are accepted; graph roots and kptrs of other types, vmlinux
 * or module, are not, also when a failed list insertion would free them.
 * And one kfunc call instruction reached with two object types, which
 * would run with the constants of one of them, is refused in every
 * program type, unless the types' records are equal.
 * tp_btf/task_newtask stands for any tracing program: the checks do not
 * depend on the attach point.
 */
#include <vmlinux.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include "bpf_misc.h"
#include "bpf_experimental.h"
#include "../test_kmods/bpf_testmod_kfunc.h"

struct task_struct *bpf_task_acquire(struct task_struct *p) __ksym;
void bpf_task_release(struct task_struct *p) __ksym;

struct task_holder {
	struct task_struct __kptr *task;
};

/* Laid out like task_holder: the same record. */
struct task_holder2 {
	struct task_struct __kptr *task;
};

struct cgrp_holder {
	struct cgroup __kptr *cgrp;
};

struct cpumask_holder {
	struct bpf_cpumask __kptr *mask;
};

struct l1 {
	struct task_holder __kptr *next;
};

struct l2 {
	struct l1 __kptr *next;
};

struct l3 {
	struct l2 __kptr *next;
};

/* Four levels of local kptrs down to a task. */
struct l4 {
	struct l3 __kptr *next;
};

struct scalars {
	long v;
};

/* No special fields either, and much larger. */
struct big {
	long v[64];
};

struct percpu_holder {
	struct scalars __percpu_kptr *pc;
};

/* A vmlinux type whose destructor is not declared NMI-safe. */
struct test_ref_holder {
	struct prog_test_ref_kfunc __kptr *ref;
};

/* A module's type whose destructor is not declared NMI-safe. */
struct module_holder {
	struct bpf_testmod_ctx __kptr *ctx;
};

struct counted {
	struct task_struct __kptr *task;
	struct bpf_refcount ref;
};

struct elem {
	long v;
	struct bpf_list_node node;
};

struct rb_elem {
	long v;
	struct bpf_rb_node node;
};

struct with_list {
	struct bpf_spin_lock lock;
	struct bpf_list_head head __contains(elem, node);
	struct task_struct __kptr *task;
};

struct with_rb {
	struct bpf_spin_lock lock;
	struct bpf_rb_root root __contains(rb_elem, node);
};

struct holds_rb {
	struct with_rb __kptr *inner;
};

/* List nodes: a failed insertion frees them. */
struct task_node {
	struct bpf_list_node node;
	struct task_struct __kptr *task;
};

/* Refcounted: an insertion fails when the node is in a list already. */
struct test_ref_node {
	struct bpf_list_node node;
	struct bpf_refcount rc;
	struct prog_test_ref_kfunc __kptr *ref;
};

/* Without a bpf_refcount a pushed node has no owner yet: the push cannot
 * fail.
 */
struct plain_test_ref_node {
	struct bpf_list_node node;
	struct prog_test_ref_kfunc __kptr *ref;
};

/* Graph roots and their locks in .data sections of their own. */
SEC(".data.A") __hidden __attribute__((aligned(8))) struct bpf_spin_lock glock;
SEC(".data.A") __hidden __attribute__((aligned(8)))
struct bpf_list_head task_nodes __contains(task_node, node);
SEC(".data.B") __hidden __attribute__((aligned(8))) struct bpf_spin_lock glock2;
SEC(".data.B") __hidden __attribute__((aligned(8)))
struct bpf_list_head test_ref_nodes __contains(test_ref_node, node);
SEC(".data.C") __hidden __attribute__((aligned(8))) struct bpf_spin_lock glock3;
SEC(".data.C") __hidden __attribute__((aligned(8)))
struct bpf_list_head plain_test_ref_nodes __contains(plain_test_ref_node, node);

/* Make clang emit the BTF of the __contains() value types. */
struct elem *elem_btf;
struct rb_elem *rb_elem_btf;

#define DROP_NEW(type)					\
	do {						\
		struct type *__o = bpf_obj_new(struct type); \
		if (__o)				\
			bpf_obj_drop(__o);		\
	} while (0)

SEC("tp_btf/task_newtask")
__success
int BPF_PROG(drop_task_holder, struct task_struct *task, u64 clone_flags)
{
	struct task_holder *o = bpf_obj_new(typeof(*o));
	struct task_struct *t;

	if (!o)
		return 0;
	t = bpf_task_acquire(task);
	if (t) {
		t = bpf_kptr_xchg(&o->task, t);
		if (t)
			bpf_task_release(t);
	}
	bpf_obj_drop(o);
	return 0;
}

/* Only where this_cpu operations are NMI-safe: elsewhere the cgroup
 * destructor is not declared NMI-safe.
 */
SEC("tp_btf/task_newtask")
__success __arch_x86_64 __arch_arm64 __arch_s390x __arch_loongarch
int BPF_PROG(drop_cgrp_holder, struct task_struct *task, u64 clone_flags)
{
	DROP_NEW(cgrp_holder);
	return 0;
}

SEC("tp_btf/task_newtask")
__success
int BPF_PROG(drop_cpumask_holder, struct task_struct *task, u64 clone_flags)
{
	DROP_NEW(cpumask_holder);
	return 0;
}

SEC("tp_btf/task_newtask")
__success
int BPF_PROG(drop_four_levels, struct task_struct *task, u64 clone_flags)
{
	DROP_NEW(l4);
	return 0;
}

SEC("tp_btf/task_newtask")
__success
int BPF_PROG(drop_percpu_holder, struct task_struct *task, u64 clone_flags)
{
	DROP_NEW(percpu_holder);
	return 0;
}

SEC("tp_btf/task_newtask")
__success
int BPF_PROG(drop_refcounted, struct task_struct *task, u64 clone_flags)
{
	struct counted *o = bpf_obj_new(typeof(*o)), *o2;

	if (!o)
		return 0;
	o2 = bpf_refcount_acquire(o);
	bpf_obj_drop(o);
	if (o2)
		bpf_obj_drop(o2);
	return 0;
}

SEC("tp_btf/task_newtask")
__failure __msg("bpf_obj_drop cannot be used in tracing programs on types with NMI unsafe fields")
int BPF_PROG(drop_list_head, struct task_struct *task, u64 clone_flags)
{
	DROP_NEW(with_list);
	return 0;
}

SEC("tp_btf/task_newtask")
__failure __msg("bpf_obj_drop cannot be used in tracing programs on types with NMI unsafe fields")
int BPF_PROG(drop_nested_rb_root, struct task_struct *task, u64 clone_flags)
{
	DROP_NEW(holds_rb);
	return 0;
}

SEC("tp_btf/task_newtask")
__failure __msg("bpf_obj_drop cannot be used in tracing programs on types with NMI unsafe fields")
int BPF_PROG(drop_test_ref_holder, struct task_struct *task, u64 clone_flags)
{
	DROP_NEW(test_ref_holder);
	return 0;
}

SEC("tp_btf/task_newtask")
__failure __msg("bpf_obj_drop cannot be used in tracing programs on types with NMI unsafe fields")
int BPF_PROG(drop_module_holder, struct task_struct *task, u64 clone_flags)
{
	DROP_NEW(module_holder);
	return 0;
}

SEC("tp_btf/task_newtask")
__success
int BPF_PROG(push_task_node, struct task_struct *task, u64 clone_flags)
{
	struct task_node *n = bpf_obj_new(typeof(*n));

	if (!n)
		return 0;
	bpf_spin_lock(&glock);
	bpf_list_push_front(&task_nodes, &n->node);
	bpf_spin_unlock(&glock);
	return 0;
}

SEC("tp_btf/task_newtask")
__failure __msg("cannot be used in tracing programs on types with NMI unsafe fields")
int BPF_PROG(push_test_ref_node, struct task_struct *task, u64 clone_flags)
{
	struct test_ref_node *n = bpf_obj_new(typeof(*n));

	if (!n)
		return 0;
	bpf_spin_lock(&glock2);
	bpf_list_push_front(&test_ref_nodes, &n->node);
	bpf_spin_unlock(&glock2);
	return 0;
}

SEC("tp_btf/task_newtask")
__success
int BPF_PROG(push_plain_test_ref_node, struct task_struct *task, u64 clone_flags)
{
	struct plain_test_ref_node *n = bpf_obj_new(typeof(*n));

	if (!n)
		return 0;
	bpf_spin_lock(&glock3);
	bpf_list_push_front(&plain_test_ref_nodes, &n->node);
	bpf_spin_unlock(&glock3);
	return 0;
}

/* Not a tracing program: nothing changes there. */
SEC("tc")
__success
int drop_list_head_tc(void *ctx)
{
	DROP_NEW(with_list);
	return 0;
}

SEC("tc")
__success
int drop_test_ref_holder_tc(void *ctx)
{
	DROP_NEW(test_ref_holder);
	return 0;
}

/* One bpf_obj_drop() in a static subprogram, reached with two types. */
static __noinline void drop_any(void *o)
{
	if (o)
		bpf_obj_drop(o);
}

SEC("tc")
__failure __msg("is reached with different object types")
int subprog_two_types(void *ctx)
{
	drop_any(bpf_obj_new(struct task_holder));
	drop_any(bpf_obj_new(struct cgrp_holder));
	return 0;
}

SEC("tc")
__success
int subprog_one_type(void *ctx)
{
	drop_any(bpf_obj_new(struct task_holder));
	drop_any(bpf_obj_new(struct task_holder));
	return 0;
}

/* Two types with equal records: torn down alike, so they may share it. */
SEC("tc")
__success
int subprog_two_types_same_record(void *ctx)
{
	drop_any(bpf_obj_new(struct task_holder));
	drop_any(bpf_obj_new(struct task_holder2));
	return 0;
}

/* The same for the allocation: one bpf_obj_new() of two types that differ
 * only in size (no struct meta), which would allocate both objects with
 * the size of one.
 */
static __noinline void *new_any(u64 type_id)
{
	return bpf_obj_new_impl(type_id, NULL);
}

SEC("tc")
__failure __msg("is reached with different object types")
int subprog_two_sizes(void *ctx)
{
	struct scalars *s = new_any(bpf_core_type_id_local(struct scalars));
	struct big *b = new_any(bpf_core_type_id_local(struct big));

	if (s)
		bpf_obj_drop(s);
	if (b)
		bpf_obj_drop(b);
	return 0;
}

char _license[] SEC("license") = "GPL";
