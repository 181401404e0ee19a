import Foundation

/// A type decoded by hand from a parsed `JSONValue`, without `Decodable`'s containers, coding
/// keys and generic boxes (issue 16: the modules' hot path).
///
/// `init(directly:)` handles the well-formed value only: it gives exactly the value
/// `JSONValueDecoder` (and `JSONDecoder` on the value's text) would, or nil at the first thing
/// that is not plainly right — a member missing or of another kind, a null where a value is
/// wanted, a number that is not a plain integer, an unknown enumeration word. On nil
/// `JSONValueDecoder` decodes the value the general way, which then gives the value or throws
/// its error: the errors are the general decoder's by construction, and the hand-written part
/// never has to say what is wrong. `TypedDecodingTests` compares the three on thousands of
/// hostile inputs.
public protocol DirectlyDecodable: Decodable {
    /// The value, when `value` is well formed for this type; nil otherwise.
    init?(directly value: JSONValue)
}

/// Thrown inside a hand-written decoding at the first thing that is not plainly right; the
/// caller turns it into nil (and the general decoder takes over).
public struct DirectDecodingMiss: Error {
    /// A miss.
    public init() {}
}

extension JSONValue {
    /// The members of an object.
    @inlinable
    public func directObject() throws(DirectDecodingMiss) -> [String: JSONValue] {
        guard case .object(let members) = self else { throw DirectDecodingMiss() }
        return members
    }

    /// The string.
    @inlinable
    public func directString() throws(DirectDecodingMiss) -> String {
        guard case .string(let text) = self else { throw DirectDecodingMiss() }
        return text
    }

    /// The number, exactly as parsed (as `JSONValueDecoder` gives a `Decimal`).
    @inlinable
    public func directDecimal() throws(DirectDecodingMiss) -> Decimal {
        guard case .number(let number) = self else { throw DirectDecodingMiss() }
        return number
    }

    /// The Boolean.
    @inlinable
    public func directBool() throws(DirectDecodingMiss) -> Bool {
        guard case .bool(let flag) = self else { throw DirectDecodingMiss() }
        return flag
    }

    /// An integer written as plain digits — the first of `JSONDecoder`'s ways to read one, and
    /// the one every well-formed filing takes; any other number (`3.0`, `3.5`, out of range) is
    /// a miss and left to the general decoder's rules.
    @inlinable
    public func directInteger<T: FixedWidthInteger>(_: T.Type = T.self) throws(DirectDecodingMiss) -> T {
        guard case .number(let number) = self else { throw DirectDecodingMiss() }
        // Plain digits, as the parser leaves them (exponent 0, a mantissa of 64 bits): the
        // integer is the mantissa, which is what the text gives (issue 16: no string between).
        if let (mantissa, negative) = PlainInteger.read(number) {
            guard let integer = negative ? T(exactly: -Int128(mantissa)) : T(exactly: mantissa) else { throw DirectDecodingMiss() }
            return integer
        }
        var copy = number
        guard let integer = T(NSDecimalString(&copy, nil)) else { throw DirectDecodingMiss() }
        return integer
    }

    /// A `RawRepresentable` enumeration's case by its string.
    @inlinable
    public func directCase<T: RawRepresentable>(_: T.Type = T.self) throws(DirectDecodingMiss) -> T where T.RawValue == String {
        guard case .string(let text) = self, let value = T(rawValue: text) else { throw DirectDecodingMiss() }
        return value
    }

    /// A value of a hand-decoded type.
    @inlinable
    public func direct<T: DirectlyDecodable>(_: T.Type = T.self) throws(DirectDecodingMiss) -> T {
        guard let value = T(directly: self) else { throw DirectDecodingMiss() }
        return value
    }

    /// An array, each element read by `element`.
    @inlinable
    public func directArray<T>(_ element: (JSONValue) throws(DirectDecodingMiss) -> T) throws(DirectDecodingMiss) -> [T] {
        guard case .array(let elements) = self else { throw DirectDecodingMiss() }
        var values: [T] = []
        values.reserveCapacity(elements.count)
        for item in elements { values.append(try element(item)) }
        return values
    }

    /// An object as a dictionary, each member's value read by `element`.
    @inlinable
    public func directDictionary<T>(_ element: (JSONValue) throws(DirectDecodingMiss) -> T) throws(DirectDecodingMiss) -> [String: T] {
        guard case .object(let members) = self else { throw DirectDecodingMiss() }
        var values: [String: T] = [:]
        values.reserveCapacity(members.count)
        for (key, item) in members { values[key] = try element(item) }
        return values
    }
}

extension Dictionary where Key == String, Value == JSONValue {
    /// The member `key`, which must be there (a non-optional property); null is handed on, for
    /// the reader of its kind to refuse.
    @inlinable
    public func required(_ key: String) throws(DirectDecodingMiss) -> JSONValue {
        guard let value = self[key] else { throw DirectDecodingMiss() }
        return value
    }

    /// The member `key` read by `read`, or nil when it is absent or null (an optional property,
    /// as `decodeIfPresent` reads it).
    @inlinable
    public func optional<T>(_ key: String, _ read: (JSONValue) throws(DirectDecodingMiss) -> T) throws(DirectDecodingMiss) -> T? {
        switch self[key] {
        case nil, .null?: return nil
        case let value?: return try read(value)
        }
    }
}

/// A type read by hand straight from a document's bytes, without a `JSONValue` tree (issue 16,
/// third pass: the modules' request). Like `DirectlyDecodable`, it handles the well-formed value
/// only and throws `DirectDecodingMiss` at the first thing that is not plainly right — bad
/// syntax anywhere included —; the caller then parses and decodes the general way, which gives
/// the value or the error.
public protocol ByteDecodable {
    /// The value at the reader's position; the reader is left after it.
    init(reading reader: inout DirectReader) throws(DirectDecodingMiss)
}

/// A cursor over one JSON document's bytes for `ByteDecodable` types. Strings and numbers are
/// read by the parser's own code (`JSONParser`, protocol limits), so they are the values a parse
/// gives; anything the parser would refuse is a miss. Unknown members are skipped by parsing
/// them, so a document the reader accepts is one the parser accepts.
public struct DirectReader {
    var reader: JSONParser.Reader
    /// Containers entered: the next value is at depth `depth + 1`, as the parser counts.
    var depth = 0

    init(reader: JSONParser.Reader) {
        self.reader = reader
    }

    /// `body` run on the document in `data` (protocol limits), which must be all of it but for
    /// surrounding white space; nil at a miss.
    public static func read<T>(_ data: Data, _ body: (inout DirectReader) throws(DirectDecodingMiss) -> T) -> T? {
        data.withUnsafeBytes { (raw: UnsafeRawBufferPointer) -> T? in
            var cursor = DirectReader(reader: JSONParser.Reader(bytes: raw.bindMemory(to: UInt8.self), limits: .message))
            do throws(DirectDecodingMiss) {
                cursor.reader.skipSpace()
                let value = try body(&cursor)
                cursor.reader.skipSpace()
                guard cursor.reader.index == cursor.reader.bytes.count else { return nil }
                return value
            } catch {
                return nil
            }
        }
    }

    /// The byte at the cursor, or 0 at the end.
    @inline(__always)
    var next: UInt8 { reader.index < reader.bytes.count ? reader.bytes[reader.index] : 0 }

    /// Whether the value here is `null`; consumed if so.
    public mutating func null() -> Bool {
        next == UInt8(ascii: "n") && reader.literal("null")
    }

    /// A string.
    public mutating func string() throws(DirectDecodingMiss) -> String {
        guard next == UInt8(ascii: "\"") else { throw DirectDecodingMiss() }
        do throws(JSONParser.Reader.Failure) { return try reader.string() } catch { throw DirectDecodingMiss() }
    }

    /// A number, exactly as the parser reads it.
    public mutating func decimal() throws(DirectDecodingMiss) -> Decimal {
        let byte = next
        guard byte == UInt8(ascii: "-") || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) else { throw DirectDecodingMiss() }
        do throws(JSONParser.Reader.Failure) { return try reader.number() } catch { throw DirectDecodingMiss() }
    }

    /// An integer as `JSONValue.directInteger` reads one.
    public mutating func integer<T: FixedWidthInteger>(_: T.Type = T.self) throws(DirectDecodingMiss) -> T {
        try JSONValue.number(decimal()).directInteger(T.self)
    }

    /// A Boolean.
    public mutating func bool() throws(DirectDecodingMiss) -> Bool {
        if next == UInt8(ascii: "t"), reader.literal("true") { return true }
        if next == UInt8(ascii: "f"), reader.literal("false") { return false }
        throw DirectDecodingMiss()
    }

    /// Any value, parsed as the parser parses it.
    public mutating func value() throws(DirectDecodingMiss) -> JSONValue {
        do throws(JSONParser.Reader.Failure) { return try reader.value(depth: depth + 1) } catch { throw DirectDecodingMiss() }
    }

    /// Any value, checked and passed over.
    public mutating func skip() throws(DirectDecodingMiss) {
        _ = try value()
    }

    /// A value of a byte-decodable type.
    public mutating func read<T: ByteDecodable>(_: T.Type = T.self) throws(DirectDecodingMiss) -> T {
        try T(reading: &self)
    }

    /// An object: `member` is called with each member's name, the cursor at its value, and must
    /// read or skip that value.
    public mutating func object(_ member: (inout DirectReader, String) throws(DirectDecodingMiss) -> Void) throws(DirectDecodingMiss) {
        guard next == UInt8(ascii: "{"), depth + 1 <= reader.limits.maxDepth else { throw DirectDecodingMiss() }
        depth += 1
        reader.index += 1
        reader.skipSpace()
        if next == UInt8(ascii: "}") {
            reader.index += 1
            depth -= 1
            return
        }
        while true {
            reader.skipSpace()
            let key = try string()
            reader.skipSpace()
            guard next == UInt8(ascii: ":") else { throw DirectDecodingMiss() }
            reader.index += 1
            reader.skipSpace()
            try member(&self, key)
            reader.skipSpace()
            switch next {
            case UInt8(ascii: ","): reader.index += 1
            case UInt8(ascii: "}"):
                reader.index += 1
                depth -= 1
                return
            default: throw DirectDecodingMiss()
            }
        }
    }

    /// An array: `element` is called with the cursor at each element, and must read it.
    public mutating func array(_ element: (inout DirectReader) throws(DirectDecodingMiss) -> Void) throws(DirectDecodingMiss) {
        guard next == UInt8(ascii: "["), depth + 1 <= reader.limits.maxDepth else { throw DirectDecodingMiss() }
        depth += 1
        reader.index += 1
        reader.skipSpace()
        if next == UInt8(ascii: "]") {
            reader.index += 1
            depth -= 1
            return
        }
        while true {
            reader.skipSpace()
            try element(&self)
            reader.skipSpace()
            switch next {
            case UInt8(ascii: ","): reader.index += 1
            case UInt8(ascii: "]"):
                reader.index += 1
                depth -= 1
                return
            default: throw DirectDecodingMiss()
            }
        }
    }

    /// An array whose elements `element` reads.
    public mutating func list<T>(_ element: (inout DirectReader) throws(DirectDecodingMiss) -> T) throws(DirectDecodingMiss) -> [T] {
        var values: [T] = []
        try array { r throws(DirectDecodingMiss) in values.append(try element(&r)) }
        return values
    }

    /// An array of strings.
    public mutating func strings() throws(DirectDecodingMiss) -> [String] {
        try list { r throws(DirectDecodingMiss) in try r.string() }
    }

    /// An array of a byte-decodable type.
    public mutating func list<T: ByteDecodable>(of _: T.Type) throws(DirectDecodingMiss) -> [T] {
        try list { r throws(DirectDecodingMiss) in try T(reading: &r) }
    }

    /// The value read by `read`, or nil for `null` (an optional member, as `decodeIfPresent` reads it).
    public mutating func optional<T>(_ read: (inout DirectReader) throws(DirectDecodingMiss) -> T) throws(DirectDecodingMiss) -> T? {
        if null() { return nil }
        return try read(&self)
    }
}

/// The members a hand-written reading has seen, to require the non-optional ones at the end
/// (a missing one is a miss).
public struct SeenMembers {
    var bits: UInt64 = 0
    /// None seen.
    public init() {}
    /// Member `index` (0…63) seen.
    @inline(__always) public mutating func insert(_ index: Int) { bits |= 1 << UInt64(index) }
    /// Whether member `index` was seen.
    @inline(__always) public func contains(_ index: Int) -> Bool { bits & (1 << UInt64(index)) != 0 }
    /// Whether members 0..<count were all seen; a miss otherwise.
    @inline(__always) public func require(_ count: Int) throws(DirectDecodingMiss) {
        let mask: UInt64 = count >= 64 ? .max : (1 << UInt64(count)) - 1
        guard bits & mask == mask else { throw DirectDecodingMiss() }
    }
}

/// A `Decimal` that is a non-zero integer written as plain digits — exponent 0, a mantissa of at
/// most 64 bits —, read from its storage (`Decimal` keeps its mantissa private). The layout is
/// checked once against values whose parts are known; where it does not hold, nothing is read.
public enum PlainInteger {
    /// The mantissa and sign of `value`, or nil when it is not such an integer (or the layout
    /// is not the one known).
    @inlinable
    public static func read(_ value: Decimal) -> (mantissa: UInt64, negative: Bool)? {
        guard layoutHolds else { return nil }
        return storage(value)
    }

    /// The mantissa (at most 64 bits, not zero), exponent and sign of `value`; nil for any
    /// other value, or when the layout is not the one known.
    @inlinable
    public static func parts(_ value: Decimal) -> (mantissa: UInt64, exponent: Int, negative: Bool)? {
        guard layoutHolds else { return nil }
        return withUnsafeBytes(of: value) { bytes -> (UInt64, Int, Bool)? in
            let length = Int(bytes[1] >> 4)
            guard length >= 1, length <= 4 else { return nil }
            var mantissa: UInt64 = 0
            for word in stride(from: length - 1, through: 0, by: -1) {
                mantissa = mantissa << 16 | UInt64(bytes[4 + 2 * word]) | UInt64(bytes[5 + 2 * word]) << 8
            }
            return mantissa == 0 ? nil : (mantissa, Int(Int8(bitPattern: bytes[0])), bytes[1] & 0x08 != 0)
        }
    }

    /// Byte 0 the exponent; byte 1 the length in 16-bit words (high nibble) and the sign (bit 3);
    /// the mantissa's words from byte 4, least significant first.
    @usableFromInline
    static func storage(_ value: Decimal) -> (mantissa: UInt64, negative: Bool)? {
        guard MemoryLayout<Decimal>.size == 20 else { return nil }
        return withUnsafeBytes(of: value) { bytes -> (UInt64, Bool)? in
            let length = Int(bytes[1] >> 4)
            guard bytes[0] == 0, length >= 1, length <= 4 else { return nil }
            var mantissa: UInt64 = 0
            for word in stride(from: length - 1, through: 0, by: -1) {
                mantissa = mantissa << 16 | UInt64(bytes[4 + 2 * word]) | UInt64(bytes[5 + 2 * word]) << 8
            }
            return mantissa == 0 ? nil : (mantissa, bytes[1] & 0x08 != 0)
        }
    }

    /// Whether `storage` reads the known parts of known values here.
    @usableFromInline
    static let layoutHolds: Bool = {
        let known: [(Decimal, (UInt64, Bool)?)] = [
            (Decimal(string: "2025")!, (2025, false)), (Decimal(string: "-70000")!, (70_000, true)),
            (Decimal(UInt64.max), (UInt64.max, false)), (Decimal(string: "1.5")!, nil),
            (Decimal(string: "18446744073709551616")!, nil), (Decimal(0), nil),
        ]
        guard MemoryLayout<Decimal>.size == 20 else { return false }
        let integers = known.allSatisfy { value, parts in
            let read = storage(value)
            return read?.mantissa == parts?.0 && read?.negative == parts?.1
        }
        // `parts` reads the same storage without the layout check (it is this check's own).
        let fractions: [(Decimal, UInt64, Int8, Bool)] = [
            (Decimal(string: "-123.45")!, 12_345, -2, true), (Decimal(string: "0.000001")!, 1, -6, false),
            (Decimal(string: "-65536.7")!, 655_367, -1, true),
        ]
        return integers && fractions.allSatisfy { value, mantissa, exponent, negative in
            withUnsafeBytes(of: value) { bytes in
                let length = Int(bytes[1] >> 4)
                var read: UInt64 = 0
                for word in stride(from: length - 1, through: 0, by: -1) {
                    read = read << 16 | UInt64(bytes[4 + 2 * word]) | UInt64(bytes[5 + 2 * word]) << 8
                }
                return read == mantissa && Int8(bitPattern: bytes[0]) == exponent && (bytes[1] & 0x08 != 0) == negative
            }
        }
    }()
}
