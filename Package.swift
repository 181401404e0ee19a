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

        // MARK: Postgres — the libpq client
        .target(
            name: "Postgres",
            dependencies: ["CLibPQ"]
        ),
        .testTarget(
            name: "PostgresTests",
            dependencies: ["Postgres", "ReviewCore", "TestSupport"]
        ),

        // MARK: IndicatorKit — filing and finding model, plugin protocol, module SDK
        .target(name: "IndicatorKit"),
        .testTarget(
            name: "IndicatorKitTests",
            dependencies: ["IndicatorKit", "TestSupport"]
        ),

        // MARK: Rulebooks — effective-dated parameters from config/parameters.json
        .target(
            name: "Rulebooks",
            dependencies: ["IndicatorKit"]
        ),

        // MARK: Indicators — the rules of every indicator module, as library code
        .target(
            name: "Indicators",
            dependencies: ["IndicatorKit"]
        ),
        .testTarget(
            name: "IndicatorsTests",
            dependencies: ["Indicators", "Rulebooks", "IndicatorKit", "ReviewCore", "TestSupport"],
            resources: [.copy("Cases")]
        ),

        // MARK: ReviewCore — embedded PostgreSQL, migrations, worker pools, queue, workflow
        .target(
            name: "ReviewCore",
            dependencies: ["Postgres", "IndicatorKit", "Rulebooks"]
        ),
        .testTarget(
            name: "ReviewCoreTests",
            dependencies: ["ReviewCore", "Postgres", "IndicatorKit", "Indicators", "Rulebooks", "TestSupport"]
        ),

        // MARK: HTTPServer — the web door's own small HTTP/1.1 server, knowing nothing of the application
        .target(name: "HTTPServer"),
        .testTarget(
            name: "HTTPServerTests",
            dependencies: ["HTTPServer", "HTTPTestSupport"]
        ),
        // A raw socket client and a throwaway nginx from the shipped site file, for the server's
        // tests and the web door's.
        .target(
            name: "HTTPTestSupport",
            path: "Tests/HTTPTestSupport"
        ),

        // MARK: WebDoor — the web application behind `cluster-review web`: sessions, requests as the person, pages
        .target(
            name: "WebDoor",
            dependencies: ["HTTPServer", "ReviewCore", "Postgres", "IndicatorKit"]
        ),
        .testTarget(
            name: "WebDoorTests",
            dependencies: ["WebDoor", "HTTPServer", "ReviewCore", "Postgres", "IndicatorKit", "TestSupport", "HTTPTestSupport"],
            exclude: ["Journeys"]
        ),

        // MARK: ReviewCommands — the CLI's commands, as library code
        .target(
            name: "ReviewCommands",
            dependencies: ["ReviewCore", "Postgres", "IndicatorKit", "Rulebooks", "HTTPServer", "WebDoor"]
        ),
        .testTarget(
            name: "ReviewCommandsTests",
            dependencies: ["ReviewCommands", "ReviewCore", "TestSupport"]
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
            dependencies: ["ReviewCore", "Postgres", "IndicatorKit", "Indicators", "Rulebooks", "HTTPServer"],
            path: "Sources/Benchmarks"
        ),

        // MARK: Test support — throwaway PostgreSQL, fixture paths, fixture modules
        .target(
            name: "TestSupport",
            dependencies: ["ReviewCore", "Postgres", "IndicatorKit"],
            path: "Tests/TestSupport"
        ),
        .executableTarget(
            name: "fixture-module",
            dependencies: ["IndicatorKit"],
            path: "Tests/FixtureModule"
        ),
        // A subreaper that runs a command and reports what the command left behind (orphans, zombies).
        .executableTarget(
            name: "process-harness",
            dependencies: ["ReviewCore"],
            path: "Tests/ProcessHarness"
        ),
    ] + indicatorModules.map {
        .executableTarget(
            name: $0.executable,
            dependencies: ["IndicatorKit", "Indicators"],
            path: "Plugins/\($0.target)"
        )
    },
    swiftLanguageModes: [.v6]
)
