import IndicatorKit
import ClusterStandard
import ModuleHost

extension Coordinator {
    /// The modules a coordinator serves: a pool for every enabled module, what each declared, and
    /// how long a review may wait for each while it is unavailable.
    public struct ModuleSet: Sendable {
        /// The pools, one per enabled module, started or not.
        public var pools: ModulePools
        /// What each module that started declared, by id.
        public var descriptors: [String: ModuleDescriptor]
        /// Every enabled module, in the registry's order, whether it started or not.
        public var enabled: [String]
        /// How long a review may wait for each module while it is unavailable (`max_outage_seconds`).
        public var maxOutage: [String: Duration]

        /// A module set of `pools`; `enabled` defaults to the pools' modules.
        public init(
            pools: ModulePools, descriptors: [String: ModuleDescriptor], enabled: [String]? = nil, maxOutage: [String: Duration] = [:]
        ) {
            self.pools = pools
            self.descriptors = descriptors
            self.enabled = enabled ?? pools.pools.map(\.moduleId)
            self.maxOutage = maxOutage
        }

        /// Starts every enabled module of `registry`; modules that fail to start keep their pool
        /// (failing: a probe follows the back-off) and are reported in the returned errors. A
        /// module that declares a criterion an earlier module of the registry already declared is
        /// not served at all (its pool is shut down): two modules cannot decide one criterion.
        public static func start(_ registry: ModuleRegistry, logger: Logger) async -> (ModuleSet, [String: String]) {
            let pools = ModulePools(registry: registry, logger: logger)
            var descriptors: [String: ModuleDescriptor] = [:]
            var errors: [String: String] = [:]
            let results = await pools.startAll()
            var owners: [String: String] = [:]
            for module in registry.enabled {
                switch results[module.id] {
                case .success(let descriptor)?:
                    if let clash = descriptor.criteria.first(where: { owners[$0.id] != nil }) {
                        errors[module.id] = "module \(module.id) declares \(clash.id), which module \(owners[clash.id]!) already declares"
                        await pools.pool(module.id)?.shutdown()
                        continue
                    }
                    for criterion in descriptor.criteria { owners[criterion.id] = module.id }
                    descriptors[module.id] = descriptor
                case .failure(let error)?:
                    errors[module.id] = "\(error)"
                case nil:
                    errors[module.id] = "module \(module.id) has no pool"
                }
            }
            let set = ModuleSet(
                pools: pools, descriptors: descriptors, enabled: registry.enabled.map(\.id),
                maxOutage: Dictionary(uniqueKeysWithValues: registry.enabled.map { ($0.id, $0.pool.maxOutage) }))
            return (set, errors)
        }

        /// What the modules ready now declared, by id: a module whose probe succeeded since the
        /// start is included, one whose circuit is open is not. A module declaring a criterion an
        /// earlier module declared is left out.
        public func liveDescriptors() async -> [String: ModuleDescriptor] {
            var live: [String: ModuleDescriptor] = [:]
            var owners: [String: String] = [:]
            for pool in pools.pools {
                guard let descriptor = await pool.readyDescriptor else { continue }
                if descriptor.criteria.contains(where: { owners[$0.id] != nil }) { continue }
                for criterion in descriptor.criteria { owners[criterion.id] = descriptor.id }
                live[descriptor.id] = descriptor
            }
            return live
        }

        /// The declarations of the modules that started, in the registry's order.
        public var declarations: Declarations {
            Declarations(enabled.compactMap { descriptors[$0] })
        }

        /// How long a review may wait for module `id` (15 minutes for a module not configured).
        public func outageBound(of id: String) -> Duration {
            maxOutage[id] ?? .seconds(900)
        }
    }
}
