import Foundation
import Postgres
import ReviewCore

extension Invocation {
    /// The installation this CLI runs from (sql/, config/, executables).
    func installation() throws -> Installation {
        do {
            return try Installation.current(environment: environment)
        } catch {
            throw CommandFailure(zh: "找不到项目文件：\(error)", en: "\(error)", exitCode: ExitCode.software)
        }
    }

    /// The database this invocation uses (DATABASE_URL, PGHOST, or the private server).
    func databaseTarget() throws -> DatabaseTarget {
        DatabaseTarget.resolve(environment: environment, installation: try installation())
    }

    /// Opens a connection to the database, starting the private server first if it is the target.
    func connect() throws -> PostgresConnection {
        let target = try databaseTarget()
        let conninfo = try target.prepare()
        return try PostgresConnection(conninfo)
    }
}
