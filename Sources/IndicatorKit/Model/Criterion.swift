/// One rule of the recognition standard, as a module declares it in its `ready` line.
public struct Criterion: Sendable, Hashable, Codable {
    /// The catalog id, e.g. `COMP-6` (criteria.md).
    public var id: String
    public var title: LocalizedText
    public var kind: CriterionKind
    /// Where the rule stands in the measures, e.g. `Standard 1(6); Art. 8`.
    public var citation: String

    public init(id: String, title: LocalizedText, kind: CriterionKind, citation: String) {
        self.id = id
        self.title = title
        self.kind = kind
        self.citation = citation
    }
}
