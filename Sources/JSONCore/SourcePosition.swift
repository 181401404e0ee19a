import Foundation

/// Where a byte offset falls in a text a person wrote: line and column (both from 1), and the
/// line itself, so a syntax error can be shown where a text editor shows it.
public struct SourcePosition: Sendable, Hashable, Codable {
    /// The line, from 1.
    public var line: Int
    /// The column, from 1, counted in characters (a Chinese character is one column).
    public var column: Int
    /// The line's text (at most 240 characters around the column), without its line break.
    public var text: String

    /// The position of byte `offset` in `data` (UTF-8; invalid bytes are shown as U+FFFD).
    public init(offset: Int, in data: Data) {
        let bytes = [UInt8](data)
        let end = min(max(0, offset), bytes.count)
        var lineStart = 0
        var line = 1
        for index in 0..<end where bytes[index] == 0x0A {
            line += 1
            lineStart = index + 1
        }
        var lineEnd = end
        while lineEnd < bytes.count, bytes[lineEnd] != 0x0A, bytes[lineEnd] != 0x0D { lineEnd += 1 }
        let before = String(decoding: bytes[lineStart..<end], as: UTF8.self)
        let whole = String(decoding: bytes[lineStart..<lineEnd], as: UTF8.self)
        self.line = line
        self.column = before.count + 1
        // A very long line (a minified file) is cut around the column, keeping the column's place.
        if whole.count > 240 {
            let start = max(0, before.count - 120)
            let characters = Array(whole)
            self.text = String(characters[start..<min(characters.count, start + 240)])
            self.column = before.count - start + 1
        } else {
            self.text = whole
        }
    }
}
