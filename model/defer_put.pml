/*
 * Promela model of kernel/bpf/defer_put.c (bpf_defer_put() and its hard
 * irq_work, bpf_defer_put_run() / bpf_defer_put_flush()) together with
 * the put rule of its callers in kernel/bpf/helpers.c:
 *
 *	if (!bpf_defer_put_needed())		in_nmi() || irqs_disabled()
 *		put_task_struct_rcu_user(p);	dec_and_test, final put
 *	else if (!refcount_dec_not_one(&p->rcu_users))
 *		bpf_defer_put(&p->rcu, bpf_task_put_deferred);
 *
 * (css_put_not_last() and the crypto context follow the same rule.)
 *
 * 2 CPUs, each with three contexts: process context, which may disable
 * interrupts for a section; the hard irq_work, which starts only on its
 * own CPU, only while that CPU takes interrupts (no NMI active, process
 * context not in an irqs-off section), with PENDING cleared as it starts,
 * and then runs with interrupts off; and NMI, which can come between any
 * two steps of the other two, but does not nest. After the final put,
 * the rcu_head belongs to RCU (call_rcu()), which is not modelled further.
 *
 * Objects (NOBJ = 3), each a refcount plus its rcu_head as the node:
 *   obj 0: two references, one released in NMI on CPU 0, one by process
 *          context on CPU 1 with interrupts off, in either order. Its
 *          deferred put runs a BPF program (as if attached to the put)
 *          that releases obj 2, so the irq_work is itself an adder.
 *   obj 1: two references, released in NMI on CPU 0 and in NMI on CPU 1.
 *          Process context on CPU 0 tries a third one with
 *          inc_not_zero() (bpf_task_acquire()) at any time; if it gets
 *          it, it releases it with interrupts off, with interrupts on, or
 *          hands it to a later NMI on CPU 0 (a kptr stashed in a map).
 *          If it gets in while a deferred put of obj 1 is queued, that put
 *          is not the last one, and the acquirer, as the later last
 *          holder, links the same node again: on CPU 0 while CPU 1's
 *          irq_work is still in its flush, or from an NMI that interrupts
 *          CPU 0's own irq_work right after the put.
 *   obj 2: one reference, released from inside the irq_work by the
 *          program on obj 0's put (defer path: interrupts are off).
 * An NMI makes one release; NMIs are bounded by the releases above (up
 * to three on CPU 0, one on CPU 1), so an endless NMI storm does not count
 * as a lost put. All the scenarios named here were checked to be reached.
 *
 * The batch is BATCH (default 1, the kernel's is 64), so that a run
 * leaves work behind and the requeue path is explored.
 *
 * Atomic steps: a refcount operation (with the caller's context check);
 * llist_add() (with the head->func store, which nobody else can observe:
 * the node belongs to the holder of the last reference until it is
 * linked); irq_work_queue(); in the flush, taking pos from q->todo or
 * llist_del_all(); q->todo = pos->next; head->func(head) (the decrement
 * and, if last, the final put); the requeue check at the end of a run.
 * An NMI can come in between any two of them.
 *
 * Checked (assertions, spin run without never claim, also invalid end
 * states):
 *   - every final put happens at most once, never in NMI, never in a
 *     process-context section with interrupts off (hard irq is fine), and
 *     only when the node is not linked (call_rcu() reuses the rcu_head);
 *   - a node is linked (head->func and ->next written) only while it is
 *     on no list and in no batch: never on two lists, never twice, its
 *     func/next never overwritten while linked;
 *   - the flush reads ->next of, and calls the put of, only a node that
 *     is still linked on its own CPU's queue (no touch after the put);
 *   - no put, link or successful acquire of an object after its final
 *     put (no use after free).
 * Checked (LTL under weak fairness): every object eventually gets its
 * final put, and the lists and batches of both CPUs end up empty (no
 * lost wakeup, no stranded node).
 * Mutants (spin -DMUTANT_x) that the checks must catch:
 *   INLINE       the put rule makes the final put where it stands, NMI too;
 *   LOST_WAKEUP  bpf_defer_put() queues the irq_work only in NMI, not
 *                with interrupts off (process context, the irq_work);
 *   DOUBLE_PUT   the flush sets q->todo = pos->next only after calling
 *                the put (reads the link of a node it gave away);
 *   NO_REQUEUE   a run that used up its batch does not queue itself again.
 * Not a mutant: with -DQUEUE_IF_EMPTY, bpf_defer_put() queues the irq_work
 * only when llist_add() found the list empty (returned true). All checks
 * pass: a non-empty list always has an adder that has yet to queue, a
 * pending irq_work, or a running one that will see the list at its end,
 * since PENDING is cleared before the callback and the callback requeues
 * when it leaves work. (With hotplug, not modelled here, the online
 * callback would have to queue for nodes added while offline, as it does.)
 *
 * Not modelled: CPU hotplug (the cpu_online() checks, the dying CPU's last
 * irq_work run with the CPU no longer online, bpf_defer_put_cpu_dead()
 * flushing a dead CPU's queue from another CPU, bpf_defer_put_cpu_online());
 * every CPU is online throughout, and hotplug is covered by the userspace
 * harness only. Nor: memory ordering (each step is sequentially
 * consistent; llist_add() and llist_del_all() are single atomic steps, as
 * their cmpxchg/xchg make them; the hand-over of a node to another CPU
 * after the put relies on the release ordering of refcount_dec_and_test()
 * against the control dependency in refcount_dec_not_one(), which is not
 * checked here); more than two CPUs or more references; refcount
 * saturation; a batch of 64; what the put functions do after call_rcu()
 * or css_release().
 */
#define NCPU	2
#define NOBJ	3
#define NIL	255
#ifndef BATCH
#define BATCH	1	/* BPF_DEFER_PUT_BATCH is 64 */
#endif

byte refcnt[NOBJ];	/* rcu_users (or the css / crypto context count) */
bool freed[NOBJ];	/* final put made: call_rcu() owns the rcu_head */
byte owner[NOBJ];	/* 0: node unused; c + 1: on CPU c's list or batch,
			 * or taken by its flush until the put is called */
byte next[NOBJ];	/* rcu_head.next, the llist link */
byte list[NCPU];	/* q->list.first */
byte todo[NCPU];	/* q->todo */
bool pending[NCPU];	/* irq_work PENDING */
bool in_nmi[NCPU];
bool in_irq[NCPU];	/* the hard irq_work runs (interrupts off) */
bool irqs_off[NCPU];	/* process context in a local_irq_disable() section */
byte stash;		/* acquired ref of obj 1: 1 left to an NMI, 2 not */
bool prog_ran;		/* the program on obj 0's put has released obj 2 */
byte nfreed;

/* Each step of a context is guarded by G, true only while no context that
 * interrupts it is active on its CPU; NMI steps use true. Inside a guarded
 * step, the CPU's flags describe the context that makes the step.
 */
#define PROC(c)	(!in_nmi[c] && !in_irq[c])
#define IRQ(c)	(!in_nmi[c])

/* The final put (call_rcu() of the rcu_head, or queueing css_release()):
 * part of the step that took the count to zero.
 */
inline final_put(o, c)
{
	assert(!in_nmi[c]);			/* never in NMI */
	assert(in_irq[c] || !irqs_off[c]);	/* never in an irqs-off section */
	assert(!freed[o]);			/* exactly once (with the LTL) */
	assert(owner[o] == 0);			/* the rcu_head is not linked */
	freed[o] = 1;
	nfreed++
}

/* bpf_defer_put(): head->func = put; llist_add(); irq_work_queue() on an
 * (always) online CPU.
 */
inline defer_put(o, c, G)
{
	d_step {
		G;
		assert(!freed[o]);
		assert(owner[o] == 0);		/* not linked anywhere */
		owner[o] = c + 1;
		first = list[c];
		next[o] = first;
		list[c] = o
	};
	d_step {
		G;
		if
#if defined(MUTANT_LOST_WAKEUP)
		/* wrong: only an adder in NMI queues the irq_work; one with
		 * interrupts off (process context, the irq_work itself)
		 * counts on an irq_work that nobody queued
		 */
		:: in_nmi[c] && !pending[c] -> pending[c] = 1
#elif defined(QUEUE_IF_EMPTY)
		/* not a mutant: queue only if llist_add() found the list
		 * empty; passes (see the header comment)
		 */
		:: first == NIL && !pending[c] -> pending[c] = 1
#else
		:: !pending[c] -> pending[c] = 1
#endif
		:: else -> skip
		fi;
		first = NIL
	}
}

/* The put rule of the callers. The context is that of the step: NMI, the
 * irq_work (interrupts off) or process context with or without interrupts.
 */
inline put(o, c, G)
{
	d_step {
		G;
		assert(refcnt[o] > 0 && !freed[o]);	/* no put after the final put */
		if
#ifndef MUTANT_INLINE
		:: in_nmi[c] || in_irq[c] || irqs_off[c] ->	/* bpf_defer_put_needed() */
			if
			:: refcnt[o] > 1 -> refcnt[o]--; defer = 0	/* refcount_dec_not_one() */
			:: else -> defer = 1		/* keep the last reference */
			fi
#endif
		:: else ->				/* put_task_struct_rcu_user() */
			refcnt[o]--;
			if
			:: refcnt[o] == 0 -> final_put(o, c)
			:: else -> skip
			fi;
			defer = 0
		fi
	};
	if
	:: defer -> defer = 0; defer_put(o, c, G)
	:: else -> skip
	fi
}

/* The hard irq_work, bpf_defer_put_run(): the irq_work core clears PENDING
 * before the callback; bpf_defer_put_flush(q, BATCH); requeue if it left
 * work.
 */
proctype irq_work(byte c)
{
	byte budget, pos, first;
	bool defer;

end:	do
	:: d_step { pending[c] && PROC(c) && !irqs_off[c] ->
			in_irq[c] = 1; pending[c] = 0; budget = BATCH };
		do
		:: budget == 0 ->
			d_step {			/* return !q->todo && llist_empty() */
				IRQ(c);
#ifndef MUTANT_NO_REQUEUE
				if
				:: (todo[c] != NIL || list[c] != NIL) && !pending[c] ->
					pending[c] = 1	/* irq_work_queue(work) */
				:: else -> skip
				fi;
#endif
				in_irq[c] = 0;
				pos = NIL
			};
			break
		:: budget > 0 ->
			d_step {
				IRQ(c);
				budget--;
				if
				:: todo[c] != NIL -> pos = todo[c]	/* pos = q->todo */
				:: else -> pos = list[c]; list[c] = NIL	/* llist_del_all() */
				fi;
				if
				:: pos == NIL -> in_irq[c] = 0; budget = 0	/* return true */
				:: else -> assert(owner[pos] == c + 1)
				fi
			};
			if
			:: pos == NIL -> break
			:: else -> skip
			fi;
#ifndef MUTANT_DOUBLE_PUT
			d_step {			/* q->todo = pos->next */
				IRQ(c);
				assert(owner[pos] == c + 1);
				todo[c] = next[pos]
			};
#endif
			d_step {			/* head->func(head): put_task_struct_rcu_user() */
				IRQ(c);
				assert(owner[pos] == c + 1);	/* each link put once */
				owner[pos] = 0;
				assert(refcnt[pos] > 0 && !freed[pos]);
				refcnt[pos]--;
				if
				:: refcnt[pos] == 0 -> final_put(pos, c)
				:: else -> skip
				fi
			};
#ifdef MUTANT_DOUBLE_PUT
			/* wrong: reads pos->next after the put gave the node away */
			d_step {
				IRQ(c);
				assert(owner[pos] == c + 1);
				todo[c] = next[pos]
			};
#endif
			if
			:: pos == 0 && !prog_ran ->	/* a program on obj 0's put */
				put(2, c, IRQ(c));
				prog_ran = 1
			:: else -> skip
			fi
		od
	od
}

/* NMI: each one releases one reference with the put rule. On CPU 0, a
 * third NMI releases the reference that process context acquired, if it
 * handed it over (a kptr stashed in a map by one program and released by
 * a program in NMI).
 */
proctype nmi(byte c)
{
	bool done0 = (c == 1), done1 = 0, done2 = (c == 1), defer;
	byte o = NIL, first = NIL;

	do
	:: atomic { !done0 -> in_nmi[c] = 1; done0 = 1; o = 0 };
		put(o, c, true);
		d_step { in_nmi[c] = 0; o = NIL }
	:: atomic { !done1 -> in_nmi[c] = 1; done1 = 1; o = 1 };
		put(o, c, true);
		d_step { in_nmi[c] = 0; o = NIL }
	:: atomic { !done2 && stash == 1 -> in_nmi[c] = 1; done2 = 1; o = 1 };
		put(o, c, true);
		d_step { in_nmi[c] = 0; o = NIL }
	:: done0 && done1 && (done2 || stash == 2) -> break
	od
}

/* Process context. CPU 0: bpf_task_acquire() of obj 1, then the release
 * of that reference with interrupts off, with interrupts on, or by an NMI
 * on CPU 0. CPU 1: release of obj 0 with interrupts off.
 */
proctype process(byte c)
{
	bool got, defer;
	byte first = NIL;

	if
	:: c == 0 ->
		d_step {				/* refcount_inc_not_zero() */
			PROC(c);
			if
			:: refcnt[1] > 0 -> assert(!freed[1]); refcnt[1]++; got = 1
			:: else -> got = 0
			fi
		};
		if
		:: got ->
			if
			:: d_step { PROC(c) -> irqs_off[c] = 1 };	/* local_irq_disable() */
				put(1, c, PROC(c));
				d_step { PROC(c) -> irqs_off[c] = 0; stash = 2 }	/* local_irq_enable() */
			:: put(1, c, PROC(c));
				stash = 2
			:: stash = 1		/* bpf_kptr_xchg() into a map */
			fi
		:: else -> stash = 2
		fi
	:: c == 1 ->
		d_step { PROC(c) -> irqs_off[c] = 1 };
		put(0, c, PROC(c));
		d_step { PROC(c) -> irqs_off[c] = 0 }
	fi
}

init {
	byte c;

	atomic {
		refcnt[0] = 2; refcnt[1] = 2; refcnt[2] = 1;
		for (c : 0 .. NOBJ - 1) {
			next[c] = NIL
		};
		for (c : 0 .. NCPU - 1) {
			list[c] = NIL;
			todo[c] = NIL
		};
		for (c : 0 .. NCPU - 1) {
			run irq_work(c);
			run nmi(c);
			run process(c)
		}
	}
}

ltl all_put {
	<> (nfreed == NOBJ &&
	    list[0] == NIL && list[1] == NIL && todo[0] == NIL && todo[1] == NIL)
}
