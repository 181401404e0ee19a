import Foundation
import IndicatorKit
import Postgres
import ReviewCore
import ClusterStandard
import Reports

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
        let en = language == .en
        func say(_ zh: String, _ english: String) { console.print(en ? english : zh) }
        // Three initial filings the machine found complete, awaiting a person's judgement.
        let candidates = try ReviewRecords.awaitingJudgement(kind: .initial, limit: 3, on: connection)
        console.print("")
        say("⑤ 认定流程：确认、决定、公示、认定（模拟日历）", "⑤ after review: confirmation, decision, public notice, recognition (simulated calendar)")
        /// Moves this simulation database's clock to `day`: the next step happens then.
        var clock = CivilDate.today()
        func today(_ day: CivilDate) throws {
            try DatabaseClock.simulate(day, reason: reason, on: connection)
            clock = day
        }
        do {
            try today(candidates.first?.filedOn ?? CivilDate.today())
        } catch let error as PostgresError where error.sqlState == "42501" {
            say("   跳过：审核之后的步骤需要模拟日历，只有数据库所有者可以设置", "   skipped: the steps after review need a simulated calendar, which only the database's owner may set")
            return
        }
        say("   模拟时钟：只有本演示数据库的所有者能拨动它，拨到每一步发生的日期；每次拨动都记入审计日志",
            "   simulated clock: only the owner of this demo database moves it, to the day each step happens; each move is in the audit log")
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
            var line = en
                ? "   \(candidate.id) \(candidate.clusterName): \(manual.count) manual findings confirmed, \(warned.count) warnings acknowledged → approved \(decided)"
                : "   \(candidate.id) \(candidate.clusterName)：\(manual.count) 项人工判断已确认，\(warned.count) 项提示已知悉 → \(decided) 批准"
            if let notice { line += en ? " → notice \(notice.startsOn)…\(notice.endsOn)" : " → 公示 \(notice.startsOn)…\(notice.endsOn)" }
            if index == 1, let notice {
                try today(notice.startsOn)
                let objection = try lifecycle.fileObjection(
                    filing: candidate.id, by: "某企业 an enterprise of the cluster", reason: "产值数据存疑 doubts about the output figures")
                try lifecycle.resolveObjection(objection, upheld: false, note: "经核实数据无误 figures verified (demo)")
                line += en ? " · objection dismissed" : " · 异议已驳回"
            }
            try today((notice?.endsOn ?? decided).adding(days: 1))
            if let cluster = try lifecycle.closePublicity(filing: candidate.id),
                let entry = try Register.entry(connection, String(cluster))
            {
                line += en ? " → recognized \(entry.certificateNo), valid until \(entry.validUntil)"
                           : " → 认定 \(entry.certificateNo)，有效期至 \(entry.validUntil)"
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
            say("   年度报告与变更报告，各自关联其认定名单条目：", "   annual and change reports, each linked to its register entry:")
        }
        for (kind, id) in reports {
            guard let report = try Register.report(connection, filing: id),
                let entry = try Register.entry(connection, String(report.clusterId))
            else {
                say("   \(id) \(ReportLabels.kind(kind).zh)：未关联认定名单", "   \(id) \(ReportLabels.kind(kind).en): not linked to a register entry")
                continue
            }
            if kind == .changeReport, report.state == "pending" {
                try today(max(clock, report.filedOn.adding(days: 10)))
                try lifecycle.acceptChangeReport(filing: id, note: "变更已核实 change verified (demo)")
                let after = try Register.entry(connection, String(entry.id)) ?? entry
                let subjects = report.subjects.map { fieldName($0, language: language) }
                say("   \(id) 变更报告（\(subjects.joined(separator: "、"))）→ \(entry.certificateNo)：\(clock) 已核准 · 空间范围 \(entry.spatialExtent) → \(after.spatialExtent)",
                    "   \(id) change report (\(subjects.joined(separator: ", "))) → \(entry.certificateNo): "
                    + "accepted \(clock) · spatial extent \(entry.spatialExtent) → \(after.spatialExtent)")
            } else {
                let year = report.year.map { " \($0)" } ?? ""
                let subjects = report.subjects.map { fieldName($0, language: language) }
                let state = ReportLabels.status(report.state).text(in: language)
                if en {
                    let changed = subjects.isEmpty ? "no register field changed" : "changed: " + subjects.joined(separator: ", ")
                    say("", "   \(id) \(ReportLabels.kind(kind).en)\(year) → \(entry.certificateNo): "
                        + "\(state) · \(changed) · management body: \(entry.managementBody.isEmpty ? "not stated" : entry.managementBody)")
                } else {
                    let changed = subjects.isEmpty ? "名单信息无变化" : "变化：" + subjects.joined(separator: "、")
                    say("   \(id) \(ReportLabels.kind(kind).zh)\(year.isEmpty ? "" : "（\(year.dropFirst()) 年）") → \(entry.certificateNo)："
                        + "\(state) · \(changed) · 运营管理机构：\(entry.managementBody.isEmpty ? "未填写" : entry.managementBody)", "")
                }
                // Monitoring with figures: the threshold modules judged the report's year with the two
                // before it from the register; the watchlist shows what fails or only just passes.
                if kind == .annualReport {
                    let watched = try Register.watchlist(connection, cluster: entry.id)
                    say("      滚动三年监测：\(watched.count) 项列入观察名单" + (watched.isEmpty ? "（各门槛指标均宽裕达标）" : ""),
                        "      monitoring on the rolling three years: \(watched.count) on the watchlist"
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
        say("⑥ 动态管理巡查：截至 \(report.asOf)（模拟的今天）记录 \(report.actions.count) 项；同一巡查再运行一次：新增 \(again.actions.count) 项",
            "⑥ sweep as of \(report.asOf) (the simulated today): \(report.actions.count) actions recorded; the same sweep again: \(again.actions.count) new")
        for action in report.actions.prefix(8) {
            let ground = action.ground.isEmpty ? "—" : action.ground
            let what = sweepWords(action.action), state = sweepWords(action.state)
            let subject = subjectWords(action.subject)
            say("   [\(ground)] \(what.zh)：\(subject.zh) · 集群 \(action.clusterId) · \(state.zh)",
                "   [\(ground)] \(what.en): \(subject.en) · cluster \(action.clusterId) · \(state.en)")
        }
        let register = try Register.list(connection)
        let active = register.filter { $0.status == "active" }.count
        say("   认定名单：\(register.count) 条（有效 \(active) 条）", "   register: \(register.count) entries (\(active) active)")
    }

    /// A register field a report changes, in words.
    static func fieldName(_ field: String, language: Language) -> String {
        let words: LocalizedText
        switch field {
        case "leading_industry": words = LocalizedText(zh: "主导产业", en: "leading industry")
        case "spatial_extent": words = LocalizedText(zh: "空间范围", en: "spatial extent")
        case "county_codes": words = LocalizedText(zh: "所在县区", en: "counties")
        case "area_km2": words = LocalizedText(zh: "面积", en: "area")
        case "management_body": words = LocalizedText(zh: "运营管理机构", en: "management body")
        default: words = LocalizedText(zh: field, en: field)
        }
        return words.text(in: language)
    }

    /// What a sweep action is about (sql/053's `subject`: `annual-report:2026`, `valid_until:DATE` …), in words.
    static func subjectWords(_ subject: String) -> LocalizedText {
        let parts = subject.split(separator: ":", maxSplits: 2).map(String.init)
        guard parts.count >= 2 else { return LocalizedText(zh: subject, en: subject) }
        let value = parts[1]
        switch parts[0] {
        case "annual-report": return LocalizedText(zh: "\(value) 年度报告未报送", en: "annual report for \(value) not filed")
        case "valid_until": return LocalizedText(zh: "有效期至 \(value)", en: "valid until \(value)")
        case "expired": return LocalizedText(zh: "\(value) 到期", en: "expired on \(value)")
        case "incident": return LocalizedText(zh: "事件 \(value)", en: "incident \(value)")
        case "flag": return LocalizedText(zh: "虚假申报标记 \(value)", en: "false-filing flag \(value)")
        case "recertification": return LocalizedText(zh: "复核申报 \(value)", en: "recertification filing \(value)")
        case "notice": return LocalizedText(zh: "公示 \(value)", en: "notice \(value)")
        case "annual-report-filing" where parts.count == 3:
            return LocalizedText(zh: "年度报告 \(value) 所报\(fieldName(parts[2], language: .zh))与名单不符",
                                 en: "annual report \(value) states another \(fieldName(parts[2], language: .en))")
        default: return LocalizedText(zh: subject, en: subject)
        }
    }

    /// A sweep action or its state, in words.
    static func sweepWords(_ code: String) -> LocalizedText {
        switch code {
        case "expiry_notice": return LocalizedText(zh: "到期提醒", en: "expiry notice")
        case "expire": return LocalizedText(zh: "到期失效", en: "expiry")
        case "revoke": return LocalizedText(zh: "撤销认定", en: "revocation")
        case "recognize": return LocalizedText(zh: "认定", en: "recognition")
        case "notice": return LocalizedText(zh: "已提醒", en: "notice")
        case "applied": return LocalizedText(zh: "已执行", en: "applied")
        case "proposed": return LocalizedText(zh: "待确认", en: "proposed")
        case "confirmed": return LocalizedText(zh: "已确认", en: "confirmed")
        case "dismissed": return LocalizedText(zh: "已驳回", en: "dismissed")
        default: return LocalizedText(zh: code, en: code)
        }
    }
}
