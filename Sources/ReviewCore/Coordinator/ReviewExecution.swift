import Foundation
import IndicatorKit
import Rulebooks

/// One review's fan-out and aggregation, shared by the coordinator and the offline `evaluate`:
/// each applicable module gets its projection of the filing, concurrently; the outcomes become
/// findings (a failed module's criteria become `error` findings carrying the cause) and a summary.
public enum ReviewExecution {
    /// The modules of `modules` that apply to `kind`, by id.
    public static func applicable(_ modules: Coordinator.ModuleSet, to kind: FilingKind) -> [ModuleDescriptor] {
        modules.descriptors.values.filter { $0.appliesTo.contains(kind) }.sorted { $0.id < $1.id }
    }

    /// Sends every applicable module its input, concurrently, and returns the outcomes by module id order.
    public static func evaluate(
        kind: FilingKind, projections: [String: Data], context: Data, parameters: Data, asOf: CivilDate,
        modules: Coordinator.ModuleSet
    ) async -> [(ModuleDescriptor, ModuleOutcome)] {
        // A struct rather than a tuple as the group's element (see ModulePools.startAll).
        struct Answered: Sendable {
            var descriptor: ModuleDescriptor
            var outcome: ModuleOutcome
        }
        return await withTaskGroup(of: Answered.self) { group in
            for descriptor in applicable(modules, to: kind) {
                guard let pool = modules.pools.pool(descriptor.id) else { continue }
                let input = EvaluationInput(
                    filing: projections[descriptor.id] ?? Data("{}".utf8), context: context, parameters: parameters, asOf: asOf)
                group.addTask { Answered(descriptor: descriptor, outcome: await pool.evaluate(input)) }
            }
            var results: [(ModuleDescriptor, ModuleOutcome)] = []
            for await answer in group { results.append((answer.descriptor, answer.outcome)) }
            return results.sorted { $0.0.id < $1.0.id }
        }
    }

    /// The review's record from module outcomes: findings as returned and, for a module that failed,
    /// an `error` finding per criterion it declared, carrying the cause.
    public static func complete(
        _ review: ClaimedReview, outcomes: [(ModuleDescriptor, ModuleOutcome)], parameters: ResolvedParameters
    ) -> CompletedReview {
        var rows: [CompletedReview.Row] = []
        var reports: [ModuleReport] = []
        var errors: [String] = []
        for (descriptor, outcome) in outcomes {
            let kinds = Dictionary(descriptor.criteria.map { ($0.id, $0.kind) }, uniquingKeysWith: { first, _ in first })
            let findings: [Finding]
            switch outcome {
            case .findings(let returned):
                findings = returned
                reports.append(ModuleReport(module: descriptor.id, findings: returned))
            case .failed(let failure):
                errors.append(failure.description)
                findings = descriptor.criteria.map { criterion in
                    Finding(
                        criterion: criterion.id, verdict: .error, score: 0,
                        message: LocalizedText(
                            zh: "模块 \(descriptor.id) 未能给出结论：\(failure.cause)（尝试 \(failure.attempts) 次）",
                            en: "module \(descriptor.id) could not judge this: \(failure.description)"),
                        citation: criterion.citation)
                }
                reports.append(ModuleReport(module: descriptor.id, findings: findings, error: failure.description))
            }
            for finding in findings {
                rows.append(.init(module: descriptor.id, moduleVersion: descriptor.version,
                                  kind: kinds[finding.criterion] ?? .threshold, finding: finding))
            }
        }
        return CompletedReview(
            review: review, summary: Aggregation.aggregate(reports), rulebook: parameters.rulebook,
            rulebookHash: parameters.hash, findings: rows, moduleErrors: errors)
    }
}
