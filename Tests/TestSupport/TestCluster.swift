import EmbeddedPostgres
import Foundation
import Postgres
import PostgresTestSupport
import ReviewCore

/// The project's databases for tests: fresh databases on the throwaway server
/// (`ThrowawayPostgres`), each cloned from a template that has every migration applied, so a
/// fully migrated database costs one `CREATE DATABASE … TEMPLATE`.
public enum TestCluster {
    /// The shared server, started on first use.
    public static var server: EmbeddedPostgres {
        get throws { try ThrowawayPostgres.server }
    }

    /// The project's installation (sql/, config/, built executables).
    public static var installation: Installation {
        get throws { try Installation.current() }
    }

    /// Where throwaway servers live (`ThrowawayPostgres.scratchDirectory`).
    public static var scratchDirectory: URL { ThrowawayPostgres.scratchDirectory }

    /// Every migration of sql/, applied once per test process to the template database.
    static let migrated = ThrowawayPostgres.Template(
        name: "cr_template",
        // A database's own privileges are not copied from its template: close temporary tables as
        // sql/024 did on the template (what `migrate` does on a database of its own).
        afterCreate: "REVOKE TEMPORARY ON DATABASE NAME FROM PUBLIC; GRANT TEMPORARY ON DATABASE NAME TO cr_admin, cr_auditor"
    ) { connection in
        _ = try Migrator.migrate(connection, migrations: try Migrator.load(from: try Installation.current().sqlDirectory))
    }

    /// Creates a fresh database with every migration applied (or an empty one) and returns its conninfo.
    public static func makeDatabase(migrated: Bool = true) throws -> String {
        try ThrowawayPostgres.makeDatabase(template: migrated ? Self.migrated : nil)
    }

    /// The second throwaway server, whose `pg_hba.conf` checks the passwords of persons
    /// (`scram-sha-256`) while the superuser `postgres` and the web door's authenticator `cr_web`
    /// are trusted on the socket: the web door refuses a server that does not check passwords.
    /// Started on first use, like `server`.
    public static var passwordServer: EmbeddedPostgres {
        get throws { try ThrowawayPostgres.server(passwords) }
    }

    /// The `pg_hba.conf` of `passwordServer`.
    public static let passwordAuthentication = [
        "local all postgres trust",
        "local all cr_web trust",
        "local all all scram-sha-256",
    ]

    /// The kind of throwaway server `passwordServer` is.
    static let passwords = ThrowawayPostgres.Kind(label: "cr-test-pw", authentication: passwordAuthentication)

    /// Creates a fresh, fully migrated database on `passwordServer` and returns its conninfo (as
    /// the superuser `postgres`).
    public static func makePasswordDatabase() throws -> String {
        try ThrowawayPostgres.makeDatabase(template: Self.migrated, on: passwords)
    }

    /// A connection to a fresh database (see `makeDatabase`).
    public static func connect(migrated: Bool = true) throws -> PostgresConnection {
        try PostgresConnection(try makeDatabase(migrated: migrated))
    }
}
