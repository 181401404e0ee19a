import Foundation
import Postgres
import ReviewCore

extension Invocation {
    /// The installation this CLI runs from (sql/, config/, executables).
    func installation() throws -> Installation {
        do {
            var installation = try Installation.current(environment: environment)
            if let config = value("--config") {
                var isDirectory: ObjCBool = false
                guard FileManager.default.fileExists(atPath: config, isDirectory: &isDirectory), isDirectory.boolValue else {
                    throw CommandFailure(
                        zh: "--config 指定的配置文件夹不存在：\(config)", en: "--config names no folder: \(config)",
                        exitCode: ExitCode.configuration)
                }
                installation.configOverride = URL(fileURLWithPath: config)
            }
            return installation
        } catch let error as CommandFailure {
            throw error
        } catch {
            throw CommandFailure(zh: "找不到项目文件（sql/ 与 config/）：\(error)", en: "\(error)", exitCode: ExitCode.configuration)
        }
    }

    /// The database this invocation uses (DATABASE_URL, PGHOST, or the private server).
    func databaseTarget() throws -> DatabaseTarget {
        DatabaseTarget.resolve(environment: environment, installation: try installation())
    }

    /// The conninfo this invocation connects with, starting the private server first if it is the
    /// target. The CLI acts as the person the connection names: the user in `DATABASE_URL`, or
    /// `PGUSER` (libpq reads it for an external server; for the private server, which otherwise
    /// connects as its superuser `postgres`, it is appended here).
    func conninfo() throws -> String {
        let target = try databaseTarget()
        let conninfo = try target.prepare()
        guard case .embedded = target, let user = environment["PGUSER"], !user.isEmpty else { return conninfo }
        let quoted = user.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "'", with: "\\'")
        return conninfo + " user='\(quoted)'"
    }

    /// Opens a connection to the database as `conninfo()` names it.
    func connect() throws -> PostgresConnection {
        try PostgresConnection(try conninfo())
    }
}
