import IndicatorKit
import ChildProcesses

/// Why one request to a module produced no findings.
public enum ModuleFailureCause: Error, Sendable, Hashable, CustomStringConvertible {
    /// The module is failing (restart circuit open), incompatible, or the pool is shut down.
    case unavailable(reason: String)
    /// The worker did not answer within the request timeout; it was killed.
    case timedOut(after: Duration)
    /// The worker ended while the request was in flight.
    case crashed(ExitStatus)
    /// The worker wrote a line longer than the limit; it was killed.
    case lineTooLong(limit: Int)
    /// The reply was not a protocol message; the worker was killed.
    case malformedReply(reason: String)
    /// The reply answered another request id; the worker was killed.
    case wrongId(expected: String, received: String?)
    /// The worker sent a message that is not a reply (e.g. a second `ready`); it was killed.
    case unexpectedMessage(type: String)
    /// The answer broke a rule of `AnswerValidator` (an undeclared or repeated criterion, a score
    /// out of range, the verdict `error`, NUL in a text, a field or the whole reply too large);
    /// the worker was killed.
    case invalidAnswer(AnswerViolation)
    /// The module answered with an `error` reply; it was not retried.
    case rejected(code: String, message: String)
    /// A replacement worker could not be started.
    case spawnFailed(reason: String)

    /// One line for a person.
    public var description: String {
        switch self {
        case .unavailable(let reason): "module unavailable: \(reason)"
        case .timedOut(let after): "no reply within \(after)"
        case .crashed(let status): "the worker \(status) during the request"
        case .lineTooLong(let limit): "the worker wrote a line longer than \(limit) bytes"
        case .malformedReply(let reason): "the reply was not a protocol message: \(reason)"
        case .wrongId(let expected, let received): "the reply carried id \(received.map { "\"\($0)\"" } ?? "null") instead of \"\(expected)\""
        case .unexpectedMessage(let type): "the worker sent a \(type) message instead of a reply"
        case .invalidAnswer(let violation): "invalid answer: \(violation)"
        case .rejected(let code, let message): "the module refused the request (\(code)): \(message)"
        case .spawnFailed(let reason): "no worker could be started: \(reason)"
        }
    }

    /// True when a fresh worker may answer differently, so the request is worth retrying.
    public var isRetryable: Bool {
        switch self {
        case .unavailable, .rejected: false
        default: true
        }
    }
}

/// A request that failed for good: the caller records it as an `error` finding, never drops it.
public struct ModuleFailure: Error, Sendable, Hashable, CustomStringConvertible {
    /// The module's id.
    public var module: String
    /// The id of the last attempt's request, when one was sent.
    public var requestId: String?
    /// Why the last attempt failed.
    public var cause: ModuleFailureCause
    /// How many times the request was sent (0 when the module was unavailable from the start).
    public var attempts: Int
    /// The pid of the last worker tried.
    public var pid: Int32?
    /// The last stderr lines of that worker, each cut at the configured length.
    public var stderrTail: [String]

    /// A failure.
    public init(module: String, requestId: String?, cause: ModuleFailureCause, attempts: Int, pid: Int32?, stderrTail: [String] = []) {
        self.module = module
        self.requestId = requestId
        self.cause = cause
        self.attempts = attempts
        self.pid = pid
        self.stderrTail = stderrTail
    }

    /// One line for a person.
    public var description: String {
        var text = "module \(module)"
        if let requestId { text += " request \(requestId)" }
        text += " failed after \(attempts) attempt\(attempts == 1 ? "" : "s"): \(cause)"
        if let pid { text += " (pid \(pid))" }
        if let last = stderrTail.last { text += "; last stderr line: \(last.prefix(300))" }
        return text
    }
}

/// Why a pool could not start its module.
public enum WorkerPoolError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The executable could not be started at all.
    case spawnFailed(module: String, executable: String, reason: String)
    /// The module declared a protocol version the coordinator does not speak; it is not started again.
    case incompatibleProtocol(module: String, pid: Int32, declared: Int, supported: [Int])
    /// The module sent no valid `ready` line: it timed out, exited, or wrote something else.
    case handshakeFailed(module: String, pid: Int32, reason: String, stderrTail: [String])
    /// The pool was shut down.
    case shutDown(module: String)

    /// One line for a person.
    public var description: String {
        switch self {
        case .spawnFailed(let module, let executable, let reason):
            "module \(module): cannot start \(executable): \(reason)"
        case .incompatibleProtocol(let module, let pid, let declared, let supported):
            "module \(module) (pid \(pid)) speaks protocol \(declared); this coordinator speaks \(supported.map(String.init).joined(separator: ", "))"
        case .handshakeFailed(let module, let pid, let reason, let tail):
            "module \(module) (pid \(pid)) failed its handshake: \(reason)" + (tail.last.map { "; last stderr line: \($0.prefix(300))" } ?? "")
        case .shutDown(let module):
            "module \(module): the pool is shut down"
        }
    }
}
