import Foundation
import HTTPTestSupport
@testable import HTTPServer

/// What feeding a byte stream to a parser produced: the requests, then the error if any.
struct ParseOutcome: Equatable {
    var requests: [HTTPRequest]
    var error: HTTPParseError?
}

/// Feeds `bytes` in the chunks that begin at `cuts` (sorted offsets), pulling requests after
/// every chunk, as the server does.
func parse(_ bytes: [UInt8], cuts: [Int], limits: HTTPLimits = HTTPLimits()) -> ParseOutcome {
    var parser = HTTPRequestParser(limits: limits, remoteAddress: "test")
    var outcome = ParseOutcome(requests: [], error: nil)
    let bounds = [0] + cuts + [bytes.count]
    for index in 0..<(bounds.count - 1) {
        parser.append(contentsOf: bytes[bounds[index]..<bounds[index + 1]])
        do {
            while let request = try parser.nextRequest() { outcome.requests.append(request) }
        } catch {
            outcome.error = error
            return outcome
        }
    }
    return outcome
}

func parseWhole(_ bytes: [UInt8], limits: HTTPLimits = HTTPLimits()) -> ParseOutcome {
    parse(bytes, cuts: [], limits: limits)
}

func parseByteByByte(_ bytes: [UInt8], limits: HTTPLimits = HTTPLimits()) -> ParseOutcome {
    parse(bytes, cuts: bytes.isEmpty ? [] : Array(1..<bytes.count), limits: limits)
}

func parseInChunks(of size: Int, _ bytes: [UInt8], limits: HTTPLimits = HTTPLimits()) -> ParseOutcome {
    parse(bytes, cuts: Array(stride(from: size, to: bytes.count, by: size)), limits: limits)
}

extension String {
    var bytes: [UInt8] { Array(utf8) }
}
