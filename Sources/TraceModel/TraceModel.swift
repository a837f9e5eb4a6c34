// TraceModel: roles, bindings, per-CPU and per-task timelines, spans.
