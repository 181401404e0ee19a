import Foundation
import IndicatorKit
import Postgres
import Rulebooks

/// The coordinator (`cluster-review serve`): claims queued reviews from PostgreSQL, fans each filing
/// out to the modules that apply, and writes the findings and the recommendation.
///
/// Any number of coordinators may share one database: claims skip locked rows, leases expire when
/// a coordinator stops heartbeating and any coordinator rescues them, and every write is guarded by
/// the claim token. No transaction stays open while modules run.
public actor Coordinator {
    private let configuration: CoordinatorConfiguration
    private let logger: Logger
    private let control: PostgresSession
    private let listener: PostgresSession
    private let writer: CompletionWriter
    private let wake = WakeSignal()

    private var modules: ModuleSet
    private var rulebooks: RulebookLibrary
    private var parameterCache: [String: ResolvedParameters] = [:]
    private var parameterBytes: [String: Data] = [:]
    private var inFlight: [Int64: ClaimedReview] = [:]
    private var lost: Set<Int64> = []
    private var stopping = false
    private var stopped = false
    private var background: [Task<Void, Never>] = []
    private var counters = Counters()

    /// The modules a coordinator serves: the pools and the descriptors they declared at start.
    public struct ModuleSet: Sendable {
        public var pools: ModulePools
        public var descriptors: [String: ModuleDescriptor]

        public init(pools: ModulePools, descriptors: [String: ModuleDescriptor]) {
            self.pools = pools
            self.descriptors = descriptors
        }

        /// Starts every enabled module of `registry`; modules that fail to start are left out and
        /// reported in the returned errors.
        public static func start(_ registry: ModuleRegistry, logger: Logger) async -> (ModuleSet, [String: String]) {
            let pools = ModulePools(registry: registry, logger: logger)
            var descriptors: [String: ModuleDescriptor] = [:]
            var errors: [String: String] = [:]
            for (id, result) in await pools.startAll() {
                switch result {
                case .success(let descriptor): descriptors[id] = descriptor
                case .failure(let error): errors[id] = "\(error)"
                }
            }
            return (ModuleSet(pools: pools, descriptors: descriptors), errors)
        }
    }

    struct Counters {
        var completed = 0
        var failed = 0
        var retried = 0
        var deferred = 0
        var moduleErrors = 0
        var rescued = 0
    }

    public init(
        conninfo: String, configuration: CoordinatorConfiguration, modules: ModuleSet, rulebooks: RulebookLibrary,
        logger: Logger = Logger()
    ) {
        self.configuration = configuration
        self.logger = logger.with(["coordinator": .string(configuration.name)])
        self.control = PostgresSession(conninfo: conninfo, applicationName: "cluster-review serve")
        self.listener = PostgresSession(conninfo: conninfo, applicationName: "cluster-review listen")
        self.writer = CompletionWriter(
            session: PostgresSession(conninfo: conninfo, applicationName: "cluster-review write"),
            coordinator: configuration.name)
        self.modules = modules
        self.rulebooks = rulebooks
    }

    // MARK: - Life

    /// Claims and reviews until `stop()`; returns when in-flight work has finished or been released
    /// and the workers are stopped.
    public func run() async {
        logger.info("coordinator_started", ["modules": .array(modules.descriptors.keys.sorted().map(JSONValue.string))])
        await recordHeartbeat()
        background.append(Task { await self.listen() })
        background.append(Task { await self.heartbeatLoop() })
        if configuration.metricsFile != nil { background.append(Task { await self.metricsLoop() }) }
        if let schedule = configuration.sweepSchedule { background.append(Task { await self.sweepLoop(schedule) }) }
        var lastRescue = ContinuousClock.now - configuration.rescueInterval
        var failures = 0
        while !stopping {
            do {
                if ContinuousClock.now - lastRescue >= configuration.rescueInterval {
                    lastRescue = .now
                    let rescued = try await control.run { try ReviewQueue.rescueExpired(on: $0) }
                    if rescued > 0 {
                        counters.rescued += rescued
                        logger.warning("leases_rescued", ["count": .number(Decimal(rescued))])
                    }
                }
                let free = configuration.maxInFlight - inFlight.count
                var claimedAll = false
                if free > 0 {
                    let claimed = try await claim(free)
                    claimedAll = claimed == free
                }
                failures = 0
                if claimedAll { continue }
            } catch {
                failures += 1
                let backoff = Duration.milliseconds(min(5000, 100 * (1 << min(failures, 6))))
                logger.error("claim_failed", ["error": .string("\(error)"), "retry_ms": .number(Decimal(backoff.components.seconds * 1000))])
                try? await Task.sleep(for: backoff)
                continue
            }
            await wake.wait(timeout: configuration.pollInterval)
        }
        await drain()
    }

    /// Stops claiming; in-flight reviews get `shutdownGrace` to finish, then are released to the queue.
    public func stop() {
        guard !stopping else { return }
        stopping = true
        logger.info("coordinator_stopping", ["in_flight": .number(Decimal(inFlight.count))])
        Task { await wake.signal() }
    }

    /// Reloads the rulebooks and the modules (SIGHUP). Reviews in flight finish on the modules they
    /// started with; new reviews use the new ones.
    public func reload(modules newModules: ModuleSet, rulebooks newRulebooks: RulebookLibrary) {
        let old = modules
        modules = newModules
        rulebooks = newRulebooks
        parameterCache.removeAll()
        parameterBytes.removeAll()
        logger.info("coordinator_reloaded", ["modules": .array(newModules.descriptors.keys.sorted().map(JSONValue.string))])
        let grace = configuration.shutdownGrace
        Task {
            // Requests already sent to the old pools finish within their timeout; then stop them.
            try? await Task.sleep(for: grace)
            await old.pools.shutdownAll()
        }
    }

    /// The modules currently served, for `status`.
    public func moduleStatuses() async -> [WorkerPoolStatus] {
        await modules.pools.statuses()
    }

    // MARK: - Claiming and reviewing

    private func claim(_ free: Int) async throws -> Int {
        let lease = configuration.lease
        let name = configuration.name
        let reads = modules.descriptors.mapValues(\.reads)
        let work = try await control.run { connection -> [ReviewWork] in
            let claimed = try ReviewQueue.claim(limit: free, lease: lease, owner: name, on: connection)
            do {
                return try ReviewQueue.loadWork(claimed, reads: reads, on: connection)
            } catch {
                // Could not load the work: give the claims back at once rather than wait for the lease.
                try? ReviewQueue.release(claimed, on: connection)
                throw error
            }
        }
        let current = modules
        for item in work {
            inFlight[item.review.id] = item.review
            Task { await self.review(item, modules: current) }
        }
        if !work.isEmpty { logger.debug("claimed", ["count": .number(Decimal(work.count))]) }
        return work.count
    }

    private func review(_ work: ReviewWork, modules current: ModuleSet) async {
        let review = work.review
        defer {
            inFlight.removeValue(forKey: review.id)
            lost.remove(review.id)
            Task { await wake.signal() }
        }
        let parameters: (ResolvedParameters, Data)
        do {
            parameters = try resolveParameters(rulebook: review.rulebook ?? configuration.defaultRulebook, asOf: review.asOf)
        } catch {
            await retryOrFail(review, error: "rulebook: \(error)", countAttempt: true)
            return
        }
        let outcomes = await ReviewExecution.evaluate(
            kind: review.kind, projections: work.projections, context: work.context, parameters: parameters.1,
            asOf: review.asOf, modules: current)
        if let unavailable = outcomes.first(where: {
            if case .failed(let failure) = $0.1, case .unavailable = failure.cause { return true }
            return false
        }) {
            // A failing module: the filing waits for it rather than being judged without it.
            counters.deferred += 1
            await retryOrFail(review, error: "\(unavailable.1.failure!)", backoff: configuration.unavailableBackoff, countAttempt: false)
            return
        }
        guard !lost.contains(review.id) else {
            logger.warning("claim_lost", ["review": .number(Decimal(review.id))])
            return
        }
        let completed = ReviewExecution.complete(review, outcomes: outcomes, parameters: parameters.0)
        counters.moduleErrors += completed.moduleErrors.count
        for attempt in 1...5 {
            do {
                let written = try await writer.write(completed)
                if written {
                    counters.completed += 1
                    logger.info("review_completed", [
                        "review": .number(Decimal(review.id)), "filing": .number(Decimal(review.filingId)),
                        "recommendation": .string(completed.recommendation.rawValue),
                    ])
                } else {
                    logger.warning("claim_lost", ["review": .number(Decimal(review.id))])
                }
                return
            } catch {
                logger.error("review_write_failed", [
                    "review": .number(Decimal(review.id)), "attempt": .number(Decimal(attempt)), "error": .string("\(error)"),
                ])
                try? await Task.sleep(for: .milliseconds(200 * (1 << attempt)))
            }
        }
        // Still unwritten: the lease will lapse and the review be rescued and redone.
    }

    private func resolveParameters(rulebook: String?, asOf: CivilDate) throws -> (ResolvedParameters, Data) {
        let key = "\(rulebook ?? "")@\(asOf)"
        if let resolved = parameterCache[key], let bytes = parameterBytes[key] { return (resolved, bytes) }
        let resolved = try rulebooks.resolve(rulebook, asOf: asOf)
        let bytes = try JSONEncoder().encode(resolved.values)
        parameterCache[key] = resolved
        parameterBytes[key] = bytes
        return (resolved, bytes)
    }

    private func retryOrFail(_ review: ClaimedReview, error: String, backoff: Duration? = nil, countAttempt: Bool) async {
        let exponent = max(0, review.attempts - 1)
        let delay = backoff ?? configuration.retryBackoff * (1 << min(exponent, 6))
        let limit = configuration.maxAttempts
        let name = configuration.name
        do {
            let failed = try await control.run {
                try ReviewQueue.retryOrFail(review, error: error, backoff: delay, maxAttempts: limit, coordinator: name,
                                            countAttempt: countAttempt, on: $0)
            }
            if failed { counters.failed += 1 } else if countAttempt { counters.retried += 1 }
            logger.warning(failed ? "review_failed" : "review_retry", [
                "review": .number(Decimal(review.id)), "attempts": .number(Decimal(review.attempts)), "error": .string(error),
            ])
        } catch {
            logger.error("review_retry_not_recorded", ["review": .number(Decimal(review.id)), "error": .string("\(error)")])
        }
    }

    // MARK: - Background loops

    private func listen() async {
        var failures = 0
        var listening = false
        while !stopping {
            do {
                // LISTEN once; the session replays it on every reconnection.
                if !listening {
                    try await listener.listen("review_queued")
                    listening = true
                }
                if try await listener.waitForNotification(timeout: .seconds(1)) != nil {
                    await wake.signal()
                }
                failures = 0
            } catch {
                failures += 1
                if failures == 1 { logger.warning("listen_failed", ["error": .string("\(error)")]) }
                try? await Task.sleep(for: .milliseconds(min(5000, 100 * (1 << min(failures, 6)))))
            }
        }
    }

    private func heartbeatLoop() async {
        while !stopped {
            try? await Task.sleep(for: configuration.heartbeatInterval)
            let held = Array(inFlight.values)
            await recordHeartbeat()
            guard !held.isEmpty else { continue }
            let lease = configuration.lease
            do {
                let gone = try await control.run { try ReviewQueue.heartbeat(held, lease: lease, on: $0) }
                if !gone.isEmpty {
                    lost.formUnion(gone)
                    logger.warning("leases_lost", ["reviews": .array(gone.sorted().map { .number(Decimal($0)) })])
                }
            } catch {
                logger.error("heartbeat_failed", ["error": .string("\(error)")])
            }
        }
    }

    private func recordHeartbeat() async {
        let pools = await modules.pools.statuses()
        guard !stopped else { return }
        let (name, count, completed) = (configuration.name, inFlight.count, counters.completed)
        do {
            try await control.run {
                try CoordinatorRecords.beat(name: name, inFlight: count, completed: completed, pools: pools, on: $0)
            }
        } catch {
            logger.warning("heartbeat_not_recorded", ["error": .string("\(error)")])
        }
    }

    /// Runs the latest due sweep slot now, then each slot as it falls due.
    private func sweepLoop(_ schedule: SweepSchedule) async {
        while !stopped {
            let slot = schedule.dueSlot(at: Date())
            do {
                let report = try await control.run { try Sweep($0).run(asOf: slot.asOf, slot: slot.slot) }
                logger.info("sweep_ran", ["slot": .string(slot.slot), "new_actions": .number(Decimal(report.actions.count))])
            } catch {
                logger.error("sweep_failed", ["slot": .string(slot.slot), "error": .string("\(error)")])
            }
            let wait = schedule.nextDue(after: Date()).timeIntervalSinceNow
            try? await Task.sleep(for: .milliseconds(Int(max(1, min(wait, 3600)) * 1000)))
        }
    }

    private func metricsLoop() async {
        while !stopped {
            await writeMetrics()
            try? await Task.sleep(for: configuration.metricsInterval)
        }
    }

    /// Writes the Prometheus text file atomically (write a temporary file, then rename).
    func writeMetrics() async {
        guard let path = configuration.metricsFile else { return }
        let statistics = try? await control.run { try ReviewQueue.statistics(on: $0) }
        let pools = await modules.pools.statuses()
        let text = Metrics.render(statistics: statistics, counters: counters, pools: pools, inFlight: inFlight.count,
                                  coordinator: configuration.name)
        let temporary = path + ".tmp.\(ProcessInfo.processInfo.processIdentifier)"
        do {
            try Data(text.utf8).write(to: URL(fileURLWithPath: temporary))
            _ = rename(temporary, path)
        } catch {
            logger.warning("metrics_not_written", ["path": .string(path), "error": .string("\(error)")])
        }
    }

    private func drain() async {
        let deadline = ContinuousClock.now + configuration.shutdownGrace
        while !inFlight.isEmpty && ContinuousClock.now < deadline {
            await wake.wait(timeout: .milliseconds(100))
        }
        let remaining = Array(inFlight.values)
        if !remaining.isEmpty {
            do {
                try await control.run { try ReviewQueue.release(remaining, on: $0) }
                logger.warning("reviews_released", ["count": .number(Decimal(remaining.count))])
            } catch {
                logger.error("release_failed", ["error": .string("\(error)")])
            }
        }
        stopped = true
        for task in background { task.cancel() }
        await writeMetrics()
        let name = configuration.name
        try? await control.run { try CoordinatorRecords.remove(name: name, on: $0) }
        await modules.pools.shutdownAll()
        await control.close()
        await listener.close()
        logger.info("coordinator_stopped", ["completed": .number(Decimal(counters.completed))])
    }
}
