import FuzzSupport

/// libFuzzer entry for the text reader (FuzzSupport.readText).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzText(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    FuzzSupport.testOneInput(data, size, suffix: ".txt", FuzzSupport.readText)
}

#if FUZZING
@_cdecl("FuzzText_main")
func fuzzerMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
    FuzzSupport.runLibFuzzer(argc, argv, fuzzText)
}
#else
@main
enum FuzzTextMain {
    static func main() { FuzzSupport.replayMain(fuzzText) }
}
#endif
