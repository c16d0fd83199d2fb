// SPDX-License-Identifier: GPL-2.0
/*
 * Cost of referenced kptr destructors:
 *   kptr-xchg:      bpf_kptr_xchg() of a task kptr out of and back into a
 *                   map value (one op per exchange)
 *   kptr-obj-churn: bpf_obj_new() of an object holding a task reference,
 *                   then bpf_obj_drop(), in process context
 *   kptr-nmi-drop:  the same in NMI (bpf_testmod raises the NMIs); also
 *                   reports the mean time from the first drop in each NMI
 *                   to the end of each destructor (an fexit program on the
 *                   destructor measures it, and its cost is in the rate)
 *   kptr-mem:       slab memory before, at the peak and after 10^6 such
 *                   objects were made, kept in a map, and dropped, half of
 *                   them in NMI where the kernel allows it; measured in
 *                   setup, before the benchmark's timer starts
 */
#include <sys/param.h>
#include "bench.h"
#include "trace_helpers.h"
#include "kptr_dtor_bench.skel.h"

#define MEM_OBJS 1000000
#define MEM_STEP 65536		/* objects per syscall program run */
#define MEM_NMI_STEP 1024	/* objects per NMI */
#define MEM_MAX_RETRIES 1000	/* fill runs in a row that made nothing */

static struct ctx {
	struct kptr_dtor_bench *skel;
	struct bpf_program *prog;
	bool nmi;
} ctx;

static struct {
	long before_kb, peak_kb, after_kb;
	long nmi_objs;
	double settle_s;
} mem;

static void validate(void)
{
	if (env.consumer_cnt != 0) {
		fprintf(stderr, "benchmark doesn't support consumer!\n");
		exit(1);
	}
}

static void run_prog(struct bpf_program *prog)
{
	LIBBPF_OPTS(bpf_test_run_opts, opts);

	if (bpf_prog_test_run_opts(bpf_program__fd(prog), &opts) || opts.retval) {
		fprintf(stderr, "%s failed: %d\n", bpf_program__name(prog),
			(int)opts.retval);
		exit(1);
	}
}

static void *producer(void *input)
{
	while (true)
		run_prog(ctx.prog);
	return NULL;
}

static void measure(struct bench_res *res)
{
	res->hits = atomic_swap(&ctx.skel->bss->hits, 0);
}

/* Open and load the programs; with @nmi also the ones that raise NMIs and
 * drop in NMI, which need bpf_testmod and the series' verifier.
 */
static int load(bool nmi, bool dtor)
{
	unsigned long long addr = 0;
	struct kptr_dtor_bench *skel;

	if (nmi && (kallsyms_find("bpf_testmod_nmi_handler", &addr) || !addr))
		return -ENOENT;
	skel = kptr_dtor_bench__open();
	if (!skel)
		return -ENOMEM;
	bpf_program__set_autoload(skel->progs.raise_nmi, nmi);
	bpf_program__set_autoload(skel->progs.drop_in_nmi, nmi);
	bpf_program__set_autoload(skel->progs.dtor_done, dtor);
	skel->bss->nmi_handler_addr = addr;
	if (kptr_dtor_bench__load(skel) || kptr_dtor_bench__attach(skel)) {
		kptr_dtor_bench__destroy(skel);
		return -EINVAL;
	}
	ctx.skel = skel;
	ctx.nmi = nmi;
	return 0;
}

static void setup_common(bool nmi, bool dtor)
{
	setup_libbpf();
	if (load(nmi, dtor)) {
		fprintf(stderr, "failed to load the programs\n");
		if (nmi)
			fprintf(stderr, "drops in NMI need bpf_testmod and kernel support\n");
		exit(1);
	}
}

static void setup_xchg(void)
{
	/* The producers would take the task from each other. */
	if (env.producer_cnt != 1) {
		fprintf(stderr, "kptr-xchg needs exactly one producer\n");
		exit(1);
	}
	setup_common(false, false);
	run_prog(ctx.skel->progs.xchg_setup);
	ctx.prog = ctx.skel->progs.xchg_task;
}

static void setup_churn(void)
{
	setup_common(false, false);
	ctx.prog = ctx.skel->progs.obj_churn;
}

static void setup_nmi(void)
{
	if (env.producer_cnt != 1) {
		fprintf(stderr, "kptr-nmi-drop needs exactly one producer\n");
		exit(1);
	}
	setup_common(true, true);
	ctx.prog = ctx.skel->progs.raise_nmi;
}

static long slab_kb(void)
{
	char line[128];
	long kb = -1;
	FILE *f;

	f = fopen("/proc/meminfo", "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "Slab: %ld kB", &kb) == 1)
			break;
	fclose(f);
	return kb;
}

static void run_range(struct bpf_program *prog, int lo, int hi)
{
	ctx.skel->bss->lo = lo;
	ctx.skel->bss->hi = hi;
	run_prog(prog);
}

static double secs(const struct timespec *a, const struct timespec *b)
{
	return b->tv_sec - a->tv_sec + (b->tv_nsec - a->tv_nsec) / 1e9;
}

/* Frees of bpf_mem_alloc objects go through RCU grace periods and SLUB gives
 * empty slabs back lazily: sample every 100 ms until no new minimum came for
 * 3 s (at most 60 s), and report the minimum and when it was reached.
 */
static void settle(void)
{
	struct timespec t0, t, tmin;
	long cur, min = slab_kb();

	clock_gettime(CLOCK_MONOTONIC, &t0);
	tmin = t0;
	do {
		usleep(100000);
		cur = slab_kb();
		clock_gettime(CLOCK_MONOTONIC, &t);
		if (cur < min) {
			min = cur;
			tmin = t;
		}
	} while (secs(&tmin, &t) < 3 && secs(&t0, &t) < 60);
	mem.after_kb = min;
	mem.settle_s = secs(&t0, &tmin);
}

static void setup_mem(void)
{
	struct kptr_dtor_bench *skel;
	int i, half, stuck = 0;

	if (env.producer_cnt != 1) {
		fprintf(stderr, "kptr-mem needs exactly one producer\n");
		exit(1);
	}
	setup_libbpf();
	if (load(true, true)) {
		fprintf(stderr, "kptr-mem: no NMI drops here, all in process context\n");
		setup_common(false, true);
	}
	skel = ctx.skel;
	half = ctx.nmi ? MEM_OBJS / 2 : 0;

	mem.before_kb = slab_kb();
	for (i = 0; i < MEM_OBJS; ) {
		run_range(skel->progs.mem_fill, i, MIN(i + MEM_STEP, MEM_OBJS));
		stuck = skel->bss->next == i ? stuck + 1 : 0;
		if (stuck == MEM_MAX_RETRIES) {
			fprintf(stderr, "kptr-mem: bpf_obj_new() keeps failing\n");
			exit(1);
		}
		i = skel->bss->next;
	}
	mem.peak_kb = slab_kb();
	/* Each raise_nmi returns after its NMI's irq_work ran: the
	 * destructors of the objects that NMI dropped have run.
	 */
	skel->bss->nmi_drops_slots = true;
	for (i = 0; i < half; i += MEM_NMI_STEP)
		run_range(skel->progs.raise_nmi, i, MIN(i + MEM_NMI_STEP, half));
	mem.nmi_objs = skel->bss->slots_dropped;
	for (i = half; i < MEM_OBJS; i += MEM_STEP)
		run_range(skel->progs.mem_drop, i, MIN(i + MEM_STEP, MEM_OBJS));
	settle();
}

/* kptr-mem did its work in setup. */
static void *idle_producer(void *input)
{
	return NULL;
}

static void report_nmi_final(struct bench_res res[], int res_cnt)
{
	u64 cnt = ctx.skel->bss->dtor_cnt;

	ops_report_final(res, res_cnt);
	printf("drop-to-dtor latency: mean %.3f us over %llu destructors\n",
	       cnt ? ctx.skel->bss->dtor_sum_ns / 1000.0 / cnt : 0.0,
	       (unsigned long long)cnt);
	printf("bpf_obj_new() failures in NMI: %ld\n", ctx.skel->bss->alloc_fails);
}

static void report_mem_final(struct bench_res res[], int res_cnt)
{
	struct kptr_dtor_bench__bss *bss = ctx.skel->bss;

	printf("objects %d, dropped %ld (%ld in NMI), destructors %llu, ",
	       MEM_OBJS, bss->slots_dropped, mem.nmi_objs,
	       (unsigned long long)bss->dtor_cnt);
	printf("errors %ld, allocation retries %ld\n", bss->errors, bss->alloc_fails);
	printf("slab: before %ld kB, peak %ld kB (%.1f B/object), ",
	       mem.before_kb, mem.peak_kb,
	       (mem.peak_kb - mem.before_kb) * 1024.0 / MEM_OBJS);
	printf("after %ld kB (%+ld kB), settled in %.1f s\n",
	       mem.after_kb, mem.after_kb - mem.before_kb, mem.settle_s);
	if (bss->slots_dropped != MEM_OBJS || bss->dtor_cnt != MEM_OBJS || bss->errors) {
		fprintf(stderr, "kptr-mem: not every object was dropped and destroyed once\n");
		exit(1);
	}
}

const struct bench bench_kptr_xchg = {
	.name = "kptr-xchg",
	.validate = validate,
	.setup = setup_xchg,
	.producer_thread = producer,
	.measure = measure,
	.report_progress = ops_report_progress,
	.report_final = ops_report_final,
};

const struct bench bench_kptr_obj_churn = {
	.name = "kptr-obj-churn",
	.validate = validate,
	.setup = setup_churn,
	.producer_thread = producer,
	.measure = measure,
	.report_progress = ops_report_progress,
	.report_final = ops_report_final,
};

const struct bench bench_kptr_nmi_drop = {
	.name = "kptr-nmi-drop",
	.validate = validate,
	.setup = setup_nmi,
	.producer_thread = producer,
	.measure = measure,
	.report_progress = ops_report_progress,
	.report_final = report_nmi_final,
};

const struct bench bench_kptr_mem = {
	.name = "kptr-mem",
	.validate = validate,
	.setup = setup_mem,
	.producer_thread = idle_producer,
	.measure = measure,
	.report_final = report_mem_final,
};
