import Foundation
import Postgres
import ReviewCore

/// `db start|stop|status`, `migrate` and `counties`.
enum DatabaseCommands {
    static var all: [Command] { [start, stop, status, migrate, counties] }

    static let start = Command(
        words: ["db", "start"],
        summary: "Start the private PostgreSQL (initdb on first use) · 启动本地私有数据库",
        details: """
            Starts the private server in .local/postgres, listening on a Unix socket in that folder only.
            The first start runs initdb. As root, the server runs as the postgres system user.
            Does nothing but report when DATABASE_URL or PGHOST names another server.
            """,
        examples: ["cluster-review db start"],
        exits: [.unavailable, .configuration],
        run: { invocation in
            let target = try invocation.databaseTarget()
            guard let server = target.embeddedServer else {
                invocation.say("使用外部数据库：\(target.displayName)", "using an external server: \(target.displayName)")
                return ExitCode.success
            }
            let started = try server.start()
            if case .embedded(_, let database) = target { try server.createDatabase(database) }
            invocation.console.print(
                started
                    ? "已启动 started: \(target.displayName)"
                    : "已在运行 already running: \(target.displayName)")
            invocation.say("连接串：\(server.conninfo(database: DatabaseTarget.defaultDatabase))", "conninfo: \(server.conninfo(database: DatabaseTarget.defaultDatabase))")
            return ExitCode.success
        })

    static let stop = Command(
        words: ["db", "stop"],
        summary: "Stop the private PostgreSQL · 停止本地私有数据库",
        examples: ["cluster-review db stop"],
        exits: [.unavailable, .configuration],
        run: { invocation in
            let target = try invocation.databaseTarget()
            guard let server = target.embeddedServer else {
                invocation.say("使用外部数据库，不做操作：\(target.displayName)", "using an external server; nothing to stop: \(target.displayName)")
                return ExitCode.success
            }
            guard case .running = server.status() else {
                invocation.say("未在运行：\(server.directory.path)", "not running: \(server.directory.path)")
                return ExitCode.success
            }
            try server.stop()
            invocation.say("已停止：\(server.directory.path)", "stopped: \(server.directory.path)")
            return ExitCode.success
        })

    static let status = Command(
        words: ["db", "status"],
        summary: "Say whether the private PostgreSQL is running · 查看本地数据库状态",
        details: "Exit code 0 when running, 1 when stopped or not initialized.",
        examples: ["cluster-review db status"],
        options: [.flag("--json", "Print a JSON object · 输出 JSON")],
        exits: [.problems("the private server is not running"), .configuration],
        run: { invocation in
            let target = try invocation.databaseTarget()
            guard let server = target.embeddedServer else {
                invocation.say("外部数据库：\(target.displayName)", "external server: \(target.displayName)")
                return ExitCode.success
            }
            let state = server.status()
            let (word, pid): (String, Int32?) = {
                switch state {
                case .notInitialized: return ("not_initialized", nil)
                case .stopped: return ("stopped", nil)
                case .running(let pid): return ("running", pid)
                }
            }()
            if invocation.flag("--json") {
                struct State: Encodable { var state: String; var directory: String; var pid: Int32? }
                try invocation.console.printJSON(State(state: word, directory: server.directory.path, pid: pid))
            } else {
                let zh = ["not_initialized": "未初始化", "stopped": "已停止", "running": "运行中"][word]!
                invocation.console.print("\(zh) \(word)\(pid.map { " (pid \($0))" } ?? ""): \(server.directory.path)")
            }
            return pid == nil ? ExitCode.failure : ExitCode.success
        })

    static let migrate = Command(
        words: ["migrate"],
        summary: "Apply the database migrations in sql/ · 执行数据库迁移",
        details: """
            Applies each sql/NNN_name.sql not yet applied, in order, each in its own transaction, and
            records its checksum. A migration changed after it was applied is refused. Safe to run
            from several processes at once.
            """,
        examples: ["cluster-review migrate", "DATABASE_URL=postgresql://cr@db.example/cluster_review cluster-review migrate"],
        exits: [.problems("a migration failed or was changed after it was applied; nothing of it is kept")] + ExitUse.database + [.configuration],
        run: { invocation in
            let migrations = try Migrator.load(from: try invocation.installation().sqlDirectory)
            let connection = try invocation.connect()
            defer { connection.close() }
            let report: MigrationReport
            do {
                report = try Migrator.migrate(connection, migrations: migrations) { name in
                    invocation.console.progress("迁移 applying \(name)")
                }
            } catch let error as MigrationError {
                throw CommandFailure(zh: "迁移失败：\(error)", en: "migration failed: \(error)")
            }
            invocation.console.print(
                "迁移完成 migrated: \(report.applied.count) applied, \(report.alreadyApplied) already applied")
            return ExitCode.success
        })

    static let counties = Command(
        words: ["counties"],
        summary: "List Hainan's county-level divisions from the database · 列出县级行政区",
        examples: ["cluster-review counties", "cluster-review counties --json"],
        options: [.flag("--json", "Print one JSON array · 输出 JSON")],
        exits: ExitUse.database,
        run: { invocation in
            let connection = try invocation.connect()
            defer { connection.close() }
            let counties = try CountyRecords.all(on: connection)
            if invocation.flag("--json") {
                try invocation.console.printJSON(counties)
                return ExitCode.success
            }
            for county in counties {
                invocation.console.print("\(county.code)  \(county.prefectureZh) \(county.nameZh)  \(county.nameEn)")
            }
            invocation.say("共 \(counties.count) 个县级行政区", "\(counties.count) county-level divisions")
            return ExitCode.success
        })
}

extension JSONEncoder {
    /// A compact encoder with sorted keys, for stable `--json` output.
    static var sorted: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }
}
