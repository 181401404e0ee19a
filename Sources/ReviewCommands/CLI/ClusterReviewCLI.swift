import Foundation
import Postgres
import ReviewCore
import EmbeddedPostgres
import IndicatorKit

/// The `cluster-review` command line: finds the command, runs it, maps errors to exit codes.
public enum ClusterReviewCLI {
    /// The version printed by `--version` and recorded by coordinators.
    public static let version = "0.1.0"

    /// Runs the command line `arguments` (without the program name) and returns the exit code.
    public static func run(_ arguments: [String], environment: [String: String] = ProcessInfo.processInfo.environment) async -> Int32 {
        await run(arguments, environment: environment, console: Console.standard(environment: environment))
    }

    /// Runs `arguments` writing to `console`: the tests pass a capturing one.
    static func run(_ arguments: [String], environment: [String: String], console: Console) async -> Int32 {
        let commands = CommandTable.all
        if arguments.isEmpty || arguments == ["--help"] || arguments == ["-h"] || arguments == ["help"] {
            console.print(Help.overview(commands))
            return arguments.isEmpty ? ExitCode.usage : ExitCode.success
        }
        if arguments == ["--version"] {
            console.print("cluster-review \(version)")
            return ExitCode.success
        }
        let invocation: Invocation
        do {
            invocation = try ArgumentParser.parse(arguments, commands: commands, console: console, environment: environment)
        } catch let error as UsageError {
            // Not parsed, so read --lang by itself; a bad --lang is reported in the default, Chinese.
            let language = ArgumentParser.language(of: arguments, environment: environment)
            console.error(usageText(error, language))
            if let name = error.command, let command = commands.first(where: { $0.name == name }) {
                console.error(Help.usageLine(command, language: language))
            }
            console.error(language == .en ? "See 'cluster-review --help'" : "运行 cluster-review --help 查看帮助")
            return ExitCode.usage
        } catch {
            console.error("error: \(error)")
            return ExitCode.software
        }
        if invocation.flag("--help") {
            console.print(Help.detailed(invocation.command))
            return ExitCode.success
        }
        let language = invocation.language
        do {
            return try await invocation.command.run(invocation)
        } catch let error as UsageError {
            console.error(usageText(error, language))
            console.error(Help.usageLine(invocation.command, language: language))
            return ExitCode.usage
        } catch let error as PostgresError where error.isConnectionLoss {
            console.error(unavailableText(error, language))
            return ExitCode.unavailable
        } catch let error as SubmissionDoor.Interrupted {
            // A command that does not report the lots it committed (submit does) says what any loss says.
            console.error(unavailableText(error.cause, language))
            return ExitCode.unavailable
        } catch let error as PostgresError where error.sqlState == "42501" {
            console.error(PermissionMessage(error: error).text.text(in: language))
            return ExitCode.permissionDenied
        } catch let error as PostgresError where error.sqlState == "42P01" || error.sqlState == "42883" {
            // A table or function this program needs is missing: the database was never migrated,
            // or is older than this program. Say the fix rather than the relation's name alone.
            console.error(language == .en
                ? "the database is not migrated, or older than this program: run cluster-review migrate first (server: '\(serverText(error))')"
                : "数据库尚未迁移或版本旧于本程序，请先运行 cluster-review migrate（服务器消息：'\(serverText(error))'）")
            return ExitCode.unavailable
        } catch let error as EmbeddedPostgresError {
            console.error(language == .en
                ? "database unavailable: the private PostgreSQL failed ('\(serverText(error))')"
                : "数据库不可用：本地私有数据库出错（'\(serverText(error))'）")
            return ExitCode.unavailable
        } catch let error as CommandFailure {
            console.error(error.message.text(in: language))
            return error.exitCode
        } catch {
            console.error(language == .en ? "error: \(error)" : "错误：'\(error)'")
            return ExitCode.failure
        }
    }

    /// A usage error in one language.
    static func usageText(_ error: UsageError, _ language: Language) -> String {
        language == .en ? "usage error: \(error.message)" : "用法错误：\(error.zh)"
    }

    /// The database could not be reached: what to do, then the server's or the driver's own words, quoted.
    static func unavailableText(_ error: any Error, _ language: Language) -> String {
        language == .en
            ? "database unavailable: start it (cluster-review db start) or check DATABASE_URL (server: '\(serverText(error))')"
            : "数据库不可用：请启动数据库（cluster-review db start）或检查 DATABASE_URL（服务器消息：'\(serverText(error))'）"
    }

    /// The server's message without its quotes, so that it can be quoted on one line.
    static func serverText(_ error: any Error) -> String {
        var text = "\(error)"
        if let error = error as? PostgresError, case .server(let detail) = error { text = detail.message }
        return text.replacingOccurrences(of: "'", with: "’").replacingOccurrences(of: "\n", with: " ")
    }
}
