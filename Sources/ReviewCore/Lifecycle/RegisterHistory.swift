import ClusterStandard
import Foundation
import IndicatorKit
import Postgres

/// The register entries the recertification samples renew: clusters recognized three years before
/// the samples were filed, with the plan on record their plan reports answer. Imported as history
/// (a filing and a register entry written directly, as the database's owner), since no sample of 2023 exists to review.
public enum RegisterHistory {
    /// Imports the entries the recertification samples in `samples` renew; returns how many.
    public static func seed(_ samples: [SampleFiling], on connection: PostgresConnection) throws -> Int {
        var seeded = Set<String>()
        for sample in samples {
            guard let plan = sample.planOnRecord, case .success(let filing) = FilingValidator.decode(sample.data),
                let county = filing.applicant?.countyCode, let name = filing.cluster?.name, let filed = filing.filingDate,
                !seeded.contains(county + name)
            else { continue }
            seeded.insert(county + name)
            let recognized = filed.adding(years: -3).adding(days: 10)
            try connection.query("""
                WITH historic AS (
                    INSERT INTO filings (kind, county_code, cluster_name, filed_on, format_version, payload, content_hash, status)
                    VALUES ('initial', $1, $2, $3::date - 45, 1, $4::jsonb,
                            sha256(convert_to('historic:' || $4::jsonb::text, 'UTF8')), 'recognized')
                    RETURNING id
                )
                INSERT INTO clusters (certificate_no, filing_id, county_code, name, recognized_on, valid_until, plan,
                                      leading_industry, spatial_extent, management_body)
                SELECT 'HN-TSJQ-' || extract(year FROM $3::date) || '-' || $1 || '-H', id, $1, $2, $3::date,
                       ($3::date + interval '3 years')::date, $5::jsonb, $6, $7, $8
                FROM historic
                """,
                county, name, recognized.description, JSONB(bytes: sample.data), try JSONB(encoding: plan),
                filing.cluster?.leadingIndustry ?? "", "\(filing.cluster?.areaKm2 ?? 0) km²", "管委会")
        }
        return seeded.count
    }
}
