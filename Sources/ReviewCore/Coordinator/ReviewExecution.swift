import Foundation
import JSONCore
import IndicatorKit
import Rulebooks
import ClusterStandard
import ModuleHost
import Postgres

/// One review's fan-out and completion, shared by the coordinator and the offline `evaluate`:
/// each required module that is ready gets its projection of the filing, concurrently; the
/// outcomes become findings — for every required criterion without a finding (the module did not
/// start, failed, or left it out) an `error` finding carrying the cause — and a summary.
public enum ReviewExecution {
    /// What one required module gave.
    public struct Outcome: Sendable {
        /// The module id.
        public var module: String
        /// What it declared when it answered (nil: it was not ready, so it was not asked).
        public var descriptor: ModuleDescriptor?
        /// Its findings, or why there are none.
        public var outcome: ModuleOutcome
    }

    /// Why a review cannot be completed: a module it requires never declared its criteria, so
    /// there is nothing to record errors for. The review fails with this reason instead.
    public struct Incomplete: Error, Sendable, CustomStringConvertible {
        public var description: String
    }

    /// The modules of `modules` that started and apply to `kind`, by id.
    public static func applicable(_ modules: Coordinator.ModuleSet, to kind: FilingKind) -> [ModuleDescriptor] {
        modules.enabled.compactMap { modules.descriptors[$0] }.filter { $0.appliesTo.contains(kind) }
    }

    /// Sends every module of `required` that is in `live` its input, concurrently; a required
    /// module that is not live is not asked, and its outcome is "unavailable" with its pool's
    /// reason. Outcomes in `required`'s order.
    public static func evaluate(
        required: RequiredCriteria, live: [String: ModuleDescriptor], projections: [String: Data], context: Data,
        parameters: Data, asOf: CivilDate, modules: Coordinator.ModuleSet
    ) async -> [Outcome] {
        // A struct rather than a tuple as the group's element: no tuple metadata to look up at run
        // time for every review (see also ModulePools.startAll).
        struct Answered: Sendable {
            var index: Int
            var outcome: Outcome
        }
        return await withTaskGroup(of: Answered.self) { group in
            for (index, entry) in required.modules.enumerated() {
                let id = entry.module
                let pool = modules.pools.pool(id)
                guard let descriptor = live[id], let pool else {
                    group.addTask {
                        let reason: String
                        if let pool {
                            let status = await pool.status()
                            reason = "module \(id) is \(status.state)"
                        } else {
                            reason = "module \(id) is not enabled on this coordinator"
                        }
                        let failure = ModuleFailure(module: id, requestId: nil, cause: .unavailable(reason: reason), attempts: 0, pid: nil)
                        return Answered(index: index, outcome: Outcome(module: id, descriptor: nil, outcome: .failed(failure)))
                    }
                    continue
                }
                let input = EvaluationInput(filing: projections[id] ?? Data("{}".utf8), context: context, parameters: parameters, asOf: asOf)
                group.addTask { Answered(index: index, outcome: Outcome(module: id, descriptor: descriptor, outcome: await pool.evaluate(input))) }
            }
            var results: [Outcome?] = Array(repeating: nil, count: required.modules.count)
            for await answered in group { results[answered.index] = answered.outcome }
            return results.compactMap { $0 }
        }
    }

    /// The review's record: every finding the modules returned, and an `error` finding for each
    /// required criterion that has none, with the cause (the module's failure, or "left out").
    ///
    /// `known` holds the best declaration of each module (live, else recorded): the criteria of a
    /// module required without them (never declared at claim) come from it; their kinds and
    /// citations too. Throws `Incomplete` when a required module's criteria are unknown even so.
    public static func complete(
        _ review: ClaimedReview, required: RequiredCriteria, outcomes: [Outcome], known: [String: ModuleDescriptor],
        parameters: ResolvedParameters
    ) throws(Incomplete) -> CompletedReview {
        var rows: [CompletedReview.Row] = []
        var reports: [ModuleReport] = []
        var errors: [String] = []
        var declared: [ModuleDescriptor] = []
        // Linear searches of a few elements rather than sets and dictionaries made per review and
        // module: each new one seeds a Hasher, a measurable share of the coordinator (issue 16).
        for (position, entry) in required.modules.enumerated() {
            // `evaluate` returns the outcomes in `required`'s order.
            let outcome = position < outcomes.count && outcomes[position].module == entry.module
                ? Optional(outcomes[position]) : outcomes.first(where: { $0.module == entry.module })
            let declaration = outcome?.descriptor ?? known[entry.module]
            if let declaration { declared.append(declaration) }
            guard let criteria = entry.criteria ?? declaration?.criteria.map(\.id) else {
                let cause = outcome?.outcome.failure?.description ?? "it never declared its criteria"
                throw Incomplete(description: "module \(entry.module) has never declared its criteria, so the review cannot be complete: \(cause)")
            }
            let declaredCriteria = declaration?.criteria ?? []
            func kind(_ id: String) -> Criterion? { declaredCriteria.first { $0.id == id } }
            let version = outcome?.descriptor?.version ?? entry.version ?? declaration?.version ?? "unknown"
            func errorFinding(_ id: String, zh: String, en: String) -> Finding {
                Finding(
                    criterion: id, verdict: .error, score: 0,
                    message: LocalizedText(zh: ReviewText.clean(zh, limit: 3000), en: ReviewText.clean(en, limit: 3000)),
                    citation: kind(id)?.citation ?? "")
            }
            var findings: [Finding] = []
            var moduleError: String?
            switch outcome?.outcome {
            case .findings(let returned)?:
                // Exactly the criteria the review requires (complete_reviews refuses anything else):
                // a criterion the module declares since the review was claimed is left out, and said.
                findings = returned.filter { criteria.contains($0.criterion) }
                let extra = returned.lazy.map(\.criterion).filter { !criteria.contains($0) }
                // In monitoring mode only the threshold criteria are wanted; the rest is expected.
                if !extra.isEmpty && entry.monitoring != true {
                    moduleError = "module \(entry.module) also answered \(extra.joined(separator: ", ")), which this review does not require "
                        + "(its criteria were fixed when it was first claimed); not recorded"
                }
                let missing = criteria.filter { id in !returned.contains { $0.criterion == id } }
                if !missing.isEmpty {
                    let list = missing.joined(separator: ", ")
                    moduleError = (moduleError.map { $0 + "; " } ?? "") + "module \(entry.module) answered without a finding for \(list)"
                    for id in missing {
                        findings.append(errorFinding(
                            id, zh: "模块 \(entry.module) 的答复缺少本条结论（\(id)），需人工判断",
                            en: "module \(entry.module) answered without a finding for \(id); a person must judge it"))
                    }
                }
            case .failed(let failure)?:
                moduleError = failure.description
                findings = criteria.map { id in
                    errorFinding(
                        id, zh: "模块 \(entry.module) 未能给出结论：\(failure.cause)（尝试 \(failure.attempts) 次）",
                        en: "module \(entry.module) could not judge this: \(failure.description)")
                }
            case nil:
                moduleError = "module \(entry.module) was not asked"
                findings = criteria.map { id in
                    errorFinding(id, zh: "模块 \(entry.module) 未被调用", en: "module \(entry.module) was not asked")
                }
            }
            if let moduleError { errors.append(ReviewText.clean(moduleError, limit: 1000)) }
            let allFailed = !findings.isEmpty && findings.allSatisfy { $0.verdict == .error }
            reports.append(ModuleReport(module: entry.module, findings: findings, error: allFailed ? moduleError : nil))
            for finding in findings {
                rows.append(.init(module: entry.module, moduleVersion: version, kind: kind(finding.criterion)?.kind ?? .threshold,
                                  finding: finding))
            }
        }
        return CompletedReview(
            review: review, summary: Aggregation.aggregate(reports, declarations: Declarations(declared)), rulebook: parameters.rulebook,
            rulebookHash: parameters.hash, findings: rows, moduleErrors: errors, required: required)
    }

    /// Offline: evaluates a filing of `kind` with every module of `modules` that started and
    /// applies, and completes it (no database, no deferral: a module that fails is an error). An
    /// annual report is not reviewed in monitoring mode offline: the years before are the register's.
    public static func evaluateOffline(
        _ review: ClaimedReview, projections: [String: Data], context: Data, parameters: ResolvedParameters, modules: Coordinator.ModuleSet
    ) async throws -> CompletedReview {
        let live = modules.descriptors
        let required = RequiredCriteria.fixing(kind: review.kind, enabled: modules.enabled.filter { live[$0] != nil }, known: live, monitoring: false)
        let bytes = Data(JSONValue.object(parameters.values).compactBytes)
        let outcomes = await evaluate(
            required: required, live: live, projections: projections, context: context, parameters: bytes, asOf: review.asOf, modules: modules)
        return try complete(review, required: required, outcomes: outcomes, known: live, parameters: parameters)
    }
}
