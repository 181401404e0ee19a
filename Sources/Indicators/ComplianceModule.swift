import Foundation
import IndicatorKit
import ClusterStandard
import JSONCore

/// Eligibility and veto (criteria.md §0): ELIG-1 and VETO-1..3, for every kind of filing.
///
/// Incidents come from the filing's declaration and from the coordinator's records
/// (`ReviewContext.incidents`); only those of the filing's enterprises (by unified social credit
/// code) inside the veto window count. The same incident declared and recorded counts once.
///
/// The window is 近三年 read as for the figures (criteria.md, "Settled edge cases"): for a filing in
/// year Y, from 1 January of Y−3 to the filing date, both included (filed 2026-03-15: 2023-01-01…2026-03-15).
/// An incident after the filing date is a matter for the register (Art. 14(5)), not for this filing.
public struct ComplianceModule: IndicatorModule {
    /// The module.
    public init() {}

    /// Reads the filer, the cluster's place, the enterprises and the declared incidents.
    public var descriptor: ModuleDescriptor { Self.declaration }

    static let declaration = ModuleDescriptor(
        id: "compliance", version: "1.2.0", title: LocalizedText(zh: "资格与一票否决", en: "Eligibility and veto"),
        appliesTo: FilingKind.allCases, criteria: [elig1, veto1, veto2, veto3].map(\.criterion),
        reads: ["kind", "filing_date", "applicant", "cluster", "enterprises", "incidents"])

    static let elig1 = Rule(
        "ELIG-1", .threshold, "县级区划的中小企业主管部门申报，集群位于该县级区划内",
        "Filed by one county-level SME authority; the cluster lies in that division", citation: "Art. 2, Art. 10", veto: true)
    static let veto1 = Rule(
        "VETO-1", .threshold, "近三年未发生较大及以上安全、质量和环境污染事故",
        "No safety, quality or pollution accident of grade larger or above in three years",
        citation: "Standard, preamble; Art. 14(5)", veto: true)
    static let veto2 = Rule(
        "VETO-2", .threshold, "近三年未发生重大及以上网络安全和数据安全事件",
        "No cyber or data security incident of grade major or above in three years",
        citation: "Standard, preamble; Art. 14(5)", veto: true)
    static let veto3 = Rule(
        "VETO-3", .threshold, "近三年无偷税漏税、违法违规、严重失信和其他重大问题",
        "No tax evasion, illegal conduct, serious dishonesty or other major problem in three years",
        citation: "Standard, preamble; Art. 14(5)", veto: true)

    /// One finding each for ELIG-1, VETO-1, VETO-2, VETO-3.
    public func evaluate(_ request: EvaluationRequest<ClusterStandard.Filing, ReviewContext>) throws -> [Finding] {
        let filing = request.filing
        guard let applicant = filing.applicant else { throw missing("applicant") }
        guard let cluster = filing.cluster else { throw missing("cluster") }
        guard let filingDate = filing.filingDate else { throw missing("filing_date") }
        let codes = Set((filing.enterprises ?? []).map(\.code))
        let window = Self.vetoWindow(filedOn: filingDate)

        var seen = Set<String>()
        var inWindow: [Incident] = []
        var excluded: [JSONValue] = []
        for incident in (filing.incidents ?? []) + request.context.incidents {
            let key = "\(incident.enterpriseCode)|\(incident.date)|\(incident.category)|\(incident.grade ?? "")"
            guard seen.insert(key).inserted else { continue }
            if !codes.contains(incident.enterpriseCode) {
                excluded.append(describe(incident, reason: "not_a_cluster_enterprise"))
            } else if !window.contains(incident.date) {
                excluded.append(describe(incident, reason: "outside_window"))
            } else {
                inWindow.append(incident)
            }
        }
        let windowText = "\(window.lowerBound)…\(window.upperBound)"
        return [
            eligibility(applicant, cluster),
            graded(Self.veto1, inWindow, excluded, categories: FilingSchema.accidentCategories,
                   failing: ["larger", "major", "especially_major"], windowText,
                   (zh: "较大及以上安全、质量和环境污染事故", en: "safety, quality or pollution accident of grade larger or above")),
            graded(Self.veto2, inWindow, excluded, categories: FilingSchema.securityCategories,
                   failing: ["major", "especially_major"], windowText,
                   (zh: "重大及以上网络安全和数据安全事件", en: "cyber or data security incident of grade major or above")),
            conduct(Self.veto3, inWindow, excluded, windowText),
        ]
    }

    /// The veto window of a filing made on `filingDate`: `[1 January of Y−3, filing date]`, the same
    /// three calendar years Y−3, Y−2, Y−1 the figures cover, and the filing year up to the filing date.
    static func vetoWindow(filedOn filingDate: CivilDate) -> ClosedRange<CivilDate> {
        guard let first = CivilDate(year: filingDate.year - 3, month: 1, day: 1), first <= filingDate else {
            return filingDate...filingDate
        }
        return first...filingDate
    }

    /// ELIG-1 (Art. 2, Art. 10): one county-level division files, and the cluster lies in it alone.
    func eligibility(_ applicant: Applicant, _ cluster: ClusterProfile) -> Finding {
        let rule = Self.elig1
        let observed: JSONValue = ["applicant_county": .string(applicant.countyCode),
                                   "cluster_counties": .array(cluster.countyCodes.map { .string($0) })]
        guard let county = HainanCounty.named(applicant.countyCode) else {
            return rule.finding(.fail, score: 0, observed: observed, "申报主体代码 \(applicant.countyCode) 不是海南省县级区划",
                                "the filer's code \(applicant.countyCode) is not a Hainan county-level division")
        }
        let others = Set(cluster.countyCodes).subtracting([applicant.countyCode])
        guard others.isEmpty, cluster.countyCodes.contains(applicant.countyCode) else {
            let list = others.sorted().joined(separator: ", ")
            return rule.finding(.fail, score: 0, observed: observed, "集群跨出申报县级区划\(county.name)：\(list)",
                                "the cluster reaches beyond \(county.name), the filing division: \(list)")
        }
        return rule.finding(.pass, observed: observed, "由\(county.name)申报，集群位于该县级区划内",
                            "filed by \(county.name); the cluster lies within it")
    }

    /// VETO-1 and VETO-2: an incident of a failing grade fails, a lower grade warns.
    func graded(
        _ rule: Rule, _ incidents: [Incident], _ excluded: [JSONValue], categories: [String], failing: Set<String>,
        _ window: String, _ what: (zh: String, en: String)
    ) -> Finding {
        let relevant = incidents.filter { categories.contains($0.category) }
        let failingOnes = relevant.filter { failing.contains($0.grade ?? "") }
        let observed: JSONValue = ["window": .string(window), "incidents": .array(relevant.map { describe($0, reason: nil) }),
                                   "excluded": .array(excluded)]
        let threshold: JSONValue = ["failing_grades": .array(failing.sorted().map { .string($0) })]
        if !failingOnes.isEmpty {
            let list = Self.incidents(failingOnes)
            return rule.finding(.fail, score: 0, observed: observed, threshold: threshold, "\(window) 内发生\(what.zh)：\(list.zh)",
                                "\(what.en) within \(window): \(list.en)")
        }
        if !relevant.isEmpty {
            let list = Self.incidents(relevant)
            return rule.finding(.warn, observed: observed, threshold: threshold, "\(window) 内有较低等级事件，请核实：\(list.zh)",
                                "lower-grade incidents within \(window), to check: \(list.en)")
        }
        return rule.finding(.pass, observed: observed, threshold: threshold, "\(window) 内无此类事件", "no such incident within \(window)")
    }

    /// VETO-3: any tax evasion, illegal conduct, serious dishonesty or other major problem fails.
    func conduct(_ rule: Rule, _ incidents: [Incident], _ excluded: [JSONValue], _ window: String) -> Finding {
        let relevant = incidents.filter { FilingSchema.conductCategories.contains($0.category) }
        let observed: JSONValue = ["window": .string(window), "incidents": .array(relevant.map { describe($0, reason: nil) }),
                                   "excluded": .array(excluded)]
        if relevant.isEmpty {
            return rule.finding(.pass, observed: observed, "\(window) 内无偷税漏税、违法违规、严重失信等行为",
                                "no tax evasion, illegal conduct or serious dishonesty within \(window)")
        }
        let list = Self.incidents(relevant)
        return rule.finding(.fail, score: 0, observed: observed, "\(window) 内有：\(list.zh)", "within \(window): \(list.en)")
    }

    /// Incidents as a message lists them, in each language: the enterprise's code, the date, the
    /// category and grade in words (`… 2025-03-01 安全（较大）` / `… 2025-03-01 safety (larger)`).
    static func incidents(_ incidents: [Incident]) -> (zh: String, en: String) {
        func line(_ incident: Incident, _ language: Language) -> String {
            let category = Vocabulary.word(incident.category, language)
            let grade = incident.grade.map { language == .en ? " (\(Vocabulary.word($0, .en)))" : "（\(Vocabulary.word($0, .zh))）" } ?? ""
            return "\(incident.enterpriseCode) \(incident.date) \(category)\(grade)"
        }
        return (incidents.map { line($0, .zh) }.joined(separator: "；"), incidents.map { line($0, .en) }.joined(separator: "; "))
    }

    func describe(_ incident: Incident, reason: String?) -> JSONValue {
        var value: [String: JSONValue] = ["enterprise_code": .string(incident.enterpriseCode), "date": .string(incident.date.description),
                                          "category": .string(incident.category)]
        if let grade = incident.grade { value["grade"] = .string(grade) }
        if let reason { value["excluded_because"] = .string(reason) }
        return .object(value)
    }
}
