#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import JSONCore

/// An error a module throws from `evaluate` to refuse a request with a specific code.
///
/// Any other thrown error is replied as `evaluation_failed` with its description.
public struct EvaluationRefusal: Error, Sendable, Hashable {
    /// The code sent in the `error` reply, e.g. `invalid_request`.
    public var code: String
    /// One sentence for a person.
    public var message: String

    /// A refusal with one of the standard codes.
    public init(_ code: ErrorCode, _ message: String) {
        self.code = code.rawValue
        self.message = message
    }

    /// A refusal with a module-specific code.
    public init(code: String, message: String) {
        self.code = code
        self.message = message
    }
}

/// The SDK's entry point: runs an `IndicatorModule` as a worker process speaking the protocol.
///
/// A module's `main.swift` is one line: `ModuleRunner.run(Tiering())`.
public enum ModuleRunner {
    /// Serves `module` on stdin/stdout until `shutdown` or EOF, then exits; never returns.
    ///
    /// Start-up: SIGPIPE is ignored; the protocol versions offered in `CLUSTER_REVIEW_PROTOCOL`
    /// are checked (absent: a note on stderr and exit 64 — the module was started by hand; no
    /// common version: exit 76); the module's declaration is checked (`ModuleDescriptor.validate`;
    /// invalid: why on stderr and exit 78); stdout is duplicated into a private descriptor for protocol
    /// lines and fd 1 is pointed at stderr, so a stray `print` becomes a log line instead of a
    /// corrupt message. Then the `ready` line, then one reply per request. Exit status 0 after
    /// `shutdown`, EOF or a vanished peer (EPIPE); 65 when the coordinator sent a line longer
    /// than the module accepts.
    public static func run<Module: IndicatorModule>(_ module: Module) -> Never {
        signal(SIGPIPE, SIG_IGN)
        let name = module.descriptor.id
        guard let offered = ModuleProtocol.offeredVersions(getenv(ModuleProtocol.environmentVariable).map { String(cString: $0) }) else {
            writeAll(2, Data("""
                \(name): this is a ClusterReview indicator module; it speaks protocol \(ModuleProtocol.version) \
                on stdin/stdout and is started by the coordinator, which sets \(ModuleProtocol.environmentVariable). \
                To try it by hand, run `cluster-review plugins check \(CommandLine.arguments.first ?? "EXECUTABLE")`.

                """.utf8))
            exit(ModuleProtocol.exitStartedByHand)
        }
        guard offered.contains(ModuleProtocol.version) else {
            writeAll(2, Data("\(name): the coordinator offers protocol versions \(offered), this module speaks only \(ModuleProtocol.version)\n".utf8))
            exit(ModuleProtocol.exitNoCommonVersion)
        }
        do {
            try module.descriptor.validate()
        } catch {
            // A module that cannot declare itself properly says so instead of being refused unexplained.
            writeAll(2, Data("\(name): the module's declaration is invalid: \(error)\n".utf8))
            exit(78)
        }
        // Guard the protocol channel: protocol lines go to a private duplicate of stdout;
        // fd 1 becomes a second stderr for anything else the process prints.
        let channel = dup(1)
        guard channel >= 0 else {
            writeAll(2, Data("\(name): cannot duplicate stdout (errno \(errno))\n".utf8))
            exit(71)
        }
        _ = fcntl(channel, F_SETFD, FD_CLOEXEC)
        _ = dup2(2, 1)
        var session = ModuleSession(module: module)
        exit(session.serve(input: 0, output: channel))
    }
}

/// What a session does after one inbound line.
public enum SessionStep: Sendable, Hashable {
    /// Write this line (newline included) and read the next.
    case reply(Data)
    /// Exit with this status.
    case exit(Int32)
}

/// The module side of one protocol session: the request loop, independent of the process, so it
/// can be tested on in-memory lines.
public struct ModuleSession<Module: IndicatorModule> {
    /// The module served.
    public let module: Module
    /// The longest request line accepted, in bytes.
    public let maxLineBytes: Int
    private let descriptor: ModuleDescriptor
    private let validator: AnswerValidator
    private let encoder: JSONEncoder
    private let decoder = JSONValueDecoder()
    /// The module's filing and context types when both are read straight from the bytes.
    private let byteTypes: (filing: any ByteDecodable.Type, context: any ByteDecodable.Type)?

    /// A session for `module`, accepting request lines up to `maxLineBytes` (default 256 MiB).
    /// `readsBytesDirectly` false parses every request into a `JSONValue` first (the general
    /// path, which the direct one must match reply for reply).
    public init(module: Module, maxLineBytes: Int = 256 << 20, readsBytesDirectly: Bool = true) {
        self.module = module
        self.maxLineBytes = maxLineBytes
        if readsBytesDirectly, let filing = Module.Filing.self as? any ByteDecodable.Type,
            let context = Module.Context.self as? any ByteDecodable.Type
        {
            self.byteTypes = (filing, context)
        } else {
            self.byteTypes = nil
        }
        self.descriptor = module.descriptor
        self.validator = AnswerValidator(descriptor: descriptor)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        self.encoder = encoder
    }

    /// The `ready` line, newline included.
    public func readyLine() -> Data {
        encodeLine(ReadyMessage(descriptor: descriptor))
    }

    /// The step after receiving `line` (without its newline).
    ///
    /// `evaluate` → `findings`, or `error` when the request is malformed (`invalid_request`),
    /// `evaluate` throws (`evaluation_failed` or the refusal's code), or the module's findings
    /// break a rule of `AnswerValidator` (`evaluation_failed`, saying which: the coordinator would
    /// refuse the answer anyway); `shutdown` → exit 0; any other type → `error` with
    /// `unknown_message`; a blank line is ignored.
    public func respond(to line: Data) -> SessionStep {
        if line.allSatisfy({ $0 == 0x20 || $0 == 0x0D || $0 == 0x09 }) { return .reply(Data()) }
        // A well-formed `evaluate` for a module whose types read bytes: straight into its types,
        // no `JSONValue` tree (issue 16). Anything else — another message, a malformed line or
        // value, a member twice — is parsed and decoded below, which gives the reply.
        if let (filingType, contextType) = byteTypes,
            let request = Self.readEvaluate(line, filing: filingType, context: contextType)
        {
            return reply(to: request)
        }
        // One parse of the line, whatever the module's types; a module with its own types has its
        // filing and context decoded from the parsed values (`JSONValueDecoder`: no second parse).
        let parsed: Inbound<JSONValue, JSONValue>
        do {
            parsed = try Inbound(parsing: line)
        } catch {
            return .reply(errorLine(id: nil, .invalidRequest, "the line is not a JSON object: \(error)"))
        }
        let inbound: Inbound<Module.Filing, Module.Context>
        if Module.Filing.self == JSONValue.self && Module.Context.self == JSONValue.self {
            // Cannot fail: the condition above proves both generic parameters are JSONValue.
            inbound = parsed as! Inbound<Module.Filing, Module.Context>
        } else {
            inbound = parsed.decoded(as: Module.Filing.self, Module.Context.self, decoder: decoder)
        }
        switch inbound.kind {
        case .shutdown:
            return .exit(0)
        case .unknown(let type, let id):
            return .reply(errorLine(id: id, .unknownMessage, "unknown message type \(type.debugDescription)"))
        case .invalid(let id, let reason):
            return .reply(errorLine(id: id, .invalidRequest, reason))
        case .evaluate(let request):
            return reply(to: request)
        }
    }

    /// The reply to a decoded `evaluate`.
    private func reply(to request: EvaluationRequest<Module.Filing, Module.Context>) -> SessionStep {
        let findings: [Finding]
        do {
            findings = try module.evaluate(request)
        } catch let refusal as EvaluationRefusal {
            return .reply(encodeLine(ErrorReplyMessage(id: request.id, code: refusal.code, message: refusal.message)))
        } catch {
            return .reply(errorLine(id: request.id, .evaluationFailed, String(describing: error)))
        }
        do {
            try validator.validate(findings)
        } catch {
            return .reply(errorLine(id: request.id, .evaluationFailed, "the module's answer is invalid: \(error)"))
        }
        return .reply(FindingsMessage(id: request.id, findings: findings).encodedLine())
    }

    /// A well-formed `evaluate` line read straight into the module's types: every member once,
    /// `type` "evaluate", a string `id`, `filing` and `context` of the module's types, an object
    /// `parameters`, a date `as_of`, other members skipped; nil for anything else.
    static func readEvaluate(_ line: Data, filing: any ByteDecodable.Type, context: any ByteDecodable.Type)
        -> EvaluationRequest<Module.Filing, Module.Context>?
    {
        DirectReader.read(line) { r throws(DirectDecodingMiss) -> EvaluationRequest<Module.Filing, Module.Context> in
            var isEvaluate = false, id: String? = nil, typedFiling: Module.Filing? = nil, typedContext: Module.Context? = nil
            var parameters: [String: JSONValue]? = nil, asOf: CivilDate? = nil, seen = SeenMembers()
            func once(_ index: Int) throws(DirectDecodingMiss) {
                guard !seen.contains(index) else { throw DirectDecodingMiss() }
                seen.insert(index)
            }
            try r.object { r, key throws(DirectDecodingMiss) in
                switch key {
                case "type":
                    try once(0)
                    isEvaluate = try r.string() == MessageType.evaluate.rawValue
                case "id":
                    try once(1)
                    id = try r.string()
                case "filing":
                    try once(2)
                    typedFiling = try filing.init(reading: &r) as? Module.Filing
                case "context":
                    try once(3)
                    typedContext = try context.init(reading: &r) as? Module.Context
                case "parameters":
                    try once(4)
                    guard case .object(let members) = try r.value() else { throw DirectDecodingMiss() }
                    parameters = members
                case "as_of":
                    try once(5)
                    asOf = CivilDate(try r.string())
                default:
                    try r.skip()
                }
            }
            guard isEvaluate, let id, let typedFiling, let typedContext, let parameters, let asOf else { throw DirectDecodingMiss() }
            return EvaluationRequest(id: id, filing: typedFiling, context: typedContext, parameters: parameters, asOf: asOf)
        }
    }

    /// Runs the session on raw descriptors: writes `ready`, then answers every line of `input`
    /// on `output` until `shutdown` or EOF; returns the exit status.
    public mutating func serve(input: Int32, output: Int32) -> Int32 {
        guard writeAll(output, readyLine()) else { return 0 }
        var framer = LineFramer(maxLineBytes: maxLineBytes)
        let capacity = 1 << 16
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: capacity, alignment: 16)
        defer { buffer.deallocate() }
        var status: Int32? = nil
        while status == nil {
            let count = read(input, buffer, capacity)
            if count < 0 {
                if errno == EINTR { continue }
                return 0
            }
            if count == 0 { return 0 }
            do {
                try framer.feed(UnsafeRawBufferPointer(start: buffer, count: count)) { line in
                    guard status == nil else { return }
                    switch respond(to: line) {
                    case .reply(let reply):
                        if !reply.isEmpty, !writeAll(output, reply) { status = 0 }
                    case .exit(let code):
                        status = code
                    }
                }
            } catch {
                _ = writeAll(output, errorLine(id: nil, .invalidRequest, "a request line exceeded \(maxLineBytes) bytes"))
                return 65
            }
        }
        return status ?? 0
    }

    private func errorLine(id: String?, _ code: ErrorCode, _ message: String) -> Data {
        encodeLine(ErrorReplyMessage(id: id, code: code, message: message))
    }

    private func encodeLine<Message: Encodable>(_ message: Message) -> Data {
        do {
            var data = try encoder.encode(message)
            data.append(0x0A)
            return data
        } catch {
            var data = (try? encoder.encode(ErrorReplyMessage(id: nil, code: .evaluationFailed,
                message: "the reply could not be encoded: \(error)"))) ?? Data()
            data.append(0x0A)
            return data
        }
    }
}

/// One inbound message, parsed once whatever it turns out to be.
struct Inbound<Filing: Decodable & Sendable, Context: Decodable & Sendable> {
    enum Kind {
        case evaluate(EvaluationRequest<Filing, Context>)
        case shutdown
        case unknown(type: String, id: String?)
        case invalid(id: String?, reason: String)
    }

    var kind: Kind
}

extension Inbound where Filing == JSONValue, Context == JSONValue {
    /// The message in `line`, read by the JSON core (protocol limits).
    init(parsing line: Data) throws(JSONSyntaxError) {
        let value = try JSONValue(parsing: line, limits: .message)
        guard case .object(let members) = value else {
            kind = .invalid(id: nil, reason: "the message is not a JSON object")
            return
        }
        let id = members["id"]?.string
        guard case .string(let type)? = members["type"] else {
            kind = .invalid(id: id, reason: "the message has no string member type")
            return
        }
        switch type {
        case MessageType.shutdown.rawValue:
            kind = .shutdown
        case MessageType.evaluate.rawValue:
            guard let id else {
                kind = .invalid(id: nil, reason: "the evaluate request has no string id")
                return
            }
            for key in ["filing", "context", "parameters"] {
                guard case .object? = members[key] else {
                    kind = .invalid(id: id, reason: "\(key) must be a JSON object")
                    return
                }
            }
            guard case .object(let parameters)? = members["parameters"], let filing = members["filing"],
                let context = members["context"]
            else {
                kind = .invalid(id: id, reason: "parameters must be a JSON object")
                return
            }
            guard case .string(let text)? = members["as_of"], let asOf = CivilDate(text) else {
                kind = .invalid(id: id, reason: "as_of: expected a date YYYY-MM-DD, found \(members["as_of"].map { "\($0)" } ?? "nothing")")
                return
            }
            kind = .evaluate(EvaluationRequest(id: id, filing: filing, context: context, parameters: parameters, asOf: asOf))
        default:
            kind = .unknown(type: type, id: id)
        }
    }
}

extension Inbound where Filing == JSONValue, Context == JSONValue {
    /// The message with the filing and context of an `evaluate` decoded from the parsed values
    /// into a module's own types; a value that does not decode makes the request invalid, saying where
    /// (the same values and reasons as `JSONDecoder` gave on the values' text).
    func decoded<F: Decodable & Sendable, C: Decodable & Sendable>(as _: F.Type, _: C.Type, decoder: JSONValueDecoder) -> Inbound<F, C> {
        switch kind {
        case .shutdown: return Inbound<F, C>(kind: .shutdown)
        case .unknown(let type, let id): return Inbound<F, C>(kind: .unknown(type: type, id: id))
        case .invalid(let id, let reason): return Inbound<F, C>(kind: .invalid(id: id, reason: reason))
        case .evaluate(let request):
            do {
                let filing: F = try Self.typed(request.filing, member: "filing", decoder: decoder)
                let context: C = try Self.typed(request.context, member: "context", decoder: decoder)
                return Inbound<F, C>(kind: .evaluate(EvaluationRequest(
                    id: request.id, filing: filing, context: context, parameters: request.parameters, asOf: request.asOf)))
            } catch {
                return Inbound<F, C>(kind: .invalid(id: request.id, reason: "\(error)"))
            }
        }
    }

    private struct TypedMemberError: Error, CustomStringConvertible {
        var description: String
    }

    private static func typed<T: Decodable>(_ value: JSONValue, member: String, decoder: JSONValueDecoder) throws -> T {
        do {
            return try decoder.decode(T.self, from: value)
        } catch {
            throw TypedMemberError(description: "\(member).\(describeDecodingError(error))")
        }
    }
}

/// A decoding error in a line for a person: the member's path, then what was wrong.
func describeDecodingError(_ error: any Error) -> String {
    guard let error = error as? DecodingError else { return String(describing: error) }
    func path(_ context: DecodingError.Context) -> String {
        let path = context.codingPath.map { $0.intValue.map(String.init) ?? $0.stringValue }.joined(separator: ".")
        return path.isEmpty ? context.debugDescription : "\(path): \(context.debugDescription)"
    }
    switch error {
    case .typeMismatch(_, let context), .valueNotFound(_, let context), .dataCorrupted(let context):
        return path(context)
    case .keyNotFound(let key, let context):
        let parent = context.codingPath.map(\.stringValue).joined(separator: ".")
        return parent.isEmpty ? "missing member \(key.stringValue)" : "\(parent): missing member \(key.stringValue)"
    @unknown default:
        return String(describing: error)
    }
}

/// Writes all of `data` to `fd`, retrying on EINTR and short writes; false when the peer is gone
/// (EPIPE) or the write fails otherwise.
@discardableResult
func writeAll(_ fd: Int32, _ data: Data) -> Bool {
    data.withUnsafeBytes { buffer in
        guard var cursor = buffer.baseAddress else { return true }
        var left = buffer.count
        while left > 0 {
            let written = write(fd, cursor, left)
            if written < 0 {
                if errno == EINTR { continue }
                return false
            }
            cursor += written
            left -= written
        }
        return true
    }
}
