import IndicatorKit
/// What one module returned for a filing: its findings, or the reason it could not answer.
public struct ModuleReport: Sendable, Hashable, Codable {
    /// The module id, e.g. `competitiveness`; it names the indicator.
    public var module: String
    /// The module's findings (empty when it failed).
    public var findings: [Finding]
    /// Why the module could not answer (crash, timeout, bad reply); nil when it answered.
    public var error: String?

    /// An outcome for `module`.
    public init(module: String, findings: [Finding], error: String? = nil) {
        self.module = module
        self.findings = findings
        self.error = error
    }
}

/// A review's result: per-indicator verdicts and scores, the recommendation, and what a reviewer
/// must confirm. Produced only by `Aggregation.aggregate`.
public struct ReviewSummary: Sendable, Hashable, Codable {
    /// One indicator (module) of the review.
    public struct Indicator: Sendable, Hashable, Codable {
        /// The module id.
        public var module: String
        /// The worst verdict of its findings (fail > error > manual > warn > pass; not_applicable
        /// only when every finding is).
        public var verdict: Verdict
        /// The mean score of its applicable findings, rounded down; nil when none applies or the module failed.
        public var score: Int?
    }

    /// A finding with the module it came from.
    public struct Attributed: Sendable, Hashable, Codable {
        /// The module id.
        public var module: String
        /// The finding.
        public var finding: Finding

        /// A finding with the module it came from (e.g. read back from the database).
        public init(module: String, finding: Finding) {
            self.module = module
            self.finding = finding
        }
    }

    /// The four recommendations of criteria.md, strongest first.
    public enum Recommendation: String, Sendable, Hashable, Codable, CaseIterable {
        /// A `fail` of a criterion declared `veto` (ELIG-1, VETO-1..3).
        case rejectedByVeto = "rejected_by_veto"
        /// Any other `fail`.
        case notRecommended = "not_recommended"
        /// No `fail`, but a `manual`, `warn` or `error` a person must confirm.
        case needsReview = "needs_review"
        /// Every finding passes or does not apply.
        case recommended
    }

    /// One entry per module that ran, in the order given.
    public var indicators: [Indicator]
    /// The first recommendation that holds (criteria.md, last bullet).
    public var recommendation: Recommendation
    /// Findings with verdict `manual`, `warn` or `error`, in module order: what a person must confirm.
    public var toConfirm: [Attributed]
    /// Findings with verdict `fail`, in module order.
    public var failures: [Attributed]

    enum CodingKeys: String, CodingKey {
        case indicators, recommendation, toConfirm = "to_confirm", failures
    }
}

/// Turns module findings into a review's summary: one pure function, called by the coordinator,
/// the offline `evaluate` command and the reports alike.
public enum Aggregation {
    /// Summarizes `outcomes`, the first recommendation that holds (criteria.md, last bullet):
    /// a `fail` of a criterion `declarations` mark `veto` (ELIG-1, VETO-1..3) → `rejected_by_veto`;
    /// any other `fail` → `not_recommended`; any `manual`, `warn`, `error` finding or module error
    /// → `needs_review`; else `recommended`. An `error` finding therefore never lets a review be
    /// better than `needs_review`.
    public static func aggregate(_ outcomes: [ModuleReport], declarations: Declarations) -> ReviewSummary {
        let vetoes = declarations.vetoCriteria
        var indicators: [ReviewSummary.Indicator] = []
        var toConfirm: [ReviewSummary.Attributed] = []
        var failures: [ReviewSummary.Attributed] = []
        var vetoed = false, failed = false, review = false
        for outcome in outcomes {
            if outcome.error != nil {
                review = true
                indicators.append(.init(module: outcome.module, verdict: .error, score: nil))
                continue
            }
            for finding in outcome.findings {
                let attributed = ReviewSummary.Attributed(module: outcome.module, finding: finding)
                switch finding.verdict {
                case .fail:
                    failures.append(attributed)
                    if vetoes.contains(finding.criterion) { vetoed = true } else { failed = true }
                case .manual, .warn, .error:
                    toConfirm.append(attributed)
                    review = true
                case .pass, .notApplicable:
                    break
                }
            }
            let applicable = outcome.findings.filter { $0.verdict != .notApplicable }
            let verdict = worst(outcome.findings.map(\.verdict))
            let score = applicable.isEmpty ? nil : applicable.map { min(100, max(0, $0.score)) }.reduce(0, +) / applicable.count
            indicators.append(.init(module: outcome.module, verdict: verdict, score: score))
        }
        let recommendation: ReviewSummary.Recommendation =
            vetoed ? .rejectedByVeto : failed ? .notRecommended : review ? .needsReview : .recommended
        return ReviewSummary(indicators: indicators, recommendation: recommendation, toConfirm: toConfirm, failures: failures)
    }

    /// The worst of `verdicts`: fail > error > manual > warn > pass > not_applicable.
    static func worst(_ verdicts: [Verdict]) -> Verdict {
        let order: [Verdict] = [.fail, .error, .manual, .warn, .pass, .notApplicable]
        return order.first { verdicts.contains($0) } ?? .notApplicable
    }
}
