import Foundation
import Testing

@testable import IndicatorKit
import JSONCore

/// A module whose answers depend on the filing, to exercise every branch of the session.
struct EchoModule: IndicatorModule {
    var descriptor: ModuleDescriptor {
        ModuleDescriptor(id: "echo", version: "0.1", appliesTo: [.initial],
            criteria: [Criterion(id: "E-1", title: LocalizedText(zh: "回显", en: "Echo"), kind: .evidence, citation: "none")],
            reads: ["value"])
    }

    func evaluate(_ request: EvaluationRequest<JSONValue, JSONValue>) throws -> [Finding] {
        switch request.filing["value"]?.string {
        case "throw": throw EvaluationRefusal(code: "no_value", message: "nothing to judge")
        case "undeclared": return [finding(criterion: "X-9", score: 50)]
        case "too-high": return [finding(criterion: "E-1", score: 101)]
        default: return [finding(criterion: "E-1", score: 60)]
        }
    }

    func finding(criterion: String, score: Int) -> Finding {
        Finding(criterion: criterion, verdict: .pass, score: score, message: LocalizedText(zh: "好", en: "fine"), citation: "none")
    }
}

/// A module that decodes the filing into its own Codable type.
struct TypedModule: IndicatorModule {
    struct Filing: Decodable, Sendable { var employees: Int }
    var descriptor: ModuleDescriptor {
        ModuleDescriptor(id: "typed", version: "1", appliesTo: [.initial], criteria: [], reads: ["employees"])
    }
    func evaluate(_ request: EvaluationRequest<Filing, JSONValue>) throws -> [Finding] { [] }
}

@Suite struct ModuleSessionTests {
    let session = ModuleSession(module: EchoModule())

    func reply(_ line: String) throws -> ModuleMessage {
        guard case .reply(let data) = session.respond(to: Data(line.utf8)) else {
            Issue.record("expected a reply to \(line)")
            throw CancellationError()
        }
        return try MessageLine.decodeModuleMessage(data.dropLast())
    }

    static func evaluate(id: String = "7", value: String = "ok", asOf: String = "2025-06-30") -> String {
        #"{"type":"evaluate","id":"\#(id)","filing":{"value":"\#(value)"},"context":{},"parameters":{},"as_of":"\#(asOf)"}"#
    }

    @Test func readyLineDeclaresTheModule() throws {
        let message = try MessageLine.decodeModuleMessage(session.readyLine().dropLast())
        guard case .ready(let ready) = message else { Issue.record("not ready"); return }
        #expect(ready.protocolVersion == 1)
        #expect(ready.descriptor == EchoModule().descriptor)
    }

    @Test func answersAnEvaluateWithFindingsUnderTheSameId() throws {
        guard case .findings(let findings) = try reply(Self.evaluate(id: "abc")) else { Issue.record("not findings"); return }
        #expect(findings.id == "abc")
        #expect(findings.findings.map(\.criterion) == ["E-1"])
    }

    @Test func repliesWithTheRefusalCodeWhenEvaluateThrows() throws {
        #expect(try reply(Self.evaluate(value: "throw")) == .error(ErrorReplyMessage(id: "7", code: "no_value", message: "nothing to judge")))
    }

    @Test func rejectsAnInvalidAsOfDate() throws {
        guard case .error(let error) = try reply(Self.evaluate(asOf: "2025-02-30")) else { Issue.record("not error"); return }
        #expect(error.id == "7")
        #expect(error.code == "invalid_request")
    }

    @Test func rejectsAFilingThatIsNotAnObject() throws {
        let line = #"{"type":"evaluate","id":"3","filing":42,"context":{},"parameters":{},"as_of":"2025-06-30"}"#
        guard case .error(let error) = try reply(line) else { Issue.record("not error"); return }
        #expect(error.code == "invalid_request")
        #expect(error.message.contains("filing"))
    }

    @Test func rejectsAFilingThatDoesNotDecodeIntoTheModulesType() throws {
        let typed = ModuleSession(module: TypedModule())
        let line = #"{"type":"evaluate","id":"3","filing":{"employees":"many"},"context":{},"parameters":{},"as_of":"2025-06-30"}"#
        guard case .reply(let data) = typed.respond(to: Data(line.utf8)),
            case .error(let error) = try MessageLine.decodeModuleMessage(data.dropLast())
        else { Issue.record("not an error reply"); return }
        #expect(error.code == "invalid_request")
        #expect(error.message.contains("employees"))
    }

    @Test func answersAnUnknownTypeWithUnknownMessage() throws {
        #expect(try reply(#"{"type":"frobnicate","id":"x"}"#)
            == .error(ErrorReplyMessage(id: "x", code: .unknownMessage, message: "unknown message type \"frobnicate\"")))
    }

    @Test func answersALineThatIsNotJSONWithInvalidRequest() throws {
        guard case .error(let error) = try reply("hello") else { Issue.record("not error"); return }
        #expect(error.id == nil)
        #expect(error.code == "invalid_request")
    }

    @Test func refusesAFindingForAnUndeclaredCriterion() throws {
        guard case .error(let error) = try reply(Self.evaluate(value: "undeclared")) else { Issue.record("not error"); return }
        #expect(error.code == "evaluation_failed")
        #expect(error.message.contains("X-9"))
    }

    @Test func refusesAScoreOutsideTheRange() throws {
        guard case .error(let error) = try reply(Self.evaluate(value: "too-high")) else { Issue.record("not error"); return }
        #expect(error.message.contains("101"))
    }

    @Test func exitsWithZeroOnShutdown() {
        #expect(session.respond(to: Data(#"{"type":"shutdown"}"#.utf8)) == .exit(0))
    }

    @Test func servesOverPipesUntilEOF() throws {
        var toModule: [Int32] = [0, 0], fromModule: [Int32] = [0, 0]
        #expect(pipe(&toModule) == 0 && pipe(&fromModule) == 0)
        let input = Data((Self.evaluate(id: "1") + "\n" + Self.evaluate(id: "2") + "\n").utf8)
        input.withUnsafeBytes { _ = write(toModule[1], $0.baseAddress, $0.count) }
        close(toModule[1])
        var session = ModuleSession(module: EchoModule())
        #expect(session.serve(input: toModule[0], output: fromModule[1]) == 0)
        close(fromModule[1])
        close(toModule[0])
        var output = Data()
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = read(fromModule[0], &buffer, buffer.count)
            if count <= 0 { break }
            output.append(contentsOf: buffer[0..<count])
        }
        close(fromModule[0])
        var framer = LineFramer(maxLineBytes: 1 << 20)
        let lines = try framer.feed(output).map { try MessageLine.decodeModuleMessage($0) }
        #expect(lines.map(\.type) == [.ready, .findings, .findings])
    }
}
