import Foundation

/// A program run to its end with its output collected, for tests that
/// check a command line (pipes included, through /bin/sh).
public enum CommandRun {
    public struct Result {
        public var status: Int32
        public var stdout: [UInt8]
        public var stderr: String
    }

    public static func run(_ executable: String, _ arguments: [String],
                           environment: [String: String] = [:]) throws -> Result {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: executable)
        p.arguments = arguments
        p.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        try p.run()
        // stderr on its own thread: a child filling one pipe while the test
        // reads the other would wait forever.
        nonisolated(unsafe) var e = Data()
        let errDone = DispatchSemaphore(value: 0)
        Thread.detachNewThread {
            e = err.fileHandleForReading.readDataToEndOfFile()
            errDone.signal()
        }
        let o = out.fileHandleForReading.readDataToEndOfFile()
        errDone.wait()
        p.waitUntilExit()
        return Result(status: p.terminationStatus, stdout: [UInt8](o), stderr: String(decoding: e, as: UTF8.self))
    }
}
