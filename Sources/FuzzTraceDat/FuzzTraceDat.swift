import FuzzSupport

/// libFuzzer entry for the trace.dat reader (FuzzSupport.readTraceDat).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzTraceDat(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    FuzzSupport.testOneInput(data, size, suffix: ".dat", FuzzSupport.readTraceDat)
}

#if FUZZING
@_cdecl("FuzzTraceDat_main")
func fuzzerMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
    FuzzSupport.runLibFuzzer(argc, argv, fuzzTraceDat)
}
#else
@main
enum FuzzTraceDatMain {
    static func main() { FuzzSupport.replayMain(fuzzTraceDat) }
}
#endif
