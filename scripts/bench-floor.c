/*
 * The benchmark's floor: iterate every record of a trace.dat with
 * libtracecmd (tracecmd_iterate_events: all CPUs merged in timestamp order,
 * as trace-cmd report reads them) and touch only each record's type and pid,
 * with no formatting. Whatever a reader does per record comes on top of this.
 *   bench-floor FILE     prints "records=N" and a checksum of types and pids
 * Built by scripts/bench: cc -O2 bench-floor.c -ltracecmd -ltraceevent
 */
#include <stdio.h>
#include <stdlib.h>
#include <trace-cmd/trace-cmd.h>
#include <event-parse.h>

struct tally {
	struct tep_handle *tep;
	unsigned long long records;
	unsigned long long sum;
};

static int one(struct tracecmd_input *handle, struct tep_record *record, int cpu, void *data)
{
	struct tally *t = data;
	(void)handle;
	(void)cpu;
	t->records++;
	t->sum += (unsigned long long)tep_data_type(t->tep, record) * 31u + (unsigned)tep_data_pid(t->tep, record);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: bench-floor FILE\n");
		return 2;
	}
	struct tracecmd_input *handle = tracecmd_open(argv[1], 0);
	if (!handle) {
		fprintf(stderr, "bench-floor: cannot open %s\n", argv[1]);
		return 2;
	}
	struct tally t = { .tep = tracecmd_get_tep(handle) };
	if (tracecmd_iterate_events(handle, NULL, 0, one, &t) < 0) {
		fprintf(stderr, "bench-floor: cannot iterate %s\n", argv[1]);
		return 2;
	}
	printf("records=%llu sum=%llu\n", t.records, t.sum);
	tracecmd_close(handle);
	return 0;
}
