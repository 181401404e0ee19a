import Foundation
import Postgres

/// Gathers what modules need from the records besides the filing (incidents recorded against the
/// filing's enterprises, the plan on record for a recertification), through the SQL function
/// `review_context(filing_id)`, so the lifecycle tables stay behind one definition.
enum ReviewContextQuery {
    static func contexts(for filingIds: [Int64], on connection: PostgresConnection) throws -> [Int64: Data] {
        let result = try connection.queryPrepared(
            "SELECT id, review_context(id) AS context FROM unnest($1::bigint[]) AS id",
            [TextArray(filingIds.map(String.init))])
        var contexts: [Int64: Data] = [:]
        for row in result.rows {
            contexts[try row.decode("id")] = try row.decode("context", as: JSONB.self).bytes
        }
        return contexts
    }
}
