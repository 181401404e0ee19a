import Foundation
import HTTPTestSupport
import Testing

@testable import HTTPServer

/// Each limit accepts a request exactly at it and refuses one byte (or field) over, with its
/// status, in any chunking; and the parser never holds more than the limits allow.
@Suite struct ParserLimitTests {
    static let small = HTTPLimits(maxRequestLineBytes: 64, maxHeaderBlockBytes: 128, maxHeaderCount: 4, maxBodyBytes: 32)

    /// A request line of exactly `length` bytes (without CRLF).
    static func requestLine(length: Int) -> String {
        let prefix = "GET /"
        let suffix = " HTTP/1.1"
        return prefix + String(repeating: "a", count: length - prefix.count - suffix.count) + suffix
    }

    /// A header block of exactly `length` bytes (field lines with their CRLFs): Host plus one filler.
    static func headerBlock(length: Int) -> String {
        let host = "Host: h\r\n"
        let fillerOverhead = "X: \r\n".utf8.count
        return host + "X: " + String(repeating: "v", count: length - host.utf8.count - fillerOverhead) + "\r\n"
    }

    static func outcomes(_ text: String, limits: HTTPLimits) -> [ParseOutcome] {
        let bytes = text.bytes
        return [parseWhole(bytes, limits: limits), parseByteByByte(bytes, limits: limits), parseInChunks(of: 7, bytes, limits: limits)]
    }

    @Test(arguments: [small, HTTPLimits()])
    func aRequestLineAtTheLimitIsAccepted(limits: HTTPLimits) {
        let text = Self.requestLine(length: limits.maxRequestLineBytes) + "\r\nHost: h\r\n\r\n"
        for outcome in Self.outcomes(text, limits: limits) {
            #expect(outcome.error == nil && outcome.requests.count == 1)
        }
    }

    @Test(arguments: [small, HTTPLimits()])
    func aRequestLineOneByteOverIsRefusedWith414(limits: HTTPLimits) {
        let text = Self.requestLine(length: limits.maxRequestLineBytes + 1) + "\r\nHost: h\r\n\r\n"
        for outcome in Self.outcomes(text, limits: limits) {
            #expect(outcome.error == .requestLineTooLong(limit: limits.maxRequestLineBytes))
            #expect(outcome.error?.status.code == 414)
        }
    }

    @Test func anEndlessRequestLineIsRefusedBeforeItsEndArrives() {
        var parser = HTTPRequestParser(limits: Self.small)
        parser.append(contentsOf: "GET /".bytes)
        var refused: HTTPParseError?
        for _ in 0..<1000 {
            parser.append(contentsOf: "aaaaaaaa".bytes)
            do {
                _ = try parser.nextRequest()
                #expect(parser.bufferedByteCount <= Self.small.maxRequestLineBytes + 1)
            } catch {
                refused = error
                break
            }
        }
        #expect(refused == .requestLineTooLong(limit: 64))
    }

    @Test(arguments: [small, HTTPLimits()])
    func aHeaderBlockAtTheLimitIsAccepted(limits: HTTPLimits) {
        let text = "GET / HTTP/1.1\r\n" + Self.headerBlock(length: limits.maxHeaderBlockBytes) + "\r\n"
        for outcome in Self.outcomes(text, limits: limits) {
            #expect(outcome.error == nil && outcome.requests.count == 1)
        }
    }

    @Test(arguments: [small, HTTPLimits()])
    func aHeaderBlockOneByteOverIsRefusedWith431(limits: HTTPLimits) {
        let text = "GET / HTTP/1.1\r\n" + Self.headerBlock(length: limits.maxHeaderBlockBytes + 1) + "\r\n"
        for outcome in Self.outcomes(text, limits: limits) {
            #expect(outcome.error == .headerBlockTooLarge(limit: limits.maxHeaderBlockBytes))
            #expect(outcome.error?.status.code == 431)
        }
    }

    @Test func endlessHeaderBytesAreRefusedWhileTheParserStaysBounded() {
        var parser = HTTPRequestParser(limits: Self.small)
        parser.append(contentsOf: "GET / HTTP/1.1\r\nX: ".bytes)
        var refused: HTTPParseError?
        for _ in 0..<1000 {
            parser.append(contentsOf: "vvvvvvv".bytes)
            do {
                _ = try parser.nextRequest()
                #expect(parser.bufferedByteCount <= Self.small.maxHeaderBlockBytes + 1)
            } catch {
                refused = error
                break
            }
        }
        #expect(refused == .headerBlockTooLarge(limit: 128))
    }

    @Test(arguments: [small, HTTPLimits()])
    func headerFieldsAtTheCountLimitAreAccepted(limits: HTTPLimits) {
        let fields = (1..<limits.maxHeaderCount).map { "X-\($0): v\r\n" }.joined()
        let text = "GET / HTTP/1.1\r\nHost: h\r\n" + fields + "\r\n"
        let limits = HTTPLimits(maxHeaderCount: limits.maxHeaderCount)
        for outcome in Self.outcomes(text, limits: limits) {
            #expect(outcome.error == nil && outcome.requests.first?.headers.count == limits.maxHeaderCount)
        }
    }

    @Test(arguments: [small, HTTPLimits()])
    func oneHeaderFieldOverTheCountIsRefusedWith431(limits: HTTPLimits) {
        let fields = (0..<limits.maxHeaderCount).map { "X-\($0): v\r\n" }.joined()
        let text = "GET / HTTP/1.1\r\nHost: h\r\n" + fields + "\r\n"
        let limits = HTTPLimits(maxHeaderCount: limits.maxHeaderCount)
        for outcome in Self.outcomes(text, limits: limits) {
            #expect(outcome.error == .tooManyHeaders(limit: limits.maxHeaderCount))
            #expect(outcome.error?.status.code == 431)
        }
    }

    @Test(arguments: [small, HTTPLimits()])
    func aBodyAtTheLimitIsAccepted(limits: HTTPLimits) {
        let body = String(repeating: "b", count: limits.maxBodyBytes)
        let text = "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: \(body.utf8.count)\r\n\r\n" + body
        let outcome = parseInChunks(of: 4096, text.bytes, limits: limits)
        #expect(outcome.error == nil && outcome.requests.first?.body.count == limits.maxBodyBytes)
    }

    @Test(arguments: [small, HTTPLimits()])
    func aBodyOneByteOverIsRefusedWith413BeforeItArrives(limits: HTTPLimits) {
        let text = "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: \(limits.maxBodyBytes + 1)\r\n\r\n"
        for outcome in Self.outcomes(text, limits: limits) {
            #expect(outcome.error == .bodyTooLarge(limit: limits.maxBodyBytes))
            #expect(outcome.error?.status.code == 413)
        }
    }

    @Test func aContentLengthTooLargeForAnIntegerIsRefusedWith413() {
        let text = "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 999999999999999999999999999999\r\n\r\n"
        #expect(parseWhole(text.bytes).error == .bodyTooLarge(limit: HTTPLimits().maxBodyBytes))
    }

    @Test func emptyLinesBeforeARequestAreBoundedByTheRequestLineLimit() {
        let text = String(repeating: "\r\n", count: 40) + get("/")
        #expect(parseWhole(text.bytes, limits: Self.small).error == .malformed(.tooManyEmptyLines))
        #expect(parseWhole((String(repeating: "\r\n", count: 3) + get("/")).bytes, limits: Self.small).error == nil)
    }
}
