import Foundation
import Postgres
import ReviewCore
import TestSupport
import Testing

extension SecurityTests {
    /// Every role against every door: what it may do succeeds, what it may not fails with 42501 or
    /// finds no rows. Logged in to a real database as a person holding each role.
    @Suite struct RoleMatrixTests {
        /// What a statement does for a role.
        enum Outcome: String, Sendable {
            /// Succeeds and returns or changes at least one row.
            case ok
            /// Runs but sees or changes nothing (row-level security hides the rows).
            case none
            /// Refused with 42501.
            case denied
        }

        /// One door: a statement with the ids of county A's filing (`a`), county B's filing (`b`),
        /// and the roles that may pass (every other role: `otherwise`).
        struct Door: Sendable {
            var name: String
            var sql: String
            var expect: [String: Outcome]
            var otherwise: Outcome = .denied
        }

        static let roles = ["county", "reviewer", "admin", "coordinator", "auditor", "expert"]
        static let staffRead: [String: Outcome] = ["reviewer": .ok, "admin": .ok, "coordinator": .ok, "auditor": .ok]
        /// Reviewers, administrators and auditors read the panels (121); the coordinator does not.
        static let panelRead: [String: Outcome] = ["reviewer": .ok, "admin": .ok, "auditor": .ok]

        static let newFilingB = #"""
            INSERT INTO filings (kind, county_code, cluster_name, filed_on, format_version, payload, content_hash)
            VALUES ('initial', '460105', 'x', '2026-03-15', 1, '{"applicant":{"county_code":"460105"}}',
                    sha256(convert_to('{"applicant": {"county_code": "460105"}}', 'UTF8'))) RETURNING id
            """#
        static let newFilingA = #"""
            INSERT INTO filings (kind, county_code, cluster_name, filed_on, format_version, payload, content_hash)
            VALUES ('initial', '469005', 'x', '2026-03-15', 1, '{"applicant":{"county_code":"469005"},"n":1}',
                    sha256(convert_to('{"n": 1, "applicant": {"county_code": "469005"}}', 'UTF8'))) RETURNING id
            """#

        /// The doors of the tables and functions of migrations 001–003, 010–012, 014, 026 and 027,
        /// the web door's (040), the rounds (120), the expert panels (121) and notifications (122).
        static let doors: [Door] = [
            // The expert sits on the panel of A's filing only (121): it reads that filing, its
            // review and findings, and nothing of B's.
            Door(name: "read own filing", sql: "SELECT id FROM filings WHERE id = (SELECT a FROM ids)",
                 expect: staffRead.merging(["county": .ok, "expert": .ok]) { $1 }),
            Door(name: "read another county's filing", sql: "SELECT id FROM filings WHERE id = (SELECT b FROM ids)",
                 expect: staffRead.merging(["county": .none, "expert": .none]) { $1 }),
            Door(name: "read another county's queue", sql: "SELECT id FROM review_queue WHERE county_code = '460105'",
                 expect: staffRead.merging(["county": .none]) { $1 }),
            Door(name: "read own queue", sql: "SELECT id FROM review_queue WHERE county_code = '469005'",
                 expect: staffRead.merging(["county": .ok]) { $1 }),
            Door(name: "read own review", sql: "SELECT id FROM reviews WHERE filing_id = (SELECT a FROM ids)",
                 expect: staffRead.merging(["county": .ok, "expert": .ok]) { $1 }),
            Door(name: "read another county's review", sql: "SELECT id FROM reviews WHERE filing_id = (SELECT b FROM ids)",
                 expect: staffRead.merging(["county": .none, "expert": .none]) { $1 }),
            Door(name: "read another county's findings", sql: "SELECT criterion FROM findings WHERE filing_id = (SELECT b FROM ids)",
                 expect: staffRead.merging(["county": .none, "expert": .none]) { $1 }),
            Door(name: "read own findings", sql: "SELECT criterion FROM findings WHERE filing_id = (SELECT a FROM ids)",
                 expect: staffRead.merging(["county": .ok, "expert": .ok]) { $1 }),
            Door(name: "read the counties", sql: "SELECT code FROM counties",
                 expect: staffRead.merging(["county": .ok, "expert": .ok]) { $1 }),
            // The staff read incidents and clusters already; since sql/146 they may call the function
            // that gathers them (the what-if sends modules the same context); a county may not.
            Door(name: "review context of another county's filing", sql: "SELECT review_context((SELECT b FROM ids))",
                 expect: staffRead),
            Door(name: "file for another county", sql: newFilingB, expect: [:]),
            Door(name: "file for own county past the door", sql: newFilingA, expect: [:]),
            Door(name: "move a filing into review", sql: "UPDATE filings SET status = 'in_review' WHERE status = 'submitted' AND county_code = '469005'",
                 expect: [:]),
            Door(name: "move a decided filing back", sql: "UPDATE filings SET status = 'reviewed' WHERE status = 'approved'",
                 expect: [:]),
            Door(name: "re-point a queued review", sql: "UPDATE review_queue SET county_code = '469005' WHERE county_code = '460105'",
                 expect: [:]),
            Door(name: "approve a filing by UPDATE", sql: "UPDATE filings SET status = 'approved' WHERE status IN ('submitted', 'in_review')",
                 expect: [:]),
            Door(name: "rename a filing", sql: "UPDATE filings SET cluster_name = 'renamed' WHERE id = (SELECT a FROM ids)",
                 expect: [:]),
            Door(name: "forge who submitted", sql: "UPDATE filings SET submitted_by = 'someone' WHERE id = (SELECT a FROM ids)",
                 expect: [:]),
            Door(name: "delete a filing", sql: "DELETE FROM filings WHERE id = (SELECT a FROM ids)", expect: [:]),
            Door(name: "truncate filings", sql: "TRUNCATE filings CASCADE", expect: [:]),
            Door(name: "write a review", sql: """
                INSERT INTO reviews (id, filing_id, county_code, purpose, outcome, attempts, queued_at, last_error)
                SELECT 987654, a, '469005', 'decision', 'failed', 1, now(), 'test' FROM ids RETURNING id
                """, expect: [:]),
            Door(name: "write a finding", sql: """
                INSERT INTO findings (review_id, criterion, filing_id, county_code, module, module_version, kind, verdict, score,
                                      message_zh, message_en, citation)
                SELECT a * 1000, 'SEC-1', a, '469005', 'm', '1', 'threshold', 'pass', 100, 'z', 'e', 'c' FROM ids RETURNING review_id
                """, expect: [:]),
            Door(name: "change a finding", sql: "UPDATE findings SET verdict = 'pass' WHERE filing_id = (SELECT a FROM ids)", expect: [:]),
            Door(name: "delete a finding", sql: "DELETE FROM findings WHERE filing_id = (SELECT b FROM ids)", expect: [:]),
            Door(name: "change a review", sql: "UPDATE reviews SET recommendation = 'recommended' WHERE filing_id = (SELECT a FROM ids)",
                 expect: [:]),
            Door(name: "push a queued review", sql: "UPDATE review_queue SET not_before = now() WHERE county_code = '460105'",
                 expect: [:]),
            Door(name: "read coordinators", sql: "SELECT name FROM coordinators", expect: ["expert": .denied], otherwise: .none),
            Door(name: "write a coordinator heartbeat", sql: "INSERT INTO coordinators (name) VALUES ('intruder') RETURNING name",
                 expect: ["coordinator": .ok]),
            Door(name: "list logins", sql: "SELECT name FROM list_logins()", expect: ["admin": .ok, "auditor": .ok]),
            Door(name: "read migrations", sql: "SELECT version FROM schema_migrations", expect: ["admin": .ok, "auditor": .ok]),
            Door(name: "create a table", sql: "CREATE TABLE intruder (x int)", expect: [:]),
            Door(name: "change a policy", sql: "DROP POLICY filings_county_read ON filings", expect: [:]),
            Door(name: "grant oneself a county", sql: "GRANT cr_county_460105 TO CURRENT_USER", expect: [:]),
            Door(name: "fix what a queued review requires", sql: "UPDATE review_queue SET required = '[]' WHERE county_code = '460105'",
                 expect: [:]),
            Door(name: "delete the queue", sql: "DELETE FROM review_queue WHERE county_code = '460105' RETURNING id",
                 expect: [:]),
            Door(name: "queue a review", sql: "INSERT INTO review_queue (filing_id, county_code) SELECT a, '469005' FROM ids RETURNING id",
                 expect: [:]),
            // The submission door (sql/026) and the coordinator's checked writes (sql/027).
            Door(name: "send a submission", sql: #"INSERT INTO submissions (document) VALUES ('\x7b7d'::bytea) RETURNING id"#,
                 expect: ["county": .ok]),
            Door(name: "read own county's submissions", sql: "SELECT id FROM submissions WHERE county_code = '469005'",
                 expect: staffRead.merging(["county": .ok]) { $1 }),
            Door(name: "read another county's submissions", sql: "SELECT id FROM submissions WHERE county_code = '460105'",
                 expect: staffRead.merging(["county": .none]) { $1 }),
            Door(name: "change a submission's verdict", sql: "UPDATE submissions SET state = 'refused', issues = '[1]' RETURNING id",
                 expect: [:]),
            Door(name: "remove a submission", sql: "DELETE FROM submissions RETURNING id", expect: [:]),
            Door(name: "claim submissions", sql: "SELECT submission_id FROM claim_submissions(1)", expect: ["coordinator": .ok]),
            Door(name: "record a verdict", sql: "SELECT * FROM file_submissions('{}', '{}')", expect: ["coordinator": .none]),
            Door(name: "claim reviews", sql: "SELECT review_id FROM claim_reviews(1, '1 minute', 'x', '{}')", expect: ["coordinator": .ok]),
            Door(name: "complete reviews", sql: """
                SELECT * FROM complete_reviews('{}', '{}', '{}', '{}', '{}', '{}', '{}', '{}', '{}', '{}', '{}', '{}', '{}', '{}', '{}',
                                               '{}', '{}', '{}', '{}', '{}', '{}', '{}')
                """, expect: ["coordinator": .none]),
            Door(name: "fail reviews", sql: "SELECT * FROM fail_reviews('{}', '{}', '{}')", expect: ["coordinator": .none]),
            Door(name: "release reviews", sql: "SELECT release_reviews('{}')", expect: ["coordinator": .ok]),
            Door(name: "rescue reviews", sql: "SELECT * FROM rescue_reviews(3, 'x')", expect: ["coordinator": .ok]),
            Door(name: "learn the coordinators' channel", sql: "SELECT coordinator_channel()", expect: ["coordinator": .ok]),
            Door(name: "read the channels' secret", sql: "SELECT secret FROM channel_secret", expect: [:]),
            // What modules declare holds no county data: everyone who reads findings reads it; only
            // the coordinator records it.
            Door(name: "read what modules declare", sql: "SELECT module FROM module_declarations",
                 expect: staffRead.merging(["county": .ok, "expert": .ok]) { $1 }),
            Door(name: "record a module's declaration", sql: #"""
                INSERT INTO module_declarations (module, version, declaration, recorded_by)
                VALUES ('intruder', '1', '{"id": "intruder", "version": "1"}', 'x') RETURNING module
                """#, expect: ["coordinator": .ok]),
            Door(name: "change a module's declaration", sql: #"""
                UPDATE module_declarations SET declaration = '{"id": "green", "version": "1", "x": 1}' WHERE module = 'green'
                """#, expect: ["coordinator": .ok]),
            // The web door's (040): its sessions and the public's two functions are nobody's but
            // the authenticator's and the public role's, which no person holds.
            Door(name: "read the web sessions", sql: "SELECT person FROM web_sessions", expect: [:]),
            Door(name: "open a web session", sql: #"""
                SELECT web_session_open('\x0000000000000000000000000000000000000000000000000000000000000000', session_user, 60, 60, '')
                """#, expect: [:]),
            Door(name: "find a web session's person", sql: #"SELECT person FROM web_session_person('\x00')"#, expect: [:]),
            Door(name: "end a web session", sql: #"SELECT web_session_close('\x00')"#, expect: [:]),
            Door(name: "read the public notices as the public", sql: "SELECT cluster_name FROM public_notices()", expect: [:]),
            Door(name: "read the recognition list as the public", sql: "SELECT cluster_name FROM public_register()", expect: [:]),
            Door(name: "become the web door's authenticator", sql: "SET ROLE cr_web", expect: [:]),
            Door(name: "become the public", sql: "SET ROLE cr_public", expect: [:]),
            // Application rounds (120): everybody reads them; administrators open and close them;
            // nobody writes the table.
            Door(name: "read the rounds", sql: "SELECT id FROM rounds", expect: staffRead.merging(["county": .ok]) { $1 }),
            Door(name: "open a round", sql: "SELECT open_round('批次 ' || session_user, '{annual_report}', '2099-03-01', '2099-03-31')",
                 expect: ["admin": .ok]),
            Door(name: "close a round", sql: "SELECT close_round((SELECT min(id) FROM rounds))", expect: ["admin": .ok]),
            Door(name: "change a round", sql: "UPDATE rounds SET quota_total = 1 RETURNING id", expect: [:]),
            Door(name: "add a round", sql: "INSERT INTO rounds (name, kinds, opens_on, closes_on, opened_by) VALUES ('x', '{initial}', '2099-01-01', '2099-01-02', 'x') RETURNING id",
                 expect: [:]),
            // Notifications (122): each reads and marks read only its own (the set-up's reviews
            // notified county A, county B and the reviewers); only the database writes them;
            // auditors and coordinators hold no grant on the outbox.
            Door(name: "read own county's notifications", sql: "SELECT id FROM notifications WHERE recipient = 'role:cr_county_469005'",
                 expect: ["county": .ok, "reviewer": .none, "admin": .none, "expert": .none]),
            Door(name: "read another county's notifications", sql: "SELECT id FROM notifications WHERE recipient = 'role:cr_county_460105'",
                 expect: ["county": .none, "reviewer": .none, "admin": .none, "expert": .none]),
            Door(name: "read the reviewers' notifications", sql: "SELECT id FROM notifications WHERE recipient = 'role:cr_reviewer'",
                 expect: ["county": .none, "reviewer": .ok, "admin": .none, "expert": .none]),
            // The expert's own: the panel assignment (122's notify_expert_assigned).
            Door(name: "read own assignment notifications", sql: "SELECT id FROM notifications WHERE recipient_login = session_user",
                 expect: ["county": .none, "reviewer": .none, "admin": .none, "expert": .ok]),
            Door(name: "mark notifications read", sql: "UPDATE notifications SET read_at = now() RETURNING id",
                 expect: ["county": .ok, "reviewer": .ok, "admin": .none, "expert": .ok]),
            Door(name: "mark another county's notification read", sql: "UPDATE notifications SET read_at = now() WHERE recipient = 'role:cr_county_460105' RETURNING id",
                 expect: ["county": .none, "reviewer": .none, "admin": .none, "expert": .none]),
            Door(name: "change a notification's delivery", sql: "UPDATE notifications SET delivered_at = now() RETURNING id", expect: [:]),
            Door(name: "write a notification", sql: "INSERT INTO notifications (kind, event, recipient_role) VALUES ('reviewed', 'x', 'cr_county_460105') RETURNING id",
                 expect: [:]),
            Door(name: "delete notifications", sql: "DELETE FROM notifications RETURNING id", expect: [:]),
            Door(name: "write the notices due", sql: "SELECT notify_due()", expect: ["admin": .ok, "coordinator": .ok]),
            // Expert panels (121; docs/security.md, "Experts"). A's filing has a panel with the
            // expert, who has saved a score of COMP-1 and not submitted; another member has
            // submitted. B's filing has a panel of three other experts.
            Door(name: "read the panel one sits on", sql: "SELECT id FROM panels WHERE filing_id = (SELECT a FROM ids)",
                 expect: panelRead.merging(["expert": .ok]) { $1 }),
            Door(name: "read a panel one does not sit on", sql: "SELECT id FROM panels WHERE filing_id = (SELECT b FROM ids)",
                 expect: panelRead.merging(["expert": .none]) { $1 }),
            Door(name: "read who sits on one's panel", sql: """
                SELECT m.expert FROM panel_members m JOIN panels p ON p.id = m.panel_id WHERE p.filing_id = (SELECT a FROM ids)
                """, expect: panelRead.merging(["expert": .ok]) { $1 }),
            Door(name: "read who sits on another panel", sql: """
                SELECT m.expert FROM panel_members m JOIN panels p ON p.id = m.panel_id WHERE p.filing_id = (SELECT b FROM ids)
                """, expect: panelRead.merging(["expert": .none]) { $1 }),
            Door(name: "read one's own expert record", sql: "SELECT login FROM experts WHERE login = session_user",
                 expect: ["reviewer": .none, "admin": .none, "auditor": .none, "expert": .ok]),
            Door(name: "read other experts' records", sql: "SELECT login FROM experts WHERE login <> session_user",
                 expect: panelRead.merging(["expert": .none]) { $1 }),
            Door(name: "read one's own scores", sql: "SELECT criterion FROM expert_scores WHERE expert = session_user",
                 expect: ["reviewer": .none, "admin": .none, "auditor": .none, "expert": .ok]),
            Door(name: "read another member's score before submitting one's own", sql: """
                SELECT s.score FROM expert_scores s JOIN panels p ON p.id = s.panel_id
                WHERE p.filing_id = (SELECT a FROM ids) AND s.expert <> session_user
                """, expect: panelRead.merging(["expert": .none]) { $1 }),
            Door(name: "read the panel's result before submitting", sql: "SELECT median FROM panel_results WHERE filing_id = (SELECT a FROM ids)",
                 expect: panelRead.merging(["expert": .none]) { $1 }),
            Door(name: "score a criterion of one's panel", sql: "SELECT score_criterion((SELECT a FROM ids), 'COMP-1', 75, 'agree', '依据充分')",
                 expect: ["expert": .ok]),
            Door(name: "score a criterion of another panel", sql: "SELECT score_criterion((SELECT b FROM ids), 'COMP-1', 75, 'agree', '越权')",
                 expect: [:]),
            Door(name: "write a score past the function", sql: """
                INSERT INTO expert_scores (panel_id, expert, criterion, score, verdict, note)
                SELECT p.id, session_user, 'COMP-1', 100, 'agree', 'x' FROM panels p WHERE p.filing_id = (SELECT b FROM ids) RETURNING score
                """, expect: [:]),
            Door(name: "change a submitted score", sql: "UPDATE expert_scores SET score = 0 RETURNING score", expect: [:]),
            Door(name: "sit on a panel by INSERT", sql: """
                INSERT INTO panel_members (panel_id, expert) SELECT p.id, session_user FROM panels p WHERE p.filing_id = (SELECT b FROM ids)
                RETURNING expert
                """, expect: [:]),
            Door(name: "declare a conflict", sql: "SELECT declare_conflict('county', '469005', '曾在该县任职')", expect: ["expert": .ok]),
            Door(name: "read the panel settings", sql: "SELECT min_experts FROM panel_settings",
                 expect: panelRead.merging(["expert": .ok]) { $1 }),
            Door(name: "change the panel settings", sql: "UPDATE panel_settings SET spread_bound = 99 RETURNING spread_bound",
                 expect: ["admin": .ok]),
        ]

        @Test(arguments: roles)
        func eachRolePassesExactlyItsDoors(role: String) throws {
            let database = try SecureDatabase()
            let a = try database.file(county: SecureDatabase.countyA, suffix: "A", on: database.superuser)
            let b = try database.file(county: SecureDatabase.countyB, suffix: "B", on: database.superuser)
            try database.review(filing: a)
            try database.review(filing: b)
            let approved = try database.file(county: SecureDatabase.countyA, suffix: "A approved", on: database.superuser)
            try database.review(filing: approved)
            try database.superuser.query("UPDATE filings SET status = 'approved' WHERE id = $1", approved)
            try database.file(county: SecureDatabase.countyA, suffix: "A queued", on: database.superuser)
            try database.file(county: SecureDatabase.countyB, suffix: "B queued", on: database.superuser)
            // A pending submission of each county (the owner may name the county).
            try database.superuser.query(#"INSERT INTO submissions (document, county_code) VALUES ('\x7b7d', '469005'), ('\x7b7d', '460105')"#)
            try database.superuser.query(#"""
                INSERT INTO module_declarations (module, version, declaration, recorded_by)
                VALUES ('green', '1', '{"id": "green", "version": "1"}', 'test')
                """#)
            // A round announced for change reports (no filing of the set-up is of that kind).
            try database.superuser.query(
                "INSERT INTO rounds (name, kinds, opens_on, closes_on, opened_by) VALUES ('2099年', '{change_report}', '2099-01-01', '2099-01-31', 'test')")

            // Expert panels (121): A's filing judged by three experts from county B, the first of
            // whom has saved a score and not submitted while the second has submitted; B's filing
            // by three experts from county A.
            let experts = try (0..<3).map { _ in try database.login(.expert, hint: "exp") }
            let others = try (0..<3).map { _ in try database.login(.expert, hint: "oth") }
            for expert in experts { try Experts.register(expert.name, fields: ["商业航天"], homeCounty: SecureDatabase.countyB, on: database.superuser) }
            for expert in others { try Experts.register(expert.name, fields: ["新材料"], homeCounty: SecureDatabase.countyA, on: database.superuser) }
            try Panels.form(filing: a, experts: experts.map(\.name), on: database.superuser)
            try Panels.form(filing: b, experts: others.map(\.name), on: database.superuser)
            for (index, expert) in experts.prefix(2).enumerated() {
                let scoring = try PostgresConnection(expert.conninfo)
                defer { scoring.close() }
                try Panels.score(filing: a, criterion: "COMP-1", score: 60 + index * 20, verdict: "agree", note: "材料充分", on: scoring)
                if index == 1 { try Panels.submit(filing: a, on: scoring) }
            }

            let spec: RoleSpec = role == "county" ? .county(SecureDatabase.countyA) : RoleSpec(role)!
            let person = role == "expert" ? try PostgresConnection(experts[0].conninfo) : try database.connect(as: spec)
            defer { person.close() }
            var wrong: [String] = []
            for door in Self.doors {
                let expected = door.expect[role] ?? door.otherwise
                var rows = 0
                let state = SecurityFixtures.sqlState {
                    // Statements that take a WITH clause get the ids as parameters; DDL runs as written.
                    let takesIds = ["SELECT", "INSERT", "UPDATE", "DELETE"].contains { door.sql.hasPrefix($0) }
                    let result = takesIds
                        ? try person.query("WITH ids(a, b) AS (VALUES ($1::bigint, $2::bigint)) " + door.sql, a, b)
                        : try person.query(door.sql)
                    rows = max(result.rowCount, result.affectedRows)
                }
                let actual: String
                switch state {
                case nil: actual = rows > 0 ? Outcome.ok.rawValue : Outcome.none.rawValue
                case "42501"?: actual = Outcome.denied.rawValue
                case let other?: actual = "error \(other)"
                }
                if actual != expected.rawValue { wrong.append("\(door.name): expected \(expected.rawValue), got \(actual)") }
            }
            #expect(wrong.isEmpty, "\(role):\n\(wrong.joined(separator: "\n"))")
        }
    }
}
