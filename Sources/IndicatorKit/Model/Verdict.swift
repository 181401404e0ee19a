/// What a criterion's finding says of a filing (criteria.md, "Verdicts and kinds of criterion").
///
/// `error` is never produced by a rule and a module may not send it (the answer is refused): the
/// coordinator records it when a module could not answer for a criterion (it did not start,
/// crashed, timed out, gave an invalid answer or left the criterion out), so that a review is
/// never silently complete.
public enum Verdict: String, Sendable, Hashable, Codable, CaseIterable {
    case pass
    case fail
    /// Passes, but a reviewer should look.
    case warn
    /// A person must judge; the module checked what can be checked.
    case manual
    case notApplicable = "not_applicable"
    /// The module failed to produce a finding; the cause is in the message.
    case error
}

/// The three kinds of criterion in criteria.md.
public enum CriterionKind: String, Sendable, Hashable, Codable, CaseIterable {
    /// Computed from numbers in the filing; the module decides pass or fail.
    case threshold
    /// Structured facts and their documents must be present and complete.
    case evidence
    /// A person judges; the module checks the evidence is there.
    case judgement
}

/// The kinds of filing a county submits.
public enum FilingKind: String, Sendable, Hashable, Codable, CaseIterable {
    case initial
    case recertification
    case annualReport = "annual_report"
    case changeReport = "change_report"
}
