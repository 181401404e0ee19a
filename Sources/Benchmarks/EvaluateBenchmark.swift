#if canImport(Glibc)
import Glibc
#endif
import Foundation
import IndicatorKit
import ReviewCore
import Rulebooks
import ClusterStandard
import ModuleHost
import JSONCore

/// `cluster-review-bench evaluate`: the offline review path.
///
/// 1. `cluster-review evaluate DIR` over N new filing files (1,000 by default), the CLI exactly as
///    a county runs it to self-check (process start, module start, every file validated, sent to
///    every module, its scorecard printed): filings/s and CPU core-ms per filing, the CLI's own
///    and its module workers'. The CLI exits without waiting for its workers, which would orphan
///    them to init; the benchmark makes itself their subreaper (`Reaper`), waits for them and
///    counts their CPU too.
/// 2. The samples through every module's worker processes from this process (no CLI, no
///    printing). (The modules are known only by their executables and ready lines, so there is no
///    in-process list of them to measure against.)
enum EvaluateBenchmark {
    static let usage = """
        evaluate [--files N] [--runs N] [--rounds N]
          `cluster-review evaluate` of N files (default 1,000): filings/s and CPU core-ms per filing
          (CLI, module workers); then the samples × --rounds (default 20) through worker processes
        """

    static func run(arguments: [String]) async -> Int32 {
        guard let parsed = BenchArguments(arguments, values: ["--files", "--runs", "--rounds"]),
            let files = parsed.int("--files", default: 1000),
            let runs = parsed.int("--runs", default: 3, minimum: 1),
            let rounds = parsed.int("--rounds", default: 20)
        else {
            FileHandle.standardError.write(Data("usage: cluster-review-bench \(usage)\n".utf8))
            return 64
        }
        do {
            let installation = try Installation.current()
            print("cluster-review-bench evaluate — \(ProcessInfo.processInfo.activeProcessorCount) cores, release build")
            if files > 0 { try measureCLI(files: files, runs: runs, installation: installation) }
            if rounds > 0 { try await measureWorkers(rounds: rounds, installation: installation) }
            return 0
        } catch {
            FileHandle.standardError.write(Data("evaluate benchmark failed: \(error)\n".utf8))
            return 1
        }
    }

    /// `cluster-review evaluate DIR` over `files` new files, `runs` times.
    static func measureCLI(files: Int, runs: Int, installation: Installation) throws {
        let cli = installation.executables.appendingPathComponent("cluster-review").path
        guard access(cli, X_OK) == 0 else { throw BenchError("\(cli) not found: build everything first (swift build -c release)") }
        guard Reaper.adoptOrphans() else { throw BenchError("prctl(PR_SET_CHILD_SUBREAPER) refused: the workers' CPU could not be counted") }
        let directory = URL(fileURLWithPath: "/tmp/cr-bench-evaluate-\(getpid())")
        defer { try? FileManager.default.removeItem(at: directory) }
        let bytes = try BenchDatabase.writeFilingFiles(files, tag: "evaluate", into: directory.appendingPathComponent("files"), installation: installation)
        print(String(format: "cluster-review evaluate DIR: %d files (initial filings, %.0f bytes each), scorecards printed to a file", files, Double(bytes) / Double(files)))
        var figures = RunFigures()
        for run in 1...runs {
            let known = Reaper.children()
            let machineBefore = ProcessCPU.machineBusy()
            let started = ContinuousClock.now
            let child = try BenchChild.spawn(
                cli, ["evaluate", directory.appendingPathComponent("files").path],
                outputPath: directory.appendingPathComponent("evaluate-\(run).out").path)
            let exit = child.waitForExit()
            let wall = durationSeconds(ContinuousClock.now - started)
            let adopted = Reaper.reapAdopted(except: known)
            let machine = ProcessCPU.milliseconds(ProcessCPU.machineBusy() - machineBefore)
            guard exit.status == 0 else { throw BenchError("cluster-review evaluate exited with \(exit.status):\n\(child.outputTail())") }
            let count = Double(files)
            let own = ProcessCPU.milliseconds(exit.ownTicks)
            let workers = ProcessCPU.milliseconds(exit.reapedTicks + adopted.ticks)
            print(String(format: "  run %d: %.2f s, %.0f filings/s · CPU per filing %.2f core-ms = CLI %.2f + workers %.2f (%d adopted at exit; rest of machine %.2f)",
                         run, wall, count / wall, (own + workers) / count, own / count, workers / count, adopted.count,
                         (machine - own - workers) / count))
            figures.record("filings/s", count / wall, unit: "/s", decimals: 0)
            figures.record("CPU per filing, all", (own + workers) / count, unit: "core-ms", decimals: 2)
            figures.record("  CLI (cluster-review)", own / count, unit: "core-ms", decimals: 2)
            figures.record("  module workers", workers / count, unit: "core-ms", decimals: 2)
            figures.record("rest of the machine", (machine - own - workers) / count, unit: "core-ms", decimals: 2)
        }
        print(figures.table())
    }

    /// The samples, `rounds` times, through worker pools started here (no CLI, no printing).
    static func measureWorkers(rounds: Int, installation: Installation) async throws {
        let registry = try ModuleRegistry.load(
            file: installation.configDirectory.appendingPathComponent("modules.json").path,
            binDirectory: installation.executables.path, baseDirectory: installation.root.path)
        let rulebooks = try RulebookLibrary.load(contentsOf: installation.configDirectory.appendingPathComponent("parameters.json"))
        let directory = installation.configDirectory.appendingPathComponent("samples")
        var filings: [(Filing, JSONValue, ResolvedParameters)] = []
        for file in try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted() where file.hasSuffix(".json") && file != "expected.json" {
            let data = try Data(contentsOf: directory.appendingPathComponent(file))
            guard case .success(let filing) = FilingValidator.decode(data), let date = filing.filingDate else { continue }
            filings.append((filing, try JSONValue(parsing: data), try rulebooks.resolve(nil, asOf: date)))
        }
        let (modules, errors) = await Coordinator.ModuleSet.start(registry, logger: .discarding)
        guard errors.isEmpty else { throw EvaluateBenchmarkError.modules("\(errors)") }
        var processRates: [Double] = []
        for _ in 0..<3 {
            let started = ContinuousClock.now
            for _ in 0..<rounds {
                await withTaskGroup(of: Void.self) { group in
                    for (filing, whole, parameters) in filings {
                        group.addTask {
                            let kind = filing.kind ?? .initial
                            var projections: [String: Data] = [:]
                            for descriptor in ReviewExecution.applicable(modules, to: kind) {
                                projections[descriptor.id] = Data(FilingProjection.project(whole, reads: descriptor.reads).compactBytes)
                            }
                            let review = ClaimedReview(
                                id: 0, filingId: 0, countyCode: "", token: UUID(), attempts: 1, purpose: "decision", kind: kind,
                                rulebook: parameters.rulebook, asOf: parameters.asOf)
                            _ = try? await ReviewExecution.evaluateOffline(
                                review, projections: projections, context: Data("{}".utf8), parameters: parameters, modules: modules)
                        }
                    }
                }
            }
            processRates.append(Double(rounds * filings.count) / durationSeconds(ContinuousClock.now - started))
        }
        await modules.pools.shutdownAll()
        print("samples from this process: \(filings.count) samples × \(rounds) rounds, all modules, medians of 3")
        print(String(format: "  through worker processes: %7.0f filings/s", RunFigures.median(processRates)))
    }
}

enum EvaluateBenchmarkError: Error {
    case modules(String)
}
