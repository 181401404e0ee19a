import Foundation
import Postgres
import ReviewCore

#if canImport(Glibc)
    import Glibc
#endif

/// `users add|list|disable|check` and `whoami`: people's logins (docs/security.md).
///
/// The CLI acts as whoever it connects as: the user in `DATABASE_URL` (`user=` or `postgresql://NAME@…`)
/// or `PGUSER`. Nothing here widens what that role may do; the database decides.
enum UsersCommands {
    static var all: [Command] { [add, list, disable, check, whoami] }

    static let add = Command(
        words: ["users", "add"],
        summary: "Create a person's login with one role (administrators) · 添加登录用户",
        synopsis: "NAME --role county:CODE|reviewer|admin|coordinator|auditor|expert [--fields LIST --county CODE]",
        details: """
            Creates the PostgreSQL login role NAME and grants it the group role named by --role:
            county:CODE (files and reads only that county's records), reviewer, admin, coordinator or
            auditor, or expert (sits on expert panels: reads only the filings assigned to it; give its
            fields with --fields and its home county with --county, both required for an expert).
            NAME: 2 to 63 lower-case letters, digits and underscores, starting with a letter.
            With --password-stdin the first line of standard input becomes the password (for servers
            that ask for one); without it the login has no password (peer or trust authentication).
            The person then connects as NAME: PGUSER=NAME, or user=NAME in DATABASE_URL.
            Only an administrator may add logins (exit code 77 otherwise). The login gets the limits of
            its role (config/limits.json; see users check).
            --bootstrap makes the first administrator on a fresh database: run it as the database owner
            (the role that ran migrate), with --role admin, once; while an administrator exists it is
            refused (exit code 65), and administrators add the others.
            """,
        examples: [
            "cluster-review users add wenchang_li --role county:469005",
            "cluster-review users add review_chen --role reviewer --password-stdin < password.txt",
            "PGUSER=admin_wu cluster-review users add audit_zhao --role auditor",
            "PGUSER=cluster_review cluster-review users add ops --role admin --bootstrap",
            "cluster-review users add wang_expert --role expert --fields 商业航天,新材料 --county 460105",
        ],
        options: [
            .value("--role", "ROLE", "county:CODE, reviewer, admin, coordinator, auditor or expert · 角色"),
            .value("--fields", "LIST", "An expert's fields (industries), comma-separated · 专家的专业领域"),
            .value("--county", "CODE", "An expert's home county · 专家所在县（市、区）"),
            .flag("--password-stdin", "Read the password from the first line of stdin · 从标准输入读取密码"),
            .flag("--bootstrap", "The first administrator, made by the database owner · 由数据库属主创建首位管理员"),
        ],
        positionals: 1...1,
        exits: [.dataError("an invalid name or role, a name taken, no password on standard input, or --bootstrap when an administrator exists")]
            + ExitUse.database + [.configuration],
        run: { invocation in
            let name = invocation.positionals[0]
            if let problem = Logins.problem(withName: name) {
                throw UsageError(message: problem.en, zh: problem.zh)
            }
            guard let text = invocation.value("--role") else {
                throw UsageError(message: "--role is required: county:CODE, reviewer, admin, coordinator, auditor or expert", zh: "须用 --role 指定角色：'county:县代码'、'reviewer'、'admin'、'coordinator'、'auditor' 或 'expert'")
            }
            guard let role = RoleSpec(text) else {
                throw UsageError(message: "--role takes county:CODE (e.g. county:469005), reviewer, admin, coordinator, auditor or expert, not '\(text)'",
                                 zh: "--role 应为 'county:县代码'（例如 'county:469005'）、'reviewer'、'admin'、'coordinator'、'auditor' 或 'expert'，而不是 '\(text)'")
            }
            let fields = (invocation.value("--fields") ?? "").split(whereSeparator: { $0 == "," || $0 == "，" })
                .map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            let homeCounty = invocation.value("--county")
            if role == .expert && (fields.isEmpty || homeCounty == nil) {
                throw UsageError(message: "an expert needs --fields (e.g. 商业航天,新材料) and --county (the home county's code)",
                                 zh: "专家须用 --fields 指定专业领域（例如 商业航天,新材料），用 --county 指定所在县（市、区）代码")
            }
            if role != .expert && (invocation.value("--fields") != nil || homeCounty != nil) {
                throw UsageError(message: "--fields and --county are for --role expert", zh: "--fields 和 --county 仅用于 --role expert")
            }
            if invocation.flag("--bootstrap") && role != .admin {
                throw UsageError(message: "--bootstrap makes the first administrator: use it with --role admin", zh: "--bootstrap 用于创建第一位管理员：须与 --role admin 一起使用")
            }
            var password: String?
            if invocation.flag("--password-stdin") {
                let line = readLine(strippingNewline: true) ?? ""
                guard !line.isEmpty else {
                    throw CommandFailure(zh: "标准输入中没有密码", en: "no password on standard input", exitCode: ExitCode.dataError)
                }
                password = line
            }
            let connection = try invocation.connect()
            defer { connection.close() }
            do {
                if !invocation.flag("--bootstrap"), let limits = try invocation.loginLimits() {
                    try Logins.install(limits: limits, on: connection)
                }
                let group = invocation.flag("--bootstrap")
                    ? try Logins.bootstrap(name: name, password: password, on: connection)
                    : role == .expert
                    ? try Experts.add(name: name, fields: fields, homeCounty: homeCounty ?? "", password: password, on: connection)
                    : try Logins.add(name: name, role: role, password: password, on: connection)
                invocation.say("✔ 已添加 \(name) → \(role)（\(group)）", "✔ added \(name) → \(role) (\(group))")
                invocation.say("  连接方式：PGUSER=\(name) cluster-review …（或在 DATABASE_URL 中写 user=\(name)）", "  connect as: PGUSER=\(name) cluster-review …  (or user=\(name) in DATABASE_URL)")
                return ExitCode.success
            } catch let error as PostgresError where error.sqlState == "42710" {
                throw CommandFailure(zh: "角色 \(name) 已存在，请换一个名字", en: "the role \(name) already exists; choose another name",
                                     exitCode: ExitCode.dataError)
            } catch let error as LifecycleError where error.code == .alreadyDone || error.code == .invalidInput {
                throw CommandFailure(zh: error.message.zh, en: error.message.en + (error.hint.map { " (\($0))" } ?? ""),
                                     exitCode: ExitCode.dataError)
            } catch let error as PostgresError where error.sqlState == "22023" {
                throw CommandFailure(zh: "角色无效：\(role)（运行 cluster-review counties 查看县代码）",
                                     en: "invalid role \(role): \(serverMessage(error)) (cluster-review counties lists the codes)",
                                     exitCode: ExitCode.dataError)
            }
        })

    static let list = Command(
        words: ["users", "list"],
        summary: "List people's logins and their roles · 列出登录用户",
        examples: ["cluster-review users list", "cluster-review users list --json"],
        options: [.flag("--json", "One JSON array of the logins · 输出 JSON")],
        exits: ExitUse.database,
        run: { invocation in
            let connection = try invocation.connect()
            defer { connection.close() }
            let logins = try Logins.list(on: connection)
            if invocation.flag("--json") {
                try invocation.console.printJSON(logins)
                return ExitCode.success
            }
            for login in logins {
                invocation.console.print(
                    login.name.padding(toLength: 24, withPad: " ", startingAt: 0) + login.roles.joined(separator: ", ")
                        + (login.canLogin ? "" : "  (已停用 disabled)"))
            }
            invocation.say("共 \(logins.count) 个登录用户", "\(logins.count) logins")
            return ExitCode.success
        })

    static let disable = Command(
        words: ["users", "disable"],
        summary: "Disable a person's login; its records stay · 停用登录用户",
        synopsis: "NAME",
        details: "Revokes the login's roles and sets NOLOGIN. What the person filed or decided stays on record. Administrators only.",
        examples: ["cluster-review users disable wenchang_li"],
        positionals: 1...1,
        exits: [.dataError("no such login")] + ExitUse.database,
        run: { invocation in
            let name = invocation.positionals[0]
            if let problem = Logins.problem(withName: name) {
                throw UsageError(message: problem.en, zh: problem.zh)
            }
            let connection = try invocation.connect()
            defer { connection.close() }
            do {
                try Logins.disable(name: name, on: connection)
            } catch let error as PostgresError where error.sqlState == "42704" {
                throw CommandFailure(zh: "没有名为 \(name) 的登录用户（运行 cluster-review users list 查看）",
                                     en: "no login \(name) (cluster-review users list shows them)", exitCode: ExitCode.dataError)
            }
            invocation.say("✔ 已停用 \(name)", "✔ disabled \(name)")
            return ExitCode.success
        })

    static let check = Command(
        words: ["users", "check"],
        summary: "Check every login's limits and the database's hardening · 检查登录限额与数据库加固",
        details: """
            As an administrator: installs config/limits.json (the limits of county and reviewer logins:
            statement_timeout, idle_in_transaction_session_timeout, temp_file_limit, connection limit,
            and a county's most filings waiting for review) and sets them on every login again. Then,
            for an administrator or an auditor, lists what is missing: a login without a limit, or a
            piece of the database's hardening not in place (large objects, pg_notify, statistics,
            other sessions' activity, temporary tables), with who fixes it. Some fixes need a
            PostgreSQL superuser: --sql prints just those statements, to pipe into psql as one.
            Exit code 0 when nothing is missing, 1 when something is.
            """,
        examples: [
            "cluster-review users check",
            "cluster-review users check --json",
            "cluster-review users check --sql > hardening.sql",
        ],
        options: [
            .flag("--sql", "Print only the SQL statements that fix what is missing · 仅输出修复语句"),
            .flag("--json", "One JSON array of what was checked · 输出 JSON"),
        ],
        exits: [.problems("something is missing; each line says what and who fixes it")] + ExitUse.database + [.configuration],
        run: { invocation in
            let connection = try invocation.connect()
            defer { connection.close() }
            if let limits = try invocation.loginLimits(), try Logins.install(limits: limits, on: connection) {
                let skipped = try Logins.applyLimits(on: connection)
                if !skipped.isEmpty && !invocation.flag("--sql") && !invocation.flag("--json") {
                    invocation.console.print(
                        "已设置限额，但 \(skipped.count) 个登录的 temp_file_limit 须超级用户授权 · limits set on every login; temp_file_limit not on \(skipped.count): it needs a superuser's grant (below)")
                }
            }
            let items = try Logins.securityCheck(on: connection)
            let missing = items.filter { !$0.ok }
            if invocation.flag("--json") {
                try invocation.console.printJSON(items, snakeCaseKeys: true)
            } else if invocation.flag("--sql") {
                var seen = Set<String>()
                for statement in missing.compactMap(\.statements).flatMap({ $0.split(separator: "\n").map(String.init) })
                where seen.insert(statement).inserted {
                    invocation.console.print(statement)
                }
            } else {
                for item in missing {
                    invocation.console.print(
                        "✘ 缺失 missing: \(item.subject) \(item.item) (expected \(item.expected), found \(item.actual ?? "nothing")) — "
                            + item.fix.text(in: invocation.language))
                }
                let statements = Set(missing.compactMap(\.statements)).count
                invocation.console.print(
                    missing.isEmpty
                        ? "✔ 一切就绪 nothing missing: \(items.count) checks"
                        : "\(missing.count) 项缺失 missing of \(items.count)"
                            + (statements > 0 ? "; the statements: cluster-review users check --sql | psql (as a superuser)" : ""))
            }
            return missing.isEmpty ? ExitCode.success : ExitCode.failure
        })

    static let whoami = Command(
        words: ["whoami"],
        summary: "Show who the CLI acts as and the roles held · 显示当前身份与角色",
        details: "The database user this invocation connects as (DATABASE_URL or PGUSER) and its ClusterReview roles.",
        examples: ["cluster-review whoami", "PGUSER=wenchang_li cluster-review whoami"],
        options: [.flag("--json", "Print JSON · 输出 JSON")],
        exits: ExitUse.database,
        run: { invocation in
            let connection = try invocation.connect()
            defer { connection.close() }
            let me = try Logins.whoami(on: connection)
            if invocation.flag("--json") {
                invocation.console.print(String(decoding: try JSONEncoder.sorted.encode(me), as: UTF8.self))
            } else {
                invocation.say("\(me.name): " + (me.roles.isEmpty ? "无本系统角色" : me.roles.joined(separator: ", ")), "\(me.name): " + (me.roles.isEmpty ? "no ClusterReview role" : me.roles.joined(separator: ", ")))
            }
            return ExitCode.success
        })

    /// The server's message without SQLSTATE decoration.
    static func serverMessage(_ error: PostgresError) -> String {
        if case .server(let server) = error { return server.message }
        return "\(error)"
    }
}

extension Invocation {
    /// config/limits.json of this installation, or nil when there is none; a bad file is a
    /// configuration error (78).
    func loginLimits() throws -> LoginLimits? {
        do {
            return try LoginLimits.load(configDirectory: try installation().configDirectory)
        } catch let error as LifecycleConfigurationError {
            throw CommandFailure(zh: "配置文件有误：\(error)", en: "bad configuration: \(error)", exitCode: ExitCode.configuration)
        }
    }
}
