/// The header fields of a request or a response, in the order they were given.
///
/// Names compare case-insensitively (ASCII), as HTTP says; the spelling given is kept. A name may
/// occur more than once and every occurrence is kept, in order: `values(for:)` returns them all,
/// the subscript the first. The type does not validate: the parser only builds headers that passed
/// its checks, and the response writer checks what a handler sets before writing it.
public struct HTTPHeaders: Sendable, Hashable, Sequence, ExpressibleByDictionaryLiteral {
    /// One header field line.
    public struct Field: Sendable, Hashable {
        /// The field name as given (compare it with `HTTPHeaders.nameMatches`).
        public var name: String
        /// The field value, without leading or trailing whitespace when it came from the parser.
        public var value: String

        /// A field `name: value`.
        public init(name: String, value: String) {
            self.name = name
            self.value = value
        }
    }

    /// The fields in order.
    public private(set) var fields: [Field]

    /// Headers holding `fields` in order.
    public init(_ fields: [Field] = []) {
        self.fields = fields
    }

    /// Headers from a literal; repeated names are kept, in order.
    public init(dictionaryLiteral elements: (String, String)...) {
        self.fields = elements.map { Field(name: $0.0, value: $0.1) }
    }

    /// The number of field lines.
    public var count: Int { fields.count }

    /// The value of the first field named `name` (any case), or nil.
    public subscript(name: String) -> String? {
        fields.first { Self.nameMatches($0.name, name) }?.value
    }

    /// The values of every field named `name` (any case), in order.
    public func values(for name: String) -> [String] {
        fields.filter { Self.nameMatches($0.name, name) }.map(\.value)
    }

    /// True when some field is named `name` (any case).
    public func contains(_ name: String) -> Bool {
        fields.contains { Self.nameMatches($0.name, name) }
    }

    /// Appends a field, keeping any others of the same name.
    public mutating func add(name: String, value: String) {
        fields.append(Field(name: name, value: value))
    }

    /// Replaces every field named `name` (any case) with one field `name: value`, placed where the
    /// first one was, or at the end.
    public mutating func set(name: String, value: String) {
        if let first = fields.firstIndex(where: { Self.nameMatches($0.name, name) }) {
            fields[first] = Field(name: name, value: value)
            var index = fields.index(after: first)
            while index < fields.endIndex {
                if Self.nameMatches(fields[index].name, name) { fields.remove(at: index) } else { index += 1 }
            }
        } else {
            add(name: name, value: value)
        }
    }

    /// Removes every field named `name` (any case).
    public mutating func remove(name: String) {
        fields.removeAll { Self.nameMatches($0.name, name) }
    }

    /// Iterates the fields in order.
    public func makeIterator() -> IndexingIterator<[Field]> { fields.makeIterator() }

    /// True when two field names are equal ignoring ASCII case.
    public static func nameMatches(_ a: String, _ b: String) -> Bool {
        let x = a.utf8, y = b.utf8
        guard x.count == y.count else { return false }
        return zip(x, y).allSatisfy { lowercase($0) == lowercase($1) }
    }

    private static func lowercase(_ byte: UInt8) -> UInt8 {
        byte >= 0x41 && byte <= 0x5A ? byte | 0x20 : byte
    }
}
