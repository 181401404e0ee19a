import Foundation
import IndicatorKit
import ClusterStandard

/// What people did with a filing after its review — the reviewer's whole record: the
/// confirmations (who, when, verdict, note), what is still awaiting confirmation, the decisions
/// with their grounds, the public notices with their objections and resolutions, the certificate
/// number and term the filing opened, a change report's acceptance, and the correction links.
///
/// A plain value: ReviewCore reads it under the caller's row-level security
/// (`ReviewerRecords.load`); the terminal (`lines(language:)`), `--json` (Codable) and the HTML
/// report (`HTMLReport`) show the same value.
public struct ReviewerRecord: Sendable, Hashable, Codable {
    /// The filing's kind, which decides what its review means (`outcome`).
    public var kind: FilingKind
    /// The latest review's recommendation; nil when none is finished.
    public var recommendation: ReviewSummary.Recommendation?
    /// Every confirmation of the latest review's findings, in the order made (a replaced one shows as it stands now).
    public var confirmations: [ReviewReport.Confirmation]
    /// The criteria of the latest review still awaiting a reviewer (manual or warned, unconfirmed), in criterion order.
    public var awaitingConfirmation: [String]
    /// The decisions on the filing, oldest first.
    public var decisions: [Decision]
    /// The public notices of the filing, oldest first, each with its objections.
    public var notices: [Notice]
    /// The register entry and term this filing opened (recognition or an approved recertification).
    public var certificate: Certificate?
    /// A change report's acceptance: `pending`, `accepted` or `rejected`; nil for other kinds.
    public var changeState: String?
    /// The returned filing this one corrects.
    public var supersedes: Int64?
    /// The filing that corrects this one (it was returned and then superseded).
    public var supersededBy: Int64?

    enum CodingKeys: String, CodingKey {
        case kind, recommendation, confirmations, decisions, notices, certificate, supersedes
        case awaitingConfirmation = "awaiting_confirmation", changeState = "change_state", supersededBy = "superseded_by"
    }

    /// A reviewer's decision.
    public struct Decision: Sendable, Hashable, Codable {
        /// `approve`, `refuse` or `return`.
        public var decision: String
        public var note: String
        /// The grounds (a refusal always has them).
        public var grounds: String?
        public var decidedOn: CivilDate?
        public var decidedBy: String

        enum CodingKeys: String, CodingKey { case decision, note, grounds, decidedOn = "decided_on", decidedBy = "decided_by" }

        public init(decision: String, note: String, grounds: String?, decidedOn: CivilDate?, decidedBy: String) {
            self.decision = decision
            self.note = note
            self.grounds = grounds
            self.decidedOn = decidedOn
            self.decidedBy = decidedBy
        }
    }

    /// A public notice (公示) and what came of it.
    public struct Notice: Sendable, Hashable, Codable {
        public var startsOn: CivilDate?
        public var endsOn: CivilDate?
        /// `open`, `recognized` or `objection_upheld`.
        public var state: String
        public var closedOn: CivilDate?
        public var objections: [Objection]

        enum CodingKeys: String, CodingKey { case startsOn = "starts_on", endsOn = "ends_on", state, closedOn = "closed_on", objections }

        public init(startsOn: CivilDate?, endsOn: CivilDate?, state: String, closedOn: CivilDate?, objections: [Objection]) {
            self.startsOn = startsOn
            self.endsOn = endsOn
            self.state = state
            self.closedOn = closedOn
            self.objections = objections
        }
    }

    /// An objection raised during a public notice.
    public struct Objection: Sendable, Hashable, Codable {
        public var objector: String
        public var reason: String
        public var filedOn: CivilDate?
        /// `pending`, `upheld` or `dismissed`.
        public var state: String
        public var resolution: String?
        public var resolvedBy: String?
        public var resolvedOn: CivilDate?

        enum CodingKeys: String, CodingKey {
            case objector, reason, state, resolution
            case filedOn = "filed_on", resolvedBy = "resolved_by", resolvedOn = "resolved_on"
        }

        public init(objector: String, reason: String, filedOn: CivilDate?, state: String, resolution: String?, resolvedBy: String?, resolvedOn: CivilDate?) {
            self.objector = objector
            self.reason = reason
            self.filedOn = filedOn
            self.state = state
            self.resolution = resolution
            self.resolvedBy = resolvedBy
            self.resolvedOn = resolvedOn
        }
    }

    /// The certificate and term a filing opened.
    public struct Certificate: Sendable, Hashable, Codable {
        public var number: String
        /// 1 for the recognition, 2… for each approved recertification.
        public var term: Int
        public var startsOn: CivilDate?
        public var endsOn: CivilDate?
        /// The register entry's status now: `active`, `expired` or `revoked`.
        public var registerStatus: String

        enum CodingKeys: String, CodingKey { case number, term, startsOn = "starts_on", endsOn = "ends_on", registerStatus = "register_status" }

        public init(number: String, term: Int, startsOn: CivilDate?, endsOn: CivilDate?, registerStatus: String) {
            self.number = number
            self.term = term
            self.startsOn = startsOn
            self.endsOn = endsOn
            self.registerStatus = registerStatus
        }
    }

    public init(
        kind: FilingKind, recommendation: ReviewSummary.Recommendation?, confirmations: [ReviewReport.Confirmation] = [],
        awaitingConfirmation: [String] = [], decisions: [Decision] = [], notices: [Notice] = [], certificate: Certificate? = nil,
        changeState: String? = nil, supersedes: Int64? = nil, supersededBy: Int64? = nil
    ) {
        self.kind = kind
        self.recommendation = recommendation
        self.confirmations = confirmations
        self.awaitingConfirmation = awaitingConfirmation
        self.decisions = decisions
        self.notices = notices
        self.certificate = certificate
        self.changeState = changeState
        self.supersedes = supersedes
        self.supersededBy = supersededBy
    }

    /// What the review means for this filing: the recommendation for an initial filing or a
    /// recertification; for an annual report "recorded (monitoring)"; for a change report
    /// "awaiting acceptance" (or accepted/rejected once decided). Nil when no review is finished.
    public var outcome: LocalizedText? {
        guard let recommendation else { return nil }
        return ReportLabels.outcome(recommendation, kind: kind, changeState: changeState)
    }

    /// The record as terminal lines in `language`, one fact a line, empty parts left out.
    public func lines(language: Language) -> [String] {
        let lang = language
        let en = lang == .en
        func t(_ text: LocalizedText) -> String { text.text(in: lang) }
        func day(_ date: CivilDate?) -> String { date?.description ?? "—" }
        var lines: [String] = []
        if let supersedes { lines.append(t(ReportLabels.corrects(supersedes))) }
        if let supersededBy { lines.append(t(ReportLabels.supersededBy(supersededBy))) }
        if kind == .initial || kind == .recertification {
            if awaitingConfirmation.isEmpty {
                if recommendation == .needsReview || !confirmations.isEmpty { lines.append(t(ReportLabels.nothingAwaiting)) }
            } else {
                lines.append(t(ReportLabels.awaitingLabel) + (en ? ": " : "：") + awaitingConfirmation.joined(separator: en ? ", " : "、"))
            }
        }
        if !confirmations.isEmpty {
            lines.append(t(ReportLabels.confirmationsHeading) + (en ? ":" : "："))
            for c in confirmations {
                var line = "  \(c.criterion) " + t(c.accepted ? ReportLabels.accepted : ReportLabels.rejected) + " · " + c.reviewer + " · " + day(c.date)
                if let note = c.note, !note.isEmpty { line += " · " + note }
                lines.append(line)
            }
        }
        for d in decisions {
            var line = t(ReportLabels.decisionLabel) + (en ? ": " : "：") + t(ReportLabels.decision(d.decision)) + " · " + d.decidedBy + " · " + day(d.decidedOn)
                + " · " + d.note
            if let grounds = d.grounds, !grounds.isEmpty { line += " · " + t(ReportLabels.groundsLabel) + (en ? ": " : "：") + grounds }
            lines.append(line)
        }
        for n in notices {
            var line = t(ReportLabels.noticeLabel) + (en ? ": " : "：") + "\(day(n.startsOn)) – \(day(n.endsOn)) · " + t(ReportLabels.noticeState(n.state))
            if let closed = n.closedOn { line += " " + day(closed) }
            lines.append(line)
            for o in n.objections {
                var text = "  " + t(ReportLabels.objectionLabel) + (en ? ": " : "：") + o.objector + " · " + day(o.filedOn) + " · " + o.reason
                    + " → " + t(ReportLabels.objectionState(o.state))
                if let resolution = o.resolution, !resolution.isEmpty { text += " · " + resolution }
                if let by = o.resolvedBy { text += " · " + by + (o.resolvedOn.map { " " + $0.description } ?? "") }
                lines.append(text)
            }
        }
        if let certificate {
            lines.append(t(ReportLabels.certificateLine(certificate)))
        }
        if let changeState { lines.append(t(ReportLabels.changeLabel) + (en ? ": " : "：") + t(ReportLabels.changeState(changeState))) }
        return lines
    }
}
