#if canImport(Glibc)
import Glibc
#endif
import ChildProcesses
import Foundation

/// A throwaway nginx started from the shipped site configuration, `config/nginx/cluster-review.conf`,
/// with only its socket path and its listen block replaced (a loopback port instead of TLS on
/// 443). Everything else — prefix, pid, logs, temporary files — lives in the test's directory;
/// it runs in the foreground as one process (`master_process off`), so it needs no `user` switch
/// and works the same as root in CI and as a developer.
public final class NginxInstance {
    public let directory: String
    public let port: UInt16
    private let process: ChildProcess

    public static let missingMessage = """
        nginx is not installed: these tests start a real nginx in front of the web door. \
        Install Debian's package (apt-get install -y nginx); .ci/run installs it in CI.
        """

    /// The repository's root, found from this file's path.
    public static var repositoryRoot: URL {
        URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    }

    public static var siteTemplate: URL {
        repositoryRoot.appendingPathComponent("config/nginx/cluster-review.conf")
    }

    /// The nginx executable: on the PATH or where Debian puts it.
    public static func locate() -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? ""
        let candidates = path.split(separator: ":").map { "\($0)/nginx" }
            + ["/usr/sbin/nginx", "/usr/local/sbin/nginx", "/usr/local/nginx/sbin/nginx"]
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// The shipped site file with `socketPath` and a plain loopback listener on `port`.
    public static func siteConfiguration(socketPath: String, port: UInt16) throws -> String {
        let template = try String(contentsOf: siteTemplate, encoding: .utf8)
        guard template.contains("@SOCKET@"),
              let begin = template.range(of: "# BEGIN listen"),
              let end = template.range(of: "# END listen"), begin.upperBound < end.lowerBound
        else {
            throw ClientError(description: "\(siteTemplate.path) lacks @SOCKET@ or the BEGIN/END listen markers")
        }
        let site = String(template[..<begin.lowerBound]) + "listen 127.0.0.1:\(port);"
            + String(template[end.upperBound...])
        return site.replacingOccurrences(of: "@SOCKET@", with: socketPath)
    }

    /// Starts nginx in `directory`, proxying to `socketPath`; waits until it accepts connections.
    public static func start(socketPath: String, directory: String) async throws -> NginxInstance {
        guard let executable = locate() else { throw ClientError(description: missingMessage) }
        var lastLog = ""
        for _ in 0..<3 {
            let port = try freePort()
            let instance = try NginxInstance(
                executable: executable, socketPath: socketPath, directory: directory, port: port
            )
            if try await instance.waitUntilReady() { return instance }
            lastLog = instance.errorLog
            await instance.stop()
            if !lastLog.contains("Address already in use") { break }
        }
        throw ClientError(description: "nginx did not start:\n\(lastLog)")
    }

    private init(executable: String, socketPath: String, directory: String, port: UInt16) throws {
        self.directory = directory
        self.port = port
        let site = try Self.siteConfiguration(socketPath: socketPath, port: port)
        try site.write(toFile: directory + "/cluster-review.conf", atomically: true, encoding: .utf8)
        let main = """
            daemon off;
            master_process off;
            worker_processes 1;
            pid \(directory)/nginx.pid;
            error_log \(directory)/error.log info;
            events { worker_connections 64; }
            http {
                access_log \(directory)/access.log;
                client_body_temp_path \(directory)/client_body;
                proxy_temp_path \(directory)/proxy;
                fastcgi_temp_path \(directory)/fastcgi;
                uwsgi_temp_path \(directory)/uwsgi;
                scgi_temp_path \(directory)/scgi;
                include \(directory)/cluster-review.conf;
            }

            """
        try main.write(toFile: directory + "/nginx.conf", atomically: true, encoding: .utf8)
        // Started by the program's one launcher: default signal dispositions and mask (a child
        // inheriting a blocked SIGTERM would leave nginx deaf to it), stdout and stderr in a file.
        process = try ProcessLauncher.launch(LaunchOptions(
            executable: executable,
            arguments: ["-p", directory + "/", "-c", directory + "/nginx.conf", "-e", directory + "/error.log"],
            environment: ProcessInfo.processInfo.environment,
            stdout: .file(directory + "/nginx.out"), stderr: .sameAsStdout))
    }

    deinit {
        if process.poll() == nil {
            process.signal(SIGKILL)
            process.waitForExit()
        }
    }

    /// The error log and anything nginx printed, for failure messages.
    public var errorLog: String {
        let log = (try? String(contentsOfFile: directory + "/error.log", encoding: .utf8)) ?? ""
        let output = (try? String(contentsOfFile: directory + "/nginx.out", encoding: .utf8)) ?? ""
        return log + output
    }

    /// True once nginx accepts a connection; false when it exited, or after 120 s (a hang). The
    /// state is looked at before the clock: a wait the busy test run's cooperative pool stalled
    /// past the bound still finds a ready nginx ready.
    private func waitUntilReady() async throws -> Bool {
        let start = Date()
        while true {
            if process.poll() != nil { return false }
            if (try? TestClient(port: port)) != nil { return true }
            if Date().timeIntervalSince(start) >= 120 { return false }
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    /// Stops nginx (SIGTERM, then SIGKILL if it lingers past 10 s) and reaps it.
    public func stop() async {
        await process.terminate()
    }

    /// A port nothing listens on right now.
    private static func freePort() throws -> UInt16 {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(descriptor) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        inet_pton(AF_INET, "127.0.0.1", &address.sin_addr)
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(descriptor, $0, length) == 0 && getsockname(descriptor, $0, &length) == 0
            }
        }
        guard bound else { throw ClientError(description: "no free port: errno \(errno)") }
        return UInt16(bigEndian: address.sin_port)
    }
}

extension ChildProcess {
    /// SIGTERM, up to 10 s to exit, then SIGKILL; reaps it. Polls, so no thread of the
    /// cooperative pool blocks on the child.
    public func terminate(grace: Duration = .seconds(10)) async {
        guard poll() == nil else { return }
        signal(SIGTERM)
        let deadline = ContinuousClock.now + grace
        while poll() == nil && ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(10))
        }
        if poll() == nil { signal(SIGKILL) }
        while poll() == nil { try? await Task.sleep(for: .milliseconds(10)) }
    }
}
