import Foundation

/// Decodes a `Decodable` type straight from a parsed `JSONValue`, without writing the value out
/// as text and parsing it again with Foundation's `JSONDecoder`.
///
/// It gives the same values and throws the same errors (`DecodingError`: the same case, coding
/// path and debug description) as `JSONDecoder` with its default options decoding
/// `value.compactBytes` — the path a module's request took before (issue 16): numbers are exact
/// `Decimal`s taken from the parsed value (never through `Double`), integers follow
/// `JSONDecoder`'s rules on the number's plain text (`3.0` is 3, `3.5` is an error that reads
/// "The given data was not valid JSON."), `Date`, `URL` and `Data` as `JSONDecoder`'s default
/// strategies read them. `JSONValue` members are handed over as they are. `userInfo` is empty.
///
/// Not an error here but one in `JSONDecoder`: nothing (the text `JSONDecoder` would read is
/// always valid JSON). An object's members are visited in the dictionary's order, as
/// `JSONDecoder`'s are; which of two bad members of one dictionary is reported is therefore not
/// fixed, in either.
public struct JSONValueDecoder: Sendable {
    /// Whether a `DirectlyDecodable` type is first decoded by hand (the general way only when the
    /// hand-written decoding misses); false for the general way alone.
    public var usesDirectDecoding: Bool

    /// A decoder; `usesDirectDecoding` false decodes every type through the `Decodable` machinery.
    public init(usesDirectDecoding: Bool = true) {
        self.usesDirectDecoding = usesDirectDecoding
    }

    /// `T` decoded from `value`.
    public func decode<T: Decodable>(_ type: T.Type, from value: JSONValue) throws -> T {
        if usesDirectDecoding, let direct = type as? any DirectlyDecodable.Type, let decoded = direct.init(directly: value) {
            return decoded as! T
        }
        let impl = ValueDecoderImpl(value: value, node: .root)
        do {
            return try impl.unwrap(value, as: type, node: .root, key: nil)
        } catch is NumberNotRepresentable {
            // JSONDecoder reports a number its integer or floating-point types cannot hold as
            // invalid JSON, at the root.
            throw DecodingError.dataCorrupted(DecodingError.Context(codingPath: [], debugDescription: "The given data was not valid JSON."))
        }
    }
}

/// A number the requested Swift type cannot hold (JSONDecoder's `numberIsNotRepresentableInSwift`).
private struct NumberNotRepresentable: Error {}

/// A coding path built as a linked list, turned into an array only when asked (errors).
private indirect enum PathNode {
    case root
    case node(PathNode, any CodingKey)

    var path: [any CodingKey] {
        var keys: [any CodingKey] = []
        var current = self
        while case .node(let parent, let key) = current {
            keys.append(key)
            current = parent
        }
        return keys.reversed()
    }

    func appending(_ key: (any CodingKey)?) -> PathNode {
        guard let key else { return self }
        return .node(self, key)
    }

    func path(appending key: (any CodingKey)?) -> [any CodingKey] {
        appending(key).path
    }
}

/// An array element's key, as JSONDecoder writes it (`Index 3`, int value 3).
private struct IndexKey: CodingKey {
    var stringValue: String
    var intValue: Int?
    init(index: Int) {
        stringValue = "Index \(index)"
        intValue = index
    }
    init?(stringValue: String) { return nil }
    init?(intValue: Int) { self.init(index: intValue) }
}

extension JSONValue {
    /// How JSONDecoder names a value's kind in its errors.
    fileprivate var kindDescription: String {
        switch self {
        case .array: "an array"
        case .bool: "bool"
        case .number: "number"
        case .string: "a string"
        case .object: "a dictionary"
        case .null: "null"
        }
    }
}

private final class ValueDecoderImpl: Decoder {
    var value: JSONValue
    var node: PathNode

    init(value: JSONValue, node: PathNode) {
        self.value = value
        self.node = node
    }

    var codingPath: [any CodingKey] { node.path }
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy _: Key.Type) throws -> KeyedDecodingContainer<Key> {
        switch value {
        case .object(let members):
            return KeyedDecodingContainer(KeyedContainer<Key>(impl: self, node: node, members: members))
        case .null:
            throw DecodingError.valueNotFound([String: Any].self, DecodingError.Context(
                codingPath: codingPath, debugDescription: "Cannot get keyed decoding container -- found null value instead"))
        default:
            throw DecodingError.typeMismatch([String: Any].self, DecodingError.Context(
                codingPath: codingPath,
                debugDescription: "Expected to decode \([String: Any].self) but found \(value.kindDescription) instead."))
        }
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
        switch value {
        case .array(let elements):
            return UnkeyedContainer(impl: self, node: node, elements: elements)
        case .null:
            throw DecodingError.valueNotFound([Any].self, DecodingError.Context(
                codingPath: codingPath, debugDescription: "Cannot get unkeyed decoding container -- found null value instead"))
        default:
            throw DecodingError.typeMismatch([Any].self, DecodingError.Context(
                codingPath: codingPath,
                debugDescription: "Expected to decode \([Any].self) but found \(value.kindDescription) instead."))
        }
    }

    func singleValueContainer() throws -> any SingleValueDecodingContainer { self }

    /// Runs `body` with `value` at `node` as the decoder's current value.
    @inline(__always)
    func with<T>(_ value: JSONValue, _ node: PathNode, _ body: () throws -> T) rethrows -> T {
        let (oldValue, oldNode) = (self.value, self.node)
        self.value = value
        self.node = node
        defer {
            self.value = oldValue
            self.node = oldNode
        }
        return try body()
    }

    func checkNotNull<T>(_ value: JSONValue, _ type: T.Type, _ node: PathNode, _ key: (any CodingKey)?) throws {
        if case .null = value {
            throw DecodingError.valueNotFound(type, DecodingError.Context(
                codingPath: node.path(appending: key), debugDescription: "Cannot get value of type \(type) -- found null value instead"))
        }
    }

    func typeMismatch(_ type: Any.Type, _ path: [any CodingKey], _ value: JSONValue) -> DecodingError {
        DecodingError.typeMismatch(type, DecodingError.Context(
            codingPath: path, debugDescription: "Expected to decode \(type) but found \(value.kindDescription) instead."))
    }

    func unwrap<T: Decodable>(_ value: JSONValue, as type: T.Type, node: PathNode, key: (any CodingKey)?) throws -> T {
        if type == Decimal.self {
            try checkNotNull(value, Decimal.self, node, key)
            guard case .number(let number) = value else {
                throw DecodingError.typeMismatch(Decimal.self, DecodingError.Context(codingPath: node.path(appending: key), debugDescription: ""))
            }
            return number as! T
        }
        if type == JSONValue.self {
            return value as! T
        }
        if type == String.self {
            return try unwrapString(value, node, key) as! T
        }
        if type == Data.self {
            try checkNotNull(value, Data.self, node, key)
            guard case .string(let text) = value else { throw typeMismatch(String.self, node.path(appending: key), value) }
            guard let data = Data(base64Encoded: text) else {
                throw DecodingError.dataCorrupted(DecodingError.Context(
                    codingPath: node.path(appending: key), debugDescription: "Encountered Data is not valid Base64."))
            }
            return data as! T
        }
        if type == URL.self {
            try checkNotNull(value, URL.self, node, key)
            let text = try unwrapString(value, node, key)
            guard let url = URL(string: text) else {
                throw DecodingError.dataCorrupted(DecodingError.Context(codingPath: node.path(appending: key), debugDescription: "Invalid URL string."))
            }
            return url as! T
        }
        if type == Date.self {
            try checkNotNull(value, Date.self, node, key)
        }
        return try with(value, node.appending(key)) { try T(from: self) }
    }

    func unwrapString(_ value: JSONValue, _ node: PathNode, _ key: (any CodingKey)?) throws -> String {
        try checkNotNull(value, String.self, node, key)
        guard case .string(let text) = value else { throw typeMismatch(String.self, node.path(appending: key), value) }
        return text
    }

    func unwrapBool(_ value: JSONValue, _ path: @autoclosure () -> [any CodingKey]) throws -> Bool {
        guard case .bool(let flag) = value else { throw typeMismatch(Bool.self, path(), value) }
        return flag
    }

    /// An integer as JSONDecoder reads it from the number's plain text: digits straight; else
    /// through `Double` when exact and below 2⁵³; else the decimal truncated.
    func unwrapInteger<T: FixedWidthInteger>(_ value: JSONValue, as type: T.Type, _ node: PathNode, _ key: (any CodingKey)?) throws -> T {
        try checkNotNull(value, type, node, key)
        guard case .number(let number) = value else { throw typeMismatch(type, node.path(appending: key), value) }
        var copy = number
        let text = NSDecimalString(&copy, nil)
        if let integer = T(text) { return integer }
        if let double = Double(text) {
            guard let integer = T(exactly: double) else { throw NumberNotRepresentable() }
            if double.magnitude < 9_007_199_254_740_992 { return integer }
        }
        // The truncated mantissa, refused as JSONDecoder's is when it outgrows 64 bits.
        var digits: UInt64 = 0
        var fraction = 0
        var afterPoint = false
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "-"): continue
            case UInt8(ascii: "."): afterPoint = true
            default:
                let (times, overflow1) = digits.multipliedReportingOverflow(by: 10)
                let (sum, overflow2) = times.addingReportingOverflow(UInt64(byte &- UInt8(ascii: "0")))
                guard !overflow1, !overflow2 else { throw NumberNotRepresentable() }
                digits = sum
                if afterPoint { fraction += 1 }
            }
        }
        for _ in 0..<fraction { digits /= 10 }
        if number < 0 {
            guard T.isSigned, let magnitude = T(exactly: digits) else { throw NumberNotRepresentable() }
            return 0 - magnitude
        }
        guard let integer = T(exactly: digits) else { throw NumberNotRepresentable() }
        return integer
    }

    /// A floating-point number as JSONDecoder reads it from the number's plain text: finite, and
    /// not rounded to zero from a non-zero number.
    func unwrapFloat<T: BinaryFloatingPoint & LosslessStringConvertible>(
        _ value: JSONValue, as type: T.Type, _ node: PathNode, _ key: (any CodingKey)?
    ) throws -> T {
        try checkNotNull(value, type, node, key)
        guard case .number(let number) = value else { throw typeMismatch(type, node.path(appending: key), value) }
        var copy = number
        guard let float = T(NSDecimalString(&copy, nil)), float.isFinite, float != 0 || number == 0 else {
            throw NumberNotRepresentable()
        }
        return float
    }
}

extension ValueDecoderImpl: SingleValueDecodingContainer {
    func decodeNil() -> Bool {
        if case .null = value { return true }
        return false
    }
    func decode(_: Bool.Type) throws -> Bool { try unwrapBool(value, codingPath) }
    func decode(_: String.Type) throws -> String { try unwrapString(value, node, nil) }
    func decode(_ type: Double.Type) throws -> Double { try unwrapFloat(value, as: type, node, nil) }
    func decode(_ type: Float.Type) throws -> Float { try unwrapFloat(value, as: type, node, nil) }
    func decode(_ type: Int.Type) throws -> Int { try unwrapInteger(value, as: type, node, nil) }
    func decode(_ type: Int8.Type) throws -> Int8 { try unwrapInteger(value, as: type, node, nil) }
    func decode(_ type: Int16.Type) throws -> Int16 { try unwrapInteger(value, as: type, node, nil) }
    func decode(_ type: Int32.Type) throws -> Int32 { try unwrapInteger(value, as: type, node, nil) }
    func decode(_ type: Int64.Type) throws -> Int64 { try unwrapInteger(value, as: type, node, nil) }
    func decode(_ type: UInt.Type) throws -> UInt { try unwrapInteger(value, as: type, node, nil) }
    func decode(_ type: UInt8.Type) throws -> UInt8 { try unwrapInteger(value, as: type, node, nil) }
    func decode(_ type: UInt16.Type) throws -> UInt16 { try unwrapInteger(value, as: type, node, nil) }
    func decode(_ type: UInt32.Type) throws -> UInt32 { try unwrapInteger(value, as: type, node, nil) }
    func decode(_ type: UInt64.Type) throws -> UInt64 { try unwrapInteger(value, as: type, node, nil) }
    func decode<T: Decodable>(_ type: T.Type) throws -> T { try unwrap(value, as: type, node: node, key: nil) }
}

private struct KeyedContainer<Key: CodingKey>: KeyedDecodingContainerProtocol {
    let impl: ValueDecoderImpl
    let node: PathNode
    let members: [String: JSONValue]

    var codingPath: [any CodingKey] { node.path }
    var allKeys: [Key] { members.keys.compactMap { Key(stringValue: $0) } }
    func contains(_ key: Key) -> Bool { members[key.stringValue] != nil }

    @inline(__always)
    private func value(_ key: Key) throws -> JSONValue {
        guard let value = members[key.stringValue] else {
            throw DecodingError.keyNotFound(key, DecodingError.Context(
                codingPath: codingPath, debugDescription: "No value associated with key \(key) (\"\(key.stringValue)\")."))
        }
        return value
    }

    /// The member, or nil when it is absent or null.
    @inline(__always)
    private func present(_ key: Key) -> JSONValue? {
        switch members[key.stringValue] {
        case nil, .null?: nil
        case let value?: value
        }
    }

    func decodeNil(forKey key: Key) throws -> Bool {
        if case .null = try value(key) { return true }
        return false
    }

    func decode(_: Bool.Type, forKey key: Key) throws -> Bool { try impl.unwrapBool(try value(key), node.path(appending: key)) }
    func decode(_: String.Type, forKey key: Key) throws -> String { try impl.unwrapString(try value(key), node, key) }
    func decode(_ type: Double.Type, forKey key: Key) throws -> Double { try impl.unwrapFloat(try value(key), as: type, node, key) }
    func decode(_ type: Float.Type, forKey key: Key) throws -> Float { try impl.unwrapFloat(try value(key), as: type, node, key) }
    func decode(_ type: Int.Type, forKey key: Key) throws -> Int { try impl.unwrapInteger(try value(key), as: type, node, key) }
    func decode(_ type: Int8.Type, forKey key: Key) throws -> Int8 { try impl.unwrapInteger(try value(key), as: type, node, key) }
    func decode(_ type: Int16.Type, forKey key: Key) throws -> Int16 { try impl.unwrapInteger(try value(key), as: type, node, key) }
    func decode(_ type: Int32.Type, forKey key: Key) throws -> Int32 { try impl.unwrapInteger(try value(key), as: type, node, key) }
    func decode(_ type: Int64.Type, forKey key: Key) throws -> Int64 { try impl.unwrapInteger(try value(key), as: type, node, key) }
    func decode(_ type: UInt.Type, forKey key: Key) throws -> UInt { try impl.unwrapInteger(try value(key), as: type, node, key) }
    func decode(_ type: UInt8.Type, forKey key: Key) throws -> UInt8 { try impl.unwrapInteger(try value(key), as: type, node, key) }
    func decode(_ type: UInt16.Type, forKey key: Key) throws -> UInt16 { try impl.unwrapInteger(try value(key), as: type, node, key) }
    func decode(_ type: UInt32.Type, forKey key: Key) throws -> UInt32 { try impl.unwrapInteger(try value(key), as: type, node, key) }
    func decode(_ type: UInt64.Type, forKey key: Key) throws -> UInt64 { try impl.unwrapInteger(try value(key), as: type, node, key) }
    func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T {
        try impl.unwrap(try value(key), as: type, node: node, key: key)
    }

    func decodeIfPresent(_: Bool.Type, forKey key: Key) throws -> Bool? {
        try present(key).map { try impl.unwrapBool($0, node.path(appending: key)) }
    }
    func decodeIfPresent(_: String.Type, forKey key: Key) throws -> String? { try present(key).map { try impl.unwrapString($0, node, key) } }
    func decodeIfPresent(_ type: Double.Type, forKey key: Key) throws -> Double? { try present(key).map { try impl.unwrapFloat($0, as: type, node, key) } }
    func decodeIfPresent(_ type: Float.Type, forKey key: Key) throws -> Float? { try present(key).map { try impl.unwrapFloat($0, as: type, node, key) } }
    func decodeIfPresent(_ type: Int.Type, forKey key: Key) throws -> Int? { try present(key).map { try impl.unwrapInteger($0, as: type, node, key) } }
    func decodeIfPresent(_ type: Int8.Type, forKey key: Key) throws -> Int8? { try present(key).map { try impl.unwrapInteger($0, as: type, node, key) } }
    func decodeIfPresent(_ type: Int16.Type, forKey key: Key) throws -> Int16? { try present(key).map { try impl.unwrapInteger($0, as: type, node, key) } }
    func decodeIfPresent(_ type: Int32.Type, forKey key: Key) throws -> Int32? { try present(key).map { try impl.unwrapInteger($0, as: type, node, key) } }
    func decodeIfPresent(_ type: Int64.Type, forKey key: Key) throws -> Int64? { try present(key).map { try impl.unwrapInteger($0, as: type, node, key) } }
    func decodeIfPresent(_ type: UInt.Type, forKey key: Key) throws -> UInt? { try present(key).map { try impl.unwrapInteger($0, as: type, node, key) } }
    func decodeIfPresent(_ type: UInt8.Type, forKey key: Key) throws -> UInt8? { try present(key).map { try impl.unwrapInteger($0, as: type, node, key) } }
    func decodeIfPresent(_ type: UInt16.Type, forKey key: Key) throws -> UInt16? { try present(key).map { try impl.unwrapInteger($0, as: type, node, key) } }
    func decodeIfPresent(_ type: UInt32.Type, forKey key: Key) throws -> UInt32? { try present(key).map { try impl.unwrapInteger($0, as: type, node, key) } }
    func decodeIfPresent(_ type: UInt64.Type, forKey key: Key) throws -> UInt64? { try present(key).map { try impl.unwrapInteger($0, as: type, node, key) } }
    func decodeIfPresent<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T? {
        try present(key).map { try impl.unwrap($0, as: type, node: node, key: key) }
    }

    func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type, forKey key: Key) throws -> KeyedDecodingContainer<NestedKey> {
        let member = try value(key)
        return try impl.with(member, node.appending(key)) { try impl.container(keyedBy: type) }
    }

    func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer {
        let member = try value(key)
        return try impl.with(member, node.appending(key)) { try impl.unkeyedContainer() }
    }

    func superDecoder() throws -> any Decoder {
        ValueDecoderImpl(value: members["super"] ?? .null, node: node.appending(SuperKey()))
    }

    func superDecoder(forKey key: Key) throws -> any Decoder {
        ValueDecoderImpl(value: members[key.stringValue] ?? .null, node: node.appending(key))
    }
}

private struct SuperKey: CodingKey {
    var stringValue: String { "super" }
    var intValue: Int? { nil }
    init() {}
    init?(stringValue: String) { return nil }
    init?(intValue: Int) { return nil }
}

private struct UnkeyedContainer: UnkeyedDecodingContainer {
    let impl: ValueDecoderImpl
    let node: PathNode
    let elements: [JSONValue]
    var currentIndex = 0

    init(impl: ValueDecoderImpl, node: PathNode, elements: [JSONValue]) {
        self.impl = impl
        self.node = node
        self.elements = elements
    }

    var codingPath: [any CodingKey] { node.path }
    var count: Int? { elements.count }
    var isAtEnd: Bool { currentIndex >= elements.count }
    private var indexKey: IndexKey { IndexKey(index: currentIndex) }

    private func next<T>(_ type: T.Type) throws -> JSONValue {
        guard currentIndex < elements.count else {
            let message = T.self == (any Decoder).self
                ? "Cannot get superDecoder() -- unkeyed container is at end." : "Unkeyed container is at end."
            throw DecodingError.valueNotFound(type, DecodingError.Context(codingPath: node.path(appending: indexKey), debugDescription: message))
        }
        return elements[currentIndex]
    }

    private func nextIfPresent() -> JSONValue? {
        guard currentIndex < elements.count else { return nil }
        if case .null = elements[currentIndex] { return nil }
        return elements[currentIndex]
    }

    mutating func decodeNil() throws -> Bool {
        if case .null = try next(Never.self) {
            currentIndex += 1
            return true
        }
        return false
    }

    /// The next element read by `read` (decoder, element, this container's node, the element's key); then the index moves on.
    private mutating func take<T>(_ type: T.Type, _ read: (ValueDecoderImpl, JSONValue, PathNode, IndexKey) throws -> T) throws -> T {
        let result = try read(impl, try next(type), node, indexKey)
        currentIndex += 1
        return result
    }

    /// The next element read by `read`, or nil when absent or null; the index moves on either way.
    private mutating func takeIfPresent<T>(_ read: (ValueDecoderImpl, JSONValue, PathNode, IndexKey) throws -> T) throws -> T? {
        let result = try nextIfPresent().map { try read(impl, $0, node, indexKey) }
        currentIndex += 1
        return result
    }

    mutating func decode(_ type: Bool.Type) throws -> Bool { try take(type) { try $0.unwrapBool($1, $2.path(appending: $3)) } }
    mutating func decode(_ type: String.Type) throws -> String { try take(type) { try $0.unwrapString($1, $2, $3) } }
    mutating func decode(_ type: Double.Type) throws -> Double { try take(type) { try $0.unwrapFloat($1, as: type, $2, $3) } }
    mutating func decode(_ type: Float.Type) throws -> Float { try take(type) { try $0.unwrapFloat($1, as: type, $2, $3) } }
    mutating func decode(_ type: Int.Type) throws -> Int { try take(type) { try $0.unwrapInteger($1, as: type, $2, $3) } }
    mutating func decode(_ type: Int8.Type) throws -> Int8 { try take(type) { try $0.unwrapInteger($1, as: type, $2, $3) } }
    mutating func decode(_ type: Int16.Type) throws -> Int16 { try take(type) { try $0.unwrapInteger($1, as: type, $2, $3) } }
    mutating func decode(_ type: Int32.Type) throws -> Int32 { try take(type) { try $0.unwrapInteger($1, as: type, $2, $3) } }
    mutating func decode(_ type: Int64.Type) throws -> Int64 { try take(type) { try $0.unwrapInteger($1, as: type, $2, $3) } }
    mutating func decode(_ type: UInt.Type) throws -> UInt { try take(type) { try $0.unwrapInteger($1, as: type, $2, $3) } }
    mutating func decode(_ type: UInt8.Type) throws -> UInt8 { try take(type) { try $0.unwrapInteger($1, as: type, $2, $3) } }
    mutating func decode(_ type: UInt16.Type) throws -> UInt16 { try take(type) { try $0.unwrapInteger($1, as: type, $2, $3) } }
    mutating func decode(_ type: UInt32.Type) throws -> UInt32 { try take(type) { try $0.unwrapInteger($1, as: type, $2, $3) } }
    mutating func decode(_ type: UInt64.Type) throws -> UInt64 { try take(type) { try $0.unwrapInteger($1, as: type, $2, $3) } }
    mutating func decode<T: Decodable>(_ type: T.Type) throws -> T { try take(type) { try $0.unwrap($1, as: type, node: $2, key: $3) } }

    mutating func decodeIfPresent(_ type: Bool.Type) throws -> Bool? { try takeIfPresent { try $0.unwrapBool($1, $2.path(appending: $3)) } }
    mutating func decodeIfPresent(_ type: String.Type) throws -> String? { try takeIfPresent { try $0.unwrapString($1, $2, $3) } }
    mutating func decodeIfPresent(_ type: Double.Type) throws -> Double? { try takeIfPresent { try $0.unwrapFloat($1, as: type, $2, $3) } }
    mutating func decodeIfPresent(_ type: Float.Type) throws -> Float? { try takeIfPresent { try $0.unwrapFloat($1, as: type, $2, $3) } }
    mutating func decodeIfPresent(_ type: Int.Type) throws -> Int? { try takeIfPresent { try $0.unwrapInteger($1, as: type, $2, $3) } }
    mutating func decodeIfPresent(_ type: Int8.Type) throws -> Int8? { try takeIfPresent { try $0.unwrapInteger($1, as: type, $2, $3) } }
    mutating func decodeIfPresent(_ type: Int16.Type) throws -> Int16? { try takeIfPresent { try $0.unwrapInteger($1, as: type, $2, $3) } }
    mutating func decodeIfPresent(_ type: Int32.Type) throws -> Int32? { try takeIfPresent { try $0.unwrapInteger($1, as: type, $2, $3) } }
    mutating func decodeIfPresent(_ type: Int64.Type) throws -> Int64? { try takeIfPresent { try $0.unwrapInteger($1, as: type, $2, $3) } }
    mutating func decodeIfPresent(_ type: UInt.Type) throws -> UInt? { try takeIfPresent { try $0.unwrapInteger($1, as: type, $2, $3) } }
    mutating func decodeIfPresent(_ type: UInt8.Type) throws -> UInt8? { try takeIfPresent { try $0.unwrapInteger($1, as: type, $2, $3) } }
    mutating func decodeIfPresent(_ type: UInt16.Type) throws -> UInt16? { try takeIfPresent { try $0.unwrapInteger($1, as: type, $2, $3) } }
    mutating func decodeIfPresent(_ type: UInt32.Type) throws -> UInt32? { try takeIfPresent { try $0.unwrapInteger($1, as: type, $2, $3) } }
    mutating func decodeIfPresent(_ type: UInt64.Type) throws -> UInt64? { try takeIfPresent { try $0.unwrapInteger($1, as: type, $2, $3) } }
    mutating func decodeIfPresent<T: Decodable>(_ type: T.Type) throws -> T? {
        try takeIfPresent { try $0.unwrap($1, as: type, node: $2, key: $3) }
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type) throws -> KeyedDecodingContainer<NestedKey> {
        let element = try next(KeyedDecodingContainer<NestedKey>.self)
        let container = try impl.with(element, node.appending(indexKey)) { try impl.container(keyedBy: type) }
        currentIndex += 1
        return container
    }

    mutating func nestedUnkeyedContainer() throws -> any UnkeyedDecodingContainer {
        let element = try next((any UnkeyedDecodingContainer).self)
        let container = try impl.with(element, node.appending(indexKey)) { try impl.unkeyedContainer() }
        currentIndex += 1
        return container
    }

    mutating func superDecoder() throws -> any Decoder {
        let element = try next((any Decoder).self)
        let decoder = ValueDecoderImpl(value: element, node: node.appending(indexKey))
        currentIndex += 1
        return decoder
    }
}
