// SPDX-License-Identifier: GPL-2.0
/*
 * Stress test of kernel/bpf/defer_put.c, compiled unchanged against the
 * shims in include/linux/.
 *
 * The model. Each CPU is a thread. An NMI is SIGUSR1, sent by main() to
 * a random CPU at random moments; it is not masked by "interrupts off",
 * so it lands anywhere, inside the irq_work and inside bpf_defer_put()
 * included. The irq_work interrupt is SIGUSR2, which irq_work_queue()
 * raises on the running CPU as kernel/irq_work.c does (only when the
 * raised list was empty; PENDING cleared before the callback; a pending
 * work is not queued again; a work queued on an offline CPU stays on its
 * raised list). A CPU with interrupts off blocks SIGUSR2 and has the flag
 * that irqs_disabled() reads; enabling them takes the interrupt. The
 * objects are tasks: rcu_users, the rcu_head and an id. bpf_task_put(),
 * bpf_task_put_deferred() and bpf_task_acquire() mirror the series'
 * kernel/bpf/helpers.c; put_task_struct_rcu_user() makes the last put,
 * which hands the task to call_rcu(); a simulated grace period (every
 * other CPU passes the top of its loop) frees it.
 *
 * The random phase. Every CPU, in process context, makes tasks and stores
 * them in shared slots with xchg (bpf_kptr_xchg()), takes them out and
 * releases them, acquires references with refcount_inc_not_zero() on
 * tasks reachable from the slots or from weak[] (pointers without a
 * reference, valid under RCU, like the pid hash), holds them for a while
 * and releases them, with interrupts on or off; off, bpf_task_put() takes
 * the deferral path. The NMI handler releases what it takes out of the
 * slots and what it acquires; one NMI in 256 empties all slots, so some
 * NMIs queue hundreds of puts and the irq_work works through them in
 * batches, requeueing itself. The put of a task can release one more (a
 * BPF program run by the put), from the irq_work. As references come
 * back while a put is queued, some deferred puts are not the last, and
 * the node is linked again later, on any CPU. Meanwhile, CPUs other than
 * CPU 0 go down and come back, one at a time, as kernel/cpu.c takes them:
 * interrupts off with puts queued and the irq_work raised, online bit
 * cleared, the raised irq_works run one last time, NMIs until the CPU is
 * dead; CPU 0 runs the dead-CPU callback in process context; booting, the
 * CPU takes NMIs with interrupts off before and after setting its online
 * bit, enables interrupts and runs the online callback.
 *
 * The fixed scenarios, once the threads are gone, in main(): one NMI
 * releasing 150 tasks (three runs, two requeues); a put that is not the
 * last because of a reference taken while it was queued, then the node
 * linked again from an NMI on another CPU; the same node linked again on
 * its CPU while the irq_work runs, by a release that its own put makes,
 * with three puts queued behind it; a CPU going down with a partly made
 * batch, a put queued before and one after __cpu_disable(); booting with
 * a put queued before the CPU is online, made after the online callback;
 * down and up again with one put queued before and one after the CPU is
 * online, before the online callback: the second must make both. Then
 * the slots are emptied and the RCU callbacks run.
 *
 * Checked throughout:
 * - every task's last put is made exactly once, never in NMI, never with
 *   interrupts off outside hard irq; never while its node is queued;
 * - every deferred put is made once per link of the node, not in NMI, by
 *   the irq_work of the CPU that linked it, with that CPU online, or by
 *   the dead-CPU callback of that CPU; a run makes at most
 *   BPF_DEFER_PUT_BATCH puts;
 * - a node is linked only when it is on no list;
 * - the rcu_head is not read after the last put: call_rcu() points its
 *   next to a trap that fails if run;
 * - no irq_work is queued on an offline CPU, nor a work of another CPU;
 * - whenever a CPU is in process context with interrupts on, online, and
 *   its irq_work was queued since it came up, no put is left on its
 *   queue unless its interrupt is raised (at the top of the loop, and
 *   before the online callback); after the dead-CPU callback, none is
 *   left on the dead CPU's;
 * - the init removes its online state when the second registration
 *   fails, and registers both callbacks otherwise;
 * - at the end: no put queued, no irq_work raised, every task made got
 *   its last put and was freed, no pointer left in weak[]; ASan, UBSan
 *   and TSan find nothing; the run ends by itself (a watchdog fails it at
 *   its deadline).
 * A failure is reported as it happens and ends the random phase.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>
#include <linux/bpf.h>
#include <linux/cpuhotplug.h>
#include <linux/cpumask.h>
#include <linux/irq_work.h>
#include <linux/llist.h>
#include <linux/percpu.h>
#include <linux/rcupdate.h>

/* BPF_DEFER_PUT_BATCH of defer_put.c, passed in by the Makefile. */
#ifndef DEFER_PUT_BATCH
#error "DEFER_PUT_BATCH not defined"
#endif

#define SLOTS		1024	/* map values holding a task kptr */
#define WEAK		1024	/* RCU-protected pointers, no reference */
#define HELD		8	/* references a CPU holds in process context */
#define BIG_NMI		SLOTS	/* slots one NMI in 256 empties */
#define MAX_FAILS	16

#define READ(x)		__atomic_load_n(&(x), __ATOMIC_SEQ_CST)
#define WRITE(x, v)	__atomic_store_n(&(x), (v), __ATOMIC_SEQ_CST)
#define XCHG(x, v)	__atomic_exchange_n(&(x), (v), __ATOMIC_SEQ_CST)
#define CMPXCHG(x, o, n) \
	__atomic_compare_exchange_n(&(x), &(o), (n), false, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST)
#define ADD(x, v)	__atomic_add_fetch(&(x), (v), __ATOMIC_SEQ_CST)
#define STAT(x)		__atomic_add_fetch(&(x), 1, __ATOMIC_RELAXED)
#define STAT_MAX(x, v)	do {							\
	long __v = (v), __o = __atomic_load_n(&(x), __ATOMIC_RELAXED);		\
	while (__o < __v && !__atomic_compare_exchange_n(&(x), &__o, __v, false,	\
			__ATOMIC_RELAXED, __ATOMIC_RELAXED))			\
		;								\
} while (0)

/* The context of the running thread (include/linux/harness.h). */
__thread int harness_cpu;
__thread volatile int harness_in_nmi;
__thread volatile int harness_in_hardirq;
__thread volatile int harness_irqs_off;
bool harness_cpu_is_online[NR_CPUS];
char *harness_percpu_base[NR_CPUS];
/* Keeps the sections present even if the code under test had none. */
static DEFINE_PER_CPU(int, harness_percpu_anchor) __attribute__((used));
static int harness_initcall_anchor(void) { return 0; }
late_initcall(harness_initcall_anchor);

/* More of it, private to this file. */
static __thread struct irq_work *running_work;	/* irq_work callback running */
static __thread long run_puts;		/* deferred puts made by that run */
static __thread int in_defer_put;	/* inside bpf_defer_put() */
static __thread int in_deferred_put;	/* inside bpf_task_put_deferred() */
static __thread int in_dead_flush = -1;	/* dead-CPU callback for this CPU */
static __thread long flush_puts;	/* deferred puts made by that callback */
static __thread int in_rcu_cb;		/* RCU callbacks after a grace period */
static __thread volatile unsigned int handler_seq;	/* signal handler entries */
static __thread unsigned int nmi_seed, irq_seed, flush_seed;
static __thread pid_t my_tid;

static int nr_cpus = 4;
static double seconds = 5;
static pid_t harness_pid;
static int cpu_tid[NR_CPUS];		/* thread playing the CPU, for the interrupt */
static int stop;
static int quiet;			/* main's fixed scenarios: no random releases */

/* Statistics. */
static long tasks_made, final_puts, deferred_final_puts, dead_flush_puts, freed;
static long puts_nmi, deferred_nmi, deferred_irqsoff, deferred_irq, deferred_offline;
static long deferred_runs, deferred_not_last, relinks, acquires, acquires_queued;
static long nmis, nmis_in_irq_work, nmis_in_defer_put, nmi_max_deferred;
static long irq_runs, requeues, max_batch, hotplug_cycles, dead_flush_max;
static long random_nmi_max, random_max_batch, random_dead_flush_max;

/*
 * Failures. Most are seen in a signal handler (an NMI or the irq_work
 * interrupt) or with the thread's allocator state unknown: no stdio, no
 * malloc. The first ones are written with write(2) as they happen; any
 * failure ends the random phase.
 */
static long bad;

static void put_str(char *buf, size_t *len, size_t size, const char *s)
{
	while (*s && *len < size - 1)
		buf[(*len)++] = *s++;
}

static void put_num(char *buf, size_t *len, size_t size, long v)
{
	char tmp[24];
	int n = 0;
	unsigned long u = v < 0 ? -(unsigned long)v : (unsigned long)v;

	do {
		tmp[n++] = '0' + u % 10;
		u /= 10;
	} while (u);
	if (v < 0)
		tmp[n++] = '-';
	while (n && *len < size - 1)
		buf[(*len)++] = tmp[--n];
}

static void fail(const char *what, long id)
{
	long n = __atomic_fetch_add(&bad, 1, __ATOMIC_SEQ_CST);
	char buf[256];
	size_t len = 0;

	WRITE(stop, 1);
	if (n >= MAX_FAILS)
		return;
	put_str(buf, &len, sizeof(buf), "harness: ");
	put_str(buf, &len, sizeof(buf), what);
	put_str(buf, &len, sizeof(buf), " (");
	if (id >= 0) {
		put_str(buf, &len, sizeof(buf), "task ");
		put_num(buf, &len, sizeof(buf), id);
		put_str(buf, &len, sizeof(buf), ", ");
	}
	put_str(buf, &len, sizeof(buf), "cpu ");
	put_num(buf, &len, sizeof(buf), harness_cpu);
	if (harness_in_nmi)
		put_str(buf, &len, sizeof(buf), ", in NMI");
	if (harness_in_hardirq)
		put_str(buf, &len, sizeof(buf), ", in hard irq");
	else if (harness_irqs_off)
		put_str(buf, &len, sizeof(buf), ", interrupts off");
	if (in_dead_flush >= 0)
		put_str(buf, &len, sizeof(buf), ", dead-CPU callback");
	put_str(buf, &len, sizeof(buf), ")\n");
	if (write(2, buf, len) < 0)
		return;
}

/* A hang is a failure too: the run must end by itself. */
static void watchdog(int sig)
{
	static const char msg[] = "harness: FAILED: still running at the deadline (hang)\n";

	(void)sig;
	if (write(2, msg, sizeof(msg) - 1) < 0)
		_exit(3);
	_exit(3);
}

void harness_percpu_init(int n)
{
	size_t size = __stop_harness_percpu - __start_harness_percpu;
	int cpu;

	for (cpu = 0; cpu < n; cpu++) {
		harness_percpu_base[cpu] = aligned_alloc(64, (size + 63) & ~63UL);
		memcpy(harness_percpu_base[cpu], __start_harness_percpu, size);
	}
}

/*
 * irq_work (include/linux/irq_work.h). The interrupt of a CPU is
 * irq_raised[cpu] plus, if a thread plays the CPU, SIGUSR2 sent to it;
 * it is taken by the signal handler unless the CPU has interrupts off,
 * and by irqs_on() and the top of the CPU loop otherwise (the sanitizer
 * runtimes may hold a signal back until the next intercepted call).
 */
static struct llist_head raised[NR_CPUS];
static int irq_raised[NR_CPUS];

static void arch_irq_work_raise(int cpu)
{
	WRITE(irq_raised[cpu], 1);
	if (my_tid && READ(cpu_tid[cpu]) == my_tid)
		syscall(SYS_tgkill, harness_pid, my_tid, SIGUSR2);
}

bool irq_work_queue(struct irq_work *work)
{
	int cpu = harness_cpu, old;
	char *p = (char *)work, *base = harness_percpu_base[cpu];

	if (!(work->flags & IRQ_WORK_HARD_IRQ))
		fail("irq_work queued is not a hard irq_work", -1);
	if (p < base || p >= base + (__stop_harness_percpu - __start_harness_percpu))
		fail("irq_work of another CPU queued on this one", -1);
	if (!cpu_online(cpu))
		fail("irq_work queued on an offline CPU", -1);
	if (work == running_work)
		STAT(requeues);
	old = __atomic_fetch_or(&work->flags, IRQ_WORK_PENDING | IRQ_WORK_BUSY, __ATOMIC_SEQ_CST);
	if (old & IRQ_WORK_PENDING)
		return false;
	if (llist_add(&work->node, &raised[cpu]))
		arch_irq_work_raise(cpu);
	return true;
}

/* irq_work_run_list() of kernel/irq_work.c, for the running CPU. */
static void irq_work_run_raised(int cpu)
{
	struct llist_node *node = llist_del_all(&raised[cpu]), *next;

	for (; node; node = next) {
		struct irq_work *work = container_of(node, struct irq_work, node);
		struct irq_work *outer = running_work;
		int flags;

		next = node->next;
		flags = __atomic_and_fetch(&work->flags, ~IRQ_WORK_PENDING, __ATOMIC_SEQ_CST);
		STAT(irq_runs);
		running_work = work;
		run_puts = 0;
		work->func(work);
		STAT_MAX(max_batch, run_puts);
		if (run_puts > DEFER_PUT_BATCH)
			fail("an irq_work run made more puts than the batch", -1);
		running_work = outer;
		__atomic_compare_exchange_n(&work->flags, &flags, flags & ~IRQ_WORK_BUSY,
					    false, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
	}
}

/* The irq_work interrupt, taken on the running CPU. */
static void hardirq(void)
{
	harness_in_hardirq++;
	harness_irqs_off++;
	if (XCHG(irq_raised[harness_cpu], 0))
		irq_work_run_raised(harness_cpu);
	harness_irqs_off--;
	harness_in_hardirq--;
}

static void hardirq_handler(int sig)
{
	int e = errno;

	(void)sig;
	handler_seq++;
	if (!harness_irqs_off)
		hardirq();
	handler_seq++;
	errno = e;
}

/* Interrupts on with the interrupt raised: it is taken now. */
static void take_pending_irq(void)
{
	long n = 0;

	while (READ(irq_raised[harness_cpu])) {
		hardirq();
		if (++n > 1000000) {
			fail("irq_work requeues itself forever", -1);
			break;
		}
	}
}

static sigset_t irq_sigset;

static void irqs_off(void)
{
	pthread_sigmask(SIG_BLOCK, &irq_sigset, NULL);
	harness_irqs_off++;
}

static void irqs_on(void)
{
	harness_irqs_off--;
	pthread_sigmask(SIG_UNBLOCK, &irq_sigset, NULL);
	take_pending_irq();
}

/*
 * CPU hotplug (include/linux/cpuhotplug.h). defer_put.c's init runs
 * first with the second registration failing, to check that it removes
 * the first one; then for good.
 */
int harness_warnings;

int harness_warn(const char *fmt, ...)
{
	va_list ap;
	int ret;

	harness_warnings++;
	va_start(ap, fmt);
	ret = vfprintf(stderr, fmt, ap);
	va_end(ap);
	return ret;
}

static int (*cpu_dead_cb)(unsigned int cpu);
static int (*cpu_online_cb)(unsigned int cpu);
static int cpuhp_fail_prepare;

int cpuhp_setup_state_nocalls(enum cpuhp_state state, const char *name,
			      int (*startup)(unsigned int cpu),
			      int (*teardown)(unsigned int cpu))
{
	(void)name;
	if (state == CPUHP_AP_ONLINE_DYN) {
		cpu_online_cb = startup;
		return CPUHP_AP_ONLINE_DYN + 1;
	}
	if (state == CPUHP_BP_PREPARE_DYN) {
		if (cpuhp_fail_prepare)
			return -ENOSPC;
		cpu_dead_cb = teardown;
		return CPUHP_BP_PREPARE_DYN + 1;
	}
	fail("cpuhp_setup_state_nocalls() for an unexpected state", -1);
	return -EINVAL;
}

void cpuhp_remove_state_nocalls(enum cpuhp_state state)
{
	if (state == CPUHP_AP_ONLINE_DYN + 1)
		cpu_online_cb = NULL;
	else if (state == CPUHP_BP_PREPARE_DYN + 1)
		cpu_dead_cb = NULL;
	else
		fail("cpuhp_remove_state_nocalls() of a state not set up", -1);
}

static void run_initcalls(void)
{
	initcall_t *fn;
	int ret;

	cpuhp_fail_prepare = 1;
	for (fn = __start_harness_initcall; fn < __stop_harness_initcall; fn++)
		if ((*fn)() < 0 && *fn != harness_initcall_anchor && cpu_online_cb)
			fail("init failed but left its online callback registered", -1);
	cpuhp_fail_prepare = 0;
	if (harness_warnings != 1)
		fail("init failed without one warning", harness_warnings);
	for (fn = __start_harness_initcall; fn < __stop_harness_initcall; fn++) {
		ret = (*fn)();
		if (ret)
			fail("an initcall failed", ret);
	}
	if (!cpu_online_cb || !cpu_dead_cb)
		fail("init did not register both hotplug callbacks", -1);
}

/*
 * Tasks. rcu_users and rcu are those of struct task_struct; the rest is
 * the harness's bookkeeping.
 */
struct task {
	int rcu_users;			/* refcount_t */
	struct rcu_head rcu;		/* node of the deferred put, then call_rcu() */
	long id;
	int weak_idx;
	int on_list;			/* linked by bpf_defer_put(), put not made yet */
	int queued_cpu;			/* CPU whose queue it was linked on */
	int links;			/* times it was linked */
	int final;			/* last put made */
	struct llist_node rcu_link;	/* on rcu_next[] or rcu_wait[] */
};

static struct task *slots[SLOTS];	/* each holds a reference */
static struct task *weak[WEAK];		/* hold none, as the pid hash */
static long queued[NR_CPUS];		/* linked on the CPU's queue, not put yet */
/* The CPU is online and its irq_work was queued since (by an adder or
 * by the online callback): no put may stay queued with interrupts on.
 */
static int wake_expected[NR_CPUS];

/*
 * RCU: call_rcu() adds to the running CPU's list; a CPU thread passes a
 * quiescent state at the top of its loop (it holds no pointer read from
 * a slot or from weak[] there, and none of its signal handlers runs),
 * and invokes its callbacks once every other CPU passed one since they
 * were queued. So a task is freed only when no thread can still reach it.
 */
static unsigned long qs[NR_CPUS];
static struct llist_head rcu_next[NR_CPUS];
static struct llist_node *rcu_wait[NR_CPUS];
static unsigned long rcu_snap[NR_CPUS][NR_CPUS];

/* Where call_rcu() points the next pointer of an rcu_head it takes. */
static void rcu_head_trap(struct rcu_head *head)
{
	fail("the link of an rcu_head followed after its last put (the rcu_head is RCU's)", -1);
}

static struct rcu_head rcu_poison = { .func = rcu_head_trap };

/*
 * call_rcu(&t->rcu, func): from here on the rcu_head is RCU's, which
 * writes both its fields (the kernel sets next to NULL, then to the next
 * callback; here it points to a trap). The harness queues the task by a
 * link of its own.
 */
static void call_rcu(struct task *t, rcu_callback_t func)
{
	if (in_nmi())
		fail("call_rcu() in NMI", t->id);
	t->rcu.func = func;
	t->rcu.next = &rcu_poison;
	llist_add(&t->rcu_link, &rcu_next[harness_cpu]);
}

static void rcu_invoke(struct llist_node *node)
{
	struct llist_node *next;

	in_rcu_cb = 1;
	for (; node; node = next) {
		struct task *t = container_of(node, struct task, rcu_link);

		next = node->next;
		t->rcu.func(&t->rcu);
	}
	in_rcu_cb = 0;
}

static void rcu_qs(int cpu)
{
	ADD(qs[cpu], 1);
}

static void rcu_run(int cpu)
{
	int i;

	if (rcu_wait[cpu]) {
		for (i = 0; i < nr_cpus; i++)
			if (i != cpu && READ(qs[i]) <= rcu_snap[cpu][i])
				return;
		rcu_invoke(rcu_wait[cpu]);
		rcu_wait[cpu] = NULL;
	}
	rcu_wait[cpu] = llist_del_all(&rcu_next[cpu]);
	for (i = 0; i < nr_cpus; i++)
		rcu_snap[cpu][i] = READ(qs[i]);
}

/* refcount_t, with the kernel's semantics for these four. */
static bool refcount_inc_not_zero(int *r, long id)
{
	int old = READ(*r);

	do {
		if (old <= 0) {
			if (old < 0)
				fail("refcount below zero", id);
			return false;
		}
	} while (!CMPXCHG(*r, old, old + 1));
	return true;
}

static bool refcount_dec_not_one(int *r, long id)
{
	int old = READ(*r);

	do {
		if (old == 1)
			return false;
		if (old <= 0) {
			fail("refcount_dec_not_one() of a task without references", id);
			return true;
		}
	} while (!CMPXCHG(*r, old, old - 1));
	return true;
}

static bool refcount_dec_and_test(int *r, long id)
{
	int n = ADD(*r, -1);

	if (n < 0)
		fail("refcount below zero", id);
	return !n;
}

/* delayed_put_task_struct(): after the grace period, the task goes. */
static void task_free_rcu(struct rcu_head *rcu)
{
	struct task *t = container_of(rcu, struct task, rcu);

	if (!in_rcu_cb) {
		fail("RCU callback called outside RCU", t->id);
		return;
	}
	if (!READ(t->final))
		fail("task freed before its last put", t->id);
	STAT(freed);
	t->rcu_users = -1000;
	free(t);
}

/*
 * The last put: put_task_struct_rcu_user() of kernel/exit.c hands the
 * task to call_rcu(), which must not run in NMI, nor with interrupts off
 * outside hard irq (where the caller may hold the locks call_rcu() takes).
 */
static void task_last_put(struct task *t)
{
	struct task *self = t;

	if (XCHG(t->final, 1))
		fail("last put made twice", t->id);
	if (in_nmi())
		fail("last put in NMI", t->id);
	else if (irqs_disabled() && !in_hardirq())
		fail("last put with interrupts off outside hard irq", t->id);
	if (READ(t->on_list))
		fail("last put of a task whose node is still queued", t->id);
	STAT(final_puts);
	if (in_deferred_put)
		STAT(deferred_final_puts);
	if (in_dead_flush >= 0)
		STAT(dead_flush_puts);
	CMPXCHG(weak[t->weak_idx], self, NULL);
	call_rcu(t, task_free_rcu);
}

static bool put_task_struct_rcu_user(struct task *t)
{
	if (!refcount_dec_and_test(&t->rcu_users, t->id))
		return false;
	task_last_put(t);
	return true;
}

static void bpf_task_put(struct task *p);

/* A BPF program run by the put releases a task it takes out of a map. */
static void prog_releases_more(void)
{
	unsigned int *seed = harness_in_hardirq ? &irq_seed : &flush_seed;
	struct task *t;

	if (READ(quiet) || rand_r(seed) % 8)
		return;
	t = XCHG(slots[rand_r(seed) % SLOTS], NULL);
	if (t)
		bpf_task_put(t);
}

/* Checks of a deferred put, made by the irq_work or the dead-CPU flush. */
static void deferred_put_check(struct task *t)
{
	int cpu;

	if (!XCHG(t->on_list, 0)) {
		fail("deferred put of a node that is not queued (made twice?)", t->id);
		return;
	}
	cpu = READ(t->queued_cpu);
	ADD(queued[cpu], -1);
	STAT(deferred_runs);
	if (in_nmi()) {
		fail("deferred put made in NMI", t->id);
	} else if (running_work) {
		if (harness_cpu != cpu)
			fail("deferred put made by the irq_work of another CPU", t->id);
		if (!cpu_online(harness_cpu))
			fail("deferred put made by an irq_work on an offline CPU", t->id);
		run_puts++;
	} else if (in_dead_flush == cpu) {
		flush_puts++;
	} else {
		fail("deferred put made outside its CPU's irq_work and dead-CPU callback", t->id);
	}
}

/*
 * A reference that a BPF program run by the put of prog_trigger releases
 * (main()'s scenarios only).
 */
static struct task *prog_ref, *prog_trigger;

/* bpf_task_put_deferred() of the series (kernel/bpf/helpers.c), checked. */
static void bpf_task_put_deferred(struct rcu_head *rcu)
{
	struct task *t = container_of(rcu, struct task, rcu), *r = NULL;

	deferred_put_check(t);
	if (t == READ(prog_trigger))
		r = XCHG(prog_ref, NULL);
	in_deferred_put++;
	if (!put_task_struct_rcu_user(t))
		STAT(deferred_not_last);
	in_deferred_put--;
	if (r)
		bpf_task_put(r);
	prog_releases_more();
}

/* The harness's bookkeeping around bpf_defer_put(&p->rcu, ...). */
static __thread long nmi_deferred;

static void task_defer_put(struct task *t)
{
	int cpu = harness_cpu;

	if (XCHG(t->on_list, 1))
		fail("node linked while it is on a list", t->id);
	WRITE(t->queued_cpu, cpu);
	if (ADD(t->links, 1) > 1)
		STAT(relinks);
	ADD(queued[cpu], 1);
	if (cpu_online(cpu))
		WRITE(wake_expected[cpu], 1);
	else
		STAT(deferred_offline);
	if (in_nmi()) {
		STAT(deferred_nmi);
		nmi_deferred++;
	} else if (in_hardirq()) {
		STAT(deferred_irq);
	} else {
		STAT(deferred_irqsoff);
	}
	in_defer_put++;
	bpf_defer_put(&t->rcu, bpf_task_put_deferred);
	in_defer_put--;
}

/*
 * bpf_task_put() of the series (kernel/bpf/helpers.c), line for line but
 * for the statistics; task_defer_put() is bpf_defer_put(&p->rcu,
 * bpf_task_put_deferred) with the harness's bookkeeping.
 */
static void bpf_task_put(struct task *p)
{
	if (in_nmi())
		STAT(puts_nmi);
	if (likely(!bpf_defer_put_needed()))
		put_task_struct_rcu_user(p);
	else if (!refcount_dec_not_one(&p->rcu_users, p->id))
		task_defer_put(p);
}

/* bpf_task_acquire(): a reference to a task still reachable under RCU. */
static struct task *bpf_task_acquire(struct task *p)
{
	if (!p || !refcount_inc_not_zero(&p->rcu_users, p->id))
		return NULL;
	STAT(acquires);
	if (READ(p->on_list))
		STAT(acquires_queued);
	return p;
}

/* A new task, one reference, reachable through weak[] (process context). */
static struct task *task_new(unsigned int *seed)
{
	struct task *t = calloc(1, sizeof(*t));

	if (!t)
		abort();
	t->rcu_users = 1;
	t->id = __atomic_fetch_add(&tasks_made, 1, __ATOMIC_SEQ_CST);
	t->weak_idx = rand_r(seed) % WEAK;
	t->queued_cpu = -1;
	WRITE(weak[t->weak_idx], t);
	return t;
}

/* bpf_kptr_xchg() into a slot; the reference it held is released. */
static void slot_store(struct task *t, unsigned int *seed)
{
	struct task *old = XCHG(slots[rand_r(seed) % SLOTS], t);

	if (old)
		bpf_task_put(old);
}

static struct task *slot_take(unsigned int *seed)
{
	return XCHG(slots[rand_r(seed) % SLOTS], NULL);
}

static struct task *acquire_weak(unsigned int *seed)
{
	return bpf_task_acquire(READ(weak[rand_r(seed) % WEAK]));
}

/* A kptr read from a map under RCU, then acquired. */
static struct task *acquire_slot(unsigned int *seed)
{
	return bpf_task_acquire(READ(slots[rand_r(seed) % SLOTS]));
}

/*
 * The NMI. On x86 an NMI runs no handler on an offline CPU, so none on a
 * dead one here; one on a CPU going down or booting does run.
 */
enum { CPU_UP, CPU_DYING, CPU_DEAD, CPU_BOOTING };
static int cpu_state[NR_CPUS];

static void nmi_body(unsigned int *seed)
{
	unsigned int r = rand_r(seed);
	struct task *t;
	int i, n;

	if (!(r % 256)) {
		/* Empties the maps: more puts than one batch. */
		int start = rand_r(seed) % SLOTS;

		for (i = 0; i < BIG_NMI; i++) {
			t = XCHG(slots[(start + i) % SLOTS], NULL);
			if (t)
				bpf_task_put(t);
		}
		return;
	}
	n = r / 256 % 6;
	for (i = 0; i < n; i++) {
		switch (rand_r(seed) % 8) {
		case 0:
			t = acquire_weak(seed);
			if (t)
				bpf_task_put(t);
			break;
		case 1:
			t = acquire_weak(seed);
			if (t)
				slot_store(t, seed);
			break;
		case 2:
			t = acquire_slot(seed);
			if (t)
				bpf_task_put(t);
			break;
		default:
			t = slot_take(seed);
			if (t)
				bpf_task_put(t);
			break;
		}
	}
}

static void nmi_enter(void)
{
	STAT(nmis);
	if (running_work)
		STAT(nmis_in_irq_work);
	if (in_defer_put)
		STAT(nmis_in_defer_put);
	harness_in_nmi++;
	harness_irqs_off++;
	nmi_deferred = 0;
}

static void nmi_exit(void)
{
	STAT_MAX(nmi_max_deferred, nmi_deferred);
	harness_irqs_off--;
	harness_in_nmi--;
}

static void nmi_handler(int sig)
{
	int e = errno;

	(void)sig;
	if (READ(cpu_state[harness_cpu]) == CPU_DEAD)
		return;
	handler_seq++;
	nmi_enter();
	nmi_body(&nmi_seed);
	nmi_exit();
	handler_seq++;
	errno = e;
}

/*
 * With interrupts on, the irq_work interrupt was taken: if the CPU is
 * online and its irq_work was queued since it came up, no put is left on
 * its queue. Read without a handler of this thread in between.
 */
static void check_wakeup(const char *when)
{
	int cpu = harness_cpu;
	unsigned int seq = handler_seq;
	long n;
	int raise;

	__atomic_signal_fence(__ATOMIC_SEQ_CST);
	if (harness_irqs_off || !cpu_online(cpu) || !READ(wake_expected[cpu]))
		return;
	n = READ(queued[cpu]);
	raise = READ(irq_raised[cpu]);
	__atomic_signal_fence(__ATOMIC_SEQ_CST);
	if (seq == handler_seq && n > 0 && !raise)
		fail(when, -1);
}

/* CPU hotplug callbacks, where the kernel calls them. */
static void harness_cpu_dead(int cpu)
{
	int cb = cpu_dead_cb != NULL;

	if (harness_irqs_off || harness_cpu == cpu)
		fail("dead-CPU callback not in process context on another CPU", -1);
	in_dead_flush = cpu;
	flush_puts = 0;
	if (cb)
		cpu_dead_cb(cpu);
	in_dead_flush = -1;
	STAT_MAX(dead_flush_max, flush_puts);
	if (READ(queued[cpu]))
		fail("puts left queued on a dead CPU after its dead-CPU callback", -1);
}

static void harness_cpu_online(int cpu)
{
	if (harness_irqs_off || harness_cpu != cpu || !cpu_online(cpu))
		fail("online callback not on its CPU, online, in process context", -1);
	if (cpu_online_cb)
		cpu_online_cb(cpu);
	WRITE(wake_expected[cpu], 1);
	take_pending_irq();
}

/* Process context: references held by the CPU between steps. */
static void hold(struct task **held, struct task *t, unsigned int *seed)
{
	int i = rand_r(seed) % HELD;
	struct task *old = held[i];

	held[i] = t;
	if (old)
		bpf_task_put(old);
}

static struct task *unhold(struct task **held, unsigned int *seed)
{
	int i = rand_r(seed) % HELD;
	struct task *t = held[i];

	held[i] = NULL;
	return t;
}

static void process_ops(struct task **held, unsigned int *seed, int n)
{
	struct task *t;

	while (n--) {
		switch (rand_r(seed) % 10) {
		case 0:
		case 1:
			/* A new task, stored in a map; sometimes kept too. */
			t = task_new(seed);
			if (!(rand_r(seed) % 4))
				hold(held, bpf_task_acquire(t), seed);
			slot_store(t, seed);
			break;
		case 2:
			t = acquire_weak(seed);
			if (t)
				hold(held, t, seed);
			break;
		case 3:
			t = acquire_slot(seed);
			if (t)
				hold(held, t, seed);
			break;
		case 4:
			t = slot_take(seed);
			if (t)
				hold(held, t, seed);
			break;
		case 5:
		case 6:
			t = unhold(held, seed);
			if (t)
				bpf_task_put(t);
			break;
		case 7:
			t = unhold(held, seed);
			if (t)
				slot_store(t, seed);
			break;
		case 8:
			t = slot_take(seed);
			if (t)
				bpf_task_put(t);
			break;
		case 9:
			t = acquire_weak(seed);
			if (t)
				bpf_task_put(t);
			break;
		}
	}
}

/* Hotplug cycle: which CPU, and whether its dead callback ran. */
static int hp_cpu = -1;
static int hp_dead_done;

static void relax(int cpu, int n)
{
	while (n--) {
		rcu_qs(cpu);
		sched_yield();
	}
}

/*
 * The CPU goes down and comes back, as kernel/cpu.c takes it: with
 * interrupts off (stop_machine()), releases made just before are left
 * queued, the irq_work raised; __cpu_disable() clears the online bit;
 * smpcfd_dying_cpu() runs the raised irq_works one last time; NMIs may
 * still come until the CPU is dead; the control CPU (CPU 0) runs the
 * dead-CPU callback. Booting, the CPU takes NMIs with interrupts off,
 * sets its online bit, enables interrupts; later its hotplug thread runs
 * the online callback.
 */
static void cpu_down_up(int cpu, struct task **held, unsigned int *seed)
{
	int i;

	irqs_off();
	for (i = 0; i < HELD; i++) {
		if (held[i])
			bpf_task_put(held[i]);
		held[i] = NULL;
	}
	process_ops(held, seed, 8);
	WRITE(cpu_state[cpu], CPU_DYING);
	WRITE(harness_cpu_is_online[cpu], false);
	WRITE(wake_expected[cpu], 0);
	relax(cpu, 2);
	irq_work_run_raised(cpu);
	relax(cpu, 2);
	WRITE(irq_raised[cpu], 0);
	WRITE(cpu_state[cpu], CPU_DEAD);
	while (!READ(hp_dead_done))
		relax(cpu, 1);
	WRITE(cpu_state[cpu], CPU_BOOTING);
	relax(cpu, 3);
	WRITE(harness_cpu_is_online[cpu], true);
	relax(cpu, 1);
	WRITE(cpu_state[cpu], CPU_UP);
	irqs_on();
	relax(cpu, 3);
	check_wakeup("a put queued after the CPU came online left with interrupts on, before the online callback");
	harness_cpu_online(cpu);
	WRITE(hp_dead_done, 0);
	STAT(hotplug_cycles);
	WRITE(hp_cpu, -1);
}

/* CPU 0 is the control CPU of hotplug. */
static void hotplug_control(void)
{
	int cpu = READ(hp_cpu);

	if (cpu > 0 && READ(cpu_state[cpu]) == CPU_DEAD && !READ(hp_dead_done)) {
		harness_cpu_dead(cpu);
		WRITE(hp_dead_done, 1);
	}
}

struct cpu {
	pthread_t thread;
	int id;
};

static void *cpu_fn(void *arg)
{
	struct cpu *c = arg;
	unsigned int seed = c->id * 7919 + 1;
	struct task *held[HELD] = { NULL };
	sigset_t all;
	int i;

	harness_cpu = c->id;
	my_tid = gettid();
	nmi_seed = seed * 31;
	irq_seed = seed * 37;
	flush_seed = seed * 41;
	WRITE(cpu_tid[c->id], my_tid);
	sigemptyset(&all);
	sigaddset(&all, SIGUSR1);
	sigaddset(&all, SIGUSR2);
	pthread_sigmask(SIG_UNBLOCK, &all, NULL);
	for (;;) {
		/* Top of the loop: interrupts on, a quiescent state. */
		rcu_qs(c->id);
		rcu_run(c->id);
		take_pending_irq();
		check_wakeup("puts left queued on an online CPU with interrupts on and no irq_work raised (lost wakeup)");
		if (READ(hp_cpu) == c->id) {
			cpu_down_up(c->id, held, &seed);
			continue;
		}
		if (!c->id)
			hotplug_control();
		if (READ(stop)) {
			if (c->id || READ(hp_cpu) < 0)
				break;
			sched_yield();
			continue;
		}
		switch (rand_r(&seed) % 16) {
		case 0 ... 8:
			/* Mostly idle, so that NMIs make many of the puts. */
			sched_yield();
			break;
		case 9 ... 12:
			process_ops(held, &seed, 1 + rand_r(&seed) % 4);
			break;
		default:
			irqs_off();
			process_ops(held, &seed, 1 + rand_r(&seed) % 8);
			if (!(rand_r(&seed) % 4))
				sched_yield();
			irqs_on();
			break;
		}
	}
	for (i = 0; i < HELD; i++)
		if (held[i])
			bpf_task_put(held[i]);
	take_pending_irq();
	return NULL;
}

/* main() plays the CPUs once the threads are gone. */
static void on_cpu(int cpu)
{
	harness_cpu = cpu;
}

/* An NMI on the current CPU that releases the only reference of @t. */
static void nmi_put(struct task *t)
{
	nmi_enter();
	bpf_task_put(t);
	nmi_exit();
}

static struct task *nmi_put_new(unsigned int *seed)
{
	struct task *t = task_new(seed);

	nmi_put(t);
	return t;
}

static void expect_put(struct task *t, const char *what)
{
	if (!READ(t->final) || READ(t->on_list))
		fail(what, t->id);
}

static void expect_queued(struct task *t, const char *what)
{
	if (READ(t->final) || !READ(t->on_list))
		fail(what, t->id);
}

/* __cpu_disable(), then smpcfd_dying_cpu(), on the current CPU. */
static void cpu_dying(int cpu)
{
	WRITE(harness_cpu_is_online[cpu], false);
	WRITE(wake_expected[cpu], 0);
	harness_irqs_off++;
	irq_work_run_raised(cpu);
	harness_irqs_off--;
	WRITE(irq_raised[cpu], 0);
}

/*
 * Fixed scenarios, in main() with the CPU threads gone, each ending with
 * what it must have produced.
 */
static void scenarios(void)
{
	struct task *t[150], *x, *e, *l, *b, *a;
	unsigned int seed = 4242;
	long r0;
	int i, d = nr_cpus - 1;

	WRITE(quiet, 1);

	/* One NMI releases 150 tasks: the irq_work makes them in batches. */
	on_cpu(0);
	for (i = 0; i < 150; i++)
		t[i] = task_new(&seed);
	nmi_enter();
	for (i = 0; i < 150; i++)
		bpf_task_put(t[i]);
	nmi_exit();
	r0 = READ(requeues);
	take_pending_irq();
	for (i = 0; i < 150; i++)
		expect_put(t[i], "a put queued by an NMI that released 150 tasks not made once interrupts are on");
	if (READ(requeues) - r0 < (150 - 1) / DEFER_PUT_BATCH)
		fail("150 puts made without the irq_work requeueing itself", -1);

	/*
	 * A reference taken while the put is queued: the deferred put is not
	 * the last; the node is linked again by the last put, from an NMI
	 * on another CPU.
	 */
	x = task_new(&seed);
	nmi_put(x);
	expect_queued(x, "last reference released in NMI not queued");
	if (!bpf_task_acquire(x))
		fail("bpf_task_acquire() failed on a task with a put queued", x->id);
	take_pending_irq();
	if (READ(x->final) || READ(x->on_list) || READ(x->rcu_users) != 1)
		fail("deferred put made while another reference was held went wrong", x->id);
	on_cpu(1 % nr_cpus);
	nmi_put(x);
	expect_queued(x, "node not linked again by the last put after a deferred put that was not the last");
	take_pending_irq();
	expect_put(x, "node linked again not put");

	/*
	 * The same, the node linked again on the same CPU while its irq_work
	 * runs: the put of the first node releases the reference the harness
	 * took (a BPF program run by the put), behind it wait three more.
	 */
	on_cpu(0);
	for (i = 0; i < 3; i++)
		t[i] = task_new(&seed);
	x = task_new(&seed);
	nmi_enter();
	for (i = 0; i < 3; i++)
		bpf_task_put(t[i]);
	bpf_task_put(x);
	nmi_exit();
	WRITE(prog_ref, bpf_task_acquire(x));
	WRITE(prog_trigger, x);
	take_pending_irq();
	WRITE(prog_trigger, NULL);
	if (READ(prog_ref) || READ(x->links) != 2)
		fail("scenario: the put did not release the program's reference", x->id);
	expect_put(x, "node linked again during its irq_work's run not put");
	for (i = 0; i < 3; i++)
		expect_put(t[i], "put queued behind a node linked again during the run not made");

	if (nr_cpus < 2)
		return;

	/*
	 * CPU d goes down with puts queued: 100 by one NMI, of which one run
	 * makes a batch, then one more. The last irq_work run of the dying
	 * CPU must leave them; an NMI after __cpu_disable() adds one without
	 * queueing the irq_work; the dead-CPU callback, on CPU 0, makes all.
	 */
	on_cpu(d);
	for (i = 0; i < 100; i++)
		t[i] = task_new(&seed);
	nmi_enter();
	for (i = 0; i < 100; i++)
		bpf_task_put(t[i]);
	nmi_exit();
	hardirq();
	e = nmi_put_new(&seed);
	cpu_dying(d);
	l = nmi_put_new(&seed);
	expect_queued(e, "put queued before the CPU went down made on the dying CPU");
	on_cpu(0);
	harness_cpu_dead(d);
	for (i = 0; i < 100; i++)
		expect_put(t[i], "put left in the batch of a CPU that went down not made by the dead-CPU callback");
	expect_put(e, "put queued before the CPU went down not made by the dead-CPU callback");
	expect_put(l, "put queued after the CPU went offline not made by the dead-CPU callback");

	/* Booting: a put queued before the CPU is online is made after its
	 * online callback.
	 */
	on_cpu(d);
	b = nmi_put_new(&seed);
	WRITE(harness_cpu_is_online[d], true);
	take_pending_irq();
	expect_queued(b, "put queued while booting made before the online callback");
	harness_cpu_online(d);
	expect_put(b, "put queued while booting not made after the online callback");

	/* Down and up again: a put queued once the CPU is online, before its
	 * online callback, queues the irq_work, which makes both.
	 */
	cpu_dying(d);
	on_cpu(0);
	harness_cpu_dead(d);
	on_cpu(d);
	b = nmi_put_new(&seed);
	WRITE(harness_cpu_is_online[d], true);
	a = nmi_put_new(&seed);
	take_pending_irq();
	expect_put(a, "put queued after the CPU came online not made by the irq_work it queued");
	expect_put(b, "put queued while booting not made by the irq_work a later put queued");
	harness_cpu_online(d);
	on_cpu(0);
}

int main(int argc, char **argv)
{
	struct cpu cpus[NR_CPUS];
	struct timespec t0, t, hp_t = { 0 };
	struct sigaction sa;
	long nmi_sent = 0, left = 0, i;
	unsigned int seed = 12345;
	double now;
	int cpu, opt;

	while ((opt = getopt(argc, argv, "c:s:")) != -1) {
		if (opt == 'c')
			nr_cpus = atoi(optarg);
		else if (opt == 's')
			seconds = atof(optarg);
	}
	if (nr_cpus < 1 || nr_cpus > NR_CPUS)
		nr_cpus = 4;
	harness_pid = getpid();
	harness_percpu_init(nr_cpus);
	for (cpu = 0; cpu < nr_cpus; cpu++)
		harness_cpu_is_online[cpu] = true;
	run_initcalls();
	sigemptyset(&irq_sigset);
	sigaddset(&irq_sigset, SIGUSR2);

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = nmi_handler;
	sigemptyset(&sa.sa_mask);
	sigaddset(&sa.sa_mask, SIGUSR2);	/* no interrupt inside the NMI */
	sa.sa_flags = SA_RESTART;
	sigaction(SIGUSR1, &sa, NULL);
	sa.sa_handler = hardirq_handler;
	sigemptyset(&sa.sa_mask);		/* NMIs inside the interrupt */
	sigaction(SIGUSR2, &sa, NULL);
	signal(SIGALRM, watchdog);
	alarm((unsigned int)seconds + 30);

	for (cpu = 0; cpu < nr_cpus; cpu++) {
		cpus[cpu].id = cpu;
		pthread_create(&cpus[cpu].thread, NULL, cpu_fn, &cpus[cpu]);
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	do {
		cpu = rand_r(&seed) % nr_cpus;
		if (READ(cpu_state[cpu]) != CPU_DEAD) {
			pthread_kill(cpus[cpu].thread, SIGUSR1);
			nmi_sent++;
		}
		if (!(nmi_sent % 64))
			sched_yield();
		clock_gettime(CLOCK_MONOTONIC, &t);
		now = (t.tv_sec - hp_t.tv_sec) + (t.tv_nsec - hp_t.tv_nsec) / 1e9;
		if (nr_cpus > 1 && now > 0.005 && READ(hp_cpu) < 0) {
			WRITE(hp_cpu, 1 + (int)(rand_r(&seed) % (nr_cpus - 1)));
			hp_t = t;
		}
		now = (t.tv_sec - t0.tv_sec) + (t.tv_nsec - t0.tv_nsec) / 1e9;
	} while (!READ(stop) && now < seconds);
	WRITE(stop, 1);
	for (cpu = 0; cpu < nr_cpus; cpu++) {
		pthread_join(cpus[cpu].thread, NULL);
		WRITE(cpu_tid[cpu], 0);
	}
	if (READ(bad)) {
		fprintf(stderr, "harness: FAILED in the random phase: %ld errors\n", bad);
		fflush(NULL);
		_exit(1);
	}

	random_nmi_max = nmi_max_deferred;
	random_max_batch = max_batch;
	random_dead_flush_max = dead_flush_max;

	/* Interrupts the threads left raised are taken. */
	for (cpu = 0; cpu < nr_cpus; cpu++) {
		on_cpu(cpu);
		take_pending_irq();
	}
	scenarios();

	/* Drain: what the maps hold is released in process context. */
	on_cpu(0);
	for (i = 0; i < SLOTS; i++) {
		struct task *p = XCHG(slots[i], NULL);

		if (p)
			bpf_task_put(p);
	}
	for (cpu = 0; cpu < nr_cpus; cpu++) {
		on_cpu(cpu);
		take_pending_irq();
		if (READ(queued[cpu])) {
			fprintf(stderr, "harness: %ld puts left queued on cpu %d\n", queued[cpu], cpu);
			bad++;
		}
		if (!llist_empty(&raised[cpu]) || READ(irq_raised[cpu])) {
			fprintf(stderr, "harness: irq_work left raised on cpu %d\n", cpu);
			bad++;
		}
	}
	for (cpu = 0; cpu < nr_cpus; cpu++) {
		on_cpu(cpu);
		rcu_invoke(rcu_wait[cpu]);
		rcu_wait[cpu] = NULL;
		rcu_invoke(llist_del_all(&rcu_next[cpu]));
	}
	on_cpu(0);
	left = tasks_made - final_puts;
	if (left || freed != tasks_made) {
		fprintf(stderr, "harness: %ld tasks, %ld last puts, %ld freed\n",
			tasks_made, final_puts, freed);
		bad++;
	}
	for (i = 0; i < WEAK; i++)
		if (weak[i]) {
			fprintf(stderr, "harness: weak[%ld] still points to a task\n", i);
			bad++;
			break;
		}

	printf("harness: %d cpus, %.1fs: %ld tasks, %ld last puts (%ld deferred, %ld by the dead-CPU callback), "
	       "%ld puts from NMI; deferred puts queued: %ld from NMI, %ld with interrupts off, %ld from the irq_work, "
	       "%ld on an offline CPU; %ld deferred puts made, %ld not the last, %ld nodes linked again, "
	       "%ld acquires (%ld with a put queued); %ld NMIs (%ld sent), %ld inside the irq_work, %ld inside bpf_defer_put(), "
	       "max %ld deferred by one NMI; %ld irq_work runs, %ld requeues, max batch %ld, max %ld by one dead-CPU callback (maxima of the random phase); "
	       "%ld hotplug cycles\n",
	       nr_cpus, seconds, tasks_made, final_puts, deferred_final_puts, dead_flush_puts,
	       puts_nmi, deferred_nmi, deferred_irqsoff, deferred_irq, deferred_offline,
	       deferred_runs, deferred_not_last, relinks, acquires, acquires_queued, nmis, nmi_sent,
	       nmis_in_irq_work, nmis_in_defer_put, random_nmi_max, irq_runs, requeues,
	       random_max_batch, random_dead_flush_max, hotplug_cycles);
	if (bad) {
		printf("harness: FAILED: %ld errors\n", bad);
		fflush(NULL);
		_exit(1);
	}
	printf("harness: every task put for the last time exactly once, never in NMI or with interrupts off outside hard irq; "
	       "deferred puts made by their CPU's irq_work or dead-CPU callback, each node on one list at a time; "
	       "no irq_work queued on an offline CPU; queues empty, nothing leaked\n");
	return 0;
}
