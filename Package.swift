// swift-tools-version: 6.0
import PackageDescription

// Modules by phase; dependencies point one way:
// diagnostics/values/yaml -> language and ledger (side by side) -> engine -> reports -> custody.
let swiftSettings: [SwiftSetting] = [
  .enableUpcomingFeature("ExistentialAny")
]

let package = Package(
  name: "custody",
  platforms: [.macOS(.v15)],
  products: [
    .executable(name: "custody", targets: ["custody"]),
    // The pipeline as a library (docs/library.md): `import CustodyKit`.
    .library(name: "CustodyKit", targets: ["CustodyKit"]),
  ],
  dependencies: [
    .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
    .package(url: "https://github.com/apple/swift-collections", from: "1.1.0"),
    // NIOCore and HTTPTypes are imported by the service directly (Hummingbird's own deps).
    .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
    .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
    // The intake service (issue 20): HTTP, SQLite, logs, metrics, uploads.
    .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
    .package(url: "https://github.com/hummingbird-project/hummingbird-auth", from: "2.5.0"),
    // The service's web pages (issue 21): server-rendered templates.
    .package(url: "https://github.com/hummingbird-project/swift-mustache", from: "2.1.1"),
    .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
    .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
    .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
    .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
    .package(url: "https://github.com/vapor/multipart-kit", from: "4.7.1"),
    .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
    // .xlsx workbooks (issue 19) and the service's ZIP uploads (issue 20): one pin for both.
    .package(url: "https://github.com/weichsel/ZIPFoundation", exact: "0.9.20"),
  ],
  targets: [
    // Debian's libyaml through pkg-config; install with `apt-get install libyaml-dev`.
    .systemLibrary(
      name: "CYAML",
      pkgConfig: "yaml-0.1",
      providers: [.apt(["libyaml-dev"])]
    ),
    .target(name: "CustodyDiagnostics", swiftSettings: swiftSettings),
    .target(
      name: "CustodyValues", dependencies: ["CustodyDiagnostics"], swiftSettings: swiftSettings),
    .target(
      name: "CustodyYAML",
      dependencies: ["CYAML", "CustodyDiagnostics"],
      swiftSettings: swiftSettings
    ),
    .target(
      name: "CustodyLanguage",
      dependencies: [
        "CustodyDiagnostics", "CustodyValues", "CustodyYAML",
        .product(name: "Collections", package: "swift-collections"),
        .product(name: "Crypto", package: "swift-crypto"),
      ],
      swiftSettings: swiftSettings
    ),
    .target(
      name: "CustodyLedger",
      dependencies: [
        "CustodyDiagnostics", "CustodyValues", "CustodyYAML",
        .product(name: "Crypto", package: "swift-crypto"),
        .product(name: "ZIPFoundation", package: "ZIPFoundation"),
      ],
      swiftSettings: swiftSettings
    ),
    .target(
      name: "CustodyEngine",
      dependencies: [
        "CustodyDiagnostics", "CustodyValues", "CustodyLanguage", "CustodyLedger",
        .product(name: "Crypto", package: "swift-crypto"),
        .product(name: "Collections", package: "swift-collections"),
      ],
      swiftSettings: swiftSettings
    ),
    .target(
      name: "CustodyReports",
      // Renders and signs the `Report` model; it does not see the engine's types (the
      // pipeline library builds the model from them).
      dependencies: [
        "CustodyDiagnostics", "CustodyValues", "CustodyYAML",
        .product(name: "Crypto", package: "swift-crypto"),
      ],
      swiftSettings: swiftSettings
    ),
    // Tools for policy authors and reviewers: test runner, explain, graph, diff, waivers,
    // editor schemas. Builds on everything below it.
    .target(
      name: "CustodyAuthoring",
      dependencies: [
        "CustodyDiagnostics", "CustodyValues", "CustodyYAML", "CustodyLanguage", "CustodyLedger",
        "CustodyEngine", "CustodyReports",
      ],
      swiftSettings: swiftSettings
    ),
    // The library product: re-exports the pipeline and everything below it, and adds the
    // `Custody` facade (compile cache, async forms) that programs embed.
    .target(
      name: "CustodyKit",
      dependencies: [
        "CustodyAuthoring", "CustodyDiagnostics", "CustodyEngine", "CustodyLanguage",
        "CustodyLedger", "CustodyReports", "CustodyValues",
      ],
      swiftSettings: swiftSettings
    ),
    // The certification body's intake service (issue 20): `custody serve`.
    .target(
      name: "CustodyService",
      // A caller of the library product, like the CLI (issue 17).
      dependencies: [
        "CustodyKit",
        .product(name: "Hummingbird", package: "hummingbird"),
        .product(name: "HummingbirdAuth", package: "hummingbird-auth"),
        .product(name: "HummingbirdBcrypt", package: "hummingbird-auth"),
        .product(name: "Mustache", package: "swift-mustache"),
        .product(name: "GRDB", package: "GRDB.swift"),
        .product(name: "Logging", package: "swift-log"),
        .product(name: "Metrics", package: "swift-metrics"),
        .product(name: "Prometheus", package: "swift-prometheus"),
        .product(name: "ZIPFoundation", package: "ZIPFoundation"),
        .product(name: "MultipartKit", package: "multipart-kit"),
        .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
        .product(name: "Crypto", package: "swift-crypto"),
        .product(name: "NIOCore", package: "swift-nio"),
        .product(name: "HTTPTypes", package: "swift-http-types"),
      ],
      resources: [.copy("openapi.yaml")],
      swiftSettings: swiftSettings
    ),
    .executableTarget(
      name: "custody",
      dependencies: [
        "CustodyKit", "CustodySample", "CustodyService",
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
        .product(name: "Logging", package: "swift-log"),
      ],
      swiftSettings: swiftSettings
    ),
    // Measures compiling 1,000 rules (scripts/bench-compile.sh); not part of the product.
    .executableTarget(
      name: "custody-bench-compile",
      dependencies: ["CustodyLanguage"],
      swiftSettings: swiftSettings
    ),
    // Measures the CSV reader (scripts/bench-read.sh); not part of the product.
    .executableTarget(
      name: "custody-bench-read",
      dependencies: ["CustodyValues", "CustodyLedger"],
      swiftSettings: swiftSettings
    ),
    // Measures reading and evaluation with the Cu-again rules built in Swift (docs/performance.md);
    // not part of the product.
    .executableTarget(
      name: "custody-bench",
      dependencies: [
        "CustodyDiagnostics", "CustodyValues", "CustodyYAML", "CustodyLanguage", "CustodyLedger",
        "CustodyEngine",
      ],
      path: "Benchmarks/custody-bench",
      swiftSettings: swiftSettings
    ),
    // Generates realistic canonical ledgers (demos, fixtures, benchmarks): `custody sample`.
    .target(
      name: "CustodySample",
      dependencies: ["CustodyValues"],
      swiftSettings: swiftSettings
    ),
    // Fuzz harnesses (scripts/fuzz.sh, Fuzz/README.md). A plain build replays the inputs given
    // as arguments; built with -sanitize=fuzzer -DFUZZING they run under libFuzzer.
    .target(name: "FuzzCEntry", path: "Fuzz/FuzzCEntry"),
    .target(
      name: "FuzzSupport", dependencies: ["FuzzCEntry", "CustodyDiagnostics"],
      path: "Fuzz/FuzzSupport",
      swiftSettings: swiftSettings),
    .executableTarget(
      name: "FuzzYAML",
      dependencies: [
        "FuzzSupport", "CustodyDiagnostics", "CustodyValues", "CustodyYAML", "CustodyLedger",
      ],
      path: "Fuzz/FuzzYAML", swiftSettings: swiftSettings),
    .executableTarget(
      name: "FuzzExpression",
      dependencies: [
        "FuzzSupport", "CustodyDiagnostics", "CustodyValues", "CustodyYAML", "CustodyLanguage",
        "CustodyLedger",
        "CustodyEngine",
      ],
      path: "Fuzz/FuzzExpression", swiftSettings: swiftSettings),
    .executableTarget(
      name: "FuzzCSV",
      dependencies: [
        "FuzzSupport", "CustodyDiagnostics", "CustodyValues", "CustodyLedger",
        .product(name: "Crypto", package: "swift-crypto"),
      ],
      path: "Fuzz/FuzzCSV", swiftSettings: swiftSettings),
    .executableTarget(
      name: "FuzzDates",
      dependencies: [
        "FuzzSupport", "CustodyDiagnostics", "CustodyValues", "CustodyLanguage", "CustodyEngine",
      ],
      path: "Fuzz/FuzzDates", swiftSettings: swiftSettings),
    .executableTarget(
      name: "FuzzVerify",
      dependencies: [
        "FuzzSupport", "CustodyReports", .product(name: "Crypto", package: "swift-crypto"),
      ],
      path: "Fuzz/FuzzVerify", exclude: ["seeds"], swiftSettings: swiftSettings),
    .executableTarget(
      name: "FuzzRulesWalk",
      dependencies: ["FuzzSupport", "CustodyDiagnostics", "CustodyLanguage"],
      path: "Fuzz/FuzzRulesWalk", swiftSettings: swiftSettings),
    // Imports only the library product (issue 17): what an embedding program sees.
    .testTarget(
      name: "CustodyKitTests",
      dependencies: ["CustodyKit"],
      swiftSettings: swiftSettings
    ),
    .testTarget(
      name: "CustodyYAMLTests",
      dependencies: ["CustodyDiagnostics", "CustodyValues", "CustodyYAML"],
      swiftSettings: swiftSettings
    ),
    .testTarget(
      name: "CustodyLanguageTests",
      dependencies: ["CustodyDiagnostics", "CustodyValues", "CustodyYAML", "CustodyLanguage"],
      resources: [.copy("Corpus")],
      swiftSettings: swiftSettings
    ),
    .testTarget(
      name: "CustodyLedgerTests",
      // CustodyLanguage only for CanonicalSchemaTests (the Swift mirror against the YAML).
      dependencies: [
        "CustodyDiagnostics", "CustodyValues", "CustodyYAML", "CustodyLedger", "CustodyLanguage",
      ],
      resources: [.copy("Corpus")],
      swiftSettings: swiftSettings
    ),
    .testTarget(
      name: "CustodyEngineTests",
      dependencies: [
        "CustodyDiagnostics", "CustodyValues", "CustodyYAML", "CustodyLanguage", "CustodyLedger",
        "CustodyEngine",
      ],
      swiftSettings: swiftSettings
    ),
    .testTarget(
      name: "CustodyReportsTests",
      dependencies: ["CustodyDiagnostics", "CustodyValues", "CustodyReports"],
      exclude: ["Schemas"],
      resources: [.copy("Golden")],
      swiftSettings: swiftSettings
    ),
    .testTarget(
      name: "CustodyAuthoringTests",
      dependencies: [
        "CustodyDiagnostics", "CustodyValues", "CustodyReports", "CustodyAuthoring",
      ],
      swiftSettings: swiftSettings
    ),
    // Hostile inputs (Corpus/, expected.tsv), limits, read-only guarantees (issues 8 and 22).
    .testTarget(
      name: "CustodyRobustnessTests",
      dependencies: [
        "CustodyDiagnostics", "CustodyValues", "CustodyYAML", "CustodyLanguage", "CustodyLedger",
        "CustodyEngine", "CustodyReports", "CustodyAuthoring",
        .product(name: "Crypto", package: "swift-crypto"),
      ],
      exclude: ["Corpus"],
      swiftSettings: swiftSettings
    ),
    .testTarget(
      name: "CustodyIntegrationTests",
      dependencies: [
        "CustodyDiagnostics", "CustodyValues", "CustodyLanguage", "CustodyLedger", "CustodyEngine",
        "CustodyReports", "CustodySample", "CustodyAuthoring", "CustodyYAML",
      ],
      // YAML-only variant standards and golden outputs, read from the source tree by path.
      exclude: ["Variants", "Golden"],
      swiftSettings: swiftSettings
    ),
    // The intake service over HTTP on loopback with SQLite on disk (issue 20).
    .testTarget(
      name: "CustodyServiceTests",
      dependencies: [
        "CustodyService", "CustodyReports", "CustodyAuthoring",
        .product(name: "Hummingbird", package: "hummingbird"),
        .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
        .product(name: "GRDB", package: "GRDB.swift"),
        .product(name: "ZIPFoundation", package: "ZIPFoundation"),
        .product(name: "Crypto", package: "swift-crypto"),
      ],
      swiftSettings: swiftSettings
    ),
  ]
)

// .ci/run's ThreadSanitizer step sets CUSTODY_TSAN_SUBSET: the sanitized build then holds only
// the modules below the CLI and the service, and the engine and pipeline test targets, so it
// does not compile Hummingbird, GRDB and swift-nio a second time (most of a full build).
if Context.environment["CUSTODY_TSAN_SUBSET"] != nil {
  let kept: Set<String> = [
    "CYAML", "CustodyDiagnostics", "CustodyValues", "CustodyYAML", "CustodyLanguage",
    "CustodyLedger", "CustodyEngine", "CustodyReports", "CustodyAuthoring", "CustodySample",
    "CustodyEngineTests", "CustodyIntegrationTests",
  ]
  package.targets.removeAll { !kept.contains($0.name) }
  // The subset is built only with --sanitize=thread: `Locked` then reports its lock to
  // ThreadSanitizer (Sources/CustodyDiagnostics/Locked.swift).
  for target in package.targets where target.type != .system {
    target.swiftSettings = (target.swiftSettings ?? []) + [.define("CUSTODY_TSAN")]
  }
  package.products = []
  let used = ["swift-crypto", "swift-collections", "ZIPFoundation"]
  package.dependencies.removeAll { dependency in
    guard case .sourceControl(_, let location, _) = dependency.kind else { return false }
    return !used.contains { location.hasSuffix("/" + $0) }
  }
}
