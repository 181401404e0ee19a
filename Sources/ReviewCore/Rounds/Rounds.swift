import Foundation
import IndicatorKit
import Postgres

/// An application round (批次, sql/120): the days on which the province receives filings of some
/// kinds, the rulebook its reviews use, its quotas and the day its recognitions' validity starts.
public struct Round: Sendable, Hashable, Codable {
    /// The round's id.
    public var id: Int64
    /// Its name, e.g. `2026年第一批`.
    public var name: String
    /// The filing kinds it takes (`initial`, `recertification`, `annual_report`, `change_report`).
    public var kinds: [String]
    /// The first day filings are received (Asia/Shanghai).
    public var opensOn: CivilDate
    /// The last day filings are received.
    public var closesOn: CivilDate
    /// The rulebook its reviews use; nil: the server's default.
    public var rulebook: String?
    /// The as-of date its reviews use; nil: each filing's own date.
    public var asOf: CivilDate?
    /// At most this many filings per county; nil: no limit.
    public var quotaPerCounty: Int?
    /// At most this many filings in all; nil: no limit.
    public var quotaTotal: Int?
    /// The day its recognitions' validity starts; nil: each cluster's recognition day.
    public var validityStartsOn: CivilDate?
    /// The day an administrator closed it, if one did (no filing is received from that day).
    public var closedOn: CivilDate?

    /// Where the round stands on `today`.
    public enum State: String, Sendable, Hashable, Codable {
        /// Announced: its first day is still ahead.
        case announced
        /// Filings are received today.
        case open
        /// Past its last day, or closed by an administrator.
        case closed
    }

    /// Where the round stands on `today`.
    public func state(on today: CivilDate) -> State {
        if let closed = closedOn, closed <= today { return .closed }
        if today < opensOn { return .announced }
        return today <= closesOn ? .open : .closed
    }
}

/// What an administrator states to open a round (`Rounds.open`).
public struct RoundDraft: Sendable, Hashable {
    public var name: String
    public var kinds: [String]
    public var opensOn: CivilDate
    public var closesOn: CivilDate
    public var rulebook: String?
    public var asOf: CivilDate?
    public var quotaPerCounty: Int?
    public var quotaTotal: Int?
    public var validityStartsOn: CivilDate?

    /// A round taking `kinds` from `opensOn` to `closesOn`, with the rest as given.
    public init(
        name: String, kinds: [String], opensOn: CivilDate, closesOn: CivilDate, rulebook: String? = nil, asOf: CivilDate? = nil,
        quotaPerCounty: Int? = nil, quotaTotal: Int? = nil, validityStartsOn: CivilDate? = nil
    ) {
        self.name = name
        self.kinds = kinds
        self.opensOn = opensOn
        self.closesOn = closesOn
        self.rulebook = rulebook
        self.asOf = asOf
        self.quotaPerCounty = quotaPerCounty
        self.quotaTotal = quotaTotal
        self.validityStartsOn = validityStartsOn
    }
}

/// How many filings of a round one county has in one status.
public struct RoundTally: Sendable, Hashable, Codable {
    /// The county's code.
    public var countyCode: String
    /// The filings' status (`submitted`, `in_review`, `reviewed`, `returned`, `approved`, `refused`, `recognized`, …).
    public var status: String
    /// How many.
    public var count: Int

    /// A tally of `count` filings of `countyCode` in `status`.
    public init(countyCode: String, status: String, count: Int) {
        self.countyCode = countyCode
        self.status = status
        self.count = count
    }
}

/// The rounds, a client's side: every statement on `rounds` lives here; the CLI and the web door
/// both call it. Opening and closing are an administrator's (the database refuses anyone else,
/// 42501); everybody of the system reads the rounds; the tally counts the filings the person may
/// read (a county, its own).
public enum Rounds {
    /// Opens a round; returns its id. A refusal is a `LifecycleError` (CR004 no name, CR008 a
    /// wrong kind, day, quota, a name taken or a round of a kind overlapping, CR011 a last day past).
    public static func open(_ draft: RoundDraft, on connection: PostgresConnection) throws -> Int64 {
        try LifecycleError.mapping {
            try connection.queryRow(
                """
                SELECT open_round($1, $2::text[], $3::date, $4::date, $5, $6::date, $7::integer, $8::integer, $9::date) AS id
                """,
                [draft.name, TextArray(draft.kinds), draft.opensOn.description, draft.closesOn.description, draft.rulebook,
                 draft.asOf?.description, draft.quotaPerCounty, draft.quotaTotal, draft.validityStartsOn?.description]
            ).decode("id")
        }
    }

    /// Closes round `id` today; returns the day. CR001 no such round, CR009 closed already.
    @discardableResult
    public static func close(_ id: Int64, on connection: PostgresConnection) throws -> CivilDate {
        try LifecycleError.mapping {
            try civil(try connection.queryRow("SELECT close_round($1)::text AS day", [id]), "day")
        }
    }

    static let columns = """
        SELECT id, name, array_to_string(kinds, ',') AS kinds, opens_on::text, closes_on::text, rulebook, as_of::text, quota_per_county, quota_total,
               validity_starts_on::text, closed_on::text FROM rounds
        """

    /// Every round, the latest first.
    public static func list(on connection: PostgresConnection) throws -> [Round] {
        try connection.query(columns + " ORDER BY opens_on DESC, id DESC").rows.map(round)
    }

    /// The round whose id or name is `key`, or nil.
    public static func round(_ key: String, on connection: PostgresConnection) throws -> Round? {
        if let id = Int64(key) {
            return try connection.query(columns + " WHERE id = $1", [id]).rows.first.map(round)
        }
        return try connection.query(columns + " WHERE name = $1", [key]).rows.first.map(round)
    }

    /// Whether a round with a quota receives filings today: while one does, the order in which
    /// submissions are recorded decides which of them take its last places (`IntakeOrder`).
    static func quotaReceivingToday(on connection: PostgresConnection) throws -> Bool {
        try connection.queryRow(
            """
            SELECT EXISTS (SELECT FROM rounds WHERE (quota_per_county IS NOT NULL OR quota_total IS NOT NULL)
                                               AND closed_on IS NULL AND cr_today() BETWEEN opens_on AND closes_on) AS receiving
            """
        ).decode("receiving")
    }

    /// The round's filings the person may read, counted per county and status (corrections counted too).
    public static func tally(round id: Int64, on connection: PostgresConnection) throws -> [RoundTally] {
        try connection.query(
            """
            SELECT county_code, status, count(*)::int AS n FROM filings WHERE round_id = $1
            GROUP BY county_code, status ORDER BY county_code, status
            """, [id]
        ).rows.map { row in
            RoundTally(countyCode: try row.decode("county_code"), status: try row.decode("status"), count: try row.decode("n"))
        }
    }

    static func round(_ row: Row) throws -> Round {
        Round(
            id: try row.decode("id"), name: try row.decode("name"), kinds: try row.decode("kinds", as: String.self).split(separator: ",").map(String.init),
            opensOn: try civil(row, "opens_on"), closesOn: try civil(row, "closes_on"), rulebook: try row.decode("rulebook"),
            asOf: try optionalCivil(row, "as_of"), quotaPerCounty: try row.decode("quota_per_county"),
            quotaTotal: try row.decode("quota_total"), validityStartsOn: try optionalCivil(row, "validity_starts_on"),
            closedOn: try optionalCivil(row, "closed_on"))
    }
}
