import Foundation

/// One part of a `multipart/form-data` body (RFC 7578): the form field's name, the file name a
/// browser sent for a file input, the part's own type, and its bytes as they were.
public struct MultipartPart: Sendable, Hashable {
    public var name: String
    public var filename: String?
    public var contentType: String?
    public var body: Data

    public init(name: String, filename: String? = nil, contentType: String? = nil, body: Data) {
        self.name = name
        self.filename = filename
        self.contentType = contentType
        self.body = body
    }
}

/// A small, bounded reader of `multipart/form-data` bodies, for the forms of the project's own
/// pages (a file input and a few fields). The body has already been read whole by the request
/// parser, within `HTTPLimits.maxBodyBytes`; this reads it as parts, or refuses it (nil):
///
/// - the boundary: 1–70 characters of RFC 2046's set, from the `Content-Type` parameter;
/// - at most `maxParts` parts, each with at most `maxHeaderBytes` of headers, every header line
///   `Name: value` in visible ASCII (a `Content-Disposition: form-data; name="…"` required, names
///   and file names in quotes, UTF-8, no control characters);
/// - the first delimiter at the start of the body (or after a preamble), each part's bytes up to
///   `CRLF--boundary`, a close delimiter `--boundary--` at the end (an epilogue ignored).
///
/// Bytes inside a part are never interpreted: a part may hold CR, LF, `--`, and anything else but
/// the delimiter line itself.
public enum MultipartFormData {
    public static let maxParts = 16
    public static let maxHeaderBytes = 4096

    /// The boundary of a `Content-Type: multipart/form-data; boundary=…` value, else nil (another
    /// type, no boundary, or one outside RFC 2046's rules).
    public static func boundary(contentType: String?) -> String? {
        guard let contentType else { return nil }
        let pieces = contentType.split(separator: ";", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
        guard pieces.first?.lowercased() == "multipart/form-data" else { return nil }
        for piece in pieces.dropFirst() {
            guard let equals = piece.firstIndex(of: "="),
                  piece[..<equals].trimmingCharacters(in: .whitespaces).lowercased() == "boundary"
            else { continue }
            var value = piece[piece.index(after: equals)...].trimmingCharacters(in: .whitespaces)
            if value.count >= 2, value.hasPrefix("\""), value.hasSuffix("\"") { value = String(value.dropFirst().dropLast()) }
            guard (1...70).contains(value.utf8.count), !value.hasSuffix(" "), value.utf8.allSatisfy(isBoundaryByte) else { return nil }
            return value
        }
        return nil
    }

    /// RFC 2046's `bchars`: digits, letters and `'()+_,-./:=? `.
    static func isBoundaryByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"): true
        default: "'()+_,-./:=? ".utf8.contains(byte)
        }
    }

    /// The parts of `body`, in order, or nil when it is not a well-formed, bounded
    /// `multipart/form-data` body with `boundary`.
    public static func parse(_ body: Data, boundary: String) -> [MultipartPart]? {
        let bytes = [UInt8](body)
        let dash = Array("--".utf8), crlf: [UInt8] = [13, 10]
        let delimiter = dash + Array(boundary.utf8)
        // The first delimiter: at the very start, or after a preamble ending in CRLF.
        var position: Int
        if bytes.starts(with: delimiter) {
            position = delimiter.count
        } else if let found = find(crlf + delimiter, in: bytes, from: 0) {
            position = found + 2 + delimiter.count
        } else {
            return nil
        }
        var parts: [MultipartPart] = []
        while true {
            // After a delimiter: `--` closes, CRLF opens a part (transport padding allowed before it).
            if bytes[position...].starts(with: dash) { return parts }
            while position < bytes.count, bytes[position] == 32 || bytes[position] == 9 { position += 1 }
            guard bytes[position...].starts(with: crlf) else { return nil }
            position += 2
            guard parts.count < maxParts,
                  let headersEnd = find(crlf + crlf, in: bytes, from: position, limit: maxHeaderBytes),
                  let headers = headerLines(bytes[position..<headersEnd])
            else { return nil }
            position = headersEnd + 4
            guard let end = find(crlf + delimiter, in: bytes, from: position) else { return nil }
            guard var part = Self.part(headers) else { return nil }
            part.body = Data(bytes[position..<end])
            parts.append(part)
            position = end + 2 + delimiter.count
        }
    }

    /// The first index at or after `start` where `needle` begins; with `limit`, only a match that
    /// begins within `limit` bytes of `start`.
    static func find(_ needle: [UInt8], in bytes: [UInt8], from start: Int, limit: Int? = nil) -> Int? {
        guard !needle.isEmpty, bytes.count >= needle.count else { return nil }
        let last = min(bytes.count - needle.count, limit.map { start + $0 } ?? Int.max)
        guard start <= last else { return nil }
        let first = needle[0]
        var index = start
        while index <= last {
            if bytes[index] == first, bytes[index..<(index + needle.count)].elementsEqual(needle) { return index }
            index += 1
        }
        return nil
    }

    /// The header lines of a part, as (lowercased name, value), or nil when one is malformed.
    static func headerLines(_ block: ArraySlice<UInt8>) -> [(String, String)]? {
        guard block.allSatisfy({ $0 == 13 || $0 == 10 || $0 == 9 || (32...126).contains($0) || $0 >= 128 }) else { return nil }
        var lines: [(String, String)] = []
        for line in block.split(separator: 13, omittingEmptySubsequences: false).enumerated() {
            var bytes = line.element
            if line.offset > 0 {
                guard bytes.first == 10 else { return nil }
                bytes = bytes.dropFirst()
            }
            guard !bytes.contains(10), let text = String(bytes: bytes, encoding: .utf8), let colon = text.firstIndex(of: ":") else { return nil }
            let name = text[..<colon].lowercased()
            guard !name.isEmpty, name.utf8.allSatisfy({ $0 > 32 && $0 < 127 }) else { return nil }
            lines.append((name, text[text.index(after: colon)...].trimmingCharacters(in: .whitespaces)))
        }
        return lines
    }

    /// A part from its headers: the name and file name of its `Content-Disposition`, its type.
    static func part(_ headers: [(String, String)]) -> MultipartPart? {
        guard let disposition = headers.first(where: { $0.0 == "content-disposition" })?.1,
              let parameters = dispositionParameters(disposition),
              let name = parameters["name"], !name.isEmpty
        else { return nil }
        return MultipartPart(name: name, filename: parameters["filename"], contentType: headers.first { $0.0 == "content-type" }?.1, body: Data())
    }

    /// `form-data; name="a"; filename="b.json"` → ["name": "a", "filename": "b.json"]; nil when
    /// it is not `form-data` or a parameter is malformed (a quoted value may escape `"` and `\`).
    static func dispositionParameters(_ value: String) -> [String: String]? {
        var scalars = Substring(value).unicodeScalars[...]
        func skipSpaces() { while let first = scalars.first, first == " " || first == "\t" { scalars.removeFirst() } }
        func token() -> String {
            var out = ""
            while let first = scalars.first, first != ";", first != "=", first != " ", first != "\t" {
                out.unicodeScalars.append(first)
                scalars.removeFirst()
            }
            return out
        }
        skipSpaces()
        guard token().lowercased() == "form-data" else { return nil }
        var parameters: [String: String] = [:]
        while true {
            skipSpaces()
            guard let first = scalars.first else { return parameters }
            guard first == ";" else { return nil }
            scalars.removeFirst()
            skipSpaces()
            let name = token().lowercased()
            skipSpaces()
            guard !name.isEmpty, scalars.first == "=" else { return nil }
            scalars.removeFirst()
            skipSpaces()
            var text = ""
            if scalars.first == "\"" {
                scalars.removeFirst()
                var closed = false
                while let scalar = scalars.popFirst() {
                    if scalar == "\"" { closed = true; break }
                    if scalar == "\\", let escaped = scalars.popFirst() { text.unicodeScalars.append(escaped); continue }
                    text.unicodeScalars.append(scalar)
                }
                guard closed else { return nil }
            } else {
                text = token()
            }
            guard !text.unicodeScalars.contains(where: { $0.value < 32 || $0.value == 127 }), parameters[name] == nil else { return nil }
            parameters[name] = text
        }
    }
}
