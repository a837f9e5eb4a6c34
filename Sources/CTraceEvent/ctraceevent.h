// libtraceevent's public headers (Debian: libtraceevent-dev, installed under
// /usr/include/traceevent, which pkg-config puts on the include path).
#include <event-parse.h>
#include <kbuffer.h>
#include <trace-seq.h>
