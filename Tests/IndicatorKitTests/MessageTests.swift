import Foundation
import Testing

@testable import IndicatorKit
import JSONCore

@Suite struct MessageTests {
    static let criterion = Criterion(
        id: "FIX-1", title: LocalizedText(zh: "样例", en: "Sample"), kind: .threshold, citation: "Standard 1(1)")
    static let descriptor = ModuleDescriptor(
        id: "sample", version: "1.2.0", appliesTo: [.initial, .annualReport], criteria: [criterion], reads: ["output"])

    @Test func readyLineUsesSnakeCaseKeysAndNestsTheModule() throws {
        let line = try MessageLine.encode(ReadyMessage(descriptor: Self.descriptor))
        let object = try JSONSerialization.jsonObject(with: line) as! [String: Any]
        #expect(object["type"] as? String == "ready")
        #expect(object["protocol"] as? Int == 1)
        #expect((object["module"] as? [String: Any])?["id"] as? String == "sample")
        #expect(object["applies_to"] as? [String] == ["initial", "annual_report"])
        #expect(object["reads"] as? [String] == ["output"])
    }

    @Test func everyEncodedMessageIsExactlyOneLine() throws {
        let finding = Finding(criterion: "FIX-1", verdict: .pass, score: 80,
            message: LocalizedText(zh: "第一行\n第二行", en: "line one\nline two"), citation: "c")
        let lines = [
            try MessageLine.encode(ReadyMessage(descriptor: Self.descriptor)),
            try MessageLine.encode(FindingsMessage(id: "1", findings: [finding])),
            try MessageLine.encode(ErrorReplyMessage(id: "1", code: .invalidRequest, message: "bad\nrequest")),
            try MessageLine.encode(ShutdownMessage()),
        ]
        for line in lines {
            #expect(line.filter { $0 == 0x0A }.count == 1)
            #expect(line.last == 0x0A)
        }
    }

    @Test func moduleMessageDecodesEachReplyByItsType() throws {
        let finding = Finding(criterion: "FIX-1", verdict: .warn, score: 61, observed: 12, message: LocalizedText(zh: "z", en: "e"), citation: "c")
        let findings = try MessageLine.encode(FindingsMessage(id: "9", findings: [finding]))
        #expect(try MessageLine.decodeModuleMessage(findings.dropLast()) == .findings(FindingsMessage(id: "9", findings: [finding])))
        let error = Data(#"{"type":"error","id":null,"code":"unknown_message","message":"m"}"#.utf8)
        #expect(try MessageLine.decodeModuleMessage(error) == .error(ErrorReplyMessage(id: nil, code: .unknownMessage, message: "m")))
        let ready = try MessageLine.encode(ReadyMessage(descriptor: Self.descriptor))
        #expect(try MessageLine.decodeModuleMessage(ready) == .ready(ReadyMessage(descriptor: Self.descriptor)))
    }

    @Test func moduleMessageRejectsACoordinatorMessageType() {
        #expect(throws: DecodingError.self) {
            try MessageLine.decodeModuleMessage(Data(#"{"type":"shutdown"}"#.utf8))
        }
    }

    @Test func assembledEvaluateLineDecodesLikeAnEncodedOne() throws {
        let line = EvaluateMessage.line(
            id: "42", filing: Data(#"{"output":{"2024":"12.5"}}"#.utf8), context: Data("{}".utf8),
            parameters: Data(#"{"min":10}"#.utf8), asOf: CivilDate("2025-06-30")!)
        #expect(line.last == 0x0A)
        let decoded = try JSONDecoder().decode(EvaluateMessage<JSONValue, JSONValue>.self, from: line.dropLast())
        #expect(decoded.id == "42")
        #expect(decoded.filing == ["output": ["2024": "12.5"]])
        #expect(decoded.parameters == ["min": 10])
        #expect(decoded.asOf == CivilDate(year: 2025, month: 6, day: 30))
    }

    @Test func assembledEvaluateLineEscapesAnUnusualId() throws {
        let line = EvaluateMessage.line(id: "a\"b\n", filing: Data("{}".utf8), context: Data("{}".utf8),
            parameters: Data("{}".utf8), asOf: CivilDate("2025-01-01")!)
        let decoded = try JSONDecoder().decode(EvaluateMessage<JSONValue, JSONValue>.self, from: line.dropLast())
        #expect(decoded.id == "a\"b\n")
    }

    @Test(arguments: [("1", [1]), ("1,2", [1, 2]), (" 2 , 1 ", [2, 1]), ("", [])])
    func offeredVersionsParseACommaSeparatedList(value: String, versions: [Int]) {
        #expect(ModuleProtocol.offeredVersions(value) == versions)
    }

    @Test func offeredVersionsAreNilWithoutTheVariable() {
        #expect(ModuleProtocol.offeredVersions(nil) == nil)
    }
}
