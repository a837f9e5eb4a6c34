@testable import TraceInput
import NativeBindings

/// Rewrites little-endian ring-buffer pages as a big-endian kernel would
/// have written them: the page header (u64 timestamp, commit long), every
/// event header (type_len in the top 5 bits instead of the low 5, kbuffer's
/// big-endian layout), time extends / stamps / padding lengths, the stored
/// lost-event count, and each payload field by its format's size (integers,
/// integer array elements, __data_loc words; strings untouched).
struct PageByteSwap {
    let file: TraceDatFile

    func swapPages(_ data: [UInt8]) -> [UInt8] {
        var out = data
        let pageSize = file.header.pageSize
        for page in stride(from: 0, to: data.count, by: pageSize) where page + pageSize <= data.count {
            swapPage(&out, data, at: page)
        }
        return out
    }

    private func swapPage(_ out: inout [UInt8], _ src: [UInt8], at page: Int) {
        let longSize = file.kernelLongSize
        let header = 8 + longSize
        swap(&out, at: page, size: 8)
        let commit = le(src, page + 8, longSize)
        swap(&out, at: page + 8, size: longSize)
        let size = Int(commit & ((1 << 27) - 1))
        if commit & (1 << 31) != 0, commit & (1 << 30) != 0, page + header + size + longSize <= src.count {
            swap(&out, at: page + header + size, size: longSize)
        }
        var at = page + header
        let end = page + header + size
        while at + 4 <= end {
            let v = UInt32(le(src, at, 4))
            let typeLen = v & 0x1f, delta = v >> 5
            store32BE(&out, at: at, typeLen << 27 | delta)
            switch typeLen {
            case 0:
                // array[0] counts itself; the payload follows it.
                let payload = (Int(le(src, at + 4, 4)) - 4 + 3) & ~3
                swap(&out, at: at + 4, size: 4)
                guard payload > 0 else { return }
                swapPayload(&out, src, at: at + 8, size: payload)
                at += 8 + payload
            case 1...28:
                swapPayload(&out, src, at: at + 4, size: Int(typeLen) * 4)
                at += 4 + Int(typeLen) * 4
            case 29:
                let length = Int(le(src, at + 4, 4))
                swap(&out, at: at + 4, size: 4)
                at += 4 + length
            default: // 30 TIME_EXTEND, 31 TIME_STAMP
                swap(&out, at: at + 4, size: 4)
                at += 8
            }
        }
    }

    private func swapPayload(_ out: inout [UInt8], _ src: [UInt8], at start: Int, size: Int) {
        let typeSlot = file.commonLayout.type
        let id = Int(le(src, start + typeSlot.offset, typeSlot.size))
        guard let format = file.tep.format(id: id) else { return }
        for field in format.commonFields + format.fields where field.offset + field.size <= size {
            let at = start + field.offset
            if field.flags.contains(.dynamic) {
                swap(&out, at: at, size: field.size)
            } else if field.flags.contains(.array) {
                let element = field.elementSize
                guard element > 1, !field.type.contains("char") else { continue }
                for e in stride(from: 0, to: field.size, by: element) { swap(&out, at: at + e, size: element) }
            } else if [2, 4, 8].contains(field.size) {
                swap(&out, at: at, size: field.size)
            }
        }
    }

    private func le(_ b: [UInt8], _ at: Int, _ size: Int) -> UInt64 {
        (0..<size).reversed().reduce(0) { $0 << 8 | UInt64(b[at + $1]) }
    }
    private func swap(_ b: inout [UInt8], at: Int, size: Int) {
        guard at + size <= b.count else { return }
        b[at..<at + size].reverse()
    }
    private func store32BE(_ b: inout [UInt8], at: Int, _ v: UInt32) {
        for k in 0..<4 { b[at + k] = UInt8(truncatingIfNeeded: v >> (24 - 8 * k)) }
    }
}
