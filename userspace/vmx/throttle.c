// SPDX-License-Identifier: GPL-2.0
/*
 * CPU throttling for a migration whose guest dirties memory faster than the
 * link carries it (FTM_REQ_THROTTLE), in the manner of QEMU's cpu-throttle:
 * in each 10 ms period the vCPU runs (100 - pct)% of the time and sleeps
 * pct%.
 *
 * A guest in a tight loop makes no exits, so the vCPU thread cannot time
 * its own slices: a timer thread does, and at the end of each run slice
 * posts the instant the sleep ends (vm->throttle_until) and kicks the vCPU
 * out of KVM_RUN.  The vCPU sleeps between two KVM_RUNs, never holding a
 * lock, and a request's kick cuts the sleep short, so pause, stun and
 * dirty-log fetches are never held up by more than one period.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "vmx.h"

#define THROTTLE_PERIOD_NS	10000000ULL

static struct {
	pthread_mutex_t lock;
	pthread_cond_t cond;		/* on CLOCK_MONOTONIC */
	pthread_t thread;
	bool running;
	bool stop;			/* under lock */
	unsigned int generation;	/* under lock: bumped by every change */
} throttle = { .lock = PTHREAD_MUTEX_INITIALIZER };

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static struct timespec to_timespec(uint64_t ns)
{
	return (struct timespec){ .tv_sec = (time_t)(ns / 1000000000ULL),
				  .tv_nsec = (long)(ns % 1000000000ULL) };
}

static void *throttle_thread(void *arg)
{
	struct vmx_vm *vm = arg;
	unsigned int generation = 0;
	uint64_t base = 0;

	pthread_mutex_lock(&throttle.lock);
	while (!throttle.stop) {
		unsigned int pct = atomic_load(&vm->throttle_pct);
		uint64_t run_end, sleep_end;
		struct timespec ts;

		if (!pct) {
			pthread_cond_wait(&throttle.cond, &throttle.lock);
			continue;
		}
		if (generation != throttle.generation) {
			/* A new percentage starts a new period now. */
			generation = throttle.generation;
			base = now_ns();
		}
		run_end = base + THROTTLE_PERIOD_NS * (100 - pct) / 100;
		sleep_end = base + THROTTLE_PERIOD_NS;
		ts = to_timespec(run_end);
		if (pthread_cond_timedwait(&throttle.cond, &throttle.lock, &ts) != ETIMEDOUT ||
		    generation != throttle.generation || throttle.stop)
			continue;	/* changed or stopping: look again */
		atomic_store(&vm->throttle_until, sleep_end);
		vmx_kick_vcpus(vm);
		/* A late wake-up must not make the vCPU sleep several periods in a row. */
		base = sleep_end > now_ns() ? sleep_end : now_ns();
	}
	pthread_mutex_unlock(&throttle.lock);
	return NULL;
}

int vmx_throttle_start(struct vmx_vm *vm, char *err, size_t errlen)
{
	pthread_condattr_t attr;
	sigset_t all, old;
	int r;

	pthread_condattr_init(&attr);
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	pthread_cond_init(&throttle.cond, &attr);
	pthread_condattr_destroy(&attr);
	throttle.stop = false;
	/* Only the vCPU thread may take the kick signal. */
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	r = pthread_create(&throttle.thread, NULL, throttle_thread, vm);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (r) {
		snprintf(err, errlen, "throttle thread: %s", strerror(r));
		pthread_cond_destroy(&throttle.cond);
		return -1;
	}
	throttle.running = true;
	return 0;
}

void vmx_throttle_set(struct vmx_vm *vm, unsigned int pct)
{
	pthread_mutex_lock(&throttle.lock);
	atomic_store(&vm->throttle_pct, pct);
	if (!pct)
		atomic_store(&vm->throttle_until, 0);
	throttle.generation++;
	if (throttle.running)
		pthread_cond_broadcast(&throttle.cond);
	pthread_mutex_unlock(&throttle.lock);
}

void vmx_throttle_stop(struct vmx_vm *vm)
{
	if (!throttle.running)
		return;
	pthread_mutex_lock(&throttle.lock);
	throttle.stop = true;
	pthread_cond_broadcast(&throttle.cond);
	pthread_mutex_unlock(&throttle.lock);
	pthread_join(throttle.thread, NULL);
	pthread_cond_destroy(&throttle.cond);
	throttle.running = false;
	atomic_store(&vm->throttle_pct, 0);
	atomic_store(&vm->throttle_until, 0);
}

/* vCPU thread, between two KVM_RUNs. */
void vmx_throttle_sleep(struct vmx_vm *vm)
{
	uint64_t until = atomic_exchange(&vm->throttle_until, 0);
	struct timespec ts;

	if (!until || until <= now_ns())
		return;
	atomic_fetch_add_explicit(&vm->throttle_sleeps, 1, memory_order_relaxed);
	ts = to_timespec(until);
	/* A kick (a request waiting) ends the sleep early: EINTR, by design. */
	clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL);
}
