import Foundation
import IndicatorKit
import Postgres
import Rulebooks
import ModuleHost
import JSONCore

/// The coordinator (`cluster-review serve`): claims queued reviews from PostgreSQL, fans each filing
/// out to the modules that apply, and writes the findings and the recommendation.
///
/// Any number of coordinators may share one database: claims skip locked rows, leases expire when
/// a coordinator stops heartbeating and any coordinator rescues them, and every write is guarded by
/// the claim token. No transaction stays open while modules run.
///
/// A review is complete only with every criterion it requires (`RequiredCriteria`, fixed at its
/// first claim): what a module does not answer becomes an `error` finding with the cause. While a
/// required module is unavailable the review waits, at most the module's `max_outage_seconds`;
/// every review has at most `maxAttempts` attempts, lease rescues included. Reviews run as child
/// tasks of one task group; stopping waits for them without polling.
///
/// It also keeps the submission door (`SubmissionIntake`): woken when a submission arrives, it
/// validates the pending submissions in batches and files or refuses them. Every write goes through
/// the database's checking functions (sql/026, sql/027); the coordinator's login writes no table
/// of filings, reviews or findings directly.
public actor Coordinator {
    private let configuration: CoordinatorConfiguration
    private let logger: Logger
    private let control: PostgresSession
    private let listener: PostgresSession
    private let writer: CompletionWriter
    /// The intake's connections, one per intake loop; `intakeWakes[i]` wakes loop i.
    private let intakes: [PostgresSession]
    private let wake = WakeSignal()
    private let intakeWakes: [WakeSignal]
    /// Keeps the intake loops' batches recorded in the order they were claimed.
    private let intakeOrder = IntakeOrder()

    private var modules: ModuleSet
    private var rulebooks: RulebookLibrary
    private var parameterCache: [String: ResolvedParameters] = [:]
    private var parameterBytes: [String: Data] = [:]
    /// The latest declaration known of each module, live or recorded in the database: it fixes
    /// the requirement of a module that is not ready, and titles its error findings.
    private var known: [String: ModuleDescriptor] = [:]
    /// The declarations this coordinator has recorded (module → version).
    private var recorded: [String: String] = [:]
    /// What the ready modules declared, as last asked (at most `liveTTL` ago).
    private var live: (at: ContinuousClock.Instant, descriptors: [String: ModuleDescriptor])?
    /// How long `live` is reused: a claim does not ask every pool each time.
    private let liveTTL: Duration = .milliseconds(500)
    /// What a review of each kind requires, for the declarations `requiredKey` names, and the
    /// same as JSON for the claim statement: computed when the declarations change, not per claim.
    private var requiredByKind = RequiredCriteria.ByKind.none
    private var requiredKey: [String: String]?
    private var inFlight: [Int64: ClaimedReview] = [:]
    private var lost: Set<Int64> = []
    private var stopping = false
    private var stopped = false
    private var drainWaiters: [CheckedContinuation<Void, Never>] = []
    private var counters = Counters()

    struct Counters {
        var completed = 0
        var failed = 0
        var retried = 0
        var deferred = 0
        var moduleErrors = 0
        var rescued = 0
        var submissionsChecked = 0
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
        let loops = max(1, configuration.intakeConnections)
        self.intakes = (0..<loops).map { _ in PostgresSession(conninfo: conninfo, applicationName: "cluster-review intake") }
        self.intakeWakes = (0..<loops).map { _ in WakeSignal() }
        self.modules = modules
        self.rulebooks = rulebooks
        self.known = modules.descriptors
    }

    // MARK: - Life

    /// Claims and reviews until `stop()`; returns when in-flight work has finished or been released
    /// and the workers are stopped.
    public func run() async {
        logger.info("coordinator_started", ["modules": .array(modules.descriptors.keys.sorted().map(JSONValue.string))])
        await learnDeclarations(modules.descriptors)
        await recordHeartbeat()
        await withDiscardingTaskGroup { group in
            group.addTask { await self.listen() }
            group.addTask { await self.heartbeatLoop() }
            if configuration.checksSubmissions {
                for index in intakes.indices { group.addTask { await self.intakeLoop(index) } }
            }
            if configuration.metricsFile != nil { group.addTask { await self.metricsLoop() } }
            if let schedule = configuration.sweepSchedule { group.addTask { await self.sweepLoop(schedule) } }
            var lastRescue = ContinuousClock.now - configuration.rescueInterval
            var failures = 0
            while !stopping {
                guard configuration.reviews else {
                    await wake.wait(timeout: configuration.pollInterval)
                    continue
                }
                do {
                    if ContinuousClock.now - lastRescue >= configuration.rescueInterval {
                        lastRescue = .now
                        await rescue()
                    }
                    let free = configuration.maxInFlight - inFlight.count
                    var claimedAll = false
                    if free > 0 {
                        let (work, live, current) = try await claim(free)
                        for item in work {
                            inFlight[item.review.id] = item.review
                            group.addTask { await self.review(item, live: live, modules: current) }
                        }
                        claimedAll = work.count == free
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
            // The reviews still running have been released and their modules stopped: they end
            // at once. The background loops end on cancellation.
            stopped = true
            group.cancelAll()
        }
        await writeMetrics()
        let name = configuration.name
        try? await control.run { try CoordinatorRecords.remove(name: name, on: $0) }
        await control.close()
        await listener.close()
        await writer.close()
        for intake in intakes { await intake.close() }
        logger.info("coordinator_stopped", ["completed": .number(Decimal(counters.completed))])
    }

    /// Stops claiming; in-flight reviews get `shutdownGrace` to finish, then are released to the queue.
    public func stop() {
        guard !stopping else { return }
        stopping = true
        logger.info("coordinator_stopping", ["in_flight": .number(Decimal(inFlight.count))])
        Task {
            await wake.signal()
            for intakeWake in intakeWakes { await intakeWake.signal() }
        }
    }

    /// Reloads the rulebooks and the modules (SIGHUP). Reviews in flight finish on the modules they
    /// started with; new reviews use the new ones.
    public func reload(modules newModules: ModuleSet, rulebooks newRulebooks: RulebookLibrary) async {
        let old = modules
        modules = newModules
        live = nil
        requiredKey = nil
        rulebooks = newRulebooks
        parameterCache.removeAll()
        parameterBytes.removeAll()
        logger.info("coordinator_reloaded", ["modules": .array(newModules.descriptors.keys.sorted().map(JSONValue.string))])
        await learnDeclarations(newModules.descriptors)
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

    /// What the enabled modules declared: live, else as last recorded in the database.
    public func knownDeclarations() -> [String: ModuleDescriptor] { known }

    // MARK: - Declarations

    /// Records `descriptors` in the database (new or changed versions only) and learns, for every
    /// enabled module without one, its latest recorded declaration.
    private func learnDeclarations(_ descriptors: [String: ModuleDescriptor]) async {
        for (id, descriptor) in descriptors { known[id] = descriptor }
        let fresh = descriptors.values.filter { recorded[$0.id] != $0.version }.sorted { $0.id < $1.id }
        let missing = modules.enabled.filter { descriptors[$0] == nil && known[$0] == nil }
        let name = configuration.name
        do {
            let found = try await control.run { connection -> [String: ModuleDescriptor] in
                let changed = try DeclarationRecords.record(fresh, by: name, on: connection)
                _ = changed
                return missing.isEmpty ? [:] : try DeclarationRecords.latest(of: missing, on: connection)
            }
            for descriptor in fresh { recorded[descriptor.id] = descriptor.version }
            for (id, descriptor) in found where known[id] == nil { known[id] = descriptor }
            if !fresh.isEmpty {
                logger.info("declarations_recorded", ["modules": .array(fresh.map { .string("\($0.id) \($0.version)") })])
            }
        } catch {
            logger.warning("declarations_not_recorded", ["error": .string("\(error)")])
        }
    }

    // MARK: - Claiming and reviewing

    private func rescue() async {
        let (limit, name) = (configuration.maxAttempts, configuration.name)
        do {
            let (rescued, failed) = try await control.run { try ReviewQueue.rescueExpired(maxAttempts: limit, coordinator: name, on: $0) }
            if rescued > 0 {
                counters.rescued += rescued
                logger.warning("leases_rescued", ["count": .number(Decimal(rescued))])
            }
            if failed > 0 {
                counters.failed += failed
                logger.error("reviews_failed_after_lease_expiry", ["count": .number(Decimal(failed)), "max_attempts": .number(Decimal(limit))])
            }
        } catch {
            logger.error("rescue_failed", ["error": .string("\(error)")])
        }
    }

    private func claim(_ free: Int) async throws -> ([ReviewWork], [String: ModuleDescriptor], ModuleSet) {
        let current = modules
        let live: [String: ModuleDescriptor]
        if let cached = self.live, ContinuousClock.now - cached.at < liveTTL {
            live = cached.descriptors
        } else {
            live = await current.liveDescriptors()
            self.live = (ContinuousClock.now, live)
            if live.contains(where: { recorded[$0.key] != $0.value.version }) { await learnDeclarations(live) }
        }
        var best = known
        for (id, descriptor) in live { best[id] = descriptor }
        let lease = configuration.lease
        let name = configuration.name
        let reads = live.mapValues(\.reads)
        // What a review of each kind requires now (a review claimed before keeps what it had),
        // recomputed only when what is known of the modules changes.
        let key = Dictionary(uniqueKeysWithValues: current.enabled.map { ($0, best[$0]?.version ?? "") })
        if key != requiredKey {
            requiredByKind = RequiredCriteria.ByKind(enabled: current.enabled, known: best)
            requiredKey = key
        }
        let required = requiredByKind
        let work = try await control.run { connection -> [ReviewWork] in
            let claimed = try ReviewQueue.claim(limit: free, lease: lease, owner: name, required: required, on: connection)
            do {
                return try ReviewQueue.loadWork(claimed, reads: reads, on: connection)
            } catch {
                // Could not load the work: give the claims back at once rather than wait for the lease.
                try? ReviewQueue.release(claimed, on: connection)
                throw error
            }
        }
        if !work.isEmpty { logger.debug("claimed", ["count": .number(Decimal(work.count))]) }
        return (work, live, current)
    }

    private func review(_ work: ReviewWork, live: [String: ModuleDescriptor], modules current: ModuleSet) async {
        let review = work.review
        defer { finished(review.id) }
        let parameters: (ResolvedParameters, Data)
        do {
            parameters = try resolveParameters(rulebook: review.rulebook ?? configuration.defaultRulebook, asOf: review.asOf)
        } catch {
            await retryOrFail(review, error: "rulebook: \(error)", countAttempt: true)
            return
        }
        let required = review.required ?? RequiredCriteria.fixing(kind: review.kind, enabled: current.enabled, known: known)
        var outcomes = await ReviewExecution.evaluate(
            required: required, live: live, projections: work.projections, context: work.context, parameters: parameters.1,
            asOf: review.asOf, modules: current)
        // A module that is unavailable: the filing waits for it, at most its outage bound.
        let waited = review.deferredSeconds ?? 0
        var waitingFor: [String] = []
        var reasons: [String] = []
        var nextLook = configuration.unavailableBackoff
        for (index, outcome) in outcomes.enumerated() {
            guard case .failed(let failure) = outcome.outcome, case .unavailable(let reason) = failure.cause else { continue }
            let bound = current.outageBound(of: outcome.module)
            let elapsed = Duration.milliseconds(Int(waited * 1000))
            if elapsed < bound {
                waitingFor.append(outcome.module)
                reasons.append(failure.description)
                // Look again when the module may be back, or when the wait reaches its bound.
                nextLook = min(nextLook, max(.milliseconds(500), bound - elapsed))
            } else {
                var past = failure
                past.cause = .unavailable(reason: "\(reason); waited \(Int(waited)) s, the module's max_outage_seconds is \(bound.components.seconds)")
                outcomes[index].outcome = .failed(past)
            }
        }
        if !waitingFor.isEmpty {
            counters.deferred += 1
            await deferReview(review, waitingFor: waitingFor, error: reasons.joined(separator: "; "), backoff: nextLook)
            return
        }
        guard !lost.contains(review.id) else {
            logger.warning("claim_lost", ["review": .number(Decimal(review.id))])
            return
        }
        let completed: CompletedReview
        do {
            completed = try ReviewExecution.complete(review, required: required, outcomes: outcomes, known: known, parameters: parameters.0)
        } catch {
            await fail(review, error: error.description)
            return
        }
        counters.moduleErrors += completed.moduleErrors.count
        for attempt in 1...5 {
            do {
                switch try await writer.write(completed) {
                case .written:
                    counters.completed += 1
                    logger.info("review_completed", [
                        "review": .number(Decimal(review.id)), "filing": .number(Decimal(review.filingId)),
                        "recommendation": .string(completed.recommendation.rawValue),
                    ])
                case .claimLost:
                    logger.warning("claim_lost", ["review": .number(Decimal(review.id))])
                case .refused(let sqlState, let reason):
                    logger.error("review_write_refused", ["review": .number(Decimal(review.id)), "error": .string(reason)])
                    // A row the database will not take (class 22 data, 23 constraint) or a
                    // record complete_reviews finds inconsistent (CR014) is refused again on every
                    // attempt: the review fails now. Anything else is retried.
                    if let sqlState, sqlState.hasPrefix("22") || sqlState.hasPrefix("23") || sqlState == ReviewQueue.refusedWrite {
                        await fail(review, error: "the review cannot be written: \(reason)")
                    } else {
                        await retryOrFail(review, error: "the review could not be written: \(reason)", countAttempt: true)
                    }
                }
                return
            } catch {
                logger.error("review_write_failed", [
                    "review": .number(Decimal(review.id)), "attempt": .number(Decimal(attempt)), "error": .string("\(error)"),
                ])
                if stopped { return }
                try? await Task.sleep(for: .milliseconds(200 * (1 << attempt)))
            }
        }
        // Still unwritten (the database is away): the lease will lapse and the review be rescued
        // and redone, within its attempts.
    }

    /// A review is over (written, deferred, retried, failed or abandoned).
    private func finished(_ id: Int64) {
        inFlight.removeValue(forKey: id)
        lost.remove(id)
        if inFlight.isEmpty {
            let waiting = drainWaiters
            drainWaiters = []
            waiting.forEach { $0.resume() }
        }
        Task { await wake.signal() }
    }

    private func resolveParameters(rulebook: String?, asOf: CivilDate) throws -> (ResolvedParameters, Data) {
        let key = "\(rulebook ?? "")@\(asOf)"
        if let resolved = parameterCache[key], let bytes = parameterBytes[key] { return (resolved, bytes) }
        let resolved = try rulebooks.resolve(rulebook, asOf: asOf)
        let bytes = Data(JSONValue.object(resolved.values).compactBytes)
        parameterCache[key] = resolved
        parameterBytes[key] = bytes
        return (resolved, bytes)
    }

    private func retryOrFail(_ review: ClaimedReview, error: String, countAttempt: Bool) async {
        let exponent = max(0, review.attempts - 1)
        let delay = configuration.retryBackoff * (1 << min(exponent, 6))
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

    private func fail(_ review: ClaimedReview, error: String) async {
        let name = configuration.name
        do {
            if try await control.run({ try ReviewQueue.fail(review, error: error, coordinator: name, on: $0) }) {
                counters.failed += 1
            }
            logger.error("review_failed", ["review": .number(Decimal(review.id)), "error": .string(error)])
        } catch {
            logger.error("review_failure_not_recorded", ["review": .number(Decimal(review.id)), "error": .string("\(error)")])
        }
    }

    private func deferReview(_ review: ClaimedReview, waitingFor modules: [String], error: String, backoff: Duration) async {
        do {
            try await control.run {
                try ReviewQueue.deferReview(review, waitingFor: modules, error: error, backoff: backoff, on: $0)
            }
            logger.warning("review_deferred", [
                "review": .number(Decimal(review.id)), "modules": .array(modules.map(JSONValue.string)),
                "waited_s": .number(Decimal(Int(review.deferredSeconds ?? 0))),
            ])
        } catch {
            logger.error("review_retry_not_recorded", ["review": .number(Decimal(review.id)), "error": .string("\(error)")])
        }
    }

    // MARK: - Background loops

    /// LISTENs on the coordinators' channel (its name from `coordinator_channel()`: no other
    /// login can listen in): 'submission' wakes the intake, anything else the claim loop.
    private func listen() async {
        var failures = 0
        var listening = false
        while !stopping {
            do {
                // LISTEN once; the session replays it on every reconnection.
                if !listening {
                    let channel = try await listener.run { try CoordinatorRecords.channel(on: $0) }
                    try await listener.listen(channel)
                    listening = true
                }
                if let notification = try await listener.waitForNotification(timeout: .seconds(1)) {
                    if notification.payload == "submission" {
                        for intakeWake in intakeWakes { await intakeWake.signal() }
                    } else {
                        await wake.signal()
                    }
                }
                failures = 0
            } catch {
                failures += 1
                if failures == 1 { logger.warning("listen_failed", ["error": .string("\(error)")]) }
                try? await Task.sleep(for: .milliseconds(min(5000, 100 * (1 << min(failures, 6)))))
            }
        }
    }

    /// Checks pending submissions in batches until none is left, then waits to be woken (or the
    /// poll interval: a lost notification costs that, never a submission). Loop `index` of
    /// `intakeConnections`, on its own connection: while one loop's batch is being filed by the
    /// database, another validates the next (claims skip the submissions another holds, as between
    /// coordinators); while a quota is counted, in the order they were claimed (`IntakeOrder`). A loop
    /// that found a full batch wakes the others, so that they join in.
    private func intakeLoop(_ index: Int) async {
        var failures = 0
        let batch = configuration.intakeBatch
        let intake = intakes[index]
        let intakeWake = intakeWakes[index]
        while !stopping {
            do {
                let report = try await intake.run { [intakeOrder] in try SubmissionIntake.checkPending(limit: batch, on: $0, order: intakeOrder) }
                failures = 0
                if report.checked > 0 {
                    counters.submissionsChecked += report.checked
                    logger.info("submissions_checked", [
                        "checked": .number(Decimal(report.checked)), "filed": .number(Decimal(report.filed)),
                        "already_on_file": .number(Decimal(report.alreadyOnFile)), "refused": .number(Decimal(report.refused)),
                    ])
                }
                if report.checked == batch {
                    for (other, wake) in intakeWakes.enumerated() where other != index { await wake.signal() }
                    continue
                }
            } catch {
                failures += 1
                let backoff = Duration.milliseconds(min(5000, 100 * (1 << min(failures, 6))))
                logger.error("intake_failed", ["error": .string("\(error)"), "retry_ms": .number(Decimal(backoff.components.seconds * 1000))])
                try? await Task.sleep(for: backoff)
                continue
            }
            await intakeWake.wait(timeout: configuration.pollInterval)
        }
    }

    private func heartbeatLoop() async {
        while !stopped {
            try? await Task.sleep(for: configuration.heartbeatInterval)
            if stopped { break }
            // A module whose back-off has passed gets its probe now, not when a request finds it.
            await modules.pools.probeDue()
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

    /// Waits, without polling, until every review in flight has finished or `shutdownGrace` has
    /// passed; releases what is left to the queue; stops the workers, which ends the requests of
    /// the released reviews at once.
    private func drain() async {
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await self.untilIdle() }
            group.addTask {
                try? await Task.sleep(for: self.configuration.shutdownGrace)
                await self.releaseDrainWaiters()
            }
            await group.next()
            group.cancelAll()
        }
        let remaining = Array(inFlight.values)
        if !remaining.isEmpty {
            lost.formUnion(remaining.map(\.id))
            do {
                try await control.run { try ReviewQueue.release(remaining, on: $0) }
                logger.warning("reviews_released", ["count": .number(Decimal(remaining.count))])
            } catch {
                logger.error("release_failed", ["error": .string("\(error)")])
            }
        }
        await modules.pools.shutdownAll()
    }

    /// Returns once no review is in flight (or the drain's deadline released it).
    private func untilIdle() async {
        if inFlight.isEmpty { return }
        await withCheckedContinuation { drainWaiters.append($0) }
    }

    private func releaseDrainWaiters() {
        let waiting = drainWaiters
        drainWaiters = []
        waiting.forEach { $0.resume() }
    }
}
