import Foundation
import IndicatorKit
import ClusterStandard

/// Openness and cooperation (criteria.md §7, Standard 7): OPEN-1..3.
public struct OpennessModule: IndicatorModule {
    /// The module.
    public init() {}

    /// Reads the three years of figures (exports) and the openness section.
    public var descriptor: ModuleDescriptor { Self.declaration }

    static let declaration = ModuleDescriptor(
        id: "openness", version: "1.2.0", title: LocalizedText(zh: "积极参与产业开放合作", en: "Openness and cooperation"),
        appliesTo: reviewKinds, criteria: [open1, open2, open3].map(\.criterion), reads: ["figures", "openness"])

    static let open1 = Rule("OPEN-1", .evidence, "参与主导产业国内外合作机制或交流活动",
                            "Takes part in domestic or international cooperation or exchange events", citation: "Standard 7")
    static let open2 = Rule("OPEN-2", .evidence, "开展技术、管理、人才或资本等方面交流合作", "Exchanges in technology, management, talent or capital",
                            citation: "Standard 7")
    static let open3 = Rule("OPEN-3", .judgement, "推动产品和服务对外贸易快速发展", "Foreign trade in products and services grows fast",
                            citation: "Standard 7")

    /// One finding per criterion OPEN-1..3.
    public func evaluate(_ request: EvaluationRequest<ClusterStandard.Filing, ReviewContext>) throws -> [Finding] {
        guard let section = request.filing.openness else { throw missing("openness") }
        let rows = try threeYears(request.filing.figures)
        let kinds = FilingSchema.exchangeKinds.filter(section.exchanges.contains)
        return [
            Self.open1.evidence(section.evidence["OPEN-1"]),
            // OPEN-2: at least one kind of 技术、管理、人才或资本 exchange.
            Self.open2.structured(section.evidence["OPEN-2"], present: kinds, complete: !kinds.isEmpty, missing: [],
                                      observed: .array(kinds.map { .string($0) }), (zh: "交流合作类型", en: "kinds of exchange")),
            open3(section.evidence["OPEN-3"], rows),
        ]
    }

    /// OPEN-3: a judgement; falling exports (v3 < v1) are `warn`.
    func open3(_ item: EvidenceItem?, _ rows: (YearFigures, YearFigures, YearFigures)) -> Finding {
        let rule = Self.open3
        var f = rule.judgement(item)
        let v1 = rows.0.exportsWan, v3 = rows.2.exportsWan
        f.observed = ["exports_wan": series(rows, { $0.exportsWan }), "change_wan": .number(v3 - v1), "evidence": f.observed ?? .null]
        if f.verdict == .manual && v3 < v1 {
            f.verdict = .warn
            f.score = Score.of(.warn)
            f.message = LocalizedText(zh: "OPEN-3：出口额下降（\(v1) → \(v3) 万元），请评审人核实", en: "OPEN-3: exports fall (\(v1) → \(v3), 10,000 CNY); a reviewer should look")
        }
        return f
    }
}
