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
    /// One corpus of hostile documents through `cluster-review validate` and through every door a
    /// county has — SQL text straight into `submissions` (as psql sends it), `cluster-review submit`,
    /// and the Swift API (`SubmissionDoor`) — all checked by the coordinator's code: the same verdict
    /// and the same paths everywhere. What validate accepts is filed; what it refuses is refused at
    /// every door with the same issues, readable by the county; no document ever reaches a bare
    /// CHECK of the database.
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

        /// "path rule" for each issue of a verdict; ["filed"] for a filed one.
        static func issues(_ verdict: SubmissionVerdict?) -> [String] {
            switch verdict {
            case .refused(let issues)?: return issues.map { "\($0.path) \($0.rule)" }.sorted()
            case .filed?, .alreadyOnFile?: return ["filed"]
            case .pending?, nil: return ["pending"]
            }
        }

        @Test func everyDoorGivesEveryHostileDocumentTheVerdictAndPathsValidateGives() async throws {
            let corpus = try Self.corpus()
            let folder = NSTemporaryDirectory() + "cr-hostile-\(UUID().uuidString)"
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(atPath: folder) }
            var paths: [String] = []
            for (index, document) in corpus.enumerated() {
                let path = folder + String(format: "/%02d-", index) + document.name + ".json"
                try document.data.write(to: URL(fileURLWithPath: path))
                paths.append(path)
            }
            let validated = try await CLIProcess.run(["validate", "--json"] + paths, conninfo: nil)
            #expect(validated.status == 1, "\(validated.stderr)")
            guard case .array(let verdicts) = try JSONValue(parsing: Data(validated.stdout.utf8)) else {
                Issue.record("no JSON array: \(validated.stdout.prefix(500))")
                return
            }
            let expected = Dictionary(uniqueKeysWithValues: verdicts.map { ($0["file"]?.string ?? "", $0) })
            for (path, document) in zip(paths, corpus) {
                let verdict = expected[path]
                #expect(Self.issues(verdict) == document.expected.sorted(), "\(document.name): validate says \(Self.issues(verdict))")
                #expect((verdict?["valid"] == .bool(true)) == document.expected.isEmpty, "\(document.name)")
            }
            /// What every door must say of each document: ["filed"], or validate's "path rule" list.
            let wanted = corpus.map { $0.expected.isEmpty ? ["filed"] : $0.expected.sorted() }

            // 1. SQL text straight into the table, as psql sends it: the bytes as a bytea literal.
            let viaSQL = try SecureDatabase()
            let sqlCounty = try viaSQL.connect(as: .county(SecureDatabase.countyA))
            var ids: [Int64] = []
            for document in corpus {
                let hex = document.data.map { String(format: "%02x", $0) }.joined()
                let row = try sqlCounty.query("INSERT INTO submissions (document) VALUES ('\\x\(hex)'::bytea) RETURNING id").rows[0]
                ids.append(try row.decode("id"))
            }
            while try SubmissionIntake.checkPending(on: viaSQL.superuser).checked > 0 {}
            let readBack = try SubmissionDoor.verdicts(of: ids, on: sqlCounty)
            let sqlSays = ids.map { Self.issues(readBack[$0]) }

            // 2. cluster-review submit, a coordinator's intake running beside it.
            let viaCLI = try SecureDatabase()
            let cliCounty = try viaCLI.login(.county(SecureDatabase.countyA), hint: "hostile")
            let intake = try BackgroundIntake(conninfo: viaCLI.conninfo)
            defer { intake.stop() }
            let submitted = try await CLIProcess.run(["submit", "--json", "--wait", "120"] + paths, conninfo: cliCounty.conninfo)
            #expect(submitted.status == 1, "\(submitted.stderr)")
            guard case .array(let outcomes) = try JSONValue(parsing: Data(submitted.stdout.utf8)) else {
                Issue.record("no JSON array: \(submitted.stdout.prefix(500))")
                return
            }
            let byFile = Dictionary(uniqueKeysWithValues: outcomes.map { ($0["file"]?.string ?? "", $0) })
            let cliSays = paths.map { path -> [String] in
                let outcome = byFile[path]
                if outcome?["status"]?.string == "filed" { return ["filed"] }
                guard outcome?["status"]?.string == "invalid", case .array(let issues)? = outcome?["issues"] else {
                    return [outcome?["status"]?.string ?? "missing"]
                }
                return issues.map { "\($0["path"]?.string ?? "?") \($0["rule"]?.string ?? "?")" }.sorted()
            }

            // 3. The Swift API.
            let viaSwift = try SecureDatabase()
            let swiftCounty = try viaSwift.connect(as: .county(SecureDatabase.countyA))
            let swiftSays = try TestDoor.submit(corpus.map(\.data), on: swiftCounty, checkingOn: viaSwift.superuser).map { Self.issues($0) }

            for (index, document) in corpus.enumerated() {
                #expect(sqlSays[index] == wanted[index], "\(document.name): SQL door says \(sqlSays[index])")
                #expect(cliSays[index] == wanted[index], "\(document.name): submit says \(cliSays[index])")
                #expect(swiftSays[index] == wanted[index], "\(document.name): the Swift API says \(swiftSays[index])")
            }
            // The valid ones are on file, as the county filed them, at every door alike.
            let valid = wanted.filter { $0 == ["filed"] }.count
            for (database, name) in [(viaSQL, nil as String?), (viaCLI, cliCounty.name), (viaSwift, nil)] {
                #expect(try CoordinatorFixtures.count("SELECT count(*) FROM filings", on: database.superuser) == valid)
                if let name {
                    #expect(try CoordinatorFixtures.count("SELECT count(*) FROM filings WHERE submitted_by = $1", [name],
                                                          on: database.superuser) == valid)
                }
                #expect(try database.submissionStates() == ["accepted": valid, "refused": corpus.count - valid])
            }
        }

        @Test func theDatabaseRefusesEveryNameCharacterTheValidatorRefuses() throws {
            let database = try SecureDatabase()
            let owner = database.superuser
            for code: UInt32 in [0x85, 0x9B, 0x202E, 0x2066, 0x061C, 0x200E, 0x200B, 0x2060, 0xFEFF, 0x2028, 0x2029] {
                let name = "文昌" + String(Character(Unicode.Scalar(code)!)) + "航天"
                // The second wall: even the owner's own insert past the door is refused by the table.
                #expect(SecurityFixtures.sqlState {
                    try owner.query("""
                        INSERT INTO filings (kind, county_code, cluster_name, filed_on, format_version, payload, content_hash)
                        VALUES ('initial', '469005', $1, '2026-03-15', 1, '{}', sha256(convert_to($1, 'UTF8')))
                        """, name)
                } == "23514", "U+\(String(code, radix: 16)) reaches the table")
            }
            #expect(try CoordinatorFixtures.count("SELECT count(*) FROM filings", on: owner) == 0)
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
            let run = try await CLIProcess.run(["submit", "--json", "--wait", "1", "/dev/zero"], conninfo: county.conninfo, timeout: .seconds(60))
            #expect(run.status == 1, "\(run.stderr)")
            #expect(run.stdout.contains("\"unreadable\""), "\(run.stdout)")
            #expect(try database.snapshot() == before)
        }
    }
}
