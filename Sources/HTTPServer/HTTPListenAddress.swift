#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Where the server listens: a Unix socket (production, behind nginx) or a TCP address.
public enum HTTPListenAddress: Sendable, Hashable, CustomStringConvertible {
    /// A Unix stream socket at `path`, created with the configured mode (0660 by default).
    case unix(path: String)
    /// A numeric IPv4 or IPv6 address and a port; port 0 asks the kernel for a free one, and the
    /// server's `address` then holds the port it got.
    case tcp(host: String, port: UInt16)

    /// Reads a `--listen` value: `unix:/run/cluster-review/web.sock`, `127.0.0.1:8080`,
    /// `[::1]:8080` or `localhost:8080` (which means 127.0.0.1). Host names are not resolved.
    public init(parsing text: String) throws(HTTPServerError) {
        if text.hasPrefix("unix:") {
            let path = String(text.dropFirst(5))
            guard !path.isEmpty else { throw .invalidListenAddress(text) }
            self = .unix(path: path)
            return
        }
        let host: Substring
        let port: Substring
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]"), text[text.index(after: close)...].hasPrefix(":") else {
                throw .invalidListenAddress(text)
            }
            host = text[text.index(after: text.startIndex)..<close]
            port = text[text.index(close, offsetBy: 2)...]
            guard Self.family(of: String(host)) == AF_INET6 else { throw .invalidListenAddress(text) }
        } else {
            guard let colon = text.lastIndex(of: ":") else { throw .invalidListenAddress(text) }
            host = text[..<colon] == "localhost" ? "127.0.0.1" : text[..<colon]
            port = text[text.index(after: colon)...]
            guard Self.family(of: String(host)) == AF_INET else { throw .invalidListenAddress(text) }
        }
        guard !port.isEmpty, port.count <= 5, port.allSatisfy(\.isASCIIDigit), let number = UInt16(port) else {
            throw .invalidListenAddress(text)
        }
        self = .tcp(host: String(host), port: number)
    }

    /// True for a Unix socket, 127.0.0.0/8, ::1 and ::ffff:127.0.0.0/104.
    public var isLoopback: Bool {
        switch self {
        case .unix:
            return true
        case .tcp(let host, _):
            if Self.family(of: host) == AF_INET {
                var address = in_addr()
                _ = inet_pton(AF_INET, host, &address)
                return UInt32(bigEndian: address.s_addr) >> 24 == 127
            }
            var address = in6_addr()
            guard inet_pton(AF_INET6, host, &address) == 1 else { return false }
            let bytes = withUnsafeBytes(of: address) { Array($0) }
            if bytes[0..<15].allSatisfy({ $0 == 0 }) && bytes[15] == 1 { return true }
            return bytes[0..<10].allSatisfy({ $0 == 0 }) && bytes[10] == 0xFF && bytes[11] == 0xFF && bytes[12] == 127
        }
    }

    /// The `--listen` spelling: `unix:PATH`, `HOST:PORT` or `[HOST]:PORT`.
    public var description: String {
        switch self {
        case .unix(let path): "unix:\(path)"
        case .tcp(let host, let port): host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
        }
    }

    /// AF_INET or AF_INET6 for a numeric address, nil for anything else.
    static func family(of host: String) -> Int32? {
        var v4 = in_addr()
        if inet_pton(AF_INET, host, &v4) == 1 { return AF_INET }
        var v6 = in6_addr()
        if inet_pton(AF_INET6, host, &v6) == 1 { return AF_INET6 }
        return nil
    }
}

private extension Character {
    var isASCIIDigit: Bool { isASCII && isNumber }
}
