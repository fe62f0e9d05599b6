// swift-tools-version:5.9
// neonkit for Swift. Build the Rust library first (`cargo xtask bindgen --release`,
// or `cargo build -p neonkit-uniffi --release`); for iOS, package it as an
// xcframework and swap NeonKitFFI for a binaryTarget (see README.md).
import PackageDescription

let libDir = "../../../target/x86_64-unknown-linux-gnu/release"

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
                .unsafeFlags(["-L", libDir, "-L", "../../../target/release"]),
            ]
        ),
        // The generated Swift bindings plus a small hand-written layer.
        .target(name: "NeonKit", dependencies: ["NeonKitFFI"], path: "Sources/NeonKit"),
        .testTarget(name: "NeonKitTests", dependencies: ["NeonKit"], path: "Tests/NeonKitTests"),
    ]
)
