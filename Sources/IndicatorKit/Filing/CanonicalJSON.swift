import Foundation

/// The order in which a text for people lists an object's members: the declared names first, in
/// their declared order, then any others sorted; `sorted` is the canonical order throughout.
public indirect enum MemberOrder: Sendable {
    /// Every object below in canonical (sorted) order.
    case sorted
    /// This object's members in this order, each with the order of its own value.
    case members([(name: String, order: MemberOrder)])
    /// An array whose elements each follow this order.
    case elements(MemberOrder)

    func member(_ name: String) -> MemberOrder {
        if case .members(let list) = self { return list.first { $0.name == name }?.order ?? .sorted }
        return .sorted
    }

    var element: MemberOrder {
        if case .elements(let order) = self { return order }
        return .sorted
    }
}

extension JSONValue {
    /// Indented text for people with members in `order` (e.g. a filing in its documented order);
    /// the same values and escapes as `canonicalText`.
    public func prettyText(order: MemberOrder) -> String {
        var out = ""
        write(to: &out, pretty: true, indent: 0, order: order)
        return out
    }

    /// Canonical JSON text: object members sorted by the Unicode scalars of their names, no
    /// insignificant whitespace, numbers in plain decimal notation, strings with only the escapes
    /// JSON requires. Two equal values always give the same bytes, which is what content hashes need.
    /// With `pretty`, the same order with two-space indentation, for people.
    public func canonicalText(pretty: Bool = false) -> String {
        var out = ""
        write(to: &out, pretty: pretty, indent: 0, order: .sorted)
        return out
    }

    private func write(to out: inout String, pretty: Bool, indent: Int, order: MemberOrder) {
        let newline = pretty ? "\n" + String(repeating: "  ", count: indent + 1) : ""
        let closing = pretty ? "\n" + String(repeating: "  ", count: indent) : ""
        switch self {
        case .null: out += "null"
        case .bool(let b): out += b ? "true" : "false"
        case .number(let d): out += JSONValue.plain(d)
        case .string(let s): JSONValue.quote(s, into: &out)
        case .array(let items):
            if items.isEmpty { out += "[]"; return }
            out += "["
            for (i, item) in items.enumerated() {
                if i > 0 { out += "," }
                out += newline
                item.write(to: &out, pretty: pretty, indent: indent + 1, order: order.element)
            }
            out += closing + "]"
        case .object(let members):
            if members.isEmpty { out += "{}"; return }
            out += "{"
            var keys = members.keys.sorted { $0.unicodeScalars.lexicographicallyPrecedes($1.unicodeScalars) { $0.value < $1.value } }
            if case .members(let declared) = order {
                let first = declared.map(\.name).filter { members[$0] != nil }
                keys = first + keys.filter { !first.contains($0) }
            }
            for (i, key) in keys.enumerated() {
                if i > 0 { out += "," }
                out += newline
                JSONValue.quote(key, into: &out)
                out += pretty ? ": " : ":"
                members[key]!.write(to: &out, pretty: pretty, indent: indent + 1, order: order.member(key))
            }
            out += closing + "}"
        }
    }

    /// A decimal in plain notation (`200000`, `0.6`, `-1.25`), never with an exponent.
    static func plain(_ d: Decimal) -> String {
        var value = d
        return NSDecimalString(&value, nil)
    }

    private static func quote(_ s: String, into out: inout String) {
        out += "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(scalar)
            }
        }
        out += "\""
    }
}
