#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A listening socket and what is needed to close it tidily.
struct Listener: Sendable {
    /// The non-blocking, close-on-exec listening descriptor.
    var descriptor: Int32
    /// The address bound, with the kernel's port for port 0.
    var address: HTTPListenAddress
    /// For a Unix socket: the file's device and inode once bound, so that stopping removes the
    /// file only while it is still this server's (a newer server may have replaced it).
    var socketFile: (device: UInt64, inode: UInt64)?
    /// True for TCP (sets TCP_NODELAY on accepted connections).
    var isTCP: Bool
}

/// The system calls behind listening, accepting and naming peers, in one place.
enum Sockets {
    static let backlog: Int32 = 128

    static func listen(_ address: HTTPListenAddress, mode: Int) throws(HTTPServerError) -> Listener {
        switch address {
        case .unix(let path): try listenUnix(path: path, mode: mode)
        case .tcp(let host, let port): try listenTCP(host: host, port: port)
        }
    }

    // MARK: Unix

    private static func listenUnix(path: String, mode: Int) throws(HTTPServerError) -> Listener {
        var address = sockaddr_un()
        let pathBytes = Array(path.utf8)
        let capacity = MemoryLayout.size(ofValue: address.sun_path)
        guard pathBytes.count < capacity else { throw .socketPathTooLong(path) }
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.copyBytes(from: pathBytes)
            raw[pathBytes.count] = 0
        }

        try removeStaleSocket(path: path, address: address)

        let descriptor = socket(AF_UNIX, streamType, 0)
        guard descriptor >= 0 else { throw .system(call: "socket", errno: errno) }
        var bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        if bound != 0 {
            let code = errno
            close(descriptor)
            throw code == EADDRINUSE ? .addressInUse(path) : .system(call: "bind \(path)", errno: code)
        }
        // The mode is set before listen(2): until then a connect is refused, so the socket is
        // never reachable with the umask's looser mode.
        bound = chmod(path, mode_t(mode))
        var info = stat()
        if bound != 0 || lstat(path, &info) != 0 {
            let code = errno
            close(descriptor)
            unlink(path)
            throw .system(call: "chmod \(path)", errno: code)
        }
        guard Glibc.listen(descriptor, backlog) == 0 else {
            let code = errno
            close(descriptor)
            unlink(path)
            throw .system(call: "listen", errno: code)
        }
        return Listener(
            descriptor: descriptor, address: .unix(path: path),
            socketFile: (UInt64(info.st_dev), UInt64(info.st_ino)), isTCP: false
        )
    }

    /// Removes a socket file no server answers on; refuses a live socket and any non-socket.
    private static func removeStaleSocket(path: String, address: sockaddr_un) throws(HTTPServerError) {
        var info = stat()
        guard lstat(path, &info) == 0 else { return }
        guard info.st_mode & S_IFMT == S_IFSOCK else { throw .notASocket(path) }
        let probe = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard probe >= 0 else { throw .system(call: "socket", errno: errno) }
        var address = address
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(probe, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        let code = errno
        close(probe)
        if connected == 0 { throw .addressInUse(path) }
        guard code == ECONNREFUSED else { throw .system(call: "connect \(path)", errno: code) }
        guard unlink(path) == 0 || errno == ENOENT else { throw .system(call: "unlink \(path)", errno: errno) }
    }

    /// Removes the socket file if it is still the one `listener` created.
    static func removeSocketFile(of listener: Listener) {
        guard case .unix(let path) = listener.address, let file = listener.socketFile else { return }
        var info = stat()
        guard lstat(path, &info) == 0, UInt64(info.st_dev) == file.device, UInt64(info.st_ino) == file.inode else {
            return
        }
        unlink(path)
    }

    // MARK: TCP

    private static func listenTCP(host: String, port: UInt16) throws(HTTPServerError) -> Listener {
        guard let family = HTTPListenAddress.family(of: host) else {
            throw .invalidListenAddress(HTTPListenAddress.tcp(host: host, port: port).description)
        }
        let descriptor = socket(family, streamType, 0)
        guard descriptor >= 0 else { throw .system(call: "socket", errno: errno) }
        var one: Int32 = 1
        setsockopt(descriptor, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        var storage = sockaddr_storage()
        let length: socklen_t
        if family == AF_INET {
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_port = port.bigEndian
            inet_pton(AF_INET, host, &address.sin_addr)
            withUnsafeMutableBytes(of: &storage) { $0.copyBytes(from: withUnsafeBytes(of: address) { Array($0) }) }
            length = socklen_t(MemoryLayout<sockaddr_in>.size)
        } else {
            setsockopt(descriptor, Int32(IPPROTO_IPV6), IPV6_V6ONLY, &one, socklen_t(MemoryLayout<Int32>.size))
            var address = sockaddr_in6()
            address.sin6_family = sa_family_t(AF_INET6)
            address.sin6_port = port.bigEndian
            inet_pton(AF_INET6, host, &address.sin6_addr)
            withUnsafeMutableBytes(of: &storage) { $0.copyBytes(from: withUnsafeBytes(of: address) { Array($0) }) }
            length = socklen_t(MemoryLayout<sockaddr_in6>.size)
        }
        let bound = withUnsafePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, length) }
        }
        let text = HTTPListenAddress.tcp(host: host, port: port).description
        if bound != 0 {
            let code = errno
            close(descriptor)
            throw code == EADDRINUSE ? .addressInUse(text) : .system(call: "bind \(text)", errno: code)
        }
        guard Glibc.listen(descriptor, backlog) == 0 else {
            let code = errno
            close(descriptor)
            throw .system(call: "listen", errno: code)
        }
        var actual = sockaddr_storage()
        var actualLength = socklen_t(MemoryLayout<sockaddr_storage>.size)
        _ = withUnsafeMutablePointer(to: &actual) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &actualLength) }
        }
        let actualPort = describe(actual).port ?? port
        return Listener(descriptor: descriptor, address: .tcp(host: host, port: actualPort), socketFile: nil, isTCP: true)
    }

    // MARK: Accepted connections

    static var streamType: Int32 {
        Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue) | Int32(SOCK_NONBLOCK.rawValue)
    }

    /// Accepts one connection: the descriptor (non-blocking, close-on-exec) and the peer's
    /// description, or the errno.
    static func accept(_ listener: Listener) -> Result<(Int32, String), AcceptError> {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let descriptor = withUnsafeMutablePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { address in
                if let accept4 {
                    return accept4(listener.descriptor, address, &length, Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue))
                }
                let descriptor = Glibc.accept(listener.descriptor, address, &length)
                if descriptor >= 0 { configure(descriptor) }
                return descriptor
            }
        }
        guard descriptor >= 0 else { return .failure(AcceptError(code: errno)) }
        if listener.isTCP {
            var one: Int32 = 1
            setsockopt(descriptor, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
        }
        return .success((descriptor, listener.isTCP ? describe(storage).text : "unix"))
    }

    // accept4(2) and pipe2(2) set close-on-exec and non-blocking atomically, so a child spawned by
    // another thread can never inherit a connection; Glibc's module map hides them (they need
    // _GNU_SOURCE), so they are looked up as ReviewCore's Subprocess does, with a fallback.
    typealias Accept4 = @convention(c) (Int32, UnsafeMutablePointer<sockaddr>?, UnsafeMutablePointer<socklen_t>?, Int32) -> Int32
    typealias Pipe2 = @convention(c) (UnsafeMutablePointer<Int32>, Int32) -> Int32
    static let accept4: Accept4? = dlsym(nil, "accept4").map { unsafeBitCast($0, to: Accept4.self) }
    static let pipe2: Pipe2? = dlsym(nil, "pipe2").map { unsafeBitCast($0, to: Pipe2.self) }

    /// Makes `descriptor` non-blocking and close-on-exec (the fallback path).
    static func configure(_ descriptor: Int32) {
        _ = fcntl(descriptor, F_SETFD, FD_CLOEXEC)
        _ = fcntl(descriptor, F_SETFL, fcntl(descriptor, F_GETFL) | O_NONBLOCK)
    }

    /// A non-blocking, close-on-exec pipe: the I/O thread's wake-up.
    static func makeWakePipe() throws(HTTPServerError) -> (read: Int32, write: Int32) {
        var fds: [Int32] = [-1, -1]
        if let pipe2 {
            guard pipe2(&fds, O_NONBLOCK | O_CLOEXEC) == 0 else { throw .system(call: "pipe2", errno: errno) }
        } else {
            guard pipe(&fds) == 0 else { throw .system(call: "pipe", errno: errno) }
            configure(fds[0])
            configure(fds[1])
        }
        return (fds[0], fds[1])
    }

    struct AcceptError: Error {
        var code: Int32
    }

    private static func text(_ buffer: [CChar]) -> String {
        String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// `127.0.0.1:54321` or `[::1]:54321`, and the port.
    static func describe(_ storage: sockaddr_storage) -> (text: String, port: UInt16?) {
        var storage = storage
        var buffer = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN) + 1)
        switch Int32(storage.ss_family) {
        case AF_INET:
            return withUnsafePointer(to: &storage) {
                $0.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { address in
                    var raw = address.pointee.sin_addr
                    inet_ntop(AF_INET, &raw, &buffer, socklen_t(buffer.count))
                    let port = UInt16(bigEndian: address.pointee.sin_port)
                    return ("\(text(buffer)):\(port)", port)
                }
            }
        case AF_INET6:
            return withUnsafePointer(to: &storage) {
                $0.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { address in
                    var raw = address.pointee.sin6_addr
                    inet_ntop(AF_INET6, &raw, &buffer, socklen_t(buffer.count))
                    let port = UInt16(bigEndian: address.pointee.sin6_port)
                    return ("[\(text(buffer))]:\(port)", port)
                }
            }
        default:
            return ("unknown", nil)
        }
    }
}
