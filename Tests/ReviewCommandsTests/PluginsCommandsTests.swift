import Foundation
import ReviewCore
import Testing

@testable import ReviewCommands
import ChildProcesses
import ModuleHost

/// Lines written by a command.
final class OutputLines: @unchecked Sendable {
    // Sendable proof: `lines` is only touched with `lock` held.
    private let lock = NSLock()
    private var lines: [String] = []

    var write: @Sendable (String) -> Void { { [self] line in lock.withLock { lines.append(line) } } }
    var all: [String] { lock.withLock { lines } }
}

@Suite struct PluginsCommandsTests {
    static let binDirectory: String = {
        let exe = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? ""
        return URL(fileURLWithPath: exe).deletingLastPathComponent().path
    }()
    static var fixture: String { binDirectory + "/fixture-module" }

    @Test func pluginsCheckPassesAConformingModule() async {
        let output = OutputLines()
        let status = await PluginsCommands.checkModule(executable: Self.fixture, arguments: ["ok"], timeout: .seconds(120), output: output.write)
        #expect(status == 0)
        #expect(output.all.contains { $0.hasPrefix("PASS  handshake") })
        #expect(output.all.last == "all 11 checks passed")
    }

    @Test func pluginsCheckSaysWhenAModuleExitsWithoutAWord() async {
        let output = OutputLines()
        let status = await PluginsCommands.checkModule(executable: Self.fixture, arguments: ["silent-exit"], timeout: .seconds(120), output: output.write)
        #expect(status == 1)
        #expect(output.all.contains { $0.hasPrefix("FAIL  started by hand — exits with status 3 without a word on stderr") }, "\(output.all)")
        #expect(!output.all.contains { $0.contains("says why") })
    }

    @Test func pluginsCheckEndsAndFailsAModuleWhoseDescendantHoldsItsOutput() async {
        let output = OutputLines()
        let status = await PluginsCommands.checkModule(executable: Self.fixture, arguments: ["grandchild"], timeout: .seconds(120), output: output.write)
        #expect(status == 1)
        #expect(output.all.contains { $0.hasPrefix("FAIL  leaves no process behind") }, "\(output.all)")
    }

    @Test func pluginsCheckAppliesTheConfiguredLimits() async {
        let output = OutputLines()
        var configuration = WorkerPoolConfiguration(moduleId: "fixture", executable: Self.fixture)
        configuration.limits = ResourceLimits(cpuSeconds: 77, addressSpaceBytes: 1 << 30, openFiles: 40)
        _ = await PluginsCommands.checkModule(executable: Self.fixture, arguments: ["ok"], timeout: .seconds(120), configuration: configuration, output: output.write)
        #expect(output.all.contains { $0.hasPrefix("limits: cpu 77 s, address space 1024 MiB, open files 40") }, "\(output.all)")
    }

    @Test func pluginsCheckFailsAModuleThatWritesGarbage() async {
        let output = OutputLines()
        let status = await PluginsCommands.checkModule(executable: Self.fixture, arguments: ["garbage"], timeout: .seconds(120), output: output.write)
        #expect(status == 1)
        #expect(output.all.contains { $0.hasPrefix("FAIL  a normal request") })
    }

    @Test func pluginsCheckRefusesAFilingFileThatIsNotAnObject() async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("filing-\(UUID().uuidString).json").path
        try Data("[1,2]".utf8).write(to: URL(fileURLWithPath: path))
        defer { unlink(path) }
        let status = await PluginsCommands.checkModule(executable: Self.fixture, arguments: ["ok"], filingFile: path, output: { _ in })
        #expect(status == 65)
    }

    @Test func pluginsListShowsEachModulesStateVersionAndCriteria() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("plugins-list-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory.appendingPathComponent("config"), withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let config = """
            {"modules": [{"id": "fixture", "executable": "\(Self.fixture)", "arguments": ["ok"]},
                         {"id": "later", "executable": "indicator-later", "enabled": false}]}
            """
        let file = directory.appendingPathComponent("config/modules.json").path
        try Data(config.utf8).write(to: URL(fileURLWithPath: file))
        let output = OutputLines()
        let status = await PluginsCommands.listModules(configFile: file, binDirectory: Self.binDirectory, output: output.write)
        #expect(status == 0)
        #expect(output.all.contains { $0.hasPrefix("fixture  ready  version 1.0.0") && $0.contains("restarts 0") })
        #expect(output.all.contains { $0.contains("FIX-8") })
        #expect(output.all.contains { $0.hasPrefix("later  disabled") })
    }

    @Test func pluginsListReportsAnUnreadableConfiguration() async {
        let output = OutputLines()
        let status = await PluginsCommands.listModules(configFile: "/nonexistent/modules.json", output: output.write)
        #expect(status == 78)
        #expect(output.all.first?.contains("/nonexistent/modules.json") == true)
    }
}
