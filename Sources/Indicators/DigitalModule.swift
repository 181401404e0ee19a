import Foundation
import IndicatorKit
import ClusterStandard
import JSONCore

/// Digital transformation (criteria.md §5, Standard 5): DIGI-1..6.
public struct DigitalModule: IndicatorModule {
    /// The module.
    public init() {}

    /// Reads the three years of figures (the two rates) and the digital evidence.
    public var descriptor: ModuleDescriptor { Self.declaration }

    static let declaration = ModuleDescriptor(
        id: "digital", version: "1.2.0", title: LocalizedText(zh: "数字化转型效果明显", en: "Digital transformation"),
        appliesTo: reviewKinds, criteria: [digi1, digi2, digi3, digi4, digi5, digi6].map(\.criterion), reads: ["figures", "digital"])

    static let digi1 = Rule("DIGI-1", .judgement, "新型信息基础设施建设水平较高", "New information infrastructure is well built",
                            citation: "Standard 5")
    static let digi2 = Rule("DIGI-2", .evidence, "数字化装备和系统应用广泛，引入跨企业数字化解决方案、评估和诊断服务",
                            "Digital equipment widely applied; cross-enterprise solutions and diagnosis", citation: "Standard 5")
    static let digi3 = Rule("DIGI-3", .evidence, "“用云上平台”成效显著", "“Use the cloud” has clear results", citation: "Standard 5")
    static let digi4 = Rule("DIGI-4", .threshold, "工业互联网平台应用普及率、工业软件应用率稳步提升",
                            "Industrial-internet and industrial-software rates rise steadily", citation: "Standard 5")
    static let digi5 = Rule("DIGI-5", .evidence, "集群企业重要生产数据联通，探索数字化新模式新业态",
                            "Production data connected; new digital models explored", citation: "Standard 5")
    static let digi6 = Rule("DIGI-6", .evidence, "建立健全工业互联网安全保障体系", "An industrial internet security system", citation: "Standard 5")

    /// One finding per criterion DIGI-1..6.
    public func evaluate(_ request: EvaluationRequest<ClusterStandard.Filing, ReviewContext>) throws -> [Finding] {
        guard let section = request.filing.digital else { throw missing("digital") }
        let rows = try threeYears(request.filing.figures)
        return [
            Self.digi1.judgement(section.evidence["DIGI-1"]),
            Self.digi2.evidence(section.evidence["DIGI-2"]),
            Self.digi3.evidence(section.evidence["DIGI-3"]),
            digi4(rows),
            Self.digi5.evidence(section.evidence["DIGI-5"]),
            Self.digi6.evidence(section.evidence["DIGI-6"]),
        ]
    }

    /// DIGI-4: each rate rises steadily (稳步提升): r1 <= r2 <= r3 and r3 > r1.
    func digi4(_ rows: (YearFigures, YearFigures, YearFigures)) -> Finding {
        let rule = Self.digi4
        let rates: [(name: String, zh: String, en: String, value: (YearFigures) -> Decimal)] = [
            ("industrial_internet_rate", "工业互联网平台应用普及率", Vocabulary.word("industrial_internet_rate", .en), { $0.industrialInternetRate }),
            ("industrial_software_rate", "工业软件应用率", Vocabulary.word("industrial_software_rate", .en), { $0.industrialSoftwareRate }),
        ]
        var observed: [String: JSONValue] = [:]
        var broken: [(String, String)] = []
        for rate in rates {
            let r1 = rate.value(rows.0), r2 = rate.value(rows.1), r3 = rate.value(rows.2)
            observed[rate.name] = series(rows, rate.value)
            if !(r1 <= r2 && r2 <= r3 && r3 > r1) { broken.append((rate.en, rate.zh)) }
        }
        if broken.isEmpty {
            return rule.finding(.pass, observed: .object(observed), "两项比率三年未降且末年高于首年", "both rates never fall and end above where they began")
        }
        return rule.finding(.fail, observed: .object(observed), "未稳步提升：\(broken.map(\.1).joined(separator: "、"))",
                            "not rising steadily: \(broken.map(\.0).joined(separator: ", "))")
    }
}
