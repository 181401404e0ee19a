import Foundation
import HTTPTestSupport
import Testing

@testable import HTTPServer

/// One input the parser must refuse, with the error (and so the status) it must give.
struct Refusal: Sendable, CustomTestStringConvertible {
    var name: String
    var bytes: [UInt8]
    var error: HTTPParseError

    init(_ name: String, _ text: String, _ error: HTTPParseError) {
        self.name = name
        self.bytes = text.bytes
        self.error = error
    }

    init(_ name: String, bytes: [UInt8], _ error: HTTPParseError) {
        self.name = name
        self.bytes = bytes
        self.error = error
    }

    var testDescription: String { name }
}

/// Every malformed or unsupported class of input gets its own status, whatever the chunking.
@Suite struct ParserRefusalTests {
    static let host = "Host: h\r\n"

    static let malformed: [Refusal] = [
        Refusal("bare LF ending the request line", "GET / HTTP/1.1\n\(host)\r\n", .malformed(.bareLineFeed)),
        Refusal("bare LF ending a field line", "GET / HTTP/1.1\r\nHost: h\n\r\n", .malformed(.bareLineFeed)),
        Refusal("bare LF ending the head", "GET / HTTP/1.1\r\n\(host)\n", .malformed(.bareLineFeed)),
        Refusal("bare LF as a leading empty line", "\nGET / HTTP/1.1\r\n\(host)\r\n", .malformed(.bareLineFeed)),
        Refusal("bare CR in the request line", "GET /\r HTTP/1.1\r\n\(host)\r\n", .malformed(.bareCarriageReturn)),
        Refusal("bare CR in a field value", "GET / HTTP/1.1\r\n\(host)X: a\rb\r\n\r\n", .malformed(.bareCarriageReturn)),
        Refusal("control byte in the request line", "GET /\u{01} HTTP/1.1\r\n\(host)\r\n", .malformed(.invalidByteInRequestLine)),
        Refusal("NUL in the request line", "GET /\u{0} HTTP/1.1\r\n\(host)\r\n", .malformed(.invalidByteInRequestLine)),
        Refusal("tab in the request line", "GET\t/ HTTP/1.1\r\n\(host)\r\n", .malformed(.invalidByteInRequestLine)),
        Refusal("DEL in the request line", "GET /\u{7F} HTTP/1.1\r\n\(host)\r\n", .malformed(.invalidByteInRequestLine)),
        Refusal("non-ASCII in the request line", "GET /海口 HTTP/1.1\r\n\(host)\r\n", .malformed(.invalidByteInRequestLine)),
        Refusal("two spaces after the method", "GET  / HTTP/1.1\r\n\(host)\r\n", .malformed(.invalidRequestLine)),
        Refusal("a space at the end of the request line", "GET / HTTP/1.1 \r\n\(host)\r\n", .malformed(.invalidRequestLine)),
        Refusal("a space inside the target", "GET /a b HTTP/1.1\r\n\(host)\r\n", .malformed(.invalidRequestLine)),
        Refusal("no version (HTTP/0.9)", "GET /\r\n\r\n", .malformed(.invalidRequestLine)),
        Refusal("a method that is not a token", "GE(T / HTTP/1.1\r\n\(host)\r\n", .malformed(.invalidMethod)),
        Refusal("a lowercase version", "GET / http/1.1\r\n\(host)\r\n", .malformed(.invalidVersion)),
        Refusal("a two-digit minor version", "GET / HTTP/1.10\r\n\(host)\r\n", .malformed(.invalidVersion)),
        Refusal("a version without a dot", "GET / HTTP/11\r\n\(host)\r\n", .malformed(.invalidVersion)),
        Refusal("an absolute-form target", "GET http://example.org/ HTTP/1.1\r\n\(host)\r\n", .malformed(.targetNotOriginForm)),
        Refusal("an asterisk-form target with GET", "GET * HTTP/1.1\r\n\(host)\r\n", .malformed(.targetNotOriginForm)),
        Refusal("an authority-form target with GET", "GET example.org:443 HTTP/1.1\r\n\(host)\r\n", .malformed(.targetNotOriginForm)),
        Refusal("a raw backslash in the target", "GET /a\\b HTTP/1.1\r\n\(host)\r\n", .malformed(.invalidTarget)),
        Refusal("a raw quote in the target", "GET /a\"b HTTP/1.1\r\n\(host)\r\n", .malformed(.invalidTarget)),
        Refusal("a fragment in the target", "GET /a#b HTTP/1.1\r\n\(host)\r\n", .malformed(.invalidTarget)),
        Refusal("a dot-dot segment", "GET /files/../etc HTTP/1.1\r\n\(host)\r\n", .malformed(.unsafePath(.dotSegment))),
        Refusal("an encoded traversal", "GET /files/..%2f..%2fetc HTTP/1.1\r\n\(host)\r\n", .malformed(.unsafePath(.encodedSlash))),
        Refusal("a bad escape in the query", "GET /?a=%zz HTTP/1.1\r\n\(host)\r\n", .malformed(.invalidQuery)),
        Refusal("an encoded NUL in the query", "GET /?a=%00 HTTP/1.1\r\n\(host)\r\n", .malformed(.invalidQuery)),
        Refusal("invalid UTF-8 in the query", "GET /?a=%FF HTTP/1.1\r\n\(host)\r\n", .malformed(.invalidQuery)),
        Refusal("obs-fold", "GET / HTTP/1.1\r\n\(host)X: a\r\n  b\r\n\r\n", .malformed(.obsoleteLineFolding)),
        Refusal("a first field line beginning with whitespace", "GET / HTTP/1.1\r\n \(host)\r\n", .malformed(.obsoleteLineFolding)),
        Refusal("a field line without a colon", "GET / HTTP/1.1\r\nHost h\r\n\r\n", .malformed(.missingColon)),
        Refusal("a space before the colon", "GET / HTTP/1.1\r\nHost : h\r\n\r\n", .malformed(.whitespaceBeforeColon)),
        Refusal("a tab before the colon", "GET / HTTP/1.1\r\nHost\t: h\r\n\r\n", .malformed(.whitespaceBeforeColon)),
        Refusal("an empty field name", "GET / HTTP/1.1\r\n\(host): v\r\n\r\n", .malformed(.invalidHeaderName)),
        Refusal("a non-ASCII field name", "GET / HTTP/1.1\r\n\(host)Hóst: h\r\n\r\n", .malformed(.invalidHeaderName)),
        Refusal("a control byte in a field name", "GET / HTTP/1.1\r\n\(host)X\u{01}Y: v\r\n\r\n", .malformed(.invalidHeaderName)),
        Refusal("a separator in a field name", "GET / HTTP/1.1\r\n\(host)X(Y): v\r\n\r\n", .malformed(.invalidHeaderName)),
        Refusal("NUL in a field value", "GET / HTTP/1.1\r\n\(host)X: a\u{0}b\r\n\r\n", .malformed(.invalidHeaderValue)),
        Refusal("DEL in a field value", "GET / HTTP/1.1\r\n\(host)X: a\u{7F}b\r\n\r\n", .malformed(.invalidHeaderValue)),
        Refusal(
            "a field value that is not UTF-8",
            bytes: "GET / HTTP/1.1\r\n\(host)X: ".bytes + [0xFF, 0xFE] + "\r\n\r\n".bytes, .malformed(.invalidHeaderValue)
        ),
        Refusal("HTTP/1.1 without Host", "GET / HTTP/1.1\r\n\r\n", .malformed(.missingHost)),
        Refusal("two Host fields", "GET / HTTP/1.1\r\n\(host)Host: i\r\n\r\n", .malformed(.multipleHost)),
        Refusal("a Host with a slash", "GET / HTTP/1.1\r\nHost: a/b\r\n\r\n", .malformed(.invalidHost)),
        Refusal("a Host with an at sign", "GET / HTTP/1.1\r\nHost: user@a\r\n\r\n", .malformed(.invalidHost)),
        Refusal("a negative Content-Length", "POST / HTTP/1.1\r\n\(host)Content-Length: -1\r\n\r\n", .malformed(.invalidContentLength)),
        Refusal("a signed Content-Length", "POST / HTTP/1.1\r\n\(host)Content-Length: +1\r\n\r\nx", .malformed(.invalidContentLength)),
        Refusal("a Content-Length list", "POST / HTTP/1.1\r\n\(host)Content-Length: 1, 1\r\n\r\nx", .malformed(.invalidContentLength)),
        Refusal("a Content-Length with inner space", "POST / HTTP/1.1\r\n\(host)Content-Length: 1 1\r\n\r\nx", .malformed(.invalidContentLength)),
        Refusal("an empty Content-Length", "POST / HTTP/1.1\r\n\(host)Content-Length:\r\n\r\n", .malformed(.invalidContentLength)),
        Refusal("a hexadecimal Content-Length", "POST / HTTP/1.1\r\n\(host)Content-Length: 0x1\r\n\r\nx", .malformed(.invalidContentLength)),
        Refusal(
            "a long Content-Length with a letter at the end",
            "POST / HTTP/1.1\r\n\(host)Content-Length: 99999999999999999999999x\r\n\r\n", .malformed(.invalidContentLength)
        ),
    ]

    static let unsupported: [Refusal] = [
        Refusal("PUT", "PUT / HTTP/1.1\r\n\(host)\r\n", .methodNotImplemented),
        Refusal("DELETE", "DELETE / HTTP/1.1\r\n\(host)\r\n", .methodNotImplemented),
        Refusal("OPTIONS *", "OPTIONS * HTTP/1.1\r\n\(host)\r\n", .methodNotImplemented),
        Refusal("CONNECT", "CONNECT example.org:443 HTTP/1.1\r\n\(host)\r\n", .methodNotImplemented),
        Refusal("a lowercase get", "get / HTTP/1.1\r\n\(host)\r\n", .methodNotImplemented),
        Refusal("chunked", "POST / HTTP/1.1\r\n\(host)Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n", .transferEncodingNotImplemented),
        Refusal("gzip transfer coding", "POST / HTTP/1.1\r\n\(host)transfer-encoding: gzip\r\n\r\n", .transferEncodingNotImplemented),
        Refusal("identity transfer coding", "GET / HTTP/1.1\r\n\(host)Transfer-Encoding: identity\r\n\r\n", .transferEncodingNotImplemented),
        Refusal("HTTP/2.0", "GET / HTTP/2.0\r\n\(host)\r\n", .versionNotSupported),
        Refusal("the HTTP/2 preface", "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", .versionNotSupported),
        Refusal("HTTP/0.9 spelled out", "GET / HTTP/0.9\r\n\r\n", .versionNotSupported),
        Refusal("HTTP/1.2", "GET / HTTP/1.2\r\n\(host)\r\n", .versionNotSupported),
        Refusal("an unknown expectation", "POST / HTTP/1.1\r\n\(host)Expect: 200-ok\r\nContent-Length: 1\r\n\r\nx", .unsupportedExpectation),
        Refusal("two expectations", "POST / HTTP/1.1\r\n\(host)Expect: 100-continue\r\nExpect: 100-continue\r\n\r\n", .unsupportedExpectation),
    ]

    static let smuggling: [Refusal] = [
        Refusal(
            "two equal Content-Lengths", "POST / HTTP/1.1\r\n\(host)Content-Length: 3\r\nContent-Length: 3\r\n\r\nabc",
            .malformed(.multipleContentLength)
        ),
        Refusal(
            "two different Content-Lengths", "POST / HTTP/1.1\r\n\(host)Content-Length: 3\r\nContent-Length: 30\r\n\r\nabc",
            .malformed(.multipleContentLength)
        ),
        Refusal(
            "Content-Length then Transfer-Encoding",
            "POST / HTTP/1.1\r\n\(host)Content-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
            .malformed(.contentLengthWithTransferEncoding)
        ),
        Refusal(
            "Transfer-Encoding then Content-Length",
            "POST / HTTP/1.1\r\n\(host)Transfer-Encoding: chunked\r\nContent-Length: 4\r\n\r\n0\r\n\r\n",
            .malformed(.contentLengthWithTransferEncoding)
        ),
        Refusal(
            "an obfuscated Transfer-Encoding beside Content-Length",
            "POST / HTTP/1.1\r\n\(host)Content-Length: 4\r\nTransfer-Encoding: xchunked\r\n\r\n0\r\n\r\n",
            .malformed(.contentLengthWithTransferEncoding)
        ),
        Refusal(
            "Transfer-Encoding with a space before the colon",
            "POST / HTTP/1.1\r\n\(host)Content-Length: 4\r\nTransfer-Encoding : chunked\r\n\r\n0\r\n\r\n",
            .malformed(.whitespaceBeforeColon)
        ),
        Refusal(
            "Transfer-Encoding folded onto the previous line",
            "POST / HTTP/1.1\r\n\(host)Content-Length: 4\r\nX: a\r\n Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
            .malformed(.obsoleteLineFolding)
        ),
        Refusal(
            "a bare-LF header hiding a second request",
            "GET / HTTP/1.1\r\n\(host)X: a\nContent-Length: 30\r\n\r\n", .malformed(.bareLineFeed)
        ),
    ]

    @Test(arguments: malformed)
    func malformedInputIsRefusedWith400(_ refusal: Refusal) {
        #expect(refusal.error.status == .badRequest)
        #expect(parseWhole(refusal.bytes).error == refusal.error)
    }

    @Test(arguments: malformed + unsupported + smuggling)
    func everyRefusalIsTheSameFedByteByByte(_ refusal: Refusal) {
        #expect(parseByteByByte(refusal.bytes).error == refusal.error)
    }

    @Test(arguments: unsupported)
    func unsupportedInputIsRefusedWithItsStatus(_ refusal: Refusal) {
        #expect([501, 505, 417].contains(refusal.error.status.code))
        #expect(parseWhole(refusal.bytes).error == refusal.error)
    }

    @Test(arguments: smuggling)
    func smugglingAttemptsAreRefused(_ refusal: Refusal) {
        let outcome = parseWhole(refusal.bytes)
        #expect(outcome.error == refusal.error)
        #expect(outcome.requests.isEmpty)
    }

    @Test func statusesOfEachErrorClass() {
        #expect(HTTPParseError.requestLineTooLong(limit: 1).status.code == 414)
        #expect(HTTPParseError.headerBlockTooLarge(limit: 1).status.code == 431)
        #expect(HTTPParseError.tooManyHeaders(limit: 1).status.code == 431)
        #expect(HTTPParseError.bodyTooLarge(limit: 1).status.code == 413)
        #expect(HTTPParseError.methodNotImplemented.status.code == 501)
        #expect(HTTPParseError.transferEncodingNotImplemented.status.code == 501)
        #expect(HTTPParseError.versionNotSupported.status.code == 505)
        #expect(HTTPParseError.unsupportedExpectation.status.code == 417)
        #expect(HTTPParseError.malformed(.missingHost).status.code == 400)
    }
}
