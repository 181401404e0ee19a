#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import JSONCore

/// A structured logger that writes one JSON object per line: `time`, `level`, `event`, then the
/// fields, e.g. `{"time":"2026-11-29T19:40:12.345Z","level":"info","event":"worker_started","module":"green","pid":4711}`.
///
/// Sendable and cheap to copy; every line is written with a single `write(2)`, so lines from
/// several threads never interleave. By default it writes to stderr; tests pass a sink.
public struct Logger: Sendable {
    /// How much a line matters; lines below the logger's minimum are dropped.
    public enum Level: String, Sendable, Hashable, Comparable, CaseIterable {
        /// Detail for whoever debugs.
        case debug
        /// Normal events: a worker started, a module is ready.
        case info
        /// Something went wrong and was handled: a worker was replaced.
        case warning
        /// Something went wrong and was not handled: a module is failing.
        case error

        var rank: Int {
            switch self {
            case .debug: 0
            case .info: 1
            case .warning: 2
            case .error: 3
            }
        }

        /// Orders by how much a line matters: debug < info < warning < error.
        public static func < (lhs: Level, rhs: Level) -> Bool { lhs.rank < rhs.rank }
    }

    /// Lines below this level are dropped.
    public var minimumLevel: Level
    /// Fields added to every line, e.g. the coordinator's id.
    public var metadata: [(String, JSONValue)]
    private let sink: @Sendable (String) -> Void

    /// A logger writing lines to file descriptor `fd` (stderr by default).
    public init(minimumLevel: Level = .info, fd: Int32 = 2) {
        self.minimumLevel = minimumLevel
        self.metadata = []
        self.sink = { line in
            let data = Array(line.utf8)
            data.withUnsafeBytes { buffer in
                var offset = 0
                while offset < buffer.count {
                    let written = write(fd, buffer.baseAddress! + offset, buffer.count - offset)
                    if written < 0 { if errno == EINTR { continue }; return }
                    offset += written
                }
            }
        }
    }

    /// A logger handing each complete line (newline included) to `sink`; for tests and capture.
    public init(minimumLevel: Level = .debug, sink: @escaping @Sendable (String) -> Void) {
        self.minimumLevel = minimumLevel
        self.metadata = []
        self.sink = sink
    }

    /// A logger that drops everything.
    public static let discarding = Logger(minimumLevel: .error, sink: { _ in })

    /// This logger with `fields` added to every line.
    public func with(_ fields: KeyValuePairs<String, JSONValue>) -> Logger {
        var copy = self
        copy.metadata += fields.map { ($0.key, $0.value) }
        return copy
    }

    /// Writes one line for `event` at `level` with `fields` (in the order given).
    public func log(_ level: Level, _ event: String, _ fields: KeyValuePairs<String, JSONValue> = [:]) {
        guard level >= minimumLevel else { return }
        var writer = JSONWriter(style: .canonical, capacity: 128)
        writer.appendRaw(#"{"time":""#)
        writer.bytes.append(contentsOf: Logger.timestamp().utf8)
        writer.appendRaw(#"","level":""#)
        writer.bytes.append(contentsOf: level.rawValue.utf8)
        writer.appendRaw(#"","event":"#)
        writer.appendString(event)
        for (key, value) in metadata { Logger.appendMember(key, value, to: &writer) }
        for (key, value) in fields { Logger.appendMember(key, value, to: &writer) }
        writer.appendRaw("}\n")
        sink(writer.text)
    }

    /// `log(.debug, …)`.
    public func debug(_ event: String, _ fields: KeyValuePairs<String, JSONValue> = [:]) { log(.debug, event, fields) }
    /// `log(.info, …)`.
    public func info(_ event: String, _ fields: KeyValuePairs<String, JSONValue> = [:]) { log(.info, event, fields) }
    /// `log(.warning, …)`.
    public func warning(_ event: String, _ fields: KeyValuePairs<String, JSONValue> = [:]) { log(.warning, event, fields) }
    /// `log(.error, …)`.
    public func error(_ event: String, _ fields: KeyValuePairs<String, JSONValue> = [:]) { log(.error, event, fields) }

    static func appendMember(_ key: String, _ value: JSONValue, to writer: inout JSONWriter) {
        writer.appendRaw(",")
        writer.appendString(key)
        writer.appendRaw(":")
        writer.append(value)
    }

    static func timestamp() -> String {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        var seconds = now.tv_sec
        var parts = tm()
        gmtime_r(&seconds, &parts)
        func pad(_ value: Int32, _ width: Int) -> String {
            let text = String(value)
            return String(repeating: "0", count: max(0, width - text.count)) + text
        }
        return "\(pad(parts.tm_year + 1900, 4))-\(pad(parts.tm_mon + 1, 2))-\(pad(parts.tm_mday, 2))T"
            + "\(pad(parts.tm_hour, 2)):\(pad(parts.tm_min, 2)):\(pad(parts.tm_sec, 2)).\(pad(Int32(now.tv_nsec / 1_000_000), 3))Z"
    }
}
