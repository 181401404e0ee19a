import Foundation
import Testing

@testable import IndicatorKit

@Suite struct JSONParsingTests {
    static let documents = [
        #"{"a":1,"b":[true,false,null],"c":{"d":"e"},"f":-0.125,"g":1e3,"h":"","i":[]}"#,
        #"  [ 1 , 2.50 , -3 , 0 , 12345678901234567890123 , 1.5E-7 ]  "#,
        #"{"zh":"文昌椰子","esc":"line\nnext\t\"q\" \\ \/ \u00e9 \ud83d\ude00"}"#,
        #""just a string""#,
        #"0.1"#,
        #"{"nested":{"deeper":{"deepest":[[[{"x":[0]}]]]}}}"#,
    ]

    @Test(arguments: documents)
    func agreesWithJSONDecoder(document: String) throws {
        let data = Data(document.utf8)
        #expect(try JSONValue(parsing: data) == JSONDecoder().decode(JSONValue.self, from: data))
    }

    @Test func keepsDecimalsExact() throws {
        #expect(try JSONValue(parsing: Data("0.1".utf8)) == .number(Decimal(string: "0.1")!))
        #expect(try JSONValue(parsing: Data("[12.50]".utf8)) == [.number(Decimal(string: "12.5")!)])
    }

    @Test(arguments: [#"{"a":1} x"#, "tru", "[1,]", #"{"a" 1}"#, "01x", "\"\u{01}\"", #""\x""#, "[", "-", "1.", #""\ud800""#])
    func rejectsInvalidJSON(document: String) {
        #expect(throws: JSONParseError.self) { try JSONValue(parsing: Data(document.utf8)) }
    }

    @Test func rejectsNestingDeeperThanTheLimit() {
        let deep = String(repeating: "[", count: 600) + String(repeating: "]", count: 600)
        #expect(throws: JSONParseError.self) { try JSONValue(parsing: Data(deep.utf8)) }
    }

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

@Suite struct FastEncodingTests {
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
