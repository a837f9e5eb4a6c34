/* Starting a helper thread where it can run at once.
 *
 * Linux often places a new thread on its creator's CPU (wake-affine), and
 * on this project's 2-vCPU machines it then waits there until the creator
 * blocks or the load balancer moves it: measured, 1 to 3 ms before a
 * background thread first ran while the other CPU sat idle (0.1 ms when the
 * thread is placed on the other CPU). So the thread is created with an
 * affinity of every allowed CPU but the creator's, and widens it back to the
 * creator's whole set as soon as it runs, leaving the scheduler free after.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <stdlib.h>

#include "CTraceSupport.h"

struct start {
	void *(*body)(void *);
	void *context;
	cpu_set_t allowed;
};

static void *trampoline(void *arg)
{
	struct start s = *(struct start *)arg;

	free(arg);
	pthread_setaffinity_np(pthread_self(), sizeof(s.allowed), &s.allowed);
	return s.body(s.context);
}

int mmaudit_thread_start_elsewhere(pthread_t *thread, void *(*body)(void *), void *context)
{
	struct start *s = malloc(sizeof(*s));
	pthread_attr_t attr;
	cpu_set_t others;
	int here = sched_getcpu(), ret;

	if (!s)
		return -1;
	s->body = body;
	s->context = context;
	if (pthread_attr_init(&attr) != 0) {
		free(s);
		return -1;
	}
	if (sched_getaffinity(0, sizeof(s->allowed), &s->allowed) == 0 && here >= 0) {
		others = s->allowed;
		CPU_CLR(here, &others);
		if (CPU_COUNT(&others) > 0)
			pthread_attr_setaffinity_np(&attr, sizeof(others), &others);
	} else {
		CPU_ZERO(&s->allowed);
		for (int i = 0; i < CPU_SETSIZE; i++)
			CPU_SET(i, &s->allowed);
	}
	ret = pthread_create(thread, &attr, trampoline, s);
	pthread_attr_destroy(&attr);
	if (ret != 0)
		free(s);
	return ret;
}
