import Foundation
import IndicatorKit
import Postgres

/// The criteria a review requires, fixed when it is first claimed: every enabled module that
/// applies to the filing's kind, with the criteria it declared. Recorded with the review
/// (`review_queue.required`, then `reviews.required`) as
/// `[{"module": "green", "version": "1.2.0", "criteria": ["GREE-1", …]}, …]`.
///
/// A review is complete only with a finding for each of them: a module that did not start, left a
/// criterion out, or failed yields an `error` finding per missing criterion, with the cause.
/// `criteria` is nil for a module that has never declared itself (it never started anywhere):
/// such a module is required for every kind, and its criteria are whatever it declares when it
/// answers; a review cannot complete without them.
public struct RequiredCriteria: Sendable, Hashable, Codable {
    /// One module's share.
    public struct Module: Sendable, Hashable, Codable {
        /// The module id.
        public var module: String
        /// The version whose declaration was used, when known.
        public var version: String?
        /// The criterion ids required, in declaration order; nil when the module never declared.
        public var criteria: [String]?
        /// True when the module reviews an annual report in monitoring mode: only its threshold
        /// criteria are required, and the rest of what it answers is left out without a complaint.
        /// Absent (nil) in records written before monitoring read figures.
        public var monitoring: Bool?

        /// A module's share of the requirement.
        public init(module: String, version: String?, criteria: [String]?, monitoring: Bool? = nil) {
            self.module = module
            self.version = version
            self.criteria = criteria
            self.monitoring = monitoring
        }
    }

    /// The modules, in the coordinator's module order.
    public var modules: [Module]

    /// A requirement of `modules`.
    public init(modules: [Module]) {
        self.modules = modules
    }

    /// The requirement for a filing of `kind`: each of `enabled` (module ids, in order) that
    /// applies to it by its best known declaration in `known` — a module with no declaration is
    /// required whatever the kind.
    ///
    /// An annual report is also reviewed in monitoring mode (Art. 13; docs/lifecycle.md): each
    /// module that does not apply to annual reports but applies to initial filings and reads the
    /// figures is required for its threshold criteria only, which it judges on the rolling three
    /// years (`monitoring_payload`, sql/100). `monitoring: false` leaves it out (offline, where
    /// there is no register to take the years before from).
    public static func fixing(
        kind: FilingKind, enabled: [String], known: [String: ModuleDescriptor], monitoring: Bool = true
    ) -> RequiredCriteria {
        RequiredCriteria(modules: enabled.compactMap { id in
            guard let descriptor = known[id] else { return Module(module: id, version: nil, criteria: nil) }
            if descriptor.appliesTo.contains(kind) {
                return Module(module: id, version: descriptor.version, criteria: descriptor.criteria.map(\.id))
            }
            if monitoring, kind == .annualReport, let thresholds = monitoringCriteria(descriptor) {
                return Module(module: id, version: descriptor.version, criteria: thresholds, monitoring: true)
            }
            return nil
        })
    }

    /// The criteria `descriptor` judges in monitoring mode: its threshold criteria, when it applies
    /// to initial filings and reads the figures; nil when it has none.
    public static func monitoringCriteria(_ descriptor: ModuleDescriptor) -> [String]? {
        guard descriptor.appliesTo.contains(.initial), descriptor.reads.contains("figures") else { return nil }
        let thresholds = descriptor.criteria.filter { $0.kind == .threshold }.map(\.id)
        return thresholds.isEmpty ? nil : thresholds
    }

    /// What a review of each filing kind requires, and the same as the JSON object the claim
    /// statement takes (`{"initial": […], …}`), encoded once.
    public struct ByKind: Sendable {
        /// The requirement per kind.
        public let requirements: [FilingKind: RequiredCriteria]
        /// `requirements` as a JSON object keyed by kind.
        public let json: JSONB

        /// Each kind's requirement for `enabled` modules known by `known`.
        public init(enabled: [String], known: [String: ModuleDescriptor]) {
            var requirements: [FilingKind: RequiredCriteria] = [:]
            for kind in FilingKind.allCases { requirements[kind] = RequiredCriteria.fixing(kind: kind, enabled: enabled, known: known) }
            self.requirements = requirements
            let keyed = Dictionary(uniqueKeysWithValues: requirements.map { ($0.key.rawValue, $0.value) })
            self.json = (try? JSONB(encoding: keyed)) ?? JSONB(bytes: Data("{}".utf8))
        }

        /// No requirement for any kind.
        public static let none = ByKind(enabled: [], known: [:])
    }

    /// The module ids required.
    public var moduleIds: [String] { modules.map(\.module) }

    public init(from decoder: any Decoder) throws {
        modules = try decoder.singleValueContainer().decode([Module].self)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(modules)
    }
}
