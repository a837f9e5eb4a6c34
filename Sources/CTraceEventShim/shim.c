#include "CTraceEventShim.h"

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
