// swift-tools-version:5.9
//
// mmaudit: a kernel trace analyzer for memory-management developers.
//
// The targets follow the pipeline (see docs/architecture.md):
//   C system libraries, CTraceSupport  ->  NativeBindings (the only Swift code that calls C)
//   -> TraceInput (file detection, trace.dat and text readers, CPU merge)
//   -> TraceModel -> Checks -> Reports -> mmaudit (one file per command).
// Lower stages never import higher ones.
import PackageDescription

let package = Package(
    name: "mmaudit",
    products: [
        .executable(name: "mmaudit", targets: ["mmaudit"]),
        .library(name: "TraceInput", targets: ["TraceInput"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    ],
    targets: [
        // System libraries, each naming the Debian package that provides it.
        .systemLibrary(
            name: "CTraceEvent",
            pkgConfig: "libtraceevent",
            providers: [.apt(["libtraceevent-dev"])]
        ),
        .systemLibrary(
            name: "CZlib",
            providers: [.apt(["zlib1g-dev"])]
        ),
        .systemLibrary(
            name: "CZstd",
            pkgConfig: "libzstd",
            providers: [.apt(["libzstd-dev"])]
        ),
        // The C beside the system libraries: fixed-argument wrappers for
        // libtraceevent's variadic print calls (Swift cannot call `...`), the
        // kallsyms parser and index, and helper-thread placement.
        .target(
            name: "CTraceSupport",
            dependencies: ["CTraceEvent"]
        ),
        .target(
            name: "NativeBindings",
            dependencies: ["CTraceEvent", "CTraceSupport", "CZlib", "CZstd"]
        ),
        .target(
            name: "TraceInput",
            dependencies: ["NativeBindings"]
        ),
        .target(
            name: "TraceModel",
            dependencies: ["TraceInput"]
        ),
        .target(
            name: "Checks",
            dependencies: ["TraceModel", "TraceInput"]
        ),
        .target(
            name: "Reports",
            dependencies: ["Checks", "TraceModel", "TraceInput"]
        ),
        .executableTarget(
            name: "mmaudit",
            dependencies: [
                "NativeBindings",
                "TraceInput",
                "TraceModel",
                "Checks",
                "Reports",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // Fuzz targets for the readers (scripts/fuzz builds them with
        // -sanitize=fuzzer -D FUZZING; a normal build makes replay tools).
        .target(
            name: "FuzzSupport",
            dependencies: ["Checks", "TraceModel", "TraceInput", "NativeBindings"]
        ),
        .executableTarget(
            name: "FuzzTraceDat",
            dependencies: ["FuzzSupport"]
        ),
        .executableTarget(
            name: "FuzzText",
            dependencies: ["FuzzSupport"]
        ),
        // What every test target shares: where the fixtures, their catalog
        // and the built mmaudit are.
        .target(name: "TestSupport", path: "Tests/TestSupport"),
        .testTarget(
            name: "CheckTests",
            dependencies: ["Checks", "TraceModel", "TraceInput", "TestSupport"]
        ),
        .testTarget(
            name: "TraceInputTests",
            dependencies: ["TraceInput", "NativeBindings", "TestSupport"]
        ),
        .testTarget(name: "TextInputTests", dependencies: ["TraceInput", "NativeBindings", "TestSupport"]),
        // The model on its own: trackers, kernel facts, over real captures.
        .testTarget(name: "TraceModelTests", dependencies: ["TraceModel", "TraceInput", "TestSupport"]),
        // Reports and the commands built on them; runs the mmaudit binary
        // for exit codes and validates SARIF / renders HTML with outside tools.
        .testTarget(name: "ReportTests", dependencies: ["Reports", "Checks", "TraceModel", "TraceInput", "TestSupport"]),
        // Damaged inputs: the corruption matrix over the fixtures, in-process
        // and through the mmaudit binary, and the inputs fuzzing found
        // (docs/robustness.md).
        .testTarget(name: "RobustnessTests",
                    dependencies: ["Checks", "TraceModel", "TraceInput", "NativeBindings", "FuzzSupport", "TestSupport"],
                    exclude: ["FuzzRegressions"]),
    ]
)
