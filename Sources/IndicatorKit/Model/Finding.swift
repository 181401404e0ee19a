import JSONCore
/// A module's verdict on one criterion for one filing, with everything a reviewer needs to check it.
///
/// Invariants: `score` is within 0...100; at a `>=` bound exactly the score is 60, a failing
/// threshold scores below 60. Numbers in `observed`, `threshold` and `margin` are exact decimals.
public struct Finding: Sendable, Hashable, Codable {
    /// The criterion id this finding judges; must be one the module declared.
    public var criterion: String
    public var verdict: Verdict
    /// 0...100, monotonic in the margin for thresholds; see docs for the formula.
    public var score: Int
    /// What was observed in the filing (a number, a year→value object, a list of codes …).
    public var observed: JSONValue?
    /// The bound compared against, when the criterion has one.
    public var threshold: JSONValue?
    /// The comparison, as written in criteria.md: `>=`, `>`, `<=`, `==`.
    public var comparator: String?
    /// observed − threshold (or the ratio's margin), exact, when it makes sense.
    public var margin: JSONValue?
    public var message: LocalizedText
    public var citation: String
    /// Parameter values the rule used, by name.
    public var parameters: [String: JSONValue]

    public init(
        criterion: String, verdict: Verdict, score: Int, observed: JSONValue? = nil,
        threshold: JSONValue? = nil, comparator: String? = nil, margin: JSONValue? = nil,
        message: LocalizedText, citation: String, parameters: [String: JSONValue] = [:]
    ) {
        self.criterion = criterion
        self.verdict = verdict
        self.score = score
        self.observed = observed
        self.threshold = threshold
        self.comparator = comparator
        self.margin = margin
        self.message = message
        self.citation = citation
        self.parameters = parameters
    }
}
