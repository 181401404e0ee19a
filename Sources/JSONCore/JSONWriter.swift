import Foundation

/// The project's one JSON writer: bytes appended to a buffer, numbers as exact decimals in plain
/// notation (never an exponent, never through `Double`), strings with only the escapes JSON
/// requires (quote, backslash, control characters), so one value is always one line unless
/// written `pretty`.
///
/// Three styles: `compact` (members in the dictionary's order — the protocol's hot paths),
/// `canonical` (members sorted by the Unicode scalars of their names: two equal values give the
/// same bytes, which content hashes need), and `pretty` (indented by two spaces, members in a
/// given `MemberOrder`, for people). Objects whose members come in a fixed order (a log line, a
/// protocol message) are written member by member with `appendObject` or the primitives.
public struct JSONWriter: Sendable {
    /// How objects are laid out.
    public enum Style: Sendable {
        /// One line, members in the dictionary's order.
        case compact
        /// One line, members sorted.
        case canonical
        /// Indented, members in this order.
        case pretty(MemberOrder)
    }

    /// What has been written.
    public var bytes: [UInt8] = []
    /// How `append(_: JSONValue)` lays out objects.
    public var style: Style

    /// An empty writer; `capacity` bytes reserved.
    public init(style: Style = .compact, capacity: Int = 0) {
        self.style = style
        bytes.reserveCapacity(capacity)
    }

    /// The text written so far.
    public var text: String { String(decoding: bytes, as: UTF8.self) }

    /// Appends `value` in the writer's style.
    public mutating func append(_ value: JSONValue) {
        switch style {
        case .compact: appendCompact(value, sorted: false)
        case .canonical: appendCompact(value, sorted: true)
        case .pretty(let order): appendPretty(value, indent: 0, order: order)
        }
    }

    /// Appends bytes as they are: punctuation and member names the caller knows to be valid JSON.
    public mutating func appendRaw(_ text: StaticString) {
        bytes.append(contentsOf: UnsafeBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
    }

    /// Appends an object whose members come in the order given (each value in the writer's style).
    public mutating func appendObject(_ members: some Sequence<(String, JSONValue)>) {
        bytes.append(UInt8(ascii: "{"))
        var first = true
        for (key, value) in members {
            if !first { bytes.append(UInt8(ascii: ",")) }
            first = false
            appendString(key)
            bytes.append(UInt8(ascii: ":"))
            append(value)
        }
        bytes.append(UInt8(ascii: "}"))
    }

    /// Appends a number in plain decimal notation (`200000`, `0.6`, `-1.25`); a NaN as `null`.
    public mutating func appendNumber(_ number: Decimal) {
        guard number.isFinite, !number.isNaN else {
            appendRaw("null")
            return
        }
        // A mantissa of 64 bits (every amount a module writes) is written from its digits, as
        // `NSDecimalString` writes it — no exponent form, trailing zeros kept, `0.` before a
        // fraction — without its division by ten per digit and its string (issue 16).
        if let (mantissa, exponent, negative) = PlainInteger.parts(number) {
            appendDigits(mantissa, exponent: exponent, negative: negative)
            return
        }
        var value = number
        bytes.append(contentsOf: NSDecimalString(&value, nil).utf8)
    }

    /// `mantissa × 10^exponent`, signed, in plain decimal notation.
    mutating func appendDigits(_ mantissa: UInt64, exponent: Int, negative: Bool) {
        var digits: (UInt64, UInt64, UInt64) = (0, 0, 0)  // 24 bytes: room for 20 digits
        let count = withUnsafeMutableBytes(of: &digits) { buffer -> Int in
            var value = mantissa, end = buffer.count
            repeat {
                end -= 1
                buffer[end] = UInt8(ascii: "0") + UInt8(value % 10)
                value /= 10
            } while value != 0
            return buffer.count - end
        }
        if negative { bytes.append(UInt8(ascii: "-")) }
        withUnsafeBytes(of: &digits) { buffer in
            let text = UnsafeRawBufferPointer(rebasing: buffer[(buffer.count - count)...])
            if exponent >= 0 {
                bytes.append(contentsOf: text)
                for _ in 0..<exponent { bytes.append(UInt8(ascii: "0")) }
                return
            }
            let whole = count + exponent  // digits before the point
            if whole > 0 {
                bytes.append(contentsOf: text[text.startIndex..<text.startIndex + whole])
                bytes.append(UInt8(ascii: "."))
                bytes.append(contentsOf: text[(text.startIndex + whole)...])
            } else {
                bytes.append(UInt8(ascii: "0"))
                bytes.append(UInt8(ascii: "."))
                for _ in 0..<(-whole) { bytes.append(UInt8(ascii: "0")) }
                bytes.append(contentsOf: text)
            }
        }
    }

    /// Appends an integer.
    public mutating func appendInteger(_ number: Int) {
        bytes.append(contentsOf: String(number).utf8)
    }

    /// Appends `text` as a JSON string literal.
    public mutating func appendString(_ text: String) {
        bytes.append(UInt8(ascii: "\""))
        var text = text
        text.withUTF8 { utf8 in
            var plainStart = 0
            for index in 0..<utf8.count {
                let byte = utf8[index]
                guard byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") else { continue }
                bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[plainStart..<index]))
                plainStart = index + 1
                switch byte {
                case UInt8(ascii: "\""): appendRaw(#"\""#)
                case UInt8(ascii: "\\"): appendRaw(#"\\"#)
                case 0x0A: appendRaw(#"\n"#)
                case 0x0D: appendRaw(#"\r"#)
                case 0x09: appendRaw(#"\t"#)
                default:
                    let hex: StaticString = "0123456789abcdef"
                    appendRaw(#"\u00"#)
                    bytes.append(hex.utf8Start[Int(byte >> 4)])
                    bytes.append(hex.utf8Start[Int(byte & 0x0F)])
                }
            }
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[plainStart..<utf8.count]))
        }
        bytes.append(UInt8(ascii: "\""))
    }

    // MARK: - Styles

    private mutating func appendCompact(_ value: JSONValue, sorted: Bool) {
        switch value {
        case .null: appendRaw("null")
        case .bool(let flag): flag ? appendRaw("true") : appendRaw("false")
        case .number(let number): appendNumber(number)
        case .string(let text): appendString(text)
        case .array(let items):
            bytes.append(UInt8(ascii: "["))
            for (index, item) in items.enumerated() {
                if index > 0 { bytes.append(UInt8(ascii: ",")) }
                appendCompact(item, sorted: sorted)
            }
            bytes.append(UInt8(ascii: "]"))
        case .object(let members):
            bytes.append(UInt8(ascii: "{"))
            var first = true
            if sorted {
                for key in Self.sortedKeys(members) {
                    if !first { bytes.append(UInt8(ascii: ",")) }
                    first = false
                    appendString(key)
                    bytes.append(UInt8(ascii: ":"))
                    appendCompact(members[key]!, sorted: true)
                }
            } else {
                for (key, item) in members {
                    if !first { bytes.append(UInt8(ascii: ",")) }
                    first = false
                    appendString(key)
                    bytes.append(UInt8(ascii: ":"))
                    appendCompact(item, sorted: false)
                }
            }
            bytes.append(UInt8(ascii: "}"))
        }
    }

    private mutating func appendPretty(_ value: JSONValue, indent: Int, order: MemberOrder) {
        func newline(_ level: Int) {
            bytes.append(0x0A)
            bytes.append(contentsOf: repeatElement(UInt8(ascii: " "), count: 2 * level))
        }
        switch value {
        case .null, .bool, .number, .string:
            appendCompact(value, sorted: true)
        case .array(let items):
            if items.isEmpty { appendRaw("[]"); return }
            bytes.append(UInt8(ascii: "["))
            for (i, item) in items.enumerated() {
                if i > 0 { bytes.append(UInt8(ascii: ",")) }
                newline(indent + 1)
                appendPretty(item, indent: indent + 1, order: order.element)
            }
            newline(indent)
            bytes.append(UInt8(ascii: "]"))
        case .object(let members):
            if members.isEmpty { appendRaw("{}"); return }
            bytes.append(UInt8(ascii: "{"))
            var keys = Self.sortedKeys(members)
            if case .members(let declared) = order {
                let first = declared.map(\.name).filter { members[$0] != nil }
                keys = first + keys.filter { !first.contains($0) }
            }
            for (i, key) in keys.enumerated() {
                if i > 0 { bytes.append(UInt8(ascii: ",")) }
                newline(indent + 1)
                appendString(key)
                appendRaw(": ")
                appendPretty(members[key]!, indent: indent + 1, order: order.member(key))
            }
            newline(indent)
            bytes.append(UInt8(ascii: "}"))
        }
    }

    /// Member names in canonical order: by their Unicode scalars (which is their UTF-8 bytes' order).
    static func sortedKeys(_ members: [String: JSONValue]) -> [String] {
        members.keys.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
    }
}

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
    /// Canonical JSON text: object members sorted by the Unicode scalars of their names, no
    /// insignificant whitespace, numbers in plain decimal notation, strings with only the escapes
    /// JSON requires. Two equal values always give the same bytes, which is what content hashes
    /// need. With `pretty`, the same order with two-space indentation, for people.
    public func canonicalText(pretty: Bool = false) -> String {
        var writer = JSONWriter(style: pretty ? .pretty(.sorted) : .canonical)
        writer.append(self)
        return writer.text
    }

    /// Indented text for people with members in `order` (e.g. a filing in its documented order);
    /// the same values and escapes as `canonicalText`.
    public func prettyText(order: MemberOrder) -> String {
        var writer = JSONWriter(style: .pretty(order))
        writer.append(self)
        return writer.text
    }

    /// The value as one compact line of UTF-8, members in no particular order.
    public var compactBytes: [UInt8] {
        var writer = JSONWriter(style: .compact)
        writer.append(self)
        return writer.bytes
    }
}
