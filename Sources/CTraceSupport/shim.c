#include "CTraceSupport.h"

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
                                 const char *time_fmt, int usecs, int raw,
                                 const char *info)
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
	if (info)
		trace_seq_puts(s, info);
	else
		tep_print_event(tep, s, record, "%s",
				raw ? TEP_PRINT_INFO_RAW : TEP_PRINT_INFO);
	if (s->len && s->buffer[s->len - 1] == '\n')
		s->len--;
	text = s->buffer;
	len = (unsigned int)strnlen(text, s->len);
	return len;
}
