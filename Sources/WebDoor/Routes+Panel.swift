import Foundation
import IndicatorKit
import Postgres
import ReviewCore

/// An expert's pages (issue 19; the panels of issue 17, item 2), through the same `Panels` functions as `cluster-review
/// score` and `score --submit`, as the expert:
///
///     GET  /panels                  the filings of the panels the expert sits on (row-level security limits them)
///     GET  /panels/ID               the scoring form of filing ID: per manual criterion a score 0–100, agree/disagree, a note
///     POST /panels/ID               save the scores (`score_criterion`), all or none
///     POST /panels/ID/submission    submit them (`submit_scores`): final; then the others' scores show
///
/// The database decides what the expert reads: its own scores, and the other members' only once
/// its own are submitted; the page shows what it is given and says which.
extension WebDoor {
    /// The scores an expert sent, to show them again with the reasons after a refusal.
    struct ScoreDraft: Sendable {
        var scores: [String: String] = [:]
        var verdicts: [String: String] = [:]
        var notes: [String: String] = [:]
        var errors: [String: LocalizedText] = [:]
    }

    struct ScoresRefused: Error {
        var errors: [String: LocalizedText]
    }

    /// A POST to an expert's page by somebody who holds no expert's role: 403, nothing written.
    struct NotAnExpert: Error {}

    func panels(_ web: WebRequest) async throws -> Reply {
        let result = try await asPerson(web) { connection, person -> [(FilingStatus, Bool)]? in
            guard person.holds("expert") else { return nil }
            return try Panels.filings(on: connection).compactMap { filing in
                guard let status = try ReviewRecords.status(of: filing, on: connection),
                      let view = try Panels.show(filing: filing, on: connection) else { return nil }
                return (status, view.members.first { $0.expert == person.login }?.submitted ?? false)
            }
        }
        guard case .found(let person, let list) = result else { return signedOut(web) }
        guard let list else { return problem(web, person, status: 403, title: WebText.forbidden, text: WebText.forbiddenText) }
        return html(200, Pages.panels(context(web, person), filings: list), person: person.login)
    }

    func panel(_ web: WebRequest, id segment: String, message: LocalizedText? = nil, status: Int = 200, draft: ScoreDraft = ScoreDraft()) async throws -> Reply {
        let id = Self.filingID(segment)
        let result = try await asPerson(web) { connection, person -> (FilingStatus, PanelView)? in
            guard person.holds("expert"), let id, let status = try ReviewRecords.status(of: id, on: connection),
                  let view = try Panels.show(filing: id, on: connection), view.members.contains(where: { $0.expert == person.login })
            else { return nil }
            return (status, view)
        }
        guard case .found(let person, let found) = result else { return signedOut(web) }
        guard let (filing, view) = found else { return notFound(web, person) }
        return html(status, Pages.panel(context(web, person), person: person, filing: filing, view: view, message: message, draft: draft),
                    person: person.login)
    }

    /// Saves the scores sent (criteria left blank are left as they are), each through
    /// `score_criterion` in one transaction: all, or none with each reason under its criterion.
    func saveScores(_ web: WebRequest, id segment: String) async throws -> Reply {
        guard let token = web.sessionToken, let form = web.form(), token.accepts(formToken: form["csrf"], purpose: "session") else {
            return refusedForm(web)
        }
        guard let id = Self.filingID(segment) else { return notFound(web, nil) }
        var draft = ScoreDraft()
        var items: [(String, Int, String, String)] = []
        for (name, value) in form where name.hasPrefix("score:") {
            let criterion = String(name.dropFirst("score:".count))
            guard !criterion.isEmpty, criterion.utf8.count <= 32 else { continue }
            let verdict = form["verdict:" + criterion] ?? "", note = form["note:" + criterion] ?? ""
            draft.scores[criterion] = value
            draft.verdicts[criterion] = verdict
            draft.notes[criterion] = note
            let score = value.trimmingCharacters(in: .whitespaces)
            if score.isEmpty && verdict.isEmpty && note.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty { continue }
            guard let number = Int(score), (0...100).contains(number), verdict == "agree" || verdict == "disagree",
                  !note.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty
            else {
                draft.errors[criterion] = WebText.scoreInvalid
                continue
            }
            items.append((criterion, number, verdict, note))
        }
        guard draft.errors.isEmpty, !items.isEmpty else {
            let why = draft.errors.isEmpty ? WebText.nothingScored : WebText.scoreInvalid
            return try await panel(web, id: segment, message: LocalizedText(zh: WebText.scoresNotSaved.zh + why.zh, en: WebText.scoresNotSaved.en + why.en),
                                   status: 422, draft: draft)
        }
        let sorted = items.sorted { $0.0 < $1.0 }
        do {
            let result = try await asPerson(web) { connection, person in
                guard person.holds("expert") else { throw NotAnExpert() }
                var errors: [String: LocalizedText] = [:]
                for (criterion, score, verdict, note) in sorted {
                    do {
                        _ = try connection.transaction {
                            try Panels.score(filing: id, criterion: criterion, score: score, verdict: verdict, note: note, on: $0)
                        }
                    } catch let error as LifecycleError {
                        errors[criterion] = error.message
                    }
                }
                guard errors.isEmpty else { throw ScoresRefused(errors: errors) }
            }
            guard case .found(let person, _) = result else { return signedOut(web) }
            logger.info("scored", ["person": .string(person.login), "filing": .number(Decimal(id)), "count": .number(Decimal(sorted.count))])
            return redirect("/panels/\(id)#scores", person: person.login)
        } catch let refused as ScoresRefused {
            draft.errors = refused.errors
            let why = WebText.scoresRefused(refused.errors.count)
            return try await panel(web, id: segment, message: LocalizedText(zh: WebText.scoresNotSaved.zh + why.zh, en: WebText.scoresNotSaved.en + why.en),
                                   status: 409, draft: draft)
        } catch is NotAnExpert {
            return problem(web, nil, status: 403, title: WebText.forbidden, text: WebText.forbiddenText)
        } catch let error as PostgresError where error.sqlState == "42501" {
            // Not on the panel of this filing: the same as a filing that does not exist.
            return notFound(web, nil)
        }
    }

    /// Submits the expert's scores (`submit_scores`): final; the database refuses while a
    /// criterion is unscored, and the page says why.
    func submitScores(_ web: WebRequest, id segment: String) async throws -> Reply {
        guard let token = web.sessionToken, let form = web.form(), token.accepts(formToken: form["csrf"], purpose: "session") else {
            return refusedForm(web)
        }
        guard let id = Self.filingID(segment) else { return notFound(web, nil) }
        do {
            let result = try await asPerson(web) { connection, person in
                guard person.holds("expert") else { throw NotAnExpert() }
                try Panels.submit(filing: id, on: connection)
            }
            guard case .found(let person, _) = result else { return signedOut(web) }
            logger.info("scores_submitted", ["person": .string(person.login), "filing": .number(Decimal(id))])
            return redirect("/panels/\(id)#scores", person: person.login)
        } catch let error as LifecycleError where error.code == .notFound {
            return notFound(web, nil)
        } catch let error as LifecycleError {
            return try await panel(web, id: segment, message: LocalizedText(zh: WebText.notDone.zh + error.message.zh, en: WebText.notDone.en + error.message.en),
                                   status: 409)
        } catch is NotAnExpert {
            return problem(web, nil, status: 403, title: WebText.forbidden, text: WebText.forbiddenText)
        } catch let error as PostgresError where error.sqlState == "42501" {
            // Not on the panel of this filing: the same as a filing that does not exist.
            return notFound(web, nil)
        }
    }
}
