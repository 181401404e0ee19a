import ClusterStandard
import Foundation
import IndicatorKit
import JSONCore
import Postgres

/// The register entries the samples that need one are filed for: the recertification samples renew
/// clusters recognized three years before they were filed, with the plan on record their plan
/// reports answer; the annual and change report samples are filed for clusters recognized a year
/// before (the door refuses a report naming no register entry, sql/052). Imported as history (a
/// filing and a register entry written directly, as the database's owner), since no sample of
/// those years exists to review. The register fields are the filing's own, read as recognition
/// reads them (`register_fields`, sql/004).
public enum RegisterHistory {
    /// Imports the entries the samples in `samples` are filed for; returns how many.
    public static func seed(_ samples: [SampleFiling], on connection: PostgresConnection) throws -> Int {
        var seeded = Set<String>()
        for sample in samples {
            guard case .success(let filing) = FilingValidator.decode(sample.data), let kind = filing.kind,
                let county = filing.applicant?.countyCode, let name = filing.cluster?.name, let filed = filing.filingDate,
                !seeded.contains(county + "\u{0}" + name)
            else { continue }
            let recognized: CivilDate
            let plan: JSONValue
            switch kind {
            case .recertification:
                guard let onRecord = sample.planOnRecord else { continue }
                recognized = filed.adding(years: -3).adding(days: 10)
                plan = onRecord
            case .annualReport, .changeReport:
                recognized = filed.adding(years: -1)
                plan = .object([:])
            default:
                continue
            }
            seeded.insert(county + "\u{0}" + name)
            let payload = kind == .annualReport ? try historicApplication(for: sample, among: samples) ?? sample.data : sample.data
            try connection.query("""
                WITH historic AS (
                    INSERT INTO filings (kind, county_code, cluster_name, filed_on, format_version, payload, content_hash, status)
                    VALUES ('initial', $1, $2, $3::date - 45, 1, $4::jsonb,
                            sha256(convert_to('historic:' || $4::jsonb::text, 'UTF8')), 'recognized')
                    RETURNING id
                )
                INSERT INTO clusters (certificate_no, filing_id, county_code, name, recognized_on, valid_until, plan,
                                      leading_industry, spatial_extent, county_codes, area_km2, management_body)
                SELECT 'HN-TSJQ-' || extract(year FROM $3::date) || '-' || $1 || '-H', historic.id, $1, $2, $3::date,
                       ($3::date + interval '3 years')::date, $5::jsonb,
                       coalesce(rf.leading_industry, ''), rf.spatial_extent, rf.county_codes, rf.area_km2, rf.management_body
                FROM historic CROSS JOIN LATERAL register_fields($4::jsonb) AS rf
                """,
                county, name, recognized.description, JSONB(bytes: payload), try JSONB(encoding: plan))
        }
        return seeded.count
    }

    /// The filing an annual report sample's entry was recognized on: the application sample of the
    /// same county and cluster name (with the report's `cluster`, as before), its figures moved back
    /// to end with the year before the report's, so that monitoring finds the two years before the
    /// report's on the register. Nil
    /// when there is no such sample.
    static func historicApplication(for report: SampleFiling, among samples: [SampleFiling]) throws -> Data? {
        guard let reportRoot = try? JSONValue(parsing: report.data), let name = reportRoot["cluster"]?["name"]?.string,
            let county = reportRoot["applicant"]?["county_code"]?.string,
            let year = reportRoot["annual_report"]?["year"]?.decimal
        else { return nil }
        for sample in samples {
            guard let root = try? JSONValue(parsing: sample.data), root["kind"]?.string == FilingKind.initial.rawValue,
                root["applicant"]?["county_code"]?.string == county, root["cluster"]?["name"]?.string == name,
                case .object(var members) = root, case .array(let rows)? = members["figures"],
                let last = rows.last?["year"]?.decimal
            else { continue }
            // The register fields as the report states them (the entry the report is filed for).
            if let cluster = reportRoot["cluster"] { members["cluster"] = cluster }
            let shift = year - 1 - last
            members["figures"] = .array(rows.map { row in
                guard case .object(var cells) = row, let y = cells["year"]?.decimal else { return row }
                cells["year"] = .number(y + shift)
                return .object(cells)
            })
            return Data(JSONValue.object(members).canonicalText().utf8)
        }
        return nil
    }
}
