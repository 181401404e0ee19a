import Foundation
import IndicatorKit
import Postgres
import ReviewCore

/// The rounds (issue 17's 批次) on the web: staff read them; an administrator opens and closes them
/// through the same `Rounds` functions as `cluster-review rounds open|close`, whose refusals (a name
/// taken, an overlap, a day past) the database words and the page shows, with nothing written.
extension WebDoor {
    func roundsPage(_ web: WebRequest, message: LocalizedText? = nil, status: Int = 200) async throws -> Reply {
        let result = try await asPerson(web) { connection, person -> (CivilDate, [Pages.RoundLine])? in
            guard person.isStaff else { return nil }
            let today = try DatabaseClock.read(on: connection).today
            let lines = try Rounds.list(on: connection).map { round in
                Pages.RoundLine(round: round, filed: try Rounds.tally(round: round.id, on: connection).reduce(0) { $0 + $1.count })
            }
            return (today, lines)
        }
        guard case .found(let person, let found) = result else { return signedOut(web) }
        guard let (today, lines) = found else { return notFound(web, person) }
        return html(status, Pages.rounds(context(web, person), person: person, today: today, lines: lines, message: message), person: person.login)
    }

    func openRound(_ web: WebRequest) async throws -> Reply {
        guard let token = web.sessionToken, let form = web.form(), token.accepts(formToken: form["csrf"], purpose: "session") else {
            return refusedForm(web)
        }
        let name = (form["name"] ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        let kinds = FilingKind.allCases.map(\.rawValue).filter { form["kind:\($0)"] == "on" }
        let quota = { (field: String) -> Int?? in
            let text = (form[field] ?? "").trimmingCharacters(in: .whitespaces)
            if text.isEmpty { return .some(nil) }
            return Int(text).map { .some($0) }
        }
        guard !name.isEmpty, !kinds.isEmpty, let opens = form["opens"].flatMap(CivilDate.init), let closes = form["closes"].flatMap(CivilDate.init),
              case .some(let perCounty) = quota("per_county"), case .some(let total) = quota("total")
        else {
            return try await roundsPage(web, message: LocalizedText(zh: WebText.notDone.zh + WebText.fillEveryField.zh,
                                                                  en: WebText.notDone.en + WebText.fillEveryField.en), status: 422)
        }
        let draft = RoundDraft(name: name, kinds: kinds, opensOn: opens, closesOn: closes, quotaPerCounty: perCounty, quotaTotal: total)
        return try await roundChange(web) { connection in _ = try Rounds.open(draft, on: connection) }
    }

    func closeRound(_ web: WebRequest, id segment: String) async throws -> Reply {
        guard let token = web.sessionToken, let form = web.form(), token.accepts(formToken: form["csrf"], purpose: "session") else {
            return refusedForm(web)
        }
        guard let id = Self.filingID(segment) else { return notFound(web, nil) }
        return try await roundChange(web) { connection in _ = try Rounds.close(id, on: connection) }
    }

    /// Runs an administrator's change of the rounds as the person; 303 back to the page, or the page
    /// again with the database's refusal (409), 404 for no such round, 403 for anyone else.
    private func roundChange(_ web: WebRequest, _ change: @escaping @Sendable (PostgresConnection) throws -> Void) async throws -> Reply {
        do {
            let result = try await asPerson(web) { connection, person -> Bool in
                guard person.holds("admin") else { return false }
                try change(connection)
                return true
            }
            guard case .found(let person, let changed) = result else { return signedOut(web) }
            guard changed else { return problem(web, person, status: 403, title: WebText.forbidden, text: WebText.roundsAdminOnly) }
            logger.info("rounds_changed", ["person": .string(person.login)])
            return redirect("/admin/rounds", person: person.login)
        } catch let error as LifecycleError where error.code == .notFound {
            return notFound(web, nil)
        } catch let error as LifecycleError {
            return try await roundsPage(web, message: LocalizedText(zh: WebText.notDone.zh + error.message.zh, en: WebText.notDone.en + error.message.en),
                                        status: 409)
        }
    }
}
