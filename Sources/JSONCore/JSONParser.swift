import Foundation

/// The project's one JSON reader: RFC 8259 into `JSONValue`, numbers as exact `Decimal`s that
/// never pass through `Double`, strings checked as UTF-8. What else it refuses is its `Limits`:
/// `.document` for what people write (filings, rulebooks, configuration), `.message` for protocol
/// lines, whose size the line framer bounds.
///
/// Always an error: a second value or other bytes after the value, `NaN`/`Infinity`, a raw control
/// character in a string, an invalid escape or unpaired surrogate, bytes that are not UTF-8
/// (reported at the offset of the first bad byte, rule `encoding`), a number `Decimal` cannot hold.
/// Offsets count from the first byte of the input, a byte order mark included.
public enum JSONParser {
    /// What a parse accepts beyond RFC 8259's grammar.
    public struct Limits: Sendable, Hashable {
        /// The largest input in bytes; nil: no limit.
        public var maxBytes: Int?
        /// The deepest nesting: the document's value is at depth 1, a member of it at 2, and so on.
        public var maxDepth: Int
        /// A member name twice in one object is an error; otherwise the last value wins.
        public var refusesDuplicateKeys: Bool
        /// The most significant digits a number may have (leading zeros not counted); nil: any
        /// that `Decimal` holds.
        public var maxSignificantDigits: Int?
        /// The largest exponent, in absolute value, a number may write; nil: any.
        public var maxExponent: Int?
        /// A UTF-8 byte order mark at the very start is skipped (RFC 8259 lets a reader ignore it,
        /// and Windows editors write it); otherwise it is an error.
        public var skipsByteOrderMark: Bool

        /// Limits; see each property.
        public init(
            maxBytes: Int?, maxDepth: Int, refusesDuplicateKeys: Bool, maxSignificantDigits: Int?, maxExponent: Int?,
            skipsByteOrderMark: Bool
        ) {
            self.maxBytes = maxBytes
            self.maxDepth = maxDepth
            self.refusesDuplicateKeys = refusesDuplicateKeys
            self.maxSignificantDigits = maxSignificantDigits
            self.maxExponent = maxExponent
            self.skipsByteOrderMark = skipsByteOrderMark
        }

        /// What people write — a filing, a rulebook: 1 MiB, 32 levels, no duplicate member, at
        /// most 30 significant digits and an exponent within ±64 (so every number stays exact), a
        /// byte order mark skipped.
        public static let document = Limits(
            maxBytes: 1 << 20, maxDepth: 32, refusesDuplicateKeys: true, maxSignificantDigits: 30, maxExponent: 64,
            skipsByteOrderMark: true)

        /// A protocol line: any size (the framer bounds lines), 512 levels, the last of two equal
        /// member names wins, any number `Decimal` holds.
        public static let message = Limits(
            maxBytes: nil, maxDepth: 512, refusesDuplicateKeys: false, maxSignificantDigits: nil, maxExponent: nil,
            skipsByteOrderMark: false)
    }

    /// The UTF-8 byte order mark, EF BB BF.
    public static let byteOrderMark: [UInt8] = [0xEF, 0xBB, 0xBF]

    /// `data` without a leading UTF-8 byte order mark: the document as the database stores it
    /// (PostgreSQL's jsonb refuses the mark).
    public static func withoutByteOrderMark(_ data: Data) -> Data {
        data.starts(with: byteOrderMark) ? Data(data.dropFirst(byteOrderMark.count)) : data
    }

    /// Parses `data` into a `JSONValue`, or throws the first error with its offset and path.
    public static func parse(_ data: Data, limits: Limits) throws(JSONSyntaxError) -> JSONValue {
        if let maxBytes = limits.maxBytes, data.count > maxBytes {
            throw JSONSyntaxError(
                offset: maxBytes, path: "$",
                zh: "文件大小 \(data.count) 字节，超过上限 \(maxBytes) 字节",
                en: "the payload is \(data.count) bytes, over the limit of \(maxBytes) bytes")
        }
        let result = data.withUnsafeBytes { (raw: UnsafeRawBufferPointer) -> Result<JSONValue, JSONSyntaxError> in
            var reader = Reader(bytes: raw.bindMemory(to: UInt8.self), limits: limits)
            do throws(Reader.Failure) {
                return .success(try reader.document())
            } catch {
                return .failure(error.syntaxError)
            }
        }
        return try result.get()
    }

    /// A recursive-descent reader over raw bytes. The path of an error is gathered as the error
    /// unwinds, so reading a valid document builds no paths at all.
    struct Reader {
        let bytes: UnsafeBufferPointer<UInt8>
        let limits: Limits
        var index = 0

        init(bytes: UnsafeBufferPointer<UInt8>, limits: Limits) {
            self.bytes = bytes
            self.limits = limits
        }

        /// An error on its way out: the components of its path, innermost first.
        struct Failure: Error {
            var error: JSONSyntaxError
            var reversedPath: [String] = []

            var syntaxError: JSONSyntaxError {
                var error = error
                error.path = "$" + reversedPath.reversed().joined()
                return error
            }
        }

        /// The error at the current byte. Where that byte begins no valid UTF-8 sequence, the
        /// error says so instead, whatever was expected there.
        func fail(_ zh: String, _ en: String) -> Failure {
            if index < bytes.count, bytes[index] >= 0x80, utf8Length(at: index) == nil { return invalidUTF8() }
            return Failure(error: JSONSyntaxError(offset: index, path: "$", zh: zh, en: en))
        }

        /// Bytes at `index` that are not UTF-8, at their exact offset.
        func invalidUTF8() -> Failure {
            let hex = String(bytes[index], radix: 16, uppercase: true)
            return Failure(error: JSONSyntaxError(
                offset: index, path: "$",
                zh: "第 \(index) 字节（0x\(hex)）不是有效的 UTF-8",
                en: "byte \(index) (0x\(hex)) is not valid UTF-8",
                rule: .encoding,
                fixZh: "以 UTF-8 编码保存文件（第一个无效字节位于第 \(index) 字节）",
                fixEn: "save the file as UTF-8 (the first invalid byte is at offset \(index))"))
        }

        /// The length of the UTF-8 sequence starting at `i` (a byte of 0x80 or more), or nil when the
        /// bytes there are not one: RFC 3629, so no overlong forms, no surrogates, nothing above U+10FFFF.
        func utf8Length(at i: Int) -> Int? {
            let lead = bytes[i]
            let length: Int
            var second: ClosedRange<UInt8> = 0x80...0xBF
            switch lead {
            case 0xC2...0xDF: length = 2
            case 0xE0: length = 3; second = 0xA0...0xBF
            case 0xE1...0xEC, 0xEE...0xEF: length = 3
            case 0xED: length = 3; second = 0x80...0x9F
            case 0xF0: length = 4; second = 0x90...0xBF
            case 0xF1...0xF3: length = 4
            case 0xF4: length = 4; second = 0x80...0x8F
            default: return nil
            }
            guard i + length <= bytes.count, second.contains(bytes[i + 1]) else { return nil }
            for k in 2..<length where !(0x80...0xBF).contains(bytes[i + k]) { return nil }
            return length
        }

        mutating func document() throws(Failure) -> JSONValue {
            if limits.skipsByteOrderMark, bytes.count >= 3, bytes[0] == 0xEF, bytes[1] == 0xBB, bytes[2] == 0xBF { index = 3 }
            skipSpace()
            let value = try self.value(depth: 1)
            skipSpace()
            guard index == bytes.count else { throw fail("JSON 值之后还有多余内容", "unexpected content after the JSON value") }
            return value
        }

        mutating func skipSpace() {
            while index < bytes.count {
                switch bytes[index] {
                case 0x20, 0x09, 0x0A, 0x0D: index += 1
                default: return
                }
            }
        }

        mutating func literal(_ word: StaticString) -> Bool {
            let count = word.utf8CodeUnitCount
            guard bytes.count - index >= count else { return false }
            let expected = UnsafeBufferPointer(start: word.utf8Start, count: count)
            for offset in 0..<count where bytes[index + offset] != expected[offset] { return false }
            index += count
            return true
        }

        mutating func value(depth: Int) throws(Failure) -> JSONValue {
            guard depth <= limits.maxDepth else {
                throw fail("嵌套超过 \(limits.maxDepth) 层", "nested deeper than \(limits.maxDepth) levels")
            }
            guard index < bytes.count else { throw fail("内容意外结束", "unexpected end of input") }
            switch bytes[index] {
            case UInt8(ascii: "{"): return try object(depth: depth)
            case UInt8(ascii: "["): return try array(depth: depth)
            case UInt8(ascii: "\""): return .string(try string())
            case UInt8(ascii: "t"): if literal("true") { return .bool(true) }
            case UInt8(ascii: "f"): if literal("false") { return .bool(false) }
            case UInt8(ascii: "n"): if literal("null") { return .null }
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .number(try number())
            default: break
            }
            if literal("NaN") || literal("Infinity") || literal("-Infinity") {
                throw fail("数值不能是 NaN 或 Infinity", "a number cannot be NaN or Infinity")
            }
            throw fail("此处应为 JSON 值", "expected a JSON value here")
        }

        mutating func object(depth: Int) throws(Failure) -> JSONValue {
            index += 1
            var members: [String: JSONValue] = [:]
            skipSpace()
            if index < bytes.count, bytes[index] == UInt8(ascii: "}") {
                index += 1
                return .object(members)
            }
            while true {
                skipSpace()
                guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else {
                    throw fail("此处应为带引号的字段名", "expected a quoted member name")
                }
                let key = try string()
                if limits.refusesDuplicateKeys, members[key] != nil {
                    throw fail("字段 \"\(key)\" 重复出现", "the member \"\(key)\" appears twice")
                }
                skipSpace()
                guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else { throw fail("此处应为冒号", "expected ':'") }
                index += 1
                skipSpace()
                do throws(Failure) {
                    members[key] = try value(depth: depth + 1)
                } catch {
                    var failure = error
                    failure.reversedPath.append(JSONPath.member(key))
                    throw failure
                }
                skipSpace()
                guard index < bytes.count else { throw fail("内容意外结束", "unexpected end of input") }
                if bytes[index] == UInt8(ascii: ",") { index += 1; continue }
                if bytes[index] == UInt8(ascii: "}") { index += 1; return .object(members) }
                throw fail("此处应为逗号或右花括号", "expected ',' or '}'")
            }
        }

        mutating func array(depth: Int) throws(Failure) -> JSONValue {
            index += 1
            var elements: [JSONValue] = []
            skipSpace()
            if index < bytes.count, bytes[index] == UInt8(ascii: "]") {
                index += 1
                return .array(elements)
            }
            while true {
                skipSpace()
                do throws(Failure) {
                    elements.append(try value(depth: depth + 1))
                } catch {
                    var failure = error
                    failure.reversedPath.append("[\(elements.count)]")
                    throw failure
                }
                skipSpace()
                guard index < bytes.count else { throw fail("内容意外结束", "unexpected end of input") }
                if bytes[index] == UInt8(ascii: ",") { index += 1; continue }
                if bytes[index] == UInt8(ascii: "]") { index += 1; return .array(elements) }
                throw fail("此处应为逗号或右方括号", "expected ',' or ']'")
            }
        }

        /// A string; `index` is at its opening quote. Without escapes (the usual case) the text is
        /// taken from the input in one piece.
        mutating func string() throws(Failure) -> String {
            index += 1
            let start = index
            while index < bytes.count {
                let byte = bytes[index]
                if byte == UInt8(ascii: "\"") {
                    let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)
                    index += 1
                    return text
                }
                if byte == UInt8(ascii: "\\") { break }
                if byte < 0x20 { throw fail("字符串中有未转义的控制字符", "an unescaped control character in a string") }
                if byte < 0x80 {
                    index += 1
                } else {
                    guard let length = utf8Length(at: index) else { throw invalidUTF8() }
                    index += length
                }
            }
            var out = Array(UnsafeBufferPointer(rebasing: bytes[start..<index]))
            while index < bytes.count {
                let byte = bytes[index]
                switch byte {
                case UInt8(ascii: "\""):
                    index += 1
                    return String(decoding: out, as: UTF8.self)
                case UInt8(ascii: "\\"):
                    index += 1
                    guard index < bytes.count else { break }
                    let escape = bytes[index]
                    index += 1
                    switch escape {
                    case UInt8(ascii: "\""): out.append(0x22)
                    case UInt8(ascii: "\\"): out.append(0x5C)
                    case UInt8(ascii: "/"): out.append(0x2F)
                    case UInt8(ascii: "b"): out.append(0x08)
                    case UInt8(ascii: "f"): out.append(0x0C)
                    case UInt8(ascii: "n"): out.append(0x0A)
                    case UInt8(ascii: "r"): out.append(0x0D)
                    case UInt8(ascii: "t"): out.append(0x09)
                    case UInt8(ascii: "u"):
                        var scalar = try hex4()
                        if (0xD800...0xDBFF).contains(scalar) {
                            guard literal("\\u") else { throw fail("不成对的 UTF-16 代理项", "an unpaired UTF-16 surrogate") }
                            let low = try hex4()
                            guard (0xDC00...0xDFFF).contains(low) else {
                                throw fail("不成对的 UTF-16 代理项", "an unpaired UTF-16 surrogate")
                            }
                            scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                        } else if (0xDC00...0xDFFF).contains(scalar) {
                            throw fail("不成对的 UTF-16 代理项", "an unpaired UTF-16 surrogate")
                        }
                        out.append(contentsOf: Array(String(Character(Unicode.Scalar(scalar)!)).utf8))
                    default:
                        throw fail("无效的转义序列", "an invalid escape sequence")
                    }
                case 0x00..<0x20:
                    throw fail("字符串中有未转义的控制字符", "an unescaped control character in a string")
                case 0x20..<0x80:
                    out.append(byte)
                    index += 1
                default:
                    guard let length = utf8Length(at: index) else { throw invalidUTF8() }
                    out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[index..<index + length]))
                    index += length
                }
            }
            throw fail("字符串没有结束引号", "a string without its closing quote")
        }

        mutating func hex4() throws(Failure) -> UInt32 {
            guard bytes.count - index >= 4 else { throw fail("无效的 \\u 转义", "an invalid \\u escape") }
            var value: UInt32 = 0
            for _ in 0..<4 {
                let b = bytes[index]
                let digit: UInt32
                switch b {
                case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = UInt32(b - UInt8(ascii: "0"))
                case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = UInt32(b - UInt8(ascii: "a") + 10)
                case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = UInt32(b - UInt8(ascii: "A") + 10)
                default: throw fail("无效的 \\u 转义", "an invalid \\u escape")
                }
                value = value * 16 + digit
                index += 1
            }
            return value
        }

        /// A number, exactly: `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`. Up to 19 significant
        /// digits it is built from its digits directly; longer ones go through `Decimal(string:)`.
        mutating func number() throws(Failure) -> Decimal {
            let start = index
            func isDigit(_ i: Int) -> Bool { i < bytes.count && bytes[i] >= 0x30 && bytes[i] <= 0x39 }
            var negative = false
            if bytes[index] == UInt8(ascii: "-") {
                negative = true
                index += 1
            }
            if index < bytes.count, bytes[index] == UInt8(ascii: "I") {
                throw fail("数值不能是 NaN 或 Infinity", "a number cannot be NaN or Infinity")
            }
            guard isDigit(index) else { throw fail("无效的数值", "an invalid number") }
            var significand: UInt64 = 0
            var digits = 0  // significant digits so far (leading zeros not counted)
            var exponent = 0
            if bytes[index] == UInt8(ascii: "0") {
                index += 1
                if isDigit(index) { throw fail("数值不能有前导零", "a number cannot have a leading zero") }
            } else {
                while isDigit(index) {
                    if digits < 19 { significand = significand * 10 + UInt64(bytes[index] - 0x30) }
                    else { exponent += 1 }
                    digits += 1
                    index += 1
                }
            }
            if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
                index += 1
                guard isDigit(index) else { throw fail("小数点后应有数字", "expected digits after the decimal point") }
                while isDigit(index) {
                    let digit = bytes[index] - 0x30
                    if digits > 0 || digit != 0 { digits += 1 }
                    if digits <= 19 {
                        significand = significand * 10 + UInt64(digit)
                        exponent -= 1
                    }
                    index += 1
                }
            }
            var written = 0
            if index < bytes.count, bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E") {
                index += 1
                var exponentNegative = false
                if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") {
                    exponentNegative = bytes[index] == UInt8(ascii: "-")
                    index += 1
                }
                guard isDigit(index) else { throw fail("指数部分应有数字", "expected digits in the exponent") }
                while isDigit(index) {
                    written = min(written * 10 + Int(bytes[index] - 0x30), 100_000)
                    index += 1
                }
                if exponentNegative { written = -written }
            }
            if let maxDigits = limits.maxSignificantDigits, digits > maxDigits { throw outOfRange() }
            if let maxExponent = limits.maxExponent, abs(written) > maxExponent { throw outOfRange() }
            exponent += written
            if digits <= 19, exponent >= -128, exponent <= 127 {
                return Decimal(sign: negative ? .minus : .plus, exponent: exponent, significand: Decimal(significand))
            }
            let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)
            guard let decimal = Decimal(string: text, locale: nil), decimal.isFinite, !decimal.isNaN else { throw outOfRange() }
            return decimal
        }

        func outOfRange() -> Failure {
            fail("数值超出可精确表示的范围", "a number outside the range that stays exact")
        }
    }
}

/// Why bytes could not be read as JSON: where (byte offset and `$`-rooted path of the value being
/// read), what, in Chinese and English, and how to fix it when there is more to say than "correct
/// the syntax at this byte".
public struct JSONSyntaxError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The kind of problem, as validation reports name it.
    public enum Rule: String, Sendable, Hashable {
        /// Not JSON, or over a limit.
        case syntax
        /// Bytes that are not UTF-8.
        case encoding
    }

    /// Byte offset into the input.
    public var offset: Int
    /// `$`-rooted JSON path of the value being read when the error occurred.
    public var path: String
    /// What is wrong, in Chinese.
    public var zh: String
    /// What is wrong, in English.
    public var en: String
    /// `syntax`, or `encoding` for bytes that are not UTF-8.
    public var rule: Rule
    /// How to fix it, in Chinese and English, when the message alone does not say.
    public var fixZh: String?
    public var fixEn: String?

    /// An error at `offset`.
    public init(
        offset: Int, path: String, zh: String, en: String, rule: Rule = .syntax, fixZh: String? = nil, fixEn: String? = nil
    ) {
        self.offset = offset
        self.path = path
        self.zh = zh
        self.en = en
        self.rule = rule
        self.fixZh = fixZh
        self.fixEn = fixEn
    }

    /// The text a log line shows: path, offset and the English message.
    public var description: String { "\(path) @\(offset): \(en)" }
}

extension JSONValue {
    /// Parses one JSON value from `data` (see `JSONParser`); protocol lines by default.
    public init(parsing data: Data, limits: JSONParser.Limits = .message) throws(JSONSyntaxError) {
        self = try JSONParser.parse(data, limits: limits)
    }
}

/// Building `$`-rooted JSON paths the way validation messages print them.
public enum JSONPath {
    /// `.name` for a plain identifier, `["name"]` otherwise (criterion ids such as `COMP-1`).
    public static func member(_ name: String) -> String {
        let plain = !name.isEmpty && name.unicodeScalars.allSatisfy {
            ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0) || $0 == "_"
        }
        return plain ? "." + name : "[\"" + name + "\"]"
    }
}
