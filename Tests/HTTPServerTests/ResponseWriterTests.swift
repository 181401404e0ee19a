import Foundation
import HTTPTestSupport
import Testing

@testable import HTTPServer

/// The writer frames every response itself and refuses anything that could inject a header.
@Suite struct ResponseWriterTests {
    static func text(_ data: Data) -> String { String(decoding: data, as: UTF8.self) }

    @Test func writesTheStatusLineFieldsLengthAndBodyInOrder() throws {
        let response = HTTPResponse(status: .ok, headers: ["Content-Type": "text/plain", "X-A": "1"], body: Data("hello".utf8))
        let bytes = try HTTPResponseWriter.serialize(response, method: .get, connection: .persistent, date: "D")
        #expect(Self.text(bytes) == "HTTP/1.1 200 OK\r\nDate: D\r\nContent-Type: text/plain\r\nX-A: 1\r\nContent-Length: 5\r\n\r\nhello")
    }

    @Test func aResponseToHEADHasTheLengthOfItsBodyButNoBody() throws {
        let response = HTTPResponse(status: .ok, body: Data("hello".utf8))
        let bytes = try HTTPResponseWriter.serialize(response, method: .head, connection: .persistent)
        #expect(Self.text(bytes) == "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n")
    }

    @Test(arguments: [204, 304])
    func noContentAndNotModifiedHaveNoLengthAndNoBody(code: Int) throws {
        let bytes = try HTTPResponseWriter.serialize(HTTPResponse(status: HTTPStatus(code: code)), method: .get, connection: .persistent)
        #expect(Self.text(bytes) == "HTTP/1.1 \(code) \(HTTPStatus(code: code).reasonPhrase)\r\n\r\n")
    }

    @Test(arguments: [204, 304])
    func aBodyOnNoContentOrNotModifiedIsRefused(code: Int) {
        let response = HTTPResponse(status: HTTPStatus(code: code), body: Data("x".utf8))
        #expect(throws: HTTPResponseError.bodyNotAllowed(HTTPStatus(code: code))) {
            try HTTPResponseWriter.serialize(response, method: .get, connection: .persistent)
        }
    }

    @Test func theConnectionFieldFollowsTheMode() throws {
        let close = try HTTPResponseWriter.serialize(HTTPResponse(), method: .get, connection: .close)
        let keepAlive = try HTTPResponseWriter.serialize(HTTPResponse(), method: .get, connection: .keepAlive)
        #expect(Self.text(close) == "HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
        #expect(Self.text(keepAlive) == "HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: keep-alive\r\n\r\n")
    }

    @Test(arguments: ["a\r\nSet-Cookie: admin=1", "a\nX: y", "a\rX: y", "a\u{0}b", "a\u{1B}b", "a\u{7F}b",
                      "\r\n\r\nHTTP/1.1 200 OK"])
    func aValueWithCRLFOrControlBytesIsRefused(value: String) {
        let response = HTTPResponse(headers: ["Location": value])
        #expect(throws: HTTPResponseError.invalidHeaderValue(name: "Location")) {
            try HTTPResponseWriter.serialize(response, method: .get, connection: .persistent)
        }
    }

    @Test(arguments: ["X-A\r\nSet-Cookie", "X A", "X:A", "", "X-\u{0}", "Fé", "X\nY"])
    func aNameThatIsNotATokenIsRefused(name: String) {
        let response = HTTPResponse(headers: HTTPHeaders([.init(name: name, value: "v")]))
        #expect(throws: HTTPResponseError.invalidHeaderName(name)) {
            try HTTPResponseWriter.serialize(response, method: .get, connection: .persistent)
        }
    }

    @Test(arguments: ["Content-Length", "content-length", "Transfer-Encoding", "CONNECTION"])
    func framingFieldsAreTheWritersOwn(name: String) {
        let response = HTTPResponse(headers: HTTPHeaders([.init(name: name, value: "1")]))
        #expect(throws: HTTPResponseError.self) {
            try HTTPResponseWriter.serialize(response, method: .get, connection: .persistent)
        }
    }

    @Test func aValueWithTabsAndUTF8IsWritten() throws {
        let response = HTTPResponse(headers: ["Content-Disposition": "attachment;\tfilename=\"海口.pdf\""])
        let bytes = try HTTPResponseWriter.serialize(response, method: .get, connection: .persistent)
        #expect(Self.text(bytes).contains("Content-Disposition: attachment;\tfilename=\"海口.pdf\"\r\n"))
    }

    @Test(arguments: [100, 101, 199, 600, 999])
    func aStatusOutsideTheFinalRangeIsRefused(code: Int) {
        #expect(throws: HTTPResponseError.invalidStatus(code)) {
            try HTTPResponseWriter.serialize(HTTPResponse(status: HTTPStatus(code: code)), method: .get, connection: .persistent)
        }
    }

    @Test func aHandlersOwnDateIsKeptAndNotRepeated() throws {
        let response = HTTPResponse(headers: ["Date": "Mine"])
        let text = Self.text(try HTTPResponseWriter.serialize(response, method: .get, connection: .persistent, date: "Server's"))
        #expect(text == "HTTP/1.1 200 OK\r\nDate: Mine\r\nContent-Length: 0\r\n\r\n")
    }

    @Test func datesAreIMFFixdate() {
        #expect(HTTPResponseWriter.httpDate(secondsSinceEpoch: 784_111_777) == "Sun, 06 Nov 1994 08:49:37 GMT")
        #expect(HTTPResponseWriter.httpDate(secondsSinceEpoch: 0) == "Thu, 01 Jan 1970 00:00:00 GMT")
    }

    @Test func headersMatchNamesInAnyCaseAndKeepRepeats() {
        var headers: HTTPHeaders = ["Set-Cookie": "a=1", "X": "1", "set-cookie": "b=2"]
        #expect(headers.values(for: "SET-COOKIE") == ["a=1", "b=2"])
        headers.set(name: "Set-Cookie", value: "c=3")
        #expect(headers.fields.map(\.name) == ["Set-Cookie", "X"] && headers["set-cookie"] == "c=3")
        headers.remove(name: "x")
        #expect(headers.count == 1)
    }
}
