import Foundation
import IndicatorKit
import JSONCore
import Postgres
@testable import ReviewCommands
import ReviewCore
import TestSupport
import Testing

/// Issue 15's last proof: docs/reviewer-guide.md's walkthrough run as a test. Every `cluster-review`
/// command of the guide's shell blocks is read from the guide (so the two cannot drift) and run, in
/// the guide's order, as a real `cluster-review` process against a real database whose filings came
/// through the submission door and were reviewed by the real coordinator (`serve`) and modules.
///
/// The guide's ids are placeholders the test substitutes: filing 42 is the COMP-9 waiver sample
/// (469002) with a general safety accident added (so VETO-1 warns, as the guide's confirmations
/// say), 43 a clear pass (469005) the reviewer returns, 44 the sample whose output is too small
/// (460302, COMP-6 fails) the reviewer refuses, and register entry 3 a cluster recognized beforehand.
/// Each step's exit code and a key line (in English, `--lang en`) are asserted; a guide command
/// this test has no expectation for fails the test, naming it. The guide's stated refusals
/// (approving with findings unconfirmed, refusing without grounds, an objection outside the notice)
/// are run at the point of the walkthrough where they apply.
@Suite struct ReviewerGuideWalkthroughTests {
    static let guide = "docs/reviewer-guide.md"

    /// What a step must do: its exit code and lines its output must contain.
    struct Expectation {
        var status: Int32
        var lines: [String]
    }

    /// The walkthrough's commands, as the guide writes them.
    static func walkthrough() throws -> [DocumentedExample] {
        let text = try String(contentsOf: projectRoot.appendingPathComponent(guide), encoding: .utf8)
        return DocumentedExample.examples(in: text, file: guide)
    }

    /// Files the samples through the door and lets the coordinator review them; the ids by placeholder.
    static func filings(_ db: PostgresConnection, _ conninfo: String) async throws -> [String: Int64] {
        let samples = try SampleFilings.all()
        func sample(_ file: String) throws -> Data {
            guard let found = samples.first(where: { $0.file == file }) else { throw WalkthroughError.noSample(file) }
            return found.data
        }
        // 42: the COMP-9 waiver sample, with a general safety accident at its first enterprise.
        let waiver = try JSONValue(parsing: try sample("469002-qionghai-medical-devices.json"))
        guard case .array(let enterprises)? = waiver["enterprises"], let enterprise = enterprises.first?["code"]?.string else {
            throw WalkthroughError.sampleWithoutEnterprises
        }
        let accident: JSONValue = .array([.object([
            "enterprise_code": .string(enterprise), "date": .string("2025-09-10"), "category": .string("safety"),
            "grade": .string("general"), "description": .string("装配车间轻微机械伤害"),
        ])])
        let fortyTwo = try JSONEncoder().encode(waiver.setting("incidents", to: accident))
        var ids: [String: Int64] = [:]
        ids["42"] = try TestDoor.file(fortyTwo, on: db, checkingOn: db)
        ids["43"] = try TestDoor.file(try sample("469005-wenchang-commercial-aerospace.json"), on: db, checkingOn: db)
        ids["44"] = try TestDoor.file(try sample("460302-xisha-ocean-fishery.json"), on: db, checkingOn: db)
        ids["recognized"] = try TestDoor.file(try sample("460105-xiuying-biomedicine.json"), on: db, checkingOn: db)
        let serve = try await CLIProcess.run(["serve", "--until-idle", "--no-sweeps"], conninfo: conninfo, timeout: .seconds(600))
        try #require(serve.status == 0, "serve --until-idle: \(serve.stderr.suffix(2000))")
        return ids
    }

    func today(_ db: PostgresConnection, _ day: String) throws {
        try DatabaseClock.simulate(CivilDateText.day(day), reason: "test: the reviewer guide's calendar", on: db)
    }

    /// Runs `cluster-review ARGUMENTS --lang en` (unless the step names its language) in `directory`.
    func run(_ arguments: [String], _ conninfo: String, in directory: String) async throws -> (status: Int32?, output: String) {
        let arguments = arguments.contains("--lang") ? arguments : arguments + ["--lang", "en"]
        let result = try await CLIProcess.run(arguments, conninfo: conninfo, environment: ["NO_COLOR": "1"], workingDirectory: directory)
        return (result.status, result.stdout + result.stderr)
    }

    /// Runs a step and checks it.
    func step(_ arguments: [String], _ expected: Expectation, _ conninfo: String, in directory: String, _ label: String) async throws {
        let (status, output) = try await run(arguments, conninfo, in: directory)
        #expect(status == expected.status, "\(label): exit \(status.map(String.init) ?? "none")\n\(output.suffix(3000))")
        for line in expected.lines {
            #expect(output.contains(line), "\(label): «\(line)» missing from:\n\(output.suffix(3000))")
        }
    }

    @Test func theReviewerGuidesWalkthroughRunsAgainstRealReviewedFilings() async throws {
        let steps = try Self.walkthrough()
        try #require(steps.count >= 15, "the guide's walkthrough: \(steps.map(\.text))")
        let conninfo = try TestCluster.makeDatabase()
        let db = try PostgresConnection(conninfo)
        defer { db.close() }
        let ids = try await Self.filings(db, conninfo)
        let directory = NSTemporaryDirectory() + "cr-guide-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }

        // Register entry 3 of the guide: a cluster recognized before the walkthrough starts.
        let recognized = try #require(ids["recognized"]).description
        try today(db, "2026-03-20")
        try await step(["confirm", recognized, "--all-manual", "accept", "--note", "材料齐全"], Expectation(status: 0, lines: []),
                       conninfo, in: directory, "setup confirm")
        try await step(["decide", recognized, "approve", "--note", "通过"], Expectation(status: 0, lines: []),
                       conninfo, in: directory, "setup approve")
        try today(db, "2026-03-30")
        try await step(["publicity", "close", recognized], Expectation(status: 0, lines: []), conninfo, in: directory, "setup close")
        let cluster: Int64 = try db.queryRow("SELECT id FROM clusters").decode("id")
        try today(db, "2026-04-28")

        let substitutes = ids.filter { $0.key != "recognized" }.mapValues(\.description)
        let name42: String = try db.queryRow("SELECT cluster_name FROM filings WHERE id = $1", ids["42"]!).decode("cluster_name")
        var ran: [String] = []
        var seen: [String: Int] = [:]
        for example in steps {
            // The guide's ids replaced by the filings' (and the register entry's).
            var arguments = example.arguments.map { substitutes[$0] ?? $0 }
            if arguments.starts(with: ["register", "refuse-monitoring"]), arguments.count > 2 { arguments[2] = cluster.description }
            if arguments.starts(with: ["publicity", "resolve"]), arguments.count > 2 {
                arguments[2] = try db.queryRow("SELECT max(id) AS id FROM objections").decode("id", as: Int64.self).description
            }
            let label = "\(example.file):\(example.line) \(example.text)"
            let key = example.arguments.prefix(3).joined(separator: " ")
            // The guide's refusals, where they apply.
            switch key {
            case "confirm 42 COMP-1":
                try await step(["decide", substitutes["42"]!, "approve", "--note", "通过"],
                               Expectation(status: 1, lines: ["COMP-9", "VETO-1"]), conninfo, in: directory, "approve before confirming")
            case "decide 44 refuse":
                try await step(["decide", substitutes["44"]!, "refuse", "--note", "不予认定"], Expectation(status: 64, lines: ["--grounds"]),
                               conninfo, in: directory, "refuse without grounds")
            case "object 42 --by":
                try await step(arguments, Expectation(status: 1, lines: ["2026-04-29"]), conninfo, in: directory, "object on the day of the decision")
                try today(db, "2026-04-30")
            case "publicity close 42":
                // The day after the notice's last day (2026-05-08, a Friday).
                try today(db, "2026-05-11")
            default: break
            }
            seen[key, default: 0] += 1
            let table = Self.expectations(name42: name42)
            let expected = try #require(table["\(key) #\(seen[key]!)"] ?? table[key], "no expectation for the guide's step \(label)")
            try await step(arguments, expected, conninfo, in: directory, label)
            ran.append(key)
        }
        // What the walkthrough left behind.
        #expect(FileManager.default.fileExists(atPath: directory + "/report-42.html"))
        #expect(FileManager.default.fileExists(atPath: directory + "/report-42-en.html"))
        #expect(FileManager.default.fileExists(atPath: directory + "/reports/index.html"))
        let statuses = try db.query("SELECT id, status FROM filings ORDER BY id").rows.map {
            try $0.decode("id", as: Int64.self).description + " " + $0.decode("status", as: String.self)
        }
        #expect(statuses.sorted() == ["\(ids["42"]!) refused", "\(ids["43"]!) returned", "\(ids["44"]!) refused", "\(recognized) recognized"].sorted())
        #expect(ran.count == steps.count)
    }

    /// Each step of the guide by its first three words (ids as the guide writes them).
    static func expectations(name42: String) -> [String: Expectation] {
        [
            "list --status reviewed": Expectation(status: 0, lines: [name42, "needs review (needs_review)"]),
            "status 42 #1": Expectation(status: 0, lines: [
                "status: reviewed", "Awaiting confirmation: COMP-1, COMP-2, COMP-3, COMP-4, COMP-9", "VETO-1",
            ]),
            "report 42": Expectation(status: 0, lines: ["Recommendation: Needs a reviewer's confirmation", "? manual COMP-9"]),
            "report 42 --html": Expectation(status: 0, lines: ["wrote report-42"]),
            "report --all --html": Expectation(status: 0, lines: ["wrote 4 reports", "reports/index.html"]),
            "confirm 42 COMP-1": Expectation(status: 0, lines: ["COMP-1", "accepted"]),
            "confirm 42 COMP-4": Expectation(status: 0, lines: ["COMP-4", "rejected"]),
            "confirm 42 COMP-9": Expectation(status: 0, lines: ["COMP-9", "accepted"]),
            "confirm 42 VETO-1": Expectation(status: 0, lines: ["VETO-1", "accepted"]),
            "confirm 42 COMP-2": Expectation(status: 0, lines: ["COMP-2", "COMP-3", "SUPP-1"]),
            "confirm 42 --all-manual": Expectation(status: 0, lines: ["COMP-4", "TIER-2"]),
            "decide 42 approve": Expectation(status: 0, lines: ["approve", "notice period: 2026-04-29 – 2026-05-08"]),
            "decide 43 return": Expectation(status: 0, lines: ["return"]),
            "decide 44 refuse": Expectation(status: 0, lines: ["refuse"]),
            "object 42 --by": Expectation(status: 0, lines: ["objection #", "filed against filing"]),
            "publicity show 42": Expectation(status: 0, lines: ["2026-04-29 – 2026-05-08", "海南某某有限公司", "[pending]"]),
            "publicity resolve 7": Expectation(status: 0, lines: ["resolved objection #", "upheld"]),
            "publicity close 42": Expectation(status: 0, lines: ["objection upheld", "back with the reviewer"]),
            "decide 42 refuse": Expectation(status: 0, lines: ["refuse"]),
            "status 42 #2": Expectation(status: 0, lines: ["status: refused", "Objection: 海南某某有限公司", "upheld"]),
            "register refuse-monitoring 3": Expectation(status: 0, lines: ["recorded refusal of monitoring", "Art. 14(3)"]),
        ]
    }
}

enum WalkthroughError: Error {
    case noSample(String)
    case sampleWithoutEnterprises
}
