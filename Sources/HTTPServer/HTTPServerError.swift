#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Why the server could not start listening.
public enum HTTPServerError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The `--listen` value is not `unix:PATH`, `HOST:PORT` or `[HOST]:PORT` with a numeric host.
    case invalidListenAddress(String)
    /// A TCP address that is not loopback, without `allowNonLoopback`: the server is meant to sit
    /// behind nginx on the same host.
    case notLoopback(String)
    /// A Unix socket path longer than the 107 bytes `sockaddr_un` holds.
    case socketPathTooLong(String)
    /// The socket path exists and is not a socket; it is never removed.
    case notASocket(String)
    /// Another server answers on the address (a live socket, or a port in use).
    case addressInUse(String)
    /// A system call failed with `errno`.
    case system(call: String, errno: Int32)

    /// One line for a person.
    public var description: String {
        switch self {
        case .invalidListenAddress(let text):
            "--listen \(text.debugDescription) is not unix:PATH, HOST:PORT or [HOST]:PORT with a numeric host"
        case .notLoopback(let text):
            "\(text) is not a loopback address; the web door listens on a Unix socket or loopback behind nginx"
        case .socketPathTooLong(let path): "the socket path \(path) is longer than 107 bytes"
        case .notASocket(let path): "\(path) exists and is not a socket; remove it or choose another path"
        case .addressInUse(let text): "another server is listening on \(text)"
        case .system(let call, let code): "\(call) failed: \(String(cString: strerror(code)))"
        }
    }
}
