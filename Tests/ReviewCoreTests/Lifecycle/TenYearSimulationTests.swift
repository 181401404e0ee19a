import Foundation
import IndicatorKit
import Postgres
import ReviewCore
import TestSupport
import Testing

/// Fifty clusters over ten years on the simulated calendar, the sweep run every day: each cluster
/// has a scripted life (a public notice with or without objection, renewals on time, late within
/// the recheck window, refused, too late, never, a second attempt at recognition), and the final
/// register, its terms and every sweep action equal an expectation table computed from the rules
/// of criteria.md ("Procedure and dynamic management") — not from the code.
///
/// The rules the table applies: a notice that ended with no objection pending or upheld is
/// recognized by the sweep the next day (or the day a pending objection is dismissed); term 1 runs
/// from that day for three years; a renewal opens a term from the day after the old last day for
/// three years, however late the approval; the expiry notice comes 90 days before a term's last
/// day; an unrenewed term expires the day after it; 14(1) "expired" comes the day after the
/// 183-day recheck window, when no recertification was filed for the term (from its first day to
/// the window's last); a refused recertification is 14(1) on the day it is refused; a cluster is on
/// the register once. Annual reports are filed on time throughout, so 14(3) never applies.
@Suite struct TenYearSimulationTests {
    typealias F = LifecycleFixture
    static let start = F.day("2026-03-01")
    static let end = F.day("2036-03-01")
    static let window = 183
    static let clusters = 50

    enum Renewal: Equatable { case onTime, late(Int), refused, tooLate(Int) }
    enum NoticeOutcome { case plain, objectionDismissed, objectionUpheld }

    /// One cluster's scripted life.
    struct Script {
        var name: String
        var filedOn: CivilDate
        var notice: NoticeOutcome
        /// The recertifications, term by term; after the last, none (the cluster lets it expire).
        var plan: [Renewal]
        /// A second initial filing for the same cluster, approved after recognition (refused: CR009).
        var duplicate: Bool
    }

    static func script(_ i: Int) -> Script {
        let plans: [[Renewal]] = [[.onTime, .onTime], [.late(60)], [], [.late(183), .onTime, .onTime], [.refused, .late(100)], [.tooLate(190)]]
        let notice: NoticeOutcome = i % 10 == 3 ? .objectionDismissed : i % 10 == 7 ? .objectionUpheld : .plain
        return Script(name: "模拟集群\(i)", filedOn: start.adding(days: 1 + 8 * i), notice: notice, plan: plans[i % plans.count],
                      duplicate: i % 10 == 5)
    }

    /// What happened that the table needs: the notice and the refused recertification's filing.
    struct Record {
        var initialFiling: Int64 = 0
        var noticeId: Int64 = 0
        var noticeEnds: CivilDate?
        var refusedFiling: Int64?
        var duplicateRefused = false
    }

    struct ExpectedTerm: Equatable, CustomStringConvertible {
        var kind: String, startsOn: CivilDate, endsOn: CivilDate
        var description: String { "\(kind) \(startsOn)–\(endsOn)" }
    }

    struct Expected {
        var recognizedOn: CivilDate?
        var terms: [ExpectedTerm] = []
        var status: String?
        /// `action ground subject found_on`, one per action.
        var actions: Set<String> = []
    }

    /// The expectation for one cluster, from the rules above.
    static func expectation(_ s: Script, _ r: Record) -> Expected {
        var x = Expected()
        guard s.notice != .objectionUpheld, let noticeEnds = r.noticeEnds else { return x }
        func add(_ action: String, _ ground: String, _ subject: String, _ day: CivilDate) {
            if day <= end { x.actions.insert("\(action) \(ground) \(subject) \(day)") }
        }
        let recognized = s.notice == .objectionDismissed ? noticeEnds.adding(days: 3) : noticeEnds.adding(days: 1)
        x.recognizedOn = recognized
        add("recognize", "", "notice:\(r.noticeId)", recognized)
        var since = recognized, last = recognized.adding(years: 3)
        x.terms = [ExpectedTerm(kind: "recognized", startsOn: recognized, endsOn: last)]
        var plan = s.plan[...]
        var refusedThisTerm = false
        var noticed = false
        while true {
            if !noticed { add("expiry_notice", "", "valid_until:\(last)", max(last.adding(days: -90), since)) }
            noticed = true
            let next = plan.popFirst()
            var approvedOn: CivilDate?
            switch next {
            case .onTime?: approvedOn = last.adding(days: -10)
            case .late(let k)?:
                approvedOn = last.adding(days: k + 20)
                add("expire", "", "valid_until:\(last)", last.adding(days: 1))
                if k > window { add("revoke", "14(1)", "expired:\(last)", last.adding(days: window + 1)) }
            case .refused?:
                add("revoke", "14(1)", "recertification:\(r.refusedFiling ?? -1)", last.adding(days: -5))
                refusedThisTerm = true
                continue
            case .tooLate?, nil:
                add("expire", "", "valid_until:\(last)", last.adding(days: 1))
                if !refusedThisTerm { add("revoke", "14(1)", "expired:\(last)", last.adding(days: window + 1)) }
            }
            guard let approved = approvedOn, approved <= end else { break }
            let starts = last.adding(days: 1)
            last = last.adding(years: 3)
            x.terms.append(ExpectedTerm(kind: "recertified", startsOn: starts, endsOn: last))
            since = approved
            noticed = false
            refusedThisTerm = false
        }
        x.status = last >= end ? "active" : "expired"
        return x
    }

    /// The simulation: every scripted step on its day, then that day's sweep.
    final class Simulation {
        let db: PostgresConnection
        let lifecycle: Lifecycle
        var events: [CivilDate: [() throws -> Void]] = [:]
        var records: [Record]
        let scripts: [Script]

        init(_ db: PostgresConnection) throws {
            self.db = db
            // Thousands of small transactions: do not wait for each commit to reach the disk (the
            // test's own throwaway database; what is committed is the same).
            try db.executeScript("SET synchronous_commit = off")
            lifecycle = try F.lifecycle(db)
            scripts = (0..<TenYearSimulationTests.clusters).map(TenYearSimulationTests.script)
            records = Array(repeating: Record(), count: scripts.count)
            for (i, s) in scripts.enumerated() { at(s.filedOn) { try self.file(i) } }
        }

        func at(_ day: CivilDate, _ step: @escaping () throws -> Void) { events[day, default: []].append(step) }

        func cluster(_ i: Int) throws -> Int64 {
            try db.queryRow("SELECT id FROM clusters WHERE filing_id = $1", [records[i].initialFiling]).decode("id")
        }

        func file(_ i: Int) throws {
            let s = scripts[i]
            let filing = try F.filing(db, filedOn: s.filedOn.description, name: s.name)
            try F.review(db, filing: filing, findings: [("COMP-1", "pass"), ("GOVE-4", "pass")])
            records[i].initialFiling = filing
            at(s.filedOn.adding(days: 30)) { try self.approve(i) }
        }

        func approve(_ i: Int) throws {
            let s = scripts[i], filing = records[i].initialFiling
            try lifecycle.decide(filing: filing, .approve, note: "符合认定条件")
            let notice = try #require(try lifecycle.notice(filing: filing))
            records[i].noticeId = try db.queryRow("SELECT id FROM publicity_notices WHERE filing_id = $1", [filing]).decode("id")
            records[i].noticeEnds = notice.endsOn
            var recognized = notice.endsOn.adding(days: 1)
            switch s.notice {
            case .plain: break
            case .objectionDismissed:
                recognized = notice.endsOn.adding(days: 3)
                var objection: Int64 = 0
                at(notice.startsOn) { objection = try self.lifecycle.fileObjection(filing: filing, by: "某企业", reason: "产值数据存疑") }
                at(recognized) { try self.lifecycle.resolveObjection(objection, upheld: false, note: "经核实数据无误") }
            case .objectionUpheld:
                at(notice.startsOn) {
                    let objection = try self.lifecycle.fileObjection(filing: filing, by: "某企业", reason: "企业名单有误")
                    try self.lifecycle.resolveObjection(objection, upheld: true, note: "异议成立")
                }
                at(notice.endsOn.adding(days: 1)) { _ = try self.lifecycle.closePublicity(filing: filing) }
                return
            }
            // Annual reports on time, every year from the year of recognition.
            for year in recognized.year...TenYearSimulationTests.end.year {
                let due = CivilDate(year: year + 1, month: 3, day: 1)!
                at(due) { try F.annualReport(self.db, cluster: try self.cluster(i), year: year, filedOn: due.description) }
            }
            if s.duplicate {
                at(recognized.adding(days: 30)) {
                    let again = try F.filing(self.db, filedOn: recognized.adding(days: 30).description, name: s.name)
                    try F.review(self.db, filing: again, findings: [("COMP-1", "pass")])
                    self.at(recognized.adding(days: 40)) {
                        let error = lifecycleError { try self.lifecycle.decide(filing: again, .approve, note: "重复申报") }
                        self.records[i].duplicateRefused = error?.code == .alreadyDone
                    }
                }
            }
            schedule(i, termEnds: recognized.adding(years: 3), plan: s.plan[...])
        }

        /// The recertifications of the term ending on `last`, and of the terms they open.
        func schedule(_ i: Int, termEnds last: CivilDate, plan: ArraySlice<Renewal>) {
            guard let next = plan.first else { return }
            let rest = plan.dropFirst()
            func recertify(filedOn: CivilDate, decidedOn: CivilDate?, approve: Bool) {
                at(filedOn) {
                    let filing = try F.filing(self.db, kind: "recertification", filedOn: filedOn.description, cluster: try self.cluster(i),
                                              name: self.scripts[i].name)
                    try F.review(self.db, filing: filing, findings: [("PLAN-1", approve ? "pass" : "fail")])
                    guard let decidedOn else { return }
                    self.at(decidedOn) {
                        if approve {
                            try self.lifecycle.decide(filing: filing, .approve, note: "复核通过")
                        } else {
                            try self.lifecycle.decide(filing: filing, .refuse, note: "复核未通过", grounds: "PLAN-1：规划目标未完成")
                            self.records[i].refusedFiling = filing
                        }
                    }
                }
            }
            switch next {
            case .onTime:
                recertify(filedOn: last.adding(days: -30), decidedOn: last.adding(days: -10), approve: true)
                schedule(i, termEnds: last.adding(years: 3), plan: rest)
            case .late(let k):
                recertify(filedOn: last.adding(days: k), decidedOn: last.adding(days: k + 20), approve: true)
                schedule(i, termEnds: last.adding(years: 3), plan: rest)
            case .refused:
                recertify(filedOn: last.adding(days: -30), decidedOn: last.adding(days: -5), approve: false)
                schedule(i, termEnds: last, plan: rest)
            case .tooLate(let k):
                recertify(filedOn: last.adding(days: k), decidedOn: nil, approve: true)
            }
        }

        /// Every day from the start to the end: the day's steps, then the sweep. Returns the sweeps run.
        func run() throws -> Int {
            var day = TenYearSimulationTests.start, sweeps = 0
            while day <= TenYearSimulationTests.end {
                try F.today(db, day)
                // Steps may add steps for later days, never for this one.
                for step in events.removeValue(forKey: day) ?? [] { try step() }
                _ = try Sweep(db).run()
                sweeps += 1
                day = day.adding(days: 1)
            }
            return sweeps
        }
    }

    @Test func fiftyClustersOverTenYearsEndAsTheRulesSay() throws {
        let db = try TestCluster.connect()
        defer { db.close() }
        let simulation = try Simulation(db)
        let started = Date()
        let sweeps = try simulation.run()
        let seconds = Date().timeIntervalSince(started)
        #expect(sweeps == 3654)
        print("ten-year simulation: \(Self.clusters) clusters, \(sweeps) daily sweeps in \(String(format: "%.1f", seconds)) s")

        var expectedDuplicates = 0, recognizedCount = 0, secondTerms = 0, thirdTerms = 0, revocations = 0
        for (i, script) in simulation.scripts.enumerated() {
            let record = simulation.records[i]
            let expected = Self.expectation(script, record)
            let rows = try db.query(
                """
                SELECT c.id, c.status, c.recognized_on::text, c.valid_until::text FROM clusters c WHERE c.name = $1
                """, [script.name]).rows
            guard let recognizedOn = expected.recognizedOn else {
                #expect(rows.isEmpty, "\(script.name): an objection was upheld, so no register entry")
                continue
            }
            recognizedCount += 1
            #expect(rows.count == 1, "\(script.name): one register entry")
            guard let row = rows.first else { continue }
            let id: Int64 = try row.decode("id")
            let entry = try #require(try Register.entry(db, String(id)))
            #expect(entry.recognizedOn == recognizedOn, "\(script.name)")
            #expect(entry.status == expected.status, "\(script.name): status")
            #expect(entry.validUntil == expected.terms.last?.endsOn, "\(script.name): valid until")
            let terms = try Register.terms(db, cluster: id).map { ExpectedTerm(kind: $0.kind, startsOn: $0.startsOn, endsOn: $0.endsOn) }
            #expect(terms == expected.terms, "\(script.name): terms")
            if terms.count >= 2 { secondTerms += 1 }
            if terms.count >= 3 { thirdTerms += 1 }
            let actions = Set(try db.query(
                "SELECT action, ground, subject, found_on::text AS found_on FROM sweep_actions WHERE cluster_id = $1", [id]
            ).rows.map { row -> String in
                let action: String = try row.decode("action"), ground: String = try row.decode("ground")
                let subject: String = try row.decode("subject"), found: String = try row.decode("found_on")
                return "\(action) \(ground) \(subject) \(found)"
            })
            #expect(actions == expected.actions,
                    "\(script.name): missing \(expected.actions.subtracting(actions).sorted()), unexpected \(actions.subtracting(expected.actions).sorted())")
            revocations += actions.filter { $0.hasPrefix("revoke") }.count
            if script.duplicate { expectedDuplicates += 1 }
        }
        #expect(simulation.records.filter(\.duplicateRefused).count == expectedDuplicates, "every second recognition refused (CR009)")
        #expect(try F.count(db, "SELECT count(*)::int FROM clusters") == recognizedCount)
        // The script reaches what it means to: second and third terms, and 14(1) proposals.
        #expect(secondTerms >= 20 && thirdTerms >= 5 && revocations >= 20, "\(secondTerms) second terms, \(thirdTerms) third, \(revocations) revocations")
        print("ten-year simulation: \(recognizedCount) recognized, \(secondTerms) with a second term, \(thirdTerms) with a third, \(revocations) revocations proposed")
    }
}
