#include "CTraceEventShim.h"

#include <stdlib.h>
#include <string.h>

void mmaudit_print_comm_pid_cpu(struct tep_handle *tep, struct trace_seq *s,
                                struct tep_record *record, const char *fmt)
{
	tep_print_event(tep, s, record, fmt, TEP_PRINT_COMM, TEP_PRINT_PID,
			TEP_PRINT_CPU);
}

void mmaudit_print_time(struct tep_handle *tep, struct trace_seq *s,
                        struct tep_record *record, const char *fmt)
{
	tep_print_event(tep, s, record, fmt, TEP_PRINT_TIME);
}

void mmaudit_print_named(struct tep_handle *tep, struct trace_seq *s,
                         struct tep_record *record, const char *fmt,
                         const char *column)
{
	tep_print_event(tep, s, record, fmt, column);
}

void mmaudit_seq_puts(struct trace_seq *s, const char *text)
{
	trace_seq_puts(s, text);
}

/* Mirrors print_event_name() of trace-cmd 3.1.6: " %s: " then spaces up to
 * 20 columns of name. */
static void report_event_name(struct trace_seq *s, struct tep_event *event)
{
	static const char spaces[] = "                    "; /* 20 */
	const char *name = event ? event->name : "(NULL)";
	size_t len = strlen(name);

	trace_seq_printf(s, " %s: ", name);
	if (len < 20)
		trace_seq_printf(s, "%.*s", (int)(20 - len), spaces);
}

unsigned int mmaudit_report_line(struct tep_handle *tep, struct trace_seq *s,
                                 struct tep_record *record,
                                 const char *time_fmt, int usecs, int raw)
{
	struct tep_event *event = tep_find_event_by_record(tep, record);
	const char *text;
	unsigned int len;

	trace_seq_reset(s);
	if (record->missed_events > 0)
		trace_seq_printf(s, "CPU:%d [%lld EVENTS DROPPED]\n",
				 record->cpu, record->missed_events);
	else if (record->missed_events < 0)
		trace_seq_printf(s, "CPU:%d [EVENTS DROPPED]\n", record->cpu);
	if (event && usecs) {
		/* The same text tep_print_event gives for "%16s-%-5d [%03d]"
		 * (TEP_PRINT_COMM, TEP_PRINT_PID, TEP_PRINT_CPU) and " %6.1000d:"
		 * (TEP_PRINT_TIME: rounded to the microsecond, then "%5llu.%06llu",
		 * print_event_time in libtraceevent 1.7.1), in one formatting pass. */
		int pid = tep_data_pid(tep, record);
		unsigned long long us = (record->ts + 500) / 1000;

		trace_seq_printf(s, "%16s-%-5d [%03d] %5llu.%06llu:",
				 tep_data_comm_from_pid(tep, pid), pid, record->cpu,
				 us / 1000000, us % 1000000);
	} else {
		/* Unknown events print "[UNKNOWN EVENT]" per call; keep the
		 * library's own path for them and for raw timestamps. */
		tep_print_event(tep, s, record, "%16s-%-5d [%03d]", TEP_PRINT_COMM,
				TEP_PRINT_PID, TEP_PRINT_CPU);
		tep_print_event(tep, s, record, time_fmt, TEP_PRINT_TIME);
	}
	report_event_name(s, event);
	tep_print_event(tep, s, record, "%s",
			raw ? TEP_PRINT_INFO_RAW : TEP_PRINT_INFO);
	if (s->len && s->buffer[s->len - 1] == '\n')
		s->len--;
	text = s->buffer;
	len = (unsigned int)strnlen(text, s->len);
	return len;
}

static int is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r';
}

static int hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Same result as tep_parse_kallsyms (libtraceevent 1.7.1 event-parse.c),
 * whose per-line sscanf("%16llx %c %n%*s%n%*1[\t][%n%*s%n") is most of the
 * time to open a trace: lines split as strtok(..., "\n") does, an address of
 * up to 16 hex digits, the type character, the name, and "\t[module]" when
 * present; '$' names and 'A'/'a' symbols are skipped; a malformed line stops
 * the parse, keeping what was registered before it. */
int mmaudit_parse_kallsyms(struct tep_handle *tep, const char *text, size_t len)
{
	char *copy = malloc(len + 1);
	char *p, *end;

	if (!copy)
		return -1;
	memcpy(copy, text, len);
	copy[len] = 0;
	end = copy + len;
	for (p = copy; p < end; ) {
		char *line = p, *eol = memchr(p, '\n', end - p);
		char *q, *func, *func_end, *mod = NULL;
		unsigned long long addr = 0;
		int digits = 0;
		char type;

		if (!eol)
			eol = end;
		*eol = 0;
		p = eol + 1;
		if (line == eol)
			continue;	/* strtok skips empty lines */
		q = line;
		while (is_space(*q))
			q++;
		if (q[0] == '0' && (q[1] == 'x' || q[1] == 'X') && hex_value(q[2]) >= 0)
			q += 2;
		while (digits < 16 && hex_value(*q) >= 0) {
			addr = addr << 4 | hex_value(*q++);
			digits++;
		}
		if (!digits)
			goto bad;
		while (is_space(*q))
			q++;
		if (!*q)
			goto bad;
		type = *q++;
		while (is_space(*q))
			q++;
		func = q;
		while (*q && !is_space(*q))
			q++;
		if (q == func)
			goto bad;
		func_end = q;
		if (q[0] == '\t' && q[1] == '[' && q[2] && !is_space(q[2])) {
			char *m = q + 2;

			while (*m && !is_space(*m))
				m++;
			m[-1] = 0;	/* the module's closing ']' */
			mod = q + 2;
		}
		if (func[0] != '$' && type != 'A' && type != 'a') {
			*func_end = 0;
			tep_register_function(tep, func, addr, mod);
		}
	}
	free(copy);
	return 0;
bad:
	free(copy);
	return -1;
}
