import Foundation
import HTTPTestSupport
import Testing

@testable import HTTPServer

/// A path, and how `HTTPPath` must treat it.
struct PathCase: Sendable, CustomTestStringConvertible {
    var path: String
    var error: HTTPPathError
    var testDescription: String { path }
}

/// `HTTPPath` splits a path into segments that can never traverse, whatever the encoding.
@Suite struct PathSegmentTests {
    static let traversals: [PathCase] = [
        PathCase(path: "/files/../etc/passwd", error: .dotSegment),
        PathCase(path: "/files/./x", error: .dotSegment),
        PathCase(path: "/files/..", error: .dotSegment),
        PathCase(path: "/files/%2e%2e/etc", error: .dotSegment),
        PathCase(path: "/files/%2E%2E/etc", error: .dotSegment),
        PathCase(path: "/files/.%2e/etc", error: .dotSegment),
        PathCase(path: "/files/%2e./etc", error: .dotSegment),
        PathCase(path: "/files/%2e/x", error: .dotSegment),
        PathCase(path: "/files/..%2f..%2fetc", error: .encodedSlash),
        PathCase(path: "/files/..%2F..%2Fetc", error: .encodedSlash),
        PathCase(path: "/files/%2e%2e%2f%2e%2e%2fetc", error: .encodedSlash),
        PathCase(path: "/files/a%2fb", error: .encodedSlash),
        PathCase(path: "/files/..%5c..%5cetc", error: .backslash),
        PathCase(path: "/files/..%5C..%5Cetc", error: .backslash),
        PathCase(path: "/files/..\\..\\etc", error: .backslash),
        PathCase(path: "/files/%00", error: .nul),
        PathCase(path: "/files/passwd%00.pdf", error: .nul),
        PathCase(path: "/files/a%0ab", error: .controlCharacter),
        PathCase(path: "/files/a%0db", error: .controlCharacter),
        PathCase(path: "/files/a%7fb", error: .controlCharacter),
        PathCase(path: "/files/%252e%252e/etc", error: .doubleEncoding),
        PathCase(path: "/files/..%252f..%252fetc", error: .doubleEncoding),
        PathCase(path: "/files/%255c", error: .doubleEncoding),
        PathCase(path: "/files/%c0%ae%c0%ae/etc", error: .invalidUTF8),
        PathCase(path: "/files/..%c0%af..%c0%afetc", error: .invalidUTF8),
        PathCase(path: "/files/%e0%80%ae%e0%80%ae", error: .invalidUTF8),
        PathCase(path: "/files/%ff", error: .invalidUTF8),
        PathCase(path: "/files/%ef%bc%8e%ef%bc%8e/etc", error: .dotSegment),
        PathCase(path: "/files/%e2%80%a5/etc", error: .dotSegment),
        PathCase(path: "/files/..%ef%bc%8fetc", error: .encodedSlash),
        PathCase(path: "/files/..%ef%bc%bcetc", error: .backslash),
        PathCase(path: "/files//etc", error: .emptySegment),
        PathCase(path: "//etc/passwd", error: .emptySegment),
        PathCase(path: "/files/%zz", error: .invalidPercentEncoding),
        PathCase(path: "/files/%2", error: .invalidPercentEncoding),
        PathCase(path: "/files/%", error: .invalidPercentEncoding),
        PathCase(path: "/files/%u002e%u002e", error: .invalidPercentEncoding),
        PathCase(path: "files/x", error: .notAbsolute),
        PathCase(path: "", error: .notAbsolute),
        PathCase(path: "/files/a b", error: .invalidCharacter),
        PathCase(path: "/files/海口", error: .invalidCharacter),
    ]

    @Test(arguments: traversals)
    func theSegmentHelperRefusesEveryTraversalForm(_ entry: PathCase) {
        #expect(throws: entry.error) { try HTTPPath.segments(entry.path) }
    }

    /// The traversals that reach the path check inside a request line: a raw space, raw
    /// non-ASCII or a raw backslash is refused earlier, by the request line's own checks.
    static var throughTheRequestLine: [PathCase] {
        traversals.filter { entry in
            switch entry.error {
            case .notAbsolute, .invalidCharacter: false
            case .backslash: entry.path.contains("%")
            default: true
            }
        }
    }

    @Test(arguments: throughTheRequestLine)
    func theParserRefusesEveryTraversalFormWith400(_ entry: PathCase) {
        let outcome = parseWhole("GET \(entry.path) HTTP/1.1\r\nHost: h\r\n\r\n".bytes)
        #expect(outcome.error == .malformed(.unsafePath(entry.error)))
        #expect(outcome.error?.status.code == 400)
    }

    @Test(arguments: ["..", ".", "%2e%2e", "..%2f..%2fetc", "..%5cetc", "a%00", "%252e%252e", "%c0%ae%c0%ae", "a/b", "..\\x"])
    func aSingleRouteParameterIsDecodedWithTheSameRules(raw: String) {
        #expect(throws: HTTPPathError.self) { try HTTPPath.decodeSegment(raw) }
    }

    @Test(arguments: [
        ("/", [String]()),
        ("/files/report.pdf", ["files", "report.pdf"]),
        ("/files/...", ["files", "..."]),
        ("/files/a..b", ["files", "a..b"]),
        ("/files/.hidden", ["files", ".hidden"]),
        ("/files/%E6%B5%B7%E5%8F%A3", ["files", "海口"]),
        ("/files/100%25", ["files", "100%"]),
        ("/files/a%20b", ["files", "a b"]),
        ("/files/a+b", ["files", "a+b"]),
        ("/a/", ["a", ""]),
        ("/counties/460105/filings", ["counties", "460105", "filings"]),
    ])
    func harmlessPathsSplitIntoDecodedSegments(path: String, segments: [String]) throws {
        #expect(try HTTPPath.segments(path) == segments)
    }

    @Test func queryItemsDecodePlusAndEscapesAndKeepOrderAndRepeats() {
        #expect(HTTPQueryItem.decode("a=1&b=%E6%B5%B7+x&a=2&&flag".bytes) == [
            HTTPQueryItem(name: "a", value: "1"), HTTPQueryItem(name: "b", value: "海 x"),
            HTTPQueryItem(name: "a", value: "2"), HTTPQueryItem(name: "flag", value: ""),
        ])
        #expect(HTTPQueryItem.decode("note=line%0D%0Anext".bytes)?.first?.value == "line\r\nnext")
        #expect(HTTPQueryItem.decode("a=%00".bytes) == nil)
        #expect(HTTPQueryItem.decode("a=%G0".bytes) == nil)
    }
}
