import Foundation
import IndicatorKit
import Postgres

/// An expert (`experts`, sql/121): a login holding `cr_expert`, the fields it judges, its home county.
public struct Expert: Sendable, Hashable, Codable {
    public var login: String
    public var fields: [String]
    public var homeCounty: String
}

/// A conflict of interest an expert declared: with a county, an enterprise (USCC) or a filing.
public struct ExpertConflict: Sendable, Hashable, Codable {
    public var expert: String
    /// `county`, `enterprise` or `filing`.
    public var kind: String
    public var subject: String
    public var note: String
}

/// One member of a filing's panel.
public struct PanelMember: Sendable, Hashable, Codable {
    public var expert: String
    /// When the member submitted their scores; nil while they have not.
    public var submitted: Bool
}

/// One expert's score of one criterion.
public struct ExpertScore: Sendable, Hashable, Codable {
    public var expert: String
    public var criterion: String
    /// 0–100.
    public var score: Int
    /// `agree` or `disagree` (with a pass).
    public var verdict: String
    public var note: String

    public init(expert: String, criterion: String, score: Int, verdict: String, note: String) {
        self.expert = expert
        self.criterion = criterion
        self.score = score
        self.verdict = verdict
        self.note = note
    }
}

/// The panel's result on one criterion (`panel_results`): over the submitted members' scores.
public struct PanelResult: Sendable, Hashable, Codable {
    public var criterion: String
    /// The median score (one decimal).
    public var median: Decimal
    /// The highest score minus the lowest.
    public var spread: Int
    public var lowest: Int
    public var highest: Int
    public var agree: Int
    public var disagree: Int
    /// How many submitted members scored it, of how many members.
    public var scored: Int
    public var members: Int
    /// The spread is above the configured bound: to be discussed.
    public var flagged: Bool
}

/// A filing's panel as the person may see it.
public struct PanelView: Sendable, Hashable, Codable {
    public var filingId: Int64
    public var panelId: Int64
    public var members: [PanelMember]
    /// The criteria to score: the manual findings of the filing's latest decision review.
    public var criteria: [String]
    /// The scores the person may read: an expert's own, and the others' once their own are submitted.
    public var scores: [ExpertScore]
    /// The panel's result per criterion (the submitted scores).
    public var results: [PanelResult]
}

/// Experts and their conflicts: every statement on `experts` and `expert_conflicts` lives here.
public enum Experts {
    /// Records `login` (a `cr_expert` login) as an expert of `fields` from `homeCounty` (administrators).
    public static func register(_ login: String, fields: [String], homeCounty: String, on connection: PostgresConnection) throws {
        try LifecycleError.mapping {
            _ = try connection.query("SELECT register_expert($1, $2::text[], $3)", [login, TextArray(fields), homeCounty])
        }
    }

    /// Adds an expert's login and records it as an expert, in one transaction (administrators).
    @discardableResult
    public static func add(
        name: String, fields: [String], homeCounty: String, password: String? = nil, on connection: PostgresConnection
    ) throws -> String {
        try connection.transaction { connection in
            let group = try Logins.add(name: name, role: .expert, password: password, on: connection)
            try register(name, fields: fields, homeCounty: homeCounty, on: connection)
            return group
        }
    }

    /// The person (an expert) declares a conflict of interest: `kind` is `county`, `enterprise` or `filing`.
    @discardableResult
    public static func declareConflict(kind: String, subject: String, note: String, on connection: PostgresConnection) throws -> Int64 {
        try LifecycleError.mapping {
            try connection.queryRow("SELECT declare_conflict($1, $2, $3) AS id", [kind, subject, note]).decode("id")
        }
    }

    /// The experts the person may read (staff: all; an expert: itself).
    public static func list(on connection: PostgresConnection) throws -> [Expert] {
        try connection.query("SELECT login, array_to_string(fields, '|') AS fields, home_county FROM experts ORDER BY login").rows.map { row in
            Expert(login: try row.decode("login"), fields: try row.decode("fields", as: String.self).split(separator: "|").map(String.init),
                   homeCounty: try row.decode("home_county"))
        }
    }

    /// The conflicts the person may read, of `expert` or all.
    public static func conflicts(of expert: String? = nil, on connection: PostgresConnection) throws -> [ExpertConflict] {
        try connection.query(
            "SELECT expert, kind, subject, note FROM expert_conflicts WHERE $1::text IS NULL OR expert = $1 ORDER BY expert, id", [expert]
        ).rows.map { row in
            ExpertConflict(expert: try row.decode("expert"), kind: try row.decode("kind"), subject: try row.decode("subject"), note: try row.decode("note"))
        }
    }
}

/// Expert panels: every statement on `panels`, `panel_members`, `expert_scores` and
/// `panel_results` lives here; the CLI and the web door both call it. The database decides who may
/// form (reviewers, administrators), score (the panel's experts) and read what.
public enum Panels {
    /// Forms the panel of `filing` with `experts`; returns its id. CR020 a conflicted expert, CR008
    /// too few, CR009 a panel already, CR002 a filing past its decision, CR001 no such filing.
    @discardableResult
    public static func form(filing: Int64, experts: [String], on connection: PostgresConnection) throws -> Int64 {
        try LifecycleError.mapping {
            try connection.queryRow("SELECT form_panel($1, $2::text[]) AS id", [filing, TextArray(experts)]).decode("id")
        }
    }

    /// Forms a panel of `experts` for every filing of round `round` that has none and is before its
    /// decision, all or none; returns the filings and their panels.
    public static func form(round: Int64, experts: [String], on connection: PostgresConnection) throws -> [(filing: Int64, panel: Int64)] {
        try LifecycleError.mapping {
            try connection.transaction { connection in
                let filings: [Int64] = try connection.query(
                    """
                    SELECT f.id FROM filings f WHERE f.round_id = $1 AND f.kind IN ('initial', 'recertification')
                      AND f.status IN ('submitted', 'in_review', 'reviewed') AND NOT EXISTS (SELECT FROM panels p WHERE p.filing_id = f.id)
                    ORDER BY f.id
                    """, [round]
                ).rows.map { try $0.decode("id") }
                return try filings.map { filing in
                    (filing, try connection.queryRow("SELECT form_panel($1, $2::text[]) AS id", [filing, TextArray(experts)]).decode("id"))
                }
            }
        }
    }

    /// Adds `expert` to the panel of `filing`.
    public static func assign(filing: Int64, expert: String, on connection: PostgresConnection) throws {
        try LifecycleError.mapping {
            _ = try connection.query("SELECT assign_expert($1, $2)", [filing, expert])
        }
    }

    /// The person (an expert on the panel) scores `criterion` of `filing`.
    public static func score(
        filing: Int64, criterion: String, score: Int, verdict: String, note: String, on connection: PostgresConnection
    ) throws {
        try LifecycleError.mapping {
            _ = try connection.query("SELECT score_criterion($1, $2, $3::integer, $4, $5)", [filing, criterion, score, verdict, note])
        }
    }

    /// The person submits their scores of `filing`; final from then.
    public static func submit(filing: Int64, on connection: PostgresConnection) throws {
        try LifecycleError.mapping {
            _ = try connection.query("SELECT submit_scores($1)", [filing])
        }
    }

    /// The filings whose panels the person sits on (an expert), or every filing with a panel (staff).
    public static func filings(on connection: PostgresConnection) throws -> [Int64] {
        try connection.query("SELECT filing_id FROM panels ORDER BY filing_id").rows.map { try $0.decode("filing_id") }
    }

    /// The panel of `filing` as the person may see it, or nil (none, or not theirs to see).
    public static func show(filing: Int64, on connection: PostgresConnection) throws -> PanelView? {
        guard let panel = try connection.query("SELECT id FROM panels WHERE filing_id = $1", [filing]).rows.first else { return nil }
        let panelId: Int64 = try panel.decode("id")
        let members = try connection.query(
            "SELECT expert, submitted_at IS NOT NULL AS submitted FROM panel_members WHERE panel_id = $1 ORDER BY expert", [panelId]
        ).rows.map { PanelMember(expert: try $0.decode("expert"), submitted: try $0.decode("submitted")) }
        let criteria: [String] = try connection.query(
            """
            SELECT fi.criterion FROM findings fi
            WHERE fi.review_id = (SELECT r.id FROM reviews r WHERE r.filing_id = $1 AND r.purpose = 'decision' AND r.outcome = 'completed'
                                  ORDER BY r.finished_at DESC, r.id DESC LIMIT 1)
              AND fi.verdict = 'manual'
            ORDER BY fi.criterion
            """, [filing]
        ).rows.map { try $0.decode("criterion") }
        let scores = try connection.query(
            "SELECT expert, criterion, score, verdict, note FROM expert_scores WHERE panel_id = $1 ORDER BY criterion, expert", [panelId]
        ).rows.map { row in
            ExpertScore(expert: try row.decode("expert"), criterion: try row.decode("criterion"), score: try row.decode("score"),
                        verdict: try row.decode("verdict"), note: try row.decode("note"))
        }
        return PanelView(filingId: filing, panelId: panelId, members: members, criteria: criteria, scores: scores,
                         results: try results(filing: filing, on: connection))
    }

    /// The panel's result per criterion for `filing` when the person may read panel results (staff,
    /// experts); empty for anyone else (a county).
    public static func readableResults(filing: Int64, on connection: PostgresConnection) throws -> [PanelResult] {
        guard try connection.queryRow("SELECT has_table_privilege('panel_results', 'SELECT') AS ok").decode("ok", as: Bool.self) else { return [] }
        return try results(filing: filing, on: connection)
    }

    /// The panel's result per criterion for `filing`, as the person may read it.
    public static func results(filing: Int64, on connection: PostgresConnection) throws -> [PanelResult] {
        try connection.query(
            """
            SELECT criterion, median::text, spread, lowest, highest, agree, disagree, scored, members, flagged
            FROM panel_results WHERE filing_id = $1 ORDER BY criterion
            """, [filing]
        ).rows.map { row in
            PanelResult(
                criterion: try row.decode("criterion"), median: Decimal(string: try row.decode("median", as: String.self)) ?? 0,
                spread: try row.decode("spread"), lowest: try row.decode("lowest"), highest: try row.decode("highest"),
                agree: try row.decode("agree"), disagree: try row.decode("disagree"), scored: try row.decode("scored"),
                members: try row.decode("members"), flagged: try row.decode("flagged"))
        }
    }
}
