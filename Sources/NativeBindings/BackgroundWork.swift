#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CTraceSupport

/// Work started on a thread of its own whose result is collected once, later,
/// by the thread that started it (a pthread joined on first use). For
/// preparing, on the other core, something a run will need soon: the thread
/// is started on another CPU than this one (mmaudit_thread_start_elsewhere),
/// or it may not run before it is waited for.
final class BackgroundWork<Value>: @unchecked Sendable {
    private let box: ThreadBox
    private var thread: pthread_t?

    init(_ work: @escaping () -> Value) {
        box = ThreadBox(work)
        thread = box.start()
        if thread == nil { box.result = work() }   // no thread to be had: do it now
    }

    /// The result, waiting for the thread the first time.
    var value: Value {
        if let t = thread {
            pthread_join(t, nil)
            thread = nil
        }
        return box.result as! Value
    }

    deinit {
        if let t = thread { pthread_join(t, nil) }
    }
}

/// What the thread runs and where it leaves the result: outside the generic
/// class, since a C function pointer cannot capture its parameters.
private final class ThreadBox {
    let run: () -> Any
    var result: Any?

    init(_ run: @escaping () -> Any) { self.run = run }

    func start() -> pthread_t? {
        let context = Unmanaged.passRetained(self).toOpaque()
        var t = pthread_t()
        let started = mmaudit_thread_start_elsewhere(&t, { context in
            let box = Unmanaged<ThreadBox>.fromOpaque(context!).takeRetainedValue()
            box.result = box.run()
            return nil
        }, context)
        guard started == 0 else {
            Unmanaged<ThreadBox>.fromOpaque(context).release()
            return nil
        }
        return t
    }
}
