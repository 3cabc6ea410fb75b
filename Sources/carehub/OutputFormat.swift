import ArgumentParser
import CareHubCore
import Foundation

/// How records are printed: `table` for people (the default), `json` and `csv` for programs.
enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
    case table, json, csv
}
