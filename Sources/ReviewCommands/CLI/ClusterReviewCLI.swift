import Foundation
import Postgres
import ReviewCore
import EmbeddedPostgres

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
            console.error("用法错误 usage error: \(error.message)")
            if let name = error.command, let command = commands.first(where: { $0.name == name }) {
                console.error(Help.usageLine(command))
            }
            console.error("See 'cluster-review --help' · 运行 cluster-review --help 查看帮助")
            return ExitCode.usage
        } catch {
            console.error("error: \(error)")
            return ExitCode.software
        }
        if invocation.flag("--help") {
            console.print(Help.detailed(invocation.command))
            return ExitCode.success
        }
        do {
            return try await invocation.command.run(invocation)
        } catch let error as UsageError {
            if invocation.command.oneLanguage {
                console.error(invocation.language == .en ? "usage error: \(error.message)" : "用法错误：\(error.zh ?? error.message)")
                console.error(Help.usageLine(invocation.command, language: invocation.language))
            } else {
                console.error("用法错误 usage error: \(error.message)")
                console.error(Help.usageLine(invocation.command))
            }
            return ExitCode.usage
        } catch let error as PostgresError where error.isConnectionLoss {
            console.error("数据库不可用 database unavailable: \(error)")
            return ExitCode.unavailable
        } catch let error as PostgresError where error.sqlState == "42501" {
            let message = PermissionMessage(error: error)
            console.error(message.text.zh)
            console.error(message.text.en)
            return ExitCode.permissionDenied
        } catch let error as PostgresError where error.sqlState == "42P01" || error.sqlState == "42883" {
            // A table or function this program needs is missing: the database was never migrated,
            // or is older than this program. Say the fix rather than the relation's name alone.
            console.error("数据库尚未迁移或版本旧于本程序，请先运行 cluster-review migrate（\(error)）")
            console.error("the database is not migrated, or older than this program: run cluster-review migrate first (\(error))")
            return ExitCode.unavailable
        } catch let error as EmbeddedPostgresError {
            console.error("数据库不可用 database unavailable: \(error)")
            return ExitCode.unavailable
        } catch let error as CommandFailure {
            if invocation.command.oneLanguage {
                console.error(error.message.text(in: invocation.language))
            } else {
                console.error(error.message.zh)
                console.error(error.message.en)
            }
            return error.exitCode
        } catch {
            console.error("错误 error: \(error)")
            return ExitCode.failure
        }
    }
}
