import ArgumentParser
import CareHubCore
import CareHubService
import Foundation

struct EvaluateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "evaluate",
        abstract: "Measure false alarms and how fast simulated collapses are found, fixed and learned rules side by side.",
        discussion: """
            Replays a recording in memory twice for each home and mode: once as it is, counting the urgent incidents
            raised after the home's routine was learned (a recording without a real emergency makes each one false);
            and cut off at --collapses moments drawn with --seed from the daytime minutes (08:00-20:00) when the
            resident is at home, after which only heartbeats and gateway statuses go on (made for recordings that have
            none), timing the first urgent incident. Nothing is written.

            Example:
              carehub evaluate --input-format homeassist --mapping deploy/mappings/homeassist-home1.yaml \\
                --input home1.csv --collapses 50 --seed 1
            """
    )

    @OptionGroup var recording: RecordingOptions
    @Option(help: "Simulated collapses per home.") var collapses = 50
    @Option(help: "Random seed for the collapse times.") var seed: UInt64 = 1
    @OptionGroup var output: FormatOption

    func validate() throws {
        guard collapses >= 0 else { throw ValidationError("--collapses must be 0 or more.") }
    }

    func run() async throws {
        let (configuration, loaded) = try recording.load()
        let results = try Evaluator(settings: configuration.rules, collapses: collapses, seed: seed).evaluate(loaded.lines)
        EvaluationReport(results: results).print(format: output.format ?? .table)
    }
}
