import Foundation
import ClusterStandard
import HTTPServer
import IndicatorKit
import JSONCore
import Postgres
import Reports
import ReviewCore

/// The door's paths. Route parameters come only from `HTTPRequest.pathSegments`, which the parser
/// has decoded and checked (no `..`, no encoded `/`, no control characters): a filing id is then
/// read as a positive number or the page is a 404; a static file's name is looked up in a table,
/// never on the file system.
///
///     GET  /                          home (per role; the public's without a session)
///     GET  /sign-in, POST /sign-in    signing in
///     POST /sign-out                  signing out
///     GET  /filings                   a county's filings, or the reviewers' queue (filters, search)
///     POST /filings                   a county submits a filing (Routes+Filing)
///     GET  /filings/new, POST         upload or paste a filing, self-check it (Routes+Filing)
///     GET  /submissions/ID            a submission's verdict (Routes+Filing)
///     GET  /templates/KIND            a blank filing template to download (Routes+Filing)
///     GET  /filings/ID                a filing's report; for a reviewer, the forms of the steps below
///     POST /filings/ID/confirmations  confirm or acknowledge several findings at once, each with its note (Routes+Review)
///     POST /filings/ID/decision       approve / refuse / return, with grounds (Routes+Review)
///     POST /filings/ID/objections     record an objection during the public notice (Routes+Review)
///     POST /filings/ID/objections/OID uphold or dismiss it (Routes+Review)
///     POST /filings/ID/notice         close the notice after its last day → recognition (Routes+Review)
///     GET  /filings/ID/diff           a correction's differences, as `report --diff` (Routes+Review)
///     GET  /register                  register entries (a county's own)
///     GET  /notifications, POST       a person's notifications; mark the listed ones read (Routes+Inbox)
///     GET  /panels                    an expert's assigned filings (Routes+Panel)
///     GET  /panels/ID, POST           an expert's scoring form for filing ID; save the scores (Routes+Panel)
///     POST /panels/ID/submission      submit the scores, final (Routes+Panel)
///     GET  /public/notices            the public notices running today (no sign-in)
///     GET  /public/register           the recognition list (no sign-in)
///     GET  /admin/modules             coordinators and module workers (administrators, auditors)
///     GET  /admin/sweeps              the sweep's last runs and its proposed revocations (administrators, auditors)
///     POST /admin/sweeps/ACTION       confirm or dismiss a proposed revocation (administrators; Routes+Review)
///     GET  /admin/rounds, POST        the rounds (staff); an administrator opens one (Routes+Rounds)
///     POST /admin/rounds/ID/close     an administrator closes a round today (Routes+Rounds)
///     GET  /admin/logins, POST        people's logins; an administrator adds one (Routes+Logins)
///     POST /admin/logins/NAME/disable an administrator disables one (Routes+Logins)
///     GET  /static/NAME               the stylesheets
extension WebDoor {
    static let pageLimit = 200

    func route(_ web: WebRequest) async throws -> Reply {
        let path = web.http.pathSegments
        let method = web.http.method
        let reads = method == .get || method == .head
        func get(_ body: () async throws -> Reply) async throws -> Reply {
            reads ? try await body() : methodNotAllowed(web, allow: "GET, HEAD")
        }
        func post(_ body: () async throws -> Reply) async throws -> Reply {
            method == .post ? try await body() : methodNotAllowed(web, allow: "POST")
        }
        switch path.count {
        case 0:
            return try await get { try await home(web) }
        case 1:
            switch path[0] {
            case "sign-in": return method == .post ? try await signIn(web) : try await get { try await signInPage(web) }
            case "sign-out": return try await post { try await signOut(web) }
            case "filings": return method == .post ? try await submitFiling(web) : try await get { try await filings(web) }
            case "register": return try await get { try await register(web) }
            case "notifications":
                return method == .post ? try await markNotificationsRead(web) : try await get { try await notificationsPage(web) }
            case "panels": return try await get { try await panels(web) }
            default: break
            }
        case 2:
            switch (path[0], path[1]) {
            case ("filings", "new"):
                return method == .post ? try await checkFiling(web) : try await get { try await newFilingPage(web) }
            case ("filings", let id): return try await get { try await filing(web, id: id) }
            case ("submissions", let id): return try await get { try await submission(web, id: id) }
            case ("panels", let id): return method == .post ? try await saveScores(web, id: id) : try await get { try await panel(web, id: id) }
            case ("templates", let kind): return try await get { template(web, kind: kind) }
            case ("public", "notices"): return try await get { try await publicNotices(web) }
            case ("public", "register"): return try await get { try await publicRegister(web) }
            case ("admin", "modules"): return try await get { try await adminModules(web) }
            case ("admin", "sweeps"): return try await get { try await adminSweeps(web) }
            case ("admin", "rounds"): return method == .post ? try await openRound(web) : try await get { try await roundsPage(web) }
            case ("admin", "logins"): return method == .post ? try await addLogin(web) : try await get { try await loginsPage(web, info: loginsDone(web)) }
            case ("static", let name): return try await get { staticFile(web, name: name) }
            default: break
            }
        case 3:
            switch (path[0], path[2]) {
            case ("filings", "confirmations"): return try await post { try await confirmFindings(web, id: path[1]) }
            case ("filings", "decision"): return try await post { try await decideFiling(web, id: path[1]) }
            case ("filings", "objections"): return try await post { try await recordObjection(web, id: path[1]) }
            case ("filings", "notice"): return try await post { try await closeNotice(web, id: path[1]) }
            case ("filings", "diff"): return try await get { try await filingDiff(web, id: path[1]) }
            case ("panels", "submission"): return try await post { try await submitScores(web, id: path[1]) }
            default:
                if path[0] == "admin", path[1] == "sweeps" { return try await post { try await resolveSweepAction(web, action: path[2]) } }
            }
        case 4:
            if path[0] == "admin", path[1] == "rounds", path[3] == "close" {
                return try await post { try await closeRound(web, id: path[2]) }
            }
            if path[0] == "admin", path[1] == "logins", path[3] == "disable" {
                return try await post { try await disableLogin(web, name: path[2]) }
            }
            if path[0] == "filings", path[2] == "objections" {
                return try await post { try await resolveObjection(web, id: path[1], objection: path[3]) }
            }
        default:
            break
        }
        // An unknown path: the visitor's navigation still shows who they are.
        guard web.sessionToken != nil else { return notFound(web, nil) }
        let (person, _) = try await asPublic(web) { _ in () }
        return notFound(web, person)
    }

    // MARK: home

    func home(_ web: WebRequest) async throws -> Reply {
        guard web.sessionToken != nil else { return html(200, Pages.publicHome(context(web, nil))) }
        switch try await asPerson(web, { connection, _ in try ReviewRecords.countsByStatus(on: connection) }) {
        case .signedOut:
            var reply = html(200, Pages.publicHome(context(web, nil)))
            reply.headers.add(name: "Set-Cookie", value: SetCookie(name: CookieName.session, value: "", secure: secure(web), maxAge: 0).headerValue)
            return reply
        case .found(let person, let counts):
            return html(200, Pages.personHome(context(web, person), person: person, counts: counts), person: person.login)
        }
    }

    // MARK: signing in and out

    /// The secret the sign-in form is bound to: the browser's `cr_signin` cookie, or a new one.
    func signInSecret(_ web: WebRequest) -> (secret: SessionToken, isNew: Bool) {
        if let existing = web.cookies[CookieName.signIn].flatMap({ SessionToken(cookie: $0) }) { return (existing, false) }
        return (SessionToken.random(), true)
    }

    /// Where to go after signing in: a path of this site (checked as a request target would be),
    /// else home.
    static func safeNext(_ next: String?) -> String? {
        guard let next, next.hasPrefix("/"), !next.hasPrefix("//"), next.utf8.count <= 2000,
              (try? HTTPRequest(method: .get, target: next)) != nil, !next.hasPrefix("/sign-")
        else { return nil }
        return next
    }

    func signInForm(
        _ web: WebRequest, status: Int, next: String?, login: String = "", message: LocalizedText? = nil, info: LocalizedText? = nil
    ) -> Reply {
        let (secret, isNew) = signInSecret(web)
        var reply = html(status, Pages.signIn(
            context(web, nil), formToken: secret.formToken("sign-in"), next: next, login: login, message: message, info: info))
        if isNew {
            reply.headers.add(name: "Set-Cookie", value: SetCookie(
                name: CookieName.signIn, value: secret.cookieValue, secure: secure(web), maxAge: 3600).headerValue)
        }
        return reply
    }

    func signInPage(_ web: WebRequest) async throws -> Reply {
        let next = Self.safeNext(web.query("next"))
        if web.sessionToken != nil, case .found(let person, _) = try await asPerson(web, { _, _ in () }) {
            return redirect(next ?? "/", person: person.login)
        }
        return signInForm(web, status: 200, next: next, info: web.query("bye") == nil ? nil : WebText.signedOut)
    }

    func signIn(_ web: WebRequest) async throws -> Reply {
        guard let form = web.form() else {
            return problem(web, nil, status: 415, title: WebText.unsupportedForm, text: WebText.formRefused)
        }
        let next = Self.safeNext(form["next"])
        guard let secret = web.cookies[CookieName.signIn].flatMap({ SessionToken(cookie: $0) }),
              secret.accepts(formToken: form["csrf"], purpose: "sign-in")
        else {
            logger.warning("sign_in_form_refused", ["address": .string(web.address)])
            return signInForm(web, status: 403, next: next, message: WebText.formExpired)
        }
        let login = (form["login"] ?? "").trimmingCharacters(in: .whitespaces).lowercased()
        let password = form["password"] ?? ""
        if let refusal = limiter.admit(login: login, address: web.address) {
            counters.count(.limited)
            logger.warning("sign_in_limited", [
                "login": .string(String(login.prefix(63))), "address": .string(web.address), "by": .string(refusal.byLogin ? "login" : "address"),
            ])
            let minutes = max(1, Int((refusal.retryAfter.components.seconds + 59) / 60))
            var reply = problem(web, nil, status: 429, title: WebText.tooMany, text: WebText.tooManyText(minutes: minutes))
            reply.headers.set(name: "Retry-After", value: String(max(1, refusal.retryAfter.components.seconds)))
            return reply
        }
        guard Logins.problem(withName: login) == nil, !password.isEmpty, password.utf8.count <= 1024 else {
            limiter.failed(login: login)
            counters.count(.failed)
            return signInForm(web, status: 422, next: next, message: WebText.wrongPassword)
        }
        if case .notChecked = await passwords.probe(login: login) {
            logger.error("passwords_not_checked", ["login": .string(login)])
            return problem(web, nil, status: 503, title: WebText.unavailable, text: WebText.passwordsUnchecked)
        }
        guard await passwords.verify(login: login, password: password) else {
            limiter.failed(login: login)
            counters.count(.failed)
            logger.info("sign_in_failed", ["login": .string(login), "address": .string(web.address)])
            return signInForm(web, status: 422, next: next, login: login, message: WebText.wrongPassword)
        }
        let token = SessionToken.random()
        let previous = web.sessionToken?.hash
        let configuration = self.configuration, address = web.address
        let opened = try await pool.transaction { connection in
            if let previous { try WebSessions.close(tokenHash: previous, on: connection) }
            return try WebSessions.open(
                tokenHash: token.hash, person: login, idle: configuration.sessionIdle, lifetime: configuration.sessionLifetime,
                address: address, on: connection)
        }
        guard opened else {
            counters.count(.refused)
            logger.warning("sign_in_refused", ["login": .string(login), "address": .string(web.address)])
            return signInForm(web, status: 403, next: next, login: login, message: WebText.notForTheWeb)
        }
        limiter.succeeded(login: login)
        counters.count(.ok)
        logger.info("sign_in", ["login": .string(login), "address": .string(web.address)])
        var reply = redirect(next ?? "/", person: login)
        reply.headers.add(name: "Set-Cookie", value: SetCookie(name: CookieName.session, value: token.cookieValue, secure: secure(web)).headerValue)
        reply.headers.add(name: "Set-Cookie", value: SetCookie(name: CookieName.signIn, value: "", secure: secure(web), maxAge: 0).headerValue)
        return reply
    }

    func signOut(_ web: WebRequest) async throws -> Reply {
        guard let token = web.sessionToken, token.accepts(formToken: web.form()?["csrf"], purpose: "session") else {
            return refusedForm(web)
        }
        let hash = token.hash
        let closed = try await pool.transaction { try WebSessions.close(tokenHash: hash, on: $0) }
        if closed { counters.countSignOut() }
        var reply = redirect(Link.to("/sign-in", [("bye", "1")]))
        reply.headers.add(name: "Set-Cookie", value: SetCookie(name: CookieName.session, value: "", secure: secure(web), maxAge: 0).headerValue)
        return reply
    }

    /// A POST whose form token is missing or wrong: refused before anything is read or written.
    func refusedForm(_ web: WebRequest) -> Reply {
        logger.warning("form_refused", ["path": .string(web.http.path), "address": .string(web.address)])
        return problem(web, nil, status: 403, title: WebText.forbidden, text: WebText.formRefused)
    }

    // MARK: filings

    func filings(_ web: WebRequest) async throws -> Reply {
        let filter = FilingFilter(
            status: web.query("status").flatMap { FilingStatus.statuses.contains($0) ? $0 : nil },
            county: web.query("county").flatMap { $0.utf8.count == 6 && $0.allSatisfy(\.isNumber) ? $0 : nil },
            kind: web.query("kind").flatMap { FilingKind(rawValue: $0)?.rawValue },
            nameContains: web.query("q").map { String($0.prefix(100)) })
        // A round: a positive number naming a round the person reads, else no filter (Routes+Rounds' ids).
        let roundAsked = web.query("round").flatMap(Self.filingID)
        let limit = Self.pageLimit
        let result = try await asPerson(web) { connection, person in
            let rounds = person.isStaff ? try Rounds.list(on: connection) : []
            var filter = filter
            filter.round = roundAsked.flatMap { id in rounds.contains { $0.id == id } ? id : nil }
            return (try ReviewRecords.search(filter, limit: limit, on: connection),
                    person.isStaff ? try CountyRecords.all(on: connection) : [], rounds, filter)
        }
        guard case .found(let person, let (list, counties, rounds, applied)) = result else { return signedOut(web) }
        return html(200, Pages.filings(context(web, person), person: person, filings: list, counties: counties, rounds: rounds, filter: applied,
                                       limit: limit),
                    person: person.login)
    }

    /// A filing id from a path segment: a positive decimal number, else nil (the page is a 404).
    static func filingID(_ segment: String) -> Int64? {
        guard !segment.isEmpty, segment.utf8.count <= 18, segment.utf8.allSatisfy({ (0x30...0x39).contains($0) }),
              let id = Int64(segment), id > 0
        else { return nil }
        return id
    }

    func filing(
        _ web: WebRequest, id segment: String, message: LocalizedText? = nil, status: Int = 200, draft: ReviewDraft = ReviewDraft()
    ) async throws -> Reply {
        let id = Self.filingID(segment)
        let result = try await asPerson(web) { connection, person -> (FilingStatus, ReviewReport?, Pages.ReviewDesk?)? in
            guard let id, let status = try ReviewRecords.status(of: id, on: connection) else { return nil }
            let report = try ReviewReport.load(filing: id, on: connection)
            // Staff see the notice with its objections and the database's today beside the forms.
            let desk = person.isStaff
                ? Pages.ReviewDesk(notice: try Lifecycle(connection).notice(filing: id), clock: try DatabaseClock.read(on: connection))
                : nil
            return (status, report, desk)
        }
        guard case .found(let person, let found) = result else { return signedOut(web) }
        guard let found else { return notFound(web, person) }
        let (filingStatus, report, desk) = found
        return html(status, Pages.filing(context(web, person), person: person, status: filingStatus, report: report, message: message,
                                         desk: desk, draft: draft),
                    person: person.login)
    }

    // MARK: the register

    func register(_ web: WebRequest) async throws -> Reply {
        guard case .found(let person, let entries) = try await asPerson(web, { connection, _ in try Register.list(connection) }) else {
            return signedOut(web)
        }
        return html(200, Pages.register(context(web, person), person: person, entries: entries), person: person.login)
    }

    // MARK: public

    func publicNotices(_ web: WebRequest) async throws -> Reply {
        let (person, notices) = try await asPublic(web) { try PublicRecords.notices(on: $0) }
        return html(200, Pages.notices(context(web, person), notices: notices), person: person?.login)
    }

    func publicRegister(_ web: WebRequest) async throws -> Reply {
        let (person, entries) = try await asPublic(web) { try PublicRecords.register(on: $0) }
        return html(200, Pages.recognitions(context(web, person), entries: entries), person: person?.login)
    }

    // MARK: administration

    func adminModules(_ web: WebRequest) async throws -> Reply {
        let result = try await asPerson(web) { connection, person -> [CoordinatorRecord]? in
            guard person.holds("admin") || person.holds("auditor") else { return nil }
            return try CoordinatorRecords.live(within: .seconds(120), on: connection)
        }
        guard case .found(let person, let coordinators) = result else { return signedOut(web) }
        guard let coordinators else { return problem(web, person, status: 403, title: WebText.forbidden, text: WebText.forbiddenText) }
        return html(200, Pages.modules(context(web, person), coordinators: coordinators), person: person.login)
    }

    func adminSweeps(_ web: WebRequest, message: LocalizedText? = nil, status: Int = 200) async throws -> Reply {
        let result = try await asPerson(web) { connection, person -> ([SweepRun], [SweepAction])? in
            guard person.holds("admin") || person.holds("auditor") else { return nil }
            let sweep = Sweep(connection)
            return (try sweep.recentRuns(limit: 30), try sweep.actions(state: "proposed"))
        }
        guard case .found(let person, let found) = result else { return signedOut(web) }
        guard let found else { return problem(web, person, status: 403, title: WebText.forbidden, text: WebText.forbiddenText) }
        return html(status, Pages.sweeps(context(web, person), person: person, runs: found.0, proposals: found.1, message: message),
                    person: person.login)
    }

    // MARK: static files

    func staticFile(_ web: WebRequest, name: String) -> Reply {
        guard let file = StaticAssets.file(name) else { return notFound(web, nil) }
        return Reply(status: 200, headers: ["Content-Type": file.type], body: file.body, cacheable: true)
    }
}
