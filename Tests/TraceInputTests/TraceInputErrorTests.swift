import XCTest
@testable import TraceInput

final class TraceInputErrorTests: XCTestCase {
    func testOneLineSaysWhatAndWhere() {
        let e = TraceInputError(path: "t.dat", section: "options", offset: 4096,
                                message: "option size runs past the end of the file")
        XCTAssertEqual(e.description,
                       "t.dat: options: byte offset 4096: option size runs past the end of the file")
        XCTAssertFalse(e.description.contains("\n"))
    }
}
