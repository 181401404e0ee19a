import Foundation
import ClusterStandard
import IndicatorKit
import JSONCore
import Postgres
import ReviewCore
import TestSupport
import Testing

extension SecurityTests {
    /// SQL injection strings in every text field of a filing are stored verbatim (the document as sent,
    /// and the filing when valid) and never executed.
    @Suite struct InjectionTests {
        static let strings = [
            "'); DROP TABLE filings; --",
            "' OR '1'='1",
            "$$; DROP TABLE reviews; $$",
            "\\'; SELECT pg_sleep(30); --",
            "\"; DELETE FROM findings; --",
            "Robert'); DROP TABLE counties;--",
            "%I %L %s %%",
            "1; GRANT cr_admin TO PUBLIC; CREATE ROLE evil SUPERUSER LOGIN",
            "'||(SELECT string_agg(payload::text, ',') FROM filings)||'",
            "文昌'; UPDATE filings SET county_code = '460105'; --",
        ]

        /// `value` with every string replaced (round-robin) by an injection string, except the members
        /// the tables check (kind, county codes, dates).
        static func poisoned(_ value: JSONValue, key: String = "", counter: inout Int) -> JSONValue {
            switch value {
            case .string:
                guard !["kind", "county_code", "filing_date", "valid_until", "date", "code"].contains(key) else { return value }
                defer { counter += 1 }
                return .string(strings[counter % strings.count])
            case .array(let items):
                return .array(items.map { poisoned($0, key: key, counter: &counter) })
            case .object(let members):
                var result: [String: JSONValue] = [:]
                for (name, member) in members { result[name] = poisoned(member, key: name, counter: &counter) }
                return .object(result)
            default:
                return value
            }
        }

        @Test func injectionStringsInEveryTextFieldAreStoredVerbatim() throws {
            let database = try SecureDatabase()
            let county = try database.connect(as: .county(SecureDatabase.countyA))
            var count = 0
            let original = try JSONValue(parsing: try SecurityFixtures.sampleData(county: SecureDatabase.countyA))
            let poisoned = Self.poisoned(original, counter: &count)
            #expect(count >= 10, "the sample has text fields to poison")
            let payload = try JSONEncoder().encode(poisoned)
            let tablesBefore = try database.snapshot().keys.sorted()
            let verdicts = try TestDoor.submit([payload], on: county, checkingOn: database.superuser)
                + TestDoor.submit([payload], on: county, checkingOn: database.superuser)

            // The door keeps the bytes as sent, and says what validate says of them.
            let stored: [Data] = try database.superuser.query("SELECT document FROM submissions ORDER BY id").rows.map { try $0.decode("document") }
            #expect(stored == [payload, payload])
            let issues = FilingValidator.validate(payload)
            if issues.isEmpty {
                guard case .filed(let id) = verdicts[0], case .alreadyOnFile(id) = verdicts[1] else {
                    Issue.record("\(verdicts)")
                    return
                }
                let row = try database.superuser.queryRow("SELECT payload FROM filings WHERE id = $1", id)
                #expect(try row.decode("payload", as: JSONB.self).decode(JSONValue.self) == poisoned)
                #expect(try ReviewRecords.status(of: id, on: county)?.clusterName == poisoned["cluster"]?["name"]?.string)
            } else {
                #expect(verdicts == [.refused(issues: issues), .refused(issues: issues)])
            }
            // Nothing was executed: every table is there, no new role, no grant to PUBLIC.
            #expect(try database.snapshot().keys.sorted() == tablesBefore)
            #expect(try CoordinatorFixtures.count("SELECT count(*) FROM filings", on: database.superuser) == (issues.isEmpty ? 1 : 0))
            #expect(try CoordinatorFixtures.count("SELECT count(*) FROM counties", on: database.superuser) == 26)
            #expect(try CoordinatorFixtures.count("SELECT count(*) FROM pg_roles WHERE rolname = 'evil'", on: database.superuser) == 0)
            #expect(try CoordinatorFixtures.count(
                "SELECT count(*) FROM pg_auth_members m JOIN pg_roles r ON r.oid = m.roleid WHERE r.rolname = 'cr_admin' AND m.member = 0",
                on: database.superuser) == 0)
        }

        @Test func injectionThroughTheCLIIsStoredVerbatim() async throws {
            let database = try SecureDatabase()
            let county = try database.login(.county(SecureDatabase.countyA))
            let name = "文昌'); DROP TABLE filings; -- 集群"
            let authority = "局' OR '1'='1"
            guard case .object(var root) = try JSONValue(parsing: try SecurityFixtures.sampleData(county: SecureDatabase.countyA)),
                case .object(var cluster)? = root["cluster"], case .object(var applicant)? = root["applicant"]
            else { Issue.record("sample shape"); return }
            cluster["name"] = .string(name)
            applicant["authority"] = .string(authority)
            root["cluster"] = .object(cluster)
            root["applicant"] = .object(applicant)
            let path = try SecurityFixtures.temporaryFile(try JSONEncoder().encode(JSONValue.object(root)))
            let intake = try BackgroundIntake(conninfo: database.conninfo)
            defer { intake.stop() }
            let process = try CLIProcess(["submit", "--json", path], conninfo: county.conninfo)
            #expect(await process.wait(timeout: .seconds(60)) == 0, "\(process.log)")
            let row = try database.superuser.queryRow("SELECT cluster_name, payload #>> '{applicant,authority}' AS authority FROM filings")
            #expect(try row.decode("cluster_name", as: String.self) == name)
            #expect(try row.decode("authority", as: String.self) == authority)
        }

        @Test(arguments: ["x'; DROP TABLE filings; --", "Robert\"); DROP ROLE cr_admin; --", "admin wu", "ADMIN", "a\u{7}b", "cr_evil", "pg_evil",
                          "é_accent", String(repeating: "a", count: 64)])
        func aBadLoginNameIsRefusedAtBothDoors(name: String) async throws {
            #expect(Logins.problem(withName: name) != nil)
            let database = try SecureDatabase()
            let admin = try database.connect(as: .admin)
            #expect(SecurityFixtures.sqlState { try Logins.add(name: name, role: .reviewer, on: admin) } == "22023")
            let process = try CLIProcess(["users", "add", name, "--role", "reviewer"], conninfo: try database.login(.admin).conninfo)
            #expect(await process.wait(timeout: .seconds(30)) == 64, "\(process.log)")
            #expect(try CoordinatorFixtures.count(
                "SELECT count(*) FROM pg_roles WHERE rolname = $1", [name], on: database.superuser) == 0)
            #expect(try CoordinatorFixtures.count("SELECT count(*) FROM pg_roles WHERE rolname = 'cr_admin'", on: database.superuser) == 1)
        }
    }
}
