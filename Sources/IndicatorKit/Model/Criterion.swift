/// One rule of the recognition standard, as a module declares it in its `ready` line.
///
/// The declaration is the single source of what a criterion is: the coordinator checks the
/// rulebook against its `parameters`, records it with the findings, titles reports with it and
/// aggregates by its `veto`. Nothing else in the system restates it.
public struct Criterion: Sendable, Hashable, Codable {
    /// The criterion's id, e.g. `COMP-6` (criteria.md): two to eight capital letters, a hyphen and
    /// one to three digits, unique across every module the coordinator runs.
    public var id: String
    /// What the criterion asks, in a few words, in Chinese and English (reports title findings with it).
    public var title: LocalizedText
    /// Threshold, evidence or judgement (criteria.md, "Verdicts and kinds of criterion").
    public var kind: CriterionKind
    /// Where the rule stands in the measures, e.g. `Standard 1(6); Art. 8`.
    public var citation: String
    /// The rulebook parameters the criterion reads, each with the comparison it makes and its unit;
    /// nil when the module does not say (a module written before this member existed).
    public var parameters: [CriterionParameter]?
    /// True when a `fail` of this criterion rejects the filing outright (一票否决).
    public var veto: Bool

    /// A criterion; `parameters` nil means "not declared", an empty list "reads none".
    public init(
        id: String, title: LocalizedText, kind: CriterionKind, citation: String, parameters: [CriterionParameter]? = nil,
        veto: Bool = false
    ) {
        self.id = id
        self.title = title
        self.kind = kind
        self.citation = citation
        self.parameters = parameters
        self.veto = veto
    }

    enum CodingKeys: String, CodingKey { case id, title, kind, citation, parameters, veto }

    /// Decodes the wire form; `parameters` and `veto` are optional (protocol 1 added them later).
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        id = try container.decode(String.self, forKey: .id)
        title = try container.decode(LocalizedText.self, forKey: .title)
        kind = try container.decode(CriterionKind.self, forKey: .kind)
        citation = try container.decode(String.self, forKey: .citation)
        parameters = try container.decodeIfPresent([CriterionParameter].self, forKey: .parameters)
        veto = try container.decodeIfPresent(Bool.self, forKey: .veto) ?? false
    }

    /// Encodes the wire form; `parameters` only when declared, `veto` only when true.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(title, forKey: .title)
        try container.encode(kind, forKey: .kind)
        try container.encode(citation, forKey: .citation)
        try container.encodeIfPresent(parameters, forKey: .parameters)
        if veto { try container.encode(veto, forKey: .veto) }
    }
}

/// One rulebook parameter a criterion reads: `{"name":"min_annual_output_wan","comparator":">=","unit":"万元"}`.
///
/// The rulebook (config/parameters.json) must give the parameter the same comparator and unit;
/// a finding that uses it reports the same comparator.
public struct CriterionParameter: Sendable, Hashable, Codable {
    /// The name the rulebook gives it, e.g. `min_annual_output_wan` (lower case, digits, `_`).
    public var name: String
    /// The comparison made with it: `>=`, `>`, `<=`, `<`, or `mode` for a setting that is not a bound.
    public var comparator: String
    /// The unit of its values, e.g. `万元`, `share (0–1)`.
    public var unit: String

    /// A parameter.
    public init(name: String, comparator: String, unit: String) {
        self.name = name
        self.comparator = comparator
        self.unit = unit
    }

    /// The comparators a parameter may declare.
    public static let comparators: Set<String> = [">=", ">", "<=", "<", "mode"]
}
