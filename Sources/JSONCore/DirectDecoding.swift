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
