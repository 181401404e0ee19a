import Foundation
import IndicatorKit
import ClusterStandard
import JSONCore

/// What a what-if found (`cluster-review simulate`, ReviewCore's `Simulation`): the stored filings
/// run under the rulebook as it is (the baseline, run afresh under the same as-of date) and under
/// a draft with some parameters changed, and every finding and recommendation that changes.
///
/// Encoded (`--json`) with the stable snake_case schema of docs/cli.md; decimals stay exact.
public struct SimulationResult: Sendable, Hashable, Codable {
    /// One changed parameter: before (the rulebook's value in force on the day of the
    /// simulation; nil when none) and after, in the file's unit.
    public struct Change: Sendable, Hashable, Codable {
        public var parameter: String
        public var unit: String
        public var comparator: String
        public var criteria: [String]
        public var before: JSONValue?
        public var after: JSONValue
        public var typed: String

        public init(parameter: String, unit: String, comparator: String, criteria: [String], before: JSONValue?, after: JSONValue, typed: String) {
            (self.parameter, self.unit, self.comparator, self.criteria, self.before, self.after, self.typed) =
                (parameter, unit, comparator, criteria, before, after, typed)
        }
    }

    /// A finding whose verdict differs between the baseline and the draft (with its score under each).
    public struct FindingChange: Sendable, Hashable, Codable {
        public var criterion: String
        public var module: String
        public var before: Verdict
        public var after: Verdict
        public var scoreBefore: Int
        public var scoreAfter: Int

        public init(criterion: String, module: String, before: Verdict, after: Verdict, scoreBefore: Int, scoreAfter: Int) {
            (self.criterion, self.module, self.before, self.after, self.scoreBefore, self.scoreAfter) =
                (criterion, module, before, after, scoreBefore, scoreAfter)
        }

        enum CodingKeys: String, CodingKey {
            case criterion, module, before, after, scoreBefore = "score_before", scoreAfter = "score_after"
        }
    }

    /// One filing (one cluster: the filing is its cluster's latest) whose findings or recommendation change.
    public struct FilingChange: Sendable, Hashable, Codable {
        public var filingId: Int64
        public var countyCode: String
        public var clusterName: String
        /// The register entry's certificate number, when the filing's cluster is on the register.
        public var certificateNo: String?
        public var leadingIndustry: String
        public var kind: String
        public var asOf: String
        /// The recommendation recorded by the filing's latest decision review (for reference).
        public var stored: ReviewSummary.Recommendation?
        public var before: ReviewSummary.Recommendation
        public var after: ReviewSummary.Recommendation
        public var findings: [FindingChange]

        public init(filingId: Int64, countyCode: String, clusterName: String, certificateNo: String?, leadingIndustry: String, kind: String,
                    asOf: String, stored: ReviewSummary.Recommendation?, before: ReviewSummary.Recommendation,
                    after: ReviewSummary.Recommendation, findings: [FindingChange]) {
            (self.filingId, self.countyCode, self.clusterName, self.certificateNo, self.leadingIndustry, self.kind, self.asOf) =
                (filingId, countyCode, clusterName, certificateNo, leadingIndustry, kind, asOf)
            (self.stored, self.before, self.after, self.findings) = (stored, before, after, findings)
        }

        /// Whether the recommendation changes.
        public var recommendationChanges: Bool { before != after }

        enum CodingKeys: String, CodingKey {
            case filingId = "filing_id", countyCode = "county_code", clusterName = "cluster_name", certificateNo = "certificate_no"
            case leadingIndustry = "leading_industry", kind, asOf = "as_of", stored, before, after, findings
        }
    }

    /// A filing that could not be simulated (its rulebook does not cover its date, or a module failed), with why.
    public struct Skipped: Sendable, Hashable, Codable {
        public var filingId: Int64
        /// Why, in English: the module's or the rulebook's own words (the JSON's `reason`).
        public var reason: String
        /// Why, in Chinese: a sentence that points to the English detail rather than quoting it, so a
        /// Chinese page or line stays in one language.
        public var reasonZh: String = ""

        public init(filingId: Int64, reason: String, reasonZh: String = "") {
            (self.filingId, self.reason, self.reasonZh) = (filingId, reason, reasonZh)
        }

        /// The reason in `language`.
        public func reason(in language: Language) -> String {
            language == .zh && !reasonZh.isEmpty ? reasonZh : reason
        }

        enum CodingKeys: String, CodingKey { case filingId = "filing_id", reason }
    }

    /// For one criterion, how many filings move from each verdict to each other.
    public struct CriterionCount: Sendable, Hashable, Codable {
        public var criterion: String
        /// Filings that pass under the draft but not the baseline.
        public var nowPass: Int
        /// Filings that passed under the baseline but not under the draft.
        public var noLongerPass: Int
        /// Every move, `"fail→pass"`: count.
        public var moves: [String: Int]

        public init(criterion: String, nowPass: Int, noLongerPass: Int, moves: [String: Int]) {
            (self.criterion, self.nowPass, self.noLongerPass, self.moves) = (criterion, nowPass, noLongerPass, moves)
        }

        enum CodingKeys: String, CodingKey { case criterion, nowPass = "now_pass", noLongerPass = "no_longer_pass", moves }
    }

    /// The counts of one county or one leading industry.
    public struct GroupCount: Sendable, Hashable, Codable {
        public var key: String
        public var simulated: Int
        /// Filings with any finding or the recommendation changed.
        public var changed: Int
        public var findingsChanged: Int
        public var recommendationsChanged: Int
        public var becomeRecommended: Int
        public var noLongerRecommended: Int

        public init(key: String) {
            (self.key, simulated, changed, findingsChanged, recommendationsChanged, becomeRecommended, noLongerRecommended) = (key, 0, 0, 0, 0, 0, 0)
        }

        enum CodingKeys: String, CodingKey {
            case key, simulated, changed, findingsChanged = "findings_changed", recommendationsChanged = "recommendations_changed"
            case becomeRecommended = "become_recommended", noLongerRecommended = "no_longer_recommended"
        }
    }

    /// The rulebook the draft starts from, its hash and the draft's.
    public var rulebook: String
    public var rulebookHash: String
    public var draftHash: String
    /// What was simulated: `filings`, `register` or `round <id>`.
    public var over: String
    /// The day the simulation ran (the database's `cr_today()`).
    public var today: String
    public var changes: [Change]
    /// How many filings were run under both rulebooks.
    public var simulated: Int
    public var filings: [FilingChange]
    public var skipped: [Skipped]
    public var criteria: [CriterionCount]
    /// Recommendation moves, `"not_recommended→needs_review"`: count.
    public var recommendations: [String: Int]
    public var byCounty: [GroupCount]
    public var byIndustry: [GroupCount]

    enum CodingKeys: String, CodingKey {
        case rulebook, rulebookHash = "rulebook_hash", draftHash = "draft_hash", over, today, changes, simulated, filings, skipped
        case criteria, recommendations, byCounty = "by_county", byIndustry = "by_industry"
    }

    /// Builds the result from every filing run (`runs`: each filing's identity, baseline and draft
    /// findings and recommendations); the counts are taken here, once.
    public init(rulebook: String, rulebookHash: String, draftHash: String, over: String, today: String, changes: [Change],
                runs: [Run], skipped: [Skipped]) {
        (self.rulebook, self.rulebookHash, self.draftHash, self.over, self.today, self.changes, self.skipped) =
            (rulebook, rulebookHash, draftHash, over, today, changes, skipped)
        simulated = runs.count
        var filings: [FilingChange] = []
        var criteria: [String: CriterionCount] = [:]
        var recommendations: [String: Int] = [:]
        var counties: [String: GroupCount] = [:]
        var industries: [String: GroupCount] = [:]
        for run in runs.sorted(by: { $0.filing.filingId < $1.filing.filingId }) {
            var findingChanges: [FindingChange] = []
            let after = Dictionary(run.draftFindings.map { ($0.criterion, $0) }, uniquingKeysWith: { first, _ in first })
            for before in run.baselineFindings {
                guard let draft = after[before.criterion] else { continue }
                // A verdict that moves; a score that moves with the bound alone (pass 80 → pass 68) is not an outcome.
                guard draft.verdict != before.verdict else { continue }
                findingChanges.append(FindingChange(criterion: before.criterion, module: before.module, before: before.verdict,
                                                    after: draft.verdict, scoreBefore: before.score, scoreAfter: draft.score))
                var count = criteria[before.criterion] ?? CriterionCount(criterion: before.criterion, nowPass: 0, noLongerPass: 0, moves: [:])
                count.moves["\(before.verdict.rawValue)→\(draft.verdict.rawValue)", default: 0] += 1
                if draft.verdict == .pass { count.nowPass += 1 }
                if before.verdict == .pass { count.noLongerPass += 1 }
                criteria[before.criterion] = count
            }
            var change = run.filing
            change.before = run.baseline
            change.after = run.draft
            change.findings = findingChanges.sorted { $0.criterion < $1.criterion }
            let verdictsMoved = findingChanges.filter { $0.before != $0.after }.count
            let changed = !findingChanges.isEmpty || change.recommendationChanges
            if change.recommendationChanges { recommendations["\(run.baseline.rawValue)→\(run.draft.rawValue)", default: 0] += 1 }
            func tally(_ group: inout GroupCount) {
                group.simulated += 1
                if changed { group.changed += 1 }
                group.findingsChanged += verdictsMoved
                if change.recommendationChanges { group.recommendationsChanged += 1 }
                if change.after == .recommended && change.before != .recommended { group.becomeRecommended += 1 }
                if change.before == .recommended && change.after != .recommended { group.noLongerRecommended += 1 }
            }
            tally(&counties[change.countyCode, default: GroupCount(key: change.countyCode)])
            tally(&industries[change.leadingIndustry, default: GroupCount(key: change.leadingIndustry)])
            if changed { filings.append(change) }
        }
        self.filings = filings
        self.criteria = criteria.values.sorted { $0.criterion < $1.criterion }
        self.recommendations = recommendations
        byCounty = counties.values.sorted { $0.key < $1.key }
        byIndustry = industries.values.sorted { $0.key < $1.key }
    }

    /// One filing as run: who it is, and what each rulebook found.
    public struct Run: Sendable {
        public struct Judged: Sendable {
            public var criterion: String
            public var module: String
            public var verdict: Verdict
            public var score: Int

            public init(criterion: String, module: String, verdict: Verdict, score: Int) {
                (self.criterion, self.module, self.verdict, self.score) = (criterion, module, verdict, score)
            }
        }

        /// The filing's identity (its `before`, `after` and `findings` are filled in by the result).
        public var filing: FilingChange
        public var baseline: ReviewSummary.Recommendation
        public var draft: ReviewSummary.Recommendation
        public var baselineFindings: [Judged]
        public var draftFindings: [Judged]

        public init(filing: FilingChange, baseline: ReviewSummary.Recommendation, draft: ReviewSummary.Recommendation,
                    baselineFindings: [Judged], draftFindings: [Judged]) {
            (self.filing, self.baseline, self.draft, self.baselineFindings, self.draftFindings) =
                (filing, baseline, draft, baselineFindings, draftFindings)
        }
    }

    /// Filings that become recommended, and that stop being recommended.
    public var becomeRecommended: Int { byCounty.reduce(0) { $0 + $1.becomeRecommended } }
    public var noLongerRecommended: Int { byCounty.reduce(0) { $0 + $1.noLongerRecommended } }

    /// The result in one sentence: "With min_annual_output_wan (COMP-6) at 15亿元 instead of 20亿元,
    /// 7 more filings pass COMP-6; 3 become recommended." / Chinese.
    public func sentence(_ language: Language) -> String {
        let en = language == .en
        let settings = changes.map { change -> String in
            let measure = Measure(unit: change.unit)
            func show(_ value: JSONValue?) -> String {
                guard let value else { return en ? "none" : "无" }
                if let number = value.decimal { return Readable.amount(number, measure, language) }
                return value.string ?? "\(value)"
            }
            let criteria = change.criteria.joined(separator: ", ")
            return en ? "\(change.parameter) (\(criteria)) at \(show(change.after)) instead of \(show(change.before))"
                : "\(criteria) 的参数 \(change.parameter) 由 \(show(change.before)) 改为 \(show(change.after))"
        }
        var effects: [String] = []
        for count in criteria {
            let net = count.nowPass - count.noLongerPass
            if net > 0 {
                effects.append(en ? "\(net) more filing\(net == 1 ? "" : "s") pass\(net == 1 ? "es" : "") \(count.criterion)" : "\(count.criterion) 多 \(net) 件申报达标")
            } else if net < 0 {
                effects.append(en ? "\(-net) fewer filing\(net == -1 ? "" : "s") pass\(net == -1 ? "es" : "") \(count.criterion)" : "\(count.criterion) 少 \(-net) 件申报达标")
            } else {
                let moved = count.moves.values.reduce(0, +)
                effects.append(en ? "\(moved) finding\(moved == 1 ? "" : "s") of \(count.criterion) change\(moved == 1 ? "s" : "")" : "\(count.criterion) 有 \(moved) 项结论改变")
            }
        }
        if becomeRecommended > 0 {
            effects.append(en ? "\(becomeRecommended) become\(becomeRecommended == 1 ? "s" : "") recommended" : "\(becomeRecommended) 件变为建议认定")
        }
        if noLongerRecommended > 0 {
            effects.append(en ? "\(noLongerRecommended) \(noLongerRecommended == 1 ? "is" : "are") no longer recommended" : "\(noLongerRecommended) 件不再建议认定")
        }
        let others = recommendations.filter { !$0.key.hasPrefix("recommended→") && !$0.key.hasSuffix("→recommended") }.values.reduce(0, +)
        if others > 0 {
            effects.append(en ? "\(others) other recommendation\(others == 1 ? "" : "s") change\(others == 1 ? "s" : "")" : "另有 \(others) 件建议结论改变")
        }
        if effects.isEmpty { effects.append(en ? "no finding and no recommendation changes" : "没有任何结论或建议改变") }
        let scope = en ? "of \(simulated) filing\(simulated == 1 ? "" : "s") simulated" : "（共模拟 \(simulated) 件申报）"
        return en ? "With " + settings.joined(separator: " and ") + ", " + effects.joined(separator: "; ") + " (\(scope))."
            : "若将 " + settings.joined(separator: "，") + "：" + effects.joined(separator: "；") + scope + "。"
    }
}
