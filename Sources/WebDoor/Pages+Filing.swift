import Foundation
import ClusterStandard
import IndicatorKit
import JSONCore
import Reports
import ReviewCore

/// A county's filing pages: upload or paste → self-check → submit → follow the submission.
extension Pages {
    /// What the self-check made of what was sent (nothing yet, a message, the format's issues, or
    /// the county's report).
    enum CheckOutcome {
        case none
        case message(LocalizedText)
        case invalid([ValidationIssue])
        case evaluated(ReviewReport)
    }

    /// The most lines of a filing listed under its errors.
    static let listingLines = 5000

    static func newFiling(
        _ context: PageContext, draft: String?, filename: String?, outcome: CheckOutcome, generatedAt: Date = Date()
    ) -> String {
        let title = context.t(WebText.newFiling)
        var sheets: [String] = []
        if case .evaluated = outcome { sheets = [StaticAssets.reportPath] }
        return Layout.page(context, title: title, place: .newFiling, stylesheets: sheets) { main in
            main.element("h1", [:], title)
            switch outcome {
            case .none:
                main.element("p", ["class": "lead"], context.t(WebText.newFilingIntro))
            case .message(let message):
                main.element("p", ["class": "message error", "role": "alert", "id": "message"], context.t(message))
            case .invalid(let issues):
                main.element("p", ["class": "message error", "role": "alert", "id": "message"], context.t(WebText.invalidCount(issues.count)))
                let pins = pinned(issues, in: draft)
                issueTable(&main, context, issues, pins: pins)
                if let draft { listing(&main, context, draft, flagged: Set(pins.compactMap { $0?.line })) }
            case .evaluated(let report):
                main.element("h2", ["id": "self-check-result"], context.t(WebText.checkedTitle))
                main.wrap("div", ["class": "report-page"]) { page in
                    HTMLReport.content(report, language: context.language, generatedAt: generatedAt, audience: .county, into: &page)
                }
                if let draft {
                    main.wrap("section", ["id": "submit", "class": "no-print"]) { section in
                        section.element("h2", [:], context.t(WebText.submitTitle))
                        section.element("p", [:], context.t(WebText.submitIntro))
                        section.wrap("form", ["method": "post", "action": "/filings", "enctype": "multipart/form-data"]) { form in
                            form.empty("input", ["type": "hidden", "name": "csrf", "value": context.formToken ?? ""])
                            form.empty("input", ["type": "hidden", "name": "filing", "value": draft])
                            if let filename { form.empty("input", ["type": "hidden", "name": "reference", "value": filename]) }
                            form.element("button", ["type": "submit", "id": "submit-filing"], context.t(WebText.submit))
                        }
                    }
                }
            }
            checkForm(&main, context, draft: draft, again: { if case .none = outcome { return false } else { return true } }())
            main.wrap("section", ["id": "templates", "class": "no-print"]) { section in
                section.element("h2", [:], context.t(WebText.templates))
                section.element("p", ["class": "muted"], context.t(WebText.templatesIntro))
                section.wrap("ul") { list in
                    for kind in FilingKind.allCases {
                        list.wrap("li") { $0.element("a", ["href": "/templates/\(kind.rawValue)", "download": "\(kind.rawValue).json"],
                                                     context.t(WebText.kind(kind.rawValue))) }
                    }
                }
            }
        }
    }

    /// The upload-or-paste form (multipart, so a file's bytes arrive as they are).
    static func checkForm(_ html: inout Markup, _ context: PageContext, draft: String?, again: Bool) {
        html.wrap("section", ["id": "check", "class": "no-print"]) { section in
            if again { section.element("h2", [:], context.t(WebText.checkAgain)) }
            section.wrap("form", ["method": "post", "action": "/filings/new", "enctype": "multipart/form-data", "class": "stacked"]) { form in
                form.empty("input", ["type": "hidden", "name": "csrf", "value": context.formToken ?? ""])
                form.wrap("label") { label in
                    label.text(context.t(WebText.chooseFile))
                    label.empty("input", ["type": "file", "name": "file", "accept": "application/json,.json"])
                }
                form.wrap("label") { label in
                    label.text(context.t(WebText.orPaste))
                    label.element("textarea", ["name": "text", "rows": "14", "spellcheck": "false", "class": "json"], draft ?? "")
                }
                form.element("button", ["type": "submit", "id": "check-filing"], context.t(WebText.check))
            }
        }
    }

    /// Where each issue is in `text`: the parser's position for a syntax error, else the line of
    /// its path (or of the nearest enclosing member that is there: a missing member is pinned to
    /// the object that lacks it, `JSONLocations`).
    static func pinned(_ issues: [ValidationIssue], in text: String?) -> [SourcePosition?] {
        guard let text else { return issues.map(\.position) }
        let data = Data(text.utf8)
        let offsets = JSONLocations.offsets(in: data)
        return issues.map { issue in
            issue.position ?? JSONLocations.offset(of: issue.path, in: offsets).map { SourcePosition(offset: $0, in: data) }
        }
    }

    /// The format's issues: where (the JSON path, linked to its line below), the problem, the fix.
    static func issueTable(_ html: inout Markup, _ context: PageContext, _ issues: [ValidationIssue], pins: [SourcePosition?]? = nil) {
        html.element("h2", [:], context.t(WebText.issuesTitle))
        html.wrap("table", ["class": "list issues", "id": "issues"]) { table in
            table.wrap("thead") { head in
                head.wrap("tr") { tr in
                    for header in [WebText.path, WebText.problemText, WebText.fixText] { tr.element("th", ["scope": "col"], context.t(header)) }
                }
            }
            table.wrap("tbody") { body in
                for (index, issue) in issues.enumerated() {
                    body.wrap("tr", ["id": "issue-\(index + 1)", "data-path": issue.path]) { tr in
                        tr.wrap("td") { td in
                            if let position = pins?[index] ?? issue.position {
                                td.wrap("a", ["href": "#line-\(position.line)"]) { $0.element("code", [:], issue.path) }
                                td.element("span", ["class": "muted"], " " + context.t(WebText.lineColumn(position.line, position.column)))
                            } else {
                                td.element("code", [:], issue.path)
                            }
                        }
                        tr.element("td", [:], context.t(issue.message))
                        tr.element("td", [:], context.t(issue.fix))
                    }
                }
            }
        }
    }

    /// The filing as sent, line by line, each line an anchor; the lines with an issue marked.
    static func listing(_ html: inout Markup, _ context: PageContext, _ text: String, flagged: Set<Int>) {
        html.element("h2", [:], context.t(WebText.yourFiling))
        html.wrap("ol", ["class": "listing", "id": "listing"]) { list in
            // Lines as SourcePosition counts them: ended by LF (a browser sends a textarea with CRLF,
            // which Swift reads as one Character).
            let lines = text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" })
            for (index, line) in lines.prefix(listingLines).enumerated() {
                let number = index + 1
                let shown = String(line)
                if flagged.contains(number) {
                    list.element("li", ["id": "line-\(number)", "class": "flagged"], shown)
                } else {
                    list.element("li", ["id": "line-\(number)"], shown)
                }
            }
        }
    }

    // MARK: a submission

    /// A submission not (yet) filed: waiting for the door's check (the page reloads itself), or
    /// refused with the door's reasons.
    static func submission(_ context: PageContext, record: SubmissionDoor.Record) -> String {
        let title = context.t(WebText.submission(record.id))
        let pending: Bool = { if case .pending = record.verdict { return true } else { return false } }()
        return Layout.page(context, title: title, place: .newFiling, refresh: pending ? 3 : nil) { main in
            main.wrap("p", ["class": "no-print"]) { $0.element("a", ["href": "/filings"], "← " + context.t(WebText.backToList)) }
            main.element("h1", [:], title)
            if let reference = record.reference {
                main.wrap("dl", ["class": "facts"]) { fact(&$0, context.t(WebText.reference), reference) }
            }
            switch record.verdict {
            case .refused(let issues):
                main.element("p", ["class": "message error", "role": "alert", "id": "message"], context.t(WebText.submissionRefused))
                main.element("p", [:], context.t(WebText.submissionRefusedText))
                issueTable(&main, context, issues)
            default:
                main.element("p", ["class": "message info", "role": "status", "id": "message"], context.t(WebText.received))
                main.element("p", [:], context.t(WebText.receivedText))
                main.wrap("p") { $0.element("a", ["href": "/submissions/\(record.id)"], context.t(WebText.refreshNow)) }
            }
            main.wrap("p") { $0.element("a", ["href": "/filings/new"], context.t(WebText.fileAnother)) }
        }
    }
}
