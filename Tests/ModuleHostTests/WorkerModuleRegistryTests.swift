import Foundation
import IndicatorKit
import Testing

import ChildProcesses
@testable import ModuleHost

@Suite struct WorkerModuleRegistryTests {
    func parse(_ json: String, checkExecutables: Bool = false) throws(ModuleRegistryError) -> ModuleRegistry {
        try ModuleRegistry.parse(
            Data(json.utf8), file: "modules.json", binDirectory: "/opt/cr/bin", baseDirectory: "/srv/project",
            checkExecutables: checkExecutables)
    }

    @Test func appliesDefaultsAndLetsAModuleOverrideThem() throws {
        let registry = try parse("""
            {"defaults": {"workers": 3, "timeouts": {"request_ms": 1500}, "limits": {"cpu_seconds": 10, "address_space_mb": 512, "open_files": 32}},
             "modules": [{"id": "green", "executable": "indicator-green"},
                         {"id": "digital", "executable": "indicator-digital", "workers": 1, "enabled": false}]}
            """)
        let green = try #require(registry.module("green"))
        #expect(green.pool.workers == 3)
        #expect(green.pool.requestTimeout == .milliseconds(1500))
        #expect(green.pool.limits == ResourceLimits(cpuSeconds: 10, addressSpaceBytes: 512 << 20, openFiles: 32))
        #expect(registry.module("digital")?.pool.workers == 1)
        #expect(registry.enabled.map(\.id) == ["green"])
    }

    @Test func findsABareExecutableBesideTheBinaryAndARelativeOneInTheProject() throws {
        let registry = try parse("""
            {"modules": [{"id": "green", "executable": "indicator-green"},
                         {"id": "py", "executable": "Plugins/ExamplePython/indicator_example.py"},
                         {"id": "abs", "executable": "/usr/local/bin/indicator-x"}]}
            """)
        #expect(registry.module("green")?.pool.executable == "/opt/cr/bin/indicator-green")
        #expect(registry.module("py")?.pool.executable == "/srv/project/Plugins/ExamplePython/indicator_example.py")
        #expect(registry.module("abs")?.pool.executable == "/usr/local/bin/indicator-x")
    }

    @Test func rejectsAnUnknownKeyNamingWhereItIs() {
        #expect(throws: ModuleRegistryError.unknownKey(
            file: "modules.json", path: "modules[0].limits", key: "memory_mb", allowed: ["cpu_seconds", "address_space_mb", "open_files"])
        ) {
            try parse(#"{"modules": [{"id": "g", "executable": "x", "limits": {"memory_mb": 5}}]}"#)
        }
    }

    @Test func rejectsAMisspelledModuleKey() {
        #expect {
            try parse(#"{"modules": [{"id": "g", "executable": "x", "worker": 5}]}"#)
        } throws: { error in
            guard case ModuleRegistryError.unknownKey(_, "modules[0]", "worker", _) = error else { return false }
            return true
        }
    }

    @Test func rejectsADuplicateId() {
        #expect(throws: ModuleRegistryError.duplicateId(file: "modules.json", id: "g")) {
            try parse(#"{"modules": [{"id": "g", "executable": "x"}, {"id": "g", "executable": "y"}]}"#)
        }
    }

    @Test func rejectsAMissingExecutableOfAnEnabledModule() {
        #expect(throws: ModuleRegistryError.missingExecutable(file: "modules.json", module: "g", path: "/opt/cr/bin/indicator-none")) {
            try parse(#"{"modules": [{"id": "g", "executable": "indicator-none"}]}"#, checkExecutables: true)
        }
    }

    @Test func acceptsAMissingExecutableOfADisabledModule() throws {
        let registry = try parse(#"{"modules": [{"id": "g", "executable": "indicator-none", "enabled": false}]}"#, checkExecutables: true)
        #expect(registry.enabled.isEmpty)
    }

    @Test func rejectsAWrongType() {
        #expect {
            try parse(#"{"modules": [{"id": "g", "executable": "x", "workers": "two"}]}"#)
        } throws: { error in
            guard case ModuleRegistryError.invalidValue(_, "modules[0]", let reason) = error else { return false }
            return reason.contains("workers")
        }
    }

    @Test func theShippedConfigurationParses() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let registry = try ModuleRegistry.load(
            file: root.appendingPathComponent("config/modules.json").path, binDirectory: WorkerFixtures.binDirectory)
        #expect(registry.modules.count == 11)
        #expect(registry.module("example-python")?.enabled == false)
    }
}

@Suite struct WorkerModulePoolsTests {
    @Test func startsEveryEnabledModuleAndReportsTheOneThatFails() async throws {
        let config = """
            {"defaults": {"workers": 1, "timeouts": {"start_ms": 120000}},
             "modules": [{"id": "fixture", "executable": "fixture-module", "arguments": ["ok"]},
                         {"id": "silent", "executable": "fixture-module", "arguments": ["never-ready"], "timeouts": {"start_ms": 500}},
                         {"id": "off", "executable": "fixture-module", "enabled": false}]}
            """
        let registry = try ModuleRegistry.parse(
            Data(config.utf8), file: "test.json", binDirectory: WorkerFixtures.binDirectory, baseDirectory: "/")
        let pools = ModulePools(registry: registry, logger: WorkerFixtures.logger)
        #expect(pools.pools.map(\.moduleId) == ["fixture", "silent"])
        #expect(pools.pool("off") == nil)
        let started = await pools.startAll()
        #expect((try? started["fixture"]?.get())?.id == "fixture")
        guard case .failure(.handshakeFailed)? = started["silent"] else { Issue.record("silent: \(String(describing: started["silent"]))"); return }
        let pids = await pools.statuses().flatMap(\.pids)
        await pools.shutdownAll()
        #expect(await WorkerFixtures.remaining(pids).isEmpty)
    }
}
