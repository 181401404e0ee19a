/// An array parameter written in PostgreSQL's text format (`{"a","b",NULL}`), built element by
/// element, typed by its array type: for functions that take one array per column and `unnest`
/// them, so that many rows reach the server in one parameter each without a JSON document around
/// them.
///
/// Every element but NULL is written quoted, with `"` and `\` escaped, so any text is safe — SQL
/// never sees it as SQL. Numbers are written as they are.
public struct ArrayLiteral: Sendable, Hashable, PostgresEncodable {
    /// The array types an `ArrayLiteral` may have.
    public enum ElementType: UInt32, Sendable, Hashable {
        case bigint = 1016, smallint = 1005, integer = 1007, text = 1009, uuid = 2951, jsonb = 3807, boolean = 1000
    }

    /// The literal so far, without its closing brace.
    private var bytes: [UInt8]
    /// How many elements it holds.
    public private(set) var count = 0
    /// The array's type.
    public let type: ElementType

    /// An empty array of `type`; `capacity` is a hint of the literal's size in bytes.
    public init(_ type: ElementType, capacity: Int = 64) {
        self.type = type
        bytes = [UInt8(ascii: "{")]
        bytes.reserveCapacity(capacity)
    }

    /// An array of the texts `elements` (NULL for nil).
    public init<S: Sequence>(_ type: ElementType, texts elements: S) where S.Element == String? {
        self.init(type)
        for element in elements { append(element) }
    }

    /// An array of the numbers `elements`.
    public init<S: Sequence>(_ type: ElementType, numbers elements: S) where S.Element: BinaryInteger {
        self.init(type)
        for element in elements { append(number: element) }
    }

    private mutating func separate() {
        if count > 0 { bytes.append(UInt8(ascii: ",")) }
        count += 1
    }

    /// Appends NULL.
    public mutating func appendNull() {
        separate()
        bytes.append(contentsOf: "NULL".utf8)
    }

    /// Appends `number`.
    public mutating func append<N: BinaryInteger>(number: N) {
        separate()
        bytes.append(contentsOf: String(number).utf8)
    }

    /// Appends `text`, quoted (NULL for nil).
    public mutating func append(_ text: String?) {
        guard var text else { return appendNull() }
        separate()
        text.withUTF8 { appendQuoted($0) }
    }

    /// Appends the UTF-8 text `utf8` (for example a JSON document for a jsonb array), quoted;
    /// NULL for nil.
    public mutating func append(utf8: [UInt8]?) {
        guard let utf8 else { return appendNull() }
        separate()
        utf8.withUnsafeBufferPointer { appendQuoted($0) }
    }

    private mutating func appendQuoted(_ text: UnsafeBufferPointer<UInt8>) {
        bytes.append(UInt8(ascii: "\""))
        var plainStart = 0
        for index in 0..<text.count where text[index] == UInt8(ascii: "\"") || text[index] == UInt8(ascii: "\\") {
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: text[plainStart..<index]))
            bytes.append(UInt8(ascii: "\\"))
            plainStart = index
        }
        bytes.append(contentsOf: UnsafeBufferPointer(rebasing: text[plainStart..<text.count]))
        bytes.append(UInt8(ascii: "\""))
    }

    public var postgresValue: PostgresValue {
        PostgresValue(bytes: bytes + [UInt8(ascii: "}")], typeOID: type.rawValue)
    }
}
