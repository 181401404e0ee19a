import Foundation

/// Why a request path (or one segment of it) was refused.
public enum HTTPPathError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The path does not begin with `/` (not origin-form).
    case notAbsolute
    /// A `%` is not followed by two hexadecimal digits.
    case invalidPercentEncoding
    /// A byte that is not allowed raw in a path: a control, a space, non-ASCII, `\`, `"`, `<`,
    /// `>`, `` ` ``, `{`, `}` or `#`.
    case invalidCharacter
    /// A segment decodes to something containing `/` (`%2F`), which would split it in two.
    case encodedSlash
    /// A segment holds `\`, raw or decoded (`%5C`), which some file systems take for `/`.
    case backslash
    /// A segment decodes to a NUL byte (`%00`).
    case nul
    /// A segment decodes to another control byte (`%01`–`%1F`, `%7F`).
    case controlCharacter
    /// A segment is `.` or `..`, raw or encoded (`%2e%2E`, `.%2e`), or is one after Unicode
    /// compatibility normalization (`．．`, `‥`).
    case dotSegment
    /// Two slashes in a row (`//`): an empty segment anywhere but at the end.
    case emptySegment
    /// A segment decodes to bytes that are not UTF-8 (including overlong forms such as `%C0%AE`).
    case invalidUTF8
    /// A segment still holds a percent escape after decoding (`%252e` → `%2e`): decoding twice
    /// anywhere later would change its meaning, so it is refused here.
    case doubleEncoding

    /// One line for a person.
    public var description: String {
        switch self {
        case .notAbsolute: "the path does not begin with /"
        case .invalidPercentEncoding: "a % is not followed by two hexadecimal digits"
        case .invalidCharacter: "the path holds a character that must be percent-encoded"
        case .encodedSlash: "a path segment holds an encoded /"
        case .backslash: "a path segment holds a backslash"
        case .nul: "a path segment holds an encoded NUL"
        case .controlCharacter: "a path segment holds an encoded control character"
        case .dotSegment: "a path segment is . or .."
        case .emptySegment: "the path holds an empty segment (//)"
        case .invalidUTF8: "a path segment is not UTF-8 once decoded"
        case .doubleEncoding: "a path segment is percent-encoded twice"
        }
    }
}

/// Splits request paths into decoded segments that can never name anything outside the path they
/// appear in: the one place where a path is decoded, so route parameters taken from its segments
/// are safe to use as names (`/files/..%2f..%2fetc` never becomes `../../etc`).
///
/// A path is split on the raw `/` first and each segment is decoded once afterwards, so an encoded
/// slash can never create a segment boundary; and a decoded segment is refused, rather than
/// cleaned, when it holds `/`, `\`, NUL or another control byte, is `.` or `..`, is not UTF-8, or
/// still holds a percent escape. The path `/` has no segments; a trailing slash gives a final empty
/// segment (`/a/` → `["a", ""]`); an empty segment anywhere else (`//`) is refused.
public enum HTTPPath {
    /// The decoded segments of `path`, an origin-form path without its query.
    public static func segments(_ path: String) throws(HTTPPathError) -> [String] {
        try segments(of: Array(path.utf8)[...])
    }

    /// Decodes one raw segment (the text between two slashes) with the same rules as `segments`.
    public static func decodeSegment(_ raw: String) throws(HTTPPathError) -> String {
        try decodeSegment(bytes: Array(raw.utf8)[...])
    }

    static func segments(of path: ArraySlice<UInt8>) throws(HTTPPathError) -> [String] {
        guard path.first == UInt8(ascii: "/") else { throw .notAbsolute }
        var result: [String] = []
        var start = path.startIndex + 1
        if start == path.endIndex { return [] }
        while true {
            let end = path[start...].firstIndex(of: UInt8(ascii: "/")) ?? path.endIndex
            let raw = path[start..<end]
            if raw.isEmpty && end != path.endIndex { throw .emptySegment }
            result.append(try decodeSegment(bytes: raw))
            if end == path.endIndex { return result }
            start = end + 1
        }
    }

    static func decodeSegment(bytes raw: ArraySlice<UInt8>) throws(HTTPPathError) -> String {
        for byte in raw {
            if byte == UInt8(ascii: "\\") { throw .backslash }
            if byte == UInt8(ascii: "/") { throw .encodedSlash }
            guard ByteClass.isTargetByte(byte) else { throw .invalidCharacter }
        }
        guard let decoded = PercentCoding.decode(raw, plusIsSpace: false) else {
            throw .invalidPercentEncoding
        }
        for byte in decoded {
            switch byte {
            case UInt8(ascii: "/"): throw .encodedSlash
            case UInt8(ascii: "\\"): throw .backslash
            case 0: throw .nul
            case 0x01...0x1F, 0x7F: throw .controlCharacter
            default: break
            }
        }
        guard let text = String(validating: decoded, as: UTF8.self) else { throw .invalidUTF8 }
        if text == "." || text == ".." { throw .dotSegment }
        if PercentCoding.containsEscape(decoded) { throw .doubleEncoding }
        if decoded.contains(where: { $0 >= 0x80 }) {
            // Look-alikes: fullwidth dots and solidi, dot leaders. Something downstream that
            // normalizes (NFKC) must not turn a harmless name into a traversal.
            let folded = text.precomposedStringWithCompatibilityMapping
            if folded == "." || folded == ".." { throw .dotSegment }
            if folded.contains("/") { throw .encodedSlash }
            if folded.contains("\\") { throw .backslash }
        }
        return text
    }
}

/// One `name=value` pair of a query string or an `application/x-www-form-urlencoded` body,
/// decoded.
public struct HTTPQueryItem: Sendable, Hashable {
    /// The decoded name.
    public var name: String
    /// The decoded value; empty when the pair had no `=`.
    public var value: String

    /// A pair `name=value`.
    public init(name: String, value: String) {
        self.name = name
        self.value = value
    }

    /// Decodes a query string (without its `?`) or a form body: pairs separated by `&`, `+` for a
    /// space, percent escapes; empty pairs (`a=1&&b=2`) are skipped. Nil when an escape is
    /// malformed, a name or value is not UTF-8 once decoded, or holds a NUL (PostgreSQL cannot
    /// store one in text). Other control characters are kept: a form's text area sends newlines.
    public static func decode(_ encoded: some Collection<UInt8>) -> [HTTPQueryItem]? {
        var items: [HTTPQueryItem] = []
        let bytes = Array(encoded)
        for pair in bytes.split(separator: UInt8(ascii: "&"), omittingEmptySubsequences: true) {
            let equals = pair.firstIndex(of: UInt8(ascii: "="))
            let rawName = pair[pair.startIndex..<(equals ?? pair.endIndex)]
            let rawValue = equals.map { pair[($0 + 1)...] } ?? []
            guard let name = decodeComponent(rawName), let value = decodeComponent(rawValue) else {
                return nil
            }
            items.append(HTTPQueryItem(name: name, value: value))
        }
        return items
    }

    private static func decodeComponent(_ raw: ArraySlice<UInt8>) -> String? {
        guard let decoded = PercentCoding.decode(raw, plusIsSpace: true), !decoded.contains(0) else {
            return nil
        }
        return String(validating: decoded, as: UTF8.self)
    }
}

/// Percent-encoding (RFC 3986 §2.1), byte by byte.
enum PercentCoding {
    /// Decodes `%XX` escapes (and `+` as a space when `plusIsSpace`); nil when a `%` is not
    /// followed by two hexadecimal digits.
    static func decode(_ raw: ArraySlice<UInt8>, plusIsSpace: Bool) -> [UInt8]? {
        var out: [UInt8] = []
        out.reserveCapacity(raw.count)
        var index = raw.startIndex
        while index < raw.endIndex {
            let byte = raw[index]
            if byte == UInt8(ascii: "%") {
                guard raw.endIndex - index >= 3,
                      let high = hexValue(raw[index + 1]), let low = hexValue(raw[index + 2])
                else { return nil }
                out.append(high << 4 | low)
                index += 3
            } else {
                out.append(plusIsSpace && byte == UInt8(ascii: "+") ? 0x20 : byte)
                index += 1
            }
        }
        return out
    }

    /// True when `bytes` holds a `%` followed by two hexadecimal digits.
    static func containsEscape(_ bytes: [UInt8]) -> Bool {
        guard bytes.count >= 3 else { return false }
        for index in 0..<(bytes.count - 2) where bytes[index] == UInt8(ascii: "%") {
            if hexValue(bytes[index + 1]) != nil && hexValue(bytes[index + 2]) != nil { return true }
        }
        return false
    }

    static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}

/// The byte classes of RFC 9110 and RFC 3986 that the parser and the writer check against.
enum ByteClass {
    /// `tchar`: the bytes of a token (a method or a field name).
    static func isTokenByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
             UInt8(ascii: "0")...UInt8(ascii: "9"):
            true
        case UInt8(ascii: "!"), UInt8(ascii: "#"), UInt8(ascii: "$"), UInt8(ascii: "%"),
             UInt8(ascii: "&"), UInt8(ascii: "'"), UInt8(ascii: "*"), UInt8(ascii: "+"),
             UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "^"), UInt8(ascii: "_"),
             UInt8(ascii: "`"), UInt8(ascii: "|"), UInt8(ascii: "~"):
            true
        default:
            false
        }
    }

    /// A byte allowed raw in a request target: visible ASCII except those a browser always
    /// escapes and that mean trouble raw (`"`, `#`, `<`, `>`, `\`, `` ` ``, `{`, `}`).
    static func isTargetByte(_ byte: UInt8) -> Bool {
        guard byte > 0x20 && byte < 0x7F else { return false }
        switch byte {
        case UInt8(ascii: "\""), UInt8(ascii: "#"), UInt8(ascii: "<"), UInt8(ascii: ">"),
             UInt8(ascii: "\\"), UInt8(ascii: "`"), UInt8(ascii: "{"), UInt8(ascii: "}"):
            return false
        default:
            return true
        }
    }

    /// A byte allowed in a `Host` value: a registered name, an IP literal in brackets, a port.
    static func isHostByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
             UInt8(ascii: "0")...UInt8(ascii: "9"):
            true
        case UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"),
             UInt8(ascii: "!"), UInt8(ascii: "$"), UInt8(ascii: "&"), UInt8(ascii: "'"),
             UInt8(ascii: "("), UInt8(ascii: ")"), UInt8(ascii: "*"), UInt8(ascii: "+"),
             UInt8(ascii: ","), UInt8(ascii: ";"), UInt8(ascii: "="), UInt8(ascii: ":"),
             UInt8(ascii: "["), UInt8(ascii: "]"), UInt8(ascii: "%"):
            true
        default:
            false
        }
    }
}
