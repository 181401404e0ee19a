import Foundation
import Postgres
import ReviewCore
import TestSupport
import Testing
import EmbeddedPostgres

/// docs/administrator-guide.md, "A fresh server, step by step", run line by line on a fresh
/// PostgreSQL of its own: the superuser's statements, the owner's `migrate` and `users add --bootstrap`,
/// the administrator's first login and `users check`. The only change is the server's address.
@Suite(.serialized) struct FirstAdministratorTests {
    /// The lines of the guide's first shell block under "### A fresh server, step by step".
    static func documentedSteps() throws -> [String] {
        let text = try String(contentsOf: projectRoot.appendingPathComponent("docs/administrator-guide.md"), encoding: .utf8)
        let lines = text.components(separatedBy: "\n")
        guard let heading = lines.firstIndex(of: "### A fresh server, step by step"),
            let open = lines[heading...].firstIndex(where: { $0.hasPrefix("```sh") }),
            let close = lines[(open + 1)...].firstIndex(where: { $0.hasPrefix("```") })
        else { throw PostgresError.client("docs/administrator-guide.md has no fresh-server block") }
        return lines[(open + 1)..<close].map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty && !$0.hasPrefix("#") }
    }

    @Test func theDocumentedStepsMakeTheFirstAdministratorOnAFreshServer() async throws {
        let server = EmbeddedPostgres(
            directory: TestCluster.scratchDirectory.appendingPathComponent("cr-fresh-\(getpid())-\(UInt32.random(in: 0...99999))"),
            settings: ["fsync": "off"])
        try server.start()
        defer {
            try? server.stop()
            try? FileManager.default.removeItem(at: server.directory)
        }
        let steps = try Self.documentedSteps()
        #expect(steps.count >= 8, "\(steps)")
        var databaseURL: String?
        var ran: [String] = []
        for step in steps {
            let (assignments, words, piped) = Self.parse(step)
            if words.first == "psql" {
                // As the superuser, on the database -d names (postgres otherwise).
                let database = Self.option("-d", in: words) ?? "postgres"
                let connection = try PostgresConnection(server.conninfo(database: database))
                defer { connection.close() }
                try connection.executeScript(try #require(Self.option("-c", in: words), "\(step)"))
            } else if words.first == "export", let assignment = words.dropFirst().first, assignment.hasPrefix("DATABASE_URL=") {
                // The documented URL names the server and the database, not a person: so does ours.
                let documented = try #require(URLComponents(string: String(assignment.dropFirst("DATABASE_URL=".count))))
                databaseURL = "host='\(server.directory.path)' port=\(server.port) dbname='\(documented.path.dropFirst())'"
            } else if words.first == "cluster-review" {
                let url = try #require(databaseURL, "DATABASE_URL is exported before the first cluster-review step")
                let run = try await CLIProcess.run(Array(words.dropFirst()), conninfo: url, environment: assignments, timeout: .seconds(120))
                if let piped {
                    // `… | psql -U postgres -d DB`: what the CLI printed, run by the superuser.
                    #expect(run.status == 0 || run.status == 1, "\(step): \(run.stderr)")
                    let connection = try PostgresConnection(server.conninfo(database: Self.option("-d", in: piped) ?? "postgres"))
                    defer { connection.close() }
                    if !run.stdout.isEmpty { try connection.executeScript(run.stdout) }
                } else {
                    #expect(run.status == 0, "\(step): \(run.stdout) \(run.stderr)")
                }
            } else {
                Issue.record("a step this test does not know how to run: \(step)")
            }
            ran.append(step)
        }
        #expect(ran.count == steps.count)

        // The administrator exists, holds the role, and was made by the owner; nobody else can be
        // bootstrapped now.
        let url = try #require(databaseURL)
        let who = try await CLIProcess.run(["whoami"], conninfo: url, environment: ["PGUSER": "ops"])
        #expect(who.stdout.contains("ops: admin"), "\(who.stdout) \(who.stderr)")
        let again = try await CLIProcess.run(
            ["users", "add", "ops_two", "--role", "admin", "--bootstrap", "--lang", "en"], conninfo: url, environment: ["PGUSER": "cluster_review"])
        #expect(again.status == 65, "\(again.stderr)")
        #expect(again.stderr.contains("an administrator exists already (ops)"), "\(again.stderr)")
        let owner = try PostgresConnection(server.conninfo(database: "cluster_review") + " user=cluster_review")
        defer { owner.close() }
        let audit = try owner.queryRow("""
            SELECT who, after ->> 'bootstrap' AS bootstrap FROM audit_log WHERE table_name = 'logins' AND row_key = 'ops'
            """)
        #expect(try audit.decode("who", as: String.self) == "cluster_review")
        #expect(try audit.decode("bootstrap", as: String.self) == "true")
        // The reviewer the administrator added carries every limit, temp_file_limit included.
        let reviewer = try PostgresConnection(server.conninfo(database: "cluster_review") + " user=li_review")
        defer { reviewer.close() }
        #expect(try reviewer.queryRow("SELECT current_setting('temp_file_limit') AS t").decode("t", as: String.self) == "1GB")
    }

    @Test func onlyTheOwnerMayBootstrapAndOnlyAnAdministrator() async throws {
        let conninfo = try TestCluster.makeDatabase()
        let admin = "fa\(getpid())_adm"
        let connection = try PostgresConnection(conninfo)
        defer { connection.close() }
        try Logins.add(name: admin, role: .admin, on: connection)
        // An administrator may not bootstrap (the owner's function); nor may --bootstrap make anything but an admin.
        let refused = try await CLIProcess.run(["users", "add", admin + "_x", "--role", "admin", "--bootstrap"], conninfo: conninfo + " user=\(admin)")
        #expect(refused.status == 77, "\(refused.stderr)")
        let usage = try await CLIProcess.run(["users", "add", admin + "_y", "--role", "reviewer", "--bootstrap"], conninfo: conninfo)
        #expect(usage.status == 64, "\(usage.stderr)")
    }

    /// `A=b C=d word word | rest`: the environment assignments, the words, and the piped command's words.
    static func parse(_ step: String) -> ([String: String], [String], [String]?) {
        let halves = step.components(separatedBy: " | ")
        var words = DocumentedExample.shellWords(halves[0])
        var environment: [String: String] = [:]
        while let first = words.first, let equals = first.firstIndex(of: "="), first.prefix(upTo: equals).allSatisfy({ $0.isUppercase || $0 == "_" }),
            first.first?.isLetter == true
        {
            environment[String(first[..<equals])] = String(first[first.index(after: equals)...])
            words.removeFirst()
        }
        return (environment, words, halves.count > 1 ? DocumentedExample.shellWords(halves[1]) : nil)
    }

    /// The value after `flag` in `words`.
    static func option(_ flag: String, in words: [String]) -> String? {
        guard let index = words.firstIndex(of: flag), index + 1 < words.count else { return nil }
        return words[index + 1]
    }
}
