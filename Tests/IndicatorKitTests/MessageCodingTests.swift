import Foundation
import JSONCore
import Testing

@testable import IndicatorKit

/// The protocol's fast paths — findings read through the JSON core, written with `JSONWriter` —
/// agree with the messages' `Codable` conformances.
@Suite struct MessageDecodingTests {
    @Test func fastFindingsDecodingMatchesTheDecodableConformance() throws {
        let finding = Finding(
            criterion: "X-1", verdict: .notApplicable, score: 61, observed: ["2024": "12.5"], threshold: 10, comparator: ">=",
            margin: .number(Decimal(string: "2.5")!), message: LocalizedText(zh: "中", en: "en"), citation: "c", parameters: ["p": 1])
        let line = try MessageLine.encode(FindingsMessage(id: "4", findings: [finding])).dropLast()
        #expect(try ModuleMessage(parsing: line) == MessageLine.decodeModuleMessage(line))
    }

    @Test func fastDecodingRejectsAFractionalScore() {
        let line = Data(#"{"type":"findings","id":"1","findings":[{"criterion":"X","verdict":"pass","score":60.5,"message":{"zh":"","en":""},"citation":"","parameters":{}}]}"#.utf8)
        #expect(throws: MessageDecodingError.self) { try ModuleMessage(parsing: line) }
    }
}

@Suite struct MessageEncodingTests {
    static let tricky = "quote \" backslash \\ newline \n tab \t cr \r nul \u{0} bell \u{7} 中文 😀 / end"

    @Test func encodedFindingsDecodeToTheSameValues() throws {
        let findings = [
            Finding(
                criterion: "X-1", verdict: .notApplicable, score: 0, observed: ["a": [1, .null, true, .string(Self.tricky)]],
                threshold: .number(Decimal(string: "-0.000125")!), comparator: "<=", margin: .number(Decimal(string: "123456789012345678901234567890")!),
                message: LocalizedText(zh: Self.tricky, en: "plain"), citation: "c\"", parameters: ["p": 1, "q": "r"]),
            Finding(criterion: "X-2", verdict: .pass, score: 100, message: LocalizedText(zh: "", en: ""), citation: ""),
        ]
        let message = FindingsMessage(id: "id \"7\"", findings: findings)
        let line = message.encodedLine()
        #expect(line.last == 0x0A)
        #expect(line.filter { $0 == 0x0A }.count == 1)
        #expect(try JSONDecoder().decode(FindingsMessage.self, from: line.dropLast()) == message)
        #expect(try ModuleMessage(parsing: line.dropLast()) == .findings(message))
    }

    @Test func anEmptyFindingsListEncodes() throws {
        let line = FindingsMessage(id: "1", findings: []).encodedLine()
        #expect(String(decoding: line, as: UTF8.self) == "{\"type\":\"findings\",\"id\":\"1\",\"findings\":[]}\n")
    }
}
