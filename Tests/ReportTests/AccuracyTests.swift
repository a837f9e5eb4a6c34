import Foundation
import XCTest

/// The truth table of issue 15: every capture in fixtures/catalog.json
/// analysed by the built mmaudit (through scripts/accuracy, which also
/// writes docs/accuracy.md) against what the guest kernel's dmesg and the
/// demo driver said. Clean captures must give no error; a bug capture must
/// flag exactly the tasks the guest named.
final class AccuracyTests: XCTestCase {
    func testEveryCaptureGivesExactlyTheTasksItsKernelNamed() throws {
        let out = ExternalTools.temporaryFile("accuracy.json")
        let script = ExternalTools.packageRoot.appendingPathComponent("scripts/accuracy").path
        let r = try ExternalTools.run("/usr/bin/env", ["python3", script, "--mmaudit", ExternalTools.mmaudit,
                                                       "--json", out])
        XCTAssertEqual(r.status, 0, r.stderr + String(r.stdout.suffix(3000)))
        let data = try Data(contentsOf: URL(fileURLWithPath: out))
        let results = try XCTUnwrap(JSONSerialization.jsonObject(with: data) as? [[String: Any]])

        // Every kernel of the corpus is there, in every format captured.
        let kernels = Set(results.compactMap { $0["kernel"] as? String })
        for k in ["6.1.0-56-amd64 (generic)", "6.1.0-57-amd64 (generic)", "6.1.0-57-rt-amd64 (rt)",
                  "6.12.118+deb12-amd64 (generic)"] {
            XCTAssertTrue(kernels.contains(k), "no capture of \(k)")
        }
        XCTAssertGreaterThanOrEqual(results.count, 60)

        var clean = 0, bugs = 0
        for r in results {
            let file = r["file"] as? String ?? "?"
            if let why = r["unreadable"] as? String {
                XCTFail("\(file) unreadable: \(why)")
                continue
            }
            let errors = r["errors"] as? [String: Int] ?? [:]
            XCTAssertEqual(r["fp"] as? Int, 0, "\(file): \(r["notes"] ?? "")")
            XCTAssertEqual(r["fn"] as? Int, 0, "\(file): \(r["notes"] ?? "")")
            // A corrupted preempt count shows only through the function
            // tracer (the sleeping function's entry in a dNHff context); it
            // is one linked finding, and nothing else has one.
            let consequences = r["consequence_findings"] as? Int ?? 0
            if r["corrupt_count"] as? Bool == true, r["format"] as? String == "function" {
                XCTAssertEqual(consequences, 1, "\(file): the corrupt count is not linked to its root")
            } else if r["corrupt_count"] as? Bool != true {
                XCTAssertEqual(consequences, 0, "\(file): a corrupt count where the catalog has none")
            }
            if r["clean"] as? Bool == true {
                clean += 1
                XCTAssertEqual(errors.values.reduce(0, +), 0, "\(file) is clean but got \(errors)")
            } else {
                bugs += 1
                XCTAssertGreaterThan(r["tp"] as? Int ?? 0, 0, "\(file): nothing of its bug found")
            }
        }
        XCTAssertGreaterThanOrEqual(clean, 25)
        XCTAssertGreaterThanOrEqual(bugs, 30)
    }
}
