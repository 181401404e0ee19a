import Foundation
import HTTPTestSupport
import Testing

@testable import HTTPServer

/// The parser yields the same requests however the bytes are split, and keeps pipelined
/// requests apart.
@Suite struct ParserFramingTests {
    static let formBody = "name=%E6%B5%B7%E5%8D%97&note=a+b"
    static let trickyBody = "line one\r\n\r\nGET /not-a-request HTTP/1.1\r\nHost: x\r\n\r\n"

    /// A small corpus covering every accepted shape.
    static let corpus: [String] = [
        "GET / HTTP/1.1\r\nHost: example.org\r\n\r\n",
        "GET /counties/460105/filings?year=2026&q=%E6%B5%B7%E5%8F%A3+city HTTP/1.1\r\nHost: review.example\r\n"
            + "Accept: text/html\r\nCookie: a=1\r\nCookie: b=2\r\n\r\n",
        "POST /filings HTTP/1.1\r\nHost: h\r\nContent-Type: application/x-www-form-urlencoded\r\n"
            + "Content-Length: \(formBody.utf8.count)\r\n\r\n\(formBody)",
        "HEAD /x HTTP/1.0\r\n\r\n",
        "GET /a/ HTTP/1.1\r\nhOsT:   spaced.example:8080   \r\nX-Empty:\r\nX-Tab:\tv\t\r\n\r\n",
        "POST /upload HTTP/1.1\r\nHost: h\r\nContent-Length: \(trickyBody.utf8.count)\r\n\r\n\(trickyBody)",
        "\r\nGET /after-an-empty-line HTTP/1.1\r\nHost: h\r\n\r\n",
        "POST /empty HTTP/1.1\r\nHost: h\r\nContent-Length: 0\r\n\r\n",
        "GET /%E6%B5%B7%E5%8F%A3/report HTTP/1.1\r\nHost: h\r\nX-Name: 海南 省\r\nConnection: close\r\n\r\n",
    ]

    static var stream: [UInt8] { corpus.flatMap(\.bytes) }

    @Test func theCorpusParsesAsExpectedInOneChunk() throws {
        let outcome = parseWhole(Self.stream)
        #expect(outcome.error == nil)
        let requests = outcome.requests
        try #require(requests.count == Self.corpus.count)

        #expect(requests[0].method == .get && requests[0].path == "/" && requests[0].pathSegments == [])
        #expect(requests[0].headers["host"] == "example.org" && requests[0].remoteAddress == "test")

        #expect(requests[1].pathSegments == ["counties", "460105", "filings"])
        #expect(requests[1].query == "year=2026&q=%E6%B5%B7%E5%8F%A3+city")
        #expect(requests[1].queryItems == [
            HTTPQueryItem(name: "year", value: "2026"), HTTPQueryItem(name: "q", value: "海口 city"),
        ])
        #expect(requests[1].headers.values(for: "COOKIE") == ["a=1", "b=2"])

        #expect(requests[2].method == .post && String(decoding: requests[2].body, as: UTF8.self) == Self.formBody)
        #expect(HTTPQueryItem.decode(requests[2].body) == [
            HTTPQueryItem(name: "name", value: "海南"), HTTPQueryItem(name: "note", value: "a b"),
        ])

        #expect(requests[3].method == .head && requests[3].version == .http10 && !requests[3].keepAlive)

        #expect(requests[4].headers["Host"] == "spaced.example:8080")
        #expect(requests[4].headers["x-empty"] == "" && requests[4].headers["X-TAB"] == "v")
        #expect(requests[4].pathSegments == ["a", ""])

        #expect(String(decoding: requests[5].body, as: UTF8.self) == Self.trickyBody)
        #expect(requests[6].path == "/after-an-empty-line")
        #expect(requests[7].body.isEmpty && requests[7].method == .post)
        #expect(requests[8].pathSegments == ["海口", "report"] && requests[8].headers["x-name"] == "海南 省")
        #expect(!requests[8].keepAlive && requests[0].keepAlive)
    }

    @Test(arguments: corpus.indices)
    func eachRequestSplitAtEveryByteBoundaryParsesTheSame(index: Int) {
        let bytes = Self.corpus[index].bytes
        let expected = parseWhole(bytes)
        #expect(expected.requests.count == 1)
        for cut in 0...bytes.count {
            let outcome = parse(bytes, cuts: [cut])
            #expect(outcome == expected, "split at byte \(cut)")
        }
    }

    @Test(arguments: corpus.indices)
    func eachRequestSplitAtEveryPairOfBoundariesParsesTheSame(index: Int) {
        let bytes = Self.corpus[index].bytes
        let expected = parseWhole(bytes)
        for first in 0...bytes.count {
            for second in first...bytes.count where second - first < 40 {
                #expect(parse(bytes, cuts: [first, second]) == expected, "split at \(first) and \(second)")
            }
        }
    }

    @Test func theCorpusFedByteByByteParsesTheSame() {
        #expect(parseByteByByte(Self.stream) == parseWhole(Self.stream))
    }

    @Test(arguments: 1...64)
    func theCorpusPipelinedInEveryChunkSizeParsesTheSame(size: Int) {
        #expect(parseInChunks(of: size, Self.stream) == parseWhole(Self.stream))
    }

    @Test func thePipelinedCorpusSplitAtEveryByteBoundaryParsesTheSame() {
        let stream = Self.stream
        let expected = parseWhole(stream)
        for cut in 0...stream.count {
            #expect(parse(stream, cuts: [cut]) == expected, "split at byte \(cut)")
        }
    }

    @Test func pipelinedRequestsInOneChunkComeOutOneByOneInOrder() throws {
        var parser = HTTPRequestParser()
        parser.append(contentsOf: (get("/one") + get("/two") + get("/three")).bytes)
        #expect(try parser.nextRequest()?.path == "/one")
        #expect(try parser.nextRequest()?.path == "/two")
        #expect(try parser.nextRequest()?.path == "/three")
        #expect(try parser.nextRequest() == nil)
        #expect(!parser.hasPartialRequest && parser.bufferedByteCount == 0)
    }

    @Test func aRequestCutShortIsHeldAsPartialUntilTheRestArrives() throws {
        var parser = HTTPRequestParser()
        let bytes = "POST /x HTTP/1.1\r\nHost: h\r\nContent-Length: 4\r\n\r\nab".bytes
        parser.append(contentsOf: bytes)
        #expect(try parser.nextRequest() == nil)
        #expect(parser.hasPartialRequest)
        parser.append(contentsOf: "cd".bytes)
        #expect(try parser.nextRequest()?.body == Data("abcd".utf8))
        #expect(!parser.hasPartialRequest)
    }

    @Test func goodRequestsBeforeAMalformedOneAreYieldedThenTheErrorSticks() throws {
        var parser = HTTPRequestParser()
        parser.append(contentsOf: (get("/one") + "GET /two HTTP/1.1\nHost: h\r\n\r\n" + get("/three")).bytes)
        #expect(try parser.nextRequest()?.path == "/one")
        #expect(throws: HTTPParseError.malformed(.bareLineFeed)) { try parser.nextRequest() }
        parser.append(contentsOf: get("/four").bytes)
        #expect(throws: HTTPParseError.malformed(.bareLineFeed)) { try parser.nextRequest() }
        #expect(parser.bufferedByteCount == 0)
    }

    @Test func emptyLinesBetweenPipelinedRequestsAreSkipped() {
        let outcome = parseWhole((get("/one") + "\r\n\r\n" + get("/two")).bytes)
        #expect(outcome.error == nil && outcome.requests.map(\.path) == ["/one", "/two"])
    }

    @Test func continueIsRequestedOnceForAnHTTP11BodyNotYetSent() throws {
        var parser = HTTPRequestParser()
        parser.append(contentsOf: "POST /x HTTP/1.1\r\nHost: h\r\nExpect: 100-Continue\r\nContent-Length: 3\r\n\r\n".bytes)
        #expect(try parser.nextRequest() == nil)
        let first = parser.takeContinueRequest()
        let second = parser.takeContinueRequest()
        #expect(first && !second)
        parser.append(contentsOf: "abc".bytes)
        #expect(try parser.nextRequest()?.body == Data("abc".utf8))
    }

    @Test func continueIsNotRequestedForHTTP10() throws {
        var parser = HTTPRequestParser()
        parser.append(contentsOf: "POST /x HTTP/1.0\r\nExpect: 100-continue\r\nContent-Length: 3\r\n\r\n".bytes)
        #expect(try parser.nextRequest() == nil)
        let requested = parser.takeContinueRequest()
        #expect(!requested)
    }

    @Test func continueIsNotRequestedWhenTheBodyAlreadyStarted() throws {
        var parser = HTTPRequestParser()
        parser.append(contentsOf: "POST /x HTTP/1.1\r\nHost: h\r\nExpect: 100-continue\r\nContent-Length: 3\r\n\r\na".bytes)
        #expect(try parser.nextRequest() == nil)
        let requested = parser.takeContinueRequest()
        #expect(!requested)
    }

    @Test func http10KeepsAliveOnlyWhenItAsks() throws {
        let asked = parseWhole("GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n".bytes).requests
        let silent = parseWhole("GET / HTTP/1.0\r\n\r\n".bytes).requests
        let closing = parseWhole("GET / HTTP/1.1\r\nHost: h\r\nConnection: keep-alive, close\r\n\r\n".bytes).requests
        #expect(asked.first?.keepAlive == true)
        #expect(silent.first?.keepAlive == false)
        #expect(closing.first?.keepAlive == false)
    }

    @Test func aRequestBuiltByHandSplitsItsTargetAsTheParserDoes() throws {
        let request = try HTTPRequest(method: .get, target: "/a/%E6%B5%B7?x=1&y")
        #expect(request.pathSegments == ["a", "海"] && request.queryItems.map(\.name) == ["x", "y"])
        #expect(throws: HTTPParseError.malformed(.unsafePath(.dotSegment))) {
            try HTTPRequest(method: .get, target: "/a/%2e%2e/b")
        }
    }
}
