import Foundation
import ClusterStandard
import IndicatorKit
import Postgres
import ReviewCore
import Rulebooks

/// A county's filing journey:
///
///     GET  /filings/new          upload or paste a filing
///     POST /filings/new          the self-check: `OfflineSelfCheck` (validator, then the modules' workers), as `evaluate`
///     POST /filings              submit through the submission door as the person → 303 /submissions/ID
///     GET  /submissions/ID       received (reloads itself) / refused with the door's reasons / filed → 303 /filings/N
///     GET  /templates/KIND       the blank template of KIND, as `cluster-review template KIND` prints it, to download
extension WebDoor {
    /// The upload-or-paste page; only a county's login files.
    func newFilingPage(_ web: WebRequest) async throws -> Reply {
        guard case .found(let person, _) = try await asPerson(web, { _, _ in () }) else { return signedOut(web) }
        guard !person.counties.isEmpty else { return problem(web, person, status: 403, title: WebText.forbidden, text: WebText.countiesOnly) }
        return html(200, Pages.newFiling(context(web, person), draft: nil, filename: nil, outcome: .none), person: person.login)
    }

    /// The self-check of an uploaded or pasted filing: the same validation and module run as
    /// `cluster-review evaluate --html` (`OfflineSelfCheck`), shown as the county's report, or the
    /// format's issues pinned to their lines. Nothing is written.
    func checkFiling(_ web: WebRequest) async throws -> Reply {
        guard let token = web.sessionToken, let form = web.fields(), token.accepts(formToken: form["csrf"], purpose: "session") else {
            return refusedForm(web)
        }
        guard case .found(let person, _) = try await asPerson(web, { _, _ in () }) else { return signedOut(web) }
        guard !person.counties.isEmpty else { return problem(web, person, status: 403, title: WebText.forbidden, text: WebText.countiesOnly) }
        let page = context(web, person)
        func answer(_ status: Int, draft: String?, filename: String?, _ outcome: Pages.CheckOutcome) -> Reply {
            html(status, Pages.newFiling(page, draft: draft, filename: filename, outcome: outcome), person: person.login)
        }
        let sent = form.file("file") ?? form.file("text").map { ($0.bytes, nil) }
        guard let (bytes, filename) = sent, !bytes.allSatisfy({ [9, 10, 13, 32].contains($0) }) else {
            return answer(422, draft: nil, filename: nil, .message(WebText.nothingSent))
        }
        let draft = String(data: bytes, encoding: .utf8)
        guard let engine = selfCheck else {
            return answer(503, draft: draft, filename: filename, .message(WebText.selfCheckUnavailable))
        }
        let name = filename.map { URL(fileURLWithPath: $0).deletingPathExtension().lastPathComponent } ?? "filing"
        let outcome: OfflineSelfCheck.Outcome
        do {
            outcome = try await OfflineSelfCheck.run(bytes, id: name, rulebooks: engine.rulebooks, modules: engine.modules)
        } catch let error as RulebookError {
            return answer(422, draft: draft, filename: filename, .message(WebText.rulebookRefused(error.message)))
        }
        switch outcome {
        case .invalid(let issues):
            logger.info("self_check", ["person": .string(person.login), "issues": .number(Decimal(issues.count))])
            return answer(422, draft: draft, filename: filename, .invalid(issues))
        case .evaluated(let evaluated):
            logger.info("self_check", ["person": .string(person.login), "recommendation": .string(evaluated.report.recommendation.rawValue)])
            return answer(200, draft: draft, filename: filename, .evaluated(evaluated.report))
        }
    }

    /// Submits a filing through the submission door as the person (`SubmissionDoor.receive`: the
    /// database names the county, the person and the time; a coordinator checks it as it checks
    /// every client's), then 303 to the submission's page.
    func submitFiling(_ web: WebRequest) async throws -> Reply {
        guard let token = web.sessionToken, let form = web.fields(), token.accepts(formToken: form["csrf"], purpose: "session") else {
            return refusedForm(web)
        }
        guard let bytes = form.file("filing")?.bytes else {
            guard case .found(let person, _) = try await asPerson(web, { _, _ in () }) else { return signedOut(web) }
            return html(422, Pages.newFiling(context(web, person), draft: nil, filename: nil, outcome: .message(WebText.nothingSent)),
                        person: person.login)
        }
        let document = SubmissionDoor.Document(bytes, reference: form["reference"])
        do {
            let result = try await asPerson(web) { connection, _ in try SubmissionDoor.receive(document, on: connection) }
            guard case .found(let person, let id) = result else { return signedOut(web) }
            logger.info("submitted", ["person": .string(person.login), "submission": .number(Decimal(id))])
            return redirect("/submissions/\(id)", person: person.login)
        } catch let error as PostgresError where error.sqlState == "42501" {
            return problem(web, nil, status: 403, title: WebText.forbidden, text: WebText.countiesOnly)
        } catch let error as PostgresError where !error.isConnectionLoss && error.sqlState != "57014" {
            let detail = LifecycleError(error).map { $0.message.text(in: web.language) } ?? { if case .server(let server) = error { return server.message } else { return "\(error)" } }()
            guard case .found(let person, _) = try await asPerson(web, { _, _ in () }) else { return signedOut(web) }
            return html(422, Pages.newFiling(context(web, person), draft: String(data: bytes, encoding: .utf8), filename: document.reference,
                                             outcome: .message(WebText.doorRefused(detail))), person: person.login)
        }
    }

    /// A submission: filed → 303 to its filing; waiting → a page that reloads itself; refused →
    /// the door's reasons. Another county's (or none) → 404.
    func submission(_ web: WebRequest, id segment: String) async throws -> Reply {
        let id = Self.filingID(segment)
        let result = try await asPerson(web) { connection, _ -> SubmissionDoor.Record? in
            guard let id else { return nil }
            return try SubmissionDoor.record(id, on: connection)
        }
        guard case .found(let person, let record) = result else { return signedOut(web) }
        guard let record else { return notFound(web, person) }
        switch record.verdict {
        case .filed(let filing), .alreadyOnFile(let filing):
            return redirect("/filings/\(filing)", person: person.login)
        case .pending, .refused:
            return html(200, Pages.submission(context(web, person), record: record), person: person.login)
        }
    }

    /// The blank template of a kind, as `cluster-review template KIND` prints it, as a download.
    func template(_ web: WebRequest, kind name: String) -> Reply {
        let base = name.hasSuffix(".json") ? String(name.dropLast(5)) : name
        guard let kind = FilingKind(rawValue: base) else { return notFound(web, nil) }
        return Reply(status: 200, headers: [
            "Content-Type": "application/json; charset=utf-8", "Content-Disposition": "attachment; filename=\"\(kind.rawValue).json\"",
        ], body: Data((FilingTemplate.text(kind) + "\n").utf8))
    }
}
