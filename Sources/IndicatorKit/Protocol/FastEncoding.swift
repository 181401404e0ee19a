import Foundation

/// Writes JSON bytes directly, for the protocol's hot paths: compact, one line, numbers as exact
/// decimals, strings escaped as JSON requires (quote, backslash, control characters).
///
/// `JSONEncoder` spends most of a reply's time on `JSONValue` and `Decimal` members; this writer
/// does the same job several times faster. Its output decodes to the same values (tested).
enum JSONWriter {
    static func append(_ value: JSONValue, to out: inout [UInt8]) {
        switch value {
        case .null: out.append(contentsOf: "null".utf8)
        case .bool(let flag): out.append(contentsOf: (flag ? "true" : "false").utf8)
        case .number(let number): append(number, to: &out)
        case .string(let text): append(text, to: &out)
        case .array(let items):
            out.append(UInt8(ascii: "["))
            for (index, item) in items.enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                append(item, to: &out)
            }
            out.append(UInt8(ascii: "]"))
        case .object(let members):
            append(members, to: &out)
        }
    }

    static func append(_ members: [String: JSONValue], to out: inout [UInt8]) {
        out.append(UInt8(ascii: "{"))
        var first = true
        for (key, item) in members {
            if !first { out.append(UInt8(ascii: ",")) }
            first = false
            append(key, to: &out)
            out.append(UInt8(ascii: ":"))
            append(item, to: &out)
        }
        out.append(UInt8(ascii: "}"))
    }

    static func append(_ number: Decimal, to out: inout [UInt8]) {
        guard number.isFinite, !number.isNaN else {
            out.append(contentsOf: "null".utf8)
            return
        }
        out.append(contentsOf: number.description.utf8)
    }

    static func append(_ text: String, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        var text = text
        text.withUTF8 { bytes in
            var plainStart = 0
            for index in 0..<bytes.count {
                let byte = bytes[index]
                guard byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") else { continue }
                out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[plainStart..<index]))
                plainStart = index + 1
                switch byte {
                case UInt8(ascii: "\""): out.append(contentsOf: #"\""#.utf8)
                case UInt8(ascii: "\\"): out.append(contentsOf: #"\\"#.utf8)
                case 0x0A: out.append(contentsOf: #"\n"#.utf8)
                case 0x0D: out.append(contentsOf: #"\r"#.utf8)
                case 0x09: out.append(contentsOf: #"\t"#.utf8)
                default:
                    let hex = Array("0123456789abcdef".utf8)
                    out.append(contentsOf: #"\u00"#.utf8)
                    out.append(hex[Int(byte >> 4)])
                    out.append(hex[Int(byte & 0x0F)])
                }
            }
            out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[plainStart..<bytes.count]))
        }
        out.append(UInt8(ascii: "\""))
    }

    static func append(_ finding: Finding, to out: inout [UInt8]) {
        out.append(contentsOf: #"{"criterion":"#.utf8)
        append(finding.criterion, to: &out)
        out.append(contentsOf: #","verdict":""#.utf8)
        out.append(contentsOf: finding.verdict.rawValue.utf8)
        out.append(contentsOf: #"","score":"#.utf8)
        out.append(contentsOf: String(finding.score).utf8)
        if let observed = finding.observed {
            out.append(contentsOf: #","observed":"#.utf8)
            append(observed, to: &out)
        }
        if let threshold = finding.threshold {
            out.append(contentsOf: #","threshold":"#.utf8)
            append(threshold, to: &out)
        }
        if let comparator = finding.comparator {
            out.append(contentsOf: #","comparator":"#.utf8)
            append(comparator, to: &out)
        }
        if let margin = finding.margin {
            out.append(contentsOf: #","margin":"#.utf8)
            append(margin, to: &out)
        }
        out.append(contentsOf: #","message":{"zh":"#.utf8)
        append(finding.message.zh, to: &out)
        out.append(contentsOf: #","en":"#.utf8)
        append(finding.message.en, to: &out)
        out.append(contentsOf: #"},"citation":"#.utf8)
        append(finding.citation, to: &out)
        out.append(contentsOf: #","parameters":"#.utf8)
        append(finding.parameters, to: &out)
        out.append(UInt8(ascii: "}"))
    }
}

extension FindingsMessage {
    /// The message as one line, newline included, written directly (the SDK's fast path).
    public func encodedLine() -> Data {
        var out: [UInt8] = []
        out.reserveCapacity(256 + findings.count * 400)
        out.append(contentsOf: #"{"type":"findings","id":"#.utf8)
        JSONWriter.append(id, to: &out)
        out.append(contentsOf: #","findings":["#.utf8)
        for (index, finding) in findings.enumerated() {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            JSONWriter.append(finding, to: &out)
        }
        out.append(contentsOf: "]}\n".utf8)
        return Data(out)
    }
}

extension JSONValue {
    /// Appends this value as compact JSON (the fast writer above: exact decimals, strings escaped
    /// as JSON requires), e.g. for a jsonb array element sent to PostgreSQL.
    public func appendJSON(to out: inout [UInt8]) {
        JSONWriter.append(self, to: &out)
    }

    /// Appends `members` as a compact JSON object.
    public static func appendJSON(_ members: [String: JSONValue], to out: inout [UInt8]) {
        JSONWriter.append(members, to: &out)
    }
}
