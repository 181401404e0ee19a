// swift-tools-version: 6.0
// ClusterReview — a review server for Hainan's SME characteristic industrial clusters.
// No package dependencies, by the owner's choice: the toolchain and the system libpq only.
import PackageDescription

/// The built-in indicator modules: one executable each under Plugins/, run as worker processes.
///
/// This table is the one list of the built-in modules. Everything else learns them at run time —
/// the coordinator, reports, the rulebook check and the tests from config/modules.json and each
/// module's ready line — so adding a module is its rule file in Sources/Indicators, its
/// Plugins/<Target>/main.swift, one line here, its entry in config/modules.json, its parameters
/// in config/parameters.json and its case table in Tests/IndicatorsTests/Cases
/// (BuiltInModuleListTests checks that they agree).
let indicatorModules: [(target: String, executable: String)] = [
    ("Competitiveness", "indicator-competitiveness"),
    ("Tiering", "indicator-tiering"),
    ("SupplyChain", "indicator-supply-chain"),
    ("Innovation", "indicator-innovation"),
    ("Digital", "indicator-digital"),
    ("Green", "indicator-green"),
    ("Openness", "indicator-openness"),
    ("Governance", "indicator-governance"),
    ("Compliance", "indicator-compliance"),
    ("PlanCompletion", "indicator-plan-completion"),
]

/// The layers, bottom first. A target may depend only on targets of lower layers, and may import
/// only the project modules it declares as dependencies; `LayeringTests` (Tests/PackageTests)
/// reads this table, every target's `dependencies` below and every source file's `import` lines,
/// and fails on an upward or undeclared one. Test targets sit above everything they test.
let layers: [[String]] = [
    ["CLibPQ", "JSONCore", "ChildProcesses", "HTTPServer"],
    ["Postgres", "IndicatorKit", "HTTPTestSupport"],
    ["ClusterStandard", "EmbeddedPostgres", "ModuleHost"],
    ["Rulebooks", "Indicators", "PostgresTestSupport"],
    ["Reports"],
    ["ReviewCore"],
    ["WebDoor", "TestSupport"],
    ["ReviewCommands"],
    ["cluster-review", "cluster-review-bench", "indicator-*", "fixture-module", "process-harness"],
]

let package = Package(
    name: "ClusterReview",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "cluster-review", targets: ["cluster-review"]),
        .executable(name: "cluster-review-bench", targets: ["cluster-review-bench"]),
        .library(name: "IndicatorKit", targets: ["IndicatorKit"]),
    ] + indicatorModules.map { .executable(name: $0.executable, targets: [$0.executable]) },
    targets: [
        // MARK: libpq
        .systemLibrary(
            name: "CLibPQ",
            pkgConfig: "libpq",
            providers: [.apt(["libpq-dev"])]
        ),

        // MARK: JSONCore — the one JSON parser (with limits, exact decimals) and writer (compact, canonical, pretty)
        .target(name: "JSONCore"),
        .testTarget(
            name: "JSONCoreTests",
            dependencies: ["JSONCore"]
        ),

        // MARK: ChildProcesses — the one way to start a process: spawn, limits, groups, reaping
        .target(name: "ChildProcesses"),

        // MARK: Postgres — the libpq client
        .target(
            name: "Postgres",
            dependencies: ["CLibPQ"]
        ),
        .testTarget(
            name: "PostgresTests",
            dependencies: ["Postgres", "EmbeddedPostgres", "PostgresTestSupport"]
        ),

        // MARK: EmbeddedPostgres — the private PostgreSQL the CLI and the tests start
        .target(
            name: "EmbeddedPostgres",
            dependencies: ["Postgres", "ChildProcesses"]
        ),
        .testTarget(
            name: "EmbeddedPostgresTests",
            dependencies: ["EmbeddedPostgres", "Postgres", "PostgresTestSupport"]
        ),

        // MARK: IndicatorKit — the module SDK: protocol messages and framing, findings, the runner
        .target(
            name: "IndicatorKit",
            dependencies: ["JSONCore"]
        ),
        .testTarget(
            name: "IndicatorKitTests",
            dependencies: ["IndicatorKit", "JSONCore"]
        ),

        // MARK: ClusterStandard — Hainan's standard: the filing and its validator, counties, declared criteria, the recommendation
        .target(
            name: "ClusterStandard",
            dependencies: ["IndicatorKit", "JSONCore"]
        ),
        .testTarget(
            name: "ClusterStandardTests",
            dependencies: ["ClusterStandard", "IndicatorKit", "JSONCore", "TestSupport"]
        ),

        // MARK: ModuleHost — worker pools of module processes, the module registry, conformance, the logger
        .target(
            name: "ModuleHost",
            dependencies: ["IndicatorKit", "JSONCore", "ChildProcesses"]
        ),
        .testTarget(
            name: "ModuleHostTests",
            dependencies: ["ModuleHost", "IndicatorKit", "JSONCore", "ChildProcesses"]
        ),

        // MARK: Rulebooks — effective-dated parameters from config/parameters.json
        .target(
            name: "Rulebooks",
            dependencies: ["ClusterStandard", "IndicatorKit", "JSONCore"]
        ),

        // MARK: Indicators — the rules of every indicator module, as library code
        .target(
            name: "Indicators",
            dependencies: ["ClusterStandard", "IndicatorKit", "JSONCore"]
        ),
        .testTarget(
            name: "IndicatorsTests",
            dependencies: ["Indicators", "Rulebooks", "ClusterStandard", "IndicatorKit", "JSONCore", "ReviewCore", "ModuleHost", "TestSupport"],
            resources: [.copy("Cases")]
        ),

        // MARK: Reports — a review's scorecard as terminal text and self-contained HTML
        .target(
            name: "Reports",
            dependencies: ["ClusterStandard", "Rulebooks", "IndicatorKit", "JSONCore"]
        ),
        .testTarget(
            name: "ReportsTests",
            dependencies: ["Reports", "ClusterStandard", "Rulebooks", "IndicatorKit", "JSONCore", "TestSupport"]
        ),

        // MARK: ReviewCore — everything on the database: migrations, queue, coordinator, lifecycle, register, records
        .target(
            name: "ReviewCore",
            dependencies: [
                "Postgres",
                "EmbeddedPostgres",
                "ModuleHost",
                "Reports",
                "Rulebooks",
                "ClusterStandard",
                "IndicatorKit",
                "JSONCore",
            ]
        ),
        .testTarget(
            name: "ReviewCoreTests",
            dependencies: [
                "ReviewCore",
                "Reports",
                "ModuleHost",
                "EmbeddedPostgres",
                "ChildProcesses",
                "Postgres",
                "ClusterStandard",
                "IndicatorKit",
                "JSONCore",
                "Indicators",
                "Rulebooks",
                "TestSupport",
            ]
        ),

        // MARK: HTTPServer — the web door's own small HTTP/1.1 server, knowing nothing of the application
        .target(name: "HTTPServer"),
        .testTarget(
            name: "HTTPServerTests",
            dependencies: ["HTTPServer", "HTTPTestSupport"]
        ),
        // A raw socket client and a throwaway nginx from the shipped site file (started by
        // ChildProcesses' ProcessLauncher), for the server's tests and the web door's.
        .target(
            name: "HTTPTestSupport",
            dependencies: ["ChildProcesses"],
            path: "Tests/HTTPTestSupport"
        ),

        // MARK: WebDoor — the web application behind `cluster-review web`: sessions, requests as the person, pages
        .target(
            name: "WebDoor",
            dependencies: [
                "HTTPServer", "ReviewCore", "Reports", "Rulebooks", "ModuleHost", "Postgres", "ClusterStandard", "IndicatorKit", "JSONCore",
            ]
        ),
        .testTarget(
            name: "WebDoorTests",
            dependencies: [
                "WebDoor",
                "HTTPServer",
                "ReviewCore",
                "Reports",
                "Rulebooks",
                "ModuleHost",
                "Postgres",
                "ChildProcesses",
                "ClusterStandard",
                "IndicatorKit",
                "JSONCore",
                "TestSupport",
                "HTTPTestSupport",
            ],
            exclude: ["Journeys"]
        ),

        // MARK: ReviewCommands — the CLI's commands, as library code, above ReviewCore's API
        .target(
            name: "ReviewCommands",
            dependencies: [
                "WebDoor",
                "ReviewCore",
                "Reports",
                "ModuleHost",
                "EmbeddedPostgres",
                "ChildProcesses",
                "Postgres",
                "HTTPServer",
                "Rulebooks",
                "ClusterStandard",
                "IndicatorKit",
                "JSONCore",
            ]
        ),
        .testTarget(
            name: "ReviewCommandsTests",
            dependencies: [
                "ReviewCommands",
                "ReviewCore",
                "ModuleHost",
                "EmbeddedPostgres",
                "ChildProcesses",
                "Postgres",
                "ClusterStandard",
                "IndicatorKit",
                "JSONCore",
                "TestSupport",
            ]
        ),

        // MARK: Executables
        // The CLI depends on the module executables so that `swift run cluster-review …` builds
        // them too: the demo and `serve` start them as worker processes.
        .executableTarget(
            name: "cluster-review",
            dependencies: ["ReviewCommands"] + indicatorModules.map { .target(name: $0.executable) }
        ),
        .executableTarget(
            name: "cluster-review-bench",
            dependencies: [
                "ReviewCore",
                "ModuleHost",
                "EmbeddedPostgres",
                "ChildProcesses",
                "Postgres",
                "HTTPServer",
                "ClusterStandard",
                "IndicatorKit",
                "JSONCore",
                "Indicators",
                "Rulebooks",
                "Reports",
            ],
            path: "Sources/Benchmarks"
        ),

        // MARK: Test support — a throwaway PostgreSQL; migrated databases, fixture paths, fixture modules
        .target(
            name: "PostgresTestSupport",
            dependencies: ["EmbeddedPostgres", "Postgres", "ChildProcesses"],
            path: "Tests/PostgresTestSupport"
        ),
        .target(
            name: "TestSupport",
            dependencies: [
                "ReviewCore",
                "ModuleHost",
                "PostgresTestSupport",
                "EmbeddedPostgres",
                "ChildProcesses",
                "Postgres",
                "ClusterStandard",
                "IndicatorKit",
                "JSONCore",
                "Rulebooks",
            ],
            path: "Tests/TestSupport"
        ),
        .executableTarget(
            name: "fixture-module",
            dependencies: ["IndicatorKit", "JSONCore"],
            path: "Tests/FixtureModule"
        ),
        // A subreaper that runs a command and reports what the command left behind (orphans, zombies).
        .executableTarget(
            name: "process-harness",
            dependencies: ["ChildProcesses"],
            path: "Tests/ProcessHarness"
        ),

        // MARK: The package's own shape — the layering check
        .testTarget(name: "PackageTests"),
    ] + indicatorModules.map {
        .executableTarget(
            name: $0.executable,
            dependencies: ["IndicatorKit", "JSONCore", "Indicators"],
            path: "Plugins/\($0.target)"
        )
    },
    swiftLanguageModes: [.v6]
)
