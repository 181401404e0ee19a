import IndicatorKit
import ClusterStandard

extension ReviewSummary.Recommendation {
    /// What the review means for a person, given the filing's kind: no indicator applies to annual
    /// and change reports, so they are not "recommended" for anything — an annual report is
    /// recorded (monitoring), a change report waits for a reviewer to accept it.
    func outcome(for kind: String, language: Language) -> String {
        guard self == .recommended || self == .needsReview else { return text(in: language) }
        switch kind {
        case FilingKind.annualReport.rawValue: return language == .en ? "recorded (monitoring)" : "监测已记录"
        case FilingKind.changeReport.rawValue: return language == .en ? "awaits acceptance" : "待核准变更"
        default: return text(in: language)
        }
    }
}
