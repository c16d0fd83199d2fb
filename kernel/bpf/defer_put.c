// SPDX-License-Identifier: GPL-2.0-only
/*
 * Last puts of kernel objects released by BPF programs in NMI, or where
 * interrupts are disabled.
 *
 * BPF programs release task, cgroup and crypto context references in any
 * context they run in: bpf_task_release() and bpf_cgroup_release() after
 * taking a kptr out of a map with bpf_kptr_xchg(), or the destructors
 * that bpf_obj_free_fields() calls when a program drops a local object
 * holding such kptrs. Programs run in NMI (perf_event programs,
 * tp_btf/nmi_handler, fentry on functions called from NMI) and where the
 * interrupted code holds locks with interrupts off (tp_btf/rcu_callback
 * fires under an RCU nocb lock, tp_btf/workqueue_queue_work under a
 * workqueue pool lock). A put that is not the last is an atomic
 * decrement, safe anywhere. The last one is not: put_task_struct_rcu_user()
 * and bpf_crypto_ctx_release() call call_rcu(), and css_release() queues
 * work; both take locks that such code may hold on this CPU.
 *
 * There, the releasing code drops its reference only if it is not the
 * last one (refcount_dec_not_one(), css_put_not_last()). If it holds the
 * last one, it keeps it and passes it to bpf_defer_put(), which links the
 * object into a per-CPU list and queues a per-CPU hard irq_work. The
 * irq_work runs on the same CPU, in hard interrupt context, as soon as the
 * CPU takes interrupts again (right after the NMI, unless the NMI hit code
 * running with interrupts off). The locks above are only taken with
 * interrupts off, so none of them is held on this CPU then, and the
 * irq_work makes the last puts.
 *
 * Capacity, by construction: each object brings its own node, an rcu_head
 * that is unused while the object has references (task_struct::rcu, and one
 * per type in the other callers). Only the holder of the last reference
 * links it: any other holder sees a count above one, and the count cannot
 * reach zero before the deferred put. So a node is on at most one list at a
 * time, and the deferral needs no allocation and no pool, takes no lock and
 * cannot fail, however many objects one NMI releases. The count can grow
 * again while the put is queued (bpf_task_acquire() and the like succeed on
 * a non-zero count); then the deferred put is not the last, and a later last
 * put may link the node again, so the irq_work does not touch a node after
 * calling its put.
 *
 * Interleavings on one CPU's queue (other CPUs use their own):
 * - Adders (NMI, code with interrupts off, the irq_work itself when a put
 *   runs a BPF program that releases more) only llist_add(), which is
 *   safe for concurrent adders, an NMI interrupting another adder
 *   included. The irq_work takes the list with llist_del_all() into a
 *   private batch (@todo); nothing else touches that batch while the CPU
 *   is online.
 * - Wakeups: every adder on an online CPU queues the irq_work after its
 *   llist_add(). Queueing a pending irq_work does nothing, and PENDING is
 *   cleared before the callback runs, so a node added after the callback's
 *   llist_del_all() queues it again. An adder interrupted between its
 *   llist_add() and irq_work_queue() by another adder (an NMI) queues when
 *   it resumes; the irq_work cannot run in between, as both run with
 *   interrupts off.
 * - A run makes at most BPF_DEFER_PUT_BATCH puts and queues the irq_work
 *   again if more are left, so that one NMI releasing many objects does
 *   not keep interrupts off for as long. On PREEMPT_RT a hard irq_work
 *   still runs in hard interrupt context; call_rcu() and queue_work() only
 *   take raw spinlocks, so the puts are fine there, and the batch bounds
 *   the time spent.
 * - CPU hotplug: see the comment above bpf_defer_put_run().
 */
#include <linux/bpf.h>
#include <linux/cpuhotplug.h>
#include <linux/cpumask.h>
#include <linux/irq_work.h>
#include <linux/llist.h>
#include <linux/percpu.h>
#include <linux/rcupdate.h>
#include <linux/smp.h>

#define BPF_DEFER_PUT_BATCH	64

struct bpf_defer_put_queue {
	struct llist_head list;
	struct llist_node *todo;
	struct irq_work work;
};

static void bpf_defer_put_run(struct irq_work *work);

static DEFINE_PER_CPU(struct bpf_defer_put_queue, bpf_defer_put_queue) = {
	.work = IRQ_WORK_INIT_HARD(bpf_defer_put_run),
};

/* The node is the rcu_head itself: its first member is the link. */
static_assert(offsetof(struct rcu_head, next) == 0);
static_assert(sizeof_field(struct rcu_head, next) == sizeof(struct llist_node));

/*
 * Make up to @budget of the puts queued on @q; returns false if some are
 * left.
 */
static bool bpf_defer_put_flush(struct bpf_defer_put_queue *q, unsigned int budget)
{
	while (budget--) {
		struct llist_node *pos = q->todo;
		struct rcu_head *head;

		if (!pos) {
			pos = llist_del_all(&q->list);
			if (!pos)
				return true;
		}
		q->todo = pos->next;
		head = (struct rcu_head *)pos;
		/* Can release the object or link @head again: not touched after. */
		head->func(head);
	}
	return !q->todo && llist_empty(&q->list);
}

/*
 * CPU hotplug. A dying CPU clears its online bit in __cpu_disable() and
 * then runs its irq_works one last time (smpcfd_dying_cpu()); an irq_work
 * queued after that would stay on the dead CPU's list of raised work, and
 * once the CPU is back it would keep every later hard irq_work of that
 * CPU from raising its interrupt. So bpf_defer_put() queues the irq_work
 * only on an online CPU, and the irq_work, should it run on a CPU that is
 * not online (queued before __cpu_disable() and run by that last
 * irq_work_run()), leaves the queue alone: the puts can queue irq_works
 * of their own. A booting CPU sets its online bit only when it is about to
 * enable interrupts. A CPU's online bit is changed by that CPU only,
 * outside NMI or on its way to stop for good, so it does not change while
 * one of its NMIs runs. (On x86 an NMI runs no handler on an offline CPU,
 * but int3 and #DB count as NMI too.)
 *
 * Puts queued while the CPU is not online stay queued. If the CPU dies,
 * bpf_defer_put_cpu_dead() makes them from the CPU that took it down, in
 * process context, when nothing can add to the queue any more. If it comes
 * online, bpf_defer_put_cpu_online() queues the irq_work on it, for puts
 * that no later adder would queue it for. (A put queued by an int3 or #DB
 * in a dead CPU's last instructions, after that callback ran, would wait
 * until the CPU comes back.)
 */
static void bpf_defer_put_run(struct irq_work *work)
{
	struct bpf_defer_put_queue *q = container_of(work, struct bpf_defer_put_queue, work);

	if (unlikely(!cpu_online(smp_processor_id())))
		return;
	if (!bpf_defer_put_flush(q, BPF_DEFER_PUT_BATCH))
		irq_work_queue(work);
}

static int bpf_defer_put_cpu_dead(unsigned int cpu)
{
	bpf_defer_put_flush(per_cpu_ptr(&bpf_defer_put_queue, cpu), UINT_MAX);
	return 0;
}

/* Runs on @cpu, in its hotplug thread. */
static int bpf_defer_put_cpu_online(unsigned int cpu)
{
	irq_work_queue(&per_cpu_ptr(&bpf_defer_put_queue, cpu)->work);
	return 0;
}

/*
 * Without these callbacks the deferral still works on online CPUs; puts
 * queued on a CPU while it is not online would stay queued until a later put
 * on that CPU queues the irq_work, for good if the CPU does not come back.
 */
static int __init bpf_defer_put_init(void)
{
	int online, ret;

	online = cpuhp_setup_state_nocalls(CPUHP_AP_ONLINE_DYN, "bpf/defer_put:online",
					   bpf_defer_put_cpu_online, NULL);
	ret = online;
	if (online >= 0) {
		ret = cpuhp_setup_state_nocalls(CPUHP_BP_PREPARE_DYN, "bpf/defer_put:dead",
						NULL, bpf_defer_put_cpu_dead);
		if (ret < 0)
			cpuhp_remove_state_nocalls(online);
	}
	if (ret < 0) {
		pr_warn("bpf: no CPU hotplug callbacks for deferred puts (%d)\n", ret);
		return ret;
	}
	return 0;
}
late_initcall(bpf_defer_put_init);

/**
 * bpf_defer_put() - make the last put of an object after the NMI
 * @head: rcu_head of the object, unused while the object has references
 * @put: function that puts the caller's reference, given @head
 *
 * The caller holds the last reference to an object, where its last put
 * must not run (bpf_defer_put_needed()). Hand that reference over: @put
 * is called with @head from a hard irq_work on this CPU once interrupts
 * are enabled again (or, should this CPU go offline first, by the CPU
 * that takes it down, in process context). The caller must not touch the
 * object afterwards.
 */
void bpf_defer_put(struct rcu_head *head, rcu_callback_t put)
{
	struct bpf_defer_put_queue *q = this_cpu_ptr(&bpf_defer_put_queue);

	head->func = put;
	llist_add((struct llist_node *)head, &q->list);
	if (cpu_online(smp_processor_id()))
		irq_work_queue(&q->work);
}
