import Foundation
import ClusterStandard
import IndicatorKit
import JSONCore
import Postgres
import ReviewCore
import TestSupport
import Testing

extension SecurityTests {
    /// An annual or change report is for a register entry (issue 15, item 9; sql/052): the door
    /// refuses one whose cluster name is no live register entry of the county, with an issue the
    /// county reads like every other refusal — its path, its rule and a message listing the
    /// county's register entries by name. `validate` stays offline and accepts it.
    @Suite(.serialized) struct ReportRegisterEntryTests {
        let a = SecureDatabase.countyA  // 469005, Wenchang: the annual report sample's county
        let b = SecureDatabase.countyB

        /// The sample `file` of config/samples with its cluster named `name`, filed by county A.
        func report(_ file: String, name: String) throws -> Data {
            let url = try TestCluster.installation.configDirectory.appendingPathComponent("samples/" + file)
            guard case .object(var root) = try JSONValue(parsing: Data(contentsOf: url)), case .object(var cluster)? = root["cluster"],
                case .object(var applicant)? = root["applicant"]
            else {
                throw PostgresError.client("\(file) has no cluster")
            }
            cluster["name"] = .string(name)
            cluster["county_codes"] = .array([.string(a)])
            applicant["county_code"] = .string(a)
            root["cluster"] = .object(cluster)
            root["applicant"] = .object(applicant)
            return try JSONEncoder().encode(JSONValue.object(root))
        }

        func annualReport(named name: String) throws -> Data {
            try report("469005-wenchang-annual-report-2025.json", name: name)
        }

        /// A change report of county A: the Chengmai sample, made Wenchang's.
        func changeReport(named name: String) throws -> Data {
            try report("469023-chengmai-change-report.json", name: name)
        }

        /// Writes a register entry of `county` named `name` (revoked when `revoked`), as the owner; returns its id.
        @discardableResult
        func entry(_ database: SecureDatabase, county: String, name: String, revoked: Bool = false) throws -> Int64 {
            try database.superuser.queryRow("""
                WITH f AS (
                    INSERT INTO filings (kind, county_code, cluster_name, filed_on, format_version, payload, content_hash, status)
                    VALUES ('initial', $1, $2, '2025-01-10', 1, '{}', sha256(convert_to(gen_random_uuid()::text, 'UTF8')), 'recognized')
                    RETURNING id
                )
                INSERT INTO clusters (certificate_no, filing_id, county_code, name, recognized_on, valid_until, leading_industry,
                                      spatial_extent, management_body, status, revoked_on, revocation_ground, grounds)
                SELECT 'T-' || f.id, f.id, $1, $2, '2025-01-20', '2028-01-20', '商业航天', $1, '管委会',
                       CASE WHEN $3 THEN 'revoked' ELSE 'active' END, CASE WHEN $3 THEN '2025-06-01'::date END,
                       CASE WHEN $3 THEN '14(2)' END, CASE WHEN $3 THEN 'test' END
                FROM f RETURNING id
                """, [county, name, revoked]).decode("id")
        }

        /// The register of the tests: two live entries of county A, one revoked, one of county B.
        func register(_ database: SecureDatabase) throws {
            try entry(database, county: a, name: "文昌甲产业集群")
            try entry(database, county: a, name: "文昌乙产业集群")
            try entry(database, county: a, name: "文昌丙产业集群", revoked: true)
            try entry(database, county: b, name: "海口丁产业集群")
        }

        @Test func anAnnualReportNamingNoRegisterEntryIsRefusedAtTheDoorListingTheCountysEntries() throws {
            let database = try SecureDatabase()
            try register(database)
            let county = try database.connect(as: .county(a))
            let document = try annualReport(named: "文昌戊产业集群")
            #expect(FilingValidator.validate(document).isEmpty, "validate is offline: the document itself is valid")
            let before = try database.recordsSnapshot()
            // Sent as psql sends it: SQL text, the document as a bytea literal.
            let hex = document.map { String(format: "%02x", $0) }.joined()
            let id: Int64 = try county.queryRow("INSERT INTO submissions (document) VALUES ('\\x\(hex)'::bytea) RETURNING id").decode("id")
            while try SubmissionIntake.checkPending(on: database.superuser).checked > 0 {}
            guard case .refused(let issues)? = try SubmissionDoor.verdicts(of: [id], on: county)[id] else {
                Issue.record("not refused")
                return
            }
            #expect(issues.map { "\($0.path) \($0.rule)" } == ["$.cluster.name register_entry"], "\(issues)")
            let message = try #require(issues.first?.message)
            for live in ["文昌甲产业集群", "文昌乙产业集群"] {
                #expect(message.en.contains("\"\(live)\"") && message.en.contains("register entries"), "\(message.en)")
                #expect(message.zh.contains(live) && message.zh.contains("本县名单中有"), "\(message.zh)")
            }
            #expect(message.en.contains("文昌戊产业集群") && message.en.contains("annual report"), "\(message.en)")
            for other in ["文昌丙产业集群", "海口丁产业集群"] {
                #expect(!message.en.contains(other) && !message.zh.contains(other), "neither a revoked entry nor another county's: \(other)")
            }
            // The county reads it in submissions, as psql reads it.
            let row = try county.queryRow("SELECT state, issues -> 0 ->> 'rule' AS rule FROM submissions WHERE id = $1", id)
            #expect(try row.decode("state", as: String.self) == "refused")
            #expect(try row.decode("rule", as: String.self) == "register_entry")
            #expect(try database.recordsSnapshot() == before, "nothing filed, nothing queued")
        }

        @Test func aChangeReportNamingOnlyARevokedEntryIsRefusedSayingTheCountyHasNoneOnTheRegister() throws {
            let database = try SecureDatabase()
            try entry(database, county: a, name: "文昌丙产业集群", revoked: true)
            try entry(database, county: b, name: "海口丁产业集群")
            let county = try database.connect(as: .county(a))
            let verdict = try TestDoor.submit([try changeReport(named: "文昌丙产业集群")], on: county, checkingOn: database.superuser)[0]
            guard case .refused(let issues) = verdict else {
                Issue.record("not refused: \(verdict)")
                return
            }
            #expect(issues.map(\.rule) == ["register_entry"])
            #expect(issues[0].message.en.contains("a change report") && issues[0].message.en.contains("no cluster on the register"),
                    "\(issues[0].message.en)")
            #expect(issues[0].message.zh.contains("本县目前没有认定的集群"), "\(issues[0].message.zh)")
        }

        @Test func reportsNamingALiveEntryAreFiledLinkedAndTheChangeCanBeAccepted() throws {
            let database = try SecureDatabase()
            try register(database)
            let cluster = try entry(database, county: a, name: "文昌国际航天城商业航天产业集群")
            let county = try database.connect(as: .county(a))
            let annual = try TestDoor.file(try annualReport(named: "文昌国际航天城商业航天产业集群"), on: county, checkingOn: database.superuser)
            let change = try TestDoor.file(try changeReport(named: "文昌国际航天城商业航天产业集群"), on: county, checkingOn: database.superuser)
            #expect(try Register.report(database.superuser, filing: annual)?.clusterId == cluster)
            #expect(try Register.report(database.superuser, filing: change)?.state == "pending")
            #expect(try Register.reports(database.superuser, cluster: cluster).map(\.filingId) == [annual, change])
            try LifecycleFixture.today(database.superuser, "2026-06-01")
            try Lifecycle(database.superuser).acceptChangeReport(filing: change, note: "核实")
            #expect(try Register.report(database.superuser, filing: change)?.state == "accepted")
            #expect(try Register.entry(database.superuser, String(cluster))?.spatialExtent == "老城镇、福山镇、桥头镇")
        }

        @Test func anInitialFilingNeedsNoRegisterEntry() throws {
            let database = try SecureDatabase()
            let county = try database.connect(as: .county(a))
            let verdict = try TestDoor.submit([try SecurityFixtures.submission(county: a, suffix: "new")], on: county, checkingOn: database.superuser)[0]
            guard case .filed = verdict else {
                Issue.record("not filed: \(verdict)")
                return
            }
        }

        @Test func submitShowsTheRefusalWithTheCountysRegisterEntries() async throws {
            let database = try SecureDatabase()
            try register(database)
            let intake = try BackgroundIntake(conninfo: database.conninfo)
            defer { intake.stop() }
            let login = try database.login(.county(a))
            let path = try SecurityFixtures.temporaryFile(try annualReport(named: "文昌戊产业集群"))
            let process = try CLIProcess(["submit", "--lang", "en", path], conninfo: login.conninfo)
            let status = await process.wait(timeout: .seconds(60))
            #expect(status == 1, "\(process.log)")
            #expect(process.log.contains("$.cluster.name"), "\(process.log)")
            #expect(process.log.contains("\"文昌甲产业集群\"") && process.log.contains("\"文昌乙产业集群\""), "\(process.log)")
            #expect(try database.submissionStates() == ["refused": 1])
        }
    }
}
