import Foundation
import HTTPServer
import IndicatorKit
import JSONCore
import ModuleHost
import Postgres
import ReviewCore
import Rulebooks

/// What a county's self-check needs in the door: the started modules (worker processes, as
/// `cluster-review evaluate` starts them) and the rulebooks (`OfflineSelfCheck`).
public struct SelfCheckEngine: Sendable {
    public var modules: Coordinator.ModuleSet
    public var rulebooks: RulebookLibrary

    public init(modules: Coordinator.ModuleSet, rulebooks: RulebookLibrary) {
        self.modules = modules
        self.rulebooks = rulebooks
    }
}

/// The web door: the application behind `cluster-review web`. It answers each request of the
/// project's HTTP server (`handle`) as the person who signed in, or as the public.
///
/// Who you are. A person signs in with their database login and password; the door proves the
/// password by connecting as them once (`PasswordCheck`), then opens a session: a random 256-bit
/// token in an `HttpOnly`, `SameSite=Strict` cookie (`Secure` behind TLS), stored as its SHA-256
/// with an idle timeout and a lifetime (`WebSessions`). Sign-in attempts are bounded per login and
/// per address (`SignInLimiter`).
///
/// Requests as the person. Each request is one transaction on a connection of the authenticator
/// (`cr_web`) from a small pool: the session is looked up as `cr_web`, then `SET LOCAL ROLE` to
/// the person and `cluster_review.person` (which `cr_person()` reads) for the rest of the
/// transaction, so row-level security, the lifecycle functions' checks and the audit log see the
/// person exactly as for psql. Anonymous requests become `cr_public`, which reads only what is
/// published.
///
/// Every page. Every form carries a CSRF token derived from the session (or, for signing in, from
/// a pre-session cookie); a POST without the right one is refused with 403 before anything is
/// read or written. Every response carries a strict Content-Security-Policy (no script, no inline
/// style, no framing), `nosniff`, `Referrer-Policy: same-origin`; signed-in pages are `no-store`.
/// A filing the person may not see is a 404, the same page as a filing that does not exist.
public final class WebDoor: Sendable {
    /// How the door runs.
    public let configuration: WebConfiguration
    /// What it counts (sign-ins, durations) for the metrics file.
    public let counters = WebCounters()
    let pool: ConnectionPool
    let passwords: PasswordCheck
    let limiter: SignInLimiter
    let logger: Logger
    /// The modules and rulebooks of a county's self-check (nil: the page says it is unavailable).
    let selfCheck: SelfCheckEngine?

    /// The policy every response carries.
    static let contentSecurityPolicy =
        "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

    /// A door with `configuration`, logging to `logger`; `now` is the rate limiter's clock.
    public init(
        configuration: WebConfiguration, logger: Logger, selfCheck: SelfCheckEngine? = nil,
        now: @escaping @Sendable () -> ContinuousClock.Instant = { ContinuousClock.now }
    ) {
        self.configuration = configuration
        self.logger = logger
        self.selfCheck = selfCheck
        pool = ConnectionPool(conninfo: configuration.conninfo, size: configuration.connections)
        passwords = PasswordCheck(conninfo: configuration.conninfo, concurrency: configuration.concurrentSignIns)
        limiter = SignInLimiter(limits: configuration.signInLimits, now: now)
    }

    /// Checks the database before serving: migrated, connected as the authenticator `cr_web`, which
    /// has no powers of its own, and a server that checks persons' passwords (a wrong password is
    /// tried once for a login the door may become; with none yet, at the first sign-in).
    public func prepare() async throws {
        let check = try await pool.transaction { try WebSessions.checkAuthenticator(on: $0) }
        guard check.migrated else { throw WebDoorError.notMigrated }
        guard check.login == WebSessions.authenticator else { throw WebDoorError.notAuthenticator(login: check.login) }
        guard !check.powerful, !check.inherits else { throw WebDoorError.authenticatorTooPowerful(login: check.login) }
        if let probe = check.probeLogin {
            if case .notChecked(let login) = await passwords.probe(login: probe) { throw WebDoorError.passwordsNotChecked(login: login) }
            logger.info("passwords_checked", ["probe_login": .string(probe)])
        } else {
            logger.warning("no_person_yet", ["note": .string("no login for cr_web to become yet; passwords are checked at the first sign-in")])
        }
    }

    /// Closes the database connections (after the HTTP server has stopped).
    public func close() async {
        await pool.close()
    }

    /// The metrics file's text: the HTTP server's counters and the door's.
    public func metrics(server: HTTPServerCounters) async -> String {
        counters.render(server: server, connectionWaits: await pool.waits)
    }

    /// Answers one request (the HTTP server's handler). Logs one line per request: method, path,
    /// status, milliseconds, person, address — never a cookie, a token, a password or a query.
    public func handle(_ request: HTTPRequest) async -> HTTPResponse {
        let started = ContinuousClock.now
        let web = WebRequest(request)
        var reply: Reply
        do {
            reply = try await route(web)
        } catch let error as PostgresError where error.isConnectionLoss {
            logger.error("database_unavailable", ["path": .string(request.path), "error": .string("\(error)")])
            reply = problem(web, nil, status: 503, title: WebText.unavailable, text: WebText.unavailableText)
        } catch let error as PostgresError where error.sqlState == "57014" {
            logger.error("statement_timeout", ["path": .string(request.path)])
            reply = problem(web, nil, status: 503, title: WebText.unavailable, text: WebText.unavailableText)
        } catch {
            logger.error("request_failed", ["path": .string(request.path), "error": .string("\(error)")])
            reply = problem(web, nil, status: 500, title: WebText.internalError, text: WebText.internalErrorText)
        }
        let response = finish(reply, web)
        let elapsed = ContinuousClock.now - started
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        counters.observe(seconds: seconds)
        logger.info("request", [
            "method": .string(request.method.rawValue), "path": .string(request.path), "status": .number(Decimal(reply.status)),
            "ms": .number(Decimal((seconds * 10_000).rounded()) / 10), "person": reply.person.map(JSONValue.string) ?? .null,
            "address": .string(web.address),
        ])
        return response
    }

    // MARK: the reply

    /// What a route answers, before the headers every response gets.
    struct Reply: Sendable {
        var status: Int
        var headers: HTTPHeaders = [:]
        var body = Data()
        /// False for anything that depends on who asks (every page): `Cache-Control: no-store`.
        var cacheable = false
        /// Who was signed in, for the log.
        var person: String?
    }

    /// Adds the headers every response carries, and the language cookie when `?lang=` chose one.
    func finish(_ reply: Reply, _ web: WebRequest) -> HTTPResponse {
        var headers = reply.headers
        headers.set(name: "Content-Security-Policy", value: Self.contentSecurityPolicy)
        headers.set(name: "X-Content-Type-Options", value: "nosniff")
        headers.set(name: "Referrer-Policy", value: "same-origin")
        headers.set(name: "X-Frame-Options", value: "DENY")
        headers.set(name: "Cross-Origin-Opener-Policy", value: "same-origin")
        headers.set(name: "Cache-Control", value: reply.cacheable ? "public, max-age=86400" : "no-store")
        if let chosen = web.chosenLanguage {
            headers.add(name: "Set-Cookie", value: SetCookie(
                name: CookieName.language, value: chosen.rawValue, secure: secure(web), maxAge: 365 * 24 * 3600).headerValue)
        }
        return HTTPResponse(status: HTTPStatus(code: reply.status), headers: headers, body: reply.body)
    }

    func html(_ status: Int, _ document: String, person: String? = nil) -> Reply {
        Reply(status: status, headers: ["Content-Type": "text/html; charset=utf-8"], body: Data(document.utf8), person: person)
    }

    func redirect(_ location: String, person: String? = nil) -> Reply {
        Reply(status: 303, headers: ["Location": location], person: person)
    }

    func secure(_ web: WebRequest) -> Bool {
        switch configuration.secureCookies {
        case .on: return true
        case .off: return false
        case .auto: return web.overTLS
        }
    }

    func context(_ web: WebRequest, _ person: WebPerson?) -> PageContext {
        PageContext(
            language: web.language, person: person, formToken: person == nil ? nil : web.sessionToken?.formToken("session"),
            path: web.http.path, queryItems: web.http.queryItems)
    }

    func problem(_ web: WebRequest, _ person: WebPerson?, status: Int, title: LocalizedText, text: LocalizedText) -> Reply {
        html(status, Pages.problem(context(web, person), title: title, text: text), person: person?.login)
    }

    /// The one "not found" page: for a path that names nothing and for a row the person may not
    /// see alike, so an id never tells whether it exists.
    func notFound(_ web: WebRequest, _ person: WebPerson?) -> Reply {
        problem(web, person, status: 404, title: WebText.notFound, text: WebText.notFoundText)
    }

    func methodNotAllowed(_ web: WebRequest, allow: String) -> Reply {
        var reply = problem(web, nil, status: 405, title: WebText.notAllowed, text: WebText.notFoundText)
        reply.headers.set(name: "Allow", value: allow)
        return reply
    }

    /// A request that needs a session and has none (or an expired one): a GET is sent to sign in
    /// (and back here afterwards); anything else is refused. A stale cookie is deleted.
    func signedOut(_ web: WebRequest) -> Reply {
        var reply: Reply
        if web.http.method == .get || web.http.method == .head {
            reply = redirect(Link.to("/sign-in", [("next", web.target)]))
        } else {
            reply = problem(web, nil, status: 403, title: WebText.forbidden, text: WebText.signInFirst)
        }
        if web.sessionToken != nil {
            reply.headers.add(name: "Set-Cookie", value: SetCookie(name: CookieName.session, value: "", secure: secure(web), maxAge: 0).headerValue)
        }
        return reply
    }

    // MARK: requests in the database

    /// What a signed-in request's transaction found.
    enum AsPerson<T: Sendable>: Sendable {
        case signedOut
        case found(WebPerson, T)
    }

    /// Runs `load` in one transaction as the person whose session the request carries: looked up
    /// as the authenticator, then `SET LOCAL ROLE` to the person. `.signedOut` when there is no
    /// live session (the transaction still commits, so an expired session is deleted).
    func asPerson<T: Sendable>(
        _ web: WebRequest, _ load: @escaping @Sendable (PostgresConnection, WebPerson) throws -> T
    ) async throws -> AsPerson<T> {
        guard let token = web.sessionToken else { return .signedOut }
        let hash = token.hash, timeout = configuration.statementTimeout
        let reads = web.http.method == .get || web.http.method == .head
        // BEGIN, the session's lookup and becoming the person travel together: one round trip.
        return try await pool.run { connection -> AsPerson<T> in
            try WebSessions.asPerson(tokenHash: hash, statementTimeout: timeout, durable: !reads, on: connection) {
                connection, person -> AsPerson<T> in
                guard let person else { return .signedOut }
                return .found(person, try load(connection, person))
            }
        }
    }

    /// Runs `load` in one transaction as the public (`cr_public`); also says who is signed in, if
    /// anybody, for the navigation.
    func asPublic<T: Sendable>(
        _ web: WebRequest, _ load: @escaping @Sendable (PostgresConnection) throws -> T
    ) async throws -> (WebPerson?, T) {
        let hash = web.sessionToken?.hash, timeout = configuration.statementTimeout
        return try await pool.transaction { connection in
            let person = try hash.flatMap { try WebSessions.person(tokenHash: $0, on: connection) }
            try WebSessions.becomePublic(statementTimeout: timeout, on: connection)
            return (person, try load(connection))
        }
    }
}
