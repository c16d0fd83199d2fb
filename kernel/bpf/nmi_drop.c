// SPDX-License-Identifier: GPL-2.0-only
/*
 * Teardown of BPF local objects dropped in NMI.
 *
 * Dropping the last owning reference to a local object (bpf_obj_drop(),
 * the last bpf_refcount reference, a failed list or rbtree insertion)
 * runs bpf_obj_free_fields(), which calls the destructor of every
 * referenced kptr the object holds: put_task_struct_rcu_user() and
 * bpf_crypto_ctx_release() reach call_rcu(), cgroup_put() can queue work.
 * None of that may run in NMI. In NMI the teardown of the object is
 * therefore handed to a per-CPU hard irq_work, which runs the destructors
 * as soon as the CPU takes interrupts again after the NMI (right after
 * it, unless it hit code running with interrupts disabled), in hard
 * interrupt context on the same CPU, and frees the object with
 * bpf_mem_free_rcu(), as __bpf_obj_drop_impl() does outside NMI.
 *
 * Capacity, by construction: every object whose type can need this
 * (btf_record::nmi_drop_off >= 0) is allocated by bpf_obj_new() with a
 * struct bpf_nmi_drop behind its last member. The NMI path writes that
 * node and links it; it never allocates, takes no lock and has no failure
 * case, whatever the number of objects dropped in one NMI. An object is
 * queued at most once because only the holder of its last owning
 * reference queues it, and the node is unused before that.
 *
 * Interleavings on one CPU's queue (other CPUs use their own):
 * - The irq_work takes the whole list with llist_del_all() and walks its
 *   private batch; an adder that interrupts it (NMI) only llist_add()s,
 *   the lock-free pairing llist supports.
 * - Wakeups: every adder on an online CPU queues the irq_work after its
 *   llist_add(). Queueing a pending irq_work does nothing, and PENDING is
 *   cleared before the callback runs, so a node added after the
 *   callback's llist_del_all() queues it again. An adder interrupted
 *   between its llist_add() and irq_work_queue() by another adder (an NMI
 *   in #DB/#MC/int3 on x86) queues when it resumes, and the irq_work
 *   cannot run before both have returned. Nodes added on an offline CPU
 *   are not queued (below); the next adder after it came online queues
 *   them with its own.
 * - CPU hotplug: only an online CPU queues and runs the irq_work; nodes
 *   added while the CPU is offline wait for it to die or come online,
 *   see the comment above bpf_nmi_drop_run().
 * - Lifetime: the record lives in the BTF of the object's type. That BTF
 *   is held by the running program (directly or through a map) while the
 *   NMI runs; the NMI path takes a reference of its own, dropped after the
 *   teardown, so program, map or BTF release while a node is queued
 *   cannot free the record, the destructors' modules or the struct meta.
 *   That reference is dropped with btf_put_hardirq(): if it is the last
 *   one, btf_put() and its btf_idr_lock run from an RCU callback.
 */
#include <linux/bpf.h>
#include <linux/btf.h>
#include <linux/bpf_mem_alloc.h>
#include <linux/cpuhotplug.h>
#include <linux/cpumask.h>
#include <linux/irq_work.h>
#include <linux/llist.h>
#include <linux/percpu.h>
#include <linux/preempt.h>
#include <linux/smp.h>

struct bpf_nmi_drop_queue {
	struct llist_head list;
	struct irq_work work;
};

static void bpf_nmi_drop_run(struct irq_work *work);

static DEFINE_PER_CPU(struct bpf_nmi_drop_queue, bpf_nmi_drop_queue) = {
	.work = IRQ_WORK_INIT_HARD(bpf_nmi_drop_run),
};

static void bpf_nmi_drop_flush(struct bpf_nmi_drop_queue *q)
{
	struct llist_node *pos, *next;

	llist_for_each_safe(pos, next, llist_del_all(&q->list)) {
		struct bpf_nmi_drop *node = container_of(pos, struct bpf_nmi_drop, node);
		const struct btf_record *rec = node->rec;
		struct btf *btf = rec->btf;
		void *obj = (void *)node - rec->nmi_drop_off;

		bpf_obj_free_fields(rec, obj);
		/* @node is part of @obj: not touched after this. */
		bpf_mem_free_rcu(&bpf_global_ma, obj);
		btf_put_hardirq(btf);
	}
}

/*
 * CPU hotplug. A dying CPU clears its online bit in __cpu_disable() and
 * then runs its irq_works one last time (smpcfd_dying_cpu()); an irq_work
 * queued after that would stay pending on the dead CPU's raised list, and
 * once the CPU is back it would keep every later hard irq_work of that
 * CPU from raising its interrupt. So on a CPU that is not online the NMI
 * path does not queue the irq_work, and the irq_work, should it run there
 * (queued before __cpu_disable(), run by smpcfd_dying_cpu()), leaves the
 * list alone: the teardown queues irq_works of its own (the refill work
 * of the BPF memory allocator, for one). A booting CPU sets its online
 * bit only when it is about to enable interrupts. A CPU's online bit is
 * changed by that CPU only, outside NMI or on its way to stop for good,
 * so it does not change while one of its NMIs runs. (On x86 an NMI runs
 * no handler on an offline CPU, but int3 and #DB count as NMI too.)
 *
 * Nodes added while the CPU is offline stay on the list. If the CPU
 * dies, bpf_nmi_drop_cpu_dead() tears them down from the CPU that took
 * it down, when no NMI can add to the list any more. If it comes online,
 * bpf_nmi_drop_cpu_online() queues the irq_work on it, for nodes that no
 * later NMI would queue.
 */
static void bpf_nmi_drop_run(struct irq_work *work)
{
	if (unlikely(!cpu_online(smp_processor_id())))
		return;
	bpf_nmi_drop_flush(container_of(work, struct bpf_nmi_drop_queue, work));
}

static int bpf_nmi_drop_cpu_dead(unsigned int cpu)
{
	/* Destructors and bpf_mem_free_rcu() use this CPU's caches. */
	migrate_disable();
	bpf_nmi_drop_flush(per_cpu_ptr(&bpf_nmi_drop_queue, cpu));
	migrate_enable();
	return 0;
}

/* Runs on @cpu, in its hotplug thread. */
static int bpf_nmi_drop_cpu_online(unsigned int cpu)
{
	struct bpf_nmi_drop_queue *q = per_cpu_ptr(&bpf_nmi_drop_queue, cpu);

	if (!llist_empty(&q->list))
		irq_work_queue(&q->work);
	return 0;
}

static int __init bpf_nmi_drop_init(void)
{
	int online, ret;

	online = cpuhp_setup_state_nocalls(CPUHP_AP_ONLINE_DYN, "bpf/nmi_drop:online",
					   bpf_nmi_drop_cpu_online, NULL);
	if (online < 0)
		return online;
	ret = cpuhp_setup_state_nocalls(CPUHP_BP_PREPARE_DYN, "bpf/nmi_drop:dead",
					NULL, bpf_nmi_drop_cpu_dead);
	if (ret < 0) {
		cpuhp_remove_state_nocalls(online);
		return ret;
	}
	return 0;
}
late_initcall(bpf_nmi_drop_init);

/**
 * bpf_obj_drop_nmi() - tear down a local object from NMI context
 * @obj: object whose last owning reference the caller dropped
 * @rec: record of @obj's type, with @rec->nmi_drop_off >= 0
 *
 * Queue the teardown of @obj (bpf_obj_free_fields() and the free of its
 * memory) to this CPU's hard irq_work. Called where in_nmi() is true,
 * where the destructors of @obj's kptrs must not run.
 */
void bpf_obj_drop_nmi(void *obj, const struct btf_record *rec)
{
	struct bpf_nmi_drop_queue *q = this_cpu_ptr(&bpf_nmi_drop_queue);
	struct bpf_nmi_drop *node = obj + rec->nmi_drop_off;

	btf_get(rec->btf);
	node->rec = rec;
	llist_add(&node->node, &q->list);
	if (cpu_online(smp_processor_id()))
		irq_work_queue(&q->work);
}
