import Foundation
import Testing

import JSONCore

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
        #expect(throws: JSONSyntaxError.self) { try JSONValue(parsing: Data(document.utf8)) }
    }

    @Test func rejectsNestingDeeperThanTheLimit() {
        let deep = String(repeating: "[", count: 600) + String(repeating: "]", count: 600)
        #expect(throws: JSONSyntaxError.self) { try JSONValue(parsing: Data(deep.utf8)) }
    }

    @Test func documentLimitsRefuseADuplicateMemberAtItsPath() throws {
        let data = Data(#"{"a":{"b":1,"b":2}}"#.utf8)
        #expect(throws: JSONSyntaxError(offset: 15, path: "$.a", zh: "字段 \"b\" 重复出现", en: "the member \"b\" appears twice")) {
            try JSONValue(parsing: data, limits: .document)
        }
        #expect(try JSONValue(parsing: data, limits: .message) == ["a": ["b": 2]])
    }

    @Test func anErrorNamesThePathOfTheValueBeingRead() throws {
        let data = Data(#"{"figures":[{"x":1},{"y":tru}]}"#.utf8)
        do {
            _ = try JSONValue(parsing: data, limits: .document)
            Issue.record("parsed")
        } catch {
            #expect(error.path == "$.figures[1].y")
            #expect(error.offset == 25)
        }
    }

    @Test func documentLimitsKeepNumbersExactOrRefuseThem() {
        #expect(throws: JSONSyntaxError.self) { try JSONValue(parsing: Data("1234567890123456789012345678901".utf8), limits: .document) }
        #expect(throws: JSONSyntaxError.self) { try JSONValue(parsing: Data("1e65".utf8), limits: .document) }
        #expect((try? JSONValue(parsing: Data("1234567890123456789012345678901".utf8), limits: .message)) != nil)
    }

    @Test func documentLimitsCountEveryValueTowardsTheDepth() {
        let deepest = String(repeating: "[", count: 31) + "1" + String(repeating: "]", count: 31)
        let over = String(repeating: "[", count: 32) + "1" + String(repeating: "]", count: 32)
        #expect((try? JSONValue(parsing: Data(deepest.utf8), limits: .document)) != nil)
        #expect(throws: JSONSyntaxError.self) { try JSONValue(parsing: Data(over.utf8), limits: .document) }
    }

    @Test func aByteOrderMarkIsSkippedOnlyInADocument() throws {
        let data = Data(JSONParser.byteOrderMark + Array("[1]".utf8))
        #expect(try JSONValue(parsing: data, limits: .document) == [1])
        #expect(throws: JSONSyntaxError.self) { try JSONValue(parsing: data, limits: .message) }
    }

    @Test func invalidUTF8IsAnEncodingErrorAtItsOffset() {
        let data = Data([0x22, 0x61, 0xC3, 0x28, 0x22])
        #expect(throws: JSONSyntaxError.self) { try JSONValue(parsing: data, limits: .message) }
        do {
            _ = try JSONValue(parsing: data, limits: .message)
        } catch {
            #expect(error.rule == .encoding)
            #expect(error.offset == 2)
        }
    }
}

@Suite struct JSONWriterTests {
    static let value: JSONValue = ["b": [1, .null, true, "x\n\u{1}"], "a": .number(Decimal(string: "0.10")!), "é": ["z": 1, "y": 2]]

    @Test func canonicalTextSortsMembersAndWritesPlainDecimals() {
        #expect(Self.value.canonicalText() == #"{"a":0.1,"b":[1,null,true,"x\n\u0001"],"é":{"y":2,"z":1}}"#)
    }

    @Test func compactOutputParsesBackToTheSameValue() throws {
        #expect(try JSONValue(parsing: Data(Self.value.compactBytes)) == Self.value)
    }

    @Test func prettyTextPutsDeclaredMembersFirst() {
        let text = Self.value.prettyText(order: .members([("é", .sorted), ("b", .sorted)]))
        #expect(text.hasPrefix("{\n  \"é\": {\n    \"y\": 2,"))
        #expect(text.contains("\"b\": [\n    1,"))
        #expect(text.hasSuffix("\"a\": 0.1\n}"))
    }

    @Test func anObjectWrittenMemberByMemberKeepsItsOrder() {
        var writer = JSONWriter(style: .canonical)
        writer.appendObject([("z", 1), ("a", ["k": "v"])] as [(String, JSONValue)])
        #expect(writer.text == #"{"z":1,"a":{"k":"v"}}"#)
    }
}


/// Issue 16, third pass: numbers written from their digits and integers read from them, against
/// `NSDecimalString`, the way both went before.
@Suite struct JSONNumberDigitsTests {
    /// SplitMix64, so a failure names a value that comes back.
    struct SplitMix: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    /// Parsed numbers (trailing zeros kept, as the parser leaves them), `Decimal` arithmetic's
    /// results (compact), 1–40 digits, exponents −40…40, either sign, zero and the 64-bit edge.
    static func values(count: Int) throws -> [Decimal] {
        var random = SplitMix(state: 38)
        var values: [Decimal] = [0, 1, -1, Decimal(UInt64.max), -Decimal(UInt64.max), Decimal(UInt64.max) + 1]
        for index in 0..<count {
            var text = Bool.random(using: &random) ? "-" : ""
            text += String(Int.random(in: 1...9, using: &random))
            for _ in 0..<Int.random(in: 0...(index % 5 == 0 ? 39 : 19), using: &random) { text += String(Int.random(in: 0...9, using: &random)) }
            if index % 4 == 0 { text += ".\(Int.random(in: 0...999, using: &random))0" }
            text += "e\(Int.random(in: -40...40, using: &random))"
            guard case .number(let parsed) = try JSONValue(parsing: Data(text.utf8)) else { continue }
            values.append(parsed)
            values.append(parsed / 7)
            values.append(parsed * 3)
        }
        return values
    }

    @Test func numbersAreWrittenAsNSDecimalStringWritesThem() throws {
        for value in try Self.values(count: 8_000) {
            var writer = JSONWriter()
            writer.appendNumber(value)
            var copy = value
            #expect(writer.text == (value.isNaN ? "null" : NSDecimalString(&copy, nil)), "\(value)")
        }
    }

    @Test func integersAreReadAsTheirTextReadsThem() throws {
        for value in try Self.values(count: 8_000) {
            var copy = value
            let text = NSDecimalString(&copy, nil)
            let int = try? JSONValue.number(value).directInteger(Int.self), int64 = try? JSONValue.number(value).directInteger(Int64.self)
            let uint8 = try? JSONValue.number(value).directInteger(UInt8.self)
            #expect(int == Int(text) && int64 == Int64(text) && uint8 == UInt8(text), "\(text)")
        }
    }
}
