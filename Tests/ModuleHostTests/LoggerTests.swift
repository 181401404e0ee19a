import Foundation
import IndicatorKit
import Testing

@testable import ModuleHost


@Suite struct LoggerTests {
    @Test func writesOneJSONObjectPerLineWithTimeLevelEventAndFields() throws {
        let capture = LogCapture()
        capture.logger.with(["coordinator": "c1"]).warning("worker_replaced", ["pid": 42, "cause": "crashed\nbadly \"here\""])
        let lines = capture.all
        #expect(lines.count == 1)
        #expect(lines[0].hasSuffix("}\n"))
        #expect(lines[0].dropLast().contains("\n") == false)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(lines[0].utf8)) as? [String: Any])
        #expect(object["level"] as? String == "warning")
        #expect(object["event"] as? String == "worker_replaced")
        #expect(object["coordinator"] as? String == "c1")
        #expect((object["pid"] as? NSNumber)?.intValue == 42)
        #expect(object["cause"] as? String == "crashed\nbadly \"here\"")
        let time = try #require(object["time"] as? String)
        #expect(time.count == 24 && time.hasSuffix("Z"))
    }

    @Test func dropsLinesBelowTheMinimumLevel() {
        let capture = LogCapture()
        var logger = capture.logger
        logger.minimumLevel = .warning
        logger.info("ignored")
        logger.error("kept")
        #expect(capture.all.count == 1)
    }

    @Test func escapesControlCharactersInValues() throws {
        let capture = LogCapture()
        capture.logger.info("e", ["text": .string("a\u{1}b\tc"), "nested": ["k": [1, .null, true]]])
        let object = try #require(try JSONSerialization.jsonObject(with: Data(capture.all[0].utf8)) as? [String: Any])
        #expect(object["text"] as? String == "a\u{1}b\tc")
        #expect(((object["nested"] as? [String: Any])?["k"] as? [Any])?.count == 3)
    }
}
