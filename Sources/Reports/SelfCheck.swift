import Foundation
import IndicatorKit
import ClusterStandard

/// Who a report page is for: the reviewers (the review of a filed filing) or the county that runs
/// a self-check before it files (`cluster-review evaluate`).
public enum ReportAudience: String, Sendable, Hashable, CaseIterable {
    /// A reviewer reading the review of a filed filing: the filing's number, the commands to confirm.
    case reviewer
    /// A county reading its own self-check: not a decision, no reviewer's commands, no internal ids;
    /// what a reviewer will judge and what evidence helps.
    case county
}

/// The words of a county's self-check (`evaluate`, in the terminal and as `--html`): it is a
/// preview, not a decision; it names what the reviewers will judge and what evidence helps, from
/// the criteria's own declarations (title, kind, citation) and the filing format's evidence items.
public enum SelfCheck {
    static let title = LocalizedText(zh: "中小企业特色产业集群申报自评（预览）", en: "SME Characteristic Industrial Cluster — Self-check of a Filing (preview)")
    /// What the page is, said first.
    public static let notice = LocalizedText(
        zh: "这是县级中小企业主管部门在申报前的自评预览，不是评审结论：由省里对申报材料进行评审，评审通过并经公示无异议的，方予认定（《办法》第十一条）。",
        en: "This is the county SME authority's self-check before filing, not a decision: the province reviews the filing, and a cluster is recognized only when the review passes and the public notice draws no objection (Measures, Art. 11).")
    static let resultHeading = LocalizedText(zh: "预审结果（自评，不是评审结论）", en: "Pre-screen result (self-check, not a decision)")
    static let status = LocalizedText(zh: "自评，尚未提交", en: "self-check, not filed yet")
    static let judgeHeading = LocalizedText(zh: "评审人将判断的事项", en: "What the reviewers will judge")
    static let nothingToJudge = LocalizedText(zh: "没有留给评审人判断的事项。", en: "Nothing is left for the reviewers to judge.")
    static let helpsLabel = LocalizedText(zh: "有助于判断的材料：", en: "Evidence that helps: ")
    static let willJudge = LocalizedText(zh: "评审人将判断：", en: "The reviewers will judge: ")

    /// The pre-screen's result in words a county reads: what the machine found, never a decision.
    public static func result(_ recommendation: ReviewSummary.Recommendation) -> LocalizedText {
        switch recommendation {
        case .rejectedByVeto: return LocalizedText(zh: "触及资格或一票否决事项", en: "An eligibility or veto criterion is not met")
        case .notRecommended: return LocalizedText(zh: "有未达到标准的条款", en: "Some criteria are not met")
        case .needsReview: return LocalizedText(zh: "机器可核对的条款未发现问题，其余留待评审人判断", en: "No problem in what the machine can check; the rest is for the reviewers to judge")
        case .recommended: return LocalizedText(zh: "机器可核对的条款均已达到", en: "Every criterion the machine can check is met")
        }
    }

    /// "N items the reviewers will judge".
    static func pendingCount(_ count: Int) -> LocalizedText {
        LocalizedText(zh: "\(count) 项由评审人判断", en: "\(count) item\(count == 1 ? "" : "s") for the reviewers to judge")
    }

    /// The filing section whose `evidence` holds module `module`'s items (`supply-chain` → `supply_chain`).
    static func section(ofModule module: String) -> String {
        // Scalar by scalar, not Foundation's `replacingOccurrences` (an `NSString` search per call).
        String(String.UnicodeScalarView(module.unicodeScalars.map { $0 == "-" ? "_" : $0 }))
    }

    /// What the reviewers will judge for `item` (the criterion's declared title and citation) and what
    /// evidence helps, by the criterion's kind: for judgement and evidence criteria, a statement and at
    /// least one document in the criterion's evidence item; for a threshold criterion, the figures and
    /// the statement its finding names.
    public static func guidance(_ item: ReviewSummary.Attributed, declarations: Declarations) -> (judge: LocalizedText, helps: LocalizedText) {
        let id = item.finding.criterion
        let criterion = declarations.criterion(id)
        let title = criterion?.title ?? LocalizedText(zh: id, en: id)
        let citation = ReportLabels.citationText(item.finding.citation)
        let judge = LocalizedText(zh: "\(id) \(title.zh)（\(citation.zh)）", en: "\(id) \(title.en) (\(citation.en))")
        let path = "\(section(ofModule: item.module)).evidence[\"\(id)\"]"
        if id == "GOVE-4" {
            // The plan is judged for feasibility (criteria.md, GOVE-4): its structure is what helps.
            return (judge, LocalizedText(
                zh: "governance.plan 中的未来三年发展规划：每个目标有指标、基期值、数值目标和规划年份，措施覆盖《办法》第五条的六个方面；并在 \(path) 中说明目标为何可行，列出证明材料。",
                en: "the three-year plan in governance.plan: each goal with a metric, a baseline, a numeric target and a year of the plan, measures in all six areas of Measures Art. 5; and in \(path), why the goals are feasible, with supporting documents."))
        }
        switch criterion?.kind {
        case .judgement?, .evidence?:
            return (judge, LocalizedText(
                zh: "在 \(path) 中写明具体说明，并列出至少一份证明材料；说明和证明材料都有，评审人才好判断。",
                en: "a specific statement in \(path) and at least one supporting document listed there; with both, the reviewers can judge."))
        default:
            return (judge, LocalizedText(
                zh: "准确、可核对的申报数据，以及对本条款所述情况的说明：\(item.finding.message.zh)",
                en: "accurate figures a reviewer can check, and a statement on what the finding says: \(item.finding.message.en)"))
        }
    }

    /// `text` with full-width parentheses written `" ("` and `")"`, as English writes them; a walk
    /// over the scalars instead of two Foundation `replacingOccurrences` (`NSString` searches).
    static func asciiParentheses(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: { $0 == "（" || $0 == "）" }) else { return text }
        var scalars = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            switch scalar {
            case "（": scalars.append(" "); scalars.append("(")
            case "）": scalars.append(")")
            default: scalars.append(scalar)
            }
        }
        return String(scalars)
    }

    /// The self-check as text for the terminal, in `language`: what it is (not a decision), the
    /// stamp, the eight indicators by their declared titles, what is not met, what the reviewers
    /// will judge with the evidence that helps, and the pre-screen's result. No internal ids, no
    /// reviewer's commands.
    public static func terminal(_ report: ReviewReport, language: Language, generatedAt: Date) -> String {
        let lang = language
        func t(_ text: LocalizedText) -> String { text.text(in: lang) }
        var lines: [String] = []
        lines.append(t(title) + " · " + report.clusterName + " · " + report.county.name.text(in: lang))
        lines.append(t(notice))
        lines.append(ReportStamp(report, generatedAt: generatedAt).line(in: lang, hashLength: 16))
        lines.append("")
        let width = report.summary.indicators.map { report.declarations.title(ofModule: $0.module).text(in: lang).count }.max() ?? 0
        for indicator in report.summary.indicators {
            let name = report.declarations.title(ofModule: indicator.module).text(in: lang)
            let pad = String(repeating: lang == .en ? " " : "　", count: max(0, width - name.count))
            lines.append("  \(name)\(pad)  \(t(ReportLabels.verdict(indicator.verdict)))  \(t(ReportLabels.score)) \(indicator.score.map(String.init) ?? "—")")
        }
        if !report.summary.failures.isEmpty {
            lines.append("")
            lines.append(lang == .en ? "Not met:" : "未达到：")
            for item in report.summary.failures {
                let title = report.declarations.criterion(item.finding.criterion)?.title.text(in: lang) ?? ""
                if let reading = ThresholdReading.of(item.finding, criterion: report.declarations.criterion(item.finding.criterion), language: lang) {
                    let parts = [(lang == .en ? "observed " : "实际 ") + reading.observed, (lang == .en ? "bound " : "标准 ") + reading.bound]
                        + (reading.margin.map { [$0] } ?? [])
                    lines.append("  ✘ \(item.finding.criterion) \(title): " + parts.joined(separator: lang == .en ? "; " : "；"))
                }
                let line = "  ✘ \(item.finding.criterion) \(title) — \(item.finding.message.text(in: lang))（\(t(ReportLabels.citationText(item.finding.citation)))）"
                lines.append(lang == .en ? asciiParentheses(line) : line)
            }
        }
        lines.append("")
        lines.append(t(judgeHeading) + (lang == .en ? ":" : "："))
        if report.summary.toConfirm.isEmpty { lines.append("  " + t(nothingToJudge)) }
        for item in report.summary.toConfirm {
            let (judge, helps) = guidance(item, declarations: report.declarations)
            lines.append("  ? \(t(judge))")
            lines.append("    \(t(helpsLabel))\(t(helps))")
        }
        lines.append("")
        lines.append(t(resultHeading) + (lang == .en ? ": " : "：") + t(result(report.recommendation)))
        return lines.joined(separator: "\n")
    }
}
