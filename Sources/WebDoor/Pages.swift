import Foundation
import ClusterStandard
import HTTPServer
import IndicatorKit
import Reports
import ReviewCore

/// The pages, as pure functions of what the request's transaction read: each returns the whole
/// document. Every piece of data goes through `Markup`'s escaping (`element`, `text`, attribute
/// values); the only raw markup is the program's own.
enum Pages {
    // MARK: home

    static func publicHome(_ context: PageContext) -> String {
        Layout.page(context, title: context.t(WebText.home), place: .home) { main in
            main.element("h1", [:], context.t(WebText.welcomeTitle))
            main.element("p", ["class": "lead"], context.t(WebText.welcome))
            cards(&main, context, [("/sign-in", WebText.signIn), ("/public/notices", WebText.publicNotices),
                                   ("/public/register", WebText.recognitionList)])
        }
    }

    static func personHome(_ context: PageContext, person: WebPerson, counts: [String: Int]) -> String {
        Layout.page(context, title: context.t(WebText.home), place: .home) { main in
            main.element("h1", [:], context.t(WebText.greeting(person.login)))
            main.element("p", ["class": "lead"], person.roles.map { context.t(WebText.role($0)) }.joined(separator: "、"))
            cards(&main, context, Layout.links(for: person).filter { $0.2 != .home }.map { ($0.0, $0.1) })
            // An expert (and nothing else) follows their filings on 我的评审 (/panels).
            guard person.isStaff || !person.counties.isEmpty else { return }
            main.element("h2", [:], context.t(WebText.byStatus))
            let statuses = FilingStatus.statuses.filter { (counts[$0] ?? 0) > 0 }
            if statuses.isEmpty {
                main.element("p", ["class": "muted"], context.t(WebText.nothingYet))
            } else {
                Layout.table(&main, headers: [context.t(ReportLabels.statusLabel), context.t(WebText.count), context.t(WebText.nextStep)],
                             rows: statuses.map { status in
                                 [.link(context.t(WebText.status(status)), href: Link.to("/filings", [("status", status)])),
                                  .number(String(counts[status] ?? 0)),
                                  .text(context.t(person.isStaff ? WebText.staffNext(status) : WebText.countyNext(status)))]
                             })
            }
        }
    }

    static func cards(_ html: inout Markup, _ context: PageContext, _ links: [(String, LocalizedText)]) {
        html.wrap("ul", ["class": "cards"]) { list in
            for (href, label) in links { list.wrap("li") { $0.element("a", ["href": href], context.t(label)) } }
        }
    }

    // MARK: sign-in

    static func signIn(_ context: PageContext, formToken: String, next: String?, login: String = "", message: LocalizedText? = nil,
                       info: LocalizedText? = nil) -> String {
        Layout.page(context, title: context.t(WebText.signInTitle), place: .signIn) { main in
            main.element("h1", [:], context.t(WebText.signInTitle))
            if let info { main.element("p", ["class": "message info", "role": "status"], context.t(info)) }
            if let message { main.element("p", ["class": "message error", "role": "alert"], context.t(message)) }
            main.element("p", ["class": "lead"], context.t(WebText.signInHelp))
            main.wrap("form", ["method": "post", "action": "/sign-in", "class": "stacked"]) { form in
                form.empty("input", ["type": "hidden", "name": "csrf", "value": formToken])
                if let next { form.empty("input", ["type": "hidden", "name": "next", "value": next]) }
                form.wrap("label") { label in
                    label.text(context.t(WebText.login))
                    label.empty("input", ["type": "text", "name": "login", "value": login, "autocomplete": "username",
                                          "required": "required", "maxlength": "63", "autocapitalize": "none", "spellcheck": "false"])
                }
                form.wrap("label") { label in
                    label.text(context.t(WebText.password))
                    label.empty("input", ["type": "password", "name": "password", "autocomplete": "current-password",
                                          "required": "required", "maxlength": "1024"])
                }
                form.element("button", ["type": "submit"], context.t(WebText.signIn))
            }
        }
    }

    // MARK: filings

    static func filings(
        _ context: PageContext, person: WebPerson, filings: [FilingStatus], counties: [CountyRecord], rounds: [Round] = [], filter: FilingFilter,
        limit: Int
    ) -> String {
        let title = context.t(person.isStaff ? WebText.queue : WebText.myFilings)
        return Layout.page(context, title: title, place: .filings) { main in
            main.element("h1", [:], title)
            main.wrap("form", ["method": "get", "action": "/filings", "class": "filters no-print", "role": "search"]) { form in
                select(&form, name: "status", label: context.t(ReportLabels.statusLabel), context,
                       options: FilingStatus.statuses.map { ($0, context.t(WebText.status($0))) }, selected: filter.status)
                select(&form, name: "kind", label: context.t(ReportLabels.kindLabel), context,
                       options: FilingKind.allCases.map { ($0.rawValue, context.t(ReportLabels.kind($0))) }, selected: filter.kind)
                if person.isStaff {
                    select(&form, name: "county", label: context.t(ReportLabels.county), context,
                           options: counties.map { ($0.code, context.language == .en ? "\($0.nameEn) \($0.code)" : "\($0.nameZh) \($0.code)") },
                           selected: filter.county)
                    if !rounds.isEmpty {
                        select(&form, name: "round", label: context.t(WebText.roundName), context,
                               options: rounds.map { (String($0.id), $0.name) }, selected: filter.round.map { String($0) })
                    }
                }
                form.wrap("label") { label in
                    label.text(context.t(WebText.search))
                    label.empty("input", ["type": "text", "name": "q", "value": filter.nameContains ?? "", "maxlength": "100"])
                }
                if context.language == .en { form.empty("input", ["type": "hidden", "name": "lang", "value": "en"]) }
                form.element("button", ["type": "submit"], context.t(WebText.apply))
                form.element("a", ["class": "button", "href": "/filings"], context.t(WebText.clear))
            }
            if filings.isEmpty {
                main.element("p", ["class": "muted"], context.t(WebText.noMatch))
                return
            }
            main.element("p", ["class": "muted"], context.t(WebText.shown(filings.count, limit: limit)))
            Layout.table(&main, headers: [
                context.t(ReportLabels.filing), context.t(ReportLabels.county), context.t(ReportLabels.cluster),
                context.t(ReportLabels.kindLabel), context.t(ReportLabels.filedOn), context.t(ReportLabels.statusLabel),
                context.t(WebText.recommendation), context.t(WebText.nextStep),
            ], rows: filings.map { filing in
                [.link(String(filing.id), href: "/filings/\(filing.id)"),
                 .text(countyName(filing.countyCode, context)),
                 .link(filing.clusterName, href: "/filings/\(filing.id)"),
                 .text(context.t(WebText.kind(filing.kind))),
                 .text(filing.filedOn),
                 .text(context.t(WebText.status(filing.status, supersededBy: filing.supersededBy))),
                 .styled(context.t(WebText.recommendation(filing.recommendation)), style: "rec-\(filing.recommendation ?? "none")"),
                 .text(context.t(person.isStaff ? WebText.staffNext(filing.status) : WebText.countyNext(filing.status)))]
            })
        }
    }

    static func select(
        _ html: inout Markup, name: String, label text: String, _ context: PageContext, options: [(String, String)], selected: String?
    ) {
        html.wrap("label") { label in
            label.text(text)
            label.wrap("select", ["name": name]) { select in
                select.element("option", ["value": ""], context.t(WebText.any))
                for (value, title) in options {
                    if value == selected {
                        select.element("option", ["value": value, "selected": "selected"], title)
                    } else {
                        select.element("option", ["value": value], title)
                    }
                }
            }
        }
    }

    static func countyName(_ code: String, _ context: PageContext) -> String {
        ReviewReport.County(code: code).name.text(in: context.language)
    }

    // MARK: a filing

    static func filing(
        _ context: PageContext, person: WebPerson, status: FilingStatus, report: ReviewReport?, message: LocalizedText? = nil,
        desk: ReviewDesk? = nil, draft: WebDoor.ReviewDraft = WebDoor.ReviewDraft()
    ) -> String {
        let title = "\(status.id) · \(status.clusterName)"
        return Layout.page(context, title: title, place: .filings, stylesheets: report == nil ? [] : [StaticAssets.reportPath]) { main in
            main.wrap("p", ["class": "no-print"]) { $0.element("a", ["href": "/filings"], "← " + context.t(WebText.backToList)) }
            if let message { main.element("p", ["class": "message error", "role": "alert", "id": "message"], context.t(message)) }
            main.wrap("dl", ["class": "facts"]) { facts in
                fact(&facts, context.t(ReportLabels.filing), String(status.id))
                fact(&facts, context.t(ReportLabels.statusLabel), context.t(WebText.status(status.status, supersededBy: status.supersededBy)))
                fact(&facts, context.t(WebText.nextStep),
                     context.t(person.isStaff ? WebText.staffNext(status.status) : WebText.countyNext(status.status)))
                if let state = status.queueState { fact(&facts, context.t(WebText.queueState), context.t(WebText.status(state))) }
                if let attempts = status.attempts, attempts > 1 { fact(&facts, context.t(WebText.attempts), String(attempts)) }
                if let error = status.lastError { fact(&facts, context.t(WebText.lastError), error) }
            }
            guard let report else {
                main.element("h1", [:], status.clusterName)
                main.wrap("dl", ["class": "facts"]) { facts in
                    fact(&facts, context.t(ReportLabels.county), countyName(status.countyCode, context))
                    fact(&facts, context.t(ReportLabels.kindLabel), context.t(WebText.kind(status.kind)))
                    fact(&facts, context.t(ReportLabels.filedOn), status.filedOn)
                }
                main.element("p", ["class": "muted"], context.t(WebText.notReviewedYet))
                return
            }
            if let corrects = report.record?.supersedes {
                main.wrap("p", ["class": "no-print", "id": "diff-link"]) {
                    $0.element("a", ["href": "/filings/\(status.id)/diff"], context.t(WebText.seeDiff) + " (#\(corrects))")
                }
            }
            main.wrap("div", ["class": "report-page"]) { page in HTMLReport.content(report, language: context.language, into: &page) }
            if person.holds("reviewer"), status.status == "reviewed", !report.pendingConfirmations.isEmpty {
                confirmForm(&main, context, filing: status.id, pending: report.pendingConfirmations, panel: report.panel, draft: draft)
            }
            if person.holds("reviewer"), status.status == "reviewed" {
                decisionForm(&main, context, filing: status.id, draft: draft)
            }
            if let desk, let notice = desk.notice {
                noticeSection(&main, context, person: person, filing: status.id, notice: notice, clock: desk.clock, draft: draft)
            }
            main.element("p", ["class": "muted no-print"], context.t(WebText.print))
        }
    }

    static func fact(_ html: inout Markup, _ term: String, _ value: String) {
        html.element("dt", [:], term)
        html.element("dd", [:], value)
    }

    // MARK: the register

    static func register(_ context: PageContext, person: WebPerson, entries: [RegisterEntry]) -> String {
        let title = context.t(person.isStaff ? WebText.register : WebText.myRegister)
        return Layout.page(context, title: title, place: .register) { main in
            main.element("h1", [:], title)
            guard !entries.isEmpty else {
                main.element("p", ["class": "muted"], context.t(WebText.noEntries))
                return
            }
            Layout.table(&main, headers: [
                context.t(WebText.certificate), context.t(ReportLabels.county), context.t(ReportLabels.cluster),
                context.t(ReportLabels.leadingIndustry), context.t(WebText.recognizedOn), context.t(WebText.validUntil),
                context.t(ReportLabels.statusLabel),
            ], rows: entries.map { entry in
                [.text(entry.certificateNo), .text(countyName(entry.countyCode, context)), .link(entry.name, href: "/filings/\(entry.filingId)"),
                 .text(entry.leadingIndustry), .text(entry.recognizedOn.description), .text(entry.validUntil.description),
                 .text(context.t(WebText.registerStatus(entry.status)))]
            })
        }
    }

    // MARK: public

    static func notices(_ context: PageContext, notices: [PublicNotice]) -> String {
        Layout.page(context, title: context.t(WebText.publicNotices), place: .notices) { main in
            main.element("h1", [:], context.t(WebText.publicNotices))
            if notices.isEmpty {
                main.element("p", ["class": "muted"], context.t(WebText.noNotices))
            } else {
                Layout.table(&main, headers: [
                    context.t(ReportLabels.county), context.t(ReportLabels.cluster), context.t(ReportLabels.leadingIndustry),
                    context.t(WebText.noticeFrom), context.t(WebText.noticeUntil),
                ], rows: notices.map { notice in
                    [.text(notice.countyName.text(in: context.language)), .text(notice.clusterName), .text(notice.leadingIndustry),
                     .text(notice.startsOn.description), .text(notice.endsOn.description)]
                })
            }
            main.element("h2", ["id": "object"], context.t(WebText.howToObject))
            main.element("p", ["class": "lead"], context.t(WebText.noticesIntro))
        }
    }

    static func recognitions(_ context: PageContext, entries: [PublicRegisterEntry]) -> String {
        Layout.page(context, title: context.t(WebText.recognitionList), place: .recognitions) { main in
            main.element("h1", [:], context.t(WebText.recognitionList))
            main.element("p", ["class": "lead"], context.t(WebText.registerIntro))
            guard !entries.isEmpty else {
                main.element("p", ["class": "muted"], context.t(WebText.noRecognitions))
                return
            }
            Layout.table(&main, headers: [
                context.t(WebText.certificate), context.t(ReportLabels.county), context.t(ReportLabels.cluster),
                context.t(ReportLabels.leadingIndustry), context.t(WebText.recognizedOn), context.t(WebText.validUntil),
            ], rows: entries.map { entry in
                [.text(entry.certificateNo), .text(entry.countyName.text(in: context.language)), .text(entry.clusterName),
                 .text(entry.leadingIndustry), .text(entry.recognizedOn.description), .text(entry.validUntil.description)]
            })
        }
    }

    // MARK: administration

    static func modules(_ context: PageContext, coordinators: [CoordinatorRecord]) -> String {
        Layout.page(context, title: context.t(WebText.modules), place: .modules) { main in
            main.element("h1", [:], context.t(WebText.modules))
            guard !coordinators.isEmpty else {
                main.element("p", ["class": "message info"], context.t(WebText.noCoordinators))
                return
            }
            main.element("h2", [:], context.t(WebText.coordinators))
            Layout.table(&main, headers: [context.t(WebText.coordinator), context.t(WebText.heartbeat), context.t(WebText.inFlight),
                                          context.t(WebText.completed)],
                         rows: coordinators.map { [.text($0.name), .number(String($0.heartbeatAgeSeconds)), .number(String($0.inFlight)),
                                                  .number(String($0.completed))] })
            for coordinator in coordinators {
                main.element("h2", [:], context.t(WebText.modules) + " · " + coordinator.name)
                Layout.table(&main, headers: [
                    context.t(WebText.module), context.t(WebText.version), context.t(WebText.state), context.t(WebText.workers),
                    context.t(WebText.restarts), context.t(WebText.served), context.t(WebText.failed), context.t(WebText.circuit),
                    context.t(WebText.reason),
                ], rows: coordinator.modules.map { module in
                    let open = module.circuit == "open"
                    return [.text(module.id), .text(module.version ?? "—"), .text(module.state), .number(String(module.workers)),
                            .number(String(module.restarts)), .number(String(module.served)), .number(String(module.failed)),
                            .styled(context.t(open ? WebText.circuitOpen : WebText.circuitClosed), style: open ? "rec-rejected_by_veto" : ""),
                            .text(module.reason ?? "")]
                })
            }
        }
    }

    // MARK: errors

    static func problem(_ context: PageContext, title: LocalizedText, text: LocalizedText, place: Place = .none) -> String {
        Layout.page(context, title: context.t(title), place: place) { main in
            main.element("h1", [:], context.t(title))
            main.element("p", ["class": "lead"], context.t(text))
            main.wrap("p") { $0.element("a", ["href": "/"], context.t(WebText.home)) }
        }
    }
}
