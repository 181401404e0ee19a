import Foundation
import IndicatorKit
import Reports
import ReviewCore

/// An expert's pages: the assigned filings, and the scoring form of one.
extension Pages {
    static func panels(_ context: PageContext, filings: [(FilingStatus, Bool)]) -> String {
        Layout.page(context, title: context.t(WebText.myPanels), place: .panels) { main in
            main.element("h1", [:], context.t(WebText.myPanels))
            main.element("p", ["class": "lead"], context.t(WebText.myPanelsIntro))
            guard !filings.isEmpty else {
                main.element("p", ["class": "muted"], context.t(WebText.noPanels))
                return
            }
            Layout.table(&main, headers: [
                context.t(ReportLabels.filing), context.t(ReportLabels.county), context.t(ReportLabels.cluster),
                context.t(ReportLabels.statusLabel), context.t(WebText.scoringTitle),
            ], rows: filings.map { filing, submitted in
                [.link(String(filing.id), href: "/panels/\(filing.id)"), .text(countyName(filing.countyCode, context)),
                 .link(filing.clusterName, href: "/panels/\(filing.id)"), .text(context.t(WebText.status(filing.status))),
                 .text(context.t(submitted ? WebText.submittedWord : WebText.notSubmittedWord))]
            })
        }
    }

    static func panel(
        _ context: PageContext, person: WebPerson, filing: FilingStatus, view: PanelView, message: LocalizedText?, draft: WebDoor.ScoreDraft
    ) -> String {
        let title = "\(filing.id) · \(filing.clusterName)"
        let submitted = view.members.first { $0.expert == person.login }?.submitted ?? false
        return Layout.page(context, title: title, place: .panels) { main in
            main.wrap("p", ["class": "no-print"]) { $0.element("a", ["href": "/panels"], "← " + context.t(WebText.myPanels)) }
            main.element("h1", [:], context.t(WebText.panelFor) + " · " + filing.clusterName)
            if let message { main.element("p", ["class": "message error", "role": "alert", "id": "message"], context.t(message)) }
            main.wrap("dl", ["class": "facts"]) { facts in
                fact(&facts, context.t(ReportLabels.filing), String(filing.id))
                fact(&facts, context.t(ReportLabels.county), countyName(filing.countyCode, context))
                fact(&facts, context.t(WebText.members), view.members.map {
                    $0.expert + " (" + context.t($0.submitted ? WebText.submittedWord : WebText.notSubmittedWord) + ")"
                }.joined(separator: "、"))
            }
            main.wrap("p") { $0.element("a", ["href": "/filings/\(filing.id)"], context.t(ReportLabels.filing) + " \(filing.id) →") }
            let mine = Dictionary(view.scores.filter { $0.expert == person.login }.map { ($0.criterion, $0) }, uniquingKeysWith: { a, _ in a })
            main.wrap("section", ["id": "scores"]) { section in
                section.element("h2", [:], context.t(WebText.scoringTitle))
                if submitted {
                    section.element("p", ["class": "message info"], context.t(WebText.submittedScores))
                } else {
                    section.element("p", ["class": "muted"], context.t(WebText.othersHidden) + " " + context.t(WebText.summaryAfterSubmitting))
                }
                if submitted {
                    Layout.table(&section, headers: [context.t(ReportLabels.criterion), context.t(WebText.score), context.t(WebText.opinion),
                                                     context.t(WebText.note)],
                                 rows: view.criteria.map { criterion in
                                     let score = mine[criterion]
                                     return [.text(criterion), .number(score.map { String($0.score) } ?? "—"),
                                             .text(score.map { context.t($0.verdict == "agree" ? WebText.agree : WebText.disagree) } ?? "—"),
                                             .text(score?.note ?? "")]
                                 })
                } else {
                    // Refusals of criteria the form does not show (not left for a person to judge).
                    for (criterion, error) in draft.errors.sorted(by: { $0.key < $1.key }) where !view.criteria.contains(criterion) {
                        section.element("p", ["class": "message error", "role": "alert", "data-criterion": criterion], criterion + ": " + context.t(error))
                    }
                    if view.criteria.isEmpty { section.element("p", ["class": "muted"], context.t(WebText.noCriteria)) }
                    section.wrap("form", ["method": "post", "action": "/panels/\(filing.id)", "class": "confirm-forms scoring"]) { form in
                        token(&form, context)
                        for criterion in view.criteria {
                            let saved = mine[criterion]
                            let classes = draft.errors[criterion] == nil ? "finding-confirmation" : "finding-confirmation refused"
                            form.wrap("fieldset", ["class": classes, "data-criterion": criterion]) { set in
                                set.wrap("legend") { $0.element("strong", ["class": "criterion"], criterion) }
                                if let error = draft.errors[criterion] {
                                    set.element("p", ["class": "message error", "role": "alert", "data-criterion": criterion], context.t(error))
                                }
                                set.wrap("label") { label in
                                    label.text(context.t(WebText.score) + " ")
                                    label.empty("input", ["type": "number", "name": "score:" + criterion, "min": "0", "max": "100", "step": "1",
                                                          "value": draft.scores[criterion] ?? saved.map { String($0.score) } ?? ""])
                                }
                                let verdict = draft.verdicts[criterion] ?? saved?.verdict
                                set.wrap("div", ["class": "choices"]) { choices in
                                    radio(&choices, name: "verdict:" + criterion, value: "agree", label: context.t(WebText.agree), checked: verdict == "agree")
                                    radio(&choices, name: "verdict:" + criterion, value: "disagree", label: context.t(WebText.disagree),
                                          checked: verdict == "disagree")
                                }
                                set.wrap("label") { label in
                                    label.text(context.t(WebText.note))
                                    label.element("textarea", ["name": "note:" + criterion, "maxlength": "4000", "rows": "2"],
                                                  draft.notes[criterion] ?? saved?.note ?? "")
                                }
                            }
                        }
                        form.element("button", ["type": "submit", "id": "save-scores"], context.t(WebText.saveScores))
                    }
                    section.wrap("form", ["method": "post", "action": "/panels/\(filing.id)/submission", "class": "stacked"]) { form in
                        token(&form, context)
                        form.element("button", ["type": "submit", "id": "submit-scores"], context.t(WebText.submitScores))
                    }
                }
            }
            // The panel's result per criterion (`panel_results`, over the submitted members), as the
            // reviewer's page shows it beside each finding; the database gives an expert none before
            // their own scores are submitted (docs/security.md, "Experts").
            if submitted && !view.results.isEmpty {
                main.wrap("section", ["id": "summary"]) { section in
                    section.element("h2", [:], context.t(WebText.panelSummary))
                    section.element("p", ["class": "muted"], context.t(WebText.panelSummaryIntro))
                    for result in view.results {
                        let outcome = ReviewReport.PanelOutcome(
                            criterion: result.criterion, median: result.median, lowest: result.lowest, highest: result.highest, agree: result.agree,
                            disagree: result.disagree, scored: result.scored, members: result.members, flagged: result.flagged)
                        section.wrap("p", ["class": result.flagged ? "panel-result flagged" : "panel-result", "data-criterion": result.criterion]) { p in
                            p.element("strong", ["class": "criterion"], result.criterion)
                            p.text(" " + context.t(WebText.panelLine(outcome)))
                            if result.flagged { p.element("strong", ["class": "to-discuss"], " · " + context.t(WebText.panelToDiscuss)) }
                        }
                    }
                }
            }
            // What the database lets the expert read of the others: nothing before submitting.
            let others = view.scores.filter { $0.expert != person.login }
            if !others.isEmpty {
                main.wrap("section", ["id": "others"]) { section in
                    section.element("h2", [:], context.t(WebText.othersScores))
                    Layout.table(&section, headers: [context.t(ReportLabels.criterion), context.t(WebText.expert), context.t(WebText.score),
                                                     context.t(WebText.opinion), context.t(WebText.note)],
                                 rows: others.map { [.text($0.criterion), .text($0.expert), .number(String($0.score)),
                                                     .text(context.t($0.verdict == "agree" ? WebText.agree : WebText.disagree)), .text($0.note)] })
                }
            }
        }
    }
}
