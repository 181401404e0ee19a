import Foundation
import IndicatorKit
import Postgres
import Reports
import ReviewCore
import TestSupport
import Testing

extension SecurityTests {
    /// The national recommendation (sql/141): read under the reader's own login, so a county sees
    /// its own register entries only; queued through a function only reviewers and administrators
    /// may call.
    @Suite struct NationalIsolationTests {
        /// The statistics' small province (two register entries, one per county) with a completed
        /// national review of each entry's filing.
        static func province() throws -> StatisticsProvince {
            let province = try StatisticsProvince()
            let reviews: [Int64] = try province.connection.query("""
                INSERT INTO reviews (id, filing_id, county_code, purpose, outcome, recommendation, attempts, queued_at, rulebook, as_of)
                SELECT nextval('review_ids'), f.id, f.county_code, 'national', 'completed', 'needs_review', 1, now(), 'national-2022', f.filed_on
                FROM clusters c JOIN filings f ON f.id = c.filing_id
                RETURNING id
                """).rows.map { try $0.decode("id") }
            for review in reviews {
                try province.connection.query("""
                    INSERT INTO findings (review_id, criterion, filing_id, county_code, module, module_version, kind, verdict, score,
                                          message_zh, message_en, citation)
                    SELECT r.id, 'COMP-6', r.filing_id, r.county_code, 'fixture', '1', 'threshold', 'fail', 40, '夹具', 'fixture', 'Art. 5'
                    FROM reviews r WHERE r.id = $1
                    """, review)
            }
            return province
        }

        func connect(_ province: StatisticsProvince, as role: RoleSpec) throws -> PostgresConnection {
            let name = SecurityFixtures.uniqueName("natl")
            try Logins.add(name: name, role: role, on: province.connection)
            return try PostgresConnection(province.conninfo + " user=\(name)")
        }

        @Test func aCountySeesItsOwnEntriesAndNothingOfAnotherCounty() throws {
            let province = try Self.province()
            let county = try connect(province, as: .county(StatisticsProvince.a))
            let own = try NationalRecommendation.summary(on: county).candidates
            let all = try NationalRecommendation.summary(on: province.connection).candidates
            #expect(Set(all.map(\.countyCode)) == [StatisticsProvince.a, StatisticsProvince.b])
            #expect(!own.isEmpty && own.allSatisfy { $0.countyCode == StatisticsProvince.a })
            var expected = all.filter { $0.countyCode == StatisticsProvince.a }
            for index in expected.indices { expected[index].rank = index + 1 }
            #expect(own == expected)
            #expect(own.allSatisfy { $0.missed == ["COMP-6"] && $0.reviewed })
        }

        @Test(arguments: [RoleSpec.reviewer, .admin, .auditor])
        func staffRolesSeeTheWholeProvince(_ role: RoleSpec) throws {
            let province = try Self.province()
            let staff = try NationalRecommendation.summary(on: try connect(province, as: role))
            #expect(staff == (try NationalRecommendation.summary(on: province.connection)))
        }

        @Test(arguments: [RoleSpec.county(StatisticsProvince.a), .auditor, .coordinator])
        func onlyReviewersAndAdministratorsQueueNationalReviews(_ role: RoleSpec) throws {
            let province = try Self.province()
            let person = try connect(province, as: role)
            do {
                _ = try NationalRecommendation.queue(.all, on: person)
                Issue.record("\(role) queued national reviews")
            } catch {
                guard case .server(let server) = error as? PostgresError else { throw error }
                #expect(server.sqlState == "42501")
            }
            let queued: Int = try province.connection.queryRow(
                "SELECT count(*)::int AS n FROM review_queue WHERE purpose = 'national'").decode("n")
            #expect(queued == 0)
        }

        @Test(arguments: [RoleSpec.reviewer, .admin])
        func reviewersAndAdministratorsQueueEachActiveEntryOnce(_ role: RoleSpec) throws {
            let province = try Self.province()
            // The fixture's entries already hold a completed national review as of their filing
            // date; another as-of date queues anew, once.
            let person = try connect(province, as: role)
            let first = try NationalRecommendation.queue(.all, asOf: CivilDate("2026-09-30")!, on: person)
            let second = try NationalRecommendation.queue(.all, asOf: CivilDate("2026-09-30")!, on: person)
            #expect(first.count == 2 && first.allSatisfy { $0.outcome == .queued })
            #expect(second.map(\.outcome) == [.alreadyQueued, .alreadyQueued])
            #expect(try NationalRecommendation.queue(.all, on: person).allSatisfy { $0.outcome == .alreadyReviewed || $0.outcome == .busy })
        }
    }
}
