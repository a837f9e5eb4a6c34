/*
 * Writes a large trace.dat for scripts/bench: the ring-buffer pages of a
 * real little-endian version 6 capture (no instances), repeated until the
 * file holds at least the asked number of events. Each copy's page
 * timestamps are shifted past the previous copy's last event, so every CPU
 * stays in order and the merged order is the capture's, copy after copy.
 * Everything before the CPU data (header, formats, kallsyms, cmdlines,
 * options, clock) is the capture's own; only the CPU offsets and sizes are
 * rewritten (trace-cmd.dat.v6(5)).
 *   bench-gen SOURCE.dat EVENTS OUT.dat
 * Prints "events=N copies=K span_ns=S" (N = events written).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

static const unsigned char *in;
static size_t in_size, at;

static void die(const char *what)
{
	fprintf(stderr, "bench-gen: %s (at byte %zu)\n", what, at);
	exit(2);
}

static void need(size_t n)
{
	if (n > in_size - at)
		die("source ends early");
}

static uint64_t rd(int n)
{
	uint64_t v = 0;
	need(n);
	for (int i = n - 1; i >= 0; i--)
		v = v << 8 | in[at + i];
	at += n;
	return v;
}

static void skip(uint64_t n)
{
	need(n);
	at += n;
}

static void skip_string(void)
{
	const unsigned char *nul = memchr(in + at, 0, in_size - at);
	if (!nul)
		die("unterminated string");
	at = nul - in + 1;
}

static uint64_t load(const unsigned char *p, int n)
{
	uint64_t v = 0;
	for (int i = n - 1; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

static void store64(unsigned char *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = v >> (8 * i);
}

/* Walks one page's events as kbuffer does (kbuffer-parse.c update_pointers):
 * counts data events and returns the last event's timestamp. */
static uint64_t walk_page(const unsigned char *page, size_t page_size, int long_size, uint64_t *events)
{
	uint64_t ts = load(page, 8);
	size_t commit = load(page + 8, long_size) & ((1u << 27) - 1);
	size_t hdr = 8 + long_size, p = hdr, end = hdr + commit;
	if (end > page_size)
		die("page commit larger than the page");
	while (p + 4 <= end) {
		uint32_t w = load(page + p, 4);
		uint32_t type_len = w & 31, delta = w >> 5;
		size_t length;
		switch (type_len) {
		case 29: /* padding; delta 0 = the rest of the page is unused */
			if (delta == 0)
				return ts;
			length = 4 + load(page + p + 4, 4);
			break;
		case 30: /* time extend */
			ts += ((uint64_t)load(page + p + 4, 4) << 27) + delta;
			length = 8;
			delta = 0;
			break;
		case 31:
			die("absolute time stamps in the source are not supported");
			return 0;
		case 0:
			length = 4 + load(page + p + 4, 4);
			length = (length + 3) & ~(size_t)3;
			(*events)++;
			break;
		default:
			length = 4 + 4 * type_len;
			(*events)++;
			break;
		}
		ts += delta;
		if (length == 0)
			die("event of length 0");
		p += length;
	}
	return ts;
}

int main(int argc, char **argv)
{
	if (argc != 4) {
		fprintf(stderr, "usage: bench-gen SOURCE.dat EVENTS OUT.dat\n");
		return 2;
	}
	uint64_t want = strtoull(argv[2], NULL, 10);
	int fd = open(argv[1], O_RDONLY);
	struct stat st;
	if (fd < 0 || fstat(fd, &st) < 0) {
		perror(argv[1]);
		return 2;
	}
	in_size = st.st_size;
	in = mmap(NULL, in_size, PROT_READ, MAP_PRIVATE, fd, 0);
	if (in == MAP_FAILED) {
		perror("mmap");
		return 2;
	}

	/* File header, then the metadata blocks in file order. */
	need(10);
	if (memcmp(in, "\x17\x08\x44tracing", 10))
		die("not a trace.dat");
	at = 10;
	if (strcmp((const char *)in + at, "6"))
		die("the source must be a version 6 file");
	skip_string();
	if (rd(1) != 0)
		die("the source must be little-endian");
	int long_size = rd(1);
	size_t page_size = rd(4);
	skip(12); skip(rd(8));              /* "header_page\0" */
	skip(13); skip(rd(8));              /* "header_event\0" */
	for (uint64_t n = rd(4); n; n--)    /* ftrace formats */
		skip(rd(8));
	for (uint64_t s = rd(4); s; s--) {  /* event systems */
		skip_string();
		for (uint64_t n = rd(4); n; n--)
			skip(rd(8));
	}
	skip(rd(4));                        /* kallsyms */
	skip(rd(4));                        /* printk formats */
	skip(rd(8));                        /* cmdlines */
	int cpus = rd(4);
	for (;;) {
		need(10);
		if (!memcmp(in + at, "flyrecord", 9)) {
			at += 10;
			break;
		}
		if (memcmp(in + at, "options ", 8))
			die("expected options or flyrecord (latency and instance files are not supported)");
		at += 10;
		for (;;) {
			uint64_t id = rd(2);
			if (id == 0)
				break;
			if (id == 3)
				die("instances in the source are not supported");
			skip(rd(4));
		}
	}
	size_t table = at;
	uint64_t *off = calloc(cpus, 8), *size = calloc(cpus, 8);
	size_t data_start = in_size;
	for (int c = 0; c < cpus; c++) {
		off[c] = rd(8);
		size[c] = rd(8);
		if (off[c] > in_size || size[c] > in_size - off[c] || size[c] % page_size)
			die("bad cpu data extent");
		if (size[c] && off[c] < data_start)
			data_start = off[c];
	}

	/* One copy's events and time span. */
	uint64_t events = 0, first = UINT64_MAX, last = 0;
	for (int c = 0; c < cpus; c++)
		for (uint64_t p = 0; p < size[c]; p += page_size) {
			const unsigned char *page = in + off[c] + p;
			uint64_t t0 = load(page, 8), n = events;
			uint64_t t1 = walk_page(page, page_size, long_size, &events);
			if (events > n && t0 < first)
				first = t0;
			if (events > n && t1 > last)
				last = t1;
		}
	if (!events)
		die("the source has no events");
	uint64_t copies = (want + events - 1) / events;
	if (!copies)
		copies = 1;
	uint64_t span = last - first + 1000; /* 1 us between copies */

	/* Header and metadata as they are, then each CPU's pages, copy after
	 * copy, page aligned; the CPU table points at them. */
	FILE *out = fopen(argv[3], "w");
	if (!out) {
		perror(argv[3]);
		return 2;
	}
	unsigned char *head = malloc(data_start);
	memcpy(head, in, data_start);
	uint64_t pos = data_start;
	for (int c = 0; c < cpus; c++) {
		if (!size[c]) {
			store64(head + table + 16 * c, 0);
			store64(head + table + 16 * c + 8, 0);
			continue;
		}
		pos = (pos + page_size - 1) / page_size * page_size;
		store64(head + table + 16 * c, pos);
		store64(head + table + 16 * c + 8, size[c] * copies);
		pos += size[c] * copies;
	}
	fwrite(head, 1, data_start, out);
	pos = data_start;
	unsigned char *buf = malloc(in_size);
	static const unsigned char zeros[65536];
	for (int c = 0; c < cpus; c++) {
		if (!size[c])
			continue;
		while (pos % page_size) {
			size_t n = page_size - pos % page_size;
			if (n > sizeof(zeros))
				n = sizeof(zeros);
			fwrite(zeros, 1, n, out);
			pos += n;
		}
		for (uint64_t k = 0; k < copies; k++) {
			memcpy(buf, in + off[c], size[c]);
			for (uint64_t p = 0; p < size[c]; p += page_size)
				store64(buf + p, load(buf + p, 8) + k * span);
			if (fwrite(buf, 1, size[c], out) != size[c]) {
				perror(argv[3]);
				return 2;
			}
			pos += size[c];
		}
	}
	if (fclose(out)) {
		perror(argv[3]);
		return 2;
	}
	printf("events=%llu copies=%llu span_ns=%llu\n", (unsigned long long)(events * copies),
	       (unsigned long long)copies, (unsigned long long)span);
	return 0;
}
