import Foundation

/// A strict JSON reader for untrusted input (filings, rulebooks): RFC 8259 and nothing more.
///
/// Errors, not leniency: a payload over `maxBytes`, nesting deeper than `maxDepth`, a duplicate key
/// in one object, `NaN`/`Infinity`, invalid UTF-8 (reported at the offset of its first bad byte), a
/// raw control character in a string, a number with more than 30 significant digits or an exponent
/// beyond ±64 (it would not stay exact in `Decimal`). Numbers become exact `Decimal`s and never pass
/// through `Double`.
///
/// A UTF-8 byte order mark at the very start is accepted and is not part of the document
/// (`withoutByteOrderMark`): RFC 8259 lets a reader ignore it, and Windows editors write it. Offsets
/// count from the first byte of the input, the mark included.
public enum StrictJSON {
    /// Why a document could not be read; `offset` is the byte offset of the problem.
    public struct SyntaxError: Error, Sendable, Hashable, CustomStringConvertible {
        /// Byte offset into the input.
        public var offset: Int
        /// What is wrong, in Chinese and English.
        public var message: LocalizedText
        /// `$`-rooted JSON path of the value being read when the error occurred.
        public var path: String
        /// The validation rule: `syntax`, or `encoding` for bytes that are not UTF-8.
        public var rule: String = "syntax"
        /// How to fix it, when there is more to say than "correct the syntax at this byte".
        public var fix: LocalizedText? = nil

        /// The text a log line shows.
        public var description: String { "\(path) @\(offset): \(message.en)" }
    }

    /// Default limits for a filing: 1 MiB, 32 levels of nesting.
    public static let defaultMaxBytes = 1 << 20
    /// Default maximum nesting depth.
    public static let defaultMaxDepth = 32

    /// The UTF-8 byte order mark, EF BB BF.
    public static let byteOrderMark: [UInt8] = [0xEF, 0xBB, 0xBF]

    /// `data` without a leading UTF-8 byte order mark: the document the parser reads and the
    /// database stores (PostgreSQL's jsonb refuses the mark).
    public static func withoutByteOrderMark(_ data: Data) -> Data {
        data.starts(with: byteOrderMark) ? Data(data.dropFirst(byteOrderMark.count)) : data
    }

    /// Parses `data` into a `JSONValue`, or throws the first `SyntaxError`.
    public static func parse(
        _ data: Data, maxBytes: Int = defaultMaxBytes, maxDepth: Int = defaultMaxDepth
    ) throws(SyntaxError) -> JSONValue {
        guard data.count <= maxBytes else {
            throw SyntaxError(
                offset: maxBytes,
                message: LocalizedText(
                    zh: "文件大小 \(data.count) 字节，超过上限 \(maxBytes) 字节",
                    en: "the payload is \(data.count) bytes, over the limit of \(maxBytes) bytes"),
                path: "$")
        }
        var parser = Parser(bytes: [UInt8](data), maxDepth: maxDepth)
        return try parser.document()
    }

    struct Parser {
        let bytes: [UInt8]
        let maxDepth: Int
        var index = 0
        var pathStack: [String] = ["$"]

        init(bytes: [UInt8], maxDepth: Int) {
            self.bytes = bytes
            self.maxDepth = maxDepth
        }

        var path: String { pathStack.joined() }

        /// The error at the current byte. Where that byte begins no valid UTF-8 sequence, the
        /// error says so instead, whatever was expected there.
        func fail(_ zh: String, _ en: String) -> SyntaxError {
            if index < bytes.count, bytes[index] >= 0x80, utf8Length(at: index) == nil { return invalidUTF8() }
            return SyntaxError(offset: index, message: LocalizedText(zh: zh, en: en), path: path)
        }

        /// Bytes at `index` that are not UTF-8, at their exact offset.
        func invalidUTF8() -> SyntaxError {
            SyntaxError(
                offset: index,
                message: LocalizedText(
                    zh: "第 \(index) 字节（0x\(String(bytes[index], radix: 16, uppercase: true))）不是有效的 UTF-8",
                    en: "byte \(index) (0x\(String(bytes[index], radix: 16, uppercase: true))) is not valid UTF-8"),
                path: path, rule: "encoding",
                fix: LocalizedText(
                    zh: "以 UTF-8 编码保存文件（第一个无效字节位于第 \(index) 字节）",
                    en: "save the file as UTF-8 (the first invalid byte is at offset \(index))"))
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

        mutating func document() throws(SyntaxError) -> JSONValue {
            if bytes.starts(with: StrictJSON.byteOrderMark) { index = StrictJSON.byteOrderMark.count }
            skipSpace()
            let value = try self.value(depth: 1)
            skipSpace()
            guard index == bytes.count else { throw fail("JSON 值之后还有多余内容", "unexpected content after the JSON value") }
            return value
        }

        mutating func skipSpace() {
            while index < bytes.count, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[index]) { index += 1 }
        }

        mutating func literal(_ word: String) -> Bool {
            let w = Array(word.utf8)
            guard bytes.count - index >= w.count, Array(bytes[index..<index + w.count]) == w else { return false }
            index += w.count
            return true
        }

        mutating func value(depth: Int) throws(SyntaxError) -> JSONValue {
            guard depth <= maxDepth else {
                throw fail("嵌套超过 \(maxDepth) 层", "nested deeper than \(maxDepth) levels")
            }
            guard index < bytes.count else { throw fail("内容意外结束", "unexpected end of input") }
            switch bytes[index] {
            case UInt8(ascii: "{"): return try object(depth: depth)
            case UInt8(ascii: "["): return try array(depth: depth)
            case UInt8(ascii: "\""): return .string(try string())
            case UInt8(ascii: "t"): if literal("true") { return .bool(true) }
            case UInt8(ascii: "f"): if literal("false") { return .bool(false) }
            case UInt8(ascii: "n"): if literal("null") { return .null }
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try number()
            default: break
            }
            if literal("NaN") || literal("Infinity") || literal("-Infinity") {
                throw fail("数值不能是 NaN 或 Infinity", "a number cannot be NaN or Infinity")
            }
            throw fail("此处应为 JSON 值", "expected a JSON value here")
        }

        mutating func object(depth: Int) throws(SyntaxError) -> JSONValue {
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
                guard members[key] == nil else {
                    throw fail("字段 \"\(key)\" 重复出现", "the member \"\(key)\" appears twice")
                }
                skipSpace()
                guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else { throw fail("此处应为冒号", "expected ':'") }
                index += 1
                skipSpace()
                pathStack.append(JSONPath.member(key))
                members[key] = try value(depth: depth + 1)
                pathStack.removeLast()
                skipSpace()
                guard index < bytes.count else { throw fail("内容意外结束", "unexpected end of input") }
                if bytes[index] == UInt8(ascii: ",") { index += 1; continue }
                if bytes[index] == UInt8(ascii: "}") { index += 1; return .object(members) }
                throw fail("此处应为逗号或右花括号", "expected ',' or '}'")
            }
        }

        mutating func array(depth: Int) throws(SyntaxError) -> JSONValue {
            index += 1
            var elements: [JSONValue] = []
            skipSpace()
            if index < bytes.count, bytes[index] == UInt8(ascii: "]") {
                index += 1
                return .array(elements)
            }
            while true {
                skipSpace()
                pathStack.append("[\(elements.count)]")
                elements.append(try value(depth: depth + 1))
                pathStack.removeLast()
                skipSpace()
                guard index < bytes.count else { throw fail("内容意外结束", "unexpected end of input") }
                if bytes[index] == UInt8(ascii: ",") { index += 1; continue }
                if bytes[index] == UInt8(ascii: "]") { index += 1; return .array(elements) }
                throw fail("此处应为逗号或右方括号", "expected ',' or ']'")
            }
        }

        mutating func string() throws(SyntaxError) -> String {
            index += 1
            var out: [UInt8] = []
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
                    out.append(contentsOf: bytes[index..<index + length])
                    index += length
                }
            }
            throw fail("字符串没有结束引号", "a string without its closing quote")
        }

        mutating func hex4() throws(SyntaxError) -> UInt32 {
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

        mutating func number() throws(SyntaxError) -> JSONValue {
            let start = index
            func isDigit(_ i: Int) -> Bool { i < bytes.count && (0x30...0x39).contains(bytes[i]) }
            if bytes[index] == UInt8(ascii: "-") { index += 1 }
            if index < bytes.count, bytes[index] == UInt8(ascii: "I") {
                throw fail("数值不能是 NaN 或 Infinity", "a number cannot be NaN or Infinity")
            }
            guard isDigit(index) else { throw fail("无效的数值", "an invalid number") }
            if bytes[index] == UInt8(ascii: "0") {
                index += 1
                if isDigit(index) { throw fail("数值不能有前导零", "a number cannot have a leading zero") }
            } else {
                while isDigit(index) { index += 1 }
            }
            if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
                index += 1
                guard isDigit(index) else { throw fail("小数点后应有数字", "expected digits after the decimal point") }
                while isDigit(index) { index += 1 }
            }
            var exponent = 0
            if index < bytes.count, bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E") {
                index += 1
                var negative = false
                if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") {
                    negative = bytes[index] == UInt8(ascii: "-")
                    index += 1
                }
                guard isDigit(index) else { throw fail("指数部分应有数字", "expected digits in the exponent") }
                while isDigit(index) {
                    exponent = min(exponent * 10 + Int(bytes[index] - 0x30), 100_000)
                    index += 1
                }
                if negative { exponent = -exponent }
            }
            let text = String(decoding: bytes[start..<index], as: UTF8.self)
            let mantissa = text.prefix { $0 != "e" && $0 != "E" }
            let significant = mantissa.filter(\.isNumber).drop { $0 == "0" }.count
            guard significant <= 30, abs(exponent) <= 64, let decimal = Decimal(string: text, locale: nil) else {
                throw fail("数值超出可精确表示的范围", "a number outside the range that stays exact")
            }
            return .number(decimal)
        }
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
