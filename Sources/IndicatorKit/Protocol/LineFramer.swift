#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// Why a byte stream could not be split into protocol lines.
public enum LineFramingError: Error, Sendable, Hashable, CustomStringConvertible {
    /// A line grew past the limit before its newline arrived; `limit` is the maximum in bytes.
    case lineTooLong(limit: Int)
    /// The stream ended in the middle of a line of `bytes` bytes, without its newline.
    case unterminatedLine(bytes: Int)

    /// One line for a person.
    public var description: String {
        switch self {
        case .lineTooLong(let limit): "a line exceeded the limit of \(limit) bytes before its newline"
        case .unterminatedLine(let bytes): "the stream ended inside an unterminated line of \(bytes) bytes"
        }
    }
}

/// Splits a byte stream into newline-terminated lines, holding at most `maxLineBytes` of a partial
/// line in memory whatever the peer writes.
///
/// Pure and bounded: feed it chunks of any size, in any split, and it yields the same lines. The
/// newline is not part of a line; a `\r` before it is kept (JSON ignores it). What happens to a
/// line longer than the limit depends on `overflow`: `.fail` throws at once (the protocol channel),
/// `.truncate` yields the first `maxLineBytes` bytes and drops the rest of that line (a log
/// channel such as stderr). Searching for the newline uses `memchr`, never a per-byte loop.
public struct LineFramer: Sendable {
    /// What to do with a line longer than the limit.
    public enum Overflow: Sendable, Hashable {
        /// Throw `LineFramingError.lineTooLong`; the framer must not be fed again.
        case fail
        /// Yield the line cut at the limit and skip the rest of it.
        case truncate
    }

    /// The longest line, in bytes without its newline, that is yielded whole.
    public let maxLineBytes: Int
    /// The policy for over-long lines.
    public let overflow: Overflow
    private var pending: [UInt8] = []
    private var discarding = false

    /// A framer for lines of at most `maxLineBytes` bytes (at least 1).
    public init(maxLineBytes: Int, overflow: Overflow = .fail) {
        precondition(maxLineBytes > 0, "maxLineBytes must be positive")
        self.maxLineBytes = maxLineBytes
        self.overflow = overflow
    }

    /// Bytes of a partial line held, waiting for its newline; never more than `maxLineBytes`.
    public var bufferedByteCount: Int { pending.count }

    /// Feeds `chunk` and calls `emit` with every line it completes, in order.
    ///
    /// Throws `LineFramingError.lineTooLong` (only with `.fail`) as soon as a partial line passes
    /// the limit; lines completed earlier in the same chunk have been emitted by then.
    public mutating func feed(
        _ chunk: UnsafeRawBufferPointer, emit: (Data) throws -> Void
    ) throws {
        guard let base = chunk.baseAddress, chunk.count > 0 else { return }
        var start = 0
        let count = chunk.count
        while start < count {
            let cursor = base + start
            let remaining = count - start
            if let hit = memchr(cursor, 0x0A, remaining) {
                let length = UnsafeRawPointer(hit) - cursor
                start += length + 1
                if discarding {
                    discarding = false
                    continue
                }
                if pending.count + length > maxLineBytes {
                    switch overflow {
                    case .fail:
                        throw LineFramingError.lineTooLong(limit: maxLineBytes)
                    case .truncate:
                        let room = maxLineBytes - pending.count
                        pending.append(contentsOf: UnsafeRawBufferPointer(start: cursor, count: room))
                        try emitPending(emit)
                        continue
                    }
                }
                if pending.isEmpty {
                    try emit(Data(bytes: cursor, count: length))
                } else {
                    pending.append(contentsOf: UnsafeRawBufferPointer(start: cursor, count: length))
                    try emitPending(emit)
                }
            } else {
                if discarding { return }
                if pending.count + remaining > maxLineBytes {
                    switch overflow {
                    case .fail:
                        throw LineFramingError.lineTooLong(limit: maxLineBytes)
                    case .truncate:
                        let room = maxLineBytes - pending.count
                        pending.append(contentsOf: UnsafeRawBufferPointer(start: cursor, count: room))
                        try emitPending(emit)
                        discarding = true
                        return
                    }
                }
                pending.append(contentsOf: UnsafeRawBufferPointer(start: cursor, count: remaining))
                return
            }
        }
    }

    /// Feeds `bytes` and returns the lines it completes; a convenience over `feed(_:emit:)`.
    public mutating func feed(_ bytes: some Collection<UInt8>) throws -> [Data] {
        var lines: [Data] = []
        let array = Array(bytes)
        try array.withUnsafeBytes { buffer in
            try feed(buffer) { lines.append($0) }
        }
        return lines
    }

    /// Declares the end of the stream: throws `unterminatedLine` when a partial line is held.
    ///
    /// A stream that ends right after a newline (or is empty) is not an error.
    public mutating func finish() throws {
        defer { pending.removeAll(keepingCapacity: false); discarding = false }
        if !pending.isEmpty { throw LineFramingError.unterminatedLine(bytes: pending.count) }
    }

    private mutating func emitPending(_ emit: (Data) throws -> Void) throws {
        let line = Data(pending)
        // Keep a modest buffer for the next line, but never hold on to a huge one.
        pending.removeAll(keepingCapacity: pending.capacity <= 1 << 16)
        try emit(line)
    }
}
