import Foundation
import IndicatorKit
import Testing

import ChildProcesses
@testable import ModuleHost

/// The conformance suite behind `plugins check`, and the Python module served by a pool.
@Suite struct WorkerConformanceTests {
    static let projectRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    static let python = projectRoot.appendingPathComponent("Plugins/ExamplePython/indicator_example.py").path

    /// Step timeouts far beyond what a busy machine needs: no step of these modules waits one
    /// out (a module that answers, refuses or writes garbage ends each step at once).
    static let patient = ModuleConformance.Options(timeout: .seconds(120))

    @Test func aConformingSwiftModulePassesEveryCheck() async {
        let results = await ModuleConformance.run(executable: WorkerFixtures.fixture, arguments: ["ok"], options: Self.patient)
        #expect(results.count == 11)
        #expect(results.filter { !$0.passed }.map { "\($0.name): \($0.detail)" } == [])
    }

    @Test func thePythonModulePassesEveryCheck() async {
        let results = await ModuleConformance.run(executable: Self.python, options: Self.patient)
        #expect(results.count == 11)
        #expect(results.filter { !$0.passed }.map { "\($0.name): \($0.detail)" } == [])
    }

    @Test func aModuleThatWritesGarbageFailsTheRequestChecks() async {
        let results = await ModuleConformance.run(
            executable: WorkerFixtures.fixture, arguments: ["garbage"], options: Self.patient)
        #expect(results.first { $0.name == "a normal request" }?.passed == false)
        #expect(results.first { $0.name == "started by hand" }?.passed == false)
    }

    @Test func aModuleThatHangsFailsWithATimeout() async {
        // Short steps, so the hang costs little; a long start, so a slow start is not a hang.
        var options = ModuleConformance.Options(timeout: .milliseconds(300))
        options.startTimeout = .seconds(120)
        let results = await ModuleConformance.run(executable: WorkerFixtures.fixture, arguments: ["hang"], options: options)
        let normal = results.first { $0.name == "a normal request" }
        #expect(normal?.passed == false)
        #expect(normal?.detail.contains("no reply") == true)
    }

    /// Each hostile behaviour fails the check it breaks, saying why.
    @Test(arguments: [
        ("duplicate-criterion", "handshake", "declared twice"),
        ("bad-criterion", "a normal request", "did not declare"),
        ("partial", "a normal request", "leaves out FIX-2"),
        ("error-verdict", "a normal request", "verdict error"),
        ("nul-text", "a normal request", "NUL"),
        ("huge-answer", "a normal request", "over the limit"),
        ("huge-line", "a normal request", "longer than"),
        ("grandchild", "leaves no process behind", "kept its stdout open"),
        ("silent-exit", "started by hand", "without a word"),
    ])
    func aHostileModuleFailsTheCheckItBreaks(mode: String, check: String, reason: String) async {
        let results = await ModuleConformance.run(executable: WorkerFixtures.fixture, arguments: [mode], options: Self.patient)
        let result = results.first { $0.name == check }
        #expect(result?.passed == false, "\(results.map { "\($0.name): \($0.passed) \($0.detail)" })")
        #expect(result?.detail.contains(reason) == true, "\(result?.detail ?? "no \(check) check")")
    }

    @Test func theCheckRunsTheModuleUnderTheCoordinatorsResourceLimits() async {
        var options = Self.patient
        options.timeout = .seconds(300)
        options.limits = ResourceLimits(cpuSeconds: 1, addressSpaceBytes: 2 << 30, openFiles: 64)
        let results = await ModuleConformance.run(executable: WorkerFixtures.fixture, arguments: ["cpu-hog"], options: options)
        let normal = results.first { $0.name == "a normal request" }
        #expect(normal?.passed == false)
        #expect(normal?.detail.contains("SIGXCPU") == true || normal?.detail.contains("SIGKILL") == true, "\(normal?.detail ?? "")")
    }

    @Test func aModuleSpeakingVersion2FailsTheHandshake() async {
        let results = await ModuleConformance.run(
            executable: WorkerFixtures.fixture, arguments: ["protocol-v2"], options: Self.patient)
        #expect(results.first { $0.name == "handshake" }?.passed == false)
    }

    @Test func thePythonModuleIsServedByAPoolFromAModulesJsonEntry() async throws {
        let config = """
            {"modules": [{"id": "example-python", "executable": "Plugins/ExamplePython/indicator_example.py",
                          "enabled": true, "workers": 2, "limits": {"cpu_seconds": 60, "address_space_mb": 1024, "open_files": 64}}]}
            """
        let registry = try ModuleRegistry.parse(
            Data(config.utf8), file: "test-modules.json", binDirectory: WorkerFixtures.binDirectory,
            baseDirectory: Self.projectRoot.path)
        let pool = try #require(registry.makePools(logger: WorkerFixtures.logger).first)
        let descriptor = try await pool.start()
        #expect(descriptor.id == "example-python")
        let filing = try FilingProjection.project(
            Data(#"{"name":"文昌椰子产业集群","enterprises":[{"n":1},{"n":2},{"n":3}],"output":{"2024":"9"}}"#.utf8),
            reads: descriptor.reads)
        let input = EvaluationInput(filing: filing, parameters: Data(#"{"min_enterprises":3}"#.utf8), asOf: CivilDate("2025-06-30")!)
        let findings = try #require(await pool.evaluate(input).findings)
        #expect(findings.map(\.verdict) == [.pass])
        #expect(findings.first?.score == 60)
        #expect(findings.first?.observed == 3)
        let pids = await pool.status().pids
        await pool.shutdown()
        #expect(await WorkerFixtures.remaining(pids).isEmpty)
    }
}
