import Foundation
import IndicatorKit
import Testing

import ChildProcesses
@testable import ModuleHost
import JSONCore

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
        // Nothing of this process's environment reaches a worker. The test process's own variables
        // stand in for the coordinator's (PATH, HOME, …): it does not setenv one of its own, as
        // setenv in a process whose other tests read the environment at the same moment (to start
        // their processes) is unsafe, and what it set stayed for every test after.
        let inherited = ProcessInfo.processInfo.environment.keys.filter { !["CLUSTER_REVIEW_PROTOCOL", "EXTRA", "LANG"].contains($0) }
        try #require(!inherited.isEmpty, "the test process has no variable of its own to leak")
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
        let process = try ProcessLauncher.launch(Worker.launchOptions(executable: WorkerFixtures.fixture, arguments: ["inspect"], environment: [:], limits: limits, shellTrampoline: true))
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

    @Test func writingToTheStdinOfAChildThatDiedFailsWithEPIPEInsteadOfRaisingSIGPIPE() throws {
        // SIGPIPE's default action would end this whole process (a coordinator) without a word.
        let process = try ProcessLauncher.launch(Worker.launchOptions(executable: WorkerFixtures.fixture, arguments: ["ok"], environment: [:], limits: ResourceLimits()))
        defer { [process.stdin, process.stdout, process.stderr].compactMap { $0 }.forEach { close($0) } }
        process.signalGroup(SIGKILL)
        #expect(process.waitForExit() == .signalled(SIGKILL))
        let input = try #require(process.stdin)
        var byte: UInt8 = 0x0A
        let written = write(input, &byte, 1)
        let error = errno
        #expect(written == -1)
        #expect(error == EPIPE)
    }

    @Test func aModuleExitsOnEOFSoNoOrphanOutlivesTheCoordinator() async throws {
        let process = try ProcessLauncher.launch(Worker.launchOptions(executable: WorkerFixtures.fixture, arguments: ["ok"], environment: [:], limits: ResourceLimits()))
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
        let process = try ProcessLauncher.launch(Worker.launchOptions(executable: WorkerFixtures.fixture, arguments: ["ignore-shutdown"], environment: [:], limits: ResourceLimits()))
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
        let process = try ProcessLauncher.launch(Worker.launchOptions(executable: WorkerFixtures.fixture, arguments: ["ok"], environment: [:], limits: ResourceLimits(), offerProtocol: false))
        let channel = try WorkerChannel(
            process: process,
            settings: ChannelSettings(maxLineBytes: 1 << 20, stderrLineBytes: 1000, stderrTailLines: 5, reapGrace: .seconds(1)),
            onStderrLine: { _ in }, onEnd: { _, _ in })
        #expect(await channel.exchange(nil, timeout: .seconds(120)) == .ended(.exited(ModuleProtocol.exitStartedByHand)))
        #expect(channel.stderrTail.joined().contains("started by the coordinator"))
    }

    @Test func spawningAMissingExecutableIsAClearError() {
        #expect(throws: SpawnError.notExecutable(path: "/nonexistent/indicator-x")) {
            try ProcessLauncher.launch(Worker.launchOptions(executable: "/nonexistent/indicator-x", arguments: [], environment: [:], limits: ResourceLimits()))
        }
    }

    @Test func aWorkerLeadsAProcessGroupOfItsOwn() async throws {
        let pool = WorkerPool(configuration: WorkerFixtures.configuration("ok"), logger: WorkerFixtures.logger)
        try await pool.start()
        let pid = try #require(await pool.status().pids.first)
        #expect(ProcessTable.group(of: pid) == pid)
        #expect(ProcessTable.group(of: pid) != getpgrp())
        await pool.shutdown()
    }

    /// A descendant that holds the module's stdout does not keep the worker's channel open: once
    /// the module has exited, the group is killed, the descendant with it, and the worker is reaped.
    @Test func aDescendantHoldingStdoutDiesWithItsModuleAndDoesNotHoldTheChannel() async throws {
        let process = try ProcessLauncher.launch(Worker.launchOptions(
            executable: WorkerFixtures.fixture, arguments: ["grandchild"], environment: [:], limits: ResourceLimits()))
        let channel = try WorkerChannel(
            process: process,
            settings: ChannelSettings(maxLineBytes: 1 << 20, stderrLineBytes: 1000, stderrTailLines: 5, reapGrace: .seconds(5)),
            onStderrLine: { _ in }, onEnd: { _, _ in })
        guard case .line = await channel.exchange(nil, timeout: .seconds(120)) else { Issue.record("no ready"); return }
        let holders = WorkerFixtures.groupMembers(process.pid).filter { $0 != process.pid }
        #expect(!holders.isEmpty, "the fixture started its descendant")
        // The module exits on shutdown; the descendant would hold stdout for an hour.
        #expect(await channel.exchange(ShutdownMessage.line, timeout: .seconds(120)) == .ended(.exited(0)))
        #expect(channel.descendantsHeldOutput)
        // The descendant has been killed (it is no longer running; reaped by init or a subreaper).
        #expect(await WorkerFixtures.notRunning(holders).isEmpty)
    }

    @Test func killingAWorkerKillsItsWholeGroup() async throws {
        let process = try ProcessLauncher.launch(Worker.launchOptions(
            executable: WorkerFixtures.fixture, arguments: ["grandchild"], environment: [:], limits: ResourceLimits()))
        let channel = try WorkerChannel(
            process: process,
            settings: ChannelSettings(maxLineBytes: 1 << 20, stderrLineBytes: 1000, stderrTailLines: 5, reapGrace: .seconds(5)),
            onStderrLine: { _ in }, onEnd: { _, _ in })
        guard case .line = await channel.exchange(nil, timeout: .seconds(120)) else { Issue.record("no ready"); return }
        let members = WorkerFixtures.groupMembers(process.pid)
        #expect(members.count >= 2)
        #expect(await channel.stop(graceful: false, grace: .seconds(1)) == .signalled(SIGKILL))
        #expect(await WorkerFixtures.notRunning(members).isEmpty)
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
