import Foundation
import HTTPServer
import Testing

/// `MultipartFormData`: the boundary from the type, the parts byte for byte, and refusals.
@Suite struct MultipartTests {
    static let boundary = "----formBoundary7MA4YWxkTrZu0gW"

    /// A body as Chromium sends a form with a CSRF field, a file input and a textarea: the file
    /// holds CR, LF, `--`, a near-boundary and non-ASCII bytes.
    static let file: [UInt8] = Array("{\"a\": \"文昌\"}\r\n--\r\n------formBoundary7MA4YWxkTrZu0g\n".utf8) + [0x00, 0xFF, 0x0D]
    static var body: [UInt8] {
        var bytes: [UInt8] = []
        func add(_ text: String) { bytes += Array(text.utf8) }
        add("--\(boundary)\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\ntoken-1\r\n")
        add("--\(boundary)\r\nContent-Disposition: form-data; name=\"file\"; filename=\"my \\\"filing\\\".json\"\r\n")
        add("Content-Type: application/json\r\n\r\n")
        bytes += file
        add("\r\n--\(boundary)\r\nContent-Disposition: form-data; name=\"text\"\r\n\r\n\r\n--\(boundary)--\r\n")
        return bytes
    }

    static let expected = [
        MultipartPart(name: "csrf", body: Data("token-1".utf8)),
        MultipartPart(name: "file", filename: "my \"filing\".json", contentType: "application/json", body: Data(file)),
        MultipartPart(name: "text", body: Data()),
    ]

    @Test func readsEveryPartByteForByte() {
        #expect(MultipartFormData.parse(Data(Self.body), boundary: Self.boundary) == Self.expected)
    }

    @Test func readsTheBoundaryFromTheContentType() {
        #expect(MultipartFormData.boundary(contentType: "multipart/form-data; boundary=\(Self.boundary)") == Self.boundary)
        #expect(MultipartFormData.boundary(contentType: "Multipart/Form-Data;boundary=\"a b\"") == "a b")
        #expect(MultipartFormData.boundary(contentType: "application/x-www-form-urlencoded") == nil)
        #expect(MultipartFormData.boundary(contentType: "multipart/form-data") == nil)
        #expect(MultipartFormData.boundary(contentType: "multipart/form-data; boundary=" + String(repeating: "a", count: 71)) == nil)
        #expect(MultipartFormData.boundary(contentType: "multipart/form-data; boundary=a<b") == nil)
    }

    /// The request arrives in two reads split at every byte: the parser gives the same request,
    /// and its body the same parts.
    @Test func theSamePartsWhateverByteTheRequestIsSplitAt() throws {
        let body = Self.body
        let head = Array("POST /filings/new HTTP/1.1\r\nHost: h\r\nContent-Type: multipart/form-data; boundary=\(Self.boundary)\r\nContent-Length: \(body.count)\r\n\r\n".utf8)
        let request = head + body
        for split in 0...request.count {
            var parser = HTTPRequestParser()
            parser.append(contentsOf: request[..<split])
            var parsed = try parser.nextRequest()
            if parsed == nil {
                parser.append(contentsOf: request[split...])
                parsed = try parser.nextRequest()
            }
            let received = try #require(parsed, "split at \(split)")
            let boundary = MultipartFormData.boundary(contentType: received.headers["Content-Type"])
            #expect(boundary == Self.boundary)
            #expect(MultipartFormData.parse(received.body, boundary: Self.boundary) == Self.expected, "split at \(split)")
        }
    }

    /// Every prefix of the body short of the close delimiter is refused, never read as fewer parts.
    @Test func refusesEveryTruncatedBody() {
        let body = Self.body
        // The body ends "--boundary--\r\n": anything shorter than up to the last dash is cut short.
        for length in 0..<(body.count - 2) {
            #expect(MultipartFormData.parse(Data(body[..<length]), boundary: Self.boundary) == nil, "prefix of \(length) bytes")
        }
    }

    @Test func refusesAPartWithoutAName() {
        let body = "--b\r\nContent-Disposition: form-data; filename=\"x\"\r\n\r\nx\r\n--b--\r\n"
        #expect(MultipartFormData.parse(Data(body.utf8), boundary: "b") == nil)
    }

    @Test func refusesAHeaderWithABareLineFeed() {
        let body = "--b\r\nContent-Disposition: form-data; name=\"a\"\nX-Other: 1\r\n\r\nx\r\n--b--\r\n"
        #expect(MultipartFormData.parse(Data(body.utf8), boundary: "b") == nil)
    }

    @Test func refusesMorePartsThanTheBound() {
        var body = ""
        for index in 0...MultipartFormData.maxParts { body += "--b\r\nContent-Disposition: form-data; name=\"f\(index)\"\r\n\r\nx\r\n" }
        body += "--b--\r\n"
        #expect(MultipartFormData.parse(Data(body.utf8), boundary: "b") == nil)
        let fewer = body.components(separatedBy: "--b\r\n").dropFirst(2).map { "--b\r\n" + $0 }.joined()
        #expect(MultipartFormData.parse(Data(fewer.utf8), boundary: "b")?.count == MultipartFormData.maxParts)
    }

    @Test func refusesHeadersOverTheBound() {
        let long = String(repeating: "x", count: MultipartFormData.maxHeaderBytes)
        let body = "--b\r\nContent-Disposition: form-data; name=\"a\"\r\nX-Long: \(long)\r\n\r\nx\r\n--b--\r\n"
        #expect(MultipartFormData.parse(Data(body.utf8), boundary: "b") == nil)
    }

    @Test func refusesAControlCharacterInAName() {
        let body = "--b\r\nContent-Disposition: form-data; name=\"a\u{7F}\"\r\n\r\nx\r\n--b--\r\n"
        #expect(MultipartFormData.parse(Data(body.utf8), boundary: "b") == nil)
    }

    @Test func ignoresAPreambleAndAnEpilogue() {
        let body = "preamble\r\n--b\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nx\r\n--b--\r\nepilogue"
        #expect(MultipartFormData.parse(Data(body.utf8), boundary: "b") == [MultipartPart(name: "a", body: Data("x".utf8))])
    }
}
