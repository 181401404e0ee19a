import Foundation
import IndicatorKit

/// Digital transformation (criteria.md §5, Standard 5): DIGI-1..6.
public struct DigitalModule: IndicatorModule {
    /// The module.
    public init() {}

    /// Reads the three years of figures (the two rates) and the digital evidence.
    public var descriptor: ModuleDescriptor {
        makeDescriptor("digital", appliesTo: IndicatorModules.reviewKinds, reads: ["figures", "digital"])
    }

    /// One finding per criterion DIGI-1..6.
    public func evaluate(_ request: EvaluationRequest<IndicatorKit.Filing, ReviewContext>) throws -> [Finding] {
        guard let section = request.filing.digital else { throw missing("digital") }
        let rows = try threeYears(request.filing.figures)
        return [
            Rule("DIGI-1").judgement(section.evidence["DIGI-1"]),
            Rule("DIGI-2").evidence(section.evidence["DIGI-2"]),
            Rule("DIGI-3").evidence(section.evidence["DIGI-3"]),
            digi4(rows),
            Rule("DIGI-5").evidence(section.evidence["DIGI-5"]),
            Rule("DIGI-6").evidence(section.evidence["DIGI-6"]),
        ]
    }

    /// DIGI-4: each rate rises steadily (稳步提升): r1 <= r2 <= r3 and r3 > r1.
    func digi4(_ rows: (YearFigures, YearFigures, YearFigures)) -> Finding {
        let rule = Rule("DIGI-4")
        let rates: [(name: String, zh: String, value: (YearFigures) -> Decimal)] = [
            ("industrial_internet_rate", "工业互联网平台应用普及率", { $0.industrialInternetRate }),
            ("industrial_software_rate", "工业软件应用率", { $0.industrialSoftwareRate }),
        ]
        var observed: [String: JSONValue] = [:]
        var broken: [(String, String)] = []
        for rate in rates {
            let r1 = rate.value(rows.0), r2 = rate.value(rows.1), r3 = rate.value(rows.2)
            observed[rate.name] = series(rows, rate.value)
            if !(r1 <= r2 && r2 <= r3 && r3 > r1) { broken.append((rate.name, rate.zh)) }
        }
        if broken.isEmpty {
            return rule.finding(.pass, observed: .object(observed), "两项比率三年未降且末年高于首年", "both rates never fall and end above where they began")
        }
        return rule.finding(.fail, observed: .object(observed), "未稳步提升：\(broken.map(\.1).joined(separator: "、"))",
                            "not rising steadily: \(broken.map(\.0).joined(separator: ", "))")
    }
}
