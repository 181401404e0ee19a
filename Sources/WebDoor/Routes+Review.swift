import Foundation
import IndicatorKit
import Postgres
import Reports
import ReviewCore

/// A reviewer's steps on a filing's page, each a POST through the same lifecycle functions as the
/// CLI (`Lifecycle`, sql/004–060), as the person, in the request's one transaction:
///
///     POST /filings/ID/confirmations           confirm or acknowledge several findings at once, each with its note
///     POST /filings/ID/decision                approve / refuse / return, with grounds (`decide`)
///     POST /filings/ID/objections              record an objection during the notice (`file_objection`)
///     POST /filings/ID/objections/OBJECTION    uphold or dismiss it (`resolve_objection`)
///     POST /filings/ID/notice                  close the notice after its last day (`close_publicity`)
///     GET  /filings/ID/diff                    a correction's differences (`report --diff`)
///     POST /admin/sweeps/ACTION                confirm or dismiss a proposed revocation (`resolve_sweep_action`)
///
/// Every POST: the form token first (403, nothing read or written); then the database decides. A
/// refusal (`LifecycleError`) shows the filing again with the database's reason in the page's
/// language (409) and nothing written; a form that is not complete, 422; a step the person's
/// role may not take (42501), 403; success, 303 back to the filing.
extension WebDoor {
    /// What the reviewer sent, to show it again with the reasons after a refusal.
    struct ReviewDraft: Sendable {
        /// Per criterion: `accept` or `reject` as chosen, the note, and why it was refused.
        var choices: [String: String] = [:]
        var notes: [String: String] = [:]
        var errors: [String: LocalizedText] = [:]
        /// The decision form's fields.
        var decision: [String: String] = [:]
        /// The objection form's fields.
        var objection: [String: String] = [:]
    }

    /// A batch refused by the database: every finding's reason; the transaction rolls back.
    struct ConfirmationsRefused: Error {
        var errors: [String: LocalizedText]
    }

    // MARK: confirmations

    /// Several findings confirmed at once, each with its own word and note, in one transaction:
    /// every chosen finding through `confirm_finding` (a savepoint each, so that every refusal is
    /// known), then all kept, or none when one was refused — the page then shows each reason under
    /// its finding. The single form's fields (`criterion`, `decision`, `note`) are one finding.
    func confirmFindings(_ web: WebRequest, id segment: String) async throws -> Reply {
        guard let token = web.sessionToken, let form = web.form(), token.accepts(formToken: form["csrf"], purpose: "session") else {
            return refusedForm(web)
        }
        guard let id = Self.filingID(segment) else { return notFound(web, nil) }
        var draft = ReviewDraft()
        if let criterion = form["criterion"] {
            draft.choices[criterion] = form["decision"] ?? ""
            draft.notes[criterion] = form["note"] ?? ""
            guard form["decision"] == "accept" || form["decision"] == "reject" else {
                return try await filing(web, id: segment, message: WebText.confirmRefused, status: 422)
            }
        } else {
            for (name, value) in form where name.hasPrefix("decision:") {
                let criterion = String(name.dropFirst("decision:".count))
                guard !criterion.isEmpty, criterion.utf8.count <= 32 else { continue }
                draft.notes[criterion] = form["note:" + criterion] ?? ""
                if value == "accept" || value == "reject" { draft.choices[criterion] = value }
            }
        }
        guard !draft.choices.isEmpty else {
            return try await filing(web, id: segment, message: WebText.noneChosen, status: 422, draft: draft)
        }
        for (criterion, _) in draft.choices where (draft.notes[criterion] ?? "").trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
            draft.errors[criterion] = WebText.noteRequired
        }
        guard draft.errors.isEmpty else {
            return try await filing(web, id: segment, message: WebText.batchRefused(draft.errors.count), status: 422, draft: draft)
        }
        let items = draft.choices.keys.sorted().map { ($0, draft.choices[$0] == "accept", draft.notes[$0] ?? "") }
        do {
            let result = try await asPerson(web) { connection, _ -> Int in
                var errors: [String: LocalizedText] = [:]
                for (criterion, accept, note) in items {
                    do {
                        _ = try connection.transaction { try Lifecycle($0).confirm(filing: id, criterion: criterion, accept: accept, note: note) }
                    } catch let error as LifecycleError {
                        errors[criterion] = error.message
                    }
                }
                guard errors.isEmpty else { throw ConfirmationsRefused(errors: errors) }
                return items.count
            }
            guard case .found(let person, let count) = result else { return signedOut(web) }
            logger.info("confirmed", [
                "person": .string(person.login), "filing": .number(Decimal(id)), "criteria": .array(items.map { .string($0.0) }),
                "count": .number(Decimal(count)),
            ])
            return redirect("/filings/\(id)#confirm", person: person.login)
        } catch let refused as ConfirmationsRefused {
            draft.errors = refused.errors
            let message = items.count == 1 && refused.errors.count == 1
                ? LocalizedText(zh: WebText.confirmRefused.zh + refused.errors.values.first!.zh, en: WebText.confirmRefused.en + refused.errors.values.first!.en)
                : WebText.batchRefused(refused.errors.count)
            return try await filing(web, id: segment, message: message, status: 409, draft: draft)
        } catch let error as PostgresError where error.sqlState == "42501" {
            return problem(web, nil, status: 403, title: WebText.forbidden, text: WebText.forbiddenText)
        }
    }

    // MARK: the decision, the notice, objections

    /// Approve, refuse or return, through `decide` as the reviewer. The database refuses an
    /// approval while a finding waits or is rejected (naming each), and a refusal without grounds.
    func decideFiling(_ web: WebRequest, id segment: String) async throws -> Reply {
        try await step(web, id: segment, anchor: "decide", refused: WebText.notDecided) { form, draft in
            draft.decision = form
            guard let decision = Lifecycle.Decision(rawValue: form["decision"] ?? "") else { return .invalid(WebText.chooseDecision) }
            let note = form["note"] ?? "", grounds = form["grounds"]
            guard !note.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else { return .invalid(WebText.noteMissing) }
            return .act { connection, id in
                try Lifecycle(connection).decide(filing: id, decision, note: note, grounds: grounds?.isEmpty == true ? nil : grounds)
            }
        }
    }

    /// An objection received during the notice, recorded by the reviewer (`file_objection`, dated
    /// today by the database's clock; outside the period the database refuses).
    func recordObjection(_ web: WebRequest, id segment: String) async throws -> Reply {
        try await step(web, id: segment, anchor: "notice", refused: WebText.notDone) { form, draft in
            let by = (form["by"] ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
            let reason = (form["reason"] ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
            let evidence = (form["evidence"] ?? "").split(whereSeparator: \.isNewline)
                .map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            draft.objection = form
            guard !by.isEmpty, !reason.isEmpty else { return .invalid(WebText.fillEveryField) }
            return .act { connection, id in
                try Lifecycle(connection).fileObjection(filing: id, by: by, reason: reason, evidence: evidence)
            }
        }
    }

    /// Upholds or dismisses an objection of this filing's notice (`resolve_objection`); an
    /// objection of another filing is a 404.
    func resolveObjection(_ web: WebRequest, id segment: String, objection objectionSegment: String) async throws -> Reply {
        guard let objection = Self.filingID(objectionSegment) else { return notFound(web, nil) }
        return try await step(web, id: segment, anchor: "notice", refused: WebText.notDone) { form, _ in
            guard let outcome = form["outcome"], outcome == "upheld" || outcome == "dismissed" else { return .invalid(WebText.fillEveryField) }
            let note = form["note"] ?? ""
            guard !note.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else { return .invalid(WebText.noteMissing) }
            return .act { connection, id in
                let lifecycle = Lifecycle(connection)
                guard try lifecycle.notice(filing: id)?.objections.contains(where: { $0.id == objection }) == true else {
                    throw LifecycleError(code: .notFound, message: WebText.notFoundText)
                }
                try lifecycle.resolveObjection(objection, upheld: outcome == "upheld", note: note)
            }
        }
    }

    /// Closes the notice after its last day (`close_publicity`): recognized, or back to the reviewer.
    func closeNotice(_ web: WebRequest, id segment: String) async throws -> Reply {
        try await step(web, id: segment, anchor: "notice", refused: WebText.notDone) { _, _ in
            .act { connection, id in _ = try Lifecycle(connection).closePublicity(filing: id) }
        }
    }

    /// What a step's form says: not complete (422 with why), or the act to run as the person.
    enum StepForm {
        case invalid(LocalizedText)
        case act(@Sendable (PostgresConnection, Int64) throws -> Void)
    }

    /// One reviewer's step on filing `segment`: the token, the form, the act as the person in one
    /// transaction, then 303 to the filing (`#anchor`), or the filing again with why (422, 409).
    func step(
        _ web: WebRequest, id segment: String, anchor: String, refused prefix: LocalizedText,
        _ read: ([String: String], inout ReviewDraft) -> StepForm
    ) async throws -> Reply {
        guard let token = web.sessionToken, let form = web.form(), token.accepts(formToken: form["csrf"], purpose: "session") else {
            return refusedForm(web)
        }
        guard let id = Self.filingID(segment) else { return notFound(web, nil) }
        var draft = ReviewDraft()
        let act: @Sendable (PostgresConnection, Int64) throws -> Void
        switch read(form, &draft) {
        case .invalid(let why):
            return try await filing(web, id: segment, message: LocalizedText(zh: prefix.zh + why.zh, en: prefix.en + why.en), status: 422, draft: draft)
        case .act(let body):
            act = body
        }
        do {
            let result = try await asPerson(web) { connection, _ in try act(connection, id) }
            guard case .found(let person, _) = result else { return signedOut(web) }
            logger.info("review_step", ["person": .string(person.login), "filing": .number(Decimal(id)), "path": .string(web.http.path)])
            return redirect("/filings/\(id)#\(anchor)", person: person.login)
        } catch let error as LifecycleError where error.code == .notFound {
            return notFound(web, nil)
        } catch let error as LifecycleError {
            let message = LocalizedText(zh: prefix.zh + error.message.zh, en: prefix.en + error.message.en)
            return try await filing(web, id: segment, message: message, status: 409, draft: draft)
        } catch let error as PostgresError where error.sqlState == "42501" {
            return problem(web, nil, status: 403, title: WebText.forbidden, text: WebText.forbiddenText)
        }
    }

    // MARK: a correction's differences

    /// The differences of a corrected filing against the filing it supersedes: the same
    /// `FilingDiff` as `report ID --diff`, rendered by the same HTML builder, as the person may see
    /// both filings (else 404).
    func filingDiff(_ web: WebRequest, id segment: String) async throws -> Reply {
        let id = Self.filingID(segment)
        let result = try await asPerson(web) { connection, _ -> FilingDiff? in
            guard let id else { return nil }
            do { return try CorrectionDiffs.diff(of: id, on: connection) } catch is CorrectionDiffs.Failure { return nil }
        }
        guard case .found(let person, let diff) = result else { return signedOut(web) }
        guard let diff else { return notFound(web, person) }
        return html(200, Pages.diff(context(web, person), diff: diff), person: person.login)
    }

    // MARK: the sweep's proposals

    /// Confirms or dismisses a proposed revocation (`resolve_sweep_action`, administrators), then
    /// back to the sweeps page; a refusal shows that page with the reason.
    func resolveSweepAction(_ web: WebRequest, action segment: String) async throws -> Reply {
        guard let token = web.sessionToken, let form = web.form(), token.accepts(formToken: form["csrf"], purpose: "session") else {
            return refusedForm(web)
        }
        guard let action = Self.filingID(segment) else { return notFound(web, nil) }
        let note = form["note"] ?? ""
        guard let outcome = form["outcome"], outcome == "confirm" || outcome == "dismiss",
              !note.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty
        else {
            return try await adminSweeps(web, message: LocalizedText(zh: WebText.notDone.zh + WebText.fillEveryField.zh, en: WebText.notDone.en + WebText.fillEveryField.en), status: 422)
        }
        do {
            let result = try await asPerson(web) { connection, _ in
                try Lifecycle(connection).resolveSweepAction(action, confirm: outcome == "confirm", note: note)
            }
            guard case .found(let person, _) = result else { return signedOut(web) }
            logger.info("sweep_action", ["person": .string(person.login), "action": .number(Decimal(action)), "outcome": .string(outcome)])
            return redirect("/admin/sweeps#proposals", person: person.login)
        } catch let error as LifecycleError where error.code == .notFound {
            return notFound(web, nil)
        } catch let error as LifecycleError {
            return try await adminSweeps(web, message: LocalizedText(zh: WebText.notDone.zh + error.message.zh, en: WebText.notDone.en + error.message.en), status: 409)
        } catch let error as PostgresError where error.sqlState == "42501" {
            return problem(web, nil, status: 403, title: WebText.forbidden, text: WebText.adminOnly)
        }
    }
}
