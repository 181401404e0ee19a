import Foundation
import JSONCore
import Testing

@testable import IndicatorKit

/// The module replies' typed reading (`ModuleMessage.typedReply`, issue 16) against the general
/// reading through a `JSONValue` tree (`init(parsingGenerally:)`) it stands in front of: on
/// valid replies and on thousands of mutated ones, the typed reading gives either nothing or
/// the general reading's value, and `init(parsing:)` gives the general reading's value or its
/// very error.
@Suite struct TypedReplyTests {
    static let tricky = "quote \" backslash \\ newline \n tab \t 中文 😀 / end"

    static let findings: [Finding] = [
        Finding(
            criterion: "COMP-1", verdict: .pass, score: 75, observed: ["2023": .number(Decimal(string: "12.5")!), "2024": 13],
            threshold: .number(Decimal(string: "10")!), comparator: ">=", margin: .number(Decimal(string: "-0.000125")!),
            message: LocalizedText(zh: "产值达标", en: "output meets the bound"), citation: "criteria.md §2.1",
            parameters: ["min_output_wan": 1000, "years": [2023, 2024]]),
        Finding(
            criterion: "COMP-2", verdict: .notApplicable, score: 0, observed: .null, threshold: nil, comparator: nil,
            margin: nil, message: LocalizedText(zh: Self.tricky, en: "plain"), citation: "c\"", parameters: [:]),
        Finding(
            criterion: "COMP-3", verdict: .warn, score: 100, observed: ["a": [1, .null, true, .string(Self.tricky)]],
            threshold: "text", comparator: "==", margin: .number(Decimal(string: "123456789012345678901234567890")!),
            message: LocalizedText(zh: "中", en: "en"), citation: "", parameters: ["p": 1, "q": "r", "n": .null]),
    ]

    /// Valid replies as the SDK writes them, as `JSONEncoder` writes them, and by hand.
    static func validLines() throws -> [Data] {
        var lines: [Data] = [
            FindingsMessage(id: "7", findings: findings).encodedLine().dropLast(),
            FindingsMessage(id: "id \"7\"", findings: [findings[1]]).encodedLine().dropLast(),
            FindingsMessage(id: "8", findings: []).encodedLine().dropLast(),
            try MessageLine.encode(FindingsMessage(id: "9", findings: findings)).dropLast(),
            try MessageLine.encode(ErrorReplyMessage(id: "3", code: .evaluationFailed, message: "boom \(Self.tricky)")).dropLast(),
            try MessageLine.encode(ErrorReplyMessage(id: nil, code: .invalidRequest, message: "no id")).dropLast(),
        ]
        let handWritten = [
            #" { "id" : "5" , "findings" : [ ] , "type" : "findings" } "#,
            #"{"type":"error","code":"x","message":"y"}"#,
            #"{"type":"error","id":null,"code":"x","message":"y","extra":{"a":[1,2]}}"#,
            #"{"type":"findings","id":"1","extra":[{"deep":{"x":1}}],"findings":[{"criterion":"A-1","verdict":"fail","score":0,"observed":null,"threshold":null,"comparator":null,"margin":null,"message":{"zh":"z","en":"e","fr":"f"},"citation":"c","parameters":{},"note":"n"}]}"#,
            #"{"type":"findings","id":"1","findings":[{"parameters":{"a":1,"a":2},"citation":"c","message":{"en":"e","zh":"z"},"score":60,"verdict":"manual","criterion":"A-1"}]}"#,
        ]
        lines += handWritten.map { Data($0.utf8) }
        return lines
    }

    /// Lines derived from `line`: every byte dropped, every byte replaced by a few others, cut
    /// short at every point, and members repeated or renamed.
    static func mutations(of line: Data) -> [Data] {
        let bytes = Array(line)
        var result: [Data] = []
        let replacements: [UInt8] = [0x22, 0x5C, 0x2C, 0x7D, 0x5D, 0x3A, 0x30, 0x2E, 0x6E, 0x00, 0xFF, 0xC3]
        for index in bytes.indices {
            var dropped = bytes
            dropped.remove(at: index)
            result.append(Data(dropped))
            result.append(Data(bytes[..<index]))
            for replacement in replacements where replacement != bytes[index] {
                var changed = bytes
                changed[index] = replacement
                result.append(Data(changed))
            }
        }
        let text = String(decoding: line, as: UTF8.self)
        let rewrites: [(String, String)] = [
            (#""type":"findings""#, #""type":"findings","type":"findings""#),
            (#""type":"findings""#, #""type":"ready""#),
            (#""type":"findings""#, #""type":"evaluate""#),
            (#""type":"findings""#, #""type":"error""#),
            (#""type":"error""#, #""type":"findings""#),
            (#""type":"#, #""\u0074ype":"#),
            (#""id":"#, #""id":null,"id":"#),
            (#""id":"7""#, #""id":7"#),
            (#""id":"#, #""ID":"#),
            (#""score":75"#, #""score":75.0"#),
            (#""score":75"#, #""score":7.5e1"#),
            (#""score":75"#, #""score":-75"#),
            (#""score":75"#, #""score":"75""#),
            (#""score":75"#, #""score":075"#),
            (#""score":75"#, #""score":99999999999999999999"#),
            (#""score":0"#, #""score":-0"#),
            (#""verdict":"pass""#, #""verdict":"error""#),
            (#""verdict":"pass""#, #""verdict":"PASS""#),
            (#""comparator":">=""#, #""comparator":1"#),
            (#""comparator":">=""#, #""comparator":null"#),
            (#""parameters":{"#, #""parameters":[{"#),
            (#""parameters":"#, #""parameters":null,"parameters":"#),
            (#""message":{"#, #""message":{"zh":"dup","#),
            (#""message":{"#, #""message":null,"message":{"#),
            (#""zh":"#, #""zh":1,"zh":"#),
            (#""criterion":"#, #""criterion":null,"criterion":"#),
            (#""citation":"#, #""cite":"#),
            (#""findings":["#, #""findings":[null,"#),
            (#""findings":["#, #""findings":{"a":"#),
            ("}", "}}"),
            ("}", "} x"),
            ("{", "\u{FEFF}{"),
        ]
        for (from, to) in rewrites where text.contains(from) {
            result.append(Data(text.replacingOccurrences(of: from, with: to).utf8))
            if let range = text.range(of: from) {
                result.append(Data(text.replacingCharacters(in: range, with: to).utf8))
            }
        }
        result.append(Data(("[" + text + "]").utf8))
        result.append(Data((String(repeating: "[", count: 600) + text + String(repeating: "]", count: 600)).utf8))
        result.append(Data(text.replacingOccurrences(of: #""parameters":{}"#, with: #""parameters":{"d":\#(String(repeating: "[", count: 520))\#(String(repeating: "]", count: 520))}"#).utf8))
        return result
    }

    enum Outcome: Equatable {
        case value(ModuleMessage)
        case error(String)
    }

    static func general(_ line: Data) -> Outcome {
        do {
            return .value(try ModuleMessage(parsingGenerally: line))
        } catch {
            return .error(error.reason)
        }
    }

    static func combined(_ line: Data) -> Outcome {
        do {
            return .value(try ModuleMessage(parsing: line))
        } catch {
            return .error(error.reason)
        }
    }

    @Test func everyValidReplyIsReadTypedToTheGeneralReadingsValue() throws {
        for line in try Self.validLines() {
            let typed = ModuleMessage.typedReply(line)
            #expect(typed != nil, "\(String(decoding: line, as: UTF8.self))")
            #expect(typed.map(Outcome.value) == Self.general(line), "\(String(decoding: line, as: UTF8.self))")
        }
    }

    @Test func mutatedRepliesAreReadAsTheGeneralReadingReadsThem() throws {
        var typedCount = 0, refused = 0, total = 0
        for line in try Self.validLines() {
            for mutated in Self.mutations(of: line) {
                total += 1
                let general = Self.general(mutated)
                if let typed = ModuleMessage.typedReply(mutated) {
                    typedCount += 1
                    #expect(Outcome.value(typed) == general, "\(String(decoding: mutated, as: UTF8.self))")
                }
                if case .error = general { refused += 1 }
                #expect(Self.combined(mutated) == general, "\(String(decoding: mutated, as: UTF8.self))")
            }
        }
        // The corpus exercises both sides: replies read typed, and replies refused.
        #expect(total > 5000)
        #expect(typedCount > 100)
        #expect(refused > 1000)
    }

    @Test func aScoreLongerThanAnIntHoldsIsLeftToTheGeneralReading() throws {
        let line = Data(#"{"type":"findings","id":"1","findings":[{"criterion":"A-1","verdict":"pass","score":99999999999999999999999,"message":{"zh":"z","en":"e"},"citation":"c","parameters":{}}]}"#.utf8)
        #expect(ModuleMessage.typedReply(line) == nil)
        #expect(Self.combined(line) == .error("findings.0.score: expected an integer"))
    }

    @Test func aReadyLineIsLeftToTheGeneralReading() throws {
        let line = Data(#"{"type":"ready","protocol":1,"module":{"id":"m","version":"1"},"applies_to":[],"criteria":[],"reads":[]}"#.utf8)
        #expect(ModuleMessage.typedReply(line) == nil)
        #expect(Self.combined(line) == Self.general(line))
    }

    @Test func aReplyNestedPastTheParsersDepthIsRefusedWithItsError() throws {
        let deep = String(repeating: "[", count: 600) + String(repeating: "]", count: 600)
        let line = Data(#"{"type":"error","code":"x","message":"y","extra":\#(deep)}"#.utf8)
        #expect(ModuleMessage.typedReply(line) == nil)
        guard case .error(let reason) = Self.combined(line) else {
            Issue.record("a reply nested 600 levels deep was accepted")
            return
        }
        #expect(reason.contains("nested deeper than 512 levels"))
    }
}
