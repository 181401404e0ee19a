import Foundation

/// A cursor over one JSON text for hand-written readers of a fixed shape (issue 16: the
/// coordinator reads each module reply's fixed members straight into typed values, without a
/// `JSONValue` tree or a dictionary per object).
///
/// It reads only the plainly right: every method returns nil (or false) at the first thing it
/// does not take — bad syntax, an escaped member name, a number that is not plain digits —, and
/// the caller then hands the whole text to `JSONParser`, whose value or error is the answer. So
/// a reader built on the cursor never needs to say what is wrong, and never accepts what the
/// parser refuses: strings and open values are read by the parser's own `Reader`, with the same
/// limits and depths.
public struct JSONCursor {
    var reader: JSONParser.Reader

    /// A cursor at the first byte of `bytes`, which must outlive it; `limits` as the parser's.
    public init(bytes: UnsafeBufferPointer<UInt8>, limits: JSONParser.Limits = .message) {
        reader = JSONParser.Reader(bytes: bytes, limits: limits)
    }

    /// True when only white space is left.
    public mutating func isAtEnd() -> Bool {
        reader.skipSpace()
        return reader.index == reader.bytes.count
    }

    /// Skips white space, then takes `byte` (an ASCII punctuation: `{`, `}`, `[`, `]`, `,`, `:`)
    /// when it is next; false otherwise (nothing taken but the space).
    public mutating func take(_ byte: UInt8) -> Bool {
        reader.skipSpace()
        guard reader.index < reader.bytes.count, reader.bytes[reader.index] == byte else { return false }
        reader.index += 1
        return true
    }

    /// Skips white space, then takes `null` when it is next.
    public mutating func takeNull() -> Bool {
        reader.skipSpace()
        return reader.literal("null")
    }

    /// A member name and its colon: the name's bytes, when it is printable ASCII without escapes
    /// (every name a fixed shape knows); nil otherwise, and for anything but a string there.
    public mutating func memberName() -> Name? {
        reader.skipSpace()
        let bytes = reader.bytes
        guard reader.index < bytes.count, bytes[reader.index] == UInt8(ascii: "\"") else { return nil }
        let start = reader.index + 1
        var end = start
        while end < bytes.count {
            let byte = bytes[end]
            if byte == UInt8(ascii: "\"") { break }
            guard byte >= 0x20, byte < 0x7F, byte != UInt8(ascii: "\\") else { return nil }
            end += 1
        }
        guard end < bytes.count else { return nil }
        reader.index = end + 1
        guard take(UInt8(ascii: ":")) else { return nil }
        return Name(bytes: UnsafeBufferPointer(rebasing: bytes[start..<end]))
    }

    /// A string, as the parser reads it; nil for anything else there.
    public mutating func string() -> String? {
        reader.skipSpace()
        guard reader.index < reader.bytes.count, reader.bytes[reader.index] == UInt8(ascii: "\"") else { return nil }
        do throws(JSONParser.Reader.Failure) {
            return try reader.string()
        } catch {
            return nil
        }
    }

    /// A non-negative integer written as plain digits (`0` or `[1-9][0-9]*`, at most 18 digits,
    /// no fraction or exponent); nil for any other value or number there.
    public mutating func plainInteger() -> Int? {
        reader.skipSpace()
        let bytes = reader.bytes
        var index = reader.index
        var value = 0
        var digits = 0
        while index < bytes.count, bytes[index] >= 0x30, bytes[index] <= 0x39 {
            // A leading zero, or a 19th digit (which could overflow): not plain.
            if digits == 18 || (digits == 1 && value == 0) { return nil }
            value = value * 10 + Int(bytes[index] - 0x30)
            digits += 1
            index += 1
        }
        guard digits > 0 else { return nil }
        if index < bytes.count {
            switch bytes[index] {
            case UInt8(ascii: "."), UInt8(ascii: "e"), UInt8(ascii: "E"): return nil
            default: break
            }
        }
        reader.index = index
        return value
    }

    /// Any JSON value, as the parser reads it at nesting `depth` (the document's value is at 1);
    /// nil when the parser would refuse it.
    public mutating func value(depth: Int) -> JSONValue? {
        reader.skipSpace()
        do throws(JSONParser.Reader.Failure) {
            return try reader.value(depth: depth)
        } catch {
            return nil
        }
    }

    /// A member name's bytes, valid while the cursor's input is.
    public struct Name {
        /// The name's bytes, without quotes.
        public let bytes: UnsafeBufferPointer<UInt8>

        /// True when the name is `word`.
        @inline(__always)
        public func `is`(_ word: StaticString) -> Bool {
            let count = word.utf8CodeUnitCount
            guard bytes.count == count, let base = bytes.baseAddress else { return count == 0 && bytes.count == 0 }
            return memcmp(base, word.utf8Start, count) == 0
        }
    }
}
