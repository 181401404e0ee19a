import Foundation
import IndicatorKit

/// Openness and cooperation (criteria.md §7, Standard 7): OPEN-1..3.
public struct OpennessModule: IndicatorModule {
    /// The module.
    public init() {}

    /// Reads the three years of figures (exports) and the openness section.
    public var descriptor: ModuleDescriptor {
        makeDescriptor("openness", appliesTo: IndicatorModules.reviewKinds, reads: ["figures", "openness"])
    }

    /// One finding per criterion OPEN-1..3.
    public func evaluate(_ request: EvaluationRequest<IndicatorKit.Filing, ReviewContext>) throws -> [Finding] {
        guard let section = request.filing.openness else { throw missing("openness") }
        let rows = try threeYears(request.filing.figures)
        let kinds = FilingSchema.exchangeKinds.filter(section.exchanges.contains)
        return [
            Rule("OPEN-1").evidence(section.evidence["OPEN-1"]),
            // OPEN-2: at least one kind of 技术、管理、人才或资本 exchange.
            Rule("OPEN-2").structured(section.evidence["OPEN-2"], present: kinds, complete: !kinds.isEmpty, missing: [],
                                      observed: .array(kinds.map { .string($0) }), (zh: "交流合作类型", en: "kinds of exchange")),
            open3(section.evidence["OPEN-3"], rows),
        ]
    }

    /// OPEN-3: a judgement; falling exports (v3 < v1) are `warn`.
    func open3(_ item: EvidenceItem?, _ rows: (YearFigures, YearFigures, YearFigures)) -> Finding {
        let rule = Rule("OPEN-3")
        var f = rule.judgement(item)
        let v1 = rows.0.exportsWan, v3 = rows.2.exportsWan
        f.observed = ["exports_wan": series(rows, { $0.exportsWan }), "change_wan": .number(v3 - v1), "evidence": f.observed ?? .null]
        if f.verdict == .manual && v3 < v1 {
            f.verdict = .warn
            f.score = Score.of(.warn)
            f.message = LocalizedText(zh: "OPEN-3：出口额下降（\(v1) → \(v3) 万元），请评审人核实", en: "OPEN-3: exports fall (\(v1) → \(v3) 万元); a reviewer should look")
        }
        return f
    }
}
