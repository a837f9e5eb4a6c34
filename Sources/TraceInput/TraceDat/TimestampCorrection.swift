/// Turns a ring-buffer timestamp into the one trace-cmd prints, as
/// timestamp_calc (lib/trace-cmd/trace-input.c) does without --raw-ts: a
/// guest file's TIME_SHIFT samples first move it onto the host's clock
/// (GuestClockSync, applied by CPUStream: it is per CPU), then TSC2NSEC
/// scaling (mul_u64_u32_shr), then the file's time offset (DATE option
/// µs × 1000 + OFFSET option ns). The TSC2NSEC offset field is read by
/// trace-cmd but not applied, so it is not applied here either.
struct TimestampCorrection: Sendable {
    var multiplier: UInt32 = 0
    var shift: UInt32 = 0
    var offset: Int64 = 0

    @inline(__always)
    func apply(_ raw: UInt64) -> UInt64 {
        var ts = raw
        if multiplier != 0 {
            // mul_u64_u32_shr: ((lo * mult) >> shift) + ((hi * mult) << (32 - shift)).
            let lo = ts & 0xffff_ffff, hi = ts >> 32
            let m = UInt64(multiplier)
            ts = ((lo &* m) >> UInt64(shift)) &+ ((hi &* m) << (32 &- UInt64(shift)))
        }
        return ts &+ UInt64(bitPattern: offset)
    }
}
