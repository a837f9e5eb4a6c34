/// Byte order of the integers in a trace file (the endian byte after the
/// version: 0 = little, 1 = big).
public enum Endianness: Sendable, Hashable {
    case little
    case big

    public static var host: Endianness { 1.littleEndian == 1 ? .little : .big }

    /// `value` as stored in host order, converted from this byte order.
    @inlinable
    func decode<T: FixedWidthInteger>(_ stored: T) -> T {
        self == .little ? T(littleEndian: stored) : T(bigEndian: stored)
    }
}
