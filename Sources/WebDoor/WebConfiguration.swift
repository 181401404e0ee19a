import Foundation

/// When the session cookie says `Secure` (sent over TLS only).
public enum SecureCookies: String, Sendable, CaseIterable {
    /// When nginx says the client came over HTTPS (`X-Forwarded-Proto: https` on the Unix socket).
    case auto
    /// Always: the site is HTTPS only.
    case on
    /// Never: a test on plain HTTP.
    case off
}

/// How the web door runs: its database, its sessions, its limits.
public struct WebConfiguration: Sendable {
    /// The conninfo of the authenticator login (`user=cr_web`); persons' passwords are proved
    /// against the same server and database.
    public var conninfo: String
    /// When cookies are `Secure` (default `auto`).
    public var secureCookies: SecureCookies = .auto
    /// Connections to the database at most (default 8).
    public var connections = 8
    /// A session ends after this long without a request (default 30 minutes)…
    public var sessionIdle: Duration = .seconds(30 * 60)
    /// …and this long after signing in, whatever happens (default 12 hours).
    public var sessionLifetime: Duration = .seconds(12 * 3600)
    /// Each statement of a request at most (default 15 s).
    public var statementTimeout: Duration = .seconds(15)
    /// The bounds on sign-in attempts.
    public var signInLimits = SignInLimiter.Limits()
    /// Passwords being proved at once at most (each is a connection; default 4).
    public var concurrentSignIns = 4

    /// The defaults, with the authenticator's `conninfo`.
    public init(conninfo: String) {
        self.conninfo = conninfo
    }
}

/// Why the door will not start.
public enum WebDoorError: Error, Sendable, CustomStringConvertible {
    /// The database lacks sql/040 (run `cluster-review migrate`).
    case notMigrated
    /// Connected as another login than the authenticator.
    case notAuthenticator(login: String)
    /// The authenticator login has powers of its own, or inherits privileges.
    case authenticatorTooPowerful(login: String)
    /// The server let `login` in with a wrong password.
    case passwordsNotChecked(login: String)

    public var description: String {
        switch self {
        case .notMigrated:
            return "the database lacks the web door's migration (sql/040_web_door.sql): run cluster-review migrate"
        case .notAuthenticator(let login):
            return "connected as \(login), not as the web door's authenticator cr_web: set user=cr_web in DATABASE_URL "
                + "(the door acts as each person through cr_web; as any other login the audit log would name the wrong person)"
        case .authenticatorTooPowerful(let login):
            return "\(login) has powers of its own or inherits privileges: it must be NOINHERIT, no superuser, no createrole, createdb, replication or bypassrls"
        case .passwordsNotChecked(let login):
            return "the database let \(login) in with a wrong password: it does not check persons' passwords (trust in pg_hba.conf), "
                + "so anybody could sign in as anybody. Make pg_hba.conf ask for scram-sha-256 for persons' logins (docs/administrator-guide.md)"
        }
    }

    /// The same in Chinese.
    public var chinese: String {
        switch self {
        case .notMigrated: return "数据库缺少网页入口的迁移（sql/040_web_door.sql）：请运行 cluster-review migrate"
        case .notAuthenticator(let login):
            return "当前连接身份为 \(login)，不是网页入口的认证角色 cr_web：请在 DATABASE_URL 中设置 user=cr_web"
        case .authenticatorTooPowerful(let login):
            return "\(login) 自身带有权限或会继承权限：认证角色必须为 NOINHERIT，且不能是超级用户或具有 createrole、createdb、replication、bypassrls"
        case .passwordsNotChecked(let login):
            return "数据库用错误的密码也允许 \(login) 登录：它不校验用户密码（pg_hba.conf 为 trust），任何人都能冒充他人。请在 pg_hba.conf 中为用户登录设置 scram-sha-256（见 docs/administrator-guide.md）"
        }
    }
}
