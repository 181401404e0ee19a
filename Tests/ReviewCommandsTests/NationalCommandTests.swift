import Foundation
import Postgres
import TestSupport
import Testing

#if canImport(FoundationXML)
    import FoundationXML
#endif

/// The national recommendation end to end (issue 18 item 2): the demo's register, national reviews
/// queued by `national review`, run by a real coordinator (`serve --until-idle`) with the real
/// modules, then ranked by `national list` and exported by `national export`.
@Suite struct NationalCommandTests {
    /// A database with the demo's register and, when `reviewed`, a national round run on it.
    struct Round {
        let conninfo: String
        let connection: PostgresConnection

        init(reviewed: Bool = true) async throws {
            conninfo = try TestCluster.makeDatabase(migrated: false)
            let reports = NSTemporaryDirectory() + "cr-national-\(UUID().uuidString)"
            defer { try? FileManager.default.removeItem(atPath: reports) }
            let demo = try await CLIProcess.run(["demo", "--reports", reports, "--lang", "en"], conninfo: conninfo, timeout: .seconds(240))
            #expect(demo.status == 0, "\(demo.stderr.suffix(2000))")
            connection = try PostgresConnection(conninfo)
            if reviewed {
                let queued = try await CLIProcess.run(["national", "review", "--lang", "en"], conninfo: conninfo)
                #expect(queued.status == 0, "\(queued.stderr)")
                try await serve()
            }
        }

        /// Runs a coordinator until the queue is empty.
        func serve() async throws {
            let served = try await CLIProcess.run(["serve", "--until-idle"], conninfo: conninfo, timeout: .seconds(240))
            #expect(served.status == 0, "\(served.stderr.suffix(2000))")
        }

        func run(_ arguments: [String]) async throws -> (status: Int32?, stdout: String, stderr: String) {
            try await CLIProcess.run(arguments, conninfo: conninfo)
        }

        /// Every row of the record a national review must leave alone, with its row version
        /// (xmin): a row rewritten with the same values still differs.
        func untouchable() throws -> [String] {
            try connection.query("""
                SELECT 'filings ' || xmin || ' ' || row_to_json(f)::text AS row FROM filings f
                UNION ALL SELECT 'reviews ' || xmin || ' ' || row_to_json(r)::text FROM reviews r WHERE purpose <> 'national'
                UNION ALL SELECT 'findings ' || x.xmin || ' ' || row_to_json(x)::text FROM findings x
                    JOIN reviews r ON r.id = x.review_id WHERE r.purpose <> 'national'
                UNION ALL SELECT 'confirmations ' || xmin || ' ' || row_to_json(c)::text FROM confirmations c
                UNION ALL SELECT 'decisions ' || xmin || ' ' || row_to_json(d)::text FROM decisions d
                UNION ALL SELECT 'clusters ' || xmin || ' ' || row_to_json(c)::text FROM clusters c
                UNION ALL SELECT 'cluster_terms ' || xmin || ' ' || row_to_json(t)::text FROM cluster_terms t
                UNION ALL SELECT 'publicity_notices ' || xmin || ' ' || row_to_json(p)::text FROM publicity_notices p
                UNION ALL SELECT 'annual_reports ' || xmin || ' ' || row_to_json(a)::text FROM annual_reports a
                ORDER BY 1
                """).rows.map { try $0.decode("row") }
        }

        /// The verdicts of a review, by criterion.
        func verdicts(_ review: Int64) throws -> [String: String] {
            var result: [String: String] = [:]
            for row in try connection.query("SELECT criterion, verdict FROM findings WHERE review_id = $1", review).rows {
                result[try row.decode("criterion")] = try row.decode("verdict")
            }
            return result
        }

        /// Each active entry's filing (the current term's) with its latest national and decision reviews, read here.
        func entries() throws -> [(certificate: String, cluster: Int64, national: Int64?, decision: Int64?, output: Decimal?)] {
            try connection.query("""
                SELECT c.certificate_no, c.id,
                       (SELECT r.id FROM reviews r WHERE r.filing_id = t.filing_id AND r.purpose = 'national' AND r.outcome = 'completed'
                        ORDER BY r.finished_at DESC, r.id DESC LIMIT 1) AS national,
                       (SELECT r.id FROM reviews r WHERE r.filing_id = t.filing_id AND r.purpose = 'decision' AND r.outcome = 'completed'
                        ORDER BY r.finished_at DESC, r.id DESC LIMIT 1) AS decision,
                       (SELECT (g ->> 'total_output_wan')::numeric FROM filings f, jsonb_array_elements(f.payload -> 'figures') g
                        WHERE f.id = t.filing_id ORDER BY (g ->> 'year')::int DESC LIMIT 1) AS output
                FROM clusters c JOIN cluster_current_terms t ON t.cluster_id = c.id
                WHERE c.status = 'active'
                """).rows.map {
                (try $0.decode("certificate_no"), try $0.decode("id"), try $0.decode("national"), try $0.decode("decision"), try $0.decode("output"))
            }
        }
    }

    static func json(_ text: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
    }

    /// RFC 4180, as a spreadsheet reads it: quoted fields with doubled quotes, CRLF between records.
    static func parseCSV(_ text: String) -> [[String]] {
        var records: [[String]] = [], record: [String] = [], field = "", quoted = false
        var characters = Array(text.unicodeScalars)[...]
        while let c = characters.popFirst() {
            if quoted {
                if c == "\"" {
                    if characters.first == "\"" { field.unicodeScalars.append("\""); characters.removeFirst() } else { quoted = false }
                } else { field.unicodeScalars.append(c) }
            } else if c == "\"" { quoted = true
            } else if c == "," { record.append(field); field = ""
            } else if c == "\r", characters.first == "\n" {
                characters.removeFirst(); record.append(field); records.append(record); record = []; field = ""
            } else { field.unicodeScalars.append(c) }
        }
        if !field.isEmpty || !record.isEmpty { record.append(field); records.append(record) }
        return records
    }

    @Test func aNationalReviewLeavesTheFilingItsDecisionReviewConfirmationsAndTheRegisterUntouched() async throws {
        let round = try await Round(reviewed: false)
        let before = try round.untouchable()
        let queued = try await round.run(["national", "review", "--lang", "en"])
        #expect(queued.status == 0, "\(queued.stderr)")
        try await round.serve()
        let national: Int = try round.connection.queryRow(
            "SELECT count(*)::int AS n FROM reviews WHERE purpose = 'national' AND outcome = 'completed' AND rulebook = 'national-2022'").decode("n")
        #expect(national == (try round.entries().count) && national > 0)
        let after = try round.untouchable()
        #expect(before.count == after.count)
        #expect(before == after, "\(Set(before).symmetricDifference(after).sorted().prefix(4))")
        // list (and status and report, which read the same records) still shows the decision review.
        let list = try await round.run(["list", "--json"])
        #expect(list.status == 0, "\(list.stderr)")
        let nationalIds = Set(try round.connection.query("SELECT id FROM reviews WHERE purpose = 'national'").rows
            .map { Int(try $0.decode("id", as: Int64.self)) })
        let listed = (try JSONSerialization.jsonObject(with: Data(list.stdout.utf8)) as? [[String: Any]] ?? [])
            .compactMap { ($0["reviewId"] ?? $0["review_id"]) as? Int }
        #expect(!listed.isEmpty && nationalIds.isDisjoint(with: listed), "\(listed) \(nationalIds)")
    }

    @Test func queuingTwiceQueuesOnceAndSaysSo() async throws {
        let round = try await Round(reviewed: false)
        let first = try await round.run(["national", "review", "--json"])
        let second = try await round.run(["national", "review", "--json", "--lang", "en"])
        #expect(first.status == 0 && second.status == 0, "\(first.stderr) \(second.stderr)")
        let outcomes = { (text: String) throws -> [String] in
            try (JSONSerialization.jsonObject(with: Data(text.utf8)) as? [[String: Any]] ?? []).compactMap { $0["outcome"] as? String }
        }
        #expect(try outcomes(first.stdout).allSatisfy { $0 == "queued" } && !(try outcomes(first.stdout)).isEmpty)
        #expect(try outcomes(second.stdout).allSatisfy { $0 == "already_queued" })
        try await round.serve()
        let third = try await round.run(["national", "review", "--lang", "en"])
        #expect(third.stdout.contains("already reviewed under this rulebook and as-of date, not queued twice"), "\(third.stdout)")
        let perFiling: [Int] = try round.connection.query(
            "SELECT count(*)::int AS n FROM reviews WHERE purpose = 'national' GROUP BY filing_id").rows.map { try $0.decode("n") }
        #expect(!perFiling.isEmpty && perFiling.allSatisfy { $0 == 1 })
    }

    @Test func theListRanksEligibleFirstThenByScoreThenOutputAsTheFindingsSay() async throws {
        let round = try await Round()
        let listed = try await round.run(["national", "list", "--json"])
        #expect(listed.status == 0, "\(listed.stderr)")
        let candidates = try #require(try Self.json(listed.stdout)["candidates"] as? [[String: Any]])
        // The ranking computed here from the findings themselves.
        var expected: [(reviewed: Bool, eligible: Bool, score: Decimal?, output: Decimal?, certificate: String)] = []
        for entry in try round.entries() {
            guard let national = entry.national else { expected.append((false, false, nil, entry.output, entry.certificate)); continue }
            let rows = try round.connection.query("SELECT verdict, score::int AS score FROM findings WHERE review_id = $1", national).rows
            let verdicts: [String] = try rows.map { try $0.decode("verdict") }
            let decided = try rows.filter { ["pass", "warn", "fail"].contains(try $0.decode("verdict", as: String.self)) }
                .map { Decimal(try $0.decode("score", as: Int.self)) }
            var score: Decimal?
            if !decided.isEmpty {
                var mean = decided.reduce(0, +) / Decimal(decided.count), rounded = Decimal()
                NSDecimalRound(&rounded, &mean, 2, .plain)
                score = rounded
            }
            expected.append((true, !verdicts.contains("fail") && !verdicts.contains("error"), score, entry.output, entry.certificate))
        }
        expected.sort { a, b in
            if a.reviewed != b.reviewed { return a.reviewed }
            if a.eligible != b.eligible { return a.eligible }
            if a.score != b.score { return (a.score ?? -1) > (b.score ?? -1) }
            if a.output != b.output { return (a.output ?? -1) > (b.output ?? -1) }
            return a.certificate < b.certificate
        }
        #expect(candidates.compactMap { $0["certificate_no"] as? String } == expected.map(\.certificate))
        #expect(candidates.compactMap { $0["rank"] as? Int } == Array(1...expected.count))
        for (candidate, want) in zip(candidates, expected) {
            #expect((candidate["eligible"] as? Bool) == want.eligible, "\(want.certificate)")
        }
    }

    @Test func theExportedSummaryParsesBackAndItsDifferencesAreThePerCriterionFindings() async throws {
        let round = try await Round()
        let out = NSTemporaryDirectory() + "cr-national-out-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: out) }
        let exported = try await round.run(["national", "export", "--out", out, "--lang", "en"])
        #expect(exported.status == 0, "\(exported.stderr)")
        let bytes = try Data(contentsOf: URL(fileURLWithPath: out + "/national-summary.csv"))
        #expect(Array(bytes.prefix(3)) == [0xEF, 0xBB, 0xBF], "a byte-order mark")
        let text = String(decoding: bytes.dropFirst(3), as: UTF8.self)
        #expect(text.hasSuffix("\r\n") && !text.replacingOccurrences(of: "\r\n", with: "").contains("\n"), "CRLF only")
        let records = Self.parseCSV(text)
        let header = try #require(records.first)
        let entries = try round.entries()
        #expect(records.count == entries.count + 1)
        let certificate = try #require(header.firstIndex(of: "Certificate"))
        let missed = try #require(header.firstIndex(of: "Criteria missed"))
        let met = try #require(header.firstIndex(of: "Criteria met"))
        let differences = try #require(header.firstIndex(of: "Where the two rulebooks differ"))
        let document = try XMLDocument(data: Data(contentsOf: URL(fileURLWithPath: out + "/national-summary.html")), options: [])
        #expect(try document.nodes(forXPath: "//script").isEmpty)
        var compared = 0
        for record in records.dropFirst() {
            #expect(record.count == header.count)
            let entry = try #require(entries.first { $0.certificate == record[certificate] })
            guard let national = entry.national else { continue }
            let nationalVerdicts = try round.verdicts(national)
            #expect(Set(record[missed].split(separator: " ").map(String.init)) == Set(nationalVerdicts.filter { $0.value == "fail" }.keys))
            #expect(Set(record[met].split(separator: " ").map(String.init)) == Set(nationalVerdicts.filter { $0.value == "pass" }.keys))
            var expected: Set<String> = []
            if let decision = entry.decision {
                let provinceVerdicts = try round.verdicts(decision)
                for criterion in Set(nationalVerdicts.keys).union(provinceVerdicts.keys) where nationalVerdicts[criterion] != provinceVerdicts[criterion] {
                    expected.insert("\(criterion):\(provinceVerdicts[criterion] ?? "none")>\(nationalVerdicts[criterion] ?? "none")")
                }
                compared += expected.isEmpty ? 0 : 1
            }
            #expect(Set(record[differences].split(separator: " ").map(String.init)) == expected, "\(entry.certificate)")
            // The page shows the same differences, criterion by criterion.
            let rows = try document.nodes(forXPath: "//section[@data-cluster='\(entry.cluster)']//tr[@data-criterion]")
            let shown = Set(rows.compactMap { node -> String? in
                guard let element = node as? XMLElement, let criterion = element.attribute(forName: "data-criterion")?.stringValue else { return nil }
                let province = element.attribute(forName: "data-province")?.stringValue ?? ""
                let nationalVerdict = element.attribute(forName: "data-national")?.stringValue ?? ""
                return "\(criterion):\(province.isEmpty ? "none" : province)>\(nationalVerdict.isEmpty ? "none" : nationalVerdict)"
            })
            #expect(shown == expected, "\(entry.certificate)")
        }
        #expect(compared > 0, "the demo's register holds entries the two rulebooks judge differently")
    }

    @Test(arguments: [
        (["national", "review", "--clusters", "1,x"], Int32(64)),
        (["national", "review", "--clusters", "1", "--round", "1"], Int32(64)),
        (["national", "review", "--clusters", "999999"], Int32(65)),
        (["national", "list", "--rulebook", "no-such-rulebook"], Int32(65)),
        (["national", "list", "--json", "--csv"], Int32(64)),
        (["national", "export"], Int32(64)),
        (["national", "review", "--help"], Int32(0)),
    ])
    func nationalCommandsExitAsDocumented(_ arguments: [String], _ exit: Int32) async throws {
        let conninfo = try TestCluster.makeDatabase()
        let result = try await CLIProcess.run(arguments, conninfo: conninfo)
        #expect(result.status == exit, "\(arguments): \(result.stderr)")
    }
}
