import Foundation
import Postgres
import Reports
import ReviewCore
import TestSupport
import Testing

extension SecurityTests {
    /// The statistics (sql/140's views are security_invoker): a county's login counts its own
    /// county's filings, findings, register and watchlist, and nothing of another county, whatever
    /// filter it asks for; the staff roles count the province.
    @Suite struct StatisticsIsolationTests {
        func connect(_ province: StatisticsProvince, as role: RoleSpec) throws -> PostgresConnection {
            let name = SecurityFixtures.uniqueName("stats")
            try Logins.add(name: name, role: role, on: province.connection)
            return try PostgresConnection(province.conninfo + " user=\(name)")
        }

        @Test func aCountySeesTheSameStatisticsAsTheProvinceFilteredToItsOwnCounty() throws {
            let province = try StatisticsProvince()
            let county = try connect(province, as: .county(StatisticsProvince.a))
            var own = try StatisticsRecords.gather(StatisticsFilter(), on: county)
            var expected = try StatisticsRecords.gather(StatisticsFilter(county: StatisticsProvince.a), on: province.connection)
            own.filter = expected.filter
            #expect(own.totalFilings > 0 && !own.watchlist.isEmpty && !own.register.isEmpty)
            // Criteria are ordered by fail rate; compare them as sets.
            #expect(Set(own.criteria) == Set(expected.criteria))
            own.criteria = []
            expected.criteria = []
            #expect(own == expected)
        }

        @Test func aCountyAskingForAnotherCountyCountsNothing() throws {
            let province = try StatisticsProvince()
            let county = try connect(province, as: .county(StatisticsProvince.a))
            let theirs = try StatisticsRecords.gather(StatisticsFilter(county: StatisticsProvince.b), on: county)
            #expect(theirs.filings.isEmpty && theirs.criteria.isEmpty && theirs.margins.isEmpty)
            #expect(theirs.register.isEmpty && theirs.watchlist.isEmpty)
        }

        @Test(arguments: [RoleSpec.reviewer, .admin, .auditor])
        func staffRolesCountTheWholeProvince(_ role: RoleSpec) throws {
            let province = try StatisticsProvince()
            let staff = try StatisticsRecords.gather(StatisticsFilter(), on: try connect(province, as: role))
            let owner = try StatisticsRecords.gather(StatisticsFilter(), on: province.connection)
            #expect(staff.totalFilings == owner.totalFilings && staff.totalClusters == owner.totalClusters)
            #expect(Set(staff.criteria) == Set(owner.criteria) && staff.watchlist == owner.watchlist)
            #expect(Set(staff.filings) == Set(owner.filings))
        }
    }
}
