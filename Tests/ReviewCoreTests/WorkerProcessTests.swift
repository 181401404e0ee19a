import Foundation
import IndicatorKit
import Testing

@testable import ReviewCore

/// What a worker process inherits from the coordinator, and how it ends.
@Suite struct WorkerProcessTests {
    func inspect(limits: ResourceLimits, environment: [String: String] = [:]) async throws -> Finding {
        var configuration = WorkerFixtures.configuration("inspect", limits: limits)
        configuration.environment = environment
        let pool = WorkerPool(configuration: configuration, logger: WorkerFixtures.logger)
        defer { Task { await pool.shutdown() } }
        let findings = try #require(await pool.evaluate(WorkerFixtures.input).findings)
        return try #require(findings.first)
    }

    @Test func workersStartWithACleanEnvironment() async throws {
        setenv("DATABASE_URL", "postgres://secret@localhost/review", 1)
        let finding = try await inspect(limits: ResourceLimits(), environment: ["EXTRA": "yes"])
        guard case .array(let variables) = finding.observed?["environment"] else { Issue.record("no environment"); return }
        #expect(Set(variables.compactMap(\.string)) == ["CLUSTER_REVIEW_PROTOCOL=1", "EXTRA=yes", "LANG=C.UTF-8"])
    }

    @Test func workersInheritNoDescriptorBeyondTheirPipes() async throws {
        // A descriptor opened without close-on-exec must still not reach the worker.
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("leak-\(UUID().uuidString)").path
        let leaked = open(path, O_CREAT | O_RDWR, 0o600)
        defer { close(leaked); unlink(path) }
        let finding = try await inspect(limits: ResourceLimits())
        guard case .array(let fds) = finding.observed?["fds"] else { Issue.record("no fds"); return }
        let targets = fds.compactMap(\.string)
        #expect(!targets.contains { $0.contains(path) })
        // 0, 1, 2, the SDK's private protocol descriptor (a pipe) and the directory being listed.
        // (The directory's descriptor is closed by the time its link is read: "?".)
        #expect(targets.allSatisfy { $0.contains("pipe:[") || $0.contains("/proc/") || $0.hasSuffix("-> ?") }, "\(targets)")
        #expect(targets.count == 5, "\(targets)")
        #expect(targets.filter { $0.contains("pipe:[") }.count == 4)
    }

    @Test func workersRunUnderTheConfiguredResourceLimits() async throws {
        let finding = try await inspect(limits: ResourceLimits(cpuSeconds: 17, addressSpaceBytes: 3 << 30, openFiles: 33))
        #expect(finding.parameters["cpu"] == "17")
        #expect(finding.parameters["as"] == .string(String(3 << 30)))
        #expect(finding.parameters["nofile"] == "33")
    }

    @Test func theWorkerPidIsTheModuleItselfNotATrampoline() async throws {
        let pool = WorkerPool(configuration: WorkerFixtures.configuration("ok"), logger: WorkerFixtures.logger)
        try await pool.start()
        let pid = try #require(await pool.status().pids.first)
        let exe = try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(pid)/exe")
        #expect(exe.hasSuffix("/fixture-module"))
        await pool.shutdown()
    }

    @Test func theShellTrampolineAppliesTheSameLimitsWherePrlimitIsMissing() async throws {
        let limits = ResourceLimits(cpuSeconds: 17, addressSpaceBytes: 3 << 30, openFiles: 33)
        let process = try Subprocess.spawn(
            executable: WorkerFixtures.fixture, arguments: ["inspect"], environment: [:], limits: limits, shellTrampoline: true)
        let channel = try WorkerChannel(
            process: process,
            settings: ChannelSettings(maxLineBytes: 1 << 20, stderrLineBytes: 1000, stderrTailLines: 5, reapGrace: .seconds(1)),
            onStderrLine: { _ in }, onEnd: { _, _ in })
        guard case .line = await channel.exchange(nil, timeout: .seconds(120)) else { Issue.record("no ready"); return }
        let request = EvaluateMessage.line(id: "1", filing: Data("{}".utf8), context: Data("{}".utf8), parameters: Data("{}".utf8), asOf: CivilDate("2025-01-01")!)
        guard case .line(let reply) = await channel.exchange(request, timeout: .seconds(120)),
            case .findings(let message) = try ModuleMessage(parsing: reply), let finding = message.findings.first
        else { Issue.record("no findings"); return }
        #expect(finding.parameters["cpu"] == "17")
        #expect(finding.parameters["as"] == .string(String(3 << 30)))
        #expect(finding.parameters["nofile"] == "33")
        #expect(channel.pid == process.pid)
        await channel.stop(graceful: true, grace: .seconds(1))
    }

    @Test func aModuleExitsOnEOFSoNoOrphanOutlivesTheCoordinator() async throws {
        let process = try Subprocess.spawn(
            executable: WorkerFixtures.fixture, arguments: ["ok"], environment: [:], limits: ResourceLimits())
        let channel = try WorkerChannel(
            process: process,
            settings: ChannelSettings(maxLineBytes: 1 << 20, stderrLineBytes: 1000, stderrTailLines: 5, reapGrace: .seconds(5)),
            onStderrLine: { _ in }, onEnd: { _, _ in })
        guard case .line = await channel.exchange(nil, timeout: .seconds(120)) else { Issue.record("no ready"); return }
        // What the kernel does when the coordinator dies: the module's stdin reaches EOF.
        channel.closeInput()
        // The exchange ends with the process (or, should it never exit, at the deadline).
        #expect(await channel.exchange(nil, timeout: .seconds(120)) == .ended(.exited(0)))
    }

    @Test func stoppingAModuleThatIgnoresShutdownAndSIGTERMEndsItWithSIGKILLAfterBothGraces() async throws {
        let process = try Subprocess.spawn(
            executable: WorkerFixtures.fixture, arguments: ["ignore-shutdown"], environment: [:], limits: ResourceLimits())
        let channel = try WorkerChannel(
            process: process,
            settings: ChannelSettings(maxLineBytes: 1 << 20, stderrLineBytes: 1000, stderrTailLines: 5, reapGrace: .seconds(1)),
            onStderrLine: { _ in }, onEnd: { _, _ in })
        guard case .line = await channel.exchange(nil, timeout: .seconds(120)) else { Issue.record("no ready"); return }
        let started = ContinuousClock.now
        // `shutdown` is ignored for 300 ms, SIGTERM for 300 ms more: only SIGKILL ends it.
        #expect(await channel.stop(graceful: true, grace: .milliseconds(300)) == .signalled(SIGKILL))
        #expect(ContinuousClock.now - started >= .milliseconds(550))
    }

    @Test func aModuleStartedByHandSaysSoAndExits() async throws {
        let process = try Subprocess.spawn(
            executable: WorkerFixtures.fixture, arguments: ["ok"], environment: [:], limits: ResourceLimits(), offerProtocol: false)
        let channel = try WorkerChannel(
            process: process,
            settings: ChannelSettings(maxLineBytes: 1 << 20, stderrLineBytes: 1000, stderrTailLines: 5, reapGrace: .seconds(1)),
            onStderrLine: { _ in }, onEnd: { _, _ in })
        #expect(await channel.exchange(nil, timeout: .seconds(120)) == .ended(.exited(PluginProtocol.exitStartedByHand)))
        #expect(channel.stderrTail.joined().contains("started by the coordinator"))
    }

    @Test func spawningAMissingExecutableIsAClearError() {
        #expect(throws: SpawnError.notExecutable(path: "/nonexistent/indicator-x")) {
            try Subprocess.spawn(executable: "/nonexistent/indicator-x", arguments: [], environment: [:], limits: ResourceLimits())
        }
    }
}

@Suite struct FilingProjectionTests {
    static let filing = Data(#"{"name":"椰子","output":{"2024":[1,2,{"x":"}"}]},"note":"a \"quoted\" }","count":3,"flag":true}"#.utf8)

    @Test func keepsOnlyTheMembersTheModuleReads() throws {
        let projected = try FilingProjection.project(Self.filing, reads: ["output", "count"])
        #expect(String(decoding: projected, as: UTF8.self) == #"{"output":{"2024":[1,2,{"x":"}"}]},"count":3}"#)
    }

    @Test func skipsStringsWithEscapedQuotesAndBraces() throws {
        let projected = try FilingProjection.project(Self.filing, reads: ["note", "flag"])
        #expect(String(decoding: projected, as: UTF8.self) == #"{"note":"a \"quoted\" }","flag":true}"#)
    }

    @Test func agreesWithTheValueProjection() throws {
        let value = try JSONDecoder().decode(JSONValue.self, from: Self.filing)
        let bytes = try FilingProjection.project(Self.filing, reads: ["name", "output", "missing"])
        #expect(try JSONDecoder().decode(JSONValue.self, from: bytes) == FilingProjection.project(value, reads: ["name", "output", "missing"]))
    }

    @Test func rejectsSomethingThatIsNotAnObject() {
        #expect(throws: FilingProjectionError.self) { try FilingProjection.project(Data("[1,2]".utf8), reads: ["a"]) }
        #expect(throws: FilingProjectionError.self) { try FilingProjection.project(Data(#"{"a":1"#.utf8), reads: ["a"]) }
    }
}
