import Foundation
import ClusterStandard
import IndicatorKit
import JSONCore
import Postgres
import ReviewCore
import TestSupport
import Testing

extension SecurityTests {
    /// Bad input at the door — `cluster-review submit` as a county's login, and the same county
    /// with SQL straight into `submissions` — gets a clear error and files nothing: what the door
    /// receives is kept as a refused submission with its issues, every other table stays as it was.
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
            let intake = try BackgroundIntake(conninfo: database.conninfo)
            defer { intake.stop() }
            let county = try database.login(.county(a))
            let before = try database.recordsSnapshot()
            for bad in try badFiles() {
                let path = try SecurityFixtures.temporaryFile(bad.data)
                let (status, log) = try await cli(["submit", "--lang", "en", path], conninfo: county.conninfo)
                #expect(status == 1, "\(bad.name): \(log)")
                #expect(log.lowercased().contains(bad.says.lowercased()), "\(bad.name): \(log.prefix(2000))")
            }
            #expect(try database.recordsSnapshot() == before)
            // The oversized file is never sent (the CLI reads at most 1 MiB); the others are refused.
            #expect(try database.submissionStates() == ["refused": 3])
        }

        @Test func theDoorRefusesADocumentOverItsBoundAndKeepsNothing() throws {
            let database = try SecureDatabase()
            let county = try database.connect(as: .county(a))
            let document = try SecurityFixtures.submission(county: a, suffix: "huge") {
                $0["padding"] = .string(String(repeating: "x", count: 2_200_000))
            }
            let before = try database.snapshot()
            guard case .refused(let error)? = try SubmissionDoor.send([SubmissionDoor.Document(document)], on: county).first else {
                Issue.record("a 2.2 MB document was received")
                return
            }
            #expect(error.sqlState == "23514")
            #expect(try database.snapshot() == before)
        }

        @Test func deeplyNestedJSONIsRefusedWithItsPath() throws {
            let database = try SecureDatabase()
            let county = try database.connect(as: .county(a))
            var deep = JSONValue.number(1)
            for _ in 0..<50 { deep = .object(["n": deep]) }
            let document = try SecurityFixtures.submission(county: a, suffix: "deep") { [deep] in $0["deep"] = deep }
            let before = try database.recordsSnapshot()
            let verdict = try TestDoor.submit([document], on: county, checkingOn: database.superuser)[0]
            guard case .refused(let issues) = verdict else {
                Issue.record("filed: \(verdict)")
                return
            }
            #expect(issues.map(\.rule) == ["syntax"] && issues[0].path.hasPrefix("$.deep.n.n"), "\(issues)")
            #expect(try database.recordsSnapshot() == before)
        }

        @Test func invalidUTF8IsRefusedAtItsOffsetAndACountyCannotWriteFilings() throws {
            let database = try SecureDatabase()
            let county = try database.connect(as: .county(a))
            let before = try database.recordsSnapshot()
            // Sent with SQL, as psql would: the door stores the bytes; the validator names the byte.
            var bytes = try SecurityFixtures.sampleData(county: a)
            let at = try #require(bytes.range(of: Data("\"name\": \"".utf8))).upperBound
            bytes.insert(contentsOf: [0xC3, 0x28], at: at)
            let id: Int64 = try county.queryRow("INSERT INTO submissions (document) VALUES ($1) RETURNING id", bytes).decode("id")
            while try SubmissionIntake.checkPending(on: database.superuser).checked > 0 {}
            guard case .refused(let issues)? = try SubmissionDoor.verdicts(of: [id], on: county)[id] else {
                Issue.record("not refused")
                return
            }
            #expect(issues.map(\.rule) == ["encoding"], "\(issues)")
            #expect(issues.first?.message.en.contains("byte \(at)") == true, "\(issues)")
            #expect(issues == FilingValidator.validate(bytes), "the door says what validate says")
            // The table itself is not a county's to write.
            let insert = """
                INSERT INTO filings (kind, county_code, cluster_name, filed_on, format_version, payload, content_hash)
                VALUES ('initial', $1, 'x', '2026-03-15', 1, '{"applicant":{"county_code":"469005"}}',
                        sha256(convert_to('{"applicant": {"county_code": "469005"}}', 'UTF8')))
                """
            #expect(SecurityFixtures.sqlState { try county.query(insert, a) } == "42501")
            #expect(try database.recordsSnapshot() == before)
        }

        @Test(arguments: ["\u{7}", "\u{1B}[31m", "\n", "\u{0}"])
        func aControlCharacterInAClusterNameIsRefusedWithItsPath(control: String) throws {
            let database = try SecureDatabase()
            let county = try database.connect(as: .county(a))
            let name = "文昌\(control)集群"
            let document = try SecurityFixtures.submission(county: a, suffix: "x") {
                guard case .object(var cluster)? = $0["cluster"] else { return }
                cluster["name"] = .string(name)
                $0["cluster"] = .object(cluster)
            }
            let before = try database.recordsSnapshot()
            let verdict = try TestDoor.submit([document], on: county, checkingOn: database.superuser)[0]
            guard case .refused(let issues) = verdict else {
                Issue.record("filed: \(verdict)")
                return
            }
            #expect(issues.map { "\($0.path) \($0.rule)" } == ["$.cluster.name control_character"], "\(issues)")
            #expect(try database.recordsSnapshot() == before)
        }

        @Test func aCountyFilingForAnotherCountyGetsAKindMessageFromTheCLI() async throws {
            let database = try SecureDatabase()
            let intake = try BackgroundIntake(conninfo: database.conninfo)
            defer { intake.stop() }
            let county = try database.login(.county(a))
            let before = try database.recordsSnapshot()
            let (status, log) = try await cli(["submit", try SecurityFixtures.samplePath(county: b)], conninfo: county.conninfo)
            #expect(status == 77, "\(log)")
            #expect(log.contains("只能为本县提交") && !log.contains("you may file only for your own county"), "\(log)")
            let (statusEn, logEn) = try await cli(["submit", "--lang", "en", try SecurityFixtures.samplePath(county: b)],
                                                  conninfo: county.conninfo)
            #expect(statusEn == 77, "\(logEn)")
            #expect(logEn.contains("you may file only for your own county") && !logEn.contains("只能为本县提交"), "\(logEn)")
            #expect(try database.recordsSnapshot() == before)
            #expect(try database.submissionStates() == ["refused": 2], "each of the two attempts is refused")
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
