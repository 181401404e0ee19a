import HTTPServer
import Testing

@testable import WebDoor

/// `X-Real-IP` and `X-Forwarded-Proto` are nginx's word, believed only over the Unix socket (which
/// only nginx can write to); a client on a port gets its own address and no TLS, whatever it says.
@Suite struct ProxyHeaderTests {
    static let spoofed: HTTPHeaders = ["X-Real-IP": "203.0.113.7", "X-Forwarded-Proto": "https"]

    @Test func overTheUnixSocketNginxsAddressAndSchemeAreBelieved() throws {
        let web = WebRequest(try HTTPRequest(method: .get, target: "/", headers: Self.spoofed, remoteAddress: "unix"))
        #expect(web.address == "203.0.113.7")
        #expect(web.overTLS)
    }

    @Test(arguments: ["127.0.0.1:54321", "[::1]:54321"])
    func onAPortTheHeadersAreIgnoredAndThePeerIsTheAddress(_ peer: String) throws {
        let web = WebRequest(try HTTPRequest(method: .get, target: "/", headers: Self.spoofed, remoteAddress: peer))
        #expect(web.address == (peer.hasPrefix("[") ? "::1" : "127.0.0.1"))
        #expect(!web.overTLS, "a client on a port cannot make cookies Secure-only or claim TLS")
    }

    @Test func anOverlongForwardedAddressIsNotBelieved() throws {
        let headers: HTTPHeaders = ["X-Real-IP": String(repeating: "1", count: 65)]
        let web = WebRequest(try HTTPRequest(method: .get, target: "/", headers: headers, remoteAddress: "unix"))
        #expect(web.address == "unix")
    }
}
