/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A model of rqspinlock (Linux 7.3.4 include/asm-generic/rqspinlock.h and
 * kernel/bpf/rqspinlock.c) that keeps what decides whether a lock attempt
 * fails:
 *
 *  - res_spin_lock() first records the lock in this CPU's held-locks table
 *    (grab_held_lock_entry(), before the cmpxchg) and then tries the fast
 *    path; res_spin_unlock() releases the lock word before it clears the
 *    table entry.
 *  - When the fast path fails, the slow path calls check_deadlock_AA()
 *    before it waits (in check_timeout() on its first call, and before
 *    queueing): if the lock is among this CPU's held entries other than
 *    the one just added (i < cnt - 1), the attempt fails at once with
 *    -EDEADLK.  Nothing there looks at in_nmi(): an NMI that tries a lock
 *    which the interrupted code on the same CPU holds, or is waiting for,
 *    gets -EDEADLK.
 *  - A lock held by another CPU is waited for.  Every millisecond the
 *    waiter runs check_deadlock_ABBA(): if a remote CPU holds the lock we
 *    want (an entry below the top of its table) while its top entry, the
 *    lock it is trying to take, is one we hold, the attempt fails with
 *    -EDEADLK.  After RES_DEF_TIMEOUT (0.25 s) it fails with -ETIMEDOUT.
 *    The model does the same (the timeout is shim_timeout_ns) and counts
 *    AA failures, ABBA failures and timeouts apart, so the driver knows
 *    why a lock attempt failed.
 *
 * lock->owner is harness bookkeeping (which simulated CPU holds the lock);
 * the AA rule does not use it.
 */
#ifndef _FREELIST_ASM_RQSPINLOCK_H
#define _FREELIST_ASM_RQSPINLOCK_H
#include <sched.h>
#include <time.h>
#include "shim.h"

typedef struct rqspinlock {
	int val;
	int owner;
} rqspinlock_t;

#define RES_NR_HELD 31

struct rqspinlock_held {
	int cnt;
	void *locks[RES_NR_HELD];
};

#define SHIM_MAX_CPUS 16

extern __thread struct rqspinlock_held rqspinlock_held_locks;
/* Each simulated CPU's table, for the ABBA check. */
extern struct rqspinlock_held *shim_held[SHIM_MAX_CPUS];
extern __thread unsigned long shim_aa_fails, shim_abba_fails, shim_timeouts;
extern long shim_timeout_ns;
/* Called with the lock just taken, if set (the deterministic case). */
extern void (*shim_lock_hook)(rqspinlock_t *lock);

#define barrier()	__atomic_signal_fence(__ATOMIC_SEQ_CST)

static inline long shim_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000L + ts.tv_nsec;
}

static inline void grab_held_lock_entry(void *lock)
{
	int cnt = __atomic_add_fetch(&rqspinlock_held_locks.cnt, 1,
				     __ATOMIC_RELAXED);

	barrier();
	if (cnt <= RES_NR_HELD)
		WRITE_ONCE(rqspinlock_held_locks.locks[cnt - 1], lock);
	barrier();
}

static inline void release_held_lock_entry(void)
{
	struct rqspinlock_held *rqh = &rqspinlock_held_locks;

	if (rqh->cnt <= RES_NR_HELD)
		WRITE_ONCE(rqh->locks[rqh->cnt - 1], NULL);
	barrier();
	__atomic_sub_fetch(&rqh->cnt, 1, __ATOMIC_RELEASE);
}

static inline int check_deadlock_AA(rqspinlock_t *lock)
{
	struct rqspinlock_held *rqh = &rqspinlock_held_locks;
	int cnt = rqh->cnt < RES_NR_HELD ? rqh->cnt : RES_NR_HELD;

	for (int i = 0; i < cnt - 1; i++)
		if (READ_ONCE(rqh->locks[i]) == lock)
			return -EDEADLK;
	return 0;
}

static inline int check_deadlock_ABBA(rqspinlock_t *lock)
{
	struct rqspinlock_held *rqh = &rqspinlock_held_locks, *r;
	int cnt, real_cnt, my_cnt = rqh->cnt < RES_NR_HELD ? rqh->cnt : RES_NR_HELD;
	void *remote_lock;

	for (int cpu = 0; cpu < (int)nr_cpu_ids; cpu++) {
		r = shim_held[cpu];
		if (!__atomic_load_n(&lock->val, __ATOMIC_ACQUIRE))
			return 0;
		if (cpu == shim_cpu || !r)
			continue;
		real_cnt = __atomic_load_n(&r->cnt, __ATOMIC_ACQUIRE);
		if (real_cnt < 2 || real_cnt > RES_NR_HELD)
			continue;
		cnt = real_cnt;
		remote_lock = READ_ONCE(r->locks[cnt - 1]);
		if (!remote_lock)
			continue;
		for (int i = 0; i < cnt - 1; i++) {
			if (READ_ONCE(r->locks[i]) != lock)
				continue;
			for (int j = 0; j < my_cnt - 1; j++)
				if (rqh->locks[j] == remote_lock)
					return -EDEADLK;
			return 0;
		}
	}
	return 0;
}

static inline bool shim_trylock(rqspinlock_t *lock)
{
	int val = 0;

	return __atomic_compare_exchange_n(&lock->val, &val, 1, false,
					   __ATOMIC_ACQUIRE, __ATOMIC_RELAXED);
}

static inline int res_spin_lock(rqspinlock_t *lock)
{
	long now, end, next_abba;

	grab_held_lock_entry(lock);
	if (shim_trylock(lock))
		goto locked;
	if (check_deadlock_AA(lock)) {
		shim_aa_fails++;
		release_held_lock_entry();
		return -EDEADLK;
	}
	now = shim_now_ns();
	end = now + shim_timeout_ns;
	next_abba = now + 1000000;
	while (!(READ_ONCE(lock->val) == 0 && shim_trylock(lock))) {
		now = shim_now_ns();
		if (now > end) {
			shim_timeouts++;
			release_held_lock_entry();
			return -ETIMEDOUT;
		}
		if (now > next_abba) {
			next_abba = now + 1000000;
			if (check_deadlock_ABBA(lock)) {
				shim_abba_fails++;
				release_held_lock_entry();
				return -EDEADLK;
			}
		}
		sched_yield();
	}
locked:
	WRITE_ONCE(lock->owner, shim_cpu);
	barrier();
	if (shim_lock_hook)
		shim_lock_hook(lock);
	return 0;
}

static inline void res_spin_unlock(rqspinlock_t *lock)
{
	WRITE_ONCE(lock->owner, -1);
	__atomic_store_n(&lock->val, 0, __ATOMIC_RELEASE);
	release_held_lock_entry();
}

#define raw_res_spin_lock_init(lock) \
	({ *(lock) = (rqspinlock_t){ .val = 0, .owner = -1 }; })

#define raw_res_spin_lock(lock)				\
	({						\
		int __ret;				\
		preempt_disable();			\
		__ret = res_spin_lock(lock);		\
		if (__ret)				\
			preempt_enable();		\
		__ret;					\
	})

#define raw_res_spin_unlock(lock) ({ res_spin_unlock(lock); preempt_enable(); })

#define raw_res_spin_lock_irqsave(lock, flags)		\
	({						\
		int __ret;				\
		local_irq_save(flags);			\
		preempt_disable();			\
		__ret = res_spin_lock(lock);		\
		if (__ret) {				\
			local_irq_restore(flags);	\
			preempt_enable();		\
		}					\
		__ret;					\
	})

#define raw_res_spin_unlock_irqrestore(lock, flags)	\
	({						\
		res_spin_unlock(lock);			\
		local_irq_restore(flags);		\
		preempt_enable();			\
	})

#endif
