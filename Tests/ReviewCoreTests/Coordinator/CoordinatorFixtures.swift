import Foundation
import Postgres
import TestSupport

/// Shared set-up for the coordinator's tests: module registries and database queries.
enum CoordinatorFixtures {
    /// A modules.json with the real modules plus a fixture module in `fixtureMode` (if any),
    /// given `fixtureArguments` after its mode.
    static func modulesFile(
        fixtureMode: String? = nil, fixtureArguments: [String] = [], fixtureWorkers: Int = 2, realWorkers: Int = 1
    ) throws -> String {
        let real = ["competitiveness", "tiering", "supply-chain", "innovation", "digital", "green", "openness",
                    "governance", "compliance", "plan-completion"]
        var modules = real.map { #"{ "id": "\#($0)", "executable": "indicator-\#($0)" }"# }
        if let fixtureMode {
            modules.append(#"""
                { "id": "fixture", "executable": "\#(CLIProcess.executables)/fixture-module", "arguments": [\#(([fixtureMode] + fixtureArguments).map { "\"\($0)\"" }.joined(separator: ", "))],
                  "workers": \#(fixtureWorkers) }
                """#)
        }
        let text = """
            { "defaults": { "workers": \(realWorkers), "timeouts": { "start_ms": 120000, "request_ms": 120000, "shutdown_grace_ms": 1000 },
                            "max_attempts": 2 },
              "modules": [\(modules.joined(separator: ",\n"))] }
            """
        // Left in the temporary folder for the process's life: the coordinator under test reads it at SIGHUP.
        let path = NSTemporaryDirectory() + "cr-modules-\(getpid())-\(UUID().uuidString).json"
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

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
