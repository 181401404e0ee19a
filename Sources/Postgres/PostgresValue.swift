import Foundation

/// A value ready to travel as a statement parameter: its bytes, their format and its type.
///
/// Values only ever travel as `$n` parameters, never spliced into SQL text.
public struct PostgresValue: Sendable, Hashable {
    /// nil is SQL NULL.
    public var bytes: [UInt8]?
    /// false: text format; true: binary format (used for bytea).
    public var isBinary: Bool
    /// The parameter's type OID, or 0 to let the server infer it from the statement.
    public var typeOID: UInt32

    public init(bytes: [UInt8]?, isBinary: Bool = false, typeOID: UInt32 = 0) {
        self.bytes = bytes
        self.isBinary = isBinary
        self.typeOID = typeOID
    }

    /// SQL NULL of an unspecified type.
    public static let null = PostgresValue(bytes: nil)

    /// A text-format value of the given type.
    public static func text(_ text: String, typeOID: UInt32 = 0) -> PostgresValue {
        PostgresValue(bytes: Array(text.utf8), typeOID: typeOID)
    }
}

/// Type OIDs this client names explicitly.
public enum PostgresType {
    public static let bool: UInt32 = 16
    public static let bytea: UInt32 = 17
    public static let int8: UInt32 = 20
    public static let int2: UInt32 = 21
    public static let int4: UInt32 = 23
    public static let text: UInt32 = 25
    public static let oid: UInt32 = 26
    public static let json: UInt32 = 114
    public static let varchar: UInt32 = 1043
    public static let bpchar: UInt32 = 1042
    public static let date: UInt32 = 1082
    public static let timestamp: UInt32 = 1114
    public static let timestamptz: UInt32 = 1184
    public static let numeric: UInt32 = 1700
    public static let uuid: UInt32 = 2950
    public static let jsonb: UInt32 = 3802
    public static let name: UInt32 = 19
    public static let float8: UInt32 = 701
    public static let textArray: UInt32 = 1009

    static func name(of oid: UInt32) -> String {
        switch oid {
        case bool: return "boolean"
        case bytea: return "bytea"
        case int8: return "bigint"
        case int2: return "smallint"
        case int4: return "integer"
        case text: return "text"
        case json: return "json"
        case varchar: return "varchar"
        case bpchar: return "char"
        case date: return "date"
        case timestamp: return "timestamp"
        case timestamptz: return "timestamptz"
        case numeric: return "numeric"
        case uuid: return "uuid"
        case jsonb: return "jsonb"
        case name: return "name"
        case float8: return "double precision"
        default: return "type oid \(oid)"
        }
    }
}

/// A Swift type that can be sent as a statement parameter.
public protocol PostgresEncodable: Sendable {
    var postgresValue: PostgresValue { get }
}

/// A Swift type that can be read from a column in text format.
///
/// `decode` receives the column's text and type OID; a mismatch throws `PostgresError.decoding`
/// naming the column, the Swift type and what was found.
public protocol PostgresDecodable {
    static func decode(text: String, typeOID: UInt32, column: String) throws -> Self
    /// Called for SQL NULL; only optionals accept it.
    static func decodeNull(column: String) throws -> Self
}

extension PostgresDecodable {
    public static func decodeNull(column: String) throws -> Self {
        throw PostgresError.decoding(column: column, expected: "\(Self.self)", found: "NULL")
    }

    static func mismatch(_ column: String, _ typeOID: UInt32) -> PostgresError {
        .decoding(column: column, expected: "\(Self.self)", found: PostgresType.name(of: typeOID))
    }
}

extension Optional: PostgresEncodable where Wrapped: PostgresEncodable {
    public var postgresValue: PostgresValue {
        switch self {
        case .some(let value): return value.postgresValue
        case .none: return .null
        }
    }
}

extension Optional: PostgresDecodable where Wrapped: PostgresDecodable {
    public static func decode(text: String, typeOID: UInt32, column: String) throws -> Wrapped? {
        try Wrapped.decode(text: text, typeOID: typeOID, column: column)
    }

    public static func decodeNull(column: String) throws -> Wrapped? { nil }
}

extension PostgresValue: PostgresEncodable {
    public var postgresValue: PostgresValue { self }
}

// MARK: - Scalars

extension Int: PostgresEncodable, PostgresDecodable {
    public var postgresValue: PostgresValue { .text(String(self), typeOID: PostgresType.int8) }

    public static func decode(text: String, typeOID: UInt32, column: String) throws -> Int {
        guard [PostgresType.int2, PostgresType.int4, PostgresType.int8, PostgresType.oid].contains(typeOID),
            let value = Int(text)
        else { throw mismatch(column, typeOID) }
        return value
    }
}

extension Int64: PostgresEncodable, PostgresDecodable {
    public var postgresValue: PostgresValue { .text(String(self), typeOID: PostgresType.int8) }

    public static func decode(text: String, typeOID: UInt32, column: String) throws -> Int64 {
        guard [PostgresType.int2, PostgresType.int4, PostgresType.int8, PostgresType.oid].contains(typeOID),
            let value = Int64(text)
        else { throw mismatch(column, typeOID) }
        return value
    }
}

extension Int32: PostgresEncodable, PostgresDecodable {
    public var postgresValue: PostgresValue { .text(String(self), typeOID: PostgresType.int4) }

    public static func decode(text: String, typeOID: UInt32, column: String) throws -> Int32 {
        guard [PostgresType.int2, PostgresType.int4].contains(typeOID), let value = Int32(text)
        else { throw mismatch(column, typeOID) }
        return value
    }
}

extension Bool: PostgresEncodable, PostgresDecodable {
    public var postgresValue: PostgresValue { .text(self ? "t" : "f", typeOID: PostgresType.bool) }

    public static func decode(text: String, typeOID: UInt32, column: String) throws -> Bool {
        guard typeOID == PostgresType.bool else { throw mismatch(column, typeOID) }
        return text == "t"
    }
}

extension String: PostgresEncodable, PostgresDecodable {
    /// Sent with an unspecified type so the server coerces it to the column's type (text, varchar,
    /// char, an enum, a date written as text …).
    public var postgresValue: PostgresValue { .text(self) }

    /// Any column reads as its text form except bytea, whose text form is an escape, not the value.
    public static func decode(text: String, typeOID: UInt32, column: String) throws -> String {
        guard typeOID != PostgresType.bytea else { throw mismatch(column, typeOID) }
        return text
    }
}

extension Decimal: PostgresEncodable, PostgresDecodable {
    public var postgresValue: PostgresValue {
        .text(NSDecimalNumber(decimal: self).description(withLocale: Locale(identifier: "en_US_POSIX")),
            typeOID: PostgresType.numeric)
    }

    /// Reads numeric (and integer) columns exactly; a numeric with more significant digits than
    /// `Decimal` holds (38), or NaN/Infinity, is an error rather than a rounded value.
    public static func decode(text: String, typeOID: UInt32, column: String) throws -> Decimal {
        guard [PostgresType.numeric, PostgresType.int2, PostgresType.int4, PostgresType.int8].contains(typeOID)
        else { throw mismatch(column, typeOID) }
        let digits = text.utf8.filter { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }
        let significant = digits.drop(while: { $0 == UInt8(ascii: "0") })
        guard significant.count <= 38, let value = Decimal(string: text, locale: Locale(identifier: "en_US_POSIX"))
        else { throw PostgresError.decoding(column: column, expected: "Decimal", found: "numeric \(text.prefix(40))") }
        return value
    }
}

extension UUID: PostgresEncodable, PostgresDecodable {
    public var postgresValue: PostgresValue { .text(uuidString.lowercased(), typeOID: PostgresType.uuid) }

    public static func decode(text: String, typeOID: UInt32, column: String) throws -> UUID {
        guard typeOID == PostgresType.uuid, let value = UUID(uuidString: text) else { throw mismatch(column, typeOID) }
        return value
    }
}

extension Data: PostgresEncodable, PostgresDecodable {
    /// Sent in binary format as bytea.
    public var postgresValue: PostgresValue { PostgresValue(bytes: [UInt8](self), isBinary: true, typeOID: PostgresType.bytea) }

    /// Reads bytea (hex output) as its bytes.
    public static func decode(text: String, typeOID: UInt32, column: String) throws -> Data {
        guard typeOID == PostgresType.bytea, let bytes = ByteaText.decodeHex(text) else { throw mismatch(column, typeOID) }
        return Data(bytes)
    }
}

extension Date: PostgresEncodable, PostgresDecodable {
    /// Sent as timestamptz in UTC with microseconds.
    public var postgresValue: PostgresValue { .text(TimestampText.format(self), typeOID: PostgresType.timestamptz) }

    /// Reads timestamptz (the session runs in UTC, ISO DateStyle) and date (midnight UTC).
    public static func decode(text: String, typeOID: UInt32, column: String) throws -> Date {
        guard typeOID == PostgresType.timestamptz || typeOID == PostgresType.date || typeOID == PostgresType.timestamp,
            let value = TimestampText.parse(text)
        else { throw mismatch(column, typeOID) }
        return value
    }
}

/// A jsonb value: its JSON text, sent with the jsonb type and read from json or jsonb columns.
public struct JSONB: Sendable, Hashable, PostgresEncodable, PostgresDecodable {
    /// The UTF-8 JSON text.
    public var bytes: Data

    public init(bytes: Data) { self.bytes = bytes }

    /// Encodes `value` with a compact `JSONEncoder`.
    public init<T: Encodable>(encoding value: T, encoder: JSONEncoder = JSONEncoder()) throws {
        self.bytes = try encoder.encode(value)
    }

    /// Decodes the JSON into `T`.
    public func decode<T: Decodable>(_ type: T.Type, decoder: JSONDecoder = JSONDecoder()) throws -> T {
        try decoder.decode(type, from: bytes)
    }

    public var postgresValue: PostgresValue { PostgresValue(bytes: [UInt8](bytes), typeOID: PostgresType.jsonb) }

    public static func decode(text: String, typeOID: UInt32, column: String) throws -> JSONB {
        guard typeOID == PostgresType.jsonb || typeOID == PostgresType.json else { throw mismatch(column, typeOID) }
        return JSONB(bytes: Data(text.utf8))
    }
}

/// A text[] parameter, e.g. for `= ANY($1)`.
public struct TextArray: Sendable, Hashable, PostgresEncodable {
    public var elements: [String]

    public init(_ elements: [String]) { self.elements = elements }

    public var postgresValue: PostgresValue {
        let quoted = elements.map { element -> String in
            var escaped = "\""
            for scalar in element.unicodeScalars {
                if scalar == "\"" || scalar == "\\" { escaped.append("\\") }
                escaped.unicodeScalars.append(scalar)
            }
            return escaped + "\""
        }
        return .text("{" + quoted.joined(separator: ",") + "}", typeOID: PostgresType.textArray)
    }
}

enum ByteaText {
    /// Decodes the `\x…` hex output format.
    static func decodeHex(_ text: String) -> [UInt8]? {
        let utf8 = Array(text.utf8)
        guard utf8.count >= 2, utf8[0] == UInt8(ascii: "\\"), utf8[1] == UInt8(ascii: "x"), utf8.count % 2 == 0 else {
            return nil
        }
        func nibble(_ c: UInt8) -> UInt8? {
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): return c - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): return c - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): return c - UInt8(ascii: "A") + 10
            default: return nil
            }
        }
        var bytes = [UInt8]()
        bytes.reserveCapacity((utf8.count - 2) / 2)
        var index = 2
        while index < utf8.count {
            guard let high = nibble(utf8[index]), let low = nibble(utf8[index + 1]) else { return nil }
            bytes.append(high << 4 | low)
            index += 2
        }
        return bytes
    }
}

enum TimestampText {
    static func format(_ date: Date) -> String {
        let micros = Int64((date.timeIntervalSince1970 * 1_000_000).rounded())
        var seconds = micros / 1_000_000
        var fraction = micros % 1_000_000
        if fraction < 0 { fraction += 1_000_000; seconds -= 1 }
        var time = tm()
        var t = time_t(seconds)
        gmtime_r(&t, &time)
        func pad(_ value: Int32, _ width: Int) -> String {
            let text = String(value)
            return String(repeating: "0", count: max(0, width - text.count)) + text
        }
        let frac = String(fraction)
        return "\(pad(time.tm_year + 1900, 4))-\(pad(time.tm_mon + 1, 2))-\(pad(time.tm_mday, 2)) "
            + "\(pad(time.tm_hour, 2)):\(pad(time.tm_min, 2)):\(pad(time.tm_sec, 2))."
            + String(repeating: "0", count: 6 - frac.count) + frac + "+00"
    }

    /// Parses `YYYY-MM-DD[ HH:MM:SS[.ffffff]][±HH[:MM]]` as ISO DateStyle prints it.
    static func parse(_ text: String) -> Date? {
        let bytes = Array(text.utf8)
        var index = 0
        func number(_ count: Int) -> Int? {
            guard index + count <= bytes.count else { return nil }
            var value = 0
            for byte in bytes[index..<index + count] {
                guard (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) else { return nil }
                value = value * 10 + Int(byte - UInt8(ascii: "0"))
            }
            index += count
            return value
        }
        func expect(_ char: Character) -> Bool {
            guard index < bytes.count, bytes[index] == char.asciiValue! else { return false }
            index += 1
            return true
        }
        guard let year = number(4), expect("-"), let month = number(2), expect("-"), let day = number(2) else { return nil }
        var hour = 0, minute = 0, second = 0, micros = 0, offsetSeconds = 0
        if index < bytes.count {
            guard expect(" ") || expect("T"), let h = number(2), expect(":"), let m = number(2), expect(":"),
                let s = number(2)
            else { return nil }
            (hour, minute, second) = (h, m, s)
            if expect(".") {
                var digits = 0
                while index < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[index]) {
                    if digits < 6 { micros = micros * 10 + Int(bytes[index] - UInt8(ascii: "0")) }
                    digits += 1
                    index += 1
                }
                for _ in 0..<max(0, 6 - digits) { micros *= 10 }
            }
            if index < bytes.count {
                let sign = bytes[index] == UInt8(ascii: "-") ? -1 : 1
                guard expect("+") || expect("-"), let oh = number(2) else { return nil }
                var om = 0
                if expect(":") { guard let m = number(2) else { return nil }; om = m }
                offsetSeconds = sign * (oh * 3600 + om * 60)
            }
        }
        guard index == bytes.count else { return nil }
        var time = tm()
        time.tm_year = Int32(year - 1900)
        time.tm_mon = Int32(month - 1)
        time.tm_mday = Int32(day)
        time.tm_hour = Int32(hour)
        time.tm_min = Int32(minute)
        time.tm_sec = Int32(second)
        let epoch = timegm(&time)
        return Date(timeIntervalSince1970: Double(epoch - offsetSeconds) + Double(micros) / 1_000_000)
    }
}
