// Kernel symbols from the /proc/kallsyms text a trace.dat carries: handed to
// libtraceevent for printing, or indexed in place for address lookups.
#include "CTraceEventShim.h"

#include <stdlib.h>
#include <string.h>

/* Byte classes, by table: this parse runs over megabytes of text. */
enum { SPACE = 1, HEX = 2, NAME_END = 4 };	/* NAME_END: space or NUL */

static unsigned char byte_class[256];
static signed char hex_digit[256];

static void init_tables(void)
{
	static int done;

	if (done)
		return;
	for (int c = 0; c < 256; c++) {
		int space = c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r';

		hex_digit[c] = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10
			     : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
		byte_class[c] = (space ? SPACE | NAME_END : 0) | (hex_digit[c] >= 0 ? HEX : 0) | (c == 0 ? NAME_END : 0);
	}
	done = 1;
}

static int is_space(char c)
{
	return byte_class[(unsigned char)c] & SPACE;
}

static int hex_value(char c)
{
	return hex_digit[(unsigned char)c];
}

struct ksym_line {
	unsigned long long addr;
	char type;
	const char *func, *func_end;
	const char *mod, *mod_end;	/* NULL when the line names no module */
};

/* The byte at p, or 0 at the end of the line: a line reads as the C string
 * it is once tep_parse_kallsyms' strtok has cut it (an embedded NUL ends it
 * as well). */
static char at(const char *p, const char *eol)
{
	return p < eol ? *p : 0;
}

/* One line as tep_parse_kallsyms (libtraceevent 1.7.1 event-parse.c) reads it
 * with sscanf("%16llx %c %n%*s%n%*1[\t][%n%*s%n"): an address of up to 16 hex
 * digits, the type character, the name, and "\t[module]" when present.
 * 1 for a symbol line, -1 for a malformed one. */
static int parse_line(const char *line, const char *eol, struct ksym_line *out)
{
	const char *q = line;
	int digits = 0;

	out->addr = 0;
	out->mod = out->mod_end = NULL;
	while (is_space(at(q, eol)))
		q++;
	if (at(q, eol) == '0' && (at(q + 1, eol) == 'x' || at(q + 1, eol) == 'X') &&
	    hex_value(at(q + 2, eol)) >= 0)
		q += 2;
	while (digits < 16 && q < eol && hex_value(*q) >= 0) {
		out->addr = out->addr << 4 | hex_value(*q++);
		digits++;
	}
	if (!digits)
		return -1;
	while (is_space(at(q, eol)))
		q++;
	if (!at(q, eol))
		return -1;
	out->type = *q++;
	while (is_space(at(q, eol)))
		q++;
	out->func = q;
	while (q < eol && !(byte_class[(unsigned char)*q] & NAME_END))
		q++;
	if (q == out->func)
		return -1;
	out->func_end = q;
	if (at(q, eol) == '\t' && at(q + 1, eol) == '[' && at(q + 2, eol) && !is_space(at(q + 2, eol))) {
		const char *m = q + 2;

		while (at(m, eol) && !is_space(at(m, eol)))
			m++;
		out->mod = q + 2;
		out->mod_end = m - 1;	/* without the module's closing ']' */
	}
	return 1;
}

/* Symbols tep_parse_kallsyms registers: not '$' names, not absolute ones. */
static int is_registered(const struct ksym_line *l)
{
	return l->func[0] != '$' && l->type != 'A' && l->type != 'a';
}

/* Walks the lines as strtok(..., "\n") splits them (empty ones skipped),
 * calling `symbol` for each registered one; a malformed line stops the walk,
 * keeping what came before it (tep_parse_kallsyms returns there). */
static int walk_lines(const char *text, size_t len,
		      void (*symbol)(void *ctx, const struct ksym_line *), void *ctx)
{
	const char *p = text, *end = text + len;

	init_tables();
	while (p < end) {
		const char *line = p, *eol = memchr(p, '\n', end - p);
		struct ksym_line l;

		if (!eol)
			eol = end;
		p = eol + 1;
		if (line == eol)
			continue;
		if (parse_line(line, eol, &l) < 0)
			return -1;
		if (is_registered(&l))
			symbol(ctx, &l);
	}
	return 0;
}

static void register_symbol(void *ctx, const struct ksym_line *l)
{
	struct tep_handle *tep = ctx;
	/* The walk ran over a private copy: cut the names out in place. */
	char *func = (char *)l->func, *mod = (char *)l->mod;

	*(char *)l->func_end = 0;
	if (mod)
		*(char *)l->mod_end = 0;
	tep_register_function(tep, func, l->addr, mod);
}

int mmaudit_parse_kallsyms(struct tep_handle *tep, const char *text, size_t len)
{
	char *copy = malloc(len + 1);
	int ret;

	if (!copy)
		return -1;
	memcpy(copy, text, len);
	copy[len] = 0;
	ret = walk_lines(copy, len, register_symbol, tep);
	free(copy);	/* tep_register_function keeps copies of the names */
	return ret;
}

/* One symbol of the index: its address and where its name is in the text. */
struct ksym {
	unsigned long long addr;
	unsigned int name, len;
};

struct mmaudit_kallsyms {
	const char *text;
	size_t count;
	struct ksym *syms;	/* count + 1: libtraceevent's zero sentinel last */
};

static void index_symbol(void *ctx, const struct ksym_line *l)
{
	struct mmaudit_kallsyms *k = ctx;
	struct ksym *s = &k->syms[k->count++];

	s->addr = l->addr;
	s->name = (unsigned int)(l->func - k->text);
	s->len = (unsigned int)(l->func_end - l->func);
}

/* libtraceevent's order (func_map_init): it registers symbols by pushing
 * them on a list, so the list runs backwards through the text, and sorts it
 * by address with glibc's qsort, a stable merge sort. Among equal addresses
 * the later line comes first. */
static int precedes(const struct ksym *a, const struct ksym *b)
{
	return a->addr < b->addr || (a->addr == b->addr && a->name > b->name);
}

static int ksym_cmp(const void *a, const void *b)
{
	const struct ksym *x = a, *y = b;

	return precedes(x, y) ? -1 : precedes(y, x) ? 1 : 0;
}

/* /proc/kallsyms lists the kernel's own symbols by address and each
 * module's after them in no order: the sorted head only needs its ties
 * turned round, the tail is sorted on its own and merged in from the back. */
static int sort_symbols(struct ksym *s, size_t n)
{
	size_t head = n ? 1 : 0, i, j;
	struct ksym *tail;

	while (head < n && s[head - 1].addr <= s[head].addr)
		head++;
	for (i = 0; i < head; i = j) {
		for (j = i + 1; j < head && s[j].addr == s[i].addr; j++)
			;
		for (size_t a = i, b = j - 1; a < b; a++, b--) {
			struct ksym t = s[a];

			s[a] = s[b];
			s[b] = t;
		}
	}
	if (head == n)
		return 0;
	tail = malloc((n - head) * sizeof(*tail));
	if (!tail)
		return -1;
	memcpy(tail, s + head, (n - head) * sizeof(*tail));
	qsort(tail, n - head, sizeof(*tail), ksym_cmp);
	i = head;
	j = n - head;
	for (size_t k = n; j > 0; k--) {
		if (i > 0 && precedes(&tail[j - 1], &s[i - 1]))
			s[k - 1] = s[--i];
		else
			s[k - 1] = tail[--j];
	}
	free(tail);
	return 0;
}

struct mmaudit_kallsyms *mmaudit_kallsyms_index(const char *text, size_t len)
{
	struct mmaudit_kallsyms *k = calloc(1, sizeof(*k));
	size_t lines = 1;

	if (!k)
		return NULL;
	for (const char *p = text, *end = text + len; (p = memchr(p, '\n', end - p)); p++)
		lines++;
	k->text = text;
	k->syms = malloc((lines + 1) * sizeof(*k->syms));
	if (!k->syms) {
		free(k);
		return NULL;
	}
	walk_lines(text, len, index_symbol, k);
	if (sort_symbols(k->syms, k->count) < 0) {
		mmaudit_kallsyms_free(k);
		return NULL;
	}
	memset(&k->syms[k->count], 0, sizeof(*k->syms));
	return k;
}

void mmaudit_kallsyms_free(struct mmaudit_kallsyms *k)
{
	if (!k)
		return;
	free(k->syms);
	free(k);
}

/* func_bcmp: the symbol at or below the address and below the next one;
 * the last symbol only matches exactly (its neighbour is the sentinel). */
static int ksym_bcmp(const void *key, const void *elem)
{
	const struct ksym *a = key, *b = elem;

	if (a->addr == b->addr || (a->addr > b->addr && a->addr < (b + 1)->addr))
		return 0;
	return a->addr < b->addr ? -1 : 1;
}

int mmaudit_kallsyms_lookup(const struct mmaudit_kallsyms *k, unsigned long long addr,
			    unsigned long long *start, const char **name, size_t *len)
{
	struct ksym key = { .addr = addr };
	const struct ksym *s;

	/* The same bsearch over the same order as tep_find_function: among
	 * symbols sharing an address it lands on the same one. */
	s = bsearch(&key, k->syms, k->count, sizeof(*k->syms), ksym_bcmp);
	if (!s)
		return 0;
	*start = s->addr;
	*name = k->text + s->name;
	*len = s->len;
	return 1;
}
