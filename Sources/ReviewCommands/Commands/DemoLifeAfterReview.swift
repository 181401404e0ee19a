import Foundation
import IndicatorKit
import Postgres
import ReviewCore
import ClusterStandard

/// The demo's life after review: confirmation, decision, public notice, an objection, recognition,
/// then a sweep on a later date — months in a few seconds, on a simulated calendar.
///
/// Dates come from the database clock (sql/020): nobody states a date. The demo database is a
/// simulation database: its owner (the demo, which created and migrated it) sets its clock to each
/// day a step happens, as no login of the system may; every such change is in the audit log, and
/// the database stays marked as a simulation. On a database the demo does not own, the steps after
/// review are skipped, saying why.
enum LifeAfterReview {
    static let reason = "演示 demo: the life after review on a simulated calendar"

    static func run(_ filings: [(sample: SampleFiling, id: Int64)], on connection: PostgresConnection, console: Console, language: Language) throws {
        let lifecycle = Lifecycle(connection)
        // Three initial filings the machine found complete, awaiting a person's judgement.
        let candidates = try ReviewRecords.awaitingJudgement(kind: .initial, limit: 3, on: connection)
        console.print("")
        console.print("⑤ 认定流程 after review: confirmation, decision, public notice, recognition (simulated calendar)")
        /// Moves this simulation database's clock to `day`: the next step happens then.
        var clock = CivilDate.today()
        func today(_ day: CivilDate) throws {
            try DatabaseClock.simulate(day, reason: reason, on: connection)
            clock = day
        }
        do {
            try today(candidates.first?.filedOn ?? CivilDate.today())
        } catch let error as PostgresError where error.sqlState == "42501" {
            console.print("   跳过 skipped: the steps after review need a simulated calendar, which only the database's owner may set")
            return
        }
        console.print("   模拟时钟 simulated clock: only the owner of this demo database moves it, to the day each step happens; each move is in the audit log")
        for (index, candidate) in candidates.enumerated() {
            let manual = try ReviewRecords.criteria(of: candidate.id, withVerdict: .manual, on: connection)
            let warned = try ReviewRecords.criteria(of: candidate.id, withVerdict: .warn, on: connection)
            // Every manual finding confirmed and every warned one acknowledged, each recorded separately.
            if !(manual + warned).isEmpty {
                _ = try lifecycle.confirm(filing: candidate.id, criteria: manual + warned, accept: true,
                                          note: "省级评审确认 confirmed by the provincial reviewer (demo)")
            }
            let decided = candidate.filedOn.adding(days: 30)
            try today(decided)
            _ = try lifecycle.decide(filing: candidate.id, .approve, note: "符合认定标准 meets the standard (demo)")
            let notice = try lifecycle.notice(filing: candidate.id)
            var line = "   \(candidate.id) \(candidate.clusterName): \(manual.count) 项人工判断已确认 manual findings confirmed, \(warned.count) 项提示已知悉 warnings acknowledged → 批准 approved \(decided)"
            if let notice { line += " → 公示 notice \(notice.startsOn)…\(notice.endsOn)" }
            if index == 1, let notice {
                try today(notice.startsOn)
                let objection = try lifecycle.fileObjection(
                    filing: candidate.id, by: "某企业 an enterprise of the cluster", reason: "产值数据存疑 doubts about the output figures")
                try lifecycle.resolveObjection(objection, upheld: false, note: "经核实数据无误 figures verified (demo)")
                line += " · 异议已驳回 objection dismissed"
            }
            try today((notice?.endsOn ?? decided).adding(days: 1))
            if let cluster = try lifecycle.closePublicity(filing: candidate.id),
                let entry = try Register.entry(connection, String(cluster))
            {
                line += " → 认定 recognized \(entry.certificateNo), valid until \(entry.validUntil)"
            }
            console.print(line)
        }

        // The reports filed for register entries (the door refuses one naming none, sql/052): an annual
        // report recorded for its entry; a change report accepted, the register taking its values.
        let reports = filings.compactMap { filing -> (kind: FilingKind, id: Int64)? in
            guard case .success(let decoded) = FilingValidator.decode(filing.sample.data), let kind = decoded.kind,
                kind == .annualReport || kind == .changeReport
            else { return nil }
            return (kind, filing.id)
        }
        if !reports.isEmpty {
            console.print("")
            console.print("   年度报告与变更报告 annual and change reports, each linked to its register entry:")
        }
        for (kind, id) in reports {
            guard let report = try Register.report(connection, filing: id),
                let entry = try Register.entry(connection, String(report.clusterId))
            else {
                console.print("   \(id) \(kind.rawValue): 未关联认定名单 not linked to a register entry")
                continue
            }
            if kind == .changeReport, report.state == "pending" {
                try today(max(clock, report.filedOn.adding(days: 10)))
                try lifecycle.acceptChangeReport(filing: id, note: "变更已核实 change verified (demo)")
                let after = try Register.entry(connection, String(entry.id)) ?? entry
                console.print("   \(id) 变更报告 change report (\(report.subjects.joined(separator: ", "))) → \(entry.certificateNo): "
                    + "已核准 accepted \(clock) · 空间范围 spatial extent \(entry.spatialExtent) → \(after.spatialExtent)")
            } else {
                let year = report.year.map { " \($0)" } ?? ""
                let changed = report.subjects.isEmpty ? "no register field changed" : "changed: " + report.subjects.joined(separator: ", ")
                console.print("   \(id) \(kind == .annualReport ? "年度报告 annual report" : "变更报告 change report")\(year) → \(entry.certificateNo): "
                    + "\(report.state) · \(changed) · 运营管理机构 management body: \(entry.managementBody.isEmpty ? "not stated" : entry.managementBody)")
                // Monitoring with figures: the threshold modules judged the report's year with the two
                // before it from the register; the watchlist shows what fails or only just passes.
                if kind == .annualReport {
                    let watched = try Register.watchlist(connection, cluster: entry.id)
                    console.print("      监测 monitoring on the rolling three years: \(watched.count) on the watchlist"
                        + (watched.isEmpty ? " (every threshold passes comfortably)" : ""))
                    for finding in watched {
                        console.print("      " + LifecycleCommands.watchLine(finding, language))
                    }
                }
            }
        }

        // A sweep a year later: annual reports are due by 30 March.
        let sweepDate = (candidates.map(\.filedOn).max() ?? CivilDate.today()).adding(years: 1).adding(days: 30)
        try today(sweepDate)
        let report = try Sweep(connection).run()
        let again = try Sweep(connection).run()
        console.print("")
        console.print("⑥ 动态管理巡查 sweep as of \(report.asOf) (the simulated today): \(report.actions.count) actions recorded; the same sweep again: \(again.actions.count) new")
        for action in report.actions.prefix(8) {
            console.print("   [\(action.ground.isEmpty ? "—" : action.ground)] \(action.action) \(action.subject) · cluster \(action.clusterId) · \(action.state)")
        }
        let register = try Register.list(connection)
        console.print("   认定名单 register: \(register.count) entries (\(register.filter { $0.status == "active" }.count) active)")
    }
}
