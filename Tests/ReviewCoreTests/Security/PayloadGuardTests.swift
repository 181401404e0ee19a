import Foundation
import Postgres
import ReviewCore
import TestSupport
import Testing

extension SecurityTests {
    /// The payload's checks (an object, at most 2 MiB of text, at most 40 levels deep) hold for
    /// whoever writes a payload, the owner included, and run only when the payload is written; the
    /// audit log records a filing's payload by its hash (sql/090).
    @Suite struct PayloadGuardTests {
        let a = SecureDatabase.countyA

        static let insert = """
            INSERT INTO filings (kind, county_code, cluster_name, filed_on, format_version, payload, content_hash)
            VALUES ('initial', '469005', 'x', '2026-03-15', 1, $1::text::jsonb, sha256(convert_to($1::text, 'UTF8')))
            """

        /// `levels` objects nested in one another.
        static func nested(_ levels: Int) -> String {
            String(repeating: #"{"n":"#, count: levels) + "1" + String(repeating: "}", count: levels)
        }

        /// The error `body` threw: SQLSTATE and constraint.
        static func refusal(_ body: () throws -> Void) -> (String, String?)? {
            do {
                try body()
                return nil
            } catch PostgresError.server(let error) {
                return (error.sqlState, error.constraint)
            } catch {
                return ("?", "\(error)")
            }
        }

        @Test func theOwnerCannotInsertAPayloadTooDeepTooLargeOrNotAnObject() throws {
            let database = try SecureDatabase()
            let before = try database.snapshot()
            for (payload, constraint) in [(Self.nested(45), "filings_payload_depth"), ("[1]", "filings_payload_check"),
                                          (#"{"padding":""# + String(repeating: "x", count: 2_200_000) + #""}"#, "filings_payload_size")] {
                let refusal = Self.refusal { try database.superuser.query(Self.insert, payload) }
                #expect(refusal?.0 == "23514" && refusal?.1 == constraint, "\(constraint): \(String(describing: refusal))")
            }
            #expect(try database.snapshot() == before)
        }

        /// `levels` containers nested in one another, arrays and objects in turn from the root down.
        static func mixed(_ levels: Int) -> String {
            let openers = (0..<levels).map { $0.isMultiple(of: 2) ? #"{"n":"# : "[0," }
            let closers = (0..<levels).reversed().map { $0.isMultiple(of: 2) ? "}" : "]" }
            return openers.joined() + "1" + closers.joined()
        }

        @Test func fortyLevelsOfObjectsAndArraysAreTakenAndFortyOneRefused() throws {
            let database = try SecureDatabase()
            for payload in [Self.nested(40), Self.mixed(40), #"{"a":"# + Self.mixed(39) + "}"] {
                let refusal = Self.refusal { try database.superuser.query(Self.insert, payload) }
                #expect(refusal == nil, "\(String(describing: refusal))")
            }
            let before = try database.snapshot()
            for payload in [Self.nested(41), Self.mixed(41), #"{"a":"# + Self.mixed(40) + "}", #"{"a":"# + String(repeating: "[", count: 5000) + String(repeating: "]", count: 5000) + "}"] {
                let refusal = Self.refusal { try database.superuser.query(Self.insert, payload) }
                #expect(refusal?.0 == "23514" && refusal?.1 == "filings_payload_depth", "\(String(describing: refusal))")
            }
            #expect(try database.snapshot() == before)
        }

        @Test func aPayloadWrittenByUpdateIsCheckedAndItsContentHashFollowsIt() throws {
            let database = try SecureDatabase()
            let filing = try database.file(county: a, suffix: "update", on: database.superuser)
            let before = try database.snapshot()
            let refusal = Self.refusal {
                try database.superuser.query("UPDATE filings SET payload = $2::jsonb WHERE id = $1", filing, Self.nested(41))
            }
            #expect(refusal?.0 == "23514" && refusal?.1 == "filings_payload_depth", "\(String(describing: refusal))")
            #expect(try database.snapshot() == before)

            try database.superuser.query("UPDATE filings SET payload = payload || '{\"note\": 1}' WHERE id = $1", filing)
            let matches: Bool = try database.superuser.queryRow(
                "SELECT content_hash = sha256(convert_to(payload::text, 'UTF8')) AS ok FROM filings WHERE id = $1", filing
            ).decode("ok")
            #expect(matches)
        }

        @Test func everyChangeOfAFilingIsAuditedWithThePayloadsHashNotItsCopy() throws {
            let database = try SecureDatabase()
            let filing = try database.file(county: a, suffix: "audit", on: database.superuser)
            try database.superuser.query("UPDATE filings SET status = 'in_review' WHERE id = $1", filing)
            try database.superuser.query("UPDATE filings SET payload = payload || '{\"note\": 1}' WHERE id = $1", filing)
            let rows = try database.superuser.query("""
                SELECT operation, coalesce(before ->> 'status', '') || '→' || (after ->> 'status') AS step,
                       coalesce(before ? 'payload', false) OR coalesce(after ? 'payload', false) AS copied,
                       coalesce(before ->> 'content_hash', '') AS before_hash, after ->> 'content_hash' AS after_hash
                FROM audit_log WHERE table_name = 'filings' AND row_key = $1::text ORDER BY id
                """, filing).rows
            let steps: [String] = try rows.map { try $0.decode("step") }
            #expect(steps == ["→submitted", "submitted→in_review", "in_review→in_review"])
            #expect(try rows.allSatisfy { try !$0.decode("copied", as: Bool.self) })
            let hashes: [(String, String)] = try rows.map { (try $0.decode("before_hash"), try $0.decode("after_hash")) }
            let stored: String = try database.superuser.queryRow(
                "SELECT to_jsonb(content_hash) #>> '{}' AS hash FROM filings WHERE id = $1", filing).decode("hash")
            #expect(hashes.map(\.1) == [hashes[0].1, hashes[0].1, stored], "\(hashes)")
            #expect(hashes[2].0 == hashes[0].1 && hashes[2].1 != hashes[0].1, "the payload change shows as a new hash")
        }
    }
}
