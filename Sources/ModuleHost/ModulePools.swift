import IndicatorKit

/// The worker pools of every enabled module, by module id: what `serve` starts and stops.
///
/// Immutable after creation; each pool is an actor, so the collection is shared freely.
public final class ModulePools: Sendable {
    /// The pools, in the registry's order.
    public let pools: [WorkerPool]
    private let byId: [String: WorkerPool]

    /// One pool per enabled module of `registry`; nothing starts until `startAll()` or a request.
    public init(registry: ModuleRegistry, logger: Logger = Logger()) {
        pools = registry.makePools(logger: logger)
        byId = Dictionary(uniqueKeysWithValues: pools.map { ($0.moduleId, $0) })
    }

    /// The pool of module `id`, or nil when it is unknown or disabled.
    public func pool(_ id: String) -> WorkerPool? { byId[id] }

    /// Starts every pool concurrently; returns each module's descriptor or why it did not start.
    ///
    /// A module that fails to start is left failing (or incompatible) and does not stop the
    /// others: its requests fail as "module unavailable" until it recovers.
    public func startAll() async -> [String: Result<ModuleDescriptor, WorkerPoolError>] {
        // The group's element is a struct, not a tuple: a task group of tuples holding this
        // typed-throws Result crashed in release builds (Swift 6.3, tuple value witness in the group).
        struct Started: Sendable {
            var id: String
            var result: Result<ModuleDescriptor, WorkerPoolError>
        }
        return await withTaskGroup(of: Started.self) { group in
            for pool in pools {
                group.addTask {
                    do throws(WorkerPoolError) {
                        return Started(id: pool.moduleId, result: .success(try await pool.start()))
                    } catch {
                        return Started(id: pool.moduleId, result: .failure(error))
                    }
                }
            }
            var results: [String: Result<ModuleDescriptor, WorkerPoolError>] = [:]
            for await started in group { results[started.id] = started.result }
            return results
        }
    }

    /// A snapshot of every pool, in the registry's order.
    public func statuses() async -> [WorkerPoolStatus] {
        var statuses: [WorkerPoolStatus] = []
        for pool in pools { statuses.append(await pool.status()) }
        return statuses
    }

    /// Starts a probe of every module whose circuit is open and whose back-off has passed.
    public func probeDue() async {
        for pool in pools { await pool.probeIfDue() }
    }

    /// Shuts every pool down concurrently and waits until every worker is reaped.
    public func shutdownAll() async {
        await withTaskGroup(of: Void.self) { group in
            for pool in pools { group.addTask { await pool.shutdown() } }
        }
    }
}
