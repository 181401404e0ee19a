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
    /// Reads a module's line (without its newline) through `JSONValue(parsing:)`, the fast path.
    ///
    /// Accepts exactly what the `Decodable` conformance accepts for `findings` and `error`;
    /// `ready`, rare, goes through `JSONDecoder`.
    public init(parsing line: Data) throws(MessageDecodingError) {
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
