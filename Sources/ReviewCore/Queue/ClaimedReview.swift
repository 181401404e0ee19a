import Foundation
import IndicatorKit
import ClusterStandard
import Postgres

/// A review this coordinator holds a lease on. Only the holder of `token` may finish it.
public struct ClaimedReview: Sendable, Hashable {
    public var id: Int64
    public var filingId: Int64
    public var countyCode: String
    public var token: UUID
    /// Attempts including this one.
    public var attempts: Int
    public var purpose: String
    public var kind: FilingKind
    /// The rulebook to apply, or nil for the default.
    public var rulebook: String?
    /// The date to apply the rules for: the queue's as-of date, else the filing date.
    public var asOf: CivilDate
    /// The criteria the review requires, fixed at its first claim; nil until fixed.
    public var required: RequiredCriteria?
    /// How long the review has waited for unavailable modules, in seconds; nil when it never has.
    public var deferredSeconds: Double?

    public init(
        id: Int64, filingId: Int64, countyCode: String, token: UUID, attempts: Int, purpose: String, kind: FilingKind,
        rulebook: String?, asOf: CivilDate, required: RequiredCriteria? = nil, deferredSeconds: Double? = nil
    ) {
        self.id = id
        self.filingId = filingId
        self.countyCode = countyCode
        self.token = token
        self.attempts = attempts
        self.purpose = purpose
        self.kind = kind
        self.rulebook = rulebook
        self.asOf = asOf
        self.required = required
        self.deferredSeconds = deferredSeconds
    }
}

/// What a module receives for one claimed review: the filing's members it reads, and the context.
public struct ReviewWork: Sendable {
    public var review: ClaimedReview
    /// Per module id, the projected filing as a JSON object (PostgreSQL's jsonb text).
    public var projections: [String: Data]
    /// The context gathered from the records, as a JSON object.
    public var context: Data
}

/// What became of one finished review handed to `ReviewQueue.complete`.
public enum CompletionResult: Sendable, Hashable {
    /// Written with its findings.
    case written
    /// Not written: its claim had been lost (another attempt owns the review).
    case claimLost
    /// Not written: the database refused this review's rows; the others of its batch were written.
    case refused(sqlState: String?, reason: String)
}

/// A finished review, ready to be written with its findings.
public struct CompletedReview: Sendable {
    /// One finding with the module that produced it (and the module's version and criterion kind).
    public struct Row: Sendable {
        public var module: String
        public var moduleVersion: String
        public var kind: CriterionKind
        public var finding: Finding

        public init(module: String, moduleVersion: String, kind: CriterionKind, finding: Finding) {
            self.module = module
            self.moduleVersion = moduleVersion
            self.kind = kind
            self.finding = finding
        }
    }

    public var review: ClaimedReview
    public var recommendation: ReviewSummary.Recommendation
    public var summary: ReviewSummary
    public var rulebook: String
    public var rulebookHash: String
    public var findings: [Row]
    /// Module errors recorded as error findings; kept with the review for the record.
    public var moduleErrors: [String]
    /// The criteria the review required, recorded with it.
    public var required: RequiredCriteria?

    public init(
        review: ClaimedReview, summary: ReviewSummary, rulebook: String, rulebookHash: String, findings: [Row],
        moduleErrors: [String], required: RequiredCriteria? = nil
    ) {
        self.review = review
        self.recommendation = summary.recommendation
        self.summary = summary
        self.rulebook = rulebook
        self.rulebookHash = rulebookHash
        self.findings = findings
        self.moduleErrors = moduleErrors
        self.required = required
    }
}

/// Queue depth and age, for `status` and the metrics file.
public struct QueueStatistics: Sendable, Codable, Equatable {
    public var queued: Int
    public var running: Int
    public var waitingForRetry: Int
    public var oldestQueuedSeconds: Int?
    public var completedLastMinute: Int
    public var failedTotal: Int
    public var completedTotal: Int
    /// Reviews waiting for an unavailable module, by module id.
    public var deferredByModule: [String: Int]
    /// The latest reviews that failed for good, newest first.
    public var recentFailures: [FailedReview]
    /// Submissions waiting to be checked by a coordinator (the door, sql/026).
    public var pendingSubmissions: Int = 0

    enum CodingKeys: String, CodingKey {
        case queued, running
        case waitingForRetry = "waiting_for_retry"
        case oldestQueuedSeconds = "oldest_queued_seconds"
        case completedLastMinute = "completed_last_minute"
        case failedTotal = "failed_total"
        case completedTotal = "completed_total"
        case deferredByModule = "deferred_by_module"
        case recentFailures = "recent_failures"
        case pendingSubmissions = "pending_submissions"
    }
}

/// A review that failed for good: it left the queue with its last error.
public struct FailedReview: Sendable, Codable, Equatable {
    public var reviewId: Int64
    public var filingId: Int64
    public var attempts: Int
    public var lastError: String
    public var finishedAt: String

    enum CodingKeys: String, CodingKey {
        case reviewId = "review_id", filingId = "filing_id", attempts, lastError = "last_error", finishedAt = "finished_at"
    }
}

extension CompletedReview {
    /// The findings grouped back into one report per module, in module order; a module whose every
    /// finding is an error carries its cause.
    public var moduleReports: [ModuleReport] {
        ModuleReport.grouped(findings.map { ($0.module, $0.finding) })
    }
}

extension ModuleReport {
    /// Findings grouped into one report per module, in first-seen order; a module whose every
    /// finding is an error (it could not answer) carries the cause as its error.
    static func grouped(_ findings: [(module: String, finding: Finding)]) -> [ModuleReport] {
        var order: [String] = []
        var byModule: [String: [Finding]] = [:]
        for (module, finding) in findings {
            if byModule[module] == nil { order.append(module) }
            byModule[module, default: []].append(finding)
        }
        return order.map { module in
            let found = byModule[module] ?? []
            let failed = !found.isEmpty && found.allSatisfy { $0.verdict == .error }
            return ModuleReport(module: module, findings: found, error: failed ? found.first?.message.en : nil)
        }
    }
}
