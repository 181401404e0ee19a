import Foundation

/// How a coordinator paces itself. Defaults suit production; tests shorten the durations.
public struct CoordinatorConfiguration: Sendable {
    /// A name for this coordinator in claims, logs and records (default `host:pid`).
    public var name: String
    /// Reviews in flight at once; each claim asks for the free capacity only.
    public var maxInFlight: Int = 32
    /// How long a claim stays valid without a heartbeat.
    public var lease: Duration = .seconds(30)
    /// How often held leases are renewed (well inside `lease`).
    public var heartbeatInterval: Duration = .seconds(10)
    /// How often the queue is polled even without a notification: a lost NOTIFY costs this, never a filing.
    public var pollInterval: Duration = .seconds(2)
    /// How often expired leases of other coordinators are rescued.
    public var rescueInterval: Duration = .seconds(5)
    /// Attempts of a review as a whole before it is marked failed: every claim counts, a lease
    /// rescue included (a deferral for an unavailable module does not).
    public var maxAttempts: Int = 3
    /// First back-off after a failed attempt; doubled each attempt.
    public var retryBackoff: Duration = .seconds(5)
    /// Back-off for a review whose module is unavailable (circuit open): it waits, it is not failed,
    /// and never longer than the module's outage bound (`max_outage_seconds`) allows.
    public var unavailableBackoff: Duration = .seconds(15)
    /// How long SIGTERM waits for in-flight reviews before releasing them to the queue.
    public var shutdownGrace: Duration = .seconds(20)
    /// The rulebook applied when a review names none.
    public var defaultRulebook: String? = nil
    /// Where to write Prometheus text-format metrics (textfile-collector convention), if anywhere.
    public var metricsFile: String? = nil
    /// How often the metrics file is rewritten.
    public var metricsInterval: Duration = .seconds(10)
    /// The daily sweep (config/lifecycle.json `sweep_time`), or nil to run none. At start the
    /// latest slot due is run (catching up after downtime); the sweep records each action once
    /// however many coordinators run the same slot.
    public var sweepSchedule: SweepSchedule? = nil
    /// Whether it reviews: claims queued reviews and runs them through the modules. False for a
    /// coordinator that only keeps the submission door (`serve --intake-only`).
    public var reviews: Bool = true
    /// Whether it keeps the submission door: validates pending submissions and files them.
    public var checksSubmissions: Bool = true
    /// Submissions claimed, validated (in parallel) and filed per transaction.
    public var intakeBatch: Int = SubmissionIntake.defaultBatch
    /// Intake loops, each on its own connection: while the database files one loop's batch,
    /// another validates the next. 1 checks one batch at a time.
    public var intakeConnections: Int = 2

    public init(name: String = CoordinatorConfiguration.defaultName) {
        self.name = name
    }

    /// `host:pid`.
    public static var defaultName: String {
        "\(ProcessInfo.processInfo.hostName):\(ProcessInfo.processInfo.processIdentifier)"
    }
}
