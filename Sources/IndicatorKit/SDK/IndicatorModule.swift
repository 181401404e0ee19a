import JSONCore
/// What a module declares about itself in its `ready` line.
public struct ModuleDescriptor: Sendable, Hashable, Codable {
    /// Stable id, e.g. `competitiveness`; the coordinator records it with every finding.
    public var id: String
    /// The module's own version, recorded with every finding.
    public var version: String
    /// What the module judges, in a few words (reports head its findings with it); nil: the id is shown.
    public var title: LocalizedText?
    /// The filing kinds the module reviews; the coordinator sends it no other.
    public var appliesTo: [FilingKind]
    /// Every criterion the module decides; each reply carries one finding per criterion.
    public var criteria: [Criterion]
    /// Top-level members of the filing the module reads; the coordinator sends only these.
    public var reads: [String]

    /// A descriptor.
    public init(
        id: String, version: String, title: LocalizedText? = nil, appliesTo: [FilingKind], criteria: [Criterion],
        reads: [String]
    ) {
        self.id = id
        self.version = version
        self.title = title
        self.appliesTo = appliesTo
        self.criteria = criteria
        self.reads = reads
    }

    enum CodingKeys: String, CodingKey {
        case id, version, title, criteria, reads
        case appliesTo = "applies_to"
    }
}

/// One `evaluate` request as a module sees it, decoded into the module's own types.
public struct EvaluationRequest<Filing: Decodable & Sendable, Context: Decodable & Sendable>: Sendable {
    /// The request id; the SDK echoes it in the reply.
    public var id: String
    /// The members of the filing the module declared in `reads`, and no others.
    public var filing: Filing
    /// Facts the coordinator gathered from its records (incidents, the plan on record …).
    public var context: Context
    /// The rulebook's values in force on `asOf`, by parameter name; a missing name means the
    /// rulebook has no such threshold, which the rule reports as `manual`.
    public var parameters: [String: JSONValue]
    /// The date the rules are applied for.
    public var asOf: CivilDate

    public init(id: String, filing: Filing, context: Context, parameters: [String: JSONValue], asOf: CivilDate) {
        self.id = id
        self.filing = filing
        self.context = context
        self.parameters = parameters
        self.asOf = asOf
    }
}

/// An indicator module: a pure function of (filing, context, parameters, as-of date) → findings.
///
/// A module author implements this protocol and calls the SDK's runner from `main()`; the SDK owns
/// the handshake, the request loop, error replies and the guarded stdout. A thrown error becomes an
/// `error` reply for that request; the module keeps serving.
public protocol IndicatorModule: Sendable {
    /// The shape the module decodes its part of the filing into.
    associatedtype Filing: Decodable & Sendable = JSONValue
    /// The shape the module decodes the coordinator's context into.
    associatedtype Context: Decodable & Sendable = JSONValue

    var descriptor: ModuleDescriptor { get }

    /// Judges the filing; returns one finding per declared criterion.
    func evaluate(_ request: EvaluationRequest<Filing, Context>) throws -> [Finding]
}
