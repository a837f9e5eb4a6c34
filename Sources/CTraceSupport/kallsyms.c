// Kernel symbols from the /proc/kallsyms text a trace.dat carries: handed to
// libtraceevent for printing, or indexed in place for address lookups.
#include "CTraceSupport.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

/* Byte classes, by table: this parse runs over megabytes of text. */
enum { SPACE = 1, NAME_END = 2 };	/* NAME_END: space or NUL */

static unsigned char byte_class[256];
static signed char hex_digit[256];

static void fill_tables(void)
{
	for (int c = 0; c < 256; c++) {
		int space = c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r';

		hex_digit[c] = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10
			     : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
		byte_class[c] = (space ? SPACE | NAME_END : 0) | (c == 0 ? NAME_END : 0);
	}
}

/* Once per process: an index may be built on its own thread while the
 * printing path parses the same text for libtraceevent. */
static void init_tables(void)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;

	pthread_once(&once, fill_tables);
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
	const char *line;
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
 * with sscanf("%16llx %c %n%*s%n%*1[\t][%n%*s%n"), glibc's rules included: the
 * address field is 16 characters at most, counting a sign and a "0x" prefix;
 * the type is the next character after any whitespace; the name runs to the
 * next whitespace; "\t[" right after it starts the module, whose last
 * character (the ']') is dropped. Without `names`, only where the name starts.
 * 1 for a symbol line, -1 where sscanf would not fill both fields. */
static int parse_line(const char *line, const char *eol, int names, struct ksym_line *out)
{
	const char *q = line;
	int width = 16, digits = 0, negative = 0;

	out->line = line;
	out->addr = 0;
	out->mod = out->mod_end = NULL;
	while (is_space(at(q, eol)))
		q++;
	if (at(q, eol) == '-' || at(q, eol) == '+') {
		negative = *q++ == '-';
		width--;
	}
	if (at(q, eol) == '0') {	/* a digit, and maybe the start of "0x" */
		q++;
		width--;
		digits++;
		if (width && (at(q, eol) == 'x' || at(q, eol) == 'X')) {
			q++;
			width--;
		}
	}
	for (; width && hex_value(at(q, eol)) >= 0; width--, digits++)
		out->addr = out->addr << 4 | hex_value(*q++);
	if (!digits)
		return -1;
	if (negative)
		out->addr = -out->addr;
	while (is_space(at(q, eol)))
		q++;
	if (!at(q, eol))
		return -1;
	out->type = *q++;
	while (is_space(at(q, eol)))
		q++;
	out->func = q;
	if (!names) {	/* an index reads the name when it is asked for */
		out->func_end = NULL;
		return at(q, eol) ? 1 : -1;
	}
	while (q < eol && !(byte_class[(unsigned char)*q] & NAME_END))
		q++;
	if (q == out->func)
		return -1;
	out->func_end = q;
	if (at(q, eol) == '\t' && at(q + 1, eol) == '[') {
		const char *m = q + 2, *e = m;

		while (is_space(at(e, eol)))	/* %s skips whitespace first */
			e++;
		if (at(e, eol)) {
			while (at(e, eol) && !is_space(at(e, eol)))
				e++;
			out->mod = m;
			out->mod_end = e - 1;
		}
	}
	return 1;
}

/* Symbols tep_parse_kallsyms registers: not '$' names, not absolute ones. */
static int is_registered(const struct ksym_line *l)
{
	return l->func[0] != '$' && l->type != 'A' && l->type != 'a';
}

/* The shape of nearly every line, "ffffffff81000000 T _stext": 16 hex
 * digits, a space, the type, a space, the name. Reads what parse_line
 * without names reads (any other shape returns 0 and goes there) and finds
 * the line's end on the way, in one pass instead of a memchr and a parse. */
static int parse_usual_line(const char *p, const char *end, struct ksym_line *out, const char **eol)
{
	unsigned long long addr = 0;
	const char *q;

	if (end - p < 20)
		return 0;
	for (int i = 0; i < 16; i++) {
		int v = hex_digit[(unsigned char)p[i]];

		if (v < 0)
			return 0;
		addr = addr << 4 | (unsigned)v;
	}
	if (p[16] != ' ' || (byte_class[(unsigned char)p[17]] & NAME_END) || p[18] != ' ' ||
	    (byte_class[(unsigned char)p[19]] & NAME_END))
		return 0;
	q = memchr(p + 20, '\n', end - (p + 20));
	if (!q)
		q = end;
	out->line = p;
	out->addr = addr;
	out->type = p[17];
	out->func = p + 19;
	out->func_end = NULL;
	out->mod = out->mod_end = NULL;
	*eol = q;
	return 1;
}

/* Walks the lines as strtok(..., "\n") splits them (empty ones skipped),
 * calling `symbol` for each registered one; a malformed line stops the walk,
 * keeping what came before it (tep_parse_kallsyms returns there). */
static int walk_lines(const char *text, size_t len, int names,
		      void (*symbol)(void *ctx, const struct ksym_line *), void *ctx)
{
	/* libtraceevent gets the text as a C string: a NUL ends it. */
	const char *p = text, *end = text + strnlen(text, len);

	init_tables();
	while (p < end) {
		const char *line = p, *eol;
		struct ksym_line l;

		if (!names && parse_usual_line(p, end, &l, &eol)) {
			p = eol + 1;
			if (is_registered(&l))
				symbol(ctx, &l);
			continue;
		}
		eol = memchr(p, '\n', end - p);
		if (!eol)
			eol = end;
		p = eol + 1;
		if (line == eol)
			continue;
		if (parse_line(line, eol, names, &l) < 0)
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
	ret = walk_lines(copy, len, 1, register_symbol, tep);
	free(copy);	/* tep_register_function keeps copies of the names */
	return ret;
}

/* The index holds where each registered line starts, 4 bytes a symbol: a
 * line's address and name are read from the text when a lookup needs them,
 * so building it writes 200 KB for 50,000 symbols, not a table of them. */
struct mmaudit_kallsyms {
	const char *text, *end;
	unsigned int *lines;
	size_t count;
	size_t sorted;		/* lines[0, sorted) came in address order */
	size_t run;		/* where the head's last run of one address starts */
	unsigned long long last;	/* the head's last address */
};

static const char *line_end(const struct mmaudit_kallsyms *k, const char *line)
{
	const char *eol = memchr(line, '\n', k->end - line);

	return eol ? eol : k->end;
}

static unsigned long long address_at(const struct mmaudit_kallsyms *k, size_t i)
{
	struct ksym_line l;
	const char *line = k->text + k->lines[i];

	parse_line(line, line_end(k, line), 0, &l);
	return l.addr;
}

/* libtraceevent's order (func_map_init): it registers symbols by pushing
 * them on a list, so the list runs backwards through the text, and sorts it
 * by address with glibc's qsort, a stable merge sort. Among equal addresses
 * the later line comes first. /proc/kallsyms lists the kernel's own symbols
 * by address, so that head is put in order as it is read (each run of one
 * address turned round); the modules' symbols after it come in no order and
 * are sorted at the end. */
static void index_symbol(void *ctx, const struct ksym_line *l)
{
	struct mmaudit_kallsyms *k = ctx;
	unsigned int line = (unsigned int)(l->line - k->text);

	if (k->sorted == k->count && k->count > 0 && l->addr == k->last) {
		memmove(&k->lines[k->run + 1], &k->lines[k->run], (k->count - k->run) * sizeof(*k->lines));
		k->lines[k->run] = line;
		k->sorted++;
	} else if (k->sorted == k->count && (k->count == 0 || l->addr > k->last)) {
		k->run = k->count;
		k->last = l->addr;
		k->lines[k->count] = line;
		k->sorted++;
	} else {
		k->lines[k->count] = line;
	}
	k->count++;
}

struct keyed {
	unsigned long long addr;
	unsigned int line;
};

static int precedes(const struct keyed *a, const struct keyed *b)
{
	return a->addr < b->addr || (a->addr == b->addr && a->line > b->line);
}

static int keyed_cmp(const void *a, const void *b)
{
	return precedes(a, b) ? -1 : precedes(b, a) ? 1 : 0;
}

/* Sorts the lines after the head and merges them in from the back. */
static int sort_tail(struct mmaudit_kallsyms *k)
{
	size_t head = k->sorted, n = k->count - head, i, j;
	struct keyed *tail;

	if (n == 0)
		return 0;
	tail = malloc(n * sizeof(*tail));
	if (!tail)
		return -1;
	for (j = 0; j < n; j++) {
		tail[j].line = k->lines[head + j];
		tail[j].addr = address_at(k, head + j);
	}
	qsort(tail, n, sizeof(*tail), keyed_cmp);
	for (i = head, j = n; j > 0; ) {
		struct keyed h = { 0, 0 };

		if (i > 0) {
			h.line = k->lines[i - 1];
			h.addr = address_at(k, i - 1);
		}
		if (i > 0 && precedes(&tail[j - 1], &h)) {
			k->lines[i + j - 1] = h.line;
			i--;
		} else {
			k->lines[i + j - 1] = tail[j - 1].line;
			j--;
		}
	}
	free(tail);
	return 0;
}

struct mmaudit_kallsyms *mmaudit_kallsyms_index(const char *text, size_t len)
{
	struct mmaudit_kallsyms *k = calloc(1, sizeof(*k));

	if (!k)
		return NULL;
	k->text = text;
	k->end = text + len;
	/* A symbol line holds at least 6 bytes ("0 t x\n"): room for all, of
	 * which only the pages written are ever mapped. */
	k->lines = malloc((len / 6 + 1) * sizeof(*k->lines));
	if (!k->lines) {
		free(k);
		return NULL;
	}
	walk_lines(text, len, 0, index_symbol, k);
	if (sort_tail(k) < 0) {
		mmaudit_kallsyms_free(k);
		return NULL;
	}
	return k;
}

void mmaudit_kallsyms_free(struct mmaudit_kallsyms *k)
{
	if (!k)
		return;
	free(k->lines);
	free(k);
}

int mmaudit_kallsyms_lookup(const struct mmaudit_kallsyms *k, unsigned long long addr,
			    unsigned long long *start, const char **name, size_t *len)
{
	size_t l = 0, u = k->count;

	/* glibc's bsearch with libtraceevent's func_bcmp over the same order,
	 * so that among symbols sharing an address it lands on the same one:
	 * the symbol at or below the address and below the next one (the last
	 * matches only exactly: its neighbour is func_map's zero sentinel). */
	while (l < u) {
		size_t i = (l + u) / 2;
		unsigned long long a = address_at(k, i);
		unsigned long long next = i + 1 < k->count ? address_at(k, i + 1) : 0;

		if (addr == a || (addr > a && addr < next)) {
			const char *line = k->text + k->lines[i];
			struct ksym_line sym;

			parse_line(line, line_end(k, line), 1, &sym);
			*start = a;
			*name = sym.func;
			*len = (size_t)(sym.func_end - sym.func);
			return 1;
		}
		if (addr < a)
			u = i;
		else
			l = i + 1;
	}
	return 0;
}
