import Foundation
import IndicatorKit
import JSONCore
import Postgres
import ReviewCore
import TestSupport
import Testing
import ClusterStandard

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
/// the register once.
///
/// And the monitoring grounds (Art. 13, 14(3)–14(5)): each year's information form is due by 30
/// March of the next year; a year's form filed after that day, or never, while the cluster is
/// recognized on that 30 March (inside a term granted by the end, a late renewal's term counting
/// from the day it was granted), is 14(3) the day after (or the day the term was granted);
/// a form naming another operating management body than the register's, with no change report
/// naming that body filed by then, is 14(4) on the day it is filed (one per such form); a veto-grade
/// incident at an enterprise while it belonged to the cluster — the recognition filing's
/// enterprises from recognition, one that joined through a report from the day it joined, each
/// until the day a report says it left — is 14(5) the day it is recorded (or the day the report
/// that made it a member is filed); an incident before an enterprise joined or after it left is nothing.
@Suite struct TenYearSimulationTests {
    typealias F = LifecycleFixture
    static let start = F.day("2026-03-01")
    static let end = F.day("2036-03-01")
    static let window = 183
    static let clusters = 50

    enum Renewal: Equatable { case onTime, late(Int), refused, tooLate(Int) }
    enum NoticeOutcome { case plain, objectionDismissed, objectionUpheld }

    /// The operating management body: never stated; stated and its change reported by a change
    /// report (accepted) before any form names the new body; changed without a change report;
    /// changed, named by a form, and reported only after it.
    enum Body { case none, reported, unreported, reportedLate }
    /// The veto-grade incidents: at an original enterprise; at one that joined through a form (and
    /// one at it before it joined); at one after it left through a form.
    enum Incidents { case original, joined, left }

    static let committee = "文昌国际航天城管委会"
    static let company = "文昌航天城运营有限公司"

    /// A valid unified social credit code (GB 32100-2015) for enterprise `role` of cluster `i`.
    static func enterprise(_ i: Int, _ role: Int) -> String {
        let symbols = Array("0123456789ABCDEFGHJKLMNPQRTUWXY")
        let body = Array("91469005MA5R" + String(format: "%05d", i * 10 + role))
        var sum = 0, weight = 1
        for c in body {
            sum += symbols.firstIndex(of: c)! * weight
            weight = weight * 3 % 31
        }
        return String(body) + String(symbols[(31 - sum % 31) % 31])
    }

    /// One cluster's scripted life.
    struct Script {
        var index: Int
        var name: String
        var filedOn: CivilDate
        var notice: NoticeOutcome
        /// The recertifications, term by term; after the last, none (the cluster lets it expire).
        var plan: [Renewal]
        /// A second initial filing for the same cluster, approved after recognition (refused: CR009).
        var duplicate: Bool
        /// Forms filed late (15 April) or never, as years after the year of recognition (0 = that year).
        var lateForms: [Int] = []
        var missingForms: [Int] = []
        var body: Body = .none
        var incidents: Incidents = .original
    }

    static func script(_ i: Int) -> Script {
        let plans: [[Renewal]] = [[.onTime, .onTime], [.late(60)], [], [.late(183), .onTime, .onTime], [.refused, .late(100)], [.tooLate(190)]]
        let notice: NoticeOutcome = i % 10 == 3 ? .objectionDismissed : i % 10 == 7 ? .objectionUpheld : .plain
        let forms: [(late: [Int], missing: [Int])] = [([], []), ([1], []), ([], [0]), ([], [4]), ([], [7])]
        return Script(index: i, name: "模拟集群\(i)", filedOn: start.adding(days: 1 + 8 * i), notice: notice, plan: plans[i % plans.count],
                      duplicate: i % 10 == 5, lateForms: forms[i % 5].late, missingForms: forms[i % 5].missing,
                      body: [Body.none, .reported, .unreported, .reportedLate][i % 4], incidents: [Incidents.original, .joined, .left][i % 3])
    }

    /// What happened that the table needs: the notice and the refused recertification's filing.
    struct Record {
        var initialFiling: Int64 = 0
        var noticeId: Int64 = 0
        var noticeEnds: CivilDate?
        var refusedFiling: Int64?
        var duplicateRefused = false
        /// The forms filed: year → filing, day, the body it names.
        var forms: [Int: (filing: Int64, filedOn: CivilDate, body: String?)] = [:]
        var changeReportFiledOn: CivilDate?
        var changeAcceptedOn: CivilDate?
        /// Enterprises joining or leaving through a form: code, effective day, the form's day.
        var joined: [(code: String, from: CivilDate, filedOn: CivilDate)] = []
        var left: [(code: String, until: CivilDate, filedOn: CivilDate)] = []
        var incidents: [(id: Int64, code: String, occurred: CivilDate, recorded: CivilDate)] = []
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
        // The terms granted by the end: first day, last day, the day granted.
        var granted = [(start: recognized, end: last, on: recognized)]
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
            granted.append((starts, last, approved))
            since = approved
            noticed = false
            refusedThisTerm = false
        }
        x.status = last >= end ? "active" : "expired"

        // 14(3): each year's form by 30 March of the next, while the cluster is recognized that day.
        for year in recognized.year...end.year {
            let due = CivilDate(year: year + 1, month: 3, day: 30)!
            if let filed = r.forms[year]?.filedOn, filed <= due { continue }
            guard let term = granted.first(where: { $0.start <= due && due <= $0.end }) else { continue }
            add("revoke", "14(3)", "annual-report:\(year)", max(due.adding(days: 1), term.on))
        }
        // 14(4): a form naming another body than the register's, the change not reported by then.
        if s.body != .none {
            for form in r.forms.values {
                guard let named = form.body else { continue }
                let registered = (r.changeAcceptedOn.map { $0 < form.filedOn } ?? false) ? company : committee
                let reported = r.changeReportFiledOn.map { $0 <= form.filedOn } ?? false
                if named != registered && !reported {
                    add("revoke", "14(4)", "annual-report-filing:\(form.filing):management_body", form.filedOn)
                }
            }
        }
        // 14(5): a veto-grade incident at an enterprise while it belonged to the cluster.
        var members: [String: (from: CivilDate, until: CivilDate?, known: CivilDate)] = [
            enterprise(s.index, 1): (recognized, nil, recognized), enterprise(s.index, 2): (recognized, nil, recognized),
        ]
        for j in r.joined { members[j.code] = (j.from, nil, j.filedOn) }
        for l in r.left {
            guard var m = members[l.code] else { continue }
            m.until = l.until
            m.known = max(m.known, l.filedOn)
            members[l.code] = m
        }
        for incident in r.incidents {
            guard let m = members[incident.code], incident.occurred >= recognized, incident.occurred >= m.from,
                  m.until.map({ incident.occurred <= $0 }) ?? true else { continue }
            add("revoke", "14(5)", "incident:\(incident.id)", max(incident.recorded, m.known))
        }
        return x
    }

    /// The simulation: every scripted step on its day, then that day's sweep.
    final class Simulation {
        let db: PostgresConnection
        let lifecycle: Lifecycle
        var events: [CivilDate: [() throws -> Void]] = [:]
        var records: [Record]
        let scripts: [Script]
        var currentDay = TenYearSimulationTests.start

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
            let filing = try F.filing(db, filedOn: s.filedOn.description,
                                      payload: try payload(i, on: s.filedOn, body: s.body == .none ? nil : TenYearSimulationTests.committee),
                                      name: s.name)
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
            // The annual forms, every year from the year of recognition: on 1 March, or late on 15
            // April, or never, as scripted.
            let first = recognized.year
            for year in first...TenYearSimulationTests.end.year where !s.missingForms.contains(year - first) {
                let filedOn = CivilDate(year: year + 1, month: s.lateForms.contains(year - first) ? 4 : 3,
                                        day: s.lateForms.contains(year - first) ? 15 : 1)!
                at(filedOn) { try self.annualForm(i, year: year, firstYear: first, on: filedOn) }
            }
            // The management body's change report.
            let changeOn: CivilDate? = switch s.body {
            case .reported: recognized.adding(days: 200)
            case .reportedLate: CivilDate(year: first + 2, month: 3, day: 10)!
            case .none, .unreported: nil
            }
            if let changeOn {
                at(changeOn) {
                    let change = try F.filing(
                        self.db, kind: "change_report", filedOn: changeOn.description,
                        payload: try self.payload(i, on: changeOn, body: TenYearSimulationTests.company,
                                                  changes: [("management_body", TenYearSimulationTests.committee, TenYearSimulationTests.company)]),
                        status: "recorded", cluster: try self.cluster(i), name: s.name)
                    self.records[i].changeReportFiledOn = changeOn
                    self.at(changeOn.adding(days: 10)) {
                        try self.lifecycle.acceptChangeReport(filing: change, note: "核实运营管理机构变更")
                        self.records[i].changeAcceptedOn = changeOn.adding(days: 10)
                    }
                }
            }
            // The incidents.
            let o1 = TenYearSimulationTests.enterprise(i, 1), o2 = TenYearSimulationTests.enterprise(i, 2)
            let newcomer = TenYearSimulationTests.enterprise(i, 3)
            switch s.incidents {
            case .original:
                at(recognized.adding(days: 105)) { try self.incident(i, at: o1, occurred: recognized.adding(days: 100)) }
            case .joined:
                let day = CivilDate(year: first + 2, month: 6, day: 5)!
                at(day) {
                    try self.incident(i, at: newcomer, occurred: CivilDate(year: first + 1, month: 11, day: 1)!)
                    try self.incident(i, at: newcomer, occurred: CivilDate(year: first + 2, month: 6, day: 1)!)
                }
            case .left:
                let day = CivilDate(year: first + 2, month: 6, day: 5)!
                at(day) { try self.incident(i, at: o2, occurred: CivilDate(year: first + 2, month: 6, day: 1)!) }
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

        /// The day an enterprise joins or leaves through the form of the year after recognition.
        static func movedOn(firstYear: Int) -> CivilDate { CivilDate(year: firstYear + 1, month: 12, day: 1)! }

        /// The enterprises of cluster `i` on `day`, as its script has them.
        func enterprises(_ i: Int, on day: CivilDate, firstYear: Int?) -> [String] {
            let o1 = TenYearSimulationTests.enterprise(i, 1), o2 = TenYearSimulationTests.enterprise(i, 2)
            guard let firstYear, day >= Self.movedOn(firstYear: firstYear) else { return [o1, o2] }
            switch scripts[i].incidents {
            case .original: return [o1, o2]
            case .joined: return [o1, o2, TenYearSimulationTests.enterprise(i, 3)]
            case .left: return [o1]
            }
        }

        /// A payload for cluster `i` on `day`: its enterprises then, the body it names, the form's
        /// year, the changes a change report reports and the enterprise changes a form states.
        func payload(_ i: Int, on day: CivilDate, firstYear: Int? = nil, body: String?, year: Int? = nil,
                     changes: [(subject: String, before: String, after: String)] = [], enterpriseChanges: String? = nil) throws -> String {
            var value = try JSONValue(parsing: Data(F.payload(enterprises: enterprises(i, on: day, firstYear: firstYear), annualReportYear: year,
                                                              changes: changes).utf8))
            if let body {
                value = value.setting("cluster.management_body", to: [
                    "name": .string(body), "kind": .string(body == TenYearSimulationTests.committee ? "management_committee" : "operating_company"),
                    "established_on": "2020-05-01", "evidence": ["statement": "设立文件", "documents": ["d1"]],
                ])
            }
            if let enterpriseChanges {
                value = value.setting("annual_report.enterprise_changes", to: try JSONValue(parsing: Data(enterpriseChanges.utf8)))
            }
            return value.canonicalText()
        }

        /// Files cluster `i`'s form for `year` on `day`, naming the body and the enterprise changes its script has.
        func annualForm(_ i: Int, year: Int, firstYear: Int, on day: CivilDate) throws {
            let s = scripts[i]
            let body: String? = switch s.body {
            case .none: nil
            case .reported: (records[i].changeReportFiledOn.map { $0 <= day } ?? false) ? TenYearSimulationTests.company : TenYearSimulationTests.committee
            case .unreported, .reportedLate: year > firstYear ? TenYearSimulationTests.company : TenYearSimulationTests.committee
            }
            var changes: String?
            let moved = Self.movedOn(firstYear: firstYear)
            if year == firstYear + 1 {
                switch s.incidents {
                case .original: break
                case .joined:
                    let code = TenYearSimulationTests.enterprise(i, 3)
                    changes = #"[{"code": "\#(code)", "name": "新企业", "change": "joined", "effective": "\#(moved)"}]"#
                    records[i].joined.append((code, moved, day))
                case .left:
                    let code = TenYearSimulationTests.enterprise(i, 2)
                    changes = #"[{"code": "\#(code)", "name": "退出企业", "change": "left", "effective": "\#(moved)"}]"#
                    records[i].left.append((code, moved, day))
                }
            }
            let filing = try F.filing(db, kind: "annual_report", filedOn: day.description,
                                      payload: try payload(i, on: day, firstYear: firstYear, body: body, year: year, enterpriseChanges: changes),
                                      status: "recorded", cluster: try cluster(i), name: s.name)
            records[i].forms[year] = (filing, day, body)
        }

        /// Records a veto-grade safety accident at `code` today.
        func incident(_ i: Int, at code: String, occurred: CivilDate) throws {
            let id = try lifecycle.recordIncident(
                Incident(enterpriseCode: code, date: occurred, category: "safety", grade: "larger", description: "生产安全事故"),
                source: "应急管理局通报")
            records[i].incidents.append((id, code, occurred, currentDay))
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
                currentDay = day
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
        var byGround: [String: Int] = [:]
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
            for action in actions where action.hasPrefix("revoke ") {
                byGround[String(action.split(separator: " ")[1]), default: 0] += 1
            }
            if script.duplicate { expectedDuplicates += 1 }
        }
        #expect(simulation.records.filter(\.duplicateRefused).count == expectedDuplicates, "every second recognition refused (CR009)")
        #expect(try F.count(db, "SELECT count(*)::int FROM clusters") == recognizedCount)
        // The script reaches what it means to: second and third terms, and 14(1) proposals.
        #expect(secondTerms >= 20 && thirdTerms >= 5 && revocations >= 20, "\(secondTerms) second terms, \(thirdTerms) third, \(revocations) revocations")
        // Incidents before an enterprise joined or after it left were recorded, and are no ground.
        let incidents = simulation.records.map(\.incidents.count).reduce(0, +)
        #expect(incidents - byGround["14(5)", default: 0] >= 10, "\(incidents) incidents recorded")
        #expect(byGround["14(3)", default: 0] >= 10 && byGround["14(4)", default: 0] >= 10 && byGround["14(5)", default: 0] >= 10,
                "\(byGround)")
        print("ten-year simulation: revocations proposed by ground \(byGround.sorted { $0.key < $1.key })")
        print("ten-year simulation: \(recognizedCount) recognized, \(secondTerms) with a second term, \(thirdTerms) with a third, \(revocations) revocations proposed")
    }
}
