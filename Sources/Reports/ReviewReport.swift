import Foundation
import IndicatorKit
import Rulebooks
import ClusterStandard

/// Everything one review report shows: the filing, the review's findings and summary, the three
/// years of figures behind the threshold charts, and what a reviewer must still confirm.
///
/// A plain value, filled by the coordinator from the database or by `offline(id:filing:reports:parameters:status:)`
/// without one; `HTMLReport.render` turns it into a page. Strings from the filing are kept as the
/// county wrote them: escaping is the renderer's job, never the caller's.
public struct ReviewReport: Sendable, Hashable, Codable {
    /// The filing's id in the system (or a name chosen for an offline report).
    public var filingID: String
    /// What kind of filing it is.
    public var kind: FilingKind
    /// The county-level division that filed it.
    public var county: County
    /// The cluster's name, as filed.
    public var clusterName: String
    /// The leading industry (主导产业), as filed.
    public var leadingIndustry: String
    /// The date the county filed it.
    public var filedOn: CivilDate?
    /// Where the filing stands in its life (`submitted`, `reviewed`, `publicity`, `recognized` …).
    public var status: String
    /// The review's recommendation; normally `summary.recommendation`.
    public var recommendation: ReviewSummary.Recommendation
    /// The rulebook whose parameters the review used.
    public var rulebook: RulebookReference
    /// Per-indicator verdicts and scores, failures and the findings to confirm.
    public var summary: ReviewSummary
    /// Every module's findings (or its error), in review order.
    public var modules: [ModuleReport]
    /// The filing's three years of figures (Y−3, Y−2, Y−1); empty when the filing has none.
    public var figures: [YearFigures]
    /// Confirmations of manual findings already made by reviewers.
    public var confirmations: [Confirmation]
    /// What the modules that judged the filing declared: the titles of modules and criteria.
    public var declarations: Declarations
    /// The filing's content hash (SHA-256, hex): the one the server stored, or for an offline
    /// self-check the hash of the file as read; nil when not known.
    public var filingHash: String?
    /// What reviewers did with the filing (decisions, notices, certificate …); nil offline.
    public var record: ReviewerRecord? = nil
    /// The expert panel's result per criterion (issue 17), which the reviewer confirms from; empty
    /// when the filing has no panel, none has submitted, or the reader may not see it. Not part of
    /// the report's JSON.
    public var panel: [PanelOutcome] = []

    /// The expert panel's result on one criterion: over the scores of the members who submitted.
    public struct PanelOutcome: Sendable, Hashable, Codable {
        public var criterion: String
        /// The median score, 0–100.
        public var median: Decimal
        /// The lowest and highest scores.
        public var lowest: Int
        public var highest: Int
        /// How many agreed and disagreed that the criterion is passed.
        public var agree: Int
        public var disagree: Int
        /// How many members' scores it holds, of how many members.
        public var scored: Int
        public var members: Int
        /// The spread is above the configured bound: to be discussed before confirming.
        public var flagged: Bool

        /// An outcome with every field.
        public init(criterion: String, median: Decimal, lowest: Int, highest: Int, agree: Int, disagree: Int, scored: Int, members: Int,
                    flagged: Bool) {
            self.criterion = criterion
            self.median = median
            self.lowest = lowest
            self.highest = highest
            self.agree = agree
            self.disagree = disagree
            self.scored = scored
            self.members = members
            self.flagged = flagged
        }
    }

    enum CodingKeys: String, CodingKey {
        case filingID = "filing_id", kind, county, clusterName = "cluster_name", leadingIndustry = "leading_industry"
        case filedOn = "filed_on", status, recommendation, rulebook, summary, modules, figures, confirmations, declarations
        case filingHash = "filing_hash", record
    }

    /// What the review means for this filing, by its kind: the recommendation, or for an annual
    /// report "recorded (monitoring)", for a change report "awaiting acceptance" (or its outcome).
    public var outcome: LocalizedText {
        ReportLabels.outcome(recommendation, kind: kind, changeState: record?.changeState)
    }

    /// A county-level division, with its name in both languages.
    public struct County: Sendable, Hashable, Codable {
        /// The GB/T 2260 code, e.g. `460400`.
        public var code: String
        /// The name, e.g. 儋州市 / Danzhou.
        public var name: LocalizedText

        /// A county with an explicit name.
        public init(code: String, name: LocalizedText) {
            self.code = code
            self.name = name
        }

        /// The Hainan county with `code`, named from the code list; an unknown code is named by itself.
        public init(code: String) {
            self.code = code
            let zh = HainanCounty.all.first { $0.code == code }.map { $0.city == $0.name ? $0.name : $0.city + $0.name }
            self.name = LocalizedText(zh: zh ?? code, en: CountyNames.english[code] ?? code)
        }
    }

    /// The rulebook a review was judged against.
    public struct RulebookReference: Sendable, Hashable, Codable {
        /// Its name, e.g. `hainan-2023`.
        public var name: String
        /// Its content hash (SHA-256, hex).
        public var hash: String
        /// The date its values were taken in force on.
        public var asOf: CivilDate

        enum CodingKeys: String, CodingKey { case name, hash, asOf = "as_of" }

        /// A reference with every field.
        public init(name: String, hash: String, asOf: CivilDate) {
            self.name = name
            self.hash = hash
            self.asOf = asOf
        }

        /// The reference of the parameters a review resolved.
        public init(_ parameters: ResolvedParameters) {
            self.init(name: parameters.rulebook, hash: parameters.hash, asOf: parameters.asOf)
        }
    }

    /// A reviewer's confirmation of one manual (or warned) finding.
    public struct Confirmation: Sendable, Hashable, Codable {
        /// The criterion confirmed, e.g. `COMP-1`.
        public var criterion: String
        /// Whether the reviewer accepted the criterion as met.
        public var accepted: Bool
        /// Who confirmed it.
        public var reviewer: String
        /// The reviewer's note.
        public var note: String?
        /// The day it was confirmed.
        public var date: CivilDate?

        /// A confirmation with every field.
        public init(criterion: String, accepted: Bool, reviewer: String, note: String? = nil, date: CivilDate? = nil) {
            self.criterion = criterion
            self.accepted = accepted
            self.reviewer = reviewer
            self.note = note
            self.date = date
        }
    }

    /// A report with every field; `recommendation` defaults to the summary's.
    public init(
        filingID: String, kind: FilingKind, county: County, clusterName: String, leadingIndustry: String,
        filedOn: CivilDate?, status: String, recommendation: ReviewSummary.Recommendation? = nil,
        rulebook: RulebookReference, summary: ReviewSummary, modules: [ModuleReport], figures: [YearFigures],
        confirmations: [Confirmation] = [], declarations: Declarations = Declarations(), filingHash: String? = nil
    ) {
        self.filingID = filingID
        self.kind = kind
        self.county = county
        self.clusterName = clusterName
        self.leadingIndustry = leadingIndustry
        self.filedOn = filedOn
        self.status = status
        self.recommendation = recommendation ?? summary.recommendation
        self.rulebook = rulebook
        self.summary = summary
        self.modules = modules
        self.figures = figures
        self.confirmations = confirmations
        self.declarations = declarations
        self.filingHash = filingHash
    }

    /// A report built without a database: the filing as decoded, the modules' outcomes as evaluated
    /// by worker processes, the parameters they used and what the modules declared (titles). The
    /// summary is aggregated here; missing filing sections show as empty text, not as an error.
    public static func offline(
        id: String, filing: Filing, reports: [ModuleReport], parameters: ResolvedParameters, declarations: Declarations,
        status: String = "evaluated", confirmations: [Confirmation] = [], filingHash: String? = nil
    ) -> ReviewReport {
        let code = filing.applicant?.countyCode ?? filing.cluster?.countyCodes.first ?? ""
        return ReviewReport(
            filingID: id, kind: filing.kind ?? .initial, county: County(code: code),
            clusterName: filing.cluster?.name ?? "", leadingIndustry: filing.cluster?.leadingIndustry ?? "",
            filedOn: filing.filingDate, status: status, rulebook: RulebookReference(parameters),
            summary: Aggregation.aggregate(reports, declarations: declarations), modules: reports, figures: filing.figures ?? [],
            confirmations: confirmations, declarations: declarations, filingHash: filingHash)
    }

    /// The findings a reviewer must still confirm: the summary's `toConfirm` without those confirmed.
    public var pendingConfirmations: [ReviewSummary.Attributed] {
        let done = Set(confirmations.map(\.criterion))
        return summary.toConfirm.filter { !done.contains($0.finding.criterion) }
    }
}

/// One line of a report index: a filing, where it stands and the file its report is in.
public struct ReportIndexEntry: Sendable, Hashable, Codable {
    /// The filing's id.
    public var filingID: String
    /// The county that filed it.
    public var county: ReviewReport.County
    /// The cluster's name, as filed.
    public var clusterName: String
    /// What kind of filing it is.
    public var kind: FilingKind
    /// Where the filing stands in its life.
    public var status: String
    /// The review's recommendation; nil when not reviewed yet.
    public var recommendation: ReviewSummary.Recommendation?
    /// The report file, relative to the index page (e.g. `460400-12.html`).
    public var href: String
    /// The rulebook (and as-of date) of the review; nil when not reviewed yet.
    public var rulebook: ReviewReport.RulebookReference?

    enum CodingKeys: String, CodingKey {
        case filingID = "filing_id", county, clusterName = "cluster_name", kind, status, recommendation, href, rulebook
    }

    /// An entry with every field.
    public init(
        filingID: String, county: ReviewReport.County, clusterName: String, kind: FilingKind, status: String,
        recommendation: ReviewSummary.Recommendation?, href: String, rulebook: ReviewReport.RulebookReference? = nil
    ) {
        self.rulebook = rulebook
        self.filingID = filingID
        self.county = county
        self.clusterName = clusterName
        self.kind = kind
        self.status = status
        self.recommendation = recommendation
        self.href = href
    }

    /// The entry for `report`, whose page is at `href`.
    public init(_ report: ReviewReport, href: String) {
        self.init(filingID: report.filingID, county: report.county, clusterName: report.clusterName, kind: report.kind,
                  status: report.status, recommendation: report.recommendation, href: href, rulebook: report.rulebook)
    }
}

/// English names of Hainan's county-level divisions (the Chinese names are in `HainanCounty`).
enum CountyNames {
    static let english: [String: String] = [
        "460105": "Xiuying District, Haikou", "460106": "Longhua District, Haikou", "460107": "Qiongshan District, Haikou",
        "460108": "Meilan District, Haikou", "460202": "Haitang District, Sanya", "460203": "Jiyang District, Sanya",
        "460204": "Tianya District, Sanya", "460205": "Yazhou District, Sanya", "460302": "Xisha District, Sansha",
        "460303": "Nansha District, Sansha", "460400": "Danzhou", "469001": "Wuzhishan", "469002": "Qionghai",
        "469005": "Wenchang", "469006": "Wanning", "469007": "Dongfang", "469021": "Ding'an County",
        "469022": "Tunchang County", "469023": "Chengmai County", "469024": "Lingao County",
        "469025": "Baisha Li Autonomous County", "469026": "Changjiang Li Autonomous County",
        "469027": "Ledong Li Autonomous County", "469028": "Lingshui Li Autonomous County",
        "469029": "Baoting Li and Miao Autonomous County", "469030": "Qiongzhong Li and Miao Autonomous County",
    ]
}
