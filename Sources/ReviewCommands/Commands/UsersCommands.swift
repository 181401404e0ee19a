import Foundation
import Postgres
import ReviewCore

#if canImport(Glibc)
    import Glibc
#endif

/// `users add|list|disable` and `whoami`: people's logins (docs/security.md).
///
/// The CLI acts as whoever it connects as: the user in `DATABASE_URL` (`user=` or `postgresql://NAME@…`)
/// or `PGUSER`. Nothing here widens what that role may do; the database decides.
enum UsersCommands {
    static var all: [Command] { [add, list, disable, whoami] }

    static let add = Command(
        words: ["users", "add"],
        summary: "Create a person's login with one role (administrators) · 添加登录用户",
        synopsis: "NAME --role county:CODE|reviewer|admin|coordinator|auditor",
        details: """
            Creates the PostgreSQL login role NAME and grants it the group role named by --role:
            county:CODE (files and reads only that county's records), reviewer, admin, coordinator or
            auditor. NAME: 2 to 63 lower-case letters, digits and underscores, starting with a letter.
            With --password-stdin the first line of standard input becomes the password (for servers
            that ask for one); without it the login has no password (peer or trust authentication).
            The person then connects as NAME: PGUSER=NAME, or user=NAME in DATABASE_URL.
            Only an administrator may add logins (exit code 77 otherwise).
            """,
        examples: [
            "cluster-review users add wenchang_li --role county:469005",
            "cluster-review users add review_chen --role reviewer --password-stdin < password.txt",
            "PGUSER=admin_wu cluster-review users add audit_zhao --role auditor",
        ],
        options: [
            .value("--role", "ROLE", "county:CODE, reviewer, admin, coordinator or auditor · 角色"),
            .flag("--password-stdin", "Read the password from the first line of stdin · 从标准输入读取密码"),
        ],
        positionals: 1...1,
        exits: [.dataError("an invalid name or role, or no password on standard input")] + ExitUse.database,
        run: { invocation in
            let name = invocation.positionals[0]
            if let problem = Logins.problem(withName: name) {
                throw UsageError(message: problem.en + " · " + problem.zh)
            }
            guard let text = invocation.value("--role") else {
                throw UsageError(message: "--role is required: county:CODE, reviewer, admin, coordinator or auditor")
            }
            guard let role = RoleSpec(text) else {
                throw UsageError(message: "--role takes county:CODE (e.g. county:469005), reviewer, admin, coordinator or auditor, not '\(text)'")
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
                let group = try Logins.add(name: name, role: role, password: password, on: connection)
                invocation.console.print("✔ 已添加 added \(name) → \(role) (\(group))")
                invocation.console.print("  连接方式 connect as: PGUSER=\(name) cluster-review …  (or user=\(name) in DATABASE_URL)")
                return ExitCode.success
            } catch let error as PostgresError where error.sqlState == "42710" {
                throw CommandFailure(zh: "角色 \(name) 已存在，请换一个名字", en: "the role \(name) already exists; choose another name",
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
            invocation.console.print("\(logins.count) 个登录用户 logins")
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
                throw UsageError(message: problem.en + " · " + problem.zh)
            }
            let connection = try invocation.connect()
            defer { connection.close() }
            do {
                try Logins.disable(name: name, on: connection)
            } catch let error as PostgresError where error.sqlState == "42704" {
                throw CommandFailure(zh: "没有名为 \(name) 的登录用户（运行 cluster-review users list 查看）",
                                     en: "no login \(name) (cluster-review users list shows them)", exitCode: ExitCode.dataError)
            }
            invocation.console.print("✔ 已停用 disabled \(name)")
            return ExitCode.success
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
                invocation.console.print("\(me.name): " + (me.roles.isEmpty ? "无本系统角色 no ClusterReview role" : me.roles.joined(separator: ", ")))
            }
            return ExitCode.success
        })

    /// The server's message without SQLSTATE decoration.
    static func serverMessage(_ error: PostgresError) -> String {
        if case .server(let server) = error { return server.message }
        return "\(error)"
    }
}
