import Foundation
import IndicatorKit
import JSONCore
import Postgres
import ReviewCore
import TestSupport
import Testing

/// A round end to end on a real database (issue 17, "Proven by", items 1 and 2): opened; the 26
/// counties' initial samples filed in one batch, two beyond the quota refused; one after the
/// deadline refused; a panel of three per filing formed, a conflicted expert refused; experts score
/// and submit; the reviewer confirms from the panel; decisions, notice, recognition with the
/// round's validity start. Reviews are recorded as the coordinator would (one manual finding each).
@Suite(.serialized) struct RoundJourneyTests {
    @Test func aRoundFromOpeningToRecognition() throws {
        let database = try SecureDatabase()
        let owner = database.superuser
        try LifecycleFixture.today(owner, "2026-03-16")
        let lifecycle = try LifecycleFixture.lifecycle(owner)
        let admin = try database.connect(as: .admin)
        let round = try Rounds.open(RoundDraft(
            name: "2026年第一批", kinds: ["initial"], opensOn: CivilDate("2026-03-01")!, closesOn: CivilDate("2026-03-31")!,
            rulebook: "hainan-2023", quotaPerCounty: 1, quotaTotal: 24, validityStartsOn: CivilDate("2026-07-01")!), on: admin)

        // The 26 counties' initial samples, in one batch.
        let samples = try SampleFilings.all().filter { (try? JSONValue(parsing: $0.data))?["kind"]?.string == "initial" }
        #expect(samples.count == 26)
        #expect(Set(samples.map { $0.file.prefix(6) }).count == 26)
        let verdicts = try TestDoor.submit(samples.map(\.data), on: owner, checkingOn: owner)
        var filed: [Int64] = []
        var refused: [String] = []
        for verdict in verdicts {
            switch verdict {
            case .filed(let id): filed.append(id)
            case .refused(let issues): refused += issues.map(\.rule)
            default: Issue.record("unexpected \(verdict)")
            }
        }
        #expect(filed.count == 24)
        #expect(refused == ["round_quota", "round_quota"])
        #expect(try Rounds.tally(round: round, on: admin).reduce(0) { $0 + $1.count } == 24)

        // After the deadline: refused, naming the round's last day.
        try LifecycleFixture.today(owner, "2026-04-01")
        let late = try TestDoor.submit([try SecurityFixtures.submission(county: "469001", suffix: "late")], on: owner, checkingOn: owner)[0]
        guard case .refused(let issues) = late else { Issue.record("late filing \(late)"); return }
        #expect(issues.map(\.rule) == ["round"])
        #expect(issues[0].message.en.contains("took them until 2026-03-31"))

        // Reviews, as the coordinator records them: COMP-1 manual.
        for filing in filed { try database.review(filing: filing) }

        // Experts from five counties; one declares a conflict with an enterprise of the first filing.
        let homes = ["469001", "469002", "460105", "469006", "469007"]
        var experts: [(login: String, home: String)] = []
        for home in homes {
            let login = SecurityFixtures.uniqueName("x")
            try Experts.add(name: login, fields: ["产业经济"], homeCounty: home, on: admin)
            experts.append((login, home))
        }
        let first = try owner.queryRow(
            "SELECT county_code, payload -> 'enterprises' -> 0 ->> 'code' AS code FROM filings WHERE id = $1", [filed[0]])
        let firstCounty: String = try first.decode("county_code")
        let enterprise: String = try first.decode("code")
        let conflicted = try #require(experts.first { $0.home != firstCounty })
        try Experts.declareConflict(kind: "enterprise", subject: enterprise, note: "持有该企业股份",
                                    on: try PostgresConnection(database.conninfo + " user=\(conflicted.login)"))

        // A panel of three per filing: none from the filing's county; the conflicted expert refused.
        let reviewer = try database.connect(as: .reviewer)
        var panels: [Int64: [String]] = [:]
        for filing in filed {
            let county: String = try owner.queryRow("SELECT county_code FROM filings WHERE id = $1", [filing]).decode("county_code")
            var eligible = experts.filter { $0.home != county }.map(\.login)
            if filing == filed[0] {
                let refusal = lifecycleError { try Panels.form(filing: filing, experts: Array(eligible.prefix(3)), on: reviewer) }
                #expect(eligible.prefix(3).contains(conflicted.login), "the conflicted expert is among the first three eligible")
                #expect(refusal?.code == .conflictOfInterest)
                #expect(refusal?.message.en.contains("持有该企业股份") == true)
                eligible.removeAll { $0 == conflicted.login }
            }
            let members = Array(eligible.prefix(3))
            try Panels.form(filing: filing, experts: members, on: reviewer)
            panels[filing] = members
        }

        // Experts score and submit; the reviewer confirms from the panel and approves.
        var connections: [String: PostgresConnection] = [:]
        for expert in experts { connections[expert.login] = try PostgresConnection(database.conninfo + " user=\(expert.login)") }
        for (filing, members) in panels {
            for (n, member) in members.enumerated() {
                let connection = try #require(connections[member])
                try Panels.score(filing: filing, criterion: "COMP-1", score: 78 + n * 4, verdict: "agree", note: "特色鲜明", on: connection)
                try Panels.submit(filing: filing, on: connection)
            }
            let result = try #require(try Panels.results(filing: filing, on: reviewer).first)
            #expect(result.median == Decimal(82) && result.spread == 8 && !result.flagged)
            _ = try Lifecycle(reviewer).confirm(filing: filing, criterion: "COMP-1", accept: true, note: "依专家组意见：中位数 82")
        }
        try LifecycleFixture.today(owner, "2026-04-28")
        for filing in filed { try Lifecycle(reviewer).decide(filing: filing, .approve, note: "经专家评审符合认定条件") }

        // The notice runs; the day after it ends every filing is recognized, valid from the round's start.
        let notice = try #require(try lifecycle.notice(filing: filed[0]))
        try LifecycleFixture.today(owner, notice.endsOn.adding(days: 1))
        for filing in filed { _ = try #require(try lifecycle.closePublicity(filing: filing)) }
        let register = try Register.list(owner, status: "active")
        #expect(register.count == 24)
        #expect(register.allSatisfy { $0.recognizedOn == CivilDate("2026-07-01")! && $0.validUntil == CivilDate("2029-07-01")! })
        #expect(try Rounds.tally(round: round, on: admin) .allSatisfy { $0.status == "recognized" && $0.count == 1 })
    }
}
