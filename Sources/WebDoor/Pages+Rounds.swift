import Foundation
import IndicatorKit
import Reports
import ReviewCore

/// The rounds page: every round with where it stands today and how many it has filed; an
/// administrator's forms to open one and to close an open one today.
extension Pages {
    struct RoundLine: Sendable {
        var round: Round
        var filed: Int
    }

    static func rounds(_ context: PageContext, person: WebPerson, today: CivilDate, lines: [RoundLine], message: LocalizedText?) -> String {
        Layout.page(context, title: context.t(WebText.rounds), place: .rounds) { main in
            main.element("h1", [:], context.t(WebText.rounds))
            if let message { main.element("p", ["class": "message error", "role": "alert", "id": "message"], context.t(message)) }
            main.element("p", ["class": "muted"], context.t(WebText.roundsIntro))
            let admin = person.holds("admin")
            if lines.isEmpty {
                main.element("p", ["class": "muted", "id": "no-rounds"], context.t(WebText.noRounds))
            } else {
                Layout.table(&main, headers: [
                    context.t(WebText.roundName), context.t(WebText.roundKinds), context.t(WebText.roundOpens), context.t(WebText.roundCloses),
                    context.t(WebText.quotaPerCounty), context.t(WebText.quotaTotal), context.t(WebText.roundFiled), context.t(WebText.roundState),
                ], rows: lines.map { line in
                    let round = line.round
                    return [.text(round.name), .text(round.kinds.map { FilingKind(rawValue: $0).map { context.t(ReportLabels.kind($0)) } ?? $0 }.joined(separator: context.language == .en ? ", " : "、")),
                            .text(round.opensOn.description), .text((round.closedOn.map { min($0, round.closesOn) } ?? round.closesOn).description),
                            .text(round.quotaPerCounty.map(String.init) ?? context.t(WebText.noQuota)),
                            .text(round.quotaTotal.map(String.init) ?? context.t(WebText.noQuota)),
                            .number(String(line.filed)), .text(context.t(WebText.roundStateWord(round.state(on: today).rawValue)))]
                })
                if admin {
                    for line in lines where line.round.state(on: today) != .closed {
                        main.wrap("form", ["method": "post", "action": "/admin/rounds/\(line.round.id)/close", "class": "inline"]) { form in
                            token(&form, context)
                            form.element("button", ["type": "submit"], "\(context.t(WebText.closeRound))：\(line.round.name)")
                        }
                    }
                }
            }
            guard admin else {
                main.element("p", ["class": "muted"], context.t(WebText.roundsAdminOnly))
                return
            }
            main.element("h2", [:], context.t(WebText.openRound))
            main.wrap("form", ["method": "post", "action": "/admin/rounds", "class": "stacked", "id": "open-round"]) { form in
                token(&form, context)
                form.wrap("label") { $0.text(context.t(WebText.roundName)); $0.empty("input", ["name": "name", "required": "required", "maxlength": "100"]) }
                form.wrap("fieldset", ["class": "choices"]) { set in
                    set.element("legend", [:], context.t(WebText.roundKinds))
                    for kind in FilingKind.allCases {
                        set.wrap("label") { label in
                            label.empty("input", ["type": "checkbox", "name": "kind:\(kind.rawValue)", "value": "on"])
                            label.text(" " + context.t(ReportLabels.kind(kind)))
                        }
                    }
                }
                form.wrap("label") { $0.text(context.t(WebText.roundOpens)); $0.empty("input", ["type": "date", "name": "opens", "required": "required"]) }
                form.wrap("label") { $0.text(context.t(WebText.roundCloses)); $0.empty("input", ["type": "date", "name": "closes", "required": "required"]) }
                form.wrap("label") { $0.text(context.t(WebText.quotaPerCounty)); $0.empty("input", ["type": "number", "name": "per_county", "min": "1"]) }
                form.wrap("label") { $0.text(context.t(WebText.quotaTotal)); $0.empty("input", ["type": "number", "name": "total", "min": "1"]) }
                form.element("button", ["type": "submit"], context.t(WebText.openRound))
            }
        }
    }
}
