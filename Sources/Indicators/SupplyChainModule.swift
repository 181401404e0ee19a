import Foundation
import IndicatorKit
import ClusterStandard

/// Supply-chain cooperation (criteria.md §3, Standard 3): SUPP-1..4.
public struct SupplyChainModule: IndicatorModule {
    /// The module.
    public init() {}

    /// Reads only the supply-chain section.
    public var descriptor: ModuleDescriptor { Self.declaration }

    static let declaration = ModuleDescriptor(
        id: "supply-chain", version: "1.2.0", title: LocalizedText(zh: "产业链供应链协作高效", en: "Supply-chain cooperation"),
        appliesTo: reviewKinds, criteria: [supp1, supp2, supp3, supp4].map(\.criterion), reads: ["supply_chain"])

    static let supp1 = Rule("SUPP-1", .judgement, "产业链布局合理", "The chain's layout is reasonable", citation: "Standard 3")
    static let supp2 = Rule("SUPP-2", .evidence, "上下游产供销一体化协同协作机制较完善",
                            "An upstream-downstream production-supply-sales coordination mechanism", citation: "Standard 3")
    static let supp3 = Rule("SUPP-3", .evidence, "建立通用生产设备、物流、仓储、人力、设计等共享机制",
                            "Sharing of equipment, logistics, warehousing, human resources and design", citation: "Standard 3")
    static let supp4 = Rule("SUPP-4", .judgement, "产业链关键环节配套能力较强", "Strong supporting capacity at key links", citation: "Standard 3")

    /// One finding per criterion SUPP-1..4.
    public func evaluate(_ request: EvaluationRequest<ClusterStandard.Filing, ReviewContext>) throws -> [Finding] {
        guard let section = request.filing.supplyChain else { throw missing("supply_chain") }
        // SUPP-3: all five of 通用生产设备、物流、仓储、人力、设计.
        let present = FilingSchema.sharingKinds.filter(section.sharing.contains)
        let missing = FilingSchema.sharingKinds.filter { !section.sharing.contains($0) }
        return [
            Self.supp1.judgement(section.evidence["SUPP-1"]),
            Self.supp2.evidence(section.evidence["SUPP-2"]),
            Self.supp3.structured(section.evidence["SUPP-3"], present: present, complete: missing.isEmpty, missing: missing,
                                      observed: .array(present.map { .string($0) }), (zh: "共享机制", en: "sharing mechanisms")),
            Self.supp4.judgement(section.evidence["SUPP-4"]),
        ]
    }
}
