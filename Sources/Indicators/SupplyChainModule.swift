import Foundation
import IndicatorKit

/// Supply-chain cooperation (criteria.md §3, Standard 3): SUPP-1..4.
public struct SupplyChainModule: IndicatorModule {
    /// The module.
    public init() {}

    /// Reads only the supply-chain section.
    public var descriptor: ModuleDescriptor {
        makeDescriptor("supply-chain", appliesTo: IndicatorModules.reviewKinds, reads: ["supply_chain"])
    }

    /// One finding per criterion SUPP-1..4.
    public func evaluate(_ request: EvaluationRequest<IndicatorKit.Filing, ReviewContext>) throws -> [Finding] {
        guard let section = request.filing.supplyChain else { throw missing("supply_chain") }
        // SUPP-3: all five of 通用生产设备、物流、仓储、人力、设计.
        let present = FilingSchema.sharingKinds.filter(section.sharing.contains)
        let missing = FilingSchema.sharingKinds.filter { !section.sharing.contains($0) }
        return [
            Rule("SUPP-1").judgement(section.evidence["SUPP-1"]),
            Rule("SUPP-2").evidence(section.evidence["SUPP-2"]),
            Rule("SUPP-3").structured(section.evidence["SUPP-3"], present: present, complete: missing.isEmpty, missing: missing,
                                      observed: .array(present.map { .string($0) }), (zh: "共享机制", en: "sharing mechanisms")),
            Rule("SUPP-4").judgement(section.evidence["SUPP-4"]),
        ]
    }
}
