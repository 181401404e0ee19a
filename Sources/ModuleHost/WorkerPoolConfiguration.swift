import IndicatorKit
import ChildProcesses

/// How one module's pool runs its workers; every timeout is configurable so tests run fast.
public struct WorkerPoolConfiguration: Sendable, Hashable {
    /// The module id; the module's `ready` line must declare the same id.
    public var moduleId: String
    /// Absolute path of the executable.
    public var executable: String
    /// Arguments after the executable.
    public var arguments: [String]
    /// Extra environment variables; the worker gets only these, `LANG` and the protocol variable.
    public var environment: [String: String]
    /// How many worker processes run at once.
    public var workers: Int
    /// How long a new worker may take to write its `ready` line.
    public var startTimeout: Duration
    /// How long one request may take before the worker is killed.
    public var requestTimeout: Duration
    /// Each step of a stop: after `shutdown`, after SIGTERM; also how long an exiting worker may linger.
    public var shutdownGrace: Duration
    /// The longest stdout line accepted, in bytes (default 1 MiB; see `ModuleProtocol.defaultMaxLineBytes`).
    public var maxLineBytes: Int
    /// How large each finding of an answer may be; a larger one is a bad answer.
    public var answerLimits: AnswerLimits
    /// Stderr lines are logged cut at this many bytes.
    public var stderrLineBytes: Int
    /// How many stderr lines a failure report carries.
    public var stderrTailLines: Int
    /// Resource limits applied to every worker.
    public var limits: ResourceLimits
    /// How many times a request is sent (the first try included) before it fails for good.
    public var maxAttempts: Int
    /// Requests after which a worker is replaced (plus up to `recycleJitter` of it); nil never.
    public var recycleAfter: Int?
    /// The fraction of `recycleAfter` added at random, so workers do not all recycle at once.
    public var recycleJitter: Double
    /// More than this many restarts within `restartWindow` opens the circuit.
    public var restartLimit: Int
    /// The window over which restarts are counted.
    public var restartWindow: Duration
    /// How long the module stays failing the first time its circuit opens; doubled each time after.
    public var initialBackoff: Duration
    /// The longest back-off.
    public var maxBackoff: Duration
    /// How long a review may wait for this module while it is unavailable (its circuit open, or
    /// not started); after that the review completes with `error` findings for the module's
    /// criteria, saying why (default 15 minutes).
    public var maxOutage: Duration

    /// The resource limits a worker gets when the configuration names none.
    public static let defaultLimits = ResourceLimits(cpuSeconds: 3600, addressSpaceBytes: 4 << 30, openFiles: 64)

    /// A configuration with production defaults for everything but the module and executable.
    public init(
        moduleId: String, executable: String, arguments: [String] = [], environment: [String: String] = [:],
        workers: Int = 2, startTimeout: Duration = .seconds(10), requestTimeout: Duration = .seconds(30),
        shutdownGrace: Duration = .seconds(2), maxLineBytes: Int = ModuleProtocol.defaultMaxLineBytes,
        answerLimits: AnswerLimits = .standard, stderrLineBytes: Int = 4096, stderrTailLines: Int = 20,
        limits: ResourceLimits = WorkerPoolConfiguration.defaultLimits,
        maxAttempts: Int = 2, recycleAfter: Int? = 10_000, recycleJitter: Double = 0.1,
        restartLimit: Int = 5, restartWindow: Duration = .seconds(60),
        initialBackoff: Duration = .seconds(5), maxBackoff: Duration = .seconds(300), maxOutage: Duration = .seconds(900)
    ) {
        self.moduleId = moduleId
        self.executable = executable
        self.arguments = arguments
        self.environment = environment
        self.workers = max(1, workers)
        self.startTimeout = startTimeout
        self.requestTimeout = requestTimeout
        self.shutdownGrace = shutdownGrace
        self.maxLineBytes = maxLineBytes
        self.answerLimits = answerLimits
        self.stderrLineBytes = stderrLineBytes
        self.stderrTailLines = stderrTailLines
        self.limits = limits
        self.maxAttempts = max(1, maxAttempts)
        self.recycleAfter = recycleAfter
        self.recycleJitter = recycleJitter
        self.restartLimit = restartLimit
        self.restartWindow = restartWindow
        self.initialBackoff = initialBackoff
        self.maxBackoff = maxBackoff
        self.maxOutage = maxOutage
    }
}
