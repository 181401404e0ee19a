import Foundation

/// What the coordinator gathers from its own records and sends with every `evaluate` request.
///
/// Both members may be empty: an offline self-check has no records. Modules never look anything up.
public struct ReviewContext: Sendable, Hashable, Codable {
    /// Incidents administrators recorded against the unified social credit codes of the filing's
    /// enterprises (VETO-1..3 read them together with the filing's own declaration).
    public var incidents: [Incident]
    /// For a recertification, the development plan on record at recognition (PLAN-1); nil when
    /// there is none.
    public var planOnRecord: DevelopmentPlan?

    /// A context with the given records.
    public init(incidents: [Incident] = [], planOnRecord: DevelopmentPlan? = nil) {
        self.incidents = incidents
        self.planOnRecord = planOnRecord
    }

    enum CodingKeys: String, CodingKey { case incidents, planOnRecord = "plan_on_record" }

    /// Decodes a context; absent members are empty.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        incidents = try c.decodeIfPresent([Incident].self, forKey: .incidents) ?? []
        planOnRecord = try c.decodeIfPresent(DevelopmentPlan.self, forKey: .planOnRecord)
    }
}
