import Foundation
import IndicatorKit
import Postgres
import ReviewCore
import TestSupport
import Testing
import JSONCore

extension SecurityTests {
    /// Bad input at both doors — the CLI (`cluster-review submit` as a county's login) and the database
    /// itself (the same county with SQL) — gets a clear error and leaves every table as it was.
    @Suite struct BadInputTests {
        let a = SecureDatabase.countyA
        let b = SecureDatabase.countyB

        /// Runs `cluster-review arguments` as `conninfo`; returns its exit status and output.
        func cli(_ arguments: [String], conninfo: String) async throws -> (Int32?, String) {
            let process = try CLIProcess(arguments, conninfo: conninfo)
            let status = await process.wait(timeout: .seconds(60))
            return (status, process.log)
        }

        /// The sample of county A as text with `body` applied to its JSON text.
        func sampleText(_ edit: (String) -> String) throws -> Data {
            let text = String(decoding: try SecurityFixtures.sampleData(county: a), as: UTF8.self)
            return Data(edit(text).utf8)
        }

        /// Bytes for each bad filing the CLI door must refuse, with what its message must say.
        func badFiles() throws -> [(name: String, data: Data, says: String)] {
            let nested = String(repeating: #"{"n":"#, count: 40) + "1" + String(repeating: "}", count: 40)
            var invalidUTF8 = try sampleText { $0 }
            if let range = invalidUTF8.range(of: Data("\"name\": \"".utf8)) { invalidUTF8.insert(contentsOf: [0xFF, 0xFE], at: range.upperBound) }
            return [
                ("oversized", try sampleText { $0.replacingOccurrences(of: "\"applicant\"", with: "\"padding\": \"\(String(repeating: "x", count: 1_100_000))\", \"applicant\"") },
                 "over the limit"),
                ("nested", try sampleText { $0.replacingOccurrences(of: "\"applicant\"", with: "\"deep\": \(nested), \"applicant\"") }, "nested deeper"),
                ("utf8", invalidUTF8, "UTF-8"),
                ("control", try sampleText { $0.replacingOccurrences(of: "\"name\": \"", with: "\"name\": \"\\u0007") }, "control"),
            ]
        }

        @Test func theCLIRefusesEachBadFilingWithItsReasonAndFilesNothing() async throws {
            let database = try SecureDatabase()
            let county = try database.login(.county(a))
            let before = try database.snapshot()
            for bad in try badFiles() {
                let path = try SecurityFixtures.temporaryFile(bad.data)
                let (status, log) = try await cli(["submit", "--lang", "en", path], conninfo: county.conninfo)
                #expect(status == 1, "\(bad.name): \(log)")
                #expect(log.lowercased().contains(bad.says.lowercased()), "\(bad.name): \(log.prefix(2000))")
            }
            #expect(try database.snapshot() == before)
        }

        @Test func theDatabaseRefusesAnOversizedPayload() throws {
            let database = try SecureDatabase()
            let county = try database.connect(as: .county(a))
            let submission = try SecurityFixtures.submission(county: a, suffix: "huge") {
                $0["padding"] = .string(String(repeating: "x", count: 2_200_000))
            }
            let before = try database.snapshot()
            #expect(SecurityFixtures.sqlState { _ = try FilingStore.submit(submission, on: county) } == "23514")
            #expect(try database.snapshot() == before)
        }

        @Test func theDatabaseRefusesDeeplyNestedJSON() throws {
            let database = try SecureDatabase()
            let county = try database.connect(as: .county(a))
            var deep = JSONValue.number(1)
            for _ in 0..<50 { deep = .object(["n": deep]) }
            let submission = try SecurityFixtures.submission(county: a, suffix: "deep") { [deep] in $0["deep"] = deep }
            let before = try database.snapshot()
            #expect(SecurityFixtures.sqlState { _ = try FilingStore.submit(submission, on: county) } == "23514")
            #expect(try database.snapshot() == before)
            // The depth the validator allows is well inside the database's bound.
            var allowed = JSONValue.number(1)
            for _ in 0..<30 { allowed = .object(["n": allowed]) }
            let fine = try SecurityFixtures.submission(county: a, suffix: "deep but allowed") { [allowed] in $0["deep"] = allowed }
            #expect(SecurityFixtures.sqlState { _ = try FilingStore.submit(fine, on: county) } == nil)
        }

        @Test func theDatabaseRefusesInvalidUTF8AndNUL() throws {
            let database = try SecureDatabase()
            let county = try database.connect(as: .county(a))
            let before = try database.snapshot()
            let insert = """
                INSERT INTO filings (kind, county_code, cluster_name, filed_on, format_version, payload, content_hash)
                VALUES ('initial', $1, 'x', '2026-03-15', 1, convert_from($2, 'UTF8')::jsonb,
                        sha256(convert_to(convert_from($2, 'UTF8')::jsonb::text, 'UTF8')))
                """
            let invalid = Data(#"{"applicant":{"county_code":"469005"},"x":""#.utf8) + Data([0xC3, 0x28]) + Data(#""}"#.utf8)
            #expect(SecurityFixtures.sqlState { try county.query(insert, a, invalid) } == "22021")
            let nul = Data(#"{"applicant":{"county_code":"469005"},"x":"\u0000"}"#.utf8)
            #expect(SecurityFixtures.sqlState { try county.query(insert, a, nul) } == "22P05")
            #expect(try database.snapshot() == before)
        }

        @Test(arguments: ["\u{7}", "\u{1B}[31m", "\n", "\u{0}"])
        func theDatabaseRefusesControlCharactersInAClusterName(control: String) throws {
            let database = try SecureDatabase()
            let county = try database.connect(as: .county(a))
            let name = "文昌\(control)集群"
            let submission = try SecurityFixtures.submission(county: a, suffix: "x") {
                guard case .object(var cluster)? = $0["cluster"] else { return }
                cluster["name"] = .string(name)
                $0["cluster"] = .object(cluster)
            }
            #expect(submission.clusterName == name)
            let before = try database.snapshot()
            let state = SecurityFixtures.sqlState { _ = try FilingStore.submit(submission, on: county) }
            // NUL cannot even travel as text (the client refuses it, or jsonb does: 22P05).
            #expect(state == "23514" || (control == "\u{0}" && state != nil), "\(state ?? "accepted")")
            #expect(try database.snapshot() == before)
        }

        @Test func aCountyFilingForAnotherCountyGetsAKindMessageFromTheCLI() async throws {
            let database = try SecureDatabase()
            let county = try database.login(.county(a))
            let before = try database.snapshot()
            let (status, log) = try await cli(["submit", try SecurityFixtures.samplePath(county: b)], conninfo: county.conninfo)
            #expect(status == 77, "\(log)")
            #expect(log.contains("you may file only for your own county"))
            #expect(log.contains("只能为本县提交"))
            #expect(try database.snapshot() == before)
        }

        @Test func aForgedFilingIdReadsAsNotFoundInTheCLI() async throws {
            let database = try SecureDatabase()
            let theirs = try database.file(county: b, suffix: "theirs", on: database.superuser)
            try database.review(filing: theirs)
            let name: String = try database.superuser.queryRow("SELECT cluster_name FROM filings WHERE id = $1", theirs).decode("cluster_name")
            let county = try database.login(.county(a))
            for command in ["status", "report"] {
                let (status, log) = try await cli([command, String(theirs), "--lang", "en"], conninfo: county.conninfo)
                #expect(status == 65, "\(command): \(log)")
                #expect(log.contains("\(theirs)") && !log.contains(name) && !log.contains(b), "\(command): \(log)")
            }
            // The same id as a reviewer: found.
            let reviewer = try database.login(.reviewer)
            let (status, log) = try await cli(["status", String(theirs)], conninfo: reviewer.conninfo)
            #expect(status == 0 && log.contains(name), "\(log)")
        }
    }
}
