import Foundation
import IndicatorKit
import ClusterStandard
import Rulebooks

/// The words a report prints around the data, in Chinese and English (the web door's pages use
/// the same words for the same things).
public enum ReportLabels {
    /// The eight indicators of the standard, in the order of the radar chart's axes.
    static var indicators: [String] { RecognitionStandard.indicators }

    /// A short axis label for an indicator of the radar chart (the standard's eight; any other id
    /// is shown as it is).
    public static func axis(_ id: String) -> LocalizedText {
        switch id {
        case "competitiveness": return LocalizedText(zh: "核心竞争力", en: "Competitiveness")
        case "tiering": return LocalizedText(zh: "梯度培育", en: "Tiering")
        case "supply-chain": return LocalizedText(zh: "产业链协作", en: "Supply chain")
        case "innovation": return LocalizedText(zh: "协同创新", en: "Innovation")
        case "digital": return LocalizedText(zh: "数字化转型", en: "Digital")
        case "green": return LocalizedText(zh: "绿色发展", en: "Green")
        case "openness": return LocalizedText(zh: "开放合作", en: "Openness")
        case "governance": return LocalizedText(zh: "治理服务", en: "Governance")
        default: return LocalizedText(zh: id, en: id)
        }
    }

    public static func verdict(_ verdict: Verdict) -> LocalizedText {
        switch verdict {
        case .pass: return LocalizedText(zh: "通过", en: "pass")
        case .fail: return LocalizedText(zh: "未通过", en: "fail")
        case .warn: return LocalizedText(zh: "提示", en: "warning")
        case .manual: return LocalizedText(zh: "待人工判断", en: "manual")
        case .notApplicable: return LocalizedText(zh: "不适用", en: "not applicable")
        case .error: return LocalizedText(zh: "模块错误", en: "module error")
        }
    }

    public static func kind(_ kind: FilingKind) -> LocalizedText {
        switch kind {
        case .initial: return LocalizedText(zh: "首次认定申报", en: "initial application")
        case .recertification: return LocalizedText(zh: "复核申报", en: "recertification")
        case .annualReport: return LocalizedText(zh: "年度信息报告", en: "annual report")
        case .changeReport: return LocalizedText(zh: "重大变更报告", en: "change report")
        }
    }

    public static func recommendation(_ recommendation: ReviewSummary.Recommendation) -> LocalizedText {
        switch recommendation {
        case .rejectedByVeto: return LocalizedText(zh: "一票否决，不予认定", en: "Rejected by veto")
        case .notRecommended: return LocalizedText(zh: "不推荐认定", en: "Not recommended")
        case .needsReview: return LocalizedText(zh: "待评审人确认", en: "Needs a reviewer's confirmation")
        case .recommended: return LocalizedText(zh: "推荐认定", en: "Recommended")
        }
    }

    /// A filing status in words; an unknown status is shown as stored.
    public static func status(_ status: String) -> LocalizedText {
        switch status {
        case "evaluated": return LocalizedText(zh: "离线评估", en: "evaluated offline")
        case "submitted": return LocalizedText(zh: "已提交", en: "submitted")
        case "queued": return LocalizedText(zh: "排队待审", en: "queued")
        case "reviewing", "running", "in_review": return LocalizedText(zh: "评审中", en: "under review")
        case "review_failed": return LocalizedText(zh: "机审未完成", en: "review failed")
        case "recorded": return LocalizedText(zh: "已记录", en: "recorded")
        case "superseded": return LocalizedText(zh: "已被新申报取代", en: "superseded")
        case "reviewed": return LocalizedText(zh: "已机审", en: "reviewed")
        case "confirmed": return LocalizedText(zh: "已确认", en: "confirmed")
        case "approved": return LocalizedText(zh: "评审通过", en: "approved")
        case "publicity", "under_notice", "in_publicity": return LocalizedText(zh: "公示中", en: "under public notice")
        case "objected": return LocalizedText(zh: "公示有异议", en: "objection filed")
        case "recognized": return LocalizedText(zh: "已认定", en: "recognized")
        case "refused": return LocalizedText(zh: "不予认定", en: "refused")
        case "returned": return LocalizedText(zh: "退回修改", en: "returned for correction")
        case "withdrawn": return LocalizedText(zh: "已撤回", en: "withdrawn")
        case "revoked": return LocalizedText(zh: "已撤销", en: "revoked")
        case "expired": return LocalizedText(zh: "已到期", en: "expired")
        default: return LocalizedText(zh: status, en: status)
        }
    }

    public static let title = LocalizedText(zh: "中小企业特色产业集群评审报告", en: "SME Characteristic Industrial Cluster — Review Report")
    static let indexTitle = LocalizedText(zh: "中小企业特色产业集群评审报告目录", en: "SME Characteristic Industrial Clusters — Review Reports")
    public static let recommendationHeading = LocalizedText(zh: "评审建议", en: "Recommendation")
    public static let filing = LocalizedText(zh: "申报编号", en: "Filing")
    public static let kindLabel = LocalizedText(zh: "申报类型", en: "Kind")
    public static let county = LocalizedText(zh: "申报县（市、区）", en: "County")
    public static let cluster = LocalizedText(zh: "集群名称", en: "Cluster")
    public static let leadingIndustry = LocalizedText(zh: "主导产业", en: "Leading industry")
    public static let filedOn = LocalizedText(zh: "申报日期", en: "Filed on")
    public static let statusLabel = LocalizedText(zh: "状态", en: "Status")
    static let rulebook = LocalizedText(zh: "规则集", en: "Rulebook")
    static let asOf = LocalizedText(zh: "参数生效日", en: "as of")
    static let asOfColumn = LocalizedText(zh: "基准日", en: "As of")
    static let indicatorsHeading = LocalizedText(zh: "八项指标得分", en: "The eight indicators")
    static let indicator = LocalizedText(zh: "指标", en: "Indicator")
    static let verdictLabel = LocalizedText(zh: "结论", en: "Verdict")
    static let score = LocalizedText(zh: "得分", en: "Score")
    static let noScore = LocalizedText(zh: "无得分（按 0 绘制）", en: "no score (drawn at 0)")
    static let chartsHeading = LocalizedText(zh: "近三年数据与阈值", en: "Three years against the bound")
    static let findingsHeading = LocalizedText(zh: "逐项审查结果", en: "Every finding")
    public static let criterion = LocalizedText(zh: "条款", en: "Criterion")
    static let observed = LocalizedText(zh: "实际值", en: "Observed")
    static let bound = LocalizedText(zh: "标准", en: "Bound")
    static let margin = LocalizedText(zh: "差额", en: "Margin")
    static let message = LocalizedText(zh: "说明", en: "Message")
    static let citation = LocalizedText(zh: "依据", en: "Citation")
    static let parameters = LocalizedText(zh: "所用参数", en: "Parameters used")
    static let moduleError = LocalizedText(zh: "模块未能给出结果：", en: "The module could not answer: ")
    public static let confirmHeading = LocalizedText(zh: "需评审人确认事项", en: "What a reviewer must still confirm")
    static let nothingToConfirm = LocalizedText(zh: "无待确认事项。", en: "Nothing left to confirm.")
    static let confirmationsHeading = LocalizedText(zh: "已作出的确认", en: "Confirmations made")
    static let panelHeading = LocalizedText(zh: "专家组评审结果", en: "The expert panel's result")
    static let panelColumns = [
        LocalizedText(zh: "指标", en: "Criterion"), LocalizedText(zh: "中位数", en: "Median"),
        LocalizedText(zh: "分差（最低–最高）", en: "Spread (lowest–highest)"), LocalizedText(zh: "同意/不同意", en: "Agree/disagree"),
        LocalizedText(zh: "已评/成员", en: "Scored/members"), LocalizedText(zh: "备注", en: "Note"),
    ]
    static let panelFlagged = LocalizedText(zh: "分差过大，需讨论", en: "spread above the bound: to discuss")
    public static let accepted = LocalizedText(zh: "认可", en: "accepted")
    public static let rejected = LocalizedText(zh: "不认可", en: "rejected")
    /// How to confirm a finding of filing `id`, with `criterion` as the example.
    static func confirmHint(id: String, criterion: String) -> LocalizedText {
        LocalizedText(
            zh: "确认方法：cluster-review confirm \(id) \(criterion) accept|reject --note 理由",
            en: "To confirm: cluster-review confirm \(id) \(criterion) accept|reject --note REASON")
    }
    public static let footer = LocalizedText(
        zh: "由 cluster-review 生成。依据《海南省中小企业特色产业集群认定暂行办法》及认定标准。机器预审，人工决定。",
        en: "Generated by cluster-review under Hainan's Interim Measures for the Recognition of SME Characteristic Industrial Clusters and their Standard. The machine pre-screens; people decide.")
    /// "N items for a reviewer to confirm".
    static func pendingCount(_ count: Int) -> LocalizedText {
        LocalizedText(zh: "\(count) 项待评审人确认", en: "\(count) finding\(count == 1 ? "" : "s") for a reviewer to confirm")
    }
    static let noIndicators = LocalizedText(
        zh: "本类申报只审查资格与一票否决事项，不评八项指标。", en: "Filings of this kind are checked for eligibility and veto only, not against the eight indicators.")
    static let noFigures = LocalizedText(zh: "没有逐年数据的审查结论。", en: "No finding reports values year by year.")
    static let observedSeries = LocalizedText(zh: "实际值", en: "observed")
    /// The chart's rule: how the values compare with the bound.
    static func chartRule(_ comparator: String?, bounded: Bool) -> LocalizedText {
        guard let comparator, bounded else { return LocalizedText(zh: "逐年数据", en: "year by year") }
        return LocalizedText(zh: "实际值\(Readable.comparator(comparator, .zh))标准", en: "observed \(Readable.comparator(comparator, .en)) the bound")
    }
    /// A citation as the modules write it (`Standard 1`, `Standard, preamble; Art. 14(5)`, `Art. 2, Art. 10`)
    /// in words of each language: 认定标准（一）, 认定标准 序言；《办法》第十四条第（五）项 / Standard, part 1,
    /// Standard, preamble; Measures, Art. 14(5). Text it does not recognize is kept as written.
    public static func citationText(_ citation: String) -> LocalizedText {
        let numerals = ["〇", "一", "二", "三", "四", "五", "六", "七", "八", "九", "十"]
        func chinese(_ n: Int) -> String {
            if n <= 10 { return numerals[n] }
            if n < 20 { return "十" + numerals[n - 10] }
            if n < 100 { return numerals[n / 10] + "十" + (n % 10 == 0 ? "" : numerals[n % 10]) }
            return String(n)
        }
        var zh = "", en = ""
        var rest = Substring(citation)
        while !rest.isEmpty {
            if rest.hasPrefix("Standard, preamble") {
                zh += "认定标准 序言"; en += "Standard, preamble"; rest = rest.dropFirst("Standard, preamble".count)
            } else if rest.hasPrefix("Standard "), let n = Int(rest.dropFirst(9).prefix(while: \.isNumber)) {
                zh += "认定标准（\(chinese(n))）"; en += "Standard, part \(n)"; rest = rest.dropFirst(9 + String(n).count)
            } else if rest.hasPrefix("Art. "), let n = Int(rest.dropFirst(5).prefix(while: \.isNumber)) {
                rest = rest.dropFirst(5 + String(n).count)
                var item: Int?
                if rest.hasPrefix("("), let m = Int(rest.dropFirst().prefix(while: \.isNumber)), rest.dropFirst(1 + String(m).count).hasPrefix(")") {
                    item = m; rest = rest.dropFirst(2 + String(m).count)
                }
                zh += "《办法》第\(chinese(n))条" + (item.map { "第（\(chinese($0))）项" } ?? "")
                en += "Measures, Art. \(n)" + (item.map { "(\($0))" } ?? "")
            } else if rest.hasPrefix("; ") {
                zh += "；"; en += "; "; rest = rest.dropFirst(2)
            } else if rest.hasPrefix(", ") {
                zh += "、"; en += ", "; rest = rest.dropFirst(2)
            } else {
                zh.append(rest.first!); en.append(rest.first!); rest = rest.dropFirst()
            }
        }
        return LocalizedText(zh: zh, en: en)
    }

    // MARK: The reviewer's record (ReviewerRecord)

    /// What a review means given the filing's kind: an annual report is recorded (monitoring), a
    /// change report awaits acceptance (or is accepted or rejected); other kinds the recommendation.
    public static func outcome(_ recommendation: ReviewSummary.Recommendation, kind: FilingKind, changeState: String? = nil) -> LocalizedText {
        guard recommendation == .recommended || recommendation == .needsReview else { return self.recommendation(recommendation) }
        switch kind {
        case .annualReport: return LocalizedText(zh: "已记录（监测）", en: "recorded (monitoring)")
        case .changeReport:
            switch changeState {
            case "accepted": return LocalizedText(zh: "变更已核准", en: "change accepted")
            case "rejected": return LocalizedText(zh: "变更未核准", en: "change rejected")
            default: return LocalizedText(zh: "待核准变更", en: "awaiting acceptance")
            }
        default: return self.recommendation(recommendation)
        }
    }
    public static let recordHeading = LocalizedText(zh: "评审记录", en: "The reviewers' record")
    public static let awaitingLabel = LocalizedText(zh: "待确认", en: "Awaiting confirmation")
    public static let nothingAwaiting = LocalizedText(zh: "待确认：无", en: "Awaiting confirmation: none")
    public static let decisionLabel = LocalizedText(zh: "决定", en: "Decision")
    public static let groundsLabel = LocalizedText(zh: "理由", en: "grounds")
    public static let noticeLabel = LocalizedText(zh: "公示", en: "Public notice")
    public static let objectionLabel = LocalizedText(zh: "异议", en: "Objection")
    public static let changeLabel = LocalizedText(zh: "变更核准", en: "Change")
    public static let certificateLabel = LocalizedText(zh: "认定证书", en: "Certificate")
    public static func decision(_ decision: String) -> LocalizedText {
        switch decision {
        case "approve": return LocalizedText(zh: "批准", en: "approved")
        case "refuse": return LocalizedText(zh: "不予认定", en: "refused")
        case "return": return LocalizedText(zh: "退回修改", en: "returned for correction")
        default: return LocalizedText(zh: decision, en: decision)
        }
    }
    public static func noticeState(_ state: String) -> LocalizedText {
        switch state {
        case "open": return LocalizedText(zh: "公示中", en: "open")
        case "recognized": return LocalizedText(zh: "期满无异议或异议已处理，予以认定", en: "closed, recognized")
        case "objection_upheld": return LocalizedText(zh: "异议成立，不予认定", en: "closed, objection upheld")
        default: return LocalizedText(zh: state, en: state)
        }
    }
    public static func objectionState(_ state: String) -> LocalizedText {
        switch state {
        case "pending": return LocalizedText(zh: "待处理", en: "pending")
        case "upheld": return LocalizedText(zh: "异议成立", en: "upheld")
        case "dismissed": return LocalizedText(zh: "异议已驳回", en: "dismissed")
        default: return LocalizedText(zh: state, en: state)
        }
    }
    public static func changeState(_ state: String) -> LocalizedText {
        switch state {
        case "pending": return LocalizedText(zh: "待核准", en: "awaiting acceptance")
        case "accepted": return LocalizedText(zh: "已核准", en: "accepted")
        case "rejected": return LocalizedText(zh: "未核准", en: "rejected")
        default: return LocalizedText(zh: state, en: state)
        }
    }
    /// "Certificate HN-…, term 1, 2026-04-22 – 2029-04-22 (active)".
    public static func certificateLine(_ c: ReviewerRecord.Certificate) -> LocalizedText {
        let from = c.startsOn?.description ?? "—", to = c.endsOn?.description ?? "—"
        let register = status(c.registerStatus == "active" ? "recognized" : c.registerStatus)
        return LocalizedText(
            zh: "认定证书：\(c.number) · 第 \(c.term) 期 · \(from) 至 \(to) · 名单状态 \(register.zh)",
            en: "Certificate: \(c.number) · term \(c.term) · \(from) – \(to) · register \(c.registerStatus)")
    }
    /// "Corrects returned filing N".
    public static func corrects(_ id: Int64) -> LocalizedText {
        LocalizedText(zh: "更正申报：更正已退回的申报 \(id)", en: "Correction of returned filing \(id)")
    }
    /// "Superseded by N".
    public static func supersededBy(_ id: Int64) -> LocalizedText {
        LocalizedText(zh: "已由更正申报 \(id) 取代", en: "superseded by \(id)")
    }

    // MARK: The diff of a correction (FilingDiff)

    /// "Filing N corrects filing M: what changed".
    public static func diffTitle(_ id: Int64, _ old: Int64) -> LocalizedText {
        LocalizedText(zh: "更正申报 \(id) 与被更正的申报 \(old) 的差异", en: "What changed from filing \(old) to its correction \(id)")
    }
    public static let diffFieldsHeading = LocalizedText(zh: "逐项变化的字段", en: "Fields that changed")
    public static let diffVerdictsHeading = LocalizedText(zh: "结论改变的审查项", en: "Findings whose verdict changed")
    public static let diffNoChange = LocalizedText(zh: "申报内容没有变化。", en: "The document did not change.")
    public static let diffNoVerdictChange = LocalizedText(zh: "没有审查项的结论改变。", en: "No finding changed its verdict.")
    public static let diffNotReviewed = LocalizedText(zh: "两份申报尚未都完成机审，无法比较结论。", en: "Not both filings have a finished review yet: no verdicts to compare.")
    public static let diffPath = LocalizedText(zh: "字段", en: "Field")
    public static let diffOld = LocalizedText(zh: "原值", en: "Before")
    public static let diffNew = LocalizedText(zh: "新值", en: "After")

    public static let notReviewed = LocalizedText(zh: "未评审", en: "not reviewed")
    static let count = LocalizedText(zh: "份申报", en: "filings")
}
