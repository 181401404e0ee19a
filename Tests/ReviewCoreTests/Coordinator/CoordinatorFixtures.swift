import Foundation
import IndicatorKit
import Postgres
import TestSupport
import JSONCore

/// Shared set-up for the coordinator's tests: module registries and database queries.
enum CoordinatorFixtures {
    /// A modules.json with the project's modules (the enabled entries of config/modules.json,
    /// `realWorkers` workers each) plus a fixture module in `fixtureMode` (if any), given
    /// `fixtureArguments` after its mode and `fixtureSettings` as further keys of its entry;
    /// `replacing` swaps a project module's entry for another (keyed by module id); `extra` adds
    /// entries; `defaults` adds keys to the defaults.
    static func modulesFile(
        fixtureMode: String? = nil, fixtureArguments: [String] = [], fixtureWorkers: Int = 2, realWorkers: Int = 1,
        fixtureSettings: [String: JSONValue] = [:], replacing: [String: JSONValue] = [:], extra: [JSONValue] = [],
        defaults: [String: JSONValue] = [:]
    ) throws -> String {
        let project = try JSONValue(parsing: Data(contentsOf: try TestCluster.installation.configDirectory.appendingPathComponent("modules.json")), limits: .document)
        guard case .array(let entries)? = project["modules"] else { throw FixtureError.noModules }
        var modules: [JSONValue] = entries.filter { $0["enabled"] != .bool(false) }.map { entry in
            entry["id"]?.string.flatMap { replacing[$0] } ?? entry
        }
        if let fixtureMode {
            var fixture: [String: JSONValue] = [
                "id": "fixture", "executable": .string(CLIProcess.executables + "/fixture-module"),
                "arguments": .array(([fixtureMode] + fixtureArguments).map(JSONValue.string)), "workers": .number(Decimal(fixtureWorkers)),
            ]
            for (key, value) in fixtureSettings { fixture[key] = value }
            modules.append(.object(fixture))
        }
        modules += extra
        var defaultSettings: [String: JSONValue] = [
            "workers": .number(Decimal(realWorkers)),
            "timeouts": ["start_ms": 120000, "request_ms": 120000, "shutdown_grace_ms": 1000],
            "max_attempts": 2,
        ]
        for (key, value) in defaults { defaultSettings[key] = value }
        let text = JSONValue.object(["defaults": .object(defaultSettings), "modules": .array(modules)]).canonicalText(pretty: true)
        // Left in the temporary folder for the process's life: the coordinator under test reads it at SIGHUP.
        let path = NSTemporaryDirectory() + "cr-modules-\(getpid())-\(UUID().uuidString).json"
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// An entry running the fixture module as module `id`, in `mode`.
    static func fixtureEntry(id: String, mode: String, arguments: [String] = [], settings: [String: JSONValue] = [:]) -> JSONValue {
        var entry: [String: JSONValue] = [
            "id": .string(id), "executable": .string(CLIProcess.executables + "/fixture-module"),
            "arguments": .array(([mode] + arguments).map(JSONValue.string)),
        ]
        for (key, value) in settings { entry[key] = value }
        return .object(entry)
    }

    enum FixtureError: Error { case noModules }

    static func count(_ sql: String, _ parameters: [any PostgresEncodable] = [], on connection: PostgresConnection) throws -> Int {
        try connection.queryRow(sql, parameters).decode(column: 0)
    }

    /// Reviews per filing among `ids`: every value must be 1 for "exactly once".
    static func reviewsPerFiling(_ ids: [Int64], on connection: PostgresConnection) throws -> [Int64: Int] {
        let rows = try connection.query("""
            SELECT f.id, count(r.id) AS reviews FROM unnest($1::bigint[]) AS f(id)
            LEFT JOIN reviews r ON r.filing_id = f.id GROUP BY f.id
            """, TextArray(ids.map(String.init))).rows
        var result: [Int64: Int] = [:]
        for row in rows { result[try row.decode("id")] = try row.decode("reviews") }
        return result
    }

    /// A gate for the `gated` fixture: its requests wait until the gate is opened (a file exists,
    /// left in the temporary folder like the modules file).
    final class Gate: Sendable {
        let path = NSTemporaryDirectory() + "cr-gate-\(getpid())-\(UUID().uuidString)"

        /// Lets every waiting and later request through.
        func open() {
            FileManager.default.createFile(atPath: path, contents: nil)
        }

        deinit { open() }
    }

    /// Waits until `condition` (which may wait itself) holds, polling; false after `timeout`.
    static func eventuallyAsync(_ timeout: Duration, _ condition: () async throws -> Bool) async rethrows -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if try await condition() { return true }
            try? await Task.sleep(for: .milliseconds(200))
        }
        return try await condition()
    }

    /// Waits until `condition` holds, polling; false after `timeout`.
    static func eventually(_ timeout: Duration, _ condition: () throws -> Bool) async rethrows -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if try condition() { return true }
            try? await Task.sleep(for: .milliseconds(50))
        }
        return try condition()
    }
}
