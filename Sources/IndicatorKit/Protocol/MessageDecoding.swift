import Foundation
import JSONCore

/// Why a protocol line could not be read as the message it should be.
public struct MessageDecodingError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What was wrong, with the member's path when there is one.
    public var reason: String

    /// An error.
    public init(_ reason: String) { self.reason = reason }

    /// One line for a person.
    public var description: String { reason }
}

extension ModuleMessage {
    /// Reads a module's line (without its newline): a plainly right `findings` or `error` reply
    /// straight into typed values (`typedReply(_:)`), anything else through
    /// `init(parsingGenerally:)`, whose value or error is then the answer.
    ///
    /// Accepts exactly what the `Decodable` conformance accepts for `findings` and `error`;
    /// `ready`, rare, goes through `JSONDecoder`.
    public init(parsing line: Data) throws(MessageDecodingError) {
        if let message = Self.typedReply(line) {
            self = message
        } else {
            try self.init(parsingGenerally: line)
        }
    }

    /// Reads a module's line through a `JSONValue` tree (`JSONValue(parsing:)`): the general
    /// reading, whose errors are the protocol's.
    public init(parsingGenerally line: Data) throws(MessageDecodingError) {
        let value: JSONValue
        do {
            value = try JSONValue(parsing: line)
        } catch {
            throw MessageDecodingError("not JSON: \(error)")
        }
        guard case .object(let members) = value else { throw MessageDecodingError("not a JSON object") }
        guard case .string(let type)? = members["type"] else { throw MessageDecodingError("no string member type") }
        switch type {
        case MessageType.findings.rawValue:
            guard case .string(let id)? = members["id"] else { throw MessageDecodingError("findings: no string id") }
            guard case .array(let items)? = members["findings"] else { throw MessageDecodingError("findings: no array findings") }
            var findings: [Finding] = []
            findings.reserveCapacity(items.count)
            for (index, item) in items.enumerated() {
                findings.append(try Finding(wire: item, path: "findings.\(index)"))
            }
            self = .findings(FindingsMessage(id: id, findings: findings))
        case MessageType.error.rawValue:
            let id: String?
            switch members["id"] {
            case .string(let text)?: id = text
            case .null?, nil: id = nil
            default: throw MessageDecodingError("error: id must be a string or null")
            }
            guard case .string(let code)? = members["code"] else { throw MessageDecodingError("error: no string code") }
            guard case .string(let message)? = members["message"] else { throw MessageDecodingError("error: no string message") }
            self = .error(ErrorReplyMessage(id: id, code: code, message: message))
        case MessageType.ready.rawValue:
            do {
                self = .ready(try JSONDecoder().decode(ReadyMessage.self, from: line))
            } catch {
                throw MessageDecodingError("ready: \(error)")
            }
        default:
            throw MessageDecodingError("a module does not send messages of type \(type.debugDescription)")
        }
    }
}

extension ModuleMessage {
    /// A `findings` or `error` reply read from the line's bytes straight into typed values —
    /// no `JSONValue` tree around the fixed members, no dictionary per object (issue 16) —, or
    /// nil at the first thing that is not plainly right: another type, a member twice, a member
    /// name with escapes, a missing or null fixed member, a score that is not plain digits, any
    /// syntax error. Where it gives a value, `init(parsingGenerally:)` gives the same
    /// (`TypedReplyTests` compares the two on valid and mutated replies); where it gives nil,
    /// that reading decides. Open values (`observed`, `threshold`, `margin`, `parameters`, and
    /// members the protocol does not define) are read by the JSON core's parser at the depth
    /// they have in the document, so its limits apply unchanged.
    public static func typedReply(_ line: Data) -> ModuleMessage? {
        line.withUnsafeBytes { raw -> ModuleMessage? in
            var cursor = JSONCursor(bytes: raw.bindMemory(to: UInt8.self))
            return typedReply(&cursor)
        }
    }

    private static func typedReply(_ cursor: inout JSONCursor) -> ModuleMessage? {
        guard cursor.take(UInt8(ascii: "{")) else { return nil }
        var type: MessageType?
        var id: String??
        var findings: [Finding]?
        var code: String?
        var message: String?
        if !cursor.take(UInt8(ascii: "}")) {
            repeat {
                guard let name = cursor.memberName() else { return nil }
                if name.is("type") {
                    guard type == nil, let text = cursor.string() else { return nil }
                    if text == MessageType.findings.rawValue {
                        type = .findings
                    } else if text == MessageType.error.rawValue {
                        type = .error
                    } else {
                        return nil
                    }
                } else if name.is("id") {
                    guard id == nil else { return nil }
                    if cursor.takeNull() {
                        id = .some(nil)
                    } else {
                        guard let text = cursor.string() else { return nil }
                        id = text
                    }
                } else if name.is("findings") {
                    guard findings == nil, let items = typedFindings(&cursor) else { return nil }
                    findings = items
                } else if name.is("code") {
                    guard code == nil, let text = cursor.string() else { return nil }
                    code = text
                } else if name.is("message") {
                    guard message == nil, let text = cursor.string() else { return nil }
                    message = text
                } else {
                    guard cursor.value(depth: 2) != nil else { return nil }
                }
            } while cursor.take(UInt8(ascii: ","))
            guard cursor.take(UInt8(ascii: "}")) else { return nil }
        }
        guard cursor.isAtEnd() else { return nil }
        switch type {
        case .findings?:
            guard case .some(.some(let id)) = id, let findings else { return nil }
            return .findings(FindingsMessage(id: id, findings: findings))
        case .error?:
            guard let code, let message else { return nil }
            return .error(ErrorReplyMessage(id: id ?? nil, code: code, message: message))
        default:
            return nil
        }
    }

    /// The `findings` array, each element a plainly right finding; nil otherwise.
    private static func typedFindings(_ cursor: inout JSONCursor) -> [Finding]? {
        guard cursor.take(UInt8(ascii: "[")) else { return nil }
        var findings: [Finding] = []
        if cursor.take(UInt8(ascii: "]")) { return findings }
        findings.reserveCapacity(8)
        repeat {
            guard let finding = typedFinding(&cursor) else { return nil }
            findings.append(finding)
        } while cursor.take(UInt8(ascii: ","))
        guard cursor.take(UInt8(ascii: "]")) else { return nil }
        return findings
    }

    /// One finding (an element of `findings`, at depth 3 of the document); nil unless plainly right.
    private static func typedFinding(_ cursor: inout JSONCursor) -> Finding? {
        guard cursor.take(UInt8(ascii: "{")) else { return nil }
        var criterion: String?, verdict: Verdict?, score: Int?, citation: String?
        var observed: JSONValue??, threshold: JSONValue??, margin: JSONValue??, comparator: String??
        var message: LocalizedText?
        var parameters: [String: JSONValue]?
        /// An open member: nil when absent or null, as the general reading's `optional`.
        func open(_ slot: inout JSONValue??) -> Bool {
            guard slot == nil, let value = cursor.value(depth: 4) else { return false }
            if case .null = value { slot = .some(.none) } else { slot = .some(.some(value)) }
            return true
        }
        if !cursor.take(UInt8(ascii: "}")) {
            repeat {
                guard let name = cursor.memberName() else { return nil }
                if name.is("criterion") {
                    guard criterion == nil, let text = cursor.string() else { return nil }
                    criterion = text
                } else if name.is("verdict") {
                    guard verdict == nil, let text = cursor.string(), let value = Verdict(rawValue: text) else { return nil }
                    verdict = value
                } else if name.is("score") {
                    guard score == nil, let value = cursor.plainInteger() else { return nil }
                    score = value
                } else if name.is("observed") {
                    guard open(&observed) else { return nil }
                } else if name.is("threshold") {
                    guard open(&threshold) else { return nil }
                } else if name.is("margin") {
                    guard open(&margin) else { return nil }
                } else if name.is("comparator") {
                    guard comparator == nil else { return nil }
                    if cursor.takeNull() {
                        comparator = .some(nil)
                    } else {
                        guard let text = cursor.string() else { return nil }
                        comparator = text
                    }
                } else if name.is("message") {
                    guard message == nil, let text = typedText(&cursor) else { return nil }
                    message = text
                } else if name.is("citation") {
                    guard citation == nil, let text = cursor.string() else { return nil }
                    citation = text
                } else if name.is("parameters") {
                    guard parameters == nil, case .object(let members)? = cursor.value(depth: 4) else { return nil }
                    parameters = members
                } else {
                    guard cursor.value(depth: 4) != nil else { return nil }
                }
            } while cursor.take(UInt8(ascii: ","))
            guard cursor.take(UInt8(ascii: "}")) else { return nil }
        }
        guard let criterion, let verdict, let score, let message, let citation, let parameters else { return nil }
        return Finding(
            criterion: criterion, verdict: verdict, score: score, observed: observed ?? nil, threshold: threshold ?? nil,
            comparator: comparator ?? nil, margin: margin ?? nil, message: message, citation: citation, parameters: parameters)
    }

    /// A finding's `message`, `{zh, en}` (at depth 4; other members read at depth 5 and left).
    private static func typedText(_ cursor: inout JSONCursor) -> LocalizedText? {
        guard cursor.take(UInt8(ascii: "{")) else { return nil }
        var zh: String?, en: String?
        if !cursor.take(UInt8(ascii: "}")) {
            repeat {
                guard let name = cursor.memberName() else { return nil }
                if name.is("zh") {
                    guard zh == nil, let text = cursor.string() else { return nil }
                    zh = text
                } else if name.is("en") {
                    guard en == nil, let text = cursor.string() else { return nil }
                    en = text
                } else {
                    guard cursor.value(depth: 5) != nil else { return nil }
                }
            } while cursor.take(UInt8(ascii: ","))
            guard cursor.take(UInt8(ascii: "}")) else { return nil }
        }
        guard let zh, let en else { return nil }
        return LocalizedText(zh: zh, en: en)
    }
}

extension Finding {
    /// A finding from its wire form, with the same rules as its `Decodable` conformance.
    init(wire value: JSONValue, path: String) throws(MessageDecodingError) {
        guard case .object(let members) = value else { throw MessageDecodingError("\(path): not an object") }
        func string(_ key: String) throws(MessageDecodingError) -> String {
            guard case .string(let text)? = members[key] else { throw MessageDecodingError("\(path).\(key): expected a string") }
            return text
        }
        func optional(_ key: String) -> JSONValue? {
            switch members[key] {
            case nil, .null?: nil
            case let value?: value
            }
        }
        let verdictText = try string("verdict")
        guard let verdict = Verdict(rawValue: verdictText) else {
            throw MessageDecodingError("\(path).verdict: unknown verdict \(verdictText.debugDescription)")
        }
        guard case .number(let scoreValue)? = members["score"], let score = Int(exactly: scoreValue) else {
            throw MessageDecodingError("\(path).score: expected an integer")
        }
        guard case .object(let message)? = members["message"], case .string(let zh)? = message["zh"],
            case .string(let en)? = message["en"]
        else { throw MessageDecodingError("\(path).message: expected {zh, en}") }
        guard case .object(let parameters)? = members["parameters"] else {
            throw MessageDecodingError("\(path).parameters: expected an object")
        }
        var comparator: String? = nil
        switch members["comparator"] {
        case nil, .null?: break
        case .string(let text)?: comparator = text
        default: throw MessageDecodingError("\(path).comparator: expected a string")
        }
        self.init(
            criterion: try string("criterion"), verdict: verdict, score: score, observed: optional("observed"),
            threshold: optional("threshold"), comparator: comparator, margin: optional("margin"),
            message: LocalizedText(zh: zh, en: en), citation: try string("citation"), parameters: parameters)
    }
}

extension Int {
    /// The decimal as an Int when it is whole and in range.
    init?(exactly decimal: Decimal) {
        guard decimal.isFinite, decimal >= Decimal(Int.min), decimal <= Decimal(Int.max) else { return nil }
        var value = decimal
        var rounded = Decimal()
        NSDecimalRound(&rounded, &value, 0, .plain)
        guard rounded == decimal else { return nil }
        self = NSDecimalNumber(decimal: rounded).intValue
    }
}
