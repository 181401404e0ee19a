import Foundation
import IndicatorKit
import ClusterStandard

/// The national recommendation (推荐汇总表, issue 18 item 2): the province's active register
/// entries judged under the national standard, ranked, each with the criteria it meets and misses
/// there, the province's own recommendation and decision, and where the two rulebooks differ,
/// criterion by criterion. Read by `ReviewCore.NationalRecommendation`; drawn by `NationalPage`
/// and `NationalCSV`.
///
/// The ranking (docs/rules.md, "The national recommendation"): reviewed before not yet reviewed;
/// eligible first — no `fail` and no `error` among the national review's findings (`manual`
/// findings do not count against it: the national standard has no figures for groups 3 to 8, so
/// its modules answer `manual` there, and they are counted apart); then the score, the mean of the
/// scores of the findings the modules decided (pass, warn, fail), highest first; then the latest
/// year's total output, highest first; then the certificate number.
public struct NationalSummary: Sendable, Hashable, Codable {
    /// The rulebook the national reviews ran under.
    public var rulebook: String
    /// The candidates in rank order.
    public var candidates: [Candidate]

    public init(rulebook: String, candidates: [Candidate]) {
        self.rulebook = rulebook
        self.candidates = candidates
    }

    /// One register entry, as the national standard and the province judged it.
    public struct Candidate: Sendable, Hashable, Codable {
        /// 1, 2, …: the place in the ranking.
        public var rank: Int
        public var clusterId: Int64
        public var certificateNo: String
        public var name: String
        public var countyCode: String
        public var leadingIndustry: String
        /// The filing judged: the one that opened the entry's current term.
        public var filingId: Int64
        /// The latest year's total output (万元) the filing states.
        public var outputWan: Decimal?
        /// The latest completed national review of the filing under the rulebook, nil when none yet.
        public var nationalReviewId: Int64?
        public var asOf: String?
        public var nationalRecommendation: String?
        /// Reviewed, and no finding `fail` or `error`.
        public var eligible: Bool
        /// The mean score of the findings the modules decided (pass, warn, fail), to two places.
        public var score: Decimal?
        /// The criteria met (pass), missed (fail), left to people (manual), warned, in error, not applicable.
        public var met: [String]
        public var missed: [String]
        public var manual: [String]
        public var warned: [String]
        public var errors: [String]
        public var notApplicable: [String]
        /// The province's latest completed decision review of the same filing and its decision.
        public var provinceReviewId: Int64?
        public var provinceRulebook: String?
        public var provinceRecommendation: String?
        public var provinceDecision: String?
        /// Where the two reviews' verdicts differ, in criterion order.
        public var differences: [Difference]

        public init(
            rank: Int, clusterId: Int64, certificateNo: String, name: String, countyCode: String, leadingIndustry: String,
            filingId: Int64, outputWan: Decimal?, nationalReviewId: Int64?, asOf: String?, nationalRecommendation: String?,
            eligible: Bool, score: Decimal?, met: [String] = [], missed: [String] = [], manual: [String] = [], warned: [String] = [],
            errors: [String] = [], notApplicable: [String] = [], provinceReviewId: Int64? = nil, provinceRulebook: String? = nil,
            provinceRecommendation: String? = nil, provinceDecision: String? = nil, differences: [Difference] = []
        ) {
            self.rank = rank
            self.clusterId = clusterId
            self.certificateNo = certificateNo
            self.name = name
            self.countyCode = countyCode
            self.leadingIndustry = leadingIndustry
            self.filingId = filingId
            self.outputWan = outputWan
            self.nationalReviewId = nationalReviewId
            self.asOf = asOf
            self.nationalRecommendation = nationalRecommendation
            self.eligible = eligible
            self.score = score
            self.met = met
            self.missed = missed
            self.manual = manual
            self.warned = warned
            self.errors = errors
            self.notApplicable = notApplicable
            self.provinceReviewId = provinceReviewId
            self.provinceRulebook = provinceRulebook
            self.provinceRecommendation = provinceRecommendation
            self.provinceDecision = provinceDecision
            self.differences = differences
        }

        /// Whether a national review has been completed.
        public var reviewed: Bool { nationalReviewId != nil }
    }

    /// One criterion judged differently by the province's review and the national one.
    public struct Difference: Sendable, Hashable, Codable {
        public var criterion: String
        /// nil: the review has no finding for it.
        public var province: String?
        public var national: String?
        /// The bound each applied (the finding's threshold, as JSON text), when it has one.
        public var provinceBound: String?
        public var nationalBound: String?

        public init(criterion: String, province: String?, national: String?, provinceBound: String? = nil, nationalBound: String? = nil) {
            self.criterion = criterion
            self.province = province
            self.national = national
            self.provinceBound = provinceBound
            self.nationalBound = nationalBound
        }
    }

    /// Criterion ids in reading order: COMP-2 before COMP-10.
    public static func ordered(_ criteria: [String]) -> [String] { criteria.sorted(by: CriterionOrder.less) }

    /// Whether criterion `a` comes before `b` in reading order.
    public static func criterionLess(_ a: String, _ b: String) -> Bool { CriterionOrder.less(a, b) }
}

/// The words of the national recommendation, in Chinese and English (one language per page).
public enum NationalLabels {
    public static let title = LocalizedText(zh: "国家级中小企业特色产业集群推荐汇总表", en: "National recommendation: summary of candidates")
    public static let rulebook = LocalizedText(zh: "国家标准规则集", en: "National rulebook")
    public static let rank = LocalizedText(zh: "排序", en: "Rank")
    public static let certificate = LocalizedText(zh: "证书编号", en: "Certificate")
    public static let cluster = LocalizedText(zh: "集群名称", en: "Cluster")
    public static let county = LocalizedText(zh: "县区", en: "County")
    public static let industry = LocalizedText(zh: "主导产业", en: "Leading industry")
    public static let output = LocalizedText(zh: "总产值（最近年度）", en: "Output (latest year)")
    public static let eligible = LocalizedText(zh: "符合国家标准", en: "Eligible")
    public static let score = LocalizedText(zh: "得分", en: "Score")
    public static let nationalRecommendation = LocalizedText(zh: "国家标准审核建议", en: "National review")
    public static let met = LocalizedText(zh: "达到的条款", en: "Criteria met")
    public static let missed = LocalizedText(zh: "未达到的条款", en: "Criteria missed")
    public static let manual = LocalizedText(zh: "待人工判断", en: "Left to people")
    public static let warned = LocalizedText(zh: "预警条款", en: "Warned")
    public static let errors = LocalizedText(zh: "模块错误", en: "Module errors")
    public static let province = LocalizedText(zh: "本省审核建议", en: "Province's review")
    public static let decision = LocalizedText(zh: "本省决定", en: "Province's decision")
    public static let differences = LocalizedText(zh: "两套标准结论不同的条款", en: "Where the two rulebooks differ")
    public static let criterion = LocalizedText(zh: "条款", en: "Criterion")
    public static let provinceVerdict = LocalizedText(zh: "本省结论", en: "Province")
    public static let nationalVerdict = LocalizedText(zh: "国家标准结论", en: "National")
    public static let bound = LocalizedText(zh: "阈值", en: "Bound")
    public static let yes = LocalizedText(zh: "是", en: "yes")
    public static let no = LocalizedText(zh: "否", en: "no")
    public static let notReviewed = LocalizedText(zh: "尚未审核", en: "not reviewed yet")
    public static let none = LocalizedText(zh: "无", en: "none")
    public static let noCandidates = LocalizedText(zh: "认定名单中没有有效集群", en: "no active register entry")
    public static let scoreNote = LocalizedText(
        zh: "排序：已审核且无未达标、无模块错误的集群在前（待人工判断的条款另计，不影响资格——国家标准缺少第三至八组的量化参数，相应条款须人工判断）；其次按得分（模块作出结论的各条款得分的平均值）由高到低；再按最近年度总产值由高到低；最后按证书编号。",
        en: "Ranking: reviewed entries with no failed criterion and no module error first (criteria left to people are counted apart and do not bar an entry: the national standard has no figures for groups 3 to 8, so those criteria are for people); then by score (the mean score of the criteria the modules decided), highest first; then by the latest year's total output, highest first; then by certificate number.")

    /// A recommendation's words; the raw value when unknown.
    public static func recommendation(_ raw: String?, _ language: Language) -> String {
        guard let raw else { return notReviewed.text(in: language) }
        return ReviewSummary.Recommendation(rawValue: raw).map { ReportLabels.recommendation($0).text(in: language) } ?? raw
    }

    /// A verdict's words; "none" when the review has no finding for the criterion.
    public static func verdict(_ raw: String?, _ language: Language) -> String {
        guard let raw else { return none.text(in: language) }
        return Verdict(rawValue: raw).map { ReportLabels.verdict($0).text(in: language) } ?? raw
    }

    /// A decision's words.
    public static func decision(_ raw: String?, _ language: Language) -> String {
        switch raw {
        case "approve": language == .en ? "approved" : "同意认定"
        case "refuse": language == .en ? "refused" : "不予认定"
        case "return": language == .en ? "returned" : "退回"
        case nil: none.text(in: language)
        default: raw!
        }
    }

    /// A county's name with its code.
    public static func county(_ code: String, _ language: Language) -> String { StatisticsLabels.county(code, language) }

    /// Criterion ids joined for reading, or "none".
    public static func list(_ criteria: [String], _ language: Language) -> String {
        criteria.isEmpty ? none.text(in: language) : criteria.joined(separator: language == .en ? ", " : "、")
    }

    /// The output in 亿元 or the English reading; "—" when not stated.
    public static func output(_ wan: Decimal?, _ language: Language) -> String {
        wan.map { Readable.amount($0, .moneyWan, language) } ?? "—"
    }
}

/// The recommendation summary as one self-contained HTML page (no network, no script, prints on A4
/// landscape, well-formed XHTML so a test parses it as XML), in one language, Chinese first.
public enum NationalPage {
    public static func render(_ summary: NationalSummary, language: Language = .zh, generatedAt: Date = Date()) -> String {
        let lang = language
        func t(_ text: LocalizedText) -> String { text.text(in: lang) }
        typealias L = NationalLabels
        var html = Markup.stampedDocument(title: t(L.title), stylesheet: stylesheet, language: lang, generatedAt: generatedAt)
        html.element("p", ["id": "rulebook", "data-rulebook": summary.rulebook], "\(t(L.rulebook)): \(summary.rulebook)")
        html.element("p", ["class": "note", "id": "ranking"], t(L.scoreNote))
        if summary.candidates.isEmpty { html.element("p", ["id": "empty"], t(L.noCandidates)) }
        html.wrap("table", ["id": "candidates"]) { table in
            table.wrap("thead") { head in
                head.wrap("tr") { tr in
                    for label in [L.rank, L.certificate, L.cluster, L.county, L.industry, L.output, L.eligible, L.score,
                                  L.nationalRecommendation, L.met, L.missed, L.manual, L.province, L.decision] {
                        tr.element("th", [:], t(label))
                    }
                }
            }
            table.wrap("tbody") { body in
                for c in summary.candidates {
                    body.wrap("tr", ["data-cluster": String(c.clusterId), "data-rank": String(c.rank)]) { tr in
                        tr.element("td", ["class": "n"], String(c.rank))
                        tr.element("td", [:], c.certificateNo)
                        tr.element("td", [:], c.name)
                        tr.element("td", [:], L.county(c.countyCode, lang))
                        tr.element("td", [:], c.leadingIndustry)
                        tr.element("td", ["class": "n"], L.output(c.outputWan, lang))
                        tr.element("td", ["data-eligible": c.eligible ? "yes" : "no"], t(c.eligible ? L.yes : L.no))
                        tr.element("td", ["class": "n"], c.score.map { Readable.number($0, places: 2) } ?? "—")
                        tr.element("td", ["data-recommendation": c.nationalRecommendation ?? ""], L.recommendation(c.nationalRecommendation, lang))
                        tr.element("td", ["data-met": c.met.joined(separator: " ")], L.list(c.met, lang))
                        tr.element("td", ["data-missed": c.missed.joined(separator: " ")], L.list(c.missed, lang))
                        tr.element("td", ["data-manual": c.manual.joined(separator: " ")], L.list(c.manual, lang))
                        tr.element("td", ["data-province": c.provinceRecommendation ?? ""], L.recommendation(c.provinceRecommendation, lang))
                        tr.element("td", ["data-decision": c.provinceDecision ?? ""], L.decision(c.provinceDecision, lang))
                    }
                }
            }
        }
        html.element("h2", [:], t(L.differences))
        for c in summary.candidates where c.reviewed {
            html.wrap("section", ["class": "cluster", "data-cluster": String(c.clusterId)]) { section in
                section.element("h3", [:], "\(c.rank). \(c.certificateNo) \(c.name)")
                if c.differences.isEmpty {
                    section.element("p", ["class": "same"], t(L.none))
                    return
                }
                section.wrap("table", ["class": "differences"]) { table in
                    table.wrap("thead") { head in
                        head.wrap("tr") { tr in
                            for label in [L.criterion, L.provinceVerdict, L.bound, L.nationalVerdict, L.bound] { tr.element("th", [:], t(label)) }
                        }
                    }
                    table.wrap("tbody") { body in
                        for d in c.differences {
                            body.wrap("tr", ["data-criterion": d.criterion, "data-province": d.province ?? "", "data-national": d.national ?? ""]) { tr in
                                tr.element("td", [:], d.criterion)
                                tr.element("td", [:], L.verdict(d.province, lang))
                                tr.element("td", ["class": "n"], d.provinceBound ?? "—")
                                tr.element("td", [:], L.verdict(d.national, lang))
                                tr.element("td", ["class": "n"], d.nationalBound ?? "—")
                            }
                        }
                    }
                }
            }
        }
        html.close("body")
        html.close("html")
        return html.output
    }

    static let stylesheet = """
        body{font-family:"Noto Sans CJK SC","Source Han Sans SC","PingFang SC",sans-serif;margin:1.5em;color:#111}
        h1{font-size:1.4em}h2{font-size:1.15em;margin-top:1.5em}h3{font-size:1em}
        table{border-collapse:collapse;width:100%;font-size:.85em;margin:.5em 0}
        th,td{border:1px solid #999;padding:.25em .4em;text-align:left;vertical-align:top}
        td.n{text-align:right}th{background:#eee}.stamp,.note{color:#444;font-size:.85em}
        @page{size:A4 landscape;margin:12mm}
        @media print{body{margin:0}section{break-inside:avoid}}
        """
}

/// The recommendation summary as CSV: UTF-8 with a byte-order mark (so a spreadsheet reads the
/// Chinese), CRLF line ends, RFC 4180 quoting, and a field a spreadsheet would run as a formula
/// (starting with =, +, -, @, a tab or a carriage return) prefixed with an apostrophe. One line per
/// candidate; headers and words in one language; criteria as ids separated by spaces; the
/// differences as `criterion:province>national` separated by spaces.
public enum NationalCSV {
    public static let byteOrderMark = "\u{FEFF}"

    public static func render(_ summary: NationalSummary, language: Language = .zh) -> String {
        typealias L = NationalLabels
        func t(_ text: LocalizedText) -> String { text.text(in: language) }
        let headers = [L.rank, L.certificate, L.cluster, L.county, L.industry, L.output, L.eligible, L.score, L.nationalRecommendation,
                       L.met, L.missed, L.manual, L.warned, L.errors, L.province, L.decision, L.differences].map(t)
        var lines = [headers.map(field).joined(separator: ",")]
        for c in summary.candidates {
            let fields: [String] = [
                String(c.rank), c.certificateNo, c.name, c.countyCode, c.leadingIndustry, c.outputWan.map { "\($0)" } ?? "",
                t(c.eligible ? L.yes : L.no), c.score.map { "\($0)" } ?? "", L.recommendation(c.nationalRecommendation, language),
                c.met.joined(separator: " "), c.missed.joined(separator: " "), c.manual.joined(separator: " "),
                c.warned.joined(separator: " "), c.errors.joined(separator: " "),
                c.provinceRecommendation.map { L.recommendation($0, language) } ?? "", c.provinceDecision.map { L.decision($0, language) } ?? "",
                c.differences.map { "\($0.criterion):\($0.province ?? "none")>\($0.national ?? "none")" }.joined(separator: " "),
            ]
            lines.append(fields.map(field).joined(separator: ","))
        }
        return byteOrderMark + lines.joined(separator: "\r\n") + "\r\n"
    }

    /// A field quoted when it holds a comma, a quote or a line break; one a spreadsheet would run
    /// as a formula is prefixed with an apostrophe first.
    public static func field(_ raw: String) -> String {
        let text = raw.first.map { "=+-@\t\r".contains($0) } == true ? "'" + raw : raw
        guard text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return text }
        return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
