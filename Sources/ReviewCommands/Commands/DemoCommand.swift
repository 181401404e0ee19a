import Foundation
import Postgres
import ReviewCore

/// `demo`: the README's main job, end to end on the private database.
enum DemoCommand {
    static let command = Command(
        words: ["demo"],
        summary: "Run the demonstration end to end on the private database · 运行完整演示",
        details: """
            Starts the private PostgreSQL (or uses DATABASE_URL), applies the migrations and shows
            the county-level divisions that may file.
            """,
        examples: ["cluster-review demo"],
        run: { invocation in
            let console = invocation.console
            let target = try invocation.databaseTarget()
            console.print("数据库 database: \(target.displayName)")
            let connection = try invocation.connect()
            defer { connection.close() }
            let report = try Migrator.migrate(connection, migrations: try Migrator.load(from: try invocation.installation().sqlDirectory))
            console.print("迁移 migrations: \(report.applied.count) applied, \(report.alreadyApplied) already applied")
            let rows = try connection.query("SELECT code, name_zh, name_en FROM counties ORDER BY code").rows
            console.print("可申报的县级行政区 county-level divisions that may file: \(rows.count)")
            for row in rows {
                console.print("  \(try row.decode("code", as: String.self))  \(try row.decode("name_zh", as: String.self))  \(try row.decode("name_en", as: String.self))")
            }
            return ExitCode.success
        })
}
