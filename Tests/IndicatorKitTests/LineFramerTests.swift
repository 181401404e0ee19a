import Foundation
import Testing

@testable import IndicatorKit

@Suite struct LineFramerTests {
    static let stream = Data("{\"a\":1}\n\n{\"b\":\"two\"}\r\nthird line here\nx\n".utf8)
    static let expected = ["{\"a\":1}", "", "{\"b\":\"two\"}\r", "third line here", "x"]

    static func lines(of stream: Data, chunk: Int, framer: inout LineFramer) throws -> [String] {
        var lines: [String] = []
        var start = 0
        while start < stream.count {
            let end = min(start + chunk, stream.count)
            lines += try framer.feed(stream[start..<end]).map { String(decoding: $0, as: UTF8.self) }
            start = end
        }
        return lines
    }

    @Test(arguments: 1...48)
    func yieldsTheSameLinesInEveryChunkSize(chunk: Int) throws {
        var framer = LineFramer(maxLineBytes: 64)
        #expect(try Self.lines(of: Self.stream, chunk: chunk, framer: &framer) == Self.expected)
        try framer.finish()
    }

    @Test func yieldsTheSameLinesFedByteByByte() throws {
        var framer = LineFramer(maxLineBytes: 64)
        var lines: [String] = []
        for byte in Self.stream {
            lines += try framer.feed([byte]).map { String(decoding: $0, as: UTF8.self) }
        }
        #expect(lines == Self.expected)
    }

    @Test(arguments: [1, 2, 3, 7, 100])
    func acceptsALineExactlyAtTheLimit(chunk: Int) throws {
        var framer = LineFramer(maxLineBytes: 10)
        let lines = try Self.lines(of: Data("0123456789\n".utf8), chunk: chunk, framer: &framer)
        #expect(lines == ["0123456789"])
    }

    @Test(arguments: [1, 2, 3, 7, 100])
    func rejectsALineOneByteOverTheLimit(chunk: Int) {
        var framer = LineFramer(maxLineBytes: 10)
        #expect(throws: LineFramingError.lineTooLong(limit: 10)) {
            _ = try Self.lines(of: Data("0123456789A\n".utf8), chunk: chunk, framer: &framer)
        }
    }

    @Test func rejectsAnOverlongLineBeforeItsNewlineArrives() {
        var framer = LineFramer(maxLineBytes: 1000)
        #expect(throws: LineFramingError.lineTooLong(limit: 1000)) {
            for _ in 0..<100 { _ = try framer.feed([UInt8](repeating: 0x41, count: 100)) }
        }
        #expect(framer.bufferedByteCount <= 1000)
    }

    @Test(arguments: [1, 3, 5, 64])
    func truncatesAnOverlongLineAndResumesAtTheNext(chunk: Int) throws {
        var framer = LineFramer(maxLineBytes: 4, overflow: .truncate)
        let lines = try Self.lines(of: Data("abcdefgh\nij\nklmn\nopqrs\n".utf8), chunk: chunk, framer: &framer)
        #expect(lines == ["abcd", "ij", "klmn", "opqr"])
    }

    @Test func reportsAnUnterminatedFinalLine() throws {
        var framer = LineFramer(maxLineBytes: 64)
        #expect(try framer.feed(Data("done\npartial".utf8)).count == 1)
        #expect(throws: LineFramingError.unterminatedLine(bytes: 7)) { try framer.finish() }
    }

    @Test func acceptsAStreamEndingAfterANewline() throws {
        var framer = LineFramer(maxLineBytes: 64)
        _ = try framer.feed(Data("one\n".utf8))
        try framer.finish()
    }
}
