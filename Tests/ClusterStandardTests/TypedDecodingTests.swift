import ClusterStandard
import Foundation
@testable import IndicatorKit
import JSONCore
import Testing

/// `JSONValueDecoder` (the modules' typed decoding since issue 16) against the way it replaced:
/// Foundation's `JSONDecoder` on the value's compact text; and, three ways, with the hand-written
/// decoding of `Filing` and `ReviewContext` (`DirectlyDecodable`, issue 16's second pass) first.
/// Same `Filing` and `ReviewContext` values, and the same errors — case, coding path and
/// description — on every input.
@Suite struct TypedDecodingTests {
    static let samples = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("config/samples")

    static func sampleFiles() throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: samples.path).filter { $0.hasSuffix(".json") && $0 != "expected.json" }.sorted()
    }

    static func sample(_ file: String) throws -> JSONValue {
        try JSONValue(parsing: Data(contentsOf: samples.appendingPathComponent(file)), limits: .document)
    }

    /// The outcome of a decode, comparable: the value, or the error's case, path and description.
    enum Outcome<T: Equatable>: Equatable, CustomStringConvertible {
        case value(T)
        case error(String)

        var description: String {
            switch self {
            case .value(let value): "value \(value)"
            case .error(let text): "error \(text)"
            }
        }
    }

    static func summary(_ error: any Error) -> String {
        guard let error = error as? DecodingError else { return "not a DecodingError: \(error)" }
        func path(_ context: DecodingError.Context) -> String {
            context.codingPath.map { key in key.intValue.map { "[\($0)|\(key.stringValue)]" } ?? key.stringValue }.joined(separator: "/")
        }
        switch error {
        case .typeMismatch(let type, let context): return "typeMismatch \(type) @\(path(context)): \(context.debugDescription)"
        case .valueNotFound(let type, let context): return "valueNotFound \(type) @\(path(context)): \(context.debugDescription)"
        case .keyNotFound(let key, let context): return "keyNotFound \(key.stringValue) @\(path(context)): \(context.debugDescription)"
        case .dataCorrupted(let context): return "dataCorrupted @\(path(context)): \(context.debugDescription)"
        @unknown default: return "\(error)"
        }
    }

    static func viaJSONDecoder<T: Decodable & Equatable>(_ type: T.Type, _ value: JSONValue) -> (Outcome<T>, String?) {
        do {
            return (.value(try JSONDecoder().decode(type, from: Data(value.compactBytes))), nil)
        } catch {
            return (.error(summary(error)), describeDecodingError(error))
        }
    }

    static func viaValueDecoder<T: Decodable & Equatable>(_ type: T.Type, _ value: JSONValue, direct: Bool = true) -> (Outcome<T>, String?) {
        do {
            return (.value(try JSONValueDecoder(usesDirectDecoding: direct).decode(type, from: value)), nil)
        } catch {
            return (.error(summary(error)), describeDecodingError(error))
        }
    }

    /// The three ways give the same outcome for `value` — `JSONDecoder` on its text,
    /// `JSONValueDecoder` through `Decodable` alone, and `JSONValueDecoder` with the hand-written
    /// decoding first (`DirectlyDecodable`) —, and the hand-written decoding alone, when it
    /// decodes, gives that same value; the outcome, for counting.
    /// The value read straight from `value`'s compact text (`ByteDecodable`), or nil at a miss.
    static func viaBytes<T: ByteDecodable>(_ type: T.Type, _ value: JSONValue) -> T? {
        DirectReader.read(Data(value.compactBytes)) { r throws(DirectDecodingMiss) in try T(reading: &r) }
    }

    @discardableResult
    static func expectSame<T: DirectlyDecodable & ByteDecodable & Equatable>(_ type: T.Type, _ value: JSONValue, _ what: @autoclosure () -> String) -> Outcome<T> {
        let (old, oldReason) = viaJSONDecoder(type, value)
        let (general, generalReason) = viaValueDecoder(type, value, direct: false)
        let (new, newReason) = viaValueDecoder(type, value)
        #expect(old == general, "\(what())")
        #expect(oldReason == generalReason, "\(what())")
        #expect(old == new, "\(what())")
        #expect(oldReason == newReason, "\(what())")
        if let direct = T(directly: value) {
            #expect(Outcome.value(direct) == old, "hand-written: \(what())")
        }
        // The fourth way, straight from the bytes: where it reads a value, the others' value,
        // and it reads one wherever the hand-written decoding of the tree does.
        let bytes = viaBytes(type, value)
        if let bytes {
            #expect(Outcome.value(bytes) == old, "from the bytes: \(what())")
        }
        if let reparsed = try? JSONValue(parsing: Data(value.compactBytes)) {
            #expect((bytes != nil) == (T(directly: reparsed) != nil), "from the bytes, taken: \(what())")
        }
        return new
    }

    @Test(arguments: try sampleFiles())
    func everySampleDecodesToTheSameFilingBothWays(file: String) throws {
        let filing = try Self.sample(file)
        guard case .value(let decoded) = Self.expectSame(Filing.self, filing, file) else {
            Issue.record("\(file) did not decode")
            return
        }
        // What `FilingValidator.decode` gave before (JSONDecoder on the file's own bytes) too.
        let raw = try Data(contentsOf: Self.samples.appendingPathComponent(file))
        #expect(try JSONDecoder().decode(Filing.self, from: raw) == decoded)
        guard case .success(let validated) = FilingValidator.decodeParsed(raw) else {
            Issue.record("\(file) did not validate")
            return
        }
        #expect(validated.filing == decoded)
        // The hand-written decoding takes every well-formed sample itself, from the tree and
        // from the file's own bytes.
        #expect(Filing(directly: filing) == decoded)
        #expect(DirectReader.read(raw) { r throws(DirectDecodingMiss) in try Filing(reading: &r) } == decoded)
        #expect(validated.document == filing)
        // Each module reads a slice: every section alone decodes the same too.
        for section in Filing.sectionNames {
            Self.expectSame(Filing.self, Filing.slice(filing, reads: [section]), "\(file) \(section)")
            #expect(Filing(directly: Filing.slice(filing, reads: [section])) != nil, "\(file) \(section)")
        }
    }

    /// Every value of a filing replaced, one at a time, by each of these.
    static let hostile: [JSONValue] = [
        .null, .string("x"), .string(""), .bool(true), .array([]), .object([:]), .number(0), .number(-1), .number(Decimal(string: "1.5")!),
        .number(Decimal(string: "3.0")!), .number(Decimal(string: "1e20")!), .number(Decimal(string: "-9223372036854775809")!),
        .string("2025-02-30"), .string("2025-06-30"), .string("initial"), .array([.null]), .array([.string("x")]),
        .object(["x": .null]),
    ]

    /// Every path of `value` with the value there replaced by `replacement`, and with the member removed.
    static func mutations(of value: JSONValue, _ body: (JSONValue, String) -> Void) {
        func walk(_ current: JSONValue, path: String, rebuild: (JSONValue?) -> JSONValue) {
            for replacement in hostile { body(rebuild(replacement), "\(path) := \(replacement.compactText)") }
            body(rebuild(nil), "\(path) removed")
            switch current {
            case .object(let members):
                for (key, member) in members {
                    walk(member, path: "\(path).\(key)") { inner in
                        var copy = members
                        copy[key] = inner
                        return rebuild(.object(copy))
                    }
                }
            case .array(let elements):
                for (index, element) in elements.enumerated() {
                    walk(element, path: "\(path)[\(index)]") { inner in
                        var copy = elements
                        if let inner { copy[index] = inner } else { copy.remove(at: index) }
                        return rebuild(.array(copy))
                    }
                }
            default: break
            }
        }
        walk(value, path: "$") { $0 ?? .null }
    }

    @Test(arguments: [
        "460400-danzhou-petrochemical-materials.json", "460400-danzhou-recertification-plan-met.json",
        "469005-wenchang-annual-report-2025.json", "469023-chengmai-change-report.json",
    ])
    func everyMutationOfASampleDecodesOrFailsTheSameBothWays(file: String) throws {
        var failures = 0, values = 0, direct = 0
        Self.mutations(of: try Self.sample(file)) { mutated, what in
            switch Self.expectSame(Filing.self, mutated, "\(file) \(what)") {
            case .value: values += 1
            case .error: failures += 1
            }
            if Filing(directly: mutated) != nil { direct += 1 }
        }
        // The hand-written decoding took many of the mutated filings itself and refused every
        // one that fails (expectSame: a hand-written value is always the others' value).
        #expect(direct > 100)
        #expect(direct <= values)
        // Many mutations must fail (a wrong type anywhere), many must still decode (a wrong value).
        #expect(failures > 500)
        #expect(values > 100)
    }

    @Test func everyMutationOfAContextDecodesOrFailsTheSameBothWays() throws {
        let filing = try Self.sample("460400-danzhou-recertification-plan-met.json")
        let context: JSONValue = .object([
            "incidents": .array([.object([
                "enterprise_code": .string("91460000MA5T000001"), "date": .string("2024-03-01"), "category": .string("safety"),
                "grade": .string("general"), "description": .string("a fire"),
            ])]),
            "plan_on_record": filing["governance"]?["plan"] ?? .null,
        ])
        Self.expectSame(ReviewContext.self, context, "context")
        Self.expectSame(ReviewContext.self, .object([:]), "empty context")
        #expect(ReviewContext(directly: context) != nil)
        #expect(ReviewContext(directly: .object([:])) == ReviewContext())
        var count = 0
        Self.mutations(of: context) { mutated, what in
            Self.expectSame(ReviewContext.self, mutated, "context \(what)")
            count += 1
        }
        #expect(count > 100)
    }

    /// Numbers at the edges of the integer and decimal members (`employees`, `supersedes`, `area_km2`).
    @Test(arguments: [
        "0", "-0", "3", "3.0", "3.5", "-3.5", "0.1", "1e2", "12345678901234567890", "9007199254740993", "9007199254740993.5",
        "9223372036854775807", "9223372036854775808", "-9223372036854775808", "-9223372036854775809", "3.0000000000000001",
        "0.00000000000000000000000000000000000001", "123456789012345678901234567890.12345678",
    ])
    func edgeNumbersDecodeTheSameBothWays(literal: String) throws {
        let number = try JSONValue(parsing: Data(literal.utf8), limits: .message)
        let base = try Self.sample("460400-danzhou-petrochemical-materials.json")
        guard case .object(var members) = base, case .array(var figures)? = members["figures"], case .object(var row) = figures[0],
            case .object(var cluster)? = members["cluster"]
        else {
            Issue.record("the sample has no figures")
            return
        }
        row["employees"] = number
        figures[0] = .object(row)
        members["figures"] = .array(figures)
        Self.expectSame(Filing.self, .object(members), "employees \(literal)")
        Self.expectSame(Filing.self, .object(["supersedes": number]), "supersedes \(literal)")
        cluster["area_km2"] = number
        Self.expectSame(Filing.self, .object(["cluster": .object(cluster)]), "area_km2 \(literal)")
    }

    /// The replies of a session that reads well-formed requests straight from the bytes and of
    /// one that parses every request first are the same for `line`.
    static func expectSameReplies(_ line: Data, _ what: @autoclosure () -> String) {
        let direct = ModuleSession(module: EchoModule()), general = ModuleSession(module: EchoModule(), readsBytesDirectly: false)
        #expect(reply(direct.respond(to: line)) == reply(general.respond(to: line)), "\(what())")
    }

    /// A step as a value to compare: a reply's members, whatever their order (each session's
    /// `JSONEncoder` writes an error reply's members in an order of its own).
    static func reply(_ step: SessionStep) -> String {
        switch step {
        case .exit(let code): return "exit \(code)"
        case .reply(let data):
            guard !data.isEmpty else { return "nothing" }
            guard let value = try? JSONValue(parsing: data.dropLast()) else { return "not JSON: \(String(decoding: data, as: UTF8.self))" }
            var writer = JSONWriter(style: .canonical)
            writer.append(value)
            return writer.text
        }
    }

    static func evaluateLine(filing: JSONValue, context: JSONValue = .object([:])) -> String {
        #"{"type":"evaluate","id":"r-1","filing":"# + filing.compactText + #","context":"# + context.compactText
            + #","parameters":{"min_share":0.6,"years":[2023,2024]},"as_of":"2025-06-30"}"#
    }

    @Test(arguments: try sampleFiles())
    func everySampleIsReadStraightFromTheRequestBytesWithTheSameReply(file: String) throws {
        let filing = try Self.sample(file)
        let context: JSONValue = .object(["incidents": .array([]), "plan_on_record": filing["governance"]?["plan"] ?? .null])
        let line = Data(Self.evaluateLine(filing: filing, context: context).utf8)
        #expect(ModuleSession<EchoModule>.readEvaluate(line, filing: Filing.self, context: ReviewContext.self) != nil, "\(file)")
        Self.expectSameReplies(line, file)
        // Pretty-printed, with white space everywhere the grammar allows it.
        let spaced = Self.evaluateLine(filing: filing, context: context).replacingOccurrences(of: ",", with: " ,\r\n\t ")
            .replacingOccurrences(of: ":", with: " : ")
        Self.expectSameReplies(Data(("  " + spaced + " \t").utf8), "\(file) spaced")
    }

    @Test func everyMutationOfASampleInARequestGetsTheSameReplyEitherWay() throws {
        let file = "460400-danzhou-recertification-plan-met.json"
        var count = 0
        Self.mutations(of: try Self.sample(file)) { mutated, what in
            Self.expectSameReplies(Data(Self.evaluateLine(filing: mutated).utf8), "\(file) \(what)")
            count += 1
        }
        #expect(count > 1_000)
    }

    @Test func everyByteOfARequestChangedGetsTheSameReplyEitherWay() throws {
        let line = Array(Self.evaluateLine(filing: try Self.sample("469005-wenchang-annual-report-2025.json"),
            context: .object(["incidents": .array([.object(["enterprise_code": "x", "date": "2024-03-01", "category": "c"])])])).utf8)
        let replacements: [UInt8] = [0x22, 0x7D, 0x5D, 0x2C, 0x3A, 0x20, 0x78, 0x31, 0x2D, 0x5C, 0x6E, 0x00, 0xFF, 0xC3]
        for position in 0..<line.count {
            for byte in replacements where byte != line[position] {
                var changed = line
                changed[position] = byte
                Self.expectSameReplies(Data(changed), "byte \(position) := \(byte)")
            }
            var removed = line
            removed.remove(at: position)
            Self.expectSameReplies(Data(removed), "byte \(position) removed")
            Self.expectSameReplies(Data(line[..<position]), "cut at \(position)")
        }
    }

    @Test(arguments: [
        #"{"type":"evaluate","id":"1","filing":{},"context":{},"parameters":{},"as_of":"2025-06-30"}"#,
        #"{"type":"evaluate","id":"1","filing":{},"context":{},"parameters":{},"as_of":"2025-06-30","extra":[1,{"a":null}]}"#,
        #"{"type":"evaluate","type":"evaluate","id":"1","filing":{},"context":{},"parameters":{},"as_of":"2025-06-30"}"#,
        #"{"type":"evaluate","id":"1","id":"2","filing":{},"context":{},"parameters":{},"as_of":"2025-06-30"}"#,
        #"{"type":"evaluate","id":"1","filing":{"kind":"annual"},"filing":{"kind":"x"},"context":{},"parameters":{},"as_of":"2025-06-30"}"#,
        #"{"type":"evaluate","id":"1","filing":{"kind":"x","kind":"annual"},"context":{},"parameters":{},"as_of":"2025-06-30"}"#,
        #"{"type":"evaluate","id":"1","filing":{"kind":"annual","kind":null},"context":{},"parameters":{},"as_of":"2025-06-30"}"#,
        #"{"type":"evaluate","id":"1","filing":{"supersedes":3.0},"context":{},"parameters":{},"as_of":"2025-06-30"}"#,
        #"{"type":"evaluate","id":"1","filing":{"supersedes":-0},"context":{},"parameters":{},"as_of":"2025-06-30"}"#,
        #"{"type":"evaluate","id":"1","filing":{"supersedes":1e3},"context":{},"parameters":{},"as_of":"2025-06-30"}"#,
        #"{"type":"evaluate","id":"1","filing":{"supersedes":-9223372036854775808},"context":{},"parameters":{},"as_of":"2025-06-30"}"#,
        #"{"type":"evaluate","id":"1","filing":{"supersedes":9223372036854775808},"context":{},"parameters":{},"as_of":"2025-06-30"}"#,
        #"{"type":"evaluate","id":"1","filing":{"kind":"annual","kind":"initial"},"context":{},"parameters":{},"as_of":"2025-06-30"}"#,
        #"{"type":"evaluate","id":"1","filing":{},"context":{"incidents":null},"parameters":{},"as_of":"2025-06-30"}"#,
        #"{"type":"evaluate","id":"1","filing":{},"context":{},"parameters":[],"as_of":"2025-06-30"}"#,
        #"{"type":"evaluate","id":"1","filing":{},"context":{},"parameters":{},"as_of":"2025-02-30"}"#,
        #"{"type":"evaluate","id":1,"filing":{},"context":{},"parameters":{},"as_of":"2025-06-30"}"#,
        #"{"type":"evaluate","filing":{},"context":{},"parameters":{},"as_of":"2025-06-30"}"#,
        #"{"type":"evaluate","id":"1","filing":{},"parameters":{},"as_of":"2025-06-30"}"#,
        #"{"type":"evaluate","id":"1","filing":null,"context":{},"parameters":{},"as_of":"2025-06-30"}"#,
        #"{"type":"shutdown"}"#, #"{"type":"hello","id":"1"}"#, #"[]"#, #""#, #"{"type":"evaluate"} {}"#,
        #"{"type":"evaluate","id":"1","filing":{},"context":{},"parameters":{"a":NaN},"as_of":"2025-06-30"}"#,
    ])
    func unusualRequestsGetTheSameReplyEitherWay(line: String) {
        Self.expectSameReplies(Data(line.utf8), line)
    }

    /// A module with the project's `Filing` gets the same `invalid_request` reason either way.
    @Test func aModuleRefusesABadFilingWithTheReasonJSONDecoderGave() throws {
        let session = ModuleSession(module: FilingModule())
        let bad: JSONValue = .object(["figures": .array([.object(["year": .string("2024")])])])
        let line = #"{"type":"evaluate","id":"9","filing":"# + bad.compactText + #","context":{},"parameters":{},"as_of":"2025-06-30"}"#
        guard case .reply(let data) = session.respond(to: Data(line.utf8)),
            case .error(let reply) = try MessageLine.decodeModuleMessage(data.dropLast())
        else {
            Issue.record("expected an error reply")
            return
        }
        let (_, reason) = Self.viaJSONDecoder(Filing.self, bad)
        #expect(reply.code == "invalid_request")
        #expect(reply.message == "filing.\(reason ?? "")")
        #expect(reply.message.contains("figures.0.year"))
    }
}

/// A module that reads the project's `Filing` and `ReviewContext`, as every built-in one does.
private struct FilingModule: IndicatorModule {
    var descriptor: ModuleDescriptor {
        ModuleDescriptor(id: "filing", version: "1", appliesTo: [.initial],
            criteria: [Criterion(id: "F-1", title: LocalizedText(zh: "测", en: "Test"), kind: .evidence, citation: "none")],
            reads: ["figures"])
    }
    func evaluate(_ request: EvaluationRequest<ClusterStandard.Filing, ReviewContext>) throws -> [Finding] { [] }
}

/// A module that answers every request with what it received, written out (as its refusal's
/// message), so two replies are equal only when the requests were decoded to equal values.
private struct EchoModule: IndicatorModule {
    var descriptor: ModuleDescriptor {
        ModuleDescriptor(id: "echo", version: "1", appliesTo: [.initial],
            criteria: [Criterion(id: "E-1", title: LocalizedText(zh: "回", en: "Echo"), kind: .evidence, citation: "none")],
            reads: ["figures"])
    }
    func evaluate(_ request: EvaluationRequest<ClusterStandard.Filing, ReviewContext>) throws -> [Finding] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let filing = String(decoding: try encoder.encode(request.filing), as: UTF8.self)
        let context = String(decoding: try encoder.encode(request.context), as: UTF8.self)
        var writer = JSONWriter(style: .canonical)
        writer.append(JSONValue.object(request.parameters))
        let parameters = String(decoding: writer.bytes, as: UTF8.self)
        throw EvaluationRefusal(code: "echo", message: "\(request.id) \(filing) \(context) \(parameters) \(request.asOf)")
    }
}

extension JSONValue {
    fileprivate var compactText: String { String(decoding: compactBytes, as: UTF8.self) }
}
