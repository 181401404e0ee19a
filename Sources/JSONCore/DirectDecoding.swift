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
