// Fixed-argument wrappers for libtraceevent's variadic print calls.
//
// Swift imports no C function declared with `...`, and tep_print_event() is one
// (event-parse.h). Each wrapper below is one call shape that the readers need;
// NativeBindings is the only Swift code that calls them.
#ifndef MMAUDIT_CTRACEEVENT_SHIM_H
#define MMAUDIT_CTRACEEVENT_SHIM_H

#include <event-parse.h>

/// `fmt` with TEP_PRINT_COMM, TEP_PRINT_PID, TEP_PRINT_CPU (the report prefix,
/// e.g. "%16s-%-5d [%03d]").
void mmaudit_print_comm_pid_cpu(struct tep_handle *tep, struct trace_seq *s,
                                struct tep_record *record, const char *fmt);

/// `fmt` with TEP_PRINT_TIME (e.g. " %6.1000d:").
void mmaudit_print_time(struct tep_handle *tep, struct trace_seq *s,
                        struct tep_record *record, const char *fmt);

/// `fmt` with one of the string-named columns: "INFO", "INFO_RAW", "LATENCY",
/// "NAME" or "COMM".
void mmaudit_print_named(struct tep_handle *tep, struct trace_seq *s,
                         struct tep_record *record, const char *fmt,
                         const char *column);

/// trace_seq_printf(s, "%s", text) without Swift's varargs.
void mmaudit_seq_puts(struct trace_seq *s, const char *text);

#endif
