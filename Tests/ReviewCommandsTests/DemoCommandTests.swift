import Foundation
import TestSupport
import Testing

/// The README's main command, end to end, on a throwaway database of its own.
@Suite struct DemoCommandTests {
    @Test func theDemoRunsEndToEndAndEverySampleGetsItsExpectedRecommendation() async throws {
        let conninfo = try TestCluster.makeDatabase(migrated: false)
        let reports = NSTemporaryDirectory() + "cr-demo-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: reports) }
        let demo = try CLIProcess(["demo", "--reports", reports], conninfo: conninfo, environment: ["NO_COLOR": "1"])
        let status = await demo.wait(timeout: .seconds(240))
        let log = demo.log
        #expect(status == 0, "\(log.suffix(3000))")
        #expect(log.contains("every sample got the recommendation it expects (30/30)"), "\(log.suffix(3000))")
        #expect(log.contains("recognized HN-"), "three filings are taken to recognition")
        #expect(log.contains("the same sweep again: 0 new"))
        let files = try FileManager.default.contentsOfDirectory(atPath: reports)
        #expect(files.contains("index.html"))
        #expect(files.filter { $0.hasSuffix(".html") }.count == 31)
    }
}
