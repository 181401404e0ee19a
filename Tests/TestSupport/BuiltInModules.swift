import Foundation
import IndicatorKit
import ReviewCore
import Rulebooks
import ClusterStandard
import ModuleHost
import JSONCore

/// The project's modules as the coordinator runs them — the enabled entries of config/modules.json,
/// one worker each — started once per test process and shared by every test that judges a filing.
///
/// Tests know the modules only as the server does: by their executables and their ready lines.
/// There is no list of them in the tests (nor anywhere but Package.swift's table).
public enum BuiltInModules {
    private static let shared = Task<Coordinator.ModuleSet, any Error> {
        let installation = try TestCluster.installation
        var registry = try ModuleRegistry.load(
            file: installation.configDirectory.appendingPathComponent("modules.json").path, binDirectory: CLIProcess.executables,
            baseDirectory: installation.root.path)
        for index in registry.modules.indices {
            registry.modules[index].pool.workers = 1
            // Generous: a busy machine must not make a healthy module look hung.
            registry.modules[index].pool.startTimeout = .seconds(120)
            registry.modules[index].pool.requestTimeout = .seconds(120)
        }
        let (modules, errors) = await Coordinator.ModuleSet.start(registry, logger: .discarding)
        guard errors.isEmpty else { throw BuiltInModulesError.notStarted(errors) }
        return modules
    }

    /// The started modules (their pools live until the test process exits; the workers then see
    /// EOF and exit).
    public static func modules() async throws -> Coordinator.ModuleSet {
        try await shared.value
    }

    /// What every module declared, in config/modules.json's order.
    public static func declarations() async throws -> Declarations {
        try await modules().declarations
    }

    /// Judges `filing` with module `id` as the coordinator would: the filing projected to what the
    /// module reads, the context and parameters as given. A module's refusal or failure is the
    /// report's `error`.
    public static func evaluate(
        module id: String, filing: JSONValue, context: JSONValue = [:], parameters: [String: JSONValue], asOf: CivilDate
    ) async throws -> ModuleReport {
        let modules = try await modules()
        guard let descriptor = modules.descriptors[id], let pool = modules.pools.pool(id) else {
            throw BuiltInModulesError.unknownModule(id)
        }
        let encoder = JSONEncoder()
        let input = EvaluationInput(
            filing: try encoder.encode(FilingProjection.project(filing, reads: descriptor.reads)), context: try encoder.encode(context),
            parameters: try encoder.encode(parameters), asOf: asOf)
        switch await pool.evaluate(input) {
        case .findings(let findings): return ModuleReport(module: id, findings: findings)
        case .failed(let failure): return ModuleReport(module: id, findings: [], error: failure.description)
        }
    }

    /// Judges `filing` with every module that applies to its kind, as `cluster-review evaluate`
    /// does, and returns the completed review (findings, summary).
    public static func review(
        filing: JSONValue, context: JSONValue = [:], parameters: ResolvedParameters
    ) async throws -> CompletedReview {
        let modules = try await modules()
        let kind = filing["kind"]?.string.flatMap(FilingKind.init(rawValue:)) ?? .initial
        let encoder = JSONEncoder()
        var projections: [String: Data] = [:]
        for descriptor in ReviewExecution.applicable(modules, to: kind) {
            projections[descriptor.id] = try encoder.encode(FilingProjection.project(filing, reads: descriptor.reads))
        }
        let review = ClaimedReview(
            id: 0, filingId: 0, countyCode: "", token: UUID(), attempts: 1, purpose: "decision", kind: kind,
            rulebook: parameters.rulebook, asOf: parameters.asOf)
        return try await ReviewExecution.evaluateOffline(
            review, projections: projections, context: try encoder.encode(context), parameters: parameters, modules: modules)
    }
}

/// The built-in modules could not be used.
public enum BuiltInModulesError: Error, CustomStringConvertible {
    case notStarted([String: String])
    case unknownModule(String)

    public var description: String {
        switch self {
        case .notStarted(let errors): "modules did not start: \(errors)"
        case .unknownModule(let id): "no module \(id) in config/modules.json"
        }
    }
}
