// The C that NativeBindings needs beside the system libraries:
// - shim.c: fixed-argument wrappers for libtraceevent's variadic print calls
//   (Swift imports no C function declared with `...`, and tep_print_event() is
//   one, event-parse.h); each is one call shape the readers need;
// - kallsyms.c: the kallsyms text handed to libtraceevent, or indexed in place;
// - thread.c: starting a helper thread on another CPU than its creator's.
// NativeBindings is the only Swift code that calls them.
#ifndef MMAUDIT_CTRACE_SUPPORT_H
#define MMAUDIT_CTRACE_SUPPORT_H

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

/// One `trace-cmd report` line for `record` into `s` (reset first), in the
/// order trace_show_data() (trace-cmd 3.1.6 tracecmd/trace-read.c) builds it:
/// the drop line when record->missed_events != 0, the "%16s-%-5d [%03d]" task
/// column, the `time_fmt` column, the event name padded to 20 columns
/// ("(NULL)" for an id with no format), then INFO, or INFO_RAW when `raw`,
/// or `info` itself when it is not NULL (a record the caller found unsafe
/// to hand to libtraceevent's field printers).
/// `usecs` says `time_fmt` is " %6.1000d:" (then the task and time columns
/// are formatted in one pass, to the same text).
/// A single trailing '\n' is dropped as trace-cmd drops it. Returns the number
/// of bytes trace-cmd would print (printf("%.*s") stops at an embedded NUL).
unsigned int mmaudit_report_line(struct tep_handle *tep, struct trace_seq *s,
                                 struct tep_record *record,
                                 const char *time_fmt, int usecs, int raw,
                                 const char *info);

/// tep_parse_kallsyms without an sscanf per line: registers the same
/// functions (with their modules) for `len` bytes of /proc/kallsyms text.
int mmaudit_parse_kallsyms(struct tep_handle *tep, const char *text, size_t len);

/// An address index over `len` bytes of /proc/kallsyms text, read in place
/// (the text must outlive it): the symbols tep_parse_kallsyms would register,
/// in the order libtraceevent sorts them. NULL when out of memory.
struct mmaudit_kallsyms;
struct mmaudit_kallsyms *mmaudit_kallsyms_index(const char *text, size_t len);
void mmaudit_kallsyms_free(struct mmaudit_kallsyms *index);

/// tep_find_function and tep_find_function_address in one: 1 and the
/// symbol's start, name (not NUL-terminated) and name length, or 0.
int mmaudit_kallsyms_lookup(const struct mmaudit_kallsyms *index, unsigned long long addr,
                            unsigned long long *start, const char **name, size_t *len);

/// pthread_create for a helper the creator will soon wait on: placed on
/// another CPU than the creator's to start at once, then free to move
/// (thread.c says why). 0 on success, as pthread_create.
#include <pthread.h>
int mmaudit_thread_start_elsewhere(pthread_t *thread, void *(*body)(void *), void *context);

#endif
