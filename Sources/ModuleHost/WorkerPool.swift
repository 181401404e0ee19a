import Foundation
import IndicatorKit
import ChildProcesses

/// The state of one module as its pool sees it.
public enum ModuleState: Sendable, Hashable, CustomStringConvertible {
    /// Not started yet; the first request or `start()` starts it.
    case stopped
    /// Workers are being started (also the probe after a back-off).
    case starting
    /// Serving requests.
    case ready
    /// The restart circuit is open or a handshake failed: requests fail fast with "module
    /// unavailable" until `retryAt`, when the next request starts a probe worker.
    case failing(reason: String, retryAt: ContinuousClock.Instant)
    /// The module speaks no protocol version the coordinator does: it is not started again.
    case incompatible(reason: String)
    /// `shutdown()` was called.
    case shutDown

    /// One line for a person.
    public var description: String {
        switch self {
        case .stopped: "stopped"
        case .starting: "starting"
        case .ready: "ready"
        case .failing(let reason, let retryAt):
            "failing (\(reason)); retry in \(max(.zero, retryAt - .now).formatted(.units(allowed: [.seconds], width: .narrow)))"
        case .incompatible(let reason): "incompatible (\(reason))"
        case .shutDown: "shut down"
        }
    }

    /// A short name: stopped, starting, ready, failing, incompatible, shut_down.
    public var name: String {
        switch self {
        case .stopped: "stopped"
        case .starting: "starting"
        case .ready: "ready"
        case .failing: "failing"
        case .incompatible: "incompatible"
        case .shutDown: "shut_down"
        }
    }
}

/// A snapshot of a pool, for `plugins list` and monitoring.
public struct WorkerPoolStatus: Sendable, Hashable {
    /// The module id.
    public var moduleId: String
    /// The module's state.
    public var state: ModuleState
    /// What the module declared, once a worker has been ready.
    public var descriptor: ModuleDescriptor?
    /// Worker processes alive (starting, idle or busy).
    public var workers: Int
    /// Workers idle now.
    public var idleWorkers: Int
    /// Workers replaced after a failure since the pool started (recycling is not counted).
    public var restarts: Int
    /// Requests answered with findings.
    public var served: Int
    /// Requests that ended in a failed outcome.
    public var failed: Int
    /// Pids of the live workers.
    public var pids: [Int32]
    /// While the circuit is open: seconds until the next probe (by the pool's clock).
    public var retryInSeconds: Int?
}

/// A supervised pool of long-lived worker processes for one module.
///
/// One request in flight per worker; requests beyond the free workers wait in order. The pool
/// replaces a worker that crashes, times out (SIGKILL), writes an over-long line, malformed JSON,
/// a wrong id, an unexpected message or an invalid answer (`AnswerValidator`); retries the request
/// on a fresh worker up to `maxAttempts`; opens a circuit after more than `restartLimit` restarts
/// in `restartWindow` (requests then fail fast as "module unavailable" until a back-off passes);
/// never retries a handshake failure in a loop; recycles workers after `recycleAfter` requests;
/// and on `shutdown()` stops every worker (shutdown, grace, SIGTERM, grace, SIGKILL, to the whole
/// process group) and reaps it. Every call to `evaluate` returns exactly one outcome.
///
/// Each worker's life is a `WorkerState` (starting → idle ⇄ busy → ending), kept in one table;
/// every change goes through `move(_:to:)`, which checks that the change is one the life allows.
public actor WorkerPool {
    /// Where one worker stands.
    enum WorkerState: Hashable, Sendable, CustomStringConvertible {
        /// Spawned; its handshake is running.
        case starting
        /// Ready, waiting for a request.
        case idle
        /// Serving one request.
        case busy
        /// Being stopped or killed (retired, recycled, failed, shut down); forgotten once reaped.
        case ending

        /// The states a worker may move to from this one.
        var successors: Set<WorkerState> {
            switch self {
            case .starting: [.idle, .busy, .ending]
            case .idle: [.busy, .ending]
            case .busy: [.idle, .busy, .ending]
            case .ending: []
            }
        }

        var description: String {
            switch self {
            case .starting: "starting"
            case .idle: "idle"
            case .busy: "busy"
            case .ending: "ending"
            }
        }
    }

    /// A worker and where it stands.
    struct Slot {
        let worker: Worker
        var state: WorkerState
        /// Requests it answered with findings (for recycling).
        var served = 0
    }

    /// The configuration the pool was created with.
    public nonisolated let configuration: WorkerPoolConfiguration
    private let logger: Logger
    /// The time for the restart window, the back-off and probes (not for request deadlines).
    private let clock: PoolClock
    /// Tests only: given to every worker's channel (`ChannelSettings.beforeReap`).
    private let beforeReap: (@Sendable (pid_t) -> Void)?

    private var state: ModuleState = .stopped
    private var descriptor: ModuleDescriptor?
    private var validator: AnswerValidator?
    /// Every worker not yet reaped, by serial, with its state.
    private var slots: [Int: Slot] = [:]
    /// Serials of the idle workers, the most recently idle last (taken first: it is warm).
    private var idleOrder: [Int] = []
    private var waiters: [CheckedContinuation<Lease?, Never>] = []
    private var startWaiters: [CheckedContinuation<Void, Never>] = []
    private var restartTimes: [ContinuousClock.Instant] = []
    private var restarts = 0
    private var served = 0
    private var failed = 0
    private var nextSerial = 0
    private var nextRequest = 0
    private var backoff: Duration
    private var lastStartError: WorkerPoolError?

    /// A pool for `configuration`; nothing starts until `start()` or the first request.
    public init(configuration: WorkerPoolConfiguration, logger: Logger = Logger()) {
        self.init(configuration: configuration, logger: logger, clock: .continuous)
    }

    /// A pool whose restart window, back-off and probes follow `clock`; tests pass one they advance.
    init(
        configuration: WorkerPoolConfiguration, logger: Logger = Logger(), clock: PoolClock,
        beforeReap: (@Sendable (pid_t) -> Void)? = nil
    ) {
        self.configuration = configuration
        self.logger = logger.with(["module": .string(configuration.moduleId)])
        self.clock = clock
        self.beforeReap = beforeReap
        self.backoff = configuration.initialBackoff
    }

    /// The module id.
    public nonisolated var moduleId: String { configuration.moduleId }

    /// Starts the workers and waits for their handshakes; returns what the module declared.
    ///
    /// Throws when the module cannot be spawned, declares a protocol version the coordinator
    /// does not speak, or sends no valid `ready` line in time; the pool is then failing (or
    /// incompatible) and does not retry on its own.
    @discardableResult
    public func start() async throws(WorkerPoolError) -> ModuleDescriptor {
        switch state {
        case .stopped, .failing:
            state = .starting
            lastStartError = nil
            ensureCapacity()
        case .shutDown:
            throw .shutDown(module: moduleId)
        default:
            break
        }
        while count(.starting) > 0 {
            await withCheckedContinuation { startWaiters.append($0) }
        }
        if let descriptor, state == .ready { return descriptor }
        throw lastStartError ?? .shutDown(module: moduleId)
    }

    /// A snapshot of the pool.
    public func status() -> WorkerPoolStatus {
        var retryIn: Int?
        if case .failing(_, let retryAt) = state {
            retryIn = Int(max(.zero, retryAt - clock.now()).components.seconds)
        }
        let live = slots.values.filter { $0.state != .ending }
        return WorkerPoolStatus(
            moduleId: moduleId, state: state, descriptor: descriptor, workers: live.count, idleWorkers: idleOrder.count,
            restarts: restarts, served: served, failed: failed, pids: live.map(\.worker.pid).sorted(), retryInSeconds: retryIn)
    }

    /// What the module declared in its `ready` line, once a worker has been ready.
    public var moduleDescriptor: ModuleDescriptor? { descriptor }

    /// What the module declared, while it is ready to serve; nil while it is not.
    public var readyDescriptor: ModuleDescriptor? {
        if case .ready = state { return descriptor }
        return nil
    }

    /// Starts a probe worker when the circuit is open and its back-off has passed, without waiting
    /// for it: a module that has recovered becomes ready without a request having to find out.
    public func probeIfDue() {
        guard case .failing(_, let retryAt) = state, clock.now() >= retryAt else { return }
        logger.info("module_probe", ["reason": "back-off elapsed"])
        state = .starting
        ensureCapacity()
    }

    /// Evaluates one request: findings, or a failure naming the module, the cause and the attempts.
    ///
    /// Retryable failures (crash, timeout, bad reply, invalid answer) are retried on a fresh
    /// worker up to `maxAttempts` sends; an `error` reply from the module and "module unavailable"
    /// are not. Decoding and validation run outside the pool's actor, so one pool's replies are
    /// read in parallel. Findings returned are valid (`AnswerValidator`); they may leave declared
    /// criteria out, which the caller records as errors.
    public nonisolated func evaluate(_ input: EvaluationInput) async -> ModuleOutcome {
        var attempts = 0
        var last: ModuleFailure?
        while attempts < configuration.maxAttempts {
            guard let lease = await checkout() else {
                let reason = await unavailableReason()
                let failure = last ?? ModuleFailure(
                    module: moduleId, requestId: nil, cause: .unavailable(reason: reason), attempts: attempts, pid: nil)
                await record(failed: failure)
                return .failed(failure)
            }
            attempts += 1
            let line = EvaluateMessage.line(
                id: lease.requestId, filing: input.filing, context: input.context, parameters: input.parameters,
                asOf: input.asOf)
            let reply = await lease.worker.channel.exchange(line, timeout: configuration.requestTimeout)
            switch interpret(reply, lease: lease) {
            case .success(let findings):
                await checkin(lease.worker)
                return .findings(findings)
            case .failure(let cause):
                let failure = ModuleFailure(
                    module: moduleId, requestId: lease.requestId, cause: cause, attempts: attempts,
                    pid: lease.worker.pid, stderrTail: lease.worker.channel.stderrTail)
                if case .rejected = cause {
                    await checkin(lease.worker)
                    await record(failed: failure)
                    return .failed(failure)
                }
                await discard(lease.worker, failure: failure)
                last = failure
            }
        }
        let failure = last!
        await record(failed: failure)
        return .failed(failure)
    }

    /// Stops every worker (`shutdown`, grace, SIGTERM, grace, SIGKILL) and waits until each is
    /// reaped; waiting and later requests fail as unavailable.
    public func shutdown() async {
        state = .shutDown
        failWaiters()
        let stopping = slots.values.filter { $0.state != .ending }.map(\.worker)
        let alreadyEnding = slots.values.filter { $0.state == .ending }.map(\.worker)
        for worker in stopping { move(worker.serial, to: .ending) }
        let grace = configuration.shutdownGrace
        await withTaskGroup(of: Void.self) { group in
            for worker in stopping {
                group.addTask { _ = await worker.channel.stop(graceful: true, grace: grace) }
            }
            for worker in alreadyEnding {
                group.addTask { _ = await worker.channel.waitForEnd() }
            }
        }
        for worker in stopping + alreadyEnding { slots[worker.serial] = nil }
        let pending = startWaiters
        startWaiters = []
        pending.forEach { $0.resume() }
        logger.info("pool_shut_down", ["workers": .number(Decimal(stopping.count))])
    }

    // MARK: - The workers' table

    /// Moves worker `serial` to `next`, checking that its life allows the change.
    private func move(_ serial: Int, to next: WorkerState) {
        guard var slot = slots[serial] else { preconditionFailure("worker \(serial) is not in the pool") }
        precondition(slot.state.successors.contains(next), "worker \(serial): \(slot.state) → \(next) is not a change its life allows")
        if slot.state == .idle { idleOrder.removeAll { $0 == serial } }
        if next == .idle { idleOrder.append(serial) }
        slot.state = next
        slots[serial] = slot
    }

    /// The state of worker `serial`, nil once it has been forgotten.
    private func stateOf(_ serial: Int) -> WorkerState? { slots[serial]?.state }

    /// Workers in `state`.
    private func count(_ state: WorkerState) -> Int { slots.values.filter { $0.state == state }.count }

    /// Workers that are not ending: starting, idle or busy.
    private var liveCount: Int { slots.values.filter { $0.state != .ending }.count }

    /// Forgets a worker once its process has been reaped.
    private func forget(_ serial: Int) {
        if stateOf(serial) == .idle { idleOrder.removeAll { $0 == serial } }
        slots[serial] = nil
    }

    // MARK: - Leases

    struct Lease: Sendable {
        var worker: Worker
        var requestId: String
        var validator: AnswerValidator
    }

    private func checkout() async -> Lease? {
        switch state {
        case .stopped:
            state = .starting
            ensureCapacity()
        case .failing(_, let retryAt):
            guard clock.now() >= retryAt else { return nil }
            logger.info("module_probe", ["reason": "back-off elapsed"])
            state = .starting
            ensureCapacity()
        case .incompatible, .shutDown:
            return nil
        case .starting, .ready:
            break
        }
        while let serial = idleOrder.last, let worker = slots[serial]?.worker {
            // An idle worker may have died (killed, crashed) before its I/O thread has reported
            // it: writing the request to it would spend an attempt on a process that can never
            // answer (the last one, for a request retried after a crash). Replace it instead.
            if worker.channel.hasExited {
                replaceDeadIdle(worker)
                switch state {
                case .starting, .ready: continue
                default: return nil
                }
            }
            move(serial, to: .busy)
            return lease(worker)
        }
        ensureCapacity()
        return await withCheckedContinuation { waiters.append($0) }
    }

    private func lease(_ worker: Worker) -> Lease {
        nextRequest += 1
        return Lease(
            worker: worker, requestId: String(nextRequest),
            validator: validator ?? AnswerValidator(descriptor: ModuleDescriptor(id: moduleId, version: "", appliesTo: [], criteria: [], reads: [])))
    }

    private func unavailableReason() -> String {
        switch state {
        case .failing(let reason, _): "the module is failing: \(reason)"
        case .incompatible(let reason): "the module is incompatible: \(reason)"
        case .shutDown: "the pool is shut down"
        default: "no worker became available"
        }
    }

    private func record(failed failure: ModuleFailure) {
        failed += 1
        logger.warning("request_failed", [
            "request": failure.requestId.map { .string($0) } ?? .null, "attempts": .number(Decimal(failure.attempts)),
            "cause": .string(failure.cause.description),
        ])
    }

    /// Returns a worker after a good reply: recycled when due, else given to a waiter or idled.
    private func checkin(_ worker: Worker) {
        served += 1
        backoff = configuration.initialBackoff
        guard stateOf(worker.serial) == .busy else { return }
        slots[worker.serial]?.served += 1
        if case .ready = state {} else {
            retire(worker, event: "worker_retired")
            return
        }
        if let due = worker.recycleAfter, let count = slots[worker.serial]?.served, count >= due {
            retire(worker, event: "worker_recycled")
            ensureCapacity()
            return
        }
        makeAvailable(worker)
    }

    /// A worker that is ready (after its handshake or a request) serves the next waiter or idles;
    /// one whose process has ended meanwhile is replaced.
    private func makeAvailable(_ worker: Worker) {
        if worker.channel.hasExited {
            // It ended before its end could be noticed as an idle worker's: replace it now.
            replaceDeadIdle(worker)
            return
        }
        if !waiters.isEmpty {
            move(worker.serial, to: .busy)
            waiters.removeFirst().resume(returning: lease(worker))
        } else {
            move(worker.serial, to: .idle)
        }
    }

    /// Stops a healthy worker in the background, gracefully; not counted as a restart.
    private func retire(_ worker: Worker, event: String) {
        guard let current = stateOf(worker.serial), current != .ending else { return }
        move(worker.serial, to: .ending)
        logger.info(event, ["pid": .number(Decimal(Int(worker.pid)))])
        let grace = configuration.shutdownGrace
        Task {
            _ = await worker.channel.stop(graceful: true, grace: grace)
            self.forget(worker.serial)
        }
    }

    /// Tracks a killed worker until its I/O thread has reaped it.
    private func awaitEnd(of worker: Worker) {
        Task {
            _ = await worker.channel.waitForEnd()
            self.forget(worker.serial)
        }
    }

    /// Replaces a worker found dead while it was (or was about to be) idle, before its I/O thread
    /// reported its end; counts the restart. Its channel still reaps it, and it is forgotten then.
    private func replaceDeadIdle(_ worker: Worker) {
        guard let current = stateOf(worker.serial), current != .ending else { return }
        move(worker.serial, to: .ending)
        awaitEnd(of: worker)
        let status = worker.channel.exitStatus.map { "\($0)" } ?? "exited"
        logger.warning("worker_replaced", [
            "pid": .number(Decimal(Int(worker.pid))), "cause": .string("the idle worker \(status)"),
        ])
        noteRestart()
    }

    /// Kills a worker that failed a request and replaces it, counting the restart.
    private func discard(_ worker: Worker, failure: ModuleFailure) {
        worker.channel.kill()
        guard let current = stateOf(worker.serial), current != .ending else { return }
        move(worker.serial, to: .ending)
        awaitEnd(of: worker)
        logger.warning("worker_replaced", [
            "pid": .number(Decimal(Int(worker.pid))), "request": failure.requestId.map { .string($0) } ?? .null,
            "cause": .string(failure.cause.description),
        ])
        noteRestart()
    }

    /// Called from a worker's I/O thread when its process has been reaped.
    private func workerEnded(serial: Int, status: ExitStatus, reason: String?) {
        // Only an idle worker's end is news here: a busy or starting worker's end reaches the
        // request or the handshake that is waiting on it, and an ending one is forgotten by
        // whoever ended it.
        guard stateOf(serial) == .idle, let worker = slots[serial]?.worker else { return }
        forget(serial)
        logger.warning("worker_replaced", [
            "pid": .number(Decimal(Int(worker.pid))), "cause": .string(reason ?? "the idle worker \(status)"),
        ])
        noteRestart()
    }

    private func noteRestart() {
        restarts += 1
        let now = clock.now()
        restartTimes.append(now)
        restartTimes.removeAll { now - $0 > configuration.restartWindow }
        if restartTimes.count > configuration.restartLimit {
            openCircuit(reason: "\(restartTimes.count) restarts within \(configuration.restartWindow)")
            restartTimes.removeAll()
        } else {
            ensureCapacity()
        }
    }

    private func openCircuit(reason: String) {
        let retryAt = clock.now() + backoff
        logger.error("module_failing", ["reason": .string(reason), "retry_after_ms": .number(Decimal(Self.milliseconds(backoff)))])
        state = .failing(reason: reason, retryAt: retryAt)
        backoff = min(backoff * 2, configuration.maxBackoff)
        failWaiters()
        for serial in idleOrder {
            if let worker = slots[serial]?.worker { retire(worker, event: "worker_retired") }
        }
    }

    private func failWaiters() {
        let pending = waiters
        waiters = []
        pending.forEach { $0.resume(returning: nil) }
    }

    // MARK: - Starting workers

    private func ensureCapacity() {
        switch state {
        case .starting, .ready: break
        default: return
        }
        // A probe after a back-off starts one worker; a healthy module starts them all.
        let wanted = (state == .ready || descriptor == nil && restarts == 0) ? configuration.workers : 1
        while liveCount < wanted {
            launch()
            if case .failing = state { return }
            if case .incompatible = state { return }
        }
    }

    private func launch() {
        nextSerial += 1
        let serial = nextSerial
        let worker: Worker
        do {
            worker = try Worker.launch(serial: serial, configuration: configuration, logger: logger, beforeReap: beforeReap) { [weak self] serial, status, reason in
                guard let self else { return }
                Task { await self.workerEnded(serial: serial, status: status, reason: reason) }
            }
        } catch {
            lastStartError = .spawnFailed(module: moduleId, executable: configuration.executable, reason: error.description)
            openCircuit(reason: "cannot start \(configuration.executable): \(error.description)")
            return
        }
        slots[serial] = Slot(worker: worker, state: .starting)
        logger.info("worker_started", ["pid": .number(Decimal(Int(worker.pid)))])
        Task { await self.handshake(worker) }
    }

    private func handshake(_ worker: Worker) async {
        let reply = await worker.channel.exchange(nil, timeout: configuration.startTimeout)
        let outcome = checkReady(reply, worker: worker)
        let wasStarting = stateOf(worker.serial) == .starting
        defer {
            if count(.starting) == 0 {
                let pending = startWaiters
                startWaiters = []
                pending.forEach { $0.resume() }
            }
        }
        guard wasStarting else { return }  // shut down meanwhile
        switch outcome {
        case .success(let ready):
            let declared = ready.descriptor
            if let known = descriptor, known != declared {
                logger.warning("module_changed", ["version": .string(ready.module.version)])
            }
            descriptor = declared
            validator = AnswerValidator(descriptor: declared, limits: configuration.answerLimits)
            if case .starting = state {
                state = .ready
                logger.info("module_ready", ["version": .string(ready.module.version)])
            }
            logger.info("worker_ready", ["pid": .number(Decimal(Int(worker.pid)))])
            makeAvailable(worker)
            ensureCapacity()
        case .failure(let error):
            worker.channel.kill()
            move(worker.serial, to: .ending)
            awaitEnd(of: worker)
            lastStartError = error
            if case .incompatibleProtocol = error {
                logger.error("module_incompatible", ["reason": .string(error.description)])
                state = .incompatible(reason: error.description)
                failWaiters()
                for slot in slots.values where slot.state != .ending { retire(slot.worker, event: "worker_retired") }
            } else {
                // Not retried in a loop: the circuit opens at once, and a probe waits out the back-off.
                restarts += 1
                openCircuit(reason: error.description)
            }
        }
    }

    private func checkReady(_ reply: ChannelReply, worker: Worker) -> Result<ReadyMessage, WorkerPoolError> {
        func failed(_ reason: String) -> Result<ReadyMessage, WorkerPoolError> {
            .failure(.handshakeFailed(module: moduleId, pid: worker.pid, reason: reason, stderrTail: worker.channel.stderrTail))
        }
        switch reply {
        case .timedOut:
            return failed("no ready line within \(configuration.startTimeout)")
        case .lineTooLong(let limit):
            return failed("the first line was longer than \(limit) bytes")
        case .ended(let status):
            return failed("the process \(status) before its ready line")
        case .line(let line):
            let message: ModuleMessage
            do {
                message = try JSONDecoder().decode(ModuleMessage.self, from: line)
            } catch {
                // A version we do not speak may have a shape we cannot decode: look at `protocol` alone.
                if let version = (try? JSONDecoder().decode(VersionProbe.self, from: line))?.protocolVersion,
                    !ModuleProtocol.supportedVersions.contains(version)
                {
                    return .failure(.incompatibleProtocol(
                        module: moduleId, pid: worker.pid, declared: version, supported: ModuleProtocol.supportedVersions))
                }
                return failed("the first line is not a ready message: \(String(decoding: line.prefix(200), as: UTF8.self))")
            }
            guard case .ready(let ready) = message else {
                return failed("the first message was \(message.type.rawValue), not ready")
            }
            guard ModuleProtocol.supportedVersions.contains(ready.protocolVersion) else {
                return .failure(.incompatibleProtocol(
                    module: moduleId, pid: worker.pid, declared: ready.protocolVersion, supported: ModuleProtocol.supportedVersions))
            }
            guard ready.module.id == moduleId else {
                return failed("it declares module id \(ready.module.id), but is configured as \(moduleId)")
            }
            do {
                try ready.descriptor.validate()
            } catch {
                return failed("its declaration is invalid: \(error)")
            }
            return .success(ready)
        }
    }

    struct VersionProbe: Decodable {
        var protocolVersion: Int
        enum CodingKeys: String, CodingKey { case protocolVersion = "protocol" }
    }

    // MARK: - Replies

    private nonisolated func interpret(_ reply: ChannelReply, lease: Lease) -> Result<[Finding], ModuleFailureCause> {
        switch reply {
        case .timedOut:
            return .failure(.timedOut(after: configuration.requestTimeout))
        case .lineTooLong(let limit):
            return .failure(.lineTooLong(limit: limit))
        case .ended(let status):
            return .failure(.crashed(status))
        case .line(let line):
            // No valid answer of this module is this long: refuse it before spending memory on it.
            let most = lease.validator.limits.replyBytes(criteria: lease.validator.declared.count)
            guard line.count <= most else {
                return .failure(.invalidAnswer(.replyTooLarge(bytes: line.count, limit: most)))
            }
            let message: ModuleMessage
            do {
                message = try ModuleMessage(parsing: line)
            } catch {
                let preview = String(decoding: line.prefix(120), as: UTF8.self)
                return .failure(.malformedReply(reason: "\(error.reason) in \(preview.debugDescription)"))
            }
            switch message {
            case .ready:
                return .failure(.unexpectedMessage(type: "ready"))
            case .error(let reply):
                guard reply.id == lease.requestId else {
                    return .failure(.wrongId(expected: lease.requestId, received: reply.id))
                }
                return .failure(.rejected(code: String(reply.code.prefix(64)), message: String(reply.message.prefix(2000))))
            case .findings(let reply):
                guard reply.id == lease.requestId else {
                    return .failure(.wrongId(expected: lease.requestId, received: reply.id))
                }
                do {
                    try lease.validator.validate(reply.findings)
                } catch {
                    return .failure(.invalidAnswer(error))
                }
                return .success(reply.findings)
            }
        }
    }

    static func describe(_ error: any Error) -> String {
        guard let error = error as? DecodingError else { return String(describing: error) }
        switch error {
        case .dataCorrupted(let context), .typeMismatch(_, let context), .valueNotFound(_, let context):
            let path = context.codingPath.map(\.stringValue).joined(separator: ".")
            return path.isEmpty ? context.debugDescription : "\(path): \(context.debugDescription)"
        case .keyNotFound(let key, _):
            return "missing member \(key.stringValue)"
        @unknown default:
            return String(describing: error)
        }
    }

    static func milliseconds(_ duration: Duration) -> Int {
        let (seconds, attoseconds) = duration.components
        return Int(seconds) * 1000 + Int(attoseconds / 1_000_000_000_000_000)
    }
}
