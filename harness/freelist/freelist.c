// SPDX-License-Identifier: GPL-2.0-only
/*
 * Counterexample: an NMI cannot count on getting a node from a pool kept in
 * a struct pcpu_freelist, even while the pool is not empty.
 *
 * kernel/bpf/percpu_freelist.c (Linux 7.3.4, compiled here unchanged) keeps
 * one list head per CPU plus an extra list, each guarded by an rqspinlock.
 * ___pcpu_freelist_pop(), behind both __pcpu_freelist_pop() and
 * pcpu_freelist_pop(), walks the heads starting with the current CPU's and
 * simply moves on to the next head when raw_res_spin_lock() fails; after
 * the extra list it returns NULL.  rqspinlock fails a lock attempt at once
 * with -EDEADLK when the lock is in the current CPU's held-locks table
 * (check_deadlock_AA() in kernel/bpf/rqspinlock.c), and that table is
 * shared by everything that runs on the CPU, NMIs included.  So an NMI
 * that lands while ___pcpu_freelist_push() or ___pcpu_freelist_pop() on
 * the same CPU holds that CPU's head lock cannot take from that head.
 * If every other head and the extra list are empty, the pop returns NULL
 * although the nodes are right there on the interrupted CPU's own head.
 *
 * Consequence: a design that needs an NMI path to always obtain a node
 * (for instance a reserve sized so that it "cannot run out") cannot rely on
 * a single pop from a pcpu_freelist; it has to tolerate NULL in NMI, or
 * keep its reserve somewhere an NMI can take from without a lock that the
 * interrupted code may hold.  (Pushing in NMI does not lose nodes:
 * __pcpu_freelist_push() falls back to other heads and the extra list.)
 *
 * Each simulated CPU is a thread whose CPU number is the thread-local
 * shim_cpu; an NMI is SIGUSR1 sent to such a thread.  The rqspinlock model
 * is in include/asm/rqspinlock.h.
 *
 *  -d  deterministic: one CPU thread, all nodes on CPU 0's head.  A lock
 *      hook raises the NMI right after pcpu_freelist_pop() (and then
 *      pcpu_freelist_push()) has taken CPU 0's head lock.
 *  -r  random: CPU threads pop and push in a loop while another thread
 *      sends NMIs to random CPUs at random moments.
 *
 * Counting the pool when an NMI pop returns NULL: a node is out of the
 * pool from the return of a pop until the call of the push that gives it
 * back (in_hand); everything else, including a node inside the interrupted
 * push or pop, is in the pool.  That total is exact in the deterministic
 * case, which runs on one thread.  In the random case other CPUs keep
 * running, so the NMI counts only what it can count exactly: the nodes on
 * its own CPU's head, whose lock the interrupted code owns (no one can
 * change that list until the NMI returns).  Only NULLs with at least one
 * node there, after an AA failure and no ABBA failure or timeout, count.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "percpu_freelist.h"

#define MAX_CPUS	SHIM_MAX_CPUS
#define MAX_NODES	1024
#define MAX_HOLD	4

unsigned int nr_cpu_ids = 1;
__thread int shim_cpu;
__thread struct rqspinlock_held rqspinlock_held_locks;
struct rqspinlock_held *shim_held[SHIM_MAX_CPUS];
__thread unsigned long shim_aa_fails, shim_abba_fails, shim_timeouts;
long shim_timeout_ns = 250 * 1000 * 1000;	/* RES_DEF_TIMEOUT */
void (*shim_lock_hook)(rqspinlock_t *lock);

static struct pcpu_freelist fl;
static struct pcpu_freelist_node nodes[MAX_NODES];
static unsigned int nr_nodes;
static int in_hand;
static int stop;

/* Written only by the CPU's own thread and its NMI handler. */
static struct nmi_stats {
	unsigned long pops, nulls, nulls_own;
	unsigned int max_own;
	bool last_null, last_aa_only;	/* the last NMI pop ... */
	unsigned int last_pool, last_own;	/* ... and what it saw */
} stats[MAX_CPUS];

static unsigned int own_head_count(void)
{
	struct pcpu_freelist_head *head = this_cpu_ptr(fl.freelist);
	struct pcpu_freelist_node *n;
	unsigned int k = 0;

	if (READ_ONCE(head->lock.owner) != shim_cpu)
		return 0;
	for (n = READ_ONCE(head->first); n && k < nr_nodes; n = n->next)
		k++;
	return k;
}

static void nmi(int sig)
{
	struct nmi_stats *st = &stats[shim_cpu];
	unsigned long aa = shim_aa_fails;
	unsigned long abba_to = shim_abba_fails + shim_timeouts;
	struct pcpu_freelist_node *node;
	int saved_errno = errno;

	node = st->pops++ & 1 ? pcpu_freelist_pop(&fl) : __pcpu_freelist_pop(&fl);
	st->last_null = !node;
	if (node) {
		/* An NMI user of the node would run here. */
		__atomic_add_fetch(&in_hand, 1, __ATOMIC_SEQ_CST);
		__atomic_sub_fetch(&in_hand, 1, __ATOMIC_SEQ_CST);
		__pcpu_freelist_push(&fl, node);
		errno = saved_errno;
		return;
	}
	st->last_pool = nr_nodes - __atomic_load_n(&in_hand, __ATOMIC_SEQ_CST);
	st->last_own = own_head_count();
	st->last_aa_only = shim_aa_fails != aa &&
			   shim_abba_fails + shim_timeouts == abba_to;
	st->nulls++;
	/*
	 * The counterexample proper: the own head, skipped by the AA check,
	 * holds nodes, and no lock attempt failed for another reason.
	 */
	if (st->last_aa_only && st->last_own) {
		st->nulls_own++;
		if (st->last_own > st->max_own)
			st->max_own = st->last_own;
	}
	errno = saved_errno;
}

static bool det_armed;

static void det_hook(rqspinlock_t *lock)
{
	if (det_armed && lock == &this_cpu_ptr(fl.freelist)->lock) {
		det_armed = false;
		pthread_kill(pthread_self(), SIGUSR1);
	}
}

static int deterministic(unsigned int cpus, unsigned int n)
{
	struct nmi_stats *st = &stats[0];
	struct pcpu_freelist_node *node;
	unsigned int pool_pop, own_pop, pool_push, own_push;
	bool quiet_ok, null_pop, null_push, ok;

	nr_cpu_ids = cpus;
	nr_nodes = n;
	shim_cpu = 0;
	shim_held[0] = &rqspinlock_held_locks;
	if (pcpu_freelist_init(&fl))
		return 2;
	/* CPU 0's head is free, so every push lands there. */
	for (unsigned int i = 0; i < n; i++)
		pcpu_freelist_push(&fl, &nodes[i]);

	/* Control: an NMI at a quiet moment gets a node. */
	pthread_kill(pthread_self(), SIGUSR1);
	quiet_ok = !st->last_null;

	/* NMI while pcpu_freelist_pop() holds CPU 0's head lock. */
	shim_lock_hook = det_hook;
	det_armed = true;
	node = pcpu_freelist_pop(&fl);
	null_pop = st->last_null && st->last_aa_only;
	pool_pop = st->last_pool;
	own_pop = st->last_own;
	if (!node || det_armed) {
		printf("freelist: deterministic: setup failed\n");
		return 2;
	}
	__atomic_add_fetch(&in_hand, 1, __ATOMIC_SEQ_CST);

	/* NMI while pcpu_freelist_push() holds CPU 0's head lock. */
	__atomic_sub_fetch(&in_hand, 1, __ATOMIC_SEQ_CST);
	det_armed = true;
	pcpu_freelist_push(&fl, node);
	null_push = st->last_null && st->last_aa_only;
	pool_push = st->last_pool;
	own_push = st->last_own;
	shim_lock_hook = NULL;

	ok = null_pop && pool_pop && null_push && pool_push;
	if (ok)
		printf("freelist: deterministic: pop in NMI over a held local head returned NULL with %u nodes in the pool (%u on that head) inside pcpu_freelist_pop() and with %u (%u on that head + 1 being pushed) inside pcpu_freelist_push(); at a quiet moment it %s\n",
		       pool_pop, own_pop, pool_push, own_push,
		       quiet_ok ? "got a node" : "also failed");
	else
		printf("freelist: deterministic: NOT observed (NMI pop inside pop: %s, inside push: %s)\n",
		       null_pop ? "NULL by AA" : "not NULL by AA alone",
		       null_push ? "NULL by AA" : "not NULL by AA alone");
	pcpu_freelist_destroy(&fl);
	return ok ? 0 : 1;
}

static void *cpu_thread(void *arg)
{
	struct pcpu_freelist_node *mine[MAX_HOLD], *node;
	unsigned int seed, k, nh;

	shim_cpu = (int)(long)arg;
	shim_held[shim_cpu] = &rqspinlock_held_locks;
	seed = shim_cpu + 1;
	while (!__atomic_load_n(&stop, __ATOMIC_RELAXED)) {
		k = 1 + rand_r(&seed) % MAX_HOLD;
		for (nh = 0; nh < k; nh++) {
			node = nh & 1 ? pcpu_freelist_pop(&fl) :
					__pcpu_freelist_pop(&fl);
			if (!node)
				break;
			__atomic_add_fetch(&in_hand, 1, __ATOMIC_SEQ_CST);
			mine[nh] = node;
		}
		while (nh--) {
			__atomic_sub_fetch(&in_hand, 1, __ATOMIC_SEQ_CST);
			if (nh & 1)
				pcpu_freelist_push(&fl, mine[nh]);
			else
				__pcpu_freelist_push(&fl, mine[nh]);
		}
	}
	return NULL;
}

static int random_case(unsigned int cpus, unsigned int n, unsigned int secs)
{
	struct nmi_stats sum = {};
	pthread_t tid[MAX_CPUS];
	unsigned int seed = 1;
	long end;

	nr_cpu_ids = cpus;
	nr_nodes = n;
	if (pcpu_freelist_init(&fl))
		return 2;
	pcpu_freelist_populate(&fl, nodes, sizeof(nodes[0]), n);
	for (unsigned int c = 0; c < cpus; c++)
		pthread_create(&tid[c], NULL, cpu_thread, (void *)(long)c);

	end = shim_now_ns() + secs * 1000000000L;
	while (shim_now_ns() < end) {
		struct timespec gap = { 0, 1000 * (rand_r(&seed) % 50) };

		pthread_kill(tid[rand_r(&seed) % cpus], SIGUSR1);
		nanosleep(&gap, NULL);
	}
	__atomic_store_n(&stop, 1, __ATOMIC_RELAXED);
	for (unsigned int c = 0; c < cpus; c++) {
		pthread_join(tid[c], NULL);
		sum.pops += stats[c].pops;
		sum.nulls += stats[c].nulls;
		sum.nulls_own += stats[c].nulls_own;
		if (stats[c].max_own > sum.max_own)
			sum.max_own = stats[c].max_own;
	}
	printf("freelist: random: %lu NMI pops, %lu returned NULL while the pool held >= 1 node on the interrupted CPU's own head (max %u) [%u CPUs, %u nodes, %u s; %lu NULLs in all]\n",
	       sum.pops, sum.nulls_own, sum.max_own, cpus, n, secs, sum.nulls);
	pcpu_freelist_destroy(&fl);
	return sum.nulls_own ? 0 : 1;
}

int main(int argc, char **argv)
{
	unsigned int cpus = 4, n = 8, secs = 10;
	struct sigaction sa;
	char mode = 0;
	int opt;

	while ((opt = getopt(argc, argv, "drc:n:s:")) != -1) {
		switch (opt) {
		case 'd':
		case 'r':
			mode = opt;
			break;
		case 'c':
			cpus = atoi(optarg);
			break;
		case 'n':
			n = atoi(optarg);
			break;
		case 's':
			secs = atoi(optarg);
			break;
		default:
			mode = 0;
		}
	}
	if (!mode || cpus < 1 || cpus > MAX_CPUS || n < 1 || n > MAX_NODES) {
		fprintf(stderr, "usage: %s -d|-r [-c cpus<=%d] [-n nodes<=%d] [-s seconds]\n",
			argv[0], MAX_CPUS, MAX_NODES);
		return 2;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = nmi;
	sa.sa_flags = SA_RESTART;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGUSR1, &sa, NULL);
	setvbuf(stdout, NULL, _IOLBF, 0);
	return mode == 'd' ? deterministic(cpus, n) : random_case(cpus, n, secs);
}
