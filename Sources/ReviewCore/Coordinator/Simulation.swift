import Foundation
import JSONCore
import IndicatorKit
import Rulebooks
import ClusterStandard
import ModuleHost
import Postgres
import Reports

/// A what-if for a draft rule change (issue 18 item 3; `cluster-review simulate`): the stored
/// filings of a scope, each run under the rulebook as it is — the baseline, run afresh under the
/// same as-of date, so a module's version drift since the stored review is not mistaken for the
/// reform — and under the draft, through the same worker pools `evaluate` and the coordinator use,
/// many filings at once; the result lists every finding and recommendation that changes.
///
/// Nothing is written: the filings are read in one READ ONLY snapshot (`SimulationRecords.load`)
/// and the draft exists only in memory. Only the modules whose criteria read a changed parameter
/// run a second time; the others' findings are the baseline's under both.
public enum Simulation {
    /// Runs `draft` over `scope` with `modules`, at most `window` filings in flight.
    ///
    /// A filing whose date the rulebook does not cover, or on which a module failed under either
    /// rulebook, is listed in `skipped` with the reason. Throws `SimulationRecords.ScopeError` for a
    /// round that does not exist, and the database's errors.
    public static func run(
        _ draft: DraftRulebook, over scope: SimulationRecords.Scope, modules: Coordinator.ModuleSet, on connection: PostgresConnection,
        window: Int = 48
    ) async throws -> SimulationResult {
        let live = modules.descriptors
        let snapshot = try SimulationRecords.load(scope, reads: live.mapValues(\.reads), on: connection)
        let changed = Set(draft.changes.map(\.parameter))
        // The modules whose criteria read a changed parameter (declared, or listed by the file).
        let affected = Set(live.values.filter { descriptor in
            descriptor.criteria.contains { criterion in
                draft.criteria.contains(criterion.id) || (criterion.parameters ?? []).contains { changed.contains($0.name) }
            }
        }.map(\.id))
        // Each as-of date resolved once, under both rulebooks.
        struct Resolved: Sendable {
            var baseline: ResolvedParameters
            var baselineBytes: Data
            var draft: ResolvedParameters
            var draftBytes: Data
        }
        var resolved: [CivilDate: Result<Resolved, RulebookError>] = [:]
        for date in Set(snapshot.filings.map(\.asOf)) {
            do {
                let base = try draft.base.resolve(asOf: date)
                let changed = try draft.resolve(asOf: date)
                resolved[date] = .success(Resolved(
                    baseline: base, baselineBytes: Data(JSONValue.object(base.values).compactBytes),
                    draft: changed, draftBytes: Data(JSONValue.object(changed.values).compactBytes)))
            } catch {
                resolved[date] = .failure(error)
            }
        }
        let enabled = modules.enabled.filter { live[$0] != nil }
        var required: [FilingKind: RequiredCriteria] = [:]
        for kind in Set(snapshot.filings.map(\.kind)) {
            required[kind] = RequiredCriteria.fixing(kind: kind, enabled: enabled, known: live, monitoring: false)
        }
        let requirements = required
        let resolutions = resolved

        enum Outcome: Sendable {
            case run(SimulationResult.Run)
            case skipped(SimulationResult.Skipped)
        }
        // A module's failure is its own English words; the Chinese line points to them instead.
        let moduleFailedZh = "模块未能审核这件申报，两种规则集下都无法比较（英文技术信息见 --lang en 或 --json 输出）"
        @Sendable func simulate(_ filing: SimulationRecords.StoredFiling) async -> Outcome {
            let parameters: Resolved
            switch resolutions[filing.asOf] {
            case .success(let found)?: parameters = found
            case .failure(let error)?:
                return .skipped(.init(filingId: filing.id, reason: error.description,
                                      reasonZh: "规则集在基准日 \(filing.asOf) 无法取值（英文技术信息见 --lang en 或 --json 输出）"))
            case nil:
                return .skipped(.init(filingId: filing.id, reason: "no rulebook resolved for \(filing.asOf)",
                                      reasonZh: "规则集未覆盖这件申报的基准日 \(filing.asOf)"))
            }
            let needs = requirements[filing.kind] ?? RequiredCriteria(modules: [])
            let review = ClaimedReview(
                id: 0, filingId: filing.id, countyCode: filing.countyCode, token: UUID(), attempts: 1, purpose: "decision",
                kind: filing.kind, rulebook: draft.base.name, asOf: filing.asOf)
            let baselineOutcomes = await ReviewExecution.evaluate(
                required: needs, live: live, projections: filing.projections, context: filing.context,
                parameters: parameters.baselineBytes, asOf: filing.asOf, modules: modules)
            let rerun = RequiredCriteria(modules: needs.modules.filter { affected.contains($0.module) })
            let draftOnly = await ReviewExecution.evaluate(
                required: rerun, live: live, projections: filing.projections, context: filing.context,
                parameters: parameters.draftBytes, asOf: filing.asOf, modules: modules)
            let rerunById = Dictionary(draftOnly.map { ($0.module, $0) }, uniquingKeysWith: { first, _ in first })
            let draftOutcomes = baselineOutcomes.map { rerunById[$0.module] ?? $0 }
            let baseline: CompletedReview
            let changed: CompletedReview
            do {
                baseline = try ReviewExecution.complete(review, required: needs, outcomes: baselineOutcomes, known: live, parameters: parameters.baseline)
                changed = try ReviewExecution.complete(review, required: needs, outcomes: draftOutcomes, known: live, parameters: parameters.draft)
            } catch {
                return .skipped(.init(filingId: filing.id, reason: error.description, reasonZh: moduleFailedZh))
            }
            if let failure = (baseline.moduleErrors + changed.moduleErrors).first {
                return .skipped(.init(filingId: filing.id, reason: failure, reasonZh: moduleFailedZh))
            }
            func judged(_ completed: CompletedReview) -> [SimulationResult.Run.Judged] {
                completed.findings.map { .init(criterion: $0.finding.criterion, module: $0.module, verdict: $0.finding.verdict, score: $0.finding.score) }
            }
            let identity = SimulationResult.FilingChange(
                filingId: filing.id, countyCode: filing.countyCode, clusterName: filing.clusterName, certificateNo: filing.certificateNo,
                leadingIndustry: filing.leadingIndustry, kind: filing.kind.rawValue, asOf: filing.asOf.description, stored: filing.stored,
                before: baseline.recommendation, after: changed.recommendation, findings: [])
            return .run(.init(filing: identity, baseline: baseline.recommendation, draft: changed.recommendation,
                              baselineFindings: judged(baseline), draftFindings: judged(changed)))
        }

        var runs: [SimulationResult.Run] = []
        var skipped: [SimulationResult.Skipped] = []
        await withTaskGroup(of: Outcome.self) { group in
            var pending = snapshot.filings[...]
            func collect(_ outcome: Outcome) {
                switch outcome {
                case .run(let run): runs.append(run)
                case .skipped(let skip): skipped.append(skip)
                }
            }
            var inFlight = 0
            while let next = pending.popFirst() {
                group.addTask { await simulate(next) }
                inFlight += 1
                if inFlight >= max(1, window), let done = await group.next() {
                    collect(done)
                    inFlight -= 1
                }
            }
            for await outcome in group { collect(outcome) }
        }
        let changes = draft.changes.map { change in
            SimulationResult.Change(
                parameter: change.parameter, unit: change.unit, comparator: change.comparator, criteria: change.criteria,
                before: draft.base.parameters.first { $0.name == change.parameter }?.value(on: snapshot.today)?.value,
                after: change.value, typed: change.typed)
        }
        return SimulationResult(
            rulebook: draft.base.name, rulebookHash: draft.base.hash, draftHash: draft.hash, over: scope.description,
            today: snapshot.today.description, changes: changes, runs: runs, skipped: skipped.sorted { $0.filingId < $1.filingId })
    }
}
