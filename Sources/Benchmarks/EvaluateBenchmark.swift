import Foundation
import IndicatorKit
import ReviewCore
import Rulebooks

/// Offline `evaluate` throughput: the samples through every module's worker processes (no
/// database), exactly as `cluster-review evaluate` sends them. (The modules are known only by their
/// executables and ready lines, so there is no in-process list of them to measure against.)
enum EvaluateBenchmark {
    static let usage = "evaluate [--rounds N]         offline evaluate throughput over the samples through the worker processes"

    static func run(arguments: [String]) async -> Int32 {
        var rounds = 20
        if arguments.count == 2, arguments[0] == "--rounds", let value = Int(arguments[1]) { rounds = value }
        do {
            let installation = try Installation.current()
            let registry = try ModuleRegistry.load(
                file: installation.configDirectory.appendingPathComponent("modules.json").path,
                binDirectory: installation.executables.path, baseDirectory: installation.root.path)
            let rulebooks = try RulebookLibrary.load(contentsOf: installation.configDirectory.appendingPathComponent("parameters.json"))
            let directory = installation.configDirectory.appendingPathComponent("samples")
            var filings: [(Filing, JSONValue, ResolvedParameters, Data)] = []
            for file in try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted() where file.hasSuffix(".json") && file != "expected.json" {
                let data = try Data(contentsOf: directory.appendingPathComponent(file))
                guard case .success(let filing) = FilingValidator.decode(data), let date = filing.filingDate else { continue }
                let parameters = try rulebooks.resolve(nil, asOf: date)
                filings.append((filing, try JSONValue(parsing: data), parameters, try JSONEncoder().encode(parameters.values)))
            }
            let (modules, errors) = await Coordinator.ModuleSet.start(registry, logger: .discarding)
            guard errors.isEmpty else { throw EvaluateBenchmarkError.modules("\(errors)") }
            var processRates: [Double] = []
            for _ in 0..<3 {
                let started = ContinuousClock.now
                for _ in 0..<rounds {
                    await withTaskGroup(of: Void.self) { group in
                        for (filing, whole, parameters, bytes) in filings {
                            group.addTask {
                                let kind = filing.kind ?? .initial
                                var projections: [String: Data] = [:]
                                for descriptor in ReviewExecution.applicable(modules, to: kind) {
                                    projections[descriptor.id] = try? JSONEncoder().encode(FilingProjection.project(whole, reads: descriptor.reads))
                                }
                                let review = ClaimedReview(
                                    id: 0, filingId: 0, countyCode: "", token: UUID(), attempts: 1, purpose: "decision", kind: kind,
                                    rulebook: parameters.rulebook, asOf: parameters.asOf)
                                _ = bytes
                                _ = try? await ReviewExecution.evaluateOffline(
                                    review, projections: projections, context: Data("{}".utf8), parameters: parameters, modules: modules)
                            }
                        }
                    }
                }
                processRates.append(Double(rounds * filings.count) / seconds(ContinuousClock.now - started))
            }
            await modules.pools.shutdownAll()
            let process = PipelineBenchmark.median(processRates)
            print("evaluate: \(filings.count) samples × \(rounds) rounds, all modules, medians of 3")
            print(String(format: "  through worker processes: %7.0f filings/s", process))
            return 0
        } catch {
            FileHandle.standardError.write(Data("evaluate benchmark failed: \(error)\n".utf8))
            return 1
        }
    }

    static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }
}

enum EvaluateBenchmarkError: Error {
    case modules(String)
}
