import Foundation
import IndicatorKit
import TestSupport
import Testing
import ClusterStandard
import JSONCore

/// What a filing's text may hold (docs/filing-format.md, "Characters"), how a byte order mark is
/// read, and where invalid UTF-8 is reported.
@Suite struct TextCharacterTests {
    let base = FilingTemplate.example(.initial)

    func issues(_ filing: JSONValue) -> [ValidationIssue] { FilingValidator.validate(filing.bytes) }

    /// A name holding `scalar` between two Chinese words.
    func name(with scalar: Unicode.Scalar) -> JSONValue {
        .string("文昌" + String(Character(scalar)) + "航天")
    }

    @Test(arguments: [
        (0x0085, "control_character"), (0x0007, "control_character"), (0x009B, "control_character"), (0x007F, "control_character"),
        (0x202E, "bidi_control"), (0x202A, "bidi_control"), (0x2066, "bidi_control"), (0x2069, "bidi_control"),
        (0x200E, "bidi_control"), (0x200F, "bidi_control"), (0x061C, "bidi_control"),
        (0x200B, "invisible_character"), (0x200C, "invisible_character"), (0x200D, "invisible_character"),
        (0x2060, "invisible_character"), (0xFEFF, "invisible_character"),
        (0x2028, "line_separator"), (0x2029, "line_separator"),
    ] as [(UInt32, String)])
    func aOneLineNameRefusesTheCharacter(code: UInt32, rule: String) {
        let found = issues(base.setting("cluster.name", to: name(with: Unicode.Scalar(code)!)))
        #expect(found.map(\.rule) == [rule], "\(found)")
        #expect(found.map(\.path) == ["$.cluster.name"])
        #expect(found.first?.message.en.contains(String(format: "U+%04X", code)) == true)
    }

    @Test(arguments: [0x202E, 0x2066, 0x0085] as [UInt32])
    func aCodeRefusesTheCharacterBeforeItsFormat(code: UInt32) {
        let found = issues(base.setting("enterprises.0.code", to: .string("91469005MA5T00001" + String(Character(Unicode.Scalar(code)!)))))
        #expect(found.map(\.path) == ["$.enterprises[0].code"], "\(found)")
        #expect(found.map(\.rule) != ["uscc"], "the character is named, not a bad check symbol: \(found)")
    }

    @Test(arguments: [0x200B, 0x2028, 0xFEFF, 0x000A, 0x0009] as [UInt32])
    func aStatementMayHoldInvisibleCharactersAndLineBreaks(code: UInt32) {
        let statement = JSONValue.string("集群内企业" + String(Character(Unicode.Scalar(code)!)) + "协作")
        #expect(issues(base.setting("competitiveness.evidence.COMP-1.statement", to: statement)) == [])
    }

    @Test(arguments: [(0x202E, "bidi_control"), (0x0085, "control_character"), (0x0007, "control_character")] as [(UInt32, String)])
    func aStatementRefusesBidiAndControlCharacters(code: UInt32, rule: String) {
        let statement = JSONValue.string("集群内企业" + String(Character(Unicode.Scalar(code)!)) + "协作")
        let found = issues(base.setting("competitiveness.evidence.COMP-1.statement", to: statement))
        #expect(found.map(\.rule) == [rule], "\(found)")
        #expect(found.map(\.path) == ["$.competitiveness.evidence[\"COMP-1\"].statement"])
    }

    @Test func lengthIsCountedInUnicodeScalarsAsPostgreSQLCountsIt() {
        // 150 letters each with a combining mark: 150 characters on screen, 300 scalars in the database.
        let combined = String(repeating: "e\u{301}", count: 150)
        #expect(combined.count == 150 && combined.unicodeScalars.count == 300)
        let found = issues(base.setting("cluster.name", to: .string(combined)))
        #expect(found.map(\.rule) == ["too_long"], "\(found)")
        #expect(found.first?.message.en.contains("300") == true)
        #expect(issues(base.setting("cluster.name", to: .string(String(repeating: "e\u{301}", count: 100)))) == [])
    }

    @Test func aByteOrderMarkIsReadPastAndNotPartOfTheDocument() {
        let bytes = base.bytes
        #expect(FilingValidator.validate(Data(JSONParser.byteOrderMark) + bytes) == [])
        #expect(JSONParser.withoutByteOrderMark(Data(JSONParser.byteOrderMark) + bytes) == bytes)
        #expect(JSONParser.withoutByteOrderMark(bytes) == bytes)
        // A second mark is not a mark: it is a character where a value must be.
        #expect(FilingValidator.validate(Data(JSONParser.byteOrderMark + JSONParser.byteOrderMark) + bytes).map(\.rule) == ["syntax"])
    }

    /// The document with `bad` inserted just after the opening quote of the cluster's name, and
    /// the offset where it lands.
    func invalidName(_ bad: [UInt8], prefix: [UInt8] = []) -> (Data, Int) {
        var bytes = prefix + Array(base.canonicalText().utf8)
        let marker = Array("\"name\":\"".utf8)
        let start = (0...(bytes.count - marker.count)).first { Array(bytes[$0..<$0 + marker.count]) == marker }!
        // The first "name" of the canonical text is the cluster's (members sort: applicant has none).
        bytes.insert(contentsOf: bad, at: start + marker.count)
        return (Data(bytes), start + marker.count)
    }

    @Test(arguments: [[0xFF], [0xC3, 0x28], [0xE0, 0x80, 0x80], [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80], [0xC0, 0xAF]] as [[UInt8]])
    func invalidUTF8IsReportedAtItsOffsetWithItsPath(bad: [UInt8]) {
        let (data, offset) = invalidName(bad)
        let found = FilingValidator.validate(data)
        #expect(found.map(\.rule) == ["encoding"], "\(found)")
        #expect(found.first?.path.hasPrefix("$.") == true, "\(found)")
        #expect(found.first?.message.en.contains("byte \(offset) ") == true, "\(found)")
        #expect(found.first?.fix.en.contains("offset \(offset)") == true, "\(found)")
    }

    @Test func invalidUTF8AfterAByteOrderMarkCountsTheMark() {
        let (data, offset) = invalidName([0xFE], prefix: JSONParser.byteOrderMark)
        let found = FilingValidator.validate(data)
        #expect(offset > 3)
        #expect(found.first?.message.en.contains("byte \(offset) ") == true, "\(found)")
    }

    @Test func invalidUTF8OutsideAStringIsSaidToBeSo() {
        let found = FilingValidator.validate(Data([0x7B, 0x20, 0xFF, 0x7D]))  // { <FF> }
        #expect(found.map(\.rule) == ["encoding"], "\(found)")
        #expect(found.first?.message.en.contains("byte 2 ") == true, "\(found)")
    }

    /// `isBlank` (what `hasStatement` and the validator's "blank" read since issue 16) against
    /// Foundation's trimming it replaced, on every Unicode scalar.
    @Test func isBlankAgreesWithFoundationsWhitespaceTrimmingOnEveryScalar() {
        var blanks = 0
        for value in UInt32(0)...0x10FFFF {
            guard let scalar = Unicode.Scalar(value) else { continue }
            let text = String(Character(scalar))
            let foundation = text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty
            #expect(TextCharacters.isBlank(text) == foundation, "U+\(String(value, radix: 16))")
            if foundation { blanks += 1 }
        }
        #expect(blanks == 26)
        #expect(TextCharacters.isBlank(""))
        #expect(TextCharacters.isBlank(" \t\r\n\u{3000}\u{2028}"))
        #expect(!TextCharacters.isBlank(" a "))
        #expect(TextCharacters.isBlank("\u{200B}\u{3000}"))
        #expect(EvidenceItem(statement: "\u{3000}\n", documents: []).hasStatement == false)
        #expect(EvidenceItem(statement: " 说明 ", documents: []).hasStatement)
    }
}
