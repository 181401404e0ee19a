// Editing filings in tests: set or remove a member by path, exact decimals, canonical bytes.
import Foundation
import IndicatorKit
import JSONCore

extension JSONValue {
    /// A copy with the member at `path` (dot-separated, numeric segments index arrays) set to `value`,
    /// or removed when `value` is nil.
    public func setting(_ path: String, to value: JSONValue?) -> JSONValue {
        set(ArraySlice(path.split(separator: ".").map(String.init)), value)
    }

    private func set(_ segments: ArraySlice<String>, _ value: JSONValue?) -> JSONValue {
        guard let head = segments.first else { return value ?? .null }
        let rest = segments.dropFirst()
        switch self {
        case .array(var items):
            let i = Int(head)!
            if rest.isEmpty, value == nil { items.remove(at: i); return .array(items) }
            if i == items.count { items.append(.null) }
            items[i] = rest.isEmpty ? value! : items[i].set(rest, value)
            return .array(items)
        case .object(var members):
            if rest.isEmpty {
                members[head] = value
            } else {
                members[head] = (members[head] ?? .object([:])).set(rest, value)
            }
            return .object(members)
        default:
            return rest.isEmpty ? (value ?? .null) : JSONValue.object([:]).set(segments, value)
        }
    }

    /// A decimal from its text, exactly.
    public static func dec(_ text: String) -> JSONValue { .number(Decimal(string: text, locale: nil)!) }

    /// Canonical bytes.
    public var bytes: Data { Data(canonicalText().utf8) }
}
