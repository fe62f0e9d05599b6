// swift-tools-version:5.9
// neonkit for Swift. Build the Rust library first, for the platform you build on:
//   cargo build -p neonkit-uniffi --release --target aarch64-apple-darwin   (macOS, Apple silicon)
// and point NEONKIT_LIB_DIR at the folder holding libneonkit_uniffi if it is not
// one of the defaults below. For iOS, package the library as an xcframework and
// swap NeonKitFFI for a binaryTarget (see README.md).
import Foundation
import PackageDescription

let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../..").standardized.path
let libDirs = (ProcessInfo.processInfo.environment["NEONKIT_LIB_DIR"].map { [$0] } ?? []) + [
    "\(root)/target/aarch64-apple-darwin/release",
    "\(root)/target/x86_64-apple-darwin/release",
    "\(root)/target/x86_64-unknown-linux-gnu/release",
    "\(root)/target/release",
]

let package = Package(
    name: "NeonKit",
    platforms: [.macOS(.v12), .iOS(.v15)],
    products: [
        .library(name: "NeonKit", targets: ["NeonKit"]),
    ],
    targets: [
        // The C declarations of the Rust library (generated header + module map).
        .target(
            name: "NeonKitFFI",
            path: "Sources/NeonKitFFI",
            linkerSettings: [
                .linkedLibrary("neonkit_uniffi"),
                .unsafeFlags(libDirs.flatMap { ["-L", $0] }),
            ]
        ),
        // The generated Swift bindings, the generated model views and a small hand-written layer.
        .target(name: "NeonKit", dependencies: ["NeonKitFFI"], path: "Sources/NeonKit"),
        .testTarget(name: "NeonKitTests", dependencies: ["NeonKit"], path: "Tests/NeonKitTests"),
    ]
)
