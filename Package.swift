// swift-tools-version:6.1
import PackageDescription

let package = Package(
    name: "Gatehouse",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "gatehouse", targets: ["gatehouse"]),
        .library(name: "Replication", targets: ["Replication"]),
    ],
    dependencies: [
        .package(url: "https://github.com/groue/GRDB.swift", exact: "7.10.0"),
        .package(url: "https://github.com/apple/swift-argument-parser", exact: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", exact: "1.16.2"),
        .package(url: "https://github.com/apple/swift-protobuf", exact: "1.39.0"),
        .package(url: "https://github.com/apple/swift-crypto", exact: "3.12.3"),
        // The web desk (issue 15). Hummingbird without its default traits: no
        // swift-configuration to build, and form decoding needs no full Foundation.
        .package(url: "https://github.com/hummingbird-project/hummingbird", exact: "2.28.1", traits: []),
        .package(url: "https://github.com/hummingbird-project/hummingbird-auth", exact: "2.5.0"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache", exact: "2.1.1"),
        .package(url: "https://github.com/apple/swift-metrics", exact: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", exact: "2.4.1"),
        .package(url: "https://github.com/apple/swift-nio", exact: "2.101.3"),
        .package(url: "https://github.com/apple/swift-nio-ssl", exact: "2.37.6"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", exact: "2.13.0"),
    ],
    targets: [
        // libzmq through Debian's libzmq3-dev.
        .systemLibrary(
            name: "CZeroMQ",
            providers: [.apt(["libzmq3-dev"])]
        ),
        .target(name: "ZeroMQ", dependencies: ["CZeroMQ"]),
        // Fixed-signature wrappers of SQLite's variadic configuration calls.
        .systemLibrary(name: "CSQLiteConfig"),
        // glibc's allocator tuning (mallopt), for the sync processes' batch buffers.
        .systemLibrary(name: "CMalloc"),
        // Version vectors, merge policies, change log: pure logic plus its SQLite store.
        .target(
            name: "Replication",
            dependencies: [
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
                "CSQLiteConfig",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // The sync protocol: wire messages generated from Protocol/*.proto, framing, pure session state machines.
        .target(
            name: "SyncProtocol",
            dependencies: [
                "Replication",
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
            ]
        ),
        // The service desk: records, workflows, rules.
        .target(
            name: "ServiceDesk",
            dependencies: [
                "Replication",
                .product(name: "GRDB", package: "GRDB.swift"),
                // PBKDF2 for staff passwords (Access/PasswordHash.swift).
                .product(name: "_CryptoExtras", package: "swift-crypto"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        // The two runtimes: the node's sync client and the hub's server, keys, enrollment.
        .target(
            name: "SyncRuntime",
            dependencies: [
                "Replication", "ServiceDesk", "ZeroMQ", "SyncProtocol", "CMalloc",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // The browser front end served by `node run` (the desk) and `hub run` (the console):
        // Views/ are pure view models, Server/ the HTTP plumbing, Resources/ the templates
        // and static files.
        .target(
            name: "WebDesk",
            dependencies: [
                "ServiceDesk", "SyncRuntime", "Replication",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "HummingbirdTLS", package: "hummingbird"),
                .product(name: "HummingbirdAuth", package: "hummingbird-auth"),
                .product(name: "Mustache", package: "swift-mustache"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ],
            resources: [.copy("Resources/templates"), .copy("Resources/static")]
        ),
        .executableTarget(
            name: "gatehouse",
            dependencies: [
                "Replication", "ServiceDesk", "ZeroMQ", "SyncRuntime", "SyncProtocol", "WebDesk",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .executableTarget(name: "gatehouse-bench", dependencies: [
            "Replication", "ServiceDesk", "SyncProtocol", "SyncRuntime", "ZeroMQ", "HubFuzz",
            .product(name: "GRDB", package: "GRDB.swift"), .product(name: "Logging", package: "swift-log"),
        ]),
        .testTarget(name: "ReplicationTests", dependencies: ["Replication"]),
        .testTarget(name: "ZeroMQTests", dependencies: ["ZeroMQ"]),
        .testTarget(name: "SyncProtocolTests", dependencies: ["SyncProtocol", "Replication"]),
        // Helpers the end-to-end tests of several targets share (logging in as a staff member).
        .target(name: "TestSupport", path: "Tests/TestSupport"),
        // The hub fuzzer (issue 14): a short run in SyncRuntimeTests, the long one in a
        // release build through `gatehouse-bench fuzz-hub` (scripts/fuzz-hub).
        .target(name: "HubFuzz", dependencies: [
            "Replication", "ServiceDesk", "SyncProtocol", "SyncRuntime", "ZeroMQ", .product(name: "Logging", package: "swift-log"),
        ], path: "Tests/HubFuzz"),
        // ExcelFixtures: CSV files the way Excel writes them (GBK, BOM, CRLF), read by path.
        .testTarget(name: "ServiceDeskTests", dependencies: ["ServiceDesk", "Replication", "TestSupport"], exclude: ["ExcelFixtures"]),
        // The deployment files (systemd units, manual pages) and what a packager sees.
        .testTarget(name: "PackagingTests"),
        .testTarget(name: "WebDeskTests", dependencies: ["WebDesk", "ServiceDesk", "Replication", "TestSupport"]),
        .testTarget(name: "SyncRuntimeTests", dependencies: ["SyncRuntime", "ServiceDesk", "Replication", "ZeroMQ", "TestSupport", "HubFuzz"]),
    ],
    swiftLanguageModes: [.v6]
)
