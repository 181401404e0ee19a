import Foundation
import JSONCore

/// The `type` of every protocol message.
public enum MessageType: String, Sendable, Hashable, Codable, CaseIterable {
    /// Module → coordinator, once, first: who the module is and what it judges.
    case ready
    /// Coordinator → module: judge one filing.
    case evaluate
    /// Module → coordinator: the findings for one request.
    case findings
    /// Module → coordinator: a request could not be answered with findings.
    case error
    /// Coordinator → module: exit now.
    case shutdown
}

/// The codes a module puts in an `error` reply; the wire carries the raw string, so a module may
/// use others, which the coordinator records as they are.
public enum ErrorCode: String, Sendable, Hashable, Codable, CaseIterable {
    /// The request was malformed: no id, a filing that is not an object, an invalid `as_of`.
    case invalidRequest = "invalid_request"
    /// The message's `type` is not one the module knows.
    case unknownMessage = "unknown_message"
    /// The module's `evaluate` threw; the message says why.
    case evaluationFailed = "evaluation_failed"
}

/// The module's name, version and title, as carried in the `ready` line.
public struct ModuleIdentity: Sendable, Hashable, Codable {
    /// Stable id, e.g. `competitiveness`.
    public var id: String
    /// The module's own version.
    public var version: String
    /// What the module judges, `{zh, en}`; optional.
    public var title: LocalizedText?

    /// An identity.
    public init(id: String, version: String, title: LocalizedText? = nil) {
        self.id = id
        self.version = version
        self.title = title
    }
}

/// The module's first line: `{"type":"ready","protocol":1,"module":{…},"applies_to":[…],"criteria":[…],"reads":[…]}`.
public struct ReadyMessage: Sendable, Hashable, Codable {
    /// The protocol version the module chose from those offered.
    public var protocolVersion: Int
    /// The module's id and version.
    public var module: ModuleIdentity
    /// The filing kinds the module reviews.
    public var appliesTo: [FilingKind]
    /// The criteria the module judges, each with the parameters it reads; every finding must name
    /// one of them, and each reply should carry one finding per criterion.
    public var criteria: [Criterion]
    /// The top-level members of the filing the module reads.
    public var reads: [String]

    /// A ready line for `descriptor`, speaking `protocolVersion`.
    public init(descriptor: ModuleDescriptor, protocolVersion: Int = ModuleProtocol.version) {
        self.protocolVersion = protocolVersion
        self.module = ModuleIdentity(id: descriptor.id, version: descriptor.version, title: descriptor.title)
        self.appliesTo = descriptor.appliesTo
        self.criteria = descriptor.criteria
        self.reads = descriptor.reads
    }

    /// The descriptor the module declared.
    public var descriptor: ModuleDescriptor {
        ModuleDescriptor(
            id: module.id, version: module.version, title: module.title, appliesTo: appliesTo, criteria: criteria, reads: reads)
    }

    enum CodingKeys: String, CodingKey {
        case type, module, criteria, reads
        case protocolVersion = "protocol"
        case appliesTo = "applies_to"
    }

    /// Decodes the wire form, checking the `type` member where there is one.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        try container.expectType(.ready)
        protocolVersion = try container.decode(Int.self, forKey: .protocolVersion)
        module = try container.decode(ModuleIdentity.self, forKey: .module)
        appliesTo = try container.decode([FilingKind].self, forKey: .appliesTo)
        criteria = try container.decode([Criterion].self, forKey: .criteria)
        reads = try container.decode([String].self, forKey: .reads)
    }

    /// Encodes the wire form, with its `type` member where there is one.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(MessageType.ready, forKey: .type)
        try container.encode(protocolVersion, forKey: .protocolVersion)
        try container.encode(module, forKey: .module)
        try container.encode(appliesTo, forKey: .appliesTo)
        try container.encode(criteria, forKey: .criteria)
        try container.encode(reads, forKey: .reads)
    }
}

/// A request: `{"type":"evaluate","id":"7","filing":{…},"context":{…},"parameters":{…},"as_of":"2025-06-30"}`.
///
/// The coordinator's hot path does not encode this type: it assembles the same line from
/// pre-encoded JSON with `EvaluateMessage.line(id:filing:context:parameters:asOf:)`.
public struct EvaluateMessage<Filing: Codable & Sendable, Context: Codable & Sendable>: Sendable, Codable {
    /// The request id, unique among the requests sent to one worker; echoed in the reply.
    public var id: String
    /// The members of the filing the module reads.
    public var filing: Filing
    /// Facts the coordinator gathered.
    public var context: Context
    /// Parameter values in force on `asOf`.
    public var parameters: [String: JSONValue]
    /// The date the rules are applied for.
    public var asOf: CivilDate

    /// A request.
    public init(id: String, filing: Filing, context: Context, parameters: [String: JSONValue], asOf: CivilDate) {
        self.id = id
        self.filing = filing
        self.context = context
        self.parameters = parameters
        self.asOf = asOf
    }

    enum CodingKeys: String, CodingKey {
        case type, id, filing, context, parameters
        case asOf = "as_of"
    }

    /// Decodes the wire form, checking the `type` member where there is one.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        try container.expectType(.evaluate)
        id = try container.decode(String.self, forKey: .id)
        filing = try container.decode(Filing.self, forKey: .filing)
        context = try container.decode(Context.self, forKey: .context)
        parameters = try container.decode([String: JSONValue].self, forKey: .parameters)
        asOf = try container.decode(CivilDate.self, forKey: .asOf)
    }

    /// Encodes the wire form, with its `type` member where there is one.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(MessageType.evaluate, forKey: .type)
        try container.encode(id, forKey: .id)
        try container.encode(filing, forKey: .filing)
        try container.encode(context, forKey: .context)
        try container.encode(parameters, forKey: .parameters)
        try container.encode(asOf, forKey: .asOf)
    }
}

extension EvaluateMessage where Filing == JSONValue, Context == JSONValue {
    /// Assembles an `evaluate` line, newline included, by concatenating pre-encoded JSON.
    ///
    /// `filing`, `context` and `parameters` must each be one compact JSON object without a raw
    /// newline (what `JSONEncoder` and PostgreSQL's jsonb produce); they are not re-parsed.
    /// The id is escaped as a JSON string.
    public static func line(id: String, filing: Data, context: Data, parameters: Data, asOf: CivilDate) -> Data {
        let date = asOf.description
        var line = Data()
        line.reserveCapacity(filing.count + context.count + parameters.count + id.utf8.count + 96)
        line.append(contentsOf: #"{"type":"evaluate","id":"#.utf8)
        line.append(contentsOf: jsonString(id).utf8)
        line.append(contentsOf: #","filing":"#.utf8)
        line.append(filing)
        line.append(contentsOf: #","context":"#.utf8)
        line.append(context)
        line.append(contentsOf: #","parameters":"#.utf8)
        line.append(parameters)
        line.append(contentsOf: #","as_of":""#.utf8)
        line.append(contentsOf: date.utf8)
        line.append(contentsOf: "\"}\n".utf8)
        return line
    }

    /// `text` as a JSON string literal, quotes included.
    static func jsonString(_ text: String) -> String {
        var writer = JSONWriter()
        writer.appendString(text)
        return writer.text
    }
}

/// A reply: `{"type":"findings","id":"7","findings":[…]}`.
public struct FindingsMessage: Sendable, Hashable, Codable {
    /// The id of the request answered.
    public var id: String
    /// One finding per criterion judged.
    public var findings: [Finding]

    /// A findings reply.
    public init(id: String, findings: [Finding]) {
        self.id = id
        self.findings = findings
    }

    enum CodingKeys: String, CodingKey { case type, id, findings }

    /// Decodes the wire form, checking the `type` member where there is one.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        try container.expectType(.findings)
        id = try container.decode(String.self, forKey: .id)
        findings = try container.decode([Finding].self, forKey: .findings)
    }

    /// Encodes the wire form, with its `type` member where there is one.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(MessageType.findings, forKey: .type)
        try container.encode(id, forKey: .id)
        try container.encode(findings, forKey: .findings)
    }
}

/// A refusal: `{"type":"error","id":"7","code":"invalid_request","message":"…"}`.
///
/// `id` is null only when the module could not read one from the message it refuses.
public struct ErrorReplyMessage: Sendable, Hashable, Codable {
    /// The id of the request refused, when known.
    public var id: String?
    /// A machine-readable code, usually an `ErrorCode`.
    public var code: String
    /// One sentence for a person.
    public var message: String

    /// An error reply.
    public init(id: String?, code: String, message: String) {
        self.id = id
        self.code = code
        self.message = message
    }

    /// An error reply with one of the standard codes.
    public init(id: String?, code: ErrorCode, message: String) {
        self.init(id: id, code: code.rawValue, message: message)
    }

    enum CodingKeys: String, CodingKey { case type, id, code, message }

    /// Decodes the wire form, checking the `type` member where there is one.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        try container.expectType(.error)
        id = try container.decodeIfPresent(String.self, forKey: .id)
        code = try container.decode(String.self, forKey: .code)
        message = try container.decode(String.self, forKey: .message)
    }

    /// Encodes the wire form, with its `type` member where there is one.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(MessageType.error, forKey: .type)
        try container.encode(id, forKey: .id)
        try container.encode(code, forKey: .code)
        try container.encode(message, forKey: .message)
    }
}

/// `{"type":"shutdown"}`: the module exits at once, status 0.
public struct ShutdownMessage: Sendable, Hashable, Codable {
    /// The shutdown message.
    public init() {}

    enum CodingKeys: String, CodingKey { case type }

    /// Decodes the wire form, checking the `type` member where there is one.
    public init(from decoder: any Decoder) throws {
        try decoder.container(keyedBy: CodingKeys.self).expectType(.shutdown)
    }

    /// Encodes the wire form, with its `type` member where there is one.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(MessageType.shutdown, forKey: .type)
    }

    /// The encoded line, newline included.
    public static let line = Data(#"{"type":"shutdown"}"#.utf8 + [0x0A])
}

/// Any message a module sends, decoded in one pass by its `type`.
public enum ModuleMessage: Sendable, Hashable, Decodable {
    /// The handshake.
    case ready(ReadyMessage)
    /// Findings for a request.
    case findings(FindingsMessage)
    /// A refused request.
    case error(ErrorReplyMessage)

    enum TypeKey: String, CodingKey { case type }

    /// Decodes the wire form, checking the `type` member where there is one.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: TypeKey.self)
        let type = try container.decode(String.self, forKey: .type)
        switch MessageType(rawValue: type) {
        case .ready: self = .ready(try ReadyMessage(from: decoder))
        case .findings: self = .findings(try FindingsMessage(from: decoder))
        case .error: self = .error(try ErrorReplyMessage(from: decoder))
        default:
            throw DecodingError.dataCorruptedError(
                forKey: .type, in: container, debugDescription: "a module does not send messages of type \(type.debugDescription)")
        }
    }

    /// The message's type.
    public var type: MessageType {
        switch self {
        case .ready: .ready
        case .findings: .findings
        case .error: .error
        }
    }
}

/// Encodes protocol messages as lines: compact JSON, one object, then a newline.
public enum MessageLine {
    /// `message` as compact JSON followed by `\n`; JSON escapes every newline inside strings,
    /// so the result is exactly one line.
    public static func encode<Message: Encodable>(_ message: Message) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        var data = try encoder.encode(message)
        data.append(0x0A)
        return data
    }

    /// Decodes a module's line (without its newline).
    public static func decodeModuleMessage(_ line: Data) throws -> ModuleMessage {
        try JSONDecoder().decode(ModuleMessage.self, from: line)
    }
}

extension KeyedDecodingContainer {
    /// Throws unless the container's `type` member is `expected`.
    fileprivate func expectType(_ expected: MessageType) throws {
        guard let key = Key(stringValue: "type") else { return }
        let type = try decode(String.self, forKey: key)
        guard type == expected.rawValue else {
            throw DecodingError.dataCorruptedError(
                forKey: key, in: self, debugDescription: "expected type \(expected.rawValue), found \(type.debugDescription)")
        }
    }
}
