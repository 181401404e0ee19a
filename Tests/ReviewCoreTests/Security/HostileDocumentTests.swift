import Foundation
import IndicatorKit
import Postgres
import ReviewCore
import TestSupport
import Testing
import JSONCore

#if canImport(Glibc)
    import Glibc
#endif

extension SecurityTests {
    /// One corpus of hostile documents through both doors a county has today — `cluster-review
    /// validate` and `cluster-review submit` (CLI → FilingStore.submit → INSERT under the database's
    /// CHECK constraints) — with the same verdict and the same paths: what validate accepts is filed,
    /// what it refuses is refused by submit with the same issues, and no document ever reaches a bare
    /// CHECK of the database. When submissions go through the database's own door (issue 14 phase 2),
    /// the same corpus keeps the two equal.
    @Suite(.serialized) struct HostileDocumentTests {
        /// A document of the corpus and the verdict it must get: valid, or exactly these (path, rule).
        struct Hostile {
            var name: String
            var data: Data
            var expected: [String]  // "path rule"; empty: valid
        }

        /// The sample of county A with its cluster's name made unique by `suffix`.
        static func sample(_ suffix: String) throws -> JSONValue {
            let sample = try JSONValue(parsing: try SecurityFixtures.sampleData(county: SecureDatabase.countyA))
            return sample.setting("cluster.name", to: .string("文昌国际航天城商业航天产业集群 " + suffix))
        }

        /// `document` as canonical text with the placeholder `@@` (or the string `"@@"`, with `quoted`)
        /// replaced by `raw` bytes.
        static func bytes(_ document: JSONValue, replacing raw: [UInt8], quoted: Bool = false) -> Data {
            let text = Array(document.canonicalText().utf8)
            let marker = Array((quoted ? "\"@@\"" : "@@").utf8)
            guard let at = (0...(text.count - marker.count)).first(where: { Array(text[$0..<$0 + marker.count]) == marker }) else {
                return Data(text)
            }
            return Data(text[..<at] + raw + text[(at + marker.count)...])
        }

        /// A name holding `scalar`.
        static func named(_ suffix: String, _ scalar: UInt32) throws -> Data {
            try sample(suffix).setting("cluster.name", to: .string("文昌" + String(Character(Unicode.Scalar(scalar)!)) + "航天 " + suffix)).bytes
        }

        static func corpus() throws -> [Hostile] {
            let name = "$.cluster.name"
            var deep = JSONValue.number(1)
            for _ in 0..<40 { deep = .array([deep]) }
            return [
                Hostile(name: "bom", data: Data(JSONParser.byteOrderMark) + (try sample("bom")).bytes, expected: []),
                Hostile(name: "nel-raw", data: bytes(try sample("nel @@"), replacing: [0xC2, 0x85]), expected: ["\(name) control_character"]),
                Hostile(name: "nel-escaped", data: bytes(try sample("nel @@"), replacing: Array(#"\u0085"#.utf8)),
                        expected: ["\(name) control_character"]),
                Hostile(name: "rlo", data: try named("rlo", 0x202E), expected: ["\(name) bidi_control"]),
                Hostile(name: "alm", data: try named("alm", 0x061C), expected: ["\(name) bidi_control"]),
                Hostile(name: "lri-enterprise",
                        data: try sample("lri").setting("enterprises.0.name", to: "文昌\u{2066}航天科技有限公司").bytes,
                        expected: ["$.enterprises[0].name bidi_control"]),
                Hostile(name: "zwsp", data: try named("zwsp", 0x200B), expected: ["\(name) invisible_character"]),
                Hostile(name: "feff-inside", data: try named("feff", 0xFEFF), expected: ["\(name) invisible_character"]),
                Hostile(name: "word-joiner-authority",
                        data: try sample("wj").setting("applicant.authority", to: "文昌市\u{2060}工业和信息化局").bytes,
                        expected: ["$.applicant.authority invisible_character"]),
                Hostile(name: "zwj-code",
                        data: try sample("zwj").setting("enterprises.0.code", to: "91469005MA5T0000\u{200D}7").bytes,
                        expected: ["$.enterprises[0].code invisible_character"]),
                Hostile(name: "line-separator", data: try named("ls", 0x2028), expected: ["\(name) line_separator"]),
                Hostile(name: "paragraph-separator", data: try named("ps", 0x2029), expected: ["\(name) line_separator"]),
                Hostile(name: "tab", data: try named("tab", 0x09), expected: ["\(name) control_character"]),
                Hostile(name: "nul-escaped", data: bytes(try sample("nul @@"), replacing: Array(#"\u0000"#.utf8)),
                        expected: ["\(name) control_character"]),
                Hostile(name: "zwsp-in-statement",
                        data: try sample("statement").setting("competitiveness.evidence.COMP-1.statement", to: "集群\u{200B}龙头企业带动明显").bytes,
                        expected: []),
                Hostile(name: "rlo-in-statement",
                        data: try sample("rlo statement").setting("competitiveness.evidence.COMP-1.statement", to: "集群\u{202E}龙头企业").bytes,
                        expected: ["$.competitiveness.evidence[\"COMP-1\"].statement bidi_control"]),
                Hostile(name: "invalid-utf8", data: bytes(try sample("bad @@"), replacing: [0xFF]), expected: ["\(name) encoding"]),
                Hostile(name: "invalid-utf8-after-bom", data: Data(JSONParser.byteOrderMark) + bytes(try sample("bad @@"), replacing: [0xC3, 0x28]),
                        expected: ["\(name) encoding"]),
                Hostile(name: "surrogate-escape", data: bytes(try sample("sur @@"), replacing: Array(#"\ud800"#.utf8)),
                        expected: ["\(name) syntax"]),
                Hostile(name: "duplicate-key",
                        data: Data((try sample("dup")).canonicalText().replacingOccurrences(of: #""kind":"initial""#, with: #""kind":"initial","kind":"initial""#).utf8),
                        expected: ["$ syntax"]),
                // The root is level 1, cluster 2, deep 3: the 33rd level is 30 arrays in.
                Hostile(name: "deep-nesting", data: try sample("deep").setting("cluster.deep", to: deep).bytes,
                        expected: ["$.cluster.deep" + String(repeating: "[0]", count: 30) + " syntax"]),
                Hostile(name: "huge-number",
                        data: bytes(try sample("huge").setting("figures.2.total_output_wan", to: "@@"), replacing: Array("1e400".utf8), quoted: true),
                        expected: ["$.figures[2].total_output_wan syntax"]),
                Hostile(name: "long-number",
                        data: bytes(try sample("long").setting("figures.2.total_output_wan", to: "@@"),
                                    replacing: Array(("1" + String(repeating: "0", count: 40)).utf8), quoted: true),
                        expected: ["$.figures[2].total_output_wan syntax"]),
                Hostile(name: "huge-money", data: try sample("money").setting("figures.2.total_output_wan", to: .dec("100000000000000000000")).bytes,
                        expected: ["$.figures[2].total_output_wan range"]),
                Hostile(name: "combining-marks",
                        data: try sample("x").setting("cluster.name", to: .string(String(repeating: "e\u{301}", count: 150))).bytes,
                        expected: ["\(name) too_long"]),
            ]
        }

        /// "path rule" for each issue of a `validate --json` or `submit --json` entry.
        static func issues(_ entry: JSONValue?) -> [String] {
            guard case .array(let issues)? = entry?["issues"] else { return [] }
            return issues.map { "\($0["path"]?.string ?? "?") \($0["rule"]?.string ?? "?")" }.sorted()
        }

        @Test func validateAndSubmitGiveEveryHostileDocumentTheSameVerdictAndPaths() async throws {
            let database = try SecureDatabase()
            let county = try database.login(.county(SecureDatabase.countyA), hint: "hostile")
            let corpus = try Self.corpus()
            let folder = NSTemporaryDirectory() + "cr-hostile-\(UUID().uuidString)"
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(atPath: folder) }
            var files: [String: Hostile] = [:]
            for (index, document) in corpus.enumerated() {
                let path = folder + String(format: "/%02d-", index) + document.name + ".json"
                try document.data.write(to: URL(fileURLWithPath: path))
                files[path] = document
            }
            let paths = files.keys.sorted()
            let before = try database.snapshot()

            let validated = try await CLIProcess.run(["validate", "--json"] + paths, conninfo: nil)
            #expect(validated.status == 1, "\(validated.stderr)")
            let submitted = try await CLIProcess.run(["submit", "--json"] + paths, conninfo: county.conninfo)
            #expect(submitted.status == 1, "\(submitted.stderr)")
            guard case .array(let verdicts) = try JSONValue(parsing: Data(validated.stdout.utf8)),
                case .array(let outcomes) = try JSONValue(parsing: Data(submitted.stdout.utf8))
            else {
                Issue.record("no JSON array: \(validated.stdout.prefix(500)) / \(submitted.stdout.prefix(500))")
                return
            }
            let byFileValidated = Dictionary(uniqueKeysWithValues: verdicts.map { ($0["file"]?.string ?? "", $0) })
            let byFileSubmitted = Dictionary(uniqueKeysWithValues: outcomes.map { ($0["file"]?.string ?? "", $0) })
            var valid = 0
            for path in paths {
                let document = files[path]!
                let verdict = byFileValidated[path], outcome = byFileSubmitted[path]
                let isValid = verdict?["valid"] == .bool(true)
                #expect(Self.issues(verdict) == document.expected.sorted(), "\(document.name): validate says \(Self.issues(verdict))")
                #expect(isValid == document.expected.isEmpty, "\(document.name)")
                let status = outcome?["status"]?.string
                if isValid {
                    valid += 1
                    #expect(status == "filed", "\(document.name): submit says \(String(describing: outcome))")
                } else {
                    #expect(status == "invalid", "\(document.name): submit says \(String(describing: outcome)) — never a bare CHECK")
                    #expect(Self.issues(outcome) == Self.issues(verdict), "\(document.name): the same paths and rules")
                }
            }
            // The valid ones are on file, as the county filed them; nothing else was written.
            #expect(try CoordinatorFixtures.count("SELECT count(*) FROM filings", on: database.superuser) == valid)
            #expect(try CoordinatorFixtures.count(
                "SELECT count(*) FROM filings WHERE submitted_by = $1", [county.name], on: database.superuser) == valid)
            let after = try database.snapshot().filter { !["filings", "review_queue", "audit_log"].contains($0.key) }
            #expect(after == before.filter { !["filings", "review_queue", "audit_log"].contains($0.key) })
        }

        @Test func theDatabaseRefusesEveryNameCharacterTheValidatorRefuses() throws {
            let database = try SecureDatabase()
            let county = try database.connect(as: .county(SecureDatabase.countyA))
            let before = try database.snapshot()
            for code: UInt32 in [0x85, 0x9B, 0x202E, 0x2066, 0x061C, 0x200E, 0x200B, 0x2060, 0xFEFF, 0x2028, 0x2029] {
                let name = "文昌" + String(Character(Unicode.Scalar(code)!)) + "航天"
                let submission = try SecurityFixtures.submission(county: SecureDatabase.countyA, suffix: String(code)) {
                    guard case .object(var cluster)? = $0["cluster"] else { return }
                    cluster["name"] = .string(name)
                    $0["cluster"] = .object(cluster)
                }
                #expect(SecurityFixtures.sqlState { _ = try FilingStore.submit(submission, on: county) } == "23514",
                        "U+\(String(code, radix: 16)) reaches the table")
            }
            #expect(try database.snapshot() == before)
        }

        // MARK: reading a file is bounded

        @Test func validatingAFolderADeviceAFIFOOrAnOversizedFileIsAClearErrorNotACrashOrAHang() async throws {
            let folder = NSTemporaryDirectory() + "cr-bounded-\(UUID().uuidString)"
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(atPath: folder) }
            let fifo = folder + "/pipe.json"
            #expect(mkfifo(fifo, 0o600) == 0)
            let big = folder + "/big.json"
            try Data(count: JSONParser.Limits.document.maxBytes! + 1).write(to: URL(fileURLWithPath: big))
            for (path, says) in [(folder, "is a folder"), ("/dev/zero", "not a regular file"), (fifo, "not a regular file"),
                                 (big, "over the limit")] {
                let run = try await CLIProcess.run(["validate", "--lang", "en", path], conninfo: nil, timeout: .seconds(60))
                #expect(run.status == 66, "\(path): \(run.stderr)")
                #expect((run.stdout + run.stderr).contains(says), "\(path): \(run.stdout) \(run.stderr)")
            }
        }

        @Test func submittingADeviceIsReportedAndFilesNothing() async throws {
            let database = try SecureDatabase()
            let county = try database.login(.county(SecureDatabase.countyA))
            let before = try database.snapshot()
            let run = try await CLIProcess.run(["submit", "--json", "/dev/zero"], conninfo: county.conninfo, timeout: .seconds(60))
            #expect(run.status == 1, "\(run.stderr)")
            #expect(run.stdout.contains("\"unreadable\""), "\(run.stdout)")
            #expect(try database.snapshot() == before)
        }
    }
}
