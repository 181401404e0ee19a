import Foundation
import ClusterStandard
import IndicatorKit
import Reports
import ReviewCore

/// A reviewer's forms on a filing's page, a correction's differences, and the sweep's proposals.
/// Every value goes through `Markup`'s escaping; each form carries the session's token.
extension Pages {
    /// What a staff member sees beside the report: the filing's notice (objections with their ids)
    /// and the database's today, by which the notice's dates are judged.
    struct ReviewDesk: Sendable {
        var notice: PublicityNotice?
        var clock: DatabaseClock?
    }

    static func token(_ form: inout Markup, _ context: PageContext) {
        form.empty("input", ["type": "hidden", "name": "csrf", "value": context.formToken ?? ""])
    }

    static func radio(_ html: inout Markup, name: String, value: String, label: String, checked: Bool, required: Bool = false) {
        html.wrap("label") { label_ in
            switch (checked, required) {
            case (true, true): label_.empty("input", ["type": "radio", "name": name, "value": value, "checked": "checked", "required": "required"])
            case (true, false): label_.empty("input", ["type": "radio", "name": name, "value": value, "checked": "checked"])
            case (false, true): label_.empty("input", ["type": "radio", "name": name, "value": value, "required": "required"])
            case (false, false): label_.empty("input", ["type": "radio", "name": name, "value": value])
            }
            label_.text(" " + label)
        }
    }

    // MARK: confirmations

    /// One form for every finding that waits: per finding accept / reject / not now and its own
    /// note, the panel's result beside it where there is a panel, and the reason it was refused
    /// when the last attempt was.
    static func confirmForm(
        _ html: inout Markup, _ context: PageContext, filing: Int64, pending: [ReviewSummary.Attributed],
        panel: [ReviewReport.PanelOutcome], draft: WebDoor.ReviewDraft
    ) {
        html.wrap("section", ["class": "confirm-forms no-print", "id": "confirm"]) { section in
            section.element("h2", [:], context.t(WebText.confirmOnTheWeb))
            section.element("p", ["class": "muted"], context.t(WebText.confirmIntro))
            section.wrap("form", ["method": "post", "action": "/filings/\(filing)/confirmations", "class": "confirm-all"]) { form in
                token(&form, context)
                // A refused criterion the form does not list (sent by hand, or no longer waiting).
                let listed = Set(pending.map(\.finding.criterion))
                for (criterion, error) in draft.errors.sorted(by: { $0.key < $1.key }) where !listed.contains(criterion) {
                    form.element("p", ["class": "message error", "role": "alert", "data-criterion": criterion], criterion + " · " + context.t(error))
                }
                for item in pending {
                    let criterion = item.finding.criterion
                    let chosen = draft.choices[criterion]
                    let classes = draft.errors[criterion] == nil ? "finding-confirmation" : "finding-confirmation refused"
                    form.wrap("fieldset", ["class": classes, "data-criterion": criterion]) { set in
                        set.wrap("legend") { legend in
                            legend.element("strong", ["class": "criterion"], criterion)
                            legend.text(" ")
                            legend.element("span", ["class": "verdict \(item.finding.verdict.rawValue)"],
                                           ReportLabels.verdict(item.finding.verdict).text(in: context.language))
                        }
                        set.element("p", [:], item.finding.message.text(in: context.language))
                        if let result = panel.first(where: { $0.criterion == criterion }) {
                            set.wrap("p", ["class": result.flagged ? "panel-result flagged" : "panel-result"]) { p in
                                p.text(context.t(WebText.panelLine(result)))
                                if result.flagged { p.element("strong", ["class": "to-discuss"], " · " + context.t(WebText.panelToDiscuss)) }
                            }
                        }
                        if let error = draft.errors[criterion] {
                            set.element("p", ["class": "message error", "role": "alert", "data-criterion": criterion], context.t(error))
                        }
                        set.wrap("div", ["class": "choices"]) { choices in
                            radio(&choices, name: "decision:" + criterion, value: "accept", label: context.t(WebText.accept), checked: chosen == "accept")
                            radio(&choices, name: "decision:" + criterion, value: "reject", label: context.t(WebText.reject), checked: chosen == "reject")
                            radio(&choices, name: "decision:" + criterion, value: "", label: context.t(WebText.notNow), checked: chosen == nil)
                        }
                        set.wrap("label") { label in
                            label.text(context.t(WebText.note))
                            label.element("textarea", ["name": "note:" + criterion, "maxlength": "2000", "rows": "2"], draft.notes[criterion] ?? "")
                        }
                    }
                }
                form.element("button", ["type": "submit", "id": "confirm-all"], context.t(WebText.confirmChosen))
            }
        }
    }

    // MARK: the decision

    static func decisionForm(_ html: inout Markup, _ context: PageContext, filing: Int64, draft: WebDoor.ReviewDraft) {
        html.wrap("section", ["class": "review-step no-print", "id": "decide"]) { section in
            section.element("h2", [:], context.t(WebText.decideTitle))
            section.element("p", ["class": "muted"], context.t(WebText.decideIntro))
            section.wrap("form", ["method": "post", "action": "/filings/\(filing)/decision", "class": "stacked wide"]) { form in
                token(&form, context)
                form.wrap("fieldset", ["class": "choices"]) { set in
                    for (value, label) in [("approve", WebText.approve), ("refuse", WebText.refuse), ("return", WebText.returnForCorrection)] {
                        radio(&set, name: "decision", value: value, label: context.t(label), checked: draft.decision["decision"] == value,
                              required: true)
                    }
                }
                form.wrap("label") { label in
                    label.text(context.t(WebText.decisionNote))
                    label.element("textarea", ["name": "note", "required": "required", "maxlength": "2000", "rows": "2"], draft.decision["note"] ?? "")
                }
                form.wrap("label") { label in
                    label.text(context.t(WebText.grounds))
                    label.element("textarea", ["name": "grounds", "maxlength": "2000", "rows": "2"], draft.decision["grounds"] ?? "")
                }
                form.element("button", ["type": "submit", "id": "decide-button"], context.t(WebText.submitDecision))
            }
        }
    }

    // MARK: the public notice

    /// The notice with its dates and today's date, its objections (each with a form to uphold or
    /// dismiss while pending), a form to record an objection, and the form to close it.
    static func noticeSection(
        _ html: inout Markup, _ context: PageContext, person: WebPerson, filing: Int64, notice: PublicityNotice, clock: DatabaseClock?,
        draft: WebDoor.ReviewDraft
    ) {
        let reviewer = person.holds("reviewer") && notice.state == "open"
        html.wrap("section", ["class": "review-step", "id": "notice", "data-state": notice.state]) { section in
            section.element("h2", [:], context.t(WebText.noticeTitle))
            section.wrap("dl", ["class": "facts"]) { facts in
                fact(&facts, context.t(WebText.noticeTitle), context.t(WebText.noticeDates(notice)))
                fact(&facts, context.t(ReportLabels.statusLabel), context.t(ReportLabels.noticeState(notice.state)))
                if let clock {
                    fact(&facts, context.t(WebText.todayLabel), clock.today.description + (clock.simulation == nil ? "" : " " + context.t(WebText.simulatedClock)))
                }
            }
            if notice.state == "open", let today = clock?.today {
                let said = today < notice.startsOn ? WebText.noticeNotStarted : today > notice.endsOn ? WebText.noticeEnded : WebText.noticeRunning
                section.element("p", ["class": "message info", "id": "notice-when"], context.t(said))
            }
            section.element("h3", [:], context.t(WebText.objections))
            if notice.objections.isEmpty {
                section.element("p", ["class": "muted"], context.t(WebText.noObjections))
            }
            for objection in notice.objections {
                section.wrap("div", ["class": "objection", "data-objection": String(objection.id), "data-state": objection.state]) { div in
                    div.wrap("dl", ["class": "facts"]) { facts in
                        fact(&facts, context.t(WebText.objector), objection.objector)
                        fact(&facts, context.t(WebText.filedOnLabel), objection.filedOn.description)
                        fact(&facts, context.t(WebText.objectionReason), objection.reason)
                        fact(&facts, context.t(WebText.outcome), context.t(ReportLabels.objectionState(objection.state))
                             + (objection.resolution.map { " · " + $0 } ?? ""))
                    }
                    if reviewer, objection.state == "pending" {
                        div.wrap("form", ["method": "post", "action": "/filings/\(filing)/objections/\(objection.id)", "class": "stacked wide no-print"]) { form in
                            token(&form, context)
                            form.wrap("fieldset", ["class": "choices"]) { set in
                                radio(&set, name: "outcome", value: "upheld", label: context.t(WebText.upheld), checked: false, required: true)
                                radio(&set, name: "outcome", value: "dismissed", label: context.t(WebText.dismissed), checked: false)
                            }
                            form.wrap("label") { label in
                                label.text(context.t(WebText.resolution))
                                label.element("textarea", ["name": "note", "required": "required", "maxlength": "2000", "rows": "2"], "")
                            }
                            form.element("button", ["type": "submit"], context.t(WebText.resolve))
                        }
                    }
                }
            }
            guard reviewer else { return }
            section.wrap("form", ["method": "post", "action": "/filings/\(filing)/objections", "class": "stacked wide no-print", "id": "object"]) { form in
                form.element("h3", [:], context.t(WebText.recordObjection))
                token(&form, context)
                form.wrap("label") { label in
                    label.text(context.t(WebText.objector))
                    label.empty("input", ["type": "text", "name": "by", "required": "required", "maxlength": "200", "value": draft.objection["by"] ?? ""])
                }
                form.wrap("label") { label in
                    label.text(context.t(WebText.objectionReason))
                    label.element("textarea", ["name": "reason", "required": "required", "maxlength": "2000", "rows": "2"], draft.objection["reason"] ?? "")
                }
                form.wrap("label") { label in
                    label.text(context.t(WebText.evidence))
                    label.element("textarea", ["name": "evidence", "maxlength": "2000", "rows": "2"], draft.objection["evidence"] ?? "")
                }
                form.element("button", ["type": "submit"], context.t(WebText.recordObjection))
            }
            section.wrap("form", ["method": "post", "action": "/filings/\(filing)/notice", "class": "stacked wide no-print", "id": "close"]) { form in
                form.element("h3", [:], context.t(WebText.closeNotice))
                form.element("p", ["class": "muted"], context.t(WebText.closeIntro))
                token(&form, context)
                form.element("button", ["type": "submit", "id": "close-notice"], context.t(WebText.closeNotice))
            }
        }
    }

    // MARK: a correction's differences

    static func diff(_ context: PageContext, diff: FilingDiff) -> String {
        let title = context.t(ReportLabels.diffTitle(diff.filingID, diff.supersedes))
        return Layout.page(context, title: title, place: .filings, stylesheets: [StaticAssets.reportPath]) { main in
            main.wrap("p", ["class": "no-print"]) {
                $0.element("a", ["href": "/filings/\(diff.filingID)"], "← " + context.t(ReportLabels.filing) + " \(diff.filingID)")
            }
            main.element("h1", [:], title)
            main.wrap("div", ["class": "report-page diff-page"]) { page in HTMLReport.diffContent(diff, language: context.language, into: &page) }
        }
    }

    // MARK: the sweeps and their proposals

    static func sweeps(_ context: PageContext, person: WebPerson, runs: [SweepRun], proposals: [SweepAction], message: LocalizedText?) -> String {
        Layout.page(context, title: context.t(WebText.sweeps), place: .sweeps) { main in
            main.element("h1", [:], context.t(WebText.sweeps))
            if let message { main.element("p", ["class": "message error", "role": "alert", "id": "message"], context.t(message)) }
            main.wrap("section", ["id": "proposals"]) { section in
                section.element("h2", [:], context.t(WebText.proposals))
                section.element("p", ["class": "muted"], context.t(WebText.proposalsIntro))
                if proposals.isEmpty { section.element("p", ["class": "muted"], context.t(WebText.noProposals)) }
                let admin = person.holds("admin")
                for action in proposals {
                    section.wrap("div", ["class": "proposal", "data-action": String(action.id)]) { div in
                        div.wrap("dl", ["class": "facts"]) { facts in
                            fact(&facts, context.t(WebText.action), "#\(action.id)")
                            fact(&facts, context.t(WebText.clusterEntry), "#\(action.clusterId)")
                            fact(&facts, context.t(WebText.ground), context.t(WebText.groundText(action.ground)))
                            fact(&facts, context.t(WebText.foundOn), action.foundOn.description)
                            // The sweep states its reason (and its subject, a key) in English; the Chinese page names the ground.
                            if context.language == .en, !action.reason.isEmpty { fact(&facts, context.t(WebText.reason), action.reason) }
                        }
                        guard admin else { return }
                        div.wrap("form", ["method": "post", "action": "/admin/sweeps/\(action.id)", "class": "stacked wide"]) { form in
                            token(&form, context)
                            form.wrap("fieldset", ["class": "choices"]) { set in
                                radio(&set, name: "outcome", value: "confirm", label: context.t(WebText.confirmRevocation), checked: false, required: true)
                                radio(&set, name: "outcome", value: "dismiss", label: context.t(WebText.dismissProposal), checked: false)
                            }
                            form.wrap("label") { label in
                                label.text(context.t(WebText.note))
                                label.element("textarea", ["name": "note", "required": "required", "maxlength": "2000", "rows": "2"], "")
                            }
                            form.element("button", ["type": "submit"], context.t(WebText.confirm))
                        }
                    }
                }
                if !admin, !proposals.isEmpty { section.element("p", ["class": "muted"], context.t(WebText.adminOnly)) }
            }
            main.element("h2", [:], context.t(WebText.runs))
            guard !runs.isEmpty else {
                main.element("p", ["class": "muted"], context.t(WebText.noSweeps))
                return
            }
            let format = ISO8601DateFormatter()
            Layout.table(&main, headers: [context.t(WebText.slot), context.t(WebText.asOf), context.t(WebText.runs),
                                          context.t(WebText.lastRun), context.t(WebText.by), context.t(WebText.actions)],
                         rows: runs.map { [.text($0.slot), .text($0.asOf.description), .number(String($0.runs)),
                                           .text(format.string(from: $0.lastRunAt)), .text($0.lastRunBy), .number(String($0.actions))] })
        }
    }
}
