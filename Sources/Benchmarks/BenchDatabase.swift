#if canImport(Glibc)
import Glibc
#endif
import Foundation
import IndicatorKit
import Postgres
import ReviewCore
import ClusterStandard
import EmbeddedPostgres

/// A private PostgreSQL for one benchmark, under /tmp, with the project's migrations applied and
/// durable settings: `fsync` and `synchronous_commit` on, as in production. The benchmark's own
/// connection (`connection`) is the one whose backend the CPU groups leave out.
struct BenchDatabase {
    /// Durability as in production; `track_commit_timestamp` so that a review's latency ends at
    /// its commit (`pg_xact_commit_timestamp(xmin)`), not at its transaction's start.
    static let settings = [
        "fsync": "on", "synchronous_commit": "on", "full_page_writes": "on", "track_commit_timestamp": "on",
    ]

    let server: EmbeddedPostgres
    let conninfo: String
    let connection: PostgresConnection
    let installation: Installation
    /// The backend serving `connection`: the benchmark's own queries, counted in no group.
    let benchBackend: Int32

    /// Starts a fresh server in /tmp/cr-bench-LABEL-PID, creates database `bench` and migrates it.
    /// `authentication`: `pg_hba.conf`'s lines (empty: initdb's trust; the web door needs persons'
    /// passwords checked).
    static func start(label: String, installation: Installation, authentication: [String] = []) throws -> BenchDatabase {
        let server = EmbeddedPostgres(
            directory: URL(fileURLWithPath: "/tmp/cr-bench-\(label)-\(getpid())"), settings: settings, authentication: authentication)
        try? FileManager.default.removeItem(at: server.directory)
        try server.start()
        try server.createDatabase("bench")
        let conninfo = server.conninfo(database: "bench")
        let connection = try PostgresConnection(conninfo, applicationName: "cluster-review-bench")
        _ = try Migrator.migrate(connection, migrations: try Migrator.load(from: installation.sqlDirectory))
        let backend: Int32 = try connection.queryRow("SELECT pg_backend_pid() AS pid").decode("pid")
        return BenchDatabase(server: server, conninfo: conninfo, connection: connection, installation: installation, benchBackend: backend)
    }

    /// Stops the server and removes its folder (kept with `keep`, for inspection).
    func stop(keep: Bool = false) {
        connection.close()
        try? server.stop()
        if !keep { try? FileManager.default.removeItem(at: server.directory) }
    }

    /// The postmaster's pid (every server process descends from it).
    var postmaster: Int32 {
        get throws {
            guard let pid = server.postmasterPID() else { throw BenchError("the bench's PostgreSQL has no postmaster.pid") }
            return pid
        }
    }

    /// CPU of the server's processes (postmaster, backends, walwriter, checkpointer, autovacuum),
    /// exited ones included, less the benchmark's own backend.
    func postgresCounter() throws -> ProcessCPU.Counter {
        let postmaster = try postmaster, own = benchBackend
        return { table in table.treeTicks(postmaster) - table.ownTicks(own) }
    }

    /// The server's version and the settings that bear on the cost of a commit, for the report.
    func settingsLine() throws -> String {
        let rows = try connection.query("""
            SELECT name, setting, coalesce(unit, '') AS unit FROM pg_settings
            WHERE name IN ('server_version', 'fsync', 'synchronous_commit', 'full_page_writes', 'wal_level',
                           'shared_buffers', 'max_wal_size', 'checkpoint_timeout', 'track_commit_timestamp', 'autovacuum')
            ORDER BY name
            """).rows
        return try rows.map { row in
            let name: String = try row.decode("name"), setting: String = try row.decode("setting"), unit: String = try row.decode("unit")
            switch (unit, Int(setting)) {
            case ("8kB", let pages?): return "\(name)=\(pages / 128)MB"
            case ("MB", _), ("s", _): return "\(name)=\(setting)\(unit)"
            default: return "\(name)=\(setting)"
            }
        }.joined(separator: ", ")
    }

    /// One number from a query's first row and column `value`, as text parsed to Double (0 when NULL).
    func number(_ sql: String, _ parameters: [any PostgresEncodable] = []) throws -> Double {
        let text: String? = try connection.queryRow(sql, parameters).decode("value")
        return text.flatMap(Double.init) ?? 0
    }

    /// Writes every dirty buffer now (the checkpointer does the work), so that a run starts from a
    /// clean checkpoint and pays for the pages it dirtied itself.
    func checkpoint() throws { try connection.executeScript("CHECKPOINT") }

    // MARK: - Filings

    /// The initial filings among the samples (config/samples), as files' bytes.
    static func initialSamples(_ installation: Installation) throws -> [(name: String, data: Data, filing: Filing)] {
        let directory = installation.configDirectory.appendingPathComponent("samples")
        return try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted().compactMap { file in
            guard file.hasSuffix(".json"), file != "expected.json" else { return nil }
            let data = try Data(contentsOf: directory.appendingPathComponent(file))
            guard case .success(let filing) = FilingValidator.decode(data), filing.kind == .initial else { return nil }
            return (file, data, filing)
        }
    }

    /// Files `count` initial filings: the samples through the submission door (sent and checked
    /// here, as the database's owner), then set-based copies of them made by the owner (each with
    /// its own cluster name, so each its own content), spread over the samples' counties — a bulk
    /// path only the owner has. Nothing is left queued. Returns the filing ids.
    @discardableResult
    func seedInitialFilings(_ count: Int) throws -> [Int64] {
        _ = try SubmissionDoor.send(try Self.initialSamples(installation).map { SubmissionDoor.Document($0.data) }, on: connection)
        while try SubmissionIntake.checkPending(on: connection).checked > 0 {}
        try connection.executeScript("UNLISTEN *")
        let seeds: Int = try connection.queryRow("SELECT count(*) AS n FROM filings").decode("n")
        try connection.query("""
            INSERT INTO filings (kind, county_code, cluster_name, filed_on, format_version, payload, content_hash)
            SELECT kind, county_code, cluster_name || ' #' || n, filed_on, format_version,
                   jsonb_set(payload, '{cluster,name}', to_jsonb(cluster_name || ' #' || n)),
                   sha256(convert_to(jsonb_set(payload, '{cluster,name}', to_jsonb(cluster_name || ' #' || n))::text, 'UTF8'))
            FROM (SELECT f.*, n FROM generate_series(1, $1) AS n
                  JOIN LATERAL (SELECT * FROM filings ORDER BY id OFFSET (n % $2) LIMIT 1) f ON true) copies
            """, max(0, count - seeds), seeds)
        try connection.query("DELETE FROM review_queue")
        try connection.executeScript("VACUUM ANALYZE")
        return try connection.query("SELECT id FROM filings WHERE kind = 'initial' ORDER BY id LIMIT $1", count).rows
            .map { try $0.decode("id", as: Int64.self) }
    }

    /// Copies filing 1…n until there are `total` filings (for a large backlog; set-based, fast).
    func topUpFilings(to total: Int) throws {
        let existing: Int = try connection.queryRow("SELECT count(*) AS n FROM filings").decode("n")
        guard existing < total else { return }
        try connection.query("""
            INSERT INTO filings (kind, county_code, cluster_name, filed_on, format_version, payload, content_hash)
            SELECT kind, county_code, cluster_name || ' backlog ' || n, filed_on, format_version, payload,
                   sha256(convert_to(payload::text || n::text, 'UTF8'))
            FROM (SELECT f.*, n FROM generate_series(1, $1) AS n
                  JOIN LATERAL (SELECT * FROM filings WHERE id = 1 + (n % $2)) f ON true) copies
            """, total - existing, existing)
    }

    /// The filings' size: the mean payload as JSON text (what a module is sent before projection)
    /// and as stored (jsonb, TOAST-compressed).
    func payloadBytes(of ids: [Int64]) throws -> (text: Double, stored: Double) {
        let row = try connection.queryRow("""
            SELECT avg(octet_length(payload::text))::text AS text, avg(pg_column_size(payload))::text AS stored
            FROM filings WHERE id = ANY($1::bigint[])
            """, TextArray(ids.map(String.init)))
        let text: String? = try row.decode("text"), stored: String? = try row.decode("stored")
        return (text.flatMap(Double.init) ?? 0, stored.flatMap(Double.init) ?? 0)
    }

    /// Writes `count` initial filings as files into `directory`: the samples, each copy's cluster
    /// name suffixed with `tag` and a number so that every file is new content. The samples' own
    /// formatting (indented JSON, about 10 KB) is kept: the name is replaced in the text.
    static func writeFilingFiles(_ count: Int, tag: String, into directory: URL, installation: Installation) throws -> Int {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let samples = try initialSamples(installation)
        guard !samples.isEmpty else { throw BenchError("no initial filings among the samples") }
        var bytes = 0
        for index in 0..<count {
            let sample = samples[index % samples.count]
            guard let name = sample.filing.cluster?.name else { continue }
            let text = String(decoding: sample.data, as: UTF8.self)
                .replacingOccurrences(of: "\"\(name)\"", with: "\"\(name) \(tag)-\(index)\"")
            let data = Data(text.utf8)
            bytes += data.count
            try data.write(to: directory.appendingPathComponent(String(format: "%05d-%@", index, sample.name)))
        }
        return bytes
    }
}
