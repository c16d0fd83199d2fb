// SPDX-License-Identifier: GPL-2.0
/*
 * Stress test of kernel/bpf/nmi_drop.c, compiled unchanged against the
 * shims in include/linux/.
 *
 * Each "CPU" thread makes objects (bpf_obj_new() with the trailer the
 * series adds, with injected allocation failures), stores them in shared
 * slots with xchg (as bpf_kptr_xchg() does), takes objects out of slots
 * and drops them in process context, and runs the irq_works queued on
 * its CPU. A driver thread sends it signals at random moments: the
 * signal handler is an NMI on that CPU and drops objects it takes out of
 * the slots, through bpf_obj_drop_nmi(), exactly as
 * __bpf_obj_drop_impl() does in NMI. Objects are refcounted with two
 * references half of the time; whoever drops the last one tears it down.
 *
 * Checked: every object's destructor (bpf_obj_free_fields()) runs exactly
 * once, never in NMI, in hard irq or in process context with migration
 * disabled, never on an offline CPU; every object is freed once; no
 * irq_work is queued on an offline CPU; the per-CPU lists end empty; the
 * run ends by itself (a watchdog fails it otherwise). At the end a CPU
 * goes down and comes back, twice (see main()). The program's BTF reference is
 * dropped while the last nodes are still queued, as when a program is
 * unloaded right after an NMI: the queued objects keep the BTF alive, the
 * last of them hands the final btf_put() to RCU, and the BTF is freed
 * exactly once.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <linux/bpf.h>
#include <linux/bpf_mem_alloc.h>
#include <linux/irq_work.h>
#include <linux/cpuhotplug.h>
#include <linux/cpumask.h>
#include <linux/preempt.h>

#define SLOTS		256
#define MAX_RAISED	4

__thread int harness_cpu;
__thread volatile int harness_in_nmi;
__thread volatile int harness_in_hardirq;
/* The CPU threads stand for BPF programs, which run with migration off. */
__thread int harness_migrate_disabled;
volatile bool harness_cpu_is_online[NR_CPUS];
char *harness_percpu_base[NR_CPUS];
/* Keeps the per-CPU section present even if the code under test has none. */
static DEFINE_PER_CPU(int, harness_percpu_anchor) __attribute__((used));
struct bpf_mem_alloc bpf_global_ma;

static int nr_cpus = 4;
static double seconds = 5;
static int fail_permille = 20;

struct obj {
	long id;
	int refcnt;
	int pad;
	/* struct bpf_nmi_drop follows at rec.nmi_drop_off */
};

static struct btf btf = { .refcnt = 1 };
static const struct btf_record rec = {
	.nmi_drop_off = (sizeof(struct obj) + 7) & ~7,
	.btf = &btf,
};

#define MAX_OBJS (1 << 22)
static unsigned char dtor_calls[MAX_OBJS];	/* per object id */
static unsigned char frees[MAX_OBJS];
static long next_id;
static long alloc_failures, bad;
static long nmi_drops, process_drops, nmis, irq_runs, nmis_in_irq_work;
static long btf_frees, btf_rcu_puts;
static struct obj *slots[SLOTS];
static int stop;

/*
 * A failure seen in the signal handler (the "NMI") must not call stdio or
 * malloc: a thread interrupted inside the allocator would deadlock with it,
 * as a broken variant once did. Failures are recorded in a fixed array and
 * printed after the threads are joined.
 */
#define MAX_FAILS 16
static struct {
	const char *what;
	long id;
	int cpu, nmi;
} fails[MAX_FAILS];

static void fail(const char *what, long id)
{
	long n = __atomic_fetch_add(&bad, 1, __ATOMIC_SEQ_CST);

	if (n < MAX_FAILS) {
		fails[n].id = id;
		fails[n].cpu = harness_cpu;
		fails[n].nmi = harness_in_nmi;
		__atomic_store_n(&fails[n].what, what, __ATOMIC_RELEASE);
	}
}

static void print_fails(void)
{
	long i;

	for (i = 0; i < bad && i < MAX_FAILS; i++)
		fprintf(stderr, "harness: %s (object %ld, cpu %d, nmi %d)\n",
			__atomic_load_n(&fails[i].what, __ATOMIC_ACQUIRE) ?: "?",
			fails[i].id, fails[i].cpu, fails[i].nmi);
	if (bad > MAX_FAILS)
		fprintf(stderr, "harness: ... %ld more\n", bad - MAX_FAILS);
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

/* irq_work: a per-CPU array of raised works, run by the CPU's thread. */
static struct irq_work *raised[NR_CPUS][MAX_RAISED];

bool irq_work_queue(struct irq_work *work)
{
	int i;

	if (!harness_cpu_is_online[harness_cpu])
		fail("irq_work queued on an offline CPU", -1);
	if (__atomic_exchange_n(&work->pending, 1, __ATOMIC_SEQ_CST))
		return false;
	for (i = 0; i < MAX_RAISED; i++) {
		struct irq_work *none = NULL;

		if (__atomic_compare_exchange_n(&raised[harness_cpu][i], &none, work,
						false, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST))
			return true;
	}
	fail("irq_work: too many raised", -1);
	return true;
}

void harness_irq_work_run(void)
{
	int i;

	harness_in_hardirq = 1;
	for (i = 0; i < MAX_RAISED; i++) {
		struct irq_work *w = __atomic_exchange_n(&raised[harness_cpu][i], NULL,
							 __ATOMIC_SEQ_CST);

		if (!w)
			continue;
		__atomic_store_n(&w->pending, 0, __ATOMIC_SEQ_CST);
		__atomic_fetch_add(&irq_runs, 1, __ATOMIC_RELAXED);
		w->func(w);
	}
	harness_in_hardirq = 0;
}

/* CPU hotplug: the callbacks registered by the code under test. The
 * dead-CPU callback runs on another CPU, the online one on the CPU that
 * came up, both in process context with migration enabled.
 */
static int (*cpu_dead_cb)(unsigned int cpu);
static int (*cpu_online_cb)(unsigned int cpu);

int cpuhp_setup_state_nocalls(int state, const char *name,
			      int (*startup)(unsigned int cpu),
			      int (*teardown)(unsigned int cpu))
{
	if (state == CPUHP_BP_PREPARE_DYN)
		cpu_dead_cb = teardown;
	else if (state == CPUHP_AP_ONLINE_DYN)
		cpu_online_cb = startup;
	return state;
}

static void hotplug_call(int (*cb)(unsigned int cpu), unsigned int cpu)
{
	int saved = harness_migrate_disabled;

	harness_migrate_disabled = 0;
	if (cb)
		cb(cpu);
	if (harness_migrate_disabled)
		fail("migrate_disable() without migrate_enable()", -1);
	harness_migrate_disabled = saved;
}

void harness_cpu_dead(unsigned int cpu)
{
	hotplug_call(cpu_dead_cb, cpu);
}

void harness_cpu_online(unsigned int cpu)
{
	hotplug_call(cpu_online_cb, cpu);
}

/* Outside NMI and hard irq, destructors and bpf_mem_free_rcu() need
 * migration disabled (they use this CPU's caches).
 */
static void check_migrate(const char *what, long id)
{
	if (!harness_in_nmi && !harness_in_hardirq && harness_migrate_disabled <= 0)
		fail(what, id);
	/* A dying CPU past its last irq_work run must not tear down: the
	 * teardown queues irq_works (the allocator's refill) of its own.
	 */
	if (!harness_cpu_is_online[harness_cpu])
		fail("teardown on an offline CPU", id);
}

/* call_rcu(): a per-CPU list, only touched by its CPU's thread outside
 * NMI (and by main() after the threads are joined).
 */
static struct rcu_head *rcu_pending[NR_CPUS];
static long rcu_cbs;

void call_rcu(struct rcu_head *head, void (*func)(struct rcu_head *head))
{
	if (harness_in_nmi)
		fail("call_rcu in NMI", -1);
	head->func = func;
	head->next = rcu_pending[harness_cpu];
	rcu_pending[harness_cpu] = head;
}

void harness_rcu_run(void)
{
	struct rcu_head *head = rcu_pending[harness_cpu], *next;

	rcu_pending[harness_cpu] = NULL;
	for (; head; head = next) {
		next = head->next;
		__atomic_fetch_add(&rcu_cbs, 1, __ATOMIC_RELAXED);
		head->func(head);
	}
}

void btf_get(struct btf *b)
{
	if (__atomic_fetch_add(&b->refcnt, 1, __ATOMIC_SEQ_CST) <= 0)
		fail("btf_get on a dead btf", -1);
}

void btf_put(struct btf *b)
{
	long n;

	if (harness_in_nmi || harness_in_hardirq)
		fail("btf_put in NMI or hard irq (btf_idr_lock)", -1);
	n = __atomic_sub_fetch(&b->refcnt, 1, __ATOMIC_SEQ_CST);
	if (n < 0)
		fail("btf refcount below zero", -1);
	else if (!n)
		__atomic_fetch_add(&btf_frees, 1, __ATOMIC_SEQ_CST);
}

static void btf_put_rcu(struct rcu_head *rcu)
{
	__atomic_fetch_add(&btf_rcu_puts, 1, __ATOMIC_SEQ_CST);
	btf_put(container_of(rcu, struct btf, rcu));
}

/* btf_put_hardirq() of the series (kernel/bpf/btf.c). */
void btf_put_hardirq(struct btf *b)
{
	long old = __atomic_load_n(&b->refcnt, __ATOMIC_SEQ_CST);

	if (harness_in_nmi)
		fail("btf_put_hardirq in NMI", -1);
	do {
		if (old <= 1) {
			if (old < 1)
				fail("btf_put_hardirq without a reference", -1);
			call_rcu(&b->rcu, btf_put_rcu);
			return;
		}
	} while (!__atomic_compare_exchange_n(&b->refcnt, &old, old - 1, false,
					      __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST));
}

/* The destructors of the object's kptrs run here. */
void bpf_obj_free_fields(const struct btf_record *r, void *p)
{
	struct obj *o = p;

	if (r != &rec)
		fail("wrong record", o->id);
	if (harness_in_nmi)
		fail("destructor in NMI", o->id);
	check_migrate("destructor with migration enabled", o->id);
	if (__atomic_fetch_add(&dtor_calls[o->id], 1, __ATOMIC_SEQ_CST))
		fail("destructor ran twice", o->id);
}

void bpf_mem_free_rcu(struct bpf_mem_alloc *ma, void *p)
{
	struct obj *o = p;

	if (harness_in_nmi) {
		/* Counted as not freed; free() here could deadlock. */
		fail("free in NMI", o->id);
		return;
	}
	check_migrate("free with migration enabled", o->id);
	if (!__atomic_load_n(&dtor_calls[o->id], __ATOMIC_SEQ_CST))
		fail("freed before its destructor", o->id);
	if (__atomic_fetch_add(&frees[o->id], 1, __ATOMIC_SEQ_CST))
		fail("freed twice", o->id);
	free(p);
}

/* bpf_obj_new(): room for struct bpf_nmi_drop behind the object. */
static struct obj *obj_new(unsigned int *seed)
{
	struct obj *o;
	long id;

	if ((int)(rand_r(seed) % 1000) < fail_permille) {
		__atomic_fetch_add(&alloc_failures, 1, __ATOMIC_RELAXED);
		return NULL;
	}
	id = __atomic_fetch_add(&next_id, 1, __ATOMIC_SEQ_CST);
	if (id >= MAX_OBJS) {
		__atomic_store_n(&stop, 1, __ATOMIC_SEQ_CST);
		return NULL;
	}
	o = malloc(rec.nmi_drop_off + sizeof(struct bpf_nmi_drop));
	if (!o)
		abort();
	o->id = id;
	o->refcnt = 1;
	return o;
}

/* __bpf_obj_drop_impl() of the series (kernel/bpf/helpers.c). */
static void obj_drop(struct obj *o)
{
	if (__atomic_sub_fetch(&o->refcnt, 1, __ATOMIC_SEQ_CST))
		return;
	if (in_nmi() && rec.nmi_drop_off >= 0) {
		__atomic_fetch_add(&nmi_drops, 1, __ATOMIC_RELAXED);
		bpf_obj_drop_nmi(o, &rec);
		return;
	}
	__atomic_fetch_add(&process_drops, 1, __ATOMIC_RELAXED);
	bpf_obj_free_fields(&rec, o);
	bpf_mem_free_rcu(&bpf_global_ma, o);
}

static void put_in_slot(struct obj *o, unsigned int *seed)
{
	struct obj *old = __atomic_exchange_n(&slots[rand_r(seed) % SLOTS], o,
					      __ATOMIC_SEQ_CST);

	if (old)
		obj_drop(old);
}

static void drop_from_slot(unsigned int *seed)
{
	struct obj *o = __atomic_exchange_n(&slots[rand_r(seed) % SLOTS], NULL,
					    __ATOMIC_SEQ_CST);

	if (o)
		obj_drop(o);
}

/* bpf_mem_alloc() works in NMI, malloc() in a signal handler does not:
 * the NMI takes objects its CPU's thread made ahead of time.
 */
static struct obj *nmi_spare[NR_CPUS];

static struct obj *obj_new_nmi(void)
{
	return __atomic_exchange_n(&nmi_spare[harness_cpu], NULL, __ATOMIC_SEQ_CST);
}

/* The NMI: drops up to 8 objects, sometimes makes one and drops it. */
static __thread unsigned int nmi_seed;

static void nmi_handler(int sig)
{
	int i, n;

	(void)sig;
	harness_in_nmi = 1;
	__atomic_fetch_add(&nmis, 1, __ATOMIC_RELAXED);
	if (harness_in_hardirq)
		__atomic_fetch_add(&nmis_in_irq_work, 1, __ATOMIC_RELAXED);
	n = rand_r(&nmi_seed) % 9;
	for (i = 0; i < n; i++)
		drop_from_slot(&nmi_seed);
	if (!(rand_r(&nmi_seed) % 4)) {
		struct obj *o = obj_new_nmi();

		if (o)
			obj_drop(o);
	}
	harness_in_nmi = 0;
}

/* An NMI on harness_cpu that makes an object and drops it (main only);
 * returns the object's id.
 */
static long nmi_drop_new(unsigned int seed)
{
	struct obj *o = obj_new(&seed);
	long id;

	if (!o)
		return -1;
	id = o->id;
	harness_in_nmi = 1;
	obj_drop(o);
	harness_in_nmi = 0;
	return id;
}

struct cpu {
	pthread_t thread;
	int id;
};

static void *cpu_fn(void *arg)
{
	struct cpu *c = arg;
	unsigned int seed = c->id * 7919 + 1;
	struct obj *o;

	harness_cpu = c->id;
	harness_migrate_disabled = 1;
	nmi_seed = seed * 31;
	while (!__atomic_load_n(&stop, __ATOMIC_SEQ_CST)) {
		/* Interrupts on: the irq_work raised by an NMI runs now,
		 * RCU callbacks after it.
		 */
		harness_irq_work_run();
		harness_rcu_run();
		if (!__atomic_load_n(&nmi_spare[harness_cpu], __ATOMIC_SEQ_CST)) {
			o = obj_new(&seed);
			o = __atomic_exchange_n(&nmi_spare[harness_cpu], o, __ATOMIC_SEQ_CST);
			if (o)
				fail("spare replaced", o->id);
		}
		/* Mostly idle, so that NMIs do a good share of the drops. */
		if (rand_r(&seed) % 16) {
			sched_yield();
			continue;
		}
		o = obj_new(&seed);
		if (o) {
			if (rand_r(&seed) & 1) {
				o->refcnt = 2;
				put_in_slot(o, &seed);
			}
			put_in_slot(o, &seed);
		}
		if (rand_r(&seed) % 3 == 0)
			drop_from_slot(&seed);
	}
	return NULL;
}

int main(int argc, char **argv)
{
	struct cpu cpus[NR_CPUS];
	struct timespec t0, t;
	struct sigaction sa;
	long nmi_sent = 0, leaked = 0, i, n, booting;
	unsigned int seed = 12345;
	int cpu, opt, dead;

	while ((opt = getopt(argc, argv, "c:s:f:")) != -1) {
		if (opt == 'c')
			nr_cpus = atoi(optarg);
		else if (opt == 's')
			seconds = atof(optarg);
		else if (opt == 'f')
			fail_permille = atoi(optarg);
	}
	if (nr_cpus < 1 || nr_cpus > NR_CPUS)
		nr_cpus = 4;
	harness_percpu_init(nr_cpus);
	for (cpu = 0; cpu < nr_cpus; cpu++)
		harness_cpu_is_online[cpu] = true;
	/* main() drops objects in process context as a program would. */
	harness_migrate_disabled = 1;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = nmi_handler;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = SA_RESTART;
	sigaction(SIGUSR1, &sa, NULL);
	signal(SIGALRM, watchdog);
	alarm((unsigned int)seconds + 60);

	for (cpu = 0; cpu < nr_cpus; cpu++) {
		cpus[cpu].id = cpu;
		pthread_create(&cpus[cpu].thread, NULL, cpu_fn, &cpus[cpu]);
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	do {
		pthread_kill(cpus[rand_r(&seed) % nr_cpus].thread, SIGUSR1);
		nmi_sent++;
		if (!(nmi_sent % 64))
			sched_yield();
		clock_gettime(CLOCK_MONOTONIC, &t);
	} while (!__atomic_load_n(&stop, __ATOMIC_SEQ_CST) && (t.tv_sec - t0.tv_sec) + (t.tv_nsec - t0.tv_nsec) / 1e9 < seconds);
	__atomic_store_n(&stop, 1, __ATOMIC_SEQ_CST);
	for (cpu = 0; cpu < nr_cpus; cpu++)
		pthread_join(cpus[cpu].thread, NULL);

	/* Drain: NMIs are over; each CPU runs what it still has queued,
	 * then everything left in slots is dropped in process context.
	 */
	/* CPU hotplug. The last CPU goes down: an NMI queues an object while
	 * it is online; it clears its online bit and runs its irq_works one
	 * last time, which must leave the object alone (the shim fails on a
	 * teardown on an offline CPU); an NMI after that adds a node but must
	 * not queue the irq_work (the shim fails if it does). The dead-CPU
	 * callback tears both objects down, from CPU 0. Then the CPU
	 * boots again, twice. First an NMI before it is online adds a node
	 * that nothing else queues: the online callback must. Then, after
	 * going down once more, an NMI before it is online adds a node and
	 * one after it is online, before the online callback, adds another:
	 * that one must queue the irq_work, for both. The program's BTF
	 * reference goes away in between, so the last queued objects hold
	 * the last references.
	 */
	dead = nr_cpus - 1;
	fail_permille = 0;
	harness_cpu = dead;
	{
		long early = nmi_drop_new(4);	/* queued while online */

		harness_cpu_is_online[dead] = false;	/* __cpu_disable() */
		harness_irq_work_run();		/* smpcfd_dying_cpu() */
		i = nmi_drop_new(1);
		harness_cpu = 0;
		harness_cpu_dead(dead);
		if (i >= 0 && dtor_calls[i] != 1)
			fail("object queued on a dead CPU not torn down by the dead-CPU callback", i);
		if (early >= 0 && dtor_calls[early] != 1)
			fail("object queued before the CPU went down not torn down", early);
	}
	harness_cpu = dead;
	i = nmi_drop_new(2);		/* booting, not online yet */
	harness_cpu_is_online[dead] = true;
	harness_cpu_online(dead);
	harness_irq_work_run();
	if (i >= 0 && dtor_calls[i] != 1)
		fail("object added while booting not torn down once the CPU is online", i);

	harness_cpu_is_online[dead] = false;
	harness_irq_work_run();
	harness_cpu = 0;
	harness_cpu_dead(dead);
	harness_cpu = dead;
	booting = nmi_drop_new(3);	/* not online yet */
	harness_cpu_is_online[dead] = true;
	i = nmi_drop_new(5);		/* online, before the online callback */
	/* The program goes away: its BTF reference with it. */
	btf_put(&btf);
	harness_irq_work_run();
	if (booting >= 0 && dtor_calls[booting] != 1)
		fail("object added while booting not torn down by the next NMI's irq_work", booting);
	if (i >= 0 && dtor_calls[i] != 1)
		fail("object added on an online CPU not torn down by its irq_work", i);
	harness_cpu_online(dead);
	for (cpu = 0; cpu < nr_cpus; cpu++) {
		harness_cpu = cpu;
		harness_irq_work_run();
		harness_rcu_run();
	}
	harness_cpu = 0;
	for (cpu = 0; cpu < nr_cpus; cpu++)
		if (nmi_spare[cpu])
			obj_drop(nmi_spare[cpu]);
	for (i = 0; i < SLOTS; i++) {
		struct obj *o = __atomic_exchange_n(&slots[i], NULL, __ATOMIC_SEQ_CST);

		if (o)
			obj_drop(o);
	}
	for (cpu = 0; cpu < nr_cpus; cpu++)
		if (rcu_pending[cpu])
			leaked++, fprintf(stderr, "harness: RCU callbacks left on cpu %d\n", cpu);

	print_fails();
	n = next_id < MAX_OBJS ? next_id : MAX_OBJS;
	for (i = 0; i < n; i++) {
		if (dtor_calls[i] != 1 || frees[i] != 1) {
			if (leaked++ < 10)
				fprintf(stderr, "harness: object %ld: %d destructor calls, %d frees\n",
					i, dtor_calls[i], frees[i]);
		}
	}
	for (cpu = 0; cpu < nr_cpus; cpu++)
		for (i = 0; i < MAX_RAISED; i++)
			if (raised[cpu][i])
				leaked++, fprintf(stderr, "harness: irq_work still raised on cpu %d\n", cpu);
	if (btf.refcnt != 0 || btf_frees != 1 || btf_rcu_puts != 1) {
		fprintf(stderr, "harness: btf refcount %ld, freed %ld times, %ld final puts from RCU; want 0, 1, 1\n",
			btf.refcnt, btf_frees, btf_rcu_puts);
		bad++;
	}

	printf("harness: %d cpus, %.1fs: %ld objects, %ld allocation failures injected, "
	       "%ld NMIs (%ld sent), %ld dropped in NMI, %ld in process context, "
	       "%ld irq_work runs, %ld NMIs inside the irq_work, %ld RCU callbacks\n",
	       nr_cpus, seconds, n, alloc_failures, nmis, nmi_sent, nmi_drops,
	       process_drops, irq_runs, nmis_in_irq_work, rcu_cbs);
	if (bad || leaked || !nmi_drops) {
		printf("harness: FAILED: %ld errors, %ld objects not torn down exactly once%s\n",
		       bad, leaked, nmi_drops ? "" : ", no drop in NMI happened");
		return 1;
	}
	printf("harness: every object torn down exactly once, never in NMI; BTF freed once, after the last queued object, its final put from RCU\n");
	return 0;
}
