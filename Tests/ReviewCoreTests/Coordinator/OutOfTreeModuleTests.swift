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

/// Adding a module without rebuilding (issue 12, item 2): a module written in Python, standard
/// library only, in a folder outside the repository, with a criterion of its own and a threshold
/// parameter, added by editing only modules.json and parameters.json.
@Suite(.serialized) struct OutOfTreeModuleTests {
    /// The module: TALE-1, the cluster employs at least `min_cluster_employees` people in the
    /// latest year of its figures. Everything a module needs, and nothing of the project's.
    static let module = #"""
        #!/usr/bin/env python3
        """A talent indicator for ClusterReview, added without rebuilding the server."""
        import json, os, re, sys
        from decimal import Decimal, InvalidOperation

        MODULE = {"id": "talent", "version": "1.0.0", "title": {"zh": "人才集聚", "en": "Talent"}}
        CRITERION = {
            "id": "TALE-1", "kind": "threshold", "citation": "Added indicator, not part of the measures",
            "title": {"zh": "集群从业人员规模", "en": "Employees of the cluster"},
            "parameters": [{"name": "min_cluster_employees", "comparator": ">=", "unit": "employees"}],
        }
        DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")

        def number(value):
            return int(value) if value == value.to_integral_value() else str(value)

        def finding(verdict, score, zh, en, **rest):
            return dict(criterion="TALE-1", verdict=verdict, score=score, message={"zh": zh, "en": en},
                        citation=CRITERION["citation"], parameters=rest.pop("parameters", {}), **rest)

        def evaluate(filing, parameters):
            figures = filing.get("figures") or []
            if not isinstance(figures, list) or not figures:
                return [finding("manual", 60, "申报未列出从业人数，需人工判断", "no employees in the filing; a person must judge")]
            latest = max(figures, key=lambda f: f.get("year", 0))
            employees = Decimal(str(latest.get("employees", 0)))
            if "min_cluster_employees" not in parameters:
                return [finding("manual", 60, "本规则集没有 min_cluster_employees 的阈值，需人工判断",
                                "no threshold in this rulebook (min_cluster_employees); a person must judge",
                                observed=number(employees))]
            bound = Decimal(str(parameters["min_cluster_employees"]))
            passed = employees >= bound
            return [finding("pass" if passed else "fail", 60 if passed else 30,
                            f"{latest.get('year')} 年从业人数 {employees}，标准 {bound}",
                            f"{employees} employees in {latest.get('year')}; the bound is {bound}",
                            observed=number(employees), threshold=number(bound), comparator=">=",
                            margin=number(employees - bound), parameters={"min_cluster_employees": number(bound)})]

        def respond(line):
            try:
                message = json.loads(line, parse_float=Decimal)
            except ValueError as error:
                return {"type": "error", "id": None, "code": "invalid_request", "message": f"not JSON: {error}"}
            if not isinstance(message, dict):
                return {"type": "error", "id": None, "code": "invalid_request", "message": "not a JSON object"}
            rid = message.get("id") if isinstance(message.get("id"), str) else None
            if message.get("type") == "shutdown":
                return None
            if message.get("type") != "evaluate":
                return {"type": "error", "id": rid, "code": "unknown_message", "message": "unknown message type"}
            if rid is None:
                return {"type": "error", "id": None, "code": "invalid_request", "message": "no string id"}
            for member in ("filing", "context", "parameters"):
                if not isinstance(message.get(member), dict):
                    return {"type": "error", "id": rid, "code": "invalid_request", "message": f"{member} must be an object"}
            as_of = message.get("as_of")
            valid = isinstance(as_of, str) and DATE.match(as_of)
            if valid:
                year, month, day = (int(part) for part in as_of.split("-"))
                leap = year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)
                days = [31, 29 if leap else 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
                valid = 1 <= month <= 12 and 1 <= day <= days[month - 1]
            if not valid:
                return {"type": "error", "id": rid, "code": "invalid_request", "message": "as_of is not a date"}
            try:
                return {"type": "findings", "id": rid, "findings": evaluate(message["filing"], message["parameters"])}
            except (InvalidOperation, TypeError, ValueError) as error:
                return {"type": "error", "id": rid, "code": "evaluation_failed", "message": repr(error)}

        def main():
            offered = os.environ.get("CLUSTER_REVIEW_PROTOCOL")
            if offered is None:
                sys.stderr.write("talent: a ClusterReview module; the coordinator starts it (try: cluster-review plugins check)\n")
                return 64
            if "1" not in [part.strip() for part in offered.split(",")]:
                sys.stderr.write(f"talent: the coordinator offers {offered}; this module speaks 1\n")
                return 76
            channel = os.fdopen(os.dup(1), "w", encoding="utf-8", newline="\n")
            os.dup2(2, 1)
            def send(message):
                channel.write(json.dumps(message, ensure_ascii=False, separators=(",", ":")) + "\n")
                channel.flush()
            try:
                send({"type": "ready", "protocol": 1, "module": MODULE, "applies_to": ["initial", "recertification"],
                      "criteria": [CRITERION], "reads": ["figures"]})
                for raw in sys.stdin.buffer:
                    line = raw.decode("utf-8", errors="replace").strip()
                    if not line:
                        continue
                    reply = respond(line)
                    if reply is None:
                        return 0
                    send(reply)
            except BrokenPipeError:
                pass
            return 0

        if __name__ == "__main__":
            sys.exit(main())
        """#

    @Test func aPythonModuleFromOutsideTheRepositoryJoinsARunningServerBySighup() async throws {
        // The module, in a folder of its own outside the repository.
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("cr-talent-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let executable = folder.appendingPathComponent("indicator_talent.py").path
        try Self.module.write(toFile: executable, atomically: true, encoding: .utf8)
        chmod(executable, 0o755)
        #expect(!executable.hasPrefix(try TestCluster.installation.root.path))

        // The configuration the server runs with: copies of the project's two files.
        let config = try TestCluster.installation.configDirectory
        let modulesFile = folder.appendingPathComponent("modules.json").path
        let parametersFile = folder.appendingPathComponent("parameters.json").path
        try FileManager.default.copyItem(atPath: config.appendingPathComponent("modules.json").path, toPath: modulesFile)
        try FileManager.default.copyItem(atPath: config.appendingPathComponent("parameters.json").path, toPath: parametersFile)

        // A filing the modules find needs_review; 30,799 employees in its latest year.
        let sample = config.appendingPathComponent("samples/460105-xiuying-biomedicine.json").path
        let bound = 30800

        // plugins check passes it.
        let parametersSample = folder.appendingPathComponent("sample-parameters.json").path
        try Data(#"{"min_cluster_employees": \#(bound)}"#.utf8).write(to: URL(fileURLWithPath: parametersSample))
        let check = try await CLIProcess.run(["plugins", "check", executable, "--filing", sample, "--parameters", parametersSample])
        #expect(check.status == 0, "\(check.stdout)\(check.stderr)")
        #expect(check.stdout.contains("all 11 checks passed"), "\(check.stdout)")

        // A server runs with the project's modules.
        let conninfo = try TestCluster.makeDatabase()
        let connection = try PostgresConnection(conninfo)
        let serve = try CLIProcess(
            ["serve", "--poll", "0.2", "--modules", modulesFile, "--parameters", parametersFile], conninfo: conninfo)
        #expect(await CoordinatorFixtures.eventually(.seconds(120)) { serve.log.contains("coordinator_started") }, "\(serve.log.suffix(2000))")

        // A parameter no enabled module declares is refused; the server keeps what it runs.
        let parameter: JSONValue = [
            "name": "min_cluster_employees", "comparator": ">=", "unit": "employees", "criteria": ["TALE-1"],
            "values": [["value": .number(Decimal(bound)), "effective_from": "2023-05-23",
                        "citation": ["document": "本系统的示例规则", "article": "TALE-1"]]],
        ]
        try Self.edit(parametersFile) { root in
            guard case .array(var books)? = root["rulebooks"], case .object(var book) = books[0],
                case .array(var parameters)? = book["parameters"]
            else { return }
            parameters.append(parameter)
            book["parameters"] = .array(parameters)
            books[0] = .object(book)
            root["rulebooks"] = .array(books)
        }
        serve.send(SIGHUP)
        #expect(await CoordinatorFixtures.eventually(.seconds(120)) { serve.log.contains("reload_failed") }, "\(serve.log.suffix(2000))")
        #expect(serve.log.contains("no enabled module declares parameter min_cluster_employees"), "\(serve.log.suffix(2000))")

        // Now the module too: one entry in modules.json, and SIGHUP.
        try Self.edit(modulesFile) { root in
            guard case .array(var modules)? = root["modules"] else { return }
            modules.append([
                "id": "talent", "executable": .string(executable), "workers": 1,
                "limits": ["cpu_seconds": 600, "address_space_mb": 1024, "open_files": 64],
            ])
            root["modules"] = .array(modules)
        }
        serve.send(SIGHUP)
        let reloaded = await CoordinatorFixtures.eventually(.seconds(120)) {
            serve.log.contains("coordinator_reloaded") && serve.log.contains("talent 1.0.0")
        }
        #expect(reloaded, "\(serve.log.suffix(3000))")

        // Its findings are in the review and count in the recommendation.
        let submit = try await CLIProcess.run(["submit", sample], conninfo: conninfo)
        #expect(submit.status == 0, "\(submit.stdout)\(submit.stderr)")
        let id: Int64 = try connection.queryRow("SELECT max(id) AS id FROM filings").decode("id")
        let reviewed = try await CoordinatorFixtures.eventually(.seconds(180)) {
            try CoordinatorFixtures.count("SELECT count(*) FROM reviews WHERE filing_id = $1", [id], on: connection) == 1
        }
        #expect(reviewed, "\(serve.log.suffix(3000))")
        let finding = try connection.queryRow(
            "SELECT verdict, module_version FROM findings WHERE filing_id = $1 AND module = 'talent' AND criterion = 'TALE-1'", id)
        #expect(try finding.decode("verdict", as: String.self) == "fail")
        #expect(try finding.decode("module_version", as: String.self) == "1.0.0")
        let recommendation: String = try connection.queryRow("SELECT recommendation FROM reviews WHERE filing_id = $1", id)
            .decode("recommendation")
        #expect(recommendation == "not_recommended", "TALE-1's fail makes the filing not recommended")

        // Its findings appear with their titles in report, report --html and rulebook.
        let report = try await CLIProcess.run(["report", String(id), "--lang", "en"], conninfo: conninfo)
        #expect(report.status == 0)
        #expect(report.stdout.contains("TALE-1") && report.stdout.contains("Employees of the cluster"), "\(report.stdout)")
        let page = folder.appendingPathComponent("report.html").path
        let html = try await CLIProcess.run(["report", String(id), "--html", page, "--lang", "en"], conninfo: conninfo)
        #expect(html.status == 0, "\(html.stderr)")
        let text = try String(contentsOfFile: page, encoding: .utf8)
        #expect(text.contains("data-criterion=\"TALE-1\"") && text.contains("Employees of the cluster") && text.contains("Talent"))
        let rulebook = try await CLIProcess.run(
            ["rulebook", "--lang", "en", "--modules", modulesFile, "--parameters", parametersFile], conninfo: conninfo)
        #expect(rulebook.status == 0, "\(rulebook.stdout)\(rulebook.stderr)")
        #expect(rulebook.stdout.contains("## talent 1.0.0 — Talent"), "\(rulebook.stdout)")
        #expect(rulebook.stdout.contains("TALE-1 [threshold] Employees of the cluster"))
        #expect(rulebook.stdout.contains("min_cluster_employees >= (employees)"))
        #expect(rulebook.stdout.contains("from 2023-05-23: \(bound)"))

        serve.send(SIGTERM)
        #expect(await serve.wait(timeout: .seconds(60)) == 0)
    }

    /// Rewrites the JSON file at `path` with `change` applied.
    static func edit(_ path: String, _ change: (inout [String: JSONValue]) -> Void) throws {
        guard case .object(var root) = try JSONValue(parsing: Data(contentsOf: URL(fileURLWithPath: path))) else { return }
        change(&root)
        try Data(JSONValue.object(root).canonicalText(pretty: true).utf8).write(to: URL(fileURLWithPath: path))
    }
}
