import Foundation

/// Where things are when tests run: the package root, the built products, the shared data.
public enum TestPaths {
    /// The package root, found from this source file's location.
    public static let packageRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The directory holding the built products of this test run (`.build/<triple>/debug`).
    public static var productsDirectory: URL {
        if let executable = Bundle.main.executableURL {
            let directory = executable.deletingLastPathComponent()
            if FileManager.default.fileExists(atPath: directory.appendingPathComponent("carehub").path) { return directory }
        }
        return packageRoot.appendingPathComponent(".build/debug")
    }

    /// The built `carehub` binary.
    public static var carehubBinary: URL { productsDirectory.appendingPathComponent("carehub") }

    /// `../shared/data/<relative>`; fails the caller with a clear message when missing.
    public static func sharedData(_ relative: String) throws -> URL {
        let url = packageRoot.deletingLastPathComponent().appendingPathComponent("shared/data").appendingPathComponent(relative)
        guard FileManager.default.fileExists(atPath: url.path) else {
            throw TestSupportError("The shared test data \(url.path) is missing; tests expect ../shared beside the project.")
        }
        return url
    }

    /// The simulators' Python (the virtual environment `scripts/python-env.sh` makes).
    public static func python() throws -> URL {
        let url = packageRoot.appendingPathComponent(".venv/bin/python")
        guard FileManager.default.isExecutableFile(atPath: url.path) else {
            throw TestSupportError("No Python virtual environment at \(url.path); run `bash scripts/python-env.sh` (make test does).")
        }
        return url
    }
}

/// A test-harness failure, said plainly.
public struct TestSupportError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
